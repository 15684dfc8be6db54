"""Named tensor layouts (SPEC section 2).

A layout names the axes of a tensor, outermost first: ``"N C H W"``, ``"NCHW"``,
``"batch classes h w"``, ``"N C *spatial"``, ``"channels_last"``, ``"N 1 H W"``.
Each axis has a role (batch / feature / spatial / other) found from its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BATCH, FEATURE, SPATIAL, OTHER = "batch", "feature", "spatial", "other"

ROLE_NAMES: dict[str, frozenset[str]] = {
    BATCH: frozenset({"n", "b", "batch", "batch_size"}),
    FEATURE: frozenset(
        {"c", "k", "f", "channel", "channels", "class", "classes", "feature", "features",
         "embed", "embedding", "hidden"}
    ),
    SPATIAL: frozenset(
        {"h", "w", "d", "t", "l", "s", "x", "y", "z", "height", "width", "depth", "time",
         "length", "seq", "steps"}
    ),
}

KERAS_SHORTHANDS = {
    "channels_first": "N C *spatial",
    "channels_last": "N *spatial C",
}

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COMPACT = re.compile(r"^[A-Z]+$")


class LayoutError(ValueError):
    """A layout string that does not follow SPEC section 2."""


_UNKNOWN_NAME = re.compile(r"\?\d+")


@dataclass(frozen=True)
class Axis:
    """One named axis. ``size`` is set for integer entries; ``variadic`` marks a group."""

    name: str
    role: str
    size: int | None = None
    variadic: bool = False
    parts: tuple["Axis", ...] = ()   # a merged axis (``H*W`` after a reshape): its components

    def components(self) -> tuple["Axis", ...]:
        return self.parts or (self,)

    def __str__(self) -> str:
        if self.variadic:
            return "*" + self.name if self.name != "..." else "..."
        if "?" in self.name:   # unknown axes are distinct inside, all "?" to the reader
            return _UNKNOWN_NAME.sub("?", self.name)
        return self.name


@dataclass(frozen=True)
class Layout:
    """An ordered tuple of axes; at most one is a variadic group of unknown length."""

    axes: tuple[Axis, ...]
    source: str = field(default="", compare=False)

    # -- construction --------------------------------------------------------------
    @staticmethod
    def of(*names: str) -> "Layout":
        return parse_layout(" ".join(names))

    # -- queries ---------------------------------------------------------------------
    @property
    def variadic_index(self) -> int | None:
        for i, ax in enumerate(self.axes):
            if ax.variadic:
                return i
        return None

    @property
    def rank(self) -> int | None:
        """The number of axes, or None when a variadic group makes it unknown."""
        return None if self.variadic_index is not None else len(self.axes)

    def __len__(self) -> int:
        return len(self.axes)

    def __str__(self) -> str:
        return " ".join(str(a) for a in self.axes)

    def index_of_role(self, role: str) -> list[int]:
        return [i for i, a in enumerate(self.axes) if a.role == role and not a.variadic]

    def feature_index(self) -> int | None:
        """The position of the (single) feature axis, or None."""
        idx = self.index_of_role(FEATURE)
        return idx[0] if len(idx) == 1 else None

    def merged_feature(self) -> Axis | None:
        """A merged axis that swallowed the feature axis (``N*W*C`` after a flatten)."""
        for a in self.axes:
            if any(p.role == FEATURE for p in a.parts):
                return a
        return None

    def resolve(self, index: int) -> "AxisRef | None":
        """Which named axis a hard-coded index hits, or None when it is out of range.

        With a variadic group, indices that fall into the group give an ``AxisRef`` on the
        group (``in_group=True``); negative indices count from the right.
        """
        vi = self.variadic_index
        n = len(self.axes)
        if vi is None:
            pos = index + n if index < 0 else index
            if 0 <= pos < n:
                return AxisRef(self.axes[pos], pos, False)
            return None
        if index >= 0:
            if index < vi:
                return AxisRef(self.axes[index], index, False)
            return AxisRef(self.axes[vi], vi, True, offset=index - vi)
        after = n - vi - 1  # fixed axes after the group
        if -index <= after:
            pos = n + index
            return AxisRef(self.axes[pos], pos, False)
        return AxisRef(self.axes[vi], vi, True, offset=index + after)

    def with_roles(self, batch_axis: str | None = None, feature_axis: str | None = None) -> "Layout":
        if not batch_axis and not feature_axis:
            return self
        return Layout(
            tuple(_apply_override(a, batch_axis, feature_axis) for a in self.axes), self.source
        )


@dataclass(frozen=True)
class AxisRef:
    """The result of resolving an index: the axis, its position, and whether it is in a group."""

    axis: Axis
    position: int
    in_group: bool
    offset: int = 0


def _apply_override(a: Axis, batch_axis: str | None, feature_axis: str | None) -> Axis:
    if a.variadic:
        return a
    if batch_axis and a.name.lower() == batch_axis.lower():
        return Axis(a.name, BATCH, a.size)
    if feature_axis and a.name.lower() == feature_axis.lower():
        return Axis(a.name, FEATURE, a.size)
    # An override moves the role: the default-named axis loses it.
    if batch_axis and a.role == BATCH:
        return Axis(a.name, OTHER, a.size)
    if feature_axis and a.role == FEATURE:
        return Axis(a.name, OTHER, a.size)
    return a


def role_of(name: str) -> str:
    low = name.lower()
    for role, names in ROLE_NAMES.items():
        if low in names:
            return role
    return OTHER


def _tokens(text: str) -> list[str]:
    stripped = text.strip()
    if not stripped:
        raise LayoutError("a layout cannot be empty")
    if stripped in KERAS_SHORTHANDS:
        return KERAS_SHORTHANDS[stripped].split()
    if " " not in stripped and "\t" not in stripped:
        if _COMPACT.match(stripped):
            return list(stripped)
        if stripped.isalpha() and stripped.islower() and len(stripped) > 2 and role_of(stripped) == OTHER \
                and stripped.upper() == stripped.upper().strip() and all(c in "nchwdtlbkfsxyz" for c in stripped):
            raise LayoutError(f"{stripped!r} is one axis name; did you mean the compact form {stripped.upper()!r}?")
        if _NAME.match(stripped) or stripped.isdigit() or stripped in ("...",) or (
            stripped.startswith("*") and _NAME.match(stripped[1:])
        ):
            return [stripped]
        raise LayoutError(
            f"{stripped!r} is neither space-separated axis names (\"N C H W\") nor the compact "
            "form of upper-case letters (\"NCHW\")"
        )
    return stripped.split()


def axis_names(text: str) -> set[str]:
    """The lower-cased names of the fixed (non-variadic) axes of a layout string, without
    checking roles (so that ``batch-axis`` / ``feature-axis`` can settle an ambiguity)."""
    return {t.lower() for t in _tokens(text) if t != "..." and not t.startswith("*")}


def parse_layout(
    text: str, batch_axis: str | None = None, feature_axis: str | None = None
) -> Layout:
    """Parse a layout string; raise ``LayoutError`` with a one-line reason."""
    if not isinstance(text, str):
        raise LayoutError("a layout must be a string such as \"N C H W\"")
    axes: list[Axis] = []
    seen: set[str] = set()
    for tok in _tokens(text):
        if tok == "..." or tok.startswith("*"):
            name = "..." if tok == "..." else tok[1:]
            if name != "..." and not _NAME.match(name):
                raise LayoutError(f"bad variadic group {tok!r}: expected '*name' or '...'")
            if any(a.variadic for a in axes):
                raise LayoutError("a layout can have at most one variadic group")
            axes.append(Axis(name, SPATIAL, None, True))
            continue
        if tok.isdigit():
            axes.append(Axis(tok, OTHER, int(tok)))
            continue
        if not _NAME.match(tok):
            raise LayoutError(f"bad axis name {tok!r}: expected a name, an integer, '*name' or '...'")
        key = tok.lower()
        if key in seen:
            raise LayoutError(f"axis {tok!r} appears twice")
        seen.add(key)
        axes.append(Axis(tok, role_of(tok)))
    names = {a.name.lower() for a in axes if not a.variadic}
    for what, override in (("batch-axis", batch_axis), ("feature-axis", feature_axis)):
        if override is not None and override.lower() not in names:
            raise LayoutError(
                f"{what} = {override!r} is not an axis of {text!r} (axes: "
                + ", ".join(a.name for a in axes if not a.variadic)
                + ")"
            )
    layout = Layout(tuple(axes), text).with_roles(batch_axis, feature_axis)
    if len(layout.index_of_role(BATCH)) > 1:
        raise LayoutError(f"{text!r} has more than one batch axis")
    if len(layout.index_of_role(FEATURE)) > 1:
        raise LayoutError(f"{text!r} has more than one feature axis; set feature-axis")
    return layout


def mirror(layout: Layout) -> Layout | None:
    """The channels-first <-> channels-last twin of a layout (feature axis moved to the other end
    of the non-batch axes), or None when there is no single feature axis."""
    fi = layout.feature_index()
    if fi is None:
        return None
    axes = list(layout.axes)
    feat = axes.pop(fi)
    start = 1 if axes and axes[0].role == BATCH else 0
    if fi == start:
        axes.append(feat)
    elif fi == len(layout.axes) - 1:
        axes.insert(start, feat)
    else:
        return None
    return Layout(tuple(axes), layout.source)
