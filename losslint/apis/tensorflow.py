"""TensorFlow 2 (``tf.*``, ``tf.math``, ``tf.nn``). Defaults cited from the TF API docs:
``tf.math.argmax(input, axis=None)`` ("Defaults to 0"), ``tf.nn.softmax(logits, axis=None)``
("defaults to -1"), ``tf.one_hot(indices, depth, on_value, off_value, axis=None)`` (-1),
``tf.nn.softmax_cross_entropy_with_logits(labels, logits, axis=-1)``."""

from . import (ALL, CONCAT, CREATE, EINSUM, ELEMENTWISE, EXPAND, IDENTITY, MATMUL, ONE_HOT, PERMUTE, RESHAPE,
               SCALAR, SHAPE, SPLIT, SQUEEZE, STACK, WHERE, api, elementwise, feature, reduce)

_T = "tensorflow."
_M = "tensorflow.math."
_N = "tensorflow.nn."

_REDUCTIONS = ("reduce_mean", "reduce_sum", "reduce_max", "reduce_min", "reduce_prod",
               "reduce_any", "reduce_all", "reduce_logsumexp", "reduce_std", "reduce_variance",
               "reduce_euclidean_norm")
_UNARY = ("square", "sqrt", "abs", "exp", "log", "log1p", "sigmoid", "tanh", "negative",
          "sign", "round", "floor", "ceil", "cast", "reciprocal", "is_nan", "logical_not",
          "softplus", "rsqrt", "expm1", "clip_by_value", "stop_gradient", "identity")
_BINARY = ("maximum", "minimum", "pow", "add", "subtract", "multiply", "divide",
           "truediv", "divide_no_nan", "squared_difference", "equal", "not_equal", "greater",
           "greater_equal", "less", "less_equal", "logical_and", "logical_or", "xlogy",
           "multiply_no_nan")

FUNCTIONS = {
    # (input_tensor, axis=None, keepdims=False, name=None)
    **{p + n: reduce("axis", 1, keepdims_pos=2) for n in _REDUCTIONS for p in (_T, _M)},
    _M + "count_nonzero": reduce("axis", 1, keepdims_pos=2),
    _T + "norm": reduce("axis", 2, keepdims_pos=3),
    _T + "argmax": feature("axis", 1, default=0, reduces=True),
    _M + "argmax": feature("axis", 1, default=0, reduces=True),
    _T + "argmin": feature("axis", 1, default=0, reduces=True),
    _M + "argmin": feature("axis", 1, default=0, reduces=True),
    **{p + "softmax": feature("axis", 1, default=-1) for p in (_N, _M)},
    **{p + "log_softmax": feature("axis", 1, default=-1) for p in (_N, _M)},
    **{p + "l2_normalize": feature("axis", 1, default=ALL) for p in (_N, _M)},
    **{p + "top_k": feature(None, None, default=-1, pair=True) for p in (_N, _M)},
    _N + "softmax_cross_entropy_with_logits": feature("axis", 2, default=-1, reduces=True, args=(0, 1), builtin_loss=True, names=("labels", "logits")),
    _N + "sparse_softmax_cross_entropy_with_logits": feature(None, None, default=-1, reduces=True, args=(1,), builtin_loss=True, names=("labels", "logits")),
    _N + "sigmoid_cross_entropy_with_logits": api(ELEMENTWISE, args=(0, 1), names=("labels", "logits")),
    _N + "weighted_cross_entropy_with_logits": api(ELEMENTWISE, args=(0, 1), names=("labels", "logits")),
    _T + "one_hot": api(ONE_HOT, "axis", 4, default=-1),
    _T + "transpose": api(PERMUTE, "perm", 1, default=None),
    _T + "reshape": api(RESHAPE, "shape", 1),
    _T + "expand_dims": api(EXPAND, "axis", 1),
    _T + "squeeze": api(SQUEEZE, "axis", 1, default=ALL),
    _T + "concat": api(CONCAT, "axis", 1),
    _T + "stack": api(STACK, "axis", 1, default=0),
    _T + "einsum": api(EINSUM),
    _T + "where": api(WHERE, args=(0, 1, 2)),
    _T + "shape": api(SHAPE, names=("input",)),   # tf.shape(input=logits)
    _T + "rank": api(SCALAR),
    _T + "size": api(SCALAR),
    _T + "matmul": api(MATMUL),
    "tensorflow.linalg.matmul": api(MATMUL),
    _T + "tensordot": api(MATMUL),
    **{_T + n: api(IDENTITY) for n in ("ones_like", "zeros_like", "convert_to_tensor")},
    **{p + n: elementwise() for n in _UNARY for p in (_T, _M)},
    **{p + n: elementwise() for n in ("relu", "sigmoid", "tanh", "softplus", "elu", "selu", "silu", "relu6") for p in (_N,)},
    **{p + n: elementwise(0, 1) for n in _BINARY for p in (_T, _M)},
    _T + "log": elementwise(),   # TF 1 spelling
    _T + "split": api(SPLIT, "axis", 2, default=0),
    **{_T + n: api(CREATE, sizes_only=True) for n in ("zeros", "ones")},
    _T + "fill": api(CREATE, sizes_only=True),
}
