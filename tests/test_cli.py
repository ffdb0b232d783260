"""`sheetls` with no arguments is how editors start it: LSP over stdio, served without
building the argument parser (a start-up cost). The short cut must mean what the parser means."""
from __future__ import annotations

import sys

import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from lsp_helpers import hover_at, initialize
from sheetls.cli import STDIO_DEFAULTS, build_parser


def test_the_stdio_short_cut_has_the_parsers_defaults():
    assert vars(build_parser().parse_args([])) == STDIO_DEFAULTS
    assert vars(build_parser().parse_args(["--stdio"])) == {**STDIO_DEFAULTS, "stdio": True}


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
