"""One finding per call site: of the candidates at one site, the rule of lowest priority
wins. A fix is dropped where the site got different fixes (a helper reached with different
layouts) or was found right under another caller's layout: there is no single intended axis."""

from __future__ import annotations

from dataclasses import replace

from . import PRIORITY

_ORDER = {code: i for i, code in enumerate(PRIORITY)}


def pick(candidates: list, sites_ok: set | None = None) -> list:
    by_site: dict[int, object] = {}
    seen: dict[int, set] = {}
    for c in candidates:
        key = id(c.site)
        seen.setdefault(key, set()).add((c.code, c.message, _fix_key(c.fix_value)))
        best = by_site.get(key)
        if best is None or _ORDER.get(c.code, 99) < _ORDER.get(best.code, 99):
            by_site[key] = c
    out = []
    for key, c in by_site.items():
        if len({fix for code, _, fix in seen[key] if code == c.code}) > 1 or key in (sites_ok or ()):
            c = replace(c, fix_node=None, fix_value=None, fix_insert=None)
        out.append(c)
    return out


def _fix_key(value):
    return value if value is None or isinstance(value, (int, tuple)) else repr(value)
