"""JAX (``jax.nn``, ``jax.scipy``; ``jax.numpy`` is NumPy's table) and optax. Defaults from
the docs: ``jax.nn.softmax(x, axis=-1)``, ``jax.nn.one_hot(x, num_classes, *, dtype, axis=-1)``,
``optax.softmax_cross_entropy(logits, labels, axis=-1)``."""

from . import IDENTITY, ONE_HOT, api, elementwise, feature, reduce

_N = "jax.nn."
_O = "optax."
_OL = "optax.losses."

_CE = feature("axis", 2, default=-1, reduces=True, args=(0, 1), builtin_loss=True, names=("logits", "labels"))
_CE_INT = feature("axis", 2, default=-1, reduces=True, args=(0,), builtin_loss=True, names=("logits", "labels"))

FUNCTIONS = {
    _N + "softmax": feature("axis", 1, default=-1),
    _N + "log_softmax": feature("axis", 1, default=-1),
    _N + "one_hot": api(ONE_HOT, "axis", None, default=-1),
    _N + "logsumexp": reduce("axis", 1, keepdims_pos=3),
    "jax.scipy.special.logsumexp": reduce("axis", 1, keepdims_pos=3),
    "jax.lax.stop_gradient": api(IDENTITY),
    **{_N + n: elementwise() for n in ("sigmoid", "relu", "softplus", "log_sigmoid", "gelu", "silu", "tanh", "elu")},
    **{p + "softmax_cross_entropy": _CE for p in (_O, _OL)},
    **{p + "softmax_cross_entropy_with_integer_labels": _CE_INT for p in (_O, _OL)},
    # (logits, labels): no axis argument, always the last axis
    **{p + "safe_softmax_cross_entropy": feature(None, None, default=-1, reduces=True, args=(0, 1), builtin_loss=True) for p in (_O, _OL)},
    **{p + n: elementwise(0, 1) for n in (
        "sigmoid_binary_cross_entropy", "l2_loss", "squared_error", "huber_loss", "log_cosh",
        "sigmoid_focal_loss") for p in (_O, _OL)},
    **{p + "cosine_similarity": feature("axis", None, default=-1, reduces=True, args=(0, 1), builtin_loss=True) for p in (_O, _OL)},
    **{p + "kl_divergence": reduce("axis", 2, default=-1, keepdims=None, args=(0, 1), builtin_loss=True) for p in (_O, _OL)},
}
