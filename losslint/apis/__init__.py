"""The API knowledge base: which call does what to which axis, as data.

Each framework module exports ``FUNCTIONS`` (canonical qualified name -> a record of
``kinds.py``) and may export ``METHODS`` (tensor-method name -> record) and ``STRING_LOSSES``
(Keras ``compile(loss="...")`` names). Adding an API is one row. The records are typed per kind
(``Reduce``, ``Feature``, ``Swap``, ...); the row helpers below (``reduce``, ``feature``,
``elementwise``, ``api``) build them from the compact notation the tables use.
"""

from __future__ import annotations

from dataclasses import replace

from .kinds import (ALL, KIND_NAMES, REQUIRED, Arange, ClassIndex, Concat, Create, DataFormat,
                    Einsum, Elementwise, Expand, Feature, Flatten, Identity, LossClass,
                    MakePartial, MatMul, MoveAxis, Op, OneHot, Param, PatternReduce, Permute,
                    Rearrange, Reduce, Reshape, Reverse, Scalar, Shape, Size, Split, Squeeze,
                    Stack, Swap, Where, names as _names)

# Kind names (``api(KIND, ...)`` rows, and ``op.kind``)
ELEMENTWISE = Elementwise.kind
REDUCE = Reduce.kind
FEATURE = Feature.kind
CLASS_INDEX = ClassIndex.kind
PERMUTE = Permute.kind
SWAP = Swap.kind
MOVEAXIS = MoveAxis.kind
REVERSE = Reverse.kind
RESHAPE = Reshape.kind
FLATTEN = Flatten.kind
EXPAND = Expand.kind
SQUEEZE = Squeeze.kind
ONE_HOT = OneHot.kind
CONCAT = Concat.kind
STACK = Stack.kind
SPLIT = Split.kind
EINSUM = Einsum.kind
REARRANGE = Rearrange.kind
EREDUCE = PatternReduce.kind
SIZE = Size.kind
SHAPE = Shape.kind
SCALAR = Scalar.kind
MATMUL = MatMul.kind
WHERE = Where.kind
LOSS_CLASS = LossClass.kind
IDENTITY = Identity.kind
CREATE = Create.kind
ARANGE = Arange.kind
DATA_FORMAT = DataFormat.kind
PARTIAL = MakePartial.kind


__all__ = [
    "ALL", "REQUIRED", "Param", "Op", "Api", "KIND_NAMES", "REGISTRY", "canonical", "framework_of",
    "api", "reduce", "feature", "elementwise", "Reduce", "Feature", "ClassIndex", "Permute",
    "Swap", "MoveAxis", "Reverse", "Reshape", "Flatten", "Expand", "Squeeze", "OneHot", "Concat",
    "Stack", "Split", "Einsum", "Rearrange", "PatternReduce", "Size", "Shape", "Scalar", "MatMul",
    "Where", "Elementwise", "Identity", "Create", "Arange", "LossClass", "DataFormat",
    "MakePartial",
]


# -- row helpers ---------------------------------------------------------------------------

def _keep(keepdims, keepdims_pos) -> Param | None:
    n = _names(keepdims)
    return Param(n, keepdims_pos, False) if n or keepdims_pos is not None else None


def reduce(axis="axis", pos=1, default=ALL, keepdims="keepdims", keepdims_pos=None, *, args=(0,),
           names=(), pair=False, binary=False, builtin_loss=False) -> Reduce:
    """A reduction: ``reduce(axis names, axis position, default, keepdims names, keepdims position)``."""
    return Reduce(args=args, names=names, axis=Param(_names(axis), pos, default),
                  keep=_keep(keepdims, keepdims_pos), pair=pair, binary=binary, builtin_loss=builtin_loss)


def feature(axis="axis", pos=1, default=REQUIRED, *, args=(0,), names=(), keepdims=None, keepdims_pos=None,
            reduces=False, pair=False, builtin_loss=False, fixed=None, reduction=False) -> Feature:
    """An operation along the feature axis: ``feature(axis names, axis position, default)``."""
    return Feature(args=args, names=names, axis=Param(_names(axis), pos, default),
                   keep=_keep(keepdims, keepdims_pos), reduces=reduces, pair=pair,
                   builtin_loss=builtin_loss, fixed=fixed, reduction=reduction)


def elementwise(*args: int, names=(), reduction=False) -> Elementwise:
    return Elementwise(args=args or (0,), names=names, reduction=reduction)


def api(kind: str, axis=None, pos=None, default=REQUIRED, *, args=(0,), names=(), end=None, end_pos=None,
        end_default=REQUIRED, call=None, rank=False, sizes_only=False, torch_reduction=False,
        numpy_method=False, index=None, value=None, in_place=False) -> Op:
    """A row of any other kind: ``api(KIND, axis names, axis position, default, ...)``; for the
    kinds with two axis arguments, ``end`` / ``end_pos`` / ``end_default`` give the second
    (swap's second axis, moveaxis' destination, flatten's end)."""
    cls = KIND_NAMES[kind]
    first = Param(_names(axis), pos, default)
    second = Param(_names(end), end_pos, end_default)
    common = dict(args=args, names=names)
    if cls is Swap:
        return Swap(first=first, second=second, numpy_method=numpy_method, **common)
    if cls is MoveAxis:
        return MoveAxis(source=first, destination=second, **common)
    if cls is Flatten:
        return Flatten(start=first, end_axis=second, **common)
    if cls is Permute:
        return Permute(perm=first, **common)
    if cls in (Reshape,):
        return Reshape(shape=first, **common)
    if cls in (Rearrange, PatternReduce):
        return cls(pattern=first, **common)
    if cls is ClassIndex:
        return ClassIndex(axis=first, index=index, value=value, in_place=in_place, **common)
    if cls in (Expand, Squeeze, OneHot, Concat, Stack, Size, Split):
        return cls(axis=first, **common)
    if cls is LossClass:
        return LossClass(axis=first if first.passable else None, call=call, torch_reduction=torch_reduction, **common)
    if cls is Scalar:
        return Scalar(rank=rank, **common)
    if cls is Create:
        return Create(sizes_only=sizes_only, **common)
    if cls is Where and args == (0,):
        return Where(names=names)
    return cls(**common)


def Api(kind: str, axis=(), pos=None, default=REQUIRED, keepdims=(), keepdims_pos=None, args=(0,),
        reduces=False, pair=False, builtin_loss=False, fixed=None, end=(), end_pos=None,
        end_default=REQUIRED, call=None, reduction=False, names=()) -> Op:
    """A row in the long notation (every field by keyword, as the tables first wrote them)."""
    if kind == REDUCE:
        return reduce(axis, pos, default, keepdims, keepdims_pos, args=args, names=names, pair=pair,
                      builtin_loss=builtin_loss)
    if kind == FEATURE:
        return feature(axis, pos, default, args=args, names=names, keepdims=keepdims or None,
                       keepdims_pos=keepdims_pos, reduces=reduces, pair=pair, builtin_loss=builtin_loss,
                       fixed=fixed, reduction=reduction)
    if kind == ELEMENTWISE:
        return Elementwise(args=args, names=names, reduction=reduction)
    return api(kind, axis, pos, default, args=args, names=names, end=end, end_pos=end_pos,
               end_default=end_default, call=call)


# -- canonical names -----------------------------------------------------------------------

# Prefixes that name the same API under another module path. Longest prefix first.
PREFIX_ALIASES = [
    ("tensorflow.compat.v1.keras.", "keras."),
    ("tensorflow.compat.v2.keras.", "keras."),
    ("tensorflow.compat.v1.", "tensorflow."),
    ("tensorflow.compat.v2.", "tensorflow."),
    ("tensorflow.python.keras.", "keras."),
    ("tensorflow.keras.", "keras."),
    ("tf_keras.", "keras."),
    ("keras.src.backend.", "keras.backend."),
    ("keras.src.ops.numpy.", "keras.ops."),
    ("keras.src.ops.nn.", "keras.ops."),
    ("keras.src.ops.math.", "keras.ops."),
    ("keras.src.ops.", "keras.ops."),
    ("keras.src.losses.losses.", "keras.losses."),
    ("keras.src.losses.", "keras.losses."),
    ("keras.api.", "keras."),
    ("keras.ops.numpy.", "keras.ops."),
    ("keras.ops.nn.", "keras.ops."),
    ("keras.losses.losses.", "keras.losses."),
    ("keras.metrics.", "keras.losses."),   # keras.metrics.mean_squared_error & co.
    ("jax.numpy.", "numpy."),
    ("jnp.", "numpy."),
    ("theano.tensor.nnet.", "theano.tensor."),
    ("theano.tensor.basic.", "theano.tensor."),
    ("pytensor.tensor.", "theano.tensor."),
    ("torch.special.", "torch."),
    ("einops.layers.", "einops."),
]

FRAMEWORK_ROOTS = {
    "keras": "keras", "tensorflow": "tensorflow", "tf_keras": "keras", "theano": "theano",
    "pytensor": "theano", "torch": "torch", "jax": "jax", "optax": "jax", "flax": "jax",
    "numpy": "numpy", "einops": "einops",
}
PER_SAMPLE_FRAMEWORKS = {"keras", "tensorflow", "theano"}


def canonical(qualname: str) -> str:
    for prefix, repl in PREFIX_ALIASES:
        if qualname.startswith(prefix):
            return repl + qualname[len(prefix):]
    return qualname


def framework_of(qualname: str) -> str:
    return FRAMEWORK_ROOTS.get(qualname.split(".", 1)[0], "")


# -- the registry ------------------------------------------------------------------------------

class Registry:
    def __init__(self):
        self.functions: dict[str, Op] = {}
        self.methods: dict[str, Op] = {}
        self.string_losses: dict[str, str] = {}

    def lookup(self, qualname: str) -> Op | None:
        found = self.functions.get(qualname)
        if found is None:
            found = self.functions.get(canonical(qualname))
        return found


def _labelled(entry: Op, framework: str, label: str) -> Op:
    call = getattr(entry, "call", None)
    if call is not None:
        entry = replace(entry, call=replace(call, framework=framework, label=label))
    return replace(entry, framework=framework, label=label)


def _load() -> Registry:
    from . import einops as _einops, jax as _jax, keras as _keras, numpy as _numpy
    from . import python as _python, tensorflow as _tf, theano as _theano, torch as _torch

    reg = Registry()
    for mod in (_numpy, _keras, _tf, _torch, _jax, _theano, _einops, _python):
        for name, entry in getattr(mod, "FUNCTIONS", {}).items():
            reg.functions[name] = _labelled(entry, framework_of(name), name.rsplit(".", 1)[-1])
        for name, entry in getattr(mod, "METHODS", {}).items():
            reg.methods[name] = _labelled(entry, "tensor", name)
        reg.string_losses.update(getattr(mod, "STRING_LOSSES", {}))
    return reg


REGISTRY = _load()
