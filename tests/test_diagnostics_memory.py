"""What a document's diagnostics keep alive, through the real protocol: after a document's first
check the server takes what it built out of the garbage collector's full passes (gc.freeze: at
10,000 lines those passes cost 35-55 ms every ~600 keystrokes while the user typed), and gives
it all back when the document closes, so that nothing a closed document left in reference
cycles stays uncollected. Seen through `sheetls.debugStats` (SHEETLS_DEBUG=1), in the VS Code
(pushed) and Neovim (pulled) profiles."""

from __future__ import annotations

import pytest
from lsprotocol import types

from lint_support import diagnostics_of
from lsp_helpers import open_doc

pytestmark = pytest.mark.server_env(SHEETLS_DEBUG="1")

SRC = "import asyncio\nimport time\n\n\nasync def main():\n    time.sleep(1)\n"
STATS = types.ExecuteCommandParams(command="sheetls.debugStats")


async def test_a_checked_document_is_left_alone_by_the_collector_until_it_closes(client):
    before = await client.workspace_execute_command_async(STATS)
    uri = open_doc(client, SRC)
    found = await diagnostics_of(client, uri, lambda d: [x.code for x in d] == ["SHEET101"])
    assert [x.code for x in found] == ["SHEET101"]
    checked = await client.workspace_execute_command_async(STATS)
    assert checked["frozen"] > max(before["frozen"], 1000), (before, checked)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    closed = await client.workspace_execute_command_async(STATS)
    assert closed["frozen"] == 0
    # opened again: its first check again
    uri = open_doc(client, SRC)
    await diagnostics_of(client, uri, lambda d: [x.code for x in d] == ["SHEET101"])
    assert (await client.workspace_execute_command_async(STATS))["frozen"] > 1000
