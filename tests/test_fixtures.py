"""Fixture files with inline expectations (Fixit-style VALID/INVALID, pyflakes-style data).

Format of a fixture (``fixtures/<CODE>/*.py``):

    # run: --layout "N C H W"
    # run[mirror]: --layout "N H W C"
    ...
    return K.mean(x, axis=-1)  # expect: LL102  # expect[mirror]:

- ``# run[:|[NAME]:] ARGS`` lines (anywhere in the file) name the runs: the CLI is called on the
  file with those arguments. A file without ``# run`` lines has one run with no arguments
  (its directory's config applies).
- ``# expect: CODE[, CODE]`` on a line says which findings the default run reports on that
  line; ``# expect[NAME]: ...`` the same for the run NAME. Every line without a marker for a
  run must have no finding in it. A run's expected set is compared exactly.
"""

from __future__ import annotations

import io
import json
import re
import shlex
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from losslint.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
RUN = re.compile(r"#\s*run(?:\[(?P<name>[\w-]+)\])?:\s*(?P<args>.*)$")
EXPECT = re.compile(r"expect(?:\[(?P<name>[\w-]+)\])?:\s*(?P<codes>(?:LL\d{3}(?:\s*,\s*)?)*)")


def parse_fixture(path: Path):
    runs: dict[str, list[str]] = {}
    expected: dict[str, set[tuple[int, str]]] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = RUN.search(line)
        if m:
            runs[m.group("name") or ""] = shlex.split(m.group("args"))
            continue
        for e in EXPECT.finditer(line):
            name = e.group("name") or ""
            codes = [c.strip() for c in e.group("codes").split(",") if c.strip()]
            expected.setdefault(name, set()).update((lineno, c) for c in codes)
    if not runs:
        runs[""] = []
    for name in expected:
        assert name in runs, f"{path}: expect[{name}] has no matching '# run[{name}]:' line"
    return runs, expected


def run_cli(args: list[str]) -> tuple[int, list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["check", "--format", "json", "--no-cache", "--jobs", "1", *args])
    return code, (json.loads(out.getvalue()) if out.getvalue().strip() else []), err.getvalue()


def _cases():
    for path in sorted(FIXTURES.rglob("*.py")):
        if "examples" in path.parts:
            continue
        runs, _ = parse_fixture(path)
        for name in runs:
            yield pytest.param(path, name, id=f"{path.relative_to(FIXTURES)}[{name or 'default'}]")


@pytest.mark.parametrize("path,run", list(_cases()))
def test_fixture(path: Path, run: str):
    runs, expected = parse_fixture(path)
    code, findings, err = run_cli([str(path), *runs[run]])
    assert code in (0, 1), err
    got = {(f["line"], f["code"]) for f in findings if f["path"] == str(path)}
    want = expected.get(run, set())
    missing = sorted(want - got)
    extra = sorted(got - want)
    messages = {(f["line"], f["code"]): f["message"] for f in findings}
    assert not missing and not extra, (
        f"\nmissing: {missing}\nunexpected: {[(l, c, messages[(l, c)]) for l, c in extra]}"
    )
