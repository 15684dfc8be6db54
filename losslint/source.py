"""Reading, decoding (PEP 263) and parsing a file; every failure becomes an LL001 finding."""

from __future__ import annotations

import ast
import codecs
import os
import stat
import io
import re
import threading
import tokenize
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field

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
    starts: list | None = None    # positions.Place of each statement of ``module.body``
    pruner: object = None         # pruning.Pruner: the module's chunks, the ones kept
    parsed: dict = field(default_factory=dict)   # chunk index -> its libcst statements


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


def syntax_tree(src: Source):
    """CPython's ``ast`` of the source (cached). Raises SourceError (LL001).

    CPython first: its messages ("'(' was never closed") read better than libcst's, it
    rejects what CPython cannot run (libcst accepts some of it), and it refuses nesting deep
    enough to overflow the stack of libcst's native parser, which would crash the whole run
    (SIGSEGV) instead of giving one LL001. Its line numbers place libcst's chunks."""
    if src.tree is not None:
        return src.tree
    try:
        with warnings.catch_warnings():   # invalid escapes and the like: not ours to report
            warnings.simplefilter("ignore")
            src.tree = ast.parse(src.text)
    except SyntaxError as py_exc:
        raise _ll001(src.path, py_exc.lineno or 1, py_exc.offset or 1, f"cannot parse: {py_exc.msg}")
    except (RecursionError, MemoryError):
        raise _ll001(src.path, 1, 1, "cannot parse: the file is nested too deeply to analyse")
    except Exception:   # e.g. ValueError on a NUL byte (read() reports those first)
        raise _ll001(src.path, 1, 1, "cannot parse: not valid Python")
    return src.tree


def reuse_tree(src: Source, old_lines: list[str], old_tree) -> bool:
    """The language server's ``ast`` for an edit that keeps the number of lines (typing within
    lines): the top-level statements before and after the changed lines are the previous tree's,
    and only the lines between them are parsed. Sets ``src.tree``; False (nothing set, the full
    parse follows) when the line count changed, the changed part does not parse on its own
    (an error, or a construct reaching across it: the full parse decides) or a backslash joins
    it to a line outside it. (Both parses read the decoded text, so a coding cookie means
    nothing to either; a misplaced ``__future__`` import is the compiler's error, not the
    parser's.) tests/test_source.py checks thousands of random edits against the full parse."""
    lines = src.lines
    if old_tree is None or len(old_lines) != len(lines) or not isinstance(old_tree, ast.Module):
        return False
    n = len(lines)
    first = 0
    while first < n and lines[first] == old_lines[first]:
        first += 1
    if first == n:
        src.tree = old_tree
        return True
    last = n - 1
    while last > first and lines[last] == old_lines[last]:
        last -= 1
    from .pruning import line_groups

    changed_first, changed_last = first + 1, last + 1   # 1-based
    # kept: whole line groups (statements sharing a line, ``x = 1; y = (2,``, go together)
    groups = line_groups(old_tree.body)
    before = [g for g in groups if g[1] < changed_first]
    after = [g for g in groups if g[0] > changed_last]
    region_first = before[-1][1] + 1 if before else 1
    region_last = after[0][0] - 1 if after else n
    offsets = _line_offsets(src)
    a = offsets[region_first - 1]
    b = offsets[region_last] if region_last < len(offsets) else len(src.text)
    text = src.text[a:b]
    if text.rstrip("\r\n").endswith("\\") or (
            region_first > 1 and lines[region_first - 2].rstrip().endswith("\\")):
        return False   # (a backslash at either edge joins a line the other parse does not see)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # empty lines in front give the nodes their line numbers (no walk to shift them)
            region = ast.parse("\n" * (region_first - 1) + text)
    except Exception:   # SyntaxError, ValueError, RecursionError, MemoryError: the full parse reports
        return False
    body = [node for _, _, nodes in before + [(0, 0, region.body)] + after for node in nodes]
    src.tree = ast.Module(body=body, type_ignores=[])
    return True


def check_syntax(src: Source) -> None:
    """LL001 or nothing, for a file no loss code is in. ``compile`` to bytecode skips building
    the Python objects of the tree and costs about a fifth less than ``ast.parse``; what it
    rejects beyond the parser (``return`` outside a function, ...) is left to ``ast.parse`` to
    judge, so the answer is the same as for any other file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(src.text, src.path, "exec", dont_inherit=True)
    except SyntaxError:
        syntax_tree(src)   # raises LL001 if the parser rejects it
    except (RecursionError, MemoryError, ValueError):
        syntax_tree(src)


def pruner(src: Source):
    if src.pruner is None:
        from .pruning import Pruner

        src.pruner = Pruner(syntax_tree(src), src.lines)
    return src.pruner


def parse(src: Source):
    """The whole module with libcst (a ``cst.Module``). Raises SourceError (LL001)."""
    if src.module is not None and src.pruner is not None and len(src.pruner.keep) == len(src.pruner.chunks):
        return src.module
    p = pruner(src)
    p.keep_all()
    return assemble(src)


def parse_for_losses(src: Source, cfg, module_name: str):
    """Only the top-level statements loss code can reach (pruning.py), with libcst."""
    from .pruning import loss_roots

    p = pruner(src)
    roots, members = loss_roots(p, src.tree, src.lines, cfg, module_name)
    p.add(roots, members)
    return assemble(src)


def assemble(src: Source):
    """A ``cst.Module`` of the kept chunks, in order; ``src.starts`` gives each statement's
    first line for positions.py."""
    import libcst as cst  # not on the path of a cached run

    from .positions import Place

    p = pruner(src)
    body, places = [], []
    used: set[str] = set()
    for i in sorted(p.keep):
        chunk = p.chunks[i]
        hit = src.parsed.get((i, chunk.key()))
        if hit is None:
            hit = src.parsed[(i, chunk.key())] = _parse_chunk(src, chunk, used)
        stmts, (indent, newline) = hit
        body.extend(stmts)
        places.extend([Place(chunk.line, indent, newline, tuple(chunk.nodes), chunk.col)] * len(stmts))
    first = places[0] if places else Place(1)
    src.module = cst.Module(body=body, header=(), footer=(), default_indent=first.indent, default_newline=first.newline)
    src.starts = places
    return src.module


class ChunkCache:
    """Parsed chunks by text, for the language server: an edit re-parses only the top-level
    statements it touched. (The command line parses each file once and has no use for it.)"""

    def __init__(self, size: int = 4000):
        self.size = size
        self.items: OrderedDict[str, object] = OrderedDict()

    def get(self, text: str):
        hit = self.items.get(text)
        if hit is not None:
            self.items.move_to_end(text)
        return hit

    def put(self, text: str, value) -> None:
        self.items[text] = value
        if len(self.items) > self.size:
            self.items.popitem(last=False)


CHUNK_CACHE: ChunkCache | None = None


def _chunk_text(src: Source, chunk) -> str:
    """The chunk's lines; a class kept method by method gets every other method blanked out
    (its first line becomes ``pass``, the others empty), so every line keeps its number and
    every kept token its column."""
    offsets = _line_offsets(src)

    def span(first: int, end: int) -> str:   # lines first..end, 1-based, with their line endings
        a = offsets[first - 1] if first - 1 < len(offsets) else len(src.text)
        b = offsets[end] if end < len(offsets) else len(src.text)
        return src.text[a:b]

    if chunk.sub:   # one statement, from its column to its end (continuation lines as they are)
        a = (offsets[chunk.first - 1] if chunk.first - 1 < len(offsets) else len(src.text)) + chunk.col
        if chunk.end_col is not None and chunk.end - 1 < len(offsets):
            b = offsets[chunk.end - 1] + chunk.end_col
        else:
            b = offsets[chunk.end] if chunk.end < len(offsets) else len(src.text)
        return src.text[a:b] + "\n"
    if chunk.members is None:
        return span(chunk.first, chunk.end)
    from .pruning import first_line

    parts, line = [], chunk.first
    for k, m in enumerate(chunk.cls.body):
        if k in chunk.members or not isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        start = first_line(m)
        end = m.end_lineno or m.lineno
        parts.append(span(line, start - 1))
        first = src.lines[start - 1]
        blank = first[: len(first) - len(first.lstrip(" \t"))] + "pass"
        parts.append(blank + "".join(_NEWLINE.findall(span(start, end))))   # as many lines
        line = end + 1
    parts.append(span(line, chunk.end))
    return "".join(parts)


def _line_offsets(src: Source) -> list[int]:
    offsets = getattr(src, "_offsets", None)
    if offsets is None:
        offsets = [0] + [m.end() for m in _NEWLINE.finditer(src.text)]
        src._offsets = offsets
    return offsets


def _no_validation(self) -> None:
    pass


_HOOK_LOCK = threading.Lock()
_hook = {"users": 0, "saved": None}


def _parse_unvalidated(cst, text: str):
    """``cst.parse_module`` without each node's ``_validate`` (a sixth of libcst's parse): the
    native parser's output is valid Python syntax, and libcst's own comment on
    ``CSTNode.__post_init__`` says validating it at parse time is redundant. Only for the parse:
    the hook is back once no parse is running (a counter under a lock, for callers on several
    threads; the language server analyses on one). While it is off, nodes built on another
    thread are not validated either."""
    base = cst.CSTNode
    with _HOOK_LOCK:
        if _hook["users"] == 0:
            saved = base.__dict__.get("__post_init__")
            if saved is None:   # a libcst without the hook: parse as is
                return cst.parse_module(text)
            _hook["saved"] = saved
            base.__post_init__ = _no_validation
        _hook["users"] += 1
    try:
        return cst.parse_module(text)
    finally:
        with _HOOK_LOCK:
            _hook["users"] -= 1
            if _hook["users"] == 0:
                base.__post_init__ = _hook["saved"]


def _parse_chunk(src: Source, chunk, used: set[str]):
    """(statements, (indent, newline)) of one chunk. The text is parsed after a
    ``pass`` line, so that comments above the first statement stay its ``leading_lines``
    (a pragma on the line above a ``def``) instead of becoming a module header."""
    import libcst as cst

    text = _chunk_text(src, chunk)
    if CHUNK_CACHE is not None and text not in used:
        hit = CHUNK_CACHE.get(text)
        if hit is not None:
            used.add(text)   # the same text twice in one module: distinct nodes for each
            return hit
    try:
        module = _parse_unvalidated(cst, "pass\n" + text)
    except cst.ParserSyntaxError as exc:
        msg = str(exc.message) if hasattr(exc, "message") else str(exc).splitlines()[0]
        raise _ll001(src.path, chunk.first + exc.raw_line - 2, exc.raw_column + 1, f"cannot parse: {msg}")
    except RecursionError:
        raise _ll001(src.path, chunk.line, 1, "cannot parse: the file is nested too deeply to analyse")
    except Exception as exc:  # libcst's native parser can raise others (e.g. on deep nesting)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _ll001(src.path, chunk.line, 1, f"cannot parse: {first}")
    result = (list(module.body[1:]), (module.default_indent, module.default_newline))
    if CHUNK_CACHE is not None and text not in used:
        used.add(text)
        CHUNK_CACHE.put(text, result)
    return result
