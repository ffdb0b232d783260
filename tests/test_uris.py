"""Two spellings of one URI are one document (issue 13, bug 1): VS Code on Windows sends
`file:///c%3A/...`, and a path with a space, a `+` or a non-ASCII letter arrives
percent-escaped. pygls keys its documents by the unquoted URI; every feature must find them."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_helpers import split_cursor, utf16_col

ESCAPED = [
    "file:///tmp/my%20project/a.py",
    "file:///tmp/x%2By/a.py",
    "file:///c%3A/Users/me/a.py",
    "file:///tmp/caf%C3%A9/a.py",
]
SOURCE = "import asyncio\n\n\nasync def main():\n    reader, writer = await asyncio.open_connection('h', 1)\n    aio|\n"
HOVER_AT = types.Position(4, SOURCE.split("\n")[4].index("open_connection") + 2)

# conftest's `client`, with the debug commands (sheetls.debugDocumentText, sheetls.debugStats)
pytestmark = pytest.mark.server_env(SHEETLS_DEBUG="1")


def _open(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
        )
    )


async def _answers(client: LanguageClient, uri: str, text: str):
    _, line, col = split_cursor(SOURCE)
    doc = types.TextDocumentIdentifier(uri)
    hover = await client.text_document_hover_async(types.HoverParams(doc, HOVER_AT))
    completion = await client.text_document_completion_async(
        types.CompletionParams(doc, types.Position(line, utf16_col(text.split("\n")[line], col)))
    )
    return hover, completion


@pytest.mark.parametrize("uri", ESCAPED)
async def test_escaped_uri_answers_like_a_plain_one(client, uri):
    text, _, _ = split_cursor(SOURCE)
    plain = f"file:///tmp/plain-{ESCAPED.index(uri)}/a.py"
    _open(client, plain, text)
    _open(client, uri, text)
    want_hover, want_completion = await _answers(client, plain, text)
    hover, completion = await _answers(client, uri, text)
    assert want_hover is not None and want_completion is not None and want_completion.items
    assert hover == want_hover
    assert [i.label for i in completion.items] == [i.label for i in want_completion.items]
    assert [i.text_edit for i in completion.items] == [i.text_edit for i in want_completion.items]


async def test_a_request_may_spell_the_uri_either_way(client):
    """Opened escaped, asked unescaped (and the other way round): the same document."""
    text, _, _ = split_cursor(SOURCE)
    _open(client, "file:///tmp/two%20ways/a.py", text)
    hover, completion = await _answers(client, "file:///tmp/two ways/a.py", text)
    assert hover is not None and completion is not None and completion.items
    _open(client, "file:///tmp/other way/b.py", text)
    hover, completion = await _answers(client, "file:///tmp/other%20way/b.py", text)
    assert hover is not None and completion is not None and completion.items


async def test_edits_to_an_escaped_uri_reach_the_served_text(client):
    uri = "file:///tmp/edit%20me/caf%C3%A9.py"
    _open(client, uri, "import asyncio\n")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(1, 0), types.Position(1, 0)), text="x = 1\n"
                )
            ],
        )
    )
    served = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="sheetls.debugDocumentText", arguments=[uri])
    )
    assert served["text"] == "import asyncio\nx = 1\n"
    assert served["version"] == 2


async def test_closing_an_escaped_uri_forgets_it(client):
    uri = "file:///tmp/close%20me/a.py"
    text, _, _ = split_cursor(SOURCE)
    _open(client, uri, text)
    assert (await _answers(client, uri, text))[0] is not None
    stats = types.ExecuteCommandParams(command="sheetls.debugStats")
    before = await client.workspace_execute_command_async(stats)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    after = await client.workspace_execute_command_async(stats)
    served = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="sheetls.debugDocumentText", arguments=[uri])
    )
    assert served is None
    assert (after["documents"], after["facts"]) == (before["documents"] - 1, before["facts"] - 1)
