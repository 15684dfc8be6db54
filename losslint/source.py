"""Reading, decoding (PEP 263) and parsing a file; every failure becomes an LL001 finding."""

from __future__ import annotations

import ast
import codecs
import os
import stat
import io
import re
import tokenize
from dataclasses import dataclass

from .findings import Finding


@dataclass
class Source:
    path: str
    text: str
    lines: list[str]
    module: object = None         # the libcst Module, once parsed
    encoding: str = "utf-8"
    bom: bool = False
    deps: tuple[str, ...] = ()    # other project modules the analysis read (for the cache)
    tree: object = None           # CPython's ast of the text (line numbers for positions.py)


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]")
_NEWLINE = re.compile(r"\r\n|\r|\n")


class SourceError(Exception):
    def __init__(self, finding: Finding):
        self.finding = finding
        super().__init__(finding.message)


def _ll001(path: str, line: int, col: int, message: str) -> SourceError:
    return SourceError(Finding(path, max(line, 1), max(col, 1), "LL001", message))


def decode(path: str, data: bytes) -> str:
    """Decode bytes as Python does: BOM, then a PEP 263 cookie, else UTF-8."""
    return decode_with_encoding(path, data)[0]


def decode_with_encoding(path: str, data: bytes) -> tuple[str, str]:
    """(text, encoding); the text has no BOM."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        msg = exc.msg if hasattr(exc, "msg") else str(exc)
        if "invalid or missing encoding declaration" in msg:
            # A non-UTF-8 byte on the first two lines and no cookie: report the byte itself,
            # as for any other line.
            encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        else:  # unknown or conflicting coding cookie: report the cookie's line
            lines = data.splitlines()[:2]
            line = next((i for i, ln in enumerate(lines, 1) if _COOKIE.match(ln)), 1)
            raise _ll001(path, line, 1, f"cannot decode: {msg}")
    # Decode without the BOM: utf-8-sig reports error positions relative to the text after
    # it. (The encoding returned stays "utf-8-sig", so that a rewrite keeps the BOM.)
    payload, codec = data, encoding
    if encoding == "utf-8-sig":
        codec = "utf-8"
        if payload.startswith(codecs.BOM_UTF8):
            payload = payload[len(codecs.BOM_UTF8):]
    try:
        text = payload.decode(codec)
    except (UnicodeDecodeError, LookupError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            before = payload[: exc.start]
            line = before.count(b"\n") + 1
            line_start = before.rfind(b"\n") + 1
            # 1-based column in characters, like every other position
            col = len(payload[line_start: exc.start].decode(codec, errors="replace")) + 1
            return_msg = (f"cannot decode as {codec}: byte 0x{payload[exc.start]:02x} is invalid "
                          "(declare the encoding with a PEP 263 coding cookie)")
            raise _ll001(path, line, col, return_msg)
        raise _ll001(path, 1, 1, f"cannot decode: unknown encoding {encoding!r}")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, encoding


def read(path: str, data: bytes | None = None) -> Source:
    """Read and decode a file (or given bytes). Raises SourceError (LL001)."""
    if data is None:
        try:
            mode = os.stat(path).st_mode
            if not stat.S_ISREG(mode):
                raise _ll001(path, 1, 1, "cannot read: not a regular file")
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise _ll001(path, 1, 1, f"cannot read: {exc.strerror or exc}")
    text, encoding = decode_with_encoding(path, data)
    nul = text.find("\0")
    if nul != -1:
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        raise _ll001(path, line, col, "cannot parse: source code contains a NUL byte")
    return Source(path, text, split_lines(text), encoding=encoding, bom=data.startswith(b"\xef\xbb\xbf"))


def split_lines(text: str) -> list[str]:
    """The lines as Python numbers them: only \\n, \\r\\n and \\r end a line (``str.splitlines``
    also splits on form feeds, \\x1c-\\x1e, \\x85, \\u2028 and \\u2029, which Python does not)."""
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def parse(src: Source):
    """Parse with libcst (a ``cst.Module``). Raises SourceError (LL001)."""
    import libcst as cst  # not on the path of a cached run

    if src.module is not None:
        return src.module
    # CPython first: its messages ("'(' was never closed") read better than libcst's, it
    # rejects what CPython cannot run (libcst accepts some of it), and it refuses nesting
    # deep enough to overflow the stack of libcst's native parser, which would crash the
    # whole run (SIGSEGV) instead of giving one LL001.
    try:
        src.tree = ast.parse(src.text)
    except SyntaxError as py_exc:
        raise _ll001(src.path, py_exc.lineno or 1, py_exc.offset or 1, f"cannot parse: {py_exc.msg}")
    except (RecursionError, MemoryError):
        raise _ll001(src.path, 1, 1, "cannot parse: the file is nested too deeply to analyse")
    except Exception:
        pass
    try:
        src.module = cst.parse_module(src.text)
    except cst.ParserSyntaxError as exc:
        msg = str(exc.message) if hasattr(exc, "message") else str(exc).splitlines()[0]
        raise _ll001(src.path, exc.raw_line, exc.raw_column + 1, f"cannot parse: {msg}")
    except RecursionError:
        raise _ll001(src.path, 1, 1, "cannot parse: the file is nested too deeply to analyse")
    except Exception as exc:  # libcst's native parser can raise others (e.g. on deep nesting)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _ll001(src.path, 1, 1, f"cannot parse: {first}")
    return src.module
