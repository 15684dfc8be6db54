"""The engine's entry point for one parsed module: find losses, give their parameters layouts,
interpret them, pick one finding per call site, and only then pay for positions."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import libcst as cst

from . import apis as A
from .apis import REGISTRY
from .config import Config
from .discovery import PRED_PARAMS, TARGET_PARAMS, LossFunction, compile_calls, compile_loss_names, find_losses
from .declared import PragmaError, jaxtyping_layout, pragma_layouts
from .findings import Edit, Finding, Fix
from .events import AxisUse
from .interp import Candidate, Context, Interpreter, Run
from .layouts import Layout
from .positions import locate
from .project import Project
from .rules.policy import pick
from .values import UNKNOWN, Const, Func, LossObj, QName, Root, Tensor


def module_name_for(path: str, root: Path) -> str:
    p = Path(path)
    try:
        rel = p.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        rel = Path(p.name)
    parts = list(rel.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _param_layouts(loss: LossFunction, cfg: Config, module_name: str, cfg_name: str):
    """name -> (layout or None, where it came from) for the parameters of a loss, and the
    prediction layout. Code (annotations, pragmas) wins over the config."""
    out_cfg = cfg.output_for(loss.name, loss.qualname, module_name)
    pred, target = cfg.layout, cfg.target_layout
    pred_origin = cfg.layout_origin or "config"
    target_origin = pred_origin.replace(" layout", " target-layout") if "[tool.losslint]" in pred_origin else pred_origin
    if out_cfg is not None and out_cfg.layout is not None:
        pred, target = out_cfg.layout, out_cfg.target_layout or out_cfg.layout
        pred_origin = f"{cfg_name} [[tool.losslint.outputs]] {out_cfg.name!r} layout"
        target_origin = f"{cfg_name} [[tool.losslint.outputs]] {out_cfg.name!r} target-layout"
    try:
        pragma = pragma_layouts(loss.node)
    except PragmaError:
        pragma = {}
    if "layout" in pragma:
        pred, pred_origin = pragma["layout"], f'pragma layout="{pragma["layout"]}"'
    if "target-layout" in pragma:
        target, target_origin = pragma["target-layout"], f'pragma target-layout="{pragma["target-layout"]}"'
    params = {name: (lay, f"{cfg_name} params.{name}") for name, lay in cfg.params.items()}
    if out_cfg is not None:
        params.update({name: (lay, f"{cfg_name} output {out_cfg.name!r} params.{name}") for name, lay in out_cfg.params.items()})
    result: dict[str, tuple[Layout | None, str]] = {}
    names = loss.params
    has_named = any(p in PRED_PARAMS or p in TARGET_PARAMS for p in names)
    all_params = {p.name.value: p for p in list(loss.node.params.posonly_params) + list(loss.node.params.params)}
    for i, p in enumerate(names):
        annotated = jaxtyping_layout(all_params[p].annotation) if p in all_params else None
        if annotated is not None:
            result[p] = (annotated, "jaxtyping annotation")
        elif p in params:
            result[p] = params[p]
        elif p in PRED_PARAMS:
            result[p] = (pred, pred_origin)
        elif p in TARGET_PARAMS:
            result[p] = (target, target_origin)
        elif out_cfg is not None and not has_named and i < 2:
            result[p] = (pred, pred_origin) if i == 0 else (target, target_origin)
    pred_layout = next((lay for p, (lay, _) in result.items() if p in PRED_PARAMS and lay is not None), pred)
    return result, pred_layout


def data_format_of(layout: Layout | None) -> str | None:
    """channels_first / channels_last for ``K.image_data_format()`` under a layout."""
    if layout is None:
        return None
    fi = layout.feature_index()
    if fi is None:
        return None
    start = 1 if layout.axes and layout.axes[0].role == "batch" else 0
    if fi == start and len(layout.axes) > start + 1:
        return "channels_first"
    if fi == len(layout.axes) - 1:
        return "channels_last"
    return None


class Memo:
    """What the language server keeps of one document between two analyses: each loss's
    results (candidates, sites found right, hover records) under a key made of the text of every
    top-level statement the loss can reach (pruning.py's closure) and the identity of their
    parsed nodes (source.CHUNK_CACHE gives an unchanged statement the same nodes again). A loss
    whose key is unchanged is not interpreted again; the positions of reused nodes are
    shifted, not generated again."""

    def __init__(self):
        self.losses: dict = {}
        self.positions: dict = {}     # id(node) -> (node, id(top-level statement), relative range)
        self.deps: dict = {}          # other modules read -> their stamp (a change clears it all)
        self.tree = None              # (lines, CPython ast) of the last text that parsed


def _loss_key(src, loss, stamp) -> tuple | None:
    p = getattr(src, "pruner", None)
    if p is None:
        return None
    top = loss.qualname.split(".", 1)[0]
    start = p.binders().get(top)
    if not start:
        return None
    parts = []
    for i in sorted(p.closure(start)):
        chunk = p.chunks[i]
        parsed = src.parsed.get((i, chunk.key())) if i in p.keep else None
        parts.append((p.text(i), chunk.key() is None, id(parsed[0]) if parsed else None))
    return (loss.qualname, stamp, tuple(parts))


def _deps_unchanged(memo: Memo) -> bool:
    for path, stamp in memo.deps.items():
        try:
            st = os.stat(path)
        except OSError:
            return False
        if (st.st_mtime_ns, st.st_size) != stamp:
            return False
    return True


def analyse_module(module: cst.Module, src, cfg: Config, enabled: set[str], explain: bool = False,
                   record: dict | None = None, memo: Memo | None = None) -> list[Finding]:
    if not (enabled - {"LL001"}) and record is None:
        return []
    if memo is not None and not _deps_unchanged(memo):
        memo.losses.clear()
    mod_name = module_name_for(src.path, cfg.root)
    pruned = getattr(src, "pruner", None)
    partial = pruned is not None and len(pruned.keep) < len(pruned.chunks)
    project = Project(cfg.root, prune=partial)
    info = project.add(mod_name, src.path, module, src)
    info.partial = partial
    run = Run(enabled, explain or record is not None, record=record)
    ctx = Context(info, run)
    aliases = info.aliases
    cfg_name = cfg.path.name if cfg.path else "config"
    calls = compile_calls(module) if "compile" in src.text else []
    losses = find_losses(module, aliases, cfg, mod_name, compile_loss_names(calls), src.text)
    stamp = (cfg.fingerprint(), tuple(sorted(enabled)), explain, record is not None)
    kept: dict = {}
    for loss in losses:
        key = _loss_key(src, loss, stamp) if memo is not None else None
        if key is not None and key in memo.losses:
            kept[key] = memo.losses[key]
            _reuse(kept[key], run, ctx, src)
            continue
        if key is not None:   # this loss's results alone: helper summaries are not shared
            run.summaries = {}
            mark, sites, recorded = len(run.candidates), set(run.sites_ok), set(record or ())
        layouts, pred_layout = _param_layouts(loss, cfg, mod_name, cfg_name)
        data_format = data_format_of(pred_layout)
        env = {}
        defaults = Interpreter(ctx, {}, False, None, data_format=data_format)
        for p in list(loss.node.params.posonly_params) + list(loss.node.params.params) + list(loss.node.params.kwonly_params):
            name = p.name.value
            if name in layouts:
                layout, origin = layouts[name]
                steps = (f"{name}: {layout} ({origin})",) if layout is not None else ()
                env[name] = Tensor(layout, name, steps, root=Root(name, layout.rank if layout is not None else None))
            elif p.default is not None:
                value = defaults.expr(p.default)   # what runs when the framework calls it
                env[name] = Const(value.value, soft=True) if isinstance(value, Const) else value
            else:
                env[name] = UNKNOWN
        self_attrs, self_class = {}, None
        if loss.class_node is not None:
            self_class = defaults.class_value(loss.class_node)
            self_attrs = _init_attrs(ctx, loss.class_node, self_class, data_format)
        per_sample = loss.keras_loss  # or, found while walking it, a Keras/TF/Theano call
        class_axis = None
        if pred_layout is not None and pred_layout.feature_index() is not None:
            class_axis = pred_layout.axes[pred_layout.feature_index()]
        analyzer = Interpreter(ctx, env, per_sample, class_axis, self_attrs,
                                    data_format=data_format, self_class=self_class)
        analyzer.pred_layout = pred_layout
        analyzer.run_body(loss.node)
        analyzer.finish()
        if key is not None:
            kept[key] = (run.candidates[mark:], run.sites_ok - sites,
                         {k: v for k, v in (record or {}).items() if k not in recorded})
    _check_compile_calls(ctx, calls, cfg)
    src.deps = tuple(m.src.path if m.src else m.path for m in project.modules.values()
                     if m is not None and m is not info)
    if memo is not None:
        memo.losses = kept
        for path in src.deps:
            try:
                st = os.stat(path)
                memo.deps[path] = (st.st_mtime_ns, st.st_size)
            except OSError:
                pass
    return _to_findings(run, memo)


def _reuse(entry, run: Run, ctx: Context, src) -> None:
    """A loss's results from the previous analysis, moved onto this one's module."""
    candidates, sites, recorded = entry
    for c in candidates:
        run.candidates.append(replace(c, ctx=ctx) if c.ctx.info.path == src.path else c)
    run.sites_ok |= sites
    if run.record is not None:
        for k, (node, info, value, stmt) in recorded.items():
            run.record[k] = (node, ctx.info if info.path == src.path else info, value, stmt)


def _init_attrs(ctx: Context, cls: cst.ClassDef, self_class, data_format) -> dict:
    """``self.x = ...`` values from ``__init__`` (loss objects, constants), with rules off;
    class-level constants first."""
    attrs = {k: v for k, v in self_class.attrs.items() if not isinstance(v, Func)}
    quiet = Context(ctx.info, Run(set()))
    for stmt in cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ():
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value in ("__init__", "build"):
            env = {}
            for p in list(stmt.params.params)[1:]:
                value = (Interpreter(quiet, {}, False, None, data_format=data_format).expr(p.default)
                         if p.default is not None else UNKNOWN)
                # a constructor default is a setting the user may change: never fold on it
                env[p.name.value] = Const(value.value, soft=True) if isinstance(value, Const) else value
            a = Interpreter(quiet, env, False, None, dict(attrs), data_format=data_format)
            a.run_block(stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else [])
            attrs.update(a.self_attrs)
    return attrs


def _check_compile_calls(ctx: Context, calls: list[cst.Call], cfg: Config) -> None:
    """``model.compile(loss=...)`` with a string, a loss object or a keras.losses function:
    the loss gets the model's output and target layouts."""
    if cfg.layout is None and not cfg.outputs:
        return
    for holder, call in calls:
        ctx.run.current = holder   # where its findings are (positions.py starts there)
        for arg in call.args:
            if arg.keyword is None or arg.keyword.value != "loss":
                continue
            for value_node, output_name in _loss_entries(arg.value):
                out = next((o for o in cfg.outputs if o.name == output_name), None) if output_name else None
                pred = out.layout if out and out.layout else cfg.layout
                target = out.target_layout if out and out.target_layout else cfg.target_layout
                if pred is None:
                    continue
                origin = cfg.layout_origin or "config"
                env = {"__pred": Tensor(pred, "model output", (f"model output: {pred} ({origin})",)),
                       "__target": Tensor(target, "target", ())}
                analyzer = Interpreter(ctx, env, True, None, {}, data_format=data_format_of(pred))
                _apply_compile_loss(analyzer, value_node, env)


def _loss_entries(node):
    if isinstance(node, cst.Dict):
        for el in node.elements:
            if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString):
                yield el.value, el.key.evaluated_value
    elif isinstance(node, (cst.List, cst.Tuple)):
        for el in node.elements:
            yield el.value, None
    else:
        yield node, None


def _apply_compile_loss(analyzer: Interpreter, node, env) -> None:
    pred = env["__pred"]
    api = None
    label = None
    if isinstance(node, cst.SimpleString):
        name = node.evaluated_value
        qual = REGISTRY.string_losses.get(name)
        api = REGISTRY.lookup(qual) if qual else None
        label = name
    else:
        value = analyzer.expr(node)
        if isinstance(value, LossObj):
            return _call_object(analyzer, value, node, pred)
        if isinstance(value, QName):
            api = REGISTRY.lookup(value.name)
            label = value.name.rsplit(".", 1)[-1]
    if not isinstance(api, (A.Reduce, A.Feature)) or not isinstance(api.axis.default, int):
        return
    default = api.axis.default
    role = "reduce" if isinstance(api, A.Reduce) else "feature"
    analyzer.emit(AxisUse(site=node, op=label, role=role, tensor=pred, axes=default, text=f"axis={default}",
                          implicit=True, builtin=role == "reduce", fixable=False, trace=False))


def _call_object(analyzer: Interpreter, obj: LossObj, node, pred: Tensor) -> None:
    api = obj.api
    if not isinstance(api, (A.Reduce, A.Feature)):
        return
    label = obj.qualname.rsplit(".", 1)[-1]
    axis = obj.axis if obj.axis is not None else api.axis.default
    if not isinstance(axis, (int, tuple)):
        return
    role = "reduce" if isinstance(api, A.Reduce) else "feature"
    analyzer.emit(AxisUse(site=node, op=label, role=role, tensor=pred, axes=axis, text=f"axis={axis}",
                          implicit=obj.axis is None, builtin=role == "reduce", fix_at=obj.axis_node,
                          fixable=obj.axis_node is not None, trace=False))


# -- from candidates to findings -------------------------------------------------------------

def _format_axes(value, original: cst.CSTNode | None) -> str:
    if isinstance(value, int):
        if isinstance(original, (cst.List, cst.Tuple)):
            value = (value,)
        else:
            return str(value)
    items = ", ".join(str(v) for v in value)
    if isinstance(original, cst.List):
        return f"[{items}]"
    if len(value) == 1:
        return f"({items},)"
    return f"({items})"


def _to_findings(run: Run, memo: Memo | None = None) -> list[Finding]:
    picked = pick(run.candidates, run.sites_ok)
    by_ctx: dict[int, list[Candidate]] = {}
    for c in picked:
        by_ctx.setdefault(id(c.ctx.info), []).append(c)
    findings: list[Finding] = []
    for group in by_ctx.values():
        info = group[0].ctx.info
        findings.extend(_positions(info, group, memo.positions.setdefault(info.path, {}) if memo is not None else None))
    return findings


def _positions(info, picked: list[Candidate], memo: dict | None = None) -> list[Finding]:
    """Positions are computed only here, for modules with findings, and only for the nodes
    that are reported or edited."""
    # each node from the innermost statement the analysis recorded: no walk of the module
    # looking for it, no generation of a whole class or function
    pairs = [(n, c.stmt) for c in picked
             for n in (c.node, c.fix_node, c.fix_insert[0] if c.fix_insert else None) if n is not None]
    positions = locate(info.module, info.starts, pairs, memo)
    path = info.path
    findings = []
    seen = set()
    for c in picked:
        rng = positions.get(c.node)
        if rng is None:
            continue
        key = (rng.start.line, rng.start.column, c.code)
        if key in seen:
            continue
        seen.add(key)
        fix = None
        if c.fix_node is not None and c.fix_value is not None and c.fix_node in positions:
            r = positions[c.fix_node]
            new = _format_axes(c.fix_value, c.fix_node)
            fix = Fix(f"use {new}", (Edit(r.start.line, r.start.column + 1, r.end.line, r.end.column + 1, new),))
        elif c.fix_insert is not None and c.fix_value is not None:
            call, kw = c.fix_insert
            if call in positions and not any(a.star for a in call.args) and not call.rpar:
                r = positions[call]   # ends just after the call's ")": insert before it
                value = _format_axes(c.fix_value, None)
                trailing = bool(call.args) and isinstance(call.args[-1].comma, cst.Comma)
                text = f"{kw}={value}" if (trailing or not call.args) else f", {kw}={value}"
                fix = Fix(f"add {kw}={value}", (Edit(r.end.line, r.end.column, r.end.line, r.end.column, text),))
        findings.append(Finding(
            path, rng.start.line, rng.start.column + 1, c.code, c.message,
            rng.end.line, rng.end.column + 1, fix, c.explain,
        ))
    return findings
