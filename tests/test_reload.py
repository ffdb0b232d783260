"""Live reload and pack errors, over the real protocol (issue 7): edit/add/delete through
workspace/didChangeWatchedFiles and through the server's own polling, the sheetls.reload
command, diagnostics at the line and field of each kind of error, the last good version
kept in service, one showMessage per problem, and open pack files checked as the user types."""

from __future__ import annotations

import json
import os
import textwrap

import pytest
from lsprotocol import types

from lsp_helpers import PREFIXES
from packs_support import (
    CODE_SNIPPETS,
    IN_ASYNC_DEF,
    TEAM_YAML,
    complete,
    labels_for,
    reload_by_command,
    start,
    uri,
    wait_for_diagnostics,
    wait_for_log,
    write_friendly,
)

pytestmark = pytest.mark.slow  # servers that wait for file watching and polling: not in make test-fast


def notify(client, *changes):
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=uri(p), type=t) for p, t in changes])
    )


async def details(client, word="aiog"):
    result = await complete(client, IN_ASYNC_DEF.format(word=word))
    return [i.detail for i in (result.items if result else [])]


# --- live reload ----------------------------------------------------------------------------------


async def test_watched_files_registration_then_add_edit_delete(bare_client, tmp_path):
    await start(bare_client, tmp_path, watch=True)
    [reg] = bare_client.registrations
    assert reg.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    globs = [w["globPattern"] for w in reg.register_options["watchers"]]
    assert {"baseUri": uri(tmp_path), "pattern": ".sheetls/**"} in globs
    pack = tmp_path / ".sheetls" / "team.yaml"
    assert await details(bare_client) == []

    pack.parent.mkdir()  # add
    pack.write_text(TEAM_YAML)
    since = len(bare_client.log_messages)
    notify(bare_client, (pack, types.FileChangeType.Created))
    await wait_for_log(bare_client, "packs reloaded", since)
    assert await details(bare_client) == ["Gather awaitables"]

    pack.write_text(TEAM_YAML.replace("Gather awaitables", "Gather them all"))  # edit
    since = len(bare_client.log_messages)
    notify(bare_client, (pack, types.FileChangeType.Changed))
    await wait_for_log(bare_client, "packs reloaded", since)
    assert await details(bare_client) == ["Gather them all"]

    pack.unlink()  # delete
    since = len(bare_client.log_messages)
    notify(bare_client, (pack, types.FileChangeType.Deleted))
    await wait_for_log(bare_client, "packs reloaded", since)
    assert await details(bare_client) == []
    assert await labels_for(bare_client, "aio") == PREFIXES


async def test_watchers_follow_the_packs_setting(bare_client, tmp_path):
    friendly = write_friendly(tmp_path / "friendly")
    ws = tmp_path / "ws"
    ws.mkdir()
    await start(bare_client, ws, watch=True, options={"packs": [str(friendly)]})
    globs = [w["globPattern"] for w in bare_client.registrations[0].register_options["watchers"]]
    assert {"baseUri": uri(friendly), "pattern": "**"} in globs  # a configured folder: all of it
    assert {"baseUri": uri(friendly / "snippets" / "python"), "pattern": "base.json"} in globs
    (friendly / "snippets" / "python" / "base.json").write_text(
        json.dumps({"aw": {"prefix": "awaitall", "body": "await $0"}})
    )
    since = len(bare_client.log_messages)
    notify(bare_client, (friendly / "snippets" / "python" / "base.json", types.FileChangeType.Changed))
    await wait_for_log(bare_client, "packs reloaded", since)
    assert await labels_for(bare_client, "awaita") == ["awaitall"]
    assert await labels_for(bare_client, "adef") == []


async def test_polling_picks_up_add_edit_delete_without_client_watching(bare_client, tmp_path):
    await start(bare_client, tmp_path, profile="neovim", watch=False, options={"pollInterval": 0.25})
    assert bare_client.registrations == []  # nothing asked of a client that cannot watch
    pack = tmp_path / ".sheetls" / "team.code-snippets"
    pack.parent.mkdir()

    def atomic_write(text):  # the poll must never see half a file
        tmp = tmp_path / "pack.tmp"
        tmp.write_text(text)
        os.replace(tmp, pack)

    since = len(bare_client.log_messages)
    atomic_write(CODE_SNIPPETS)
    await wait_for_log(bare_client, "a pack file changed on disk", since)
    assert await labels_for(bare_client, "aiotim") == ["aiotimeout"]

    since = len(bare_client.log_messages)
    atomic_write(CODE_SNIPPETS.replace('"aiotimeout"', '"aiodeadline"'))
    await wait_for_log(bare_client, "a pack file changed on disk", since)
    assert await labels_for(bare_client, "aiotim") == []
    assert await labels_for(bare_client, "aiodead") == ["aiodeadline"]

    since = len(bare_client.log_messages)
    pack.unlink()
    await wait_for_log(bare_client, "a pack file changed on disk", since)
    assert await labels_for(bare_client, "aiodead") == []


async def test_reload_command_forces_a_reload(bare_client, tmp_path):
    await start(bare_client, tmp_path, watch=True)
    (tmp_path / ".sheetls").mkdir()
    (tmp_path / ".sheetls" / "team.yaml").write_text(TEAM_YAML)
    assert await details(bare_client) == []  # no event sent: not seen yet
    answer = await reload_by_command(bare_client)
    assert answer == {"packs": 2, "entries": 7, "errors": 0}
    assert await details(bare_client) == ["Gather awaitables"]


async def test_configuration_change_reloads(bare_client, tmp_path):
    pack = tmp_path / "team.yaml"
    pack.write_text(TEAM_YAML)
    await start(bare_client, None)
    since = len(bare_client.log_messages)
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sheetls": {"packs": [str(pack)], "builtinSheet": False}})
    )
    await wait_for_log(bare_client, "packs reloaded", since)
    assert await labels_for(bare_client, "aio") == ["aiogather"]


# --- errors as diagnostics -------------------------------------------------------------------------


def _yaml(old: str, new: str) -> str:
    assert old in TEAM_YAML
    return TEAM_YAML.replace(old, new, 1)


# (name, file name, text, a text on the line the diagnostic must be on, the field it names)
YAML_CASES = [
    ("yaml syntax", "team.yaml", _yaml("summary: Our own asyncio patterns.\n", "summary: [unclosed\n"), None, ""),
    (
        "missing required field",
        "team.yaml",
        _yaml("        summary: Run awaitables concurrently and collect their results.\n", ""),
        "- id: gather",
        "sections[0].entries[0].summary",
    ),
    (
        "wrong type",
        "team.yaml",
        _yaml("tags: [tasks, gather]", "tags: tasks"),
        "tags: tasks",
        "sections[0].entries[0].tags",
    ),
    ("unknown key", "team.yaml", _yaml("        tags:", "        tagz:"), "tagz:", "sections[0].entries[0].tagz"),
    (
        "duplicate prefix",
        "team.yaml",
        TEAM_YAML
        + textwrap.indent(
            textwrap.dedent("""\
          - id: gather-two
            title: Gather again
            summary: The same prefix twice.
            prefix: aiogather
            body: pass
        """),
            "      ",
        ),
        "prefix: aiogather\n",
        "sections[0].entries[1].prefix",
    ),
    (
        "snippet syntax",
        "team.yaml",
        _yaml("print(results)$0", "print(results, ${3:x)$0"),
        "print(results, ${3",
        "sections[0].entries[0].body",
    ),
    (
        "example not python",
        "team.yaml",
        _yaml("print(results)$0", "print(results$0"),
        "print(results$0",
        "sections[0].entries[0].body",
    ),
    (
        "json syntax",
        "team.code-snippets",
        CODE_SNIPPETS.replace('"prefix": "clog",', '"prefix": "clog"'),
        '"body": "console.log',
        "",
    ),
    (
        "vscode missing body",
        "team.code-snippets",
        '{\n  "Hello": {\n    "prefix": "hello"\n  }\n}\n',
        '"Hello": {',
        "Hello.body",
    ),
    (
        "vscode prefix type",
        "team.code-snippets",
        '{\n  "Hello": {\n    "prefix": 42,\n    "body": "print()"\n  }\n}\n',
        '"prefix": 42',
        "Hello.prefix",
    ),
]


def _expected_line(text: str, needle) -> int:
    if needle is None:
        return next(i for i, l in enumerate(text.split("\n")) if "[unclosed" in l) + 1  # the parser stops after it
    return max(i for i, l in enumerate(text.split("\n")) if needle.rstrip("\n") in l)  # the last one


@pytest.mark.parametrize("case", YAML_CASES, ids=[c[0] for c in YAML_CASES])
async def test_diagnostics_at_the_line_and_field_of_each_kind_of_error(bare_client, tmp_path, case):
    name, filename, text, needle, field = case
    pack = tmp_path / ".sheetls" / filename
    pack.parent.mkdir()
    pack.write_text(text)
    await start(bare_client, tmp_path)
    diags = await wait_for_diagnostics(bare_client, uri(pack), lambda d: bool(d))
    lines = text.split("\n")
    expected = _expected_line(text, needle)
    first = diags[0]
    assert first.severity == types.DiagnosticSeverity.Error and first.source == "sheetls"
    if name == "yaml syntax":  # the YAML parser reports where it gave up: at or just after the bad line
        assert expected - 1 <= first.range.start.line <= expected + 1, (first, lines)
    else:
        assert first.range.start.line == expected, (first, lines[first.range.start.line])
        assert first.message.startswith(field + ": ") if field else True
    line_text = lines[first.range.start.line]
    assert first.range.start.character == len(line_text) - len(line_text.lstrip())
    assert first.range.end.character == len(line_text)
    # the same problem once in a message, and in the log
    assert len(bare_client.messages) == 1 and filename in bare_client.messages[0].message
    assert bare_client.messages[0].type == types.MessageType.Error
    assert any(filename in m.message and "pack error" in m.message for m in bare_client.log_messages)


async def test_package_json_pointing_at_a_missing_file(bare_client, tmp_path):
    friendly = write_friendly(tmp_path / ".sheetls" / "friendly")
    (friendly / "snippets" / "python" / "base.json").unlink()
    await start(bare_client, tmp_path)
    diags = await wait_for_diagnostics(bare_client, uri(friendly / "package.json"), lambda d: bool(d))
    text = (friendly / "package.json").read_text().split("\n")
    assert "./snippets/python/base.json" in text[diags[0].range.start.line]
    assert "contributes.snippets[2].path" in diags[0].message
    assert await labels_for(bare_client, "datetod") == ["datetoday"]  # the rest of the package is served


async def test_missing_pack_in_the_setting_is_announced(bare_client, tmp_path):
    await start(bare_client, None, options={"packs": [str(tmp_path / "nowhere.yaml")]})
    assert len(bare_client.messages) == 1 and "nowhere.yaml" in bare_client.messages[0].message


async def test_invalid_edit_keeps_the_last_good_version_and_announces_once(bare_client, tmp_path):
    pack = tmp_path / ".sheetls" / "team.yaml"
    pack.parent.mkdir()
    pack.write_text(TEAM_YAML)
    await start(bare_client, tmp_path, watch=True)
    assert bare_client.messages == []
    broken = _yaml("Gather awaitables", "Gather v2").replace("tags: [tasks, gather]", "tags: tasks")
    pack.write_text(broken)
    notify(bare_client, (pack, types.FileChangeType.Changed))
    diags = await wait_for_diagnostics(bare_client, uri(pack), lambda d: bool(d))
    assert diags[0].range.start.line == _expected_line(broken, "tags: tasks")
    assert await details(bare_client) == ["Gather awaitables"]  # the last good version, still served
    assert len(bare_client.messages) == 1 and "last good version" in bare_client.messages[0].message
    await reload_by_command(bare_client)  # the same problem again: no second message
    await reload_by_command(bare_client)
    assert len(bare_client.messages) == 1

    pack.write_text(_yaml("Gather awaitables", "Gather v3"))  # fixed
    notify(bare_client, (pack, types.FileChangeType.Changed))
    await wait_for_diagnostics(bare_client, uri(pack), lambda d: d == [], "the diagnostics cleared")
    assert await details(bare_client) == ["Gather v3"]


async def test_broken_pack_that_was_never_good_serves_its_valid_entries(bare_client, tmp_path):
    pack = tmp_path / ".sheetls" / "team.code-snippets"
    pack.parent.mkdir()
    pack.write_text('{\n  "Good": {"prefix": "goodone", "body": "pass"},\n  "Bad": {"prefix": "badone"}\n}\n')
    await start(bare_client, tmp_path)
    await wait_for_diagnostics(bare_client, uri(pack), lambda d: len(d) == 1)
    assert await labels_for(bare_client, "goodo") == ["goodone"]
    assert "serving its valid entries" in bare_client.messages[0].message


async def test_deleting_a_broken_pack_clears_its_diagnostics(bare_client, tmp_path):
    pack = tmp_path / ".sheetls" / "team.yaml"
    pack.parent.mkdir()
    pack.write_text(_yaml("tags: [tasks, gather]", "tags: tasks"))
    await start(bare_client, tmp_path, watch=True)
    await wait_for_diagnostics(bare_client, uri(pack), lambda d: bool(d))
    pack.unlink()
    notify(bare_client, (pack, types.FileChangeType.Deleted))
    await wait_for_diagnostics(bare_client, uri(pack), lambda d: d == [], "the diagnostics cleared")


# --- open pack files: checked as the user types --------------------------------------------------


async def test_open_pack_file_is_checked_as_the_user_types(bare_client, tmp_path):
    pack = tmp_path / ".sheetls" / "team.yaml"
    pack.parent.mkdir()
    pack.write_text(TEAM_YAML)
    await start(bare_client, tmp_path, watch=True)
    doc = uri(pack)
    bare_client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=doc, language_id="yaml", version=1, text=TEAM_YAML)
        )
    )
    await wait_for_diagnostics(bare_client, doc, lambda d: d == [], "empty diagnostics for a good buffer")

    typed = _yaml("        prefix: aiogather", "        prefix: aio-gather")  # a keystroke, unsaved
    bare_client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=doc, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=typed)],
        )
    )
    diags = await wait_for_diagnostics(bare_client, doc, lambda d: bool(d))
    assert diags[0].range.start.line == _expected_line(typed, "prefix: aio-gather")
    assert diags[0].message.startswith("sections[0].entries[0].prefix: ")
    assert bare_client.messages == []  # typing never pops up messages
    assert await details(bare_client) == ["Gather awaitables"]  # the file on disk is what is served

    bare_client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=doc, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=TEAM_YAML)],
        )
    )
    await wait_for_diagnostics(bare_client, doc, lambda d: d == [], "the diagnostics cleared")


async def test_closing_a_pack_buffer_restores_the_files_diagnostics(bare_client, tmp_path):
    pack = tmp_path / ".sheetls" / "team.yaml"
    pack.parent.mkdir()
    broken = _yaml("tags: [tasks, gather]", "tags: tasks")
    pack.write_text(broken)
    await start(bare_client, tmp_path)
    doc = uri(pack)
    await wait_for_diagnostics(bare_client, doc, lambda d: bool(d))
    bare_client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=doc, language_id="yaml", version=1, text=TEAM_YAML)
        )
    )
    await wait_for_diagnostics(bare_client, doc, lambda d: d == [], "the buffer's own (clean) diagnostics")
    bare_client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(doc))
    )
    diags = await wait_for_diagnostics(bare_client, doc, lambda d: bool(d), "the file's diagnostics again")
    assert diags[0].range.start.line == _expected_line(broken, "tags: tasks")


async def test_yaml_files_that_are_not_packs_get_no_diagnostics(bare_client, tmp_path):
    await start(bare_client, tmp_path)
    doc = uri(tmp_path / "docker-compose.yaml")
    bare_client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=doc, language_id="yaml", version=1, text="services: {}\n")
        )
    )
    await reload_by_command(bare_client)  # a request answered after the didOpen was handled
    assert doc not in bare_client.diagnostics


async def test_a_workspace_folder_added_later_brings_its_packs_and_its_watcher(bare_client, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    (second / ".sheetls").mkdir(parents=True)
    (second / ".sheetls" / "team.yaml").write_text(TEAM_YAML)
    await start(bare_client, first, watch=True)
    assert await details(bare_client) == []
    since = len(bare_client.log_messages)
    bare_client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=uri(second), name="second")], removed=[]
            )
        )
    )
    await wait_for_log(bare_client, "the client watches the pack files", since)
    assert await details(bare_client) == ["Gather awaitables"]
    [unreg] = bare_client.unregistrations
    assert unreg.id == bare_client.registrations[0].id
    globs = [w["globPattern"] for w in bare_client.registrations[-1].register_options["watchers"]]
    assert {"baseUri": uri(second), "pattern": ".sheetls/**"} in globs


async def test_diagnostic_ranges_are_in_utf16_units(bare_client, tmp_path):
    pack = tmp_path / ".sheetls" / "team.yaml"
    pack.parent.mkdir()
    text = _yaml("tags: [tasks, gather]", "tags: 🐍 snakes")
    pack.write_text(text, encoding="utf-8")
    await start(bare_client, tmp_path)
    diags = await wait_for_diagnostics(bare_client, uri(pack), lambda d: bool(d))
    line = text.split("\n")[diags[0].range.start.line]
    assert "🐍" in line
    assert diags[0].range.end.character == len(line.encode("utf-16-le")) // 2  # the emoji counts 2
