"""Joins: ``cat``/``concatenate`` along an existing axis keep the layout of their (equal-layout)
pieces; ``stack`` inserts a new axis; ``split``/``chunk`` give pieces that keep every axis."""

from __future__ import annotations

from ..apis import Concat
from ..values import UNKNOWN, Parts, Seq, Tensor, const_axes, make, normalize, unknown_axis
from .base import BoundCall


def join(ip, call: BoundCall):
    positional = call.positional
    seq = positional[0] if positional else None
    if isinstance(seq, Parts):   # torch.stack([f(p) for p in pieces]): one layout
        seq = Seq((seq.tensor,))
    items = seq.items if isinstance(seq, Seq) else ()
    tensors = [i for i in items if isinstance(i, Tensor)]
    if not tensors or len(tensors) != len(items):
        return UNKNOWN
    layouts = {t.layout for t in tensors}
    if len(layouts) != 1 or tensors[0].layout is None:
        return Tensor(None, tensors[0].name)
    t = tensors[0]
    if isinstance(call.api, Concat):
        return t
    a = call.arg(call.api.axis)
    idx = const_axes(a[0]) if a is not None else call.api.axis.default
    if not isinstance(idx, int) or t.layout.rank is None:
        return Tensor(None, t.name)
    pos = normalize(idx, t.layout.rank + 1)
    if pos is None:
        return Tensor(None, t.name)
    axes = list(t.layout.axes)
    axes.insert(pos, unknown_axis())
    return t.with_layout(make(axes))


def split(ip, call: BoundCall):
    """``torch.split(x, n)`` / ``x.chunk(k)``: pieces along one axis keep every axis name."""
    if call.receiver is not None:
        return Parts(call.receiver)
    args = call.node.args
    first = call.positional[0] if call.positional else None
    if args and args[0].keyword is None and not args[0].star and isinstance(first, Tensor):
        return Parts(first)
    return UNKNOWN
