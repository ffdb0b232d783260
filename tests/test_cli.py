"""`sheetls` with no arguments is how editors start it: LSP over stdio."""

from __future__ import annotations

import sys

import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from lsp_helpers import hover_at, initialize


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "sheetls"]))
async def client(lsp_client: LanguageClient):
    yield lsp_client
    if lsp_client.capabilities is not None:
        await lsp_client.shutdown_session()


async def test_no_arguments_serves_lsp_on_stdio(client):
    result = await initialize(client, "neovim")
    assert result.server_info.name == "sheetls"
    hover = await hover_at(client, "import asyncio\n\nasync def main():\n    await asyncio.open_con|nection('h', 1)\n")
    assert hover is not None and "open_connection" in hover.contents.value
