"""Reading, decoding (PEP 263) and parsing: every failure is one LL001 finding, at the
error's line and column, and the run goes on with the other files (SPEC sections 5, 6)."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from conftest import write_tree
from losslint import source
from losslint.checker import check_source
from losslint.config import Config
from losslint.findings import Finding

LATIN1_COOKIE = "# -*- coding: latin-1 -*-\n"


def ll001(path: str, data: bytes) -> list[tuple[int, int, str]]:
    """LL001 findings (line, column, message) for ``data`` checked as ``path``."""
    return [(f.line, f.column, f.message) for f in check_source(path, Config(), data) if f.code == "LL001"]


# Both sides of the checker's textual pre-filter: files that may hold a loss are parsed by
# libcst, the others are only syntax-checked with ast. LL001 must not depend on it.
PLAIN = "x = 1\n"
LOSSY = "def loss(y_true, y_pred):\n    return y_pred\n"


@pytest.mark.parametrize("head", [PLAIN, LOSSY], ids=["plain", "loss"])
@pytest.mark.parametrize(
    "body, line, col, message",
    [
        ("y = (\n", 1, 5, "'(' was never closed"),
        ("y = [1,\n 2,\n", 1, 5, "'[' was never closed"),
        ("def f(a, b:\n    pass\n", 1, 6, "'(' was never closed"),
        ("y = 1 +\n", 1, 8, "invalid syntax"),
        ('y = "€€" $\n', 1, 10, "invalid syntax"),  # columns count characters, not bytes
        ('y = "é" + )\n', 1, 11, "unmatched ')'"),
        ("if y:\n        pass\n    pass\n", 3, 9, "unindent does not match any outer indentation level"),
        ("if y:\n\tpass\n        pass\n", 3, 1, "inconsistent use of tabs and spaces in indentation"),
        ("print 'hi'\n", 1, 1, "Missing parentheses in call to 'print'. Did you mean print(...)?"),
        ("(a + b) = 3\n", 1, 2, "cannot assign to expression here. Maybe you meant '==' instead of '='?"),
        ("f(**x, *y)\n", 1, 8, "iterable argument unpacking follows keyword argument unpacking"),
    ],
)
def test_syntax_error_position(head, body, line, col, message):
    offset = head.count("\n")
    assert ll001("m.py", (head + body).encode()) == [(offset + line, col, f"cannot parse: {message}")]


def cpython(text: str) -> list[tuple[int, int, str]]:
    try:
        compile(text, "m.py", "exec")
    except SyntaxError as exc:
        return [(exc.lineno, exc.offset, f"cannot parse: {exc.msg}")]
    return []


@pytest.mark.parametrize("head", [PLAIN, LOSSY], ids=["plain", "loss"])
@pytest.mark.parametrize(
    "body",
    ["  y = 2\n", "def loss(y_pred):\n    return y_pred +\n", "x = [\n  1,\n  2\n  3]\n",
     "class A:\ndef f(self): pass\n", "f(x for x in y, 1)\n", "a = 1 if b\n",
     "else:\n    pass\n", "x = 'abc\n", "x = \"\"\"abc\n", "x = [\n"],
)
def test_syntax_error_matches_cpython(head, body):
    text = head + body
    assert ll001("m.py", text.encode()) == cpython(text) != []


def test_unexpected_indent():
    assert ll001("m.py", b"x = 1\n  y = 2\n") == [(2, 2, "cannot parse: unexpected indent")]


def test_tab_error():
    assert ll001("m.py", b"if x:\n        pass\n\tpass\n") == [
        (3, 1, "cannot parse: inconsistent use of tabs and spaces in indentation")]


# -- encodings -----------------------------------------------------------------------------

DECODE_MSG = "cannot decode as utf-8: byte 0xe9 is invalid (declare the encoding with a PEP 263 coding cookie)"


@pytest.mark.parametrize(
    "data, line, col",
    [
        (b"# perte de qualit\xe9\nx = 1\n", 1, 18),  # on the first line
        (b"x = 1\n# qualit\xe9\n", 2, 9),
        (b"def loss(y_true, y_pred):\n    s = 'caf\xe9'\n    return y_pred\n", 2, 13),
        (b"x = 1\ny = 2\ns = '\xc3\xa9\xc3\xa9caf\xe9'\n", 3, 11),  # column in characters
        (b"\xef\xbb\xbfx = 1\ns = 'caf\xe9'\n", 2, 9),  # after a BOM
        (b"\xef\xbb\xbf# caf\xe9\n", 1, 6),
    ],
)
def test_latin1_without_cookie(data, line, col):
    assert ll001("m.py", data) == [(line, col, DECODE_MSG)]


@pytest.mark.parametrize(
    "body",
    [
        "s = 'caf\xe9'\n",
        "def loss(y_true, y_pred):\n    s = 'caf\xe9 \xb5'\n    return y_pred\n",
    ],
    ids=["plain", "loss"],
)
@pytest.mark.parametrize(
    "cookie",
    [LATIN1_COOKIE, "#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-1 :\n", "# coding=latin1\n"],
)
def test_latin1_with_cookie_parses(cookie, body):
    data = (cookie + body).encode("latin-1")
    assert check_source("m.py", Config(), data) == []
    src = source.read("m.py", data)
    assert "caf\xe9" in src.text and codecs.lookup(src.encoding).name == "iso8859-1"
    if "loss" in body:
        # every statement parsed (the comment and blank lines between statements are in no chunk)
        assert source.parse(src).code == src.text.replace(cookie, "", 1).lstrip("\n")


def test_unknown_coding_cookie():
    assert ll001("m.py", b"# -*- coding: klingon -*-\nx = 1\n") == [
        (1, 1, "cannot decode: unknown encoding: klingon")]
    assert ll001("m.py", b"#!/usr/bin/env python\n# coding: klingon\nx = 1\n") == [
        (2, 1, "cannot decode: unknown encoding: klingon")]


def test_bom_with_conflicting_cookie():
    assert ll001("m.py", b"\xef\xbb\xbf" + LATIN1_COOKIE.encode() + b"x = 1\n") == [
        (1, 1, "cannot decode: encoding problem: utf-8")]


# -- NUL bytes, empty files, BOM and CRLF --------------------------------------------------

@pytest.mark.parametrize(
    "data, line, col",
    [
        (b"x = 1\ny = 'a\x00b'\n", 2, 7),
        (b"\x00", 1, 1),
        (b"def loss(y_pred):\n    return y_pred\x00\n", 2, 18),
    ],
)
def test_nul_bytes(data, line, col):
    assert ll001("m.py", data) == [(line, col, "cannot parse: source code contains a NUL byte")]


@pytest.mark.parametrize("data", [b"", b"\n", b"\r\n", b"\xef\xbb\xbf", b"# only a comment\n", b"\x0c\n"])
def test_empty_files_have_no_finding(data):
    assert check_source("m.py", Config(), data) == []


@pytest.mark.parametrize("body", [PLAIN + "y = 2\n", LOSSY], ids=["plain", "loss"])
def test_bom_and_crlf_parse(body):
    data = b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode()
    assert check_source("m.py", Config(), data) == []
    src = source.read("m.py", data)
    assert not src.text.startswith("\ufeff") and src.bom
    assert src.lines == body.splitlines()
    module = source.parse(src)
    assert module.code == src.text


def test_bom_crlf_syntax_error_position():
    data = b"\xef\xbb\xbfdef loss(y_pred):\r\n    x = 1\r\n    return (y_pred\r\n"
    assert ll001("m.py", data) == [(3, 12, "cannot parse: '(' was never closed")]


def test_old_mac_line_endings():
    assert check_source("m.py", Config(), b"x = 1\ry = 2\r") == []
    assert ll001("m.py", b"x = 1\ry = (\r") == [(2, 5, "cannot parse: '(' was never closed")]


def test_lines_follow_python_line_breaks():
    # form feeds, \x1c-\x1e, \x85, \u2028 and \u2029 do not end a line in Python
    src = source.read("m.py", "a = 1\n\x0c\nb = '\u2028'\r\nc = 3\rd = 4\n".encode())
    assert src.lines == ["a = 1", "\x0c", "b = '\u2028'", "c = 3", "d = 4"]
    assert source.split_lines("") == [] and source.split_lines("x") == ["x"]
    assert source.split_lines("x\n\n") == ["x", ""]


# -- deep nesting must be one LL001, never a crash ------------------------------------------

@pytest.mark.parametrize("head", [PLAIN, LOSSY], ids=["plain", "loss"])
def test_too_many_parentheses(head):
    data = (head + "y = " + "[" * 1000 + "]" * 1000 + "\n").encode()
    (finding,) = ll001("m.py", data)
    assert finding[2] == "cannot parse: too many nested parentheses"
    assert finding[0] == head.count("\n") + 1


def test_deep_nesting_does_not_crash_the_run(script, tmp_path):
    # libcst's native parser overflows its stack on ~10000 nested unary operators (SIGSEGV):
    # run the console script so that a regression fails this test, not the whole suite
    write_tree(tmp_path, {
        "deep_loss.py": "def loss(y_pred):\n    return " + "-" * 50000 + "y_pred\n",
        "deep_plain.py": "x = " + "-" * 50000 + "1\n",
        "z.py": "x = (\n",
    })
    r = script(["--select", "LL001", "."], tmp_path)
    assert (r.code, r.out) == (1,
        "deep_loss.py:1:1: LL001 cannot parse: the file is nested too deeply to analyse\n"
        "deep_plain.py:1:1: LL001 cannot parse: the file is nested too deeply to analyse\n"
        "z.py:1:5: LL001 cannot parse: '(' was never closed\n")


# -- unreadable files ------------------------------------------------------------------------

def test_unreadable_files(run, tmp_path):
    os.symlink("nowhere.py", tmp_path / "dangling.py")
    os.symlink("loop.py", tmp_path / "loop.py")
    r = run(".", cwd=tmp_path)
    assert (r.code, r.out) == (1,
        "dangling.py:1:1: LL001 cannot read: No such file or directory\n"
        "loop.py:1:1: LL001 cannot read: Too many levels of symbolic links\n")


def test_read_error_is_a_source_error(tmp_path):
    with pytest.raises(source.SourceError) as info:
        source.read(str(tmp_path / "missing.py"))
    assert info.value.finding == Finding(str(tmp_path / "missing.py"), 1, 1, "LL001", "")
    assert info.value.finding.message == "cannot read: No such file or directory"


def test_ll001_can_be_deselected():
    assert check_source("m.py", Config(ignore=("LL001",)), b"x = (\n") == []
    assert check_source("m.py", Config(select=("LL1",)), b"x = (\n") == []


# -- the run goes on with the other files ---------------------------------------------------

def test_every_broken_file_is_reported_and_the_run_goes_on(run, tmp_path):
    write_tree(tmp_path, {
        "a_syntax.py": "def loss(y_pred:\n    return 1\n",
        "b_latin1.py": b"# qualit\xe9\nx = 1\n",
        "c_latin1_cookie.py": (LATIN1_COOKIE + "s = 'caf\xe9'\n").encode("latin-1"),
        "d_nul.py": b"x = '\x00'\n",
        "e_empty.py": b"",
        "f_bom_crlf.py": b"\xef\xbb\xbfx = 1\r\ny = 2\r\n",
        "g_ok.py": "def loss(y_true, y_pred):\n    return y_pred - y_true\n",
        "pkg/h_indent.py": "x = 1\n    y = 2\n",
    })
    os.symlink("nowhere.py", tmp_path / "i_dangling.py")
    r = run(".", cwd=tmp_path)
    assert r.code == 1
    assert r.out == (
        "a_syntax.py:1:9: LL001 cannot parse: '(' was never closed\n"
        "b_latin1.py:1:9: LL001 " + DECODE_MSG + "\n"
        "d_nul.py:1:6: LL001 cannot parse: source code contains a NUL byte\n"
        "i_dangling.py:1:1: LL001 cannot read: No such file or directory\n"
        "pkg/h_indent.py:2:4: LL001 cannot parse: unexpected indent\n"
    )


# source._parse_unvalidated turns libcst's per-node validation off for the parse only.
FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures").rglob("*.py"))


@pytest.mark.parametrize("path", FIXTURES[::3], ids=lambda p: p.parent.name + "/" + p.name)
def test_unvalidated_parse_gives_the_same_tree(path):
    import libcst as cst

    text = path.read_text(encoding="utf-8")
    assert source._parse_unvalidated(cst, text).deep_equals(cst.parse_module(text))


def test_validation_is_back_after_the_parse():
    import libcst as cst

    with pytest.raises(cst.ParserSyntaxError):
        source._parse_unvalidated(cst, "def f(:\n")
    for text in ("x = 1\n", "y = (\n"):
        try:
            source._parse_unvalidated(cst, text)
        except cst.ParserSyntaxError:
            pass
        with pytest.raises(cst.CSTValidationError):   # a node built by hand is still checked
            cst.Name("not a name")


# source.reuse_tree: the language server's ast for an edit that keeps the line count.
_LINE_EDITS = [
    lambda ln: ln.replace("-1", "-2"), lambda ln: ln + " ", lambda ln: ln[:-1], lambda ln: "    " + ln,
    lambda ln: "    x = 1", lambda ln: "x = (", lambda ln: '"""', lambda ln: "@decorator",
    lambda ln: "from __future__ import annotations", lambda ln: "def g():", lambda ln: ln + " \\",
    lambda ln: "# " + ln, lambda ln: "", lambda ln: "y = 2", lambda ln: ln.lstrip(), lambda ln: "else:",
    lambda ln: ln + "(", lambda ln: ln + ")", lambda ln: ln.replace(" ", "\t", 1), lambda ln: "'''" + ln,
    lambda ln: ln + "  # \\", lambda ln: "\t" + ln, lambda ln: "  " + ln, lambda ln: "except ValueError:",
]


def _tree_or_error(text: str):
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # (edits make invalid escapes and the like)
            return ast.dump(ast.parse(text), include_attributes=True)
    except (SyntaxError, ValueError):
        return None


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.parent.name + "/" + p.name)
def test_reused_tree_equals_a_full_parse(path):
    """Random edits within lines, one after the other (each reusing the tree of the last text
    that parsed, as the language server does): the tree is the full parse's, line numbers
    included, and when the full parse fails no tree is made."""
    import ast
    import random

    rnd = random.Random(path.name)
    text = path.read_text(encoding="utf-8")
    last = source.read(str(path), text.encode("utf-8"))
    source.syntax_tree(last)
    reused = 0
    for _ in range(100):
        lines = text.split("\n")
        i = rnd.randrange(len(lines))
        span = rnd.choice([1, 1, 1, 2, 3])
        for k in range(i, min(i + span, len(lines))):
            lines[k] = rnd.choice(_LINE_EDITS)(lines[k])
        new_text = "\n".join(lines)
        src = source.read(str(path), new_text.encode("utf-8"))
        want = _tree_or_error(new_text)
        if source.reuse_tree(src, last.lines, last.tree):
            reused += 1
            assert want is not None and ast.dump(src.tree, include_attributes=True) == want
        if want is not None:   # the next edit starts from this text
            text, last = new_text, src
            source.syntax_tree(last)
    assert reused >= 5


@pytest.mark.parametrize("old, new", [
    ("x = 1\ny = 2\nz = 3\n", "x = 1\ny = 2 \\\nz = 3\n"),           # a backslash joins the next statement
    ("x = 1\nw = 0 \\\n\nz = 3\n", "x = 1\nw = 0 \\\ny = 2\nz = 3\n"),   # ... or the line before
    ("x = 1\ny = 2\n", "x = 1\nfrom __future__ import annotations\n"),
    ("def f():\n    pass\ny = 2\n", "def f():\n    pass\n    y = 2\n"),   # the line joins the def
    ("if a:\n    pass\ny = 2\n", "if a:\n    pass\nelse:\n"),
    # statements sharing a line go with the neighbour the re-parsed part takes (found in review)
    ("a = (1,\n2); b = 3\n", "a = 9\n2); b = 3\n"),
    ("x = 1; y = (2,\n3)\n", "x = 1; y = (2,\n3\n"),
    ('x = 1; y = """a\nb"""\n', 'x = 1; y = """a\n"""#"""\n'),
    ('a = """x\ny"""; b = 1\n', 'a = 5 #\ny"""; b = 1\n'),
])
def test_reuse_leaves_edges_to_the_full_parse(old, new):
    import ast

    try:
        ast.parse(old)
    except SyntaxError:
        pytest.skip("the old text must parse")
    before = source.read("m.py", old.encode())
    source.syntax_tree(before)
    after = source.read("m.py", new.encode())
    if source.reuse_tree(after, before.lines, before.tree):
        assert ast.dump(after.tree, include_attributes=True) == _tree_or_error(new)
    else:
        assert after.tree is None


def test_validation_is_back_after_parses_on_several_threads():
    """Found in review: two threads parsing at once could save the switched-off hook and
    'restore' it, leaving validation off for the process."""
    import threading

    import libcst as cst

    text = (Path(__file__).resolve().parent.parent / "losslint" / "interp" / "expressions.py").read_text(encoding="utf-8")
    original = cst.CSTNode.__dict__["__post_init__"]
    threads = [threading.Thread(target=lambda: [source._parse_unvalidated(cst, text) for _ in range(3)])
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cst.CSTNode.__dict__["__post_init__"] is original
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


def test_valid_python_that_libcst_would_not_validate_is_analysed():
    """``1is.0`` is valid Python that libcst's validation rejects; parsed without it, the file
    is analysed instead of getting an LL001."""
    data = b"def mse(y_true, y_pred):\n    return y_pred.mean(axis=-1) if 1is.0 else 0\n"
    assert ll001("m.py", data) == []
