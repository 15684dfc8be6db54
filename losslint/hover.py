"""What the editor shows on hover: the inferred layout of a tensor expression and where it
came from, or the named axis an axis argument hits. Computed for one document on demand."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field


from . import source
from .checker import _selected
from .config import Config
from .positions import locate


@dataclass(frozen=True)
class HoverItem:
    line: int          # 1-based
    column: int        # 1-based
    end_line: int
    end_column: int    # exclusive
    render: object = field(compare=False, repr=False)   # () -> markdown, run for the item shown

    @property
    def text(self) -> str:
        """The markdown (an editor shows one item at a time: only that one is rendered)."""
        return self.render() if callable(self.render) else self.render

    def contains(self, line: int, column: int) -> bool:
        return (self.line, self.column) <= (line, column) < (self.end_line, self.end_column)

    @property
    def size(self) -> tuple[int, int]:
        return (self.end_line - self.line, self.end_column - self.column if self.end_line == self.line else 10**6)


def hover_items(path: str, text: str, cfg: Config) -> list[HoverItem]:
    """Analyse a document for hover alone (the language server reuses its diagnostics pass:
    ``items_from_record``)."""
    from .engine import analyse_module

    try:
        src = source.read(path, text.encode("utf-8"))
        module = source.parse(src)
    except source.SourceError:
        return []
    record: dict = {}
    try:
        analyse_module(module, src, cfg, _selected(cfg), explain=True, record=record)
    except Exception:
        return []
    return items_from_record(src, record)


def items_from_record(src, record: dict) -> list[HoverItem]:
    """Hover items of one document from what its analysis recorded; positions are computed
    here, on the first hover, not during the analysis."""
    if not record or src is None:
        return []
    mine = [entry for entry in record.values() if entry[1].src is src or entry[1].path == src.path]
    if not mine:
        return []
    info = mine[0][1]
    module = info.module
    # each node from the statement it was recorded in (positions.py), the rest the slow way
    positions = locate(module, info.starts, [(node, stmt) for node, _, _, stmt in mine])
    items = []
    for node, info, (kind, value), _ in mine:
        if node not in positions:
            continue
        r = positions[node]
        body = functools.partial(_tensor_text, module, node, value) if kind == "tensor" else value
        items.append(HoverItem(r.start.line, r.start.column + 1, r.end.line, r.end.column + 1, body))
    return items


def _tensor_text(module, node, value) -> str:
    code = " ".join(module.code_for_node(node).split())
    code = code if len(code) <= 60 else code[:57] + "..."
    lines = [f"**{value.layout}** `{code}`"]
    lines += [f"- {step}" for step in value.steps]
    return "\n".join(lines)


def hover_at(items: list[HoverItem], line: int, column: int) -> HoverItem | None:
    """The innermost item under a 1-based position."""
    hits = [i for i in items if i.contains(line, column)]
    return min(hits, key=lambda i: i.size) if hits else None
