"""LL102 partial-spatial-reduction: a reduction takes some but not all spatial axes."""

from __future__ import annotations

from . import Example, Rule
from ..events import AxisUse
from ..layouts import SPATIAL
from .common import Verdict, describe, feature_tail, join, names, reduce_fix, reduction

RULE = Rule(
    code='LL102',
    name='partial-spatial-reduction',
    default=True,
    needs_layout=True,
    summary='a reduction takes some but not all spatial axes',
    what=(
        'Flags a reduction (mean, sum, max, ...) whose axes include some but not all of '
        'the spatial axes present in its input: `mean(axis=-1)` over `N C H W` reduces W '
        'and keeps H; `sum(axis=[1, 2])` over `N C H W` reduces C and H. A variadic group '
        '(`N C *spatial`) has an unknown length, so a reduction into it is never reported '
        'by this rule.'
    ),
    why=(
        'Losses written for channels-last tensors reduce the last axis as the feature '
        'axis. On a channels-first tensor the same code averages over the width, so '
        'per-sample weights, masks, a following `sqrt` (RMSE) or a per-class dice are '
        'computed over the wrong axes.'
    ),
    example=(
        '# layout = "N C H W"\ndef mean_squared_error(y_true, y_pred):\n    return '
        'K.mean(K.square(y_pred - y_true), axis=-1)  # LL102: reduces W, keeps H'
    ),
    fix=(
        'Reduce the feature axis (`axis=1`) or every spatial axis (`axis=[2, 3]`). '
        'losslint offers the axes the code meant under the mirrored layout (channels-last '
        '<-> channels-first) when that reading is consistent.'
    ),
    harmless=(
        'Intentional marginal statistics (a per-row profile over one spatial axis). Mark '
        'the line with `# noqa: LL102` and say why.'
    ),
    events=(AxisUse,),
    priority=70,
)


def check(event: AxisUse, scope) -> Verdict | None:
    r = reduction(event)
    if r is None or r.positions is None or (event.implicit and event.builtin):
        return None
    layout = r.layout
    if layout.variadic_index is not None:
        return None
    # spatial components: a merged axis (H*W, W*C) counts with the spatial axes inside it
    present = [c for a in layout.axes for c in a.components() if c.role == SPATIAL]
    taken = [c for p in r.reduced for c in layout.axes[p].components() if c.role == SPATIAL]
    if not taken or len(taken) >= len(present):
        return None
    kept = [c.name for c in present if c not in taken]
    merged_axes = any(a.parts for a in layout.axes)
    fix = None if merged_axes or not event.fixable else reduce_fix(layout, event.axes, r.reduced)
    return Verdict(
        f"{event.op} over {event.text} reduces {names(layout, r.reduced)} of {describe(event.tensor)} but keeps "
        f"{join(kept)}{feature_tail(layout, event.keyword)}",
        fix,
    )
