"""LL202 unresolved-layout: an axis-dependent operation on a tensor of unknown layout."""

from __future__ import annotations

from . import Example, Rule
from ..events import AxisUse
from .common import Verdict

RULE = Rule(
    code='LL202',
    name='unresolved-layout',
    default=False,
    needs_layout=True,
    summary='an axis-dependent operation on a tensor of unknown layout',
    what=(
        'Reports axis-dependent operations whose input layout losslint could not infer, '
        'so you can see where the analysis stopped.'
    ),
    why='Unknown is never reported by the other rules; this rule shows the blind spots.',
    example=(
        'y = some_helper(y_pred)\nreturn y.mean(dim=-1)  # LL202 if some_helper cannot be '
        'followed'
    ),
    fix='Declare the layout with a jaxtyping annotation or a pragma.',
    harmless='Always: it is informational and off by default.',
    events=(AxisUse,),
    blocking=False,
    priority=100,
)


def check(event: AxisUse, scope) -> Verdict | None:
    t = event.tensor
    if not event.informational or (t.layout is not None and t.known):
        return None
    return Verdict(f"{event.op} over {event.text}: the layout of {t.name} is unknown here, so the axis cannot be checked")
