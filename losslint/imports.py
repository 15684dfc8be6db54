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


class AliasCollector(cst.CSTVisitor):
    """Collects ``alias -> qualified name`` for every import in a module (any depth)."""

    def __init__(self, module_name: str = ""):
        self.aliases: dict[str, str] = {}
        self.module_name = module_name

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        for stmt in node.body:
            if isinstance(stmt, cst.Import):
                self.visit_Import(stmt)
            elif isinstance(stmt, cst.ImportFrom):
                self.visit_ImportFrom(stmt)
        return False  # imports are statements: never descend into expressions

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            full = _module_name(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.aliases[alias.asname.name.value] = full
            else:
                top = full.split(".", 1)[0]
                self.aliases[top] = top
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if isinstance(node.names, cst.ImportStar):
            return False
        base = _module_name(node.module) if node.module is not None else ""
        if node.relative:
            dots = len(node.relative)
            pkg = self.module_name.split(".")
            prefix = ".".join(pkg[: max(len(pkg) - dots, 0)])
            base = ".".join(p for p in (prefix, base) if p)
        for alias in node.names:
            name = _module_name(alias.name)
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
            self.aliases[local] = f"{base}.{name}" if base else name
        return False



def collect_aliases(module: cst.Module, module_name: str = "") -> dict[str, str]:
    collector = AliasCollector(module_name)
    module.visit(collector)
    return collector.aliases
