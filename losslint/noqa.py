"""``# noqa`` suppression with flake8's exact semantics."""

from __future__ import annotations

import re

# flake8.defaults.NOQA_INLINE_REGEXP: case-insensitive "# noqa"; a code list that does not
# parse leaves ``codes`` empty, which suppresses everything on the line (as in flake8).
NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_SPLIT = re.compile(r"[,\s]")


def suppressed(code: str, line_text: str) -> bool:
    if "#" not in line_text:
        return False
    match = NOQA.search(line_text)
    if match is None:
        return False
    codes_str = match.group("codes")
    if codes_str is None:
        return True
    codes = {c.strip() for c in _SPLIT.split(codes_str) if c.strip()}
    return code in codes or code.startswith(tuple(codes))


def add_code(line_text: str, code: str) -> str:
    """The line with ``code`` added to its ``# noqa: ...`` comment (or a new one)."""
    match = NOQA.search(line_text)
    if match is None:
        return line_text.rstrip() + f"  # noqa: {code}"
    codes_str = match.group("codes")
    if codes_str is None:
        return line_text  # a blanket noqa already suppresses everything
    codes = [c for c in _SPLIT.split(codes_str) if c.strip()]
    if code in codes:
        return line_text
    new = "# noqa: " + ", ".join(codes + [code])
    # The code list swallows the separators after the last code: keep them (and any text
    # that follows, such as "because ...") outside the rewritten comment.
    end = match.start("codes") + len(codes_str.rstrip(", \t"))
    return line_text[: match.start()] + new + line_text[end:]
