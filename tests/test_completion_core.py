"""Completion over the real protocol: prefixes, ranges, forms, fallbacks (issue 2)."""
import ast

import pytest
from lsprotocol import types

from lsp_helpers import apply_edits, complete_at, initialize, labels, utf16_col
from sheetls.loader import builtin_sheet_path, load_pack
from sheetls.snippet_syntax import parse, to_plain

SHEET = load_pack(builtin_sheet_path()).sheet
PREFIXES = [e.prefix for e in SHEET.entries]


async def test_aio_lists_the_whole_sheet_in_order(client):
    result, *_ = await complete_at(client, "import asyncio\n\nasync def main():\n    aio|\n")
    assert labels(result) == ["aioopen", "aioserver", "aioexec", "aioshell", "aiothread", "aioexecutor"]
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
    inserted = apply_edits(text, [item.text_edit] + list(item.additional_text_edits or []))
    ast.parse(to_plain(parse(inserted)))
