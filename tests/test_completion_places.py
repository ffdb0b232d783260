"""Where a completion may land, as real asyncio code showed (issue 13, bugs 2, 3, 6): never
where a name is being bound, never in a string that an embedded program makes look like code,
one line only after a compound header's `:`, and no error for anything a user can type.
Each accepted item must leave a file that compiles wherever a plain name compiles."""

from __future__ import annotations

import ast

import pytest
from lsprotocol import types

from core_support import INDEX, NEOVIM, VSCODE, marked
from lsp_helpers import PREFIXES, accept_item, complete_at, labels
from sheetls.completion import propose

ASYNC = "import asyncio\n\n\nasync def main(items):\n{}\n"


def in_async(line: str) -> str:
    return ASYNC.format("".join(f"    {part}\n" for part in line.split("\n")))


BINDING_PLACES = {
    "for target": "for aio| in items:\n    pass",
    "async for target": "async for aio| in items:\n    pass",
    "second for target": "for a, aio| in items:\n    pass",
    "comprehension target": "x = [1 for aio| in items]",
    "with ... as": "with open('f') as aio|:\n    pass",
    "async with ... as": "async with items as aio|:\n    pass",
    "except ... as": "try:\n    pass\nexcept OSError as aio|:\n    pass",
    "import ... as": "import os as aio|",
    "import": "import aio|",
    "from at a statement start": "from aio|",
    "from ... import": "from os import aio|",
    "del": "del aio|",
    "global": "global aio|",
    "nonlocal": "def inner():\n    nonlocal aio|",
    "global list": "global a, aio|",
    "nested def parameter": "def inner(aio|):\n    pass",
    "nested def second parameter": "def inner(a, *, aio|):\n    pass",
    "nested def annotation": "def inner(a: aio|):\n    pass",
    "nested def return annotation": "def inner(a) -> aio|:\n    pass",
    "lambda parameter": "f = lambda aio|: 1",
    "lambda second parameter": "f = lambda a, aio|: 1",
    "lambda body": "f = lambda: aio|",
    "def name": "def aio|():\n    pass",
    "async def name": "async def aio|():\n    pass",
    "class name": "class aio|:\n    pass",
    "variable annotation": "x: aio| = 1",
    "assignment target": "aio| = 1",
    "augmented assignment target": "aio| += 1",
    "inside a word": "aio|foo()",
    "attribute assignment target": "aio|.delete = f.delete",
    "subscript augmented target": "aio|[0] += 1",
    "chained assignment target": "x = aio|.y = 1",
    "annotated attribute target": "aio|.x: int = 1",
    "parenthesised for target": "for i, (stdout|, w) in enumerate(items):\n    pass",
    "parenthesised comprehension target": "x = [n for (n, aio|) in items]",
    "annotation subscript": "future: Future[aio|] = Future()",
    "parameter annotation subscript": "def inner(a: List[aio|]):\n    pass",
    "tag word as a for target": "for client| in items:\n    pass",
    "tag word after as": "with items as stdout|:\n    pass",
}


@pytest.mark.parametrize("profile", [VSCODE, NEOVIM], ids=["vscode", "neovim"])
@pytest.mark.parametrize("place", BINDING_PLACES.values(), ids=BINDING_PLACES.keys())
def test_nothing_where_a_name_is_bound(place, profile):
    """An empty answer shows nothing the protocol adds: the completion core, called directly."""
    lines, line, col = marked(in_async(place))
    assert propose(INDEX, lines, line, col, profile) == ([], False)


EXPRESSION_PLACES = {
    "for iterable": "for x in aio|:\n    pass",
    "comprehension iterable": "x = [1 for y in aio|]",
    "with item": "async with aio|:\n    pass",
    "nested def default": "def inner(a=aio|):\n    pass",
    "lambda default": "f = lambda a=aio|: 1",
    "del subscript": "del items[aio|]",
    "if condition": "if aio|:\n    pass",
    "before a binary operator": "x = aio| + 1",
    "call argument before a comma": "print(aio|, 1)",
    "keyword argument value": "f(x=aio|.y, z=1)",
    "comparison in an assignment value": "x = aio| == 1",
    "yield from's operand is no import": "x = (yield aio|)",
}


@pytest.mark.parametrize("place", EXPRESSION_PLACES.values(), ids=EXPRESSION_PLACES.keys())
async def test_expression_places_still_offer_and_compile(client, place):
    result, _, text, _ = await complete_at(client, in_async(place))
    assert labels(result) == PREFIXES
    for item in result.items:
        compile(accept_item(client.profile, text, item), "<accepted>", "exec")


ONE_LINE_BODIES = {
    "else": "if items:\n    pass\nelse: aio|",
    "if": "if items: aio|",
    "try": "try: aio|\nexcept OSError: pass",
    "while": "while items: aio|",
}


def _main_body(source: str) -> list:
    tree = ast.parse(source)
    return next(n for n in tree.body if isinstance(n, ast.AsyncFunctionDef)).body


@pytest.mark.parametrize("place", ONE_LINE_BODIES.values(), ids=ONE_LINE_BODIES.keys())
async def test_after_a_compound_header_on_its_line_the_item_is_one_statement(client, place):
    result, _, text, _ = await complete_at(client, in_async(place))
    assert labels(result) == PREFIXES
    for item in result.items:
        accepted = accept_item(client.profile, text, item)
        body = _main_body(accepted)
        assert len(body) == 1, accepted  # nothing spilled out of the compound statement
        compound = body[0]
        inner = compound.orelse if place.startswith("if items:\n") else compound.body
        assert len(inner) == 1 and any(isinstance(n, ast.Await) for n in ast.walk(inner[0])), accepted


EMBEDDED_PROGRAM = '''import asyncio


async def run():
    prog = """
import sys
"""
    aio|
'''
INSIDE_EMBEDDED = '''import asyncio


async def run():
    prog = """
import sys

async def child():
    aio|
"""
'''


async def test_a_column_0_import_in_a_string_is_not_where_code_starts(client):
    result, _, text, _ = await complete_at(client, EMBEDDED_PROGRAM)
    assert labels(result) == PREFIXES
    for item in result.items:
        compile(accept_item(client.profile, text, item), "<accepted>", "exec")


async def test_nothing_inside_an_embedded_program_string(client):
    result, *_ = await complete_at(client, INSIDE_EMBEDDED)
    assert labels(result) == []


TYPED_IN_STRINGS = ['x = "a\\nb|"', "x = re.compile(r'\\d+\\w|'", "x = '\\\\|'", 'x = """a\\tb|"""', "x = b'\\x00|'"]


@pytest.mark.parametrize("typed", TYPED_IN_STRINGS)
async def test_typing_after_a_backslash_escape_is_no_error(client, typed):
    since = len(client.log_messages)
    result, *_ = await complete_at(client, in_async(typed))
    assert labels(result) == []
    errors = [m.message for m in client.log_messages[since:] if m.type == types.MessageType.Error]
    assert errors == []


ONE_LINE_SCOPES = {
    "def body": ("def f(): aio|", []),
    "class body": ("class C: aio|", []),
    "class body after a semicolon": ("class C:\n    x = 1; aio|", []),
    "async def body": ("async def f(): aio|", PREFIXES),
    "after a semicolon": ("x = 1; aio|", PREFIXES),
}


@pytest.mark.parametrize("place,offered", ONE_LINE_SCOPES.values(), ids=ONE_LINE_SCOPES.keys())
async def test_one_line_bodies_take_their_header_scope(client, place, offered):
    """`def f(): word` is in a plain def, `class C: word` in a class body; after `;` only a
    simple statement may follow (no `async def`, `with` or helper function)."""
    result, _, text, _ = await complete_at(client, in_async(place))
    assert labels(result) == offered
    for item in result.items if result else []:
        compile(accept_item(client.profile, text, item), "<accepted>", "exec")


async def test_a_one_line_async_def_at_module_level_gets_its_import_above(client):
    """`async def f(): aio|` alone in a file: the call goes on the line, `import asyncio`
    before the def (not inside the one-line body)."""
    result, _, text, _ = await complete_at(client, "async def f(): aio|\n")
    assert result is not None and result.items
    for item in result.items:
        accepted = accept_item(client.profile, text, item)
        compile(accepted, "<accepted>", "exec")
        assert accepted.startswith("import ") or item.label == "aioexecutor", accepted
