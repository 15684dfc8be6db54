"""``# noqa`` with flake8's exact semantics (SPEC section 5)."""

from __future__ import annotations

import pytest

from conftest import write_tree
from losslint.noqa import add_code, suppressed

# (line, code, suppressed?)
CASES = [
    ("x = f(a, axis=-1)", "LL102", False),  # no comment
    ("x = f(a, axis=-1)  # a comment", "LL102", False),
    ("x = f(a, axis=-1)  # noqa", "LL102", True),
    ("x = f(a, axis=-1)  # NOQA", "LL102", True),
    ("x = f(a, axis=-1)  # NoQa", "LL102", True),
    ("x = f(a, axis=-1)  # noqa because the axis is right", "LL102", True),
    ("x = f(a, axis=-1)  # noqa: LL102", "LL102", True),
    ("x = f(a, axis=-1)  # noqa:LL102", "LL102", True),  # no space
    ("x = f(a, axis=-1)  # NOQA:LL102", "LL102", True),
    ("x = f(a, axis=-1)  # noqa: LL101", "LL102", False),  # another code
    ("x = f(a, axis=-1)  # noqa: LL101,LL102", "LL102", True),
    ("x = f(a, axis=-1)  # noqa: LL101, LL102", "LL102", True),
    ("x = f(a, axis=-1)  # noqa: LL101 LL102", "LL102", True),
    ("x = f(a, axis=-1)  # noqa:LL101,,  LL102", "LL102", True),
    ("x = f(a, axis=-1)  # noqa: LL1", "LL102", True),  # a prefix
    ("x = f(a, axis=-1)  # noqa: LL1", "LL201", False),
    ("x = f(a, axis=-1)  # noqa: LL", "LL201", True),  # "LL" has no digit: blanket
    ("x = f(a, axis=-1)  # noqa: L1", "LL102", False),
    ("x = f(a, axis=-1)  # noqa: E501", "LL102", False),  # other tools' codes leave LL reported
    ("x = f(a, axis=-1)  # noqa: E501,W291", "LL102", False),
    ("x = f(a, axis=-1)  # noqa: E501,LL102", "LL102", True),
    ("x = f(a, axis=-1)  # noqa: ll102", "LL102", False),  # codes are case-sensitive in flake8
    ("x = f(a, axis=-1)  # noqa: LL102 because it is the class axis", "LL102", True),
    ("x = f(a, axis=-1)  # noqa: LL101 because LL102", "LL102", False),
    # a code list that does not parse suppresses everything on the line
    ("x = f(a, axis=-1)  # noqa: foo", "LL102", True),
    ("x = f(a, axis=-1)  # noqa : LL101", "LL102", True),
    ("x = f(a, axis=-1)  # noqa:  LL101", "LL102", True),  # two spaces
    ("x = f(a, axis=-1)  # noqa:", "LL102", True),
    ("x = f(a, axis=-1)  # noqa:,LL101", "LL102", True),
    ("x = f(a, axis=-1)  # noqa - LL101", "LL102", True),
    ("x = f(a, axis=-1)  #noqa", "LL102", False),  # flake8 needs "# noqa"
    ("x = f(a, axis=-1)  #  noqa", "LL102", False),
    ("x = f(a, axis=-1)  # type: ignore # noqa: LL102", "LL102", True),
    ("x = f(a, axis=-1)  # pragma # noqa:LL102,LL101", "LL101", True),
    ("x = f(a, axis=-1)  # nosec", "LL102", False),
    ("x = '# noqa'", "LL102", True),  # flake8 reads the physical line, strings included
    ("x = f(a, axis=-1)  # noqanything", "LL102", True),
    ("", "LL102", False),
]


@pytest.mark.parametrize("line, code, expected", CASES)
def test_suppressed(line, code, expected):
    assert suppressed(code, line) is expected


@pytest.mark.parametrize("line, code, expected", CASES)
def test_same_as_flake8(line, code, expected):
    flake8_violation = pytest.importorskip("flake8.violation")
    v = flake8_violation.Violation(code, "x.py", 1, 1, "msg", line)
    assert v.is_inline_ignored(False) is expected


@pytest.mark.parametrize(
    "line, code, expected",
    [
        ("x = f(a, axis=-1)", "LL102", "x = f(a, axis=-1)  # noqa: LL102"),
        ("x = f(a, axis=-1)   ", "LL102", "x = f(a, axis=-1)  # noqa: LL102"),
        ("x = f(a, axis=-1)  # noqa", "LL102", "x = f(a, axis=-1)  # noqa"),
        ("x = f(a, axis=-1)  # noqa: foo", "LL102", "x = f(a, axis=-1)  # noqa: foo"),
        ("x = f(a, axis=-1)  # noqa: LL102", "LL102", "x = f(a, axis=-1)  # noqa: LL102"),
        ("x = f(a, axis=-1)  # noqa: LL101", "LL102", "x = f(a, axis=-1)  # noqa: LL101, LL102"),
        ("x = f(a, axis=-1)  # noqa:LL101,E501", "LL102", "x = f(a, axis=-1)  # noqa: LL101, E501, LL102"),
        ("x = f(a, axis=-1)  # noqa: LL101 because of X", "LL102",
         "x = f(a, axis=-1)  # noqa: LL101, LL102 because of X"),
        ("x = f(a, axis=-1)  # noqa: LL101, E501  # and more", "LL102",
         "x = f(a, axis=-1)  # noqa: LL101, E501, LL102  # and more"),
        ("x = f(a, axis=-1)  # a comment", "LL102", "x = f(a, axis=-1)  # a comment  # noqa: LL102"),
    ],
)
def test_add_code(line, code, expected):
    new = add_code(line, code)
    assert new == expected
    assert suppressed(code, new)


def test_add_code_keeps_other_codes_suppressed():
    new = add_code("y = g(b)  # noqa: LL101 because reasons", "LL104")
    assert suppressed("LL101", new) and suppressed("LL104", new) and not suppressed("LL102", new)


# -- through the pipeline (read -> engine -> selection -> noqa) -----------------------------

def test_noqa_in_the_pipeline(run, tmp_path, fake_engine):
    write_tree(tmp_path, {"loss.py": (
        "def loss(y_pred):\n"
        "    a = 1  # emit: LL101\n"
        "    b = 1  # emit: LL101  # noqa\n"
        "    c = 1  # emit: LL101  # noqa:LL101\n"
        "    d = 1  # emit: LL102  # noqa: LL1\n"
        "    e = 1  # emit: LL102  # noqa: E501\n"
        "    f = 1  # emit: LL102  # noqa: foo\n"
        "    g = 1  # emit: LL102  # noqa : LL101\n"
        "    h = 1  # emit: LL102  # noqa: LL101\n"
        "    i = 1  # emit: LL102  # NOQA\n"
    )})
    r = run("--layout", "NCHW", "loss.py", cwd=tmp_path)
    assert (r.code, r.out) == (1, "loss.py:2:14: LL101 fake LL101\n"
                                  "loss.py:6:14: LL102 fake LL102\n"
                                  "loss.py:9:14: LL102 fake LL102\n")


def test_noqa_lines_follow_python_line_numbers(run, tmp_path, fake_engine):
    # a form feed is not a line break for Python: the noqa on line 3 must not be
    # looked up on another line
    write_tree(tmp_path, {"loss.py": (
        "def loss(y_pred):\n"
        "    \x0c\n"
        "    a = 1  # emit: LL101\n"
        "    b = 1  # emit: LL101  # noqa\n"
    )})
    r = run("--layout", "NCHW", "loss.py", cwd=tmp_path)
    assert (r.code, r.out) == (1, "loss.py:3:14: LL101 fake LL101\n")


def test_noqa_with_crlf_and_bom(run, tmp_path, fake_engine):
    write_tree(tmp_path, {"loss.py": (
        b"\xef\xbb\xbfdef loss(y_pred):\r\n"
        b"    a = 1  # emit: LL101  # noqa: LL101\r\n"
        b"    b = 1  # emit: LL102\r\n"
    )})
    r = run("--layout", "NCHW", "loss.py", cwd=tmp_path)
    assert (r.code, r.out) == (1, "loss.py:3:14: LL102 fake LL102\n")
