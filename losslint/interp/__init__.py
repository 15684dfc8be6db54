"""The layout interpreter: an abstract interpretation of one function body over libcst nodes.

Split by concern: ``statements.py`` (blocks, assignments, control flow and its joins),
``expressions.py`` (names, literals, operators, attributes, subscripts), ``calls.py`` (what a
callee is, the call bound to its arguments, the handler of its kind in ``ops/``),
``helpers.py`` (the project's functions and classes, summaries), ``reporting.py`` (events to
the rules, candidates, hover records, ``--explain`` texts). ``state.py`` holds what one check
shares. Each expression evaluates to a value of ``values.py``.
"""

from __future__ import annotations

import libcst as cst

from ..layouts import Axis, Layout
from ..values import ClassVal
from .calls import Calls
from .expressions import Expressions
from .helpers import Helpers
from .reporting import Reporting
from .state import Candidate, Context, Run
from .statements import Statements

__all__ = ["Interpreter", "Candidate", "Context", "Run", "module_globals"]


class Interpreter(Statements, Expressions, Calls, Helpers, Reporting):
    """Interprets one function body (or a module's top level) with ``env`` as its starting
    values; ``per_sample``: a Keras-style loss called per sample; ``class_axis``: the feature
    axis ``one_hot`` appends; ``self_attrs``: ``self.x`` values of a method's instance."""

    def __init__(self, ctx: Context, env: dict, per_sample: bool, class_axis: Axis | None,
                 self_attrs: dict | None = None, data_format: str | None = None,
                 module_scope: bool = False, self_class: ClassVal | None = None):
        self.ctx = ctx
        self.self_class = self_class
        self.pred_layout: Layout | None = None   # the loss's prediction layout (one_hot checks)
        self.data_format = data_format
        self.globals = {} if module_scope else ctx.info.globals(data_format)
        self.env: dict = dict(env)
        self.per_sample = per_sample
        self.class_axis = class_axis
        self.self_attrs = self_attrs if self_attrs is not None else {}
        self.returns: list = []
        self.saw_per_sample = False   # a Keras / TensorFlow / Theano name was used
        self.dead = False             # after a return / raise: the rest of the block never runs
        self._pending: dict = {}      # deferred rules' candidates (LL103)
        self._scratch: dict = {}      # rules' per-function observations (LL107)


def module_globals(info, data_format: str | None) -> dict:
    """Evaluate a module's top-level statements (not function bodies) with no rule enabled:
    constants, conditionals on the data format, functions and classes."""
    quiet = Context(info, Run(set()))
    analyzer = Interpreter(quiet, {}, False, None, data_format=data_format, module_scope=True)
    for stmt in info.module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and any(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
        ):
            continue
        analyzer.stmt(stmt)
    return analyzer.env
