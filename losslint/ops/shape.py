"""Shape operations: permute, swap, moveaxis, reverse (``.T``), reshape/view, flatten,
expand_dims/unsqueeze, squeeze. The result's axes are the input's, moved, merged, added or
removed; a permuted tensor keeps its identity for LL107 (``root`` and ``perm``). An axis the
input lacks is an ``AxisOutOfRange`` event (LL105)."""

from __future__ import annotations

from dataclasses import replace

from ..apis import Expand, Flatten, MoveAxis, Permute, Reshape, Reverse, Squeeze, Swap
from ..events import AxisOutOfRange
from ..layouts import Axis
from ..values import ONE, UNKNOWN, Const, Dim, Seq, Tensor, const_axes, is_unknown, make, merged, normalize, with_rank
from .base import BoundCall, single_input, unknown


def _main(api):
    if isinstance(api, Permute):
        return api.perm
    if isinstance(api, Swap):
        return api.first
    if isinstance(api, MoveAxis):
        return api.source
    if isinstance(api, Reshape):
        return api.shape
    if isinstance(api, Flatten):
        return api.start
    if isinstance(api, (Expand, Squeeze)):
        return api.axis
    return None


def _second(api):
    if isinstance(api, Swap):
        return api.second
    if isinstance(api, MoveAxis):
        return api.destination
    if isinstance(api, Flatten):
        return api.end_axis
    return None


def handle(ip, call: BoundCall):
    t = single_input(ip, call)
    if t is None:
        return UNKNOWN
    api = call.api
    a = call.arg(_main(api))
    layout = t.layout
    positional = call.positional
    numpy_transpose = isinstance(api, Swap) and api.numpy_method and call.method
    if layout is None or layout.variadic_index is not None:
        kind = Permute if numpy_transpose and len(positional) > 2 else type(api)
        if kind in (Permute, Swap, MoveAxis) and t.root is not None:
            rank = layout.rank if layout is not None else (t.root.rank if t.perm is None else len(t.perm))
            order = _order(call, kind, a, rank)
            if order is not None:
                return track_perm(Tensor(None, t.name, t.steps), t, order)
        if isinstance(api, Reshape):
            shape = _shape_arg(call, a)
            if shape is not None:
                return t.with_layout(with_rank(len(shape)))
        return unknown(t)
    axes = list(layout.axes)
    rank = len(axes)
    kind = type(api)
    if numpy_transpose and len(positional) != 2:
        kind = Permute if positional else Reverse   # numpy's x.transpose(perm)
    bad = _out_of_range(call, kind, a, rank) if t.known else None
    if bad is not None:
        op_text, index = bad
        arg = a[1] if a is not None and kind is not Permute else None
        ip.emit(AxisOutOfRange(site=call.node, arg=arg, op=op_text, tensor=t, index=index, rank=rank))
        return unknown(t)
    new: list[Axis] | None = None
    if kind in (Permute, Reverse, Swap, MoveAxis):
        order = _order(call, kind, a, rank)
        if order is None:
            return unknown(t)
        result = make(axes[p] for p in order)
        out = t.with_layout(result, ip.step(call.node, t, result))
        return t.reshaped(track_perm(out, t, order))
    if kind is Flatten:
        start = const_axes(a[0]) if a else api.start.default
        b = call.arg(api.end_axis)
        end = const_axes(b[0]) if b else api.end_axis.default
        if not isinstance(start, int) or not isinstance(end, int):
            return unknown(t)
        s, e = normalize(start, rank), normalize(end, rank)
        if s is None or e is None or s > e:
            return unknown(t)
        new = axes[:s] + [merged(axes[s:e + 1])] + axes[e + 1:]
    elif kind is Expand:
        default = api.axis.default
        idx = const_axes(a[0]) if a else (default if isinstance(default, int) else None)
        if not isinstance(idx, int):
            return unknown(t)
        pos = normalize(idx, rank + 1)
        if pos is None:
            return unknown(t)
        new = axes[:pos] + [ONE] + axes[pos:]
    elif kind is Squeeze:
        if a is None:
            if any(is_unknown(ax) for ax in axes):
                return unknown(t)
            new = [ax for ax in axes if ax.size != 1]
        else:
            idx = const_axes(a[0])
            idxs = (idx,) if isinstance(idx, int) else idx
            if not idxs:
                return unknown(t)
            pos = {normalize(i, rank) for i in idxs}
            if None in pos:
                return unknown(t)
            new = [ax for k, ax in enumerate(axes) if not (k in pos and (ax.size == 1 or is_unknown(ax)))]
    elif kind is Reshape:
        shape = _shape_arg(call, a)
        if shape is None:
            return unknown(t)
        new = reshape_axes(axes, shape)
        if new is None:
            return t.with_layout(with_rank(len(shape)))
    if new is None:
        return unknown(t)
    result = make(new)
    return t.reshaped(t.with_layout(result, ip.step(call.node, t, result)))


def _out_of_range(call: BoundCall, kind, a, rank):
    """(text, index) of an axis argument of a shape operation that does not exist."""
    api = call.api
    label = api.label or kind.kind
    positional = call.positional
    if kind is Permute:
        if call.method and len(positional) > 1:
            perm = tuple(p.value if isinstance(p, Const) else None for p in positional)
        else:
            perm = const_axes(a[0]) if a is not None else None
        if not isinstance(perm, tuple) or None in perm:
            return None
        if len(perm) != rank:
            far = max(perm, key=lambda p: p if p >= 0 else -p - 1)
            return (f"{label}{perm} names {len(perm)} axes", far) if normalize(far, rank) is None else None
        for p in perm:
            if normalize(p, rank) is None:
                return (f"{label}{perm}", p)
        return None
    if kind not in (Swap, MoveAxis, Expand, Squeeze, Flatten):
        return None   # reshape/view take sizes, not axes
    values = []
    if a is not None:
        values.append(const_axes(a[0]))
    second = _second(api)
    if second is not None and second.passable:
        b = call.arg(second)
        if b is not None:
            values.append(const_axes(b[0]))
    extra = 1 if kind is Expand else 0
    for v in values:
        for i in (v if isinstance(v, tuple) else (v,)):
            if isinstance(i, int) and normalize(i, rank + extra) is None:
                return (f"{label} over {i}", i)
    return None


def _order(call: BoundCall, kind, a, rank):
    """Source positions of the result's axes for permute / swap / moveaxis / reverse."""
    api = call.api
    positional = call.positional
    if kind is Permute:
        if call.method and len(positional) > 1:
            perm = tuple(p.value if isinstance(p, Const) else None for p in positional)
        elif a is None:
            default = _main(api).default
            perm = tuple(reversed(range(rank))) if default is None and rank is not None else None
        else:
            perm = const_axes(a[0])
            perm = perm if isinstance(perm, tuple) else None
        if perm is None or None in perm:
            return None
        rank = len(perm) if rank is None else rank
        if len(perm) != rank:
            return None
        norm = [normalize(p, rank) for p in perm]
        if None in norm or sorted(norm) != list(range(rank)):
            return None
        return norm
    if rank is None:
        return None
    if kind is Reverse:
        return list(reversed(range(rank)))
    b = call.arg(_second(api))
    if kind is Swap:
        i, j = (const_axes(a[0]) if a else None), (const_axes(b[0]) if b else None)
        if not isinstance(i, int) or not isinstance(j, int):
            return None
        i, j = normalize(i, rank), normalize(j, rank)
        if i is None or j is None:
            return None
        order = list(range(rank))
        order[i], order[j] = order[j], order[i]
        return order
    src, dst = (const_axes(a[0]) if a else None), (const_axes(b[0]) if b else None)
    src = (src,) if isinstance(src, int) else src
    dst = (dst,) if isinstance(dst, int) else dst
    if not src or not dst or len(src) != len(dst):
        return None
    src = [normalize(x, rank) for x in src]
    dst = [normalize(x, rank) for x in dst]
    if None in src or None in dst or len(set(dst)) != len(dst):
        return None
    order: list = [None] * rank
    for x, d in zip(src, dst):
        order[d] = x
    rest = iter(k for k in range(rank) if k not in src)
    return [o if o is not None else next(rest) for o in order]


def _shape_arg(call: BoundCall, a):
    positional = call.positional
    if call.method and len(positional) > 1:
        items = positional
    elif a is None:
        return None
    else:
        v = a[0]
        if isinstance(v, Const) and isinstance(v.value, tuple):
            items = [Const(x) for x in v.value]
        elif isinstance(v, Const) and isinstance(v.value, int):
            items = [v]
        elif isinstance(v, Seq):
            items = list(v.items)
        else:
            return None
    return list(items)


def reverse(ip, t: Tensor, node):
    """``x.T``: every axis reversed."""
    if t.layout is None or t.layout.variadic_index is not None:
        return unknown(t)
    return t.reshaped(t.with_layout(make(reversed(t.layout.axes))))


def track_perm(out: Tensor, src: Tensor, order: list[int]) -> Tensor:
    """Keep the root of a permuted tensor (for LL107): result axis i is root axis perm[i]."""
    if src.root is None:
        return out
    if src.perm is None:
        if src.root.rank is None:
            src.root.rank = len(order)
        if src.root.rank != len(order):
            return out
        base = tuple(range(len(order)))
    else:
        base = src.perm
        if len(base) != len(order):
            return out
    return replace(out, root=src.root, perm=tuple(base[p] for p in order))


def reshape_axes(axes: list[Axis], shape: list) -> list[Axis] | None:
    """Map a reshape's shape arguments onto named axes: ``x.size(0)`` / ``x.shape[i]`` name an
    axis, ``-1`` absorbs the axes up to the next named one, ``1`` is a size-1 axis."""
    out: list[Axis] = []
    i = 0
    for k, item in enumerate(shape):
        if isinstance(item, Dim):
            while i < len(axes) and axes[i].size == 1 and axes[i] != item.axis:
                i += 1
            if i < len(axes) and axes[i] == item.axis:
                out.append(item.axis)
                i += 1
                continue
            if item.axis.parts:   # reshape(batch * chans, height * width): adjacent axes merged
                for j in range(i + 2, len(axes) + 1):
                    if merged(axes[i:j]) == item.axis:
                        out.append(item.axis)
                        i = j
                        break
                else:
                    return None
                continue
            return None
        if isinstance(item, Const) and item.value == -1:
            nxt = None
            for later in shape[k + 1:]:
                if isinstance(later, Dim):
                    nxt = later.axis
                    break
                if not (isinstance(later, Const) and later.value == 1):
                    return None  # another unknown size after -1: cannot place it
            j = len(axes)
            if nxt is not None:
                if nxt not in axes[i:]:
                    return None
                j = axes.index(nxt, i)
            if j <= i:
                return None
            out.append(merged(axes[i:j]))
            i = j
            continue
        if isinstance(item, Const) and item.value == 1:
            out.append(ONE)
            continue
        return None
    while i < len(axes) and axes[i].size == 1:
        i += 1
    return out if i == len(axes) else None

