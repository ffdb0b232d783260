"""The sheet inside the editors (issue 17), over stdio with VS Code's and Neovim's profiles:
sheetls.renderPage (the webview's page), sheetls.formAt (what "Insert at cursor" inserts: what
completion inserts at the same place), sheetls.sheetOutline and sheetls.entryAt (Neovim's sheet
buffer keys and :SheetlsEntry), and the hover's "Open in sheet" link."""

from __future__ import annotations

import ast
from urllib.parse import unquote

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from lsp_helpers import accept_item, complete_at, hover_at, initialize, open_doc, split_cursor, utf16_col
from sheetls import export
from sheetls.loader import builtin_sheet_path, load_pack
from sheetls.page import anchors, render_page

SHEET = load_pack(builtin_sheet_path()).sheet
ANCHORS = anchors([SHEET])


async def command(client, name, arg):
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(command=name, arguments=[arg]))


async def form_at(client, marked: str, anchor: str):
    text, line, col = split_cursor(marked)
    uri = open_doc(client, text)
    position = {"line": line, "character": utf16_col(text.split("\n")[line], col)}
    return text, await command(client, "sheetls.formAt", {"uri": uri, "position": position, "anchor": anchor})


async def test_render_page_is_the_exported_page(client):
    page = await command(client, "sheetls.renderPage", {"view": "compact"})
    assert page == render_page([SHEET], "compact")
    for entry in SHEET.entries:
        assert f'id="{ANCHORS[(SHEET.id, entry.id)]}"' in page
    with_nonce = await command(client, "sheetls.renderPage", {"nonce": "abc123"})
    assert with_nonce == render_page([SHEET], nonce="abc123")
    assert '<script nonce="abc123">' in with_nonce and '<style nonce="abc123">' in with_nonce


# The place, and the prefix typed there for completion ("|" is the cursor).
PLACES = {
    "async def": ("import asyncio\n\n\nasync def main():\n    x = 1\n    |\n", "async"),
    "module level": ("import os\n\n|", "module"),
    "plain def": ("import asyncio\n\n\ndef main():\n    x = 1\n    |\n", "plain"),
    "class body": ("import asyncio\n\n\nclass Client:\n    x = 1\n\n    |\n", "class"),
    "after await": ("import asyncio\n\n\nasync def main():\n    data = await |\n", "await"),
}


@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize("entry_id", ["open-tcp-connection", "subprocess-exec"])
async def test_form_at_is_what_completion_inserts_there(client, place, entry_id):
    entry = next(e for e in SHEET.entries if e.id == entry_id)
    marked, _ = PLACES[place]
    text, answer = await form_at(client, marked, ANCHORS[(SHEET.id, entry_id)])
    result, _, _, _ = await complete_at(client, marked.replace("|", entry.prefix + "|"))
    items = [i for i in (result.items if result else []) if i.label == entry.prefix]
    if not items:
        assert answer["text"] is None and answer["reason"], answer
        assert place == "plain def", f"completion offers {entry.prefix} nowhere in a {place}"
        return
    item = items[0]
    assert answer["text"] == item.text_edit.new_text, answer
    assert answer["isSnippet"] == (item.insert_text_format == types.InsertTextFormat.Snippet)
    assert answer["insertTextMode"] == (item.insert_text_mode or types.InsertTextMode.AsIs)
    got = [
        (e["range"]["start"]["line"], e["range"]["start"]["character"], e["newText"])
        for e in answer["additionalTextEdits"]
    ]
    want = [(e.range.start.line, e.range.start.character, e.new_text) for e in item.additional_text_edits or []]
    assert got == want
    # Inserted at the cursor with its imports, as the editor expands it, the file compiles.
    _, line, col = split_cursor(marked)
    cursor = types.Position(line, utf16_col(text.split("\n")[line], col))
    inserted = accept_item(
        client.profile,
        text,
        types.CompletionItem(
            label=entry.prefix,
            text_edit=types.TextEdit(types.Range(cursor, cursor), answer["text"]),
            insert_text_format=item.insert_text_format,
            insert_text_mode=item.insert_text_mode,
            additional_text_edits=item.additional_text_edits,
        ),
    )
    if place == "after await":
        inserted = inserted.replace("await \n", "await (\n", 1)  # an expression: check it where it stands
    else:
        ast.parse(inserted)
    expected = {"async": "body", "module": "program", "class": "method", "await": "expression"}[PLACES[place][1]]
    assert answer["form"] == expected


async def test_form_at_in_async_def_inserts_the_core_lines(client):
    """Inside an async def the entry's core lines go in, at the body's indentation."""
    marked = "import asyncio\n\n\nasync def main():\n    |\n"
    text, answer = await form_at(client, marked, "open-tcp-connection")
    assert answer["form"] == "body"
    assert "open_connection" in answer["text"] and "asyncio.run" not in answer["text"]


async def test_form_at_outside_code_answers_a_reason(client):
    text, answer = await form_at(client, 'import asyncio\nx = "in a |string"\n', "open-tcp-connection")
    assert answer["text"] is None and "fits" in answer["reason"]


async def test_form_at_unknown_entry_is_an_error(client):
    uri = open_doc(client, "x = 1\n")
    with pytest.raises(Exception, match="no entry"):
        await command(
            client, "sheetls.formAt", {"uri": uri, "position": {"line": 0, "character": 0}, "anchor": "no-such"}
        )


@pytest.mark.parametrize("view", ["standard", "detailed", "compact"])
async def test_sheet_outline_places_every_entry_in_the_markdown(client, view):
    answer = await command(client, "sheetls.sheetOutline", {"view": view})
    rendered = await command(client, "sheetls.renderSheet", {"format": "markdown", "view": view})
    assert answer["markdown"] == rendered == export.markdown([SHEET], view)
    lines = rendered.split("\n")
    entries = answer["entries"]
    assert [e["id"] for e in entries] == [e.id for e in SHEET.entries]
    for e, entry in zip(entries, SHEET.entries):
        assert entry.title in lines[e["line"]]
        assert e["anchor"] == ANCHORS[(SHEET.id, entry.id)]
        assert e["example"] == entry.example
        body = "\n".join(lines[e["line"] : e["end"]])
        assert entry.example.strip().split("\n")[-1] in body  # the entry's example is inside its span
    spans = [(e["line"], e["end"]) for e in entries]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), spans


async def test_entry_at_names_the_hovered_entry(client):
    text, line, col = split_cursor(
        'import asyncio\n\n\nasync def main():\n    await asyncio.open_con|nection("h", 1)\n'
    )
    uri = open_doc(client, text)
    position = {"line": line, "character": col}
    answer = await command(client, "sheetls.entryAt", {"uri": uri, "position": position})
    assert answer == {
        "pack": SHEET.id,
        "id": "open-tcp-connection",
        "anchor": "open-tcp-connection",
        "title": "Open a TCP connection",
    }
    assert await command(client, "sheetls.entryAt", {"uri": uri, "position": {"line": 0, "character": 0}}) is None


HOVERED = 'import asyncio\n\n\nasync def main():\n    await asyncio.open_con|nection("h", 1)\n'


async def test_hover_link_per_profile(client):
    """Neovim (the client name says it): the Ex command that shows the sheet buffer at the entry.
    VS Code without sheetls's extension (no declared command): no link."""
    hover = await hover_at(client, HOVERED)
    assert hover is not None
    if client.profile == "neovim":
        assert hover.contents.value.rstrip().endswith("Open in sheet: `:SheetlsEntry open-tcp-connection`")
    else:
        assert "Open in sheet" not in hover.contents.value


async def test_hover_link_for_a_client_that_declares_its_command(bare_client):
    caps = client_capabilities("visual_studio_code")
    caps.experimental = {"sheetlsOpenInSheet": "sheetls.showSheet"}
    await initialize(bare_client, "visual_studio_code", capabilities=caps)
    hover = await hover_at(bare_client, HOVERED)
    last = hover.contents.value.rstrip().split("\n")[-1]
    assert last.startswith("[Open in sheet](command:sheetls.showSheet?"), last
    args = unquote(last.split("?", 1)[1].split(" ", 1)[0])
    assert args == '[{"anchor":"open-tcp-connection"}]'
    # A member's hover links to the entry it belongs to (StreamReader.readline: Start a TCP server).
    member = await hover_at(
        bare_client,
        "import asyncio\n\n\nasync def main():\n"
        "    r, w = await asyncio.open_connection('h', 1)\n"
        "    await r.read|line()\n",
    )
    assert member is not None, "no hover on StreamReader.readline"
    last = member.contents.value.rstrip().split("\n")[-1]
    assert unquote(last.split("?", 1)[1].split(" ", 1)[0]) == '[{"anchor":"start-tcp-server"}]', last
