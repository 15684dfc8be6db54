"""The project around a checked file: its other modules, parsed lazily, only when a loss
reaches into them (an imported axis constant, a helper function). Static only: modules are
located on disk and parsed with libcst; nothing is imported or executed."""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

import libcst as cst

from . import source
from .findings import display_path as _display
from .imports import collect_aliases


class ModuleInfo:
    """One parsed module: its aliases and (lazily) its global names. A module the checked file
    reaches into holds only the top-level statements that define the names asked of it so far
    (and what those use: pruning.py); ``require`` adds more."""

    def __init__(self, project: "Project", name: str, path: str, module: cst.Module, src=None, partial: bool = False):
        self.project = project
        self.name = name
        self.path = path
        self.src = src
        self.partial = partial
        self._set_module(module)

    def _set_module(self, module: cst.Module) -> None:
        self.module = module
        self.starts = self.src.starts if self.src is not None and self.src.module is module else None
        self.aliases = collect_aliases(module, self.name)
        self._globals: dict[str, dict] = {}

    def require(self, name: str) -> None:
        """Make sure the statements that define ``name`` are parsed and evaluated."""
        if not self.partial:
            return
        try:
            if source.pruner(self.src).add_names([name]):
                self._set_module(source.assemble(self.src))
        except source.SourceError:
            self.partial = False   # a chunk libcst cannot parse: keep what we have

    def globals(self, data_format: str | None) -> dict:
        """Module-level names -> values, with ``image_data_format()`` folded to ``data_format``."""
        key = data_format or ""
        if key not in self._globals:
            self._globals[key] = {}  # guards against import cycles while computing
            from .interp import module_globals

            self._globals[key] = module_globals(self, data_format)
        return self._globals[key]


# Modules read for lookups, shared by the analyses of one process (a worker checks many files
# that reach into the same few modules): path -> ((mtime, size), Source).
_SOURCES: "OrderedDict[str, tuple]" = OrderedDict()
_SOURCES_MAX = 64   # (each holds its text, ast and parsed chunks: memory)


def _read_cached(path: Path):
    key = str(path)
    try:
        st = os.stat(key)
    except OSError:
        return None
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _SOURCES.get(key)
    if hit is not None and hit[0] == stamp:
        _SOURCES.move_to_end(key)
        return hit[1]
    src = source.read(key)
    source.syntax_tree(src)
    _SOURCES[key] = (stamp, src)
    if len(_SOURCES) > _SOURCES_MAX:
        _SOURCES.popitem(last=False)
    return src


class Project:
    def __init__(self, root: Path, max_modules: int = 64, prune: bool = True):
        self.root = root
        self.prune = prune   # False: other modules are parsed whole (the reference for tests)
        self.modules: dict[str, ModuleInfo | None] = {}
        self.max_modules = max_modules
        self._paths: dict[str, Path | None] = {}

    def add(self, name: str, path: str, module: cst.Module, src=None) -> ModuleInfo:
        info = ModuleInfo(self, name, path, module, src)
        self.modules[name] = info
        return info

    def _path_for(self, name: str) -> Path | None:
        if name not in self._paths:   # (lookups try every prefix of every dotted name)
            self._paths[name] = self._find(name)
        return self._paths[name]

    def _find(self, name: str) -> Path | None:
        rel = os.path.join(*name.split("."))
        root = str(self.root)
        for base in (root, os.path.join(root, "src")):
            for candidate in (os.path.join(base, rel + ".py"), os.path.join(base, rel, "__init__.py")):
                if os.path.isfile(candidate):
                    return Path(candidate)
        return None

    def load(self, name: str) -> ModuleInfo | None:
        if name in self.modules:
            return self.modules[name]
        if len(self.modules) >= self.max_modules or not name:
            return None
        self.modules[name] = None
        path = self._path_for(name)
        if path is None:
            return None
        try:
            src = _read_cached(path)
            if src is None:
                return None
            module = source.assemble(src) if self.prune else source.parse(src)
        except source.SourceError:
            return None
        info = ModuleInfo(self, name, _display(path), module, src, partial=self.prune)
        self.modules[name] = info
        return info

    def lookup(self, qualname: str, data_format: str | None):
        """The value of ``pkg.mod.NAME`` (or ``pkg.mod.Class.NAME``) if it is in the project."""
        parts = qualname.split(".")
        for i in range(len(parts) - 1, 0, -1):
            mod_name = ".".join(parts[:i])
            if mod_name not in self.modules and self._path_for(mod_name) is None:
                continue
            info = self.load(mod_name)
            if info is None:
                continue
            info.require(parts[i])
            value = info.globals(data_format).get(parts[i])
            for attr in parts[i + 1:]:
                value = getattr(value, "attrs", {}).get(attr) if value is not None else None
            return value
        return None
