"""Reductions (mean, sum, max, ...): the axes named by the axis argument are removed (or kept
as size 1 with ``keepdims``). An ``AxisUse`` event with role "reduce" (LL102, LL103, LL105,
LL106, LL201, LL202)."""

from __future__ import annotations

from ..apis import ALL, REQUIRED
from ..events import AxisUse
from ..values import UNKNOWN, Const, Pair, Tensor, reduce_axes, resolve_positions
from .base import BoundCall, literal, scalar, single_input, unknown
from .elementwise import combine


def handle(ip, call: BoundCall):
    t = single_input(ip, call)
    if t is None:
        return UNKNOWN
    api = call.api
    if api.binary and not call.method and len(call.positional) > 1 and isinstance(call.positional[1], Tensor):
        return combine(ip, call.node, call.label, call.positional[:2])  # torch.max(a, b)
    a = call.axis(api.axis)
    if a.implicit:
        default = api.axis.default
        if default in (ALL, REQUIRED) or default is None:
            return unknown(t) if default is not ALL else scalar(t)
        axes = default
    else:
        axes = a.axes
        if axes is None:
            if isinstance(a.value, Const) and a.value.value is None:
                return scalar(t)
            return unknown(t)
    keepdims = call.keepdims(api.keep)
    if keepdims is None:
        return unknown(t)
    event = AxisUse(
        site=call.node, arg=a.node, op=call.label, role="reduce", tensor=t, axes=axes,
        text=ip.axis_text(a.node, a.keyword, axes), keyword=a.keyword, implicit=a.implicit,
        builtin=api.builtin_loss, literal=a.node is not None and literal(a.node.value), informational=True,
    )
    if ip.emit(event):
        return unknown(t)
    if t.layout is None:
        return t
    positions, _ = resolve_positions(t.layout, axes)
    if positions is None:
        return unknown(t)
    layout = reduce_axes(t.layout, set(positions), keepdims)
    out = t.with_layout(layout, ip.step(call.node, t, layout))
    if api.pair and not a.implicit:
        return Pair(out, out)
    return out
