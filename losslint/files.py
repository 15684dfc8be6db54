"""File discovery: paths and directories, excludes, the usual directories to skip."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

SKIP_DIRS = {
    ".git", ".hg", ".svn", ".bzr", "__pycache__", "build", "dist", "node_modules", ".venv",
    "venv", ".tox", ".nox", ".eggs", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".losslint_cache", "site-packages", "__pypackages__", ".ipynb_checkpoints",
}
PY_SUFFIXES = (".py", ".pyi")


def is_excluded(path: Path, root: Path, patterns) -> bool:
    """flake8/ruff-style: a pattern matches the base name or the path relative to ``root``."""
    if not patterns:
        return False
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = path.as_posix()
    parts = rel.split("/")
    for pat in patterns:
        pat = pat.rstrip("/")
        if fnmatch.fnmatch(path.name, pat) or fnmatch.fnmatch(rel, pat):
            return True
        # a directory pattern excludes everything beneath it
        for i in range(1, len(parts)):
            if fnmatch.fnmatch("/".join(parts[:i]), pat) or fnmatch.fnmatch(parts[i - 1], pat):
                return True
    return False


def _is_venv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


def _in_skipped_dir(path: Path, root: Path) -> bool:
    """Whether a directory the walk would skip holds ``path``. Only directories below the
    project root count: a checkout under ``/home/ci/build/`` is not a build directory."""
    try:
        rel_dirs = path.resolve().relative_to(root.resolve()).parts[:-1]
        base = root.resolve()
    except ValueError:
        rel_dirs, base = path.parts[:-1], Path()
    for d in rel_dirs:
        base = base / d
        if d in SKIP_DIRS or d.endswith(".egg-info") or _is_venv(str(base)):
            return True
    return False


def discover(paths: list[str], exclude_for, force_exclude: bool = False):
    """Yield the files to check, in sorted order, without duplicates.

    ``exclude_for(path) -> (root, patterns)`` gives the config's exclude list for a path.
    Files named explicitly are always checked unless ``force_exclude`` (pre-commit passes
    file names, and still wants ``exclude`` honoured).
    """
    seen: set[str] = set()
    out: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                root, patterns = exclude_for(Path(dirpath))
                keep = []
                for d in sorted(dirnames):
                    full = Path(dirpath, d)
                    if d in SKIP_DIRS or d.endswith(".egg-info") or _is_venv(str(full)):
                        continue
                    if is_excluded(full, root, patterns):
                        continue
                    keep.append(d)
                dirnames[:] = keep
                for f in sorted(filenames):
                    if not f.endswith(PY_SUFFIXES):
                        continue
                    full = Path(dirpath, f)
                    if full.exists() and not full.is_file():   # FIFOs, sockets, devices
                        continue   # (a dangling link is kept: reading it is an LL001)
                    if is_excluded(full, root, patterns):
                        continue
                    key = os.path.normpath(str(full))
                    if key not in seen:
                        seen.add(key)
                        out.append(key)
        else:
            if force_exclude:
                root, patterns = exclude_for(p)
                if is_excluded(p, root, patterns) or _in_skipped_dir(p, root):
                    continue
            key = os.path.normpath(str(p))
            if key not in seen:
                seen.add(key)
                out.append(key)
    return sorted(out)
