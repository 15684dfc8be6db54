"""Class indexing: ``gather`` / ``take_along_axis`` / ``scatter`` along an axis. The axis is
a class-axis use (LL107); gather's index must follow its input on the other axes (LL104); a
constant scattered along an axis is a one-hot encoding built by hand (LL101)."""

from __future__ import annotations

from ..events import AxisUse, ClassAxis, IndexAlongside
from ..values import UNKNOWN, Const, Tensor, const_axes
from .base import BoundCall, single_input, unknown


def handle(ip, call: BoundCall):
    t = single_input(ip, call)
    if t is None:
        return UNKNOWN
    api = call.api
    a = call.arg(api.axis)
    idx = const_axes(a[0]) if a is not None else None
    if isinstance(idx, int):
        ip.emit(ClassAxis(site=call.node, arg=a[1], op=call.label, tensor=t, axis=idx))
    if api.index is not None and isinstance(idx, int):
        index = call.arg(api.index)
        if index is not None and isinstance(index[0], Tensor):
            if ip.emit(IndexAlongside(site=call.node, arg=index[1], op=call.label, tensor=t, index=index[0], dim=idx)):
                return unknown(t)
    value = call.arg(api.value) if call.method and api.value is not None else None
    if isinstance(idx, int) and value is not None and isinstance(value[0], Const) \
            and isinstance(value[0].value, (int, float)) and not isinstance(value[0].value, bool):
        # scattering a constant along an axis is a one-hot encoding: of the classes
        kw = api.axis.names[0] if api.axis.names else "dim"
        event = AxisUse(site=call.node, arg=a[1], op=call.label, role="feature", tensor=t, axes=idx,
                        text=ip.axis_text(a[1], kw, idx), keyword=kw)
        if ip.emit(event):
            return unknown(t)
    return t if call.method and api.in_place else unknown(t)
