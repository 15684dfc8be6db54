"""LL106 implicit-axis: a built-in loss or op whose default axis is not the feature axis."""

from __future__ import annotations

from . import Example, Rule
from ..events import AxisUse
from ..layouts import BATCH, SPATIAL
from ..values import is_unknown
from .common import (Verdict, describe, feature_ref, hits_feature, in_group_refs, names, reduction,
                     relative)

RULE = Rule(
    code='LL106',
    name='implicit-axis',
    default=True,
    needs_layout=True,
    summary='a built-in loss or op whose default axis is not the feature axis',
    what=(
        'Flags a call that relies on a default axis which resolves to a non-feature axis: '
        '`keras.losses.mean_squared_error` and `categorical_crossentropy` (axis -1), '
        '`compile(loss="mse")`, `tf.nn.softmax(x)`, `optax.softmax_cross_entropy` (axis '
        '-1), or `F.cross_entropy` / `nn.CrossEntropyLoss` (class axis 1) on a '
        'channels-last layout.'
    ),
    why=(
        'The default is invisible in the code: the reader sees no axis and assumes the '
        "right one. Keras and JAX defaults assume channels-last; PyTorch's cross-entropy "
        'assumes channels-first.'
    ),
    example=(
        '# layout = "N C H W"\nmodel.compile(loss="categorical_crossentropy")  # LL106: '
        'axis=-1 is W'
    ),
    fix=(
        'Pass the axis explicitly (`keras.losses.CategoricalCrossentropy(axis=1)`, '
        '`tf.nn.softmax(x, axis=1)`), or move the class axis (`logits.permute(0, 3, 1, '
        '2)` before `F.cross_entropy`).'
    ),
    harmless=(
        'When the declared layout is wrong for this call; declare the right one with a '
        'pragma.'
    ),
    events=(AxisUse,),
    priority=40,
)


def check(event: AxisUse, scope) -> Verdict | None:
    if event.role == "feature":
        return _feature(event)
    if not (event.implicit and event.builtin):
        return None
    r = reduction(event)
    if r is None:
        return None
    layout = r.layout
    fi = layout.feature_index()
    if fi is None:
        return None
    if r.positions is None:
        if r.bad is not None and layout.rank is not None:
            return None   # out of range: LL105
        if any(ref is not None and ref.in_group for ref in in_group_refs(layout, event.axes)):
            return Verdict(f"{event.op} reduces its default {event.text}, which is a spatial axis of "
                           f"{describe(event.tensor)}, not the feature axis {layout.axes[fi].name}")
        return None
    if r.reduced == {fi}:
        return None
    return Verdict(
        f"{event.op} reduces its default {event.text}, which is {names(layout, r.reduced)} of "
        f"{describe(event.tensor)}, not the feature axis {layout.axes[fi].name} ({event.keyword}={fi})"
    )


def _feature(event: AxisUse) -> Verdict | None:
    if not (event.fixed or event.implicit):
        return None
    found = feature_ref(event)
    if found is None:
        return None
    layout, ref = found
    if ref is None or is_unknown(ref.axis) or hits_feature(ref):
        return None
    fi = layout.feature_index()
    hit = "a spatial axis" if ref.in_group else ref.axis.name
    t = describe(event.tensor)
    if fi is None:
        swallowed = layout.merged_feature()
        if swallowed is None or ref.axis.parts or ref.axis.role not in (SPATIAL, BATCH):
            return None
        return Verdict(f"{event.op} over {event.text} runs along {hit} of {t}; the "
                       f"feature axis is inside {swallowed.name}")
    feat = layout.axes[fi]
    if event.fixed:
        return Verdict(f"{event.op} takes the class axis at {event.axes}, which is {hit} of {t}; the feature "
                       f"axis {feat.name} is at {fi} (move it first, e.g. with permute/movedim)")
    fix = relative(layout, fi)
    return Verdict(f"{event.op} runs along its default {event.text}, which is {hit} of {t}, not the "
                   f"feature axis {feat.name} ({event.keyword}={fix})", fix)
