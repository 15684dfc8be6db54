"""Configuration: parsing, validation errors, discovery, rule selection (SPEC section 3)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import run_scripts, write_tree
from losslint.config import (
    Config, ConfigError, ConfigResolver, OutputConfig, cli_overrides, load_file, parse_table,
)
from losslint.layouts import parse_layout
from losslint.rules import enabled_codes

TOP = ("batch-axis, exclude, extend-select, feature-axis, ignore, layout, outputs, params, "
       "per-file-ignores, select, target-layout")
OUT = "layout, losses, name, params, target-layout"
LAYOUT_HINT = '(expected e.g. "N C H W", "NHWC", "N C *spatial" or "channels_last")'
CODE_HINT = "(expected codes such as 'LL102' or prefixes such as 'LL1'; see `losslint rules`)"
DEFAULT = {"LL001", "LL101", "LL102", "LL103", "LL104", "LL105", "LL106", "LL107"}
ALL = DEFAULT | {"LL201", "LL202"}


def pyproject(body: str) -> str:
    return "[tool.losslint]\n" + body


# -- configuration errors: exit 2, one line naming the file and the key, no traceback ------
#
# (id, config file name, its content, expected "<key>: <message>" after the file's path)
CONFIG_ERRORS = [
    ("unknown-key", "pyproject.toml", pyproject('layot = "N C H W"\n'),
     f"[tool.losslint] layot: unknown key (did you mean 'layout'?); expected one of {TOP}"),
    ("unknown-key-underscore", "pyproject.toml", pyproject('per_file_ignores = {}\n'),
     f"[tool.losslint] per_file_ignores: unknown key (did you mean 'per-file-ignores'?); "
     f"expected one of {TOP}"),
    ("unknown-key-no-suggestion", "pyproject.toml", pyproject("frobnicate = true\n"),
     f"[tool.losslint] frobnicate: unknown key; expected one of {TOP}"),
    ("unknown-key-losslint-toml", "losslint.toml", 'selct = ["LL"]\n',
     f"losslint.toml selct: unknown key (did you mean 'select'?); expected one of {TOP}"),
    ("unknown-key-dot-losslint-toml", ".losslint.toml", 'extend_select = ["LL2"]\n',
     f".losslint.toml extend_select: unknown key (did you mean 'extend-select'?); expected one of {TOP}"),
    ("unknown-key-table-in-losslint-toml", "losslint.toml", '[tool.losslint]\nlayout = "NCHW"\n',
     f"losslint.toml tool: unknown key; expected one of {TOP}"),
    ("unknown-output-key", "pyproject.toml",
     pyproject('[[tool.losslint.outputs]]\nname = "seg"\ntarget_layout = "N H W"\nlosses = ["*"]\n'),
     f"[[tool.losslint.outputs]] #1 target_layout: unknown key (did you mean 'target-layout'?); "
     f"expected one of {OUT}"),
    ("feature-axis-not-in-layout", "pyproject.toml", pyproject('layout = "N C H"\nfeature-axis = "Q"\n'),
     "[tool.losslint] feature-axis: 'Q' is not an axis of any declared layout (e.g. layout = \"N C H\")"),
    ("batch-axis-without-layout", "pyproject.toml", pyproject('batch-axis = "N"\n'),
     "[tool.losslint] batch-axis: needs a layout to apply to (set `layout`)"),
    ("layout-mixed-compact", "pyproject.toml", pyproject('layout = "NC*H"\n'),
     "[tool.losslint] layout: malformed layout 'NC*H': 'NC*H' is neither space-separated axis "
     "names (\"N C H W\") nor the compact form of upper-case letters (\"NCHW\") " + LAYOUT_HINT),
    ("layout-empty", "pyproject.toml", pyproject('layout = ""\n'),
     f"[tool.losslint] layout: malformed layout '': a layout cannot be empty {LAYOUT_HINT}"),
    ("layout-duplicate-axis", "pyproject.toml", pyproject('layout = "N C C W"\n'),
     f"[tool.losslint] layout: malformed layout 'N C C W': axis 'C' appears twice {LAYOUT_HINT}"),
    ("layout-two-groups", "pyproject.toml", pyproject('layout = "N C *a *b"\n'),
     f"[tool.losslint] layout: malformed layout 'N C *a *b': a layout can have at most one "
     f"variadic group {LAYOUT_HINT}"),
    ("layout-two-feature-axes", "pyproject.toml", pyproject('layout = "N C K"\n'),
     f"[tool.losslint] layout: malformed layout 'N C K': 'N C K' has more than one feature axis; "
     f"set feature-axis {LAYOUT_HINT}"),
    ("target-layout-bad-name", "pyproject.toml", pyproject('layout = "NCHW"\ntarget-layout = "N H W!"\n'),
     "[tool.losslint] target-layout: malformed layout 'N H W!': bad axis name 'W!': expected a "
     f"name, an integer, '*name' or '...' {LAYOUT_HINT}"),
    ("params-layout", "pyproject.toml", pyproject('layout = "NCHW"\nparams = { mask = "N 1 H H" }\n'),
     f"[tool.losslint] params.mask: malformed layout 'N 1 H H': axis 'H' appears twice {LAYOUT_HINT}"),
    ("output-layout", "pyproject.toml",
     pyproject('[[tool.losslint.outputs]]\nlayout = "N C ** H"\nlosses = ["*"]\n'),
     "[[tool.losslint.outputs]] #1 layout: malformed layout 'N C ** H': bad variadic group '**': "
     f"expected '*name' or '...' {LAYOUT_HINT}"),
    ("output-missing-losses", "pyproject.toml", pyproject('[[tool.losslint.outputs]]\nlayout = "NCHW"\n'),
     "[[tool.losslint.outputs]] #1 losses: missing: expected a list of globs over loss function names"),
    # wrong types
    ("type-layout-int", "pyproject.toml", pyproject("layout = 3\n"),
     "[tool.losslint] layout: expected a string, got an integer"),
    ("type-layout-list", "pyproject.toml", pyproject('layout = ["N", "C"]\n'),
     "[tool.losslint] layout: expected a string, got a list"),
    ("type-layout-bool", "pyproject.toml", pyproject("layout = true\n"),
     "[tool.losslint] layout: expected a string, got a boolean"),
    ("type-feature-axis-float", "pyproject.toml", pyproject('layout = "NCHW"\nfeature-axis = 1.5\n'),
     "[tool.losslint] feature-axis: expected a string, got a number"),
    ("type-batch-axis-int", "pyproject.toml", pyproject('layout = "NCHW"\nbatch-axis = 0\n'),
     "[tool.losslint] batch-axis: expected a string, got an integer"),
    ("type-select-string", "pyproject.toml", pyproject('select = "LL102"\n'),
     "[tool.losslint] select: expected a list of strings, got a string"),
    ("type-ignore-item", "pyproject.toml", pyproject('ignore = ["LL102", 101]\n'),
     "[tool.losslint] ignore: expected a list of strings, got an integer (101) in the list"),
    ("type-exclude-string", "pyproject.toml", pyproject('exclude = "build"\n'),
     "[tool.losslint] exclude: expected a list of strings, got a string"),
    ("type-per-file-ignores-list", "pyproject.toml", pyproject('per-file-ignores = ["tests/*"]\n'),
     "[tool.losslint] per-file-ignores: expected a table of glob = [codes], got a list"),
    ("type-per-file-ignores-value", "pyproject.toml", pyproject('per-file-ignores = { "t/*" = "LL1" }\n'),
     "[tool.losslint] per-file-ignores.'t/*': expected a list of strings, got a string"),
    ("type-params-string", "pyproject.toml", pyproject('layout = "NCHW"\nparams = "C"\n'),
     "[tool.losslint] params: expected a table of parameter name = layout, got a string"),
    ("type-params-value", "pyproject.toml", pyproject('layout = "NCHW"\nparams = { weight = 3 }\n'),
     "[tool.losslint] params.weight: expected a string, got an integer"),
    ("type-outputs-int", "pyproject.toml", pyproject("outputs = 3\n"),
     "[tool.losslint] outputs: expected an array of tables ([[tool.losslint.outputs]])"),
    ("type-output-name", "pyproject.toml", pyproject('[[tool.losslint.outputs]]\nname = 1\nlosses = ["*"]\n'),
     "[[tool.losslint.outputs]] #1 name: expected a string, got an integer"),
    ("type-output-losses", "pyproject.toml", pyproject('[[tool.losslint.outputs]]\nlosses = "*loss*"\n'),
     "[[tool.losslint.outputs]] #1 losses: expected a list of strings, got a string"),
    ("type-table", "pyproject.toml", "[tool]\nlosslint = 3\n",
     "[tool.losslint]: expected a table, got an integer"),
    # unknown rule codes
    ("code-select", "pyproject.toml", pyproject('select = ["LL999"]\n'),
     f"[tool.losslint] select: unknown rule code or prefix 'LL999' {CODE_HINT}"),
    ("code-ignore", "pyproject.toml", pyproject('ignore = ["E501"]\n'),
     f"[tool.losslint] ignore: unknown rule code or prefix 'E501' {CODE_HINT}"),
    ("code-extend-select", "pyproject.toml", pyproject('extend-select = ["XX"]\n'),
     f"[tool.losslint] extend-select: unknown rule code or prefix 'XX' {CODE_HINT}"),
    ("code-empty", "pyproject.toml", pyproject('select = [""]\n'),
     f"[tool.losslint] select: unknown rule code or prefix '' {CODE_HINT}"),
    ("code-per-file-ignores", "pyproject.toml", pyproject('per-file-ignores = { "tests/*" = ["LL9"] }\n'),
     f"[tool.losslint] per-file-ignores.'tests/*': unknown rule code or prefix 'LL9' {CODE_HINT}"),
    ("code-in-losslint-toml", "losslint.toml", 'select = ["LL1", "LL3"]\n',
     f"losslint.toml select: unknown rule code or prefix 'LL3' {CODE_HINT}"),
]


def _error_project(root: Path, name: str, content: str) -> Path:
    write_tree(root, {name: content, "ok.py": "x = 1\n"})
    return root


@pytest.mark.parametrize("case", CONFIG_ERRORS, ids=[c[0] for c in CONFIG_ERRORS])
def test_config_error_in_process(run, tmp_path, case):
    _, name, content, expected = case
    _error_project(tmp_path, name, content)
    r = run("ok.py", cwd=tmp_path)
    assert (r.code, r.out) == (2, "")
    assert r.err == f"losslint: error: {(tmp_path / name).resolve()}: {expected}\n"


# One case of each kind also goes through the installed console script (a subprocess each,
# so only a few: the in-process runs above already fail on any exception but ConfigError).
SCRIPT_CASES = [c for c in CONFIG_ERRORS if c[0] in {
    "unknown-key", "unknown-output-key", "feature-axis-not-in-layout", "layout-mixed-compact",
    "layout-empty", "type-ignore-item", "type-table", "code-select", "code-per-file-ignores",
}]


@pytest.fixture(scope="module")
def script_errors(tmp_path_factory):
    """The SCRIPT_CASES through the installed console script (run concurrently)."""
    jobs, paths = [], []
    for case_id, name, content, _ in SCRIPT_CASES:
        root = _error_project(tmp_path_factory.mktemp(case_id), name, content)
        jobs.append((["ok.py"], root))
        paths.append((root / name).resolve())
    return dict(zip([c[0] for c in SCRIPT_CASES], zip(paths, run_scripts(jobs))))


@pytest.mark.parametrize("case", SCRIPT_CASES, ids=[c[0] for c in SCRIPT_CASES])
def test_config_error_console_script(script_errors, case):
    case_id, _, _, expected = case
    path, r = script_errors[case_id]
    assert "Traceback" not in r.err
    assert (r.code, r.out, r.err) == (2, "", f"losslint: error: {path}: {expected}\n")


def test_invalid_toml(run, script, tmp_path):
    _error_project(tmp_path, "pyproject.toml", "[tool.losslint\nlayout = 1\n")
    for r in (run("ok.py", cwd=tmp_path), script(["ok.py"], tmp_path)):
        assert (r.code, r.out) == (2, "")
        assert r.err.startswith(f"losslint: error: {tmp_path / 'pyproject.toml'}: invalid TOML: ")
        assert r.err.count("\n") == 1 and "Traceback" not in r.err


def test_config_not_utf8(run, tmp_path):
    _error_project(tmp_path, "losslint.toml", b'layout = "N C H W"  # caf\xe9\n')
    r = run("ok.py", cwd=tmp_path)
    assert (r.code, r.out) == (2, "")
    assert r.err.startswith(f"losslint: error: {tmp_path / 'losslint.toml'}: cannot read: ")
    assert r.err.count("\n") == 1


def test_config_nested_too_deeply(run, tmp_path):
    _error_project(tmp_path, "losslint.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n")
    r = run("ok.py", cwd=tmp_path)
    assert r.code == 2 and r.out == ""
    assert r.err.startswith(f"losslint: error: {tmp_path / 'losslint.toml'}: ")
    assert r.err.count("\n") == 1


def test_explicit_config_missing(run, script, tmp_path):
    write_tree(tmp_path, {"ok.py": "x = 1\n"})
    expected = "losslint: error: nope.toml: --config: file not found\n"
    for r in (run("--config", "nope.toml", "ok.py", cwd=tmp_path),
              script(["--config", "nope.toml", "ok.py"], tmp_path)):
        assert (r.code, r.out, r.err) == (2, "", expected)


def test_explicit_config_error_names_that_file(run, tmp_path):
    write_tree(tmp_path, {"ok.py": "x = 1\n", "cfg/lint.toml": 'layout = "N C H W"\nignroe = []\n'})
    r = run("--config", "cfg/lint.toml", "ok.py", cwd=tmp_path)
    assert (r.code, r.out) == (2, "")
    assert r.err == (f"losslint: error: cfg/lint.toml: lint.toml ignroe: unknown key "
                     f"(did you mean 'ignore'?); expected one of {TOP}\n")


CLI_ERRORS = [
    (["--select", "LL999"],
     "losslint: error: command line: --select: unknown rule code or prefix 'LL999'; see `losslint rules`\n"),
    (["--ignore", "LL1,E501"],
     "losslint: error: command line: --ignore: unknown rule code or prefix 'E501'; see `losslint rules`\n"),
    (["--extend-select", "LL2,XX"],
     "losslint: error: command line: --extend-select: unknown rule code or prefix 'XX'; see `losslint rules`\n"),
    (["--layout", "N C C W"],
     "losslint: error: command line: --layout: malformed layout 'N C C W': axis 'C' appears twice\n"),
    (["--target-layout", "NC*H"],
     "losslint: error: command line: --target-layout: malformed layout 'NC*H': 'NC*H' is neither "
     "space-separated axis names (\"N C H W\") nor the compact form of upper-case letters (\"NCHW\")\n"),
    (["--jobs", "-1"], "losslint: error: command line: --jobs: expected a number of processes >= 0\n"),
]


@pytest.mark.parametrize("argv, expected", CLI_ERRORS, ids=[a[0] for a, _ in CLI_ERRORS])
def test_command_line_errors(run, tmp_path, argv, expected):
    write_tree(tmp_path, {"ok.py": "x = 1\n"})
    r = run(*argv, "ok.py", cwd=tmp_path)
    assert (r.code, r.out, r.err) == (2, "", expected)


def test_command_line_errors_console_script(tmp_path):
    write_tree(tmp_path, {"ok.py": "x = 1\n"})
    cases = [CLI_ERRORS[0], CLI_ERRORS[3]]
    results = run_scripts([([*argv, "ok.py"], tmp_path) for argv, _ in cases])
    for (argv, expected), r in zip(cases, results):
        assert (r.code, r.out, r.err) == (2, "", expected), argv


def test_config_error_in_unused_config_is_ignored(run, tmp_path):
    # only the config that applies to a checked file is read
    write_tree(tmp_path, {"a/ok.py": "x = 1\n", "b/pyproject.toml": pyproject("bogus = 1\n")})
    r = run("a", cwd=tmp_path)
    assert r.code == 0 and r.out == ""


def test_exit_zero_does_not_hide_config_errors(run, tmp_path):
    _error_project(tmp_path, "pyproject.toml", pyproject('layout = ""\n'))
    assert run("--exit-zero", "ok.py", cwd=tmp_path).code == 2


# -- valid configurations -----------------------------------------------------------------

def test_empty_table_gives_defaults():
    cfg = Config(**parse_table({}, Path("pyproject.toml")))
    assert cfg.layout is None and cfg.target_layout is None and not cfg.has_layout
    assert cfg.select is None and cfg.ignore == () and cfg.extend_select == ()
    assert cfg.exclude == () and cfg.per_file_ignores == () and cfg.outputs == ()


def test_full_config(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '''
[project]
name = "x"

[tool.losslint]
layout = "N C H W"
target-layout = "N H W"
batch-axis = "N"
feature-axis = "C"
select = ["LL"]
ignore = ["LL107"]
extend-select = ["LL201"]
exclude = ["build", "third_party"]
per-file-ignores = { "tests/*" = ["LL102"], "legacy.py" = ["LL1"] }
params = { weight = "C", mask = "N 1 H W" }

[[tool.losslint.outputs]]
name = "segmentation"
layout = "N C H W"
target-layout = "N H W"
losses = ["*seg*", "mypkg.losses:dice_loss"]

[[tool.losslint.outputs]]
layout = "NTC"
losses = ["ctc_*"]
params = { lengths = "N" }
'''})
    cfg = load_file(tmp_path / "pyproject.toml")
    assert cfg.path == tmp_path / "pyproject.toml" and cfg.root == tmp_path
    assert str(cfg.layout) == "N C H W" and str(cfg.target_layout) == "N H W"
    assert cfg.layout_origin == "pyproject.toml [tool.losslint] layout"
    assert (cfg.batch_axis, cfg.feature_axis) == ("N", "C")
    assert cfg.select == ("LL",) and cfg.ignore == ("LL107",) and cfg.extend_select == ("LL201",)
    assert cfg.exclude == ("build", "third_party")
    assert cfg.per_file_ignores == (("tests/*", ("LL102",)), ("legacy.py", ("LL1",)))
    assert {k: str(v) for k, v in cfg.params.items()} == {"weight": "C", "mask": "N 1 H W"}
    seg, ctc = cfg.outputs
    assert (seg.name, str(seg.layout), str(seg.target_layout)) == ("segmentation", "N C H W", "N H W")
    assert seg.losses == ("*seg*", "mypkg.losses:dice_loss") and seg.params == {}
    # an output without a name is numbered; without a target-layout, targets share the layout
    assert (ctc.name, str(ctc.layout), str(ctc.target_layout)) == ("output 2", "N T C", "N T C")
    assert {k: str(v) for k, v in ctc.params.items()} == {"lengths": "N"}
    assert cfg.has_layout


def test_target_layout_defaults_to_layout():
    cfg = Config(**parse_table({"layout": "NHWC"}, None))
    assert cfg.target_layout == cfg.layout == parse_layout("N H W C")
    assert cfg.layout_origin == "config [tool.losslint] layout"


def test_layout_only_in_an_output_counts_as_declared():
    cfg = Config(**parse_table({"outputs": [{"layout": "NCHW", "losses": ["*"]}]}, None))
    assert cfg.layout is None and cfg.has_layout


def test_feature_axis_settles_two_default_feature_axes():
    # "N C K" alone is ambiguous; feature-axis says which one is meant
    cfg = Config(**parse_table({"layout": "N C K", "feature-axis": "K"}, None))
    assert [(a.name, a.role) for a in cfg.layout.axes] == [("N", "batch"), ("C", "other"), ("K", "feature")]
    cfg = Config(**parse_table({"layout": "N B C", "batch-axis": "B"}, None))
    assert [(a.name, a.role) for a in cfg.layout.axes] == [("N", "other"), ("B", "batch"), ("C", "feature")]


def test_feature_axis_applies_where_the_axis_exists():
    cfg = Config(**parse_table({
        "layout": "N H W E", "feature-axis": "E", "params": {"weight": "E", "mask": "N 1 H W"},
        "outputs": [{"layout": "N E T", "target-layout": "N T", "losses": ["*"]}],
    }, None))
    assert cfg.layout.feature_index() == 3
    assert cfg.params["weight"].feature_index() == 0
    assert cfg.params["mask"].feature_index() is None
    assert cfg.outputs[0].layout.feature_index() == 1
    assert cfg.outputs[0].target_layout.feature_index() is None


def test_output_matching():
    out = OutputConfig("seg", None, None, ("*seg*", "mypkg.losses:Dice*.call"))
    assert out.matches("seg_loss", "seg_loss", "anything")
    assert out.matches("call", "Model.segmentation_loss", "m")  # glob over the qualname too
    assert out.matches("call", "DiceLoss.call", "mypkg.losses")
    assert not out.matches("call", "DiceLoss.call", "otherpkg.losses")
    assert not out.matches("dice", "dice", "mypkg.losses")
    cfg = Config(outputs=(out, OutputConfig("all", None, None, ("*",))))
    assert cfg.output_for("seg_loss", "seg_loss", "m").name == "seg"
    assert cfg.output_for("mse", "mse", "m").name == "all"
    assert Config().output_for("mse", "mse", "m") is None


def test_per_file_ignores_matching():
    cfg = Config(per_file_ignores=(("tests/*", ("LL102",)), ("legacy.py", ("LL1",)), ("*_old.py", ("ll001",))))
    assert cfg.ignored_for("tests/unit/test_x.py") == {"LL102"}
    assert cfg.ignored_for("src/legacy.py") == {"LL101", "LL102", "LL103", "LL104", "LL105", "LL106", "LL107"}
    assert cfg.ignored_for("a/b_old.py") == {"LL001"}
    assert cfg.ignored_for("src/main.py") == set()
    assert Config(per_file_ignores=(("*", ("LL",)),)).ignored_for("x.py") == ALL


def test_fingerprint_is_stable_and_sensitive():
    a = Config(**parse_table({"layout": "NCHW"}, None))
    b = Config(**parse_table({"layout": "N C H W"}, None))
    c = Config(**parse_table({"layout": "NHWC"}, None))
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


# -- config discovery ---------------------------------------------------------------------

def test_nearest_pyproject_with_table_wins(tmp_path):
    write_tree(tmp_path, {
        "pyproject.toml": pyproject('layout = "NHWC"\n'),
        "pkg/pyproject.toml": '[project]\nname = "pkg"\n',  # no [tool.losslint]: skipped
        "pkg/sub/pyproject.toml": pyproject('layout = "NCHW"\n'),
        "pkg/a.py": "", "pkg/sub/deeper/b.py": "", "c.py": "",
    })
    res = ConfigResolver()
    assert res.for_path(tmp_path / "pkg" / "a.py").path == tmp_path / "pyproject.toml"
    assert res.for_path(tmp_path / "pkg/sub/deeper/b.py").path == tmp_path / "pkg/sub/pyproject.toml"
    assert str(res.for_path(tmp_path / "pkg/sub/deeper/b.py").layout) == "N C H W"
    assert res.for_path(tmp_path / "c.py").root == tmp_path


@pytest.mark.parametrize(
    "present, expected",
    [
        ({".losslint.toml", "losslint.toml", "pyproject.toml"}, ".losslint.toml"),
        ({"losslint.toml", "pyproject.toml"}, "losslint.toml"),
        ({"pyproject.toml"}, "pyproject.toml"),
        ({".losslint.toml"}, ".losslint.toml"),
    ],
)
def test_config_file_precedence_in_one_directory(tmp_path, present, expected):
    content = {".losslint.toml": 'layout = "N C"\n', "losslint.toml": 'layout = "N C"\n',
               "pyproject.toml": pyproject('layout = "N C"\n')}
    write_tree(tmp_path, {name: content[name] for name in present} | {"a.py": ""})
    assert ConfigResolver().for_path(tmp_path / "a.py").path == tmp_path / expected


def test_no_config_anywhere_gives_defaults(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": ""})
    monkeypatch.chdir(tmp_path)
    cfg = ConfigResolver().for_path(tmp_path / "a.py")
    if cfg.path is not None:  # pragma: no cover - a config above the temp directory
        pytest.skip(f"{cfg.path} applies to the temporary directory")
    assert cfg == Config(root=tmp_path)


def test_explicit_config_wins_over_discovery(tmp_path):
    write_tree(tmp_path, {
        "pyproject.toml": pyproject('layout = "NHWC"\n'),
        "other/settings.toml": 'layout = "NCHW"\n',
        "other/pyproject.toml": '[project]\nname = "x"\n',
        "a.py": "",
    })
    res = ConfigResolver(tmp_path / "other/settings.toml")
    cfg = res.for_path(tmp_path / "a.py")
    assert cfg.path == tmp_path / "other/settings.toml" and str(cfg.layout) == "N C H W"
    assert cfg.root == tmp_path / "other"
    # an explicit pyproject.toml without [tool.losslint] gives the defaults
    cfg = ConfigResolver(tmp_path / "other/pyproject.toml").for_path(tmp_path / "a.py")
    assert cfg.path == tmp_path / "other/pyproject.toml" and cfg.layout is None


def test_explicit_config_that_is_a_directory(tmp_path):
    with pytest.raises(ConfigError) as info:
        ConfigResolver(tmp_path)
    assert str(info.value) == f"{tmp_path}: --config: file not found"


def test_discovery_through_the_cli(run, tmp_path):
    # the nearest config above each file applies: ignore LL001 below sub/ only
    write_tree(tmp_path, {
        "pyproject.toml": pyproject("exclude = []\n"),
        "sub/pyproject.toml": pyproject('ignore = ["LL001"]\n'),
        "a.py": "x = (\n", "sub/b.py": "x = (\n",
    })
    r = run(".", cwd=tmp_path)
    assert (r.code, r.out) == (1, "a.py:1:5: LL001 cannot parse: '(' was never closed\n")
    r = run("--config", "pyproject.toml", ".", cwd=tmp_path)
    assert r.out == ("a.py:1:5: LL001 cannot parse: '(' was never closed\n"
                     "sub/b.py:1:5: LL001 cannot parse: '(' was never closed\n")


def test_cli_layout_overrides_config_and_outputs(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": pyproject(
        'layout = "NHWC"\nparams = { w = "C" }\n[[tool.losslint.outputs]]\nlayout = "NTC"\n'
        'losses = ["*"]\nparams = { m = "N T" }\n'), "a.py": ""})
    args = SimpleNamespace(layout="N C H W", target_layout="N H W", select=None, ignore=None, extend_select=None)
    cfg = ConfigResolver(None, cli_overrides(args)).for_path(tmp_path / "a.py")
    assert (str(cfg.layout), str(cfg.target_layout), cfg.layout_origin) == ("N C H W", "N H W", "--layout")
    out = cfg.outputs[0]
    assert (str(out.layout), str(out.target_layout), out.params) == ("N C H W", "N H W", {})


def test_cli_layout_alone_sets_target_layout():
    args = SimpleNamespace(layout="NCHW", target_layout=None, select=None, ignore=None, extend_select=None)
    over = cli_overrides(args)
    assert over["target_layout"] == over["layout"] == parse_layout("N C H W")


# -- rule selection -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "select, ignore, extend, expected",
    [
        (None, [], [], DEFAULT),
        (["LL"], [], [], DEFAULT),  # the bare prefix means the default rules
        (["LL1"], [], [], DEFAULT - {"LL001"}),
        (["LL2"], [], [], {"LL201", "LL202"}),  # a narrower prefix selects off-by-default rules
        (["LL201"], [], [], {"LL201"}),
        (["ll102"], [], [], {"LL102"}),  # case-insensitive
        ([], [], [], set()),
        (None, ["LL1"], [], {"LL001"}),
        (None, ["LL"], [], set()),
        (None, [], ["LL201"], DEFAULT | {"LL201"}),
        (["LL1"], ["LL102"], [], DEFAULT - {"LL001", "LL102"}),
        (["LL102"], ["LL1"], [], {"LL102"}),  # the more specific selector wins
        (["LL1"], ["LL1"], [], set()),  # equal specificity: ignore wins
        (None, ["LL1"], ["LL102"], {"LL001", "LL102"}),
        (None, ["LL102"], ["LL1"], DEFAULT - {"LL102"}),
        (["LL001"], [], ["LL2"], {"LL001", "LL201", "LL202"}),
        (None, ["LL201"], ["LL2"], DEFAULT | {"LL202"}),
    ],
)
def test_enabled_codes(select, ignore, extend, expected):
    assert enabled_codes(select, ignore, extend) == expected


def _selection(table: dict, **cli) -> set[str]:
    """The rules a file gets with config ``table`` and CLI options ``cli`` (None: not given)."""
    cfg = Config(**parse_table(table, None))
    args = SimpleNamespace(layout=None, target_layout=None, select=cli.get("select"),
                           ignore=cli.get("ignore"), extend_select=cli.get("extend_select"))
    res = ConfigResolver(None, cli_overrides(args))
    cfg = res._apply(cfg)
    return enabled_codes(list(cfg.select) if cfg.select is not None else None,
                         list(cfg.ignore), list(cfg.extend_select))


@pytest.mark.parametrize(
    "table, cli, expected",
    [
        ({}, {}, DEFAULT),
        ({"select": ["LL1"]}, {}, DEFAULT - {"LL001"}),
        # --select replaces the config's whole selection (ruff)
        ({"ignore": ["LL102"]}, {"select": "LL102"}, {"LL102"}),
        ({"select": ["LL001"], "extend-select": ["LL2"]}, {"select": "LL1"}, DEFAULT - {"LL001"}),
        ({"ignore": ["LL1"]}, {"select": "LL102,LL103", "ignore": "LL103"}, {"LL102"}),
        # --ignore / --extend-select apply on top of what the config enables
        ({"select": ["LL102"]}, {"ignore": "LL1"}, set()),
        ({"select": ["LL001", "LL102"]}, {"ignore": "LL"}, set()),
        ({"ignore": ["LL201"]}, {"extend_select": "LL2"}, DEFAULT | {"LL201", "LL202"}),
        ({"select": ["LL001"]}, {"extend_select": "LL102"}, {"LL001", "LL102"}),
        # within the command line's own layer the most specific selector still wins
        ({}, {"ignore": "LL1", "extend_select": "LL102"}, {"LL001", "LL102"}),
        ({}, {"ignore": "LL102", "extend_select": "LL1"}, DEFAULT - {"LL102"}),
        ({"select": ["LL102"]}, {"ignore": "LL101"}, {"LL102"}),
    ],
)
def test_cli_selection_wins_over_config(table, cli, expected):
    assert _selection(table, **cli) == expected


def test_cli_select_over_config_ignore_end_to_end(run, tmp_path):
    write_tree(tmp_path, {"pyproject.toml": pyproject('ignore = ["LL001"]\n'), "bad.py": "x = (\n"})
    assert run("bad.py", cwd=tmp_path).code == 0
    r = run("--select", "LL001", "bad.py", cwd=tmp_path)
    assert (r.code, r.out) == (1, "bad.py:1:5: LL001 cannot parse: '(' was never closed\n")


def test_cli_ignore_over_config_select_end_to_end(run, tmp_path):
    write_tree(tmp_path, {"pyproject.toml": pyproject('select = ["LL001"]\n'), "bad.py": "x = (\n"})
    assert run("bad.py", cwd=tmp_path).code == 1
    r = run("--ignore", "LL", "bad.py", cwd=tmp_path)
    assert (r.code, r.out) == (0, "")


def test_per_file_ignores_end_to_end(run, tmp_path):
    write_tree(tmp_path, {
        "pyproject.toml": pyproject('per-file-ignores = { "tests/*" = ["LL0"], "gen_*.py" = ["LL001"] }\n'),
        "tests/unit/bad.py": "x = (\n", "src/gen_x.py": "x = (\n", "src/bad.py": "x = (\n",
    })
    expected = "src/bad.py:1:5: LL001 cannot parse: '(' was never closed\n"
    assert run(".", cwd=tmp_path).out == expected
    # relative to the config's directory, wherever the run starts
    assert run("--no-cache", "../tests", "bad.py", "gen_x.py", cwd=tmp_path / "src").out == \
        "bad.py:1:5: LL001 cannot parse: '(' was never closed\n"
    # --select does not undo per-file-ignores (ruff)
    assert run("--select", "LL001", ".", cwd=tmp_path).out == expected


def test_selection_with_fake_engine(run, tmp_path, fake_engine):
    write_tree(tmp_path, {
        "pyproject.toml": pyproject('layout = "NCHW"\nignore = ["LL102"]\n'
                                    'per-file-ignores = { "tests/*" = ["LL1"] }\n'),
        "loss.py": "def loss(y_pred):  # emit: LL101\n    pass  # emit: LL102\n    pass  # emit: LL201\n",
        "tests/loss.py": "def loss(y_pred):  # emit: LL101\n    pass  # emit: LL201\n",
    })
    r = run(".", cwd=tmp_path)
    assert (r.code, r.out) == (1, "loss.py:1:22: LL101 fake LL101\n")
    r = run("--extend-select", "LL2", ".", cwd=tmp_path)
    assert r.out == ("loss.py:1:22: LL101 fake LL101\nloss.py:3:13: LL201 fake LL201\n"
                     "tests/loss.py:2:13: LL201 fake LL201\n")
    r = run("--select", "LL102", ".", cwd=tmp_path)
    assert r.out == "loss.py:2:13: LL102 fake LL102\n"


# -- decisions taken after review -----------------------------------------------------------

def test_cli_layout_gets_config_feature_axis(tmp_path):
    from losslint.config import ConfigResolver, cli_overrides
    import argparse

    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\nlayout = "N K H W"\nfeature-axis = "K"\n')
    args = argparse.Namespace(layout="N H W K", target_layout=None, select=None, ignore=None, extend_select=None)
    cfg = ConfigResolver(None, cli_overrides(args)).for_path(tmp_path / "x.py")
    assert cfg.layout.feature_index() == 3 and cfg.target_layout.feature_index() == 3


def test_lowercase_compact_layout_is_a_typo():
    from losslint.layouts import LayoutError, parse_layout

    with pytest.raises(LayoutError, match="did you mean the compact form 'NCHW'"):
        parse_layout("nchw")
    assert [a.name for a in parse_layout("batch").axes] == ["batch"]


def test_bare_ll_in_extend_select_keeps_off_by_default_rules_off():
    from losslint.rules import enabled_codes

    assert "LL201" not in enabled_codes(None, [], ["LL"])
    assert "LL201" in enabled_codes(None, [], ["LL2"])
