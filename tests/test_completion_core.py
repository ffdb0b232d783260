"""Completion over the real protocol: prefixes, ranges, forms, fallbacks (issue 2)."""

import ast

import pytest
from lsprotocol import types

from lsp_helpers import PREFIXES, accept_item, apply_edits, complete_at, initialize, labels, utf16_col
from sheetls.loader import builtin_sheet_path, load_pack

SHEET = load_pack(builtin_sheet_path()).sheet


async def test_aio_lists_the_whole_sheet_in_order(client):
    result, *_ = await complete_at(client, "import asyncio\n\nasync def main():\n    aio|\n")
    assert labels(result) == PREFIXES
    assert result.is_incomplete is False


@pytest.mark.parametrize("entry", SHEET.entries, ids=lambda e: e.prefix)
async def test_each_prefix_completes_to_its_entry(client, entry):
    typed = entry.prefix[:5]
    result, uri, text, line = await complete_at(client, f"import asyncio\n\nasync def main():\n    {typed}|\n")
    item = next(i for i in result.items if i.label == entry.prefix)
    assert item.kind == types.CompletionItemKind.Snippet
    assert item.detail == entry.title
    assert item.insert_text_format == types.InsertTextFormat.Snippet
    # the edit replaces exactly the typed word
    assert item.text_edit.range == types.Range(types.Position(line, 4), types.Position(line, 4 + len(typed)))
    if item.documentation is None:  # VS Code resolves documentation lazily
        item = await client.completion_item_resolve_async(item)
    assert entry.summary in item.documentation.value
    assert item.documentation.kind == types.MarkupKind.Markdown
    assert "```python" in item.documentation.value and entry.note in item.documentation.value
    # the inserted body, at defaults, parses in place
    ast.parse(accept_item(client.profile, text, item))


async def test_plain_text_fallback_for_a_client_without_snippets(bare_client):
    caps = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(
                    snippet_support=False, documentation_format=[types.MarkupKind.PlainText]
                )
            )
        )
    )
    await initialize(bare_client, "plain", capabilities=caps)
    result, uri, text, line = await complete_at(bare_client, "import asyncio\n\nasync def main():\n    aioopen|\n")
    item = result.items[0]
    assert item.insert_text_format == types.InsertTextFormat.PlainText
    new = item.text_edit.new_text
    assert "$" not in new and "${" not in new
    assert new.startswith(
        'reader, writer = await asyncio.wait_for(asyncio.open_connection("example.com", 80), timeout=10)\n'
    )
    assert isinstance(item.documentation, str) and "```" not in item.documentation
    assert item.documentation.startswith("Open a TCP connection\n\nUse stream reader and writer objects.")
    ast.parse(apply_edits(text, [item.text_edit]))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
async def test_non_ascii_before_the_cursor_under_each_encoding(bare_client, encoding):
    result = await initialize(bare_client, "visual_studio_code", encodings=[encoding])
    assert result.capabilities.position_encoding == encoding
    units = {
        "utf-8": lambda s, c: len(s[:c].encode("utf-8")),
        "utf-16": utf16_col,
        "utf-32": lambda s, c: c,
    }[encoding]
    prefix_text = '    s = "é中文😀🎉"; aio'
    result, uri, text, line = await complete_at(
        bare_client, f"import asyncio\n\nasync def main():\n{prefix_text}|\n", units=units
    )
    item = result.items[0]
    line_text = text.split("\n")[line]
    word_start = line_text.index("; aio") + 2
    assert item.text_edit.range.start == types.Position(line, units(line_text, word_start))
    assert item.text_edit.range.end == types.Position(line, units(line_text, len(line_text)))


async def test_nothing_for_non_python_unknown_or_out_of_range(client):
    result, *_ = await complete_at(client, "aio|", language="markdown")
    assert result is None
    unknown = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier("file:///nowhere/never-opened.py"), position=types.Position(0, 0)
        )
    )
    assert unknown is None
    result, uri, text, line = await complete_at(client, "aio|")
    for pos in (types.Position(5, 0), types.Position(0, 99)):
        out = await client.text_document_completion_async(
            types.CompletionParams(text_document=types.TextDocumentIdentifier(uri), position=pos)
        )
        assert out is None


async def test_completion_follows_incremental_edits(client):
    result, uri, text, line = await complete_at(client, "import asyncio\n\nasync def main():\n    |\n")
    for version, (col, ch) in enumerate([(4, "a"), (5, "i"), (6, "o"), (7, "s"), (8, "h")], start=2):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(3, col), types.Position(3, col)), text=ch
                    )
                ],
            )
        )
    out = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri), position=types.Position(3, 9))
    )
    assert labels(out) == ["aioshell"]
    assert out.items[0].text_edit.range == types.Range(types.Position(3, 4), types.Position(3, 9))
