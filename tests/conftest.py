import os

import attrs
import pytest
import pytest_asyncio
import pytest_lsp
from pytest_lsp import LanguageClient

from lsp_helpers import PROFILES, SERVER, initialize


@pytest_asyncio.fixture(params=list(PROFILES), scope="module", loop_scope="module")
async def client(request):
    """sheetls over stdio, initialized with VS Code's or Neovim's real capabilities.

    One server per profile and test module: tests open their own documents (unique URIs).
    A module marked `pytest.mark.server_env(NAME="value")` gets a server with those
    environment variables (test_uris.py: SHEETLS_DEBUG=1 for the debug commands)."""
    config = SERVER
    marker = request.node.get_closest_marker("server_env")
    if marker is not None:
        config = attrs.evolve(SERVER, server_env={**os.environ, **marker.kwargs})
    lsp_client: LanguageClient = await config.start(devtools=request.config.getoption("devtools"))
    lsp_client.profile = request.param
    await initialize(lsp_client, request.param)
    yield lsp_client
    await lsp_client.shutdown_session()
    await lsp_client.stop()


@pytest_lsp.fixture(config=SERVER)
async def bare_client(lsp_client: LanguageClient):
    """A client that initializes itself (tests choose capabilities and options)."""
    yield
    if lsp_client.capabilities is not None:
        await lsp_client.shutdown_session()


# Whole suites that `make test-fast` leaves out (`-m "not slow"`), each with its own marker too
# (`pytest -m reliability`); single slow modules say `pytestmark = pytest.mark.slow` themselves.
SLOW_SUITES = ("bench", "nvim", "realworld", "reliability", "vscode")


def pytest_collection_modifyitems(config, items):
    root = config.rootpath / "tests"
    for item in items:
        parts = item.path.relative_to(root).parts if item.path.is_relative_to(root) else ()
        if len(parts) > 1 and parts[0] in SLOW_SUITES:
            item.add_marker(pytest.mark.slow)
            item.add_marker(getattr(pytest.mark, parts[0]))
