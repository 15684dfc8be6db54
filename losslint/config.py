"""Configuration: discovery, parsing (tomllib / tomli) and validation (SPEC section 3).

Every problem is a ``ConfigError`` naming the file, the key and what was expected; the CLI
turns it into exit code 2 and one line on standard error.
"""

from __future__ import annotations

import difflib
import fnmatch
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from .layouts import Layout, LayoutError, axis_names, parse_layout
from .rules import RULES, enabled_codes, is_valid_selector, matches

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_FILES = (".losslint.toml", "losslint.toml", "pyproject.toml")

TOP_KEYS = {
    "layout", "target-layout", "batch-axis", "feature-axis", "select", "ignore",
    "extend-select", "exclude", "per-file-ignores", "params", "outputs",
}
OUTPUT_KEYS = {"name", "layout", "target-layout", "losses", "params"}


class ConfigError(Exception):
    def __init__(self, file: str | Path | None, key: str | None, message: str):
        self.file, self.key, self.message = file, key, message
        where = str(file) if file else "command line"
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


@dataclass(frozen=True)
class OutputConfig:
    name: str
    layout: Layout | None
    target_layout: Layout | None
    losses: tuple[str, ...]
    params: dict[str, Layout] = field(default_factory=dict)

    def matches(self, func_name: str, qualname: str, module: str) -> bool:
        for pat in self.losses:
            if ":" in pat:
                mod_pat, _, q_pat = pat.partition(":")
                if fnmatch.fnmatchcase(module, mod_pat) and fnmatch.fnmatchcase(qualname, q_pat):
                    return True
            elif fnmatch.fnmatchcase(func_name, pat) or fnmatch.fnmatchcase(qualname, pat):
                return True
        return False


@dataclass(frozen=True)
class Config:
    path: Path | None = None          # the file the settings came from (None: defaults)
    root: Path = Path(".")            # the directory paths in the config are relative to
    layout: Layout | None = None
    target_layout: Layout | None = None
    layout_origin: str = ""           # e.g. "pyproject.toml [tool.losslint] layout"
    batch_axis: str | None = None
    feature_axis: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    params: dict[str, Layout] = field(default_factory=dict)
    outputs: tuple[OutputConfig, ...] = ()

    @property
    def has_layout(self) -> bool:
        return self.layout is not None or any(o.layout for o in self.outputs)

    def output_for(self, func_name: str, qualname: str, module: str) -> OutputConfig | None:
        for out in self.outputs:
            if out.matches(func_name, qualname, module):
                return out
        return None

    def ignored_for(self, rel_path: str) -> set[str]:
        """The rule codes switched off for a file; prefixes ("LL1") expand to their codes."""
        out: set[str] = set()
        for pattern, codes in self.per_file_ignores:
            if fnmatch.fnmatch(rel_path, pattern) or fnmatch.fnmatch(Path(rel_path).name, pattern):
                out.update(code for code in RULES if matches(code, list(codes)))
        return out

    def fingerprint(self) -> str:
        """A stable string for cache keys."""
        return repr((
            str(self.layout), str(self.target_layout), self.batch_axis, self.feature_axis,
            sorted((k, str(v)) for k, v in self.params.items()),
            [(o.name, str(o.layout), str(o.target_layout), o.losses,
              sorted((k, str(v)) for k, v in o.params.items())) for o in self.outputs],
        ))


# -- validation helpers ------------------------------------------------------------------

def _did_you_mean(key: str, choices) -> str:
    close = difflib.get_close_matches(key, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _str(file, key, value) -> str:
    if not isinstance(value, str):
        raise ConfigError(file, key, f"expected a string, got {_type(value)}")
    return value


def _str_list(file, key, value) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(file, key, f"expected a list of strings, got {_type(value)}")
    for v in value:
        if not isinstance(v, str):
            raise ConfigError(file, key, f"expected a list of strings, got {_type(v)} ({v!r}) in the list")
    return tuple(value)


def _codes(file, key, value) -> tuple[str, ...]:
    codes = _str_list(file, key, value)
    for c in codes:
        if not is_valid_selector(c):
            raise ConfigError(
                file, key, f"unknown rule code or prefix {c!r} (expected codes such as 'LL102' or prefixes such as 'LL1'; see `losslint rules`)"
            )
    return codes


def _type(value) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "a boolean",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def _layout(file, key, value, batch_axis, feature_axis) -> Layout:
    text = _str(file, key, value)
    try:
        return _parse_with_overrides(text, batch_axis, feature_axis)
    except LayoutError as exc:
        shown = text if len(text) <= 60 else text[:57] + "..."
        reason = str(exc) if len(str(exc)) <= 200 else str(exc)[:197] + "..."
        raise ConfigError(
            file, key, f"malformed layout {shown!r}: {reason} (expected e.g. \"N C H W\", \"NHWC\", \"N C *spatial\" or \"channels_last\")"
        ) from None


def _parse_with_overrides(text: str, batch_axis, feature_axis) -> Layout:
    # The names alone (no role check): "N C K" with feature-axis = "C" is valid.
    names = axis_names(text)
    b = batch_axis if batch_axis and batch_axis.lower() in names else None
    f = feature_axis if feature_axis and feature_axis.lower() in names else None
    return parse_layout(text, b, f)


def _params(file, key, value, batch_axis, feature_axis) -> dict[str, Layout]:
    if not isinstance(value, dict):
        raise ConfigError(file, key, f"expected a table of parameter name = layout, got {_type(value)}")
    return {
        name: _layout(file, f"{key}.{name}", v, batch_axis, feature_axis)
        for name, v in value.items()
    }


def parse_table(table: dict, file: Path | None, prefix: str = "[tool.losslint]") -> dict:
    """Validate a ``[tool.losslint]`` table; return keyword arguments for ``Config``."""
    if not isinstance(table, dict):
        raise ConfigError(file, prefix, f"expected a table, got {_type(table)}")
    for key in table:
        if key not in TOP_KEYS:
            raise ConfigError(file, f"{prefix} {key}", "unknown key" + _did_you_mean(key, TOP_KEYS)
                              + "; expected one of " + ", ".join(sorted(TOP_KEYS)))
    k = lambda name: f"{prefix} {name}"  # noqa: E731
    batch_axis = _str(file, k("batch-axis"), table["batch-axis"]) if "batch-axis" in table else None
    feature_axis = _str(file, k("feature-axis"), table["feature-axis"]) if "feature-axis" in table else None
    if batch_axis is not None and feature_axis is not None and batch_axis.lower() == feature_axis.lower():
        raise ConfigError(file, k("feature-axis"), f"{feature_axis!r} is also the batch-axis; one axis cannot be both")
    out: dict = {"batch_axis": batch_axis, "feature_axis": feature_axis}
    declared: list[tuple[str, Layout]] = []
    if "layout" in table:
        out["layout"] = _layout(file, k("layout"), table["layout"], batch_axis, feature_axis)
        out["layout_origin"] = f"{Path(file).name if file else 'config'} {prefix} layout"
        declared.append(("layout", out["layout"]))
    if "target-layout" in table:
        out["target_layout"] = _layout(file, k("target-layout"), table["target-layout"], batch_axis, feature_axis)
        declared.append(("target-layout", out["target_layout"]))
    elif "layout" in table:
        out["target_layout"] = out["layout"]
    for key in ("select", "extend-select", "ignore"):
        if key in table:
            out[key.replace("-", "_")] = _codes(file, k(key), table[key])
    if "exclude" in table:
        out["exclude"] = _str_list(file, k("exclude"), table["exclude"])
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError(file, k("per-file-ignores"), f"expected a table of glob = [codes], got {_type(pfi)}")
        out["per_file_ignores"] = tuple(
            (pat, _codes(file, k(f"per-file-ignores.{pat!r}"), codes)) for pat, codes in pfi.items()
        )
    if "params" in table:
        out["params"] = _params(file, k("params"), table["params"], batch_axis, feature_axis)
        declared.extend((f"params.{n}", lay) for n, lay in out["params"].items())
    if "outputs" in table:
        outs = table["outputs"]
        if not isinstance(outs, list) or not all(isinstance(o, dict) for o in outs):
            raise ConfigError(file, k("outputs"), "expected an array of tables ([[tool.losslint.outputs]])")
        parsed = []
        for i, o in enumerate(outs):
            okey = lambda name: f"[[tool.losslint.outputs]] #{i + 1} {name}"  # noqa: E731
            for key in o:
                if key not in OUTPUT_KEYS:
                    raise ConfigError(file, okey(key), "unknown key" + _did_you_mean(key, OUTPUT_KEYS)
                                      + "; expected one of " + ", ".join(sorted(OUTPUT_KEYS)))
            if "losses" not in o:
                raise ConfigError(file, okey("losses"), "missing: expected a list of globs over loss function names")
            lay = _layout(file, okey("layout"), o["layout"], batch_axis, feature_axis) if "layout" in o else None
            tl = (_layout(file, okey("target-layout"), o["target-layout"], batch_axis, feature_axis)
                  if "target-layout" in o else lay)
            params = _params(file, okey("params"), o["params"], batch_axis, feature_axis) if "params" in o else {}
            parsed.append(OutputConfig(
                name=_str(file, okey("name"), o.get("name", f"output {i + 1}")),
                layout=lay, target_layout=tl,
                losses=_str_list(file, okey("losses"), o["losses"]), params=params,
            ))
            declared.extend((f"outputs.{i}", x) for x in (lay, tl) if x is not None)
        out["outputs"] = tuple(parsed)
    for what, override in (("batch-axis", batch_axis), ("feature-axis", feature_axis)):
        if override is None:
            continue
        if not declared:
            raise ConfigError(file, k(what), "needs a layout to apply to (set `layout`)")
        if not any(override.lower() in {a.name.lower() for a in lay.axes} for _, lay in declared):
            raise ConfigError(
                file, k(what),
                f"{override!r} is not an axis of any declared layout (e.g. {declared[0][0]} = \"{declared[0][1]}\")",
            )
    return out


def load_file(path: Path) -> Config | None:
    """Read one config file. Returns None for a pyproject.toml without [tool.losslint]."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot read: {exc}") from None
    except RecursionError:
        raise ConfigError(path, None, "invalid TOML: nested too deeply") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        if not isinstance(tool, dict) or "losslint" not in tool:
            return None
        table, prefix = tool["losslint"], "[tool.losslint]"
    else:
        table, prefix = data, path.name
    kwargs = parse_table(table, path, prefix)
    return Config(path=path, root=path.parent, **kwargs)


_SELECTION_KEYS = ("select", "ignore", "extend_select")


def _layer_selection(cfg: Config, cli: dict) -> dict:
    """ruff's layering: the command line's selection applies on top of the config's.

    A ``--select`` replaces the config's whole selection (its select, ignore and
    extend-select); without it, ``--ignore`` / ``--extend-select`` switch rules off / on in
    the set the config enables. Within one layer the most specific selector wins (at equal
    specificity, ignore wins). per-file-ignores are separate and still apply.
    """
    if "select" in cli:
        return {"select": cli["select"], "ignore": cli.get("ignore", ()),
                "extend_select": cli.get("extend_select", ())}
    enabled = enabled_codes(
        list(cfg.select) if cfg.select is not None else None, list(cfg.ignore), list(cfg.extend_select)
    )
    ext, ign = list(cli.get("extend_select", ())), list(cli.get("ignore", ()))
    for code in RULES:
        e, i = matches(code, ext), matches(code, ign)
        if e and not RULES[code].default and e <= len("LL"):
            e = 0   # the bare "LL" prefix never turns on the off-by-default rules
        if e > i:
            enabled.add(code)
        elif i:
            enabled.discard(code)
    return {"select": tuple(sorted(enabled)), "ignore": (), "extend_select": ()}


class ConfigResolver:
    """Finds the config for each checked path, caching per directory."""

    def __init__(self, explicit: Path | None = None, overrides: dict | None = None):
        self.overrides = overrides or {}
        self._by_dir: dict[Path, Config] = {}
        self._by_given: dict[Path, Config] = {}   # directories as given (resolving costs a syscall per part)
        self._explicit: Config | None = None
        if explicit is not None:
            if not explicit.is_file():
                raise ConfigError(explicit, "--config", "file not found")
            cfg = load_file(explicit)
            if cfg is None:
                cfg = Config(path=explicit, root=explicit.parent)
            self._explicit = self._apply(cfg)

    def _apply(self, cfg: Config) -> Config:
        if not self.overrides:
            return cfg
        selection = {k: v for k, v in self.overrides.items() if k in _SELECTION_KEYS}
        cfg = replace(cfg, **{k: v for k, v in self.overrides.items() if k not in _SELECTION_KEYS})
        if selection:
            cfg = replace(cfg, **_layer_selection(cfg, selection))
        if cfg.batch_axis or cfg.feature_axis:
            # --layout / --target-layout get the config's batch-axis / feature-axis too
            for key in ("layout", "target_layout"):
                if self.overrides.get(key) is not None:
                    try:
                        relaid = _parse_with_overrides(self.overrides[key].source, cfg.batch_axis, cfg.feature_axis)
                    except LayoutError as exc:
                        raise ConfigError(None, "--" + key.replace("_", "-"), str(exc)) from None
                    cfg = replace(cfg, **{key: relaid})
            if "layout" in self.overrides and "target_layout" not in self.overrides:
                cfg = replace(cfg, target_layout=cfg.layout)
        if "layout" in self.overrides or "target_layout" in self.overrides:
            # --layout / --target-layout win over every layout of the config, outputs included.
            cfg = replace(cfg, outputs=tuple(
                replace(o, layout=cfg.layout, target_layout=cfg.target_layout, params={})
                for o in cfg.outputs))
        return cfg

    def for_path(self, path: Path) -> Config:
        if self._explicit is not None:
            return self._explicit
        directory = path if path.is_dir() else path.parent
        cfg = self._by_given.get(directory)
        if cfg is None:
            cfg = self._by_given[directory] = self._for_dir(directory.resolve())
        return cfg

    def _for_dir(self, directory: Path) -> Config:
        cached = self._by_dir.get(directory)
        if cached is not None:
            return cached
        cfg: Config | None = None
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file():
                cfg = load_file(candidate)
                if cfg is not None:
                    cfg = self._apply(cfg)
                    break
        if cfg is None:
            parent = directory.parent
            if parent != directory:
                cfg = self._for_dir(parent)
            else:
                cfg = self._apply(Config(root=Path.cwd()))
        self._by_dir[directory] = cfg
        return cfg


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def cli_overrides(args) -> dict:
    """Turn CLI options into Config field overrides (CLI wins over config)."""
    out: dict = {}
    where = None
    if getattr(args, "layout", None) is not None:
        try:
            out["layout"] = parse_layout(args.layout)
        except LayoutError as exc:
            raise ConfigError(where, "--layout", f"malformed layout {_short(args.layout)!r}: {_short(str(exc), 200)}") from None
        out["layout_origin"] = "--layout"
        out["target_layout"] = out["layout"]
    if getattr(args, "target_layout", None) is not None:
        try:
            out["target_layout"] = parse_layout(args.target_layout)
        except LayoutError as exc:
            raise ConfigError(where, "--target-layout", f"malformed layout {_short(args.target_layout)!r}: {_short(str(exc), 200)}") from None
    for opt in ("select", "ignore", "extend_select"):
        value = getattr(args, opt, None)
        if value is not None:
            codes = tuple(c.strip() for c in value.split(",") if c.strip())
            for c in codes:
                if not is_valid_selector(c):
                    raise ConfigError(where, "--" + opt.replace("_", "-"), f"unknown rule code or prefix {c!r}; see `losslint rules`")
            out[opt] = codes
    return out
