"""``one_hot(labels, ...)``: the class axis is appended (or inserted at ``axis``). Where the
prediction's layout puts its feature axis elsewhere, a ``ClassInsert`` event (LL101)."""

from __future__ import annotations

from ..events import ClassInsert
from ..layouts import FEATURE, Axis
from ..values import UNKNOWN, Tensor, const_axes, make, normalize
from .base import BoundCall


def handle(ip, call: BoundCall):
    tensors = call.tensors
    t = tensors[0] if tensors else None
    if not isinstance(t, Tensor):
        return UNKNOWN
    cls = ip.class_axis or Axis("classes", FEATURE)
    api = call.api
    a = call.arg(api.axis)
    if t.layout is None:
        return Tensor(None, t.name)
    axes = list(t.layout.axes)
    if a is None:
        return t.with_layout(make(axes + [cls]), ip.step(call.node, t, make(axes + [cls])))
    idx = const_axes(a[0])
    if not isinstance(idx, int):
        return Tensor(None, t.name)
    rank = len(axes) + 1
    pos = normalize(idx, rank)
    if pos is None:
        return Tensor(None, t.name)
    axes.insert(pos, cls)
    pred = ip.pred_layout
    if pred is not None and pred.rank == rank and pred.feature_index() is not None and t.known:
        if pos != pred.feature_index():
            kw = api.axis.names[0] if api.axis.names else "axis"
            event = ClassInsert(site=call.node, arg=a[1], op=call.label, tensor=t, pred=pred, position=pos,
                                text=ip.axis_text(a[1], kw, idx), keyword=kw)
            if ip.emit(event):
                return Tensor(None, t.name)
    return t.with_layout(make(axes))
