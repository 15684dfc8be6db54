"""Shared helpers: run the CLI in-process or as the installed console script, build file
trees, and a stand-in engine that emits findings on marked lines.

The real engine (LL101..LL107) is developed separately; tests of the pipeline around it
(selection, noqa, per-file-ignores, reporters, exit codes) use ``fake_engine`` so that they
depend only on the code they test.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from losslint.cli import main
from losslint.findings import Finding

DATA = Path(__file__).resolve().parent / "data"


@dataclass
class Result:
    code: int
    out: str
    err: str


NO_LAYOUT_HINT = (
    "losslint: no layout declared, so only the rules that need none run (LL001, LL107). "
    "Declare the layout of your model outputs, e.g. `layout = \"N C H W\"` under "
    "[tool.losslint] in pyproject.toml, or pass --layout \"N C H W\".\n"
)


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create ``files`` (relative path -> text or bytes) under ``root``; return ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def run(monkeypatch, capsys):
    """``run(*argv, stdin=b"...", cwd=dir)``: ``losslint.cli.main`` in-process -> Result."""

    def _run(*argv: str, stdin: bytes | None = None, cwd: Path | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse: --version, --help, usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return _run


def losslint_script() -> str:
    """The installed ``losslint`` console script of the interpreter running the tests."""
    candidate = Path(sys.executable).with_name("losslint")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("losslint")
    if found is None:  # pragma: no cover - the package is installed in the test environment
        pytest.skip("the losslint console script is not installed")
    return found


def run_script(argv: list[str], cwd: Path, stdin: bytes = b"") -> Result:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOSSLINT")}
    proc = subprocess.run(
        [losslint_script(), *argv], cwd=cwd, input=stdin, capture_output=True, env=env, timeout=60
    )
    return Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def run_scripts(jobs: list[tuple[list[str], Path]]) -> list[Result]:
    """Run several console-script invocations concurrently (keeps the suite fast)."""
    with ThreadPoolExecutor(max_workers=min(8, len(jobs) or 1)) as pool:
        return list(pool.map(lambda job: run_script(*job), jobs))


@pytest.fixture
def script():
    return run_script


_EMIT = re.compile(r"emit: (LL\d{3})")


@pytest.fixture
def fake_engine(monkeypatch):
    """Replace the engine: every ``emit: LLxxx`` marker yields that finding on its line, at
    the marker's column (1-based), with the message ``fake LLxxx``."""
    import losslint.engine

    def analyse_module(module, src, cfg, enabled, explain=False, **_):
        out = []
        # numbered as Python numbers lines, independently of Source.lines
        for lineno, line in enumerate(re.split(r"\r\n|\r|\n", src.text), 1):
            for m in _EMIT.finditer(line):
                out.append(Finding(src.path, lineno, m.start() + 1, m.group(1), f"fake {m.group(1)}",
                                   end_line=lineno, end_column=m.end() + 1))
        return out

    monkeypatch.setattr(losslint.engine, "analyse_module", analyse_module)
    return analyse_module
