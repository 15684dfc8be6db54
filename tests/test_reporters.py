"""Output formats: text, json, sarif 2.1.0 (schema-validated), github; statistics."""

from __future__ import annotations

import functools
import json

import jsonschema
import pytest

from conftest import DATA, write_tree
from losslint import __version__, reporters
from losslint.findings import Edit, Finding, Fix
from losslint.rules import RULES

SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

FIX = Fix("use the feature axis: axis=1", (Edit(3, 30, 3, 32, "1"),))
FINDINGS = [
    Finding("src/losses.py", 3, 30, "LL102",
            "mean over axis=-1 reduces W of y_pred (N C H W) but keeps H; the feature axis is C (axis=1)",
            end_line=3, end_column=32, fix=FIX),
    Finding("src/losses.py", 7, 5, "LL101", "softmax over dim=-1 hits W, not C", end_line=7, end_column=11),
    Finding("tests/bad.py", 1, 9, "LL001", "cannot parse: '(' was never closed"),
]


def test_finding_order_is_path_line_column_code():
    a = Finding("b.py", 1, 1, "LL101", "m")
    b = Finding("a/z.py", 9, 1, "LL101", "m")
    c = Finding("a/z.py", 10, 1, "LL101", "m")
    d = Finding("a/z.py", 10, 1, "LL001", "m")
    e = Finding("a/z.py", 10, 2, "LL001", "m")
    assert sorted([a, b, c, d, e]) == [b, d, c, e, a]


def test_finding_json_fills_the_end():
    j = FINDINGS[2].to_json()
    assert j == {"path": "tests/bad.py", "line": 1, "column": 9, "end_line": 1, "end_column": 9,
                 "code": "LL001", "name": "syntax-error", "message": "cannot parse: '(' was never closed",
                 "fix": None}


def test_text():
    assert reporters.text(FINDINGS) == (
        "src/losses.py:3:30: LL102 mean over axis=-1 reduces W of y_pred (N C H W) but keeps H; "
        "the feature axis is C (axis=1)\n"
        "src/losses.py:7:5: LL101 softmax over dim=-1 hits W, not C\n"
        "tests/bad.py:1:9: LL001 cannot parse: '(' was never closed\n"
    )
    assert reporters.text([]) == ""


def test_json():
    out = reporters.json_report(FINDINGS)
    assert out.endswith("]\n")
    assert json.loads(out) == [
        {"path": "src/losses.py", "line": 3, "column": 30, "end_line": 3, "end_column": 32,
         "code": "LL102", "name": "partial-spatial-reduction", "message": FINDINGS[0].message,
         "fix": {"message": "use the feature axis: axis=1",
                 "edits": [{"line": 3, "column": 30, "end_line": 3, "end_column": 32, "new_text": "1"}]}},
        {"path": "src/losses.py", "line": 7, "column": 5, "end_line": 7, "end_column": 11,
         "code": "LL101", "name": "feature-op-wrong-axis", "message": "softmax over dim=-1 hits W, not C",
         "fix": None},
        {"path": "tests/bad.py", "line": 1, "column": 9, "end_line": 1, "end_column": 9,
         "code": "LL001", "name": "syntax-error", "message": "cannot parse: '(' was never closed",
         "fix": None},
    ]
    assert reporters.json_report([]) == "[]\n"


def test_github():
    assert reporters.github(FINDINGS) == (
        "::warning file=src/losses.py,line=3,col=30,endLine=3,endColumn=32,"
        "title=LL102 partial-spatial-reduction::LL102 " + FINDINGS[0].message + "\n"
        "::warning file=src/losses.py,line=7,col=5,endLine=7,endColumn=11,"
        "title=LL101 feature-op-wrong-axis::LL101 softmax over dim=-1 hits W, not C\n"
        "::warning file=tests/bad.py,line=1,col=9,endLine=1,endColumn=9,"
        "title=LL001 syntax-error::LL001 cannot parse: '(' was never closed\n"
    )
    assert reporters.github([]) == ""


def test_github_escaping():
    f = Finding("we,ird:dir/100%.py", 2, 1, "LL104", "line one\r\nline two: 100%")
    assert reporters.github([f]) == (
        "::warning file=we%2Cird%3Adir/100%25.py,line=2,col=1,endLine=2,endColumn=1,"
        "title=LL104 layout-mismatch::LL104 line one%0D%0Aline two: 100%25\n"
    )


def test_statistics():
    findings = FINDINGS + [Finding("a.py", 1, 1, "LL101", "m"), Finding("b.py", 1, 1, "LL001", "m"),
                           Finding("c.py", 1, 1, "LL101", "m")]
    assert reporters.statistics(findings) == (
        "3     LL101  feature-op-wrong-axis\n"
        "2     LL001  syntax-error\n"
        "1     LL102  partial-spatial-reduction\n"
    )
    assert reporters.statistics([]) == ""


# -- SARIF ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _validators():
    """The validator of the draft the schema declares (Draft-04 for this OASIS edition), and
    Draft-07 (the draft of the schema's later editions): the document must pass both."""
    declared = jsonschema.validators.validator_for(SCHEMA)
    declared.check_schema(SCHEMA)
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    return (declared(SCHEMA, format_checker=declared.FORMAT_CHECKER),
            jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER))


def validate_sarif(doc: dict) -> None:
    for validator in _validators():
        validator.validate(doc)


def test_schema_is_the_official_one():
    assert SCHEMA["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert SCHEMA["id"] == ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                            "sarif-schema-2.1.0.json")
    assert SCHEMA["properties"]["version"] == {
        "description": "The SARIF format version of this log file.", "enum": ["2.1.0"], "type": "string"}


def test_the_validator_rejects_invalid_sarif():
    doc = json.loads(reporters.sarif(FINDINGS))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validate_sarif(doc)
    doc = json.loads(reporters.sarif(FINDINGS))
    del doc["runs"][0]["tool"]["driver"]["name"]
    with pytest.raises(jsonschema.ValidationError):
        validate_sarif(doc)


@pytest.mark.parametrize("findings", [FINDINGS, [], FINDINGS[2:]], ids=["findings", "empty", "ll001"])
def test_sarif_is_valid(findings):
    validate_sarif(json.loads(reporters.sarif(findings)))


def test_sarif_content():
    doc = json.loads(reporters.sarif(FINDINGS))
    assert doc["version"] == "2.1.0" and doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("losslint", __version__)
    assert [r["id"] for r in driver["rules"]] == ["LL001", "LL101", "LL102"]  # the rules that fired
    ll102 = driver["rules"][2]
    assert ll102["name"] == "partial-spatial-reduction"
    assert ll102["shortDescription"]["text"] == RULES["LL102"].summary
    assert ll102["help"]["markdown"] == RULES["LL102"].page()
    assert [r["defaultConfiguration"]["level"] for r in driver["rules"]] == ["error", "warning", "warning"]
    first, second, third = run["results"]
    assert first == {
        "ruleId": "LL102", "ruleIndex": 2, "level": "warning",
        "message": {"text": FINDINGS[0].message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "src/losses.py"},
            "region": {"startLine": 3, "startColumn": 30, "endLine": 3, "endColumn": 32}}}],
        "fixes": [{
            "description": {"text": "use the feature axis: axis=1"},
            "artifactChanges": [{
                "artifactLocation": {"uri": "src/losses.py"},
                "replacements": [{
                    "deletedRegion": {"startLine": 3, "startColumn": 30, "endLine": 3, "endColumn": 32},
                    "insertedContent": {"text": "1"}}]}]}],
    }
    assert (second["ruleId"], second["ruleIndex"], "fixes" in second) == ("LL101", 1, False)
    assert (third["ruleId"], third["ruleIndex"], third["level"]) == ("LL001", 0, "error")
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


@pytest.mark.parametrize(
    "path, uri",
    [
        ("src/losses.py", "src/losses.py"),
        ("./src/losses.py", "src/losses.py"),
        ("./.hidden/losses.py", ".hidden/losses.py"),
        ("./../up/losses.py", "../up/losses.py"),
        ("../up/losses.py", "../up/losses.py"),
        ("src\\win\\losses.py", "src/win/losses.py"),
        ("my dir/loss #1.py", "my%20dir/loss%20%231.py"),
        ("/abs/path/losses.py", "/abs/path/losses.py"),
    ],
)
def test_sarif_uri(path, uri):
    doc = json.loads(reporters.sarif([Finding(path, 1, 1, "LL001", "m")]))
    assert doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri
    validate_sarif(doc)


# -- end to end ----------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path):
    return write_tree(tmp_path, {"b.py": "def f(:\n", "a.py": "x = 1\ny = [\n"})


def test_formats_end_to_end(run, project):
    r = run("--format", "json", ".", cwd=project)
    assert r.code == 1
    assert [(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(r.out)] == [
        ("a.py", 2, 5, "LL001"), ("b.py", 1, 7, "LL001")]
    r = run("--format", "sarif", ".", cwd=project)
    assert r.code == 1
    validate_sarif(json.loads(r.out))
    r = run("--format", "github", ".", cwd=project)
    assert (r.code, r.out) == (1,
        "::warning file=a.py,line=2,col=5,endLine=2,endColumn=5,title=LL001 syntax-error::"
        "LL001 cannot parse: '[' was never closed\n"
        "::warning file=b.py,line=1,col=7,endLine=1,endColumn=7,title=LL001 syntax-error::"
        "LL001 cannot parse: invalid syntax\n")
    r = run("--format", "text", ".", cwd=project)
    assert (r.code, r.out) == (1, "a.py:2:5: LL001 cannot parse: '[' was never closed\n"
                                  "b.py:1:7: LL001 cannot parse: invalid syntax\n")


@pytest.mark.parametrize("fmt, empty", [("text", ""), ("json", "[]\n"), ("github", "")])
def test_formats_without_findings(run, tmp_path, fmt, empty):
    write_tree(tmp_path, {"ok.py": "x = 1\n"})
    r = run("--format", fmt, ".", cwd=tmp_path)
    assert (r.code, r.out) == (0, empty)


def test_sarif_without_findings_end_to_end(run, tmp_path):
    write_tree(tmp_path, {"ok.py": "x = 1\n"})
    r = run("--format", "sarif", ".", cwd=tmp_path)
    doc = json.loads(r.out)
    validate_sarif(doc)
    assert (r.code, doc["runs"][0]["results"], doc["runs"][0]["tool"]["driver"]["rules"]) == (0, [], [])


def test_fake_engine_findings_in_every_format(run, tmp_path, fake_engine):
    write_tree(tmp_path, {"loss.py": "def loss(y_pred):\n    return y_pred  # emit: LL102\n"})
    r = run("--layout", "NCHW", "--format", "sarif", "loss.py", cwd=tmp_path)
    doc = json.loads(r.out)
    validate_sarif(doc)
    assert [res["ruleId"] for res in doc["runs"][0]["results"]] == ["LL102"]
    r = run("--layout", "NCHW", "--format", "json", "loss.py", cwd=tmp_path)
    assert json.loads(r.out) == [{
        "path": "loss.py", "line": 2, "column": 22, "end_line": 2, "end_column": 33, "code": "LL102",
        "name": "partial-spatial-reduction", "message": "fake LL102", "fix": None}]
