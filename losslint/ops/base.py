"""What a handler receives: one bound call (receiver, positional and keyword arguments, the
table row), and the small helpers every handler uses."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ..apis import Op, Param
from ..layouts import Layout
from ..values import UNKNOWN, Const, Tensor, const_axes


@dataclass
class AxisArg:
    """An axis argument: the value passed (``node`` is the ``cst.Arg`` it is written in) or,
    when none is, the API's default (``node`` None: implicit). ``axes`` is an int or a tuple
    of ints when known, else None (for a default: the default itself, which may be ``ALL``)."""

    value: object
    node: cst.Arg | None
    keyword: str
    axes: object

    @property
    def implicit(self) -> bool:
        return self.node is None


@dataclass
class BoundCall:
    """A call of a table API with its arguments evaluated once."""

    node: cst.Call
    api: Op
    label: str                     # "mean", "softmax": as the call names it
    receiver: Tensor | None        # the tensor of a method call
    positional: list
    keywords: dict                 # name -> (value, cst.Arg)
    pos_nodes: list                # the cst.Arg of each positional value
    star: bool = False             # an argument list that could not be expanded (*args, **kw)
    star_args: bool = False        # ... because of a `*args` (not only `**kwargs`)
    qualname: str = ""             # the callee as resolved ("torch.nn.CrossEntropyLoss")

    @property
    def method(self) -> bool:
        return self.receiver is not None

    @property
    def tensors(self) -> list:
        return ([self.receiver] + self.positional) if self.receiver is not None else self.positional

    def arg(self, param: Param | None):
        """(value, cst.Arg) of an argument, by keyword first, else by position; None if absent."""
        if param is None:
            return None
        for n in param.names:
            if n in self.keywords:
                return self.keywords[n]
        if param.pos is not None and param.pos < len(self.positional):
            return self.positional[param.pos], self.pos_nodes[param.pos]
        return None

    def axis(self, param: Param, keyword: str = "axis") -> AxisArg:
        kw = param.names[0] if param.names else keyword
        found = self.arg(param)
        if found is None:
            return AxisArg(None, None, kw, param.default)
        return AxisArg(found[0], found[1], kw, const_axes(found[0]))

    def keepdims(self, param: Param | None) -> bool | None:
        """The ``keepdims`` flag: False when not passed, None when it is not a constant."""
        found = self.arg(param)
        if found is None:
            return False
        value = found[0]
        return value.value if isinstance(value, Const) and isinstance(value.value, bool) else None

    def reduction_none(self) -> bool:
        r = self.keywords.get("reduction")
        return r is not None and isinstance(r[0], Const) and r[0].value == "none"


def fmt_axes(axes) -> str:
    """An axis value as code: ``1``, ``(2, 3)``, ``(1,)``."""
    if isinstance(axes, tuple):
        return "(" + ", ".join(str(a) for a in axes) + ("," if len(axes) == 1 else "") + ")"
    return str(axes)


def unknown(t: Tensor) -> Tensor:
    """The same tensor with its layout forgotten."""
    return Tensor(None, t.name, t.steps)


def scalar(t: Tensor) -> Tensor:
    return Tensor(Layout(()), t.name, t.steps)


def name_of(*values) -> str:
    for v in values:
        if isinstance(v, Tensor):
            return v.name
    return "tensor"


def literal(node) -> bool:
    """An axis written as a literal: 1, -1, (2, 3), [1, 2]."""
    if isinstance(node, cst.Integer):
        return True
    if isinstance(node, cst.UnaryOperation):
        return isinstance(node.expression, cst.Integer)
    if isinstance(node, (cst.Tuple, cst.List)):
        return bool(node.elements) and all(literal(el.value) for el in node.elements)
    return False


def single_input(ip, call: BoundCall) -> Tensor | None:
    """The tensor a one-input operation works on: its tensor argument, or the combination of
    several (a loss of (labels, logits) needs both of one shape: the known one tells it)."""
    from .elementwise import combine

    tensors = call.tensors
    api = call.api
    inputs = [tensors[i] for i in api.args if i < len(tensors)]
    if not inputs or not all(isinstance(t, Tensor) for t in inputs):
        return None
    if len(inputs) > 1 and api.kind in ("feature", "reduce"):
        known = [x for x in inputs if x.layout is not None]
        inputs = known or inputs[:1]
    t = inputs[0] if len(inputs) == 1 else combine(ip, call.node, call.label, inputs)
    return t if isinstance(t, Tensor) else None


__all__ = ["AxisArg", "BoundCall", "fmt_axes", "unknown", "scalar", "name_of", "literal", "single_input", "UNKNOWN"]
