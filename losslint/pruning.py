"""Which top-level statements of a module loss code can reach, decided on CPython's ``ast``
(an order of magnitude cheaper than libcst), so that libcst parses only those.

A module is cut into *chunks*: its top-level statements (statements joined by ``;`` on one
line share a chunk). A chunk is kept if it holds a possible loss function (a superset of
discovery.py's criteria), a ``compile(loss=...)`` call, or a ``# losslint:`` pragma; then every
chunk that binds a name a kept chunk uses is kept too, transitively (a top-level class method
by method, a ``compile`` statement in a function with no loss on its own: see Chunk). For a module that a loss only reaches into (``project.py``), the chunks
binding the names asked for are the start. Whatever is not kept is never evaluated by the
engine, and the closure keeps everything that what is kept can name, so the findings are the
same as with the whole module: tests/test_prefilter.py checks it on every fixture and on real
packages."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from .apis import canonical

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)
# methods the engine may reach without naming them: constructors (self attributes), what runs
# when an instance is called
SPECIAL = frozenset({"__init__", "build", "__call__", "call", "forward", "__new__", "__post_init__"})


_IDENT = re.compile(r"[^\W\d]\w*")


def _identifiers(text: str) -> frozenset:
    """Every identifier-like token of the text (strings and comments included): a superset of
    the names and attribute names the code reads, found in one regex pass instead of a walk
    over its tree."""
    return frozenset(_IDENT.findall(text))


@dataclass
class Chunk:
    first: int                 # 1-based line where its text starts (a pragma above it included)
    line: int                  # line of its first token (its first decorator, if any)
    end: int                   # its last line
    nodes: list = field(default_factory=list)
    star: bool = False
    # A top-level class can be kept method by method: ``members`` is None while the chunk is
    # kept whole, else the indexes of the class body's methods kept (other statements of the
    # class body are always kept).
    members: set | None = None
    # A ``compile(loss=...)`` statement inside a function that holds no loss is a chunk of its
    # own (``sub``), parsed alone from its column: the engine reads the call, not the function.
    col: int = 0
    end_col: int | None = None
    sub: bool = False
    _bound: frozenset | None = None
    _uses: dict = field(default_factory=dict)

    @property
    def cls(self) -> ast.ClassDef | None:
        node = self.nodes[0]
        return node if len(self.nodes) == 1 and isinstance(node, ast.ClassDef) and not self.sub else None

    def bound(self) -> frozenset:
        """Names this chunk binds at module level (not inside functions or classes)."""
        if self.sub:
            return frozenset()
        if self._bound is None:
            out: set[str] = set()
            stack = list(self.nodes)
            while stack:
                node = stack.pop()
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    out.add(node.name)
                    stack.extend(node.decorator_list)
                    continue
                if isinstance(node, ast.Lambda):
                    continue
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    for alias in node.names:
                        if alias.name == "*":
                            self.star = True
                        else:
                            out.add(alias.asname or alias.name.split(".", 1)[0])
                    continue
                if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                    out.add(node.id)
                elif isinstance(node, ast.ExceptHandler) and node.name:
                    out.add(node.name)
                elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                    out.add(node.name)
                elif isinstance(node, ast.MatchMapping) and node.rest:
                    out.add(node.rest)
                elif isinstance(node, (ast.Global, ast.Nonlocal)):
                    out.update(node.names)
                stack.extend(ast.iter_child_nodes(node))
            self._bound = frozenset(out)
        return self._bound

    def uses(self, part, lines: list[str]) -> frozenset:
        """The identifiers of a part (names and attribute names it may read): "all",
        "header" (a class without its methods) or a method's index."""
        if part not in self._uses:
            if part == "all":
                text = "\n".join(lines[self.first - 1: self.end])   # (a sub chunk: a superset)
            elif part == "header":
                spans, line = [], self.first
                for k, m in enumerate(self.cls.body):
                    if isinstance(m, _DEFS):
                        start = first_line(m)
                        spans.append("\n".join(lines[line - 1: start - 1]))
                        line = (m.end_lineno or m.lineno) + 1
                spans.append("\n".join(lines[line - 1: self.end]))
                text = "\n".join(spans)
            else:
                m = self.cls.body[part]
                start = first_line(m)
                text = "\n".join(lines[start - 1: m.end_lineno or m.lineno])
            self._uses[part] = _identifiers(text)
        return self._uses[part]

    def methods(self) -> list[tuple[int, str]]:
        cls = self.cls
        return [(k, m.name) for k, m in enumerate(cls.body) if isinstance(m, _DEFS)] if cls is not None else []

    def key(self):
        return None if self.members is None else frozenset(self.members)


def first_line(stmt: ast.stmt) -> int:
    """An ast statement's first line, its decorators included."""
    return min([d.lineno for d in getattr(stmt, "decorator_list", ())] + [stmt.lineno])


def line_groups(body) -> list[tuple[int, int, list]]:
    """(first line, last line, statements) of a body's statements, those sharing a line
    (``x = 1; y = 2``, one libcst statement line) in one group."""
    groups: list[tuple[int, int, list]] = []
    for node in body:
        start, end = first_line(node), node.end_lineno or node.lineno
        if groups and start <= groups[-1][1]:
            first, last, nodes = groups[-1]
            groups[-1] = (first, max(last, end), nodes + [node])
        else:
            groups.append((start, end, [node]))
    return groups


def chunks_of(tree: ast.Module, lines: list[str]) -> list[Chunk]:
    """A chunk's text starts at its first token, or on the line above when that line holds a
    ``# losslint:`` pragma: the comment and blank lines between statements belong to no chunk,
    so editing them changes no chunk (the language server re-parses changed chunks only)."""
    out: list[Chunk] = []
    for start, end, nodes in line_groups(tree.body):
        first = start
        if start >= 2 and (not out or out[-1].end < start - 1):
            above = lines[start - 2].lstrip() if start - 2 < len(lines) else ""
            if above.startswith("#") and "losslint:" in above:
                first = start - 1
        out.append(Chunk(first, start, end, nodes))
    return out


class Pruner:
    """The chunks of one module and the parts kept so far; they only grow. A chunk is kept
    whole, or (a top-level class reached by loss code) method by method: the methods that hold
    a loss, the SPECIAL ones, and those whose name kept code reads as an attribute."""

    def __init__(self, tree: ast.Module, lines: list[str]):
        self.lines = lines
        self.chunks = chunks_of(tree, lines)
        self.keep: set[int] = set()
        self.attrs: set[str] = set()          # attribute names read by kept code
        self._binders: dict[str, list[int]] | None = None
        self._stars: list[int] | None = None
        self._closures: dict = {}
        self._texts: dict[int, str] = {}
        self._methods: dict[str, list[tuple[int, int]]] | None = None

    def binders(self) -> dict[str, list[int]]:
        if self._binders is None:
            self._binders = {}
            self._methods = {}
            for i, c in enumerate(self.chunks):
                for name in c.bound():
                    self._binders.setdefault(name, []).append(i)
                for k, name in c.methods():
                    self._methods.setdefault(name, []).append((i, k))
        return self._binders

    def add(self, indexes, members: dict[int, set[int]] | None = None) -> bool:
        """Keep these chunks (whole, or for a class in ``members``: those methods, the special
        ones and those read as attributes) and everything they can name; True if anything grew."""
        binders = self.binders()
        members = members or {}
        grew = False
        todo: list[tuple[int, object]] = []   # (chunk, "all" | "header" | method index)

        def keep_chunk(i: int, methods: set[int] | None) -> None:
            nonlocal grew
            c = self.chunks[i]
            if i not in self.keep:
                self.keep.add(i)
                grew = True
                if methods is None or c.cls is None:
                    c.members = None
                    todo.append((i, "all"))
                    return
                c.members = set()
                todo.append((i, "header"))
                methods = set(methods) | {k for k, name in c.methods() if name in SPECIAL or name in self.attrs}
            elif c.members is None:
                return
            elif methods is None:   # asked for whole: the rest of it
                methods = {k for k, _ in c.methods()}
            for k in methods:
                if k not in c.members:
                    c.members.add(k)
                    grew = True
                    todo.append((i, k))

        if not self.keep:   # star imports bind names no one can list: keep them with the first chunk
            for i, c in enumerate(self.chunks):
                if c.star:
                    keep_chunk(i, None)
        for i in indexes:
            keep_chunk(i, members.get(i))
        while todo:
            i, part = todo.pop()
            names = self.chunks[i].uses(part, self.lines)
            for name in names:
                for j in binders.get(name, ()):
                    if j not in self.keep:
                        keep_chunk(j, set())
            for attr in names - self.attrs:
                self.attrs.add(attr)
                for j, k in self._methods.get(attr, ()):
                    if j in self.keep:
                        keep_chunk(j, {k})
        return grew

    def add_sub(self, stmt: ast.stmt, lines: list[str]) -> int:
        """A chunk for one statement nested in a function (see Chunk.sub); its index."""
        raw = lines[stmt.lineno - 1]
        col = len(raw.encode("utf-8")[: stmt.col_offset].decode("utf-8", "ignore"))
        end_col = None
        if stmt.end_lineno is not None and stmt.end_col_offset is not None and stmt.end_lineno - 1 < len(lines):
            end_raw = lines[stmt.end_lineno - 1]
            end_col = len(end_raw.encode("utf-8")[: stmt.end_col_offset].decode("utf-8", "ignore"))
        self.chunks.append(Chunk(stmt.lineno, stmt.lineno, stmt.end_lineno or stmt.lineno, [stmt],
                                 col=col, end_col=end_col, sub=True))
        self._stars = None
        return len(self.chunks) - 1

    def closure(self, indexes) -> frozenset[int]:
        """The chunks these can reach by name (whole chunks; the kept set is not changed)."""
        key = frozenset(indexes)
        cached = self._closures.get(key)
        if cached is not None:
            return cached
        binders = self.binders()
        if self._stars is None:
            self._stars = [i for i, c in enumerate(self.chunks) if c.star]
        seen: set[int] = set()
        todo = list(indexes) + self._stars
        while todo:
            i = todo.pop()
            if i in seen:
                continue
            seen.add(i)
            for name in self.chunks[i].uses("all", self.lines):
                todo.extend(j for j in binders.get(name, ()) if j not in seen)
        self._closures[key] = result = frozenset(seen)
        return result

    def text(self, i: int) -> str:
        text = self._texts.get(i)
        if text is None:
            c = self.chunks[i]
            text = self._texts[i] = "\n".join(self.lines[c.first - 1: c.end])
        return text

    def add_names(self, names) -> bool:
        """The chunks binding these names, whole (a lookup may read any attribute of a class)."""
        binders = self.binders()
        return self.add([j for n in names for j in binders.get(n, ())])

    def keep_all(self) -> bool:
        return self.add(range(len(self.chunks)))


# --------------------------------------------------------------------------- loss roots

def aliases_of(tree: ast.Module, module_name: str) -> dict[str, str]:
    """``alias -> qualified name`` from every import of the module (imports.py, on ast)."""
    out: dict[str, str] = {}
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    out[a.asname] = a.name
                else:
                    top = a.name.split(".", 1)[0]
                    out[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = module_name.split(".")
                prefix = ".".join(pkg[: max(len(pkg) - node.level, 0)])
                base = ".".join(p for p in (prefix, base) if p)
            for a in node.names:
                if a.name != "*":
                    out[a.asname or a.name] = f"{base}.{a.name}" if base else a.name
    return out


def _statements(body):
    """Every statement at any depth (expressions are not walked: imports are statements)."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            part = getattr(node, name, None)
            if isinstance(part, list):
                stack.extend(reversed(part))


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _keras_loss_class(cls: ast.ClassDef, aliases: dict[str, str], keras_bases) -> bool:
    for base in cls.bases:
        name = _dotted(base)
        if name is None:
            continue
        head, _, rest = name.partition(".")
        full = canonical(aliases.get(head, head) + ("." + rest if rest else ""))
        if full in keras_bases or full.endswith("losses.Loss"):
            return True
    return False


def _names_in(node, out: set[str]) -> None:
    if isinstance(node, ast.Name):
        out.add(node.id)
    elif isinstance(node, ast.Attribute):
        out.add(node.attr)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for el in node.elts:
            _names_in(el, out)
    elif isinstance(node, ast.Dict):
        for v in node.values:
            _names_in(v, out)
    elif isinstance(node, ast.Call):
        _names_in(node.func, out)


def _statement_owners(nodes):
    """(owner, simple statement) for every non-compound statement: the owner is the
    top-level statement, or for a top-level class the member holding it."""
    for top in nodes:
        if isinstance(top, ast.ClassDef):
            for m in top.body:
                for stmt in _simple(m):
                    yield m, stmt
        else:
            for stmt in _simple(top):
                yield top, stmt


def _simple(node):
    stack = [node]
    while stack:
        n = stack.pop()
        compound = False
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            part = getattr(n, name, None)
            if isinstance(part, list):
                compound = True
                stack.extend(part)
        if not compound and isinstance(n, ast.stmt):
            yield n


def _compile_calls(stmt):
    """``x.compile(..., loss=...)`` calls that are the statement or its assigned value (what
    discovery.compile_calls reads)."""
    value = getattr(stmt, "value", None)
    if isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return)) and isinstance(value, ast.Call) \
            and isinstance(value.func, ast.Attribute) and value.func.attr == "compile":
        yield value


_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


def _nested_statements(node):
    """The statements (and except / case clauses) directly inside a statement: only blocks can
    hold a ``def`` (walking every child node made this a tenth of the pruning)."""
    for f in _BLOCK_FIELDS:
        block = getattr(node, f, None)
        if block and isinstance(block, list):
            yield from block


def loss_roots(pruner: Pruner, tree: ast.Module, lines: list[str], cfg, module_name: str):
    """(chunks, {class chunk: its methods}) that can hold a loss function (or a ``compile``
    call, or a pragma): a superset of what discovery.find_losses takes as losses."""
    from .discovery import KERAS_LOSS_BASES, PRED_PARAMS, TARGET_PARAMS, loss_like_name

    alias_table: list[dict] = []

    def aliases() -> dict[str, str]:
        if not alias_table:
            alias_table.append(aliases_of(tree, module_name))
        return alias_table[0]

    def text_of(first: int, end: int) -> str:
        return "\n".join(lines[max(first - 1, 0): end])

    # compile(loss=...) calls: found by walking statements, and expressions only of the
    # statements whose lines mention "compile"
    compile_sites: dict[int, list] = {}   # id(top-level or member node) -> [(statement, call)]
    compile_names: set[str] = set()
    for chunk in pruner.chunks:
        if "compile" not in text_of(chunk.first, chunk.end):
            continue
        for owner, stmt in _statement_owners(chunk.nodes):
            if "compile" in text_of(stmt.lineno, stmt.end_lineno or stmt.lineno):
                for call in _compile_calls(stmt):
                    compile_sites.setdefault(id(owner), []).append(stmt)
                    for kw in call.keywords:
                        if kw.arg == "loss":
                            _names_in(kw.value, compile_names)
    has_compile = bool(compile_sites)
    globs = cfg is not None and any(o.losses for o in getattr(cfg, "outputs", ()))

    def is_root(fn, qual: str, cls: ast.ClassDef | None, outer: str | None) -> bool:
        name = fn.name
        if loss_like_name(name) or name in compile_names or (outer is not None and outer in compile_names):
            return True
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        if cls is not None and params and params[0] in ("self", "cls"):
            params = params[1:]
        ps = set(params)
        if ps & PRED_PARAMS and ps & TARGET_PARAMS:
            return True
        if cls is not None:
            if name == "call" and _keras_loss_class(cls, aliases(), KERAS_LOSS_BASES):
                return True
            if name in ("forward", "call", "__call__") and (loss_like_name(cls.name) or "loss" in cls.name.lower()):
                return True
        if globs:
            match_name = cls.name if cls is not None and name in ("call", "forward", "__call__") else name
            if cfg.output_for(match_name, qual, module_name) is not None:
                return True
        return False

    def holds_root(node, prefix: str, cls, outer) -> bool:
        for child in _nested_statements(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qual = prefix + child.name
                if is_root(child, qual, cls, outer) or holds_root(child, qual + ".<locals>.", None, child.name):
                    return True
            elif isinstance(child, ast.ClassDef):
                if holds_root(child, prefix + child.name + ".", child, None):
                    return True
            elif holds_root(child, prefix, cls, outer):
                return True   # if / try / except / with / for / match bodies
        return False

    roots: list[int] = []
    members: dict[int, set[int]] = {}

    def compile_only(node) -> bool:
        """A function holding no loss but compile calls: keep those statements alone."""
        sites = compile_sites.get(id(node))
        if not sites:
            return False
        for stmt in sites:
            roots.append(pruner.add_sub(stmt, lines))
        return True

    for i, chunk in enumerate(list(pruner.chunks)):
        if chunk.sub:
            continue
        cls = chunk.cls
        if cls is None:
            text = text_of(chunk.first, chunk.end)
            wrapper = ast.Module(body=chunk.nodes, type_ignores=[])
            if "losslint:" in text or holds_root(wrapper, "", None, None):
                roots.append(i)
            elif has_compile and id(chunk.nodes[0]) in compile_sites:
                node = chunk.nodes[0]
                if len(chunk.nodes) == 1 and isinstance(node, _DEFS):
                    compile_only(node)
                else:
                    roots.append(i)
            continue
        found: set[int] = set()
        root = False
        for k, m in enumerate(cls.body):
            if isinstance(m, _DEFS):
                qual = cls.name + "." + m.name
                start = first_line(m)
                text = text_of(start - 1, m.end_lineno or m.lineno)   # a pragma may sit on the line above
                if ("losslint:" in text or is_root(m, qual, cls, None)
                        or holds_root(m, qual + ".<locals>.", None, m.name)):
                    found.add(k)
                elif has_compile:
                    compile_only(m)
            elif holds_root(ast.Module(body=[m], type_ignores=[]), cls.name + ".", cls, None) \
                    or id(m) in compile_sites:
                root = True
        if found or root:
            roots.append(i)
            members[i] = found
    return roots, members
