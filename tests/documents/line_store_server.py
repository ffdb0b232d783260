"""A pygls server that keeps its documents in sheetls's line store: it
answers `test.document` with the text it holds, so a test can compare it with
the text the client holds after a stream of incremental changes."""

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from sheetls.lsp.workspace import LineStoreProtocol

server = LanguageServer("line-store-test", "0", protocol_cls=LineStoreProtocol)


@server.command("test.document")
def document(ls: LanguageServer, uri: str):
    doc = ls.workspace.get_text_document(uri)
    return {"type": type(doc).__name__, "source": doc.source, "lines": list(doc.lines), "version": doc.version}


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: LanguageServer, params: types.HoverParams):
    doc = ls.workspace.get_text_document(params.text_document.uri)
    word = doc.word_at_position(params.position)
    return types.Hover(types.MarkupContent(types.MarkupKind.PlainText, word)) if word else None


if __name__ == "__main__":
    server.start_io()
