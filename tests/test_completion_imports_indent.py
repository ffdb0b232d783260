"""What an accepted item adds around it, as real files showed (issue 13, bugs 7 and 9): the
import it needs lands where Python allows it and never rebinds a name the file binds; nested
blocks indent by the unit of the file's own code, never by what a docstring or comment shows."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from lsp_helpers import accept_item, complete_at, initialize, labels, open_doc, split_cursor, utf16_col

ROOT = Path(__file__).resolve().parents[1]


async def accepted(client, marked: str, label: str):
    result, _, text, _ = await complete_at(client, marked)
    items = [i for i in (result.items if result else []) if i.label == label]
    assert items, labels(result)
    return items[0], accept_item(client.profile, text, items[0])


# --- bug 7: the added import ------------------------------------------------------------------
async def test_import_after_a_backslash_continued_first_import(client):
    marked = "import abc, \\\n    sys\n\n\nasync def main():\n    aio|\n"
    item, source = await accepted(client, marked, "aioopen")
    compile(source, "<accepted>", "exec")
    assert source.startswith("import abc, \\\n    sys\nimport asyncio\n")


async def test_nothing_above_a_future_import(client):
    """No statement may stand above `from __future__ import ...`: offer nothing there."""
    result, *_ = await complete_at(client, '"""Doc."""\naio|\nfrom __future__ import annotations\n')
    assert labels(result) == []
    result, *_ = await complete_at(client, '"""Doc."""\nfrom __future__ import annotations\naio|\n')
    assert "aioopen" in labels(result)


async def test_a_module_name_bound_to_something_else_is_not_rebound(client):
    marked = "import asyncio\nfrom datetime import time\n\n\nasync def main():\n    aio|\n"
    item, source = await accepted(client, marked, "aiothread")
    tree = ast.parse(source)
    imports = [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert "from datetime import time" in imports and "import time as _time" in imports
    assert "import time" not in imports
    assert "_time.sleep(" in source and " time.sleep(" not in source
    assert "imports time as _time" in item.detail


async def test_an_import_alias_named_like_the_module_is_not_shadowed(client):
    marked = "import trollius as asyncio\n\n\nasync def main():\n    aio|\n"
    item, source = await accepted(client, marked, "aioopen")
    assert "import asyncio as _asyncio\n" in source
    assert "_asyncio.open_connection(" in item.text_edit.new_text
    assert re.search(r"(?<![\w.])asyncio\.", item.text_edit.new_text) is None  # trollius's name untouched
    compile(source, "<accepted>", "exec")
    assert "asyncio as _asyncio" in item.detail


async def test_an_alias_avoids_names_the_file_already_has(client):
    marked = "from datetime import time\nimport os as _time\n\n\nasync def main():\n    aio|\n"
    item, source = await accepted(client, marked, "aiothread")
    assert "import time as _time2\n" in source and "_time2.sleep(" in source


# --- bug 9: the indentation unit ----------------------------------------------------------------
def assert_indented_by(inserted: str, unit: str, base: str = "") -> None:
    """Every line of the inserted text after the first is indented by `base` and then whole
    units, and some line is nested (the text has blocks)."""
    depths = []
    for line in inserted.split("\n")[1:]:
        if not line.strip():
            continue
        assert line.startswith(base), repr(line)
        lead = line[len(base) : len(line) - len(line.lstrip(" \t"))]
        assert lead == unit * (len(lead) // len(unit)), (repr(unit), repr(line))
        depths.append(len(lead) // len(unit))
    assert max(depths) >= 1, inserted


def item_labelled(result, label: str) -> types.CompletionItem:
    return next(i for i in result.items if i.label == label)


def compiled_lines(source: str, unit: str) -> None:
    compile(source, "<accepted>", "exec")
    for line in source.split("\n"):
        lead = line[: len(line) - len(line.lstrip(" \t"))]
        assert lead == unit * (len(lead) // len(unit)), repr(line)


async def test_the_demo_file_indents_by_its_code_not_its_docstring(client):
    """`make try`'s demo: 4-space code under a docstring with 2-space bullets."""
    demo = (ROOT / "nvim-client" / "demo" / "demo.py").read_text()
    marked = demo.replace('    print("done")\n', '    print("done")\n    aio|\n')
    result, _, text, _ = await complete_at(client, marked)
    item = item_labelled(result, "aioserver")
    assert_indented_by(item.text_edit.new_text, "    ")
    source = accept_item(client.profile, text, item)
    body = source.split('"""')[2]  # the code after the docstring
    compiled_lines(body, "    ")
    compile(source, "<accepted>", "exec")


@pytest.mark.parametrize("unit", ["  ", "\t", "   "], ids=["2 spaces", "tab", "3 spaces"])
async def test_the_file_unit_is_used(client, unit):
    marked = (
        '"""Doc:\n    four spaces in a docstring.\n"""\nimport asyncio\n\n\n'
        f"async def main():\n{unit}x = 1\n{unit}aio|\n"
    )
    result, _, text, _ = await complete_at(client, marked)
    item = item_labelled(result, "aioserver")
    assert_indented_by(item.text_edit.new_text, unit)
    source = accept_item(client.profile, text, item)
    compiled_lines(source.split('"""')[2], unit)


async def test_a_file_without_blocks_follows_the_editor(client):
    """No indented code yet: the snippet indents with a tab, which VS Code (adjustIndentation)
    and Neovim's vim.snippet ('expandtab') turn into the editor's own indentation."""
    marked = '"""A docstring:\n  with a 2-space line.\n"""\nimport asyncio\n\naio|\n'
    result, _, text, _ = await complete_at(client, marked)
    item = item_labelled(result, "aioserver")
    assert item.insert_text_format == types.InsertTextFormat.Snippet
    assert_indented_by(item.text_edit.new_text, "\t")
    compile(accept_item(client.profile, text, item), "<accepted>", "exec")


async def test_a_client_without_snippets_gets_four_spaces_in_a_file_without_blocks(bare_client):
    caps = client_capabilities("visual_studio_code")
    caps.text_document.completion.completion_item.snippet_support = False
    caps.text_document.completion.completion_item.insert_text_mode_support = None
    await initialize(bare_client, "plain", capabilities=caps)
    text, line, col = split_cursor('"""A docstring:\n  with a 2-space line.\n"""\nimport asyncio\n\naio|\n')
    uri = open_doc(bare_client, text)
    result = await bare_client.text_document_completion_async(
        types.CompletionParams(
            types.TextDocumentIdentifier(uri), types.Position(line, utf16_col(text.split("\n")[line], col))
        )
    )
    item = item_labelled(result, "aioserver")
    assert_indented_by(item.text_edit.new_text, "    ")


async def test_a_header_over_several_lines_gives_the_unit(client):
    """asyncssh's kdf.py: the file's only block has a def header over two lines."""
    marked = "def pbkdf2(hash_name: str,\n           count: int) -> bytes:\n    return b''\n\n\naio|\n"
    result, _, text, _ = await complete_at(client, marked)
    item = item_labelled(result, "aioserver")
    assert_indented_by(item.text_edit.new_text, "    ")
