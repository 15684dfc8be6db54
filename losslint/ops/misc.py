"""The small kinds: identities and casts, scalars (``x.dim()`` is the rank), matmul (unknown
result), a tensor's shape or one of its sizes, new tensors from sizes, ``functools.partial``,
``K.image_data_format()``."""

from __future__ import annotations

from ..values import ONE, UNKNOWN, Const, Dim, const_axes, Func, Partial, Seq, ShapeOf, Tensor, is_unknown, make, normalize, unknown_axis
from .base import BoundCall, name_of


def identity(ip, call: BoundCall):
    tensors = call.tensors
    if tensors and isinstance(tensors[0], Const) and isinstance(tensors[0].value, (int, float)):
        return Const(tensors[0].value)   # convert_to_tensor(0.5): still a scalar
    return tensors[0] if tensors and isinstance(tensors[0], Tensor) else UNKNOWN


def scalar(ip, call: BoundCall):
    tensors = call.tensors
    if call.api.rank and tensors and isinstance(tensors[0], Tensor) and tensors[0].rank is not None:
        return Const(tensors[0].rank)   # x.dim(), K.ndim(x): the rank of a known layout
    return UNKNOWN


def matmul(ip, call: BoundCall):
    return Tensor(None, name_of(*call.tensors))


def shape(ip, call: BoundCall):
    tensors = call.tensors
    return ShapeOf(tensors[0]) if tensors and isinstance(tensors[0], Tensor) else UNKNOWN


def size(ip, call: BoundCall):
    tensors = call.tensors
    t = tensors[0] if tensors else None
    a = call.arg(call.api.axis)
    if not isinstance(t, Tensor):
        return UNKNOWN
    if a is None:
        return ShapeOf(t)
    idx = const_axes(a[0])
    if isinstance(idx, int) and t.layout is not None and t.layout.rank is not None:
        p = normalize(idx, t.layout.rank)
        if p is not None:
            return Dim(t.layout.axes[p])
    return UNKNOWN


def create(ip, call: BoundCall):
    """``torch.full((batch_size, num_classes), v)``, ``torch.zeros(x.shape[0], n)``: a new
    tensor whose sizes are axes of known tensors has their names."""
    node = call.node
    if any(a.star for a in node.args):
        return UNKNOWN
    positional = call.positional
    first = positional[0] if positional else None
    if isinstance(first, Seq):
        sizes = list(first.items)
    elif isinstance(first, Const) and isinstance(first.value, tuple):
        sizes = [Const(v) for v in first.value]
    elif not call.api.sizes_only and positional and all(
            isinstance(v, Dim) or (isinstance(v, Const) and isinstance(v.value, int)) for v in positional):
        sizes = positional   # torch.zeros(n, c, h, w)
    else:
        return UNKNOWN
    axes = []
    for v in sizes:
        if isinstance(v, Dim) and not is_unknown(v.axis):
            axes.append(v.axis)
        elif isinstance(v, Const) and v.value == 1:
            axes.append(ONE)
        else:
            axes.append(unknown_axis())
    if not any(not is_unknown(ax) and ax.size is None for ax in axes):
        return Tensor(None)
    return Tensor(make(axes), "tensor")


def data_format(ip, call: BoundCall):
    return Const(ip.data_format) if ip.data_format else UNKNOWN


def partial(ip, call: BoundCall):
    node = call.node
    if not node.args or any(a.star for a in node.args) or node.args[0].keyword is not None:
        return UNKNOWN
    first = call.positional[0]
    if isinstance(first, Func):
        return Partial(first, tuple(call.positional[1:]), tuple((k, v) for k, (v, _) in call.keywords.items()))
    return UNKNOWN


def nothing(ip, call: BoundCall):
    return UNKNOWN
