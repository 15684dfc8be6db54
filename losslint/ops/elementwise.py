"""Elementwise operations: operators, unary and binary functions, ``where``, elementwise
losses. Operands broadcast right-aligned; a mismatch is a ``Broadcast`` event (LL104)."""

from __future__ import annotations

from ..events import Broadcast
from ..values import UNKNOWN, Tensor, broadcast
from .base import BoundCall, name_of


def combine(ip, node, label: str, operands):
    """The broadcast of the tensor operands (scalars and unknowns broadcast silently)."""
    tensors = [o for o in operands if isinstance(o, Tensor)]
    if not tensors:
        return UNKNOWN
    result = tensors[0]
    # the result is "the same tensor" (LL107) when one tensor is combined with scalars or
    # with tensors of no identity of their own
    roots = {id(t.root) for t in tensors if t.root is not None}
    keep = len(roots) == 1 and tensors[0].root is not None and all(
        t.root is tensors[0].root or t.root is None for t in tensors) and all(
        t.root is not None or (t.layout is not None and t.layout.rank is not None and len(t.layout.axes) <= 1)
        for t in tensors)
    for other in tensors[1:]:
        layout, mismatch = broadcast(result.layout, other.layout)
        if mismatch is not None:
            if (result.lineage or result.name) == (other.lineage or other.name) and (
                    result.lineage or other.lineage or mismatch.duplicate is not None):
                # x[:, None] - x[None, :], labels == labels.T, sum(x**2, 1, keepdims) +
                # sum(x.T**2, 0, keepdims): a pairwise matrix of one tensor, on purpose
                return Tensor(None, result.name, result.steps)
            ip.emit(Broadcast(site=node, op=label, left=result, right=other, mismatch=mismatch))
            return Tensor(None, result.name, result.steps)
        result = result.with_layout(layout, keep_root=keep and layout == result.layout)
    if ip.ctx.explain and result.layout != tensors[0].layout:
        result = result.with_layout(result.layout, f"`{ip.ctx.code(node)}` gives {result.layout}", keep_root=True)
    return result


def handle(ip, call: BoundCall):
    """``Elementwise`` and ``Where`` rows; a torch loss reduces to a scalar (unknown here)
    unless ``reduction="none"``."""
    tensors = call.tensors
    operands = [tensors[i] for i in call.api.args if i < len(tensors)]
    if getattr(call.api, "reduction", False) and not call.reduction_none():
        combine(ip, call.node, call.label, operands)
        return Tensor(None, name_of(*tensors))
    return combine(ip, call.node, call.label, operands)
