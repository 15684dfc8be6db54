"""Per-file pipeline: read -> pre-filter -> parse -> engine -> rule selection -> noqa.

This module knows nothing about output formats or the command line.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import noqa, source
from .config import Config
from .findings import Finding
from .rules import enabled_codes

# A file can hold a loss only if one of these words appears in it (SPEC section 4): loss-ish
# function names, prediction/target parameter names, compile(...) and Loss subclasses. The
# engine needs at least one axis-dependent call too, which every one of these files has in
# practice; the pre-filter is kept deliberately loose so that it never hides a finding.
PREFILTER = re.compile(
    r"loss|crossentropy|dice|iou|jaccard|focal|tversky|_error\b|\by_pred\b|\bpreds?\b|"
    r"prediction|\blogits\b|\by_hat\b|\bprobs\b|compile\s*\(|losslint",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Options:
    explain: bool = False
    prefilter: bool = True


def _selected(cfg: Config) -> set[str]:
    return enabled_codes(
        list(cfg.select) if cfg.select is not None else None, list(cfg.ignore), list(cfg.extend_select)
    )


def _relpath(path: str, root: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def check_source(path: str, cfg: Config, data: bytes | None = None, options: Options = Options()) -> list[Finding]:
    """All findings for one file (or ``data`` given for it), after selection and noqa."""
    return analyse(path, cfg, data, options)[0]


def analyse(path: str, cfg: Config, data: bytes | None = None, options: Options = Options()):
    """(findings, Source or None) for one file."""
    enabled = _selected(cfg) - cfg.ignored_for(_relpath(path, cfg.root))
    src = None
    try:
        src = source.read(path, data)
        if options.prefilter and not PREFILTER.search(src.text):
            # Not loss code: only LL001 can apply, and ast is an order of magnitude cheaper
            # than libcst to tell a syntax error.
            _syntax_check(path, src.text)
            return [], src
        module = source.parse(src)
    except source.SourceError as err:
        return ([err.finding] if "LL001" in enabled else []), src
    if not (enabled - {"LL001"}):
        return [], src
    from .engine import analyse_module  # the engine is imported only when a file needs it

    try:
        findings = analyse_module(module, src, cfg, enabled, explain=options.explain)
    except RecursionError:
        print(f"losslint: {path}: skipped: nested too deeply to analyse", file=sys.stderr)
        return [], src
    except Exception as exc:  # an engine bug must not cost the user the other files
        if os.environ.get("LOSSLINT_DEBUG"):
            raise
        print(f"losslint: {path}: internal error, file skipped ({type(exc).__name__}: {exc}); "
              "please report it with this file", file=sys.stderr)
        return [], src
    lines = src.lines
    out = []
    for f in findings:
        if f.code not in enabled:
            continue
        line_text = lines[f.line - 1] if 0 < f.line <= len(lines) else ""
        if noqa.suppressed(f.code, line_text):
            continue
        out.append(f)
    return sorted(out), src


def _syntax_check(path: str, text: str) -> None:
    try:
        ast.parse(text, filename=path)
    except SyntaxError as exc:
        # Defer to libcst for the exact message and position (rare path).
        source.parse(source.Source(path, text, text.splitlines()))
        raise source.SourceError(Finding(path, exc.lineno or 1, exc.offset or 1, "LL001", f"cannot parse: {exc.msg}")) from None
    except (RecursionError, MemoryError, ValueError):
        source.parse(source.Source(path, text, text.splitlines()))


def _check_batch(batch: list[tuple[str, Config]], options: Options) -> list[Finding]:
    out: list[Finding] = []
    for path, cfg in batch:
        out.extend(check_source(path, cfg, None, options))
    return out


def check_paths(files: list[str], config_for, options: Options, jobs: int = 0) -> list[Finding]:
    """Check many files, in parallel batches when it pays off; sorted, deterministic output."""
    work = [(f, config_for(Path(f))) for f in files]
    jobs = jobs or os.cpu_count() or 1
    findings: list[Finding] = []
    if jobs <= 1 or len(work) < 16:
        findings = _check_batch(work, options)
    else:
        n_batches = jobs * 4
        batches = [work[i::n_batches] for i in range(n_batches)]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for part in pool.map(_check_batch, batches, [options] * len(batches)):
                findings.extend(part)
    return sorted(findings)
