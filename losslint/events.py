"""What the operation handlers (``ops/``) tell the rules: facts about axes, never messages.

A handler computes the layout of an operation's result and emits events on the way: an axis
use (which operation, which tensor and layout, which axes, written or implicit), a broadcast,
a class-axis use, an index tensor checked against its input, an axis out of range ... Each
rule (``rules/``) subscribes to the event types it judges and turns an event into a verdict
(message and fix) or nothing. ``interp/reporting.py`` dispatches.

Every event has ``site``, the node of the operation (one finding per site), and ``arg``, the
``cst.Arg`` of the axis argument when one is written (findings are reported there, fixes edit
it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .values import Tensor


@dataclass(frozen=True)
class Event:
    site: object
    arg: object = None
    # An observation for the rules that decide at the end of a function (LL107): it says
    # nothing about whether the operation at its site is right.
    observes: ClassVar[bool] = False


@dataclass(frozen=True)
class AxisUse(Event):
    """An operation runs along ``axes`` of ``tensor``.

    ``role``: "reduce" (mean, sum, ...), "feature" (softmax, argmax, cross-entropy: must be the
    feature axis) or "pattern" (einops.reduce / einsum, the reduced letters). ``text`` is the
    axis as the message writes it (``dim=-1``); ``keyword`` the argument name a fix writes.
    ``implicit``: the axis is the API's default; ``builtin``: a built-in loss (an implicit
    default axis is LL106); ``fixed``: a class axis the API does not let you pass
    (``F.cross_entropy``'s 1); ``literal``: written as a literal (LL201); ``informational``:
    LL201/LL202 apply. Fixes: ``insert`` names the keyword to add when the axis is implicit;
    ``fix_at`` is another node to edit (a loss object's constructor argument); ``fixable``
    False when no fix may be offered.
    """

    op: str = ""
    role: str = "reduce"
    tensor: Tensor | None = None
    axes: object = None
    text: str = ""
    keyword: str = "axis"
    implicit: bool = False
    builtin: bool = False
    fixed: bool = False
    literal: bool = False
    informational: bool = False
    insert: str | None = None
    fix_at: object = None
    fixable: bool = True
    trace: bool = True


@dataclass(frozen=True)
class ClassAxis(Event):
    """``tensor``'s ``axis`` is used as its class axis (softmax, gather, cross-entropy ...)."""

    observes: ClassVar[bool] = True
    op: str = ""
    tensor: Tensor | None = None
    axis: int = 0


@dataclass(frozen=True)
class Broadcast(Event):
    """An elementwise operation on two tensors whose layouts do not broadcast cleanly."""

    op: str = ""
    left: Tensor | None = None
    right: Tensor | None = None
    mismatch: object = None        # values.Mismatch


@dataclass(frozen=True)
class IndexAlongside(Event):
    """``gather(dim, index)``: ``index`` must follow ``tensor`` on every axis but ``dim``."""

    op: str = ""
    tensor: Tensor | None = None
    index: Tensor | None = None
    dim: int = 0


@dataclass(frozen=True)
class ClassInsert(Event):
    """``one_hot(labels, axis=...)`` puts the class axis at ``position`` of a result of the
    prediction's rank; ``pred`` is the prediction layout it is meant to match."""

    op: str = ""
    tensor: Tensor | None = None
    pred: object = None            # layouts.Layout
    position: int = 0
    text: str = ""
    keyword: str = "axis"


@dataclass(frozen=True)
class AxisOutOfRange(Event):
    """A shape operation names an axis ``index`` that ``tensor`` (of ``rank`` axes) lacks."""

    op: str = ""
    tensor: Tensor | None = None
    index: int = 0
    rank: int = 0
