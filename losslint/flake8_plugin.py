"""flake8 plugin: the same findings as ``losslint check``, under flake8's select and noqa.

Registered as ``LL`` under ``flake8.extension``. flake8 does not read pyproject.toml, so the
plugin reads the same ``[tool.losslint]`` config as the CLI (one resolver per process).
"""

from __future__ import annotations

import os
from pathlib import Path

from . import __version__
from .checker import Options, analyse
from .config import ConfigError, ConfigResolver
from .rules import RULES, matches

_resolver: ConfigResolver | None = None


def _config_for(filename: str):
    global _resolver
    if _resolver is None:
        _resolver = ConfigResolver()
    return _resolver.for_path(Path(filename).absolute())


class Plugin:
    name = "losslint"
    version = __version__
    _extra: tuple[str, ...] = ()

    def __init__(self, tree, filename: str, lines: list[str]):
        # ``tree`` is flake8's ast, unused: losslint parses with libcst, once per file.
        self.filename = filename
        self.lines = lines

    @classmethod
    def parse_options(cls, options) -> None:
        # Codes flake8 was asked for explicitly (--select / --extend-select LL201) are
        # produced even when they are off by default in losslint.
        asked = list(getattr(options, "select", None) or []) + list(getattr(options, "extend_select", None) or [])
        cls._extra = tuple(c for c in asked if c.upper().startswith("LL") and len(c) > 2)

    def run(self):
        try:
            cfg = _config_for(self.filename)
        except ConfigError as exc:
            yield 1, 0, f"LL001 losslint configuration error: {exc}", type(self)
            return
        if self._extra:
            from dataclasses import replace

            cfg = replace(cfg, extend_select=tuple(cfg.extend_select) + tuple(
                code for code in RULES if matches(code, list(self._extra))))
        data = None
        if self.filename in ("-", "stdin") or not os.path.isfile(self.filename):
            data = "".join(self.lines).encode("utf-8")
        findings, _ = analyse(self.filename, cfg, data, Options())
        for f in findings:
            if os.path.normpath(f.path) != os.path.normpath(self.filename):
                continue  # a finding inside a helper module: flake8 reports per file
            yield f.line, f.column - 1, f"{f.code} {f.message}", type(self)
