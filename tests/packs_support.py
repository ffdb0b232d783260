"""Helpers for the pack tests: pack files written the way users write them, a client that
opens a workspace folder and answers client/registerCapability, and waits on what the
server sends (never on the clock: each wait has a generous cap only so that a broken
server fails the test instead of hanging it)."""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path
from typing import Callable, List, Optional

from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient, client_capabilities

from lsp_helpers import PROFILES, split_cursor, utf16_col

CAP = 60.0  # seconds: a cap on waiting for the server, not a speed assertion

TEAM_YAML = textwrap.dedent("""\
    schema: 1
    id: team-patterns
    title: Team patterns
    summary: Our own asyncio patterns.
    sections:
      - id: tasks
        title: Tasks
        summary: Running things concurrently.
        entries:
          - id: gather
            title: Gather awaitables
            summary: Run awaitables concurrently and collect their results.
            prefix: aiogather
            tags: [tasks, gather]
            apis: [asyncio.gather]
            imports: [asyncio]
            body: |
              results = await asyncio.gather(${1:asyncio.sleep(0, "a")}, ${2:asyncio.sleep(0, "b")})
              print(results)$0
            note: Pass return_exceptions=True to collect failures instead of raising the first.
    """)

# A second pack that also defines `aioopen` (a collision with the built-in sheet).
COLLIDING_YAML = textwrap.dedent("""\
    schema: 1
    id: our-net
    title: Our networking
    summary: House rules for sockets.
    sections:
      - id: net
        title: Net
        summary: Connections with our defaults.
        entries:
          - id: open-with-timeout
            title: Open a connection with a timeout
            summary: Always bound the connect time.
            prefix: aioopen
            imports: [asyncio]
            body: |
              reader, writer = await asyncio.wait_for(asyncio.open_connection(${1:"localhost"}, ${2:8080}), ${3:5})$0
    """)

CODE_SNIPPETS = textwrap.dedent("""\
    {
      // VS Code allows comments and trailing commas in snippet files
      "Timeout block": {
        "scope": "python",
        "prefix": ["aiotimeout", "timeout"],
        "body": [
          "async with asyncio.timeout(${1:10}):",
          "\\t${2:await asyncio.sleep(1)}$0"
        ],
        "description": "Cancel the block when it takes too long",
      },
      "Console log": {
        "scope": "javascript,typescript",
        "prefix": "clog",
        "body": "console.log($1);"
      },
      "Main guard": {
        "prefix": "ifmain",
        "body": "if __name__ == \\"__main__\\":\\n\\t${1:main()}$0",
        "description": "Unscoped: serves every language"
      },
    }
    """)

PACKAGE_JSON = json.dumps(
    {
        "name": "friendly-snippets",
        "engines": {"vscode": "^1.11.0"},
        "contributes": {
            "snippets": [
                {"language": ["plaintext", "markdown", "global", "all"], "path": "./snippets/global.json"},
                {"language": "javascript", "path": "./snippets/javascript/javascript.json"},
                {"language": "python", "path": "./snippets/python/base.json"},
                {"language": "pydoc", "path": "./snippets/python/pydoc.json"},
            ]
        },
    },
    indent=4,
)

FRIENDLY_FILES = {
    "snippets/global.json": json.dumps(
        {
            "date": {
                "prefix": "datetoday",
                "body": "${CURRENT_YEAR}-${CURRENT_MONTH}-${CURRENT_DATE}",
                "description": "Today's date",
            }
        },
        indent=2,
    ),
    "snippets/javascript/javascript.json": json.dumps(
        {"forEach": {"prefix": "fore", "body": "${1:array}.forEach((${2:x}) => {\n\t$0\n});"}}, indent=2
    ),
    "snippets/python/base.json": json.dumps(
        {
            "if/else": {
                "prefix": "if/else",
                "body": ["if ${1:condition}:", "\t${2:pass}", "else:", "\t${3:pass}"],
                "description": "Code snippet for an if statement with else",
            },
            "New async function": {
                "prefix": "adef",
                "body": "async def ${1:fname}(${2:arg}):\n\t${3:pass}$0",
                "description": "Code snippet for async function definition.",
            },
        },
        indent=2,
    ),
    "snippets/python/pydoc.json": json.dumps({"docstring": {"prefix": "pydocstr", "body": '"""$0"""'}}, indent=2),
}


def write_friendly(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(PACKAGE_JSON)
    for rel, text in FRIENDLY_FILES.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def uri(path) -> str:
    return from_fs_path(str(path))


def capabilities(profile: str, watch: bool) -> types.ClientCapabilities:
    """A real client profile, with or without dynamic registration of watched files."""
    caps = client_capabilities(profile)
    ws = caps.workspace or types.WorkspaceClientCapabilities()
    ws.did_change_watched_files = types.DidChangeWatchedFilesClientCapabilities(
        dynamic_registration=watch, relative_pattern_support=watch
    )
    ws.workspace_folders = True
    caps.workspace = ws
    return caps


def answer_registrations(client: LanguageClient) -> None:
    """Let the test client accept client/registerCapability as editors do, and keep them."""
    client.registrations = []  # type: ignore[attr-defined]
    client.unregistrations = []  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams):
        client.registrations.extend(params.registrations)

    @client.feature(types.CLIENT_UNREGISTER_CAPABILITY)
    def _unregister(params: types.UnregistrationParams):
        client.unregistrations.extend(params.unregisterations)


async def start(
    client: LanguageClient,
    folder: Optional[Path],
    *,
    profile: str = "visual_studio_code",
    watch: bool = False,
    options=None,
) -> types.InitializeResult:
    answer_registrations(client)
    name, version = PROFILES.get(profile, (profile, "0"))
    folders = [types.WorkspaceFolder(uri=uri(folder), name=folder.name)] if folder else None
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(profile, watch),
            client_info=types.ClientInfo(name=name, version=version),
            root_uri=uri(folder) if folder else None,
            workspace_folders=folders,
            initialization_options=options,
        )
    )
    await wait_for_log(client, "packs reloaded", since=0)
    if watch and (folder or (options or {}).get("packs")):
        await wait_for_log(client, "the client watches the pack files", since=0)
    return result


async def _wait(client: LanguageClient, method: str, done: Callable[[], bool], what: str) -> None:
    async def loop():
        while not done():
            await client.wait_for_notification(method)

    try:
        await asyncio.wait_for(loop(), CAP)
    except asyncio.TimeoutError:
        raise AssertionError(f"the server never sent {what}") from None


async def wait_for_log(client: LanguageClient, needle: str, since: int) -> types.LogMessageParams:
    """The first window/logMessage after index `since` that contains `needle`."""

    def found():
        return [m for m in client.log_messages[since:] if needle in m.message]

    await _wait(client, types.WINDOW_LOG_MESSAGE, lambda: bool(found()), f"a log message with {needle!r}")
    return found()[0]


async def wait_for_diagnostics(
    client: LanguageClient,
    doc_uri: str,
    done: Callable[[List[types.Diagnostic]], bool],
    what: str = "the expected diagnostics",
) -> List[types.Diagnostic]:
    await _wait(
        client,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        lambda: doc_uri in client.diagnostics and done(list(client.diagnostics[doc_uri])),
        what,
    )
    return list(client.diagnostics[doc_uri])


async def reload_by_command(client: LanguageClient) -> dict:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="sheetls.reload", arguments=[])
    )


async def complete(client: LanguageClient, marked: str, path: Optional[Path] = None) -> types.CompletionList:
    """Complete at `|` in a Python document (opened, completed, closed)."""
    text, line, col = split_cursor(marked)
    doc = uri(path) if path else f"file:///tmp/sheetls-packs-{abs(hash(marked))}.py"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=doc, language_id="python", version=1, text=text)
        )
    )
    try:
        result = await client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(doc),
                position=types.Position(line, utf16_col(text.split("\n")[line], col)),
            )
        )
    finally:
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(doc))
        )
    return result


IN_ASYNC_DEF = "import asyncio\n\n\nasync def main():\n    {word}|\n"


async def labels_for(client: LanguageClient, word: str) -> List[str]:
    result = await complete(client, IN_ASYNC_DEF.format(word=word))
    return [i.label for i in (result.items if result else [])]
