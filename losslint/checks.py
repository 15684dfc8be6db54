"""The rules LL101-LL106 as decisions on resolved axes: given an operation, the layout of its
input and the axes it really hits, say which rule fires, with which message and which fix.

Nothing here walks syntax; the interpreter (``infer.py``) calls these at each axis-taking call.
"""

from __future__ import annotations

from dataclasses import dataclass

from .layouts import BATCH, FEATURE, SPATIAL, Layout, mirror
from .values import Tensor, is_unknown


@dataclass(frozen=True)
class Verdict:
    code: str
    message: str
    fix_axes: tuple[int, ...] | int | None = None   # the axis the code should have used


def _names(layout: Layout, positions) -> str:
    names = [layout.axes[p].name for p in sorted(positions)]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _feature_tail(layout: Layout, kw: str) -> str:
    fi = layout.feature_index()
    if fi is None:
        return ""
    return f"; the feature axis is {layout.axes[fi].name} ({kw}={fi})"


def describe(t: Tensor) -> str:
    return f"{t.name} ({t.layout})"


def resolve_positions(layout: Layout, axes) -> tuple[list[int] | None, int | None]:
    """Positions hit by int/tuple ``axes``; (None, bad_index) when one is out of range;
    (None, None) when an index falls in a variadic group (positions unknown)."""
    items = axes if isinstance(axes, tuple) else (axes,)
    out = []
    for i in items:
        ref = layout.resolve(i)
        if ref is None:
            return None, i
        if ref.in_group:
            return None, None
        out.append(ref.position)
    return out, None


def out_of_range(op: str, axis_text: str, t: Tensor, bad: int) -> Verdict:
    n = len(t.layout.axes)
    return Verdict("LL105", f"{op} over {axis_text}: axis {bad} is out of range for {describe(t)}, which has {n} axes")


def check_reduce(op: str, axis_text: str, t: Tensor, axes, implicit: bool, builtin: bool,
                 per_sample: bool, kw: str) -> list[Verdict]:
    layout = t.layout
    if layout is None or not t.known:
        return []
    positions, bad = resolve_positions(layout, axes)
    if positions is None:
        if bad is not None and layout.rank is not None:
            return [out_of_range(op, axis_text, t, bad)]
        return _group_checks(op, axis_text, t, axes, implicit, builtin, per_sample, kw)
    if any(is_unknown(layout.axes[p]) for p in positions):
        return []
    out: list[Verdict] = []
    reduced = set(positions)
    roles = {p: layout.axes[p].role for p in reduced}
    if implicit and builtin:
        fi = layout.feature_index()
        if fi is not None and reduced != {fi}:
            out.append(Verdict(
                "LL106",
                f"{op} reduces its default {axis_text}, which is {_names(layout, reduced)} of "
                f"{describe(t)}, not the feature axis {layout.axes[fi].name} ({kw}={fi})",
                None,
            ))
        return out
    if per_sample and BATCH in roles.values() and not implicit:
        out.append(Verdict(
            "LL103",
            f"{op} over {axis_text} reduces the batch axis {layout.axes[layout.index_of_role(BATCH)[0]].name} "
            f"of {describe(t)} in a per-sample loss; sample_weight and masking stop working",
            _without_batch(layout, reduced, axes),
        ))
    if layout.variadic_index is None:
        # spatial components: a merged axis (H*W, W*C) counts with the spatial axes inside it
        present = [c for a in layout.axes for c in a.components() if c.role == SPATIAL]
        taken = [c for p in reduced for c in layout.axes[p].components() if c.role == SPATIAL]
        if taken and len(taken) < len(present):
            kept = [c.name for c in present if c not in taken]
            merged_axes = any(a.parts for a in layout.axes)
            out.append(Verdict(
                "LL102",
                f"{op} over {axis_text} reduces {_names(layout, reduced)} of {describe(t)} but keeps "
                f"{_join(kept)}{_feature_tail(layout, kw)}",
                None if merged_axes else _reduce_fix(layout, axes, reduced),
            ))
    return out


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _group_checks(op, axis_text, t, axes, implicit, builtin, per_sample, kw) -> list[Verdict]:
    """A reduction that reaches into a variadic group: only LL103 can be sure."""
    layout = t.layout
    items = axes if isinstance(axes, tuple) else (axes,)
    refs = [layout.resolve(i) for i in items]
    fi = layout.feature_index()
    if implicit and builtin and fi is not None and any(r is not None and r.in_group for r in refs):
        return [Verdict(
            "LL106",
            f"{op} reduces its default {axis_text}, which is a spatial axis of {describe(t)}, not "
            f"the feature axis {layout.axes[fi].name}",
        )]
    if per_sample and not implicit and any(r is not None and not r.in_group and r.axis.role == BATCH for r in refs):
        return [Verdict("LL103", f"{op} over {axis_text} reduces the batch axis of {describe(t)} in a per-sample loss; sample_weight and masking stop working")]
    return []


def _without_batch(layout: Layout, reduced: set[int], axes):
    """Every reduced axis but the batch; read under the mirrored layout first, so that
    ``axis=[0, 1, 2]`` written for NHWC becomes ``[2, 3]`` (H, W) on NCHW."""
    twin = mirror(layout)
    if twin is not None:
        positions, _ = resolve_positions(twin, axes)
        if positions is not None:
            names = [twin.axes[p].name for p in positions if twin.axes[p].role != BATCH]
            spatial = {twin.axes[p].name for p in twin.index_of_role(SPATIAL)}
            hit = set(names) & spatial
            by_name = {a.name: i for i, a in enumerate(layout.axes)}
            if names and (not hit or hit == spatial) and all(n in by_name for n in names):
                return _shape_like(axes, sorted(by_name[n] for n in names))
    rest = sorted(p for p in reduced if layout.axes[p].role != BATCH)
    if not rest:
        return None
    return _shape_like(axes, rest)


def _shape_like(axes, positions: list[int]):
    if isinstance(axes, tuple) or len(positions) != 1:
        return tuple(positions)
    return positions[0]


def _reduce_fix(layout: Layout, axes, reduced: set[int]):
    """The axes the code meant: read them under the mirrored layout (channels-last <->
    channels-first); if that reading is consistent (every spatial axis or none, the feature
    axis alone...), map it back. Else, if only spatial (and batch) axes were hit, all spatial."""
    twin = mirror(layout)
    if twin is not None:
        positions, _ = resolve_positions(twin, axes)
        if positions is not None:
            names = [twin.axes[p].name for p in positions]
            twin_spatial = {twin.axes[p].name for p in twin.index_of_role(SPATIAL)}
            hit = set(names) & twin_spatial
            if not hit or hit == twin_spatial:
                by_name = {a.name: i for i, a in enumerate(layout.axes)}
                if all(n in by_name for n in names):
                    return _shape_like(axes, sorted(by_name[n] for n in names))
    spatial = layout.index_of_role(SPATIAL)
    if all(layout.axes[p].role in (SPATIAL, BATCH) for p in reduced):
        batch = [p for p in reduced if layout.axes[p].role == BATCH]
        return tuple(sorted(set(spatial) | set(batch)))
    return None


def check_feature(op: str, axis_text: str, t: Tensor, axis, implicit: bool, fixed: bool, kw: str) -> list[Verdict]:
    layout = t.layout
    if layout is None or not t.known or isinstance(axis, tuple):
        return []
    ref = layout.resolve(axis)
    if ref is None:
        if layout.rank is not None:
            return [out_of_range(op, axis_text, t, axis)]
        return []
    if is_unknown(ref.axis):
        return []
    fi = layout.feature_index()
    if ref.axis.role == FEATURE or any(p.role == FEATURE for p in ref.axis.parts):
        return []
    feat = layout.axes[fi] if fi is not None else None
    if feat is None:
        swallowed = layout.merged_feature()
        if swallowed is None or ref.axis.parts or ref.axis.role not in (SPATIAL, BATCH):
            return []  # no feature axis to compare with
        hit = "a spatial axis" if ref.in_group else ref.axis.name
        code = "LL106" if (fixed or implicit) else "LL101"
        return [Verdict(code, f"{op} over {axis_text} runs along {hit} of {describe(t)}; the "
                              f"feature axis is inside {swallowed.name}")]
    fix = _relative(layout, fi)
    hit = "a spatial axis" if ref.in_group else ref.axis.name
    if fixed:
        return [Verdict(
            "LL106",
            f"{op} takes the class axis at {axis}, which is {hit} of {describe(t)}; the feature "
            f"axis {feat.name} is at {fi} (move it first, e.g. with permute/movedim)",
        )]
    if implicit:
        return [Verdict(
            "LL106",
            f"{op} runs along its default {axis_text}, which is {hit} of {describe(t)}, not the "
            f"feature axis {feat.name} ({kw}={fix})",
            fix,
        )]
    return [Verdict(
        "LL101",
        f"{op} over {axis_text} runs along {hit} of {describe(t)}, not the feature axis "
        f"{feat.name} ({kw}={fix})",
        fix,
    )]


def _relative(layout: Layout, position: int) -> int:
    """Write the fix index in the style of the original: negative if the layout has a
    variadic group before the position, else non-negative."""
    vi = layout.variadic_index
    if vi is not None and position > vi:
        return position - len(layout.axes)
    return position


def check_broadcast(op: str, a: Tensor, b: Tensor, mismatch) -> Verdict:
    if mismatch.duplicate is not None:
        return Verdict(
            "LL104",
            f"`{op}` of {describe(a)} and {describe(b)} broadcasts to a result with "
            f"{mismatch.duplicate.name} twice (an outer product)",
        )
    return Verdict(
        "LL104",
        f"`{op}` pairs {mismatch.left.name} of {describe(a)} with {mismatch.right.name} of {describe(b)}",
    )


def check_gather_index(op: str, t: Tensor, index: Tensor, dim: int) -> list[Verdict]:
    """``gather(dim, index)``: the index has the input's rank and, on every other axis, the
    same axes (or size 1). ``x.gather(-1, target.unsqueeze(1))`` on ``N H W C`` logits puts
    the target's ``N 1 H W`` against ``N H W C``: H of the index meets W of the input."""
    a, b = t.layout, index.layout
    if a is None or b is None or not t.known or not index.known or a.variadic_index is not None \
            or b.variadic_index is not None or a.rank != b.rank:
        return []
    pos = a.rank + dim if dim < 0 else dim
    for d, (x, y) in enumerate(zip(a.axes, b.axes)):
        if d == pos or y.size == 1 or is_unknown(x) or is_unknown(y) or x.name == y.name:
            continue
        return [Verdict("LL104", f"`{op}` pairs {y.name} of the index {describe(index)} with {x.name} of "
                                 f"{describe(t)} (the index must follow the input on every axis but dim={dim})")]
    return []


def informational(op: str, axis_text: str, t: Tensor, axes, literal: bool, kw: str) -> list[Verdict]:
    """LL201 (a hard-coded axis, with the layout-derived one) and LL202 (unknown layout)."""
    out = []
    layout = t.layout
    if layout is None or not t.known:
        out.append(Verdict("LL202", f"{op} over {axis_text}: the layout of {t.name} is unknown here, so the axis cannot be checked"))
        return out
    if literal:
        positions, _ = resolve_positions(layout, axes)
        if positions:
            names = _names(layout, set(positions))
            out.append(Verdict(
                "LL201",
                f"{op} hard-codes {axis_text} ({names} of {describe(t)}); derive it from the layout "
                "(e.g. `1 if K.image_data_format() == \"channels_first\" else -1`) so it follows the model",
            ))
    return out
