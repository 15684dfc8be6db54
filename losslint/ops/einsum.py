"""``einsum`` subscripts and einops patterns: the letters name the axes, so layouts flow
through exactly; the input letters a pattern drops are reduced (an ``AxisUse`` with role
"pattern", judged like a reduction but without a fix)."""

from __future__ import annotations

from ..apis import PatternReduce
from ..events import AxisUse
from ..layouts import Axis
from ..values import ONE, UNKNOWN, Const, Tensor, is_unknown, make, merged, unknown_axis
from .base import BoundCall, name_of, unknown


def einsum(ip, call: BoundCall):
    positional = call.positional
    if positional and isinstance(positional[0], Const) and isinstance(positional[0].value, str):
        spec = positional[0].value.replace(" ", "")
        if "->" in spec and "." not in spec:
            ins, out = spec.split("->")
            for sub, op in zip(ins.split(","), positional[1:]):
                if isinstance(op, Tensor):
                    pattern_reduction(ip, call.node, "einsum", op, f"{' '.join(sub)} -> {' '.join(out)}", None)
                    break
    return _einsum(positional)


def _einsum(positional):
    if not positional or not isinstance(positional[0], Const) or not isinstance(positional[0].value, str):
        return Tensor(None) if any(isinstance(p, Tensor) for p in positional) else UNKNOWN
    spec = positional[0].value.replace(" ", "")
    operands = positional[1:]
    if "->" not in spec or "." in spec:
        return Tensor(None, name_of(*operands))
    ins, out = spec.split("->")
    letters: dict[str, Axis] = {}
    names = ins.split(",")
    if len(names) != len(operands):
        return Tensor(None, name_of(*operands))
    for sub, op in zip(names, operands):
        if not isinstance(op, Tensor) or op.layout is None or op.layout.rank != len(sub):
            continue
        for ch, ax in zip(sub, op.layout.axes):
            if ch in letters and ax.size != 1 and letters[ch].size != 1 and not is_unknown(ax) \
                    and not is_unknown(letters[ch]) and ax.name != letters[ch].name:
                return Tensor(None, name_of(*operands))
            if ch not in letters or letters[ch].size == 1:
                letters[ch] = ax
    if not all(ch in letters for ch in out):
        return Tensor(None, name_of(*operands))
    return Tensor(make(letters[ch] for ch in out), name_of(*operands))


def einops(ip, call: BoundCall):
    """``einops.rearrange`` / ``repeat`` / ``reduce``."""
    a = call.arg(call.api.pattern)
    tensors = call.tensors
    t = tensors[0] if tensors else None
    if isinstance(t, Tensor) and a is not None and isinstance(a[0], Const) and isinstance(a[0].value, str):
        result = rearrange(ip, t, a[0].value, call.node)
        if isinstance(call.api, PatternReduce):
            pattern_reduction(ip, call.node, "reduce", t, a[0].value, a[1])
        return result
    return Tensor(None, getattr(t, "name", "tensor"))


def pattern_reduction(ip, node, label, t: Tensor, pattern: str, arg_node) -> None:
    """The input axes whose letters are not in the output are reduced."""
    if t.layout is None or t.layout.variadic_index is not None or "->" not in pattern:
        return
    left, right = pattern.split("->")
    lt, rt = tokens(left.strip()), tokens(right.strip())
    if lt is None or rt is None or "..." in lt or any(isinstance(x, list) for x in lt) or len(lt) != len(t.layout.axes):
        return
    kept = {x for tok in rt for x in (tok if isinstance(tok, list) else [tok])}
    positions = tuple(i for i, tok in enumerate(lt) if tok not in kept)
    if not positions:
        return
    ip.emit(AxisUse(site=node, arg=arg_node, op=label, role="pattern", tensor=t, axes=positions,
                    text=f"pattern {pattern.strip()!r}", keyword="axis", fixable=False, trace=False))


def rearrange(ip, t: Tensor, pattern: str, node):
    if "->" not in pattern or t.layout is None or t.layout.variadic_index is not None:
        return unknown(t)
    left, right = (s.strip() for s in pattern.split("->"))
    lt = tokens(left)
    rt = tokens(right)
    if lt is None or rt is None:
        return unknown(t)
    axes = list(t.layout.axes)
    binding: dict[str, Axis] = {}
    if "..." in lt:
        i = lt.index("...")
        n_fixed = len(lt) - 1
        if len(axes) < n_fixed:
            return unknown(t)
        ell = axes[i:len(axes) - (n_fixed - i)]
        lt2 = lt[:i] + [("...", k) for k in range(len(ell))] + lt[i + 1:]
    else:
        lt2 = lt
    if len(lt2) != len(axes):
        return unknown(t)
    for tok, ax in zip(lt2, axes):
        if isinstance(tok, list):
            return unknown(t)  # a composed input axis: unknown split
        binding[str(tok)] = ax
    out: list[Axis] = []
    for tok in rt:
        if tok == "...":
            out.extend(binding[str(("...", k))] for k in range(sum(1 for key in binding if key.startswith("('...'"))))
        elif isinstance(tok, list):
            parts = [binding.get(x) for x in tok]
            out.append(merged(parts) if all(parts) else unknown_axis())
        elif tok in binding:
            out.append(binding[tok])
        elif tok.isdigit() and tok == "1":
            out.append(ONE)
        else:
            out.append(unknown_axis())
    result = make(out)
    return t.with_layout(result, ip.step(node, t, result))


def tokens(side: str):
    out: list = []
    group = None
    for tok in side.replace("(", " ( ").replace(")", " ) ").split():
        if tok == "(":
            if group is not None:
                return None
            group = []
        elif tok == ")":
            if group is None:
                return None
            out.append(group)
            group = None
        elif group is not None:
            group.append(tok)
        else:
            out.append(tok)
    return out if group is None else None
