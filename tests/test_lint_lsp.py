"""sheetls lint in the editor (the `diagnostics` option): findings for open Python documents
after open and edits (pulled by Neovim, which declares textDocument.diagnostic; published to the
VS Code 1.65 profile, which does not), with code, link, source and tags; quick fixes as code
actions. Pull reports, debounce, fix-all, show-entry, per-rule settings: test_diagnostics_pull.py."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from lint_support import change, code_actions, diagnostics_of
from lsp_helpers import PROFILES, apply_edits, initialize, open_doc
from packs_support import wait_for_diagnostics

SRC = "import time\n\n\nasync def main():\n    s = '\U0001f600'; time.sleep(1)\n    loop = asyncio.get_event_loop()\n"


def apply_in(text: str, edits, utf8: bool) -> str:
    """Apply TextEdits whose columns are UTF-8 bytes (utf8) or UTF-16 units (apply_edits)."""
    if not utf8:
        return apply_edits(text, edits)
    lines = text.split("\n")

    def offset(pos: types.Position) -> int:
        line = lines[pos.line].encode("utf-8")[: pos.character].decode("utf-8")
        return sum(len(l) + 1 for l in lines[: pos.line]) + len(line)

    for start, end, new in sorted(
        ((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True
    ):
        text = text[:start] + new + text[end:]
    return text


@pytest.mark.parametrize("profile", list(PROFILES))
async def test_diagnostics_and_quick_fixes(bare_client, profile):
    result = await initialize(bare_client, profile, options={"diagnostics": True})
    emoji = 4 if result.capabilities.position_encoding == types.PositionEncodingKind.Utf8 else 2
    uri = open_doc(bare_client, SRC)
    diags = await diagnostics_of(bare_client, uri, lambda d: bool(d))
    sleep = next(d for d in diags if d.code == "SHEET101")
    assert sleep.source == "sheetls"
    assert sleep.severity == types.DiagnosticSeverity.Warning
    # columns in the negotiated encoding: the emoji before the call is two UTF-16 units, four UTF-8 ones
    assert (sleep.range.start.line, sleep.range.start.character) == (4, len("    s = '") + emoji + len("'; "))
    if profile == "visual_studio_code":  # declares codeDescription and tag support
        assert sleep.code_description.href == "https://docs.python.org/3/library/asyncio-task.html#asyncio.sleep"
    # (asyncio is not imported: get_event_loop is not resolved yet)
    assert [d.code for d in diags] == ["SHEET101"]

    actions = await code_actions(bare_client, uri, 4, sleep.range.start.character + 1, [sleep])
    [action] = [a for a in actions if a.edit is not None and a.kind == types.CodeActionKind.QuickFix]
    assert action.kind == types.CodeActionKind.QuickFix and action.is_preferred
    assert action.title == "Use `await asyncio.sleep()` (SHEET101)"
    fixed = apply_in(SRC, action.edit.changes[uri], emoji == 4)
    assert fixed.startswith("import asyncio\nimport time\n")
    assert "    s = '\U0001f600'; await asyncio.sleep(1)\n" in fixed
    compile(fixed, "<fixed>", "exec")

    # the fix applied: now asyncio resolves, and get_event_loop is flagged (style, not deprecated in
    # a coroutine: no Deprecated tag, information severity; docs/rules.md SHEET206)
    change(bare_client, uri, 2, fixed)
    diags = await diagnostics_of(bare_client, uri, lambda d: [x.code for x in d] == ["SHEET206"])
    assert not diags[0].tags and diags[0].severity == types.DiagnosticSeverity.Information
    # no finding there: no quick fix (only the file's source.fixAll.sheetls)
    assert [a.kind for a in await code_actions(bare_client, uri, 0, 0)] == ["source.fixAll.sheetls"]

    [action] = [a for a in await code_actions(bare_client, uri, 6, 12) if a.is_preferred]
    clean = apply_in(fixed, action.edit.changes[uri], emoji == 4)
    assert "loop = asyncio.get_running_loop()" in clean
    change(bare_client, uri, 3, clean)
    await diagnostics_of(bare_client, uri, lambda d: d == [], "the diagnostics cleared")


@pytest.mark.parametrize("profile", list(PROFILES))
async def test_every_line_break_gives_the_same_diagnostics(bare_client, profile):
    """\\r\\n, a lone \\r (a line break in LSP, not in Python's str.splitlines of a line) and
    \\n: the same findings on the same lines, also after an edit that brings a \\r in."""
    await initialize(bare_client, profile, options={"diagnostics": True})
    src = "import asyncio\nimport time\n\n\nasync def main():\n    time.sleep(1)\n    asyncio.get_event_loop()\n"

    def where(diags):
        return [(d.code, d.range.start.line, d.range.start.character, d.range.end.line) for d in diags]

    want = where(await diagnostics_of(bare_client, open_doc(bare_client, src), lambda d: len(d) == 2))
    assert [w[:2] for w in want] == [("SHEET101", 5), ("SHEET206", 6)]
    for brk in ("\r\n", "\r"):
        uri = open_doc(bare_client, src.replace("\n", brk))
        assert where(await diagnostics_of(bare_client, uri, lambda d: len(d) == 2)) == want, repr(brk)
    uri = open_doc(bare_client, src)
    await diagnostics_of(bare_client, uri, lambda d: len(d) == 2)
    change(bare_client, uri, 2, src.replace("import time\n", "import time\r\r\r"))  # a blank line more
    moved = [(c, line + 1, col, end + 1) for c, line, col, end in want]
    assert where(await diagnostics_of(bare_client, uri, lambda d: where(d) == moved)) == moved


@pytest.mark.slow  # waits for the debounced diagnostics: not in make test-fast
@pytest.mark.parametrize("profile", ["visual_studio_code", "neovim"])
async def test_on_by_default(bare_client, profile):
    """No option given: the findings come (published, or pulled by a client that pulls)."""
    await initialize(bare_client, profile)
    uri = open_doc(bare_client, SRC)
    diags = await diagnostics_of(bare_client, uri, lambda d: [x.code for x in d] == ["SHEET101"])
    assert diags[0].source == "sheetls"


@pytest.mark.slow  # waits for the debounced diagnostics: not in make test-fast
async def test_turned_off_by_the_option(bare_client):
    await initialize(bare_client, "visual_studio_code", options={"diagnostics": False})
    uri = open_doc(bare_client, SRC)
    await bare_client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 0))
    )
    await asyncio.sleep(0.6)  # longer than the server's debounce
    assert uri not in bare_client.diagnostics
    assert await code_actions(bare_client, uri, 4, 20) is None


@pytest.mark.slow  # waits for the debounced diagnostics: not in make test-fast
async def test_closing_clears(bare_client):
    """What was published is cleared on close (a client that pulls forgets them itself)."""
    await initialize(bare_client, "visual_studio_code", options={"diagnostics": True})
    uri = open_doc(bare_client, SRC)
    await wait_for_diagnostics(bare_client, uri, lambda d: bool(d))
    bare_client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await wait_for_diagnostics(bare_client, uri, lambda d: d == [], "the diagnostics cleared on close")


@pytest.mark.slow  # waits for the debounced diagnostics: not in make test-fast
async def test_the_option_turned_on_and_off(bare_client):
    await initialize(bare_client, "visual_studio_code", options={"diagnostics": False})
    uri = open_doc(bare_client, SRC)
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sheetls": {"diagnostics": True}})
    )
    await wait_for_diagnostics(bare_client, uri, lambda d: [x.code for x in d] == ["SHEET101"])
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sheetls": {"diagnostics": False}})
    )
    await wait_for_diagnostics(bare_client, uri, lambda d: d == [], "the diagnostics cleared when turned off")
