"""What a hover costs, seen where the resolver hands source to Python's parser (`ast.parse`):
a hover parses the block under the cursor and the statements that may bind the hovered name,
a second hover on the same text parses nothing, an edit re-parses only the edited block, and
the parsed blocks kept between requests are bounded. These replace spies on the resolver's
private Region class and cache sizes: whatever the resolver's modules are called, the source
it parses passes through `ast.parse`."""

from __future__ import annotations

import ast

import pytest

from core_support import big_class
from sheetls import resolve
from sheetls.docmodel import DocumentModel

# One open document, as the server keeps one per document: its versions share parsed blocks.
_document = [DocumentModel()]


def resolve_at(lines, line, col):
    """resolve.resolve_at with the document's model of this version of `lines`."""
    return resolve.resolve_at(lines, line, col, model=_document[0].at(lines))


@pytest.fixture
def parsed(monkeypatch):
    """The source texts parsed while the test runs (leading blank lines, which only place a
    block at its line, stripped), starting from a new document (empty caches)."""
    _document[0] = DocumentModel()
    texts = []
    real = ast.parse

    def spy(source, *args, **kwargs):
        if isinstance(source, str):
            texts.append(source.lstrip("\n"))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", spy)
    yield texts


def code_lines(texts):
    return [sum(1 for line in t.split("\n") if line.strip()) for t in texts]


def test_a_hover_parses_only_the_blocks_it_needs(parsed):
    """In a file of many functions: the function under the cursor and the module-level
    statement naming the hovered root, nothing else; the same text again: nothing; an edit:
    only the edited block."""
    functions = "".join(f"async def f{i}(writer):\n    await writer.drain()\n\n\n" for i in range(200))
    main = "async def main():\n    await asyncio.to_thread(time.sleep, 1)"
    lines = ("import asyncio\nimport time\n\n\n" + functions + main + "\n").split("\n")
    line = len(lines) - 2
    col = lines[line].index("to_thread")
    assert resolve_at(lines, line, col).api == "asyncio.to_thread"
    assert sorted(t.strip() for t in parsed) == sorted(["import asyncio", main])
    parsed.clear()
    assert resolve_at(list(lines), line, col).api == "asyncio.to_thread"
    assert parsed == []  # the same text: nothing parsed again
    edited = list(lines)
    edited[line] += "  # edited"
    assert resolve_at(edited, line, col).api == "asyncio.to_thread"
    assert [t.strip() for t in parsed] == [main + "  # edited"]


def test_module_level_uses_are_not_parsed_for_bindings(parsed):
    """A script of module-level statements: only those that may bind the hovered root (the
    import, the rebinding) are parsed, not every statement that uses it."""
    uses = "".join(f"asyncio.run(job{i}())\n" for i in range(300))
    lines = ("import asyncio\n" + uses + "x = asyncio.to_thread\n" + uses).split("\n")
    assert resolve_at(lines, 301, lines[301].index("to_thread")).api == "asyncio.to_thread"
    assert sorted(t.strip() for t in parsed) == ["import asyncio", "x = asyncio.to_thread"]


def test_a_hover_in_a_big_class_never_parses_the_whole_class(parsed):
    lines = big_class(
        200,
        "    async def handle(self, reader, writer):\n        await writer.drain()\n\n"
        "    async def serve(self):\n        await asyncio.start_server(self.handle, port=0)\n",
    ).split("\n")
    line = lines.index("        await w.drain()", 400)
    assert resolve_at(lines, line, lines[line].index("drain")).api == "asyncio.StreamWriter.drain"
    line = lines.index("        await writer.drain()")
    assert resolve_at(lines, line, lines[line].index("drain")).api == "asyncio.StreamWriter.drain"
    assert parsed and max(code_lines(parsed)) < 500  # the class has over 800 lines of code


def test_a_keystroke_in_a_huge_class_parses_no_more_than_the_method(parsed):
    """After a keystroke inside one method (the document model carried over the edit),
    hovers there and in another method parse only what is around them."""
    lines = big_class(
        3000,
        "    async def handle(self, reader, writer):\n        # typing here\n"
        "        await writer.drain()\n\n"
        "    async def serve(self):\n        await asyncio.start_server(self.handle, port=0)\n",
    ).split("\n")
    typing = lines.index("        # typing here")
    opened = lines.index("    async def m2000(self, host):") + 1
    assert resolve_at(lines, typing + 1, 22).api == "asyncio.StreamWriter.drain"
    parsed.clear()
    edited = list(lines)
    edited[typing] += "x"
    _document[0].after([(typing, 1, 1)], edited)  # the model carried over the keystroke
    assert resolve_at(edited, typing + 1, 22).api == "asyncio.StreamWriter.drain"
    assert resolve_at(edited, opened, edited[opened].index("open_connection")).api == "asyncio.open_connection"
    assert parsed and max(code_lines(parsed)) < 20, code_lines(parsed)


def _hover_f(i: int, pad: int = 0) -> None:
    lines = ["import asyncio", "", f"async def f{i}():", "    await asyncio.to_thread(print)" + " " * pad]
    assert resolve_at(lines, 3, 14).api == "asyncio.to_thread"


def _parsed_f(parsed, i: int) -> bool:
    return any(t.startswith(f"async def f{i}():") for t in parsed)


def test_parsed_blocks_kept_between_requests_are_bounded_in_number(parsed):
    for i in range(100):
        _hover_f(i)
    parsed.clear()
    _hover_f(99)  # a fresh document (a new list) with a recent block: still parsed
    assert not _parsed_f(parsed, 99)
    _hover_f(0)  # a hundred blocks later the first one was let go
    assert _parsed_f(parsed, 0)


def test_parsed_blocks_kept_between_requests_are_bounded_in_text(parsed):
    """Two blocks of 120,000 characters each: keeping the second lets the first go, though
    two blocks are far fewer than the number kept."""
    _hover_f(0, pad=120_000)
    _hover_f(1, pad=120_000)
    parsed.clear()
    _hover_f(1, pad=120_000)
    assert not _parsed_f(parsed, 1)
    _hover_f(0, pad=120_000)
    assert _parsed_f(parsed, 0)


def test_a_new_line_keeps_the_blocks_parsed_above_it(parsed):
    """An edit that adds a line (Enter) makes a new model of the version (the blocks below move),
    and it still shares the document's parsed blocks: a hover above the edit parses nothing
    again. (Such a model had a cache of its own: after each Enter every block was parsed again.)"""
    lines = ("import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n\n\nx = 1\n").split("\n")
    col = lines[4].index("sleep")
    assert resolve_at(lines, 4, col).api == "asyncio.sleep"
    edited = lines[:8] + ["y = 2"] + lines[8:]
    model = _document[0].after([(8, 0, 1)], edited)
    assert model.regions is _document[0].regions
    parsed.clear()
    assert resolve.resolve_at(edited, 4, col, model=model).api == "asyncio.sleep"
    assert parsed == []
