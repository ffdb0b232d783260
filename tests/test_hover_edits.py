"""Hover after edits: the resolver's model of a new version is derived from the previous one
when a keystroke cannot move a block boundary, and must answer exactly as a fresh model."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types

from lsp_helpers import open_doc
from sheetls import resolve
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


def answers(lines, step=3):
    """Hover answers all over a document, as (line, col) -> (api, range)."""
    out = {}
    for i, text in enumerate(lines):
        for col in range(0, len(text), step):
            target = resolve.resolve_at(lines, i, col)
            out[(i, col)] = target and (target.api, target.start, target.end)
    return out


@pytest.mark.slow
@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(SOURCE) - 1),
            st.integers(0, 60),
            st.sampled_from(FRAGMENTS),
            st.sampled_from(["insert", "indent", "statement"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_carried_model_answers_like_a_fresh_one(edits):
    resolve.clear_caches()
    lines = list(SOURCE)
    answers(lines, step=7)  # a model for the first version, its caches filled by hovers
    for line, col, fragment, how in edits:
        new = list(lines)
        text = new[line]
        if how == "statement":  # the line becomes another statement at its indentation
            indent = text[: len(text) - len(text.lstrip())] or "    "
            new[line] = indent + fragment
        else:
            if how == "indent":
                text = "    " + text.lstrip()
            col = min(col, len(text))
            new[line] = text[:col] + fragment + text[col:]
        resolve.carry_model(lines, [(line, 1, 1)], new)
        lines = new
        answers(lines, step=7)  # hovers fill the carried model's caches, which carry on
    carried = answers(lines)
    resolve.clear_caches()
    assert carried == answers(lines)


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
    resolve.clear_caches()
    assert resolve.resolve_at(server_example, call, col).api == "asyncio.start_server"
    edited = list(server_example)
    at = next(i for i, t in enumerate(edited) if "readline" in t)
    indent = edited[at][: len(edited[at]) - len(edited[at].lstrip())]
    edited[at] = indent + "global asyncio; asyncio = None"  # inside handle(), above main()
    resolve.carry_model(server_example, [(at, 1, 1)], edited)
    carried = resolve.resolve_at(edited, call, col)
    resolve.clear_caches()
    assert carried == resolve.resolve_at(edited, call, col) is None
