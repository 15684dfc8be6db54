"""The project's own functions and classes: a helper is analysed with its caller's argument
values (after those a ``partial`` binds), its summary cached per (function, argument values),
recursion cut off; a class gives its constants and methods."""

from __future__ import annotations

import libcst as cst

from ..ops.base import BoundCall
from ..values import UNKNOWN, ClassVal, Const, Func, Partial, Tensor, join
from .state import Context


def soft(value, flag: bool):
    """A helper's default when the call passes ``**kwargs``: it may be overridden."""
    return Const(value.value, soft=True) if flag and isinstance(value, Const) else value


class Helpers:
    def class_value(self, node: cst.ClassDef) -> ClassVal:
        attrs: dict = {}
        cls = ClassVal(node.name.value, attrs, node)
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                attrs[stmt.name.value] = Func(f"{node.name.value}.{stmt.name.value}", stmt, self.ctx, cls=cls)
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                        value = self.expr(small.value)
                        if isinstance(value, Const):
                            attrs[small.targets[0].target.value] = value
        return cls

    def default_value(self, ctx: Context, node):
        """A parameter's default, evaluated in its function's module."""
        return type(self)(ctx, {}, False, None, data_format=self.data_format).expr(node)

    def call_helper(self, func: Func, call: BoundCall, partial: Partial | None = None):
        """Analyse a helper with the caller's argument values; return its result."""
        positional, keywords = list(call.positional), dict(call.keywords)
        star = call.star
        dstar = star and not call.star_args   # only `**kwargs`: unknown keywords
        if dstar:
            star = False
        if partial is not None:
            positional = list(partial.args) + positional
            keywords = {**{k: (v, None) for k, v in partial.kwargs}, **keywords}
        fn: cst.FunctionDef = func.node
        params = [p for p in list(fn.params.posonly_params) + list(fn.params.params)]
        if func.bound and params and params[0].name.value in ("self", "cls"):
            params = params[1:]
        if star or len(positional) > len(params) and fn.params.star_arg is None:
            return UNKNOWN
        ctx = Context(func.ctx.info, self.ctx.run) if func.ctx is not None else self.ctx
        env: dict = {}
        for i, p in enumerate(params):
            name = p.name.value
            if i < len(positional):
                env[name] = positional[i]
            elif name in keywords:
                env[name] = keywords[name][0]
            elif p.default is not None:
                env[name] = soft(self.default_value(ctx, p.default), dstar)
            else:
                env[name] = UNKNOWN
        for p in fn.params.kwonly_params:
            name = p.name.value
            env[name] = keywords[name][0] if name in keywords else (
                soft(self.default_value(ctx, p.default), dstar) if p.default is not None else UNKNOWN)
        if self.ctx.explain:
            call_text = self.ctx.code(call.node)
            env = {k: (v.with_layout(v.layout, f"passed to helper `{call_text}` as {k}", keep_root=True)
                       if isinstance(v, Tensor) else v) for k, v in env.items()}
        key = (id(fn), tuple(sorted(env.items(), key=lambda kv: kv[0])), self.per_sample_loss, self.data_format)
        run = self.ctx.run
        try:
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in run.summaries:
            return run.summaries[key]
        if id(fn) in run.stack or len(run.stack) > 8:
            return UNKNOWN  # recursion (or a very deep chain): cut off
        run.stack.add(id(fn))
        try:
            helper = type(self)(ctx, env, self.per_sample_loss, self.class_axis, self.self_attrs if func.bound else {},
                                data_format=self.data_format, self_class=func.cls if func.bound else None)
            helper.pred_layout = self.pred_layout
            helper.run_body(fn)
            helper.finish()
        finally:
            run.stack.discard(id(fn))
        result = UNKNOWN
        if helper.returns:
            result = helper.returns[0]
            for other in helper.returns[1:]:
                result = join(result, other)
        if key is not None:
            run.summaries[key] = result
        return result
