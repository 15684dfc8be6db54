"""The real clients: flake8 with the LL plugin, and pre-commit with the losslint hook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONFIG = '[tool.losslint]\nlayout = "N C H W"\ntarget-layout = "N H W"\n'
SAME = '[tool.losslint]\nlayout = "N C H W"\n'   # targets of the prediction's layout
BUGGY = (
    "from keras import backend as K\n"
    "\n"
    "\n"
    "def mean_squared_error(y_true, y_pred):\n"
    "    return K.mean(K.square(y_pred - y_true), axis=-1)\n"
)
CLEAN = (
    "import torch\n"
    "\n"
    "\n"
    "def dice_loss(logits, target):\n"
    "    probs = torch.softmax(logits, dim=1)\n"
    "    return probs.sum(dim=(2, 3)).mean()\n"
)


def _losslint_set(paths: list[Path], cwd: Path) -> set[tuple[str, int, str]]:
    proc = subprocess.run([sys.executable, "-m", "losslint", "check", "--no-cache", "--format", "json",
                           *map(str, paths)], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return {(Path(f["path"]).name, f["line"], f["code"]) for f in json.loads(proc.stdout)}


def _flake8_set(args: list[str], paths: list[Path], cwd: Path) -> set[tuple[str, int, str]]:
    proc = subprocess.run([str(BIN / "flake8"), *args, "--format", "%(path)s|%(row)d|%(code)s",
                           *map(str, paths)], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    out = set()
    for line in proc.stdout.splitlines():
        path, row, code = line.split("|")
        if code.startswith("LL"):
            out.add((Path(path).name, int(row), code))
    return out


@pytest.fixture
def fixture_tree(tmp_path: Path) -> list[Path]:
    """Rule fixtures copied under one config (flake8 reads no CLI layout)."""
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    files = []
    for code in ("LL101", "LL102", "LL103", "LL104", "LL105", "LL106", "LL107"):
        for src in sorted((ROOT / "fixtures" / code).glob("*.py")):
            dst = tmp_path / f"{code}_{src.name}"
            shutil.copy(src, dst)
            files.append(dst)
    (tmp_path / "noqa_case.py").write_text(BUGGY.replace("axis=-1)", "axis=-1)  # noqa: LL102"))
    files.append(tmp_path / "noqa_case.py")
    return files


def test_flake8_plugin_matches_losslint(fixture_tree, tmp_path):
    ours = _losslint_set(fixture_tree, tmp_path)
    assert len(ours) > 20  # the comparison means something
    assert _flake8_set(["--extend-select", "LL"], fixture_tree, tmp_path) == ours
    assert _flake8_set(["--select", "LL"], fixture_tree, tmp_path) == ours


def test_flake8_select_narrows_and_noqa(tmp_path):
    (tmp_path / "pyproject.toml").write_text(SAME)
    bug = tmp_path / "bug.py"
    bug.write_text(BUGGY)
    assert _flake8_set(["--select", "LL102"], [bug], tmp_path) == {("bug.py", 5, "LL102")}
    assert _flake8_set(["--select", "LL101"], [bug], tmp_path) == set()
    bug.write_text(BUGGY.replace("axis=-1)", "axis=-1)  # noqa:LL102"))
    assert _flake8_set(["--select", "LL"], [bug], tmp_path) == set()


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed by pre-commit")
def test_pre_commit_hook(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "pyproject.toml").write_text(SAME)
    (repo / "buggy_loss.py").write_text(BUGGY)
    (repo / "clean_loss.py").write_text(CLEAN)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    # pre-commit installs losslint from this checkout into its own environment
    def try_repo(name: str):
        return subprocess.run(
            [str(BIN / "pre-commit"), "try-repo", str(ROOT), "losslint", "--files", name],
            cwd=repo, env=env, capture_output=True, text=True, timeout=600)

    bad = try_repo("buggy_loss.py")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "buggy_loss.py:5:46: LL102 mean over axis=-1 reduces W of y_pred (N C H W)" in bad.stdout
    good = try_repo("clean_loss.py")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
