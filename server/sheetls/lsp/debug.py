"""Debug-only hooks, installed only when the environment has SHEETLS_DEBUG=1.

- `workspace/executeCommand` `sheetls.debugDocumentText` with arguments `[uri]` (or
  `[{"uri": uri}]`) answers `{"uri", "version", "text"}`: the server's current text of an
  open document, so a test can check the document model against its own after any edits.
- `sheetls.debugStats` answers the sizes of the server's per-document and per-request
  tables (open documents, cached document facts, in-flight futures, pending result types)
  and how many objects the garbage collector leaves alone (`gc.freeze`), so a test can check
  that none grows without bound.
- Fault injection: a document with a line containing `sheetls-debug-fault: hover` (or
  `completion`) makes that feature raise inside its handler for that document, so a test
  can watch one failing feature being contained (logged with its traceback, answered null)
  while the server and the other features go on. The server wraps each feature's answer
  explicitly: `propose = debug.with_faults("completion", _propose)`.

Without SHEETLS_DEBUG=1 none of this exists: the commands are not registered (nor advertised)
and `with_faults` gives the function back as it is.
"""

from __future__ import annotations

import functools
import gc
import os
from typing import Any, Callable

from pygls.lsp.server import LanguageServer

CMD_DOCUMENT_TEXT = "sheetls.debugDocumentText"
CMD_STATS = "sheetls.debugStats"
FAULT_MARK = "sheetls-debug-fault:"


def enabled() -> bool:
    return os.environ.get("SHEETLS_DEBUG") == "1"


def install(server: LanguageServer) -> None:
    """Register the debug commands on `server` (SHEETLS_DEBUG=1 only)."""
    if not enabled():
        return

    @server.command(CMD_DOCUMENT_TEXT)
    def document_text(ls, *args: Any):
        arg = args[0] if args else None
        uri = arg.get("uri") if isinstance(arg, dict) else arg
        if not isinstance(uri, str):
            raise ValueError(f"{CMD_DOCUMENT_TEXT} takes [uri]")
        doc = ls.open_document(uri)
        if doc is None:
            return None
        return {"uri": uri, "version": doc.version, "text": doc.source}

    @server.command(CMD_STATS)
    def stats(ls, *args: Any):
        protocol = ls.protocol  # its tables are pygls privates (pygls_privates.py)
        return {
            "documents": len(ls.workspace.text_documents),
            "facts": len(getattr(ls, "facts", {})),
            "request_futures": len(protocol._request_futures),
            "result_types": len(protocol._result_types),
            "frozen": gc.get_freeze_count(),  # objects the collector leaves alone (lint_runtime._settle)
        }


def with_faults(feature: str, fn: Callable) -> Callable:
    """`fn(index, lines, ...)`, raising for a document that asks for a fault in `feature`
    (SHEETLS_DEBUG=1 only); without debug mode, `fn` itself."""
    if not enabled():
        return fn
    mark = f"{FAULT_MARK} {feature}"

    @functools.wraps(fn)
    def inner(index, lines, *args, **kwargs):
        if any(mark in line for line in lines):
            raise RuntimeError(f"injected fault in {feature} (debug mode, '{mark}' in the document)")
        return fn(index, lines, *args, **kwargs)

    return inner
