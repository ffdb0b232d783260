"""The names a scope binds (scopes.collect_bindings) found with its two shortcuts equal those
found by a walk of every node, over code nobody here wrote: the standard library's asyncio and
test_asyncio. The shortcuts: in a region whose text has no `:=`, only statements are walked
(expressions bind nothing there); the functions nested in a scope, which may rebind its names
with `nonlocal`, are reached through the nested scopes' own bindings, and only in a region whose
text says `nonlocal`."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from sheetls.regions import Region
from sheetls.scopes import SCOPES, scope_bindings

STDLIB = Path(sysconfig.get_paths()["stdlib"])
FILES = sorted((STDLIB / "asyncio").glob("*.py")) + sorted((STDLIB / "test" / "test_asyncio").glob("test_*.py"))


def _answers(region: Region) -> Dict[Tuple[str, int, int], List[Tuple[str, Tuple[int, int], str]]]:
    """Every scope of the region -> each name it binds with its bindings (kind, position)."""
    assert region.tree is not None
    out = {}
    for node in ast.walk(region.tree):
        if isinstance(node, SCOPES) or isinstance(node, ast.Module):
            found = scope_bindings(node, region)
            key = (type(node).__name__, getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
            names = {name: sorted((b.kind, b.pos, b.name) for b in bs) for name, bs in found.names.items() if bs}
            out[key] = [(name, *b) for name, bs in sorted(names.items()) for b in bs]
            out[key].append(("<globals>", (0, 0), ",".join(sorted(found.globals))))
            out[key].append(("<nonlocals>", (0, 0), ",".join(sorted(found.nonlocals))))
    return out


def _full_walk(texts: List[str]) -> Region:
    """The text's region, its bindings found without the shortcuts."""
    full = Region(0, texts)
    full.says_walrus = full.says_nonlocal = True
    return full


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shortcuts_find_what_a_full_walk_finds(path):
    if not FILES:
        pytest.fail(f"no asyncio sources under {STDLIB}")
    texts = path.read_text(encoding="utf-8").split("\n")
    region = Region(0, texts)
    assert region.tree is not None
    assert _answers(region) == _answers(_full_walk(texts))


def test_the_shortcuts_are_taken_where_they_hold():
    """Without `:=` or `nonlocal` in the text, the shortcuts are on (else the test above compares
    the full walk with itself); with them, off."""
    plain = Region(0, ["def f(x):", "    y = [z for z in x]", "    return y"])
    assert not plain.says_walrus and not plain.says_nonlocal
    both = Region(0, ["def f(x):", "    def g():", "        nonlocal x", "    if (y := x):", "        g()"])
    assert both.says_walrus and both.says_nonlocal
    assert [b.kind for b in scope_bindings(both.tree.body[0], both).names["y"]] == ["assign"]
