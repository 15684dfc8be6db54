"""From events to candidates: the interpreter's side of the rules.

``emit`` gives an event to every rule that judges its type (``rules.subscribers``), turns the
verdicts of the enabled rules into candidates at the event's site (or holds them until the end
of the function for a deferred rule), and tells the handler whether the operation was flagged.
The interpreter is also the ``scope`` the rules see: the function's per-sample status, scratch
lists for rules that compare uses (LL107), and the statement being interpreted.
Editor bookkeeping (hover records) and ``--explain`` texts are made here too, never in a rule.
"""

from __future__ import annotations

import libcst as cst

from ..events import AxisUse
from ..rules import finishers, subscribers
from ..ops.base import fmt_axes
from ..values import Tensor, resolve_positions
from .state import Candidate


class Reporting:
    # -- the scope rules see ----------------------------------------------------------------
    @property
    def per_sample_loss(self) -> bool:
        return self.per_sample or self.saw_per_sample

    def scratch(self, code: str) -> list:
        return self._scratch.setdefault(code, [])

    def pending(self, code: str) -> list:
        return self._pending.setdefault(code, [])

    @property
    def statement(self):
        return self.ctx.run.current

    def code(self, node) -> str:
        return self.ctx.code(node)

    def candidate(self, rule, verdict, event, where=None) -> Candidate:
        return Candidate(ctx=self.ctx, code=rule.code, node=event.arg if event.arg is not None else event.site,
                         site=event.site, message=verdict.message, stmt=where)

    # -- events -----------------------------------------------------------------------------
    def emit(self, event) -> bool:
        """Judge an event; True when an enabled blocking rule fired (one mistake, one finding:
        the handler then gives up on the layout of the operation's result)."""
        verdicts = []
        for rule in subscribers(type(event)):
            v = rule.check(event, self)
            if v is not None:
                verdicts.append((rule, v))
        t = getattr(event, "tensor", None) or getattr(event, "left", None)
        if isinstance(event, AxisUse) and event.trace:
            self.record_axis(event.arg, event.axes, t)
        if not event.observes and isinstance(t, Tensor) and t.known and not any(
                rule.code.startswith("LL1") for rule, _ in verdicts):
            self.ctx.run.sites_ok.add(id(event.site))   # right for this caller's layout
        if not verdicts:
            return False
        enabled = self.ctx.enabled
        resolution = None
        if isinstance(event, AxisUse) and event.trace and self.ctx.explain:
            resolution = self.resolution(event.arg, event.axes, t)
        fired = False
        for rule, v in verdicts:
            if rule.code not in enabled:
                continue
            fired = fired or rule.blocking
            fixable = getattr(event, "fixable", True) and v.fix_axes is not None
            fix_at = getattr(event, "fix_at", None)
            target = fix_at if fix_at is not None else event.arg
            insert = getattr(event, "insert", None)
            c = Candidate(
                ctx=self.ctx,
                code=rule.code,
                node=event.arg if event.arg is not None else event.site,
                site=event.site,
                message=v.message,
                fix_node=(target.value if isinstance(target, cst.Arg) else target) if fixable else None,
                fix_value=v.fix_axes,
                fix_insert=(event.site, insert) if fixable and target is None and insert else None,
                explain=(t.steps if isinstance(t, Tensor) else ()) + ((resolution,) if resolution else ()),
                stmt=self.ctx.run.current,
            )
            (self.pending(rule.code) if rule.deferred else self.ctx.run.candidates).append(c)
        return fired

    def finish(self) -> None:
        """End of a function: the rules that decide then (LL103, LL107)."""
        enabled = self.ctx.enabled
        for rule in finishers():
            if rule.code in enabled:
                self.ctx.run.candidates.extend(rule.finish(self))
        self._pending = {}
        self._scratch = {}

    # -- hover and --explain ----------------------------------------------------------------
    def record_axis(self, arg_node, axes, t) -> None:
        record = self.ctx.run.record
        if record is None or arg_node is None or not isinstance(t, Tensor) or t.layout is None:
            return
        positions, bad = resolve_positions(t.layout, axes)
        if positions is not None:
            hit = ", ".join(str(t.layout.axes[p]) for p in positions)
            text = f"`{self.ctx.code(arg_node)}` hits {hit} of {t.name} ({t.layout})"
        elif bad is not None:
            text = f"`{self.ctx.code(arg_node)}`: axis {bad} is out of range for {t.name} ({t.layout})"
        else:
            text = f"`{self.ctx.code(arg_node)}` reaches into the variadic group of {t.name} ({t.layout})"
        record[id(arg_node)] = (arg_node, self.ctx.info, ("axis", text), self.ctx.run.current)

    def record_value(self, node, value) -> None:
        record = self.ctx.run.record
        if record is not None and isinstance(value, Tensor) and value.layout is not None:
            record.setdefault(id(node), (node, self.ctx.info, ("tensor", value), self.ctx.run.current))

    def axis_text(self, arg_node, kw: str, axes) -> str:
        if arg_node is None:
            return f"{kw}={fmt_axes(axes)}"
        value = self.ctx.code(arg_node.value)
        name = arg_node.keyword.value if arg_node.keyword is not None else kw
        return f"{name}={value}"

    def resolution(self, arg_node, axes, t: Tensor) -> str | None:
        """For --explain: how the written axis became named axes."""
        if not self.ctx.explain or t.layout is None:
            return None
        where = "its default" if arg_node is None else f"`{self.ctx.code(arg_node.value)}`"
        if arg_node is not None and not isinstance(arg_node.value, (cst.Integer, cst.UnaryOperation, cst.Tuple, cst.List)):
            where += f" = {fmt_axes(axes)}"
            if self.data_format:
                where += f" (under {self.data_format})"
        positions, _ = resolve_positions(t.layout, axes)
        hit = ", ".join(t.layout.axes[p].name for p in positions) if positions else "?"
        return f"{where} -> {hit} of {t.layout}"

    def step(self, node, t: Tensor, layout) -> str | None:
        if not self.ctx.explain:
            return None
        same = "keeps" if t.layout == layout else "gives"
        return f"`{self.ctx.code(node)}` {same} {layout}"

