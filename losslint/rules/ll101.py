"""LL101 feature-op-wrong-axis: a feature/class-axis operation runs along another axis."""

from __future__ import annotations

from . import Example, Rule
from ..events import AxisUse, ClassInsert
from ..layouts import BATCH, SPATIAL
from ..values import is_unknown
from .common import Verdict, describe, feature_ref, hits_feature, relative

RULE = Rule(
    code='LL101',
    name='feature-op-wrong-axis',
    default=True,
    needs_layout=True,
    summary='a feature/class-axis operation runs along another axis',
    what=(
        'Flags operations that must run along the feature (channel, class) axis, written '
        'with an explicit axis that resolves to another axis: softmax, log_softmax, '
        "argmax/argmin, categorical cross-entropy with an axis, l2-normalize, one_hot's "
        'axis, top-k, and `scatter_(dim, index, 1)` of a constant (a one-hot encoding '
        'built by hand).'
    ),
    why=(
        '`softmax(logits, dim=-1)` on `N C H W` segmentation logits normalises each row '
        'of pixels over the width instead of each pixel over the classes. Nothing '
        'crashes; every probability downstream is wrong.'
    ),
    example='# layout = "N C H W"\nprobs = torch.softmax(logits, dim=-1)  # LL101: -1 is W',
    fix=(
        'Use the feature axis of the declared layout: `torch.softmax(logits, dim=1)`. The '
        'fix is offered when the intended axis is unambiguous.'
    ),
    harmless=(
        'When the tensor is not what the declared layout says (for example logits already '
        'permuted to channels-last in a way losslint could not follow). Declare the '
        'layout with a pragma or an annotation, or add `# noqa: LL101`.'
    ),
    events=(AxisUse, ClassInsert),
    priority=30,
)


def check(event, scope) -> Verdict | None:
    if isinstance(event, ClassInsert):
        pred, pos = event.pred, event.position
        fi = pred.feature_index()
        return Verdict(
            f"one_hot puts the class axis at {event.text}, where the prediction layout ({pred}) has "
            f"{pred.axes[pos].name}; its feature axis is {pred.axes[fi].name} ({event.keyword}={fi})",
            fi,
        )
    found = feature_ref(event)
    if found is None or event.fixed or event.implicit:
        return None
    layout, ref = found
    if ref is None or is_unknown(ref.axis) or hits_feature(ref):
        return None
    fi = layout.feature_index()
    hit = "a spatial axis" if ref.in_group else ref.axis.name
    if fi is None:
        swallowed = layout.merged_feature()
        if swallowed is None or ref.axis.parts or ref.axis.role not in (SPATIAL, BATCH):
            return None   # no feature axis to compare with
        return Verdict(f"{event.op} over {event.text} runs along {hit} of {describe(event.tensor)}; the "
                       f"feature axis is inside {swallowed.name}")
    fix = relative(layout, fi)
    return Verdict(
        f"{event.op} over {event.text} runs along {hit} of {describe(event.tensor)}, not the feature axis "
        f"{layout.axes[fi].name} ({event.keyword}={fix})",
        fix,
    )
