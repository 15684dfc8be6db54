"""Engine behaviour that spans files or runs: project helpers and constants, the cache,
--explain, the no-layout mode."""

from __future__ import annotations

import io
import json
import random
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from losslint.cli import main


def run(args: list[str], cwd: Path, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["check", "--jobs", "1", *args])
    return code, out.getvalue(), err.getvalue()


def findings(args, cwd, monkeypatch):
    code, out, err = run(["--format", "json", *args], cwd, monkeypatch)
    assert code in (0, 1), err
    return sorted((f["path"], f["line"], f["code"]) for f in json.loads(out))


def make_project(tmp_path: Path, layout: str = "N C H W") -> Path:
    (tmp_path / "pyproject.toml").write_text(f'[tool.losslint]\nlayout = "{layout}"\n')
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "axes.py").write_text(
        "from keras import backend as K\n"
        "CLASS_AXIS = 1 if K.image_data_format() == 'channels_first' else -1\n"
        "LAST = -1\n"
    )
    (pkg / "helpers.py").write_text(
        "import torch\n"
        "def spatial_mean(x):\n"
        "    return x.mean(dim=-1)\n"
    )
    (pkg / "losses.py").write_text(
        "import torch\n"
        "from keras import backend as K\n"
        "from pkg.axes import CLASS_AXIS, LAST\n"
        "from .helpers import spatial_mean\n"
        "def good_loss(y_true, y_pred):\n"
        "    return K.softmax(y_pred, axis=CLASS_AXIS)\n"
        "def const_loss(y_true, y_pred):\n"
        "    return K.mean(y_pred, axis=LAST)\n"
        "def helper_loss(pred, target):\n"
        "    return spatial_mean(pred)\n"
    )
    return tmp_path


def test_imported_constants_and_helpers(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    assert findings(["--no-cache", "pkg/losses.py"], root, monkeypatch) == [
        ("pkg/helpers.py", 3, "LL102"),   # reported in the helper, at its axis
        ("pkg/losses.py", 8, "LL102"),
    ]
    # channels-last: the data-format conditional and -1 are right, nothing to report
    assert findings(["--no-cache", "--layout", "N H W C", "pkg/losses.py"], root, monkeypatch) == []


def test_helper_finding_reported_once(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    with open(root / "pkg" / "losses.py", "a") as fh:
        fh.write("def other_loss(pred, target):\n    return spatial_mean(pred * 2)\n")
    got = findings(["--no-cache", "."], root, monkeypatch)
    assert got.count(("pkg/helpers.py", 3, "LL102")) == 1


def test_warm_cache_equals_cold_after_random_edits(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    rng = random.Random(7)
    edits = [
        ("pkg/helpers.py", "dim=-1", "dim=1"),
        ("pkg/helpers.py", "dim=1", "dim=-1"),
        ("pkg/axes.py", "LAST = -1", "LAST = 1"),
        ("pkg/axes.py", "LAST = 1", "LAST = -1"),
        ("pkg/losses.py", "axis=LAST", "axis=(2, 3)"),
        ("pkg/losses.py", "axis=(2, 3)", "axis=LAST"),
    ]
    for _ in range(8):
        path, old, new = rng.choice(edits)
        text = (root / path).read_text()
        (root / path).write_text(text.replace(old, new))
        warm = findings(["."], root, monkeypatch)
        cold = findings(["--no-cache", "."], root, monkeypatch)
        assert warm == cold
    # a renamed file and a config change
    (root / "pkg" / "losses.py").rename(root / "pkg" / "renamed_losses.py")
    assert findings(["."], root, monkeypatch) == findings(["--no-cache", "."], root, monkeypatch)
    (root / "pyproject.toml").write_text('[tool.losslint]\nlayout = "N H W C"\n')
    assert findings(["."], root, monkeypatch) == findings(["--no-cache", "."], root, monkeypatch)
    assert (root / ".losslint_cache" / "CACHEDIR.TAG").is_file()


def test_version_upgrade_invalidates_cache(tmp_path, monkeypatch):
    import losslint.cache as cache_mod

    root = make_project(tmp_path)
    before = findings(["."], root, monkeypatch)
    (root / "pkg" / "helpers.py").write_text("def spatial_mean(x):\n    return x\n")
    monkeypatch.setattr(cache_mod, "__version__", "999.0")
    assert findings(["."], root, monkeypatch) == findings(["--no-cache", "."], root, monkeypatch) != before


def test_corrupt_cache_is_ignored(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    cold = findings(["."], root, monkeypatch)
    for f in (root / ".losslint_cache").rglob("*.json"):
        f.write_text('{"files": {"x": [1, 2')
    assert findings(["."], root, monkeypatch) == cold


def test_explain_shows_origin_steps_and_resolution(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    code, out, _ = run(["--explain", "pkg/losses.py"], root, monkeypatch)
    assert code == 1
    assert "pkg/losses.py:8:" in out
    assert "y_pred: N C H W (pyproject.toml [tool.losslint] layout)" in out
    assert "`LAST` = -1 (under channels_first) -> W of N C H W" in out
    assert "passed to helper `spatial_mean(pred)` as x" in out


def test_no_layout_runs_ll107_and_says_so_once(tmp_path, monkeypatch):
    (tmp_path / "a.py").write_text(
        "import torch\n"
        "def loss(scores, labels):\n"
        "    p = torch.softmax(scores, dim=0)\n"
        "    return p.argmax(dim=1) + scores.mean(dim=-1)\n"
    )
    (tmp_path / "b.py").write_text((tmp_path / "a.py").read_text())
    code, out, err = run([".", "--no-cache"], tmp_path, monkeypatch)
    assert code == 1
    assert [line.split(": ")[1].split()[0] for line in out.splitlines()] == ["LL107", "LL107"]
    assert err.count("no layout declared") == 1


def test_compile_string_loss(tmp_path, monkeypatch):
    (tmp_path / "train.py").write_text(
        "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"
        "model.compile(optimizer='adam', loss={'seg': 'mse', 'cls': 'categorical_crossentropy'})\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.losslint]\nlayout = "N C H W"\n'
        '[[tool.losslint.outputs]]\nname = "cls"\nlayout = "N C"\nlosses = []\n'
    )
    assert findings(["--no-cache", "train.py"], tmp_path, monkeypatch) == [
        ("train.py", 1, "LL106"), ("train.py", 2, "LL106"),
    ]


def test_cache_trusts_settled_mtime_and_rehashes_recent_files(tmp_path, monkeypatch):
    """Like ruff: an unchanged (mtime, size) is not read again; a file touched without change
    is a hit after hashing; a file modified in the last seconds is always hashed (a same-size
    rewrite within the timestamp granularity must not be missed)."""
    import os
    import time

    import losslint.checker as checker

    root = make_project(tmp_path)
    old = time.time() - 3600
    for p in root.rglob("*.py"):
        os.utime(p, (old, old))
    analysed: list[str] = []
    real = checker.analyse

    def counting(path, *a, **k):
        analysed.append(Path(path).name)
        return real(path, *a, **k)

    monkeypatch.setattr(checker, "analyse", counting)
    cold = findings(["."], root, monkeypatch)
    assert "losses.py" in analysed
    analysed.clear()
    opened: list[str] = []
    real_open = open

    def counting_open(path, *a, **k):
        opened.append(str(path))
        return real_open(path, *a, **k)

    monkeypatch.setattr("builtins.open", counting_open)
    assert findings(["."], root, monkeypatch) == cold
    assert analysed == [] and not [p for p in opened if p.endswith(".py")]
    monkeypatch.setattr("builtins.open", real_open)
    # touched, same content: hashed, still a hit
    os.utime(root / "pkg" / "losses.py", (old + 10, old + 10))
    assert findings(["."], root, monkeypatch) == cold and analysed == []
    # a same-size edit that keeps the mtime of a *recent* file: re-analysed
    losses = root / "pkg" / "losses.py"
    now = time.time()
    os.utime(losses, (now, now))
    findings(["."], root, monkeypatch)
    text = losses.read_text()
    losses.write_text(text.replace("axis=LAST", "axis=1   "))   # same length
    os.utime(losses, (now, now))
    analysed.clear()
    assert findings(["."], root, monkeypatch) == findings(["--no-cache", "."], root, monkeypatch) != cold
