"""Verify the API knowledge base (``losslint/apis``) against the real libraries.

Every entry of every table is turned into test cases, grouped by kind: the real op is run on
arrays whose axes all have different sizes (N=2, C=3, H=5, W=7, D=11), so a wrong axis shows up
as a wrong output shape, and the table's prediction is compared with what came out:

- the axis argument by each of its keyword names and at its positional index ``pos``,
- ``default`` (what happens when no axis is passed), ``keepdims`` / ``keepdims_pos``,
  ``reduces``, ``fixed``, ``pair``, ``end`` / ``end_pos`` / ``end_default``, ``args``.

Names are tested as written in the tables and under every ``PREFIX_ALIASES`` spelling that the
installed libraries have (``jax.numpy.*`` against the ``numpy.*`` entries, ``torch.special.*``,
``torch.linalg.vector_norm``). Tensor ``METHODS`` run on a ``torch.Tensor`` (or on a NumPy
array for the NumPy-only ones, such as ``astype``). A new table line is tested automatically;
when it needs extra arguments to be callable at all, add them to ``BASE`` below.

Needs the ``verify`` extra (torch, jax, optax; einops is tested when installed). Keras,
TensorFlow and Theano entries are skipped when those libraries are not installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed (pip install -e '.[verify]')")
torch = pytest.importorskip("torch", reason="torch is not installed (pip install -e '.[verify]')")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
jax = pytest.importorskip("jax", reason="jax is not installed (pip install -e '.[verify]')")
jnp = pytest.importorskip("jax.numpy")

from losslint import apis  # noqa: E402
from losslint.apis import (  # noqa: E402
    ALL, CLASS_INDEX, CONCAT, EINSUM, ELEMENTWISE, EREDUCE, EXPAND, FEATURE, FLATTEN, IDENTITY,
    LOSS_CLASS, MATMUL, MOVEAXIS, ONE_HOT, PERMUTE, REARRANGE, REDUCE, REQUIRED, RESHAPE,
    REVERSE, SCALAR, SIZE, SQUEEZE, STACK, SWAP, WHERE, Api, REGISTRY)
from losslint.apis import SHAPE as SHAPE_OF  # noqa: E402  (SHAPE below is the input's shape)

N, C, H, W, D = 2, 3, 5, 7, 11
SHAPE = (N, C, H, W)

# Entries that cannot be exercised generically: table name -> reason. Keep this short.
UNTESTABLE = {
    "Tensor.cuda": "needs a CUDA device",
}

# Keyword names a table keeps for older releases although the installed library dropped them.
LEGACY_KEYWORDS = {
    ("numpy.reshape", "newshape"): "removed in NumPy 2.4 (deprecated in 2.1); kept for older code",
}

# Where an alias spelling differs from the entry it shares (jax.numpy.* reads numpy.*'s entry)
# so that no one value can be right for both: (alias, field) -> how. The numpy value is kept.
ALIAS_DIVERGENCES = {
    ("jax.numpy.count_nonzero", "keepdims_pos"):
        "jnp takes keepdims positionally (a, axis, keepdims); NumPy's is keyword-only",
    ("jax.numpy.permute_dims", "default"): "jnp requires axes; NumPy reverses the axes without",
    ("jax.numpy.concat", "pos"): "jnp's axis is keyword-only; NumPy's is positional",
}

# Kinds whose semantics say nothing checkable about axes: the name must exist, nothing more.
RESOLVE_ONLY = {MATMUL: "contracts the last axes: the table claims no axis",
                EINSUM: "the subscripts name the axes: the table claims no axis"}

# Frameworks this module knows how to drive; the others are skipped even when installed.
DRIVEN = {"numpy", "torch", "jax", "optax", "einops"}


# -- targets: one real callable per table entry (or alias spelling) ---------------------------


@dataclass(frozen=True)
class Target:
    id: str            # what the test is called: "numpy.mean", "jax.numpy.mean", "Tensor.mean"
    table: str         # the table key ("numpy.mean", "Tensor.mean" for METHODS)
    entry: Api
    root: str          # the module to import ("numpy", "jax", "optax", ...)
    qualname: str = ""  # the name to resolve (functions)
    method: str = ""    # METHODS: the method name
    on_numpy: bool = False  # METHODS missing on torch.Tensor but present on numpy.ndarray

    @property
    def label(self) -> str:
        return self.method or self.table.rsplit(".", 1)[-1]

    @property
    def backend(self) -> str:
        if self.method:
            return "numpy" if self.on_numpy else "torch"
        if self.root in ("jax", "optax") or self.qualname.startswith("jax."):
            return "jax"
        if self.root == "einops":
            return "numpy"
        return self.root

    @property
    def offset(self) -> int:
        """Table positions count after the receiver for methods."""
        return 1 if self.method else 0


def _resolve(qualname: str) -> Any:
    parts = qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(qualname)


def _importable(root: str) -> bool:
    return importlib.util.find_spec(root) is not None


def _exists(qualname: str) -> bool:
    if not _importable(qualname.split(".", 1)[0]):
        return False
    try:
        _resolve(qualname)
    except (ImportError, AttributeError):
        return False
    return True


def _targets() -> list[Target]:
    out = []
    for name, entry in REGISTRY.functions.items():
        root = name.split(".", 1)[0]
        out.append(Target(name, name, entry, root, qualname=name))
        # every alias spelling that the installed libraries have, tested against this entry
        for prefix, repl in apis.PREFIX_ALIASES:
            if not name.startswith(repl):
                continue
            alias = prefix + name[len(repl):]
            if alias != name and REGISTRY.lookup(alias) is entry and _exists(alias):
                out.append(Target(alias, name, entry, alias.split(".", 1)[0], qualname=alias))
    for name, entry in REGISTRY.methods.items():
        on_numpy = not hasattr(torch.Tensor, name) and hasattr(np.ndarray, name)
        out.append(Target("Tensor." + name if not on_numpy else "ndarray." + name,
                          "Tensor." + name, entry, "torch", method=name, on_numpy=on_numpy))
    return out


TARGETS = _targets()


@pytest.fixture(autouse=True, scope="module")
def _jax_compilation_cache(request):
    """Most of this module's time is jax compiling each op once (~0.1 s each); keep the
    compiled ops in pytest's cache directory so that a second run skips that."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        jax.config.update("jax_compilation_cache_dir", str(cache.mkdir("jax-compilation-cache")))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    yield


def diverges(t: Target, field: str) -> bool:
    return (t.id, field) in ALIAS_DIVERGENCES


def _by_kind(*kinds: str) -> list:
    return [pytest.param(t, id=t.id) for t in TARGETS if t.entry.kind in kinds]


# -- arrays ---------------------------------------------------------------------------------


def to_backend(t: Target, a):
    a = np.asarray(a)
    if t.backend == "torch":
        return torch.from_numpy(a.copy())
    if t.backend == "jax":
        return jnp.asarray(a)
    return a.copy()


def to_numpy(r):
    if isinstance(r, torch.Tensor):
        return r.detach().cpu().numpy()
    return np.asarray(r)


def shape_of(r) -> tuple:
    return tuple(r.shape) if hasattr(r, "shape") else tuple(np.shape(r))


def _rng(shape, seed):
    # deterministic: two calls that build "the same" argument get the same data
    return np.random.default_rng([seed, *shape])


def floats(shape=SHAPE, seed=0):
    # in (0.1, 0.9): a valid probability, logit and log argument; all values distinct
    return _rng(shape, seed).uniform(0.1, 0.9, size=shape).astype(np.float32)


def labels(shape, n_classes, seed=0):
    lab = _rng(shape, seed + 1000).integers(0, n_classes, size=shape)
    lab.reshape(-1)[0] = n_classes - 1   # so that one_hot(num_classes=-1) infers n_classes
    return lab.astype(np.int64)


def norm_axis(axis: int, ndim: int) -> int:
    return axis + ndim if axis < 0 else axis


def drop(shape, axes) -> tuple:
    axes = {norm_axis(a, len(shape)) for a in ((axes,) if isinstance(axes, int) else axes)}
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def keep(shape, axes) -> tuple:
    axes = {norm_axis(a, len(shape)) for a in ((axes,) if isinstance(axes, int) else axes)}
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def same_values(a, b) -> bool:
    a, b = to_numpy(a), to_numpy(b)
    return a.shape == b.shape and np.allclose(a, b, equal_nan=True, rtol=1e-4, atol=1e-5)


# -- calling ---------------------------------------------------------------------------------

_NO = object()


@dataclass
class Call:
    """A call without the axis argument: ``args`` (receiver first for methods) and ``kwargs``."""
    args: list
    kwargs: dict


# Extra (non-axis) arguments an op needs to be callable. Keys: the label (last name part) or
# "framework:label" / the table key for a narrower match. Values: ctx -> Call, where ``ctx``
# knows the target, the input ``x`` and the axis the call will use (``ctx.axis``).
BASE: dict[str, Callable[["Ctx"], Call]] = {}


def base(*keys):
    def deco(fn):
        for k in keys:
            BASE[k] = fn
        return fn
    return deco


@dataclass
class Ctx:
    t: Target
    x: Any
    axis: int | None      # the (non-negative) axis the call will act on, None if unknown/ALL
    seed: int = 0

    def arr(self, a):
        return to_backend(self.t, a)

    def like(self, shape=None):
        self.seed += 1   # each extra argument gets its own data, the same on every call
        return self.arr(floats(shape or tuple(self.x.shape), self.seed))


@base("topk")
def _(c):
    return Call([c.x, 2], {})


@base("full_like", "fill_")
def _(c):
    return Call([c.x, 0.5], {})


@base("clip", "clamp", "clamp_")
def _(c):
    return Call([c.x, 0.2, 0.8], {})


@base("clamp_min", "clamp_max")
def _(c):
    return Call([c.x, 0.5], {})


@base("pow_")
def _(c):
    return Call([c.x, 2.0], {})


@base("to", "type")
def _(c):
    return Call([c.x, torch.float64], {})


@base("type_as")
def _(c):
    return Call([c.x, c.x.double()], {})


@base("astype")
def _(c):
    return Call([c.x, np.float64], {})


@base("masked_fill", "masked_fill_")
def _(c):
    return Call([c.x, c.x > 0.5, 0.0], {})


@base("item")
def _(c):
    return Call([c.x.reshape(-1)[:1]], {})


@base("interpolate")
def _(c):
    return Call([c.x], {"scale_factor": 1.0})


@base("pad")
def _(c):
    return Call([c.x, (0, 0)], {})


@base("avg_pool1d", "max_pool1d", "avg_pool2d", "max_pool2d", "avg_pool3d", "max_pool3d")
def _(c):
    return Call([c.x, 1], {})


@base("gaussian_nll_loss")
def _(c):
    return Call([c.x, c.like(), c.like()], {})


@base("where")
def _(c):
    return Call([c.x > 0.5, c.like(), c.like()], {})


@base("lerp")
def _(c):
    return Call([c.x, c.like(), 0.5], {})


# class indexing: an index tensor of size 1 along the axis, full elsewhere
def _index(c):
    ax = -1 if c.axis is None else c.axis
    shp = list(c.x.shape)
    shp[ax] = 1
    return c.arr(labels(tuple(shp), c.x.shape[ax]))


@base("gather")
def _(c):
    return Call([c.x], {"index": _index(c)})


@base("take_along_dim", "take_along_axis")
def _(c):
    return Call([c.x, _index(c)], {})


@base("scatter", "scatter_")
def _(c):
    idx = _index(c)
    return Call([c.x], {"index": idx, "src": torch.zeros(tuple(idx.shape))})


@base("cross_entropy", "nll_loss")
def _(c):
    return Call([c.x, c.arr(labels(drop(SHAPE, 1), C))], {"reduction": "none"})


@base("torch:one_hot")
def _(c):
    return Call([c.arr(labels((N, H, W), C))], {})


@base("jax:one_hot")
def _(c):
    return Call([c.arr(labels((N, H, W), C)), C], {})


@base("softmax_cross_entropy", "safe_softmax_cross_entropy")
def _(c):
    ax = -1 if c.axis is None else c.axis
    p = floats(SHAPE, seed=1)
    return Call([c.x, c.arr(p / p.sum(axis=ax, keepdims=True))], {})


@base("softmax_cross_entropy_with_integer_labels")
def _(c):
    ax = -1 if c.axis is None else c.axis
    return Call([c.x, c.arr(labels(drop(SHAPE, ax), SHAPE[ax]))], {})


@base("rearrange")
def _(c):
    return Call([c.x], {"pattern": "n c h w -> n h w c"})


@base("repeat")
def _(c):
    return Call([c.x], {"pattern": "n c h w -> n c h w r", "r": 11})


@base("einops:reduce")
def _(c):
    return Call([c.x], {"pattern": "n c h w -> n c", "reduction": "mean"})


def framework(t: Target) -> str:
    return {"optax": "jax", "numpy": "numpy"}.get(t.root, t.root) if not t.method else "torch"


def base_call(t: Target, x, axis: int | None = None) -> Call:
    ctx = Ctx(t, x, None if axis is None else norm_axis(axis, len(x.shape)))
    for key in (t.id, t.table, f"{framework(t)}:{t.label}", t.label):
        if key in BASE:
            call = BASE[key](ctx)
            break
    else:
        call = Call([x] + [ctx.like() for _ in t.entry.args[1:]], {})
    if t.entry.reduction:
        call.kwargs.setdefault("reduction", "none")   # the shape before the reduction
    return call


def check_reduction_flag(op: "Op", x) -> None:
    """``reduction=True``: a scalar unless reduction='none' is passed (torch's losses). An
    entry whose function takes ``reduction`` with another default must say so."""
    e = op.t.entry
    sig = _signature(op.fn) if not op.t.method else None
    param = sig.parameters.get("reduction") if sig is not None else None
    if param is not None and param.default not in ("none", None):
        assert e.reduction, f"reduction={param.default!r} by default: set reduction=True"
    if e.reduction:
        call = op.base(x, 1 if e.fixed is None else e.fixed)
        assert call.kwargs.pop("reduction") == "none"
        assert out_shape(op(call)) == (), "reduction=True: a scalar without reduction='none'"


# Fillers for positional slots before the one under test (args index, receiver = 0), where the
# signature gives no default. Keys: table names.
FILL: dict[str, dict[int, Any]] = {
    "torch.norm": {1: 2},                               # (input, p, dim)
    "torch.linalg.vector_norm": {1: 2},                 # (x, ord, dim, keepdim)
    "torch.std": {2: True}, "torch.var": {2: True},     # (input, dim, unbiased, keepdim)
    "Tensor.std": {2: True}, "Tensor.var": {2: True},
}


def _signature(fn):
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def filler(t: Target, fn, index: int):
    fill = FILL.get(t.table, {})
    if index in fill:
        return fill[index]
    sig = _signature(fn)
    if sig is not None:
        params = list(sig.parameters.values())
        if index < len(params) and params[index].default is not inspect.Parameter.empty:
            return params[index].default
    raise AssertionError(f"{t.id}: no filler known for positional slot {index}; add one to FILL")


def param_at(t: Target, fn, index: int) -> inspect.Parameter | None:
    """The parameter that a positional argument at ``index`` binds to, if the signature says."""
    sig = _signature(fn)
    if sig is None:
        return None
    params = list(sig.parameters.values())
    if t.method and params and params[0].name != "self":
        params = [None] + params  # a bound builtin: the receiver is not listed
    for i, p in enumerate(params):
        if p is None:
            continue
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            return None
        if i == index:
            return p if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) else None
    return None


class Op:
    """A loaded target: ``op(call, positional={table_pos: value}, **keywords)``."""

    def __init__(self, t: Target):
        if t.table in UNTESTABLE:
            pytest.skip(f"{t.table}: {UNTESTABLE[t.table]}")
        fw = framework(t)
        if fw not in DRIVEN:
            if not _importable(t.root):
                pytest.skip(f"{t.root} is not installed")
            pytest.skip(f"no driver for {fw} entries in this module")
        pytest.importorskip(t.root, reason=f"{t.root} is not installed")
        self.t = t
        if t.method:
            cls = np.ndarray if t.on_numpy else torch.Tensor
            assert hasattr(cls, t.method), f"{t.id}: no such method on torch.Tensor or ndarray"
            self.fn = getattr(cls, t.method)
        else:
            try:
                self.fn = _resolve(t.qualname)
            except AttributeError:
                pytest.fail(f"{t.qualname} does not exist in the installed {t.root}")

    def x(self, shape=SHAPE):
        return to_backend(self.t, floats(shape))

    def base(self, x, axis=None) -> Call:
        return base_call(self.t, x, axis)

    def args_with(self, call: Call, positional: dict[int, Any]) -> list:
        args = list(call.args)
        for p in sorted(positional):
            i = p + self.t.offset
            assert len(args) <= i, f"{self.t.id}: table position {p} is taken by a base argument"
            while len(args) < i:
                args.append(filler(self.t, self.fn, len(args)))
            args.append(positional[p])
        return args

    def __call__(self, call: Call, positional: dict[int, Any] | None = None, **kw):
        args = self.args_with(call, positional or {})
        kwargs = {**call.kwargs, **kw}
        torch.manual_seed(0)   # gumbel_softmax, dropout: the same draw for every call
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if self.t.method:
                return getattr(args[0], self.t.method)(*args[1:], **kwargs)
            return self.fn(*args, **kwargs)

    def raises_or_warns(self, call: Call) -> bool:
        """Does calling without the axis fail, or warn that an axis should be passed?"""
        return self.outcome(call) != "ok"

    def outcome(self, call: Call) -> str:
        """"raises", "warns" (that an axis should be passed) or "ok"."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                args = call.args
                if self.t.method:
                    getattr(args[0], self.t.method)(*args[1:], **call.kwargs)
                else:
                    self.fn(*args, **call.kwargs)
            except (TypeError, ValueError, RuntimeError, IndexError):
                return "raises"
        if any("dim" in str(w.message) or "axis" in str(w.message) for w in caught):
            return "warns"
        return "ok"

    def check_pos_name(self, pos: int | None, names: tuple[str, ...], what="axis"):
        """The signature (when there is one) names the parameter at ``pos`` one of ``names``."""
        if pos is None or not names:
            return
        p = param_at(self.t, self.fn, pos + self.t.offset)
        if p is not None:
            assert p.name in names, (
                f"{self.t.id}: positional slot {pos} is {p.name!r}, the table says {what} {names}")


def outputs(r, pair: bool):
    """(values, indices) for pair results, else (r,)."""
    if pair:
        assert isinstance(r, tuple) and len(r) == 2, f"expected (values, indices), got {type(r)}"
        assert shape_of(r[0]) == shape_of(r[1])
        return r
    assert not isinstance(r, tuple), f"expected one tensor, got a tuple of {len(r)}"
    return (r,)


def out_shape(r, pair=False) -> tuple:
    return shape_of(outputs(r, pair)[0])


def same_result(a, b, pair=False) -> bool:
    return all(same_values(u, v) for u, v in zip(outputs(a, pair), outputs(b, pair)))


def axes(t: Target, *values: int) -> tuple:
    """The axes to try. Every new static argument costs jax a compilation (~0.1 s), so jax
    skips the negative spelling of an axis it is also tried as positive."""
    if t.backend != "jax":
        return values
    return tuple(v for v in values if v >= 0) or values


def try_call(fn, *a, **k):
    try:
        return fn(*a, **k)
    except (TypeError, ValueError, RuntimeError, IndexError, NotImplementedError):
        return _NO


# -- REDUCE ---------------------------------------------------------------------------------


@pytest.mark.parametrize("t", _by_kind(REDUCE))
def test_reduce(t: Target):
    op, e = Op(t), t.entry
    x = op.x()
    assert e.axis or e.pos is not None, "a reduction without an axis argument"

    def expect(ax, keepdims=False):
        return keep(SHAPE, ax) if keepdims else drop(SHAPE, ax)

    ref = {}
    for axis in axes(t, 1, -1):
        call = op.base(x, axis)
        # every keyword name
        for name in e.axis:
            r = op(call, **{name: axis})
            assert out_shape(r, e.pair) == expect(axis), f"{name}={axis}"
            ref.setdefault(axis, r)
        # the positional index
        if e.pos is not None:
            op.check_pos_name(e.pos, e.axis)
            r = op(call, {e.pos: axis})
            assert out_shape(r, e.pair) == expect(axis), f"axis {axis} passed at position {e.pos}"
            if axis in ref:
                assert same_result(r, ref[axis], e.pair), f"position {e.pos} is not {e.axis}"
            ref.setdefault(axis, r)

    # a tuple of axes, where the library takes one
    name = e.axis[0] if e.axis else None
    call = op.base(x)
    r = try_call(op, call, **{name: (1, 2)}) if name else try_call(op, call, {e.pos: (1, 2)})
    if r is not _NO and not e.pair:
        assert out_shape(r) == expect((1, 2)), "axis=(1, 2)"

    # keepdims, by each name and at keepdims_pos
    for kd in e.keepdims:
        r = op(op.base(x, 1), **{name or "axis": 1, kd: True}) if name else op(
            op.base(x, 1), {e.pos: 1}, **{kd: True})
        assert out_shape(r, e.pair) == expect(1, True), f"{kd}=True"
    if e.keepdims_pos is not None:
        assert e.pos is not None and e.keepdims_pos > e.pos
        op.check_pos_name(e.keepdims_pos, e.keepdims, "keepdims")
        r = op(op.base(x, 1), {e.pos: 1, e.keepdims_pos: True})
        assert out_shape(r, e.pair) == expect(1, True), f"keepdims at position {e.keepdims_pos}"
    elif e.keepdims and e.pos is not None and not diverges(t, "keepdims_pos"):
        # keepdims_pos=None claims the flag cannot be passed right after the axis
        r = try_call(op, op.base(x, 1), {e.pos: 1, e.pos + 1: True})
        assert r is _NO or out_shape(r, e.pair) != expect(1, True), (
            f"keepdims is accepted at position {e.pos + 1}: set keepdims_pos")
    if not e.keepdims:
        for kd in ("keepdims", "keepdim"):
            r = try_call(op, op.base(x, 1), **{name or "axis": 1, kd: True})
            assert r is _NO, f"the library accepts {kd}=: the table names no keepdims"

    # the default
    call = op.base(x, None if e.default is ALL or e.default is REQUIRED else e.default)
    if e.default is ALL:
        r = op(call)
        assert out_shape(r) == (), "default ALL: no axis reduces to a scalar"
    elif e.default is REQUIRED:
        assert op.raises_or_warns(call), "default REQUIRED, but the call works without an axis"
    else:
        r = op(call)
        assert out_shape(r, e.pair) == expect(e.default), f"default {e.default}"
        explicit = op(call, **{name: e.default}) if name else op(call, {e.pos: e.default})
        assert same_result(r, explicit, e.pair), f"the default is not axis {e.default}"


# -- FEATURE --------------------------------------------------------------------------------

K_ALONG = {"topk": 2}   # non-reducing feature ops whose axis becomes this size


def feature_shape(t: Target, axis, keepdims=False) -> tuple:
    e = t.entry
    if e.reduces:
        return keep(SHAPE, axis) if keepdims else drop(SHAPE, axis)
    if t.label in K_ALONG:
        s = list(SHAPE)
        s[axis] = K_ALONG[t.label]
        return tuple(s)
    return SHAPE


@pytest.mark.parametrize("t", _by_kind(FEATURE))
def test_feature(t: Target):
    op, e = Op(t), t.entry
    x = op.x()
    check_reduction_flag(op, x)

    if e.fixed is not None:
        # the class axis cannot be passed; the op runs along `fixed`
        assert not e.axis and e.pos is None, "an entry with `fixed` takes no axis argument"
        call = op.base(x, e.fixed)
        r = op(call)
        assert out_shape(r) == feature_shape(t, e.fixed), f"class axis {e.fixed}"
        want = class_loss(t.label, x, call.args[1], e.fixed)
        assert same_values(r, want), f"the op does not index classes along axis {e.fixed}"
        for name in ("dim", "axis"):
            assert try_call(op, call, **{name: e.fixed}) is _NO, f"{name}= is accepted"
        return

    if not e.axis and e.pos is None:
        # no axis argument at all: the op always runs along `default`
        assert isinstance(e.default, int) and e.reduces, "which axis does it use?"
        r = op(op.base(x, e.default))
        assert out_shape(r, e.pair) == feature_shape(t, e.default), f"default {e.default}"
        for nm in ("axis", "dim"):
            assert try_call(op, op.base(x, 1), **{nm: 1}) is _NO, f"{nm}= is accepted: name it"
        return
    name = e.axis[0] if e.axis else None

    def explicit(axis, **kw):
        call = op.base(x, axis)
        return op(call, **{name: axis}, **kw) if name else op(call, {e.pos: axis}, **kw)

    for axis in axes(t, 1, -1, 2):
        call = op.base(x, axis)
        first = None
        for nm in e.axis:
            r = op(call, **{nm: axis})
            assert out_shape(r, e.pair) == feature_shape(t, axis), f"{nm}={axis}"
            first = r if first is None else first
            assert same_result(r, first, e.pair), f"{nm} and {e.axis[0]} differ"
        if e.pos is not None:
            op.check_pos_name(e.pos, e.axis)
            r = op(call, {e.pos: axis})
            assert out_shape(r, e.pair) == feature_shape(t, axis), f"axis at position {e.pos}"
            if first is not None:
                assert same_result(r, first, e.pair), f"position {e.pos} is not {e.axis}"
        elif e.axis:
            p = param_at(t, op.fn, len(call.args))   # the slot right after the base args
            assert p is None or p.name not in e.axis, f"{p.name} can be passed positionally"
    # the op really runs along the axis it is given
    if not e.reduces and t.label not in K_ALONG:
        assert not same_result(explicit(1), explicit(2), e.pair), "axis 1 and axis 2 agree"

    for kd in e.keepdims:
        r = explicit(1, **{kd: True})
        assert out_shape(r, e.pair) == feature_shape(t, 1, keepdims=True), f"{kd}=True"
    if e.keepdims_pos is not None:
        op.check_pos_name(e.keepdims_pos, e.keepdims, "keepdims")
        r = op(op.base(x, 1), {e.pos: 1, e.keepdims_pos: True})
        assert out_shape(r, e.pair) == feature_shape(t, 1, keepdims=True), (
            f"keepdims=True at position {e.keepdims_pos}")
    elif e.keepdims and e.pos is not None:
        r = try_call(op, op.base(x, 1), {e.pos: 1, e.pos + 1: True})
        assert r is _NO or out_shape(r, e.pair) != feature_shape(t, 1, keepdims=True), (
            f"keepdims is accepted at position {e.pos + 1}: set keepdims_pos")

    # the default
    if e.default is ALL:
        r = op(op.base(x))
        assert out_shape(r) == (), "default ALL: no axis gives one index over the flattened input"
    elif e.default is REQUIRED or e.default is None:
        assert op.raises_or_warns(op.base(x)), (
            f"default {e.default}, but the call works without an axis (and does not warn)")
    else:
        r = op(op.base(x, e.default))
        assert out_shape(r, e.pair) == feature_shape(t, e.default), f"default {e.default}"
        assert same_result(r, explicit(e.default), e.pair), f"the default is not axis {e.default}"
        assert op.outcome(op.base(x, e.default)) == "ok", "warns: the default is a legacy guess"
        other = 2 if norm_axis(e.default, 4) != 2 else 1
        if not e.reduces and t.label not in K_ALONG:
            assert not same_result(r, explicit(other), e.pair)


def class_loss(label: str, x, target, axis: int):
    """NumPy's -log p[target] along ``axis`` (x: logits for cross-entropy, log-probs for NLL)."""
    x, target = to_numpy(x).astype(np.float64), np.expand_dims(to_numpy(target), axis)
    if "nll" not in label.lower():
        m = x.max(axis=axis, keepdims=True)
        x = x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))
    return -np.take_along_axis(x, target, axis).squeeze(axis)


# -- CLASS_INDEX ----------------------------------------------------------------------------


def _numpy_class_index(t: Target, x, call: Call, axis):
    xn = to_numpy(x)
    if t.label.startswith("scatter"):
        idx = to_numpy(call.kwargs["index"])
        out = xn.copy()
        np.put_along_axis(out, idx, 0.0, axis)
        return out
    idx = to_numpy(call.kwargs["index"] if "index" in call.kwargs else call.args[1])
    return np.take_along_axis(xn, idx, axis)


@pytest.mark.parametrize("t", _by_kind(CLASS_INDEX))
def test_class_index(t: Target):
    op, e = Op(t), t.entry

    def check(ax, positional=None, **kw):
        x = op.x()   # fresh: scatter_ writes into its receiver
        call = op.base(x, ax)
        want = _numpy_class_index(t, x, call, ax)
        return same_values(op(call, positional, **kw), want)

    for axis in (1, 3, -1):
        for name in e.axis:
            assert check(axis, **{name: axis}), f"{name}={axis}"
        if e.pos is not None:
            op.check_pos_name(e.pos, e.axis)
            assert check(axis, {e.pos: axis}), f"axis at position {e.pos}"
    if diverges(t, "default"):
        assert op.raises_or_warns(op.base(op.x()))
    elif e.default is REQUIRED:
        assert op.raises_or_warns(op.base(op.x())), (
            "default REQUIRED, but the call works without an axis")
    elif e.default is ALL:
        # no axis: indexes the flattened input
        x = op.x()
        idx = labels((4,), int(np.prod(SHAPE)))
        r = op(Call([x, to_backend(t, idx)], {}))
        assert same_values(r, to_numpy(x).reshape(-1)[idx]), "default ALL: flattened input"
    else:
        assert isinstance(e.default, int)
        assert check(e.default), f"default {e.default}"


# -- layout ops -----------------------------------------------------------------------------


def _first(names):
    return names[0] if names else None


@pytest.mark.parametrize("t", _by_kind(PERMUTE, REVERSE))
def test_permute(t: Target):
    op, e = Op(t), t.entry
    perm = (0, 2, 3, 1)
    want = tuple(SHAPE[i] for i in perm)
    x = op.x()
    call = op.base(x)
    if e.kind == REVERSE:
        assert shape_of(op(call)) == SHAPE[::-1], "the axes reversed"
        return
    for name in e.axis:
        assert shape_of(op(call, **{name: perm})) == want, f"{name}={perm}"
    op.check_pos_name(e.pos, e.axis)
    assert shape_of(op(call, {e.pos: perm})) == want, f"permutation at position {e.pos}"
    if diverges(t, "default"):
        assert op.raises_or_warns(call)
    elif e.default is None:
        assert shape_of(op(call)) == SHAPE[::-1], "default None: no permutation reverses the axes"
    else:
        assert e.default is REQUIRED, f"unhandled default {e.default!r}"
        assert op.raises_or_warns(call), "default REQUIRED, but the call works without one"


def _two_axis_check(op: Op, want):
    e = op.t.entry
    x = op.x()
    call = op.base(x)
    a, b = 1, 3
    for name in e.axis:
        r = op(call, **{name: a, _first(e.end): b})
        assert shape_of(r) == want, f"{name}={a}, {_first(e.end)}={b}"
    for name in e.end:
        r = op(call, **{_first(e.axis): a, name: b})
        assert shape_of(r) == want, f"{_first(e.axis)}={a}, {name}={b}"
    assert e.pos is not None and e.end_pos is not None
    op.check_pos_name(e.pos, e.axis)
    op.check_pos_name(e.end_pos, e.end, "end")
    r = op(call, {e.pos: a, e.end_pos: b})
    assert shape_of(r) == want, f"positions {e.pos}, {e.end_pos}"
    # both are required (no table entry of these kinds has defaults)
    assert e.default is REQUIRED and e.end_default is REQUIRED, "unhandled default"
    assert op.raises_or_warns(Call(call.args, {**call.kwargs, _first(e.axis): a}))
    assert op.raises_or_warns(Call(call.args, {**call.kwargs, _first(e.end): b}))


@pytest.mark.parametrize("t", _by_kind(SWAP))
def test_swap(t: Target):
    _two_axis_check(Op(t), (N, W, H, C))


@pytest.mark.parametrize("t", _by_kind(MOVEAXIS))
def test_moveaxis(t: Target):
    _two_axis_check(Op(t), (N, H, W, C))   # source 1 -> destination 3


@pytest.mark.parametrize("t", _by_kind(EXPAND))
def test_expand(t: Target):
    op, e = Op(t), t.entry
    x = op.x()
    call = op.base(x)
    for axis, want in ((1, (N, 1, C, H, W)), (-1, (N, C, H, W, 1))):
        for name in e.axis:
            assert shape_of(op(call, **{name: axis})) == want, f"{name}={axis}"
        op.check_pos_name(e.pos, e.axis)
        assert shape_of(op(call, {e.pos: axis})) == want, f"axis at position {e.pos}"
    if e.default is REQUIRED:
        assert op.raises_or_warns(call), "default REQUIRED, but the call works without an axis"
    else:
        assert isinstance(e.default, int), f"unhandled default {e.default!r}"
        want = list(SHAPE)
        want.insert(norm_axis(e.default, 5), 1)
        assert shape_of(op(call)) == tuple(want), f"default {e.default}"


@pytest.mark.parametrize("t", _by_kind(SQUEEZE))
def test_squeeze(t: Target):
    op, e = Op(t), t.entry
    x = op.x((N, 1, C, 1, H))
    call = op.base(x)
    for axis, want in ((1, (N, C, 1, H)), (3, (N, 1, C, H))):
        for name in e.axis:
            assert shape_of(op(call, **{name: axis})) == want, f"{name}={axis}"
        op.check_pos_name(e.pos, e.axis)
        assert shape_of(op(call, {e.pos: axis})) == want, f"axis at position {e.pos}"
    if e.default is ALL:
        assert shape_of(op(call)) == (N, C, H), "default ALL: every size-1 axis goes"
    elif e.default is REQUIRED:
        assert op.raises_or_warns(call)
    else:
        assert isinstance(e.default, int), f"unhandled default {e.default!r}"
        # two size-1 axes: the default one and another, which must stay
        d = norm_axis(e.default, 5)
        other = 4 if d != 4 else 0
        sizes = iter((N, C, H))
        shape = tuple(1 if i in (d, other) else next(sizes) for i in range(5))
        assert shape_of(op(op.base(op.x(shape)))) == drop(shape, d), f"default {e.default}"


@pytest.mark.parametrize("t", _by_kind(FLATTEN))
def test_flatten(t: Target):
    op, e = Op(t), t.entry
    x = op.x()
    call = op.base(x)
    start, end, want = 1, 2, (N, C * H, W)
    s, en = _first(e.axis), _first(e.end)
    for name in e.axis:
        assert shape_of(op(call, **{name: start, en: end})) == want
    for name in e.end:
        assert shape_of(op(call, **{s: start, name: end})) == want
    op.check_pos_name(e.pos, e.axis)
    op.check_pos_name(e.end_pos, e.end, "end")
    assert shape_of(op(call, {e.pos: start, e.end_pos: end})) == want, "positional start/end"

    def flat(a, b):
        a, b = norm_axis(a, 4), norm_axis(b, 4)
        return SHAPE[:a] + (int(np.prod(SHAPE[a:b + 1])),) + SHAPE[b + 1:]
    # the defaults, one side at a time
    assert isinstance(e.default, int) and isinstance(e.end_default, int)
    assert shape_of(op(call, **{s: start})) == flat(start, e.end_default), "end_default"
    assert shape_of(op(call, **{en: end})) == flat(e.default, end), "default start"
    assert shape_of(op(call)) == flat(e.default, e.end_default), "both defaults"


@pytest.mark.parametrize("t", _by_kind(RESHAPE))
def test_reshape(t: Target):
    op, e = Op(t), t.entry
    x = op.x()
    call = op.base(x)
    want = (N, C, H * W)
    for name in e.axis:
        r = try_call(op, call, **{name: want})
        if r is _NO and (t.table, name) in LEGACY_KEYWORDS:
            continue
        assert r is not _NO, f"{name}= is not accepted"
        assert shape_of(r) == want, f"{name}={want}"
    op.check_pos_name(e.pos, e.axis)
    assert shape_of(op(call, {e.pos: want})) == want, f"shape at position {e.pos}"
    assert e.default is REQUIRED, "unhandled default"
    assert op.raises_or_warns(call), "default REQUIRED, but the call works without a shape"


@pytest.mark.parametrize("t", _by_kind(CONCAT, STACK))
def test_concat_stack(t: Target):
    op, e = Op(t), t.entry
    k = 2 if e.kind == CONCAT else 4   # 4 tensors: the new axis's size is no other axis's

    def want(axis):
        if e.kind == CONCAT:
            s = list(SHAPE)
            s[axis] *= k
            return tuple(s)
        s = list(SHAPE)
        s.insert(norm_axis(axis, 5), k)
        return tuple(s)

    call = Call([[op.x() for _ in range(k)]], {})
    for axis in (1, -1):
        for name in e.axis:
            assert shape_of(op(call, **{name: axis})) == want(axis), f"{name}={axis}"
        if diverges(t, "pos"):
            assert try_call(op, call, {e.pos: axis}) is _NO
            continue
        op.check_pos_name(e.pos, e.axis)
        r = op(call, {e.pos: axis})
        assert shape_of(r) == want(axis), f"axis at position {e.pos}"
    if isinstance(e.default, int):
        assert shape_of(op(call)) == want(e.default), f"default {e.default}"
    else:
        assert e.default is REQUIRED, f"unhandled default {e.default!r}"
        assert op.raises_or_warns(call)


@pytest.mark.parametrize("t", _by_kind(ONE_HOT))
def test_one_hot(t: Target):
    op, e = Op(t), t.entry
    call = op.base(None)
    lab = call.args[0]
    nd = len(shape_of(lab))

    def want(axis):
        s = list(shape_of(lab))
        s.insert(norm_axis(axis, nd + 1), C)
        return tuple(s)
    r = op(call)
    assert isinstance(e.default, int)
    assert shape_of(r) == want(e.default), f"default: class axis at {e.default}"
    for name in e.axis:
        assert shape_of(op(call, **{name: 1})) == want(1), f"{name}=1"
    if e.pos is not None:
        op.check_pos_name(e.pos, e.axis)
        assert shape_of(op(call, {e.pos: 1})) == want(1)
    elif e.axis:
        p = param_at(t, op.fn, len(call.args))
        assert p is None or p.name not in e.axis, f"{p.name} can be passed positionally"
    else:
        for name in ("dim", "axis"):
            assert try_call(op, call, **{name: 1}) is _NO, f"{name}= is accepted: name it"


# -- shape-preserving ops -------------------------------------------------------------------

NO_BROADCAST = {   # label -> reason; tested with equal shapes only
    "binary_cross_entropy": "torch requires target.shape == input.shape",
    "binary_cross_entropy_with_logits": "torch requires target.shape == input.shape",
    "soft_margin_loss": "torch computes it in place in the input's shape",
    "l2_loss": "optax asserts equal shapes",
    "squared_error": "optax asserts equal shapes",
    "gaussian_nll_loss": "torch requires var's shape to match the input's",
}


@pytest.mark.parametrize("t", _by_kind(ELEMENTWISE, WHERE))
def test_elementwise(t: Target):
    op, e = Op(t), t.entry
    x = op.x()
    check_reduction_flag(op, x)
    call = op.base(x)
    if len(e.args) < 2 or t.label in NO_BROADCAST:
        r = op(call)
        assert shape_of(r) == SHAPE, "same shape"
        return
    # broadcast: (N,1,H,1) with (C,1,W) [with (H,1)] -> (N,C,H,W); in-place ops keep the receiver
    shapes = [(N, 1, H, 1), (C, 1, W), (H, 1)]
    if t.method and t.method.endswith("_"):
        shapes[0] = SHAPE
    args = list(call.args)
    for i, pos in enumerate(e.args):
        a = floats(shapes[i])
        args[pos] = to_backend(t, a > 0.5 if e.kind == WHERE and i == 0 else a)
    r = op(Call(args, call.kwargs))
    assert shape_of(r) == SHAPE, f"arguments {e.args} broadcast together"


@pytest.mark.parametrize("t", _by_kind(IDENTITY))
def test_identity(t: Target):
    op = Op(t)
    shape = SHAPE
    if t.label.endswith("1d"):
        shape = (N, C, W)
    elif t.label.endswith("3d"):
        shape = (N, C, D, H, W)
    x = op.x(shape)
    assert shape_of(op(op.base(x))) == shape


@pytest.mark.parametrize("t", _by_kind(SCALAR, SHAPE_OF, SIZE))
def test_scalar_shape_size(t: Target):
    op, e = Op(t), t.entry
    x = op.x()
    call = op.base(x)
    if e.kind == SHAPE_OF:
        assert tuple(op(call)) == SHAPE
    elif e.kind == SCALAR:
        r = op(call)
        assert not hasattr(r, "shape") or shape_of(r) == (), "not a tensor of the input's layout"
    else:
        for name in e.axis:
            assert op(call, **{name: 1}) == C and op(call, **{name: -1}) == W
        assert op(call, {e.pos: 2}) == H, f"axis at position {e.pos}"
        assert e.default is None, f"unhandled default {e.default!r}"
        assert tuple(op(call)) == SHAPE, "default None: the whole shape"


@pytest.mark.parametrize("t", _by_kind(*RESOLVE_ONLY))
def test_resolves(t: Target):
    op = Op(t)
    assert callable(op.fn), f"{t.id} is not callable ({RESOLVE_ONLY[t.entry.kind]})"


# -- torch.nn modules -----------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::UserWarning")   # KLDivLoss: 'mean' will change
@pytest.mark.parametrize("t", _by_kind(LOSS_CLASS))
def test_loss_class(t: Target):
    op, e = Op(t), t.entry
    cls, c = op.fn, e.call
    assert c is not None
    x = torch.from_numpy(floats())
    if c.fixed is not None:
        target = torch.from_numpy(labels(drop(SHAPE, c.fixed), SHAPE[c.fixed]))
        r = cls(reduction="none")(x, target)
        assert same_values(r, class_loss(t.label, x, target, c.fixed)), f"class axis {c.fixed}"
        return
    inputs = [x] + [torch.from_numpy(floats(seed=i)) for i in c.args[1:]]
    if c.kind == ELEMENTWISE:
        assert shape_of(cls(reduction="none")(*inputs)) == SHAPE
        assert shape_of(cls()(*inputs)) == (), "reduction='mean' by default"
        return
    assert c.kind == FEATURE

    def want(axis):
        return drop(SHAPE, axis) if c.reduces else SHAPE
    if e.axis or e.pos is not None:
        # the constructor takes the axis
        ref = cls(**{e.axis[0]: 1})(*inputs)
        assert shape_of(ref) == want(1)
        for name in e.axis:
            assert same_values(cls(**{name: 1})(*inputs), ref), f"{name}=1"
        if e.pos is not None:
            assert same_values(cls(*([None] * e.pos), 1)(*inputs), ref), f"position {e.pos}"
        assert not same_values(cls(**{e.axis[0]: 2})(*inputs), ref) or c.reduces
        if isinstance(e.default, int):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                assert same_values(cls()(*inputs), cls(**{e.axis[0]: e.default})(*inputs))
            assert not caught, "warns: the default is a legacy guess"
        elif e.default is None:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                cls()(*inputs)
            assert caught, "default None: the implicit (legacy) axis choice should warn"
    else:
        assert isinstance(c.default, int)
        r = cls()(*inputs)
        assert same_values(r, torch.softmax(x, c.default)), f"default axis {c.default}"


# -- einops ---------------------------------------------------------------------------------


@pytest.mark.parametrize("t", _by_kind(REARRANGE, EREDUCE))
def test_einops(t: Target):
    op, e = Op(t), t.entry
    x = op.x()
    call = op.base(x)
    pattern = call.kwargs.pop(e.axis[0])
    want = {"rearrange": (N, H, W, C), "repeat": (N, C, H, W, 11), "reduce": (N, C)}[t.label]
    assert shape_of(op(call, **{e.axis[0]: pattern})) == want
    assert shape_of(op(call, {e.pos: pattern})) == want
    assert e.default is REQUIRED and op.raises_or_warns(call), "the pattern is required"


# -- split, create, arange, the data format, partial ---------------------------------------

from losslint.apis import ARANGE, CREATE, DATA_FORMAT, PARTIAL, SPLIT  # noqa: E402

NEW_KINDS_TESTED = {SPLIT, CREATE, ARANGE, DATA_FORMAT, PARTIAL}


def _pieces(r) -> list:
    return list(r) if isinstance(r, (list, tuple)) else [r]


@pytest.mark.parametrize("t", _by_kind(SPLIT))
def test_split(t: Target):
    """Pieces along one axis: every piece keeps every axis, only the split one shrinks."""
    op, e = Op(t), t.entry
    x = op.x()
    call = Call([x, 1], {})   # split size / sections / chunks: 1 section or pieces of size 1

    def split_axes(pieces):
        return {i for p in pieces for i, (a, b) in enumerate(zip(shape_of(p), SHAPE)) if a != b}

    for name in e.axis:
        pieces = _pieces(op(call, **{name: 3}))
        assert all(len(shape_of(p)) == 4 for p in pieces), "every piece keeps the rank"
        assert split_axes(pieces) <= {3}, f"{name}=3 splits axis 3 only"
    if e.pos is not None:
        pieces = _pieces(op(call, {e.pos: 2}))
        assert split_axes(pieces) <= {2}, f"position {e.pos}"
    assert isinstance(e.default, int)
    pieces = _pieces(op(Call([x, 2], {})))
    assert split_axes(pieces) <= {e.default}, f"default axis {e.default}"


@pytest.mark.parametrize("t", _by_kind(CREATE))
def test_create(t: Target):
    """A new tensor of the sizes given (a tuple; or varargs unless ``sizes_only``)."""
    op, e = Op(t), t.entry
    extra = [0.5] if t.label in ("full", "fill") else []   # the fill value
    assert shape_of(op(Call([SHAPE] + extra, {}))) == SHAPE
    if not e.sizes_only:
        assert shape_of(op(Call(list(SHAPE), {}))) == SHAPE


@pytest.mark.parametrize("t", _by_kind(ARANGE))
def test_arange(t: Target):
    op = Op(t)
    assert [int(v) for v in to_numpy(op(Call([2, 5], {})))] == [2, 3, 4]


def test_partial_and_data_format_rows():
    """``functools.partial`` is the standard library's; the data-format rows are Keras'
    (verified where Keras is installed)."""
    import functools

    assert REGISTRY.lookup("functools.partial").kind == PARTIAL
    assert functools.partial(lambda a, b: a - b, 5)(3) == 2
    rows = [t for t in TARGETS if t.entry.kind == DATA_FORMAT]
    assert rows and all(t.qualname.endswith("image_data_format") for t in rows)
    if _importable("keras"):
        for t in rows:
            if _exists(t.qualname):
                assert _resolve(t.qualname)() in ("channels_first", "channels_last")


@pytest.mark.parametrize("t", [pytest.param(t, id=t.id) for t in TARGETS
                               if t.entry.kind == SCALAR and getattr(t.entry, "rank", False)])
def test_rank(t: Target):
    """``rank=True`` scalars (``x.dim()``, ``np.ndim``) give the rank."""
    op = Op(t)
    assert int(op(op.base(op.x()))) == 4


# -- every entry is covered by some test above ---------------------------------------------

TESTED_KINDS = {REDUCE, FEATURE, CLASS_INDEX, PERMUTE, REVERSE, SWAP, MOVEAXIS, EXPAND, SQUEEZE,
                FLATTEN, RESHAPE, CONCAT, STACK, ONE_HOT, ELEMENTWISE, WHERE, IDENTITY, SCALAR,
                SHAPE_OF, SIZE, LOSS_CLASS, REARRANGE, EREDUCE, *RESOLVE_ONLY,
                *NEW_KINDS_TESTED}


def test_every_kind_has_a_check():
    kinds = {t.entry.kind for t in TARGETS}
    assert kinds <= TESTED_KINDS, f"kinds without a check: {kinds - TESTED_KINDS}"


def test_exception_lists_are_current():
    names = {t.table for t in TARGETS}
    assert set(UNTESTABLE) <= names, f"stale UNTESTABLE entries: {set(UNTESTABLE) - names}"
    ids = {t.id for t in TARGETS}
    stale = {a for a, _ in ALIAS_DIVERGENCES} - ids
    assert not stale, f"stale ALIAS_DIVERGENCES entries: {stale}"
