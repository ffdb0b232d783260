"""`sheetls lint` in the editor: the findings of an open Python document as diagnostics, and
their fixes as code actions. Protocol objects only here; the rules are sheetls.diagnostics (pure).

- A client that declares `textDocument.diagnostic` pulls them (`report`: a full report with a
  resultId, an unchanged report while the diagnostics stay the same) and gets no pushes; to any
  other they are published a moment (DELAY) after the last edit, for the version then current.
- Code actions: the quick fix of each finding (isPreferred), "Show the sheet's entry" (the
  sheetls.showEntry command), and `source.fixAll.sheetls` (every safe fix of the file, as
  `sheetls lint --fix`; computed on codeAction/resolve where the client resolves edits).
- The `rules` option disables rules or changes their severity (options.rule_settings).
- A check runs a slice (SLICE) at a time (`checked`): between slices the server reads and
  answers the client's other messages, so that the first check of a 10,000-line file (0.3 s)
  does not hold up a hover or a completion; a check that the document's next version overtakes
  goes on with that version, keeping what it had checked. A pushed check (which no request
  waits for) runs its slices only while the client is quiet (IDLE)."""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import re
import time
import traceback
import weakref
from typing import TYPE_CHECKING, Any, Dict, Generator, List, Optional, Sequence, Tuple
from urllib.parse import unquote

from lsprotocol import types

from sheetls.lsp.workspace import LineDocument
from sheetls.options import rule_settings

if TYPE_CHECKING:
    from sheetls.diagnostics import Finding
    from sheetls.diagnostics.incremental import DocumentLint

log = logging.getLogger("sheetls")

document_key = unquote  # the server's one spelling of a document's URI (server.document_key)
# Seconds after the last edit before a push (a burst of keystrokes is checked once). Not an
# option: pulling clients debounce themselves, and 0.2 s is below what reads as a lag.
DELAY = 0.2
# Seconds a check runs before the server looks at the client's messages again; sooner when the
# stdin thread says a message has come (ProtocolServer.input_waiting), so that a request made
# during a long check waits for one step of it (~1-3 ms), not for the slice. Not an option.
SLICE = 0.005
# A check nobody waits for (a push after an edit or an open) runs only once the client has sent
# nothing for this long: it never competes with requests the user is making.
IDLE = 0.1
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
FIX_ALL = "source.fixAll.sheetls"
CMD_SHOW_ENTRY = "sheetls.showEntry"
_result_ids = itertools.count(1)
_BREAK = re.compile(r"\r\n|\r|\n")


class LintRuntime:
    def __init__(self, server: Any):
        self.server = server
        self.timers: Dict[str, asyncio.TimerHandle] = {}
        self.runs: Dict[str, asyncio.Task] = {}  # key -> the check then publish under way (pushes)
        self.locks: Dict[str, asyncio.Lock] = {}  # key -> held by the one sliced check of the document
        self.published: Dict[str, Tuple[int, List[Finding]]] = {}  # key -> (revision, findings)
        self.uris: Dict[str, str] = {}  # key -> the URI as the client spelled it
        self.reports: Dict[str, Tuple[str, List[types.Diagnostic]]] = {}  # key -> (resultId, diagnostics) pulled
        # per open document (gone with it): its findings kept per statement between versions, so
        # a keystroke rechecks the statement it edited (diagnostics/incremental.py)
        self.linted: weakref.WeakKeyDictionary[Any, DocumentLint] = weakref.WeakKeyDictionary()

    @property
    def pull(self) -> bool:
        """The client pulls diagnostics (textDocument/diagnostic): nothing is pushed to it."""
        return self.server.profile.pull_diagnostics

    def schedule(self, uri: str, now: bool = False) -> None:
        """Check the document after DELAY (at once with `now`, as on open) and publish; nothing
        for a client that pulls."""
        if not self.server.options.diagnostics or self.pull:
            return
        key = document_key(uri)
        old = self.timers.pop(key, None)
        if old is not None:
            old.cancel()
        running = self.runs.pop(key, None)
        if running is not None:  # the last edit's check wins (what it checked is kept)
            running.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.run(uri)
            return
        self.timers[key] = loop.call_later(0 if now else DELAY, self._start_run, uri)

    def _start_run(self, uri: str) -> None:
        key = document_key(uri)
        self.timers.pop(key, None)
        task = asyncio.ensure_future(self.run_sliced(uri))
        self.runs[key] = task
        task.add_done_callback(lambda t: self.runs.pop(key, None) if self.runs.get(key) is t else None)

    def option_changed(self, on: bool) -> None:
        """The `diagnostics` option turned on (check every open document) or off (clear them),
        or the `rules` changed (check again). A pulling client is asked to pull again."""
        if self.pull:
            if self.server.profile.diagnostic_refresh:
                self.server.workspace_diagnostic_refresh(None)
            return
        if on:
            for doc in list(self.server.workspace.text_documents.values()):
                self.schedule(doc.uri, now=True)
            return
        for uri in list(self.uris.values()):
            self.close(uri)

    def close(self, uri: str) -> None:
        key = document_key(uri)
        timer = self.timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        running = self.runs.pop(key, None)
        if running is not None:
            running.cancel()
        self.locks.pop(key, None)
        self.uris.pop(key, None)
        self.reports.pop(key, None)
        if self.published.pop(key, None) is not None:  # it was checked (and frozen after: _settle)
            gc.unfreeze()  # what it left in reference cycles is the collector's again
            if not self.pull:
                self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def findings(self, uri: str) -> Optional[Tuple[Any, List[Finding]]]:
        """(facts, findings) of the document's current version, checked now (all at once) if
        not yet."""
        facts = self.server.document_facts(uri)
        if facts is None:
            return None
        found = self._known(uri, facts)
        if found is None:
            found = self._keep(uri, facts, self._lint_of(facts).findings(facts.lines, *self._target(uri), split=True))
        return facts, found

    def _known(self, uri: str, facts: Any) -> Optional[List[Finding]]:
        """The findings of this version, if it was checked already."""
        known = self.published.get(document_key(uri))
        return known[1] if known is not None and known[0] == facts.revision and facts.revision >= 0 else None

    def _keep(self, uri: str, facts: Any, found: List[Finding]) -> List[Finding]:
        key = document_key(uri)
        first = key not in self.published
        self.published[key] = (facts.revision, found)
        self.uris[key] = uri
        if first:
            self._settle()
        return found

    def _settle(self) -> None:
        """After a document's first check. What it built lives as long as the document (its
        units, their findings, the resolver's model: ~100,000 objects at 10,000 lines), and the
        collector's full pass walked all of it every few hundred keystrokes while the user typed
        (35-55 ms each time, every ~600 keystrokes at 10,000 lines). gc.freeze() takes what is
        alive now out of the collector's walks (at no cost: it moves two lists); closing a
        checked document gives it all back (gc.unfreeze in close), so that what the document
        leaves in reference cycles is collected (and what the others hold frozen again after
        their next first check)."""
        gc.freeze()

    def _target(self, uri: str) -> Tuple[Optional[str], Tuple[int, int]]:
        """(the document's path, the Python its project targets): what a check needs besides the lines."""
        return _path(uri), self.server.target_of(uri).version

    async def checked(self, uri: str, background: bool = False) -> Optional[Tuple[Any, List[Finding]]]:
        """findings(), the check run SLICE at a time: between slices the server reads and answers
        the client's other messages. When the document changes meanwhile, the check goes on
        with its new version (what it had checked is kept); one check per document at a time.
        In the `background` (a push), a slice runs only after IDLE seconds without messages."""
        key = document_key(uri)
        lock = self.locks.setdefault(key, asyncio.Lock())
        async with lock:
            while True:
                if background:  # (before anything, even the rules' import: 35 ms at the first open)
                    await self._quiet()
                facts = self.server.document_facts(uri)
                if facts is None:
                    return None
                found = self._known(uri, facts)
                if found is None:
                    steps = self._lint_of(facts).steps(facts.lines, *self._target(uri), split=True)
                    found = await self._in_slices(steps, uri, facts, background)
                if found is not None:  # (None: the document changed meanwhile; its next version)
                    return facts, self._keep(uri, facts, found)

    async def _in_slices(
        self, steps: Generator[None, None, Optional[List[Finding]]], uri: str, facts: Any, background: bool = False
    ) -> Optional[List[Finding]]:
        """Run the steps, letting the event loop run between slices: the findings, or None when
        the document changed (or another check of it ran) meanwhile."""
        waiting = self.server.input_waiting  # (set by the stdio transport; over TCP never)
        try:
            deadline = time.monotonic() + SLICE
            while True:
                try:
                    next(steps)
                except StopIteration as done:
                    found: Optional[List[Finding]] = done.value
                    return found
                if time.monotonic() >= deadline or waiting.is_set():
                    # two turns of the loop: in the first, a message read meanwhile (stdin is read in
                    # a thread) wakes the reader; in the second, the reader handles it
                    await asyncio.sleep(0)
                    await asyncio.sleep(0)
                    if background:
                        await self._quiet()
                    doc = self.server.open_document(uri)
                    if doc is not facts.doc or getattr(doc, "revision", facts.revision) != facts.revision:
                        return None
                    deadline = time.monotonic() + SLICE
        finally:
            steps.close()

    async def _quiet(self) -> None:
        """Wait until the client has sent nothing for IDLE seconds."""
        while True:
            since = time.monotonic() - self.server.last_input
            if since >= IDLE:
                return
            await asyncio.sleep(IDLE - since)

    def _lint_of(self, facts: Any) -> DocumentLint:
        from sheetls.diagnostics.check import document_lint

        lint = self.linted.get(facts.doc)
        if lint is None:
            lint = self.linted[facts.doc] = document_lint()
        return lint

    def run(self, uri: str) -> None:
        """Check now, all at once, and publish (where no event loop runs)."""
        self.timers.pop(document_key(uri), None)
        try:
            got = self.findings(uri)
            if got is not None:
                self.publish(uri, *got)
        except Exception:
            log.error("lint failed:\n%s", traceback.format_exc())

    async def run_sliced(self, uri: str) -> None:
        """Check a slice at a time, then publish."""
        try:
            got = await self.checked(uri, background=True)
            if got is not None:
                self.publish(uri, *got)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.error("lint failed:\n%s", traceback.format_exc())

    def publish(self, uri: str, facts: Any, found: List[Finding]) -> None:
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=self.diagnostics(uri, facts, found), version=facts.doc.version
            )
        )

    def enabled(self, found: List[Finding]) -> List[Finding]:
        """The findings of the rules the `rules` option leaves on."""
        rules = self.server.options.rules
        return [f for f in found if rule_settings(rules, f.code)[0]] if rules else found

    def diagnostics(self, uri: str, facts: Any, found: List[Finding]) -> List[types.Diagnostic]:
        return [self.diagnostic(uri, facts, f) for f in self.enabled(found)]

    async def report(self, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        """textDocument/diagnostic: the document's diagnostics with a resultId, or "unchanged"
        when they equal those of the client's previousResultId (empty while the option is off
        and for documents that are not Python). Checked a slice at a time (`checked`)."""
        uri = params.text_document.uri
        key = document_key(uri)
        diagnostics: List[types.Diagnostic] = []
        if self.server.options.diagnostics:
            got = await self.checked(uri)
            if got is not None:
                diagnostics = self.diagnostics(uri, got[0], got[1])
        known = self.reports.get(key)
        if known is None or known[1] != diagnostics:
            known = (str(next(_result_ids)), diagnostics)
            self.reports[key] = known
        if params.previous_result_id == known[0]:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=known[0])
        return types.RelatedFullDocumentDiagnosticReport(items=diagnostics, result_id=known[0])

    def diagnostic(self, uri: str, facts: Any, f: Finding) -> types.Diagnostic:
        profile = self.server.profile
        rule = f.rule
        severity = rule_settings(self.server.options.rules, f.code)[1] or rule.severity
        return types.Diagnostic(
            range=self.range(uri, facts, f.line, f.col, f.end_line, f.end_col),
            message=f.message,
            severity=_SEVERITY.get(severity, types.DiagnosticSeverity.Warning),
            code=f.code,
            code_description=types.CodeDescription(href=f.url) if profile.diagnostic_links else None,
            source="sheetls",
        )

    def range(self, uri: str, facts: Any, line: int, col: int, end_line: int, end_col: int) -> types.Range:
        return types.Range(
            self.server.to_client(uri, facts, line, col), self.server.to_client(uri, facts, end_line, end_col)
        )

    def code_actions(self, params: types.CodeActionParams) -> Optional[List[types.CodeAction]]:
        """For the findings that meet the requested range: each one's quick fix (only fixes whose
        result compiles; isPreferred) and "Show the sheet's entry" (once per rule); for the file,
        `source.fixAll.sheetls` while any enabled finding has a fix (asked for by kind, or with
        no kinds asked for where the client resolves its edit)."""
        from sheetls.diagnostics import apply_fixes

        if not self.server.options.diagnostics:
            return None
        only = params.context.only
        quick = _wanted(only, types.CodeActionKind.QuickFix.value)
        # fix-all with every lightbulb request only where its edit waits for codeAction/resolve:
        # computed eagerly it is a few checks of the whole file, too much for each cursor move
        fix_all = _wanted(only, FIX_ALL) and (bool(only) or self.server.profile.resolve_code_action_edit)
        if not quick and not fix_all:
            return None
        uri = params.text_document.uri
        got = self.findings(uri)
        if got is None:
            return None
        facts, found = got
        found = self.enabled(found)
        want = params.range
        text = "\n".join(facts.lines)
        actions = []
        shown = set()
        for f in found if quick else ():
            diag = self.diagnostic(uri, facts, f)
            r = diag.range
            if (r.end.line, r.end.character) < (want.start.line, want.start.character) or (
                r.start.line,
                r.start.character,
            ) > (want.end.line, want.end.character):
                continue
            if f.fix is not None and apply_fixes(text, [f])[1] == 1:
                edits = [self.text_edit(uri, facts, e) for e in f.fix.edits]
                actions.append(
                    types.CodeAction(
                        title=f"{f.fix.title} ({f.code})",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        is_preferred=True,
                        edit=types.WorkspaceEdit(changes={uri: edits}),
                    )
                )
            if f.code not in shown:
                shown.add(f.code)
                actions.append(
                    types.CodeAction(
                        title=f"Show the sheet's entry for {f.code}",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        command=types.Command(
                            title=f"Show the sheet's entry for {f.code}", command=CMD_SHOW_ENTRY, arguments=[f.code]
                        ),
                    )
                )
        if fix_all and any(f.fix is not None for f in found):
            action = types.CodeAction(
                title="Fix all sheetls findings in the file (safe fixes)",
                kind=FIX_ALL,
                data={"uri": uri, "fixAll": True},
            )
            if not self.server.profile.resolve_code_action_edit:
                action = self.resolve(action)
            actions.append(action)
        return actions or None

    def resolve(self, action: types.CodeAction) -> types.CodeAction:
        """codeAction/resolve: the edit of `source.fixAll.sheetls` for the document as it is now
        (every safe fix applied together, checked again and fixed again, as `sheetls lint --fix`;
        only lines that change are replaced). Other actions come back as they are."""
        from sheetls.diagnostics.fixall import fix_all, line_edits

        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri")
        if action.kind != FIX_ALL or not data.get("fixAll") or not isinstance(uri, str):
            return action
        got = self.findings(uri)
        if got is None:
            action.edit = types.WorkspaceEdit(changes={})
            return action
        facts, found = got
        text = "\n".join(facts.lines)
        rules = self.server.options.rules
        select = (lambda code: rule_settings(rules, code)[0]) if rules else None
        new, _, _ = fix_all(text, _path(uri), self.server.target_of(uri).version, select, self.enabled(found))
        edits = [self.text_edit(uri, facts, e) for e in line_edits(text, new)]
        action.edit = types.WorkspaceEdit(changes={uri: edits})
        return action

    def text_edit(self, uri: str, facts: Any, e: Any) -> types.TextEdit:
        """An edit of the core (its line breaks "\n") with the document's own line break, the
        first line's (a CRLF file gets CRLF lines)."""
        doc = facts.doc
        first = doc.line(0) if isinstance(doc, LineDocument) else (doc.lines[0] if doc.lines else "")
        newline = "\r\n" if first.endswith("\r\n") else "\r" if first.endswith("\r") else "\n"
        text = _BREAK.sub(newline, e.text) if newline != "\n" else e.text
        return types.TextEdit(range=self.range(uri, facts, e.line, e.col, e.end_line, e.end_col), new_text=text)

    async def show_entry(self, code: Any) -> Dict[str, Any]:
        """sheetls.showEntry CODE: the sheet entry that explains rule CODE, opened where it is
        written (window/showDocument of the pack file, selecting the entry) when the client can
        show documents; else, or when that fails, its text in a window/showMessage. Answers the
        entry's id, its docs URL and how it was shown."""
        from sheetls.diagnostics import RULES
        from sheetls.render import entry_plain

        rule = RULES.get(code) if isinstance(code, str) else None
        if rule is None:
            raise ValueError(f"sheetls.showEntry: no rule {code!r} (known: {', '.join(RULES)})")
        entry = next((e for e in self.server.index.entries if e.id == rule.entry), None)
        answer: Dict[str, Any] = {"code": rule.code, "entry": rule.entry, "url": rule.url, "shown": "message"}
        if entry is not None and entry.path and self.server.profile.show_document:
            from pygls.uris import from_fs_path

            line = max(entry.lines.get("id", 1) - 1, 0)
            at = types.Position(line, 0)
            try:
                result = await self.server.window_show_document_async(
                    types.ShowDocumentParams(
                        uri=from_fs_path(entry.path) or entry.path, take_focus=True, selection=types.Range(at, at)
                    )
                )
                if result is not None and result.success:
                    answer["shown"] = "document"
                    return answer
            except Exception as exc:  # the client refused or failed: say it in a message instead
                log.info("showDocument of %s failed (%s): showing the entry as a message", entry.path, exc)
        text = entry_plain(entry) if entry is not None else rule.message
        self.server.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Info, message=f"{rule.code} {rule.name}: {text}\n\nDocs: {rule.url}"
            )
        )
        return answer


def _path(uri: str) -> Optional[str]:
    if not uri.startswith("file:"):
        return None
    from pygls.uris import to_fs_path

    return to_fs_path(uri)


def _wanted(only: Optional[Sequence[str]], kind: str) -> bool:
    """Whether a request's `only` kinds cover `kind` (a kind covers itself and its sub-kinds)."""
    if not only:
        return True
    return any(k == kind or kind.startswith(k + ".") or k == "" for k in only)
