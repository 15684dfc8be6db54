"""Theano (``theano.tensor``; PyTensor follows it). Signatures from theano/tensor/basic.py:
``mean(input, axis=None, dtype=None, op=False, keepdims=False)``,
``sum(input, axis=None, dtype=None, keepdims=False)``, ``max(x, axis=None, keepdims=False)``;
theano/tensor/nnet/nnet.py: ``softmax`` and ``categorical_crossentropy`` work on the last
axis (rows of a matrix of class scores)."""

from . import ALL, CONCAT, PERMUTE, RESHAPE, STACK, WHERE, api, elementwise, feature, reduce

_T = "theano.tensor."

FUNCTIONS = {
    _T + "mean": reduce("axis", 1, keepdims_pos=4),
    _T + "sum": reduce("axis", 1, keepdims_pos=3),
    _T + "prod": reduce("axis", 1, keepdims_pos=3),
    **{_T + n: reduce("axis", 1, keepdims_pos=2) for n in ("max", "min", "any", "all", "std", "var")},
    _T + "argmax": feature("axis", 1, default=ALL, reduces=True),
    _T + "argmin": feature("axis", 1, default=ALL, reduces=True),
    _T + "softmax": feature("axis", 1, default=-1),
    _T + "log_softmax": feature("axis", 1, default=-1),
    _T + "categorical_crossentropy": feature(None, None, default=-1, reduces=True, args=(0, 1), builtin_loss=True),
    _T + "binary_crossentropy": elementwise(0, 1),
    _T + "transpose": api(PERMUTE, "axes", 1, default=None),
    _T + "reshape": api(RESHAPE, "newshape", 1),
    _T + "concatenate": api(CONCAT, "axis", 1, default=0),
    _T + "stack": api(STACK, "axis", 1, default=0),
    _T + "switch": api(WHERE, args=(0, 1, 2)),
    **{_T + n: elementwise() for n in (
        "sqr", "sqrt", "abs_", "abs", "exp", "log", "log1p", "clip", "sigmoid", "tanh",
        "nnet.sigmoid", "relu", "neg", "sgn", "round", "floor", "ceil", "cast")},
    **{_T + n: elementwise(0, 1) for n in (
        "maximum", "minimum", "pow", "add", "sub", "mul", "true_div", "eq", "neq", "gt",
        "ge", "lt", "le", "xlogx")},
}
