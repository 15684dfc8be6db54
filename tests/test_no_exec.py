"""losslint never imports or runs the code it checks (SPEC section 1).

The project below does something observable (creates a marker file) on every way Python code
can run: module-level code, a module ``__getattr__``, decorators, default arguments,
annotations, class bodies, metaclasses, ``__init_subclass__``, a package ``__init__.py``, a
``conftest.py``, a ``sitecustomize.py`` / ``usercustomize.py`` / ``.pth`` file, a ``setup.py``,
helpers and constants imported by the losses (which losslint follows statically). After
linting it through the CLI (layout declared in the project's pyproject.toml), no marker may
exist, no ``__pycache__`` may have appeared, and the expected findings must be there, which
proves the code was analysed rather than skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _marker_code(markers: Path, name: str) -> str:
    """One expression that leaves a trace in ``markers`` when evaluated."""
    return f"__import__('pathlib').Path({str(markers / name)!r}).touch()"


def build_project(root: Path, markers: Path) -> Path:
    m = lambda name: _marker_code(markers, name)  # noqa: E731
    proj = root / "proj"
    files = {
        "pyproject.toml": '[tool.losslint]\nlayout = "N C H W"\n',
        "conftest.py": f"{m('conftest')}\nimport pytest\n\n"
                       f"def pytest_configure(config):\n    {m('conftest_hook')}\n",
        "sitecustomize.py": f"{m('sitecustomize')}\n",
        "usercustomize.py": f"{m('usercustomize')}\n",
        "evil.pth": f"import os; {m('pth_root')}\n",
        "setup.py": f"{m('setup_py')}\nfrom setuptools import setup\nsetup()\n",
        "mypkg/evil.pth": f"import os; {m('pth_pkg')}\n",
        "mypkg/__init__.py": f"{m('pkg_init')}\n\n"
                             f"def __getattr__(name):\n    {m('pkg_getattr')}\n    return -1\n",
        "mypkg/__main__.py": f"{m('pkg_main')}\n",
        "mypkg/constants.py": (
            f"{m('constants_module')}\n"
            "AXIS = -1\n"
            "SPATIAL_AXES = (1, 2)\n"
            f"COMPUTED = ({m('constants_expr')}, -1)[1]\n"
        ),
        "mypkg/helpers.py": (
            "from keras import backend as K\n"
            f"{m('helpers_module')}\n\n\n"
            "def __getattr__(name):\n"
            f"    {m('helpers_getattr')}\n"
            "    return -1\n\n\n"
            "def marking_decorator(fn):\n"
            f"    {m('decorator_factory_body')}\n"
            "    return fn\n\n\n"
            "def reduce_last(x, axis=-1):\n"
            f"    {m('helper_body')}\n"
            "    return K.mean(x, axis=axis)\n\n\n"
            "def compute_axis():\n"
            f"    {m('compute_axis_call')}\n"
            "    return -1\n"
        ),
        "mypkg/losses.py": (
            "import torch\n"
            "import torch.nn as nn\n"
            "from keras import backend as K\n"
            "from mypkg.constants import AXIS, SPATIAL_AXES, COMPUTED\n"
            "from mypkg.helpers import reduce_last, marking_decorator, compute_axis\n"
            "from mypkg.helpers import not_defined_anywhere   # resolved by module __getattr__\n"
            "from mypkg import also_not_defined                 # package __getattr__\n"
            "from . import helpers\n\n"
            f"{m('losses_module')}\n"
            f"exec({m('losses_exec')!r})\n"
            f"eval({m('losses_eval')!r})\n"
            f"__import__('atexit').register(lambda: {m('losses_atexit')})\n\n\n"
            f"def _side(name):\n    {m('side_call')}\n    return name\n\n\n"
            "@marking_decorator\n"
            f"@(lambda f: ({m('inline_decorator')}, f)[1])\n"
            f"def mse_loss(y_true, y_pred, eps=({m('default_arg')}, 1e-7)[1],\n"
            f"             *, scale: ({m('annotation')}, float)[1] = 1.0):\n"
            "    return K.mean(K.square(y_pred - y_true), axis=AXIS)          # LL102 via a constant\n\n\n"
            "def helper_loss(y_true, y_pred, axis=compute_axis()):\n"
            "    return reduce_last(K.square(y_pred - y_true))                 # LL102 via a helper\n\n\n"
            "class Meta(type):\n"
            "    def __new__(mcs, *args):\n"
            f"        {m('metaclass_new')}\n"
            "        return super().__new__(mcs, *args)\n\n\n"
            "class Base(nn.Module):\n"
            "    def __init_subclass__(cls, **kw):\n"
            f"        {m('init_subclass')}\n\n\n"
            "class DiceLoss(Base, metaclass=Meta):\n"
            f"    {m('class_body')}\n"
            f"    smooth = ({m('class_attr')}, 1.0)[1]\n\n"
            "    def __init__(self):\n"
            f"        {m('init_body')}\n"
            "        super().__init__()\n\n"
            "    def forward(self, logits, target):\n"
            f"        {m('forward_body')}\n"
            "        probs = torch.softmax(logits, dim=-1)                        # LL101\n"
            "        return (probs * target).sum(dim=SPATIAL_AXES)               # LL102\n\n\n"
            "if __name__ == '__main__':\n"
            f"    {m('main_guard')}\n"
        ),
        "mypkg/models.py": (
            "from mypkg.losses import mse_loss\n"
            f"{m('models_module')}\n\n"
            "def build(model):\n"
            f"    {m('build_body')}\n"
            "    model.compile(loss='mse')\n"
            "    model.compile(loss=mse_loss)\n"
        ),
        "tests/conftest.py": f"{m('tests_conftest')}\n",
        "tests/test_losses.py": (
            f"{m('test_module')}\n"
            "from mypkg.losses import mse_loss\n\n"
            "def test_it():\n"
            f"    {m('test_body')}\n"
        ),
    }
    for rel, text in files.items():
        p = proj / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return proj


def _script() -> str:
    candidate = Path(sys.executable).with_name("losslint")
    if not candidate.exists():  # pragma: no cover - the package is installed in the test venv
        pytest.skip("the losslint console script is not installed")
    return str(candidate)


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOSSLINT", "PYTHONDONTWRITEBYTECODE"))}
    return env


# How the CLI is started: the console script from inside the project (what pre-commit and
# users do), and ``python -m losslint`` from outside it. (``python -m`` from *inside* a project
# puts the project first on sys.path, so a project file named like a module losslint imports,
# e.g. ``tomllib.py``, would shadow it: that is Python's ``-m`` behaviour, not losslint's.)
WAYS = {
    "console-script-in-project": lambda proj: ([_script(), "check"], proj, ".", False),
    "python-m-outside": lambda proj: ([sys.executable, "-m", "losslint", "check"], proj.parent, str(proj), False),
    "console-script-diff": lambda proj: ([_script(), "check"], proj, ".", True),
}


@pytest.mark.parametrize("way", sorted(WAYS))
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_linting_never_runs_project_code(tmp_path, way, jobs):
    markers = tmp_path / "markers"
    markers.mkdir()
    proj = build_project(tmp_path, markers)
    # enough files for the parallel path with --jobs 2 (>= 16 files)
    for i in range(16):
        (proj / "mypkg" / f"extra_{i}.py").write_text(
            f"{_marker_code(markers, f'extra_{i}')}\nfrom mypkg.losses import *\n", encoding="utf-8")
    prefix, cwd, target, diff = WAYS[way](proj)
    argv = [*prefix, "--jobs", jobs, "--no-cache", *(["--diff"] if diff else ["--format", "json"]), target]
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, env=_env(), timeout=120)
    out, err = proc.stdout.decode(), proc.stderr.decode()

    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    fired = sorted(p.name for p in markers.iterdir())
    assert fired == [], f"project code ran during linting: {fired}"
    caches = sorted(str(p.relative_to(proj)) for p in proj.rglob("__pycache__"))
    assert caches == [], f"project modules were imported (bytecode written): {caches}"

    if diff:
        # --diff only proves that nothing ran; whether it prints a diff depends on the
        # cross-file fix bug (see test_fix_safety.py::test_fix_never_applies_edits_of_another_file)
        assert proc.returncode in (0, 1), (proc.returncode, out, err)
        return
    assert proc.returncode == 1, (proc.returncode, out, err)
    findings = json.loads(out)
    by_file: dict[str, list[tuple[str, int]]] = {}
    for f in findings:
        by_file.setdefault(Path(f["path"]).name, []).append((f["code"], f["line"]))
    losses = by_file.get("losses.py", [])
    codes = [c for c, _ in losses]
    src_lines = (proj / "mypkg" / "losses.py").read_text().splitlines()

    def line_of(text: str) -> int:
        return next(i for i, ln in enumerate(src_lines, 1) if text in ln)

    assert ("LL102", line_of("axis=AXIS)")) in losses, findings           # constant followed
    assert ("LL101", line_of("torch.softmax(logits, dim=-1)")) in losses, findings
    assert "LL102" in codes and len(codes) >= 2, findings
    # the helper was analysed statically with the caller's layout: a finding for helper_loss,
    # reported at the call in losses.py or at the axis in helpers.py
    helper_hits = [x for x in losses if x[1] == line_of("reduce_last(K.square(")] + by_file.get("helpers.py", [])
    assert helper_hits, findings


def test_no_exec_via_stdin(tmp_path):
    """--stdin-filename inside the project: the imported helpers are still only read."""
    markers = tmp_path / "markers"
    markers.mkdir()
    proj = build_project(tmp_path, markers)
    data = (proj / "mypkg" / "losses.py").read_bytes()
    proc = subprocess.run([_script(), "check", "--stdin-filename", "mypkg/losses.py", "--format", "json"],
                          cwd=proj, input=data, capture_output=True, env=_env(), timeout=120)
    err = proc.stderr.decode()
    assert "Traceback" not in err, err
    assert sorted(p.name for p in markers.iterdir()) == []
    assert proc.returncode == 1, (proc.stdout, err)
    assert {f["code"] for f in json.loads(proc.stdout)} >= {"LL101", "LL102"}


def test_control_the_markers_do_fire_when_the_code_runs(tmp_path):
    """Control: importing the project (what losslint must never do) does create markers, so an
    empty marker directory above really means nothing ran."""
    markers = tmp_path / "markers"
    markers.mkdir()
    proj = build_project(tmp_path, markers)
    stub = tmp_path / "stubs"
    for mod in ("torch", "keras"):       # the real frameworks need not be installed
        (stub / mod).mkdir(parents=True)
        (stub / mod / "__init__.py").write_text(
            "import sys, types\n"
            "class _Any(types.ModuleType):\n"
            "    def __getattr__(self, name):\n"
            "        if name.startswith('__'):\n"
            "            raise AttributeError(name)\n"
            "        return type(name, (), {'__init_subclass__': classmethod(lambda cls, **k: None)})\n"
            "for n in ('nn', 'backend'):\n"
            "    sys.modules[__name__ + '.' + n] = _Any(__name__ + '.' + n)\n"
            "    globals()[n] = sys.modules[__name__ + '.' + n]\n", encoding="utf-8")
    env = {**_env(), "PYTHONPATH": os.pathsep.join([str(stub), str(proj)]), "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run([sys.executable, "-c", "import mypkg.losses"], cwd=proj, env=env,
                   capture_output=True, timeout=60)
    fired = {p.name for p in markers.iterdir()}
    assert {"pkg_init", "losses_module", "helpers_module", "constants_module", "default_arg",
            "decorator_factory_body", "inline_decorator", "class_body"} <= fired, fired
