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
from dataclasses import replace
from pathlib import Path

from . import __version__
from .findings import Finding
from .project import _display

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


class Cache:
    def __init__(self, root: Path, key: str):
        self.root = root / CACHE_DIR
        key = f"{key}\n{_code_fingerprint()}"
        self.file = self.root / f"v{__version__}" / f"{digest(key.encode())}.json"
        self.entries: dict[str, dict] = {}
        self.dirty = False
        self._load()

    def _load(self) -> None:
        try:
            with open(self.file, encoding="utf-8") as fh:
                data = json.load(fh)
            if isinstance(data, dict) and isinstance(data.get("files"), dict):
                self.entries = data["files"]
        except (OSError, ValueError, RecursionError):
            self.entries = {}

    def get(self, path: str, content_hash: str, rule_key: str) -> list[Finding] | None:
        entry = self.entries.get(os.path.abspath(path))
        if not isinstance(entry, dict) or entry.get("hash") != content_hash or entry.get("rules") != rule_key:
            return None
        try:
            for dep, dep_hash in entry.get("deps", {}).items():
                if file_digest(dep) != dep_hash:
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

    def put(self, path: str, content_hash: str, rule_key: str, findings: list[Finding], deps: list[str]) -> None:
        self.entries[os.path.abspath(path)] = {
            "path": os.path.abspath(path),
            "hash": content_hash,
            "rules": rule_key,
            "deps": {os.path.abspath(d): file_digest(d) for d in deps},
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
