"""The operation handlers, one per kind of API (``apis/kinds.py``): ``HANDLERS`` maps a kind
to the function that computes the result of a bound call and emits its events.

    reduce.py       Reduce                 feature.py      Feature
    class_index.py  ClassIndex             shape.py        Permute Swap MoveAxis Reverse Reshape
    join.py         Concat Stack Split                     Flatten Expand Squeeze
    einsum.py       Einsum Rearrange PatternReduce         one_hot.py      OneHot
    elementwise.py  Elementwise Where      loss_objects.py LossClass (constructing; calling one)
    misc.py         Identity Scalar MatMul Shape Size Create Arange DataFormat MakePartial

Handlers never build messages: they emit events (``events.py``) and the rules judge them.
"""

from __future__ import annotations

from ..apis import (Arange, ClassIndex, Concat, Create, DataFormat, Einsum, Elementwise, Expand, Feature,
                    Flatten, Identity, LossClass, MakePartial, MatMul, MoveAxis, OneHot, PatternReduce,
                    Permute, Rearrange, Reduce, Reshape, Reverse, Scalar, Shape, Size, Split, Squeeze, Stack,
                    Swap, Where)
from . import class_index, einsum, elementwise, feature, join, loss_objects, misc, one_hot, reduce, shape

HANDLERS = {
    Reduce: reduce.handle,
    Feature: feature.handle,
    ClassIndex: class_index.handle,
    Permute: shape.handle, Swap: shape.handle, MoveAxis: shape.handle, Reverse: shape.handle,
    Reshape: shape.handle, Flatten: shape.handle, Expand: shape.handle, Squeeze: shape.handle,
    Concat: join.join, Stack: join.join, Split: join.split,
    Einsum: einsum.einsum, Rearrange: einsum.einops, PatternReduce: einsum.einops,
    OneHot: one_hot.handle,
    Elementwise: elementwise.handle, Where: elementwise.handle,
    Identity: misc.identity, Scalar: misc.scalar, MatMul: misc.matmul, Shape: misc.shape, Size: misc.size,
    Create: misc.create, Arange: misc.nothing, DataFormat: misc.data_format, MakePartial: misc.partial,
    LossClass: loss_objects.construct,
}

# Kinds whose call is taken as written: not given up on an unexpanded ``*args`` and without
# tensor arguments passed by keyword moved to their positions.
PLAIN = frozenset({Split, Create, Arange, DataFormat, MakePartial, LossClass})

# Kinds whose first tensor argument, a variable of unknown value, becomes a tensor of unknown
# layout (so that LL107 can compare the class axes used on it).
PROMOTING = frozenset({Feature, ClassIndex, Elementwise, Identity, Permute, Swap, MoveAxis})
