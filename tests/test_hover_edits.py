"""Hover after edits: the resolver's model of a new version is derived from the previous one
when a keystroke cannot move a block boundary, and must answer exactly as a fresh model."""

import pytest
from hypothesis import given, settings
from lsprotocol import types

from core_support import carried_and_fresh_answers, line_edits
from lsp_helpers import open_doc
from sheetls import resolve
from sheetls.docmodel import DocumentModel
from sheetls.loader import builtin_sheet_path, load_pack

SHEET = load_pack(builtin_sheet_path()).sheet
SOURCE = "\n\n".join(e.example for e in SHEET.entries).split("\n")
FRAGMENTS = [
    "asyncio = None",
    "loop = None",
    "x",
    " ",
    "(",
    ")",
    "'''",
    '"""',
    "\\",
    "def f():",
    "import asyncio as a",
    "writer",
    ".drain()",
    "#",
    "reader, writer = await asyncio.open_connection(h, p)",
    "é😀",
    "global asyncio; asyncio = None",
    "global loop; loop = 1",
    "handle = print",
    "await asyncio.start_server(print, 'h', 1)",
    "from asyncio import *",
]


@pytest.mark.slow
@settings(max_examples=80, deadline=None, derandomize=True)
@given(line_edits(SOURCE, FRAGMENTS))
def test_a_carried_model_answers_like_a_fresh_one(edits):
    carried, fresh = carried_and_fresh_answers(SOURCE, edits, indent="    ", step=7)
    assert carried == fresh


async def test_hover_follows_a_rebinding_typed_inside_the_function(client):
    text = (
        "import asyncio\n\n\nasync def main():\n    pass\n    reader, writer = await asyncio.open_connection('h', 1)\n"
    )
    uri = open_doc(client, text)

    async def hover():
        return await client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri), position=types.Position(5, 35))
        )

    assert (await hover()).contents.value.startswith("### Open a TCP connection")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(4, 4), types.Position(4, 8)), text="asyncio = None"
                )
            ],
        )
    )
    assert await hover() is None  # the name is rebound above the call: not the API
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(4, 4), types.Position(4, 18)), text="pass"
                )
            ],
        )
    )
    assert (await hover()).contents.value.startswith("### Open a TCP connection")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(  # a column-0 edit
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=4),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(0, 0), types.Position(0, 14)), text="asyncio = 1"
                )
            ],
        )
    )
    assert await hover() is None


def test_a_global_rebinding_typed_in_another_function_is_seen():
    server_example = next(e for e in SHEET.entries if e.prefix == "aioserver").example.split("\n")
    call = next(i for i, t in enumerate(server_example) if "start_server(" in t)
    col = server_example[call].index("start_server")
    document = DocumentModel()
    model = document.at(server_example)
    assert resolve.resolve_at(server_example, call, col, model=model).api == "asyncio.start_server"
    edited = list(server_example)
    at = next(i for i, t in enumerate(edited) if "readline" in t)
    indent = edited[at][: len(edited[at]) - len(edited[at].lstrip())]
    edited[at] = indent + "global asyncio; asyncio = None"  # inside handle(), above main()
    carried = resolve.resolve_at(edited, call, col, model=document.after([(at, 1, 1)], edited))
    assert carried == resolve.resolve_at(edited, call, col) is None  # and a fresh model
