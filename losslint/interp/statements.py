"""Statements and control flow: blocks, assignments and their targets, branches joined,
loops run once and joined with the state before them, ``try``, ``with``, and the refinements
that assertions and guards give (``assert a.shape == b.shape``)."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from ..ops.elementwise import combine
from ..values import ANY_INT, UNKNOWN, Const, Dim, Func, Pair, Parts, Seq, ShapeOf, Tensor, join, unknown_axis


class Statements:
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
            self.if_stmt(node)
        elif isinstance(node, (cst.For, cst.While)):
            if isinstance(node, cst.For):
                self.bind(node.target, element_of(self.expr(node.iter)))
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

    def if_stmt(self, node: cst.If) -> None:
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
        if node.orelse is None and raises(node.body.body):
            self.refine(node.test, False)   # `if x.shape != y.shape: raise ...`

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
        names = [shape_subject(test.left), shape_subject(test.comparisons[0].comparator)]
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
        self.env = joined(ends)
        # ``self.dim = 1`` in one branch and ``-1`` in the other (a constructor flag): unknown,
        # like a local variable, not whichever branch came last. An attribute that a branch
        # leaves unset (and was not set before) is joined over the branches that set it: read
        # after a path that skipped it, it would raise.
        self._reset_attrs(joined(attr_ends, only_set=True))

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
                result = combine(self, node, sym, [left, right])
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
            self.bind_elements(target, value)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
            self.self_attrs[target.attr.value] = value
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) \
                and isinstance(self.env.get(target.value.value), (Const, Seq)):
            self.env[target.value.value] = UNKNOWN   # axes[0] = 2: a list changed in place
        # other subscripts and targets: nothing to track

    def bind_elements(self, target, value) -> None:
        """``a, b = ...``: shapes unpacked into named sizes, tuples, (values, indices)."""
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


def raises(body) -> bool:
    last = body[-1] if body else None
    if isinstance(last, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return any(isinstance(s, cst.Raise) for s in last.body)
    return False


def shape_subject(node) -> str | None:
    """``x`` of ``x.shape`` / ``x.size()``."""
    if isinstance(node, cst.Call) and not node.args:
        node = node.func
        if not (isinstance(node, cst.Attribute) and node.attr.value == "size"):
            return None
    elif not (isinstance(node, cst.Attribute) and node.attr.value == "shape"):
        return None
    return node.value.value if isinstance(node.value, cst.Name) else None


def element_of(value):
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


def joined(ends: list[dict], only_set: bool = False) -> dict:
    """Each name's join over the branches that fall through (unset in one of them: unknown, or
    with ``only_set`` the join of the branches that set it)."""
    out = {}
    for name in set().union(*ends):
        values = [e[name] for e in ends if name in e] if only_set else [e.get(name, UNKNOWN) for e in ends]
        v = values[0]
        for other in values[1:]:
            v = join(v, other)
        out[name] = v
    return out
