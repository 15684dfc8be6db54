"""What a check produces: findings with positions and optional fixes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Edit:
    """Replace the text between two 1-based (line, column) positions; end is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int
    new_text: str

    def to_json(self) -> dict:
        return {
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "new_text": self.new_text,
        }


@dataclass(frozen=True)
class Fix:
    message: str
    edits: tuple[Edit, ...]

    def to_json(self) -> dict:
        return {"message": self.message, "edits": [e.to_json() for e in self.edits]}


@dataclass(frozen=True, order=True)
class Finding:
    """One diagnostic. Lines and columns are 1-based; ``end_column`` is exclusive."""

    path: str
    line: int
    column: int
    code: str
    message: str = field(compare=False)
    end_line: int = field(default=0, compare=False)
    end_column: int = field(default=0, compare=False)
    fix: Fix | None = field(default=None, compare=False)
    explain: tuple[str, ...] = field(default=(), compare=False)

    @property
    def name(self) -> str:
        from .rules import RULES

        return RULES[self.code].name

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line or self.line,
            "end_column": self.end_column or self.column,
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "fix": self.fix.to_json() if self.fix else None,
            **({"explain": list(self.explain)} if self.explain else {}),
        }


def finding_from_json(d: dict) -> Finding:
    fix = None
    if d.get("fix"):
        fix = Fix(d["fix"]["message"], tuple(
            Edit(e["line"], e["column"], e["end_line"], e["end_column"], e["new_text"]) for e in d["fix"]["edits"]))
    return Finding(d["path"], d["line"], d["column"], d["code"], d["message"], d["end_line"], d["end_column"],
                   fix, tuple(d.get("explain", ())))


Finding.from_json = staticmethod(finding_from_json)  # type: ignore[attr-defined]


def display_path(path) -> str:
    """Paths of other modules are shown like the checked ones: relative to the cwd if below it."""
    import os
    from pathlib import Path

    path = Path(path)
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd().resolve()) else str(path)
    except (OSError, ValueError):
        return str(path)
