"""What one check shares across the analyses of its functions: the candidates found so far
(one per rule and site; ``rules/policy.py`` keeps one per site), helper summaries, the hover
record, and which module each analysis reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst


@dataclass
class Candidate:
    ctx: "Context"
    code: str
    node: cst.CSTNode            # where it is reported (the axis argument, else the call)
    site: cst.CSTNode            # the call: one finding per call site
    message: str
    fix_node: cst.CSTNode | None = None    # the axis value to replace
    fix_value: object = None               # int or tuple
    fix_insert: tuple | None = None        # (call node, keyword) to add an argument
    explain: tuple[str, ...] = ()
    stmt: object = None                    # the innermost statement holding it, if known


@dataclass
class Run:
    """State shared by every analysis of one check: findings and helper summaries."""

    enabled: set[str]
    explain: bool = False
    candidates: list[Candidate] = field(default_factory=list)
    summaries: dict = field(default_factory=dict)
    stack: set = field(default_factory=set)
    record: dict | None = None   # id(node) -> (node, module, what hover shows, its statement); editor only
    sites_ok: set = field(default_factory=set)   # call sites found right under some layout
    current: object = None       # the statement being interpreted (positions.py starts there)


@dataclass
class Context:
    """One module as the analyses see it."""

    info: object                 # project.ModuleInfo
    run: Run

    @property
    def module(self) -> cst.Module:
        return self.info.module

    @property
    def aliases(self) -> dict[str, str]:
        return self.info.aliases

    @property
    def enabled(self) -> set[str]:
        return self.run.enabled

    @property
    def explain(self) -> bool:
        return self.run.explain

    def code(self, node: cst.CSTNode) -> str:
        try:
            text = self.module.code_for_node(node)
        except Exception:  # pragma: no cover - defensive
            return "?"
        text = " ".join(text.split())
        return text if len(text) <= 80 else text[:77] + "..."
