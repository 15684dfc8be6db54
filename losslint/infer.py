"""The layout interpreter: an abstract interpretation of one function body over libcst nodes.

Each expression gets a value from ``values.py``; each axis-taking call looks its API up in
the knowledge tables (``apis/``), resolves its axis argument, and asks ``checks.py`` whether
a rule fires. Findings are collected as ``Candidate``s per call site; ``engine.py`` picks one
per site, computes positions (only for files with findings) and builds fixes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import libcst as cst

from . import apis as A
from . import checks
from .apis import PER_SAMPLE_FRAMEWORKS, REGISTRY, Api, framework_of
from .layouts import FEATURE, Axis, Layout
from .values import (ANY_INT, ONE, UNKNOWN, Choice, ClassVal, Const, Dim, Func, LossObj, Pair, Partial, Parts, QName, Root, Seq, ShapeOf,
                     Tensor, broadcast, const_axes, is_unknown, join, make, merged, normalize,
                     reduce_axes, unknown_axis, with_rank)


@dataclass
class Candidate:
    ctx: "Context"
    code: str
    node: cst.CSTNode            # where it is reported (the axis argument, else the call)
    site: cst.CSTNode            # the call: one finding per call site
    message: str
    fix_node: cst.CSTNode | None = None    # the axis value to replace
    fix_value: object = None               # int or tuple
    fix_insert: tuple | None = None        # (call node, keyword) to add an argument
    explain: tuple[str, ...] = ()
    stmt: object = None                    # the innermost statement holding it, if known


@dataclass
class Run:
    """State shared by every analysis of one check: findings and helper summaries."""

    enabled: set[str]
    explain: bool = False
    candidates: list[Candidate] = field(default_factory=list)
    summaries: dict = field(default_factory=dict)
    stack: set = field(default_factory=set)
    record: dict | None = None   # id(node) -> (node, module, what hover shows, its statement); editor only
    sites_ok: set = field(default_factory=set)   # call sites found right under some layout
    current: object = None       # the statement being interpreted (positions.py starts there)


@dataclass
class Context:
    """One module as the analyses see it."""

    info: object                 # project.ModuleInfo
    run: Run

    @property
    def module(self) -> cst.Module:
        return self.info.module

    @property
    def aliases(self) -> dict[str, str]:
        return self.info.aliases

    @property
    def enabled(self) -> set[str]:
        return self.run.enabled

    @property
    def explain(self) -> bool:
        return self.run.explain

    def code(self, node: cst.CSTNode) -> str:
        try:
            text = self.module.code_for_node(node)
        except Exception:  # pragma: no cover - defensive
            return "?"
        text = " ".join(text.split())
        return text if len(text) <= 80 else text[:77] + "..."


BINOPS = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//",
    cst.Modulo: "%", cst.Power: "**",
}


class FunctionAnalyzer:
    def __init__(self, ctx: Context, env: dict, per_sample: bool, class_axis: Axis | None,
                 self_attrs: dict | None = None, data_format: str | None = None,
                 module_scope: bool = False, self_class: ClassVal | None = None):
        self.ctx = ctx
        self.self_class = self_class
        self.pred_layout: Layout | None = None   # the loss's prediction layout (one_hot checks)
        self.data_format = data_format
        self.globals = {} if module_scope else ctx.info.globals(data_format)
        self.env: dict = dict(env)
        self.per_sample = per_sample
        self.class_axis = class_axis  # the feature axis one_hot appends
        self.self_attrs = self_attrs if self_attrs is not None else {}
        self.returns: list = []
        self.uses: list = []   # class-axis uses for LL107
        self.saw_per_sample = False   # a Keras / TensorFlow / Theano name was used
        self.pending: list = []       # LL103 candidates, kept if the loss is per-sample
        self.dead = False             # after a return / raise: the rest of the block never runs
        self._star_args = False

    # -- statements --------------------------------------------------------------------------
    def run_block(self, body) -> None:
        for stmt in body:
            if self.dead:
                return
            self.stmt(stmt)

    def run_body(self, fn: cst.FunctionDef) -> None:
        """A function's body. One written on the ``def`` line belongs to the def statement:
        what it records is placed from there (positions.py, hover.HoverIndex)."""
        body = fn.body
        if isinstance(body, cst.IndentedBlock):
            self.run_block(body.body)
            return
        run = self.ctx.run
        previous, run.current = run.current, fn
        try:
            self.run_block([body])
        finally:
            run.current = previous

    def stmt(self, node) -> None:
        run = self.ctx.run
        if isinstance(node, cst.BaseSmallStatement) or isinstance(node, cst.SimpleStatementSuite):
            return self._stmt(node)   # on its header's line: the header's statement holds it
        previous, run.current = run.current, node
        try:
            self._stmt(node)
        finally:
            run.current = previous

    def _stmt(self, node) -> None:
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in node.body:
                self.small(small)
        elif isinstance(node, cst.BaseSmallStatement):   # a body on the header's line
            self.small(node)
        elif isinstance(node, cst.If):
            test = self.expr(node.test)
            if isinstance(test, Const) and isinstance(test.value, bool) and not test.soft:
                if test.value:
                    self.run_block(node.body.body)
                elif isinstance(node.orelse, cst.If):
                    self.stmt(node.orelse)
                elif node.orelse is not None:
                    self.run_block(node.orelse.body.body)
                return
            self.branches([node.body.body] + list(self._orelse(node.orelse)))
            if node.orelse is None and _raises(node.body.body):
                self.refine(node.test, False)   # `if x.shape != y.shape: raise ...`
        elif isinstance(node, (cst.For, cst.While)):
            if isinstance(node, cst.For):
                self.bind(node.target, _element_of(self.expr(node.iter)))
            else:
                self.expr(node.test)
            blocks = [node.body.body, []]
            if node.orelse is not None:
                blocks.append(node.orelse.body.body)
            self.branches(blocks)
        elif isinstance(node, cst.With):
            for item in node.items:
                v = self.expr(item.item)
                if item.asname is not None:
                    self.bind(item.asname.name, UNKNOWN if not isinstance(v, Tensor) else v)
            self.run_block(node.body.body)
        elif isinstance(node, cst.Try):
            blocks = [node.body.body]
            for h in node.handlers:
                blocks.append(h.body.body)
            self.branches(blocks)
            if node.orelse is not None:
                self.run_block(node.orelse.body.body)
            if node.finalbody is not None:
                dead, self.dead = self.dead, False
                self.run_block(node.finalbody.body.body)
                self.dead = self.dead or dead
        elif isinstance(node, cst.FunctionDef):
            self.env[node.name.value] = Func(node.name.value, node, self.ctx)
        elif isinstance(node, cst.ClassDef):
            self.env[node.name.value] = self.class_value(node)
        elif hasattr(node, "body") and hasattr(node.body, "body"):
            self.run_block(node.body.body)

    def refine(self, test, holds: bool) -> None:
        """After ``assert a.shape == b.shape`` (or past ``if a.shape != b.shape: raise``) the
        two tensors have one shape: a layout that says otherwise (a parameter given the
        project's layout although the function's contract is same-shape tensors) gives way to
        the other one's."""
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return
        op = type(test.comparisons[0].operator).__name__
        if not ((op == "Equal" and holds) or (op == "NotEqual" and not holds)):
            return
        names = [_shape_subject(test.left), _shape_subject(test.comparisons[0].comparator)]
        if None in names:
            return
        a, b = (self.env.get(n) for n in names)
        if not isinstance(a, Tensor) or not isinstance(b, Tensor) or a.layout == b.layout:
            return
        if a.layout is None or (b.layout is not None and (b.layout.rank or 0) > (a.layout.rank or 0)):
            names.reverse()
            a, b = b, a
        step = f"`{self.ctx.code(test)}` gives {a.layout}" if self.ctx.explain else None
        self.env[names[1]] = replace(b.with_layout(a.layout, step), name=names[1])

    def _orelse(self, orelse):
        while orelse is not None:
            if isinstance(orelse, cst.If):
                self.expr(orelse.test)
                yield orelse.body.body
                orelse = orelse.orelse
            else:
                yield orelse.body.body
                return
        yield []

    def branches(self, blocks) -> None:
        """Run each block from the same state; afterwards each variable is the join of the
        blocks that fall through (a block that returns or raises does not reach what follows)."""
        start, start_attrs = dict(self.env), dict(self.self_attrs)
        ends, attr_ends = [], []
        for block in blocks:
            self.env = dict(start)
            self._reset_attrs(start_attrs)
            self.dead = False
            self.run_block(block)
            if not self.dead:
                ends.append(self.env)
                attr_ends.append(dict(self.self_attrs))
        self.dead = not ends
        if not ends:
            self.env = start
            self._reset_attrs(start_attrs)
            return
        self.env = _joined(ends)
        # ``self.dim = 1`` in one branch and ``-1`` in the other (a constructor flag): unknown,
        # like a local variable, not whichever branch came last. An attribute that a branch
        # leaves unset (and was not set before) is joined over the branches that set it: read
        # after a path that skipped it, it would raise.
        self._reset_attrs(_joined(attr_ends, only_set=True))

    def _reset_attrs(self, attrs: dict) -> None:
        # in place: helpers called with ``self`` (``self._setup()``) share this dict
        if attrs is not self.self_attrs:
            self.self_attrs.clear()
            self.self_attrs.update(attrs)

    def small(self, node) -> None:
        if isinstance(node, cst.Assign):
            value = self.expr(node.value)
            for target in node.targets:
                self.bind(target.target, value)
        elif isinstance(node, cst.AnnAssign):
            if node.value is not None:
                self.bind(node.target, self.expr(node.value))
        elif isinstance(node, cst.AugAssign):
            right = self.expr(node.value)
            left = self.expr(node.target)
            op = type(node.operator).__name__
            sym = {"AddAssign": "+", "SubtractAssign": "-", "MultiplyAssign": "*", "DivideAssign": "/"}.get(op)
            if sym is not None and (isinstance(left, Tensor) or isinstance(right, Tensor)):
                result = self.elementwise(node, sym, [left, right])
            else:
                result = UNKNOWN
            self.bind(node.target, result)
        elif isinstance(node, cst.Return):
            if node.value is not None:
                self.returns.append(self.expr(node.value))
            self.dead = True
        elif isinstance(node, cst.Raise):
            self.dead = True
        elif isinstance(node, cst.Del):
            for el in (node.target.elements if isinstance(node.target, (cst.Tuple, cst.List)) else [node.target]):
                t = el.value if isinstance(el, cst.Element) else el
                if isinstance(t, cst.Subscript):
                    self.bind(t, UNKNOWN)   # del axes[0]
        elif isinstance(node, cst.Assert):
            self.expr(node.test)
            self.refine(node.test, True)
        elif isinstance(node, cst.Expr):
            self.expr(node.value)

    def bind(self, target, value) -> None:
        if isinstance(target, cst.Name):
            if isinstance(value, Tensor) and value.layout is not None:
                value = replace(value, name=target.value)  # messages name the variable
            self.env[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = [el.value for el in target.elements]
            items = None
            if isinstance(value, ShapeOf) and value.tensor.layout is not None and value.tensor.layout.rank is not None:
                layout = value.tensor.layout
                if len(layout.axes) == len(elements):
                    items = [Dim(a) for a in layout.axes]
            elif isinstance(value, ShapeOf) and value.tensor.layout is None and not any(
                isinstance(e, cst.StarredElement) for e in target.elements
            ):
                # `b, t, v = logits.shape` tells the rank of a tensor we knew nothing about
                items = [Dim(unknown_axis()) for _ in elements]
                t = value.tensor
                if t.root is not None and t.perm is None and t.root.rank is None:
                    t.root.rank = len(elements)
            elif isinstance(value, Seq) and len(value.items) == len(elements):
                items = list(value.items)
            elif isinstance(value, Const) and isinstance(value.value, tuple) and len(value.value) == len(elements):
                items = [Const(v) for v in value.value]
            elif isinstance(value, Pair) and len(elements) == 2:
                items = [value.values, value.indices]
            for i, el in enumerate(target.elements):
                if isinstance(el, cst.StarredElement):
                    self.bind(el.value, UNKNOWN)
                else:
                    self.bind(el.value, items[i] if items is not None else UNKNOWN)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
            self.self_attrs[target.attr.value] = value
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) \
                and isinstance(self.env.get(target.value.value), (Const, Seq)):
            self.env[target.value.value] = UNKNOWN   # axes[0] = 2: a list changed in place
        # other subscripts and targets: nothing to track

    # -- expressions -----------------------------------------------------------------------
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
        record = self.ctx.run.record
        if record is not None and isinstance(value, Tensor) and value.layout is not None:
            record.setdefault(id(node), (node, self.ctx.info, ("tensor", value), self.ctx.run.current))
        return value

    def record_axis(self, arg_node, axes, t: Tensor) -> None:
        record = self.ctx.run.record
        if record is None or arg_node is None or t.layout is None:
            return
        positions, bad = checks.resolve_positions(t.layout, axes)
        if positions is not None:
            hit = ", ".join(str(t.layout.axes[p]) for p in positions)
            text = f"`{self.ctx.code(arg_node)}` hits {hit} of {t.name} ({t.layout})"
        elif bad is not None:
            text = f"`{self.ctx.code(arg_node)}`: axis {bad} is out of range for {t.name} ({t.layout})"
        else:
            text = f"`{self.ctx.code(arg_node)}` reaches into the variadic group of {t.name} ({t.layout})"
        record[id(arg_node)] = (arg_node, self.ctx.info, ("axis", text), self.ctx.run.current)

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
                self.bind(for_in.target, _element_of(self.expr(for_in.iter)))
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
                return Tensor(None, _name_of(left, right))
            return self.elementwise(node, sym, [left, right])
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
            if type(comp.operator).__name__ in ("Equal", "NotEqual", "LessThan", "GreaterThan", "LessThanEqual", "GreaterThanEqual"):
                return self.elementwise(node, self.ctx.code(comp.operator).strip(), [left, right])
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
            if op in _ORDER and isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool) \
                    and not isinstance(b, bool):
                return Const(_ORDER[op](a, b))   # len(labels.shape) < len(x.shape)
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

    def use_class_axis(self, t: Tensor, axis, site, arg_node, label: str) -> None:
        if t.root is not None and isinstance(axis, int) and not isinstance(axis, bool):
            self.uses.append((t.root, t.perm, axis, site, arg_node, label, self.ctx.run.current))

    def finish(self) -> None:
        """End of a function: keep LL103 if the loss is per-sample; decide LL107."""
        if self.per_sample or self.saw_per_sample:
            self.ctx.run.candidates.extend(self.pending)
        self.pending = []
        if "LL107" not in self.ctx.enabled:
            return
        first: dict[int, tuple] = {}
        for use in self.uses:
            root, perm, axis, site, arg_node, label, where = use
            key = _root_axis(root, perm, axis)
            if key is None:
                continue
            seen = first.get(id(root))
            if seen is None:
                first[id(root)] = (key, use)
                continue
            other_key, other = seen
            if _differ(key, other_key):
                other_text = self.ctx.code(other[3])
                self.ctx.run.candidates.append(Candidate(
                    ctx=self.ctx, code="LL107", node=arg_node if arg_node is not None else site, site=site, stmt=where,
                    message=(f"{label} uses axis {axis} of {root.name} as the class axis, but "
                             f"`{other_text}` uses axis {other[2]}; only one of them can be the class axis"),
                ))

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
                return self.reverse(base, node)
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
            if len(elements) == 1 and isinstance(elements[0].slice, cst.Index):
                idx = self.expr(elements[0].slice.value)
                layout = base.tensor.layout
                if isinstance(idx, Const) and isinstance(idx.value, int) and layout is not None and layout.rank is not None:
                    pos = normalize(idx.value, layout.rank)
                    if pos is not None:
                        return Dim(layout.axes[pos])
            elif len(elements) == 1 and isinstance(elements[0].slice, cst.Slice):
                s = elements[0].slice
                bounds = [self.expr(b) if b is not None else Const(None) for b in (s.lower, s.upper, s.step)]
                layout = base.tensor.layout
                if layout is not None and layout.rank is not None and all(
                        isinstance(b, Const) and (b.value is None or (isinstance(b.value, int) and not isinstance(b.value, bool)))
                        for b in bounds) and bounds[2].value != 0:
                    # x.shape[2:]: the sizes of the axes it names
                    return Seq(tuple(Dim(a) for a in layout.axes[slice(*(b.value for b in bounds))]))
            else:
                for el in elements:
                    self._eval_slice(el.slice)
            return UNKNOWN
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
        out: list[Axis] = []
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

    # -- calls -------------------------------------------------------------------------------
    def e_Call(self, node: cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _MUTATORS and isinstance(func.value, cst.Name) \
                and isinstance(self.env.get(func.value.value), (Const, Seq)):
            self.eval_args(node)
            self.env[func.value.value] = UNKNOWN   # axes.remove(2): the list is no longer the literal
            return UNKNOWN
        if isinstance(func, cst.Attribute):
            if func.attr.value == "tolist" and isinstance(func.value, cst.Call) and not node.args:
                inner = func.value   # torch.arange(2, len(x.shape)).tolist(): known axes
                q = self.expr(inner.func)
                if isinstance(q, QName) and A.canonical(q.name) in _ARANGES:
                    return _range_const(self.eval_args(inner), inner)
            receiver = self.expr(func.value)
            if receiver is UNKNOWN and func.attr.value in REGISTRY.methods:
                receiver = self.promote(func.value)
            if isinstance(receiver, Tensor):
                api = REGISTRY.methods.get(func.attr.value)
                if api is not None:
                    return self.apply(api, node, receiver, func.attr.value)
                if func.attr.value in _SPLIT_METHODS:
                    self.eval_args(node)   # pieces along one axis keep every axis name
                    return Parts(receiver)
                self.eval_args(node)
                return UNKNOWN
            if isinstance(receiver, QName):
                callee = self.qualified(f"{receiver.name}.{func.attr.value}")
            elif isinstance(receiver, ClassVal):
                callee = receiver.attrs.get(func.attr.value, UNKNOWN)
            elif isinstance(func.value, cst.Name) and func.value.value == "self":
                callee = self.self_attrs.get(func.attr.value, UNKNOWN)
                if callee is UNKNOWN and self.self_class is not None:
                    method = self.self_class.attrs.get(func.attr.value)
                    if isinstance(method, Func):
                        callee = replace(method, bound=True)
            else:
                callee = UNKNOWN
        elif isinstance(func, cst.Name) and func.value in _BUILTINS and func.value not in self.env \
                and func.value not in self.globals and func.value not in self.ctx.aliases:
            return self.builtin(func.value, node)
        else:
            callee = self.expr(func)
        if isinstance(callee, QName) and callee.name.endswith("image_data_format"):
            self.eval_args(node)
            return Const(self.data_format) if self.data_format else UNKNOWN
        if isinstance(callee, QName) and A.canonical(callee.name) == "functools.partial" and node.args \
                and not any(a.star for a in node.args) and node.args[0].keyword is None:
            positional, keywords, _, _ = self._arguments(node)
            if isinstance(positional[0], Func):
                return Partial(positional[0], tuple(positional[1:]),
                               tuple((k, v) for k, (v, _) in keywords.items()))
            return UNKNOWN
        if isinstance(callee, Choice):
            result = None
            for option in callee.options:
                r = (self.call_helper(option.func, node, option) if isinstance(option, Partial)
                     else self.call_helper(option, node))
                result = r if result is None else join(result, r)
            return result
        if isinstance(callee, Partial):
            return self.call_helper(callee.func, node, callee)
        if isinstance(callee, Func):
            return self.call_helper(callee, node)
        if isinstance(callee, QName) and A.canonical(callee.name) in _SPLITS:
            args = self.eval_args(node)
            return Parts(args[0]) if args and isinstance(args[0], Tensor) and not node.args[0].keyword else UNKNOWN
        if isinstance(callee, QName) and A.canonical(callee.name) in _CREATE:
            return self.create(node, A.canonical(callee.name))
        if isinstance(callee, QName):
            api = REGISTRY.lookup(callee.name)
            if api is not None:
                if api.kind == A.LOSS_CLASS:
                    return self.construct(api, node, callee.name)
                return self.apply(api, node, None, callee.name.rsplit(".", 1)[-1])
        if isinstance(callee, LossObj):
            return self.call_loss_object(callee, node)
        self.eval_args(node)
        return UNKNOWN

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
            r = _range_const(args, node)
            return r if r is not UNKNOWN else _INT_RANGE
        if name in ("list", "tuple") and len(args) == 1:
            v = args[0]
            if isinstance(v, (Seq, ShapeOf)) or (isinstance(v, Const) and isinstance(v.value, tuple)):
                return v
        return UNKNOWN

    def create(self, node: cst.Call, qualname: str):
        """``torch.full((batch_size, num_classes), v)``, ``torch.zeros(x.shape[0], n)``: a new
        tensor whose sizes are axes of known tensors has their names."""
        args = self.eval_args(node)
        if any(a.star for a in node.args):
            return UNKNOWN
        positional = [v for v, a in zip(args, node.args) if a.keyword is None]
        first = positional[0] if positional else None
        if isinstance(first, Seq):
            sizes = list(first.items)
        elif isinstance(first, Const) and isinstance(first.value, tuple):
            sizes = [Const(v) for v in first.value]
        elif qualname.rsplit(".", 1)[-1] not in ("full", "fill") and positional and all(
                isinstance(v, Dim) or (isinstance(v, Const) and isinstance(v.value, int)) for v in positional):
            sizes = positional   # torch.zeros(n, c, h, w)
        else:
            return UNKNOWN
        axes = []
        for v in sizes:
            if isinstance(v, Dim) and not is_unknown(v.axis):
                axes.append(v.axis)
            elif isinstance(v, Const) and v.value == 1:
                axes.append(ONE)
            else:
                axes.append(unknown_axis())
        if not any(not is_unknown(ax) and ax.size is None for ax in axes):
            return Tensor(None)
        return Tensor(make(axes), "tensor")

    def eval_args(self, node: cst.Call) -> list:
        return [self.expr(arg.value) for arg in node.args]

    def _arguments(self, node: cst.Call):
        """(positional values, keyword name -> (value, Arg), positional Args, has_star)."""
        positional, keywords, pos_nodes = [], {}, []
        star = False
        self._star_args = False   # a `*args` that could not be expanded (`**kwargs` aside)
        for arg in node.args:
            if arg.star:
                value = self.expr(arg.value)
                if arg.star == "*" and isinstance(value, Seq) and not keywords:
                    positional.extend(value.items)   # f(*flatten(x, y)): a known tuple
                    pos_nodes.extend([arg] * len(value.items))
                    continue
                star = True
                if arg.star == "*":
                    self._star_args = True
                continue
            value = self.expr(arg.value)
            if arg.keyword is not None:
                keywords[arg.keyword.value] = (value, arg)
            else:
                positional.append(value)
                pos_nodes.append(arg)
        return positional, keywords, pos_nodes, star

    def apply(self, api: Api, node: cst.Call, receiver: Tensor | None, label: str):
        positional, keywords, pos_nodes, star = self._arguments(node)
        tensors = ([receiver] + positional) if receiver is not None else positional
        method = receiver is not None

        def arg(names, pos):
            for n in names:
                if n in keywords:
                    return keywords[n]
            if pos is not None and pos < len(positional):
                return positional[pos], pos_nodes[pos]
            return None

        if star:
            return UNKNOWN
        for i, name in enumerate(api.names):   # tensors passed by keyword (labels=, logits=)
            if i == len(positional) and name in keywords:
                positional.append(keywords[name][0])
                pos_nodes.append(keywords[name][1])
        if receiver is not None:
            tensors = [receiver] + positional
        else:
            tensors = positional
        kind = api.kind
        if receiver is None and api.args and api.args[0] < len(positional) and positional[api.args[0]] is UNKNOWN \
                and kind in (A.FEATURE, A.CLASS_INDEX, A.ELEMENTWISE, A.IDENTITY, A.PERMUTE, A.SWAP, A.MOVEAXIS):
            promoted = self.promote(pos_nodes[api.args[0]].value)
            if promoted is not UNKNOWN:
                positional[api.args[0]] = promoted
                tensors = positional
        if kind in (A.ELEMENTWISE, A.WHERE):
            if api.reduction and not _reduction_none(keywords):
                self.elementwise(node, label, [tensors[i] for i in api.args if i < len(tensors)])
                return Tensor(None, _name_of(*tensors))
            return self.elementwise(node, label, [tensors[i] for i in api.args if i < len(tensors)])
        if kind == A.IDENTITY:
            if tensors and isinstance(tensors[0], Const) and isinstance(tensors[0].value, (int, float)):
                return Const(tensors[0].value)   # convert_to_tensor(0.5): still a scalar
            return tensors[0] if tensors and isinstance(tensors[0], Tensor) else UNKNOWN
        if kind in (A.SCALAR,):
            if label in ("dim", "ndimension", "ndim") and tensors and isinstance(tensors[0], Tensor) \
                    and tensors[0].rank is not None:
                return Const(tensors[0].rank)   # x.dim(), K.ndim(x): the rank of a known layout
            return UNKNOWN
        if kind == A.MATMUL:
            return Tensor(None, _name_of(*tensors))
        if kind == A.SHAPE:
            return ShapeOf(tensors[0]) if tensors and isinstance(tensors[0], Tensor) else UNKNOWN
        if kind == A.SIZE:
            t = tensors[0] if tensors else None
            a = arg(api.axis, api.pos)
            if not isinstance(t, Tensor):
                return UNKNOWN
            if a is None:
                return ShapeOf(t)
            idx = const_axes(a[0])
            if isinstance(idx, int) and t.layout is not None and t.layout.rank is not None:
                p = normalize(idx, t.layout.rank)
                if p is not None:
                    return Dim(t.layout.axes[p])
            return UNKNOWN
        if kind in (A.CONCAT, A.STACK):
            return self.join_tensors(api, node, positional, keywords, arg)
        if kind == A.EINSUM:
            return self.einsum(positional, node)
        if kind in (A.REARRANGE, A.EREDUCE):
            a = arg(api.axis, api.pos)
            t = tensors[0] if tensors else None
            if isinstance(t, Tensor) and a is not None and isinstance(a[0], Const) and isinstance(a[0].value, str):
                result = self.einops(t, a[0].value, node)
                if kind == A.EREDUCE:
                    self.pattern_reduction(node, "reduce", t, a[0].value, a[1], result)
                return result
            return Tensor(None, getattr(t, "name", "tensor"))
        if kind == A.ONE_HOT:
            return self.one_hot(api, node, tensors, arg)

        # everything below works on one input tensor (combined from several for losses)
        inputs = [tensors[i] for i in api.args if i < len(tensors)]
        if not inputs or not all(isinstance(t, Tensor) for t in inputs):
            return UNKNOWN
        if len(inputs) > 1 and kind in (A.FEATURE, A.REDUCE):
            # a loss of (labels, logits) needs both of one shape: the known one tells it
            known = [x for x in inputs if x.layout is not None]
            inputs = known or inputs[:1]
        t = inputs[0] if len(inputs) == 1 else self.elementwise(node, label, inputs)
        if not isinstance(t, Tensor):
            return UNKNOWN
        if kind == A.REDUCE and api.pair and label in ("max", "min") and receiver is None and len(positional) > 1 and isinstance(positional[1], Tensor):
            return self.elementwise(node, label, positional[:2])  # torch.max(a, b)
        a = arg(api.axis, api.pos)
        if kind == A.REDUCE:
            return self.reduce(api, node, t, a, arg, label, method)
        if kind == A.FEATURE:
            return self.feature(api, node, t, a, label, keywords)
        if kind == A.CLASS_INDEX:
            idx = const_axes(a[0]) if a is not None else None
            if isinstance(idx, int):
                self.use_class_axis(t, idx, node, a[1], label)
            if label == "gather" and isinstance(idx, int) and api.pos is not None:
                index = arg(("index",), api.pos + 1)
                if index is not None and isinstance(index[0], Tensor):
                    verdicts = checks.check_gather_index(label, t, index[0], idx)
                    if self.flag(node, index[1], verdicts, t):
                        return Tensor(None, t.name, t.steps)
            value = arg(("value", "src"), 2) if method and label in ("scatter", "scatter_") else None
            if isinstance(idx, int) and value is not None and isinstance(value[0], Const) \
                    and isinstance(value[0].value, (int, float)) and not isinstance(value[0].value, bool):
                # scattering a constant along an axis is a one-hot encoding: of the classes
                kw = api.axis[0] if api.axis else "dim"
                axis_text = self.axis_text(a[1], kw, idx)
                self.record_axis(a[1], idx, t)
                verdicts = checks.check_feature(label, axis_text, t, idx, False, False, kw)
                if self.flag(node, a[1], verdicts, t, resolution=self.resolution(a[1], idx, t)):
                    return Tensor(None, t.name, t.steps)
            return t if method and label in ("scatter", "scatter_") else Tensor(None, t.name, t.steps)
        if kind in (A.PERMUTE, A.SWAP, A.MOVEAXIS, A.REVERSE, A.RESHAPE, A.FLATTEN, A.EXPAND, A.SQUEEZE):
            return self.shape_op(api, node, t, a, arg, positional, method, label)
        return UNKNOWN

    # -- tensor operations ---------------------------------------------------------------------
    def elementwise(self, node, label: str, operands) -> Tensor | object:
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
                self.flag(node, None, [checks.check_broadcast(label, result, other, mismatch)], result)
                return Tensor(None, result.name, result.steps)
            result = result.with_layout(layout, keep_root=keep and layout == result.layout)
        if self.ctx.explain and result.layout != tensors[0].layout:
            result = result.with_layout(result.layout, f"`{self.ctx.code(node)}` gives {result.layout}", keep_root=True)
        return result

    def reduce(self, api: Api, node, t: Tensor, a, arg, label, method):
        implicit = a is None
        if implicit:
            if api.default in (A.ALL, A.REQUIRED) or api.default is None:
                return Tensor(None, t.name, t.steps) if api.default is not A.ALL else _scalar(t)
            axes = api.default
            arg_node = None
        else:
            axes = const_axes(a[0])
            arg_node = a[1]
            if axes is None:
                if isinstance(a[0], Const) and a[0].value is None:
                    return _scalar(t)
                return Tensor(None, t.name, t.steps)
        kd = arg(api.keepdims, api.keepdims_pos) if api.keepdims or api.keepdims_pos is not None else None
        keepdims = False
        if kd is not None:
            if isinstance(kd[0], Const) and isinstance(kd[0].value, bool):
                keepdims = kd[0].value
            else:
                return Tensor(None, t.name, t.steps)
        kw = api.axis[0] if api.axis else "axis"
        axis_text = self.axis_text(arg_node, kw, axes)
        verdicts = checks.check_reduce(label, axis_text, t, axes, implicit, api.builtin_loss, True, kw)
        verdicts += checks.informational(label, axis_text, t, axes, arg_node is not None and _literal(arg_node.value), kw)
        self.record_axis(arg_node, axes, t)
        if self.flag(node, arg_node, verdicts, t, resolution=self.resolution(arg_node, axes, t)):
            return Tensor(None, t.name, t.steps)
        if t.layout is None:
            return t
        positions, _ = checks.resolve_positions(t.layout, axes)
        if positions is None:
            return Tensor(None, t.name, t.steps)
        out = t.with_layout(reduce_axes(t.layout, set(positions), keepdims),
                            self.step(node, t, reduce_axes(t.layout, set(positions), keepdims)))
        if api.pair and not implicit:
            return Pair(out, out)
        return out

    def feature(self, api: Api, node, t: Tensor, a, label, keywords):
        implicit = a is None
        fixed = api.fixed is not None
        if fixed:
            axis, arg_node = api.fixed, None
        elif implicit:
            if api.default in (A.ALL, A.REQUIRED) or api.default is None:
                return _scalar(t) if api.reduces and api.default is A.ALL else Tensor(None, t.name, t.steps)
            axis, arg_node = api.default, None
        else:
            axis, arg_node = const_axes(a[0]), a[1]
            if axis is None:
                return Tensor(None, t.name, t.steps)
        kw = api.axis[0] if api.axis else "axis"
        axis_text = self.axis_text(arg_node, kw, axis)
        self.use_class_axis(t, axis, node, arg_node, label)
        self.record_axis(arg_node, axis, t)
        verdicts = checks.check_feature(label, axis_text, t, axis, implicit and not fixed, fixed, kw)
        verdicts += checks.informational(label, axis_text, t, axis, arg_node is not None and _literal(arg_node.value), kw)
        if self.flag(node, arg_node, verdicts, t, insert_kw=kw if implicit and api.axis and not fixed else None,
                     resolution=self.resolution(arg_node, axis, t)):
            return Tensor(None, t.name, t.steps)
        if api.reduction and not _reduction_none(keywords):
            return _scalar(t)
        result: object = t
        if api.reduces and t.layout is not None:
            positions, _ = checks.resolve_positions(t.layout, axis)
            result = t.with_layout(reduce_axes(t.layout, set(positions), False)) if positions else Tensor(None, t.name)
        if api.pair:
            return Pair(result, result)
        return result

    def one_hot(self, api: Api, node, tensors, arg):
        t = tensors[0] if tensors else None
        if not isinstance(t, Tensor):
            return UNKNOWN
        cls = self.class_axis or Axis("classes", FEATURE)
        a = arg(api.axis, api.pos)
        if t.layout is None:
            return Tensor(None, t.name)
        axes = list(t.layout.axes)
        if a is None:
            return t.with_layout(make(axes + [cls]), self.step(node, t, make(axes + [cls])))
        idx = const_axes(a[0])
        if not isinstance(idx, int):
            return Tensor(None, t.name)
        rank = len(axes) + 1
        pos = normalize(idx, rank)
        if pos is None:
            return Tensor(None, t.name)
        axes.insert(pos, cls)
        pred = self.pred_layout
        if pred is not None and pred.rank == rank and pred.feature_index() is not None and t.known:
            fi = pred.feature_index()
            if pos != fi:
                kw = api.axis[0] if api.axis else "axis"
                verdict = checks.Verdict(
                    "LL101",
                    f"one_hot puts the class axis at {self.axis_text(a[1], kw, idx)}, where the "
                    f"prediction layout ({pred}) has {pred.axes[pos].name}; its feature axis is "
                    f"{pred.axes[fi].name} ({kw}={fi})",
                    fi,
                )
                if self.flag(node, a[1], [verdict], t):
                    return Tensor(None, t.name)
        return t.with_layout(make(axes))

    def join_tensors(self, api, node, positional, keywords, arg):
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
        if api.kind == A.CONCAT:
            return t
        a = arg(api.axis, api.pos)
        idx = const_axes(a[0]) if a is not None else api.default
        if not isinstance(idx, int) or t.layout.rank is None:
            return Tensor(None, t.name)
        pos = normalize(idx, t.layout.rank + 1)
        if pos is None:
            return Tensor(None, t.name)
        axes = list(t.layout.axes)
        axes.insert(pos, unknown_axis())
        return t.with_layout(make(axes))

    def shape_op(self, api, node, t: Tensor, a, arg, positional, method, label):
        layout = t.layout
        if layout is None or layout.variadic_index is not None:
            kind = A.PERMUTE if api.kind == A.SWAP and method and label == "transpose" and len(positional) > 2 else api.kind
            if kind in (A.PERMUTE, A.SWAP, A.MOVEAXIS) and t.root is not None:
                rank = layout.rank if layout is not None else (t.root.rank if t.perm is None else len(t.perm))
                order = self._order(api, kind, a, arg, positional, method, rank)
                if order is not None:
                    return _track_perm(Tensor(None, t.name, t.steps), t, order)
            if api.kind == A.RESHAPE:
                shape = self._shape_arg(a, positional, method)
                if shape is not None:
                    return t.with_layout(with_rank(len(shape)))
            return Tensor(None, t.name, t.steps)
        axes = list(layout.axes)
        rank = len(axes)
        kind = api.kind
        new: list[Axis] | None = None
        if kind == A.SWAP and method and label == "transpose" and len(positional) != 2:
            kind = A.PERMUTE if positional else A.REVERSE  # numpy's x.transpose(perm)
        bad = self._out_of_range(api, kind, a, arg, positional, method, rank) if t.known else None
        if bad is not None:
            op_text, index = bad
            verdict = checks.Verdict(
                "LL105", f"{op_text}: axis {index} is out of range for {checks.describe(t)}, which has {rank} axes")
            self.flag(node, a[1] if a is not None and kind != A.PERMUTE else None, [verdict], t)
            return Tensor(None, t.name, t.steps)
        if kind in (A.PERMUTE, A.REVERSE, A.SWAP, A.MOVEAXIS):
            order = self._order(api, kind, a, arg, positional, method, rank)
            if order is None:
                return Tensor(None, t.name, t.steps)
            result = make(axes[p] for p in order)
            out = t.with_layout(result, self.step(node, t, result))
            return t.reshaped(_track_perm(out, t, order))
        if kind == A.FLATTEN:
            start = const_axes(a[0]) if a else api.default
            b = arg(api.end, api.end_pos) if api.end or api.end_pos is not None else None
            end = const_axes(b[0]) if b else api.end_default
            if not isinstance(start, int) or not isinstance(end, int):
                return Tensor(None, t.name, t.steps)
            s, e = normalize(start, rank), normalize(end, rank)
            if s is None or e is None or s > e:
                return Tensor(None, t.name, t.steps)
            new = axes[:s] + [merged(axes[s:e + 1])] + axes[e + 1:]
        elif kind == A.EXPAND:
            idx = const_axes(a[0]) if a else (api.default if isinstance(api.default, int) else None)
            if not isinstance(idx, int):
                return Tensor(None, t.name, t.steps)
            pos = normalize(idx, rank + 1)
            if pos is None:
                return Tensor(None, t.name, t.steps)
            new = axes[:pos] + [ONE] + axes[pos:]
        elif kind == A.SQUEEZE:
            if a is None:
                if any(is_unknown(ax) for ax in axes):
                    return Tensor(None, t.name, t.steps)
                new = [ax for ax in axes if ax.size != 1]
            else:
                idx = const_axes(a[0])
                idxs = (idx,) if isinstance(idx, int) else idx
                if not idxs:
                    return Tensor(None, t.name, t.steps)
                pos = {normalize(i, rank) for i in idxs}
                if None in pos:
                    return Tensor(None, t.name, t.steps)
                new = [ax for k, ax in enumerate(axes) if not (k in pos and (ax.size == 1 or is_unknown(ax)))]
        elif kind == A.RESHAPE:
            shape = self._shape_arg(a, positional, method)
            if shape is None:
                return Tensor(None, t.name, t.steps)
            new = _reshape(axes, shape)
            if new is None:
                return t.with_layout(with_rank(len(shape)))
        if new is None:
            return Tensor(None, t.name, t.steps)
        result = make(new)
        return t.reshaped(t.with_layout(result, self.step(node, t, result)))

    def _out_of_range(self, api, kind, a, arg, positional, method, rank):
        """(text, index) of an axis argument of a shape operation that does not exist."""
        label = api.label or kind
        if kind == A.PERMUTE:
            if method and len(positional) > 1:
                perm = tuple(p.value if isinstance(p, Const) else None for p in positional)
            else:
                perm = const_axes(a[0]) if a is not None else None
            if not isinstance(perm, tuple) or None in perm:
                return None
            if len(perm) != rank:
                far = max(perm, key=lambda p: p if p >= 0 else -p - 1)
                return (f"{label}{perm} names {len(perm)} axes", far) if normalize(far, rank) is None else None
            for p in perm:
                if normalize(p, rank) is None:
                    return (f"{label}{perm}", p)
            return None
        if kind not in (A.SWAP, A.MOVEAXIS, A.EXPAND, A.SQUEEZE, A.FLATTEN):
            return None   # reshape/view take sizes, not axes
        values = []
        if a is not None:
            values.append(const_axes(a[0]))
        if api.end or api.end_pos is not None:
            b = arg(api.end, api.end_pos)
            if b is not None:
                values.append(const_axes(b[0]))
        extra = 1 if kind == A.EXPAND else 0
        for v in values:
            for i in (v if isinstance(v, tuple) else (v,)):
                if isinstance(i, int) and normalize(i, rank + extra) is None:
                    return (f"{label} over {i}", i)
        return None

    def _order(self, api, kind, a, arg, positional, method, rank):
        """Source positions of the result's axes for permute / swap / moveaxis / reverse."""
        if kind == A.PERMUTE:
            if method and len(positional) > 1:
                perm = tuple(p.value if isinstance(p, Const) else None for p in positional)
            elif a is None:
                perm = tuple(reversed(range(rank))) if api.default is None and rank is not None else None
            else:
                perm = const_axes(a[0])
                perm = perm if isinstance(perm, tuple) else None
            if perm is None or None in perm:
                return None
            rank = len(perm) if rank is None else rank
            if len(perm) != rank:
                return None
            norm = [normalize(p, rank) for p in perm]
            if None in norm or sorted(norm) != list(range(rank)):
                return None
            return norm
        if rank is None:
            return None
        if kind == A.REVERSE:
            return list(reversed(range(rank)))
        b = arg(api.end, api.end_pos)
        if kind == A.SWAP:
            i, j = (const_axes(a[0]) if a else None), (const_axes(b[0]) if b else None)
            if not isinstance(i, int) or not isinstance(j, int):
                return None
            i, j = normalize(i, rank), normalize(j, rank)
            if i is None or j is None:
                return None
            order = list(range(rank))
            order[i], order[j] = order[j], order[i]
            return order
        src, dst = (const_axes(a[0]) if a else None), (const_axes(b[0]) if b else None)
        src = (src,) if isinstance(src, int) else src
        dst = (dst,) if isinstance(dst, int) else dst
        if not src or not dst or len(src) != len(dst):
            return None
        src = [normalize(x, rank) for x in src]
        dst = [normalize(x, rank) for x in dst]
        if None in src or None in dst or len(set(dst)) != len(dst):
            return None
        order: list = [None] * rank
        for x, d in zip(src, dst):
            order[d] = x
        rest = iter(k for k in range(rank) if k not in src)
        return [o if o is not None else next(rest) for o in order]

    def _shape_arg(self, a, positional, method):
        if method and len(positional) > 1:
            items = positional
        elif a is None:
            return None
        else:
            v = a[0]
            if isinstance(v, Const) and isinstance(v.value, tuple):
                items = [Const(x) for x in v.value]
            elif isinstance(v, Const) and isinstance(v.value, int):
                items = [v]
            elif isinstance(v, Seq):
                items = list(v.items)
            else:
                return None
        return list(items)

    def reverse(self, t: Tensor, node):
        if t.layout is None or t.layout.variadic_index is not None:
            return Tensor(None, t.name, t.steps)
        return t.reshaped(t.with_layout(make(reversed(t.layout.axes))))

    def pattern_reduction(self, node, label, t: Tensor, pattern: str, arg_node, result) -> None:
        """einops.reduce / einsum: the input axes whose letters are not in the output are reduced."""
        if t.layout is None or t.layout.variadic_index is not None or "->" not in pattern:
            return
        left, right = pattern.split("->")
        lt, rt = _einops_tokens(left.strip()), _einops_tokens(right.strip())
        if lt is None or rt is None or "..." in lt or any(isinstance(x, list) for x in lt) or len(lt) != len(t.layout.axes):
            return
        kept = {x for tok in rt for x in (tok if isinstance(tok, list) else [tok])}
        positions = tuple(i for i, tok in enumerate(lt) if tok not in kept)
        if not positions:
            return
        text = f"pattern {pattern.strip()!r}"
        verdicts = checks.check_reduce(label, text, t, positions, False, False, True, "axis")
        verdicts = [replace(v, fix_axes=None) for v in verdicts]
        self.flag(node, arg_node, verdicts, t)

    def einsum(self, positional, node=None):
        if positional and isinstance(positional[0], Const) and isinstance(positional[0].value, str) and node is not None:
            spec = positional[0].value.replace(" ", "")
            if "->" in spec and "." not in spec:
                ins, out = spec.split("->")
                for sub, op in zip(ins.split(","), positional[1:]):
                    if isinstance(op, Tensor):
                        self.pattern_reduction(node, "einsum", op, f"{' '.join(sub)} -> {' '.join(out)}",
                                               None, None)
                        break
        return self._einsum(positional)

    def _einsum(self, positional):
        if not positional or not isinstance(positional[0], Const) or not isinstance(positional[0].value, str):
            return Tensor(None) if any(isinstance(p, Tensor) for p in positional) else UNKNOWN
        spec = positional[0].value.replace(" ", "")
        operands = positional[1:]
        if "->" not in spec or "." in spec:
            return Tensor(None, _name_of(*operands))
        ins, out = spec.split("->")
        letters: dict[str, Axis] = {}
        names = ins.split(",")
        if len(names) != len(operands):
            return Tensor(None, _name_of(*operands))
        for sub, op in zip(names, operands):
            if not isinstance(op, Tensor) or op.layout is None or op.layout.rank != len(sub):
                continue
            for ch, ax in zip(sub, op.layout.axes):
                if ch in letters and ax.size != 1 and letters[ch].size != 1 and not is_unknown(ax) and not is_unknown(letters[ch]) and ax.name != letters[ch].name:
                    return Tensor(None, _name_of(*operands))
                if ch not in letters or letters[ch].size == 1:
                    letters[ch] = ax
        if not all(ch in letters for ch in out):
            return Tensor(None, _name_of(*operands))
        return Tensor(make(letters[ch] for ch in out), _name_of(*operands))

    def einops(self, t: Tensor, pattern: str, node):
        if "->" not in pattern or t.layout is None or t.layout.variadic_index is not None:
            return Tensor(None, t.name, t.steps)
        left, right = (s.strip() for s in pattern.split("->"))
        lt = _einops_tokens(left)
        rt = _einops_tokens(right)
        if lt is None or rt is None:
            return Tensor(None, t.name, t.steps)
        axes = list(t.layout.axes)
        binding: dict[str, Axis] = {}
        if "..." in lt:
            i = lt.index("...")
            n_fixed = len(lt) - 1
            if len(axes) < n_fixed:
                return Tensor(None, t.name, t.steps)
            ell = axes[i:len(axes) - (n_fixed - i)]
            lt2 = lt[:i] + [("...", k) for k in range(len(ell))] + lt[i + 1:]
        else:
            lt2 = lt
        if len(lt2) != len(axes):
            return Tensor(None, t.name, t.steps)
        for tok, ax in zip(lt2, axes):
            if isinstance(tok, list):
                return Tensor(None, t.name, t.steps)  # a composed input axis: unknown split
            binding[str(tok)] = ax
        out: list[Axis] = []
        for tok in rt:
            if tok == "...":
                out.extend(binding[str(("...", k))] for k in range(sum(1 for key in binding if key.startswith("('...'"))))
            elif isinstance(tok, list):
                parts = [binding.get(x) for x in tok]
                out.append(merged(parts) if all(parts) else unknown_axis())
            elif tok in binding:
                out.append(binding[tok])
            elif tok.isdigit() and tok == "1":
                out.append(ONE)
            else:
                out.append(unknown_axis())
        result = make(out)
        return t.with_layout(result, self.step(node, t, result))

    # -- loss objects --------------------------------------------------------------------------
    def construct(self, api: Api, node: cst.Call, qualname: str):
        positional, keywords, pos_nodes, star = self._arguments(node)
        axis, axis_node = None, None
        for n in api.axis:
            if n in keywords:
                axis, axis_node = keywords[n][0], keywords[n][1]
        if axis is None and api.pos is not None and api.pos < len(positional):
            axis, axis_node = positional[api.pos], pos_nodes[api.pos]
        bound = None
        if axis is not None:
            bound = const_axes(axis)
            if bound is None:
                return UNKNOWN
        reduction_none = _reduction_none(keywords)
        call = api.call
        if call is not None and api.default is not A.REQUIRED and api.default is not None and bound is None:
            call = _with_default(call, api.default)
        return LossObj(qualname, call, bound, axis_node, reduction_none)

    def call_loss_object(self, obj: LossObj, node: cst.Call):
        positional, keywords, pos_nodes, star = self._arguments(node)
        api: Api = obj.api
        if api is None or star:
            return UNKNOWN
        inputs = [positional[i] for i in api.args if i < len(positional)]
        if not inputs or not all(isinstance(x, Tensor) for x in inputs):
            return UNKNOWN
        label = obj.qualname.rsplit(".", 1)[-1]
        t = inputs[0] if len(inputs) == 1 else self.elementwise(node, label, inputs)
        if not isinstance(t, Tensor):
            return UNKNOWN
        torch_reduction = obj.qualname.startswith("torch.nn.") and obj.qualname.endswith("Loss")
        if api.kind == A.ELEMENTWISE:
            return t if obj.reduction_none or not torch_reduction else Tensor(None, t.name)
        if obj.axis is not None:
            axis, implicit = obj.axis, False
        elif api.fixed is not None:
            axis, implicit = api.fixed, False
        elif isinstance(api.default, (int, tuple)):
            axis, implicit = api.default, True
        else:
            return Tensor(None, t.name)
        kw = "axis" if not obj.qualname.startswith("torch.") else "dim"
        if api.kind == A.REDUCE:
            text = f"{kw}={_fmt(axis)}"
            verdicts = checks.check_reduce(label, text, t, axis, implicit, api.builtin_loss, True, kw)
        else:
            text = f"{kw}={_fmt(axis)}"
            verdicts = checks.check_feature(label, text, t, axis, implicit, api.fixed is not None and obj.axis is None, kw)
        # a loss object is reported where it is called; its fix edits the constructor's axis
        fixable = obj.axis_node is not None
        if self.flag(node, None, verdicts, t, fix_node=obj.axis_node if fixable else None, no_fix=not fixable):
            return Tensor(None, t.name)
        if torch_reduction and not obj.reduction_none:
            return _scalar(t)
        if api.reduces and t.layout is not None:
            positions, _ = checks.resolve_positions(t.layout, axis)
            if positions:
                return t.with_layout(reduce_axes(t.layout, set(positions), False))
        return Tensor(None, t.name)

    # -- the project's own functions and classes -------------------------------------------------
    def class_value(self, node: cst.ClassDef) -> ClassVal:
        attrs: dict = {}
        cls = ClassVal(node.name.value, attrs, node)
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                attrs[stmt.name.value] = Func(f"{node.name.value}.{stmt.name.value}", stmt, self.ctx, cls=cls)
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                        value = self.expr(small.value)
                        if isinstance(value, Const):
                            attrs[small.targets[0].target.value] = value
        return cls

    def call_helper(self, func: Func, node: cst.Call, partial: Partial | None = None):
        """Analyse a helper with the caller's argument values (after those a ``partial``
        binds); return its result."""
        positional, keywords, _, star = self._arguments(node)
        dstar = star and not self._star_args   # only `**kwargs`: unknown keywords
        if dstar:
            star = False
        if partial is not None:
            positional = list(partial.args) + positional
            keywords = {**{k: (v, None) for k, v in partial.kwargs}, **keywords}
        fn: cst.FunctionDef = func.node
        params = [p for p in list(fn.params.posonly_params) + list(fn.params.params)]
        if func.bound and params and params[0].name.value in ("self", "cls"):
            params = params[1:]
        if star or len(positional) > len(params) and fn.params.star_arg is None:
            return UNKNOWN
        ctx = Context(func.ctx.info, self.ctx.run) if func.ctx is not None else self.ctx
        env: dict = {}
        for i, p in enumerate(params):
            name = p.name.value
            if i < len(positional):
                env[name] = positional[i]
            elif name in keywords:
                env[name] = keywords[name][0]
            elif p.default is not None:
                env[name] = _soft(FunctionAnalyzer(ctx, {}, False, None, data_format=self.data_format).expr(p.default), dstar)
            else:
                env[name] = UNKNOWN
        for p in fn.params.kwonly_params:
            name = p.name.value
            env[name] = keywords[name][0] if name in keywords else (
                _soft(FunctionAnalyzer(ctx, {}, False, None, data_format=self.data_format).expr(p.default), dstar)
                if p.default is not None else UNKNOWN)
        if self.ctx.explain:
            call_text = self.ctx.code(node)
            env = {k: (v.with_layout(v.layout, f"passed to helper `{call_text}` as {k}", keep_root=True)
                       if isinstance(v, Tensor) else v) for k, v in env.items()}
        key = (id(fn), tuple(sorted(env.items(), key=lambda kv: kv[0])), self.per_sample or self.saw_per_sample, self.data_format)
        run = self.ctx.run
        try:
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in run.summaries:
            return run.summaries[key]
        if id(fn) in run.stack or len(run.stack) > 8:
            return UNKNOWN  # recursion (or a very deep chain): cut off
        run.stack.add(id(fn))
        try:
            helper = FunctionAnalyzer(ctx, env, self.per_sample or self.saw_per_sample, self.class_axis, self.self_attrs if func.bound else {},
                                      data_format=self.data_format, self_class=func.cls if func.bound else None)
            helper.pred_layout = self.pred_layout
            helper.run_body(fn)
            helper.finish()
        finally:
            run.stack.discard(id(fn))
        result = UNKNOWN
        if helper.returns:
            result = helper.returns[0]
            for other in helper.returns[1:]:
                result = join(result, other)
        if key is not None:
            run.summaries[key] = result
        return result

    # -- reporting -------------------------------------------------------------------------------
    def axis_text(self, arg_node, kw: str, axes) -> str:
        if arg_node is None:
            return f"{kw}={_fmt(axes)}"
        value = self.ctx.code(arg_node.value)
        name = arg_node.keyword.value if arg_node.keyword is not None else kw
        return f"{name}={value}"

    def resolution(self, arg_node, axes, t: Tensor) -> str | None:
        """For --explain: how the written axis became named axes."""
        if not self.ctx.explain or t.layout is None:
            return None
        where = "its default" if arg_node is None else f"`{self.ctx.code(arg_node.value)}`"
        if arg_node is not None and not isinstance(arg_node.value, (cst.Integer, cst.UnaryOperation, cst.Tuple, cst.List)):
            where += f" = {_fmt(axes)}"
            if self.data_format:
                where += f" (under {self.data_format})"
        positions, _ = checks.resolve_positions(t.layout, axes)
        hit = ", ".join(t.layout.axes[p].name for p in positions) if positions else "?"
        return f"{where} -> {hit} of {t.layout}"

    def step(self, node, t: Tensor, layout) -> str | None:
        if not self.ctx.explain:
            return None
        same = "keeps" if t.layout == layout else "gives"
        return f"`{self.ctx.code(node)}` {same} {layout}"

    def flag(self, site, arg_node, verdicts, t: Tensor | None, insert_kw: str | None = None,
             fix_node=None, no_fix: bool = False, resolution: str | None = None) -> bool:
        """Record the verdicts at a call site. True when one of them is enabled (the result
        of the operation then becomes unknown: one mistake, one finding)."""
        if t is not None and t.known and not any(v.code.startswith("LL1") for v in verdicts):
            self.ctx.run.sites_ok.add(id(site))   # right for this caller's layout
        fired = False
        for v in verdicts:
            if v.code not in self.ctx.enabled:
                continue
            # LL2xx are informational; LL103 waits for the end of the function (per-sample?)
            fired = fired or not (v.code.startswith("LL2") or v.code == "LL103")
            target = fix_node if fix_node is not None else (arg_node if arg_node is not None else None)
            c = Candidate(
                ctx=self.ctx,
                code=v.code,
                node=arg_node if arg_node is not None else site,
                site=site,
                message=v.message,
                fix_node=(target.value if isinstance(target, cst.Arg) else target) if v.fix_axes is not None and not no_fix else None,
                fix_value=v.fix_axes,
                fix_insert=(site, insert_kw) if v.fix_axes is not None and target is None and insert_kw and not no_fix else None,
                explain=(t.steps if t is not None else ()) + ((resolution,) if resolution else ()),
                stmt=self.ctx.run.current,
            )
            (self.pending if v.code == "LL103" else self.ctx.run.candidates).append(c)
        return fired


def _soft(value, soft: bool):
    """A helper's default when the call passes ``**kwargs``: it may be overridden."""
    return Const(value.value, soft=True) if soft and isinstance(value, Const) else value


def _raises(body) -> bool:
    last = body[-1] if body else None
    if isinstance(last, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return any(isinstance(s, cst.Raise) for s in last.body)
    return False


def _shape_subject(node) -> str | None:
    """``x`` of ``x.shape`` / ``x.size()``."""
    if isinstance(node, cst.Call) and not node.args:
        node = node.func
        if not (isinstance(node, cst.Attribute) and node.attr.value == "size"):
            return None
    elif not (isinstance(node, cst.Attribute) and node.attr.value == "shape"):
        return None
    return node.value.value if isinstance(node.value, cst.Name) else None


_INT_RANGE = Parts(ANY_INT)   # range(n) with n unknown: its elements are ints


def _element_of(value):
    """What a ``for`` loop over ``value`` binds."""
    if isinstance(value, Parts):
        return value.tensor
    if isinstance(value, Const) and isinstance(value.value, tuple) and value.value and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value.value):
        return ANY_INT   # for c in range(3)
    if isinstance(value, Seq) and value.items:
        out = value.items[0]
        for item in value.items[1:]:
            out = join(out, item)
        return out
    return UNKNOWN


_SPLITS = ("torch.split", "torch.chunk", "torch.tensor_split", "tensorflow.split", "numpy.split",
           "numpy.array_split")
_SPLIT_METHODS = ("split", "chunk", "tensor_split")
_CREATE = ("torch.zeros", "torch.ones", "torch.full", "torch.empty", "torch.rand", "torch.randn",
           "numpy.zeros", "numpy.ones", "numpy.full", "numpy.empty", "tensorflow.zeros",
           "tensorflow.ones", "tensorflow.fill")
_MUTATORS = ("append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse")
_ORDER = {"LessThan": lambda a, b: a < b, "LessThanEqual": lambda a, b: a <= b,
          "GreaterThan": lambda a, b: a > b, "GreaterThanEqual": lambda a, b: a >= b}
_BUILTINS = ("len", "range", "list", "tuple")
_ARANGES = ("torch.arange", "numpy.arange")


def _range_const(args, node) -> object:
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


def _root_axis(root, perm, axis: int):
    """The root axis a class-axis use hits: ("abs", i) when the rank is known, else ("raw", axis)."""
    if perm is not None:
        p = normalize(axis, len(perm))
        return ("abs", perm[p]) if p is not None else None
    if root.rank is not None:
        p = normalize(axis, root.rank)
        return ("abs", p) if p is not None else None
    return ("raw", axis)


def _differ(a, b) -> bool:
    if a[0] == "abs" and b[0] == "abs":
        return a[1] != b[1]
    if a[0] == "raw" and b[0] == "raw":
        return (a[1] < 0) == (b[1] < 0) and a[1] != b[1]
    return False


def _track_perm(out: Tensor, src: Tensor, order: list[int]) -> Tensor:
    """Keep the root of a permuted tensor (for LL107): result axis i is root axis perm[i]."""
    if src.root is None:
        return out
    if src.perm is None:
        if src.root.rank is None:
            src.root.rank = len(order)
        if src.root.rank != len(order):
            return out
        base = tuple(range(len(order)))
    else:
        base = src.perm
        if len(base) != len(order):
            return out
    return replace(out, root=src.root, perm=tuple(base[p] for p in order))


def _literal(node) -> bool:
    """An axis written as a literal: 1, -1, (2, 3), [1, 2]."""
    if isinstance(node, cst.Integer):
        return True
    if isinstance(node, cst.UnaryOperation):
        return isinstance(node.expression, cst.Integer)
    if isinstance(node, (cst.Tuple, cst.List)):
        return bool(node.elements) and all(_literal(el.value) for el in node.elements)
    return False


def _scalar(t: Tensor) -> Tensor:
    return Tensor(Layout(()), t.name, t.steps)


def _with_default(call: Api, default) -> Api:
    from dataclasses import replace

    return replace(call, default=default)


def _reduction_none(keywords) -> bool:
    r = keywords.get("reduction")
    return r is not None and isinstance(r[0], Const) and r[0].value == "none"


def _fmt(axes) -> str:
    if isinstance(axes, tuple):
        return "(" + ", ".join(str(a) for a in axes) + ("," if len(axes) == 1 else "") + ")"
    return str(axes)


def _name_of(*values) -> str:
    for v in values:
        if isinstance(v, Tensor):
            return v.name
    return "tensor"


def _reshape(axes: list[Axis], shape: list) -> list[Axis] | None:
    """Map a reshape's shape arguments onto named axes: ``x.size(0)`` / ``x.shape[i]`` name an
    axis, ``-1`` absorbs the axes up to the next named one, ``1`` is a size-1 axis."""
    out: list[Axis] = []
    i = 0
    for k, item in enumerate(shape):
        if isinstance(item, Dim):
            while i < len(axes) and axes[i].size == 1 and axes[i] != item.axis:
                i += 1
            if i < len(axes) and axes[i] == item.axis:
                out.append(item.axis)
                i += 1
                continue
            if item.axis.parts:   # reshape(batch * chans, height * width): adjacent axes merged
                for j in range(i + 2, len(axes) + 1):
                    if merged(axes[i:j]) == item.axis:
                        out.append(item.axis)
                        i = j
                        break
                else:
                    return None
                continue
            return None
        if isinstance(item, Const) and item.value == -1:
            nxt = None
            for later in shape[k + 1:]:
                if isinstance(later, Dim):
                    nxt = later.axis
                    break
                if not (isinstance(later, Const) and later.value == 1):
                    return None  # another unknown size after -1: cannot place it
            j = len(axes)
            if nxt is not None:
                if nxt not in axes[i:]:
                    return None
                j = axes.index(nxt, i)
            if j <= i:
                return None
            out.append(merged(axes[i:j]))
            i = j
            continue
        if isinstance(item, Const) and item.value == 1:
            out.append(ONE)
            continue
        return None
    while i < len(axes) and axes[i].size == 1:
        i += 1
    return out if i == len(axes) else None


def _einops_tokens(side: str):
    out: list = []
    group = None
    for tok in side.replace("(", " ( ").replace(")", " ) ").split():
        if tok == "(":
            if group is not None:
                return None
            group = []
        elif tok == ")":
            if group is None:
                return None
            out.append(group)
            group = None
        elif group is not None:
            group.append(tok)
        else:
            out.append(tok)
    return out if group is None else None


def module_globals(info, data_format: str | None) -> dict:
    """Evaluate a module's top-level statements (not function bodies) with no rule enabled:
    constants, conditionals on the data format, functions and classes."""
    quiet = Context(info, Run(set()))
    analyzer = FunctionAnalyzer(quiet, {}, False, None, data_format=data_format, module_scope=True)
    for stmt in info.module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and any(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
        ):
            continue
        analyzer.stmt(stmt)
    return analyzer.env


def _joined(ends: list[dict], only_set: bool = False) -> dict:
    """Each name's join over the branches that fall through (unset in one of them: unknown, or
    with ``only_set`` the join of the branches that set it)."""
    merged = {}
    for name in set().union(*ends):
        values = [e[name] for e in ends if name in e] if only_set else [e.get(name, UNKNOWN) for e in ends]
        v = values[0]
        for other in values[1:]:
            v = join(v, other)
        merged[name] = v
    return merged
