"""Big packs (issue 9): the Python check of a big pack's new examples runs after the pack is
served, between requests, and an example that is not valid Python is then reported like any
pack error and its entry withdrawn; what was checked is remembered, so a reload after an edit
compiles only what changed. Over the real protocol where a user would see it."""

from __future__ import annotations

import pytest
from lsprotocol import types

from packs_support import labels_for, reload_by_command, start, uri, wait_for_diagnostics, wait_for_log
from sheetls import example_check, loader

pytestmark = pytest.mark.slow  # 300-entry packs checked between requests: not in make test-fast

ENTRIES = 300  # over example_check.DEFER_OVER: a load this big defers its examples' check
BAD = 150  # the entry whose body does not compile
BAD_BODY = "print((${1:x}\n"  # '(' never closed


def big_pack(n: int = ENTRIES, bad: int = -1, word: str = "big", note: str = "") -> str:
    """A pack of `n` entries (`{word}0`...), entry `bad` with a body that is not Python."""
    lines = [
        "schema: 1",
        f"id: {word}-pack",
        "title: A big pack",
        "summary: Many entries.",
        "sections:",
        "  - id: all",
        "    title: All",
        "    summary: Every entry.",
        "    entries:",
    ]
    for k in range(n):
        body = (
            BAD_BODY
            if k == bad
            else f'value = await asyncio.sleep(${{1:0}}, ${{2:"{word} {k}{note}"}})\nprint(value)$0\n'
        )
        lines += [
            f"      - id: e{k}",
            f"        title: Entry {k}",
            f"        summary: Entry number {k}.",
            f"        prefix: {word}{k}",
            "        imports: [asyncio]",
            "        body: |",
        ]
        lines += ["          " + b for b in body.rstrip("\n").split("\n")]
    return "\n".join(lines) + "\n"


def bad_body_line(text: str) -> int:
    """The 1-based file line of the bad body's text."""
    return text.split("\n").index("          print((${1:x}") + 1


# --- the loader (plain functions) -----------------------------------------------------------------


def test_a_big_load_may_defer_its_examples_and_serves_every_entry_meanwhile(tmp_path):
    example_check.forget()
    text = big_pack(bad=BAD, word="defer")
    result = loader.load_text(text, str(tmp_path / "big.yaml"), defer_examples=True)
    assert result.errors == []
    assert len(result.unchecked) == ENTRIES
    assert len(result.sheet.entries) == ENTRIES  # served before the check
    assert [k for k, e in enumerate(result.unchecked) if example_check.problem(*e)] == [BAD]  # the caller's check


def test_without_deferring_the_bad_example_is_an_error_at_its_line_and_field(tmp_path):
    example_check.forget()
    text = big_pack(bad=BAD, word="now")
    path = str(tmp_path / "big.yaml")
    result = loader.load_text(text, path)
    assert result.unchecked == ()
    [err] = result.errors
    assert (err.path, err.line, err.field) == (path, bad_body_line(text), f"sections[0].entries[{BAD}].body")
    assert "not valid Python: '(' was never closed" in err.message
    assert len(result.sheet.entries) == ENTRIES - 1


def test_small_loads_never_defer(tmp_path):
    example_check.forget()
    result = loader.load_text(
        big_pack(n=example_check.DEFER_OVER, bad=3, word="small"), str(tmp_path / "p.yaml"), defer_examples=True
    )
    assert result.unchecked == ()
    assert [e.field for e in result.errors] == ["sections[0].entries[3].body"]


def test_a_reload_after_an_edit_compiles_only_the_examples_that_changed(tmp_path, monkeypatch):
    example_check.forget()
    compiled = []
    real = example_check.compile_error
    monkeypatch.setattr(
        example_check, "compile_error", lambda text, imports: compiled.append(text) or real(text, imports)
    )
    path = str(tmp_path / "big.yaml")
    text = big_pack(word="memo")
    assert loader.load_text(text, path).errors == []
    assert len(compiled) == ENTRIES
    compiled.clear()
    edited = text.replace('"memo 7"', '"memo seven"')
    result = loader.load_text(edited, path)
    assert result.errors == [] and len(compiled) == 1 and '"memo seven"' in compiled[0]


# --- the server -------------------------------------------------------------------------------------


async def test_a_big_pack_with_a_broken_example_is_reported_and_its_entry_withdrawn(bare_client, tmp_path):
    pack = tmp_path / ".sheetls" / "big.yaml"
    pack.parent.mkdir()
    text = big_pack(bad=BAD)
    pack.write_text(text)
    await start(bare_client, tmp_path)
    await wait_for_log(bare_client, f"checking {ENTRIES} new example(s) between requests", since=0)
    [diag] = await wait_for_diagnostics(
        bare_client, uri(pack), lambda ds: len(ds) == 1, "the broken example's diagnostic"
    )
    assert diag.severity == types.DiagnosticSeverity.Error
    assert diag.range.start.line == bad_body_line(text) - 1
    assert f"sections[0].entries[{BAD}].body" in diag.message and "not valid Python" in diag.message
    assert await labels_for(bare_client, f"big{BAD}") == []  # withdrawn
    assert await labels_for(bare_client, f"big{BAD + 1}") == [f"big{BAD + 1}"]  # the others stay


async def test_a_checked_big_pack_becomes_the_last_good_version(bare_client, tmp_path):
    pack = tmp_path / ".sheetls" / "big.yaml"
    pack.parent.mkdir()
    pack.write_text(big_pack())
    await start(bare_client, tmp_path)
    await wait_for_log(bare_client, f"{ENTRIES} new example(s) checked: all valid Python", since=0)
    pack.write_text(big_pack().replace("title: A big pack", "title: [unclosed"))  # now unreadable
    answer = await reload_by_command(bare_client)
    assert answer["errors"] == 1
    assert await labels_for(bare_client, "big299") == ["big299"]  # its last good version is served


def test_an_example_too_deep_for_the_compiler_is_a_problem_of_its_own_not_a_crash():
    """The deferred check runs in the server's event loop: what Python's compiler cannot take
    must come back as that example's problem (then its entry's error), never an exception."""
    example_check.forget()
    deep = "async def main():\n    x = " + "-" * 100_000 + "1\n"
    line, message = example_check.problem(deep, 0)
    assert line == 1 and "too deeply nested" in message
