"""The floor: a bare pygls 2.1 language server answering completion and hover
from a dict, with pygls's own document handling (incremental sync, word at
position). Nothing a real snippet server could skip: it is what JSON-RPC,
pygls dispatch and pygls's TextDocument cost on this machine, so every figure
of the benchmark is also given as a ratio to this server's.

It knows the six sheet entries by title only (no docs: it is a timing
baseline, not a sheet server), and it loads packs given as
``initializationOptions: {"packs": [path, ...]}`` into the same dict, so the
pack benchmark has a floor too (one YAML load + a sorted list to bisect).

Run: ``python benchmarks/floor_server.py`` (stdio). With ``--line-store`` its
documents are sheetls's ``LineDocument`` s (server/sheetls/lsp/workspace.py, over the
line store of server/sheetls/documents.py)
instead of pygls's ``TextDocument`` s: the same floor with an incrementally
updated line store, to see what the store alone buys.
"""

from __future__ import annotations

import bisect
import sys
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from entries import ENTRIES

LINE_STORE = "--line-store" in sys.argv  # documents in sheetls.lsp.workspace.LineDocument
if LINE_STORE:
    from sheetls.lsp.workspace import LineStoreProtocol

    server = LanguageServer("sheet-floor", "0.1", protocol_cls=LineStoreProtocol)
else:
    server = LanguageServer("sheet-floor", "0.1")

# trigger -> (title, markdown); api name -> trigger
BY_TRIGGER: dict[str, tuple[str, str]] = {
    trig: (title, f"### {title}\n\n`asyncio.{api}`") for trig, api, title in ENTRIES
}
BY_API = {api: trig for trig, api, _ in ENTRIES}
SORTED: list[str] = sorted(BY_TRIGGER)


def _load_pack(path: str) -> None:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=loader)
    for section in data.get("sections") or []:
        for e in section.get("entries") or []:
            trig = e.get("prefix")
            title = e.get("title", trig)
            if trig:
                BY_TRIGGER[trig] = (title, f"### {title}\n\n{e.get('summary', '')}")


@server.feature(types.INITIALIZE)
def on_initialize(params: types.InitializeParams) -> None:
    opts = params.initialization_options or {}
    for path in opts.get("packs", []) if isinstance(opts, dict) else []:
        _load_pack(path)
    SORTED[:] = sorted(BY_TRIGGER)


def _word(ls: LanguageServer, params) -> str:
    doc = ls.workspace.get_text_document(params.text_document.uri)
    return doc.word_at_position(params.position)


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(resolve_provider=True),
)
def completion(ls: LanguageServer, params: types.CompletionParams):
    prefix = _word(ls, params)
    if not prefix:
        return None
    items = []
    i = bisect.bisect_left(SORTED, prefix)
    while i < len(SORTED) and SORTED[i].startswith(prefix) and len(items) < 100:
        trig = SORTED[i]
        items.append(
            types.CompletionItem(
                label=trig,
                kind=types.CompletionItemKind.Snippet,
                detail=BY_TRIGGER[trig][0],
            )
        )
        i += 1
    return types.CompletionList(is_incomplete=len(items) >= 100, items=items)


@server.feature(types.COMPLETION_ITEM_RESOLVE)
def resolve(ls: LanguageServer, item: types.CompletionItem):
    entry = BY_TRIGGER.get(item.label)
    if entry is not None:
        item.documentation = types.MarkupContent(types.MarkupKind.Markdown, entry[1])
    return item


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: LanguageServer, params: types.HoverParams):
    trig = BY_API.get(_word(ls, params))
    if trig is None:
        return None
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, BY_TRIGGER[trig][1]))


if __name__ == "__main__":
    server.start_io()
