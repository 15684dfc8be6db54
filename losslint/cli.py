"""The command line (SPEC section 6). Exit codes: 0 clean, 1 findings, 2 usage/config error."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__, reporters
from .config import ConfigError, ConfigResolver, cli_overrides
from .rules import RULES, table

NO_LAYOUT_HINT = (
    "losslint: no layout declared, so only the rules that need none run (LL001, LL107). "
    "Declare the layout of your model outputs, e.g. `layout = \"N C H W\"` under "
    "[tool.losslint] in pyproject.toml, or pass --layout \"N C H W\"."
)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: exit 2 with one line, like every other error
        self.print_usage(sys.stderr)
        print(f"losslint: error: {message}", file=sys.stderr)
        sys.exit(2)


def _check_parser(prog: str = "losslint check") -> argparse.ArgumentParser:
    p = _Parser(prog=prog, description="Check loss code for hard-coded axes that hit the wrong named axis.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    p.add_argument("--config", metavar="FILE", help="use this config file instead of discovering one")
    p.add_argument("--select", metavar="CODES", help="comma-separated rule codes or prefixes to enable")
    p.add_argument("--ignore", metavar="CODES", help="comma-separated rule codes or prefixes to disable")
    p.add_argument("--extend-select", metavar="CODES", help="rule codes or prefixes to enable in addition")
    p.add_argument("--layout", metavar="LAYOUT", help="layout of model outputs, e.g. \"N C H W\" (overrides the config)")
    p.add_argument("--target-layout", metavar="LAYOUT", help="layout of targets (overrides the config)")
    p.add_argument("--format", choices=sorted(reporters.FORMATS), default="text", help="output format")
    p.add_argument("--fix", action="store_true", help="apply the fixes findings carry")
    p.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; change nothing")
    p.add_argument("--explain", action="store_true", help="show how each axis was resolved, step by step")
    p.add_argument("--statistics", action="store_true", help="print the count of findings per rule")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument("--no-cache", action="store_true", help="do not read or write .losslint_cache")
    p.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: CPUs)")
    p.add_argument("--stdin-filename", metavar="NAME", help="read the source from standard input, reported as NAME")
    p.add_argument("--force-exclude", action="store_true", help="apply `exclude` to files named explicitly too")
    p.add_argument("--version", action="version", version=f"losslint {__version__}")
    return p


def _top_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="losslint", description="losslint: find hard-coded axes in loss code.",
                epilog="Commands: check [PATH ...] (default), rule CODE, rules, lsp. "
                       "Run `losslint check --help` for the options of check.")
    p.add_argument("--version", action="version", version=f"losslint {__version__}")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(argv)
    except ConfigError as exc:
        print(f"losslint: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help", "--version"):
        _top_parser().parse_args(argv[:1])
    if argv and argv[0] == "rules":
        print(table())
        return 0
    if argv and argv[0] == "rule":
        if len(argv) != 2:
            print("losslint: error: usage: losslint rule CODE", file=sys.stderr)
            return 2
        code = argv[1].upper()
        if code not in RULES:
            print(f"losslint: error: unknown rule {argv[1]!r}; see `losslint rules`", file=sys.stderr)
            return 2
        print(RULES[code].page(), end="")
        return 0
    if argv and argv[0] == "lsp":
        from .lsp import serve

        serve()
        return 0
    if argv and argv[0] == "check":
        argv = argv[1:]
    args = _check_parser().parse_args(argv)
    return run_check(args)


def run_check(args) -> int:
    from .checker import Options, check_paths, check_source, tune_gc

    tune_gc()
    from .files import discover, is_excluded

    if args.jobs < 0:
        raise ConfigError(None, "--jobs", "expected a number of processes >= 0")
    overrides = cli_overrides(args)
    resolver = ConfigResolver(Path(args.config) if args.config else None, overrides)
    options = Options(explain=args.explain)

    if (args.fix or args.diff) and not args.stdin_filename:
        return run_fix(args, resolver, options)

    if args.stdin_filename:
        data = sys.stdin.buffer.read()
        path = args.stdin_filename
        cfg = resolver.for_path(Path(path).absolute())
        configs = [cfg]
        if args.force_exclude and is_excluded(Path(path), cfg.root, cfg.exclude):
            return 0  # editors pipe excluded files too; like ruff, say nothing
        findings = check_source(path, cfg, data, options)
    else:
        paths = args.paths or ["."]

        def exclude_for(path: Path):
            cfg = resolver.for_path(path.absolute())
            return cfg.root, cfg.exclude

        # a path that does not exist is read like any other and becomes an LL001 finding
        files = discover(paths, exclude_for, args.force_exclude)
        configs = [resolver.for_path(Path(f).absolute()) for f in files]
        findings = check_paths(list(zip(files, configs)), options, args.jobs, not args.no_cache)

    if configs and not any(c.has_layout for c in configs):
        print(NO_LAYOUT_HINT, file=sys.stderr)

    out = sys.stdout
    if args.explain and args.format == "text":
        for f in findings:
            out.write(reporters.text([f]))
            out.write("".join(f"    {step}\n" for step in f.explain))
    else:
        out.write(reporters.FORMATS[args.format](findings))
    if args.statistics:
        (sys.stderr if args.format != "text" else out).write(reporters.statistics(findings))
    out.flush()
    if findings and not args.exit_zero:
        return 1
    return 0


def run_fix(args, resolver, options) -> int:
    """--fix: apply fixes and report what is left; --diff: print them, change nothing."""
    from .checker import analyse
    from .files import discover
    from .fixes import fix_file, unified_diff, write_atomic

    paths = args.paths or ["."]

    def exclude_for(path: Path):
        cfg = resolver.for_path(path.absolute())
        return cfg.root, cfg.exclude

    files = discover(paths, exclude_for, args.force_exclude)
    remaining = []
    fixed_total = changed_files = 0
    for path in files:
        cfg = resolver.for_path(Path(path).absolute())
        try:
            if not os.path.isfile(path):
                raise OSError("not a regular file")   # never block on a FIFO
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            data = None

        def check(p, d):
            findings, src = analyse(p, cfg, d, options)
            return findings, (src.text if src else ""), (src.encoding if src else "utf-8")

        result = fix_file(path, check, data)
        if result.error:
            print(f"losslint: {path}: {result.error}", file=sys.stderr)
        if result.fixed != result.original:
            changed_files += 1
            if args.diff:
                sys.stdout.write(unified_diff(path, result.original, result.fixed))
                remaining.extend(check(path, data)[0])
                continue
            _, src = analyse(path, cfg, data, options)
            error = write_atomic(path, result.fixed, src.encoding if src else "utf-8", data)
            if error:
                print(f"losslint: {path}: {error}", file=sys.stderr)
                remaining.extend(check(path, data)[0])
                continue
            fixed_total += result.applied
        remaining.extend(result.findings)
    remaining.sort()
    if args.diff:
        print(f"losslint: {changed_files} file(s) would be changed", file=sys.stderr)
        return 1 if changed_files and not args.exit_zero else 0
    sys.stdout.write(reporters.FORMATS[args.format](remaining))
    print(f"losslint: fixed {fixed_total} finding(s) in {changed_files} file(s); {len(remaining)} remaining",
          file=sys.stderr)
    return 1 if remaining and not args.exit_zero else 0
