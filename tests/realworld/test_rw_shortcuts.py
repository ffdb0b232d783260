"""Two of issue 16's shortcuts, over the whole real-world corpus (code nobody here wrote: the
interpreter's asyncio and test_asyncio, the pinned sdists of aiohttp, asyncssh, anyio, uvicorn,
aiofiles; rw_corpus.py), not only the standard library the fast tests read:

- the names each scope binds, found by collect_bindings's shortcuts (statements only where the
  text has no `:=`; nested functions through their kept bindings where it says `nonlocal`), equal
  those a walk of every node finds;
- a file's first check, its parse cut into chunks where the resolver's scan starts a top-level
  statement, has the units and findings of a check that parses the file whole.

Every file of every source, in the CI sample too (a few seconds a source)."""

from __future__ import annotations

import pytest
import rw_corpus as C

from core_support import lint_units_and_findings, scope_answers

pytestmark = pytest.mark.realworld


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
