"""PyTorch (``torch.*``, ``torch.nn.functional``, tensor methods, ``torch.nn`` loss modules).
Signatures from the torch 2.x docs; verified against torch (CPU) in tests/test_knowledge.py."""

from . import (ALL, ARANGE, CLASS_INDEX, CONCAT, CREATE, EINSUM, EXPAND, FLATTEN, IDENTITY,
               LOSS_CLASS, MATMUL, MOVEAXIS, ONE_HOT, PERMUTE, REQUIRED, RESHAPE, SCALAR, SIZE,
               SPLIT, SQUEEZE, STACK, SWAP, WHERE, Param, api, elementwise, feature, reduce)

_T = "torch."
_F = "torch.nn.functional."
_NN = "torch.nn."

_DIM = ("dim", "axis")
_KD = ("keepdim", "keepdims")

_UNARY = ("square", "sqrt", "rsqrt", "abs", "exp", "expm1", "log", "log1p", "log2", "sigmoid",
          "tanh", "relu", "neg", "negative", "sign", "round", "floor", "ceil", "clamp", "clip",
          "reciprocal", "isnan", "isinf", "logical_not", "nan_to_num", "erf", "logit",
          "clamp_min", "clamp_max", "sin", "cos", "detach", "abs_")
_BINARY = ("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
           "maximum", "minimum", "fmax", "fmin", "eq", "ne", "gt", "ge", "lt", "le",
           "logical_and", "logical_or", "xlogy", "lerp", "logaddexp", "atan2", "remainder",
           "fmod")
_SAME = ("ones_like", "zeros_like", "full_like", "empty_like", "rand_like", "randn_like",
         "as_tensor", "tensor", "clone")
_ELEMENTWISE_LOSSES = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
                       "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
                       "soft_margin_loss", "poisson_nll_loss", "gaussian_nll_loss")
_LOSS = elementwise(0, 1, reduction=True, names=("input", "target"))  # reduction="mean" by default
_CE = feature(None, None, default=None, fixed=1, reduces=True, args=(0,), builtin_loss=True, names=("input", "target"),
              reduction=True)

FUNCTIONS = {
    # (input, dim, keepdim=False): no dim reduces everything
    **{_T + n: reduce(_DIM, 1, keepdims=_KD, keepdims_pos=2) for n in (
        "mean", "sum", "nansum", "nanmean", "amax", "amin", "prod", "any", "all")},
    _T + "logsumexp": reduce(_DIM, 1, default=REQUIRED, keepdims=_KD, keepdims_pos=2),
    # (input, dim, unbiased, keepdim): positional keepdim comes after unbiased
    **{_T + n: reduce(_DIM, 1, keepdims=_KD, keepdims_pos=3) for n in ("std", "var")},
    _T + "count_nonzero": reduce(_DIM, 1, keepdims=None),
    "torch.linalg.vector_norm": reduce(_DIM, 2, keepdims=_KD, keepdims_pos=3),
    _T + "norm": reduce("dim", 2, keepdims="keepdim", keepdims_pos=3),
    # torch.max(input, dim) -> (values, indices); torch.max(a, b) is elementwise
    **{_T + n: reduce(_DIM, 1, keepdims=_KD, keepdims_pos=2, pair=True, binary=True) for n in ("max", "min")},
    **{_T + n: reduce(_DIM, 1, keepdims=_KD, keepdims_pos=2, pair=True) for n in ("median", "nanmedian")},
    _T + "mode": reduce(_DIM, 1, default=-1, keepdims=_KD, keepdims_pos=2, pair=True),
    _T + "argmax": feature(_DIM, 1, default=ALL, reduces=True, keepdims=_KD, keepdims_pos=2),
    _T + "argmin": feature(_DIM, 1, default=ALL, reduces=True, keepdims=_KD, keepdims_pos=2),
    _T + "softmax": feature(_DIM, 1),
    _F + "softmax": feature("dim", 1),
    _T + "log_softmax": feature(_DIM, 1),
    _F + "log_softmax": feature("dim", 1),
    _F + "softmin": feature("dim", 1),
    _F + "gumbel_softmax": feature("dim", 4, default=-1),
    _F + "normalize": feature("dim", 2, default=1),
    _T + "topk": feature(_DIM, 2, default=-1, pair=True),
    _F + "cosine_similarity": feature(_DIM, 2, default=1, reduces=True, args=(0, 1)),
    _F + "cross_entropy": _CE,
    _F + "nll_loss": _CE,
    _F + "one_hot": api(ONE_HOT, None, None, default=-1),
    **{_F + n: _LOSS for n in _ELEMENTWISE_LOSSES},
    _T + "gather": api(CLASS_INDEX, _DIM, 1, index=Param(("index",), 2)),
    _T + "take_along_dim": api(CLASS_INDEX, _DIM, 2, default=ALL),
    _T + "transpose": api(SWAP, ("dim0",), 1, end=("dim1",), end_pos=2),
    _T + "swapaxes": api(SWAP, ("axis0",), 1, end=("axis1",), end_pos=2),
    _T + "swapdims": api(SWAP, ("dim0",), 1, end=("dim1",), end_pos=2),
    _T + "permute": api(PERMUTE, "dims", 1),
    _T + "movedim": api(MOVEAXIS, "source", 1, end=("destination",), end_pos=2),
    _T + "moveaxis": api(MOVEAXIS, "source", 1, end=("destination",), end_pos=2),
    _T + "reshape": api(RESHAPE, "shape", 1),
    _T + "flatten": api(FLATTEN, "start_dim", 1, default=0, end=("end_dim",), end_pos=2, end_default=-1),
    _T + "unsqueeze": api(EXPAND, _DIM, 1),
    _T + "squeeze": api(SQUEEZE, _DIM, 1, default=ALL),
    **{_T + n: api(SPLIT, "dim", 2, default=0) for n in ("split", "chunk", "tensor_split")},
    **{_T + n: api(CREATE) for n in ("zeros", "ones", "empty", "rand", "randn")},
    _T + "full": api(CREATE, sizes_only=True),
    _T + "arange": api(ARANGE),
    **{_T + n: api(CONCAT, _DIM, 1, default=0) for n in ("cat", "concat", "concatenate")},
    _T + "stack": api(STACK, _DIM, 1, default=0),
    _T + "einsum": api(EINSUM),
    _T + "where": api(WHERE, args=(0, 1, 2)),
    _T + "numel": api(SCALAR),
    **{_T + n: api(MATMUL) for n in ("matmul", "mm", "bmm", "tensordot", "cdist", "outer")},
    **{_T + n: api(IDENTITY) for n in _SAME},
    **{_F + n: api(IDENTITY) for n in ("interpolate", "pad", "dropout", "avg_pool2d", "max_pool2d", "avg_pool3d", "max_pool3d", "avg_pool1d", "max_pool1d")},
    **{_T + n: elementwise() for n in _UNARY},
    **{_F + n: elementwise() for n in ("relu", "sigmoid", "logsigmoid", "softplus", "tanh", "gelu", "silu", "elu", "leaky_relu", "hardtanh")},
    **{_T + n: elementwise(0, 1) for n in _BINARY},
    # nn modules: the constructor binds the axis; calling the object applies ``call``
    **{_NN + n: api(LOSS_CLASS, call=_CE, torch_reduction=True) for n in ("CrossEntropyLoss", "NLLLoss")},
    **{_NN + n: api(LOSS_CLASS, call=_LOSS, torch_reduction=True) for n in (
        "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss",
        "KLDivLoss", "SoftMarginLoss", "PoissonNLLLoss")},
    _NN + "Softmax": api(LOSS_CLASS, "dim", 0, None, call=feature(None, None)),
    _NN + "LogSoftmax": api(LOSS_CLASS, "dim", 0, None, call=feature(None, None)),
    _NN + "Softmax2d": api(LOSS_CLASS, call=feature(None, None, default=-3)),
    _NN + "CosineSimilarity": api(LOSS_CLASS, "dim", 0, 1, call=feature(None, None, reduces=True, args=(0, 1))),
}

# Tensor methods (torch; NumPy arrays share most of them). ``pos`` counts after the receiver.
METHODS = {
    **{n: reduce(_DIM, 0, keepdims=_KD, keepdims_pos=1) for n in (
        "mean", "sum", "nansum", "nanmean", "amax", "amin", "prod", "any", "all")},
    "logsumexp": reduce(_DIM, 0, default=REQUIRED, keepdims=_KD, keepdims_pos=1),
    **{n: reduce(_DIM, 0, keepdims=_KD, keepdims_pos=2) for n in ("std", "var")},
    "count_nonzero": reduce(_DIM, 0, keepdims=None),
    "norm": reduce("dim", 1, keepdims="keepdim", keepdims_pos=2),
    **{n: reduce(_DIM, 0, keepdims=_KD, keepdims_pos=1, pair=True) for n in ("max", "min", "median")},
    "argmax": feature(_DIM, 0, default=ALL, reduces=True, keepdims=_KD, keepdims_pos=1),
    "argmin": feature(_DIM, 0, default=ALL, reduces=True, keepdims=_KD, keepdims_pos=1),
    "softmax": feature(_DIM, 0),
    "log_softmax": feature(_DIM, 0),
    "topk": feature(_DIM, 1, default=-1, pair=True),
    "gather": api(CLASS_INDEX, _DIM, 0, index=Param(("index",), 1)),
    "take_along_dim": api(CLASS_INDEX, _DIM, 1, default=ALL),
    # x.scatter_(dim, index, value): a constant scattered along dim is a one-hot encoding
    **{n: api(CLASS_INDEX, _DIM, 0, value=Param(("value", "src"), 2), in_place=True) for n in ("scatter", "scatter_")},
    "permute": api(PERMUTE, "dims", 0),
    # torch's x.transpose(a, b); NumPy's x.transpose(*axes) / x.transpose() permute / reverse
    "transpose": api(SWAP, ("dim0",), 0, end=("dim1",), end_pos=1, numpy_method=True),
    "swapaxes": api(SWAP, ("axis0",), 0, end=("axis1",), end_pos=1),
    "movedim": api(MOVEAXIS, "source", 0, end=("destination",), end_pos=1),
    "moveaxis": api(MOVEAXIS, "source", 0, end=("destination",), end_pos=1),
    "view": api(RESHAPE, "size", 0),
    "reshape": api(RESHAPE, "shape", 0),
    "flatten": api(FLATTEN, "start_dim", 0, default=0, end=("end_dim",), end_pos=1, end_default=-1),
    "unsqueeze": api(EXPAND, _DIM, 0),
    "squeeze": api(SQUEEZE, _DIM, 0, default=ALL),
    "size": api(SIZE, _DIM, 0, default=None),
    "dim": api(SCALAR, rank=True),
    "ndimension": api(SCALAR, rank=True),
    **{n: api(SPLIT, "dim", 1, default=0) for n in ("split", "chunk", "tensor_split")},
    "numel": api(SCALAR),
    "item": api(SCALAR),
    "tolist": api(SCALAR),
    **{n: api(IDENTITY) for n in (
        "contiguous", "float", "double", "half", "bfloat16", "long", "int", "bool", "byte",
        "clone", "detach", "to", "type", "type_as", "cpu", "cuda", "numpy", "astype",
        "requires_grad_", "copy", "masked_fill", "masked_fill_", "fill_", "zero_")},
    **{n: elementwise() for n in _UNARY + ("exp_", "log_", "clamp_", "sigmoid_", "relu_", "pow_")},
    **{n: elementwise(0, 1) for n in _BINARY + ("add_", "sub_", "mul_", "div_")},
    "pow": elementwise(0, 1),
    "matmul": api(MATMUL),
    "mm": api(MATMUL),
    "bmm": api(MATMUL),
    "dot": api(MATMUL),
}
