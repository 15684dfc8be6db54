"""LL107 inconsistent-feature-axis: feature-axis operations use two different axes of one tensor."""

from __future__ import annotations

from . import Example, Rule
from ..events import ClassAxis
from ..values import normalize
from .common import Verdict

RULE = Rule(
    code='LL107',
    name='inconsistent-feature-axis',
    default=True,
    needs_layout=False,
    summary='feature-axis operations use two different axes of one tensor',
    what=(
        'Needs no declared layout. Within one function, flags operations that must run '
        "along the feature/class axis (LL101's list, plus `gather`, `take_along_axis` and "
        '`nll_loss`-style class indexing) when they use two provably different axes of '
        'the same tensor (following permutes and reshapes). `1` and `-1` are only '
        'different when the rank is known to be 3 or more.'
    ),
    why=(
        'Only one of the two can be the class axis, so one of the two operations is '
        "wrong, whatever the model's layout is."
    ),
    example=(
        'logp = F.log_softmax(logits, dim=-1)       # rank 3: (B, T, V)\nb, t, v = '
        'logits.shape\nnll = -logp.gather(1, target.unsqueeze(1))  # LL107: class axis 1 '
        'here, -1 above'
    ),
    fix='Use the same axis for both: `logp.gather(-1, target.unsqueeze(-1))`.',
    harmless=(
        'When the two operations are meant for two different tensors that share a '
        'variable name; rename one.'
    ),
    events=(ClassAxis,),
    priority=80,
)


def check(event: ClassAxis, scope) -> None:
    """Remember the use; ``finish`` compares the uses of each tensor."""
    t = event.tensor
    if t.root is not None and isinstance(event.axis, int) and not isinstance(event.axis, bool):
        scope.scratch(RULE.code).append((event, scope.statement))
    return None


def finish(scope) -> list:
    first: dict[int, tuple] = {}
    out = []
    for event, where in scope.scratch(RULE.code):
        root, perm = event.tensor.root, event.tensor.perm
        key = _root_axis(root, perm, event.axis)
        if key is None:
            continue
        seen = first.get(id(root))
        if seen is None:
            first[id(root)] = (key, event)
            continue
        other_key, other = seen
        if _differ(key, other_key):
            verdict = Verdict(f"{event.op} uses axis {event.axis} of {root.name} as the class axis, but "
                              f"`{scope.code(other.site)}` uses axis {other.axis}; only one of them can be the class axis")
            out.append(scope.candidate(RULE, verdict, event, where))
    return out


def _root_axis(root, perm, axis: int):
    """The root axis a class-axis use hits: ("abs", i) when the rank is known, else ("raw", axis)."""
    if perm is not None:
        p = normalize(axis, len(perm))
        return ("abs", perm[p]) if p is not None else None
    if root.rank is not None:
        p = normalize(axis, root.rank)
        return ("abs", p) if p is not None else None
    return ("raw", axis)


def _differ(a, b) -> bool:
    if a[0] == "abs" and b[0] == "abs":
        return a[1] != b[1]
    if a[0] == "raw" and b[0] == "raw":
        return (a[1] < 0) == (b[1] < 0) and a[1] != b[1]
    return False
