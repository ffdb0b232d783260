"""Completions that understand the Python around the cursor (issue 3), over the real protocol
with VS Code's and Neovim's capability profiles."""

import ast
import subprocess
import sys

import pytest
from lsprotocol import types

from lsp_helpers import PREFIXES, accept_item, apply_edits, complete_at, labels
from sheetls.snippet_syntax import parse, to_plain


def accept(client, text: str, item: types.CompletionItem) -> str:
    return accept_item(client.profile, text, item)


async def item_for(client, marked: str, label: str):
    result, uri, text, line = await complete_at(client, marked)
    assert result is not None, f"no completion at {marked!r}"
    match = [i for i in result.items if i.label == label]
    assert match, labels(result)
    return match[0], text


# --- where -----------------------------------------------------------------------------------
NO_COMPLETION = {
    "comment": "import asyncio\n\nasync def main():\n    x = 1  # try aio|\n",
    "comment line": "async def main():\n    # aio|\n",
    "single-quoted string": "async def main():\n    s = 'aio|'\n",
    "double-quoted string": 'async def main():\n    s = "say aio|"\n',
    "triple-quoted string": 'async def main():\n    """Docs\n    mention aio|\n    """\n',
    "f-string": 'async def main():\n    s = f"{x} aio|"\n',
    "f-string expression part": 'async def main():\n    s = f"{aio|}"\n',
    "bytes": "async def main():\n    s = b'aio|'\n",
    "raw bytes": 'async def main():\n    s = rb"aio|"\n',
    "attribute": "import asyncio\n\nasync def main():\n    asyncio.aio|\n",
    "attribute after call": "async def main():\n    foo().aio|\n",
    "after a name": "async def main():\n    x aio|\n",
    "module docstring": '"""A module about\naio|\n"""\n',
}


@pytest.mark.parametrize("marked", NO_COMPLETION.values(), ids=NO_COMPLETION.keys())
async def test_no_sheet_completions_here(client, marked):
    result, *_ = await complete_at(client, marked)
    assert labels(result) == []


YES_COMPLETION = {
    "module statement": "aio|",
    "async statement": "async def main():\n    aio|\n",
    "after a semicolon": "async def main():\n    x = 1; aio|\n",
    "assignment value": "async def main():\n    x = aio|\n",
    "call argument": "async def main():\n    print(aio|\n",
    "after await": "async def main():\n    r = await aio|\n",
    "return value": "async def main():\n    return aio|\n",
    "after a closed string": "async def main():\n    s = 'it''s'; aio|\n",
    "after a closed triple string": 'async def main():\n    """Doc."""\n    aio|\n',
    "half-typed file": "import asyncio\n\ndef broken(:\n    pass\n\nasync def main():\n    foo(1,\n    aio|",
    "unclosed bracket above": "async def main():\n    data = [1, 2,\n    x = (\n    aio|",
}


@pytest.mark.parametrize("marked", YES_COMPLETION.values(), ids=YES_COMPLETION.keys())
async def test_sheet_completions_here(client, marked):
    result, *_ = await complete_at(client, marked)
    assert labels(result) == PREFIXES


# --- what form ---------------------------------------------------------------------------------
@pytest.mark.slow  # runs each program
@pytest.mark.parametrize(
    "label,expected", [("aioshell", "one\ntwo\n\n"), ("aiothread", "finished\n"), ("aioexecutor", "42\n")]
)
async def test_module_level_inserts_a_runnable_program(client, label, expected):
    item, text = await item_for(client, "aio|", label)
    program = accept(client, text, item)
    assert program.startswith("import asyncio\n")
    assert "async def main():" in program and program.rstrip().endswith("asyncio.run(main())")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected


async def test_module_level_program_skips_what_the_file_defines(client):
    marked = (
        "import asyncio\nimport time\n\n\ndef blocking():\n    time.sleep(0)\n    return 7\n\n\n"
        "async def main():\n    print('first')\n\n\naio|"
    )
    item, text = await item_for(client, marked, "aioexecutor")
    program = accept(client, text, item)
    assert program.count("def blocking(") == 1
    assert program.count("async def main(") == 1
    assert program.count("import asyncio") == 1 and program.count("import time") == 1
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "7\n"


async def test_async_def_inserts_the_core_lines(client):
    item, text = await item_for(client, "import asyncio\n\nasync def fetch():\n    aio|\n", "aioopen")
    out = accept(client, text, item)
    assert out == (
        "import asyncio\n\nasync def fetch():\n"
        '    reader, writer = await asyncio.wait_for(asyncio.open_connection("example.com", 80), timeout=10)\n'
        '    writer.write(b"GET / HTTP/1.1\\r\\nHost: example.com\\r\\nConnection: close\\r\\n\\r\\n")\n'
        "    await writer.drain()\n"
        "    data = await asyncio.wait_for(reader.read(200), timeout=10)\n"
        '    print(data.decode(errors="replace"))\n'
        "    writer.close()\n"
        "    await writer.wait_closed()\n"
    )
    ast.parse(out)


async def test_expression_position_inserts_the_call(client):
    item, text = await item_for(client, "import asyncio\n\nasync def f():\n    pair = aio|\n", "aioopen")
    out = accept(client, text, item)
    assert '    pair = await asyncio.wait_for(asyncio.open_connection("example.com", 80), timeout=10)\n' in out
    ast.parse(out)
    item, text = await item_for(client, "import asyncio\n\nasync def f():\n    pair = await aio|\n", "aioopen")
    out = accept(client, text, item)
    assert 'pair = await asyncio.wait_for(asyncio.open_connection("example.com", 80), timeout=10)' in out
    ast.parse(out)


async def test_plain_def_gets_no_await_code(client):
    result, *_ = await complete_at(client, "import asyncio\n\ndef sync_helper():\n    aio|\n")
    assert labels(result) == []
    result, *_ = await complete_at(client, "import asyncio\n\nasync def outer():\n    def inner():\n        aio|\n")
    assert labels(result) == []


async def test_class_body_gets_an_async_method(client):
    item, text = await item_for(client, "import asyncio\n\n\nclass Client:\n    aio|\n", "aioopen")
    out = accept(client, text, item)
    assert (
        "    async def open_tcp_connection(self):\n"
        "        reader, writer = await asyncio.wait_for(asyncio.open_connection(" in out
    )
    ast.parse(out)


@pytest.mark.parametrize("label", PREFIXES)
@pytest.mark.parametrize("where", ["module", "async", "class", "nested"])
async def test_every_form_parses_in_its_context(client, label, where):
    marked = {
        "module": '"""Demo."""\n\nimport os\n\naio|\n',
        "async": "import asyncio\n\nasync def main():\n    aio|\n",
        "class": "import asyncio\n\nclass Service:\n    aio|\n",
        "nested": "import asyncio\n\nclass A:\n    async def run(self):\n        for i in range(3):\n"
        "            if i:\n                aio|\n",
    }[where]
    item, text = await item_for(client, marked, label)
    ast.parse(accept(client, text, item))


# --- imports -----------------------------------------------------------------------------------
async def test_uses_the_files_alias(client):
    item, text = await item_for(client, "import asyncio as aio\n\nasync def main():\n    aioopen|\n", "aioopen")
    out = accept(client, text, item)
    assert "await aio.wait_for(aio.open_connection(" in out and "asyncio" not in out.replace(
        "import asyncio as aio", ""
    )
    assert not item.additional_text_edits


async def test_uses_a_name_imported_from_asyncio(client):
    item, text = await item_for(
        client, "from asyncio import open_connection, wait_for\n\nasync def main():\n    aioopen|\n", "aioopen"
    )
    out = accept(client, text, item)
    assert "reader, writer = await wait_for(open_connection(" in out
    assert not item.additional_text_edits


async def test_import_inside_the_function_counts(client):
    item, text = await item_for(client, "async def main():\n    import asyncio as a\n    aioopen|\n", "aioopen")
    assert "await a.wait_for(a.open_connection(" in accept(client, text, item)
    assert not item.additional_text_edits


IMPORT_PLACES = {
    "no imports": ("async def main():\n    aioopen|\n", "import asyncio\n\n\nasync def main():\n"),
    "after docstring": (
        '"""Module docs."""\n\nasync def main():\n    aioopen|\n',
        '"""Module docs."""\n\nimport asyncio\n\n\nasync def main():\n',
    ),
    "after __future__": (
        '"""Docs."""\nfrom __future__ import annotations\n\nasync def main():\n    aioopen|\n',
        '"""Docs."""\nfrom __future__ import annotations\n\nimport asyncio\n\n\nasync def main():\n',
    ),
    "with the other imports": (
        "import os\nimport sys\n\nasync def main():\n    aioopen|\n",
        "import asyncio\nimport os\nimport sys\n\nasync def main():\n",
    ),
    "shebang and comments": (
        "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\nasync def main():\n    aioopen|\n",
        "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n\nimport asyncio\n\n\nasync def main():\n",
    ),
}


@pytest.mark.parametrize("case", IMPORT_PLACES.values(), ids=IMPORT_PLACES.keys())
async def test_adds_import_asyncio_at_the_right_place(client, case):
    marked, expected_head = case
    item, text = await item_for(client, marked, "aioopen")
    assert len(item.additional_text_edits) == 1
    out = accept(client, text, item)
    assert out.startswith(expected_head), out
    assert out.count("import asyncio") == 1
    ast.parse(out)


async def test_never_imports_twice(client):
    item, text = await item_for(client, "async def main():\n    aioopen|\n", "aioopen")
    once = accept(client, text, item)
    item2, text2 = await item_for(client, once + "\nasync def again():\n    aiothread|\n", "aiothread")
    twice = accept(client, text2, item2)
    assert twice.count("import asyncio") == 1
    ast.parse(twice)


async def test_missing_module_added_beside_a_from_import(client):
    item, text = await item_for(
        client, "from asyncio import create_subprocess_exec\n\nasync def main():\n    aioexec|\n", "aioexec"
    )
    out = accept(client, text, item)
    assert "proc = await create_subprocess_exec(" in out
    assert "stdout=asyncio.subprocess.PIPE" in out and out.count("import asyncio\n") == 1
    ast.parse(out)


# --- indentation -------------------------------------------------------------------------------
@pytest.mark.parametrize("unit", ["    ", "  ", "\t"], ids=["4 spaces", "2 spaces", "tabs"])
async def test_nested_blocks_indent_correctly(client, unit):
    src = (
        f"import asyncio\n\nclass A:\n{unit}async def run(self):\n{unit * 2}while True:\n"
        f"{unit * 3}if ready:\n{unit * 4}aioexec|\n"
    )
    item, text = await item_for(client, src, "aioexec")
    out = accept(client, text, item)
    ast.parse(out)
    lines = out.split("\n")
    start = next(i for i, l in enumerate(lines) if "create_subprocess_exec(" in l)
    assert lines[start] == f"{unit * 4}proc = await asyncio.create_subprocess_exec("
    assert lines[start + 1] == f"{unit * 5}sys.executable,"
    assert lines[start + 6] == f"{unit * 4})"
    assert lines[start + 7].startswith(
        f"{unit * 4}stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)"
    )


async def test_indent_mode_follows_the_client(client):
    item, text = await item_for(client, "import asyncio\n\nasync def main():\n    if x:\n        aioopen|\n", "aioopen")
    second_line = item.text_edit.new_text.split("\n")[1]
    if client.profile == "visual_studio_code":  # declares adjustIndentation: relative text
        assert item.insert_text_mode == types.InsertTextMode.AdjustIndentation
        assert second_line.startswith("writer.write(")
    else:  # Neovim: no insertTextMode support, but vim.snippet re-indents: relative text too
        assert second_line.startswith("writer.write(")


async def test_client_without_indent_support_gets_pre_indented_text(bare_client):
    from lsp_helpers import initialize

    caps = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(snippet_support=True)
            )
        )
    )
    await initialize(bare_client, "Helix", capabilities=caps)
    result, uri, text, line = await complete_at(
        bare_client, "import asyncio\n\nasync def main():\n    if x:\n        aioopen|\n"
    )
    item = result.items[0]
    assert item.insert_text_mode == types.InsertTextMode.AsIs
    assert item.text_edit.new_text.split("\n")[1].startswith("        writer.write(")
    out = apply_edits(text, [types.TextEdit(item.text_edit.range, to_plain(parse(item.text_edit.new_text)))])
    ast.parse(out)


# --- finding -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed,expected",
    [
        ("open_conn", ["aioopen"]),
        ("to_thread", ["aiothread"]),
        ("subprocess", ["aioexec", "aioshell"]),
        ("tcp", ["aioopen", "aioserver"]),
        ("run_in", ["aioexecutor"]),
        ("aioex", ["aioexec", "aioexecutor"]),
    ],
)
async def test_api_names_and_tags_find_entries(client, typed, expected):
    result, *_ = await complete_at(client, f"import asyncio\n\nasync def main():\n    {typed}|\n")
    assert labels(result) == expected
    assert result.is_incomplete is False
    for item in result.items:
        assert item.filter_text.startswith(typed)  # the client keeps the item while filtering


async def test_documentation_moves_to_resolve_when_the_client_resolves_it(client):
    result, *_ = await complete_at(client, "async def main():\n    aio|\n")
    item = result.items[0]
    if client.profile == "visual_studio_code":  # resolveSupport includes documentation
        assert item.documentation is None
        resolved = await client.completion_item_resolve_async(item)
        assert "Open a TCP connection" in resolved.documentation.value
    else:  # Neovim resolves only additionalTextEdits/command: documentation comes up front
        assert "Open a TCP connection" in item.documentation.value


@pytest.mark.parametrize(
    "label,expected", [("aioserver", "async def handle(reader, writer):"), ("aiothread", "def blocking_read():")]
)
async def test_async_def_brings_the_helpers_it_calls(client, label, expected):
    item, text = await item_for(client, "import asyncio\n\nasync def main():\n    aio|\n", label)
    out = accept(client, text, item)
    assert f"    {expected}\n" in out
    ast.parse(out)
    # ... unless the file already defines them
    name = expected.split("def ")[1].split("(")[0]
    defined = f"import asyncio\nimport time\n\n\ndef {name}(*a):\n    return 1\n\n\nasync def main():\n    aio|\n"
    item, text = await item_for(client, defined, label)
    out = accept(client, text, item)
    assert out.count(f"def {name}(") == 1
    ast.parse(out)


async def test_imports_follow_edits_of_the_file(client):
    """The file's imports are remembered between keystrokes; edits that touch them count."""
    result, uri, text, line = await complete_at(client, "\n\nasync def main():\n    aioopen|\n")
    assert len(result.items[0].additional_text_edits) == 1
    version = iter(range(2, 100))

    def edit(line_no, start, end, new_text):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=next(version)),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(line_no, start), types.Position(line_no, end)), text=new_text
                    )
                ],
            )
        )

    async def complete():
        out = await client.text_document_completion_async(
            types.CompletionParams(text_document=types.TextDocumentIdentifier(uri), position=types.Position(3, 11))
        )
        return out.items[0]

    edit(0, 0, 0, "import asyncio as aio")  # typed on the first line
    item = await complete()
    assert not item.additional_text_edits and "aio.open_connection(" in item.text_edit.new_text
    edit(0, 7, 21, "os")  # `import asyncio as aio` -> `import os`
    item = await complete()
    assert len(item.additional_text_edits) == 1 and "asyncio.open_connection(" in item.text_edit.new_text
    edit(3, 4, 4, "x = 1; ")  # a keystroke elsewhere keeps the answer right
    out = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri), position=types.Position(3, 18))
    )
    assert out.items[0].additional_text_edits[0].new_text.startswith("import asyncio")
