"""Expressions: names (locals, module globals, imports), literals, containers, arithmetic,
comparisons (``image_data_format() == "channels_first"`` folded), attributes and subscripts
(a shape's elements, a tensor indexed or sliced)."""

from __future__ import annotations

import operator

import libcst as cst

from ..apis import PER_SAMPLE_FRAMEWORKS, REGISTRY, framework_of
from ..ops.elementwise import combine
from ..ops.shape import reverse
from ..values import (ANY_INT, ONE, UNKNOWN, ClassVal, Const, Dim, Func, Pair, Parts, QName, Root, Seq,
                      ShapeOf, Tensor, is_unknown, join, make, merged, normalize)
from .statements import element_of

BINOPS = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//",
    cst.Modulo: "%", cst.Power: "**",
}
ORDER = {"LessThan": operator.lt, "LessThanEqual": operator.le, "GreaterThan": operator.gt,
         "GreaterThanEqual": operator.ge}
_TENSOR_COMPARISONS = ("Equal", "NotEqual", "LessThan", "GreaterThan", "LessThanEqual", "GreaterThanEqual")


class Expressions:
    def expr(self, node):
        try:
            method = getattr(self, "e_" + type(node).__name__, None)
            if method is None:
                for child in node.children:
                    if isinstance(child, cst.BaseExpression):
                        self.expr(child)
                return UNKNOWN
            value = method(node)
        except RecursionError:
            return UNKNOWN
        self.record_value(node, value)
        return value

    def e_Name(self, node: cst.Name):
        name = node.value
        if name in self.env:
            return self.env[name]
        if name in self.globals:
            return self.globals[name]
        if name in self.ctx.aliases:
            return self.qualified(self.ctx.aliases[name])
        if name in ("True", "False", "None"):
            return Const({"True": True, "False": False, "None": None}[name])
        return UNKNOWN

    def e_Integer(self, node: cst.Integer):
        try:
            return Const(int(node.evaluated_value))
        except Exception:
            return UNKNOWN

    def e_Float(self, node):
        return Const(float(node.evaluated_value))

    def e_SimpleString(self, node: cst.SimpleString):
        try:
            return Const(node.evaluated_value)
        except Exception:
            return UNKNOWN

    def e_Ellipsis(self, node):
        return Const(Ellipsis)

    def e_Tuple(self, node):
        return self._seq(node)

    def e_List(self, node):
        return self._seq(node)

    def _seq(self, node):
        items = []
        for el in node.elements:
            if isinstance(el, cst.StarredElement):
                self.expr(el.value)
                return UNKNOWN
            items.append(self.expr(el.value))
        if all(isinstance(i, Const) for i in items):
            return Const(tuple(i.value for i in items))
        return Seq(tuple(items))

    def e_ListComp(self, node):
        """``[F.softmax(p, dim=1) for p in torch.split(x, n)]``: the element, evaluated with
        the loop variable bound to an element of what it iterates over."""
        saved = dict(self.env)
        try:
            for_in = node.for_in
            while for_in is not None:
                self.bind(for_in.target, element_of(self.expr(for_in.iter)))
                for cond in for_in.ifs:
                    self.expr(cond.test)
                for_in = for_in.inner_for_in
            elt = self.expr(node.elt)
        finally:
            self.env = saved
        return Parts(elt) if isinstance(elt, Tensor) else UNKNOWN

    e_GeneratorExp = e_ListComp
    e_SetComp = e_ListComp

    def e_UnaryOperation(self, node: cst.UnaryOperation):
        v = self.expr(node.expression)
        if isinstance(node.operator, cst.Minus):
            if isinstance(v, Const) and isinstance(v.value, (int, float)) and not isinstance(v.value, bool):
                return Const(-v.value)
            if isinstance(v, Tensor):
                return v
        if isinstance(node.operator, cst.Plus):
            return v
        return UNKNOWN

    def e_BinaryOperation(self, node: cst.BinaryOperation):
        left = self.expr(node.left)
        right = self.expr(node.right)
        sym = BINOPS.get(type(node.operator))
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            if sym is None:  # @ and bitwise operators
                return Tensor(None, name_of(left, right))
            return combine(self, node, sym, [left, right])
        if isinstance(left, Dim) and isinstance(right, Dim) and sym == "*" \
                and not is_unknown(left.axis) and not is_unknown(right.axis):
            return Dim(merged([left.axis, right.axis]))   # batch * chans: the size of N*C
        if isinstance(left, Const) and isinstance(right, Const) and isinstance(left.value, tuple):
            # [-1] + [1] * len(pred.shape[2:]): a shape list built from the rank
            a, b = left.value, right.value
            if sym == "+" and isinstance(b, tuple) and len(a) + len(b) <= 16:
                return Const(a + b)
            if sym == "*" and isinstance(b, int) and not isinstance(b, bool) and 0 <= len(a) * b <= 16:
                return Const(a * b)
            return UNKNOWN
        if isinstance(left, Const) and isinstance(right, Const) and sym in ("+", "-", "*"):
            a, b = left.value, right.value
            if isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool) and not isinstance(b, bool):
                return Const({"+": a + b, "-": a - b, "*": a * b}[sym])
        return UNKNOWN

    def qualified(self, qualname: str):
        """A framework name stays a QName; a name of the project is looked up there."""
        fw = framework_of(qualname)
        if fw in PER_SAMPLE_FRAMEWORKS:
            self.saw_per_sample = True
        if REGISTRY.lookup(qualname) is not None:
            return QName(qualname)
        if fw:
            if qualname.split(".", 1)[0] == self.ctx.info.name.split(".", 1)[0] and "." in self.ctx.info.name:
                # the framework's own sources (keras/src/losses): its helpers are project code
                found = self.ctx.info.project.lookup(qualname, self.data_format)
                if isinstance(found, (Func, ClassVal, Const)):
                    return found
            return QName(qualname)
        found = self.ctx.info.project.lookup(qualname, self.data_format)
        return found if found is not None else QName(qualname)

    def e_IfExp(self, node: cst.IfExp):
        test = self.expr(node.test)
        if isinstance(test, Const) and isinstance(test.value, bool) and not test.soft:
            return self.expr(node.body if test.value else node.orelse)
        return join(self.expr(node.body), self.expr(node.orelse))

    def e_Comparison(self, node: cst.Comparison):
        """Folds ``K.image_data_format() == "channels_first"`` and other constant tests."""
        left = self.expr(node.left)
        if len(node.comparisons) != 1:
            for c in node.comparisons:
                self.expr(c.comparator)
            return UNKNOWN
        comp = node.comparisons[0]
        right = self.expr(comp.comparator)
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            if type(comp.operator).__name__ in _TENSOR_COMPARISONS:
                return combine(self, node, self.ctx.code(comp.operator).strip(), [left, right])
            return UNKNOWN
        if getattr(left, "soft", False) or getattr(right, "soft", False):
            return UNKNOWN  # a parameter's default: the caller may pass anything
        if isinstance(left, Const) and isinstance(right, Const):
            op = type(comp.operator).__name__
            a, b = left.value, right.value
            if op == "Equal":
                return Const(a == b)
            if op == "NotEqual":
                return Const(a != b)
            if op in ORDER and isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool) \
                    and not isinstance(b, bool):
                return Const(ORDER[op](a, b))   # len(labels.shape) < len(x.shape)
            if op == "In" and isinstance(b, (tuple, str)):
                try:
                    return Const(a in b)
                except TypeError:
                    return UNKNOWN
        return UNKNOWN

    def promote(self, node) -> object:
        """A variable of unknown value used as a tensor becomes one (with no layout), so that
        LL107 can compare the class axes used on it."""
        if isinstance(node, cst.Name) and node.value not in self.globals and node.value not in self.ctx.aliases:
            t = Tensor(None, node.value, root=Root(node.value))
            self.env[node.value] = t
            return t
        return UNKNOWN

    def e_Attribute(self, node: cst.Attribute):
        base = self.expr(node.value)
        attr = node.attr.value
        if base is UNKNOWN and attr == "shape":
            base = self.promote(node.value)
        if isinstance(base, QName):
            return self.qualified(f"{base.name}.{attr}")
        if isinstance(base, ClassVal):
            return base.attrs.get(attr, UNKNOWN)
        if isinstance(base, Tensor):
            if attr == "shape":
                return ShapeOf(base)
            if attr == "T":
                return reverse(self, base, node)
            if attr == "ndim":
                return Const(base.layout.rank) if base.layout is not None and base.layout.rank is not None else UNKNOWN
            if attr in ("data", "real"):
                return base
            return UNKNOWN
        if isinstance(base, ShapeOf) and attr in ("ndims", "rank"):   # TensorFlow's x.shape.rank
            return Const(base.tensor.rank) if base.tensor.rank is not None else UNKNOWN
        if isinstance(base, Pair):
            if attr == "values":
                return base.values
            if attr == "indices":
                return base.indices
        if isinstance(node.value, cst.Name) and node.value.value == "self":
            return self.self_attrs.get(attr, UNKNOWN)
        return UNKNOWN

    def e_Subscript(self, node: cst.Subscript):
        base = self.expr(node.value)
        elements = node.slice
        if isinstance(base, Pair) and len(elements) == 1 and isinstance(elements[0].slice, cst.Index):
            idx = self.expr(elements[0].slice.value)
            if isinstance(idx, Const) and idx.value in (0, 1):
                return base.values if idx.value == 0 else base.indices
            return UNKNOWN
        if isinstance(base, Parts):
            for el in elements:
                self._eval_slice(el.slice)
            if len(elements) == 1:
                return base.tensor if isinstance(elements[0].slice, cst.Index) else base
            return UNKNOWN
        if isinstance(base, ShapeOf):
            return self.shape_element(base, elements)
        if isinstance(base, (Seq, Const)) and len(elements) == 1 and isinstance(elements[0].slice, cst.Index):
            idx = self.expr(elements[0].slice.value)
            items = base.items if isinstance(base, Seq) else base.value
            if isinstance(idx, Const) and isinstance(idx.value, int) and isinstance(items, tuple) and -len(items) <= idx.value < len(items):
                item = items[idx.value]
                return item if isinstance(base, Seq) else Const(item)
            return UNKNOWN
        if isinstance(base, Tensor):
            return self.index_tensor(base, elements)
        for el in elements:
            self._eval_slice(el.slice)
        return UNKNOWN

    def shape_element(self, base: ShapeOf, elements):
        """``x.shape[i]``: the size of a named axis; ``x.shape[2:]``: the sizes of several."""
        layout = base.tensor.layout
        if len(elements) == 1 and isinstance(elements[0].slice, cst.Index):
            idx = self.expr(elements[0].slice.value)
            if isinstance(idx, Const) and isinstance(idx.value, int) and layout is not None and layout.rank is not None:
                pos = normalize(idx.value, layout.rank)
                if pos is not None:
                    return Dim(layout.axes[pos])
        elif len(elements) == 1 and isinstance(elements[0].slice, cst.Slice):
            s = elements[0].slice
            bounds = [self.expr(b) if b is not None else Const(None) for b in (s.lower, s.upper, s.step)]
            if layout is not None and layout.rank is not None and all(
                    isinstance(b, Const) and (b.value is None or (isinstance(b.value, int) and not isinstance(b.value, bool)))
                    for b in bounds) and bounds[2].value != 0:
                return Seq(tuple(Dim(a) for a in layout.axes[slice(*(b.value for b in bounds))]))
        else:
            for el in elements:
                self._eval_slice(el.slice)
        return UNKNOWN

    def _eval_slice(self, s):
        if isinstance(s, cst.Index):
            return self.expr(s.value)
        for part in (s.lower, s.upper, s.step):
            if part is not None:
                self.expr(part)
        return None

    def index_tensor(self, t: Tensor, elements) -> Tensor:
        """Basic indexing: ints drop an axis, slices keep it, None adds one, ... expands."""
        kinds = []
        for el in elements:
            s = el.slice
            if isinstance(s, cst.Slice):
                self._eval_slice(s)
                kinds.append("keep")
                continue
            v = self.expr(s.value)
            if isinstance(v, Const) and v.value is None:
                kinds.append("new")
            elif isinstance(v, Const) and v.value is Ellipsis:
                kinds.append("...")
            elif (isinstance(v, Const) and isinstance(v.value, int)) or v is ANY_INT:
                kinds.append("drop")   # y_pred[:, cls, ...] in `for cls in range(num_classes)`
            else:
                return Tensor(None, t.name, t.steps)  # advanced indexing: unknown
        layout = t.layout
        if layout is None or kinds.count("...") > 1:
            return Tensor(None, t.name, t.steps)
        consuming = sum(1 for k in kinds if k in ("keep", "drop"))
        axes = list(layout.axes)
        if layout.variadic_index is not None and "..." not in kinds:
            if consuming > layout.variadic_index:
                return Tensor(None, t.name, t.steps)
        if "..." in kinds:
            i = kinds.index("...")
            fill = len(axes) - consuming
            if fill < 0:
                return Tensor(None, t.name, t.steps)
            kinds = kinds[:i] + ["keep"] * fill + kinds[i + 1:]
        out = []
        pos = 0
        for k in kinds:
            if k == "new":
                out.append(ONE)
            elif pos >= len(axes):
                return Tensor(None, t.name, t.steps)
            else:
                if k == "keep":
                    out.append(axes[pos])
                pos += 1
        out.extend(axes[pos:])
        return t.reshaped(t.with_layout(make(out)))


def name_of(*values) -> str:
    for v in values:
        if isinstance(v, Tensor):
            return v.name
    return "tensor"
