"""Operations along the feature (class) axis: softmax, log_softmax, argmax, normalize, top-k,
categorical cross-entropy. A ``ClassAxis`` observation (LL107) and an ``AxisUse`` event with
role "feature" (LL101, LL105, LL106, LL201, LL202)."""

from __future__ import annotations

from ..apis import ALL, REQUIRED
from ..events import AxisUse, ClassAxis
from ..values import UNKNOWN, Pair, Tensor, reduce_axes, resolve_positions
from .base import BoundCall, literal, scalar, single_input, unknown


def handle(ip, call: BoundCall):
    t = single_input(ip, call)
    if t is None:
        return UNKNOWN
    api = call.api
    a = call.axis(api.axis)
    fixed = api.fixed is not None
    if fixed:
        axis, arg_node = api.fixed, None
    elif a.implicit:
        default = api.axis.default
        if default in (ALL, REQUIRED) or default is None:
            return scalar(t) if api.reduces and default is ALL else unknown(t)
        axis, arg_node = default, None
    else:
        axis, arg_node = a.axes, a.node
        if axis is None:
            return unknown(t)
    implicit = arg_node is None
    ip.emit(ClassAxis(site=call.node, arg=arg_node, op=call.label, tensor=t, axis=axis))
    event = AxisUse(
        site=call.node, arg=arg_node, op=call.label, role="feature", tensor=t, axes=axis,
        text=ip.axis_text(arg_node, a.keyword, axis), keyword=a.keyword, implicit=implicit and not fixed,
        fixed=fixed, literal=arg_node is not None and literal(arg_node.value), informational=True,
        insert=a.keyword if implicit and api.axis.names and not fixed else None,
    )
    if ip.emit(event):
        return unknown(t)
    if api.reduction and not call.reduction_none():
        return scalar(t)
    result: object = t
    if api.reduces and t.layout is not None:
        positions, _ = resolve_positions(t.layout, axis)
        result = t.with_layout(reduce_axes(t.layout, set(positions), False)) if positions else Tensor(None, t.name)
    if api.pair:
        return Pair(result, result)
    return result
