import pytest
import pytest_lsp
from pytest_lsp import LanguageClient

from lsp_helpers import PROFILES, SERVER, initialize


@pytest_lsp.fixture(config=SERVER, params=list(PROFILES), scope="module")
async def client(request, lsp_client: LanguageClient):
    """sheetls over stdio, initialized with VS Code's or Neovim's real capabilities.

    One server per profile and test module: tests open their own documents (unique URIs)."""
    lsp_client.profile = request.param
    await initialize(lsp_client, request.param)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def bare_client(lsp_client: LanguageClient):
    """A client that initializes itself (tests choose capabilities and options)."""
    yield
    if lsp_client.capabilities is not None:
        await lsp_client.shutdown_session()
