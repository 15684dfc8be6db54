"""Positions of the few nodes that carry findings, in one light code-generation pass.

libcst's ``PositionProvider`` computes a range for every node of the module (a regex split per
token, a record per node) and costs several times the parse. We only need the nodes that are
reported or edited, so this codegen state tracks line and column cheaply and records ranges with
the same semantics (syntactic position where a node declares one, else the node's own span)
only for those nodes, plus the few whose ranges others hoist."""

from __future__ import annotations

import ast
import dataclasses
from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst._position import CodePosition, CodeRange

from .pruning import line_groups


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


@dataclass(frozen=True)
class Place:
    """Where a top-level statement of an assembled module sits in its file (source.assemble):
    the line of its first token, the indentation and newline of the text it was parsed from,
    and its CPython ``ast`` statements (for the lines of a class's members)."""

    line: int
    indent: str = "    "
    newline: str = "\n"
    nodes: tuple = ()
    col: int = 0          # a statement parsed alone from inside a function starts there


_BODY = "body"   # the memo's entry for the statements of the last module it placed


def positions_of(module: cst.Module, nodes, places: list | None = None, memo: dict | None = None) -> dict:
    """node -> CodeRange (1-based lines, 0-based columns) for the given nodes.

    ``places`` (one ``Place`` or line per statement of ``module.body``) say where each
    top-level statement starts in the file; a module may hold only some of the file's
    statements (pruning.py). Only the statements holding a wanted node are generated, each
    from its own line; inside a class, only the members holding one. Without ``places`` the
    whole module is generated once (a module parsed in one piece).

    ``memo`` (the language server's, per document) keeps each range relative to the line of
    its top-level statement: a node of an unchanged statement (the same object again) is only
    shifted to where the statement is now."""
    wanted = {id(n) for n in nodes}
    if not wanted:
        return {}
    found: dict = {}
    previous: tuple = ()
    if memo is not None and places is not None and len(places) == len(module.body):
        lines = {id(stmt): (place.line if isinstance(place, Place) else place)
                 for stmt, place in zip(module.body, places)}
        for n in nodes:
            hit = memo.get(id(n))
            if hit is not None and hit[0] is n and hit[1] in lines:
                delta = lines[hit[1]] - 1
                r = hit[2]
                found[n] = CodeRange(CodePosition(r.start.line + delta, r.start.column),
                                     CodePosition(r.end.line + delta, r.end.column))
                wanted.discard(id(n))
        for key in [k for k, v in memo.items() if k != _BODY and v[1] not in lines]:
            del memo[key]   # statements gone or changed
        previous = memo.get(_BODY, ())
        memo[_BODY] = tuple(module.body)   # (the statements themselves: their ids stay theirs)
        if not wanted:
            return found
    if places is None or len(places) != len(module.body):
        state = _TargetedState(default_indent=module.default_indent,
                               default_newline=module.default_newline, targets=frozenset(wanted))
        module._codegen(state)
        return {n: r for n, r in state.computed.items() if id(n) in wanted}
    order = list(zip(module.body, places))
    if memo:   # statements new in this version first (an edit re-parsed them: a new node is
        # there), then those whose ranges were never computed
        known = {v[1] for k, v in memo.items() if k != _BODY}
        before = {id(stmt) for stmt in previous}
        order.sort(key=lambda sp: (id(sp[0]) in before, id(sp[0]) in known))
    remaining = set(wanted)
    for stmt, place in order:
        if not remaining:
            break
        if not isinstance(place, Place):
            place = Place(place, module.default_indent, module.default_newline)
        if not _contains(stmt, remaining):
            continue
        before = set(found) if memo is not None else None
        members = _member_lines(stmt, place)
        if members is None:
            _generate(stmt, place.line, [], place, wanted, found)
        else:
            indent = [stmt.body.indent if stmt.body.indent is not None else place.indent]
            for member, line in zip(stmt.body.body, members):
                if _contains(member, wanted):
                    _generate(member, line, indent, place, wanted, found)
            if any(id(n) in wanted for n in (stmt, stmt.body, stmt.name)):   # the class itself
                _generate(stmt, place.line, [], place, wanted, found)
        remaining -= {id(n) for n in found}
        if memo is not None:
            for n in set(found) - before:
                r = found[n]
                memo[id(n)] = (n, id(stmt), CodeRange(CodePosition(r.start.line - place.line + 1, r.start.column),
                                                     CodePosition(r.end.line - place.line + 1, r.end.column)))
    return found


def statement_lines(module: cst.Module, places: list) -> dict:
    """id(statement) -> (its first line, the indentation tokens of its blocks, its Place, its
    last line) for every statement at any depth, from a walk of the two trees' statement lists
    side by side (statements only: cheap). Where the two differ (an ``elif``, a match), that
    part is left out and positions_of is the fallback."""
    out: dict = {}
    if places is None or len(places) != len(module.body):
        return out
    for stmt, place in zip(module.body, places):
        if isinstance(place, Place) and len(place.nodes) == 1:
            _pair([stmt], list(place.nodes), [], place, out)
    return out


def _pair(cst_body, ast_body, indent: list[str], place: Place, out: dict) -> None:
    groups = line_groups(ast_body)   # (one per libcst statement line)
    if len(groups) != len(cst_body):
        return
    for c, (line, end, nodes) in zip(cst_body, groups):
        out[id(c)] = (line, tuple(indent), place, end)
        if len(nodes) != 1 or not isinstance(c, cst.BaseCompoundStatement):
            continue
        a = nodes[0]
        for c_block, a_block in _blocks(c, a):
            if isinstance(c_block, cst.IndentedBlock):
                _pair(c_block.body, a_block, indent + [c_block.indent if c_block.indent is not None else place.indent],
                      place, out)


def _blocks(c, a):
    yield getattr(c, "body", None), getattr(a, "body", [])
    orelse = getattr(c, "orelse", None)
    if isinstance(orelse, cst.Else):   # (an elif renders differently alone: left out)
        yield orelse.body, getattr(a, "orelse", [])
    if isinstance(c, cst.Try) and isinstance(a, ast.Try):
        if len(c.handlers) == len(a.handlers):
            for ch, ah in zip(c.handlers, a.handlers):
                yield ch.body, ah.body
        if c.finalbody is not None:
            yield c.finalbody.body, a.finalbody


def locate(module: cst.Module, places: list | None, pairs, memo: dict | None = None) -> dict:
    """node -> CodeRange for (node, its innermost statement or None) pairs: each node from its
    statement alone where the statement is known (``statement_lines``), the others by
    positions_of. With the language server's memo, positions_of (which shifts the ranges it
    remembers) places them all."""
    found: dict = {}
    if memo is None:
        groups: dict[int, tuple] = {}
        for node, stmt in pairs:
            if stmt is not None:
                groups.setdefault(id(stmt), (stmt, []))[1].append(node)
        if groups:
            found = positions_in_statements(groups.values(), statement_lines(module, places))
    missing = [node for node, _ in pairs if node not in found]
    if missing:
        found.update(positions_of(module, missing, places, memo))
    return found


def positions_in_statements(groups, lines: dict) -> dict:
    """Ranges of nodes whose innermost statement is known: ``groups`` gives each statement
    with the nodes wanted in it; only that statement is generated, from its line and
    indentation (``statement_lines``). Nodes not found there are left to positions_of."""
    found: dict = {}
    for stmt, nodes in groups:
        where = lines.get(id(stmt))
        if where is None:
            continue
        line, indent, place, _ = where
        _generate(stmt, line, list(indent), place, {id(n) for n in nodes}, found)
    return found


def _generate(stmt, line: int, indent: list[str], place: Place, wanted: set[int], found: dict) -> None:
    state = _TargetedState(default_indent=place.indent, default_newline=place.newline,
                           targets=frozenset(wanted))
    state.indent_tokens = list(indent)
    state.line = line - len(stmt.leading_lines)
    if not indent and line == place.line:
        state.column = place.col
    stmt._codegen(state)
    found.update((n, r) for n, r in state.computed.items() if id(n) in wanted)


def _member_lines(stmt, place: Place) -> list[int] | None:
    """The first line of each statement of a top-level class's body, from ``ast`` (statements
    joined by ``;`` are one libcst line); None when it is not a class or the trees differ."""
    if not isinstance(stmt, cst.ClassDef) or not isinstance(stmt.body, cst.IndentedBlock):
        return None
    if len(place.nodes) != 1 or not isinstance(place.nodes[0], ast.ClassDef):
        return None
    lines = [line for line, _, _ in line_groups(place.nodes[0].body)]
    return lines if len(lines) == len(stmt.body.body) else None


_FIELDS: dict[type, tuple[str, ...]] = {}


def _contains(node, wanted: set[int]) -> bool:
    """Whether a wanted node is in the subtree. Reads the dataclass fields directly: libcst's
    ``children`` runs its visitor machinery for every node and costs six times more."""
    stack = [node]
    base = cst.CSTNode
    while stack:
        n = stack.pop()
        if id(n) in wanted:
            return True
        names = _FIELDS.get(type(n))
        if names is None:
            names = _FIELDS[type(n)] = tuple(f.name for f in dataclasses.fields(n))
        for name in names:
            value = getattr(n, name)
            if isinstance(value, base):
                stack.append(value)
            elif isinstance(value, (list, tuple)):
                stack.extend(v for v in value if isinstance(v, base))
    return False
