"""Layout strings and axis roles (SPEC section 2)."""

from __future__ import annotations

import pytest

from losslint.layouts import (
    BATCH, FEATURE, OTHER, SPATIAL, Axis, AxisRef, Layout, LayoutError, axis_names, mirror,
    parse_layout, role_of,
)

B, F, S, O = BATCH, FEATURE, SPATIAL, OTHER


def shape(layout: Layout) -> list[tuple[str, str]]:
    return [(str(a), a.role) for a in layout.axes]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("N C H W", [("N", B), ("C", F), ("H", S), ("W", S)]),
        ("NCHW", [("N", B), ("C", F), ("H", S), ("W", S)]),
        ("NHWC", [("N", B), ("H", S), ("W", S), ("C", F)]),
        ("NCDHW", [("N", B), ("C", F), ("D", S), ("H", S), ("W", S)]),
        ("NTC", [("N", B), ("T", S), ("C", F)]),
        ("NC", [("N", B), ("C", F)]),
        ("C", [("C", F)]),
        ("batch channels height width", [("batch", B), ("channels", F), ("height", S), ("width", S)]),
        ("batch classes h w", [("batch", B), ("classes", F), ("h", S), ("w", S)]),
        ("batch_size seq hidden", [("batch_size", B), ("seq", S), ("hidden", F)]),
        ("B T embedding", [("B", B), ("T", S), ("embedding", F)]),
        ("b steps features", [("b", B), ("steps", S), ("features", F)]),
        ("N time embed", [("N", B), ("time", S), ("embed", F)]),
        ("N class depth length", [("N", B), ("class", F), ("depth", S), ("length", S)]),
        ("N channel X Y Z", [("N", B), ("channel", F), ("X", S), ("Y", S), ("Z", S)]),
        ("N feature L", [("N", B), ("feature", F), ("L", S)]),
        ("N K S", [("N", B), ("K", F), ("S", S)]),
        ("N F", [("N", B), ("F", F)]),
        ("B T V", [("B", B), ("T", S), ("V", O)]),
        ("N 1 H W", [("N", B), ("1", O), ("H", S), ("W", S)]),
        ("N C *spatial", [("N", B), ("C", F), ("*spatial", S)]),
        ("N C ...", [("N", B), ("C", F), ("...", S)]),
        ("N *dims C", [("N", B), ("*dims", S), ("C", F)]),
        ("channels_first", [("N", B), ("C", F), ("*spatial", S)]),
        ("channels_last", [("N", B), ("*spatial", S), ("C", F)]),
        ("  N C H W  ", [("N", B), ("C", F), ("H", S), ("W", S)]),
        ("N\tC", [("N", B), ("C", F)]),
        ("n c h w", [("n", B), ("c", F), ("h", S), ("w", S)]),
        ("N foo H", [("N", B), ("foo", O), ("H", S)]),
    ],
)
def test_parse_forms_and_roles(text, expected):
    assert shape(parse_layout(text)) == expected


def test_integer_entry_is_sized_other_axis():
    lay = parse_layout("N 1 H W")
    assert lay.axes[1] == Axis("1", OTHER, 1, False)
    assert lay.feature_index() is None
    # several size-1 axes are fine (they are not named axes that could clash)
    assert [a.size for a in parse_layout("N 1 1 W").axes] == [None, 1, 1, None]


def test_compact_equals_spaced():
    assert parse_layout("NCHW") == parse_layout("N C H W")
    assert parse_layout("channels_last") == parse_layout("N *spatial C")
    assert parse_layout("NCHW").source == "NCHW"


def test_rank_and_str():
    assert parse_layout("N C H W").rank == 4
    assert len(parse_layout("N C H W")) == 4
    assert parse_layout("N C *spatial").rank is None
    assert parse_layout("N C ...").rank is None
    assert str(parse_layout("NCHW")) == "N C H W"
    assert str(parse_layout("channels_first")) == "N C *spatial"
    assert str(parse_layout("N C ...")) == "N C ..."
    assert str(Layout.of("N", "C")) == "N C"


def test_feature_index():
    assert parse_layout("N C H W").feature_index() == 1
    assert parse_layout("N H W C").feature_index() == 3
    assert parse_layout("N H W").feature_index() is None
    assert parse_layout("channels_last").feature_index() == 2
    assert parse_layout("N C *s").index_of_role(SPATIAL) == []  # a variadic group has no index


@pytest.mark.parametrize(
    "name, role",
    [("N", B), ("batch", B), ("BATCH_SIZE", B), ("Classes", F), ("HIDDEN", F), ("embed", F),
     ("Width", S), ("SEQ", S), ("t", S), ("v", O), ("vocab", O), ("1", O), ("", O)],
)
def test_role_of_is_case_insensitive(name, role):
    assert role_of(name) == role


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "a layout cannot be empty"),
        ("   ", "a layout cannot be empty"),
        ("NC*H", "'NC*H' is neither space-separated axis names (\"N C H W\") nor the compact form "
                 "of upper-case letters (\"NCHW\")"),
        ("N-C", "'N-C' is neither space-separated axis names (\"N C H W\") nor the compact form "
                "of upper-case letters (\"NCHW\")"),
        ("N C C W", "axis 'C' appears twice"),
        ("N c C", "axis 'C' appears twice"),
        ("NCHH", "axis 'H' appears twice"),
        ("N C *a *b", "a layout can have at most one variadic group"),
        ("N ... *s", "a layout can have at most one variadic group"),
        ("N C *", "bad variadic group '*': expected '*name' or '...'"),
        ("N C *1x", "bad variadic group '*1x': expected '*name' or '...'"),
        ("N C H-W", "bad axis name 'H-W': expected a name, an integer, '*name' or '...'"),
        ("N C 2.5", "bad axis name '2.5': expected a name, an integer, '*name' or '...'"),
        ("N C -1", "bad axis name '-1': expected a name, an integer, '*name' or '...'"),
        ("N B C", "'N B C' has more than one batch axis"),
        ("N C K", "'N C K' has more than one feature axis; set feature-axis"),
        ("N classes channels", "'N classes channels' has more than one feature axis; set feature-axis"),
    ],
)
def test_malformed_layouts(text, message):
    with pytest.raises(LayoutError) as info:
        parse_layout(text)
    assert str(info.value) == message


@pytest.mark.parametrize("value", [None, 3, ["N", "C"], b"NCHW"])
def test_non_string_layout(value):
    with pytest.raises(LayoutError, match=r'^a layout must be a string such as "N C H W"$'):
        parse_layout(value)


def test_layout_error_is_value_error():
    assert issubclass(LayoutError, ValueError)


# -- role overrides (batch-axis / feature-axis) -------------------------------------------

def test_feature_axis_override_moves_the_role():
    lay = parse_layout("N C H W", feature_axis="H")
    assert shape(lay) == [("N", B), ("C", O), ("H", F), ("W", S)]
    assert lay.feature_index() == 2


def test_batch_axis_override_moves_the_role():
    lay = parse_layout("S C H W", batch_axis="s")  # case-insensitive
    assert shape(lay) == [("S", B), ("C", F), ("H", S), ("W", S)]
    lay = parse_layout("N C H W", batch_axis="H")
    assert shape(lay) == [("N", O), ("C", F), ("H", B), ("W", S)]


def test_override_settles_two_default_feature_axes():
    assert shape(parse_layout("N C K", feature_axis="K")) == [("N", B), ("C", O), ("K", F)]
    assert shape(parse_layout("N B C", batch_axis="B")) == [("N", O), ("B", B), ("C", F)]


def test_override_must_name_an_axis():
    with pytest.raises(LayoutError) as info:
        parse_layout("N C H", feature_axis="Q")
    assert str(info.value) == "feature-axis = 'Q' is not an axis of 'N C H' (axes: N, C, H)"
    with pytest.raises(LayoutError) as info:
        parse_layout("N C *s", batch_axis="s")
    assert str(info.value) == "batch-axis = 's' is not an axis of 'N C *s' (axes: N, C)"


def test_with_roles_without_overrides_is_identity():
    lay = parse_layout("N C H W")
    assert lay.with_roles() is lay


def test_axis_names():
    assert axis_names("N C *spatial") == {"n", "c"}
    assert axis_names("NCHW") == {"n", "c", "h", "w"}
    assert axis_names("N C K") == {"n", "c", "k"}
    assert axis_names("channels_last") == {"n", "c"}
    with pytest.raises(LayoutError):
        axis_names("")


# -- resolving hard-coded indices -----------------------------------------------------------

def ref(layout: str, index: int):
    r = parse_layout(layout).resolve(index)
    return None if r is None else (str(r.axis), r.position, r.in_group, r.offset)


@pytest.mark.parametrize(
    "index, expected",
    [(0, ("N", 0, False, 0)), (1, ("C", 1, False, 0)), (3, ("W", 3, False, 0)),
     (-1, ("W", 3, False, 0)), (-4, ("N", 0, False, 0)), (4, None), (-5, None), (99, None)],
)
def test_resolve_fixed_rank(index, expected):
    assert ref("N C H W", index) == expected


@pytest.mark.parametrize(
    "layout, index, expected",
    [
        ("N C *spatial", 0, ("N", 0, False, 0)),
        ("N C *spatial", 1, ("C", 1, False, 0)),
        ("N C *spatial", 2, ("*spatial", 2, True, 0)),
        ("N C *spatial", 3, ("*spatial", 2, True, 1)),
        ("N C *spatial", -1, ("*spatial", 2, True, -1)),  # counts from the right in the group
        ("N C *spatial", -2, ("*spatial", 2, True, -2)),
        ("N *spatial C", -1, ("C", 2, False, 0)),
        ("N *spatial C", -2, ("*spatial", 1, True, -1)),
        ("N *spatial C", 0, ("N", 0, False, 0)),
        ("N *spatial C", 1, ("*spatial", 1, True, 0)),
        ("N ... C", -3, ("...", 1, True, -2)),
    ],
)
def test_resolve_variadic(layout, index, expected):
    assert ref(layout, index) == expected


def test_resolve_returns_axisref():
    r = parse_layout("NHWC").resolve(-1)
    assert r == AxisRef(Axis("C", FEATURE), 3, False, 0)


# -- channels-first <-> channels-last ------------------------------------------------------

@pytest.mark.parametrize(
    "layout, expected",
    [
        ("N C H W", "N H W C"),
        ("N H W C", "N C H W"),
        ("N C D H W", "N D H W C"),
        ("N T C", "N C T"),
        ("N C *spatial", "N *spatial C"),
        ("N *spatial C", "N C *spatial"),
        ("N C", "N C"),
        ("C H W", "H W C"),
        ("N H C W", None),  # the feature axis is at neither end
        ("N H W", None),  # no feature axis
    ],
)
def test_mirror(layout, expected):
    m = mirror(parse_layout(layout))
    assert (None if m is None else str(m)) == expected
    if m is not None:
        assert mirror(m) == parse_layout(layout)
