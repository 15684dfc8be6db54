"""The command line (SPEC section 6): commands, options, exit codes, file discovery."""

from __future__ import annotations

import os
import re

import pytest

from conftest import NO_LAYOUT_HINT, write_tree
from losslint import __version__
from losslint.rules import RULES

BAD = "x = (\n"


def ll001(path: str, line: int = 1, col: int = 5, msg: str = "'(' was never closed") -> str:
    return f"{path}:{line}:{col}: LL001 cannot parse: {msg}\n"


# -- version, rules, rule pages -----------------------------------------------------------

@pytest.mark.parametrize("argv", [["--version"], ["check", "--version"]])
def test_version(run, argv):
    r = run(*argv)
    assert (r.code, r.out, r.err) == (0, f"losslint {__version__}\n", "")


def test_version_console_script(script, tmp_path):
    r = script(["--version"], tmp_path)
    assert (r.code, r.out, r.err) == (0, f"losslint {__version__}\n", "")


def test_rules_table(run):
    r = run("rules")
    assert (r.code, r.err) == (0, "")
    lines = r.out.splitlines()
    assert lines[0] == "code   name                       default  summary"
    assert lines[1] == "LL001  syntax-error               yes      a file cannot be read, decoded or parsed"
    assert lines[3] == "LL102  partial-spatial-reduction  yes      a reduction takes some but not all spatial axes"
    assert lines[9] == "LL201  hard-coded-axis            no       any hard-coded axis in a loss"
    assert [line.split()[0] for line in lines[1:]] == [
        "LL001", "LL101", "LL102", "LL103", "LL104", "LL105", "LL106", "LL107", "LL201", "LL202"]
    assert [line.split()[2] for line in lines[1:]] == ["yes"] * 8 + ["no"] * 2


def test_rule_page_ll102(run):
    r = run("rule", "LL102")
    assert (r.code, r.err) == (0, "")
    assert r.out == RULES["LL102"].page()
    assert r.out.startswith("# partial-spatial-reduction (LL102)\n\non by default.\n\n## What it does\n")
    headings = re.findall(r"^## (.*)$", r.out, re.M)
    assert headings == ["What it does", "Why is this bad?", "Example", "Use instead", "When it is harmless"]
    assert "```python\n# layout = \"N C H W\"\ndef mean_squared_error(y_true, y_pred):\n" in r.out
    assert run("rule", "ll102").out == r.out  # case-insensitive


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_a_full_page(run, code):
    r = run("rule", code)
    assert r.code == 0
    sections = re.split(r"^## .*$", r.out, flags=re.M)
    assert len(sections) == 6 and all(s.strip() for s in sections)
    default = "on by default" if RULES[code].default else "off by default (enable with --extend-select)"
    assert r.out.splitlines()[2].startswith(default)


@pytest.mark.parametrize(
    "argv, err",
    [
        (["rule", "LL999"], "losslint: error: unknown rule 'LL999'; see `losslint rules`\n"),
        (["rule"], "losslint: error: usage: losslint rule CODE\n"),
        (["rule", "LL101", "LL102"], "losslint: error: usage: losslint rule CODE\n"),
    ],
)
def test_rule_errors(run, argv, err):
    r = run(*argv)
    assert (r.code, r.out, r.err) == (2, "", err)


# -- exit codes ----------------------------------------------------------------------------

@pytest.fixture
def proj(tmp_path):
    return write_tree(tmp_path, {"ok.py": "x = 1\n", "bad.py": BAD, "worse.py": "def f(:\n"})


def test_exit_0_without_findings(run, proj):
    r = run("ok.py", cwd=proj)
    assert (r.code, r.out) == (0, "")


def test_exit_1_with_findings(run, proj):
    r = run("bad.py", "ok.py", cwd=proj)
    assert (r.code, r.out) == (1, ll001("bad.py"))


def test_exit_1_with_engine_findings(run, tmp_path, fake_engine):
    write_tree(tmp_path, {"loss.py": "def loss(y_pred):\n    return y_pred  # emit: LL104\n"})
    r = run("--layout", "NCHW", "loss.py", cwd=tmp_path)
    assert (r.code, r.out) == (1, "loss.py:2:22: LL104 fake LL104\n")


def test_exit_zero(run, proj):
    r = run("--exit-zero", "bad.py", cwd=proj)
    assert (r.code, r.out) == (0, ll001("bad.py"))


@pytest.mark.parametrize(
    "argv",
    [["--frobnicate"], ["--format", "xml"], ["--jobs", "many"], ["check", "--select"]],
)
def test_usage_errors_exit_2(run, proj, argv):
    r = run(*argv, cwd=proj)
    assert (r.code, r.out) == (2, "")
    assert r.err.startswith("usage: losslint check ")
    assert r.err.splitlines()[-1].startswith("losslint: error: ")


def test_usage_error_console_script(script, proj):
    r = script(["--format", "xml", "."], proj)
    assert (r.code, r.out) == (2, "")
    assert "Traceback" not in r.err
    assert r.err.splitlines()[-1] == ("losslint: error: argument --format: invalid choice: 'xml' "
                                      "(choose from 'github', 'json', 'sarif', 'text')")


def test_findings_exit_1_console_script(script, proj):
    r = script(["."], proj)
    assert (r.code, r.out, r.err) == (1, ll001("bad.py") + ll001("worse.py", 1, 7, "invalid syntax"),
                                      NO_LAYOUT_HINT)


# -- statistics ----------------------------------------------------------------------------

def test_statistics_text(run, proj):
    r = run("--statistics", ".", cwd=proj)
    assert r.code == 1
    assert r.out == ll001("bad.py") + ll001("worse.py", 1, 7, "invalid syntax") + "2     LL001  syntax-error\n"


def test_statistics_json_goes_to_stderr(run, proj):
    r = run("--statistics", "--format", "json", ".", cwd=proj)
    assert r.code == 1 and r.out.startswith("[")
    assert r.err.endswith("2     LL001  syntax-error\n")


def test_statistics_counts_per_rule(run, tmp_path, fake_engine):
    write_tree(tmp_path, {
        "a_loss.py": "def loss(y_pred):  # emit: LL102\n    pass  # emit: LL101\n    pass  # emit: LL102\n",
        "b.py": BAD,
    })
    r = run("--layout", "NCHW", "--statistics", "--exit-zero", ".", cwd=tmp_path)
    assert r.code == 0
    assert r.out.endswith("2     LL102  partial-spatial-reduction\n"
                          "1     LL001  syntax-error\n"
                          "1     LL101  feature-op-wrong-axis\n")


def test_statistics_without_findings(run, proj):
    r = run("--statistics", "ok.py", cwd=proj)
    assert (r.code, r.out) == (0, "")


# -- --stdin-filename ---------------------------------------------------------------------

def test_stdin(run, tmp_path):
    r = run("--stdin-filename", "src/model.py", stdin=b"x = 1\ny = (\n", cwd=tmp_path)
    assert (r.code, r.out) == (1, ll001("src/model.py", 2))
    r = run("--stdin-filename", "src/model.py", stdin=b"x = 1\n", cwd=tmp_path)
    assert (r.code, r.out) == (0, "")


def test_stdin_ignores_the_file_on_disk_and_paths(run, tmp_path):
    write_tree(tmp_path, {"model.py": "x = 1\n", "other.py": BAD})
    r = run("--stdin-filename", "model.py", "other.py", stdin=b"def f(:\n", cwd=tmp_path)
    assert (r.code, r.out) == (1, ll001("model.py", 1, 7, "invalid syntax"))


def test_stdin_uses_the_config_of_its_filename(run, tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[tool.losslint]\nper-file-ignores = { "tests/*" = ["LL001"] }\n'})
    assert run("--stdin-filename", "tests/t.py", stdin=BAD.encode(), cwd=tmp_path).code == 0
    assert run("--stdin-filename", "src/t.py", stdin=BAD.encode(), cwd=tmp_path).out == ll001("src/t.py")


def test_stdin_decoding(run, tmp_path):
    latin1 = "# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n".encode("latin-1")
    assert run("--stdin-filename", "a.py", stdin=latin1, cwd=tmp_path).code == 0
    assert run("--stdin-filename", "a.py", stdin=b"\xef\xbb\xbfx = 1\r\n", cwd=tmp_path).code == 0
    r = run("--stdin-filename", "a.py", stdin=b"s = 'caf\xe9'\n", cwd=tmp_path)
    assert r.out == ("a.py:1:9: LL001 cannot decode as utf-8: byte 0xe9 is invalid "
                     "(declare the encoding with a PEP 263 coding cookie)\n")


def test_stdin_with_engine_and_noqa(run, tmp_path, fake_engine):
    src = b"def loss(y_pred):\n    a = 1  # emit: LL101\n    b = 1  # emit: LL101  # noqa: LL101\n"
    r = run("--layout", "NCHW", "--stdin-filename", "loss.py", "--format", "json", stdin=src, cwd=tmp_path)
    assert r.code == 1
    assert '"line": 2' in r.out and '"line": 3' not in r.out


def test_stdin_console_script(script, tmp_path):
    r = script(["--stdin-filename", "m.py"], tmp_path, stdin=b"y = (\n")
    assert (r.code, r.out) == (1, ll001("m.py"))


# -- text output order ---------------------------------------------------------------------

def test_text_output_sorted_by_path_line_column(run, tmp_path, fake_engine):
    write_tree(tmp_path, {
        "b.py": BAD,
        "a/z.py": BAD,
        "a.py": BAD,
        "loss.py": ("def loss(y_pred):\n" + "    x = 1\n" * 8 +
                    "    pass  # emit: LL102  # emit: LL101\n    pass  # emit: LL107\n"),
    })
    r = run("--layout", "NCHW", "loss.py", "b.py", "a/z.py", "a.py", cwd=tmp_path)
    assert r.out == (ll001("a.py") + ll001("a/z.py") + ll001("b.py") +
                     "loss.py:10:13: LL102 fake LL102\nloss.py:10:28: LL101 fake LL101\n"
                     "loss.py:11:13: LL107 fake LL107\n")


def test_each_file_is_reported_once(run, tmp_path):
    write_tree(tmp_path, {"src/bad.py": BAD})
    r = run("src", "src/bad.py", "./src/bad.py", "src/../src/bad.py", cwd=tmp_path)
    assert r.out == ll001("src/bad.py")


def test_parallel_run_is_deterministic(run, tmp_path):
    write_tree(tmp_path, {f"m{i:02d}/f{i}.py": "x = 1\n" * i + BAD for i in range(24)})
    serial = run("--no-cache", "--jobs", "1", ".", cwd=tmp_path)
    parallel = run("--no-cache", "--jobs", "3", ".", cwd=tmp_path)
    assert serial.code == parallel.code == 1
    assert parallel.out == serial.out == "".join(ll001(f"m{i:02d}/f{i}.py", i + 1) for i in range(24))


# -- file discovery ------------------------------------------------------------------------

TREE = {
    "top.py": BAD,
    "stubs.pyi": BAD,
    "notes.txt": BAD,
    "script": BAD,  # no suffix: only checked when named
    "src/pkg/mod.py": BAD,
    "src/pkg/gen/auto_pb2.py": BAD,
    "src/third_party/vendored.py": BAD,
    ".git/hooks/hook.py": BAD,
    "__pycache__/cached.py": BAD,
    "build/lib/built.py": BAD,
    "dist/d.py": BAD,
    "node_modules/pkg/n.py": BAD,
    "myenv/lib/site.py": BAD,
    "myenv/pyvenv.cfg": "home = /usr/bin\n",
    ".venv/lib/v.py": BAD,
    ".tox/py/t.py": BAD,
    "pkg.egg-info/e.py": BAD,
    ".hidden/h.py": BAD,
}


@pytest.fixture
def tree(tmp_path):
    return write_tree(tmp_path, TREE)


def test_directory_discovery_skips_the_usual_directories(run, tree):
    r = run(cwd=tree)  # default path: "."
    assert r.out == (ll001(".hidden/h.py") + ll001("src/pkg/gen/auto_pb2.py") + ll001("src/pkg/mod.py")
                     + ll001("src/third_party/vendored.py") + ll001("stubs.pyi") + ll001("top.py"))
    assert run(".", cwd=tree).out == r.out


def test_exclude_from_config(run, tree):
    write_tree(tree, {"pyproject.toml": '[tool.losslint]\nexclude = ["third_party", "src/pkg/gen", "*.pyi"]\n'})
    expected = ll001(".hidden/h.py") + ll001("src/pkg/mod.py") + ll001("top.py")
    assert run(".", cwd=tree).out == expected
    # patterns are relative to the config's directory, wherever the run starts
    assert run("--no-cache", ".", cwd=tree / "src").out == ll001("pkg/mod.py")
    assert run("src", cwd=tree).out == ll001("src/pkg/mod.py")


def test_exclude_glob_on_file_names(run, tree):
    write_tree(tree, {"losslint.toml": 'exclude = ["*_pb2.py", ".hidden"]\n'})
    r = run("src", cwd=tree)
    assert r.out == ll001("src/pkg/mod.py") + ll001("src/third_party/vendored.py")


def test_explicit_files_are_always_checked(run, tree):
    write_tree(tree, {"pyproject.toml": '[tool.losslint]\nexclude = ["third_party"]\n'})
    r = run("src/third_party/vendored.py", "build/lib/built.py", "notes.txt", "script",
            "myenv/lib/site.py", cwd=tree)
    assert r.out == (ll001("build/lib/built.py") + ll001("myenv/lib/site.py") + ll001("notes.txt")
                     + ll001("script") + ll001("src/third_party/vendored.py"))


def test_explicit_directories_are_walked_even_if_skipped_by_name(run, tree):
    assert run("build", cwd=tree).out == ll001("build/lib/built.py")


def test_force_exclude(run, tree):
    write_tree(tree, {"pyproject.toml": '[tool.losslint]\nexclude = ["third_party", "*.pyi"]\n'})
    r = run("--force-exclude", "src/third_party/vendored.py", "build/lib/built.py", "stubs.pyi",
            ".git/hooks/hook.py", "node_modules/pkg/n.py", "__pycache__/cached.py",
            "myenv/lib/site.py", "src/pkg/mod.py", "top.py", cwd=tree)
    assert r.out == ll001("src/pkg/mod.py") + ll001("top.py")


def test_force_exclude_only_looks_below_the_project_root(run, tmp_path):
    # a checkout that lives under a directory named "build" is not a build directory
    proj = write_tree(tmp_path / "build" / "proj", {
        "pyproject.toml": '[tool.losslint]\nexclude = ["gen"]\n', "src/bad.py": BAD, "gen/g.py": BAD,
    })
    r = run("--force-exclude", str(proj / "src/bad.py"), str(proj / "gen/g.py"), cwd=tmp_path)
    assert r.out == ll001(str(proj / "src/bad.py"))


def test_no_files(run, tmp_path):
    write_tree(tmp_path, {"README.md": "# x\n"})
    r = run(".", cwd=tmp_path)
    assert (r.code, r.out, r.err) == (0, "", "")


# -- the "no layout declared" hint --------------------------------------------------------

def test_no_layout_hint_once_on_stderr(run, proj):
    r = run(".", cwd=proj)
    assert r.err == NO_LAYOUT_HINT
    assert NO_LAYOUT_HINT not in r.out


@pytest.mark.parametrize(
    "files, argv",
    [
        ({"pyproject.toml": '[tool.losslint]\nlayout = "N C H W"\n'}, []),
        ({"losslint.toml": '[[outputs]]\nlayout = "NCHW"\nlosses = ["*"]\n'}, []),
        ({}, ["--layout", "N H W C"]),
    ],
)
def test_no_hint_when_a_layout_is_declared(run, tmp_path, files, argv):
    write_tree(tmp_path, {"ok.py": "x = 1\n", **files})
    r = run(*argv, ".", cwd=tmp_path)
    assert (r.code, r.out, r.err) == (0, "", "")


# -- regressions: bugs found in cli.py / checker.py ------------------------------------------

def test_missing_path_is_a_finding(run, tmp_path):
    r = run("missing.py", cwd=tmp_path)
    assert (r.code, r.out) == (1, "missing.py:1:1: LL001 cannot read: No such file or directory\n")


def test_force_exclude_applies_to_stdin_filename(run, tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[tool.losslint]\nexclude = ["gen"]\n'})
    r = run("--force-exclude", "--stdin-filename", "gen/x.py", stdin=BAD.encode(), cwd=tmp_path)
    assert (r.code, r.out) == (0, "")


def test_per_file_ignores_through_a_symlinked_path(run, tmp_path):
    write_tree(tmp_path / "real", {
        "pyproject.toml": '[tool.losslint]\nper-file-ignores = { "tests/*" = ["LL001"] }\n',
        "tests/bad.py": BAD,
    })
    os.symlink(tmp_path / "real", tmp_path / "link")
    assert run(str(tmp_path / "real/tests/bad.py"), cwd=tmp_path).out == ""
    r = run(str(tmp_path / "link/tests/bad.py"), cwd=tmp_path)
    assert (r.code, r.out) == (0, "")


def test_cached_findings_use_this_runs_paths(run, tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[tool.losslint]\nlayout = "NCHW"\n', "src/bad.py": BAD})
    assert run("src/bad.py", cwd=tmp_path).out == ll001("src/bad.py")
    assert run("bad.py", cwd=tmp_path / "src").out == ll001("bad.py")


def test_check_command_is_the_default(run, proj):
    assert run("check", "bad.py", cwd=proj).out == run("bad.py", cwd=proj).out == ll001("bad.py")


@pytest.mark.parametrize("argv, prog", [(["--help"], "usage: losslint "), (["check", "--help"], "usage: losslint check ")])
def test_help(run, argv, prog):
    r = run(*argv)
    assert r.code == 0 and r.out.startswith(prog) and r.err == ""
