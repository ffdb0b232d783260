"""The sheet inside the editors (issue 17): workspace/executeCommand handlers the clients call.

- `sheetls.renderPage [{"view"?, "uri"?, "nonce"?}]`: the one-page sheet (sheetls.page.render_page)
  as a string, for VS Code's webview; `uri`: a document whose project's Python version it speaks
  for; `nonce`: put on its inline style and script (the webview's content security policy).
- `sheetls.formAt [{"uri", "position", "anchor" | "pack"+"id"}]`: what completion would insert
  for that entry at that place of an open Python document, with nothing typed (the webview's
  "Insert at cursor", Neovim's insert key): {text, isSnippet, form, insertTextMode,
  additionalTextEdits, title}, or {text: null, reason} where completion offers nothing there.
- `sheetls.sheetOutline [{"view"?}]`: the markdown sheet (as sheetls.renderSheet answers) and
  where each entry stands in it: {markdown, entries: [{line, end, pack, id, anchor, title,
  prefix, example, core}]} (Neovim's :SheetlsSheet buffer keys).
- `sheetls.entryAt [{"uri", "position"}]`: the entry the hover at that place shows
  ({pack, id, anchor, title}) or null (Neovim's :SheetlsEntry without an argument).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional, Tuple

from lsprotocol import types
from pygls.lsp.server import LanguageServer

log = logging.getLogger("sheetls")

CMD_RENDER_PAGE = "sheetls.renderPage"
CMD_FORM_AT = "sheetls.formAt"
CMD_SHEET_OUTLINE = "sheetls.sheetOutline"
CMD_ENTRY_AT = "sheetls.entryAt"


def _opts(args: Any) -> Dict[str, Any]:
    """The one object argument (pygls passes the arguments as a list)."""
    first = args[0] if args else None
    return first if isinstance(first, dict) else {}


def _position(opts: Dict[str, Any]) -> types.Position:
    pos = opts.get("position")
    if not isinstance(pos, dict) or not isinstance(pos.get("line"), int) or not isinstance(pos.get("character"), int):
        raise ValueError("position: expected {line, character}")
    return types.Position(pos["line"], pos["character"])


def _view(opts: Dict[str, Any]) -> str:
    from sheetls import render

    view = opts.get("view", "standard")
    if view not in render.VIEWS:
        raise ValueError(f"unknown view {view!r}: choose from {', '.join(render.VIEWS)}")
    return view


def install(server: LanguageServer, version_model: Callable[[Any], Any]) -> None:
    """Register the commands on the language server (sheetls.lsp.server.server);
    `version_model(facts)`: the resolver's model of a document's version (server.version_model)."""

    @server.command(CMD_RENDER_PAGE)
    def render_page(ls: Any, *args: Any) -> str:
        from sheetls.page import render_page as page

        opts = _opts(args)
        uri = opts.get("uri")
        target = ls.target_of(uri).version if isinstance(uri, str) and uri else None
        nonce = opts.get("nonce") if isinstance(opts.get("nonce"), str) else None
        return page(list(ls.index.sheets), _view(opts), target, nonce=nonce or None)

    @server.command(CMD_SHEET_OUTLINE)
    def sheet_outline(ls: Any, *args: Any) -> Dict[str, Any]:
        from sheetls.sheet_outline import outline

        markdown, entries = outline(list(ls.index.sheets), _view(_opts(args)))
        return {"markdown": markdown, "entries": [e.as_json() for e in entries]}

    @server.command(CMD_ENTRY_AT)
    def entry_at(ls: Any, *args: Any) -> Optional[Dict[str, Any]]:
        from sheetls.hover import entry_at as find
        from sheetls.page import anchors

        opts = _opts(args)
        at = _python_place(ls, opts)
        if at is None:
            return None
        uri, facts, line, col = at
        entry = find(ls.index, facts.lines, line, col, model=version_model(facts))
        if entry is None:
            return None
        anchor = anchors(list(ls.index.sheets)).get((entry.pack, entry.id))
        return {"pack": entry.pack, "id": entry.id, "anchor": anchor, "title": entry.title}

    @server.command(CMD_FORM_AT)
    def form_at(ls: Any, *args: Any) -> Dict[str, Any]:
        from sheetls.completion import propose_entry
        from sheetls.sheet_outline import entry_by_anchor

        opts = _opts(args)
        sheets = list(ls.index.sheets)
        if isinstance(opts.get("anchor"), str):
            found = entry_by_anchor(sheets, opts["anchor"])
            entry = found[1] if found else None
        else:
            entry = ls.index.by_id.get((opts.get("pack"), opts.get("id")))
        if entry is None:
            raise ValueError(f"no entry {opts.get('anchor') or (opts.get('pack'), opts.get('id'))!r} in the sheet")
        at = _python_place(ls, opts)
        if at is None:
            return {"text": None, "reason": "not an open Python document, or the position is outside it"}
        uri, facts, line, col = at
        p = propose_entry(
            entry,
            facts.lines,
            line,
            col,
            ls.profile,
            ls.imports_of(facts),
            version_model(facts).in_string,
            ls.target_of(uri).version,
        )
        if p is None:
            if not entry.versions.applies(ls.target_of(uri).version):
                reason = "the project's Python version lacks this entry's API"
            else:
                reason = "no form of this entry fits here (completion offers none at this place)"
            return {"text": None, "reason": reason, "title": entry.title}
        edits: List[Dict[str, Any]] = []
        for e in p.additional:
            start = ls.to_client(uri, facts, e.line, e.start)
            end = ls.to_client(uri, facts, e.line, e.end)
            edits.append(
                {
                    "range": {
                        "start": {"line": start.line, "character": start.character},
                        "end": {"line": end.line, "character": end.character},
                    },
                    "newText": e.text,
                }
            )
        return {
            "text": p.text,
            "isSnippet": p.is_snippet,
            "form": p.form,
            "insertTextMode": 2 if p.adjust_indentation else 1,  # LSP InsertTextMode
            "additionalTextEdits": edits,
            "title": entry.title,
            "note": p.note,
        }


def _python_place(ls: Any, opts: Dict[str, Any]) -> Optional[Tuple[str, Any, int, int]]:
    """(uri, facts, line, code point column) of {uri, position} in an open Python document."""
    uri = opts.get("uri")
    if not isinstance(uri, str):
        raise ValueError("uri: expected the document's URI")
    facts = ls.document_facts(uri)
    if facts is None:
        return None
    pos = ls.to_server(uri, facts, _position(opts))
    return None if pos is None else (uri, facts, pos[0], pos[1])
