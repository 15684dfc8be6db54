"""Finding the loss functions of a module without running it (SPEC section 4)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from .apis import canonical
from .imports import dotted, simple_statements_in

LOSS_WORDS = ("loss", "crossentropy", "dice", "iou", "jaccard", "focal", "tversky")
_TOKENS = re.compile(r"_+|(?<=[a-z0-9])(?=[A-Z])")


def loss_like_name(name: str) -> bool:
    """A loss-ish name: a word of it (split at ``_`` and camelCase) starts or ends with a loss
    word (``dice_loss``, ``DiceLoss``, ``mIoU``, ``losses``), or it ends in ``_error``. Plain
    containment would make ``_get_indices`` a dice loss and ``previous`` an IoU."""
    if name.startswith("test") or name.endswith("_test"):
        return False   # pytest's tests call losses on concrete data; they are not loss code
    if name.endswith("_error"):
        return True
    low = name.lower()
    if any(low.startswith(w) or low.endswith(w) for w in LOSS_WORDS):
        return True
    for token in _TOKENS.split(name):
        t = token.lower()
        if t and any(t.startswith(w) or t.endswith(w) for w in LOSS_WORDS):
            return True
    return False
# SPEC section 4's prediction names: with a target name they make a function a loss.
_SPEC_PRED_PARAMS = frozenset({"y_pred", "pred", "preds", "prediction", "predictions", "output", "outputs",
                               "logits", "input", "inputs", "y_hat", "probs", "scores"})


class _PredNames(frozenset):
    """Prediction parameter names: SPEC section 4's, the names real segmentation and
    classification code uses (mmsegmentation's ``cls_score`` / ``score`` / ``seg_logit(s)``),
    and any name ending in ``_logits`` (``teacher_logits``, ``student_logits``). The extra
    names give a prediction layout to a loss found otherwise (by its name, its class, an
    output's glob); they do not make a function a loss on their own."""

    def __contains__(self, name) -> bool:
        return frozenset.__contains__(self, name) or (isinstance(name, str) and name.endswith("_logits"))


PRED_PARAMS = _PredNames(_SPEC_PRED_PARAMS | {"score", "cls_score", "seg_logit", "seg_logits"})
TARGET_PARAMS = {"y_true", "target", "targets", "true", "label", "labels", "gt",
                 "ground_truth", "mask", "masks", "y"}
KERAS_LOSS_BASES = {"keras.losses.Loss", "keras.losses.LossFunctionWrapper", "keras.Loss"}


@dataclass
class LossFunction:
    node: cst.FunctionDef
    qualname: str                      # "DiceLoss.forward", "make_loss.<locals>.loss"
    name: str                          # the name loss globs match: the class name for methods
    class_node: cst.ClassDef | None = None
    keras_loss: bool = False           # `call` of a Keras Loss subclass: per-sample
    params: list[str] = field(default_factory=list)


def param_names(fn: cst.FunctionDef, skip_self: bool) -> list[str]:
    names = [p.name.value for p in fn.params.posonly_params] + [p.name.value for p in fn.params.params]
    if skip_self and names and names[0] in ("self", "cls"):
        names = names[1:]
    return names


def _base_names(cls: cst.ClassDef, aliases: dict[str, str]) -> list[str]:
    out = []
    for base in cls.bases:
        name = dotted(base.value)
        if name is None:
            continue
        head, _, rest = name.partition(".")
        full = aliases.get(head, head) + ("." + rest if rest else "")
        out.append(canonical(full))
    return out


def _is_loss_like(fn: cst.FunctionDef, params: list[str]) -> bool:
    name = fn.name.value
    if name.startswith("test") or name.endswith("_test"):
        return False
    if loss_like_name(name):
        return True
    ps = set(params)
    return bool(ps & _SPEC_PRED_PARAMS) and bool(ps & TARGET_PARAMS)


def compile_calls(module: cst.Module) -> list[tuple]:
    """(statement, call) for ``x.compile(...)`` calls that are statements or assignments."""
    out: list[tuple] = []
    for holder, small in simple_statements_in(module.body):
        value = getattr(small, "value", None)
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "compile":
            out.append((holder, value))
    return out


def compile_loss_names(calls: list[cst.Call]) -> set[str]:
    """Names of functions passed as ``loss=`` to ``compile(...)`` (also in dicts/lists)."""
    found: set[str] = set()
    for _, node in calls:
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "loss":
                _names_in(arg.value, found)
    return found


def _names_in(node, out: set[str]) -> None:
    if isinstance(node, cst.Name):
        out.add(node.value)
    elif isinstance(node, cst.Attribute):
        out.add(node.attr.value)
    elif isinstance(node, (cst.List, cst.Tuple)):
        for el in node.elements:
            _names_in(el.value, out)
    elif isinstance(node, cst.Dict):
        for el in node.elements:
            if isinstance(el, cst.DictElement):
                _names_in(el.value, out)
    elif isinstance(node, cst.Call):  # a factory: loss=dice_loss(smooth=1)
        _names_in(node.func, out)


_COMMENT = re.compile(r"#[^\n]*")


class _References:
    """Which names a module calls (``name(``, ``self.name(``) or binds (``fn = name``), from
    one scan of its text without comments, made when a loss-like name is first asked about
    (a module with none never pays for it)."""

    def __init__(self, text: str):
        self.text = text
        self.calls: dict[str, int] | None = None

    def _scan(self) -> None:
        code = _COMMENT.sub("", self.text)
        self.calls = {}
        for m in re.finditer(r"(?<![\w.'\"])(\w+)\s*\(", code):
            self.calls[m.group(1)] = self.calls.get(m.group(1), 0) + 1
        self.defs: dict[str, int] = {}
        for m in re.finditer(r"\bdef\s+(\w+)\s*\(", code):
            self.defs[m.group(1)] = self.defs.get(m.group(1), 0) + 1
        self.method_calls = set(re.findall(r"\b(?:self|cls)\.(\w+)\s*\(", code))
        self.bound = set(re.findall(r"=\s*(\w+)\s*$", code, re.M))
        self.bound_methods = set(re.findall(r"=\s*(?:self|cls)\.(\w+)\s*$", code, re.M))

    def helper(self, name: str, method: bool) -> bool:
        """Called there, or bound to a variable: analysed with its callers' layouts. Passed
        as a value (``LossFunctionWrapper(mean_squared_error)``) it stays an entry point:
        the framework calls it with the model's tensors."""
        if self.calls is None:
            self._scan()
        if method:
            return name in self.method_calls or name in self.bound_methods
        # "def name(" matches the call pattern too: calls beyond the definitions
        return self.calls.get(name, 0) > self.defs.get(name, 0) or name in self.bound


def find_losses(module: cst.Module, aliases: dict[str, str], config, module_name: str,
                compile_names: set[str] | None = None, text: str | None = None) -> list[LossFunction]:
    compile_names = compile_names or set()
    refs = _References(text) if text is not None else None
    out: list[LossFunction] = []

    def consider(fn: cst.FunctionDef, qual: str, cls: cst.ClassDef | None, keras_loss: bool, torch_loss: bool, outer: str | None):
        params = param_names(fn, skip_self=cls is not None)
        name = fn.name.value
        match_name = cls.name.value if cls is not None and name in ("call", "forward", "__call__") else name
        entry = (
            (keras_loss and name == "call")
            or (torch_loss and name in ("forward", "__call__"))
            or name in compile_names
            or (outer is not None and outer in compile_names)
            or (config is not None and config.output_for(match_name, qual, module_name) is not None)
        )
        by_name = not entry and _is_loss_like(fn, params)
        if by_name and refs is not None and (name.startswith("_") or refs.helper(name, cls is not None)):
            # a helper of other losses (called, aliased, wrapped with partial or a decorator):
            # it is analysed with its callers' layouts, not as an entry point with the config's
            by_name = False
        if entry or by_name:
            out.append(LossFunction(fn, qual, match_name, cls, keras_loss, params))

    def walk(body, prefix: str, cls: cst.ClassDef | None, keras_loss: bool, torch_loss: bool, outer: str | None):
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                qual = prefix + stmt.name.value
                consider(stmt, qual, cls, keras_loss, torch_loss, outer)
                inner = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else ()
                walk(inner, qual + ".<locals>.", None, False, False, stmt.name.value)
            elif isinstance(stmt, cst.ClassDef):
                bases = _base_names(stmt, aliases)
                k = any(b in KERAS_LOSS_BASES or b.endswith("losses.Loss") for b in bases)
                t = loss_like_name(stmt.name.value)   # DiceLoss, LabelSmoothingCrossEntropy
                inner = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else ()
                walk(inner, prefix + stmt.name.value + ".", stmt, k, t, None)
            elif isinstance(stmt, (cst.If, cst.Try, cst.With)):
                for block in _blocks(stmt):
                    walk(block, prefix, cls, keras_loss, torch_loss, outer)

    walk(module.body, "", None, False, False, None)
    return out


def _blocks(stmt):
    if isinstance(stmt, cst.If):
        yield stmt.body.body
        if stmt.orelse is not None:
            orelse = stmt.orelse
            yield from (_blocks(orelse) if isinstance(orelse, cst.If) else [orelse.body.body])
    elif isinstance(stmt, cst.Try):
        yield stmt.body.body
        for h in stmt.handlers:
            yield h.body.body
        if stmt.orelse is not None:
            yield stmt.orelse.body.body
        if stmt.finalbody is not None:
            yield stmt.finalbody.body.body
    elif isinstance(stmt, cst.With):
        yield stmt.body.body
