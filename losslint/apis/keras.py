"""Keras 2 (``keras.backend``) and Keras 3 (``keras.ops``, ``keras.losses``).

Default axes cited from the sources: keras/src/losses/losses.py (every ``mean_*_error`` is
``ops.mean(..., axis=-1)``; ``categorical_crossentropy(..., axis=-1)``), keras/src/ops/nn.py
(``softmax(x, axis=-1)``, ``one_hot(x, num_classes, axis=-1)``), keras/src/ops/numpy.py
(``argmax(x, axis=None)``), keras 2 keras/backend.py (``argmax(x, axis=-1)``,
``categorical_crossentropy(target, output, from_logits=False, axis=-1)``).
"""

from . import (ALL, CLASS_INDEX, CONCAT, DATA_FORMAT, EINSUM, EXPAND, FLATTEN, IDENTITY, LOSS_CLASS,
               MATMUL, MOVEAXIS, ONE_HOT, PERMUTE, REQUIRED, RESHAPE, SCALAR, SHAPE, SQUEEZE,
               STACK, SWAP, WHERE, Api, api, elementwise, feature, reduce)

_UNARY = ("square", "sqrt", "abs", "absolute", "exp", "log", "log1p", "sigmoid", "relu",
          "tanh", "softplus", "softsign", "round", "sign", "negative", "clip", "cast",
          "hard_sigmoid", "elu", "stop_gradient", "floor", "ceil", "cos", "sin", "isnan",
          "logical_not", "reciprocal", "square_root")
_BINARY = ("maximum", "minimum", "pow", "power", "add", "subtract", "multiply", "divide",
           "true_divide", "equal", "not_equal", "greater", "greater_equal", "less",
           "less_equal", "logical_and", "logical_or", "binary_crossentropy", "xlogy",
           "divide_no_nan")
_SAME = ("ones_like", "zeros_like", "full_like", "identity", "convert_to_tensor", "variable",
         "constant", "cast_to_floatx", "copy")


def _common(prefix: str, keras3: bool) -> dict:
    p = prefix
    argmax_default = ALL if keras3 else -1
    return {
        # (x, axis=None, keepdims=False)
        **{p + n: reduce("axis", 1, keepdims_pos=2) for n in (
            "mean", "sum", "max", "min", "prod", "std", "var", "any", "all", "logsumexp",
            "amax", "amin", "median")},
        p + "argmax": feature("axis", 1, default=argmax_default, reduces=True),
        p + "argmin": feature("axis", 1, default=argmax_default, reduces=True),
        p + "softmax": feature("axis", 1, default=-1),
        p + "log_softmax": feature("axis", 1, default=-1),
        p + "categorical_crossentropy": feature("axis", 3, default=-1, reduces=True, args=(0, 1)),
        p + "sparse_categorical_crossentropy": feature("axis", 3, default=-1, reduces=True, args=(1,)),
        p + "l2_normalize": feature("axis", 1, default=ALL),
        p + "one_hot": api(ONE_HOT, "axis", 2 if keras3 else None, default=-1),
        p + "permute_dimensions": api(PERMUTE, "pattern", 1),
        p + "transpose": api(PERMUTE, "axes", 1, default=None),
        p + "reshape": api(RESHAPE, ("shape", "newshape"), 1),
        p + "batch_flatten": api(FLATTEN, default=1, end_default=-1),
        p + "flatten": api(FLATTEN, default=0, end_default=-1),
        p + "expand_dims": api(EXPAND, "axis", 1, default=REQUIRED if keras3 else -1),
        p + "squeeze": api(SQUEEZE, "axis", 1, default=ALL if keras3 else REQUIRED),
        p + "concatenate": api(CONCAT, "axis", 1, default=0 if keras3 else -1),
        p + "stack": api(STACK, "axis", 1, default=0),
        p + "switch": api(WHERE, args=(0, 1, 2)),
        p + "where": api(WHERE, args=(0, 1, 2)),
        p + "einsum": api(EINSUM),
        p + "int_shape": api(SHAPE),
        p + "shape": api(SHAPE),
        p + "ndim": api(SCALAR, rank=True),
        p + "epsilon": api(SCALAR),
        p + "floatx": api(SCALAR),
        p + "image_data_format": api(DATA_FORMAT),
        p + "dot": api(MATMUL),
        p + "batch_dot": api(MATMUL),
        p + "matmul": api(MATMUL),
        **{p + n: elementwise() for n in _UNARY},
        **{p + n: elementwise(0, 1) for n in _BINARY},
        **{p + n: api(IDENTITY) for n in _SAME},
    }


_B = "keras.backend."
_O = "keras.ops."
_L = "keras.losses."

_YY = ("y_true", "y_pred")
_LOSS_REDUCE = reduce(None, None, default=-1, keepdims=None, args=(0, 1), builtin_loss=True, names=_YY)
_MEAN_LOSSES = ("mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                "mean_squared_logarithmic_error", "hinge", "squared_hinge", "categorical_hinge",
                "log_cosh", "logcosh", "huber", "poisson", "kl_divergence",
                "kullback_leibler_divergence", "mse", "mae", "mape", "msle", "kld", "KLD",
                "MSE", "MAE", "MAPE", "MSLE")

FUNCTIONS = {
    **_common(_B, keras3=False),
    **_common(_O, keras3=True),
    _O + "moveaxis": api(MOVEAXIS, "source", 1, end=("destination",), end_pos=2),
    _O + "swapaxes": api(SWAP, "axis1", 1, end=("axis2",), end_pos=2),
    _O + "normalize": feature("axis", 1, default=-1),
    _O + "top_k": feature(None, None, default=-1, pair=True),
    _O + "take_along_axis": api(CLASS_INDEX, "axis", 2, args=(0,)),
    _O + "sigmoid_cross_entropy": elementwise(0, 1),
    # keras.losses functions: reduce the last axis (mean over it)
    **{_L + n: _LOSS_REDUCE for n in _MEAN_LOSSES},
    # (y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1)
    _L + "binary_crossentropy": reduce("axis", 4, default=-1, keepdims=None, args=(0, 1), builtin_loss=True, names=_YY),
    _L + "binary_focal_crossentropy": reduce("axis", 7, default=-1, keepdims=None, args=(0, 1), builtin_loss=True, names=_YY),
    _L + "categorical_crossentropy": feature("axis", 4, default=-1, reduces=True, args=(0, 1), builtin_loss=True, names=_YY),
    _L + "categorical_focal_crossentropy": feature("axis", 6, default=-1, reduces=True, args=(0, 1), builtin_loss=True, names=_YY),
    # (y_true, y_pred, from_logits=False, ignore_class=None, axis=-1)
    _L + "sparse_categorical_crossentropy": feature("axis", 4, default=-1, reduces=True, args=(1,), builtin_loss=True, names=_YY),
    _L + "cosine_similarity": feature("axis", 2, default=-1, reduces=True, args=(0, 1), builtin_loss=True, names=_YY),
    # loss classes: the constructor binds the axis, calling the object applies ``call``
    **{_L + n: Api(LOSS_CLASS, call=_LOSS_REDUCE) for n in (
        "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
        "MeanSquaredLogarithmicError", "Hinge", "SquaredHinge", "CategoricalHinge", "LogCosh",
        "Huber", "Poisson", "KLDivergence")},
    _L + "BinaryCrossentropy": Api(LOSS_CLASS, ("axis",), 2, -1, call=_LOSS_REDUCE),
    _L + "BinaryFocalCrossentropy": Api(LOSS_CLASS, ("axis",), 5, -1, call=_LOSS_REDUCE),
    _L + "CategoricalCrossentropy": Api(LOSS_CLASS, ("axis",), 2, -1, call=feature(
        None, None, default=-1, reduces=True, args=(0, 1), builtin_loss=True)),
    _L + "CategoricalFocalCrossentropy": Api(LOSS_CLASS, ("axis",), 4, -1, call=feature(
        None, None, default=-1, reduces=True, args=(0, 1), builtin_loss=True)),
    # Keras 3's SparseCategoricalCrossentropy has no axis argument: always the last axis.
    _L + "SparseCategoricalCrossentropy": Api(LOSS_CLASS, call=feature(
        None, None, default=-1, reduces=True, args=(1,), builtin_loss=True)),
    _L + "CosineSimilarity": Api(LOSS_CLASS, ("axis",), 0, -1, call=feature(
        None, None, default=-1, reduces=True, args=(0, 1), builtin_loss=True)),
}

FUNCTIONS.update({
    "keras.config.image_data_format": api(DATA_FORMAT),
    "keras.backend.config.image_data_format": api(DATA_FORMAT),
})

# compile(loss="...") names -> the keras.losses function they stand for
STRING_LOSSES = {
    **{n: _L + n for n in _MEAN_LOSSES},
    **{n: _L + n for n in ("binary_crossentropy", "categorical_crossentropy",
                           "sparse_categorical_crossentropy", "cosine_similarity",
                           "binary_focal_crossentropy", "categorical_focal_crossentropy")},
}
