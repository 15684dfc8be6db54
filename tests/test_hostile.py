"""Hostile inputs against the installed CLI, run in a subprocess with a timeout.

Every run must end (no hang), print no traceback, and exit 0 or 1 (2 only for a usage or
configuration error). Unparseable or undecodable files are LL001 findings, and the run goes
on with the other files. Hostile configurations exit 2 with one line naming the file and the
key, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

TIMEOUT = 60          # seconds per CLI run
BIG_TIMEOUT = 300     # the 100,000-line and 10 MB inputs: libcst itself needs tens of seconds

LOSS = (
    "from keras import backend as K\n"
    "\n"
    "\n"
    "def mse_loss(y_true, y_pred):\n"
    "    return K.mean(K.square(y_pred - y_true), axis=-1)\n"
)
LOSS_LINE = 5                                    # line of the LL102 in LOSS
LOSS_COL = LOSS.splitlines()[4].index("axis") + 1
PYPROJECT = '[tool.losslint]\nlayout = "N C H W"\n'


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float

    def findings(self) -> list[dict]:
        return json.loads(self.out) if self.out.strip() else []


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOSSLINT")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_cli(args: list[str], cwd: Path, *, timeout: float = TIMEOUT, stdin: bytes = b"",
            fmt_json: bool = True, cmd: list[str] | None = None) -> Run:
    """``python -m losslint check ARGS`` (JSON output unless told otherwise)."""
    argv = cmd or [sys.executable, "-m", "losslint", "check"]
    argv = [*argv, *(["--format", "json"] if fmt_json else []), *args]
    t0 = time.monotonic()
    proc = subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, env=_env(), timeout=timeout)
    return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
               time.monotonic() - t0)


def assert_graceful(r: Run, codes=(0, 1)) -> None:
    assert "Traceback" not in r.err, r.err
    assert "internal error" not in r.err, r.err          # an engine exception, swallowed
    assert r.code in codes, (r.code, r.out[-2000:], r.err[-2000:])


def codes_at(r: Run, path_suffix: str) -> list[str]:
    return [f["code"] for f in r.findings() if f["path"].replace("\\", "/").endswith(path_suffix)]


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    return tmp_path


def check_one(proj: Path, name: str, content: bytes, *, timeout: float = TIMEOUT, extra=()) -> Run:
    path = proj / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    r = run_cli([*extra, name], proj, timeout=timeout)
    assert_graceful(r)
    return r


# -- unparseable / undecodable files -------------------------------------------------------

LL001_CASES = {
    "syntax_error": b"def f(:\n    pass\n",
    "syntax_error_in_loss": LOSS.encode() + b"\ndef dice_loss(y_true, y_pred:\n",
    "unclosed_string": b"x = '''never closed\n",
    "bad_indent": b"def mse_loss(y_true, y_pred):\nreturn y_pred\n",
    "tab_space_mix": b"def mse_loss(y_true, y_pred):\n        x = 1\n\treturn x\n",
    "nul_byte": b"x = 1\x00\n",
    "nul_in_loss": LOSS.encode().replace(b"axis=-1", b"axis=-1\x00"),
    "invalid_utf8": b'x = "\xff\xfe"\n',
    "invalid_utf8_in_loss": LOSS.encode() + b"# caf\xe9\n",
    "invalid_utf8_line1": b"\xc3\x28 = 1\n",
    "lone_surrogate": b"x = '\xed\xa0\x80'\n",
    "truncated_utf8": b"x = '\xe2\x82'",
    "unknown_cookie": b"# -*- coding: klingon -*-\nx = 1\n",
    "unknown_cookie_line2": b"#!/usr/bin/env python\n# vim: set fileencoding=no-such-codec :\n" + LOSS.encode(),
    "bom_with_latin1_cookie": b"\xef\xbb\xbf# -*- coding: latin-1 -*-\nx = 1\n",
    "utf16_text_no_bom": "x = 1\n".encode("utf-16-le"),
    "backslash_at_eof": b"x = 1 + \\",
    "only_a_dedent_error": b"if True:\n        x = 1\n    y = 2\n",
    "deep_parens_5000": b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n",
}


@pytest.mark.parametrize("case", sorted(LL001_CASES))
def test_ll001(proj, case):
    r = check_one(proj, f"{case}.py", LL001_CASES[case])
    assert r.code == 1, (r.out, r.err)
    found = codes_at(r, f"{case}.py")
    assert found == ["LL001"], found
    f = r.findings()[0]
    assert f["line"] >= 1 and f["column"] >= 1
    assert "\n" not in f["message"]


def test_ll001_does_not_stop_the_run(proj):
    """A broken file is one finding; the other files are still checked."""
    for name, data in LL001_CASES.items():
        (proj / f"{name}.py").write_bytes(data)
    (proj / "zz_loss.py").write_text(LOSS, encoding="utf-8")
    r = run_cli(["."], proj)
    assert_graceful(r)
    by_file = {}
    for f in r.findings():
        by_file.setdefault(Path(f["path"]).name, []).append(f["code"])
    for name in LL001_CASES:
        assert by_file.get(f"{name}.py") == ["LL001"], (name, by_file.get(f"{name}.py"))
    assert by_file.get("zz_loss.py") == ["LL102"], by_file


def test_ll001_in_parallel_workers(proj):
    """Same in the process-pool path (>= 16 files, --jobs 2), identical to --jobs 1."""
    for i in range(24):
        (proj / f"ok{i:02d}.py").write_text(LOSS, encoding="utf-8")
    for name, data in list(LL001_CASES.items())[:8]:
        (proj / f"{name}.py").write_bytes(data)
    parallel = run_cli(["--jobs", "2", "--no-cache", "."], proj)
    serial = run_cli(["--jobs", "1", "--no-cache", "."], proj)
    assert_graceful(parallel)
    assert_graceful(serial)
    assert parallel.findings() == serial.findings()
    assert sum(f["code"] == "LL001" for f in parallel.findings()) == 8
    assert sum(f["code"] == "LL102" for f in parallel.findings()) == 24


# -- decodable oddities that must still be analysed correctly ---------------------------------

def test_bom_and_crlf(proj):
    data = b"\xef\xbb\xbf" + LOSS.replace("\n", "\r\n").encode()
    r = check_one(proj, "bom_crlf.py", data)
    assert [(f["code"], f["line"], f["column"]) for f in r.findings()] == [("LL102", LOSS_LINE, LOSS_COL)]


def test_lone_cr_line_endings(proj):
    r = check_one(proj, "cr.py", LOSS.replace("\n", "\r").encode())
    assert [(f["code"], f["line"], f["column"]) for f in r.findings()] == [("LL102", LOSS_LINE, LOSS_COL)]


def test_tabs(proj):
    src = LOSS.replace("    return", "\treturn")
    r = check_one(proj, "tabs.py", src.encode())
    col = src.splitlines()[4].index("axis") + 1      # columns count characters; a tab is one
    assert [(f["code"], f["line"], f["column"]) for f in r.findings()] == [("LL102", LOSS_LINE, col)]


def test_wide_characters_before_the_axis(proj):
    src = LOSS.replace("K.square(y_pred - y_true)", "K.square(y_pred - y_true) * len('é😀\u0301')")
    r = check_one(proj, "wide.py", src.encode())
    col = src.splitlines()[4].index("axis") + 1
    assert [(f["code"], f["line"], f["column"]) for f in r.findings()] == [("LL102", LOSS_LINE, col)]


def test_latin1_cookie_is_honoured(proj):
    src = "# -*- coding: latin-1 -*-\n" + LOSS + "# caf\u00e9\n"
    r = check_one(proj, "latin1.py", src.encode("latin-1"))
    assert [(f["code"], f["line"]) for f in r.findings()] == [("LL102", LOSS_LINE + 1)]


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n\n", b"   ", b"# just a comment",
                                     b"\r\n", b"\x0c", b"\\\n"])
def test_empty_and_near_empty(proj, content):
    r = check_one(proj, "empty.py", content)
    assert r.code in (0, 1)
    if content.strip(b" \n\r\x0c\xef\xbb\xbf") in (b"", b"# just a comment"):
        assert r.code == 0 and r.findings() == [], r.out


# -- size and depth ---------------------------------------------------------------------------

def test_100k_lines_plain(proj):
    """Not loss code: the pre-filter path."""
    data = "".join(f"x{i} = {i}\n" for i in range(100_000)).encode()
    r = check_one(proj, "big_plain.py", data, timeout=BIG_TIMEOUT)
    assert r.code == 0 and r.findings() == []


def test_100k_lines_with_a_loss(proj):
    body = "".join(f"x{i} = {i}\n" for i in range(100_000))
    data = (body + LOSS).encode()
    r = check_one(proj, "big_loss.py", data, timeout=BIG_TIMEOUT)
    assert [(f["code"], f["line"]) for f in r.findings()] == [("LL102", 100_000 + LOSS_LINE)]


def test_100k_lines_syntax_error_at_the_end(proj):
    data = ("".join(f"x{i} = {i}\n" for i in range(100_000)) + "def mse_loss(:\n").encode()
    r = check_one(proj, "big_broken.py", data, timeout=BIG_TIMEOUT)
    assert [(f["code"], f["line"]) for f in r.findings()] == [("LL001", 100_001)]


def _deep_ok(r: Run, name: str) -> None:
    """Deep nesting: LL001, a graceful skip message, or (if it could be analysed) findings."""
    found = codes_at(r, name)
    skipped = "nested too deeply" in r.err or "skipped" in r.err
    assert found == ["LL001"] or skipped or found, (found, r.err)


@pytest.mark.parametrize("kind", ["parens", "neg_parens", "unary", "binop", "attr_chain", "ifexp",
                                  "subscript", "lambda", "list"])
def test_deep_expressions(proj, kind):
    n = 5000
    expr = {
        "parens": "(" * n + "y_pred" + ")" * n,
        "neg_parens": "-(" * n + "y_pred" + ")" * n,
        "unary": "- " * n + "y_pred",
        "binop": " + ".join(["y_pred"] * n * 4),
        "attr_chain": "y_pred" + ".float()" * n,
        "ifexp": "y_pred if y_true else " * n + "y_pred",
        "subscript": "y_pred" + "[0]" * n,
        "lambda": "lambda: " * n + "y_pred",
        "list": "[" * n + "y_pred" + "]" * n,
    }[kind]
    src = LOSS.replace("    return K.mean(K.square(y_pred - y_true), axis=-1)\n",
                       f"    x = {expr}\n    return K.mean(x, axis=-1)\n")
    r = check_one(proj, f"deep_{kind}.py", src.encode())
    _deep_ok(r, f"deep_{kind}.py")


def test_deep_statement_nesting(proj):
    """100 nested blocks (CPython refuses > 20 when compiling, but it parses)."""
    lines = ["from keras import backend as K", "", "def mse_loss(y_true, y_pred):"]
    for d in range(100):
        lines.append("    " * (d + 1) + "if y_true is not None:")
    lines.append("    " * 101 + "y_pred = K.mean(y_pred, axis=-1)")
    lines.append("    return y_pred")
    r = check_one(proj, "deep_blocks.py", ("\n".join(lines) + "\n").encode())
    assert "Traceback" not in r.err


def test_long_statement_chain(proj):
    """3,000 statements in one loss, each permuting twice: linear, and the finding is found."""
    src = ("import torch\nfrom keras import backend as K\n\n"
           "def mse_loss(y_true, y_pred):\n    x = y_pred\n"
           + "    x = x.permute(0, 2, 3, 1).permute(0, 3, 1, 2)\n" * 3000
           + "    return K.mean(x, axis=-1)\n")
    r = check_one(proj, "chain.py", src.encode(), timeout=BIG_TIMEOUT)
    assert [(f["code"], f["line"]) for f in r.findings()] == [("LL102", 3006)]


def test_10mb_single_line(proj):
    data = b"x = '" + b"a" * (10 * 1024 * 1024) + b"'\n"
    r = check_one(proj, "long_line.py", data, timeout=BIG_TIMEOUT)
    assert r.code == 0 and r.findings() == []


def test_10mb_single_line_in_loss_code(proj):
    """The axis line of a loss carries a 10 MB comment: found, at the right column."""
    line = "    return K.mean(K.square(y_pred - y_true), axis=-1)  # " + "x" * (10 * 1024 * 1024)
    data = LOSS.replace(LOSS.splitlines()[4], line).encode()
    r = check_one(proj, "long_loss.py", data, timeout=BIG_TIMEOUT)
    assert [(f["code"], f["line"], f["column"]) for f in r.findings()] == [("LL102", LOSS_LINE, LOSS_COL)]


ONE_LINERS = (
    "from keras import backend as K\n\n\n"
    "def mse_loss(y_true, y_pred): return K.mean(K.square(y_pred - y_true), axis=-1)\n\n\n"
    "def dice_loss(y_true, y_pred):\n"
    "    if y_true is not None: return K.mean(y_pred, axis=-1)\n"
    "    return y_pred\n\n\n"
    "def iou_loss(y_true, y_pred):\n"
    "    for _ in range(2): y_pred = K.mean(y_pred, axis=-1)\n"
    "    return y_pred\n"
)


def test_one_line_bodies_are_analysed(proj):
    r = check_one(proj, "one_liners.py", ONE_LINERS.encode())
    assert sorted((f["code"], f["line"]) for f in r.findings()) == [("LL102", 4), ("LL102", 8), ("LL102", 13)]


# -- files that vanish, cannot be read, loop, or are not Python ---------------------------------

def test_named_file_does_not_exist(proj):
    (proj / "real.py").write_text(LOSS, encoding="utf-8")
    r = run_cli(["gone.py", "real.py"], proj)
    assert_graceful(r)
    assert codes_at(r, "gone.py") == ["LL001"], (r.out, r.err)
    assert codes_at(r, "real.py") == ["LL102"]


VANISH = """
import os, sys
import losslint.files as files
orig = files.discover
def discover(*a, **k):
    out = orig(*a, **k)
    for p in out:
        if os.path.basename(p) == "victim.py":
            os.remove(p)          # deleted after discovery, before it is read
    return out
files.discover = discover
from losslint.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("fix", [False, True])
def test_file_vanishes_during_the_run(proj, fix):
    (proj / "victim.py").write_text(LOSS, encoding="utf-8")
    (proj / "real.py").write_text(LOSS, encoding="utf-8")
    r = run_cli([*(["--fix"] if fix else []), "--no-cache", "."], proj,
                cmd=[sys.executable, "-c", VANISH, "check"])
    assert_graceful(r)
    assert codes_at(r, "victim.py") == ["LL001"], (r.out, r.err)
    if not fix:
        assert codes_at(r, "real.py") == ["LL102"]
    else:
        assert "axis=1" in (proj / "real.py").read_text()
        assert not (proj / "victim.py").exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="as root, chmod 000 does not block reads")
def test_unreadable_file(proj):
    p = proj / "secret.py"
    p.write_text(LOSS, encoding="utf-8")
    p.chmod(0)
    try:
        r = run_cli(["secret.py"], proj)
        assert_graceful(r)
        assert codes_at(r, "secret.py") == ["LL001"]
        r = run_cli(["."], proj)
        assert_graceful(r)
        assert codes_at(r, "secret.py") == ["LL001"]
    finally:
        p.chmod(0o644)


def test_symlink_loops_in_the_tree(proj):
    pkg = proj / "pkg"
    pkg.mkdir()
    (pkg / "loss.py").write_text(LOSS, encoding="utf-8")
    os.symlink("..", pkg / "parent")          # directory symlink to its parent
    os.symlink(".", pkg / "itself")
    os.symlink("b.py", pkg / "a.py")          # file symlink loop
    os.symlink("a.py", pkg / "b.py")
    os.symlink("missing.py", pkg / "dangling.py")
    (pkg / "dir.py").mkdir()                  # a directory that looks like a module
    r = run_cli(["."], proj)
    assert_graceful(r)
    assert codes_at(r, "pkg/loss.py") == ["LL102"]
    assert len(codes_at(r, "loss.py")) == 1, r.out   # not visited again through the loops
    for name in ("a.py", "b.py", "dangling.py"):
        assert codes_at(r, f"pkg/{name}") in ([], ["LL001"])
    r = run_cli(["pkg/parent/pkg/itself/loss.py", "pkg/a.py"], proj)
    assert_graceful(r)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_fifo_in_the_tree(proj):
    (proj / "loss.py").write_text(LOSS, encoding="utf-8")
    os.mkfifo(proj / "pipe.py")
    r = run_cli(["."], proj, timeout=20)
    assert_graceful(r)
    assert codes_at(r, "loss.py") == ["LL102"]


def test_non_python_files_named_explicitly(proj):
    (proj / "notes.txt").write_text(LOSS, encoding="utf-8")
    (proj / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    (proj / "data.bin").write_bytes(os.urandom(4096))
    r = run_cli(["notes.txt", "image.png", "data.bin"], proj)
    assert_graceful(r)
    assert codes_at(r, "notes.txt") in (["LL102"], [])     # checked like flake8, or skipped
    assert codes_at(r, "image.png") in (["LL001"], [])
    assert codes_at(r, "data.bin") in (["LL001"], [])
    # a directory walk only picks Python files
    r = run_cli(["."], proj)
    assert_graceful(r, (0,))
    assert r.findings() == []


def test_dev_null_and_directory_named_like_a_module(proj):
    (proj / "pkg.py").mkdir()
    r = run_cli(["/dev/null", "pkg.py"], proj)
    assert_graceful(r)


@pytest.mark.parametrize("name", ["space name.py", "ünïcode_😀.py", "-dash.py", "semi;colon.py"])
def test_odd_file_names(proj, name):
    (proj / name).write_text(LOSS, encoding="utf-8")
    r = run_cli(["--", name], proj)
    assert_graceful(r)
    assert codes_at(r, name) == ["LL102"]


def test_newline_in_file_name(proj):
    (proj / "a\nb.py").write_text(LOSS, encoding="utf-8")
    r = run_cli(["."], proj)
    assert_graceful(r)
    assert [f["code"] for f in r.findings()] == ["LL102"]


@pytest.mark.parametrize("data", [b"", b"\x00", b"\xff\xfe", LOSS.encode(), b"\xef\xbb\xbf" + LOSS.encode()])
def test_stdin(proj, data):
    r = run_cli(["--stdin-filename", "from_stdin.py"], proj, stdin=data)
    assert_graceful(r)
    if data in (b"\x00", b"\xff\xfe"):
        assert codes_at(r, "from_stdin.py") == ["LL001"]
    if b"def mse_loss" in data:
        assert codes_at(r, "from_stdin.py") == ["LL102"]


# -- the engine following imports into hostile modules ------------------------------------------

HELPER_USER = (
    "from keras import backend as K\n"
    "from .helpers import reduce_it\n\n"
    "def mse_loss(y_true, y_pred):\n"
    "    return reduce_it(K.square(y_pred - y_true))\n"
)


@pytest.mark.parametrize("helper", [
    b"def reduce_it(x):\n    return x.mean(-1\n",                        # syntax error
    b"def reduce_it(x):\n    return x.mean(-1)  # \xff\n",               # invalid UTF-8
    b"def reduce_it(x):\n    return x.mean(-1)\x00\n",                    # NUL
    b"def reduce_it(x):\n    return reduce_it(x).mean(-1)\n",             # self-recursive
    b"from .losses import mse_loss\ndef reduce_it(x):\n    return mse_loss(x, x)\n",   # cycle
    b"def reduce_it(x):\n    return " + b"(" * 3000 + b"x" + b")" * 3000 + b".mean(-1)\n",
])
def test_engine_follows_imports_into_hostile_helpers(proj, helper):
    pkg = proj / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "losses.py").write_text(HELPER_USER, encoding="utf-8")
    (pkg / "helpers.py").write_bytes(helper)
    r = run_cli(["pkg/losses.py"], proj)
    assert_graceful(r)
    r = run_cli(["."], proj)
    assert_graceful(r)


def test_recursive_helpers(proj):
    (proj / "rec.py").write_text(
        "from keras import backend as K\n\n"
        "def h1(x):\n    return h2(x).sum(-1)\n\n"
        "def h2(x):\n    return h1(x) * 2\n\n"
        "def dice_loss(y_true, y_pred):\n    return dice_loss(y_true, h1(y_pred))\n", encoding="utf-8")
    r = run_cli(["rec.py"], proj)
    assert_graceful(r)


# -- hostile configuration --------------------------------------------------------------------

T = "[tool.losslint]\n"
BAD_CONFIGS = {
    # wrong types, key by key
    "layout_int": (T + "layout = 5\n", "layout"),
    "layout_list": (T + 'layout = ["N", "C"]\n', "layout"),
    "layout_table": (T + "layout = {a = 1}\n", "layout"),
    "layout_bool": (T + "layout = true\n", "layout"),
    "layout_float": (T + "layout = nan\n", "layout"),
    "layout_datetime": (T + "layout = 1979-05-27T07:32:00Z\n", "layout"),
    "target_layout_list": (T + 'layout = "N C H W"\ntarget-layout = ["N"]\n', "target-layout"),
    "batch_axis_int": (T + 'layout = "N C H W"\nbatch-axis = 0\n', "batch-axis"),
    "feature_axis_list": (T + 'layout = "N C H W"\nfeature-axis = ["C"]\n', "feature-axis"),
    "select_string": (T + 'select = "LL1"\n', "select"),
    "select_ints": (T + "select = [1, 2]\n", "select"),
    "ignore_table": (T + "ignore = {LL102 = true}\n", "ignore"),
    "extend_select_bool": (T + "extend-select = false\n", "extend-select"),
    "exclude_string": (T + 'exclude = "build"\n', "exclude"),
    "exclude_nested": (T + 'exclude = [["build"]]\n', "exclude"),
    "pfi_list": (T + 'per-file-ignores = ["LL102"]\n', "per-file-ignores"),
    "pfi_value_string": (T + 'per-file-ignores = { "tests/*" = "LL102" }\n', "per-file-ignores"),
    "params_list": (T + 'layout = "N C H W"\nparams = ["weight"]\n', "params"),
    "params_value_int": (T + 'layout = "N C H W"\nparams = { weight = 3 }\n', "params.weight"),
    "outputs_table": (T + 'outputs = { name = "x" }\n', "outputs"),
    "outputs_of_arrays": (T + "outputs = [[1]]\n", "outputs"),
    "outputs_no_losses": (T + '[[tool.losslint.outputs]]\nname = "seg"\nlayout = "N C H W"\n', "losses"),
    "outputs_losses_string": (T + '[[tool.losslint.outputs]]\nlosses = "*seg*"\n', "losses"),
    "outputs_name_int": (T + '[[tool.losslint.outputs]]\nname = 3\nlosses = ["*"]\n', "name"),
    "outputs_layout_int": (T + '[[tool.losslint.outputs]]\nlosses = ["*"]\nlayout = 4\n', "layout"),
    "outputs_unknown_key": (T + '[[tool.losslint.outputs]]\nlosses = ["*"]\nlayuot = "N C"\n', "layuot"),
    "outputs_bad_params": (T + '[[tool.losslint.outputs]]\nlosses = ["*"]\nparams = { w = "N N" }\n', "params.w"),
    # bad layouts
    "layout_empty": (T + 'layout = ""\n', "layout"),
    "layout_dup": (T + 'layout = "N C C"\n', "layout"),
    "layout_two_variadic": (T + 'layout = "N *a *b"\n', "layout"),
    "layout_star_alone": (T + 'layout = "N C *"\n', "layout"),
    "layout_negative": (T + 'layout = "N -1 H W"\n', "layout"),
    "layout_nul": (T + 'layout = "N\\u0000C"\n', "layout"),
    "layout_two_features": (T + 'layout = "N C K H W"\n', "layout"),
    "layout_two_batches": (T + 'layout = "N B H W"\n', "layout"),
    "layout_punct": (T + 'layout = "N, C, H, W"\n', "layout"),
    "target_layout_bad": (T + 'layout = "N C H W"\ntarget-layout = "N ? W"\n', "target-layout"),
    "params_bad_layout": (T + 'layout = "N C H W"\nparams = { mask = "N 1 1 1 *x *y" }\n', "params.mask"),
    "feature_axis_unknown": (T + 'layout = "N C H W"\nfeature-axis = "Q"\n', "feature-axis"),
    "batch_axis_without_layout": (T + 'batch-axis = "N"\n', "batch-axis"),
    # unknown keys and codes
    "unknown_key": (T + 'layot = "N C H W"\n', "layot"),
    "unknown_nested_table": (T + 'layout = "N C H W"\n[tool.losslint.extra]\nx = 1\n', "extra"),
    "unknown_code_select": (T + 'select = ["LL999X"]\n', "select"),
    "unknown_code_ignore": (T + 'ignore = ["E501"]\n', "ignore"),
    "unknown_code_extend": (T + 'extend-select = ["", "LL1"]\n', "extend-select"),
    "unknown_code_pfi": (T + 'per-file-ignores = { "x.py" = ["ZZ1"] }\n', "per-file-ignores"),
    "tool_losslint_not_table": ("[tool]\nlosslint = 3\n", "[tool.losslint]"),
    "tool_losslint_array": ("[tool]\nlosslint = [1, 2]\n", "[tool.losslint]"),
}


def _one_config_error_line(r: Run, file_name: str = "pyproject.toml") -> str:
    """Exit 2, no traceback, and one line on standard error naming the file: that line."""
    assert "Traceback" not in r.err, r.err
    assert r.code == 2, (r.code, r.out, r.err)
    lines = [ln for ln in r.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and file_name in lines[0], r.err
    return lines[0]


def _assert_config_error(r: Run, key: str, file_name: str = "pyproject.toml") -> None:
    line = _one_config_error_line(r, file_name)
    assert key in line, (key, line)
    assert len(line) < 2000, "the message echoes a huge value"


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_values(proj, case):
    text, key = BAD_CONFIGS[case]
    (proj / "pyproject.toml").write_text(text, encoding="utf-8")
    (proj / "a.py").write_text(LOSS, encoding="utf-8")
    _assert_config_error(run_cli(["a.py"], proj), key)


def test_batch_and_feature_axis_the_same(proj):
    (proj / "pyproject.toml").write_text(T + 'layout = "N C H W"\nbatch-axis = "C"\nfeature-axis = "C"\n',
                                         encoding="utf-8")
    (proj / "a.py").write_text(LOSS, encoding="utf-8")
    _assert_config_error(run_cli(["a.py"], proj), "axis")


@pytest.mark.parametrize("name,prefix", [("losslint.toml", ""), (".losslint.toml", "")])
def test_bad_values_in_standalone_config_files(proj, name, prefix):
    (proj / "pyproject.toml").unlink()
    (proj / name).write_text('layout = 5\n', encoding="utf-8")
    (proj / "a.py").write_text(LOSS, encoding="utf-8")
    _assert_config_error(run_cli(["a.py"], proj), "layout", name)


def test_bad_value_through_config_option(proj, tmp_path_factory):
    other = tmp_path_factory.mktemp("cfg") / "custom.toml"
    other.write_text("select = 7\n", encoding="utf-8")
    (proj / "a.py").write_text(LOSS, encoding="utf-8")
    _assert_config_error(run_cli(["--config", str(other), "a.py"], proj), "select", "custom.toml")


@pytest.mark.parametrize("case", ["syntax", "invalid_utf8", "nul", "duplicate_key", "bom", "binary"])
def test_invalid_toml(proj, case):
    data = {
        "syntax": b"[tool.losslint\nlayout = 1\n",
        "invalid_utf8": b'[tool.losslint]\nlayout = "N C H W \xff"\n',
        "nul": b'[tool.losslint]\nlayout = "N C\x00 H W"\n',
        "duplicate_key": b'[tool.losslint]\nlayout = "N C H W"\nlayout = "N C"\n',
        "bom": b'\xef\xbb\xbf[tool.losslint]\nlayout = 5\n',
        "binary": os.urandom(2048).replace(b"\n", b"\x00"),
    }[case]
    (proj / "pyproject.toml").write_bytes(data)
    (proj / "a.py").write_text(LOSS, encoding="utf-8")
    _one_config_error_line(run_cli(["a.py"], proj))


@pytest.mark.parametrize("kind", ["arrays", "inline_tables", "array_of_tables_in_value"])
def test_deeply_nested_toml(proj, kind):
    n = 10_000
    value = {
        "arrays": "[" * n + "]" * n,
        "inline_tables": "{a = " * n + "1" + "}" * n,
        "array_of_tables_in_value": "[{a = " * n + "1" + "}]" * n,
    }[kind]
    (proj / "pyproject.toml").write_text(T + f"a = {value}\n", encoding="utf-8")
    (proj / "a.py").write_text(LOSS, encoding="utf-8")
    _one_config_error_line(run_cli(["a.py"], proj))


@pytest.mark.parametrize("opt", ["--layout", "--target-layout"])
def test_empty_layout_option(proj, opt):
    (proj / "a.py").write_text(LOSS, encoding="utf-8")
    r = run_cli([opt, "", "a.py"], proj)
    assert "Traceback" not in r.err, r.err
    assert r.code == 2 and opt in r.err, (r.code, r.err)


@pytest.mark.parametrize("where", ["config", "cli"])
def test_huge_malformed_layout_message_is_short(proj, where):
    huge = " ".join(f"a{i}" for i in range(5_000 if where == "cli" else 50_000)) + " N N"  # argv: < 128 KB
    (proj / "a.py").write_text(LOSS, encoding="utf-8")
    if where == "config":
        (proj / "pyproject.toml").write_text(T + f'layout = "{huge}"\n', encoding="utf-8")
        _assert_config_error(run_cli(["a.py"], proj), "layout")
    else:
        r = run_cli(["--layout", huge, "a.py"], proj)
        _assert_config_error(r, "--layout", "")


def test_layout_with_newlines_is_whitespace(proj):
    """Not an error: any whitespace separates axis names."""
    (proj / "pyproject.toml").write_text(T + 'layout = "N\\nC\\tH W"\n', encoding="utf-8")
    (proj / "a.py").write_text(LOSS, encoding="utf-8")
    r = run_cli(["a.py"], proj)
    assert_graceful(r)
    assert codes_at(r, "a.py") == ["LL102"]


def test_deeply_nested_toml_table_headers(proj):
    """10,000 dotted levels under [tool.losslint]: an unknown key, exit 2."""
    header = "[tool.losslint." + ".".join(["t"] * 10_000) + "]\nx = 1\n"
    (proj / "pyproject.toml").write_text(T + 'layout = "N C H W"\n' + header, encoding="utf-8")
    (proj / "a.py").write_text(LOSS, encoding="utf-8")
    _assert_config_error(run_cli(["a.py"], proj), "t")


def test_enormous_toml(proj):
    """~5 MB of TOML (other tools' tables and a 100,000-entry exclude), then an unknown key."""
    parts = [T, 'layout = "N C H W"\n', "exclude = [\n"]
    parts += [f'  "generated/dir{i}/*",\n' for i in range(100_000)]
    parts.append("]\nbogus-key = 1\n")
    parts += [f"[tool.other{i}]\nkey = \"{'v' * 20}\"\n" for i in range(50_000)]
    (proj / "pyproject.toml").write_text("".join(parts), encoding="utf-8")
    (proj / "a.py").write_text(LOSS, encoding="utf-8")
    r = run_cli(["a.py"], proj, timeout=BIG_TIMEOUT)
    _assert_config_error(r, "bogus-key")


def test_enormous_valid_toml_still_works(proj):
    parts = [T, 'layout = "N C H W"\n', "exclude = [\n"]
    parts += [f'  "generated/dir{i}/*",\n' for i in range(100_000)]
    parts.append("]\n")
    (proj / "pyproject.toml").write_text("".join(parts), encoding="utf-8")
    (proj / "a.py").write_text(LOSS, encoding="utf-8")
    r = run_cli(["a.py"], proj, timeout=BIG_TIMEOUT)
    assert_graceful(r)
    assert codes_at(r, "a.py") == ["LL102"]


@pytest.mark.parametrize("args,key", [
    (["--layout", "N C C"], "--layout"),
    (["--target-layout", "?"], "--target-layout"),
    (["--select", "NOPE"], "--select"),
    (["--ignore", "LL1,,XX"], "--ignore"),
    (["--jobs", "-3"], "--jobs"),
    (["--jobs", "many"], "--jobs"),
    (["--format", "xml"], "--format"),
    (["--config", "missing.toml"], "missing.toml"),
    (["--config", "."], None),
    (["--config", "/dev/null"], "/dev/null"),
])
def test_bad_command_line(proj, args, key):
    (proj / "a.py").write_text(LOSS, encoding="utf-8")
    r = run_cli([*args, "a.py"], proj)
    assert "Traceback" not in r.err, r.err
    assert r.code == 2, (r.code, r.err)
    if key:
        assert key in r.err, r.err
