"""Rendering details people see in hovers and completion docs."""
import ast
import re

import pytest

from sheetls.loader import builtin_sheet_path, load_pack
from sheetls.render import entry_markdown, format_signature

SHEET = load_pack(builtin_sheet_path()).sheet


@pytest.mark.parametrize("entry", SHEET.entries, ids=lambda e: e.prefix)
def test_signatures_wrap_to_the_hover_width_and_stay_python(entry):
    text = format_signature(entry.signature)
    assert all(len(line) <= 72 for line in text.split("\n")[1:-1]), text
    name, _, rest = text.partition("(")
    # the wrapped signature is still a valid def header: nothing lost or reordered
    ast.parse(f"def f({rest}: pass")
    squeeze = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    assert squeeze(text).replace(",)", ")", 1) == squeeze(entry.signature)


def test_short_signatures_are_left_alone():
    assert format_signature("asyncio.to_thread(func, /, *args, **kwargs) -> coroutine") == \
        "asyncio.to_thread(func, /, *args, **kwargs) -> coroutine"


def test_signature_and_example_are_set_apart():
    text = entry_markdown(SHEET.entries[0])
    assert "```\n\n**Example**\n\n```python\nimport asyncio" in text
