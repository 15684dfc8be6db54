"""The abstract values of the layout engine, and the layout algebra on them.

Every expression evaluates to one of: ``Tensor`` (a named layout, possibly with unknown axes,
or no layout at all), ``Const`` (a Python literal: int, float, str, bool, None or a tuple of
them), ``Dim`` (a shape element ``x.shape[i]`` / ``x.size(i)``), ``ShapeOf`` (``x.shape``),
``Seq`` (a tuple/list that holds non-constants), ``Parts`` (pieces of one tensor), ``QName`` (a module or function of a
framework), ``LossObj`` (an instance of a loss class), ``Pair`` ((values, indices)), ``Func``
(a function of the project), or ``UNKNOWN``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from .layouts import OTHER, SPATIAL, Axis, Layout

UNKNOWN_ROLE = "unknown"
_uid = itertools.count(1)


def unknown_axis() -> Axis:
    """An axis whose name losslint does not know (each one distinct)."""
    return Axis(f"?{next(_uid)}", UNKNOWN_ROLE)


ONE = Axis("1", OTHER, 1)


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


class Root:
    """The identity of a tensor for LL107: a parameter (or first-used variable) and its rank
    once anything tells it (a layout, ``b, t, v = x.shape``, a permute)."""

    def __init__(self, name: str, rank: int | None = None):
        self.name = name
        self.rank = rank

    def __repr__(self) -> str:
        return f"Root({self.name!r}, rank={self.rank})"


@dataclass(frozen=True)
class Tensor:
    layout: Layout | None          # None: nothing is known about the axes, not even the rank
    name: str = "tensor"           # where it came from, for messages: "y_pred"
    steps: tuple[str, ...] = field(default=(), compare=False)  # for --explain / hover
    root: Root | None = field(default=None, compare=False)     # same tensor up to permutes
    perm: tuple[int, ...] | None = field(default=None, compare=False)  # axis i is root axis perm[i]
    lineage: str = field(default="", compare=False)  # the variable it is a re-shaped view of

    def with_layout(self, layout: Layout | None, step: str | None = None, keep_root: bool = False) -> "Tensor":
        """A tensor derived from this one. It stays the "same tensor" (``root``) only for
        operations that keep every axis where it is (``keep_root``)."""
        steps = self.steps + ((step,) if step else ())
        if keep_root:
            return replace(self, layout=layout, steps=steps, lineage="")
        return replace(self, layout=layout, steps=steps, root=None, perm=None, lineage="")

    def reshaped(self, out: "Tensor") -> "Tensor":
        """``out`` is this tensor with its axes only moved, added or removed (unsqueeze,
        transpose, reshape, indexing): remember which variable it is a view of."""
        return replace(out, lineage=self.lineage or self.name)

    @property
    def known(self) -> bool:
        """True when at least one axis is named (not just a rank)."""
        return self.layout is not None and any(a.role != UNKNOWN_ROLE for a in self.layout.axes)

    @property
    def rank(self) -> int | None:
        return self.layout.rank if self.layout is not None else None


@dataclass(frozen=True)
class Const:
    value: object
    soft: bool = field(default=False, compare=False)   # a parameter's default: not for folding


@dataclass(frozen=True)
class Dim:
    """``x.shape[i]`` or ``x.size(i)``: the size of one named axis."""

    axis: Axis


@dataclass(frozen=True)
class ShapeOf:
    tensor: Tensor


@dataclass(frozen=True)
class Seq:
    items: tuple


@dataclass(frozen=True)
class Parts:
    """A sequence of tensors of one layout: ``torch.split(x, n)`` / ``x.chunk(k)`` (pieces of
    one axis keep every axis name), or a list comprehension over one."""

    tensor: Tensor


class _AnyInt:
    """An int that is not known statically: the loop variable of ``for c in range(n)``."""

    def __repr__(self) -> str:
        return "ANY_INT"


ANY_INT = _AnyInt()


@dataclass(frozen=True)
class Partial:
    """``functools.partial(helper, *args, **kwargs)`` of a project function."""

    func: "Func"
    args: tuple = ()
    kwargs: tuple = ()    # ((name, value), ...)


@dataclass(frozen=True)
class Choice:
    """One of several project functions, chosen at run time (``f = a if flag else b``)."""

    options: tuple


@dataclass(frozen=True)
class QName:
    name: str


@dataclass(frozen=True)
class LossObj:
    qualname: str
    api: object         # the Api of calling it
    axis: object        # the axis bound by the constructor (int / tuple / None = default)
    axis_node: object = None   # where the constructor's axis argument was written
    reduction_none: bool = False
    torch_reduction: bool = False   # a torch.nn loss: a scalar unless reduction="none"


@dataclass(frozen=True)
class Pair:
    """(values, indices) of torch.max(x, dim) & co."""

    values: Tensor
    indices: Tensor


@dataclass(frozen=True)
class Func:
    """A function of the project, analysed as a helper when a loss calls it."""

    qualname: str
    node: object = field(compare=False)
    ctx: object = field(default=None, compare=False, repr=False)   # its module's Context
    bound: bool = False        # called as self.method(...): skip `self`
    cls: object = field(default=None, compare=False, repr=False)   # its ClassVal for methods


@dataclass(frozen=True)
class ClassVal:
    """A class of the project: its constants and methods."""

    name: str
    attrs: dict = field(compare=False, hash=False)
    node: object = field(default=None, compare=False, repr=False)

    def __hash__(self) -> int:
        return hash(self.name)


def join(a, b):
    """The value of a variable after two branches."""
    if a is b or a == b:
        return a
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if a.layout == b.layout:
            return a
        return Tensor(None, a.name, a.steps)
    if _callable(a) and _callable(b):
        # a helper chosen by a flag: analyse every alternative with the caller's values
        options = tuple(dict.fromkeys((a.options if isinstance(a, Choice) else (a,))
                                      + (b.options if isinstance(b, Choice) else (b,))))
        return Choice(options)
    if _callable(a) and isinstance(b, QName) or _callable(b) and isinstance(a, QName):
        # the project's helper or a framework op (an mmcv CUDA kernel): the helper is the
        # alternative whose code can be checked
        return a if _callable(a) else b
    if isinstance(a, Parts) and isinstance(b, Parts):
        return Parts(join(a.tensor, b.tensor))
    if isinstance(a, Seq) and isinstance(b, Seq) and len(a.items) == len(b.items):
        # a helper that returns a tuple on several paths: `return x1, x2`
        return Seq(tuple(join(x, y) for x, y in zip(a.items, b.items)))
    return UNKNOWN


def _callable(v) -> bool:
    return isinstance(v, (Func, Partial, Choice))


def const_axes(value) -> tuple[int, ...] | int | None:
    """An axis argument as an int or a tuple of ints, or None when it is not a constant."""
    if isinstance(value, Const):
        v = value.value
        if isinstance(v, bool):
            return None
        if isinstance(v, int):
            return v
        if isinstance(v, tuple) and v and all(isinstance(i, int) and not isinstance(i, bool) for i in v):
            return v
    return None


# -- the layout algebra ------------------------------------------------------------------------

def make(axes) -> Layout:
    return Layout(tuple(axes))


def with_rank(rank: int) -> Layout:
    return make(unknown_axis() for _ in range(rank))


def is_unknown(ax: Axis) -> bool:
    return ax.role == UNKNOWN_ROLE


@dataclass(frozen=True)
class Mismatch:
    """Why broadcasting two layouts is wrong (LL104)."""

    left: Axis | None
    right: Axis | None
    duplicate: Axis | None = None


def broadcast(a: Layout | None, b: Layout | None) -> tuple[Layout | None, Mismatch | None]:
    """Right-aligned broadcasting of named layouts. A tensor of unknown layout makes the
    result unknown: it could have any rank, so no axis of the result can be named for sure."""
    if a is None or b is None:
        return None, None
    if a.variadic_index is not None or b.variadic_index is not None:
        if a == b:
            return a, None
        return None, None
    out: list[Axis] = []
    xs, ys = list(a.axes), list(b.axes)
    n = max(len(xs), len(ys))
    xs = [None] * (n - len(xs)) + xs
    ys = [None] * (n - len(ys)) + ys
    mismatch = None
    for x, y in zip(xs, ys):
        if x is None or (x.size == 1 and y is not None):
            out.append(y)
        elif y is None or y.size == 1:
            out.append(x)
        elif is_unknown(x):
            out.append(y if not is_unknown(y) else x)
        elif is_unknown(y) or x.name == y.name:
            out.append(x)
        elif (x.parts or y.parts) and _same_but_feature(x, y):
            out.append(unknown_axis())   # C*H*W vs H*W: equal when C == 1 (binary heads)
        else:
            if mismatch is None:
                mismatch = Mismatch(x, y)
            out.append(unknown_axis())
    if mismatch is not None:
        return None, mismatch
    named = [ax for ax in out if not is_unknown(ax) and ax.size is None]
    seen: set[str] = set()
    for ax in named:
        if ax.name in seen:
            return None, Mismatch(None, None, duplicate=ax)
        seen.add(ax.name)
    return make(out), None


def _same_but_feature(x: Axis, y: Axis) -> bool:
    from .layouts import FEATURE

    a = {p.name for p in x.components() if p.role != FEATURE}
    b = {p.name for p in y.components() if p.role != FEATURE}
    return a == b


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


def normalize(index: int, rank: int) -> int | None:
    pos = index + rank if index < 0 else index
    return pos if 0 <= pos < rank else None


def reduce_axes(layout: Layout, positions: set[int], keepdims: bool) -> Layout:
    if keepdims:
        return make(ONE if i in positions else ax for i, ax in enumerate(layout.axes))
    return make(ax for i, ax in enumerate(layout.axes) if i not in positions)


def merged(axes: list[Axis]) -> Axis:
    """The axis that a reshape makes of several adjacent ones (``H*W``)."""
    if len(axes) == 1:
        return axes[0]
    if any(is_unknown(a) for a in axes):
        return unknown_axis()
    parts = tuple(p for a in axes for p in a.components() if p.size != 1)
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return ONE
    roles = {p.role for p in parts}
    role = SPATIAL if roles == {SPATIAL} else OTHER
    return Axis("*".join(p.name for p in parts), role, parts=parts)
