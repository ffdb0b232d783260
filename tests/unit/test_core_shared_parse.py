"""A keystroke's check parses the unit it edited (a top-level block, or one statement of a big
class's body), and the resolver's model takes that tree as its own parse of the same lines
(units.share_parse) instead of parsing them again. Over real files and real keystrokes, with
checks stopped at random steps and lines inserted above: every block the resolver holds is
what its own parse of that text at that place gives, node for node and position for position."""

from __future__ import annotations

import random
import sysconfig
from pathlib import Path

import pytest

from core_support import blocks_as_parsed, keystroke
from sheetls.diagnostics.check import check, document_lint
from sheetls.regions import RegionCache
from sheetls.repair import ALIAS_POSITIONS

STDLIB = Path(sysconfig.get_paths()["stdlib"])
# top-level functions (tasks.py), big classes (base_events.py, unix_events.py, test_streams.py)
FILES = [STDLIB / "asyncio" / n for n in ("tasks.py", "base_events.py", "unix_events.py")]
FILES += [STDLIB / "test" / "test_asyncio" / "test_streams.py"]
PY = (3, 11)


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
        keystroke(lines, rng)
        steps = doc.steps(list(lines), python=PY)
        for _ in range(rng.choice([1, 2, 3, 4, 10**6])):  # sometimes stopped between two units' checks
            try:
                next(steps)
            except StopIteration:
                break
        steps.close()
        blocks_as_parsed(doc.model.regions)
        if round_ % 10 == 9:
            assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY)
    assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY)
    blocks_as_parsed(doc.model.regions)
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
    blocks_as_parsed(doc.model.regions)
