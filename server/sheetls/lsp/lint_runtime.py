"""`sheetls lint` in the editor: the findings of an open Python document published as diagnostics
(a moment after the last edit, for the version then current) and their fixes offered as quick
fixes. Protocol objects only here; the rules are sheetls.diagnostics (pure)."""

from __future__ import annotations

import asyncio
import logging
import traceback
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple
from urllib.parse import unquote

from lsprotocol import types

if TYPE_CHECKING:
    from sheetls.diagnostics import Finding

log = logging.getLogger("sheetls")

document_key = unquote  # the server's one spelling of a document's URI (server.document_key)
DELAY = 0.3  # seconds after the last edit: a burst of keystrokes is checked once
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
}


class LintRuntime:
    def __init__(self, server: Any):
        self.server = server
        self.timers: Dict[str, asyncio.TimerHandle] = {}
        self.published: Dict[str, Tuple[int, List[Finding]]] = {}  # key -> (revision, findings)
        self.uris: Dict[str, str] = {}  # key -> the URI as the client spelled it

    def schedule(self, uri: str, now: bool = False) -> None:
        """Check the document after DELAY (at once with `now`, as on open)."""
        if not self.server.options.diagnostics:
            return
        key = document_key(uri)
        old = self.timers.pop(key, None)
        if old is not None:
            old.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.run(uri)
            return
        self.timers[key] = loop.call_later(0 if now else DELAY, self.run, uri)

    def option_changed(self, on: bool) -> None:
        """The `diagnostics` option turned on (check every open document) or off (clear them)."""
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
        self.uris.pop(key, None)
        if self.published.pop(key, None) is not None:
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def findings(self, uri: str) -> Optional[Tuple[Any, List[Finding]]]:
        """(facts, findings) of the document's current version, checked now if not yet."""
        from sheetls.diagnostics import check

        facts = self.server.document_facts(uri)
        if facts is None:
            return None
        key = document_key(uri)
        known = self.published.get(key)
        if known is not None and known[0] == facts.revision and facts.revision >= 0:
            return facts, known[1]
        found = check("\n".join(facts.lines), _path(uri), self.server.target_of(uri).version)
        self.published[key] = (facts.revision, found)
        self.uris[key] = uri
        return facts, found

    def run(self, uri: str) -> None:
        self.timers.pop(document_key(uri), None)
        try:
            got = self.findings(uri)
            if got is None:
                return
            facts, found = got
            diagnostics = [self.diagnostic(uri, facts, f) for f in found]
            self.server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=facts.doc.version)
            )
        except Exception:
            log.error("lint failed:\n%s", traceback.format_exc())

    def diagnostic(self, uri: str, facts: Any, f: Finding) -> types.Diagnostic:
        profile = self.server.profile
        rule = f.rule
        return types.Diagnostic(
            range=self.range(uri, facts, f.line, f.col, f.end_line, f.end_col),
            message=f.message,
            severity=_SEVERITY.get(rule.severity, types.DiagnosticSeverity.Warning),
            code=f.code,
            code_description=types.CodeDescription(href=f.url) if profile.diagnostic_links else None,
            source="sheetls",
            tags=[types.DiagnosticTag.Deprecated] if rule.deprecated and profile.diagnostic_tags else None,
        )

    def range(self, uri: str, facts: Any, line: int, col: int, end_line: int, end_col: int) -> types.Range:
        return types.Range(
            self.server.to_client(uri, facts, line, col), self.server.to_client(uri, facts, end_line, end_col)
        )

    def code_actions(self, params: types.CodeActionParams) -> Optional[List[types.CodeAction]]:
        """A quick fix for each finding with a fix that meets the requested range (only fixes
        whose result compiles are offered)."""
        from sheetls.diagnostics import apply_fixes

        if not self.server.options.diagnostics:
            return None
        only = params.context.only
        if only and not any(types.CodeActionKind.QuickFix.value.startswith(k) for k in only):
            return None
        uri = params.text_document.uri
        got = self.findings(uri)
        if got is None:
            return None
        facts, found = got
        want = params.range
        text = "\n".join(facts.lines)
        actions = []
        for f in found:
            if f.fix is None:
                continue
            diag = self.diagnostic(uri, facts, f)
            r = diag.range
            if (r.end.line, r.end.character) < (want.start.line, want.start.character) or (
                r.start.line,
                r.start.character,
            ) > (want.end.line, want.end.character):
                continue
            if apply_fixes(text, [f])[1] != 1:
                continue
            edits = [
                types.TextEdit(range=self.range(uri, facts, e.line, e.col, e.end_line, e.end_col), new_text=e.text)
                for e in f.fix.edits
            ]
            actions.append(
                types.CodeAction(
                    title=f"{f.fix.title} ({f.code})",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    is_preferred=True,
                    edit=types.WorkspaceEdit(changes={uri: edits}),
                )
            )
        return actions or None


def _path(uri: str) -> Optional[str]:
    if not uri.startswith("file:"):
        return None
    from pygls.uris import to_fs_path

    return to_fs_path(uri)
