"""The completion core called directly (sheetls.completion.propose, sheetls.context.cursor_context,
sheetls.pyimports): which entries, where, in which form. No server: the protocol tests
(test_completion_*.py) keep what only the protocol shows (positions in UTF-16, capabilities,
the edits a client applies); where a name is bound is tested the same way, directly, in
test_completion_places.py."""

from __future__ import annotations

import pytest

from core_support import INDEX, NEOVIM, PLAIN, VSCODE, marked
from lsp_helpers import PREFIXES
from sheetls.completion import propose
from sheetls.context import cursor_context
from sheetls.profile import ClientProfile
from sheetls.pyimports import import_site, respell, scan_imports

ASYNC = "import asyncio\n\n\nasync def main(items):\n{}\n"


def in_async(place: str) -> str:
    return ASYNC.format("".join(f"    {part}\n" for part in place.split("\n")))


def offered(text: str, profile: ClientProfile = VSCODE, **kwargs):
    lines, line, col = marked(text)
    proposals, _ = propose(INDEX, lines, line, col, profile, **kwargs)
    return [p.entry.prefix for p in proposals]


@pytest.mark.parametrize("profile", [VSCODE, NEOVIM, PLAIN], ids=["vscode", "neovim", "plain"])
def test_aio_offers_the_whole_sheet_in_order(profile):
    lines, line, col = marked(in_async("aio|"))
    proposals, cut = propose(INDEX, lines, line, col, profile)
    assert [p.entry.prefix for p in proposals] == PREFIXES
    assert cut is False
    assert all(p.is_snippet == profile.snippets for p in proposals)
    assert all(p.form == "body" for p in proposals)


@pytest.mark.parametrize(
    "word,expected",
    [
        ("aioex", ["aioexec", "aioexecutor"]),
        ("aioopen", ["aioopen"]),
        ("to_thread", ["aiothread"]),
        ("subprocess", ["aioexec", "aioshell"]),
        ("nothing_like_it", []),
    ],
)
def test_the_word_typed_chooses_the_entries(word, expected):
    assert offered(in_async(f"{word}|")) == expected


def test_a_limit_cuts_the_list_and_says_so():
    lines, line, col = marked(in_async("aio|"))
    proposals, cut = propose(INDEX, lines, line, col, VSCODE, limit=2)
    assert [p.entry.prefix for p in proposals] == PREFIXES[:2] and cut is True


def test_the_edit_replaces_the_typed_word_in_code_points():
    lines, line, col = marked(in_async("x = 'é'; aioop|"))
    [p] = propose(INDEX, lines, line, col, VSCODE)[0]
    assert (p.edit.line, p.edit.start, p.edit.end) == (line, col - len("aioop"), col)


@pytest.mark.parametrize(
    "text,where,position,scope,after_await",
    [
        ("x = 1  # aio|", "comment", "none", "module", False),
        ("s = 'aio|'", "string", "none", "module", False),
        ("x.aio|", "attribute", "none", "module", False),
        ("aio|", "code", "statement", "module", False),
        ("class C:\n    aio|", "code", "statement", "class", False),
        ("def f():\n    aio|", "code", "statement", "def", False),
        ("async def f():\n    aio|", "code", "statement", "async", False),
        ("async def f():\n    x = await aio|", "code", "expression", "async", True),
        ("async def f():\n    print(aio|, 1)", "code", "expression", "async", False),
        ("async def f():\n    if x: aio|", "code", "expression", "async", False),
        ("for aio| in y:\n    pass", "binding", "none", "module", False),
    ],
)
def test_cursor_context(text, where, position, scope, after_await):
    lines, line, col = marked(text)
    ctx = cursor_context(lines, line, col, len("aio"))
    assert (ctx.where, ctx.position, ctx.scope, ctx.after_await) == (where, position, scope, after_await)


@pytest.mark.parametrize("text", ["x = 1  # aio|", "s = 'aio|'", "x.aio|", 'x = f"{1} aio|"'])
def test_no_entries_in_comments_strings_or_after_a_dot(text):
    assert offered(in_async(text)) == []


def test_each_scope_gets_its_form():
    forms = {}
    for name, text in {
        "async": in_async("aioopen|"),
        "module": "import asyncio\n\naioopen|\n",
        "class": "import asyncio\n\nclass C:\n    aioopen|\n",
        "expression": in_async("x = await aioopen|"),
    }.items():
        lines, line, col = marked(text)
        [p] = propose(INDEX, lines, line, col, VSCODE)[0]
        forms[name] = p.form
    assert forms == {"async": "body", "module": "program", "class": "method", "expression": "expression"}


def test_a_plain_def_offers_nothing_that_needs_await():
    assert offered("import asyncio\n\ndef main():\n    aio|\n") == []


def test_the_target_python_leaves_out_what_it_lacks():
    assert "aiothread" not in offered(in_async("aio|"), python=(3, 8))  # asyncio.to_thread is 3.9+
    assert offered(in_async("aio|"), python=(3, 9)) == PREFIXES


def test_nothing_above_from_future():
    assert offered('"""Doc."""\naio|\nfrom __future__ import annotations\n') == []


def test_an_aliased_import_is_spelled_the_files_way_and_not_imported_again():
    lines, line, col = marked("import asyncio as aio\n\nasync def main():\n    aioopen|\n")
    [p] = propose(INDEX, lines, line, col, VSCODE)[0]
    assert "aio.open_connection(" in p.text and "asyncio." not in p.text
    assert p.additional == []


def test_a_missing_import_is_added_at_the_top():
    lines, line, col = marked('"""Doc."""\n\nasync def main():\n    aioopen|\n')
    [p] = propose(INDEX, lines, line, col, VSCODE)[0]
    # after the docstring and its blank line, two blank lines before the def (PEP 8)
    assert [(e.line, e.start, e.end, e.text) for e in p.additional] == [(2, 0, 0, "import asyncio\n\n\n")]


def test_scan_imports_and_respell():
    imports = scan_imports(
        ["import asyncio as aio", "from asyncio import open_connection", "def helper():", "    pass"]
    )
    assert imports.local_for("asyncio.open_connection") == "open_connection"
    assert imports.local_for("asyncio.wait_for") == "aio.wait_for"
    assert "helper" in imports.defined
    text, missing = respell("await asyncio.wait_for(asyncio.open_connection(h, p), 1)", imports, ["asyncio"])
    assert text == "await aio.wait_for(open_connection(h, p), 1)" and missing == []
    text, missing = respell("asyncio.run(main())", scan_imports(["x = 1"]), ["asyncio"])
    assert text == "asyncio.run(main())" and missing == ["asyncio"]


@pytest.mark.parametrize(
    "lines,module,line",
    [
        (["#!/usr/bin/env python", '"""Doc."""', "", "x = 1"], "asyncio", 3),
        (["from __future__ import annotations", "", "x = 1"], "asyncio", 2),
        (["import os", "import sys", "", "x = 1"], "asyncio", 0),
        (["import os", "import sys", "", "x = 1"], "re", 1),
    ],
)
def test_import_site(lines, module, line):
    assert import_site(lines, module).line == line
