"""The kinds of API the knowledge base knows, one typed record per kind.

Each table row (``apis/torch.py`` & co.) is one of these records: what the call does to the axes
of its tensor arguments and where its axis arguments are. A field means one thing: a
``Param`` is an argument with keyword names, a positional index and a default; a reduction has
an ``axis`` and a ``keepdims``, a swap a ``first`` and a ``second`` axis, a move a ``source`` and
a ``destination``, a flatten a ``start`` and an ``end``. ``ops/`` has one handler per kind.

Conventions:
- ``Param.pos`` is the positional index. For functions it counts every positional argument
  (``np.mean(a, axis)`` -> 1); for tensor methods it counts after the receiver
  (``x.mean(dim)`` -> 0).
- ``Param.default`` is what the call uses when the argument is not passed: an int, a tuple of
  ints, ``ALL`` (every axis), ``REQUIRED`` (always passed) or ``None`` (the API's own meaning,
  e.g. reverse every axis for a permute without one).
- ``args`` are the positions of the tensor arguments that combine elementwise.
- ``names`` are the keyword names of the leading tensor parameters (``labels=``, ``logits=``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


class _Marker:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


ALL = _Marker("ALL")
REQUIRED = _Marker("REQUIRED")


@dataclass(frozen=True)
class Param:
    """One argument of a call: keyword names, positional index (None: keyword only), default."""

    names: tuple[str, ...] = ()
    pos: int | None = None
    default: object = REQUIRED

    @property
    def passable(self) -> bool:
        return bool(self.names) or self.pos is not None

    # Read as the tuple of its keyword names (``for name in entry.axis``), as the table tests
    # (tests/test_knowledge.py) read the rows before they were typed.
    def __iter__(self):
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i):
        return self.names[i]

    def __bool__(self) -> bool:
        return bool(self.names)


NO_PARAM = Param()


@dataclass(frozen=True)
class Op:
    """Fields every kind has."""

    kind: ClassVar[str] = ""
    args: tuple[int, ...] = (0,)
    names: tuple[str, ...] = ()
    framework: str = ""           # filled in by the registry
    label: str = ""               # filled in by the registry: "mean", "softmax", ...

    # -- a read-only view in the old flat shape, for the table tests ---------------------------
    @property
    def axis(self) -> tuple[str, ...]:
        return self._main().names

    @property
    def pos(self) -> int | None:
        return self._main().pos

    @property
    def default(self):
        return self._main().default

    @property
    def end(self) -> tuple[str, ...]:
        return self._second().names

    @property
    def end_pos(self) -> int | None:
        return self._second().pos

    @property
    def end_default(self):
        return self._second().default

    def _main(self) -> Param:
        return self._field("axis", "first", "source", "start", "perm", "shape", "pattern")

    def _second(self) -> Param:
        return self._field("second", "destination", "end_axis")

    def _field(self, *names) -> Param:
        fields = self.__dataclass_fields__
        for name in names:
            if name in fields:
                p = self.__dict__.get(name, fields[name].default)
                if isinstance(p, Param):
                    return p
        return NO_PARAM

    @property
    def keepdims(self) -> tuple[str, ...]:
        p = getattr(self, "keep", None)
        return p.names if p is not None else ()

    @property
    def keepdims_pos(self) -> int | None:
        p = getattr(self, "keep", None)
        return p.pos if p is not None else None

    @property
    def has_axis(self) -> bool:
        return self._main().passable

    # flags a kind may not have (the kinds that have them declare them as fields)
    reduction = property(lambda self: False)
    reduces = property(lambda self: False)
    pair = property(lambda self: False)
    builtin_loss = property(lambda self: False)
    fixed = property(lambda self: None)
    call = property(lambda self: None)


@dataclass(frozen=True)
class Reduce(Op):
    """Removes (or keeps as size 1) the axes named by ``axis``."""

    kind: ClassVar[str] = "reduce"
    axis: Param = Param(("axis",), 1, ALL)
    keep: Param | None = Param(("keepdims",))
    pair: bool = False            # returns (values, indices) when an axis is given (torch.max)
    binary: bool = False          # torch.max(a, b): elementwise when a second tensor is passed
    builtin_loss: bool = False    # a built-in loss: an implicit default axis is LL106


@dataclass(frozen=True)
class Feature(Op):
    """Must run along the feature (class) axis: softmax, argmax, cross-entropy, normalize."""

    kind: ClassVar[str] = "feature"
    axis: Param = Param(("axis",), 1, REQUIRED)
    keep: Param | None = None
    reduces: bool = False         # the axis is removed from the result (argmax, CE)
    pair: bool = False
    builtin_loss: bool = False
    fixed: int | None = None      # an axis that cannot be passed (F.cross_entropy: 1)
    reduction: bool = False       # torch losses: a scalar unless reduction="none" is passed


@dataclass(frozen=True)
class ClassIndex(Op):
    """Indexes classes along ``axis`` (gather, take_along_axis, scatter)."""

    kind: ClassVar[str] = "class_index"
    axis: Param = Param(("dim",), 0, REQUIRED)
    index: Param | None = None    # gather's index tensor (checked against the input)
    value: Param | None = None    # scatter's value: a constant scattered is a one-hot encoding
    in_place: bool = False        # returns the receiver (scatter / scatter_)


@dataclass(frozen=True)
class Permute(Op):
    """A permutation argument; without one (default None) every axis is reversed."""

    kind: ClassVar[str] = "permute"
    perm: Param = Param(("axes",), 1, REQUIRED)


@dataclass(frozen=True)
class Swap(Op):
    """Two axes swapped. ``numpy_method``: ``x.transpose(perm)`` / ``x.transpose()`` are a
    permute / a reverse unless exactly two axes are given."""

    kind: ClassVar[str] = "swap"
    first: Param = Param(("axis1",), 1)
    second: Param = Param(("axis2",), 2)
    numpy_method: bool = False


@dataclass(frozen=True)
class MoveAxis(Op):
    kind: ClassVar[str] = "moveaxis"
    source: Param = Param(("source",), 1)
    destination: Param = Param(("destination",), 2)


@dataclass(frozen=True)
class Reverse(Op):
    kind: ClassVar[str] = "reverse"


@dataclass(frozen=True)
class Reshape(Op):
    kind: ClassVar[str] = "reshape"
    shape: Param = Param(("shape",), 1)


@dataclass(frozen=True)
class Flatten(Op):
    """Merges the axes from ``start`` to ``end`` (inclusive)."""

    kind: ClassVar[str] = "flatten"
    start: Param = Param(("start_dim",), 1, 0)
    end_axis: Param = Param(("end_dim",), 2, -1)


@dataclass(frozen=True)
class Expand(Op):
    """A new size-1 axis at ``axis``."""

    kind: ClassVar[str] = "expand"
    axis: Param = Param(("axis",), 1)


@dataclass(frozen=True)
class Squeeze(Op):
    """Removes size-1 axes (``axis``, or all of them)."""

    kind: ClassVar[str] = "squeeze"
    axis: Param = Param(("axis",), 1, ALL)


@dataclass(frozen=True)
class OneHot(Op):
    """Appends the class axis (or inserts it at ``axis``)."""

    kind: ClassVar[str] = "one_hot"
    axis: Param = Param((), None, -1)


@dataclass(frozen=True)
class Concat(Op):
    """Joins a sequence of tensors along an existing axis."""

    kind: ClassVar[str] = "concat"
    axis: Param = Param(("axis",), 1, 0)


@dataclass(frozen=True)
class Stack(Op):
    """Joins a sequence of tensors along a new axis."""

    kind: ClassVar[str] = "stack"
    axis: Param = Param(("axis",), 1, 0)


@dataclass(frozen=True)
class Split(Op):
    """Pieces of one tensor along an axis (each piece keeps every axis name)."""

    kind: ClassVar[str] = "split"
    axis: Param = Param(("dim",), 2, 0)


@dataclass(frozen=True)
class Einsum(Op):
    kind: ClassVar[str] = "einsum"


@dataclass(frozen=True)
class Rearrange(Op):
    """einops.rearrange / repeat: the pattern names the axes."""

    kind: ClassVar[str] = "rearrange"
    pattern: Param = Param(("pattern",), 1)


@dataclass(frozen=True)
class PatternReduce(Op):
    """einops.reduce: the input letters missing on the right are reduced."""

    kind: ClassVar[str] = "ereduce"
    pattern: Param = Param(("pattern",), 1)


@dataclass(frozen=True)
class Size(Op):
    """``x.size(i)``: a shape element (no axis: the whole shape)."""

    kind: ClassVar[str] = "size"
    axis: Param = Param(("dim",), 0, None)


@dataclass(frozen=True)
class Shape(Op):
    """``tf.shape(x)`` / ``K.int_shape(x)``: the whole shape."""

    kind: ClassVar[str] = "shape"


@dataclass(frozen=True)
class Scalar(Op):
    """Returns a number, not a tensor of the input's layout; ``rank``: the input's rank."""

    kind: ClassVar[str] = "scalar"
    rank: bool = False


@dataclass(frozen=True)
class MatMul(Op):
    """Contracts the last axes: the result's layout is unknown."""

    kind: ClassVar[str] = "matmul"


@dataclass(frozen=True)
class Where(Op):
    """where(cond, a, b): elementwise over all three."""

    kind: ClassVar[str] = "where"
    args: tuple[int, ...] = (0, 1, 2)


@dataclass(frozen=True)
class Elementwise(Op):
    """Broadcasts its tensor arguments together (unary functions too)."""

    kind: ClassVar[str] = "elementwise"
    reduction: bool = False       # torch losses: a scalar unless reduction="none" is passed


@dataclass(frozen=True)
class Identity(Op):
    """Returns its tensor argument unchanged (casts, ``.contiguous()``, ``ones_like``)."""

    kind: ClassVar[str] = "identity"


@dataclass(frozen=True)
class Create(Op):
    """A new tensor from sizes: ``torch.zeros(n, c)``, ``np.full((n, c), v)`` (``sizes_only``:
    the shape is the first argument only, never varargs)."""

    kind: ClassVar[str] = "create"
    sizes_only: bool = False


@dataclass(frozen=True)
class Arange(Op):
    """``torch.arange(a, b)``: with ``.tolist()``, a known tuple of axes."""

    kind: ClassVar[str] = "arange"


@dataclass(frozen=True)
class LossClass(Op):
    """A class whose instances are loss callables (or modules with an axis): the constructor
    binds ``axis``; calling the object applies ``call``."""

    kind: ClassVar[str] = "loss_class"
    axis: Param | None = None
    call: Op | None = None
    torch_reduction: bool = False  # torch.nn.*Loss: a scalar unless reduction="none"


@dataclass(frozen=True)
class DataFormat(Op):
    """``K.image_data_format()``: folded under the declared layout."""

    kind: ClassVar[str] = "data_format"


@dataclass(frozen=True)
class MakePartial(Op):
    """``functools.partial(f, ...)`` of a project function."""

    kind: ClassVar[str] = "partial"


KINDS: tuple[type, ...] = (
    Reduce, Feature, ClassIndex, Permute, Swap, MoveAxis, Reverse, Reshape, Flatten, Expand,
    Squeeze, OneHot, Concat, Stack, Split, Einsum, Rearrange, PatternReduce, Size, Shape, Scalar,
    MatMul, Where, Elementwise, Identity, Create, Arange, LossClass, DataFormat, MakePartial,
)
KIND_NAMES: dict[str, type] = {k.kind: k for k in KINDS}


def names(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)
