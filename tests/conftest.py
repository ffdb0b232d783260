import inspect
import os

import attrs
import pytest
import pytest_asyncio
import pytest_lsp
from pytest_lsp import LanguageClient

from lsp_helpers import PROFILES, SERVER, initialize


async def _start(request, profile: str, config=SERVER) -> LanguageClient:
    lsp_client: LanguageClient = await config.start(devtools=request.config.getoption("devtools"))
    lsp_client.profile = profile
    await initialize(lsp_client, profile)
    return lsp_client


async def _stop(lsp_client: LanguageClient) -> None:
    await lsp_client.shutdown_session()
    await lsp_client.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _shared_servers():
    """The servers the `client` fixture hands out, one per profile, started on first use and
    stopped at the end of the session."""
    servers: dict = {}
    yield servers
    for lsp_client in servers.values():
        if not lsp_client.stopped:
            await _stop(lsp_client)


@pytest_asyncio.fixture(params=list(PROFILES), scope="module", loop_scope="session")
async def client(request, _shared_servers):
    """sheetls over stdio, initialized with VS Code's or Neovim's real capabilities.

    One server per profile for the whole session, shared by every module that asks for it
    (starting one costs ~0.6 s of CPU, most of it importing lsprotocol): tests open their own
    documents (unique URIs) and change no option. A test that changes options, packs or
    workspace folders starts its own server (`bare_client`, or a fixture of its module).
    A module marked `pytest.mark.server_env(NAME="value")` gets a server of its own with those
    environment variables (test_uris.py: SHEETLS_DEBUG=1 for the debug commands)."""
    profile = request.param
    marker = request.node.get_closest_marker("server_env")
    if marker is not None:
        config = attrs.evolve(SERVER, server_env={**os.environ, **marker.kwargs})
        lsp_client = await _start(request, profile, config)
        yield lsp_client
        await _stop(lsp_client)
        return
    # A server that exited (a crash in an earlier module) is replaced, so the crash fails the
    # module that caused it, not every module after it.
    if profile not in _shared_servers or _shared_servers[profile].stopped:
        _shared_servers[profile] = await _start(request, profile)
    yield _shared_servers[profile]


@pytest_lsp.fixture(config=SERVER)
async def bare_client(lsp_client: LanguageClient):
    """A client that initializes itself (tests choose capabilities and options)."""
    yield
    if lsp_client.capabilities is not None:
        await lsp_client.shutdown_session()


# Whole suites that `make test-fast` leaves out (`-m "not slow"`), each with its own marker too
# (`pytest -m reliability`); single slow modules say `pytestmark = pytest.mark.slow` themselves.
SLOW_SUITES = ("bench", "nvim", "realworld", "reliability", "vscode")


def _gets_the_shared_client(item) -> bool:
    """Whether the `client` fixture item asks for is this conftest's (test_cli.py and
    documents/test_line_store_server.py define their own)."""
    fixtureinfo = getattr(item, "_fixtureinfo", None)
    defs = fixtureinfo.name2fixturedefs.get("client") if fixtureinfo is not None else None
    return bool(defs) and defs[-1].func.__module__ == __name__


def pytest_collection_modifyitems(config, items):
    root = config.rootpath / "tests"
    for item in items:
        if _gets_the_shared_client(item) and inspect.iscoroutinefunction(getattr(item, "obj", None)):
            # The shared servers live on the session's event loop: so do the tests that use
            # them (every other test keeps its module's loop, pyproject's default).
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)
        parts = item.path.relative_to(root).parts if item.path.is_relative_to(root) else ()
        if len(parts) > 1 and parts[0] in SLOW_SUITES:
            item.add_marker(pytest.mark.slow)
            item.add_marker(getattr(pytest.mark, parts[0]))
