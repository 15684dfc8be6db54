"""Applying fixes: minimal text edits, re-checked to a fixed point, written atomically."""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from dataclasses import dataclass

import libcst as cst

from .findings import Edit, Finding

MAX_PASSES = 5


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """Lines with their ends, broken where Python (and libcst's positions) break them: at
    \\n, \\r\\n and \\r only, not at form feeds or U+2028 as ``str.splitlines`` does."""
    return _LINE.findall(text)


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (1-based line/column, end exclusive). Overlaps are skipped."""
    lines = split_lines(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, col: int) -> int:
        return starts[line - 1] + col - 1 if line - 1 < len(starts) else len(text)

    spans = sorted(((offset(e.line, e.column), offset(e.end_line, e.end_column), e.new_text) for e in edits), reverse=True)
    out = text
    last_start = len(text) + 1
    for start, end, new in spans:
        if end > last_start:
            continue  # overlaps an edit already applied
        out = out[:start] + new + out[end:]
        last_start = start
    return out


@dataclass
class FixResult:
    path: str
    original: str
    fixed: str
    applied: int
    findings: list[Finding]   # what remains after fixing
    error: str | None = None


def fix_file(path: str, check, data: bytes | None = None) -> FixResult:
    """``check(path, data) -> (findings, text, encoding)``; fix to a fixed point."""
    findings, original, encoding = check(path, data)
    text = original
    applied = 0
    for _ in range(MAX_PASSES):
        # only this file's findings: a helper module's findings belong to that module
        own = [f for f in findings if f.fix and os.path.normpath(f.path) == os.path.normpath(path)]
        edits = [e for f in own for e in f.fix.edits]
        if not edits:
            break
        new_text = apply_edits(text, edits)
        if new_text == text:
            break
        try:
            cst.parse_module(new_text)
        except Exception:
            return FixResult(path, original, original, 0, findings, "a fix would break the syntax; left unchanged")
        applied += len(own)
        text = new_text
        findings, _, _ = check(path, new_text.encode(encoding))
    return FixResult(path, original, text, applied, findings)


def write_atomic(path: str, text: str, encoding: str, expected: bytes) -> str | None:
    """Write ``text`` to ``path`` if the file still holds ``expected``; keep its mode.
    Returns an error message, or None on success. A symlink is followed: its target is
    rewritten, the link stays a link."""
    path = os.path.realpath(path)
    try:
        with open(path, "rb") as fh:
            if fh.read() != expected:
                return "changed on disk since it was read; not overwritten"
        st = os.stat(path)
    except OSError as exc:
        return f"cannot re-read: {exc.strerror or exc}"
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".losslint-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode(encoding))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, st.st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, Exception):
            return f"cannot write: {exc}"
        raise
    return None


def unified_diff(path: str, before: str, after: str) -> str:
    out = []
    for line in difflib.unified_diff(split_lines(before), split_lines(after),
                                     fromfile=f"a/{path}", tofile=f"b/{path}"):
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:   # the last line of a file without a final newline: say so, as diff(1) does
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)
