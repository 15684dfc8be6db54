"""Download pinned releases of real ML packages and unpack their .py files into corpora.

Everything lives OUTSIDE the repository, under ``~/.cache/losslint-bench`` (override with
``LOSSLINT_BENCH_CACHE``): third-party code is never copied into the repo.

    python bench/corpora.py            # download + unpack everything that is missing
    python bench/corpora.py --list     # corpus names, versions, file and line counts
    python bench/corpora.py --path keras   # print the directory of one corpus

Layout of the cache:

    ~/.cache/losslint-bench/dist/<pkg>/        the downloaded wheel or sdist
    ~/.cache/losslint-bench/corpora/<name>/    only the .py files of the release
    ~/.cache/losslint-bench/corpora/union/     transformers + keras + monai + kornia

Wheels are preferred (``--only-binary :all:``); when a release has no wheel for this
interpreter we try a wheel for another CPython/platform (the .py files are the same),
then the sdist.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

CACHE = Path(os.environ.get("LOSSLINT_BENCH_CACHE", Path.home() / ".cache" / "losslint-bench"))
DIST = CACHE / "dist"
CORPORA = CACHE / "corpora"

# name -> (pypi name, pinned version). Versions checked with `pip index versions` when this
# file was written; all requested pins existed (keras 3.15.1, monai 1.6.1, kornia 0.9.0).
PACKAGES: dict[str, tuple[str, str]] = {
    "keras": ("keras", "3.15.1"),
    "transformers": ("transformers", "5.24.0"),
    "monai": ("monai", "1.6.1"),
    "kornia": ("kornia", "0.9.0"),
    "segmentation-models-pytorch": ("segmentation-models-pytorch", "0.6.0"),
    "segmentation-models": ("segmentation-models", "1.0.1"),
    "mmsegmentation": ("mmsegmentation", "1.2.2"),
    "pytorch-toolbelt": ("pytorch-toolbelt", "0.8.0"),
    "tensorflow-addons": ("tensorflow-addons", "0.23.0"),
    "timm": ("timm", "1.0.31"),
}
UNION = ("transformers", "keras", "monai", "kornia")
CORPUS_NAMES = list(PACKAGES) + ["union"]

PIP = [sys.executable, "-m", "pip"]


def _pip_download(pypi: str, version: str, dest: Path, extra: list[str]) -> bool:
    cmd = PIP + ["download", "--no-deps", "--disable-pip-version-check", "-q", "-d", str(dest),
                 f"{pypi}=={version}"] + extra
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return proc.returncode == 0 and any(dest.iterdir())


def download(name: str) -> Path:
    """The archive of one pinned release, downloaded into the cache if it is not there."""
    pypi, version = PACKAGES[name]
    dest = DIST / name / version
    if dest.is_dir():
        found = [p for p in dest.iterdir() if p.suffix in (".whl", ".gz", ".zip", ".bz2")]
        if found:
            return found[0]
    dest.mkdir(parents=True, exist_ok=True)
    attempts = [
        ["--only-binary", ":all:"],
        # No wheel for this interpreter (e.g. tensorflow-addons is cp39..cp312, platform
        # specific): the pure-Python files are identical in another CPython's wheel.
        ["--only-binary", ":all:", "--python-version", "3.11", "--platform", "manylinux2014_x86_64",
         "--implementation", "cp"],
        ["--only-binary", ":all:", "--python-version", "3.10", "--platform", "manylinux2014_x86_64",
         "--implementation", "cp"],
        ["--no-binary", ":all:"],
    ]
    for extra in attempts:
        if _pip_download(pypi, version, dest, extra):
            break
    else:
        raise SystemExit(f"corpora: could not download {pypi}=={version}")
    archives = sorted(dest.iterdir())
    return archives[0]


def _safe_target(root: Path, member: str) -> Path | None:
    target = (root / member).resolve()
    if not str(target).startswith(str(root.resolve()) + os.sep):
        return None
    return target


def unpack(name: str, archive: Path) -> Path:
    """Extract only the .py files of ``archive`` into corpora/<name>/ (idempotent)."""
    out = CORPORA / name
    stamp = out / ".corpus.json"
    pypi, version = PACKAGES[name]
    if stamp.is_file():
        meta = json.loads(stamp.read_text())
        if meta.get("version") == version:
            return out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    n = 0
    if archive.suffix == ".whl" or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if info.is_dir() or not info.filename.endswith(".py"):
                    continue
                target = _safe_target(out, info.filename)
                if target is None:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(info))
                n += 1
    else:
        with tarfile.open(archive) as tf:
            for member in tf.getmembers():
                if not member.isfile() or not member.name.endswith(".py"):
                    continue
                # sdists have a top-level "<name>-<version>/" folder: drop it.
                parts = member.name.split("/", 1)
                rel = parts[1] if len(parts) == 2 else parts[0]
                target = _safe_target(out, rel)
                if target is None:
                    continue
                fh = tf.extractfile(member)
                if fh is None:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(fh.read())
                n += 1
    stamp.write_text(json.dumps({"name": name, "pypi": pypi, "version": version,
                                 "archive": archive.name, "files": n}, indent=1))
    return out


def build_union() -> Path:
    out = CORPORA / "union"
    stamp = out / ".corpus.json"
    want = {n: PACKAGES[n][1] for n in UNION}
    if stamp.is_file() and json.loads(stamp.read_text()).get("versions") == want:
        return out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for n in UNION:
        shutil.copytree(CORPORA / n, out / n, ignore=shutil.ignore_patterns(".corpus.json"))
    stamp.write_text(json.dumps({"name": "union", "versions": want}, indent=1))
    return out


def ensure(names: list[str] | None = None) -> dict[str, Path]:
    """Make sure the named corpora exist; return name -> directory."""
    names = names or CORPUS_NAMES
    need = set()
    for n in names:
        need.update(UNION if n == "union" else [n])
    out: dict[str, Path] = {}
    for n in [p for p in PACKAGES if p in need]:
        archive = download(n)
        out[n] = unpack(n, archive)
    if "union" in names:
        out["union"] = build_union()
    return {n: out[n] for n in names}


def corpus_dir(name: str) -> Path:
    if name not in CORPUS_NAMES:
        raise SystemExit(f"unknown corpus {name!r}; choose from {', '.join(CORPUS_NAMES)}")
    return ensure([name])[name]


def py_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def stats(root: Path) -> tuple[int, int, int]:
    """(files, lines, bytes) of the .py files under root."""
    files = py_files(root)
    lines = nbytes = 0
    for f in files:
        data = f.read_bytes()
        nbytes += len(data)
        lines += data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return len(files), lines, nbytes


def version_of(name: str) -> str:
    if name == "union":
        return " + ".join(f"{n} {PACKAGES[n][1]}" for n in UNION)
    return PACKAGES[name][1]


def archive_of(name: str) -> str:
    stamp = CORPORA / name / ".corpus.json"
    if stamp.is_file():
        return json.loads(stamp.read_text()).get("archive", "")
    return ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help=f"corpora (default: all): {', '.join(CORPUS_NAMES)}")
    ap.add_argument("--list", action="store_true", help="print corpus names, versions, file/line counts")
    ap.add_argument("--path", metavar="NAME", help="print the directory of one corpus")
    args = ap.parse_args(argv)
    if args.path:
        print(corpus_dir(args.path))
        return 0
    names = args.names or CORPUS_NAMES
    bad = [n for n in names if n not in CORPUS_NAMES]
    if bad:
        ap.error(f"unknown corpus {bad}; choose from {CORPUS_NAMES}")
    # Without --list the corpora are downloaded and the same table is printed as a receipt;
    # --list downloads only what is missing too (it needs the files to count them).
    dirs = ensure(names)
    print(f"cache: {CACHE}")
    print("| corpus | version | archive | files | lines | MB |")
    print("| --- | --- | --- | ---: | ---: | ---: |")
    for n in names:
        f, l, b = stats(dirs[n])
        arch = archive_of(n) if n != "union" else "-"
        print(f"| {n} | {version_of(n)} | {arch} | {f} | {l} | {b / 1e6:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
