"""Issue 16's shortcuts, over the whole real-world corpus (code nobody here wrote: the
interpreter's asyncio and test_asyncio, the pinned sdists of aiohttp, asyncssh, anyio, uvicorn,
aiofiles; rw_corpus.py), not only the standard library the fast tests read:

- the names each scope binds, found by collect_bindings's shortcuts (statements only where the
  text has no `:=`; nested functions through their kept bindings where it says `nonlocal`), equal
  those a walk of every node finds;
- a file's first check, its parse cut into chunks where the resolver's scan starts a top-level
  statement, has the units and findings of a check that parses the file whole;
- keystrokes inside functions (incremental.py: the resolver takes the edited unit's parse, a
  body-only edit is seen through the function's name and globals) find what a check from
  scratch finds, the resolver's blocks equal to its own parses.

Every file of every source for the first two, in the CI sample too (a few seconds a source); the
keystrokes in 4 files of 150 lines or more a source in the CI sample, in every such file in full
mode."""

from __future__ import annotations

import random

import pytest
import rw_corpus as C

from core_support import blocks_as_parsed, keystroke, lint_units_and_findings, scope_answers
from sheetls.diagnostics.check import check, document_lint

pytestmark = pytest.mark.realworld
PY = (3, 11)


def _texts(source: str):
    src = C.source_for_test(source)
    for path in src.files():
        text, why = C.read_python(path)
        if text is not None:
            yield path.relative_to(src.root), text.split("\n")


@pytest.mark.parametrize("source", C.SOURCES)
def test_binding_shortcuts_find_what_a_full_walk_finds(source):
    checked = 0
    for rel, lines in _texts(source):
        assert scope_answers(lines) == scope_answers(lines, shortcuts=False), f"{source}/{rel}"
        checked += 1
    assert checked > 10, f"{source}: {checked} files"


@pytest.mark.parametrize("source", C.SOURCES)
def test_a_file_checked_in_chunks_is_checked_as_whole(source, monkeypatch):
    checked = 0
    for rel, lines in _texts(source):
        if len(lines) < 200:
            continue
        whole = lint_units_and_findings(lines, 10**9, monkeypatch)
        assert lint_units_and_findings(lines, 100, monkeypatch) == whole, f"{source}/{rel}"
        checked += 1
    assert checked > 3, f"{source}: {checked} files of 200 lines or more"


@pytest.mark.parametrize("source", C.SOURCES)
def test_keystrokes_in_real_code_find_what_a_check_from_scratch_finds(source):
    """Keystrokes inside functions of real files (typed, with signatures full of names): the
    incremental check, sharing its parse of the edited unit with the resolver and rechecking
    other units only through the names an edit can change, finds what check() from scratch
    finds; and every block the resolver holds is its own parse of that text at that place."""
    rng = random.Random(f"keystrokes:{source}")
    files = [(rel, lines) for rel, lines in _texts(source) if len(lines) >= 150]
    typed = 0
    for rel, lines in rng.sample(files, min(len(files), 4 if C.mode() == "sample" else len(files))):
        doc = document_lint()
        doc.findings(list(lines), python=PY)
        for _ in range(6):
            if not keystroke(lines, rng):
                break
            typed += 1
            where = f"{source}/{rel} after {typed} keystrokes"
            assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY), where
            blocks_as_parsed(doc.model.regions)
    assert typed > 10, f"{source}: {typed} keystrokes"
