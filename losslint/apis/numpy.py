"""NumPy (and jax.numpy, which follows it: see ``PREFIX_ALIASES``). Signatures: numpy 2.x."""

from . import (ALL, ARANGE, CLASS_INDEX, CONCAT, CREATE, EINSUM, EXPAND, IDENTITY, MATMUL, MOVEAXIS,
               PERMUTE, RESHAPE, SCALAR, SHAPE, SPLIT, SQUEEZE, STACK, SWAP, WHERE, api, elementwise,
               feature, reduce)

_R = "numpy."
FUNCTIONS = {
    # reductions: (a, axis=None, dtype=None, out=None, keepdims=False)
    **{_R + n: reduce("axis", 1, keepdims_pos=4) for n in (
        "mean", "sum", "prod", "nanmean", "nansum", "nanprod")},
    # (a, axis=None, out=None, keepdims=False)
    **{_R + n: reduce("axis", 1, keepdims_pos=3) for n in (
        "max", "min", "amax", "amin", "nanmax", "nanmin", "any", "all")},
    # (a, axis=None, dtype=None, out=None, ddof=0, keepdims=False)
    **{_R + n: reduce("axis", 1, keepdims_pos=5) for n in ("std", "var", "nanstd", "nanvar")},
    _R + "median": reduce("axis", 1, keepdims_pos=4),
    _R + "count_nonzero": reduce("axis", 1),
    _R + "linalg.norm": reduce("axis", 2, keepdims_pos=3),
    # (a, axis=None, out=None, *, keepdims=False): no axis flattens to one index
    _R + "argmax": feature("axis", 1, default=ALL, reduces=True, keepdims=("keepdims",)),
    _R + "argmin": feature("axis", 1, default=ALL, reduces=True, keepdims=("keepdims",)),
    _R + "take_along_axis": api(CLASS_INDEX, "axis", 2, default=-1, args=(0,)),
    _R + "transpose": api(PERMUTE, "axes", 1, default=None),
    _R + "permute_dims": api(PERMUTE, "axes", 1, default=None),
    _R + "moveaxis": api(MOVEAXIS, "source", 1, end=("destination",), end_pos=2),
    _R + "swapaxes": api(SWAP, "axis1", 1, end=("axis2",), end_pos=2),
    _R + "reshape": api(RESHAPE, ("shape", "newshape"), 1),
    _R + "expand_dims": api(EXPAND, "axis", 1),
    _R + "squeeze": api(SQUEEZE, "axis", 1, default=ALL),
    _R + "concatenate": api(CONCAT, "axis", 1, default=0),
    _R + "concat": api(CONCAT, "axis", 1, default=0),
    _R + "stack": api(STACK, "axis", 1, default=0),
    _R + "einsum": api(EINSUM),
    _R + "where": api(WHERE, args=(0, 1, 2)),
    _R + "shape": api(SHAPE),
    _R + "ndim": api(SCALAR, rank=True),
    **{_R + n: api(SPLIT, "axis", 2, default=0) for n in ("split", "array_split")},
    **{_R + n: api(CREATE, sizes_only=True) for n in ("zeros", "ones", "empty")},   # (shape, dtype)
    _R + "full": api(CREATE, sizes_only=True),
    _R + "arange": api(ARANGE),
    _R + "size": api(SCALAR),
    **{_R + n: api(MATMUL) for n in ("matmul", "dot", "tensordot", "inner", "outer", "vdot")},
    **{_R + n: api(IDENTITY) for n in (
        "ones_like", "zeros_like", "full_like", "empty_like", "asarray", "array", "copy",
        "nan_to_num")},
    **{_R + n: elementwise() for n in (
        "square", "sqrt", "abs", "absolute", "exp", "expm1", "log", "log1p", "log2", "log10",
        "negative", "sign", "tanh", "sin", "cos", "floor", "ceil", "round", "rint", "isnan",
        "isinf", "isfinite", "logical_not", "reciprocal", "clip", "cbrt", "sinh", "cosh",
        "arctan", "exp2")},
    **{_R + n: elementwise(0, 1) for n in (
        "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "power",
        "maximum", "minimum", "fmax", "fmin", "equal", "not_equal", "greater", "greater_equal",
        "less", "less_equal", "logical_and", "logical_or", "logical_xor", "logaddexp",
        "arctan2", "hypot", "mod", "remainder", "fmod", "heaviside", "copysign")},
}
