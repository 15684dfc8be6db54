"""Benchmark losslint against flake8, ruff, Fixit and two floors on a real corpus.

    python bench/run.py --corpus keras --reps 3
    python bench/run.py --corpus union --reps 1 --fixit-timeout 300

One run measures, interleaved (every repetition runs every tool once, in the same order):

- floor-read      read every file's bytes (one process)
- floor-parse     ``libcst.parse_module`` of every file (one process)
- floor-ast       ``ast.parse`` of every file (one process): what any syntax check (LL001) costs
- floor-ast-jobs  the same spread over one process per CPU (interleaved batches, like
                  ``losslint --jobs``): the wall time no linter that syntax-checks every file with
                  CPython's parser can beat on this machine
- losslint-cold   ``losslint check . --format json --no-cache``
- losslint-warm   the same without ``--no-cache``, after one unmeasured run filled the cache
                  (when losslint has no cache yet, warm is reported equal to cold, unmeasured)
- losslint-touch  the same after appending a comment to one loss file of the corpus copy
- flake8          ``flake8 .`` (default plugins only: run from a separate tools venv, so that
                  losslint's own flake8 plugin is not loaded)
- ruff            ``ruff check --no-cache .`` (default rule selection)
- fixit           ``fixit lint .`` (each run capped by ``--fixit-timeout``; once it times out
                  it is reported as "timeout" and not run again)

For each: wall time, CPU time (user+sys of the child and all its descendants, from
``os.wait4``), files/s, peak RSS (largest single process in the tree, ``ru_maxrss``), and
ratios to flake8 and to the libcst-parse floor. Then: ``losslint check`` of one generated
1,000-line loss module (median of 10).

Prints a markdown table; writes JSON to bench/results/<corpus>.json. Third-party code stays in
``~/.cache/losslint-bench`` (see bench/corpora.py); the corpus is copied to a scratch folder
there (with a ``pyproject.toml`` declaring ``layout = "N C H W"``) so the cache and the
touched file never change the pristine corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import corpora  # noqa: E402

RESULTS = HERE / "results"
WORK = corpora.CACHE / "work"
TOOLS_VENV = corpora.CACHE / "tools-venv"
TOOL_PINS = ["flake8==7.5.0", "ruff==0.17.6", "fixit==2.2.1"]
PYPROJECT = '[tool.losslint]\nlayout = "N C H W"\n'
ALL_TOOLS = ["floor-read", "floor-ast", "floor-ast-jobs", "floor-parse", "losslint-cold", "losslint-warm", "losslint-touch",
             "flake8", "ruff", "fixit"]


# --------------------------------------------------------------------------- measurement

@dataclass
class Sample:
    wall: float
    cpu: float
    maxrss_kb: int
    rc: int | None
    timeout: bool = False
    load1: float | None = None   # 1-minute load average when the run started (shared machines)


@dataclass
class Series:
    tool: str
    command: str = ""
    samples: list[Sample] = field(default_factory=list)
    note: str = ""
    status: str = "ok"          # ok | timeout | error | missing | same-as-cold
    extra: dict = field(default_factory=dict)


def measure(cmd: list[str], cwd: Path, timeout: float | None = None, out_path: Path | None = None,
            env: dict | None = None) -> Sample:
    """Run ``cmd``; wall, CPU (user+sys of the whole tree, from wait4), peak RSS, exit code."""
    out = open(out_path, "wb") if out_path else subprocess.DEVNULL
    err = tempfile.TemporaryFile()
    load1 = loadavg()[:1]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                            start_new_session=True, env=env)
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the tool's own process group, nothing else
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill) if timeout else None
    if timer:
        timer.start()
    try:
        _, status, ru = os.wait4(proc.pid, 0)
    finally:
        if timer:
            timer.cancel()
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if out_path:
        out.close()
    err.seek(0)
    stderr = err.read().decode("utf-8", "replace")
    err.close()
    s = Sample(wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, proc.returncode, timed_out.is_set(),
               load1[0] if load1 else None)
    s.stderr_tail = stderr[-2000:]  # type: ignore[attr-defined]
    return s


# --------------------------------------------------------------------------- floors

def floor_main(kind: str, root: str) -> int:
    files = corpora.py_files(Path(root))
    if kind == "read":
        n = 0
        for f in files:
            with open(f, "rb") as fh:
                n += len(fh.read())
        print(json.dumps({"files": len(files), "bytes": n}))
        return 0
    if kind == "ast":
        print(json.dumps({"files": len(files), "parse_errors": _ast_errors(files)}))
        return 0
    if kind == "ast-jobs":
        import concurrent.futures

        n = os.cpu_count() or 1
        batches = [files[i::n] for i in range(n)]
        with concurrent.futures.ProcessPoolExecutor(n) as pool:
            bad = sum(pool.map(_ast_errors, batches))
        print(json.dumps({"files": len(files), "parse_errors": bad, "processes": n}))
        return 0
    import libcst

    errors = []
    for f in files:
        try:
            libcst.parse_module(f.read_bytes())
        except Exception as exc:  # a file libcst cannot parse still counts as read
            errors.append(f"{f}: {type(exc).__name__}")
    print(json.dumps({"files": len(files), "parse_errors": errors}))
    return 0


def _ast_errors(files: list[Path]) -> int:
    import ast

    bad = 0
    for f in files:
        try:
            ast.parse(f.read_bytes())
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            bad += 1
    return bad


# --------------------------------------------------------------------------- setup

def tools_venv() -> tuple[Path, str]:
    """A separate venv with flake8/ruff/fixit only (no losslint plugin). Returns (bin, note)."""
    bindir = TOOLS_VENV / "bin"
    if not (bindir / "flake8").exists():
        try:
            subprocess.run([sys.executable, "-m", "venv", str(TOOLS_VENV)], check=True)
            subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q",
                            "--disable-pip-version-check"] + TOOL_PINS, check=True)
        except subprocess.CalledProcessError:
            pass
    if (bindir / "flake8").exists():
        return bindir, f"flake8/ruff/fixit from {TOOLS_VENV} (no losslint flake8 plugin)"
    # Fall back to this interpreter's venv: flake8 then also loads losslint's plugin.
    return Path(sys.executable).parent, "tools venv unavailable: flake8 ran WITH losslint's plugin"


def version_of(cmd: list[str], env: dict | None = None) -> str:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False, env=env)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except Exception as exc:  # pragma: no cover - reporting only
        return f"unavailable ({exc})"


def fresh_copy(name: str, src: Path) -> Path:
    dst = WORK / f"{name}-copy"
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".corpus.json"))
    (dst / "pyproject.toml").write_text(PYPROJECT)
    return dst


def snapshot_losslint() -> tuple[Path, str]:
    """Copy the working tree's losslint/ to the scratch folder and return (dir for PYTHONPATH,
    digest of its sources). Every losslint run of one benchmark then uses the same engine even
    while the package is being edited, and losslint's cache (keyed on its own source files) is
    not invalidated between the fill run and the warm runs."""
    import hashlib

    dst = WORK / "losslint-snapshot"
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(REPO / "losslint", dst / "losslint", ignore=shutil.ignore_patterns("__pycache__"))
    h = hashlib.blake2b(digest_size=8)
    for f in sorted((dst / "losslint").rglob("*.py")):
        h.update(f.relative_to(dst).as_posix().encode() + b"\0" + f.read_bytes())
    return dst, h.hexdigest()


def pick_touch_file(root: Path) -> Path:
    """One loss file (the largest whose path mentions 'loss'), else the largest file."""
    files = corpora.py_files(root)
    # the path inside the corpus: the scratch folder itself is called "losslint-bench"
    lossy = [f for f in files if "loss" in f.relative_to(root).as_posix().lower()
             and not f.name.endswith("_test.py")]
    pool = lossy or files
    return max(pool, key=lambda f: (f.stat().st_size, f.as_posix()))


def detect_cache(losslint: list[str], env: dict | None = None) -> tuple[bool, str]:
    """Does this losslint write a cache? Run it without --no-cache on a tiny project."""
    home_caches = [Path.home() / ".cache" / "losslint"]
    before = {p: p.stat().st_mtime if p.exists() else None for p in home_caches}
    with tempfile.TemporaryDirectory(prefix="losslint-cache-probe-") as d:
        root = Path(d)
        (root / "pyproject.toml").write_text(PYPROJECT)
        (root / "loss.py").write_text(
            "import torch\n\ndef dice_loss(pred, target):\n"
            "    p = torch.softmax(pred, dim=1)\n    return (p * target).sum(dim=(2, 3)).mean()\n")
        known = {"pyproject.toml", "loss.py"}
        subprocess.run(losslint + ["check", ".", "--format", "json"], cwd=root,
                       capture_output=True, timeout=120, check=False, env=env)
        new = sorted(str(p.relative_to(root)) for p in root.rglob("*")
                     if p.relative_to(root).parts[0] not in known)
        if new:
            return True, f"cache found: {', '.join(new[:3])}"
    for p in home_caches:
        after = p.stat().st_mtime if p.exists() else None
        if after != before[p]:
            return True, f"cache found: {p}"
    return False, "losslint wrote no cache (no new file in the project, none in ~/.cache/losslint)"


# --------------------------------------------------------------------------- generated module

GEN_TEMPLATES = [
    '''
# losslint: layout="N C H W" target-layout="N H W"
def dice_loss_{i}(logits, target, eps=1e-6):
    """Soft dice over the spatial axes, one value per class."""
    probs = torch.softmax(logits, dim=1)
    one_hot = F.one_hot(target, num_classes=probs.shape[1]).permute(0, 3, 1, 2).float()
    inter = (probs * one_hot).sum(dim=(2, 3))
    union = probs.sum(dim=(2, 3)) + one_hot.sum(dim=(2, 3))
    dice = (2.0 * inter + eps) / (union + eps)
    return 1.0 - dice.mean()
''',
    '''
# losslint: layout="N C H W" target-layout="N H W"
def focal_loss_{i}(logits, target, gamma=2.0, alpha=0.25):
    log_p = F.log_softmax(logits, dim=1)
    p = log_p.exp()
    t = F.one_hot(target, num_classes=logits.shape[1]).permute(0, 3, 1, 2).float()
    pt = (p * t).sum(dim=1)
    log_pt = (log_p * t).sum(dim=1)
    loss = -alpha * (1.0 - pt) ** gamma * log_pt
    return loss.mean()
''',
    '''
def tversky_loss_{i}(pred, target, alpha=0.3, beta=0.7, smooth=1.0):
    p = torch.sigmoid(pred)
    dims = (0, 2, 3)
    tp = torch.sum(p * target, dims)
    fp = torch.sum(p * (1 - target), dims)
    fn = torch.sum((1 - p) * target, dims)
    score = (tp + smooth) / (tp + alpha * fp + beta * fn + smooth)
    return 1.0 - score.mean()
''',
    '''
# losslint: layout="N C H W" target-layout="N H W"
def pixel_ce_loss_{i}(logits, labels, weight=None, ignore_index=255):
    loss = F.cross_entropy(logits, labels, weight=weight, ignore_index=ignore_index, reduction="none")
    valid = (labels != ignore_index).float()
    return (loss * valid).sum() / valid.sum().clamp(min=1.0)
''',
    '''
def lovasz_hinge_loss_{i}(logits, target):
    signs = 2.0 * target.float() - 1.0
    errors = 1.0 - logits * signs
    errors_sorted, perm = torch.sort(errors.flatten(1), dim=1, descending=True)
    gt_sorted = target.flatten(1).gather(1, perm)
    grad = gt_sorted.cumsum(dim=1)
    return torch.mean(F.relu(errors_sorted) * grad)
''',
    '''
def buggy_channel_softmax_loss_{i}(logits, target):
    # written for channels-last: normalises over W on N C H W logits
    probs = torch.softmax(logits, dim=-1)
    inter = (probs * target).sum(dim=(2, 3))
    return 1.0 - inter.mean()
''',
    '''
def iou_loss_{i}(y_pred, y_true, smooth=1.0):
    inter = torch.sum(y_true * y_pred, dim=[2, 3])
    total = torch.sum(y_true + y_pred, dim=[2, 3])
    union = total - inter
    return 1.0 - torch.mean((inter + smooth) / (union + smooth))
''',
    '''
def kl_distill_loss_{i}(student_logits, teacher_logits, preds=None, T=4.0):
    s = F.log_softmax(student_logits / T, dim=1)
    t = F.softmax(teacher_logits / T, dim=1)
    return F.kl_div(s, t, reduction="batchmean") * T * T
''',
    '''
class BoundaryLoss{i}(nn.Module):
    def __init__(self, theta=3):
        super().__init__()
        self.theta = theta
        self.ce = nn.CrossEntropyLoss()

    # losslint: layout="N C H W" target-layout="N H W"
    def forward(self, pred, target):
        n, c, h, w = pred.shape
        probs = torch.softmax(pred, dim=1)
        onehot = F.one_hot(target, c).permute(0, 3, 1, 2).float()
        pool = F.max_pool2d(1 - onehot, kernel_size=self.theta, stride=1, padding=(self.theta - 1) // 2)
        boundary = pool - (1 - onehot)
        prec = torch.sum(probs * boundary, dim=(2, 3)) / (torch.sum(probs, dim=(2, 3)) + 1e-7)
        return self.ce(pred, target) + (1 - prec).mean()
''',
    '''
def buggy_mean_error_{i}(y_pred, y_true):
    # Keras-style mean over the last axis: the width, not the channels, on N C H W
    return torch.mean(torch.square(y_pred - y_true), dim=-1)
''',
]


def generate_module(lines: int = 1000) -> str:
    head = ('"""Generated loss module for losslint benchmarks: N C H W logits; N H W integer labels where a pragma says so, same-shape targets elsewhere; two templates carry a deliberate axis bug."""\n\n'
            "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n")
    parts = [head]
    i = 0
    while sum(p.count("\n") for p in parts) < lines:
        parts.append(GEN_TEMPLATES[i % len(GEN_TEMPLATES)].replace("{i}", str(i)))
        i += 1
    text = "".join(parts)
    return text  # whole functions only: stops at the first template that reaches `lines`


# --------------------------------------------------------------------------- reporting

def summarise(series: Series, n_files: int) -> dict:
    ok = [s for s in series.samples if not s.timeout]
    d: dict = {"tool": series.tool, "command": series.command, "status": series.status,
               "note": series.note, "runs": len(series.samples), **series.extra}
    d["samples"] = [{"wall_s": round(s.wall, 4), "cpu_s": round(s.cpu, 4), "maxrss_kb": s.maxrss_kb,
                     "rc": s.rc, "timeout": s.timeout, "load1": s.load1} for s in series.samples]
    if not ok:
        return d
    walls = [s.wall for s in ok]
    cpus = [s.cpu for s in ok]
    med = statistics.median(walls)
    d.update({
        "wall_median_s": med, "wall_min_s": min(walls), "wall_max_s": max(walls),
        "wall_spread_pct": 100.0 * (max(walls) - min(walls)) / med if med else 0.0,
        "cpu_median_s": statistics.median(cpus), "cpu_min_s": min(cpus), "cpu_max_s": max(cpus),
        "maxrss_mb": max(s.maxrss_kb for s in ok) / 1024.0,
        "files_per_s": n_files / med if med else None,
    })
    return d


def fmt(x, digits=2):
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    return f"{x:.{digits}f}"


def table(rows: list[dict]) -> str:
    ref = {r["tool"]: r for r in rows}
    fl, fp = ref.get("flake8", {}), ref.get("floor-parse", {})

    def ratio(r, base, key):
        if key not in r or key not in base or not base[key]:
            return "-"
        return f"{r[key] / base[key]:.2f}x"

    out = ["| tool | wall median s | wall min–max s (spread) | CPU median s | files/s | peak RSS MB "
           "| wall / flake8 | CPU / flake8 | wall / parse floor | CPU / parse floor | note |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in rows:
        if "wall_median_s" not in r:
            out.append(f"| {r['tool']} | {r['status']} | - | - | - | - | - | - | - | - | {r['note']} |")
            continue
        out.append(
            f"| {r['tool']} | {fmt(r['wall_median_s'])} | {fmt(r['wall_min_s'])}–{fmt(r['wall_max_s'])} "
            f"({r['wall_spread_pct']:.0f}%) | {fmt(r['cpu_median_s'])} | {fmt(r['files_per_s'], 0)} "
            f"| {fmt(r['maxrss_mb'], 0)} | {ratio(r, fl, 'wall_median_s')} | {ratio(r, fl, 'cpu_median_s')} "
            f"| {ratio(r, fp, 'wall_median_s')} | {ratio(r, fp, 'cpu_median_s')} | {r['note']} |")
    return "\n".join(out)


def loadavg() -> list[float]:
    try:
        return list(os.getloadavg())
    except OSError:
        return []


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="losslint benchmark (see the module docstring)")
    ap.add_argument("--corpus", default="keras", help=f"one of {', '.join(corpora.CORPUS_NAMES)}")
    ap.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
    ap.add_argument("--tools", default=",".join(ALL_TOOLS), help="comma-separated subset of " + ",".join(ALL_TOOLS))
    ap.add_argument("--fixit-timeout", type=float, default=600.0, help="seconds per fixit run (default 600)")
    ap.add_argument("--tool-timeout", type=float, default=1800.0, help="seconds per run of any other tool")
    ap.add_argument("--jobs", type=int, default=0, help="losslint --jobs (default 0 = its default, all CPUs)")
    ap.add_argument("--gen-runs", type=int, default=10, help="runs on the generated 1,000-line module (0: skip)")
    ap.add_argument("--lsp-runs", type=int, default=20, help="edits for the language server latency (0: skip)")
    ap.add_argument("--tag", default="", help="write results/<corpus>-<tag>.json instead of results/<corpus>.json")
    ap.add_argument("--live", action="store_true",
                    help="run the installed losslint instead of a snapshot of the working tree's losslint/")
    ap.add_argument("--floor", nargs=2, metavar=("KIND", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.floor:
        return floor_main(*args.floor)

    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in tools if t not in ALL_TOOLS]
    if unknown:
        ap.error(f"unknown tools {unknown}")
    t_start = time.perf_counter()
    load_start = loadavg()
    src = corpora.corpus_dir(args.corpus)
    n_files, n_lines, n_bytes = corpora.stats(src)
    root = fresh_copy(args.corpus, src)
    touch_file = pick_touch_file(root)
    py = sys.executable
    losslint = [py, "-m", "losslint"]
    if args.live:
        ll_env, snap_note = None, "installed losslint (--live): edits during the run would change it"
    else:
        snap_dir, snap_digest = snapshot_losslint()
        ll_env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(snap_dir)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])))
        snap_note = f"snapshot of {REPO / 'losslint'} taken at start (sources digest {snap_digest})"
    print(f"losslint: {snap_note}", flush=True)
    ll_check = losslint + ["check", ".", "--format", "json"] + (["--jobs", str(args.jobs)] if args.jobs else [])
    tbin, tools_note = tools_venv()
    meta = "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))"
    tpy = str(tbin / "python")
    versions = {
        "losslint": version_of([py, "-c", "import losslint; print(losslint.__version__)"], ll_env),
        "libcst": version_of([py, "-c", meta, "libcst"]),
        "flake8": version_of([tpy, "-c", meta, "flake8"]),
        "pyflakes": version_of([tpy, "-c", meta, "pyflakes"]),
        "pycodestyle": version_of([tpy, "-c", meta, "pycodestyle"]),
        "ruff": version_of([tpy, "-c", meta, "ruff"]),
        "fixit": version_of([tpy, "-c", meta, "fixit"]) if (tbin / "fixit").exists() else "not installed",
        "python": platform.python_version(),
    }
    has_cache, cache_note = detect_cache(losslint, ll_env)
    print(f"corpus {args.corpus} ({corpora.version_of(args.corpus)}): {n_files} files, {n_lines} lines; "
          f"copy at {root}", flush=True)
    print(f"losslint cache: {cache_note}", flush=True)
    out_dir = WORK / f"{args.corpus}-outputs"
    out_dir.mkdir(parents=True, exist_ok=True)

    series: dict[str, Series] = {t: Series(t) for t in tools}
    cmds = {
        "floor-read": [py, str(Path(__file__).resolve()), "--floor", "read", "."],
        "floor-parse": [py, str(Path(__file__).resolve()), "--floor", "parse", "."],
        "floor-ast": [py, str(Path(__file__).resolve()), "--floor", "ast", "."],
        "floor-ast-jobs": [py, str(Path(__file__).resolve()), "--floor", "ast-jobs", "."],
        "losslint-cold": ll_check + ["--no-cache"],
        "losslint-warm": ll_check,
        "losslint-touch": ll_check,
        "flake8": [str(tbin / "flake8"), "."],
        "ruff": [str(tbin / "ruff"), "check", "--no-cache", "."],
        "fixit": [str(tbin / "fixit"), "lint", "."],
    }
    for t in tools:
        series[t].command = " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmds[t]))
    series.get("losslint-touch", Series("")).command += f"   (after appending a comment to {touch_file.relative_to(root)})"
    if "fixit" in series and not (tbin / "fixit").exists():
        series["fixit"].status, series["fixit"].note = "missing", "fixit not installed"
    if not has_cache:
        for t in ("losslint-warm", "losslint-touch"):
            if t in series:
                series[t].status = "same-as-cold"
                series[t].note = "no cache in this losslint: reported = cold, not measured"
    elif "losslint-warm" in series or "losslint-touch" in series:
        s = measure(ll_check, root, args.tool_timeout, env=ll_env)
        print(f"  cache fill run: {s.wall:.1f}s wall, {s.cpu:.1f}s CPU", flush=True)

    for rep in range(args.reps):
        print(f"rep {rep + 1}/{args.reps}", flush=True)
        for t in tools:
            se = series[t]
            if se.status in ("missing", "same-as-cold", "timeout"):
                continue
            if t == "losslint-touch":
                with open(touch_file, "a", encoding="utf-8") as fh:
                    fh.write(f"# losslint-bench touch {rep} {time.time()}\n")
            timeout = args.fixit_timeout if t == "fixit" else args.tool_timeout
            out_path = out_dir / f"{t}.out"
            s = measure(cmds[t], root, timeout, out_path, env=ll_env if t.startswith("losslint") else None)
            se.samples.append(s)
            if s.timeout:
                se.status = "timeout"
                se.note = f"timed out after {timeout:.0f}s; not run again"
            elif t.startswith("losslint") and s.rc not in (0, 1):
                se.status = "error"
                se.note = f"exit {s.rc}: {s.stderr_tail[-300:]!r}"  # type: ignore[attr-defined]
            elif t.startswith("floor") and s.rc != 0:
                se.status = "error"
                se.note = f"exit {s.rc}"
            if t.startswith("losslint") and s.rc in (0, 1):
                try:
                    found = json.loads(out_path.read_text() or "[]")
                    codes: dict[str, int] = {}
                    for f in found:
                        codes[f["code"]] = codes.get(f["code"], 0) + 1
                    se.extra["findings"] = dict(sorted(codes.items()))
                    if not se.note:
                        se.note = f"{len(found)} findings"
                except (ValueError, KeyError):
                    pass
            if t in ("flake8", "ruff", "fixit") and not s.timeout:
                text = out_path.read_text(errors="replace")
                se.extra["output_lines"] = text.count("\n")
                if not se.note:
                    se.note = f"exit {s.rc}, {text.count(chr(10))} output lines"
            if t == "floor-parse" and s.rc == 0:
                info = json.loads(out_path.read_text())
                if info["parse_errors"]:
                    se.note = f"{len(info['parse_errors'])} files libcst cannot parse"
            mark = " TIMEOUT" if s.timeout else ""
            print(f"  {t:15s} {s.wall:8.2f}s wall {s.cpu:8.2f}s CPU {s.maxrss_kb / 1024:7.0f} MB rc={s.rc}{mark}",
                  flush=True)

    # warm / touched without a cache: the same numbers as cold, flagged as such
    for t in ("losslint-warm", "losslint-touch"):
        if t in series and series[t].status == "same-as-cold" and "losslint-cold" in series:
            series[t].samples = list(series["losslint-cold"].samples)
            series[t].extra = dict(series["losslint-cold"].extra)

    rows = [summarise(series[t], n_files) for t in tools]

    gen = None
    if args.gen_runs > 0:
        gen = bench_generated(losslint, args.gen_runs, ll_env)
    lsp = bench_lsp(args.lsp_runs) if args.lsp_runs > 0 else None
    load_end = loadavg()
    total = time.perf_counter() - t_start

    result = {
        "corpus": args.corpus, "corpus_version": corpora.version_of(args.corpus),
        "files": n_files, "lines": n_lines, "bytes": n_bytes, "reps": args.reps,
        "interleaved": "round-robin: each repetition runs every tool once, in the order of 'tools'",
        "tools": tools, "versions": versions, "tools_venv": tools_note, "losslint_engine": snap_note,
        "losslint_cache": {"present": has_cache, "note": cache_note},
        "touch_file": str(touch_file.relative_to(root)),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "loadavg_start": load_start, "loadavg_end": load_end},
        "results": rows, "generated_module": gen, "lsp_latency": lsp, "total_seconds": total,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / (f"{args.corpus}-{args.tag}.json" if args.tag else f"{args.corpus}.json")
    out.write_text(json.dumps(result, indent=1) + "\n")

    print()
    print(f"## {args.corpus} ({corpora.version_of(args.corpus)}): {n_files} files, {n_lines:,} lines, "
          f"{args.reps} reps, {os.cpu_count()} CPUs, load avg {load_start[:1]} -> {load_end[:1]}")
    print()
    print(table(rows))
    print()
    busy = max(load_start[:1] + load_end[:1] + [s.load1 or 0 for se in series.values() for s in se.samples],
               default=0)
    if busy > (os.cpu_count() or 1):
        print(f"- NOTE: the machine was shared (1-min load average up to {busy:.1f} on {os.cpu_count()} CPUs): "
              "wall times are inflated and noisy; CPU times are the comparable numbers")
    print("- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"- {tools_note}")
    print(f"- losslint: {snap_note}")
    print(f"- losslint cache: {cache_note}")
    if gen:
        print(f"- generated {gen['lines']}-line loss module ({gen['functions']} loss functions): losslint check "
              f"median {gen['wall_median_s'] * 1000:.0f} ms wall (min {gen['wall_min_s'] * 1000:.0f}, "
              f"max {gen['wall_max_s'] * 1000:.0f}), {gen['cpu_median_s'] * 1000:.0f} ms CPU, "
              f"{gen['maxrss_mb']:.0f} MB, {gen['findings']} findings, over {gen['runs']} runs")
    if lsp:
        for size in ("300_lines", "3000_lines"):
            r = lsp.get(size) or {}
            print(f"- language server, {size.replace('_', ' ')}: didChange -> publishDiagnostics median "
                  f"{r.get('change_median_ms')} ms (comment edit {r.get('change_comment_median_ms')} ms, edit inside "
                  f"a loss {r.get('change_in_loss_median_ms')} ms; server CPU {r.get('change_server_cpu_median_ms')} ms), "
                  f"debounce excluded; first hover {r.get('hover_first_ms')} ms")
    print(f"- wrote {out.relative_to(REPO)} in {total:.0f}s")
    return 0


def bench_lsp(runs: int) -> dict | None:
    """bench/lsp_latency.py (the installed losslint's server), as one JSON object."""
    try:
        out = subprocess.run([sys.executable, str(HERE / "lsp_latency.py"), "--runs", str(runs)],
                             capture_output=True, text=True, timeout=1800)
        return json.loads(out.stdout)
    except (subprocess.SubprocessError, ValueError, OSError) as exc:
        return {"error": str(exc)}


def bench_generated(losslint: list[str], runs: int, env: dict | None = None) -> dict:
    text = generate_module(1000)
    with tempfile.TemporaryDirectory(prefix="losslint-gen-") as d:
        root = Path(d)
        (root / "pyproject.toml").write_text(PYPROJECT)
        (root / "generated_losses.py").write_text(text)
        cmd = losslint + ["check", "generated_losses.py", "--format", "json", "--no-cache"]
        samples = [measure(cmd, root, 600, root / "out.json", env=env) for _ in range(runs)]
        found = json.loads((root / "out.json").read_text() or "[]")
    walls = [s.wall for s in samples]
    cpus = [s.cpu for s in samples]
    codes: dict[str, int] = {}
    for f in found:
        codes[f["code"]] = codes.get(f["code"], 0) + 1
    return {"lines": text.count("\n"), "functions": text.count("\ndef ") + text.count("\nclass "),
            "runs": runs, "rc": [s.rc for s in samples],
            "wall_median_s": statistics.median(walls), "wall_min_s": min(walls), "wall_max_s": max(walls),
            "cpu_median_s": statistics.median(cpus), "maxrss_mb": max(s.maxrss_kb for s in samples) / 1024,
            "findings": len(found), "findings_by_code": dict(sorted(codes.items()))}


if __name__ == "__main__":
    sys.exit(main())
