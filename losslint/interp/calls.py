"""Call resolution: what a callee is (a table API, a tensor method, a project function or
method, a ``partial``, a choice of functions, a loss object, a Python builtin), the call bound
to its arguments once (``ops.base.BoundCall``), and the handler of the API's kind."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from ..apis import REGISTRY, Arange, Split
from ..ops import HANDLERS, PLAIN, PROMOTING
from ..ops.base import BoundCall
from ..ops.loss_objects import call_object
from ..values import (ANY_INT, UNKNOWN, Choice, ClassVal, Const, Func, LossObj, Partial, Parts, QName, Seq, ShapeOf,
                      Tensor, join)

_MUTATORS = ("append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse")
_BUILTINS = ("len", "range", "list", "tuple")
INT_RANGE = Parts(ANY_INT)   # range(n) with n unknown: its elements are ints


class Calls:
    def e_Call(self, node: cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute):
            name = func.attr.value
            if name in _MUTATORS and isinstance(func.value, cst.Name) \
                    and isinstance(self.env.get(func.value.value), (Const, Seq)):
                self.eval_args(node)
                self.env[func.value.value] = UNKNOWN   # axes.remove(2): the list is no longer the literal
                return UNKNOWN
            if name == "tolist" and isinstance(func.value, cst.Call) and not node.args:
                inner = func.value   # torch.arange(2, len(x.shape)).tolist(): known axes
                q = self.expr(inner.func)
                if isinstance(q, QName) and isinstance(REGISTRY.lookup(q.name), Arange):
                    return range_const(self.eval_args(inner), inner)
            receiver = self.expr(func.value)
            api = REGISTRY.methods.get(name)
            if receiver is UNKNOWN and api is not None and not isinstance(api, Split):
                receiver = self.promote(func.value)
            if isinstance(receiver, Tensor):
                if api is not None:
                    return self.apply(self.bind_call(node, api, receiver, name))
                self.eval_args(node)
                return UNKNOWN
            callee = self.attribute_callee(receiver, func)
        elif isinstance(func, cst.Name) and func.value in _BUILTINS and func.value not in self.env \
                and func.value not in self.globals and func.value not in self.ctx.aliases:
            return self.builtin(func.value, node)
        else:
            callee = self.expr(func)
        if isinstance(callee, (Choice, Partial, Func)):
            call = self.bind_call(node, None, None, "")
            if isinstance(callee, Choice):
                result = None
                for option in callee.options:
                    r = (self.call_helper(option.func, call, option) if isinstance(option, Partial)
                         else self.call_helper(option, call))
                    result = r if result is None else join(result, r)
                return result
            if isinstance(callee, Partial):
                return self.call_helper(callee.func, call, callee)
            return self.call_helper(callee, call)
        if isinstance(callee, QName):
            api = REGISTRY.lookup(callee.name)
            if api is not None:
                call = self.bind_call(node, api, None, callee.name.rsplit(".", 1)[-1], callee.name)
                return self.apply(call)
        if isinstance(callee, LossObj):
            return call_object(self, callee, self.bind_call(node, callee.api, None, ""))
        self.eval_args(node)
        return UNKNOWN

    def attribute_callee(self, receiver, func: cst.Attribute):
        """``mod.f``, ``Class.method``, ``self.method`` / ``self.loss_object``."""
        name = func.attr.value
        if isinstance(receiver, QName):
            return self.qualified(f"{receiver.name}.{name}")
        if isinstance(receiver, ClassVal):
            return receiver.attrs.get(name, UNKNOWN)
        if isinstance(func.value, cst.Name) and func.value.value == "self":
            callee = self.self_attrs.get(name, UNKNOWN)
            if callee is UNKNOWN and self.self_class is not None:
                method = self.self_class.attrs.get(name)
                if isinstance(method, Func):
                    callee = replace(method, bound=True)
            return callee
        return UNKNOWN

    def bind_call(self, node: cst.Call, api, receiver, label: str, qualname: str = "") -> BoundCall:
        """Evaluate the arguments once: positional values (a ``*seq`` of a known tuple
        expanded), keywords, and whether an argument list could not be expanded."""
        positional, keywords, pos_nodes = [], {}, []
        star = star_args = False
        for arg in node.args:
            if arg.star:
                value = self.expr(arg.value)
                if arg.star == "*" and isinstance(value, Seq) and not keywords:
                    positional.extend(value.items)   # f(*flatten(x, y)): a known tuple
                    pos_nodes.extend([arg] * len(value.items))
                    continue
                star = True
                if arg.star == "*":
                    star_args = True
                continue
            value = self.expr(arg.value)
            if arg.keyword is not None:
                keywords[arg.keyword.value] = (value, arg)
            else:
                positional.append(value)
                pos_nodes.append(arg)
        return BoundCall(node, api, label, receiver, positional, keywords, pos_nodes, star, star_args, qualname)

    def apply(self, call: BoundCall):
        """Run the handler of the API's kind."""
        kind = type(call.api)
        if kind not in PLAIN:
            if call.star:
                return UNKNOWN
            for i, name in enumerate(call.api.names):   # tensors passed by keyword (labels=, logits=)
                if i == len(call.positional) and name in call.keywords:
                    call.positional.append(call.keywords[name][0])
                    call.pos_nodes.append(call.keywords[name][1])
            first = call.api.args[0] if call.api.args else None
            if kind in PROMOTING and call.receiver is None and first is not None and first < len(call.positional) \
                    and call.positional[first] is UNKNOWN:
                promoted = self.promote(call.pos_nodes[first].value)
                if promoted is not UNKNOWN:
                    call.positional[first] = promoted
        return HANDLERS[kind](self, call)

    def eval_args(self, node: cst.Call) -> list:
        return [self.expr(arg.value) for arg in node.args]

    def builtin(self, name: str, node: cst.Call):
        """``len``, ``range``, ``list``, ``tuple``: folded when the rank is known from a layout
        (``range(2, len(x.shape))`` under ``N C H W`` is ``(2, 3)``)."""
        args = self.eval_args(node)
        if any(a.star or a.keyword is not None for a in node.args):
            return UNKNOWN
        if name == "len" and len(args) == 1:
            v = args[0]
            if isinstance(v, ShapeOf):
                rank = v.tensor.layout.rank if v.tensor.layout is not None else None
                return Const(rank) if rank is not None else UNKNOWN
            if isinstance(v, Const) and isinstance(v.value, (tuple, str)):
                return Const(len(v.value))
            if isinstance(v, Seq):
                return Const(len(v.items))
            return UNKNOWN
        if name == "range":
            r = range_const(args, node)
            return r if r is not UNKNOWN else INT_RANGE
        if name in ("list", "tuple") and len(args) == 1:
            v = args[0]
            if isinstance(v, (Seq, ShapeOf)) or (isinstance(v, Const) and isinstance(v.value, tuple)):
                return v
        return UNKNOWN


def range_const(args, node) -> object:
    """``range(a, b[, step])`` of constant ints as a tuple (short ones only: axis lists)."""
    if not 1 <= len(args) <= 3 or any(a.keyword is not None or a.star for a in node.args):
        return UNKNOWN
    values = []
    for a in args:
        if not isinstance(a, Const) or not isinstance(a.value, int) or isinstance(a.value, bool) or a.soft:
            return UNKNOWN
        values.append(a.value)
    try:
        r = range(*values)
    except ValueError:
        return UNKNOWN
    return Const(tuple(r)) if len(r) <= 16 else UNKNOWN

