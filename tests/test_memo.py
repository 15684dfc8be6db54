"""The language server's incremental analysis (engine.Memo + source.CHUNK_CACHE) must give
exactly what a fresh analysis gives, after any sequence of edits: findings, positions, fixes
and hover items."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from losslint import source
from losslint.checker import Options, analyse
from losslint.config import ConfigResolver, cli_overrides
from losslint.engine import Memo
from losslint.hover import hover_items, items_from_record

from test_fixtures import FIXTURES

MODULE = '''import torch
import torch.nn.functional as F
from keras import backend as K

AXIS = 1
LAST = -1


def _spatial(x):
    return x.mean(dim=LAST)


def mse(y_true, y_pred):
    err = K.square(y_pred - y_true)
    return K.mean(err, axis=-1)


def dice_loss(pred, target):
    p = F.softmax(pred, dim=AXIS)
    inter = (p * target).sum(dim=(2, 3))
    return 1 - inter.mean() + _spatial(p).mean()


class FocalLoss(torch.nn.Module):
    def __init__(self, dim=1):
        super().__init__()
        self.dim = dim

    def unused(self):
        return torch.mean(self, 0)

    def forward(self, logits, target):
        logp = F.log_softmax(logits, dim=self.dim)
        return -(logp * target).sum(dim=-1).mean()
'''

EDITS = [
    ("AXIS = 1", "AXIS = -1"), ("AXIS = -1", "AXIS = 1"),
    ("LAST = -1", "LAST = 1"), ("LAST = 1", "LAST = -1"),
    ("axis=-1)", "axis=1)"), ("axis=1)", "axis=-1)"),
    ("dim=(2, 3)", "dim=(1, 2)"), ("dim=(1, 2)", "dim=(2, 3)"),
    ("def __init__(self, dim=1)", "def __init__(self, dim=-1)"),
    ("def __init__(self, dim=-1)", "def __init__(self, dim=1)"),
    ("import torch\n", "# a comment\nimport torch\n"),
    ("\n\ndef mse", "\n\n\n# moved\ndef mse"),
    ("return torch.mean(self, 0)", "return self.forward(self, 0)"),
    ("return self.forward(self, 0)", "return torch.mean(self, 0)"),
    ("    return x.mean(dim=LAST)\n", "    y = x\n    return y.mean(dim=LAST)\n"),
    ("def mse(", "def mse_renamed("), ("def mse_renamed(", "def mse("),
    ("import torch.nn.functional as F\n", "import torch.nn.functional as F\n# losslint: layout=\"N H W C\"\n"),
]


def _fresh(path: str, text: str, cfg):
    saved, source.CHUNK_CACHE = source.CHUNK_CACHE, None
    try:
        record: dict = {}
        found, src = analyse(path, cfg, text.encode("utf-8"), Options(), record=record)
        return found, items_from_record(src, record)
    finally:
        source.CHUNK_CACHE = saved


def _incremental(path: str, text: str, cfg, memo: Memo):
    record: dict = {}
    found, src = analyse(path, cfg, text.encode("utf-8"), Options(), memo=memo, record=record)
    return found, items_from_record(src, record)


@pytest.fixture
def chunk_cache():
    saved, source.CHUNK_CACHE = source.CHUNK_CACHE, source.ChunkCache()
    yield
    source.CHUNK_CACHE = saved


@pytest.mark.parametrize("layout", ["N C H W", "N H W C"])
def test_random_edits_match_fresh_analysis(tmp_path, chunk_cache, layout):
    cfg = ConfigResolver(None, cli_overrides(type("A", (), {"layout": layout, "target_layout": None,
                                                         "select": None, "ignore": None, "extend_select": None})())
                         ).for_path(tmp_path / "m.py")
    rng = random.Random(11)
    memo = Memo()
    text = MODULE
    reused = 0
    for step in range(60):
        old, new = rng.choice(EDITS)
        if old in text:
            text = text.replace(old, new, 1)
        fresh = _fresh("m.py", text, cfg)
        before = dict(memo.losses)
        got = _incremental("m.py", text, cfg, memo)
        reused += sum(1 for k in memo.losses if k in before)
        assert got[0] == fresh[0], (step, text)
        assert [(i.line, i.column, i.end_line, i.end_column, i.text) for i in got[1]] == \
               [(i.line, i.column, i.end_line, i.end_column, i.text) for i in fresh[1]], step
    assert reused > 50   # the memo was used, not bypassed


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.py")), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixtures_with_a_comment_edit(path, chunk_cache):
    """Every fixture, analysed once, then again after a comment is added at the top and a
    blank line in the middle (every statement moves; nothing changes)."""
    text = path.read_text(encoding="utf-8")
    layouts = re.findall(r'--layout "([^"]+)"', text) or ["N C H W"]
    cfg = ConfigResolver(None, cli_overrides(type("A", (), {"layout": layouts[0], "target_layout": None,
                                                         "select": None, "ignore": None, "extend_select": None})())
                         ).for_path(path)
    memo = Memo()
    _incremental(str(path), text, cfg, memo)
    lines = text.split("\n")
    edited = "# edited\n" + "\n".join(lines[: len(lines) // 2] + [""] + lines[len(lines) // 2:])
    if "\n\n" not in text:
        edited = "# edited\n" + text
    try:
        fresh = _fresh(str(path), edited, cfg)
    except SyntaxError:
        return
    got = _incremental(str(path), edited, cfg, memo)
    assert got[0] == fresh[0]
    assert [(i.line, i.column, i.text) for i in got[1]] == [(i.line, i.column, i.text) for i in fresh[1]]


def test_hover_alone_equals_the_diagnostics_pass(tmp_path):
    """hover.hover_items (a separate analysis, used before the first diagnostics) and the
    items the language server takes from its diagnostics pass are the same."""
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\nlayout = "N C H W"\n')
    cfg = ConfigResolver(None, {}).for_path(tmp_path / "m.py")
    alone = hover_items(str(tmp_path / "m.py"), MODULE, cfg)
    _, from_pass = _fresh(str(tmp_path / "m.py"), MODULE, cfg)
    assert len(alone) > 10
    assert [(i.line, i.column, i.text) for i in alone] == [(i.line, i.column, i.text) for i in from_pass]


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.py"))[:40], ids=lambda p: str(p.relative_to(FIXTURES)))
def test_hover_positions_from_statements_equal_the_slow_way(path):
    """Hover items are placed from the statement each was recorded in; without that (None),
    positions_of finds them by walking: the same ranges."""
    text = path.read_text(encoding="utf-8")
    cfg = ConfigResolver(None, cli_overrides(type("A", (), {"layout": "N C H W", "target_layout": None,
                                                         "select": None, "ignore": None, "extend_select": None})())
                         ).for_path(path)
    record: dict = {}
    _, src = analyse(str(path), cfg, text.encode("utf-8"), Options(), record=record)
    fast = items_from_record(src, record)
    slow = items_from_record(src, {k: (n, i, v, None) for k, (n, i, v, _) in record.items()})
    assert [(i.line, i.column, i.end_line, i.end_column, i.text) for i in fast] == \
           [(i.line, i.column, i.end_line, i.end_column, i.text) for i in slow]


def _lazy_hover_matches(path: str, text: str) -> int:
    from losslint.hover import HoverIndex, hover_at

    cfg = ConfigResolver(None, cli_overrides(type("A", (), {"layout": "N C H W", "target_layout": None,
                                                         "select": None, "ignore": None, "extend_select": None})())
                         ).for_path(Path(path))
    record: dict = {}
    _, src = analyse(path, cfg, text.encode("utf-8"), Options(), record=record)
    slow = items_from_record(src, {k: (n, i, v, None) for k, (n, i, v, _) in record.items()})
    points = {(1, 1), (len(text.splitlines()), 1)}
    for i in slow:
        points |= {(i.line, i.column), (i.end_line, max(i.end_column - 1, 1)), (i.line, i.column + 1),
                   (i.line + 1, 1), (i.end_line, i.end_column)}
    shared = HoverIndex(src, record)
    for n, (line, column) in enumerate(sorted(points)):
        want = hover_at(slow, line, column)
        for index in ([shared, HoverIndex(src, record)] if n % 7 == 0 else [shared]):
            got = index.at(line, column)
            assert (got and (got.line, got.column, got.end_line, got.end_column, got.text)) == \
                   (want and (want.line, want.column, want.end_line, want.end_column, want.text)), (line, column)
    return len(slow)


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.py"))[::2], ids=lambda p: str(p.relative_to(FIXTURES)))
def test_lazy_hover_answers_like_every_item_placed(path):
    """The language server's HoverIndex places only the statements around the hovered line;
    at every position where an item starts, ends or lies (and on lines with none), it answers
    what hover_at over every item placed the slow way answers, whether it is the index's
    first question or a later one."""
    _lazy_hover_matches(str(path), path.read_text(encoding="utf-8"))


ONE_LINE_BODIES = {
    "helper": "import torch\n\n\ndef _h(t): return t.mean(dim=1)\n\n\n"
              "def dice_loss(pred, target):\n    p = torch.softmax(pred, dim=1)\n"
              "    return _h(p).mean() + target.sum()\n",
    "method": "import torch\n\n\nclass FocalLoss(torch.nn.Module):\n    def _m(self, x): return x.sum(dim=1)\n\n"
              "    def forward(self, logits, target):\n        z = self._m(logits)\n        return z.mean()\n",
}


@pytest.mark.parametrize("name", sorted(ONE_LINE_BODIES))
def test_lazy_hover_in_one_line_bodies(tmp_path, name):
    """A body on the ``def`` line is placed from the def (found in review: its expressions were
    recorded under the caller's statement, so hovering them found nothing)."""
    assert _lazy_hover_matches(str(tmp_path / "m.py"), ONE_LINE_BODIES[name]) >= 5
