"""LL201 hard-coded-axis: any hard-coded axis in a loss."""

from __future__ import annotations

from . import Example, Rule
from ..events import AxisUse
from .common import Verdict, describe, names, resolve_positions

RULE = Rule(
    code='LL201',
    name='hard-coded-axis',
    default=False,
    needs_layout=True,
    summary='any hard-coded axis in a loss',
    what=(
        'Reports every hard-coded axis in a loss function and suggests an axis derived '
        'from the declared layout.'
    ),
    why=(
        'A hard-coded axis is correct for one layout only; code shared between '
        'channels-first and channels-last models should derive its axes.'
    ),
    example='return K.mean(K.square(y_pred - y_true), axis=-1)',
    fix='Derive the axis: `axis=1 if K.image_data_format() == "channels_first" else -1`.',
    harmless='Projects with a single, fixed layout. This rule is off by default.',
    events=(AxisUse,),
    blocking=False,
    priority=90,
)


def check(event: AxisUse, scope) -> Verdict | None:
    t = event.tensor
    if not event.informational or not event.literal or t.layout is None or not t.known:
        return None
    positions, _ = resolve_positions(t.layout, event.axes)
    if not positions:
        return None
    return Verdict(
        f"{event.op} hard-codes {event.text} ({names(t.layout, set(positions))} of {describe(t)}); derive it from the layout "
        "(e.g. `1 if K.image_data_format() == \"channels_first\" else -1`) so it follows the model",
    )
