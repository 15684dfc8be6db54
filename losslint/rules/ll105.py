"""LL105 axis-out-of-range: an axis index does not exist in the tensor's layout."""

from __future__ import annotations

from . import Example, Rule
from ..events import AxisOutOfRange, AxisUse
from .common import Verdict, describe, feature_ref, out_of_range, reduction

RULE = Rule(
    code='LL105',
    name='axis-out-of-range',
    default=True,
    needs_layout=True,
    summary="an axis index does not exist in the tensor's layout",
    what=(
        "Flags an axis index that is outside the rank of the tensor's layout, such as "
        '`axis=3` on an `N C H` tensor or `dim=-5` on `N C H W`.'
    ),
    why=(
        'Either the code will crash, or (more often) the layout the code assumed is not '
        'the one the model produces: the loss was written for another rank.'
    ),
    example='# layout = "N C"\nprobs = F.softmax(logits, dim=2)  # LL105',
    fix='Use an axis that exists: `dim=1`.',
    harmless=(
        'When the declared layout is wrong for this function; declare the right one with '
        'a pragma.'
    ),
    events=(AxisUse, AxisOutOfRange),
    priority=20,
)


def check(event, scope) -> Verdict | None:
    if isinstance(event, AxisOutOfRange):
        return Verdict(f"{event.op}: axis {event.index} is out of range for {describe(event.tensor)}, "
                       f"which has {event.rank} axes")
    if event.role == "feature":
        found = feature_ref(event)
        if found is not None and found[1] is None and found[0].rank is not None:
            return out_of_range(event.op, event.text, event.tensor, event.axes)
        return None
    r = reduction(event)
    if r is not None and r.positions is None and r.bad is not None and r.layout.rank is not None:
        return out_of_range(event.op, event.text, event.tensor, r.bad)
    return None
