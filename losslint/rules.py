"""The rule registry: codes, names, defaults and the rule pages (messages as data).

The engine only emits codes; everything a user reads about a rule lives here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    default: bool
    needs_layout: bool
    summary: str
    what: str
    why: str
    example: str
    fix: str
    harmless: str

    def page(self) -> str:
        on = "on by default" if self.default else "off by default (enable with --extend-select)"
        return (
            f"# {self.name} ({self.code})\n\n"
            f"{on}{'' if self.needs_layout else '; needs no declared layout'}.\n\n"
            f"## What it does\n{self.what}\n\n"
            f"## Why is this bad?\n{self.why}\n\n"
            f"## Example\n```python\n{self.example.strip()}\n```\n\n"
            f"## Use instead\n{self.fix.strip()}\n\n"
            f"## When it is harmless\n{self.harmless}\n"
        )


_RULES = [
    Rule(
        "LL001", "syntax-error", True, False,
        "a file cannot be read, decoded or parsed",
        "Reports a file that cannot be read, decoded (PEP 263: UTF-8 unless a coding cookie "
        "says otherwise) or parsed by libcst, at the line and column of the error. The run goes "
        "on with the other files.",
        "A file losslint cannot parse is a file it cannot check: without this finding a broken "
        "or mis-encoded loss module would silently pass.",
        "def loss(y_true, y_pred:\n    return y_pred - y_true",
        "Fix the syntax error, or declare the file's encoding with a `# -*- coding: latin-1 -*-` "
        "cookie on its first or second line.",
        "Never for a Python file; exclude generated or template files with `exclude`.",
    ),
    Rule(
        "LL101", "feature-op-wrong-axis", True, True,
        "a feature/class-axis operation runs along another axis",
        "Flags operations that must run along the feature (channel, class) axis, written with an "
        "explicit axis that resolves to another axis: softmax, log_softmax, argmax/argmin, "
        "categorical cross-entropy with an axis, l2-normalize, one_hot's axis, top-k, and "
        "`scatter_(dim, index, 1)` of a constant (a one-hot encoding built by hand).",
        "`softmax(logits, dim=-1)` on `N C H W` segmentation logits normalises each row of "
        "pixels over the width instead of each pixel over the classes. Nothing crashes; every "
        "probability downstream is wrong.",
        "# layout = \"N C H W\"\nprobs = torch.softmax(logits, dim=-1)  # LL101: -1 is W",
        "Use the feature axis of the declared layout: `torch.softmax(logits, dim=1)`. The fix "
        "is offered when the intended axis is unambiguous.",
        "When the tensor is not what the declared layout says (for example logits already "
        "permuted to channels-last in a way losslint could not follow). Declare the layout "
        "with a pragma or an annotation, or add `# noqa: LL101`.",
    ),
    Rule(
        "LL102", "partial-spatial-reduction", True, True,
        "a reduction takes some but not all spatial axes",
        "Flags a reduction (mean, sum, max, ...) whose axes include some but not all of the "
        "spatial axes present in its input: `mean(axis=-1)` over `N C H W` reduces W and keeps "
        "H; `sum(axis=[1, 2])` over `N C H W` reduces C and H. A variadic group (`N C *spatial`) "
        "has an unknown length, so a reduction into it is never reported by this rule.",
        "Losses written for channels-last tensors reduce the last axis as the feature axis. On "
        "a channels-first tensor the same code averages over the width, so per-sample weights, "
        "masks, a following `sqrt` (RMSE) or a per-class dice are computed over the wrong "
        "axes.",
        "# layout = \"N C H W\"\ndef mean_squared_error(y_true, y_pred):\n"
        "    return K.mean(K.square(y_pred - y_true), axis=-1)  # LL102: reduces W, keeps H",
        "Reduce the feature axis (`axis=1`) or every spatial axis (`axis=[2, 3]`). losslint "
        "offers the axes the code meant under the mirrored layout (channels-last <-> "
        "channels-first) when that reading is consistent.",
        "Intentional marginal statistics (a per-row profile over one spatial axis). Mark the "
        "line with `# noqa: LL102` and say why.",
    ),
    Rule(
        "LL103", "batch-axis-reduction", True, True,
        "a per-sample (Keras/TensorFlow/Theano) loss reduces the batch axis",
        "Flags an explicit reduction over the batch axis (`axis=0`, `axis=[0, 1, 2]`) inside "
        "a loss that uses Keras, TensorFlow or Theano, or subclasses a Keras `Loss`. PyTorch "
        "and JAX losses may reduce the batch and are not reported.",
        "Keras calls a loss per sample and applies `sample_weight`, masking and the reduction "
        "itself. A loss that already averaged the batch returns one number: sample weights "
        "and masks silently stop having any effect.",
        "# layout = \"N H W C\"\ndef loss(y_true, y_pred):\n"
        "    return K.mean(K.square(y_pred - y_true), axis=[0, 1, 2])  # LL103",
        "Reduce every axis but the batch: `axis=[1, 2, 3]` and let Keras reduce the batch.",
        "A custom training loop that never passes `sample_weight`, or a loss that is a "
        "whole-batch statistic by definition (Cohen's kappa, batch-wise contrastive or ranking "
        "losses): there is no per-sample value to weight. Add `# noqa: LL103`.",
    ),
    Rule(
        "LL104", "layout-mismatch", True, True,
        "an elementwise operation pairs different named axes",
        "Flags an elementwise operation (`+ - * /`, `where`, `maximum`, ...) whose operands "
        "have known layouts that broadcasting (right-aligned) pairs inconsistently: two "
        "different named axes in one position (`N C H W` times `N H W C`; a `(C,)` class-weight "
        "vector times `N C H W` pairs C with W), or the same axis twice in the result (an "
        "`(N,)` tensor against an `(N, 1)` one gives an `N x N` outer product). Size-1 axes "
        "and unknown axes broadcast silently. Also `gather(dim, index)` whose index does not "
        "follow the input on the other axes (`target.unsqueeze(1)`, `N 1 H W`, as the index "
        "of `N H W C` log-probabilities along -1). An outer product of one tensor with itself "
        "(`x[:, None] - x[None, :]`, `labels == labels.T`) is taken as intended.",
        "When the sizes happen to agree (C == W, or a square image) broadcasting succeeds and "
        "the product mixes classes with pixels. When they differ, the crash comes at run time, "
        "far from the line that caused it.",
        "# layout = \"N C H W\", target-layout = \"N H W C\"\nloss = -(y_true * torch.log(y_pred))  # LL104",
        "Bring both operands to one layout first: `y_true.permute(0, 3, 1, 2)`, or "
        "`weight[None, :, None, None]` for a class-weight vector.",
        "Never when both layouts are right; if one is declared wrongly, fix the config.",
    ),
    Rule(
        "LL105", "axis-out-of-range", True, True,
        "an axis index does not exist in the tensor's layout",
        "Flags an axis index that is outside the rank of the tensor's layout, such as "
        "`axis=3` on an `N C H` tensor or `dim=-5` on `N C H W`.",
        "Either the code will crash, or (more often) the layout the code assumed is not the "
        "one the model produces: the loss was written for another rank.",
        "# layout = \"N C\"\nprobs = F.softmax(logits, dim=2)  # LL105",
        "Use an axis that exists: `dim=1`.",
        "When the declared layout is wrong for this function; declare the right one with a "
        "pragma.",
    ),
    Rule(
        "LL106", "implicit-axis", True, True,
        "a built-in loss or op whose default axis is not the feature axis",
        "Flags a call that relies on a default axis which resolves to a non-feature axis: "
        "`keras.losses.mean_squared_error` and `categorical_crossentropy` (axis -1), "
        "`compile(loss=\"mse\")`, `tf.nn.softmax(x)`, `optax.softmax_cross_entropy` (axis -1), "
        "or `F.cross_entropy` / `nn.CrossEntropyLoss` (class axis 1) on a channels-last layout.",
        "The default is invisible in the code: the reader sees no axis and assumes the right "
        "one. Keras and JAX defaults assume channels-last; PyTorch's cross-entropy assumes "
        "channels-first.",
        "# layout = \"N C H W\"\nmodel.compile(loss=\"categorical_crossentropy\")  # LL106: axis=-1 is W",
        "Pass the axis explicitly (`keras.losses.CategoricalCrossentropy(axis=1)`, "
        "`tf.nn.softmax(x, axis=1)`), or move the class axis (`logits.permute(0, 3, 1, 2)` before "
        "`F.cross_entropy`).",
        "When the declared layout is wrong for this call; declare the right one with a pragma.",
    ),
    Rule(
        "LL107", "inconsistent-feature-axis", True, False,
        "feature-axis operations use two different axes of one tensor",
        "Needs no declared layout. Within one function, flags operations that must run along "
        "the feature/class axis (LL101's list, plus `gather`, `take_along_axis` and "
        "`nll_loss`-style class indexing) when they use two provably different axes of the same "
        "tensor (following permutes and reshapes). `1` and `-1` are only different when the "
        "rank is known to be 3 or more.",
        "Only one of the two can be the class axis, so one of the two operations is wrong, "
        "whatever the model's layout is.",
        "logp = F.log_softmax(logits, dim=-1)       # rank 3: (B, T, V)\n"
        "b, t, v = logits.shape\n"
        "nll = -logp.gather(1, target.unsqueeze(1))  # LL107: class axis 1 here, -1 above",
        "Use the same axis for both: `logp.gather(-1, target.unsqueeze(-1))`.",
        "When the two operations are meant for two different tensors that share a variable "
        "name; rename one.",
    ),
    Rule(
        "LL201", "hard-coded-axis", False, True,
        "any hard-coded axis in a loss",
        "Reports every hard-coded axis in a loss function and suggests an axis derived from "
        "the declared layout.",
        "A hard-coded axis is correct for one layout only; code shared between channels-first "
        "and channels-last models should derive its axes.",
        "return K.mean(K.square(y_pred - y_true), axis=-1)",
        "Derive the axis: `axis=1 if K.image_data_format() == \"channels_first\" else -1`.",
        "Projects with a single, fixed layout. This rule is off by default.",
    ),
    Rule(
        "LL202", "unresolved-layout", False, True,
        "an axis-dependent operation on a tensor of unknown layout",
        "Reports axis-dependent operations whose input layout losslint could not infer, so you "
        "can see where the analysis stopped.",
        "Unknown is never reported by the other rules; this rule shows the blind spots.",
        "y = some_helper(y_pred)\nreturn y.mean(dim=-1)  # LL202 if some_helper cannot be followed",
        "Declare the layout with a jaxtyping annotation or a pragma.",
        "Always: it is informational and off by default.",
    ),
]

RULES: dict[str, Rule] = {r.code: r for r in _RULES}

# One call site gets one finding: the first of these wins.
PRIORITY = ["LL001", "LL105", "LL101", "LL106", "LL103", "LL104", "LL102", "LL107", "LL201", "LL202"]


def is_valid_selector(sel: str) -> bool:
    """A code or a prefix of one ("LL", "LL1", "LL102")."""
    s = sel.strip().upper()
    return bool(s) and any(code.startswith(s) for code in RULES)


def matches(code: str, selectors: list[str]) -> int:
    """Length of the longest selector that is a prefix of ``code`` (0 if none)."""
    best = 0
    for sel in selectors:
        s = sel.strip().upper()
        if s and code.startswith(s):
            best = max(best, len(s))
    return best


def enabled_codes(select: list[str] | None, ignore: list[str], extend_select: list[str]) -> set[str]:
    """ruff's semantics: the most specific selector wins between select and ignore."""
    out = set()
    for code, rule in RULES.items():
        if select is None:
            sel = len("LL") if rule.default else 0
        else:
            sel = matches(code, select)
            # The bare "LL" prefix selects the default rules only; a code or a narrower
            # prefix ("LL2") selects off-by-default rules too.
            if sel and not rule.default and sel <= len("LL"):
                sel = 0
        ext = matches(code, extend_select)
        if ext and not rule.default and ext <= len("LL"):
            ext = 0
        sel = max(sel, ext)
        ign = matches(code, ignore)
        if sel and sel > ign:
            out.add(code)
    return out


def table() -> str:
    rows = [("code", "name", "default", "summary")]
    rows += [(r.code, r.name, "yes" if r.default else "no", r.summary) for r in _RULES]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for row in rows:
        lines.append("  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  " + row[3])
    return "\n".join(lines)
