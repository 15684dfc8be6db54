"""What the editor shows on hover: the inferred layout of a tensor expression and where it
came from, or the named axis an axis argument hits. Computed for one document on demand."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field


from . import source
from .checker import _selected
from .config import Config


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
    """Every hover item of one document, from what its analysis recorded."""
    return HoverIndex(src, record).all()


class HoverIndex:
    """The hover items of one document, placed on demand: a hover at line L places only the
    recorded expressions whose statement spans L (an expression lies inside the statement it
    was recorded in), generating those statements alone (positions.py). The first hover after
    an edit of a long module costs one statement, not every recorded expression."""

    def __init__(self, src, record: dict):
        mine = [entry for entry in record.values() if entry[1].src is src or entry[1].path == src.path] \
            if record and src is not None else []
        self.entries = mine
        self.module = mine[0][1].module if mine else None
        self.places = mine[0][1].starts if mine else None
        self.items: dict[int, HoverItem | None] = {}   # entry index -> its item (None: not placed)
        self.spans: list[tuple[int, int, object, list[int]]] = []   # (first, last line, stmt, entries)
        self.loose: list[int] = []   # entries whose statement has no known lines
        self._lines: dict | None = None

    def _index(self) -> None:
        from .positions import statement_lines

        self._lines = statement_lines(self.module, self.places)
        by_stmt: dict[int, tuple] = {}
        for k, (_, _, _, stmt) in enumerate(self.entries):
            where = self._lines.get(id(stmt)) if stmt is not None else None
            if where is None:
                self.loose.append(k)
            else:
                by_stmt.setdefault(id(stmt), (where[0], where[3], stmt, []))[3].append(k)
        self.spans = list(by_stmt.values())

    def _place(self, indexes: list[int], stmt=None) -> None:
        from .positions import locate, positions_in_statements

        todo = [k for k in indexes if k not in self.items]
        if not todo:
            return
        nodes = [self.entries[k][0] for k in todo]
        if stmt is not None:
            found = positions_in_statements([(stmt, nodes)], self._lines)
            missing = [k for k in todo if self.entries[k][0] not in found]
            if missing:   # (a node its statement alone does not render: the slow way)
                found.update(locate(self.module, self.places, [(self.entries[k][0], None) for k in missing]))
        else:
            found = locate(self.module, self.places, [(n, None) for n in nodes])
        for k in todo:
            node, _, (kind, value), _ = self.entries[k]
            r = found.get(node)
            if r is None:
                self.items[k] = None
                continue
            body = functools.partial(_tensor_text, self.module, node, value) if kind == "tensor" else value
            self.items[k] = HoverItem(r.start.line, r.start.column + 1, r.end.line, r.end.column + 1, body)

    def at(self, line: int, column: int) -> HoverItem | None:
        """The innermost item under a 1-based position (as ``hover_at`` over ``all()``)."""
        if not self.entries:
            return None
        if self._lines is None:
            self._index()
        candidates = list(self.loose)
        self._place(self.loose)
        for first, last, stmt, indexes in self.spans:
            if first <= line <= last:
                self._place(indexes, stmt)
                candidates.extend(indexes)
        items = [self.items[k] for k in sorted(candidates) if self.items.get(k) is not None]
        return hover_at(items, line, column)

    def all(self) -> list[HoverItem]:
        if not self.entries:
            return []
        if self._lines is None:
            self._index()
        self._place(self.loose)
        for _, _, stmt, indexes in self.spans:
            self._place(indexes, stmt)
        return [self.items[k] for k in range(len(self.entries)) if self.items.get(k) is not None]


def _tensor_text(module, node, value) -> str:
    code = " ".join(module.code_for_node(node).split())
    code = code if len(code) <= 60 else code[:57] + "..."
    lines = [f"**{value.layout}** `{code}`"]
    lines += [f"- {step}" for step in value.steps]
    return "\n".join(lines)


def hover_at(items, line: int, column: int) -> HoverItem | None:
    """The innermost item under a 1-based position (``items``: a list or a HoverIndex)."""
    if isinstance(items, HoverIndex):
        return items.at(line, column)
    hits = [i for i in items if i.contains(line, column)]
    return min(hits, key=lambda i: i.size) if hits else None
