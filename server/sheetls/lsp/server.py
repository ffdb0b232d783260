"""The language server: thin handlers that fetch the document, call a plain function, and turn
its answer into protocol objects. Every feature call runs inside one error boundary.

What start-up need not wait for loads on first use, after the initialize answer: the sheet
model and its index, completion, the resolver and hover, the packs' runtime."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional
from urllib.parse import unquote

from lsprotocol import types

from sheetls import __version__
from sheetls.logs import LEVELS
from sheetls.lsp import debug, sheet_commands
from sheetls.lsp.capabilities import client_profile
from sheetls.lsp.lint_runtime import CMD_SHOW_ENTRY, FIX_ALL, LintRuntime
from sheetls.lsp.transports import ProtocolServer
from sheetls.lsp.workspace import LineDocument
from sheetls.options import Options, parse_options
from sheetls.profile import ClientProfile

if TYPE_CHECKING:  # the sheet model, its index and the import scanner load with the first request
    from sheetls.index import SheetIndex
    from sheetls.lsp.pack_runtime import PackRuntime
    from sheetls.pyimports import Imports
    from sheetls.target import ProjectTarget, ProjectTargets

log = logging.getLogger("sheetls")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

PYTHON_LANGUAGE_IDS = {"python"}
PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")
CMD_RENDER_SHEET = "sheetls.renderSheet"
CMD_RELOAD = "sheetls.reload"
# Options that change which packs are served (or how they are watched): a change reloads them.
PACK_OPTIONS = ("packs", "builtin_sheet", "workspace_packs", "poll_interval")


@dataclass
class DocumentState:
    """What sheetls knows of one open document; dropped when the document closes.

    `lines` is the document's line list for `version` (from the incremental line store,
    O(chunks) per version); `imports` outlives versions while the edits since `revision`
    leave the file's top-level imports and defs alone (pyimports.still_valid). `model` is the
    resolver's model of the document (docmodel.DocumentModel, made with the first request that
    needs it): one per open document, carried from version to version with its parsed blocks."""

    doc: Any  # the workspace's document object these facts describe
    revision: int
    lines: List[str]
    imports: Optional[Imports] = None
    model: Any = None


class SheetServer(ProtocolServer):  # spec-conformant base protocol (lifecycle, frames, transports)
    def __init__(self) -> None:
        super().__init__("sheetls", __version__)
        self.options = Options()
        self.profile = ClientProfile()
        self._index: Optional[SheetIndex] = None
        self.facts: Dict[str, DocumentState] = {}
        self.connected = False
        self._packs: Optional[PackRuntime] = None
        self._targets: Optional[ProjectTargets] = None
        self._lint: Optional[LintRuntime] = None

    @property
    def lint(self) -> LintRuntime:
        """`sheetls lint` in the editor (lint_runtime.py), made on first use."""
        if self._lint is None:
            self._lint = LintRuntime(self)
        return self._lint

    # --- state -------------------------------------------------------------------------
    @property
    def packs(self) -> PackRuntime:
        """Pack sources, last good versions, diagnostics, watching (pack_runtime.py); made on
        first use, after the initialize answer, like everything start-up need not wait for."""
        if self._packs is None:
            from sheetls.lsp.pack_runtime import PackRuntime

            self._packs = PackRuntime(self)
        return self._packs

    @property
    def index(self) -> SheetIndex:
        """The sheet index, loaded on first use (never on the initialize path)."""
        if self._index is None:
            self.reload()
        return self._index  # type: ignore[return-value]

    def reload(self, reason: str = "settings") -> None:
        """(Re)load every pack: errors go to diagnostics, the log and one message (pack_runtime.py)."""
        from sheetls.index import SheetIndex

        self._index = SheetIndex.build(self.packs.reload(reason))

    def open_document(self, uri: str) -> Any:
        """The open document at `uri`, whichever way the client spells it: pygls keys its
        documents by the unquoted URI, so `file:///c%3A/a.py` and `file:///c:/a.py` are one."""
        return self.workspace.text_documents.get(document_key(uri))

    def document_facts(self, uri: str) -> Optional[DocumentState]:
        """The open Python document at `uri`, as lines; None for unknown or non-Python ones."""
        doc = self.open_document(uri)
        if doc is None:
            return None
        if not (
            doc.language_id in PYTHON_LANGUAGE_IDS
            or (not doc.language_id and document_key(uri).endswith(PYTHON_SUFFIXES))
        ):
            return None
        key = document_key(uri)
        facts = self.facts.get(key)
        revision = getattr(doc, "revision", None)
        if facts is not None and facts.doc is not doc:
            facts = None  # the document was opened again: start afresh
        if facts is not None and revision is not None and facts.revision == revision:
            return facts
        lines = doc.content_lines if isinstance(doc, LineDocument) else _LINE_BREAK.split(doc.source)
        imports = None
        model = facts.model if facts is not None else None
        if facts is not None and revision is not None:
            changes = doc.changes_since(facts.revision)
            if facts.imports is not None:  # edit then completion @10,000 lines: 1.6 ms; rescanned, 6.8 ms
                imports = _imports_after(facts.imports, changes, lines)
            if (
                model is not None
                and changes is not None
                and model.current is not None
                and model.current.lines is facts.lines
            ):
                model.after(changes, lines)  # the resolver's model, without a rescan
        facts = DocumentState(doc, revision if revision is not None else -1, lines, imports, model)
        self.facts[key] = facts
        return facts

    def target_of(self, uri: str) -> ProjectTarget:
        """The Python version the document's project targets (target.py): the pythonVersion
        setting, the nearest pyproject.toml's requires-python, else the running Python."""
        from pygls.uris import to_fs_path

        from sheetls.target import ProjectTargets

        if self._targets is None:
            self._targets = ProjectTargets()
        path = to_fs_path(uri) if uri.startswith("file:") else None
        return self._targets.for_path(path, self.options.python_version)

    def imports_of(self, facts: DocumentState) -> Imports:
        from sheetls.pyimports import scan_imports

        if facts.imports is None:
            facts.imports = scan_imports(facts.lines)
        return facts.imports

    def python_position(self, params):
        """(uri, facts, line, code point column) of a request's position in an open Python
        document; None for other documents and positions outside the text."""
        uri = params.text_document.uri
        facts = self.document_facts(uri)
        pos = self.to_server(uri, facts, params.position) if facts is not None else None
        return None if pos is None else (uri, facts, pos[0], pos[1])

    def to_server(self, uri: str, facts: DocumentState, position: types.Position):
        """An LSP position as (line, code point column), or None when out of range."""
        if position.line < 0 or position.line >= len(facts.lines) or position.character < 0:
            return None
        codec = facts.doc.position_codec
        text = facts.lines[position.line]
        if position.character > codec.client_num_units(text):
            return None
        pos = codec.position_from_client_units([text], types.Position(0, position.character))
        return position.line, pos.character

    def to_client(self, uri: str, facts: DocumentState, line: int, col: int) -> types.Position:
        text = facts.lines[line][:col]
        if text.isascii():  # one code unit a character in UTF-8, UTF-16 and UTF-32 alike
            return types.Position(line, len(text))
        return types.Position(line, facts.doc.position_codec.client_num_units(text))


def document_key(uri: str) -> str:
    """The one spelling of a document's URI (pygls's key): percent-escapes decoded."""
    return unquote(uri)


def _propose(*args, **kwargs):
    """completion.propose, imported with the first completion (not on the start-up path)."""
    from sheetls.completion import propose as answer

    return answer(*args, **kwargs)


def _hover_at(*args, **kwargs):
    """hover.hover_at, imported with the first hover: the resolver is not on the start-up path."""
    from sheetls.hover import hover_at as answer

    return answer(*args, **kwargs)


# The features' answers, wrapped for fault injection when SHEETLS_DEBUG=1 (debug.py), else as they are.
propose = debug.with_faults("completion", _propose)
hover_at = debug.with_faults("hover", _hover_at)


def version_model(facts: DocumentState) -> Any:
    """The resolver's model of this version of the document (docmodel.VersionModel): the
    document's model, made on first use, at these lines (carried across keystrokes that cannot
    move a statement boundary or a string, see document_facts)."""
    from sheetls.docmodel import DocumentModel

    if facts.model is None:
        facts.model = DocumentModel()
    return facts.model.at(facts.lines)


def string_lines(facts: DocumentState) -> Callable[[int], bool]:
    """Whether line i of the document starts inside a triple-quoted string: the resolver's
    scan of the version."""
    return version_model(facts).in_string


def _imports_after(imports: Imports, changes, lines: List[str]) -> Optional[Imports]:
    """`imports` if the line changes since it was scanned keep it true, else None (rescan)."""
    from sheetls.pyimports import still_valid

    if changes is None:
        return None
    for first, removed, inserted in changes:
        if removed != 1 or inserted != 1 or not still_valid(imports, first, lines[first] if first < len(lines) else ""):
            return None
    return imports


server = SheetServer()
debug.install(server)  # SHEETLS_DEBUG=1 only: the debug commands


def guarded(feature: str) -> Callable:
    """One error boundary per feature call: log with the traceback, answer null."""

    def failed() -> None:
        log.error("%s failed; answering null:\n%s", feature, traceback.format_exc())

    def wrap(fn):
        if asyncio.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def inner_async(ls: SheetServer, params):
                try:
                    return await fn(ls, params)
                except Exception:  # (a cancelled request's CancelledError is no Exception: pygls answers it)
                    failed()
                    return None

            return inner_async

        @functools.wraps(fn)
        def inner(ls: SheetServer, params):
            try:
                return fn(ls, params)
            except Exception:
                failed()
                return None

        return inner

    return wrap


# --- lifecycle ------------------------------------------------------------------------------
@server.feature(types.INITIALIZE)
@guarded("initialize")
def on_initialize(ls: SheetServer, params: types.InitializeParams):
    ls.options, warnings = parse_options(params.initialization_options)
    logging.getLogger("sheetls").setLevel(LEVELS.get(ls.options.log_level, logging.INFO))
    for w in warnings:
        log.warning("%s", w)
    ls.profile = client_profile(params.capabilities, params.client_info)
    if ls.profile.pull_diagnostics and types.TEXT_DOCUMENT_DIAGNOSTIC not in ls.protocol.fm.features:
        # advertised (diagnosticProvider) only to a client that pulls; the others get pushes
        ls.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, DIAGNOSTIC_OPTIONS)(on_diagnostic)


@server.feature(types.INITIALIZED)
@guarded("initialized")
def on_initialized(ls: SheetServer, params: types.InitializedParams):
    ls.connected = True
    _ = ls.index  # load the sheet now, after the initialize answer went out
    ls.packs.start(ls.profile)  # watch (or poll) the pack files


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
@guarded("didChangeConfiguration")
def on_configuration(ls: SheetServer, params: types.DidChangeConfigurationParams):
    if params.settings is None:
        return
    options, warnings = parse_options(params.settings, ls.options)
    for w in warnings:
        log.warning("%s", w)
    if options == ls.options:
        return
    before, ls.options = ls.options, options
    logging.getLogger("sheetls").setLevel(LEVELS.get(options.log_level, logging.INFO))
    if before.diagnostics != options.diagnostics:
        ls.lint.option_changed(options.diagnostics)
    elif options.diagnostics and before.rules != options.rules:
        ls.lint.option_changed(True)  # checked again with the rules' new settings
    if any(getattr(before, name) != getattr(options, name) for name in PACK_OPTIONS):
        ls.reload()  # the other options apply to the next request as they are


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
@guarded("didClose")
def on_close(ls: SheetServer, params: types.DidCloseTextDocumentParams):
    ls.facts.pop(document_key(params.text_document.uri), None)
    ls.packs.on_close(params.text_document.uri)
    if ls._lint is not None:  # what it kept of the document (pulled reports are kept with the option off too)
        ls.lint.close(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
@guarded("didOpen")
def on_open(ls: SheetServer, params: types.DidOpenTextDocumentParams):
    ls.packs.on_buffer(params.text_document.uri, params.text_document.text)  # a pack file: check it
    if ls.options.diagnostics:
        ls.lint.schedule(params.text_document.uri, now=True)  # a Python file: its SHEETxxx findings


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
@guarded("didChange")
def on_change(ls: SheetServer, params: types.DidChangeTextDocumentParams):
    uri = params.text_document.uri
    if ls.packs.may_be_pack(uri):
        ls.packs.on_buffer(uri, ls.workspace.get_text_document(uri).source)  # checked as the user types
    if ls.options.diagnostics:
        ls.lint.schedule(uri)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
@guarded("didChangeWatchedFiles")
def on_watched_files(ls: SheetServer, params: types.DidChangeWatchedFilesParams):
    ls.reload("pack files changed: " + ", ".join(c.uri.rsplit("/", 1)[-1] for c in params.changes[:5]))


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
@guarded("didChangeWorkspaceFolders")
def on_folders(ls: SheetServer, params: types.DidChangeWorkspaceFoldersParams):
    ls.reload("workspace folders changed")  # also re-registers the file watchers


@server.command(CMD_RELOAD)
def reload_command(ls: SheetServer, *args: Any) -> dict:
    """`sheetls.reload`: reload every pack now; answers what is served."""
    ls.reload("sheetls.reload command")
    state = ls.packs.state
    return {
        "packs": len(state.sheets),
        "entries": len(ls.index.entries),
        "errors": sum(len(e) for e in state.disk_errors.values()),
    }


# --- features -------------------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(resolve_provider=True))
@guarded("completion")
def on_completion(ls: SheetServer, params: types.CompletionParams) -> Optional[types.CompletionList]:
    at = ls.python_position(params)
    if at is None:
        return None
    uri, facts, line, col = at
    proposals, cut = propose(
        ls.index,
        facts.lines,
        line,
        col,
        ls.profile,
        ls.options.max_items,
        ls.imports_of(facts),
        string_lines(facts),
        ls.target_of(uri).version,
    )
    if not proposals:
        return None
    ranges: Dict[Any, types.Range] = {}  # the items share their edit ranges: converted once
    items = [completion_item(ls, uri, facts, p, ranges) for p in proposals]
    return types.CompletionList(is_incomplete=cut, items=items)


def _text_edit(ls: SheetServer, uri: str, facts: DocumentState, edit, ranges: Dict[Any, types.Range]) -> types.TextEdit:
    key = (edit.line, edit.start, edit.end)
    if key not in ranges:
        ranges[key] = types.Range(
            ls.to_client(uri, facts, edit.line, edit.start), ls.to_client(uri, facts, edit.line, edit.end)
        )
    return types.TextEdit(range=ranges[key], new_text=edit.text)


def completion_item(
    ls: SheetServer, uri: str, facts: DocumentState, p, ranges: Dict[Any, types.Range]
) -> types.CompletionItem:
    entry = p.entry
    profile = ls.profile
    item = types.CompletionItem(
        label=entry.prefix,
        kind=types.CompletionItemKind.Snippet,
        detail=entry.title,
        sort_text=f"{p.order:06d}",
        filter_text=p.filter_text,
        text_edit=_text_edit(ls, uri, facts, p.edit, ranges),
        insert_text_format=types.InsertTextFormat.Snippet if p.is_snippet else types.InsertTextFormat.PlainText,
        insert_text_mode=types.InsertTextMode.AdjustIndentation if p.adjust_indentation else types.InsertTextMode.AsIs,
        additional_text_edits=[_text_edit(ls, uri, facts, e, ranges) for e in p.additional] or None,
        data={"pack": entry.pack, "id": entry.id},
    )
    pack = ls.packs.state.pack_label(entry)  # another pack defines the same prefix: name the pack
    if pack:
        item.detail = f"{entry.title} ({pack})"
    if p.note:
        item.detail = f"{item.detail} ({p.note})"
    if profile.label_details:
        item.label_details = types.CompletionItemLabelDetails(description=item.detail)
    if not profile.resolve_documentation:
        item.documentation = completion_documentation(entry, profile.markdown)
    return item


def completion_documentation(entry, markdown: bool):
    """Markdown where the client takes it; otherwise a plain string, which every client
    accepts (a `plaintext` MarkupContent is only for clients that declare that format)."""
    from sheetls import render

    if markdown:
        return types.MarkupContent(
            types.MarkupKind.Markdown, render.entry_markdown(entry, signature=False, trigger=False)
        )
    return render.entry_plain(entry)


@server.feature(types.COMPLETION_ITEM_RESOLVE)
@guarded("completionItem/resolve")
def on_resolve(ls: SheetServer, item: types.CompletionItem) -> types.CompletionItem:
    data = item.data if isinstance(item.data, dict) else {}
    pack, entry_id = data.get("pack"), data.get("id")
    entry = ls.index.by_id.get((pack, entry_id)) if isinstance(pack, str) and isinstance(entry_id, str) else None
    if entry is not None and item.documentation is None:
        item.documentation = completion_documentation(entry, ls.profile.markdown)
    return item


@server.feature(types.TEXT_DOCUMENT_HOVER)
@guarded("hover")
def on_hover(ls: SheetServer, params: types.HoverParams) -> Optional[types.Hover]:
    at = ls.python_position(params)
    if at is None:
        return None
    uri, facts, line, col = at
    markdown = ls.profile.hover_markdown
    answer = hover_at(
        ls.index,
        facts.lines,
        line,
        col,
        markdown,
        ls.options.hover_example,
        python=ls.target_of(uri).version,
        model=version_model(facts),
        sheet_link=ls.profile.sheet_link,
    )
    if answer is None:
        return None
    t = answer.target
    return types.Hover(
        contents=types.MarkupContent(
            types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText, answer.text
        ),
        range=types.Range(ls.to_client(uri, facts, t.line, t.start), ls.to_client(uri, facts, t.line, t.end)),
    )


DIAGNOSTIC_OPTIONS = types.DiagnosticOptions(
    identifier="sheetls", inter_file_dependencies=False, workspace_diagnostics=False
)


@guarded("diagnostic")
async def on_diagnostic(ls: SheetServer, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
    """textDocument/diagnostic (registered in on_initialize for a client that pulls): checked a
    slice at a time, the server answering other requests in between."""
    return await ls.lint.report(params)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=True),
)
@guarded("codeAction")
def on_code_action(ls: SheetServer, params: types.CodeActionParams) -> Optional[List[types.CodeAction]]:
    return ls.lint.code_actions(params)


@server.feature(types.CODE_ACTION_RESOLVE)
@guarded("codeAction/resolve")
def on_code_action_resolve(ls: SheetServer, action: types.CodeAction) -> types.CodeAction:
    return ls.lint.resolve(action)


@server.command(CMD_SHOW_ENTRY)
async def show_entry(ls: SheetServer, *args: Any) -> dict:
    """`sheetls.showEntry CODE`: the sheet entry that explains a lint rule (lint_runtime.show_entry)."""
    return await ls.lint.show_entry(args[0] if args else None)


@server.command(CMD_RENDER_SHEET)
def render_sheet(ls: SheetServer, *args: Any) -> str:
    """`sheetls.renderSheet [{"format": "markdown", "view": "standard"}]`: the served packs,
    in any export format (markdown, html, json, vscode; see export.py)."""
    from sheetls import export, render

    opts = args[0] if args and isinstance(args[0], dict) else {}
    view = opts.get("view", "standard")
    fmt = opts.get("format", "markdown")
    if fmt not in export.FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose from {', '.join(export.FORMATS)}")
    if view not in render.VIEWS:
        raise ValueError(f"unknown view {view!r}: choose from {', '.join(render.VIEWS)}")
    return export.export(ls.index.sheets, fmt, view)


sheet_commands.install(server, version_model)  # the sheet inside the editors: renderPage, formAt, sheetOutline, entryAt
