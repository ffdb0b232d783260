"""A keystroke's check parses the unit it edited (a top-level block, or one statement of a big
class's body), and the resolver's model takes that tree as its own parse of the same lines
(units.share_parse) instead of parsing them again. Over real files and real keystrokes, with
checks stopped at random steps and lines inserted above: every block the resolver holds is
what its own parse of that text at that place gives, node for node and position for position."""

from __future__ import annotations

import ast
import random
import sysconfig
from pathlib import Path
from typing import List

import pytest

from sheetls.diagnostics.check import check, document_lint
from sheetls.regions import RegionCache
from sheetls.repair import ALIAS_POSITIONS

STDLIB = Path(sysconfig.get_paths()["stdlib"])
# top-level functions (tasks.py), big classes (base_events.py, unix_events.py, test_streams.py)
FILES = [STDLIB / "asyncio" / n for n in ("tasks.py", "base_events.py", "unix_events.py")]
FILES += [STDLIB / "test" / "test_asyncio" / "test_streams.py"]
PY = (3, 11)


def _sites(lines: List[str]) -> List[int]:
    """Lines of one-line assignments to a name inside a function (a keystroke after the name)."""
    tree = ast.parse("\n".join(lines))
    return [
        stmt.lineno - 1
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for stmt in node.body
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) and stmt.lineno == stmt.end_lineno
    ]


def _keystroke(lines: List[str], rng: random.Random) -> None:
    """An `x` typed after an assigned name or a function's name (its unit and the one before are
    parsed again), a line put in or taken out above a statement."""
    i = rng.choice(_sites(lines))
    kind = rng.choice(["type", "type", "def", "insert", "drop"])
    if kind == "def":
        defs = [k for k, t in enumerate(lines) if t.lstrip().startswith("def ") and "(" in t]
        k = rng.choice(defs)
        lines[k] = lines[k].replace("(", "x(", 1)
    elif kind == "type":
        name_end = len(lines[i]) - len(lines[i].lstrip()) + len(lines[i].split("=")[0].strip())
        lines[i] = lines[i][:name_end] + "x" + lines[i][name_end:]
    elif kind == "insert":
        lines.insert(i, lines[i][: len(lines[i]) - len(lines[i].lstrip())] + "# a comment")
    elif lines[i - 1].strip() == "" or lines[i - 1].strip().startswith("#"):
        del lines[i - 1]


def _as_parsed(cache: RegionCache) -> None:
    """Every block in the resolver's cache equals a fresh parse of its text at its place."""
    for (place, text), region in cache.entries.items():
        start, class_start = place if isinstance(place, tuple) else (place, None)
        fresh = RegionCache().region(start, text.split("\n"), class_start)
        where = f"the block at line {start} (class at {class_start})"
        assert region.tree is not None and fresh.tree is not None, where
        assert ast.dump(region.tree, include_attributes=True) == ast.dump(fresh.tree, include_attributes=True), where
        assert (region.blanked, region.class_start) == (fresh.blanked, fresh.class_start), where


@pytest.mark.skipif(not ALIAS_POSITIONS, reason="before 3.10 the resolver parses for itself (import positions)")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_resolver_holds_what_its_own_parse_gives(path, monkeypatch):
    if not path.exists():
        pytest.skip(f"{path} not shipped with this interpreter")
    seeded = {"top": 0, "member": 0}
    real_seed = RegionCache.seed

    def seed(self, start, texts, tree, class_start=None):
        seeded["top" if class_start is None else "member"] += 1
        real_seed(self, start, texts, tree, class_start)

    monkeypatch.setattr(RegionCache, "seed", seed)
    rng = random.Random(f"shared:{path.name}")
    lines = path.read_text(encoding="utf-8").split("\n")
    doc = document_lint()
    doc.findings(list(lines), python=PY)
    for round_ in range(60):
        _keystroke(lines, rng)
        steps = doc.steps(list(lines), python=PY)
        for _ in range(rng.choice([1, 2, 3, 4, 10**6])):  # sometimes stopped between two units' checks
            try:
                next(steps)
            except StopIteration:
                break
        steps.close()
        _as_parsed(doc.model.regions)
        if round_ % 10 == 9:
            assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY)
    assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY)
    _as_parsed(doc.model.regions)
    wanted = ("member",) if path.name != "tasks.py" else ("top",)
    assert all(seeded[kind] > 5 for kind in wanted), seeded


@pytest.mark.skipif(not ALIAS_POSITIONS, reason="before 3.10 the resolver parses for itself (import positions)")
def test_a_unit_left_unchecked_is_parsed_again_when_it_moves():
    """A version that edits two functions (a replace-all), its check stopped after the first
    one's: the second unit is left unchecked, its tree the resolver's. An edit above then moves
    it: its nodes must not move (the resolver's block at the old place would move with them),
    the unit parses its text again."""
    lines = ["import asyncio", "", "async def a():", "    x = 1", "", "async def b():", "    x = asyncio.sleep(1)"]
    doc = document_lint()
    doc.findings(list(lines), python=PY)
    lines[3], lines[6] = lines[3].replace("x", "y"), lines[6].replace("x", "y")
    steps = doc.steps(list(lines), python=PY)
    checked = doc.stats["checked"]
    while doc.stats["checked"] == checked:
        next(steps)
    steps.close()
    unchecked = [u for u in doc.units or [] if u.found is None]
    assert [(u.start, u.shared) for u in unchecked] == [(5, True)]
    lines.insert(0, "# a line above")
    assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY)
    assert any(place == 5 for place, _ in doc.model.regions.entries)  # (still there to be compared)
    _as_parsed(doc.model.regions)
