"""The corpus suite's own machinery, without a server: where tokenize says the places are,
how a client expands an item, LSP positions with CRLF and non-BMP text."""

from __future__ import annotations

import random

import pytest
import rw_places as P
from lsprotocol import types

pytestmark = pytest.mark.realworld

SRC = '''\
import asyncio as aio, os
from asyncio import open_connection as oc


class Client:
    async def run(self, host, *args, port=80, **kw):
        global STATE
        for item, n in zip(a, b):
            del item
        with open(p) as fh:
            pass
        try:
            pass
        except OSError as exc:
            pass
        f = lambda x, y=1: x
        xs = [v for v in range(3)]
        s = f"text {host!r} more {{literal}}"  # a comment
        d = b"bytes \\x41" + """multi
        line"""
        return self.attr
'''


def kinds():
    facts = P.analyze(SRC)
    text = facts.text
    return {text[s.start : s.end]: s.kind for s in facts.names}, facts


def test_names_are_classified_by_their_place():
    k, facts = kinds()
    assert k["aio"] == "import-as" and k["oc"] == "import-as"
    assert k["os"] == "import-module" and k["asyncio"] == "from-module"
    assert k["open_connection"] == "import-name"
    assert k["Client"] == "class-name" and k["run"] == "def-name"
    assert k["host"] == "def-param" and k["port"] == "def-param" and k["kw"] == "def-param"
    assert k["STATE"] == "global" and k["n"] == "for-target" and k["fh"] == "with-as"
    assert k["exc"] == "except-as" and k["y"] == "lambda-param" and k["attr"] == "after-dot"
    assert k["p"] == "expression" and k["f"] == "statement-expr"
    assert facts.unit == "    "


def test_comments_strings_and_fstring_text():
    _, facts = kinds()
    text = facts.text
    (comment,) = facts.comments
    assert text[comment.start : comment.end] == "# a comment"
    (fs,) = [s for s in facts.strings if s.kind == "fstring"]
    lit = "".join(text[o] for o in P.fstring_text_offsets(text, fs))
    assert "host" not in lit and lit.startswith("text ") and "literal" in lit


def test_places_keep_plain_names_compiling_and_strings_strings():
    facts = P.analyze(SRC)
    cache = P.CompileCache()
    places = P.sample_places(facts, random.Random(1), 200, lambda t: cache.error(t) is None)
    assert {
        "statement",
        "one-line:else",
        "for-target",
        "comment",
        'string:b"',
        'string:"""',
        'fstring-text:f"',
        "after-dot",
    } <= {p.kind for p in places}
    for p in places:
        after = p.apply(SRC)
        assert after[p.cursor - len(p.word) : p.cursor] == p.word
        if p.expect == "compile":
            assert cache.error(after) is None, p
        else:
            assert P.compile_error(after) is None, p  # still one comment / string


def test_positions_with_crlf_and_astral_text():
    text = "a = '😀'\r\nb\rc\n"
    idx = P.LineIndex(text)
    assert idx.position(text.index("'", 5)) == types.Position(0, 7)
    assert idx.position(text.index("b")) == types.Position(1, 0)
    assert idx.position(text.index("c")) == types.Position(2, 0)
    assert idx.snap(text.index("\n")) == text.index("\r")
    assert P.LineIndex(text, "utf-8").position(text.index("'", 5)) == types.Position(0, 9)
    edit = types.TextEdit(types.Range(types.Position(0, 7), types.Position(1, 1)), "X")
    assert P.apply_edits(text, [edit]) == "a = '😀X\rc\n"


def test_expansion_matches_the_shared_client_model():
    from lsp_helpers import accept_item

    text = "async def main():\n    aio\n"
    item = types.CompletionItem(
        label="aioopen",
        insert_text_format=types.InsertTextFormat.Snippet,
        text_edit=types.TextEdit(
            types.Range(types.Position(1, 4), types.Position(1, 7)), "r = ${1:x}\nif r:\n    pass"
        ),
        additional_text_edits=[
            types.TextEdit(types.Range(types.Position(0, 0), types.Position(0, 0)), "import asyncio\n")
        ],
    )
    for profile in ("visual_studio_code", "neovim"):
        final, inserted = P.expand_item(profile, text, item)
        assert final == accept_item(profile, text, item)
    assert P.nested_deltas(final, 2, inserted) == ["    "]
