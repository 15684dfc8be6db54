"""The API knowledge base: which call does what to which axis, as data.

Each framework module exports ``FUNCTIONS`` (canonical qualified name -> ``Api``) and may
export ``METHODS`` (tensor-method name -> ``Api``), ``LOSS_CLASSES`` (loss-object classes)
and ``STRING_LOSSES`` (Keras ``compile(loss="...")`` names). Adding an API is one line.

Conventions:
- ``pos`` is the positional index of the axis argument. For functions it counts every
  positional argument (``np.mean(a, axis)`` -> 1); for methods it counts after the receiver
  (``x.mean(dim)`` -> 0).
- ``default`` is the axis used when none is passed: an int, a tuple of ints, ``ALL`` (every
  axis: reduce to a scalar), ``REQUIRED`` (the call always passes one) or ``FIXED`` with
  ``fixed`` holding an axis that cannot be changed (``F.cross_entropy``'s class axis 1).
- ``args`` are the positions of the tensor arguments that combine elementwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


class _Marker:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


ALL = _Marker("ALL")
REQUIRED = _Marker("REQUIRED")

# kinds
ELEMENTWISE = "elementwise"   # broadcast the tensor args together (unary functions too)
REDUCE = "reduce"             # remove (or keep as size 1) the axes named by the axis argument
FEATURE = "feature"           # must run along the feature axis (softmax, argmax, CE, ...)
CLASS_INDEX = "class_index"   # indexes classes along an axis (gather, take_along_axis): LL107 only
PERMUTE = "permute"           # permutation argument (tf.transpose, permute_dimensions, .permute)
SWAP = "swap"                 # two axes swapped (torch.transpose, swapaxes)
MOVEAXIS = "moveaxis"         # movedim / moveaxis (source, destination)
REVERSE = "reverse"           # all axes reversed (.T, transpose without perm)
RESHAPE = "reshape"           # view / reshape with a shape argument
FLATTEN = "flatten"           # flatten(start_dim, end_dim); batch_flatten
EXPAND = "expand"             # unsqueeze / expand_dims (new size-1 axis at `axis`)
SQUEEZE = "squeeze"           # remove size-1 axes
ONE_HOT = "one_hot"           # append the class axis (or insert at `axis`)
CONCAT = "concat"             # join along an existing axis (args: a sequence)
STACK = "stack"               # join along a new axis
EINSUM = "einsum"
REARRANGE = "rearrange"       # einops.rearrange / repeat
EREDUCE = "ereduce"           # einops.reduce
SIZE = "size"                 # x.size(i) / x.shape[i]: a shape element
SHAPE = "shape"               # tf.shape(x) / K.int_shape(x): the whole shape
SCALAR = "scalar"             # returns something that is not a tensor of the input's layout
MATMUL = "matmul"             # contracts the last axes: result unknown
WHERE = "where"               # where(cond, a, b): elementwise over all three
LOSS_CLASS = "loss_class"     # a class whose instances are loss callables (see ``call``)
IDENTITY = "identity"         # returns its tensor argument unchanged (casts, .contiguous(), .to())


@dataclass(frozen=True)
class Api:
    kind: str
    axis: tuple[str, ...] = ()
    pos: int | None = None
    default: object = REQUIRED
    keepdims: tuple[str, ...] = ()
    keepdims_pos: int | None = None
    args: tuple[int, ...] = (0,)
    reduces: bool = False         # FEATURE: the axis is removed from the result (argmax, CE)
    pair: bool = False            # returns (values, indices) when an axis is given (torch.max)
    builtin_loss: bool = False    # a built-in loss: an implicit default axis is LL106
    fixed: int | None = None      # an axis that cannot be passed (F.cross_entropy: 1)
    end: tuple[str, ...] = ()     # FLATTEN: end_dim name; MOVEAXIS: destination name
    end_pos: int | None = None
    end_default: object = REQUIRED
    call: "Api | None" = None     # LOSS_CLASS: what calling an instance does
    reduction: bool = False       # torch losses: a scalar unless reduction="none" is passed
    names: tuple[str, ...] = ()   # keyword names of the leading positional parameters (labels=, logits=)
    framework: str = ""           # filled in by the registry
    label: str = ""               # filled in by the registry: "mean", "softmax", ...

    @property
    def has_axis(self) -> bool:
        return bool(self.axis) or self.pos is not None


def _names(axis) -> tuple[str, ...]:
    if axis is None:
        return ()
    return (axis,) if isinstance(axis, str) else tuple(axis)


def reduce(axis="axis", pos=1, default=ALL, keepdims="keepdims", keepdims_pos=None, **kw) -> Api:
    return Api(REDUCE, _names(axis), pos, default, _names(keepdims), keepdims_pos, **kw)


def feature(axis="axis", pos=1, default=REQUIRED, **kw) -> Api:
    return Api(FEATURE, _names(axis), pos, default, **kw)


def elementwise(*args: int) -> Api:
    return Api(ELEMENTWISE, args=args or (0,))


def api(kind: str, axis=None, pos=None, default=REQUIRED, **kw) -> Api:
    return Api(kind, _names(axis), pos, default, **kw)


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

@dataclass
class Registry:
    functions: dict[str, Api] = field(default_factory=dict)
    methods: dict[str, Api] = field(default_factory=dict)
    string_losses: dict[str, str] = field(default_factory=dict)

    def lookup(self, qualname: str) -> Api | None:
        found = self.functions.get(qualname)
        if found is None:
            found = self.functions.get(canonical(qualname))
        return found


def _load() -> Registry:
    from . import einops as _einops, jax as _jax, keras as _keras, numpy as _numpy
    from . import tensorflow as _tf, theano as _theano, torch as _torch

    reg = Registry()
    for mod in (_numpy, _keras, _tf, _torch, _jax, _theano, _einops):
        for name, entry in getattr(mod, "FUNCTIONS", {}).items():
            label = name.rsplit(".", 1)[-1]
            fw = framework_of(name)
            call = replace(entry.call, framework=fw, label=label) if entry.call else None
            reg.functions[name] = replace(entry, framework=fw, label=label, call=call)
        for name, entry in getattr(mod, "METHODS", {}).items():
            reg.methods[name] = replace(entry, framework="tensor", label=name)
        reg.string_losses.update(getattr(mod, "STRING_LOSSES", {}))
    return reg


REGISTRY = _load()
