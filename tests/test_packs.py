"""Packs beyond the built-in sheet, over the real protocol (issue 7): each pack kind, where
packs come from, scoping by language, collisions between packs, the built-in sheet off."""

from __future__ import annotations

import pytest
from lsprotocol import types

from lsp_helpers import PREFIXES
from packs_support import (
    CODE_SNIPPETS,
    COLLIDING_YAML,
    IN_ASYNC_DEF,
    TEAM_YAML,
    complete,
    labels_for,
    start,
    write_friendly,
)
from sheetls.packs import load_packs
from sheetls.vscode_snippets import parse_jsonc, strict_body

pytestmark = pytest.mark.slow  # a server per test, with workspace folders and packs: not in make test-fast


@pytest.fixture(params=["visual_studio_code", "neovim"])
def profile(request):
    return request.param


# --- each pack kind, from each place -------------------------------------------------------------


async def test_yaml_pack_from_the_packs_setting(bare_client, tmp_path, profile):
    pack = tmp_path / "elsewhere" / "team.yaml"
    pack.parent.mkdir()
    pack.write_text(TEAM_YAML)
    await start(bare_client, None, profile=profile, options={"packs": [str(pack)]})
    assert await labels_for(bare_client, "aio") == PREFIXES + ["aiogather"]
    result = await complete(bare_client, IN_ASYNC_DEF.format(word="aiog"))
    item = result.items[0]
    assert (item.label, item.detail) == ("aiogather", "Gather awaitables")
    assert item.insert_text_format == types.InsertTextFormat.Snippet
    assert "asyncio.gather(${1:" in item.text_edit.new_text


async def test_relative_setting_paths_resolve_against_the_workspace_folder(bare_client, tmp_path):
    (tmp_path / "team-packs").mkdir()
    (tmp_path / "team-packs" / "team.yml").write_text(TEAM_YAML)
    await start(bare_client, tmp_path, options={"packs": ["team-packs"]})  # a folder, relative
    assert "aiogather" in await labels_for(bare_client, "aio")


async def test_dot_sheetls_folder_in_each_workspace_folder(bare_client, tmp_path, profile):
    (tmp_path / ".sheetls").mkdir()
    (tmp_path / ".sheetls" / "team.yaml").write_text(TEAM_YAML)
    (tmp_path / ".sheetls" / "notes.txt").write_text("not a pack")
    await start(bare_client, tmp_path, profile=profile)
    assert await labels_for(bare_client, "aio") == PREFIXES + ["aiogather"]


async def test_code_snippets_file_read_as_it_is_and_scoped_to_python(bare_client, tmp_path, profile):
    (tmp_path / ".sheetls").mkdir()
    (tmp_path / ".sheetls" / "team.code-snippets").write_text(CODE_SNIPPETS)
    await start(bare_client, tmp_path, profile=profile)
    # both prefixes of the Python-scoped snippet, and the unscoped one; never the JavaScript one
    assert await labels_for(bare_client, "aiotim") == ["aiotimeout"]
    assert await labels_for(bare_client, "timeo") == ["timeout"]
    assert await labels_for(bare_client, "ifma") == ["ifmain"]
    assert await labels_for(bare_client, "clo") == []
    item = (await complete(bare_client, IN_ASYNC_DEF.format(word="aiotim"))).items[0]
    assert item.detail == "Timeout block"
    assert item.kind == types.CompletionItemKind.Snippet
    # the body as VS Code would insert it; the file's tab became the server's indentation
    assert item.text_edit.new_text.startswith("async with asyncio.timeout(${1:10}):\n")
    assert "${2:await asyncio.sleep(1)}$0" in item.text_edit.new_text
    if item.documentation is None:
        item = await bare_client.completion_item_resolve_async(item)
    assert "Cancel the block when it takes too long" in item.documentation.value


async def test_friendly_snippets_package_serves_its_python_files_only(bare_client, tmp_path, profile):
    write_friendly(tmp_path / ".sheetls" / "friendly-snippets")
    await start(bare_client, tmp_path, profile=profile)
    assert await labels_for(bare_client, "adef") == ["adef"]  # python/base.json
    assert await labels_for(bare_client, "if") == ["if/else"]
    assert await labels_for(bare_client, "datetod") == ["datetoday"]  # global.json: language "all"
    assert await labels_for(bare_client, "fore") == []  # javascript
    assert await labels_for(bare_client, "pydocs") == []  # pydoc is another language id


async def test_package_folder_named_in_the_setting(bare_client, tmp_path):
    write_friendly(tmp_path / "friendly-snippets")
    await start(bare_client, None, options={"packs": [str(tmp_path / "friendly-snippets")]})
    assert await labels_for(bare_client, "adef") == ["adef"]


async def test_language_file_from_a_vscode_user_snippets_folder(bare_client, tmp_path):
    user = tmp_path / "User" / "snippets"
    user.mkdir(parents=True)
    (user / "python.json").write_text('{"Print": {"prefix": "pr", "body": "print($1)"}}')
    (user / "javascript.json").write_text('{"Log": {"prefix": "prl", "body": "console.log($1)"}}')
    await start(bare_client, None, options={"packs": [str(user)]})
    assert await labels_for(bare_client, "pr") == ["pr"]


async def test_yaml_pack_for_another_language_is_not_served(bare_client, tmp_path):
    (tmp_path / ".sheetls").mkdir()
    (tmp_path / ".sheetls" / "js.yaml").write_text(
        TEAM_YAML.replace(
            "summary: Our own asyncio patterns.\n", "summary: Our own asyncio patterns.\nlanguage: javascript\n"
        )
    )
    await start(bare_client, tmp_path)
    assert "aiogather" not in await labels_for(bare_client, "aio")


async def test_builtin_sheet_switched_off(bare_client, tmp_path, profile):
    (tmp_path / ".sheetls").mkdir()
    (tmp_path / ".sheetls" / "team.yaml").write_text(TEAM_YAML)
    await start(bare_client, tmp_path, profile=profile, options={"builtinSheet": False})
    assert await labels_for(bare_client, "aio") == ["aiogather"]
    hover = await bare_client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(
                await _open(bare_client, "import asyncio\nasyncio.open_connection\n")
            ),
            position=types.Position(1, 10),
        )
    )
    assert hover is None  # the built-in sheet's hover is off too


async def _open(client, text):
    doc = "file:///tmp/sheetls-packs-hover.py"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=doc, language_id="python", version=1, text=text)
        )
    )
    return doc


# --- collisions ----------------------------------------------------------------------------------


async def test_same_prefix_in_two_packs_both_items_appear_labelled_with_their_pack(bare_client, tmp_path, profile):
    (tmp_path / ".sheetls").mkdir()
    (tmp_path / ".sheetls" / "net.yaml").write_text(COLLIDING_YAML)
    await start(bare_client, tmp_path, profile=profile)
    result = await complete(bare_client, IN_ASYNC_DEF.format(word="aioop"))
    items = [i for i in result.items if i.label == "aioopen"]
    assert [i.detail for i in items] == [
        "Open a TCP connection (asyncio-streams)",
        "Open a connection with a timeout (our-net)",
    ]
    assert all(i.label_details is None for i in items)  # neither profile declares labelDetailsSupport
    assert [i.data["pack"] for i in items] == ["asyncio-streams", "our-net"]
    assert "open_connection(${1:" in items[0].text_edit.new_text
    assert "wait_for(asyncio.open_connection" in items[1].text_edit.new_text
    # prefixes that do not collide keep their plain title
    other = (await complete(bare_client, IN_ASYNC_DEF.format(word="aioserv"))).items[0]
    assert other.detail == "Start a TCP server"


async def test_two_packs_with_the_same_id_are_both_served(bare_client, tmp_path):
    (tmp_path / ".sheetls").mkdir()
    (tmp_path / ".sheetls" / "a.yaml").write_text(TEAM_YAML)
    (tmp_path / ".sheetls" / "b.yaml").write_text(TEAM_YAML.replace("Gather awaitables", "Gather, again"))
    await start(bare_client, tmp_path, options={"builtinSheet": False})
    result = await complete(bare_client, IN_ASYNC_DEF.format(word="aiog"))
    assert [(i.detail, i.data["pack"]) for i in result.items] == [
        ("Gather awaitables (team-patterns)", "team-patterns"),
        ("Gather, again (team-patterns-2)", "team-patterns-2"),
    ]
    for item in result.items:  # each resolves to its own entry
        resolved = await bare_client.completion_item_resolve_async(item)
        assert item.detail.split(" (")[0] in resolved.documentation.value


# --- the readers, directly --------------------------------------------------------------------------


def test_jsonc_reader_keeps_lines_and_accepts_comments_and_trailing_commas():
    root = parse_jsonc('{\n  // a comment\n  "a": {\n    "b": [1, 2,],\n  }, /* block\n comment */\n  "c": "x"\n}\n')
    assert root.value["a"].key_line == 3
    assert root.value["a"].value["b"].line == 4
    assert root.value["c"].line == 7 and root.value["c"].value == "x"


@pytest.mark.parametrize(
    "vscode_body, strict",
    [
        ("cost: 5$ and {x}", "cost: 5\\$ and {x\\}"),  # a stray $ and } are literal text in VS Code
        ("print('\\n')", "print('\\\\n')"),  # so is a backslash before another character
        ("${1:a} and ${2", "${1:a} and \\${2"),  # and an unclosed ${
        ("if x:\n\t\tpass", "if x:\n        pass"),  # leading tabs: four spaces each
    ],
)
def test_vscode_bodies_become_strict_lsp_snippets(vscode_body, strict):
    assert strict_body(vscode_body) == strict


def test_packs_are_served_in_order_builtin_settings_workspace(tmp_path):
    (tmp_path / ".sheetls").mkdir()
    (tmp_path / ".sheetls" / "team.code-snippets").write_text(CODE_SNIPPETS)
    (tmp_path / "net.yaml").write_text(COLLIDING_YAML)
    packs = load_packs([str(tmp_path / "net.yaml")], builtin=True, folders=[str(tmp_path)])
    assert [s.id for s in packs.sheets] == ["asyncio-streams", "our-net", "team"]
    assert packs.errors == []
    vs = packs.loaded[2]
    assert vs.other_languages == 1  # the JavaScript snippet, left out


async def test_label_details_name_the_pack_for_a_client_that_shows_them(bare_client, tmp_path):
    from lsprotocol import types as t

    from packs_support import answer_registrations, capabilities, uri, wait_for_log

    (tmp_path / ".sheetls").mkdir()
    (tmp_path / ".sheetls" / "net.yaml").write_text(COLLIDING_YAML)
    caps = capabilities("visual_studio_code", watch=False)
    caps.text_document.completion.completion_item.label_details_support = True  # VS Code >= 1.70 does
    answer_registrations(bare_client)
    await bare_client.initialize_session(
        t.InitializeParams(
            capabilities=caps,
            root_uri=uri(tmp_path),
            workspace_folders=[t.WorkspaceFolder(uri=uri(tmp_path), name="w")],
        )
    )
    await wait_for_log(bare_client, "packs reloaded", since=0)
    result = await complete(bare_client, IN_ASYNC_DEF.format(word="aioop"))
    assert [i.label_details.description for i in result.items] == [
        "Open a TCP connection (asyncio-streams)",
        "Open a connection with a timeout (our-net)",
    ]


def test_the_schema_readme_matches_the_schema(tmp_path):
    """snippets/README.md documents the schema: its example loads, and its field table lists
    every field of loader.SCHEMA with the right required flag."""
    import re
    from pathlib import Path

    from sheetls.loader import SCHEMA, load_pack

    text = (Path(__file__).resolve().parents[1] / "snippets" / "README.md").read_text()
    example = tmp_path / "example.yaml"
    example.write_text(re.search(r"```yaml\n(.*?)```", text, re.S).group(1))
    assert load_pack(str(example)).errors == []
    table = {}
    where = ""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) != 4 or cells[3] not in ("yes", "no"):
            continue
        where = {"top level": "sheet"}.get(cells[0], cells[0]) or where
        for name in re.findall(r"`(\w+)`", cells[1]):
            table[(where, name)] = cells[3] == "yes"
    expected = {(kind, name): required for kind, fields in SCHEMA.items() for name, (_, required) in fields.items()}
    assert table == expected


def test_a_package_cannot_read_files_outside_its_folder(tmp_path):
    import json as _json

    from packs_support import write_friendly

    secret = tmp_path / "secret.json"
    secret.write_text('{"s": {"prefix": "stolen", "body": "x"}}')
    pkg = write_friendly(tmp_path / "pkg")
    manifest = _json.loads((pkg / "package.json").read_text())
    manifest["contributes"]["snippets"].append({"language": "python", "path": "../secret.json"})
    (pkg / "package.json").write_text(_json.dumps(manifest, indent=4))
    loaded = load_packs([str(pkg)], builtin=False).loaded[0]
    assert "stolen" not in [e.prefix for e in loaded.sheet.entries]
    [error] = loaded.errors
    assert error.field == "contributes.snippets[4].path" and "inside the package folder" in error.message
    assert "../secret.json" in (pkg / "package.json").read_text().split("\n")[error.line - 1]
