"""Per-file pipeline: read -> pre-filter -> parse -> engine -> rule selection -> noqa.

This module knows nothing about output formats or the command line.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import noqa, source
from .config import Config
from .findings import Finding
from .rules import enabled_codes

# The pre-filter (SPEC section 4 as text): a file can hold a loss function only if it has a
# loss-ish def name, a def with a prediction *and* a target parameter, a Loss class,
# ``.compile(`` with a loss, or a losslint pragma. Everything else is never parsed by libcst
# (``ast`` still checks its syntax for LL001). Helper modules a loss reaches are parsed lazily
# by project.py, whatever the filter says. tests/test_prefilter.py checks that the filter never
# hides a finding.
# No \b (it made the scan 3x slower); the name is read by a lookahead, so that "@dataclass\n
# class FocalLoss" or a comment ending in "subclass" does not swallow the name that follows.
_NAMES = re.compile(r"(?:def|class)\s+(?=(\w+))")
_LOSS_BASE = re.compile(r"class\s+\w+\s*\([^)]*\bLoss\b|#\s*losslint:")
_DEF = re.compile(r"def\s+\w+\s*\(([^)]{0,400})\)")
_PRED = re.compile(r"\b(?:y_pred|preds?|predictions?|outputs?|logits|inputs?|y_hat|probs|scores)\b")
_TARGET = re.compile(r"\b(?:y_true|targets?|true|labels?|gt|ground_truth|masks?|y)\b")
_COMPILE = re.compile(r"\.compile\s*\((?:[^()]|\([^()]*\))*?\bloss\s*=")


def may_hold_loss(text: str, extra: re.Pattern | None = None) -> bool:
    # Substring tests guard every regex: ``in`` is a memchr-speed scan, a regex alternation
    # tried at every position is not (the filter was a tenth of a cold run on keras).
    from .discovery import LOSS_WORDS, loss_like_name  # (libcst is not imported on a cached run)

    if (("Loss" in text or "losslint:" in text) and _LOSS_BASE.search(text)) or (
            extra is not None and extra.search(text)):
        return True
    low = text.lower()   # a loss-ish name holds one of the words (or ends in _error)
    if any(w in low for w in LOSS_WORDS) or "_error" in text:
        for m in _NAMES.finditer(text):
            name = m.group(1)
            lname = name.lower()
            if any(w in lname for w in LOSS_WORDS) or "_error" in name:
                if loss_like_name(name):
                    return True
    if "compile" in text and "loss" in text and _COMPILE.search(text):
        return True
    for m in _DEF.finditer(text):   # (starts with a literal: fast, unlike _PRED over the text)
        params = m.group(1)
        if _PRED.search(params) and _TARGET.search(params):
            return True
    return False


_GLOBS: dict[int, re.Pattern | None] = {}


def _glob_pattern(cfg: Config) -> re.Pattern | None:
    """``def`` lines of functions an output's ``losses`` globs name (any file may hold them)."""
    if id(cfg) not in _GLOBS:
        _GLOBS[id(cfg)] = _compile_globs(cfg)
    return _GLOBS[id(cfg)]


def _compile_globs(cfg: Config) -> re.Pattern | None:
    import fnmatch

    parts = []
    for out in cfg.outputs:
        for pat in out.losses:
            name = pat.split(":", 1)[-1].rsplit(".", 1)[-1]
            parts.append(fnmatch.translate(name).replace("\\Z", "").replace("(?s:", "(?:"))
    if not parts:
        return None
    return re.compile(r"def\s+(?:" + "|".join(parts) + r")\s*\(|class\s+(?:" + "|".join(parts) + r")\b")


@dataclass(frozen=True)
class Options:
    explain: bool = False
    prefilter: bool = True


def _selected(cfg: Config) -> set[str]:
    key = id(cfg)
    if key not in _SELECTED or _SELECTED[key][0] is not cfg:
        _SELECTED[key] = (cfg, _enabled(cfg))
    return set(_SELECTED[key][1])


_SELECTED: dict[int, tuple] = {}


def _enabled(cfg: Config) -> set[str]:
    return enabled_codes(
        list(cfg.select) if cfg.select is not None else None, list(cfg.ignore), list(cfg.extend_select)
    )


def _relpath(path: str, root: Path) -> str:
    absolute, base = os.path.abspath(path), _root_str(root)
    if absolute.startswith(base):   # the common case, without resolving symlinks per file
        return Path(absolute[len(base):]).as_posix()
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # outside the root; a symlink loop
        return Path(path).as_posix()


@functools.lru_cache(maxsize=64)
def _root_str(root: Path) -> str:
    return os.path.join(os.path.abspath(root), "")


def check_source(path: str, cfg: Config, data: bytes | None = None, options: Options = Options()) -> list[Finding]:
    """All findings for one file (or ``data`` given for it), after selection and noqa."""
    return analyse(path, cfg, data, options)[0]


def analyse(path: str, cfg: Config, data: bytes | None = None, options: Options = Options(),
            memo=None, record: dict | None = None):
    """(findings, Source or None) for one file. The language server passes its per-document
    ``memo`` (engine.Memo) and a ``record`` dict that the same pass fills for hover."""
    enabled = _selected(cfg) - cfg.ignored_for(_relpath(path, cfg.root))
    src = None
    try:
        src = source.read(path, data)
        if options.prefilter and not may_hold_loss(src.text, _glob_pattern(cfg)):
            # Not loss code: only LL001 can apply, and ast is an order of magnitude cheaper
            # than libcst to tell a syntax error.
            _syntax_check(path, src.text)
            return [], src
        previous = getattr(memo, "tree", None)
        if previous is not None:   # the language server: re-parse only the changed lines
            source.reuse_tree(src, *previous)
        if options.prefilter:
            from .engine import module_name_for

            module = source.parse_for_losses(src, cfg, module_name_for(path, cfg.root))
        else:
            module = source.parse(src)
        if memo is not None:
            memo.tree = (src.lines, src.tree)
    except source.SourceError as err:
        return ([err.finding] if "LL001" in enabled else []), src
    if not (enabled - {"LL001"}):
        return [], src
    from .engine import analyse_module  # the engine is imported only when a file needs it

    try:
        findings = analyse_module(module, src, cfg, enabled, explain=options.explain, record=record, memo=memo)
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
    other_lines: dict[str, list[str]] = {}
    out = []
    for f in findings:
        if f.code not in enabled:
            continue
        file_lines = lines
        if os.path.normpath(f.path) != os.path.normpath(path):   # a finding in a helper module
            if f.path not in other_lines:
                try:
                    other_lines[f.path] = source.read(f.path).lines
                except source.SourceError:
                    other_lines[f.path] = []
            file_lines = other_lines[f.path]
        line_text = file_lines[f.line - 1] if 0 < f.line <= len(file_lines) else ""
        if noqa.suppressed(f.code, line_text):
            continue
        out.append(f)
    return sorted(out), src


def _syntax_check(path: str, text: str) -> None:
    source.check_syntax(source.Source(path, text, []))


def tune_gc() -> None:
    """libcst and ast build millions of small objects that are freed by reference counting
    (their trees hold no cycles), yet each allocation burst triggers cyclic collections that
    walk every live object: about a quarter of a keras run, and most of a language-server edit
    once the document's trees are kept. Collect far less often."""
    import gc

    gc.set_threshold(100_000, 50, 100)


def _check_batch(batch: list[tuple[str, Config]], options: Options) -> list[tuple[list[Finding], tuple[str, ...]]]:
    out = []
    for path, cfg in batch:
        findings, src = analyse(path, cfg, None, options)
        out.append((findings, src.deps if src is not None else ()))
    return out


def _rule_key(cfg: Config, path: str) -> str:
    ignored = cfg.ignored_for(_relpath(path, cfg.root)) if cfg.per_file_ignores else ()
    return ",".join(sorted(_selected(cfg) - set(ignored)))


def check_paths(work: list[tuple[str, Config]], options: Options, jobs: int = 0, use_cache: bool = True) -> list[Finding]:
    """Check many (file, config) pairs: cached results where the cache is valid, the rest in parallel batches
    of files per worker process; sorted, deterministic output."""
    from .cache import Cache, digest

    use_cache = use_cache and not options.explain
    caches: dict[int, Cache] = {}
    findings: list[Finding] = []
    todo: list[tuple] = []   # (path, config, content hash, rule key, stat)
    for path, cfg in work:
        if not use_cache:
            todo.append((path, cfg, None, None, None))
            continue
        cache = caches.get(id(cfg))
        if cache is None:
            cache = caches[id(cfg)] = Cache(cfg.root if cfg.path else Path.cwd(), cfg.fingerprint())
        try:
            st = os.stat(path)
            if not stat.S_ISREG(st.st_mode):
                raise OSError("not a regular file")
            rule_key = _rule_key(cfg, path)
            # like ruff: an unchanged (mtime, size) means an unchanged file, nothing is read
            hit = cache.get_by_stat(path, st, rule_key)
            content_hash = None
            if hit is None:
                with open(path, "rb") as fh:
                    content_hash = digest(fh.read())
                hit = cache.get(path, content_hash, rule_key, st)
        except OSError:
            todo.append((path, cfg, None, None, None))
            continue
        if hit is not None:
            findings.extend(hit)  # (paths as this run names them: see Cache.get)
        else:
            todo.append((path, cfg, content_hash, rule_key, st))

    jobs = jobs or os.cpu_count() or 1
    pairs = [(p, c) for p, c, _, _, _ in todo]
    if jobs <= 1 or len(pairs) < 16:
        results = _check_batch(pairs, options)
    else:
        n_batches = min(len(pairs), jobs * 4)
        index_batches = [list(range(i, len(pairs), n_batches)) for i in range(n_batches)]
        results = [None] * len(pairs)
        with ProcessPoolExecutor(max_workers=jobs, initializer=tune_gc) as pool:
            batches = [[pairs[i] for i in idx] for idx in index_batches]
            for idx, part in zip(index_batches, pool.map(_check_batch, batches, [options] * len(batches))):
                for i, r in zip(idx, part):
                    results[i] = r
    for (path, cfg, content_hash, rule_key, st), (file_findings, deps) in zip(todo, results):
        findings.extend(file_findings)
        if content_hash is not None:
            caches[id(cfg)].put(path, content_hash, rule_key, file_findings, list(deps), st)
    for cache in caches.values():
        cache.save()
    return sorted(set(findings))
