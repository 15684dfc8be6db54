"""What several rules share: naming axes in messages, resolving an event's axes on its
layout, and the fixes read under the mirrored layout (channels-last <-> channels-first)."""

from __future__ import annotations

from dataclasses import dataclass

from ..layouts import BATCH, FEATURE, SPATIAL, Layout, mirror
from ..values import Tensor, is_unknown, resolve_positions


@dataclass(frozen=True)
class Verdict:
    message: str
    fix_axes: tuple[int, ...] | int | None = None   # the axis the code should have used


def names(layout: Layout, positions) -> str:
    out = [layout.axes[p].name for p in sorted(positions)]
    if len(out) <= 1:
        return "".join(out)
    return ", ".join(out[:-1]) + " and " + out[-1]


def join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def feature_tail(layout: Layout, kw: str) -> str:
    fi = layout.feature_index()
    if fi is None:
        return ""
    return f"; the feature axis is {layout.axes[fi].name} ({kw}={fi})"


def describe(t: Tensor) -> str:
    return f"{t.name} ({t.layout})"


def out_of_range(op: str, axis_text: str, t: Tensor, bad: int) -> Verdict:
    n = len(t.layout.axes)
    return Verdict(f"{op} over {axis_text}: axis {bad} is out of range for {describe(t)}, which has {n} axes")


@dataclass(frozen=True)
class Reduction:
    """A reduction event resolved on its layout: the positions it reduces (None when an index
    is out of range, ``bad``, or inside a variadic group)."""

    layout: Layout
    positions: list[int] | None
    bad: int | None

    @property
    def reduced(self) -> set[int]:
        return set(self.positions or ())


def reduction(event) -> Reduction | None:
    """The resolution of a reduce/pattern ``AxisUse`` the reduction rules judge, or None when
    nothing can be said (unknown layout, an unknown axis among those reduced)."""
    t = event.tensor
    if event.role not in ("reduce", "pattern") or t is None or t.layout is None or not t.known:
        return None
    positions, bad = resolve_positions(t.layout, event.axes)
    if positions is not None and any(is_unknown(t.layout.axes[p]) for p in positions):
        return None
    return Reduction(t.layout, positions, bad)


def in_group_refs(layout: Layout, axes) -> list:
    items = axes if isinstance(axes, tuple) else (axes,)
    return [layout.resolve(i) for i in items]


def feature_ref(event):
    """(layout, the AxisRef the feature op hits) for a feature ``AxisUse`` the feature rules
    judge, else None; the ref itself is None when the index is out of range."""
    t = event.tensor
    if event.role != "feature" or t is None or t.layout is None or not t.known or isinstance(event.axes, tuple):
        return None
    return t.layout, t.layout.resolve(event.axes)


def without_batch(layout: Layout, reduced: set[int], axes):
    """Every reduced axis but the batch; read under the mirrored layout first, so that
    ``axis=[0, 1, 2]`` written for NHWC becomes ``[2, 3]`` (H, W) on NCHW."""
    twin = mirror(layout)
    if twin is not None:
        positions, _ = resolve_positions(twin, axes)
        if positions is not None:
            named = [twin.axes[p].name for p in positions if twin.axes[p].role != BATCH]
            spatial = {twin.axes[p].name for p in twin.index_of_role(SPATIAL)}
            hit = set(named) & spatial
            by_name = {a.name: i for i, a in enumerate(layout.axes)}
            if named and (not hit or hit == spatial) and all(n in by_name for n in named):
                return shape_like(axes, sorted(by_name[n] for n in named))
    rest = sorted(p for p in reduced if layout.axes[p].role != BATCH)
    if not rest:
        return None
    return shape_like(axes, rest)


def shape_like(axes, positions: list[int]):
    if isinstance(axes, tuple) or len(positions) != 1:
        return tuple(positions)
    return positions[0]


def reduce_fix(layout: Layout, axes, reduced: set[int]):
    """The axes the code meant: read them under the mirrored layout (channels-last <->
    channels-first); if that reading is consistent (every spatial axis or none, the feature
    axis alone...), map it back. Else, if only spatial (and batch) axes were hit, all spatial."""
    twin = mirror(layout)
    if twin is not None:
        positions, _ = resolve_positions(twin, axes)
        if positions is not None:
            named = [twin.axes[p].name for p in positions]
            twin_spatial = {twin.axes[p].name for p in twin.index_of_role(SPATIAL)}
            hit = set(named) & twin_spatial
            if not hit or hit == twin_spatial:
                by_name = {a.name: i for i, a in enumerate(layout.axes)}
                if all(n in by_name for n in named):
                    return shape_like(axes, sorted(by_name[n] for n in named))
    spatial = layout.index_of_role(SPATIAL)
    if all(layout.axes[p].role in (SPATIAL, BATCH) for p in reduced):
        batch = [p for p in reduced if layout.axes[p].role == BATCH]
        return tuple(sorted(set(spatial) | set(batch)))
    return None


def relative(layout: Layout, position: int) -> int:
    """Write the fix index in the style of the original: negative if the layout has a
    variadic group before the position, else non-negative."""
    vi = layout.variadic_index
    if vi is not None and position > vi:
        return position - len(layout.axes)
    return position


def hits_feature(ref) -> bool:
    return ref.axis.role == FEATURE or any(p.role == FEATURE for p in ref.axis.parts)
