"""LL103 batch-axis-reduction: a per-sample (Keras/TensorFlow/Theano) loss reduces the batch axis."""

from __future__ import annotations

from . import Example, Rule
from ..events import AxisUse
from ..layouts import BATCH
from .common import Verdict, describe, in_group_refs, reduction, without_batch

RULE = Rule(
    code='LL103',
    name='batch-axis-reduction',
    default=True,
    needs_layout=True,
    summary='a per-sample (Keras/TensorFlow/Theano) loss reduces the batch axis',
    what=(
        'Flags an explicit reduction over the batch axis (`axis=0`, `axis=[0, 1, 2]`) '
        'inside a loss that uses Keras, TensorFlow or Theano, or subclasses a Keras '
        '`Loss`. PyTorch and JAX losses may reduce the batch and are not reported.'
    ),
    why=(
        'Keras calls a loss per sample and applies `sample_weight`, masking and the '
        'reduction itself. A loss that already averaged the batch returns one number: '
        'sample weights and masks silently stop having any effect.'
    ),
    example=(
        '# layout = "N H W C"\ndef loss(y_true, y_pred):\n    return K.mean(K.square(y_pred '
        '- y_true), axis=[0, 1, 2])  # LL103'
    ),
    fix=(
        'Reduce every axis but the batch: `axis=[1, 2, 3]` and let Keras reduce the '
        'batch.'
    ),
    harmless=(
        'A custom training loop that never passes `sample_weight`, or a loss that is a '
        "whole-batch statistic by definition (Cohen's kappa, batch-wise contrastive or "
        'ranking losses): there is no per-sample value to weight. Add `# noqa: LL103`.'
    ),
    events=(AxisUse,),
    deferred=True,
    blocking=False,
    priority=50,
)


def check(event: AxisUse, scope) -> Verdict | None:
    """Deferred: kept by ``finish`` if the function is a per-sample loss."""
    r = reduction(event)
    if r is None or event.implicit:
        return None
    layout = r.layout
    if r.positions is None:
        if r.bad is not None and layout.rank is not None:
            return None   # out of range: LL105
        refs = in_group_refs(layout, event.axes)
        if any(ref is not None and not ref.in_group and ref.axis.role == BATCH for ref in refs):
            return Verdict(f"{event.op} over {event.text} reduces the batch axis of {describe(event.tensor)} in a "
                           "per-sample loss; sample_weight and masking stop working")
        return None
    if BATCH not in {layout.axes[p].role for p in r.reduced}:
        return None
    batch = layout.axes[layout.index_of_role(BATCH)[0]].name
    return Verdict(
        f"{event.op} over {event.text} reduces the batch axis {batch} of {describe(event.tensor)} in a "
        "per-sample loss; sample_weight and masking stop working",
        without_batch(layout, r.reduced, event.axes) if event.fixable else None,
    )


def finish(scope) -> list:
    """Keras, TensorFlow and Theano call a loss per sample: keep the findings of such a loss."""
    pending = scope.pending(RULE.code)
    return list(pending) if scope.per_sample_loss else []
