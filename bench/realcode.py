"""Run losslint on the loss modules of real packages, under their documented and flipped layouts.

    python bench/realcode.py                 # every package
    python bench/realcode.py kornia monai    # some of them

For each package, bench/configs/<package>.toml declares the layout that the package documents
for its losses (PyTorch packages channels-first, Keras packages channels-last). The *flipped*
config is derived from it: every layout that has a feature axis gets it moved to the other end
(channels-last for PyTorch packages, channels-first for Keras ones); a layout with no spatial
axis at all ("N C" classification logits, "N" labels) first gets "H W" inserted, i.e. the flipped
run asks "what if these losses were fed dense maps in the other convention". Targets without a
feature axis ("N H W") stay as they are.

losslint runs with ``--config <file> --format json --no-cache`` on each package's loss modules
(the corpus comes from bench/corpora.py, in ~/.cache/losslint-bench). Raw findings go to
bench/results/realcode-<package>-<documented|flipped>.json; the table is printed and saved in
bench/results/realcode-summary.json. The reading of the findings is in bench/REALCODE.md.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpora  # noqa: E402

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIGS = HERE / "configs"
RESULTS = HERE / "results"
FLIPPED_DIR = corpora.CACHE / "work" / "realcode-configs"

# package -> (framework convention, loss modules relative to the corpus root)
PACKAGES: dict[str, tuple[str, list[str]]] = {
    "monai": ("torch", ["monai/losses", "monai/apps/pathology/losses"]),
    "kornia": ("torch", ["kornia/losses"]),
    "segmentation-models-pytorch": ("torch", ["segmentation_models_pytorch/losses",
                                              "segmentation_models_pytorch/utils/losses.py"]),
    "segmentation-models": ("keras", ["segmentation_models/losses.py", "segmentation_models/base"]),
    "keras": ("keras", ["keras/src/losses", "keras/src/distillation/distillation_loss.py"]),
    "mmsegmentation": ("torch", ["mmseg/models/losses"]),
    "pytorch-toolbelt": ("torch", ["pytorch_toolbelt/losses"]),
    "tensorflow-addons": ("keras", ["tensorflow_addons/losses", "tensorflow_addons/seq2seq/loss.py"]),
    "timm": ("torch", ["timm/loss"]),
}

BATCH = {"n", "b", "batch", "batch_size"}
FEATURE = {"c", "k", "f", "channel", "channels", "class", "classes", "feature", "features",
           "embed", "embedding", "hidden"}
SPATIAL = {"h", "w", "d", "t", "l", "s", "x", "y", "z", "height", "width", "depth", "time",
           "length", "seq", "steps"}


# --------------------------------------------------------------------------- flipping

def _tokens(layout: str) -> list[str]:
    return layout.split()


def _has_spatial(toks: list[str]) -> bool:
    return any(t.lower() in SPATIAL or t.startswith("*") or t == "..." for t in toks)


def flip_layout(layout: str, to_last: bool, add_spatial: bool) -> str:
    toks = _tokens(layout)
    if not toks or toks[0].lower() not in BATCH:
        return layout  # a class-weight vector "C" and the like: no convention to flip
    if add_spatial and not _has_spatial(toks):
        toks = toks[:1] + ["H", "W"] + toks[1:]
    feat = next((i for i, t in enumerate(toks) if t.lower() in FEATURE), None)
    if feat is None:
        # "N 1 H W": a size-1 channel axis next to the batch axis (or last, channels-last)
        if len(toks) > 2 and toks[1] == "1" and to_last:
            feat = 1
        elif len(toks) > 2 and toks[-1] == "1" and not to_last:
            feat = len(toks) - 1
    if feat is None:
        return " ".join(toks)
    c = toks.pop(feat)
    if to_last:
        toks.append(c)
    else:
        toks.insert(1, c)
    return " ".join(toks)


def flip_table(table: dict, to_last: bool) -> dict:
    """Flip every layout of a config table (top level, params, outputs)."""
    out = dict(table)

    def flip_pair(t: dict) -> None:
        add = "layout" in t and not _has_spatial(_tokens(t["layout"]))
        for key in ("layout", "target-layout"):
            if key in t:
                t[key] = flip_layout(t[key], to_last, add)
        if "params" in t:
            t["params"] = {k: flip_layout(v, to_last, add) for k, v in t["params"].items()}

    flip_pair(out)
    if "outputs" in out:
        outs = []
        for o in out["outputs"]:
            o = dict(o)
            flip_pair(o)
            outs.append(o)
        out["outputs"] = outs
    return out


def _toml_value(v) -> str:
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def dump_toml(table: dict, header: str) -> str:
    lines = [f"# {header}"]
    for k, v in table.items():
        if k != "outputs":
            lines.append(f"{k} = {_toml_value(v)}")
    for o in table.get("outputs", []):
        lines.append("")
        lines.append("[[outputs]]")
        for k, v in o.items():
            lines.append(f"{k} = {_toml_value(v)}")
    return "\n".join(lines) + "\n"


def layouts_of(table: dict) -> dict:
    d = {"layout": table.get("layout"), "target-layout": table.get("target-layout", table.get("layout"))}
    for o in table.get("outputs", []):
        d[f"outputs.{o.get('name', '?')}"] = f"{o.get('layout')} / target {o.get('target-layout', o.get('layout'))}"
    return d


# --------------------------------------------------------------------------- running

def count_files(root: Path, paths: list[str], exclude: list[str]) -> tuple[int, int]:
    files = set()
    for p in paths:
        full = root / p
        if full.is_file():
            files.add(full)
        elif full.is_dir():
            files.update(full.rglob("*.py"))
    kept = [f for f in files if not any(fnmatch.fnmatch(f.name, pat) for pat in exclude)]
    lines = sum(f.read_bytes().count(b"\n") for f in kept)
    return len(kept), lines


def run_losslint(root: Path, paths: list[str], config: Path, out_json: Path) -> dict:
    cmd = [sys.executable, "-m", "losslint", "check", *paths, "--config", str(config),
           "--format", "json", "--no-cache"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=3600, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"losslint failed (exit {proc.returncode}) on {root}: {proc.stderr[-2000:]}")
    findings = json.loads(proc.stdout or "[]")
    for f in findings:  # make paths relative to the corpus root, as they are in the package
        f["path"] = Path(f["path"]).as_posix()
    out_json.write_text(json.dumps(findings, indent=1) + "\n")
    codes: dict[str, int] = {}
    for f in findings:
        codes[f["code"]] = codes.get(f["code"], 0) + 1
    stderr = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    internal = [ln for ln in stderr if "internal error" in ln or "skipped" in ln]
    return {"findings": len(findings), "by_code": dict(sorted(codes.items())), "wall_s": round(wall, 2),
            "internal_errors": internal, "stderr": stderr[-20:], "command": " ".join(cmd[2:])}


def by_code(d: dict) -> str:
    if not d["by_code"]:
        return "0"
    return f"{d['findings']}: " + ", ".join(f"{c}×{n}" for c, n in d["by_code"].items())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("packages", nargs="*", help=f"default: all of {', '.join(PACKAGES)}")
    args = ap.parse_args(argv)
    names = args.packages or list(PACKAGES)
    bad = [n for n in names if n not in PACKAGES]
    if bad:
        ap.error(f"unknown packages {bad}")
    RESULTS.mkdir(exist_ok=True)
    FLIPPED_DIR.mkdir(parents=True, exist_ok=True)
    dirs = corpora.ensure(names)
    rows = []
    for name in names:
        convention, paths = PACKAGES[name]
        root = dirs[name]
        cfg_doc = CONFIGS / f"{name}.toml"
        table = tomllib.loads(cfg_doc.read_text())
        flipped = flip_table(table, to_last=(convention == "torch"))
        cfg_flip = FLIPPED_DIR / f"{name}.toml"
        cfg_flip.write_text(dump_toml(flipped, f"flipped from bench/configs/{name}.toml (generated)"))
        n_files, n_lines = count_files(root, paths, list(table.get("exclude", [])))
        row = {"package": name, "version": corpora.PACKAGES[name][1], "convention": convention,
               "paths": paths, "files": n_files, "lines": n_lines,
               "layouts": {"documented": layouts_of(table), "flipped": layouts_of(flipped)}}
        for variant, cfg in (("documented", cfg_doc), ("flipped", cfg_flip)):
            out = RESULTS / f"realcode-{name}-{variant}.json"
            # The config's directory is the project root (imports within the project, helpers
            # in other modules): put a copy at the corpus root, where a user's pyproject.toml is.
            at_root = root / f".losslint-realcode-{variant}.toml"
            at_root.write_text(cfg.read_text())
            try:
                row[variant] = run_losslint(root, paths, at_root, out)
            finally:   # leave the downloaded corpus as it was
                at_root.unlink(missing_ok=True)
            print(f"{name:28s} {variant:10s} {by_code(row[variant]):40s} {row[variant]['wall_s']:7.1f}s"
                  + (f"  ({len(row[variant]['internal_errors'])} internal errors)" if row[variant]["internal_errors"] else ""),
                  flush=True)
        rows.append(row)

    print()
    print("| package | version | files (lines) | documented layout | findings, documented | flipped layout "
          "| findings, flipped |")
    print("| --- | --- | ---: | --- | --- | --- | --- |")
    for r in rows:
        ld, lf = r["layouts"]["documented"], r["layouts"]["flipped"]
        notes = []
        for v in ("documented", "flipped"):
            if r[v]["internal_errors"]:
                notes.append(f"{v}: {len(r[v]['internal_errors'])} files skipped by internal errors")
        print(f"| {r['package']} | {r['version']} | {r['files']} ({r['lines']}) "
              f"| `{ld['layout']}` / `{ld['target-layout']}` | {by_code(r['documented'])} "
              f"| `{lf['layout']}` / `{lf['target-layout']}` | {by_code(r['flipped'])} |"
              + (f" {'; '.join(notes)}" if notes else ""))
    summary = RESULTS / "realcode-summary.json"
    if args.packages and summary.is_file():  # keep the other packages' rows
        old = {r["package"]: r for r in json.loads(summary.read_text()).get("packages", [])}
        old.update({r["package"]: r for r in rows})
        rows = [old[n] for n in PACKAGES if n in old]
    summary.write_text(json.dumps({"losslint": _losslint_version(), "packages": rows}, indent=1) + "\n")
    return 0


def _losslint_version() -> str:
    """losslint's version plus a digest of its sources: the engine changes between runs."""
    code = ("import losslint, pathlib, hashlib; root = pathlib.Path(losslint.__file__).parent; "
            "h = hashlib.blake2b(digest_size=8); "
            "[h.update(f.relative_to(root.parent).as_posix().encode() + bytes(1) + f.read_bytes()) "
            "for f in sorted(root.rglob('*.py'))]; print(losslint.__version__, h.hexdigest())")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    version, _, digest = p.stdout.strip().partition(" ")
    return f"{version} (sources digest {digest}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})"


if __name__ == "__main__":
    sys.exit(main())
