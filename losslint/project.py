"""The project around a checked file: its other modules, parsed lazily, only when a loss
reaches into them (an imported axis constant, a helper function). Static only: modules are
located on disk and parsed with libcst; nothing is imported or executed."""

from __future__ import annotations

import os
from pathlib import Path

import libcst as cst

from . import source
from .findings import display_path as _display
from .imports import collect_aliases


class ModuleInfo:
    """One parsed module: its aliases and (lazily) its global names."""

    def __init__(self, project: "Project", name: str, path: str, module: cst.Module, src=None):
        self.project = project
        self.name = name
        self.path = path
        self.module = module
        self.src = src
        self.aliases = collect_aliases(module, name)
        self._globals: dict[str, dict] = {}

    def globals(self, data_format: str | None) -> dict:
        """Module-level names -> values, with ``image_data_format()`` folded to ``data_format``."""
        key = data_format or ""
        if key not in self._globals:
            self._globals[key] = {}  # guards against import cycles while computing
            from .infer import module_globals

            self._globals[key] = module_globals(self, data_format)
        return self._globals[key]


class Project:
    def __init__(self, root: Path, max_modules: int = 64):
        self.root = root
        self.modules: dict[str, ModuleInfo | None] = {}
        self.max_modules = max_modules

    def add(self, name: str, path: str, module: cst.Module, src=None) -> ModuleInfo:
        info = ModuleInfo(self, name, path, module, src)
        self.modules[name] = info
        return info

    def _path_for(self, name: str) -> Path | None:
        rel = Path(*name.split("."))
        for base in (self.root, self.root / "src"):
            for candidate in (base / rel.with_suffix(".py"), base / rel / "__init__.py"):
                if candidate.is_file():
                    return candidate
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
            src = source.read(str(path))
            module = source.parse(src)
        except source.SourceError:
            return None
        return self.add(name, _display(path), module, src)

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
            value = info.globals(data_format).get(parts[i])
            for attr in parts[i + 1:]:
                value = getattr(value, "attrs", {}).get(attr) if value is not None else None
            return value
        return None
