"""Layouts declared in code, which win over the config (SPEC section 3): jaxtyping annotations
on a loss function's parameters, and ``# losslint: layout="..." target-layout="..."`` pragmas
on the ``def`` line or the line above it."""

from __future__ import annotations

import re

import libcst as cst

from .layouts import Layout, LayoutError, parse_layout

PRAGMA = re.compile(r"#\s*losslint:\s*(?P<body>.*)$")
PRAGMA_ITEM = re.compile(r"(?P<key>[\w-]+)\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)')")
JAXTYPING_DTYPES = {
    "Float", "Float16", "Float32", "Float64", "BFloat16", "Int", "Int8", "Int16", "Int32", "Int64",
    "UInt", "UInt8", "Integer", "Bool", "Num", "Shaped", "Real", "Inexact", "Complex", "Key",
}


class PragmaError(ValueError):
    pass


def _comment_lines(fn: cst.FunctionDef) -> list[str]:
    out = []
    if isinstance(fn.body, cst.IndentedBlock) and fn.body.header.comment is not None:
        out.append(fn.body.header.comment.value)        # on the def line
    above = fn.lines_after_decorators if fn.decorators else fn.leading_lines
    if above and above[-1].comment is not None:
        out.append(above[-1].comment.value)              # the line above
    return out


def pragma_layouts(fn: cst.FunctionDef) -> dict[str, Layout]:
    """``{"layout": ..., "target-layout": ...}`` from a pragma; raises PragmaError."""
    found: dict[str, Layout] = {}
    for comment in _comment_lines(fn):
        m = PRAGMA.search(comment)
        if not m:
            continue
        for item in PRAGMA_ITEM.finditer(m.group("body")):
            key = item.group("key")
            if key not in ("layout", "target-layout"):
                raise PragmaError(f"unknown pragma key {key!r} (expected layout or target-layout)")
            text = item.group("dq") if item.group("dq") is not None else item.group("sq")
            try:
                found[key] = parse_layout(text)
            except LayoutError as exc:
                raise PragmaError(f"malformed layout {text!r}: {exc}") from None
    if "layout" in found and "target-layout" not in found:
        found["target-layout"] = found["layout"]
    return found


def jaxtyping_layout(annotation: cst.Annotation | None) -> Layout | None:
    """``Float[Tensor, "batch classes h w"]`` -> that layout (``*b`` / ``...`` variadic,
    integers as fixed sizes, ``#``/``_`` modifiers dropped). None if not a jaxtyping hint."""
    if annotation is None:
        return None
    node = annotation.annotation
    if not isinstance(node, cst.Subscript) or len(node.slice) != 2:
        return None
    head = node.value
    name = head.attr.value if isinstance(head, cst.Attribute) else head.value if isinstance(head, cst.Name) else None
    if name not in JAXTYPING_DTYPES:
        return None
    dims = node.slice[1].slice
    if not isinstance(dims, cst.Index) or not isinstance(dims.value, cst.SimpleString):
        return None
    text = dims.value.evaluated_value
    tokens = []
    for tok in text.split():
        tok = tok.lstrip("#_")
        if "=" in tok:
            tok = tok.split("=", 1)[0]
        if tok.startswith("*") and tok[1:].startswith(("#", "_")):
            tok = "*" + tok[1:].lstrip("#_")
        tokens.append(tok)
    if not tokens:
        return Layout(())  # a scalar
    try:
        return parse_layout(" ".join(tokens))
    except LayoutError:
        return None
