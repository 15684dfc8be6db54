"""The pre-filter must never hide a finding: filtered and unfiltered analysis agree, over every
fixture and (when bench/corpora.py has downloaded them) the real packages' loss code."""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest

from losslint import project
from losslint.checker import Options, analyse
from losslint.config import ConfigResolver, cli_overrides

from test_fixtures import FIXTURES, parse_fixture

CORPORA = Path(os.environ.get("LOSSLINT_BENCH_CACHE", Path.home() / ".cache" / "losslint-bench")) / "corpora"
REAL_LOSS_DIRS = [
    "monai/monai/losses", "kornia/kornia/losses", "segmentation-models-pytorch/segmentation_models_pytorch/losses",
    "mmsegmentation/mmseg/models/losses", "pytorch-toolbelt/pytorch_toolbelt/losses",
    "tensorflow-addons/tensorflow_addons/losses", "timm/timm/loss", "keras/keras/src/losses",
]


class _Args:
    def __init__(self, argv: list[str]):
        self.layout = self.target_layout = self.select = self.ignore = self.extend_select = None
        it = iter(argv)
        for a in it:
            if a in ("--layout", "--target-layout", "--select", "--ignore", "--extend-select"):
                setattr(self, a[2:].replace("-", "_"), next(it))


def _both(path: Path, argv: list[str]):
    """(whole modules, pruned modules): the checked file and every project module it reaches
    parsed whole, then only what the pre-filter and pruning.py keep (caches cleared between)."""
    resolver = ConfigResolver(None, cli_overrides(_Args(argv)))
    cfg = resolver.for_path(path.absolute())
    project._SOURCES.clear()
    full, _ = analyse(str(path), cfg, None, Options(prefilter=False))
    project._SOURCES.clear()
    filtered, _ = analyse(str(path), cfg, None, Options(prefilter=True))
    return full, filtered


def _fixture_cases():
    for path in sorted(FIXTURES.rglob("*.py")):
        runs, _ = parse_fixture(path)
        for name, argv in runs.items():
            yield pytest.param(path, argv, id=f"{path.relative_to(FIXTURES)}[{name or 'default'}]")


@pytest.mark.parametrize("path,argv", list(_fixture_cases()))
def test_filter_hides_nothing_in_fixtures(path, argv):
    full, filtered = _both(path, argv)
    assert full == filtered


def _corpus_files():
    for d in REAL_LOSS_DIRS:
        root = CORPORA / d
        if root.is_dir():
            yield from sorted(root.rglob("*.py"))


@pytest.mark.skipif(not any(_corpus_files()), reason="real corpora not downloaded (python bench/corpora.py)")
@pytest.mark.parametrize("layout", ["N C H W", "N H W C"])
def test_filter_hides_nothing_in_real_loss_code(layout):
    argv = shlex.split(f'--layout "{layout}"')
    checked = differing = 0
    for path in _corpus_files():
        full, filtered = _both(path, argv)
        checked += 1
        if full != filtered:
            differing += 1
            assert full == filtered, path
    assert checked > 50


KERAS = CORPORA / "keras"


@pytest.mark.skipif(not (KERAS / "keras" / "src" / "losses").is_dir(), reason="keras corpus not downloaded (python bench/corpora.py)")
@pytest.mark.parametrize("layout", ["N C H W", "N H W C"])
def test_pruning_hides_nothing_across_modules(tmp_path, layout):
    """keras as a project (its modules reach into each other: helpers, constants): files that
    import from many modules give the same findings pruned and whole."""
    (tmp_path / "pyproject.toml").write_text(f'[tool.losslint]\nlayout = "{layout}"\n')
    shutil.copytree(KERAS / "keras", tmp_path / "keras")   # (a symlink would resolve outside the project)
    src = tmp_path / "keras" / "src"
    files = sorted((src / "losses").glob("*.py")) + [src / p for p in (
        "backend/numpy/nn.py", "backend/jax/nn.py", "backend/openvino/math.py", "ops/nn_test.py",
        "metrics/confusion_metrics.py", "trainers/trainer_test.py", "layers/normalization/batch_normalization.py",
        "distillation/distillation_loss.py", "metrics/iou_metrics.py")]
    resolver = ConfigResolver(None, {})
    reached = 0
    for path in files:
        cfg = resolver.for_path(path.absolute())
        project._SOURCES.clear()
        full, src_full = analyse(str(path), cfg, None, Options(prefilter=False))
        project._SOURCES.clear()
        pruned, src_pruned = analyse(str(path), cfg, None, Options(prefilter=True))
        assert full == pruned, path
        reached += bool(src_full is not None and src_full.deps)
    assert reached >= 5   # the files did reach into other modules


COMPILE_TESTS = '''import keras
from keras import losses
from mypkg.helpers import spatial_mean, CLASS_AXIS


def unrelated(a, b):
    return [a, b, "a big function nobody calls"]


class TrainerTest:
    def helper(self):
        return self.model.compile(loss="categorical_crossentropy")

    def test_compile(self):
        model = keras.Sequential()
        x = 1; model.compile(optimizer="adam",
                             loss=losses.CategoricalCrossentropy(axis=-1))
        with self.assertRaises(ValueError):
            model.compile(loss="mse")

    def test_other(self):
        return unrelated(1, 2)


def dice_loss(y_true, y_pred):
    return keras.ops.sum(spatial_mean(y_pred), axis=CLASS_AXIS)
'''

HELPERS = '''from keras import backend as K
CLASS_AXIS = 1 if K.image_data_format() == "channels_first" else -1
UNUSED = {"a": [1, 2, 3]}


def spatial_mean(x):
    return K.mean(x, axis=-1)


class Unused:
    def method(self):
        return K.sum(self, axis=0)


def never_called(y_true, y_pred):
    return K.mean(y_pred, axis=-1)
'''


@pytest.mark.parametrize("layout", ["N C H W", "N H W C"])
def test_pruning_on_a_small_project(tmp_path, layout):
    """compile(loss=...) statements inside test methods are parsed alone, and a helper module is
    parsed only for the names asked of it: the findings are those of whole-module analysis."""
    (tmp_path / "pyproject.toml").write_text(f'[tool.losslint]\nlayout = "{layout}"\n')
    (tmp_path / "mypkg").mkdir()
    (tmp_path / "mypkg" / "__init__.py").write_text("")
    (tmp_path / "mypkg" / "helpers.py").write_text(HELPERS)
    path = tmp_path / "test_training.py"
    path.write_text(COMPILE_TESTS)
    cfg = ConfigResolver(None, {}).for_path(path)
    project._SOURCES.clear()
    full, _ = analyse(str(path), cfg, None, Options(prefilter=False))
    project._SOURCES.clear()
    pruned, src = analyse(str(path), cfg, None, Options(prefilter=True))
    assert full == pruned
    assert len(pruned) >= (4 if layout == "N C H W" else 1)
    kept = src.module.code
    assert "a big function nobody calls" not in kept and "assertRaises" not in kept and "test_other" not in kept
    assert 'model.compile(loss="mse")' in kept and "def dice_loss" in kept
    helpers = next(s for _, s in project._SOURCES.values() if s.path.endswith("helpers.py"))
    assert "never_called" not in helpers.module.code and "class Unused" not in helpers.module.code
    assert "def spatial_mean" in helpers.module.code and "CLASS_AXIS" in helpers.module.code
