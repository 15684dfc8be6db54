"""--fix on real loss code (the packages bench/corpora.py downloads, when present): under the
flipped layout (where most hard-coded axes are "wrong", so many fixes apply) every fixed file
still parses, and a second --fix changes nothing."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout

import libcst as cst
import pytest

from losslint.cli import main
from test_prefilter import CORPORA, REAL_LOSS_DIRS

DIRS = [CORPORA / d for d in REAL_LOSS_DIRS if (CORPORA / d).is_dir()]


def _fix(args, cwd, monkeypatch) -> str:
    monkeypatch.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        main(["check", "--no-cache", "--jobs", "1", "--fix", *args])
    return err.getvalue()


@pytest.mark.skipif(not DIRS, reason="real corpora not downloaded (python bench/corpora.py)")
@pytest.mark.parametrize("layout", ["N H W C", "N C H W"])
def test_fix_on_real_loss_code(tmp_path, monkeypatch, layout):
    for i, d in enumerate(DIRS):
        shutil.copytree(d, tmp_path / f"{i}_{d.name}")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.py")}
    report = _fix(["--layout", layout, "."], tmp_path, monkeypatch)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*.py")}
    changed = [p for p in before if before[p] != after[p]]
    for p in changed:
        cst.parse_module(after[p].decode("utf-8"))
    if layout == "N H W C":
        assert changed, report   # the flipped layout has fixable findings in these packages
    _fix(["--layout", layout, "."], tmp_path, monkeypatch)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.py")} == after
