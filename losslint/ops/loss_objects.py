"""Loss objects and modules with an axis (``nn.CrossEntropyLoss()``, ``keras.losses.
CategoricalCrossentropy(axis=1)``, ``nn.Softmax(dim=1)``): the constructor binds the axis;
calling the object is an axis use reported where it is called, fixed at the constructor."""

from __future__ import annotations

from dataclasses import replace

from ..apis import ALL, REQUIRED, Elementwise, Reduce
from ..events import AxisUse
from ..values import UNKNOWN, LossObj, Tensor, const_axes, reduce_axes, resolve_positions
from .base import BoundCall, fmt_axes, scalar
from .elementwise import combine


def construct(ip, call: BoundCall):
    api = call.api
    axis, axis_node = None, None
    if api.axis is not None:
        found = call.arg(api.axis)
        if found is not None:
            axis, axis_node = found
    bound = None
    if axis is not None:
        bound = const_axes(axis)
        if bound is None:
            return UNKNOWN
    inner = api.call
    default = api.axis.default if api.axis is not None else REQUIRED
    if inner is not None and hasattr(inner, "axis") and default is not REQUIRED and default is not None \
            and bound is None:
        inner = replace(inner, axis=replace(inner.axis, default=default))
    return LossObj(call.qualname, inner, bound, axis_node, call.reduction_none(), api.torch_reduction)


def call_object(ip, obj: LossObj, call: BoundCall):
    api = obj.api
    if api is None or call.star:
        return UNKNOWN
    positional = call.positional
    inputs = [positional[i] for i in api.args if i < len(positional)]
    if not inputs or not all(isinstance(x, Tensor) for x in inputs):
        return UNKNOWN
    label = obj.qualname.rsplit(".", 1)[-1]
    t = inputs[0] if len(inputs) == 1 else combine(ip, call.node, label, inputs)
    if not isinstance(t, Tensor):
        return UNKNOWN
    if isinstance(api, Elementwise):
        return t if obj.reduction_none or not obj.torch_reduction else Tensor(None, t.name)
    fixed = getattr(api, "fixed", None)
    default = api.axis.default
    if obj.axis is not None:
        axis, implicit = obj.axis, False
    elif fixed is not None:
        axis, implicit = fixed, False
    elif isinstance(default, (int, tuple)) and default is not ALL:
        axis, implicit = default, True
    else:
        return Tensor(None, t.name)
    kw = "dim" if api.framework == "torch" else "axis"
    is_reduce = isinstance(api, Reduce)
    event = AxisUse(
        site=call.node, op=label, role="reduce" if is_reduce else "feature", tensor=t, axes=axis,
        text=f"{kw}={fmt_axes(axis)}", keyword=kw,
        implicit=implicit,
        builtin=api.builtin_loss if is_reduce else False,
        fixed=(not is_reduce) and fixed is not None and obj.axis is None,
        fix_at=obj.axis_node, fixable=obj.axis_node is not None, trace=False,
    )
    if ip.emit(event):
        return Tensor(None, t.name)
    if obj.torch_reduction and not obj.reduction_none:
        return scalar(t)
    if getattr(api, "reduces", False) and t.layout is not None:
        positions, _ = resolve_positions(t.layout, axis)
        if positions:
            return t.with_layout(reduce_axes(t.layout, set(positions), False))
    return Tensor(None, t.name)
