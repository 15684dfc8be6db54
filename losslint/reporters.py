"""Output formats: text (flake8), json, sarif 2.1.0, github annotations; and statistics."""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import quote

from . import __version__
from .findings import Finding
from .rules import RULES

INFO_URI = "https://pypi.org/project/losslint/"


def text(findings: list[Finding]) -> str:
    return "".join(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}\n" for f in findings)


def json_report(findings: list[Finding]) -> str:
    return json.dumps([f.to_json() for f in findings], indent=2) + "\n"


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def github(findings: list[Finding]) -> str:
    out = []
    for f in findings:
        j = f.to_json()
        props = (
            f"file={_gh_escape(f.path, True)},line={f.line},col={f.column},"
            f"endLine={j['end_line']},endColumn={j['end_column']},"
            f"title={_gh_escape(f'{f.code} {f.name}', True)}"
        )
        out.append(f"::warning {props}::{_gh_escape(f'{f.code} {f.message}')}\n")
    return "".join(out)


def sarif(findings: list[Finding]) -> str:
    fired = sorted({f.code for f in findings})
    index = {code: i for i, code in enumerate(fired)}
    rules = [
        {
            "id": code,
            "name": RULES[code].name,
            "shortDescription": {"text": RULES[code].summary},
            "fullDescription": {"text": RULES[code].what},
            "help": {"text": RULES[code].page(), "markdown": RULES[code].page()},
            "defaultConfiguration": {"level": "error" if code == "LL001" else "warning"},
        }
        for code in fired
    ]
    results = []
    for f in findings:
        j = f.to_json()
        region = {
            "startLine": f.line,
            "startColumn": f.column,
            "endLine": j["end_line"],
            "endColumn": j["end_column"],
        }
        location = {"physicalLocation": {"artifactLocation": {"uri": _uri(f.path)}, "region": region}}
        result = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": "error" if f.code == "LL001" else "warning",
            "message": {"text": f.message},
            "locations": [location],
        }
        if f.fix:
            result["fixes"] = [{
                "description": {"text": f.fix.message},
                "artifactChanges": [{
                    "artifactLocation": {"uri": _uri(f.path)},
                    "replacements": [{
                        "deletedRegion": {
                            "startLine": e.line, "startColumn": e.column,
                            "endLine": e.end_line, "endColumn": e.end_column,
                        },
                        "insertedContent": {"text": e.new_text},
                    } for e in f.fix.edits],
                }],
            }]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "losslint", "version": __version__, "informationUri": INFO_URI,
                "rules": rules,
            }},
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2) + "\n"


def _uri(path: str) -> str:
    """A relative (or absolute-path) URI reference: forward slashes, no leading "./",
    reserved characters such as spaces percent-encoded."""
    p = path.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return quote(p, safe="/")


def statistics(findings: list[Finding]) -> str:
    counts = Counter(f.code for f in findings)
    lines = [f"{n:<6}{code}  {RULES[code].name}" for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(lines) + ("\n" if lines else "")


FORMATS = {"text": text, "json": json_report, "sarif": sarif, "github": github}
