"""positions.py on pruned modules: libcst parses only some top-level statements, a class
only some of its methods (the others blanked out), each chunk on its own. Every range it
computes must cover, in the original file, exactly the code of the node."""

from __future__ import annotations

import os
from pathlib import Path

import libcst as cst
import pytest

from losslint import source
from losslint.config import Config
from losslint.positions import positions_of

from test_fixtures import FIXTURES

CORPORA = Path(os.environ.get("LOSSLINT_BENCH_CACHE", Path.home() / ".cache" / "losslint-bench")) / "corpora"

TRICKY = (
    "# -*- coding: utf-8 -*-\n"
    "'''docstring'''\n"
    "import torch; import torch.nn.functional as F\n"
    "AXIS = 1\n"
    "\n"
    "class Unrelated:\n"
    "  def a(self): return 1\n"
    "\n"
    "class DiceLoss(torch.nn.Module):\n"
    "\tscale = 2; shift = 3\n"
    "\t@property\n"
    "\tdef unused(self):\n"
    "\t\treturn 'x'\n"
    "\n"
    "\t# losslint: layout=\"N C H W\"\n"
    "\tdef forward(self, pred, target):\n"
    "\t\tp = F.softmax(pred, dim=-1)  # comment\n"
    "\t\treturn (p * self.helper(target)).mean(dim=(2,\n"
    "\t\t                                      3))\n"
    "\tdef helper(self, t):\n"
    "\t\treturn t.sum(dim=AXIS)\n"
    "\tdef never_called(self):\n"
    "\t\treturn torch.mean(self, 0)\n"
    "\n"
    "def unrelated_function():\n"
    "    return [x for x in range(3)]\n"
    "\n"
    "@staticmethod\n"
    "def dice_loss(y_pred, y_true, axis=AXIS): x = y_pred.sum(axis); return torch.mean(x * y_true, dim=-1)\n"
)


def _same(got: str, want: str) -> bool:
    return got == want or ("\n" in got and got.split() == want.split())


def _pruned(text: str, path: str):
    """(Source, its pruned module), or (None, None) for a file libcst cannot parse."""
    src = source.read(path, text.encode("utf-8"))
    try:
        return src, source.parse_for_losses(src, Config(), "m")
    except source.SourceError:
        return None, None


def _check(text: str, path: str = "m.py") -> int:
    src, module = _pruned(text, path)
    if module is None:
        return 0
    nodes = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node):
            if isinstance(node, (cst.Name, cst.Call, cst.Attribute, cst.Integer, cst.Arg, cst.FunctionDef)):
                nodes.append(node)
            return True

    module.visit(Collect())
    positions = positions_of(module, nodes, src.starts)
    offsets = [0]
    for line in source.split_lines(text):
        offsets.append(offsets[-1] + len(line) + 1)   # (the tests use \n only)
    checked = 0
    for node in nodes:
        r = positions[node]
        a = offsets[r.start.line - 1] + r.start.column
        b = offsets[r.end.line - 1] + r.end.column
        code = module.code_for_node(node) if not isinstance(node, cst.FunctionDef) else None
        if isinstance(node, cst.FunctionDef):   # its range starts at "def" (decorators and comments before)
            assert text[a:b].startswith(("def ", "async ")) and f" {node.name.value}(" in text[a:b], (path, r)
        else:
            # (an argument's range leaves out its comma; a multi-line node's continuation
            # indentation is the file's, not code_for_node's; an expression's range is inside
            # its parentheses)
            got, want = text[a:b], code
            if isinstance(node, cst.Arg) and node.comma is not cst.MaybeSentinel.DEFAULT:
                want = cst.Module([]).code_for_node(node.with_changes(comma=cst.MaybeSentinel.DEFAULT))
            ok = _same(got, want.rstrip())
            while not ok and want.startswith("(") and want.endswith(")"):
                want = want[1:-1].strip()
                ok = _same(got, want)
            assert ok, (path, r, code)
        checked += 1
    return checked


def test_tricky_module():
    src = source.read("m.py", TRICKY.encode())
    module = source.parse_for_losses(src, Config(), "m")
    kept = module.code
    assert "never_called" not in kept and "unrelated_function" not in kept and "Unrelated" not in kept
    assert "def helper" in kept and "unused" not in kept
    assert _check(TRICKY) > 40


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.py")), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixtures(path):
    _check(path.read_text(encoding="utf-8"), str(path))


@pytest.mark.skipif(not (CORPORA / "keras").is_dir(), reason="real corpora not downloaded (python bench/corpora.py)")
def test_real_code():
    checked = 0
    for d in ("keras/keras/src/losses", "keras/keras/src/trainers", "monai/monai/losses", "kornia/kornia/losses"):
        for path in sorted((CORPORA / d).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if "\r" in text:
                continue
            checked += _check(text, str(path))
    assert checked > 10_000


def _innermost_statements(module):
    """node -> its innermost statement (a test-side walk; the engine records it while
    interpreting)."""
    out = {}

    def walk(node, stmt):
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            stmt = node
        if isinstance(node, (cst.Call, cst.Name, cst.Arg, cst.Integer)):
            out[node] = stmt
        for child in node.children:
            walk(child, stmt)

    for top in module.body:
        walk(top, top)
    return out


def _check_statements(text: str, path: str = "m.py") -> int:
    from losslint.positions import positions_in_statements, statement_lines

    src, module = _pruned(text, path)
    if module is None:
        return 0
    inner = _innermost_statements(module)
    reference = positions_of(module, list(inner), src.starts)
    lines = statement_lines(module, src.starts)
    groups: dict = {}
    for node, stmt in inner.items():
        groups.setdefault(id(stmt), (stmt, []))[1].append(node)
    got = positions_in_statements(groups.values(), lines)
    for node, r in got.items():
        assert r == reference[node], (path, module.code_for_node(node), r, reference[node])
    return len(got)


def test_statement_positions_tricky_module():
    assert _check_statements(TRICKY) > 40


@pytest.mark.skipif(not (CORPORA / "keras").is_dir(), reason="real corpora not downloaded (python bench/corpora.py)")
def test_statement_positions_real_code():
    checked = 0
    for d in ("keras/keras/src/losses", "keras/keras/src/trainers", "monai/monai/losses", "kornia/kornia/losses"):
        for path in sorted((CORPORA / d).rglob("*.py")):
            checked += _check_statements(path.read_text(encoding="utf-8"), str(path))
    assert checked > 10_000
