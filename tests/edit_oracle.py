"""An independent way to apply fix edits, for tests to compare fixes.apply_edits against."""

from __future__ import annotations

import re

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")   # lines as Python numbers them, with their ends


def apply_independently(text: str, edits) -> str:
    """Apply ``(line, column, end_line, end_column, new_text)`` edits (1-based, end exclusive),
    counting lines as Python does: exactly the edited spans replaced, nothing else; an edit
    overlapping a later one is skipped."""
    starts = [0]
    for ln in _LINE.findall(text):
        starts.append(starts[-1] + len(ln))
    spans = sorted(((starts[line - 1] + col - 1, starts[end_line - 1] + end_col - 1, new)
                    for line, col, end_line, end_col, new in edits), reverse=True)
    out, last = text, len(text) + 1
    for a, b, new in spans:
        if b > last:
            continue
        out = out[:a] + new + out[b:]
        last = a
    return out
