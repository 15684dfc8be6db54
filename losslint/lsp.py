"""The language server (SPEC section 7): ``losslint lsp`` speaks LSP over stdio (pygls 2).

Features:

- diagnostics on open, change (debounced per document; only the latest version is ever
  published) and save, cleared on close;
- code actions: each finding's quick fix, "Disable LLxxx for this line" (``# noqa``), and
  "Fix all losslint findings" (kind ``source.fixAll.losslint``);
- hover: the inferred layout of the tensor expression, or the named axis an axis argument
  hits, under the cursor;
- config reload when pyproject.toml / losslint.toml / .losslint.toml change.

Threading: every handler runs on pygls' event loop; analysis runs on one worker thread (so
the engine and the config cache are never used concurrently) and every message to the client
is sent from the event loop. Positions: the engine counts lines as Python does and columns in
code points, 1-based; LSP counts from 0 in the negotiated encoding (UTF-16 by default).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sys
import tokenize
import io
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path, uri_scheme
from pygls.workspace.position_codec import PositionCodec

from . import __version__, noqa
from .config import CONFIG_FILES, Config, ConfigError, ConfigResolver
from .findings import Finding
from .source import split_lines

logger = logging.getLogger("losslint.lsp")

SOURCE = "losslint"
DEBOUNCE_ENV = "LOSSLINT_LSP_DEBOUNCE_MS"
DEFAULT_DEBOUNCE_MS = 250.0
FIX_ALL_KIND = "source.fixAll.losslint"
RULE_URL = "https://pypi.org/project/losslint/#{code}"
PYTHON_SUFFIXES = (".py", ".pyi")
NO_LAYOUT_HINT = (
    "losslint: no layout declared for {where}, so only the rules that need none run (LL001, "
    "LL107). Declare the layout of your model outputs, e.g. `layout = \"N C H W\"` under "
    "[tool.losslint] in pyproject.toml."
)


def debounce_seconds() -> float:
    """The didChange debounce: $LOSSLINT_LSP_DEBOUNCE_MS (milliseconds, >= 0) or 250 ms."""
    raw = os.environ.get(DEBOUNCE_ENV, "")
    try:
        ms = float(raw) if raw.strip() else DEFAULT_DEBOUNCE_MS
    except ValueError:
        ms = DEFAULT_DEBOUNCE_MS
    return max(ms, 0.0) / 1000.0


# -- positions ---------------------------------------------------------------------------

def _units(codec: PositionCodec, text: str) -> int:
    """The client's code units in ``text``: its length when it is ASCII (one unit per character
    in UTF-8, -16 and -32 alike); pygls counts character by character in Python, which was a
    fifth of publishing a 3,000-line module's diagnostics."""
    return len(text) if text.isascii() else codec.client_num_units(text)


def to_position(lines: list[str], codec: PositionCodec, line: int, column: int) -> types.Position:
    """A 1-based (line, code-point column) as an LSP position (0-based, client units)."""
    i = line - 1
    if i < 0:
        return types.Position(line=0, character=0)
    if i >= len(lines):
        return types.Position(line=len(lines), character=0)
    text = lines[i]
    c = min(max(column - 1, 0), len(text))
    return types.Position(line=i, character=_units(codec, text[:c]))


def from_position(lines: list[str], codec: PositionCodec, pos: types.Position) -> tuple[int, int] | None:
    """An LSP position as a 1-based (line, code-point column); None when out of range."""
    if pos.line < 0 or pos.character < 0 or pos.line >= len(lines):
        return None
    text = lines[pos.line]
    if text.isascii():
        return (pos.line + 1, pos.character + 1) if pos.character <= len(text) else None
    units = index = 0
    for ch in text:
        if units >= pos.character:
            break
        units += codec.client_num_units(ch)
        index += 1
    if units < pos.character:
        return None  # past the end of the line
    return pos.line + 1, index + 1


def to_range(lines: list[str], codec: PositionCodec, line: int, column: int, end_line: int, end_column: int) -> types.Range:
    start = to_position(lines, codec, line, column)
    end = to_position(lines, codec, end_line or line, end_column or column)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start=start, end=end)


def end_of_text(text: str, lines: list[str], codec: PositionCodec) -> types.Position:
    if not lines:
        return types.Position(line=0, character=0)
    if text.endswith(("\n", "\r")):
        return types.Position(line=len(lines), character=0)
    return types.Position(line=len(lines) - 1, character=_units(codec, lines[-1]))


def _range_json(r: types.Range) -> dict:
    return {"start": {"line": r.start.line, "character": r.start.character},
            "end": {"line": r.end.line, "character": r.end.character}}


def _range_from_json(value: Any) -> types.Range:
    def pos(p):
        line, character = p["line"], p["character"]
        if not (isinstance(line, int) and isinstance(character, int)) or line < 0 or character < 0:
            raise ValueError("bad position")
        return types.Position(line=line, character=character)

    return types.Range(start=pos(value["start"]), end=pos(value["end"]))


def encode_for_analysis(text: str) -> bytes:
    """The document's text as the bytes its file would hold: UTF-8 unless a PEP 263 cookie
    names an encoding that can represent the text (else UTF-8, and the engine reports LL001)."""
    data = text.encode("utf-8", errors="surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return data
    if encoding in ("utf-8", "utf-8-sig"):
        return data
    try:
        return text.encode(encoding)
    except (UnicodeError, LookupError):
        return data


# -- results -----------------------------------------------------------------------------

@dataclass
class Analysis:
    version: int | None
    findings: list[Finding]
    diagnostics: list[types.Diagnostic]
    config: Config | None = None
    source: object = None          # the analysed source.Source (hover reads its record)
    record: dict | None = None


def config_stamp(path: str | None) -> tuple:
    """The modification times of every config file that could apply to ``path`` (its
    directory and each parent): cheap to compute, and it changes when any of them is
    created, edited or deleted. Used on didSave for clients that do not watch files."""
    if not path:
        return ()
    out = []
    directory = Path(path).parent
    for d in (directory, *directory.parents):
        for name in CONFIG_FILES:
            try:
                out.append((str(d / name), os.stat(d / name).st_mtime_ns))
            except OSError:
                pass
    return tuple(out)


@dataclass
class Snapshot:
    uri: str
    version: int | None
    text: str
    path: str | None           # file-system path (None for untitled documents)
    name: str                  # what the engine is told the file is called
    lines: list[str] = field(default_factory=list)


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, except that a didChange for a document that is not open is ignored
    (pygls would raise a KeyError and show it to the user)."""

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        if unquote(params.text_document.uri) not in self.workspace.text_documents:
            self._server.log(f"didChange for a document that is not open, ignored: {params.text_document.uri}",
                             types.MessageType.Warning)
            return
        yield from super().lsp_text_document__did_change(params)


class LosslintServer(LanguageServer):
    def __init__(self, debounce: float | None = None):
        super().__init__("losslint", __version__, protocol_cls=_Protocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.debounce = debounce_seconds() if debounce is None else debounce
        self.resolver = ConfigResolver()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="losslint-analysis")
        self.pending: dict[str, asyncio.Task] = {}
        self.results: dict[str, Analysis] = {}
        self.hovers: dict[str, tuple[int | None, list]] = {}
        self.memos: dict = {}   # uri -> engine.Memo: what an edit leaves unchanged is not analysed again
        self.reported_errors: set[str] = set()
        self.hinted_roots: set[str] = set()
        self.stamps: dict[str, tuple] = {}
        self.fixalls: dict[str, tuple[int | None, str | None]] = {}

    # -- messages to the client (event-loop thread only) ---------------------------------

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # the client is gone: nothing else to do
            logger.warning("%s", message)

    def show(self, message: str, kind: types.MessageType = types.MessageType.Error) -> None:
        try:
            self.window_show_message(types.ShowMessageParams(type=kind, message=message))
        except Exception:
            logger.warning("%s", message)

    def report_server_error(self, error: Exception, source) -> None:
        # pygls shows unexpected errors with window/showMessage; a linter should not pop up
        # dialogs for its own bugs: log them.
        self.log(f"losslint: internal error: {error}", types.MessageType.Error)

    def internal_error(self, where: str) -> None:
        self.log(f"losslint: internal error in {where}:\n{traceback.format_exc()}", types.MessageType.Error)

    # -- documents -----------------------------------------------------------------------

    def open_document(self, uri: str):
        return self.workspace.text_documents.get(unquote(uri))

    def snapshot(self, uri: str) -> Snapshot | None:
        doc = self.open_document(uri)
        if doc is None:
            return None
        path = to_fs_path(uri) if uri_scheme(uri) == "file" else None
        name = path or (Path(doc.path).name if doc.path else "untitled.py") or "untitled.py"
        text = doc.source
        return Snapshot(uri, doc.version, text, path, name, split_lines(text))

    def is_python(self, uri: str) -> bool:
        doc = self.open_document(uri)
        if doc is None:
            return False
        if doc.language_id:
            return doc.language_id.lower() in ("python", "py")
        return unquote(uri).endswith(PYTHON_SUFFIXES)

    @property
    def codec(self) -> PositionCodec:
        return self.workspace.position_codec

    # -- configuration (worker thread) ---------------------------------------------------

    def _folders(self) -> list[Path]:
        out = []
        for folder in self.workspace.folders.values():
            p = to_fs_path(folder.uri)
            if p:
                out.append(Path(p))
        if self.workspace.root_path:
            out.append(Path(self.workspace.root_path))
        return out

    def config_for(self, snap: Snapshot) -> Config:
        """The config of the document's directory, else of its workspace folder."""
        resolver = self.resolver
        cfg = resolver.for_path(Path(snap.path)) if snap.path else None
        if cfg is None or cfg.path is None:
            folders = self._folders()
            if snap.path:
                inside = [f for f in folders if _is_within(Path(snap.path), f)]
                folders = sorted(inside, key=lambda f: len(f.parts), reverse=True) + folders
            for folder in folders:
                if folder.is_dir():
                    alt = resolver.for_path(folder)
                    if alt.path is not None or cfg is None:
                        cfg = alt
                        break
        return cfg if cfg is not None else Config()

    # -- diagnostics ---------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        """(Re)start the analysis of one document after ``delay`` seconds; a newer request
        for the same document cancels the older one."""
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        task = asyncio.get_running_loop().create_task(self._lint(uri, delay))
        self.pending[uri] = task

        def done(t: asyncio.Task, uri=uri):
            if self.pending.get(uri) is t:
                del self.pending[uri]

        task.add_done_callback(done)

    async def _lint(self, uri: str, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            snap = self.snapshot(uri)
            if snap is None:
                return
            if not self.is_python(uri):
                return
            loop = asyncio.get_running_loop()
            try:
                result = await loop.run_in_executor(self.executor, self.analyse, snap)
            except ConfigError as exc:
                result = Analysis(snap.version, [], [])
                self.config_error(exc)
            current = self.open_document(uri)
            if current is None or current.version != snap.version:
                return  # stale: a newer version is (or will be) analysed
            self.results[uri] = result
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, diagnostics=result.diagnostics, version=snap.version))
            if result.config is not None and not result.config.has_layout:
                where = str(result.config.path or result.config.root)
                if where not in self.hinted_roots:
                    self.hinted_roots.add(where)
                    self.log(NO_LAYOUT_HINT.format(where=snap.path or snap.uri), types.MessageType.Info)
        except asyncio.CancelledError:
            raise
        except Exception:
            self.internal_error(f"analysing {uri}")

    def config_error(self, exc: ConfigError) -> None:
        message = f"losslint: configuration error: {exc}"
        if message not in self.reported_errors:
            self.reported_errors.add(message)
            self.show(message, types.MessageType.Error)
        self.log(message, types.MessageType.Error)

    def analyse(self, snap: Snapshot) -> Analysis:
        """Worker thread: findings and ready-to-publish diagnostics of one snapshot."""
        from .checker import Options, analyse

        from .engine import Memo

        self.stamps[snap.uri] = config_stamp(snap.path)
        cfg = self.config_for(snap)
        memo = self.memos.get(snap.uri)
        if memo is None:
            memo = self.memos[snap.uri] = Memo()
        record: dict = {}   # the same pass records what hover shows
        findings, src = analyse(snap.name, cfg, encode_for_analysis(snap.text), Options(), memo=memo, record=record)
        codec = self.codec
        diagnostics = [self.diagnostic(f, snap, codec) for f in findings]
        return Analysis(snap.version, findings, diagnostics, cfg, src, record)

    def diagnostic(self, f: Finding, snap: Snapshot, codec: PositionCodec) -> types.Diagnostic:
        lines = snap.lines
        end_line, end_column = f.end_line or f.line, f.end_column or f.column
        if (end_line, end_column) <= (f.line, f.column) and 0 < f.line <= len(lines):
            # a point (LL001): widen to one character where there is one, so it can be seen
            end_line, end_column = f.line, min(f.column + 1, len(lines[f.line - 1]) + 1)
        data: dict[str, Any] = {"version": snap.version}
        if f.fix is not None:
            data["fix"] = {
                "message": f.fix.message,
                "edits": [
                    {"range": _range_json(to_range(lines, codec, e.line, e.column, e.end_line, e.end_column)),
                     "newText": e.new_text}
                    for e in f.fix.edits
                ],
            }
        return types.Diagnostic(
            range=to_range(lines, codec, f.line, f.column, end_line, end_column),
            message=f.message,
            severity=types.DiagnosticSeverity.Error if f.code == "LL001" else types.DiagnosticSeverity.Warning,
            code=f.code,
            code_description=types.CodeDescription(href=RULE_URL.format(code=f.code.lower())),
            source=SOURCE,
            data=data,
        )

    def forget(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.results.pop(uri, None)
        self.hovers.pop(uri, None)
        self.memos.pop(uri, None)
        self.stamps.pop(uri, None)
        self.fixalls.pop(uri, None)

    def config_changed_on_disk(self) -> bool:
        for uri, stamp in list(self.stamps.items()):
            snap_path = to_fs_path(uri) if uri_scheme(uri) == "file" else None
            if config_stamp(snap_path) != stamp:
                return True
        return False

    def reload_config(self) -> None:
        self.resolver = ConfigResolver()
        self.reported_errors.clear()
        self.hinted_roots.clear()
        self.hovers.clear()
        self.memos.clear()
        self.fixalls.clear()
        for key, doc in list(self.workspace.text_documents.items()):
            uri = doc.uri or key
            if self.is_python(uri):
                self.schedule(uri, 0.0)

    # -- code actions --------------------------------------------------------------------

    def workspace_edit(self, uri: str, version: int | None, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        caps = self.client_capabilities
        document_changes = bool(caps and caps.workspace and caps.workspace.workspace_edit
                                and caps.workspace.workspace_edit.document_changes)
        if document_changes:
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=edits)])
        return types.WorkspaceEdit(changes={uri: edits})

    def fix_of(self, diag: types.Diagnostic, snap: Snapshot) -> tuple[str, list[types.TextEdit]] | None:
        """The quick fix a diagnostic carries in ``data`` (or, for a client that drops
        ``data``, the one of the matching finding of the current version)."""
        data = diag.data if isinstance(diag.data, dict) else None
        if data is not None and "version" in data:
            if data.get("version") != snap.version:
                return None  # published for an older text: its edits would land elsewhere
            fix = data.get("fix")
            if not isinstance(fix, dict):
                return None
            try:
                edits = [types.TextEdit(range=_range_from_json(e["range"]), new_text=str(e["newText"]))
                         for e in fix["edits"]]
            except (KeyError, TypeError, ValueError):
                return None
            return str(fix.get("message") or "apply the fix"), edits
        result = self.results.get(snap.uri)
        if result is None or result.version != snap.version:
            return None
        for f, d in zip(result.findings, result.diagnostics):
            if f.fix is not None and d.code == diag.code and d.range == diag.range:
                return f.fix.message, [types.TextEdit(range=_range_from_json(e["range"]), new_text=e["newText"])
                                       for e in d.data["fix"]["edits"]]
        return None

    def noqa_edit(self, line_index: int, code: str, snap: Snapshot) -> types.TextEdit | None:
        if not 0 <= line_index < len(snap.lines):
            return None
        text = snap.lines[line_index]
        if text.rstrip().endswith("\\"):
            return None  # a comment cannot follow a line continuation
        new = noqa.add_code(text, code)
        if new == text:
            return None
        return types.TextEdit(
            range=types.Range(start=types.Position(line=line_index, character=0),
                              end=types.Position(line=line_index, character=self.codec.client_num_units(text))),
            new_text=new)

    def fix_all(self, snap: Snapshot, findings: list[Finding] | None = None) -> str | None:
        """Worker thread: the document with every fix applied (re-analysed until no fix
        remains, at most fixes.MAX_PASSES times), or None when nothing changes.
        ``findings``: those of this very text, when known (saves one analysis)."""
        from .checker import Options, analyse
        from .fixes import fix_file

        cfg = self.config_for(snap)
        data = encode_for_analysis(snap.text)
        known = [findings]

        def check(p, d):
            if known[0] is not None and d == data:
                found, known[0] = known[0], None
                return found, snap.text, _encoding_of(data)
            found, src = analyse(p, cfg, d, Options())
            return found, (src.text if src else ""), (src.encoding if src else "utf-8")

        result = fix_file(snap.name, check, data)
        if result.error or result.original != snap.text or result.fixed == result.original:
            return None
        return result.fixed

    async def fix_all_edit(self, snap: Snapshot) -> types.WorkspaceEdit | None:
        """The whole-document edit of "Fix all", cached per document version."""
        cached = self.fixalls.get(snap.uri)
        if cached is not None and cached[0] == snap.version:
            fixed = cached[1]
        else:
            known = self.results.get(snap.uri)
            findings = known.findings if known is not None and known.version == snap.version else None
            loop = asyncio.get_running_loop()
            try:
                fixed = await loop.run_in_executor(self.executor, self.fix_all, snap, findings)
            except ConfigError as exc:
                self.config_error(exc)
                return None
            current = self.open_document(snap.uri)
            if current is None or current.version != snap.version:
                return None
            self.fixalls[snap.uri] = (snap.version, fixed)
        if fixed is None:
            return None
        edit = types.TextEdit(
            range=types.Range(start=types.Position(line=0, character=0),
                              end=end_of_text(snap.text, snap.lines, self.codec)),
            new_text=fixed)
        return self.workspace_edit(snap.uri, snap.version, [edit])

    def can_resolve_edits(self) -> bool:
        try:
            props = self.client_capabilities.text_document.code_action.resolve_support.properties
        except AttributeError:
            return False
        return bool(props) and "edit" in props

    async def resolve_code_action(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else None
        if action.edit is not None or data is None or data.get("kind") != FIX_ALL_KIND:
            return action
        snap = self.snapshot(str(data.get("uri")))
        if snap is None or snap.version != data.get("version"):
            return action  # the document changed since: nothing safe to apply
        edit = await self.fix_all_edit(snap)
        if edit is not None:
            action.edit = edit
        return action

    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        snap = self.snapshot(uri)
        if snap is None or not self.is_python(uri):
            return []
        r = params.range
        n = len(snap.lines)
        if r.start.line < 0 or r.end.line < 0 or r.start.line > n or r.end.line > n \
                or (r.end.line, r.end.character) < (r.start.line, r.start.character):
            return []
        only = params.context.only
        actions: list[types.CodeAction] = []
        if _kind_allowed(types.CodeActionKind.QuickFix, only):
            noqa_done: set[tuple[int, str]] = set()
            fixes: list[types.CodeAction] = []
            disables: list[types.CodeAction] = []
            for diag in params.context.diagnostics:
                code = diag.code if isinstance(diag.code, str) else None
                if diag.source != SOURCE or code is None:
                    continue
                data = diag.data if isinstance(diag.data, dict) else None
                if data is not None and data.get("version", snap.version) != snap.version:
                    continue  # stale: fresh diagnostics are on their way
                fix = self.fix_of(diag, snap)
                if fix is not None:
                    message, edits = fix
                    fixes.append(types.CodeAction(
                        title=f"Fix {code}: {message}",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        is_preferred=True,
                        edit=self.workspace_edit(uri, snap.version, edits)))
                line = diag.range.start.line
                if (line, code) in noqa_done:
                    continue
                noqa_done.add((line, code))
                edit = self.noqa_edit(line, code, snap)
                if edit is not None:
                    disables.append(types.CodeAction(
                        title=f"Disable {code} for this line",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        edit=self.workspace_edit(uri, snap.version, [edit])))
            actions += fixes + disables
        if _kind_allowed(FIX_ALL_KIND, only):
            known = self.results.get(uri)
            fresh = known is not None and known.version == snap.version
            if not fresh or any(f.fix for f in known.findings):
                title = "Fix all losslint findings"
                if not only and self.can_resolve_edits():
                    # an automatic request (light bulb): defer the work to codeAction/resolve
                    actions.append(types.CodeAction(
                        title=title, kind=FIX_ALL_KIND,
                        data={"kind": FIX_ALL_KIND, "uri": uri, "version": snap.version}))
                else:
                    edit = await self.fix_all_edit(snap)
                    if edit is not None:
                        actions.append(types.CodeAction(title=title, kind=FIX_ALL_KIND, edit=edit))
        return actions

    # -- hover ---------------------------------------------------------------------------

    def hover_items(self, snap: Snapshot):
        from .hover import HoverIndex, hover_items

        result = self.results.get(snap.uri)
        if result is not None and result.version == snap.version and result.record is not None:
            return HoverIndex(result.source, result.record)   # the diagnostics pass's, placed lazily
        return hover_items(snap.name, snap.text, self.config_for(snap))

    async def hover(self, params: types.HoverParams) -> types.Hover | None:
        from .hover import hover_at

        uri = params.text_document.uri
        snap = self.snapshot(uri)
        if snap is None or not self.is_python(uri):
            return None
        where = from_position(snap.lines, self.codec, params.position)
        if where is None:
            return None
        cached = self.hovers.get(uri)
        loop = asyncio.get_running_loop()
        if cached is not None and cached[0] == snap.version:
            items = cached[1]
        else:
            try:
                items = await loop.run_in_executor(self.executor, self.hover_items, snap)
            except ConfigError as exc:
                self.config_error(exc)
                return None
            current = self.open_document(uri)
            if current is not None and current.version == snap.version:
                self.hovers[uri] = (snap.version, items)
        # (placing items generates code from the parsed trees: on the analysis thread)
        item = await loop.run_in_executor(self.executor, hover_at, items, *where)
        if item is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=self.markup_kind(), value=item.text),
            range=to_range(snap.lines, self.codec, item.line, item.column, item.end_line, item.end_column))

    def markup_kind(self) -> types.MarkupKind:
        caps = self.client_capabilities
        formats = None
        try:
            formats = caps.text_document.hover.content_format
        except AttributeError:
            pass
        if formats and types.MarkupKind.Markdown not in formats:
            return types.MarkupKind.PlainText
        return types.MarkupKind.Markdown

    # -- watched files -------------------------------------------------------------------

    async def register_watchers(self) -> None:
        caps = self.client_capabilities
        try:
            dynamic = bool(caps.workspace.did_change_watched_files.dynamic_registration)
        except AttributeError:
            dynamic = False
        if not dynamic:
            return
        registration = types.Registration(
            id="losslint-config-files",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_FILES]),
        )
        try:
            await self.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
        except Exception as exc:
            self.log(f"losslint: could not register the config file watcher ({exc}); "
                     "config changes are picked up when the client reports them", types.MessageType.Info)


def _encoding_of(data: bytes) -> str:
    try:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError:
        return "utf-8"


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except (ValueError, OSError):
        return False


def _kind_allowed(kind: str, only) -> bool:
    """LSP code action kinds are hierarchical: asking for "source" allows "source.fixAll.x"."""
    if not only:
        return True
    kind = str(getattr(kind, "value", kind))
    for wanted in only:
        w = str(getattr(wanted, "value", wanted))
        if kind == w or kind.startswith(w + "."):
            return True
    return False


def _guard(default=None):
    """Catch and log any exception of an (async) handler; answer ``default``."""

    def decorate(fn):
        @functools.wraps(fn)
        async def wrapper(ls: LosslintServer, params):
            try:
                return await fn(ls, params)
            except asyncio.CancelledError:
                raise
            except Exception:
                ls.internal_error(fn.__name__)
                return default() if callable(default) else default

        return wrapper

    return decorate


def build_server(debounce: float | None = None) -> LosslintServer:
    from . import source

    if source.CHUNK_CACHE is None:   # an edit re-parses only the statements it changed
        source.CHUNK_CACHE = source.ChunkCache()
    from .checker import tune_gc

    tune_gc()
    server = LosslintServer(debounce)

    @server.feature(types.INITIALIZED)
    @_guard()
    async def initialized(ls: LosslintServer, params: types.InitializedParams):
        await ls.register_watchers()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @_guard()
    async def did_open(ls: LosslintServer, params: types.DidOpenTextDocumentParams):
        ls.hovers.pop(params.text_document.uri, None)
        ls.schedule(params.text_document.uri, 0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @_guard()
    async def did_change(ls: LosslintServer, params: types.DidChangeTextDocumentParams):
        if ls.open_document(params.text_document.uri) is not None:
            ls.schedule(params.text_document.uri, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @_guard()
    async def did_save(ls: LosslintServer, params: types.DidSaveTextDocumentParams):
        if ls.config_changed_on_disk():
            # a client that does not report watched files: notice config edits on save
            ls.log("losslint: configuration changed; re-checking open documents", types.MessageType.Info)
            ls.reload_config()
        elif ls.open_document(params.text_document.uri) is not None:
            ls.schedule(params.text_document.uri, 0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @_guard()
    async def did_close(ls: LosslintServer, params: types.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        ls.forget(uri)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @_guard()
    async def did_change_watched_files(ls: LosslintServer, params: types.DidChangeWatchedFilesParams):
        names = {Path(unquote(c.uri)).name for c in params.changes}
        if names & set(CONFIG_FILES):
            ls.log("losslint: configuration changed; re-checking open documents", types.MessageType.Info)
            ls.reload_config()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND],
                                resolve_provider=True),
    )
    @_guard(default=list)
    async def code_action(ls: LosslintServer, params: types.CodeActionParams):
        return await ls.code_actions(params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: LosslintServer, params: types.CodeAction):
        try:
            return await ls.resolve_code_action(params)
        except asyncio.CancelledError:
            raise
        except Exception:
            ls.internal_error("codeAction/resolve")
            return params

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @_guard()
    async def hover(ls: LosslintServer, params: types.HoverParams):
        return await ls.hover(params)

    @server.feature(types.SHUTDOWN)
    @_guard()
    async def shutdown(ls: LosslintServer, params):
        for task in list(ls.pending.values()):
            task.cancel()
        ls.pending.clear()

    return server


def _one_line(record: logging.LogRecord) -> bool:
    """The editor's log gets one line per problem (a malformed message from the client, say),
    not a traceback; LOSSLINT_DEBUG keeps them."""
    if record.exc_info and not os.environ.get("LOSSLINT_DEBUG"):
        exc = record.exc_info[1]
        record.msg = f"{record.getMessage()}: {type(exc).__name__}: {exc}"
        record.args = ()
        record.exc_info = None
        record.exc_text = None
    message = record.getMessage()
    if "Traceback (most recent call last)" in message and not os.environ.get("LOSSLINT_DEBUG"):
        lines = [line for line in message.splitlines() if line.strip()]
        record.msg = f"{lines[0]} ({lines[-1].strip()})"
        record.args = ()
    return True


def serve() -> None:
    """Run the server on stdin/stdout until the client says exit."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # stdout carries the protocol: anything printed by mistake must not corrupt it.
    sys.stdout = sys.stderr
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="losslint-lsp %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_one_line)
    server = build_server()
    server.start_io(stdin, stdout)
