"""``--fix`` / ``--diff`` never damage a file.

Over every fixture under ``fixtures/`` (each of its ``# run`` argument sets, in a copy of its
directory so that its config and sibling modules apply) and a set of buggy files written here
(also with CRLF, CR, BOM and latin-1 variants): ``--diff`` prints the change and touches
nothing; ``--fix`` gives exactly what applying the reported edits pass after pass gives (so only
the edited spans change), the file still parses, a second ``--fix`` is a no-op, and the file
keeps its mode (0o640), its line endings, its BOM and its encoding. The CLI runs in-process
here (``losslint.cli.main``); tests/test_hostile.py covers the subprocess path. ``losslint.fixes.write_atomic`` leaves a file alone when it
changed on disk since it was read, and a crash mid-write leaves the original intact with no
temporary file behind.
"""

from __future__ import annotations

import io
import json
import shlex
import os
import re
import shutil
import stat
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
import pytest

import losslint.fixes as fixes
from edit_oracle import apply_independently
from losslint.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CONFIG_NAMES = ("pyproject.toml", "losslint.toml", ".losslint.toml")
LAYOUT = "N C H W"

BUGGY = {
    "keras_mse.py": (
        "from keras import backend as K\n\n\n"
        "def mean_squared_error(y_true, y_pred):\n"
        "    return K.mean(K.square(y_pred - y_true), axis=-1)\n"
    ),
    "torch_softmax.py": (
        "import torch\n\n\n"
        "def seg_loss(logits, target):\n"
        "    probs = torch.softmax(logits, dim=-1)\n"
        "    return (probs - target).abs().mean()\n"
    ),
    "dice_nhwc.py": (
        "from keras import backend as K\n\n\n"
        "def dice_loss(y_true, y_pred, smooth=1.0):\n"
        "    inter = K.sum(y_true * y_pred, axis=[1, 2])\n"
        "    union = K.sum(y_true, axis=[1, 2]) + K.sum(y_pred, axis=[1, 2])\n"
        "    return 1 - (2 * inter + smooth) / (union + smooth)\n"
    ),
    "several.py": (
        "import torch\n"
        "import torch.nn.functional as F\n"
        "from keras import backend as K\n\n\n"
        "def focal_loss(logits, target):\n"
        "    logp = F.log_softmax(logits, dim=-1)  # a comment with axis=-1 in it\n"
        "    p = torch.softmax(logits, -1); q = logits.argmax(dim=-1)\n"
        "    return -(logp * target).sum(1).mean() + q.float().mean() + p.mean()\n\n\n"
        "def rmse_loss(y_true, y_pred):\n"
        "    return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))  # noqa: LL102\n\n\n"
        "def other_loss(y_true, y_pred):\n"
        "    s = 'axis=-1 in a string'\n"
        "    return K.mean(K.abs(y_pred - y_true),\n"
        "                  axis=-1)\n"
    ),
    "tabs_unicode.py": (
        "# -*- coding: utf-8 -*-\n"
        "from keras import backend as K\n\n\n"
        "def mse_loss(y_true, y_pred):\n"
        "\tlabel = 'café 😀'\n"
        "\treturn K.mean(K.square(y_pred - y_true), axis=-1) * len(label)\n"
    ),
    "tf_argmax.py": (
        "import tensorflow as tf\n\n\n"
        "def iou_loss(y_true, y_pred):\n"
        "    pred = tf.argmax(y_pred, axis=-1)\n"
        "    true = tf.argmax(y_true, axis=-1)\n"
        "    return tf.reduce_mean(tf.cast(tf.equal(pred, true), tf.float32))\n"
    ),
}


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOSSLINT")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def cli(args: list[str], cwd: Path) -> Result:
    """``losslint check --no-cache --jobs 1 ARGS`` in-process, from ``cwd`` (a subprocess per
    call would make this file take minutes; test_hostile.py covers the subprocess path)."""
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(["check", "--no-cache", "--jobs", "1", *args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(old)
    r = Result(code, out.getvalue(), err.getvalue())
    assert "Traceback" not in r.stderr, r.stderr
    assert "internal error" not in r.stderr, r.stderr
    assert r.returncode in (0, 1), (r.returncode, r.stderr)
    return r


# -- the cases ---------------------------------------------------------------------------------

RUN = re.compile(r"#\s*run(?:\[(?P<name>[\w-]+)\])?:\s*(?P<args>.*)$")


def _fixture_runs(path: Path) -> dict[str, list[str]]:
    """The ``# run[NAME]: ARGS`` lines of a fixture (see tests/test_fixtures.py)."""
    runs = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = RUN.search(line)
        if m:
            runs[m.group("name") or "default"] = shlex.split(m.group("args"))
    return runs or {"default": []}


@dataclass(frozen=True)
class Case:
    data: bytes
    args: tuple[str, ...]            # CLI arguments (layouts)
    fixture_dir: Path | None = None  # copied along (configs, helper modules)
    name: str = "loss.py"


def _cases() -> dict[str, Case]:
    out: dict[str, Case] = {}
    if FIXTURES.is_dir():
        for p in sorted(FIXTURES.rglob("*.py")):
            if not p.is_file():
                continue
            for run, args in _fixture_runs(p).items():
                out[f"fixture:{p.relative_to(FIXTURES).as_posix()}[{run}]"] = Case(
                    p.read_bytes(), tuple(args), p.parent, p.name)
    lay = ("--layout", LAYOUT)
    for name, text in BUGGY.items():
        out[name] = Case(text.encode("utf-8"), lay, name=name)
    # the same bugs with hostile encodings / line endings
    out["crlf:keras_mse.py"] = Case(BUGGY["keras_mse.py"].replace("\n", "\r\n").encode(), lay)
    out["crlf:several.py"] = Case(BUGGY["several.py"].replace("\n", "\r\n").encode(), lay)
    out["bom:torch_softmax.py"] = Case(b"\xef\xbb\xbf" + BUGGY["torch_softmax.py"].encode(), lay)
    out["bom-crlf:dice_nhwc.py"] = Case(b"\xef\xbb\xbf" + BUGGY["dice_nhwc.py"].replace("\n", "\r\n").encode(), lay)
    out["latin1:keras_mse.py"] = Case(("# -*- coding: latin-1 -*-\n# caf\u00e9\n" + BUGGY["keras_mse.py"]).encode("latin-1"), lay)
    out["cr-only:keras_mse.py"] = Case(BUGGY["keras_mse.py"].replace("\n", "\r").encode(), lay)
    return out


CASES = _cases()


def _decode(data: bytes) -> str:
    from losslint.source import decode

    return decode("x.py", data)


def _encoding(data: bytes) -> str:
    from losslint.source import decode_with_encoding

    return decode_with_encoding("x.py", data)[1]


def _setup(tmp_path: Path, case: Case) -> Path:
    work = tmp_path / "case"
    if case.fixture_dir is not None:
        shutil.copytree(case.fixture_dir, work)    # its config and sibling modules come along
    else:
        work.mkdir()
    target = work / case.name
    target.write_bytes(case.data)
    target.chmod(0o640)
    return target


def _json(r: Result) -> list[dict]:
    return json.loads(r.stdout) if r.stdout.strip() else []


def _line_ends(data: bytes) -> tuple[int, int, int]:
    crlf = data.count(b"\r\n")
    return crlf, data.count(b"\n") - crlf, data.count(b"\r") - crlf


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _apply_independently(text: str, edits: list[dict]) -> str:
    """Apply edits (1-based line/column, end exclusive) counting lines as Python does."""
    return apply_independently(text, [(e["line"], e["column"], e["end_line"], e["end_column"], e["new_text"])
                                      for e in edits])


def _replay(target: Path, args: list[str]) -> tuple[bytes, set[int], list[dict]]:
    """What --fix must produce: pass after pass (a fix can reveal a finding the first one hid),
    apply the edits of the fixable findings ``check`` reports for this file, nothing else.
    Returns the final bytes, the lines changed and the first pass's findings."""
    # a copy of the whole directory, same file name: module names (``module:qualname`` loss
    # globs) and sibling helpers must stay what they are for the real file
    replay_dir = target.parent.with_name(target.parent.name + "_replay")
    shutil.copytree(target.parent, replay_dir)
    scratch = replay_dir / target.name
    changed: set[int] = set()
    first = None
    try:
        for _ in range(5):
            findings = _json(cli([*args, "--format", "json", scratch.name], scratch.parent))
            mine = [f for f in findings if Path(f["path"]).name == scratch.name]
            first = mine if first is None else first
            edits = [e for f in mine if f["fix"] for e in f["fix"]["edits"]]
            if not edits:
                break
            data = scratch.read_bytes()
            text = _decode(data)
            new = _apply_independently(text, edits)
            if new == text:
                break
            a, b = _LINE.findall(text), _LINE.findall(new)
            assert len(a) == len(b), "a fix added or removed lines"
            changed |= {i for i, (x, y) in enumerate(zip(a, b), 1) if x != y}
            enc = _encoding(data)
            scratch.write_bytes((b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b"")
                                + new.encode("utf-8" if enc == "utf-8-sig" else enc))
        return scratch.read_bytes(), changed, first or []
    finally:
        shutil.rmtree(replay_dir)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_is_safe(tmp_path, name):
    case = CASES[name]
    args = list(case.args)
    target = _setup(tmp_path, case)
    original = case.data
    expected, changed, findings = _replay(target, args)
    has_fix = any(f["fix"] for f in findings)
    fixable_lines = {ln for f in findings if f["fix"] for e in f["fix"]["edits"]
                     for ln in range(e["line"], e["end_line"] + 1)}

    # --diff first: prints the change, touches nothing
    diff = cli([*args, "--diff", target.name], target.parent)
    assert target.read_bytes() == original
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    if has_fix:
        assert diff.returncode == 1, diff.stderr
        assert diff.stdout.startswith("--- ") and "\n+++ " in diff.stdout and "\n@@ " in diff.stdout, diff.stdout
    else:
        assert diff.returncode == 0 and diff.stdout == "", diff.stdout

    # --fix
    fixed_run = cli([*args, "--fix", target.name], target.parent)
    fixed = target.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640, "file mode not kept"
    assert not [p.name for p in target.parent.iterdir() if p.name.startswith(".losslint-")], "temp file left"
    if not has_fix:
        assert fixed == original
        return
    assert fixed != original, fixed_run.stderr
    # exactly the reported edits, pass after pass; the first pass only touches fixable lines
    assert fixed == expected, (fixed, expected)
    assert changed, changed
    first_pass_lines = {i for i, (x, y) in enumerate(zip(_LINE.findall(_decode(original)),
                                                         _LINE.findall(_apply_independently(_decode(original), [
                                                             e for f in findings if f["fix"] for e in f["fix"]["edits"]]))), 1)
                        if x != y}
    assert first_pass_lines <= fixable_lines
    # encoding, BOM and line endings kept; still parses
    assert fixed.startswith(b"\xef\xbb\xbf") == original.startswith(b"\xef\xbb\xbf")
    assert _encoding(fixed) == _encoding(original)
    assert _line_ends(fixed) == _line_ends(original)
    text_after = _decode(fixed)
    cst.parse_module(text_after)
    # the diff printed earlier is exactly this change
    after_lines = _LINE.findall(text_after)
    plus = [ln[1:] for ln in diff.stdout.splitlines(keepends=True) if ln.startswith("+") and not ln.startswith("+++")]
    assert [ln.rstrip("\r\n") for ln in plus] == [after_lines[i - 1].rstrip("\r\n") for i in sorted(changed)]

    # a second --fix is a no-op, and nothing fixable remains
    cli([*args, "--fix", target.name], target.parent)
    assert target.read_bytes() == fixed, "a second --fix changed the file again"
    left = [f for f in _json(cli([*args, "--format", "json", target.name], target.parent))
            if Path(f["path"]).name == target.name and f["fix"]]
    assert not left, left
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_diff_without_final_newline_is_a_valid_patch(tmp_path):
    target = tmp_path / "loss.py"
    src = BUGGY["keras_mse.py"].rstrip("\n")
    target.write_text(src, encoding="utf-8")
    diff = cli(["--layout", LAYOUT, "--diff", target.name], tmp_path)
    lines = diff.stdout.splitlines()
    assert "-    return K.mean(K.square(y_pred - y_true), axis=-1)" in lines, diff.stdout
    assert "+    return K.mean(K.square(y_pred - y_true), axis=1)" in lines, diff.stdout
    assert "\\ No newline at end of file" in lines, diff.stdout
    # and --fix itself keeps the file without a final newline
    cli(["--layout", LAYOUT, "--fix", target.name], tmp_path)
    assert target.read_text(encoding="utf-8") == src.replace("axis=-1", "axis=1")


def test_fix_keeps_executable_bit_and_other_modes(tmp_path):
    for mode in (0o755, 0o600, 0o444 | 0o200):
        p = tmp_path / f"m{mode:o}.py"
        p.write_text(BUGGY["keras_mse.py"], encoding="utf-8")
        p.chmod(mode)
        cli(["--layout", LAYOUT, "--fix", p.name], tmp_path)
        assert "axis=1" in p.read_text()
        assert stat.S_IMODE(p.stat().st_mode) == mode


# -- write_atomic ------------------------------------------------------------------------------

def _leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if p.name.startswith(".losslint-") or p.suffix == ".tmp")


def test_write_atomic_refuses_a_file_changed_on_disk(tmp_path):
    p = tmp_path / "loss.py"
    p.write_bytes(b"original = 1\n")
    err = fixes.write_atomic(str(p), "rewritten = 2\n", "utf-8", expected=b"other")
    assert isinstance(err, str) and err, err
    assert p.read_bytes() == b"original = 1\n"
    assert _leftovers(tmp_path) == []


def test_write_atomic_vanished_file(tmp_path):
    p = tmp_path / "gone.py"
    err = fixes.write_atomic(str(p), "x = 1\n", "utf-8", expected=b"x = 0\n")
    assert isinstance(err, str) and err
    assert not p.exists()
    assert _leftovers(tmp_path) == []


def test_write_atomic_success_keeps_mode(tmp_path):
    p = tmp_path / "loss.py"
    p.write_bytes(b"a = 1\r\n")
    p.chmod(0o640)
    assert fixes.write_atomic(str(p), "a = 2\r\n", "utf-8", expected=b"a = 1\r\n") is None
    assert p.read_bytes() == b"a = 2\r\n"
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("where", ["os.replace", "os.fsync", "os.chmod"])
def test_write_atomic_crash_mid_write_keeps_original(tmp_path, monkeypatch, where):
    p = tmp_path / "loss.py"
    p.write_bytes(b"original = 1\n")
    func = where.split(".")[1]

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, func, boom)
    err = fixes.write_atomic(str(p), "rewritten = 2\n", "utf-8", expected=b"original = 1\n")
    monkeypatch.undo()
    assert isinstance(err, str) and err, err
    assert p.read_bytes() == b"original = 1\n"
    assert _leftovers(tmp_path) == []


def test_write_atomic_interrupted_keeps_original(tmp_path, monkeypatch):
    p = tmp_path / "loss.py"
    p.write_bytes(b"original = 1\n")

    def interrupt(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        fixes.write_atomic(str(p), "rewritten = 2\n", "utf-8", expected=b"original = 1\n")
    monkeypatch.undo()
    assert p.read_bytes() == b"original = 1\n"
    assert _leftovers(tmp_path) == []


def test_write_atomic_unencodable_text(tmp_path):
    """Text that the file's encoding cannot represent: an error, the file untouched."""
    p = tmp_path / "loss.py"
    p.write_bytes(b"# -*- coding: latin-1 -*-\nx = 1\n")
    err = fixes.write_atomic(str(p), "# -*- coding: latin-1 -*-\nx = '\u20ac'\n", "latin-1",
                             expected=b"# -*- coding: latin-1 -*-\nx = 1\n")
    assert isinstance(err, str) and err
    assert p.read_bytes() == b"# -*- coding: latin-1 -*-\nx = 1\n"
    assert _leftovers(tmp_path) == []


def test_fix_leaves_a_file_modified_between_read_and_write_alone(tmp_path):
    """End to end: the file changes after losslint read it; --fix must not overwrite it."""
    target = tmp_path / "loss.py"
    target.write_text(BUGGY["keras_mse.py"], encoding="utf-8")
    racer = (
        "import sys, losslint.fixes as fx\n"
        "orig = fx.write_atomic\n"
        "def racing(path, text, encoding, expected):\n"
        "    with open(path, 'a') as fh:\n"
        "        fh.write('# edited by the user meanwhile\\n')\n"
        "    return orig(path, text, encoding, expected)\n"
        "fx.write_atomic = racing\n"
        "from losslint.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", racer, "check", "--no-cache", "--layout", LAYOUT, "--fix",
                           "loss.py"], cwd=tmp_path, capture_output=True, env=_env(), timeout=120)
    err = proc.stderr.decode()
    assert "Traceback" not in err, err
    assert target.read_text() == BUGGY["keras_mse.py"] + "# edited by the user meanwhile\n"
    assert "changed on disk" in err or "not overwritten" in err, err
    assert proc.returncode == 1


# -- bugs found ------------------------------------------------------------------------------

def test_fix_after_a_form_feed_line(tmp_path):
    target = tmp_path / "ff.py"
    src = ("from keras import backend as K\n\x0c\n"
           "def mse_loss(y_true, y_pred):\n"
           "    return K.mean(K.square(y_pred - y_true), axis=-1)\n")
    target.write_text(src, encoding="utf-8")
    cli(["--layout", LAYOUT, "--fix", target.name], tmp_path)
    assert target.read_text(encoding="utf-8") == src.replace("axis=-1", "axis=1")


CROSS_HELPERS = (
    "from keras import backend as K\n\n\n"
    "def reduce_last(x, axis=-1):\n"
    "    return K.mean(x, axis=axis)\n"
)
CROSS_LOSSES = (
    "from keras import backend as K\n"
    "from mypkg.helpers import reduce_last\n\n\n"
    'LABEL = "mean squared error over the channel axis of NCHW predictions"\n\n\n'
    "def helper_loss(y_true, y_pred):\n"
    "    return reduce_last(K.square(y_pred - y_true))\n"
)


def test_fix_never_applies_edits_of_another_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\nlayout = "N C H W"\n', encoding="utf-8")
    pkg = tmp_path / "mypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "helpers.py").write_text(CROSS_HELPERS, encoding="utf-8")
    (pkg / "losses.py").write_text(CROSS_LOSSES, encoding="utf-8")
    cli(["--fix", "mypkg/losses.py"], tmp_path)
    assert (pkg / "losses.py").read_text(encoding="utf-8") == CROSS_LOSSES


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_fix_through_a_symlink_updates_the_target(tmp_path):
    real = tmp_path / "shared" / "loss.py"
    real.parent.mkdir()
    real.write_text(BUGGY["keras_mse.py"], encoding="utf-8")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    cli(["--layout", LAYOUT, "--fix", "link.py"], tmp_path)
    assert link.is_symlink(), "--fix replaced the symlink by a regular file"
    assert "axis=1" in real.read_text()
