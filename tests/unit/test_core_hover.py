"""The hover core called directly (sheetls.hover.hover_at): which API a name resolves to and
what the answer says. The protocol tests (test_hover_*.py) keep positions in each negotiated
encoding, markup kinds the client declares, and edits reaching the served text."""

from __future__ import annotations

import pytest

from core_support import INDEX, marked
from sheetls.hover import hover_at

CLIENT = (
    "import asyncio as aio\nfrom asyncio import open_connection as oc\n\n\nasync def main():\n"
    "    r, w = await aio.open_connection('h', 1)\n    r2, w2 = await oc('h', 2)\n"
    "    w.write(b'x')\n    await w.drain()\n    await w2.drain()\n    data = await r.read(10)\n"
)


def hover(text: str, **kwargs):
    lines, line, col = marked(text)
    return hover_at(INDEX, lines, line, col, **kwargs)


def at(needle: str, nth: int = 0, offset: int = 2, text: str = CLIENT) -> str:
    """CLIENT with the cursor `offset` code points into the nth occurrence of needle."""
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    return text[: i + offset] + "|" + text[i + offset :]


@pytest.mark.parametrize(
    "needle,nth,api",
    [
        ("open_connection", 1, "asyncio.open_connection"),  # aio.open_connection
        ("oc(", 0, "asyncio.open_connection"),  # from asyncio import ... as oc
        ("drain", 0, "asyncio.StreamWriter.drain"),  # w from open_connection
        ("drain", 1, "asyncio.StreamWriter.drain"),  # w2 from the alias
        ("read(", 0, "asyncio.StreamReader.read"),
    ],
)
def test_names_resolve_the_way_python_binds_them(needle, nth, api):
    answer = hover(at(needle, nth, offset=1))
    assert answer is not None and answer.target.api == api


@pytest.mark.parametrize(
    "text",
    [
        "import os\nos.pa|th\n",
        "open_con|nection('h', 1)\n",  # never imported
        "import asyncio\nx = 'asyncio.open_con|nection'\n",  # in a string
        "import asyncio\n# asyncio.open_con|nection\n",  # in a comment
        "import asyncio\nasyncio = None\nasyncio.open_con|nection\n",  # rebound
    ],
)
def test_names_the_sheet_does_not_document_get_none(text):
    assert hover(text) is None


def test_the_answer_covers_the_name_under_the_cursor():
    answer = hover(at("open_connection", 1))
    lines = CLIENT.split("\n")
    t = answer.target
    assert lines[t.line][t.start : t.end] == "aio.open_connection"  # the whole dotted name


def test_markdown_and_plain_text():
    md = hover(at("open_connection", 1))
    plain = hover(at("open_connection", 1), markdown=False)
    assert md.markdown and md.text.startswith("### ") and "```python" in md.text
    assert not plain.markdown and "###" not in plain.text and "```" not in plain.text
    assert plain.text.split("\n")[0] == md.text.split("\n")[0].lstrip("# ")


def test_hover_example_option():
    full = hover(at("open_connection", 1), example="full").text
    short = hover(at("open_connection", 1), example="short").text
    none = hover(at("open_connection", 1), example="none").text
    # the signature's code block always, the example's only when asked for
    assert (full.count("```python"), short.count("```python"), none.count("```python")) == (2, 2, 1)
    assert len(none) < len(short) < len(full)


def test_the_target_python_is_named_in_the_hover():
    text = "import asyncio\nasync def main():\n    await asyncio.to_th|read(print)\n"
    assert hover(text, python=(3, 8)).text != hover(text).text
    assert "3.8" in hover(text, python=(3, 8)).text


def test_out_of_range_positions_answer_none():
    lines = CLIENT.split("\n")
    assert hover_at(INDEX, lines, len(lines) + 3, 0) is None
    assert hover_at(INDEX, lines, 5, 500) is None


def test_a_big_class_cut_by_an_unclosed_string_answers_without_error():
    """Found by the corpus suite after random edits of test_asyncio/test_unix_events.py: a
    decorator line opening a triple-quoted string that never closes, in a class over
    BIG_BLOCK lines, made the class's last statement end one line past the file (IndexError
    on every hover of `self.loop` in the class)."""
    lines = ["import asyncio", "", "", "class Big:"]
    for i in range(120):
        lines += [f"    def m{i}(self):", "        return self.loop.run_in_executor(None, print)", ""]
    lines += ['    @moc"""x(self):'] + ["        self.loop = 1"] * 400
    for row in (5, len(lines) - 1):
        for col in range(len(lines[row]) + 1):
            hover_at(INDEX, lines, row, col)  # raises no exception
