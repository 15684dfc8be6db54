"""The results cache (``.losslint_cache/``), like ruff's: findings per file, keyed on the
file's content hash, the losslint version, the resolved config and the enabled rules. An entry
also records the hashes of the project modules its analysis read (helpers, constants), so a
change there invalidates it. A corrupt or partly written cache is ignored and rebuilt."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from . import __version__
from .findings import Finding
from .findings import display_path as _display

CACHE_DIR = ".losslint_cache"
TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by losslint.\n"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_digest(path: str) -> str | None:
    try:
        if not os.path.isfile(path):
            return None
        with open(path, "rb") as fh:
            return digest(fh.read())
    except OSError:
        return None


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """losslint's own sources (stat only): an edited or reinstalled engine never reads results
    cached by another one, even under the same version number."""
    here = Path(__file__).parent
    parts = []
    for p in sorted(here.rglob("*.py")):
        try:
            st = p.stat()
        except OSError:
            continue
        parts.append(f"{p.relative_to(here)}:{st.st_mtime_ns}:{st.st_size}")
    return digest("\n".join(parts).encode())


RACY_NS = 3_000_000_000


def _settled(st: os.stat_result | None) -> list[int] | None:
    """(mtime, size) to trust next time, or None for a file modified in the last seconds: a
    rewrite within the file system's timestamp granularity could keep both (git's "racily
    clean" problem), so such a file is hashed again on the next run."""
    if st is None or st.st_mtime_ns >= time.time_ns() - RACY_NS:
        return None
    return [st.st_mtime_ns, st.st_size]


class Cache:
    def __init__(self, root: Path, key: str):
        self.root = root / CACHE_DIR
        key = f"{key}\n{_code_fingerprint()}"
        self.file = self.root / f"v{__version__}" / f"{digest(key.encode())}.json"
        self.entries: dict[str, dict] = {}
        self.dirty = False
        self._stats: dict[str, list | None] = {}
        self._digests: dict[str, str | None] = {}
        self._load()

    def _load(self) -> None:
        try:
            with open(self.file, encoding="utf-8") as fh:
                data = json.load(fh)
            if isinstance(data, dict) and isinstance(data.get("files"), dict):
                self.entries = data["files"]
        except (OSError, ValueError, RecursionError):
            self.entries = {}

    def get_by_stat(self, path: str, st: os.stat_result, rule_key: str) -> list[Finding] | None:
        """The entry of a file whose modification time and size are those recorded with it."""
        entry = self.entries.get(os.path.abspath(path))
        if not isinstance(entry, dict) or entry.get("stat") is None or entry["stat"] != [st.st_mtime_ns, st.st_size]:
            return None
        return self._findings(path, entry, rule_key)

    def get(self, path: str, content_hash: str, rule_key: str, st: os.stat_result | None = None) -> list[Finding] | None:
        entry = self.entries.get(os.path.abspath(path))
        if not isinstance(entry, dict) or entry.get("hash") != content_hash:
            return None
        found = self._findings(path, entry, rule_key)
        if found is not None and entry.get("stat") != _settled(st):
            entry["stat"] = _settled(st)   # touched, not changed
            self.dirty = True
        return found

    def _findings(self, path: str, entry: dict, rule_key: str) -> list[Finding] | None:
        if entry.get("rules") != rule_key:
            return None
        try:
            for dep, (dep_stat, dep_hash) in entry.get("deps", {}).items():
                if (dep_stat is None or self._dep_stat(dep) != dep_stat) and self._dep_digest(dep) != dep_hash:
                    return None
            out = []
            for f in entry["findings"]:
                found = Finding.from_json(f)
                # the file itself under the name this run uses; other modules (helpers) as the
                # project shows them: relative to the working directory when below it
                shown = path if found.path == entry["path"] else _display(found.path)
                out.append(replace(found, path=shown))
            return out
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def _dep_stat(self, dep: str):
        if dep not in self._stats:
            try:
                self._stats[dep] = _settled(os.stat(dep))
            except OSError:
                self._stats[dep] = None
        return self._stats[dep]

    def _dep_digest(self, dep: str) -> str | None:
        if dep not in self._digests:
            self._digests[dep] = file_digest(dep)
        return self._digests[dep]

    def put(self, path: str, content_hash: str, rule_key: str, findings: list[Finding], deps: list[str],
            st: os.stat_result | None = None) -> None:
        self.entries[os.path.abspath(path)] = {
            "path": os.path.abspath(path),
            "hash": content_hash,
            "stat": _settled(st),
            "rules": rule_key,
            "deps": {os.path.abspath(d): [self._dep_stat(os.path.abspath(d)), self._dep_digest(os.path.abspath(d))]
                     for d in deps},
            "findings": [dict(f.to_json(), path=os.path.abspath(f.path)) for f in findings],
        }
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tag = self.root / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(TAG)
                (self.root / ".gitignore").write_text("# Automatically created by losslint.\n*\n")
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"version": __version__, "files": self.entries}, fh)
            os.replace(tmp, self.file)
        except OSError:
            pass  # a read-only tree: run without a cache
