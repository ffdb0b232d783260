"""A real pygls 2.1 server over stdio with `use_line_store`: after a stream of
incremental changes (typing, pasting lines, deleting across lines, non-ASCII,
CRLF) the server holds exactly the client's text, in a LineDocument."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient

HERE = Path(__file__).resolve().parent
URI = "file:///tmp/line-store/example.py"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, str(HERE / "line_store_server.py")]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        T.InitializeParams(
            capabilities=T.ClientCapabilities(
                general=T.GeneralClientCapabilities(position_encodings=[T.PositionEncodingKind.Utf16])
            )
        )
    )
    yield
    await lsp_client.shutdown_session()


def utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


class ClientText:
    """The client's side: a text, edited by LSP range (UTF-16); lines end at
    \n, \r\n or \r, as in the LSP specification."""

    def __init__(self, text: str):
        self.text = text

    def lines(self) -> list[str]:
        """Line contents, without their line breaks."""
        return re.split(r"\r\n|\r|\n", self.text)

    def offset(self, line: int, character: int) -> int:
        starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", self.text)]
        col, units = 0, 0
        for ch in self.lines()[line]:
            if units >= character:
                break
            units += utf16(ch)
            col += 1
        return starts[line] + col

    def edit(self, l1, c1, l2, c2, new):
        a, b = self.offset(l1, c1), self.offset(l2, c2)
        self.text = self.text[:a] + new + self.text[b:]
        return T.TextDocumentContentChangePartial(range=T.Range(T.Position(l1, c1), T.Position(l2, c2)), text=new)


async def test_server_holds_the_clients_text_after_incremental_edits(client: LanguageClient):
    rng = random.Random(4)
    body = "".join(
        f"async def f{i}():\n    # naïve 😋 {i}\n    await asyncio.open_connection('h', {i})\n" for i in range(400)
    )
    mine = ClientText("import asyncio\n" + body)
    client.text_document_did_open(
        T.DidOpenTextDocumentParams(T.TextDocumentItem(uri=URI, language_id="python", version=1, text=mine.text))
    )
    version = 1
    for _ in range(300):
        lines = mine.lines()
        l1 = rng.randrange(len(lines))
        l2 = min(len(lines) - 1, l1 + rng.choice([0, 0, 0, 1, 3]))
        c1 = rng.randint(0, utf16(lines[l1]))
        c2 = rng.randint(0, utf16(lines[l2])) if l2 > l1 else rng.randint(c1, utf16(lines[l1]))
        new = rng.choice(["x", "", "é", "😋", "\n", "    pass\n", "\r\n", "\r", "await aio.sleep(1)\n"])
        version += 1
        client.text_document_did_change(
            T.DidChangeTextDocumentParams(
                T.VersionedTextDocumentIdentifier(uri=URI, version=version), [mine.edit(l1, c1, l2, c2, new)]
            )
        )
    held = await client.workspace_execute_command_async(
        T.ExecuteCommandParams(command="test.document", arguments=[URI])
    )
    assert held["type"] == "LineDocument"
    assert held["version"] == version
    assert held["source"] == mine.text
    assert "".join(held["lines"]) == mine.text

    # A word the client sees at a position is the word the server finds there.
    lines = mine.lines()
    n = next(i for i, text in enumerate(lines) if "open_connection" in text)
    col = utf16(lines[n][: lines[n].index("open_connection") + 3])
    hover = await client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(URI), T.Position(n, col)))
    assert hover is not None and hover.contents.value == "open_connection"
