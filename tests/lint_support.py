"""Helpers for the lint-in-the-editor tests: a document's current sheetls diagnostics, pulled
(textDocument/diagnostic) from a client that declares pull support, else waited for as
published; document edits; code action requests."""

from __future__ import annotations

from typing import Any, Callable, List, Union

from lsprotocol import types
from pytest_lsp import LanguageClient

from packs_support import wait_for_diagnostics


def pulls(client: LanguageClient) -> bool:
    """The client declared textDocument.diagnostic: sheetls answers pulls and pushes nothing."""
    caps = client.capabilities
    return bool(caps and caps.text_document and caps.text_document.diagnostic is not None)


async def pull(client: LanguageClient, uri: str, previous: str | None = None):
    return await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), identifier="sheetls", previous_result_id=previous
        )
    )


async def diagnostics_of(
    client: LanguageClient,
    uri: str,
    done: Callable[[List[types.Diagnostic]], bool] = lambda d: True,
    what: str = "the expected diagnostics",
) -> List[types.Diagnostic]:
    """The document's diagnostics once `done` holds: one pull answers for the version the
    server has (every notification sent before it is handled first); pushes are waited for."""
    if pulls(client):
        report = await pull(client, uri)
        assert report.kind == "full", report
        assert done(list(report.items)), f"{what}: pulled {report.items}"
        return list(report.items)
    return await wait_for_diagnostics(client, uri, done, what)


def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def _command_or_action(converter: Any) -> None:
    """lsprotocol structures every element of a codeAction answer that has a `command` key as a
    Command, so a CodeAction that runs a command (sheetls's "Show the sheet's entry") would come
    back as a Command holding a dict. The spec's distinction: a Command's `command` is a string."""

    def hook(obj: Any, _: type) -> Union[types.Command, types.CodeAction]:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], hook)


async def code_actions(client: LanguageClient, uri: str, line: int, character: int, diagnostics=(), only=None):
    """textDocument/codeAction at a position (its answer's CodeActions read as the spec says)."""
    _command_or_action(client.protocol._converter)
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(line, character), types.Position(line, character)),
            context=types.CodeActionContext(diagnostics=list(diagnostics), only=only),
        )
    )
