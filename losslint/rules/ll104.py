"""LL104 layout-mismatch: an elementwise operation pairs different named axes."""

from __future__ import annotations

from . import Example, Rule
from ..events import Broadcast, IndexAlongside
from ..values import is_unknown
from .common import Verdict, describe

RULE = Rule(
    code='LL104',
    name='layout-mismatch',
    default=True,
    needs_layout=True,
    summary='an elementwise operation pairs different named axes',
    what=(
        'Flags an elementwise operation (`+ - * /`, `where`, `maximum`, ...) whose '
        'operands have known layouts that broadcasting (right-aligned) pairs '
        'inconsistently: two different named axes in one position (`N C H W` times `N H W '
        'C`; a `(C,)` class-weight vector times `N C H W` pairs C with W), or the same '
        'axis twice in the result (an `(N,)` tensor against an `(N, 1)` one gives an `N x '
        'N` outer product). Size-1 axes and unknown axes broadcast silently. Also '
        '`gather(dim, index)` whose index does not follow the input on the other axes '
        '(`target.unsqueeze(1)`, `N 1 H W`, as the index of `N H W C` log-probabilities '
        'along -1). An outer product of one tensor with itself (`x[:, None] - x[None, '
        ':]`, `labels == labels.T`) is taken as intended.'
    ),
    why=(
        'When the sizes happen to agree (C == W, or a square image) broadcasting succeeds '
        'and the product mixes classes with pixels. When they differ, the crash comes at '
        'run time, far from the line that caused it.'
    ),
    example=(
        '# layout = "N C H W", target-layout = "N H W C"\nloss = -(y_true * '
        'torch.log(y_pred))  # LL104'
    ),
    fix=(
        'Bring both operands to one layout first: `y_true.permute(0, 3, 1, 2)`, or '
        '`weight[None, :, None, None]` for a class-weight vector.'
    ),
    harmless='Never when both layouts are right; if one is declared wrongly, fix the config.',
    events=(Broadcast, IndexAlongside),
    priority=60,
)


def check(event, scope) -> Verdict | None:
    if isinstance(event, IndexAlongside):
        return _index(event)
    a, b, mismatch = event.left, event.right, event.mismatch
    if mismatch.duplicate is not None:
        return Verdict(f"`{event.op}` of {describe(a)} and {describe(b)} broadcasts to a result with "
                       f"{mismatch.duplicate.name} twice (an outer product)")
    return Verdict(f"`{event.op}` pairs {mismatch.left.name} of {describe(a)} with {mismatch.right.name} of {describe(b)}")


def _index(event: IndexAlongside) -> Verdict | None:
    """``gather(dim, index)``: the index has the input's rank and, on every other axis, the
    same axes (or size 1). ``x.gather(-1, target.unsqueeze(1))`` on ``N H W C`` logits puts
    the target's ``N 1 H W`` against ``N H W C``: H of the index meets W of the input."""
    t, index, dim = event.tensor, event.index, event.dim
    a, b = t.layout, index.layout
    if a is None or b is None or not t.known or not index.known or a.variadic_index is not None \
            or b.variadic_index is not None or a.rank != b.rank:
        return None
    pos = a.rank + dim if dim < 0 else dim
    for d, (x, y) in enumerate(zip(a.axes, b.axes)):
        if d == pos or y.size == 1 or is_unknown(x) or is_unknown(y) or x.name == y.name:
            continue
        return Verdict(f"`{event.op}` pairs {y.name} of the index {describe(index)} with {x.name} of "
                       f"{describe(t)} (the index must follow the input on every axis but dim={dim})")
    return None
