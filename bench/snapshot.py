"""A snapshot of every finding losslint reports on the fixtures, the example project and the
real corpora, to compare two versions of the engine (a refactor must not change any).

    python bench/snapshot.py OUT.json                 # fixtures + example + realcode + keras
    python bench/snapshot.py OUT.json --quick         # fixtures + example only
    python bench/snapshot.py --compare A.json B.json  # what differs

Each entry is (where, run) -> sorted findings (path, line, column, code, message, fix edits).
Fixture runs are read from their ``# run:`` lines as ``tests/test_fixtures.py`` does; the
corpus comes from ``bench/corpora.py`` (``~/.cache/losslint-bench``): for
keras, the whole tree under ``layout = "N C H W"``; the realcode packages are compared by
running ``bench/realcode.py`` and ``git diff bench/results``.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shlex
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

RUN = re.compile(r"#\s*run(?:\[(?P<name>[\w-]+)\])?:\s*(?P<args>.*)$")


def _runs(path: Path) -> dict[str, list[str]]:
    runs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = RUN.search(line)
        if m:
            runs[m.group("name") or ""] = shlex.split(m.group("args"))
    return runs or {"": []}


def _norm(findings: list[dict], base: Path | None) -> list:
    out = []
    for f in findings:
        path = f["path"]
        if base is not None:
            try:
                path = str(Path(path).resolve().relative_to(base.resolve()))
            except ValueError:
                pass
        fix = f.get("fix")
        edits = tuple(tuple(sorted(e.items())) for e in fix["edits"]) if fix else None
        out.append((path, f["line"], f["column"], f["code"], f["message"], str(edits)))
    return sorted(out)


def _cli(args: list[str]) -> list[dict]:
    from losslint.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        main(["check", "--format", "json", "--no-cache", "--jobs", "1", *args])
    text = out.getvalue().strip()
    return json.loads(text) if text else []


def fixtures() -> dict:
    snap = {}
    for path in sorted((ROOT / "fixtures").rglob("*.py")):
        for name, args in _runs(path).items():
            snap[f"fixture {path.relative_to(ROOT)} [{name}]"] = _norm(_cli([str(path), *args]), ROOT)
    ex = ROOT / "examples" / "segproject"
    snap["example"] = _norm(_cli([str(ex)]), ROOT)
    return snap


def corpora_runs(losslint: str) -> dict:
    """The keras tree under ``N C H W`` (the realcode packages: ``bench/realcode.py`` writes
    its findings to ``bench/results/realcode-*.json``, compared with ``git diff``)."""
    import corpora

    snap = {}
    keras = corpora.CACHE / "corpora" / "keras"
    if keras.is_dir():
        import shutil

        work = corpora.CACHE / "work" / "snapshot-keras"
        if not work.is_dir():
            shutil.copytree(keras, work)
        (work / "pyproject.toml").write_text('[tool.losslint]\nlayout = "N C H W"\n', encoding="utf-8")
        p = subprocess.run([losslint, "check", "--format", "json", "--no-cache", "."],
                           capture_output=True, text=True, cwd=work)
        if p.returncode not in (0, 1):
            raise SystemExit(f"losslint failed on keras: {p.stderr}")
        snap["keras tree [N C H W]"] = _norm(json.loads(p.stdout or "[]"), work)
    return snap


def compare(a: dict, b: dict) -> int:
    diffs = 0
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x == y:
            continue
        diffs += 1
        print(f"== {key}")
        if x is None or y is None:
            print("   only in", "second" if x is None else "first")
            continue
        xs, ys = {tuple(i) for i in x}, {tuple(i) for i in y}
        for f in sorted(xs - ys):
            print("  -", f)
        for f in sorted(ys - xs):
            print("  +", f)
    print(f"{diffs} run(s) differ of {len(set(a) | set(b))}")
    return 1 if diffs else 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--compare", nargs=2)
    ap.add_argument("--losslint", default=str(Path(sys.executable).with_name("losslint")))
    args = ap.parse_args()
    if args.compare:
        a, b = (json.loads(Path(p).read_text(encoding="utf-8")) for p in args.compare)
        return compare(a, b)
    snap = fixtures()
    if not args.quick:
        snap.update(corpora_runs(args.losslint))
    Path(args.out).write_text(json.dumps(snap, indent=0, sort_keys=True), encoding="utf-8")
    print(f"{len(snap)} runs, {sum(len(v) for v in snap.values())} findings -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
