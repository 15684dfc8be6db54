"""The rules: one module per rule (``ll102.py`` ...), each holding its code, name, default,
priority, page (what it does / why it is bad / example / fix / when harmless), the events it
judges and its examples. The registry is built from this package.

A rule module defines ``RULE = Rule(...)`` and, when it judges events, ``check(event, scope)``
returning a ``Verdict`` (message and fix) or None; optionally ``finish(scope)`` at the end of a
function (LL103 keeps its deferred verdicts only for per-sample losses, LL107 compares the class
axes it saw). ``policy.py`` keeps one finding per call site: the rule of lowest ``priority``.

This package imports no parser: the command line reads the rule table on every run.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field, replace
from typing import Callable

from .common import Verdict

__all__ = ["Rule", "Example", "Verdict", "RULES", "PRIORITY", "enabled_codes", "matches",
           "is_valid_selector", "table", "subscribers"]


@dataclass(frozen=True)
class Example:
    """A snippet of a rule's page and of its tests: ``valid`` snippets must not produce the
    rule's code, the others must (under ``layout`` / ``target_layout``)."""

    code: str
    layout: str | None = None
    target_layout: str | None = None
    valid: bool = False


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    default: bool
    needs_layout: bool
    summary: str
    what: str
    why: str
    example: str
    fix: str
    harmless: str
    priority: int = 50                      # lower wins at a call site with several findings
    events: tuple[type, ...] = ()           # the event types ``check`` judges
    deferred: bool = False                  # verdicts wait for ``finish`` (end of the function)
    blocking: bool = True                   # a finding stops the layout (not LL2xx, LL103)
    examples: tuple[Example, ...] = ()
    check: Callable | None = field(default=None, compare=False, repr=False)
    finish: Callable | None = field(default=None, compare=False, repr=False)

    def page(self) -> str:
        on = "on by default" if self.default else "off by default (enable with --extend-select)"
        return (
            f"# {self.name} ({self.code})\n\n"
            f"{on}{'' if self.needs_layout else '; needs no declared layout'}.\n\n"
            f"## What it does\n{self.what}\n\n"
            f"## Why is this bad?\n{self.why}\n\n"
            f"## Example\n```python\n{self.example.strip()}\n```\n\n"
            f"## Use instead\n{self.fix.strip()}\n\n"
            f"## When it is harmless\n{self.harmless}\n"
        )


def _load() -> list[Rule]:
    out = []
    for info in pkgutil.iter_modules(__path__):
        if not (info.name.startswith("ll") and info.name[2:].isdigit()):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        rule = mod.RULE
        out.append(replace(rule, check=getattr(mod, "check", None), finish=getattr(mod, "finish", None)))
    return sorted(out, key=lambda r: r.code)


_RULES = _load()
RULES: dict[str, Rule] = {r.code: r for r in _RULES}

# One call site gets one finding: the first of these wins.
PRIORITY = [r.code for r in sorted(_RULES, key=lambda r: (r.priority, r.code))]

_SUBSCRIBERS: dict[type, list[Rule]] = {}


def subscribers(event_type: type) -> list[Rule]:
    """The rules that judge events of this type, in code order."""
    found = _SUBSCRIBERS.get(event_type)
    if found is None:
        found = _SUBSCRIBERS[event_type] = [r for r in _RULES if r.check is not None and any(
            issubclass(event_type, t) for t in r.events)]
    return found


def finishers() -> list[Rule]:
    return [r for r in _RULES if r.finish is not None]


def by_name(name: str) -> Rule | None:
    """A rule by code (``LL102``) or name (``partial-spatial-reduction``)."""
    key = name.strip()
    if key.upper() in RULES:
        return RULES[key.upper()]
    return next((r for r in _RULES if r.name == key.lower()), None)


def is_valid_selector(sel: str) -> bool:
    """A code or a prefix of one ("LL", "LL1", "LL102")."""
    s = sel.strip().upper()
    return bool(s) and any(code.startswith(s) for code in RULES)


def matches(code: str, selectors: list[str]) -> int:
    """Length of the longest selector that is a prefix of ``code`` (0 if none)."""
    best = 0
    for sel in selectors:
        s = sel.strip().upper()
        if s and code.startswith(s):
            best = max(best, len(s))
    return best


def enabled_codes(select: list[str] | None, ignore: list[str], extend_select: list[str]) -> set[str]:
    """ruff's semantics: the most specific selector wins between select and ignore."""
    out = set()
    for code, rule in RULES.items():
        if select is None:
            sel = len("LL") if rule.default else 0
        else:
            sel = matches(code, select)
            # The bare "LL" prefix selects the default rules only; a code or a narrower
            # prefix ("LL2") selects off-by-default rules too.
            if sel and not rule.default and sel <= len("LL"):
                sel = 0
        ext = matches(code, extend_select)
        if ext and not rule.default and ext <= len("LL"):
            ext = 0
        sel = max(sel, ext)
        ign = matches(code, ignore)
        if sel and sel > ign:
            out.add(code)
    return out


def table() -> str:
    rows = [("code", "name", "default", "summary")]
    rows += [(r.code, r.name, "yes" if r.default else "no", r.summary) for r in _RULES]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for row in rows:
        lines.append("  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  " + row[3])
    return "\n".join(lines)
