"""The names a scope binds (scopes.collect_bindings) found with its two shortcuts equal those
found by a walk of every node, over code nobody here wrote: the standard library's asyncio and
test_asyncio (tests/realworld/test_rw_shortcuts.py: the whole corpus). The shortcuts: in a region
whose text has no `:=`, only statements are walked (expressions bind nothing there); the
functions nested in a scope, which may rebind its names with `nonlocal`, are reached through the
nested scopes' own bindings, and only in a region whose text says `nonlocal`."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from core_support import scope_answers
from sheetls.regions import Region
from sheetls.scopes import scope_bindings

STDLIB = Path(sysconfig.get_paths()["stdlib"])
FILES = sorted((STDLIB / "asyncio").glob("*.py")) + sorted((STDLIB / "test" / "test_asyncio").glob("test_*.py"))


def test_the_interpreter_has_the_sources():
    assert len(FILES) > 20, f"asyncio sources under {STDLIB}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shortcuts_find_what_a_full_walk_finds(path):
    texts = path.read_text(encoding="utf-8").split("\n")
    assert scope_answers(texts) == scope_answers(texts, shortcuts=False)


def test_the_shortcuts_are_taken_where_they_hold():
    """Without `:=` or `nonlocal` in the text, the shortcuts are on (else the test above compares
    the full walk with itself); with them, off."""
    plain = Region(0, ["def f(x):", "    y = [z for z in x]", "    return y"])
    assert not plain.says_walrus and not plain.says_nonlocal
    both = Region(0, ["def f(x):", "    def g():", "        nonlocal x", "    if (y := x):", "        g()"])
    assert both.says_walrus and both.says_nonlocal
    assert [b.kind for b in scope_bindings(both.tree.body[0], both).names["y"]] == ["assign"]
