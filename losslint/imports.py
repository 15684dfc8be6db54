"""Import aliases from ``Import`` / ``ImportFrom`` nodes: our own table, no scope metadata."""

from __future__ import annotations

import libcst as cst


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def _module_name(node) -> str:
    return dotted(node) or ""


def statement_blocks(stmt):
    """The statement lists nested in a compound statement (bodies, else, except, finally, cases)."""
    body = getattr(stmt, "body", None)
    if isinstance(body, cst.IndentedBlock):
        yield body.body
    for attr in ("orelse", "finalbody"):
        part = getattr(stmt, attr, None)
        if isinstance(part, cst.If):
            yield [part]
        elif part is not None and isinstance(getattr(part, "body", None), cst.IndentedBlock):
            yield part.body.body
    for h in getattr(stmt, "handlers", ()):
        if isinstance(h.body, cst.IndentedBlock):
            yield h.body.body
    for case in getattr(stmt, "cases", ()):
        if isinstance(case.body, cst.IndentedBlock):
            yield case.body.body


def simple_statements(body):
    """Every small statement (``x = 1``, ``import a``, ``f()``) at any depth, walking
    statements only: libcst's visitor rebuilds nodes and costs more than the parse."""
    for _, small in simple_statements_in(body):
        yield small


def simple_statements_in(body):
    """(the statement holding it, small statement) for every small statement at any depth:
    the holder is its line, or the compound statement whose header line it is on."""
    stack = [iter(body)]
    while stack:
        for stmt in stack[-1]:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    yield stmt, small
            elif isinstance(stmt, cst.BaseCompoundStatement):
                if isinstance(getattr(stmt, "body", None), cst.SimpleStatementSuite):
                    for small in stmt.body.body:
                        yield stmt, small
                stack.append(iter([b for block in statement_blocks(stmt) for b in block]))
                break
        else:
            stack.pop()


def collect_aliases(module: cst.Module, module_name: str = "") -> dict[str, str]:
    """``alias -> qualified name`` for every import in a module (any depth)."""
    aliases: dict[str, str] = {}
    for small in simple_statements(module.body):
        if isinstance(small, cst.Import):
            for alias in small.names:
                full = _module_name(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    aliases[alias.asname.name.value] = full
                else:
                    top = full.split(".", 1)[0]
                    aliases[top] = top
        elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            base = _module_name(small.module) if small.module is not None else ""
            if small.relative:
                pkg = module_name.split(".")
                prefix = ".".join(pkg[: max(len(pkg) - len(small.relative), 0)])
                base = ".".join(p for p in (prefix, base) if p)
            for alias in small.names:
                name = _module_name(alias.name)
                local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
                aliases[local] = f"{base}.{name}" if base else name
    return aliases
