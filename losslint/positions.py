"""Positions of the few nodes that carry findings, in one light code-generation pass.

libcst's ``PositionProvider`` computes a range for every node of the module (a regex split per
token, a record per node) and costs several times the parse. We only need the nodes that are
reported or edited, so this codegen state tracks line and column cheaply and records ranges with
the same semantics (syntactic position where a node declares one, else the node's own span)
only for those nodes, plus the few whose ranges others hoist."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst._position import CodePosition, CodeRange


@dataclass(frozen=False)
class _TargetedState(CodegenState):
    targets: frozenset = frozenset()
    computed: dict = field(default_factory=dict)
    line: int = 1
    column: int = 0
    _stack: list = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        newlines = value.count("\n") + value.count("\r") - value.count("\r\n")
        if newlines:
            self.line += newlines
            last = max(value.rfind("\n"), value.rfind("\r"))
            self.column = len(value) - last - 1
        else:
            self.column += len(value)

    def before_codegen(self, node) -> None:
        self._stack.append((self.line, self.column))

    def after_codegen(self, node) -> None:
        line, column = self._stack.pop()
        if id(node) in self.targets and node not in self.computed:
            self.computed[node] = CodeRange(CodePosition(line, column), CodePosition(self.line, self.column))

    @contextmanager
    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        start = CodePosition(self.line, self.column)
        try:
            yield
        finally:
            end = CodePosition(self.line, self.column)
            if start_node is not None and start_node in self.computed:
                start = self.computed[start_node].start
            if end_node is not None and end_node in self.computed:
                end = self.computed[end_node].end
            # every syntactic range is kept (cheap): a parent may hoist a child's
            self.computed[node] = CodeRange(start, end)


def positions_of(module: cst.Module, nodes, tree=None) -> dict:
    """node -> CodeRange (1-based lines, 0-based columns) for the given nodes.

    With CPython's ``ast`` of the same text (``tree``), only the top-level statements that
    hold a wanted node are generated, each started at the line ``ast`` gives it; without it,
    the whole module is generated once."""
    wanted = {id(n) for n in nodes}
    if not wanted:
        return {}
    starts = _statement_starts(module, tree) if tree is not None else None
    if starts is None:
        state = _TargetedState(default_indent=module.default_indent,
                               default_newline=module.default_newline, targets=frozenset(wanted))
        module._codegen(state)
        return {n: r for n, r in state.computed.items() if id(n) in wanted}
    found: dict = {}
    for stmt, first_line in zip(module.body, starts):
        if not _contains(stmt, wanted):
            continue
        state = _TargetedState(default_indent=module.default_indent,
                               default_newline=module.default_newline, targets=frozenset(wanted))
        state.line = first_line - len(stmt.leading_lines)
        stmt._codegen(state)
        found.update((n, r) for n, r in state.computed.items() if id(n) in wanted)
    return found


def _contains(node, wanted: set[int]) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) in wanted:
            return True
        stack.extend(n.children)
    return False


def _statement_starts(module: cst.Module, tree) -> list[int] | None:
    """The line of the first token of each top-level statement (decorators included), from
    ``ast``; None when the two trees do not line up (then the caller generates everything)."""
    body = list(getattr(tree, "body", ()))
    starts: list[int] = []
    i = 0
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            count = len(stmt.body)
        else:
            count = 1
        if i >= len(body):
            return None
        first = body[i]
        decorators = getattr(first, "decorator_list", None)
        # a decorated statement starts at its first decorator, in both trees
        starts.append(decorators[0].lineno if decorators else first.lineno)
        i += count
    return starts if i == len(body) else None
