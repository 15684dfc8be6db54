"""End-to-end tests of ``losslint lsp`` over stdio, driven by pytest-lsp."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")

from lsprotocol import types  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402

# One server for the module (and one with no debounce): starting a server costs a second or
# more, so every test works in a directory of its own under one workspace root.
pytestmark = pytest.mark.asyncio(loop_scope="module")

BUGGY = (
    "from keras import backend as K\n"
    "def mean_squared_error(y_true, y_pred):\n"
    "    return K.mean(K.square(y_pred - y_true), axis=-1)\n"
)
CLEAN = BUGGY.replace("axis=-1", "axis=1")
NCHW = '[tool.losslint]\nlayout = "N C H W"\n'
NHWC = '[tool.losslint]\nlayout = "N H W C"\n'


def make_client() -> LanguageClient:
    """pytest-lsp's client, recording every publishDiagnostics and registration."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    client.registrations = []

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams):
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)

    def register(client: LanguageClient, params: types.RegistrationParams):
        client.registrations.extend(params.registrations)

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    register_lsp_features(client, features)
    return client


def server_config(debounce_ms: int | None = None) -> ClientServerConfig:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOSSLINT")}
    if debounce_ms is not None:
        env["LOSSLINT_LSP_DEBOUNCE_MS"] = str(debounce_ms)
    return ClientServerConfig(server_command=[sys.executable, "-m", "losslint", "lsp"],
                              client_factory=make_client, server_env=env)


async def _session(client: LanguageClient, root: Path):
    await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=from_fs_path(str(root)),
        workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(root)), name="proj")],
    ))
    yield
    await client.shutdown_session()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest.fixture
def project(workspace: Path, request) -> Path:
    """A directory of the test's own, with a pyproject.toml declaring N C H W and loss.py."""
    root = workspace / request.node.name
    root.mkdir()
    (root / "pyproject.toml").write_text(NCHW)
    (root / "loss.py").write_text(BUGGY)
    return root


@pytest_lsp.fixture(config=server_config(), scope="module")
async def client(lsp_client: LanguageClient, workspace: Path):
    async for _ in _session(lsp_client, workspace):
        yield


@pytest_lsp.fixture(config=server_config(debounce_ms=0), scope="module")
async def fast_client(lsp_client: LanguageClient, workspace: Path):
    async for _ in _session(lsp_client, workspace):
        yield


# -- helpers -----------------------------------------------------------------------------

async def published(client, uri: str, pred=lambda p: True, timeout: float = 15.0,
                    after: int = 0) -> types.PublishDiagnosticsParams:
    """The first publishDiagnostics for ``uri`` (from index ``after`` on) satisfying ``pred``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for p in client.published[after:]:
            if p.uri == uri and pred(p):
                return p
        if client.error is not None:
            raise AssertionError(f"client error: {client.error}")
        if loop.time() > deadline:
            raise AssertionError(f"no matching diagnostics for {uri}; got {client.published!r}")
        await asyncio.sleep(0.01)


def open_doc(client, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = from_fs_path(str(path))
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="python", version=version, text=path.read_text() if text is None else text)))
    return uri


def change_doc(client, uri: str, version: int, text: str | None = None,
               edits: list[types.TextEdit] | None = None) -> None:
    if edits is not None:
        # LSP applies each change to the result of the previous one: last position first.
        ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)
        changes = [types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in ordered]
    else:
        changes = [types.TextDocumentContentChangeWholeDocument(text=text)]
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=changes))


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits to ASCII text (UTF-16 units are characters there)."""
    lines = text.splitlines(keepends=True) + [""]
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def off(p: types.Position) -> int:
        return starts[p.line] + p.character

    for e in sorted(edits, key=lambda e: off(e.range.start), reverse=True):
        text = text[: off(e.range.start)] + e.new_text + text[off(e.range.end):]
    return text


def edits_of(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    if edit.document_changes:
        return [e for dc in edit.document_changes if dc.text_document.uri == uri for e in dc.edits]
    return list((edit.changes or {}).get(uri, []))


async def code_actions(client, uri: str, diagnostics, rng: types.Range | None = None, only=None):
    rng = rng or (diagnostics[0].range if diagnostics else types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)))
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=rng,
        context=types.CodeActionContext(diagnostics=list(diagnostics), only=only)))
    return list(result or [])


async def hover(client, uri: str, line: int, character: int):
    return await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character)))


# -- tests -------------------------------------------------------------------------------

async def test_diagnostics_on_open(client: LanguageClient, project: Path):
    uri = open_doc(client, project / "loss.py")
    p = await published(client, uri)
    assert p.version == 1
    [d] = p.diagnostics
    assert d.code == "LL102"
    assert d.source == "losslint"
    assert d.severity == types.DiagnosticSeverity.Warning
    assert d.range == types.Range(start=types.Position(line=2, character=45),
                                  end=types.Position(line=2, character=52))
    assert "reduces W" in d.message
    assert d.code_description.href.endswith("#ll102")
    assert d.data["version"] == 1
    assert d.data["fix"]["edits"] == [{"range": {"start": {"line": 2, "character": 50},
                                                 "end": {"line": 2, "character": 52}}, "newText": "1"}]
    # the config file watcher was registered dynamically
    assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in client.registrations)


async def test_quick_fix_clears_the_diagnostic(client: LanguageClient, project: Path):
    uri = open_doc(client, project / "loss.py")
    [d] = (await published(client, uri)).diagnostics
    actions = await code_actions(client, uri, [d])
    [fix] = [a for a in actions if a.is_preferred]
    assert fix.kind == types.CodeActionKind.QuickFix
    assert list(fix.diagnostics) == [d]
    edits = edits_of(fix.edit, uri)
    assert apply_edits(BUGGY, edits) == CLEAN
    change_doc(client, uri, 2, edits=edits)
    p = await published(client, uri, lambda p: p.version == 2)
    assert p.diagnostics == ()


async def test_disable_for_this_line(client: LanguageClient, project: Path):
    text = BUGGY.replace("axis=-1)\n", "axis=-1)  # noqa: E501\n")
    uri = open_doc(client, project / "loss.py", text)
    [d] = (await published(client, uri)).diagnostics
    actions = await code_actions(client, uri, [d])
    [disable] = [a for a in actions if a.title == "Disable LL102 for this line"]
    assert disable.kind == types.CodeActionKind.QuickFix
    edits = edits_of(disable.edit, uri)
    new = apply_edits(text, edits)
    assert new.splitlines()[2].endswith("axis=-1)  # noqa: E501, LL102")
    change_doc(client, uri, 2, edits=edits)
    assert (await published(client, uri, lambda p: p.version == 2)).diagnostics == ()
    # a stale diagnostic (published for version 1) gets no action: its edits would misfire
    assert await code_actions(client, uri, [d]) == []


async def test_fix_all(client: LanguageClient, project: Path):
    text = BUGGY + (
        "def other_loss(y_true, y_pred):\n"
        "    return K.sum(K.abs(y_pred - y_true), axis=-1)\n"
    )
    uri = open_doc(client, project / "loss.py", text)
    p = await published(client, uri)
    assert [d.code for d in p.diagnostics] == ["LL102", "LL102"]
    actions = await code_actions(client, uri, p.diagnostics, only=[types.CodeActionKind.SourceFixAll])
    [fix_all] = actions  # no quick fixes when only source.fixAll is asked for
    assert fix_all.kind == "source.fixAll.losslint"
    [edit] = edits_of(fix_all.edit, uri)
    assert edit.range.start == types.Position(line=0, character=0)
    assert edit.range.end == types.Position(line=5, character=0)
    assert edit.new_text == text.replace("axis=-1", "axis=1")
    # asked for without a kind (a light bulb), the action comes without its edit, which the
    # client resolves when the user picks it
    [lazy] = [a for a in await code_actions(client, uri, p.diagnostics[:1]) if a.kind == fix_all.kind]
    assert lazy.edit is None
    resolved = await client.code_action_resolve_async(lazy)
    assert edits_of(resolved.edit, uri) == [edit]
    change_doc(client, uri, 2, text=edit.new_text)
    assert (await published(client, uri, lambda p: p.version == 2)).diagnostics == ()
    # nothing left to fix: no fix-all action
    assert await code_actions(client, uri, [], only=["source"]) == []


async def test_hover(client: LanguageClient, project: Path):
    uri = open_doc(client, project / "loss.py")
    await published(client, uri)
    h = await hover(client, uri, 2, 30)  # inside `y_pred`
    assert h.contents.kind == types.MarkupKind.Markdown
    assert "N C H W" in h.contents.value
    assert h.range == types.Range(start=types.Position(line=2, character=27),
                                  end=types.Position(line=2, character=33))
    h = await hover(client, uri, 2, 51)  # the axis argument
    assert "W" in h.contents.value and "axis=-1" in h.contents.value
    assert await hover(client, uri, 0, 5) is None        # outside any loss function
    assert await hover(client, uri, 99, 0) is None       # past the last line
    assert await hover(client, uri, 2, 500) is None      # past the end of the line
    far = types.Range(start=types.Position(line=99, character=0), end=types.Position(line=99, character=1))
    assert await code_actions(client, uri, [], rng=far) == []


async def test_unicode_columns_are_utf16(client: LanguageClient, project: Path):
    text = BUGGY.replace("    return", '    s = "\U0001F600"; return')
    uri = open_doc(client, project / "loss.py", text)
    [d] = (await published(client, uri)).diagnostics
    start = text.splitlines()[2].index("axis=-1")
    assert d.range.start.character == start + 1  # the emoji is two UTF-16 code units
    [fix] = [a for a in await code_actions(client, uri, [d]) if a.is_preferred]
    change_doc(client, uri, 2, edits=edits_of(fix.edit, uri))
    assert (await published(client, uri, lambda p: p.version == 2)).diagnostics == ()


async def test_config_reload(client: LanguageClient, project: Path):
    uri = open_doc(client, project / "loss.py")
    assert len((await published(client, uri)).diagnostics) == 1
    mark = len(client.published)
    (project / "pyproject.toml").write_text(NHWC)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
        uri=from_fs_path(str(project / "pyproject.toml")), type=types.FileChangeType.Changed)]))
    p = await published(client, uri, after=mark)
    assert p.diagnostics == ()  # -1 is C, the feature axis, in N H W C


async def test_bad_config_does_not_kill_the_server(client: LanguageClient, project: Path):
    (project / "pyproject.toml").write_text('[tool.losslint]\nlayout = "N C C"\n')
    uri = open_doc(client, project / "loss.py")
    assert (await published(client, uri)).diagnostics == ()
    assert any("pyproject.toml" in m.message and m.type == types.MessageType.Error for m in client.messages)
    # a didChange for a document that is not open is ignored, quietly
    change_doc(client, from_fs_path(str(project / "nope.py")), 3, text="x = 1\n")
    assert await hover(client, uri, 2, 30) is None
    # fix the config: the server picks it up and works again
    (project / "pyproject.toml").write_text(NCHW)
    mark = len(client.published)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
        uri=from_fs_path(str(project / "pyproject.toml")), type=types.FileChangeType.Changed)]))
    assert len((await published(client, uri, after=mark)).diagnostics) == 1
    assert [m.message for m in client.messages if "internal error" in m.message] == []
    assert [m.message for m in client.log_messages if "internal error" in m.message] == []


async def test_did_close_clears(client: LanguageClient, project: Path):
    uri = open_doc(client, project / "loss.py")
    assert len((await published(client, uri)).diagnostics) == 1
    mark = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert (await published(client, uri, after=mark)).diagnostics == ()


async def test_burst_publishes_only_the_last_version(client: LanguageClient, project: Path):
    uri = open_doc(client, project / "loss.py")
    await published(client, uri)
    mark = len(client.published)
    for version in range(2, 22):  # alternate clean and buggy texts; the last one is buggy
        change_doc(client, uri, version, text=CLEAN if version % 2 == 0 else BUGGY)
    last = await published(client, uri, lambda p: p.version == 21, after=mark)
    assert len(last.diagnostics) == 1
    await asyncio.sleep(0.4)  # anything stale would have arrived by now
    assert [p.version for p in client.published[mark:] if p.uri == uri] == [21]


async def test_without_debounce_every_publish_matches_its_version(fast_client: LanguageClient, project: Path):
    client = fast_client
    uri = open_doc(client, project / "loss.py")
    await published(client, uri)
    mark = len(client.published)
    for version in range(2, 12):
        change_doc(client, uri, version, text=CLEAN if version % 2 == 0 else BUGGY)
    await published(client, uri, lambda p: p.version == 11, after=mark)
    versions = [p.version for p in client.published[mark:] if p.uri == uri]
    assert versions == sorted(set(versions)) and versions[-1] == 11
    for p in client.published[mark:]:
        assert len(p.diagnostics) == (0 if p.version % 2 == 0 else 1), p


async def test_config_change_noticed_on_save(client: LanguageClient, project: Path):
    """For clients that do not watch files: a changed config is noticed on didSave."""
    uri = open_doc(client, project / "loss.py")
    assert len((await published(client, uri)).diagnostics) == 1
    mark = len(client.published)
    (project / "pyproject.toml").write_text(NHWC)
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert (await published(client, uri, after=mark)).diagnostics == ()


async def test_malformed_diagnostic_data_is_harmless(client: LanguageClient, project: Path):
    uri = open_doc(client, project / "loss.py")
    [d] = (await published(client, uri)).diagnostics
    bad = types.Diagnostic(range=d.range, message=d.message, code="LL102", source="losslint",
                           data={"version": 1, "fix": {"message": "x", "edits": [{"range": "nonsense"}]}})
    titles = [a.title for a in await code_actions(client, uri, [bad])]
    assert titles == ["Disable LL102 for this line", "Fix all losslint findings"]
    # diagnostics of other tools are left alone
    other = types.Diagnostic(range=d.range, message="x", code="E501", source="flake8")
    assert [a.title for a in await code_actions(client, uri, [other])] == ["Fix all losslint findings"]
