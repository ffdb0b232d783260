"""sheetls lint in the editor, through the real protocol (issue 16, "In the editor"):

- pull diagnostics for a client that declares textDocument.diagnostic (Neovim 0.11's profile):
  the diagnosticProvider it is told of, full reports with a resultId, unchanged reports, no
  pushes; the published fallback for one that does not (VS Code 1.65's profile), with a burst of
  edits ending in the right diagnostics for the last version;
- code actions: "Show the sheet's entry" (sheetls.showEntry: the pack file shown at the entry, or
  the entry's text in a message) and source.fixAll.sheetls, whose result compiles and is what
  `sheetls lint --fix` writes;
- the `rules` option: a rule disabled, severities changed (a prefix, the more specific key
  winning), bad values logged with the defaults kept, and changes through didChangeConfiguration.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from lint_support import change, code_actions, diagnostics_of, pull
from lsp_helpers import PROFILES, apply_edits, initialize, open_doc
from packs_support import CAP, wait_for_diagnostics, wait_for_log

# A server per test, each waiting for debounced diagnostics: not in make test-fast, whose
# diagnostics in the editor are test_lint_lsp.py's test_diagnostics_and_quick_fixes.
pytestmark = pytest.mark.slow

SRC = """import asyncio
import subprocess
import time


async def main():
    time.sleep(1)
    subprocess.run(["ls", "-l"])  # list the folder
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, print, "x", sep="")
    old = asyncio.get_event_loop()
    await asyncio.create_subprocess_shell(f"echo {old}")
    reader, writer = await asyncio.open_connection("example.com", 80)
    writer.close()
"""
SRC_CODES = ["SHEET101", "SHEET102", "SHEET205", "SHEET206", "SHEET204", "SHEET202"]
ON = {"diagnostics": True}


def codes(diags) -> list:
    return [d.code for d in diags]


def severity_of(diags, code: str) -> types.DiagnosticSeverity:
    return next(d.severity for d in diags if d.code == code)


# --- pull and push ----------------------------------------------------------------------------
async def test_a_client_that_pulls_is_told_and_answered(bare_client):
    result = await initialize(bare_client, "neovim", options=ON)
    provider = result.capabilities.diagnostic_provider
    assert provider.identifier == "sheetls"
    assert provider.inter_file_dependencies is False and provider.workspace_diagnostics is False
    uri = open_doc(bare_client, SRC)

    first = await pull(bare_client, uri)
    assert first.kind == "full" and first.result_id
    assert codes(first.items) == SRC_CODES
    assert first.items[0].source == "sheetls"

    # the same diagnostics: unchanged, with the same resultId
    again = await pull(bare_client, uri, first.result_id)
    assert again.kind == "unchanged" and again.result_id == first.result_id
    # an edit that moves no finding leaves them unchanged too
    change(bare_client, uri, 2, SRC + "# a comment\n")
    same = await pull(bare_client, uri, first.result_id)
    assert same.kind == "unchanged" and same.result_id == first.result_id

    # an edit that fixes one: a full report under a new resultId
    change(bare_client, uri, 3, SRC.replace("    time.sleep(1)\n", "    await asyncio.sleep(1)\n"))
    fixed = await pull(bare_client, uri, first.result_id)
    assert fixed.kind == "full" and fixed.result_id != first.result_id
    assert codes(fixed.items) == SRC_CODES[1:]
    # an unknown previous resultId: the full report
    full = await pull(bare_client, uri, "no such id")
    assert full.kind == "full" and full.result_id == fixed.result_id

    # a client that pulls is never pushed to: not on open (a push client's is at once), nor
    # after the edits (waited for longer than the 0.2 s debounce)
    await asyncio.sleep(0.6)
    await pull(bare_client, uri)
    assert uri not in bare_client.diagnostics


async def test_pull_while_the_option_is_off_and_for_other_documents(bare_client):
    result = await initialize(bare_client, "neovim", options={"diagnostics": False})
    assert result.capabilities.diagnostic_provider is not None  # the option may be turned on later
    uri = open_doc(bare_client, SRC)
    off = await pull(bare_client, uri)
    assert off.kind == "full" and list(off.items) == []
    yaml = open_doc(bare_client, "id: x\n", language="yaml", suffix=".yaml")
    bare_client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"sheetls": ON}))
    assert list((await pull(bare_client, yaml)).items) == []
    on = await pull(bare_client, uri, off.result_id)
    assert on.kind == "full" and codes(on.items) == SRC_CODES and on.result_id != off.result_id


async def test_a_client_that_pulls_is_asked_to_pull_again(bare_client):
    """With workspace.diagnostics.refreshSupport, a settings change that changes the diagnostics
    (the rules, the option itself) sends workspace/diagnostic/refresh; the 3.18 capabilities of
    pulled diagnostics (codeDescription, tags) are read like publishDiagnostics's."""
    caps = client_capabilities("neovim")
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    caps.text_document.diagnostic.code_description_support = True
    await initialize(bare_client, "neovim", options=ON, capabilities=caps)
    uri = open_doc(bare_client, SRC)
    first = await pull(bare_client, uri)
    assert first.items[0].code_description.href == "https://docs.python.org/3/library/asyncio-task.html#asyncio.sleep"
    # get_event_loop() in a coroutine is not deprecated (docs/rules.md, SHEET206): no Deprecated tag
    assert not first.items[SRC_CODES.index("SHEET206")].tags

    async def refreshed(count: int) -> None:
        async def wait():
            while bare_client.diagnostic_refresh_count < count:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(wait(), CAP)

    settings = {"sheetls": {**ON, "rules": {"SHEET1": {"enabled": False}}}}
    bare_client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))
    await refreshed(1)
    again = await pull(bare_client, uri, first.result_id)
    assert again.kind == "full" and codes(again.items) == SRC_CODES[2:]
    settings = {"sheetls": {"diagnostics": False}}
    bare_client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))
    await refreshed(2)
    assert list((await pull(bare_client, uri, again.result_id)).items) == []


async def test_a_client_that_does_not_pull_gets_pushes(bare_client):
    result = await initialize(bare_client, "visual_studio_code", options=ON)
    assert result.capabilities.diagnostic_provider is None
    uri = open_doc(bare_client, SRC)
    diags = await wait_for_diagnostics(bare_client, uri, lambda d: bool(d))
    assert codes(diags) == SRC_CODES


async def test_a_burst_of_edits_ends_in_the_last_versions_diagnostics(bare_client):
    """Pushes are debounced per document: whatever was published meanwhile, the last
    publication is the last version's, and the versions published never go back."""
    await initialize(bare_client, "visual_studio_code", options=ON)
    published = []
    features = bare_client.protocol.fm.features
    record = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def recording(params: types.PublishDiagnosticsParams):
        published.append((params.uri, params.version, codes(params.diagnostics)))
        return record(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = recording
    other = open_doc(bare_client, SRC)  # another document's timer is its own
    uri = open_doc(bare_client, "async def main():\n    pass\n")
    lines = SRC.split("\n")
    # type the source line by line, as fast as the client sends: 16 versions
    for version in range(2, len(lines) + 2):
        change(bare_client, uri, version, "\n".join(lines[: version - 1]))
    last = len(lines) + 1
    await wait_for_diagnostics(bare_client, uri, lambda d: codes(d) == SRC_CODES, "the last version's diagnostics")
    await wait_for_diagnostics(bare_client, other, lambda d: codes(d) == SRC_CODES, "the other document's")
    mine = [(version, found) for u, version, found in published if u == uri]
    assert mine[-1] == (last, SRC_CODES)
    versions = [version for version, _ in mine]
    assert versions == sorted(versions) and set(versions) <= {1, *range(2, last + 1)}


# --- a long check goes a slice at a time ------------------------------------------------------
# 10,500 lines of 1,500 functions, each with a finding: the first check takes a few hundred ms
BIG = "import asyncio\nimport time\n\n\n" + "".join(
    f"async def f{i}(host):\n    reader, writer = await asyncio.open_connection(host, {i})\n"
    f"    writer.write(b'x')\n    await writer.drain()\n    time.sleep(0.1)\n\n\n"
    for i in range(1500)
)


async def test_a_hover_is_answered_while_a_big_file_is_checked(bare_client):
    """The first check of a big file runs a slice at a time: a hover and a code action sent while
    it runs are answered before it ends (they waited for the whole check before)."""
    await initialize(bare_client, "neovim", options=ON)
    uri = open_doc(bare_client, BIG)
    report = asyncio.ensure_future(pull(bare_client, uri))
    await asyncio.sleep(0.05)  # the pull is being answered: the check has started
    line = 5 + 7 * 750
    hover = await bare_client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(line, 40))
    )
    assert hover is not None and "open_connection" in str(hover.contents)
    actions = await code_actions(bare_client, uri, line + 3, 6, only=[types.CodeActionKind.QuickFix])
    assert actions and any(a.is_preferred for a in actions)
    assert not report.done(), "the hover and the code action waited for the whole check"
    done = await report
    assert codes(done.items) == ["SHEET101"] * 1500


async def test_an_edit_during_a_long_check_is_in_its_answer(bare_client):
    """The document changes while its check runs: the check goes on with the new version, and
    the answer is that version's."""
    await initialize(bare_client, "neovim", options=ON)
    uri = open_doc(bare_client, BIG)
    report = asyncio.ensure_future(pull(bare_client, uri))
    await asyncio.sleep(0.05)
    change(bare_client, uri, 2, BIG + "async def late():\n    time.sleep(1)\n")
    done = await report
    assert codes(done.items) == ["SHEET101"] * 1501
    assert done.items[-1].range.start.line == BIG.count("\n") + 1


async def test_a_pushed_check_waits_while_the_user_is_busy(bare_client):
    """A client that does not pull: the check of a big file that nobody waits for runs while the
    client is quiet. Hovers sent back to back for 6 s get their answers and no
    diagnostics come meanwhile (the check alone takes longer than the gaps between them); they
    come once the hovers stop."""
    await initialize(bare_client, "visual_studio_code", options=ON)
    uri = open_doc(bare_client, BIG)
    line = 5 + 7 * 750
    params = types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(line, 40))
    loop = asyncio.get_running_loop()
    end = loop.time() + 6.0  # (time enough for the check, a step between hovers, if it did not wait)
    answered = 0
    while loop.time() < end:
        hover = await bare_client.text_document_hover_async(params)
        assert hover is not None and "open_connection" in str(hover.contents)
        answered += 1
        assert uri not in bare_client.diagnostics, f"diagnostics published while hovers came ({answered} so far)"
    diags = await wait_for_diagnostics(bare_client, uri, lambda d: len(d) == 1500, "the big file's diagnostics")
    assert codes(diags) == ["SHEET101"] * 1500


# --- code actions -------------------------------------------------------------------------
async def fix_all_action(client, uri: str) -> types.CodeAction:
    actions = await code_actions(client, uri, 0, 0, only=[types.CodeActionKind.SourceFixAll])
    [action] = actions
    assert action.kind == "source.fixAll.sheetls"
    if action.edit is None:  # the client resolves edits: computed on codeAction/resolve
        action = await client.code_action_resolve_async(action)
    return action


@pytest.mark.parametrize("profile", list(PROFILES))
async def test_fix_all_compiles_and_is_what_lint_fix_writes(bare_client, profile, tmp_path):
    result = await initialize(bare_client, profile, options=ON)
    kinds = result.capabilities.code_action_provider.code_action_kinds
    assert "source.fixAll.sheetls" in kinds and types.CodeActionKind.QuickFix in kinds
    assert result.capabilities.code_action_provider.resolve_provider
    uri = open_doc(bare_client, SRC)
    # both profiles resolve edits: a request for every kind (the lightbulb) lists it without its edit
    [lazy] = [a for a in await code_actions(bare_client, uri, 0, 0) if a.kind == "source.fixAll.sheetls"]
    assert lazy.edit is None
    action = await fix_all_action(bare_client, uri)
    fixed = apply_edits(SRC, action.edit.changes[uri])
    compile(fixed, "<fixed>", "exec")

    path = tmp_path / "program.py"
    path.write_text(SRC)
    run = subprocess.run([sys.executable, "-m", "sheetls", "lint", "--fix", str(path)], capture_output=True, text=True)
    assert "Fixed 5 errors" in run.stdout, run.stdout + run.stderr
    assert fixed == path.read_text()
    # only the lines that change are replaced: the first line of the file is not touched
    assert all(e.range.start.line > 0 or e.range.end.line == 0 for e in action.edit.changes[uri])

    change(bare_client, uri, 2, fixed)
    assert codes(await diagnostics_of(bare_client, uri, lambda d: codes(d) == ["SHEET204"])) == ["SHEET204"]
    # nothing left to fix: no fix-all
    assert await code_actions(bare_client, uri, 0, 0, only=[types.CodeActionKind.SourceFixAll]) is None


async def test_fix_all_without_resolve_support_comes_with_its_edit(bare_client):
    caps = client_capabilities("visual_studio_code")
    caps.text_document.code_action.resolve_support = None
    await initialize(bare_client, "visual_studio_code", options=ON, capabilities=caps)
    uri = open_doc(bare_client, SRC)
    [action] = await code_actions(bare_client, uri, 0, 0, only=["source"])
    assert action.edit is not None
    compile(apply_edits(SRC, action.edit.changes[uri]), "<fixed>", "exec")
    # a quick fix request does not get it, nor (computed eagerly, it costs a few checks of the
    # whole file) a request for every kind, as a lightbulb asks at each cursor move
    assert await code_actions(bare_client, uri, 0, 0, only=[types.CodeActionKind.QuickFix]) is None
    assert await code_actions(bare_client, uri, 0, 0) is None


@pytest.mark.parametrize("profile", list(PROFILES))
async def test_show_the_sheets_entry(bare_client, profile):
    result = await initialize(bare_client, profile, options=ON)
    assert "sheetls.showEntry" in result.capabilities.execute_command_provider.commands
    uri = open_doc(bare_client, SRC)
    diags = await diagnostics_of(bare_client, uri, lambda d: bool(d))
    sleep = diags[0]
    actions = await code_actions(bare_client, uri, 6, 6, [sleep])
    fix = [a for a in actions if a.is_preferred]
    assert [a.title for a in fix] == ["Use `await asyncio.sleep()` (SHEET101)"]
    [show] = [a for a in actions if a.command is not None]
    assert show.title == "Show the sheet's entry for SHEET101" and show.kind == types.CodeActionKind.QuickFix
    assert not show.is_preferred and show.edit is None

    answer = await bare_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=show.command.command, arguments=show.command.arguments)
    )
    assert answer["shown"] == "document" and answer["entry"] == "to-thread"
    shown = bare_client.shown_documents[-1]
    assert shown.uri.endswith("/snippets/asyncio-streams.yaml") and shown.take_focus
    from pygls.uris import to_fs_path

    with open(to_fs_path(shown.uri)) as f:
        line = f.read().split("\n")[shown.selection.start.line]
    assert line.strip() in ("- id: to-thread", "id: to-thread"), line


async def test_show_the_sheets_entry_as_a_message(bare_client):
    caps = client_capabilities("neovim")
    caps.window.show_document = None
    await initialize(bare_client, "neovim", options=ON, capabilities=caps)
    before = len(bare_client.messages)
    answer = await bare_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="sheetls.showEntry", arguments=["SHEET205"])
    )
    assert answer == {
        "code": "SHEET205",
        "entry": "run-in-executor",
        "url": "https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.run_in_executor",
        "shown": "message",
    }
    [message] = bare_client.messages[before:]
    assert message.type == types.MessageType.Info
    assert message.message.startswith("SHEET205 run-in-executor-kwargs: ")
    assert "run_in_executor" in message.message and answer["url"] in message.message
    assert not bare_client.shown_documents


# --- the rules option ----------------------------------------------------------------------
RULES = {"SHEET101": {"enabled": False}, "SHEET2": {"severity": "error"}, "SHEET206": {"severity": "hint"}}


@pytest.mark.parametrize("profile", list(PROFILES))
async def test_rules_disable_and_change_severity(bare_client, profile):
    await initialize(bare_client, profile, options={**ON, "rules": RULES})
    uri = open_doc(bare_client, SRC)
    diags = await diagnostics_of(bare_client, uri, lambda d: bool(d))
    assert codes(diags) == [c for c in SRC_CODES if c != "SHEET101"]
    assert severity_of(diags, "SHEET102") == types.DiagnosticSeverity.Warning  # SHEET1 untouched
    assert severity_of(diags, "SHEET202") == types.DiagnosticSeverity.Error  # by the prefix
    assert severity_of(diags, "SHEET206") == types.DiagnosticSeverity.Hint  # the more specific key
    # a disabled rule offers no fix, and fix-all leaves its finding alone
    actions = await code_actions(bare_client, uri, 6, 6) or []
    assert not [a for a in actions if "SHEET101" in a.title]
    action = await fix_all_action(bare_client, uri)
    fixed = apply_edits(SRC, action.edit.changes[uri])
    assert "    time.sleep(1)\n" in fixed and "asyncio.get_running_loop()\n    await asyncio.create" in fixed
    compile(fixed, "<fixed>", "exec")


@pytest.mark.parametrize("profile", list(PROFILES))
async def test_rules_changed_through_the_settings(bare_client, profile):
    await initialize(bare_client, profile, options=ON)
    uri = open_doc(bare_client, SRC)
    await diagnostics_of(bare_client, uri, lambda d: codes(d) == SRC_CODES)
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sheetls": {**ON, "rules": {"SHEET1": {"enabled": False}}}})
    )
    await diagnostics_of(bare_client, uri, lambda d: codes(d) == SRC_CODES[2:], "without SHEET1xx")
    # settings without `rules` keep them; an empty object is the defaults again
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sheetls": {**ON, "logLevel": "info"}})
    )
    await diagnostics_of(bare_client, uri, lambda d: codes(d) == SRC_CODES[2:], "still without SHEET1xx")
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sheetls": {**ON, "rules": {}}})
    )
    await diagnostics_of(bare_client, uri, lambda d: codes(d) == SRC_CODES, "every rule again")


async def test_bad_rule_settings_are_logged_and_the_defaults_kept(bare_client):
    bad = {
        "SHEET999": {"enabled": False},  # no such rule
        "SHEET101": {"enabled": "no"},  # not a boolean
        "SHEET102": 5,  # not an object
        "SHEET103": {"colour": "red", "severity": "fatal"},  # no such field, no such severity
        "SHEET201": {"severity": "information"},  # good: kept beside the bad ones
    }
    # at initialize (logged to stderr: the client is not connected yet)
    await initialize(bare_client, "visual_studio_code", options={**ON, "rules": bad})
    source = "import asyncio, time\n\n\nasync def main(w: asyncio.StreamWriter):\n    time.sleep(1)\n    w.drain()\n"
    uri = open_doc(bare_client, source)
    diags = await wait_for_diagnostics(bare_client, uri, lambda d: bool(d))
    assert codes(diags) == ["SHEET101", "SHEET201"]
    assert severity_of(diags, "SHEET101") == types.DiagnosticSeverity.Warning  # its default
    assert severity_of(diags, "SHEET201") == types.DiagnosticSeverity.Information

    # the same through the settings, now logged to the client too
    since = len(bare_client.log_messages)
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sheetls": {**ON, "rules": {**bad, "SHEET201": {}}}})
    )
    for needle in (
        "'SHEET999' is no rule code or prefix",
        "SHEET101.enabled must be true or false, got 'no'",
        "'SHEET102' must be an object",
        "SHEET103.colour is not a rule setting",
        "SHEET103.severity must be one of error, warning, information, hint, got 'fatal'",
    ):
        await wait_for_log(bare_client, needle, since)
    diags = await wait_for_diagnostics(
        bare_client, uri, lambda d: severity_of(d, "SHEET201") == types.DiagnosticSeverity.Error, "SHEET201 back"
    )
    assert codes(diags) == ["SHEET101", "SHEET201"]

    # a value that is no object at all: refused whole, the rules as they were
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sheetls": {**ON, "rules": ["SHEET101"]}})
    )
    await wait_for_log(bare_client, "option 'rules' must be an object", since)
    change(bare_client, uri, 2, "import asyncio, time\n\n\nasync def main():\n    time.sleep(2)\n")
    assert codes(await wait_for_diagnostics(bare_client, uri, lambda d: len(d) == 1)) == ["SHEET101"]
