"""Hover: the sheet's entry (or member note) for the API under the cursor.

The name is resolved the way Python resolves it (resolve.py); only names the sheet documents
get an answer, everything else gets None (the protocol's null), so that the user's other
Python server speaks alone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple
from urllib.parse import quote

from sheetls import render
from sheetls.docmodel import VersionModel
from sheetls.index import SheetIndex
from sheetls.model import Entry, PyVersion
from sheetls.pyimports import Imports
from sheetls.resolve import Target, resolve_at


@dataclass(frozen=True)
class HoverAnswer:
    text: str
    markdown: bool
    target: Target


def hover_at(
    index: SheetIndex,
    lines: Sequence[str],
    line: int,
    col: int,
    markdown: bool = True,
    example: str = "full",
    imports: Optional[Imports] = None,
    python: Optional[PyVersion] = None,
    model: Optional[VersionModel] = None,
    sheet_link: str = "",
) -> Optional[HoverAnswer]:
    """The hover for (line, code point col) of a Python document, or None.

    `example` is the hoverExample option: "full" (the runnable program), "short" (the core
    lines only, for small hover windows) or "none". `python`: the Python version the project
    targets ((3, 10)); the hover says so, marks what that version lacks and lists only the
    pitfalls that hold for it. `model`: the version's docmodel.VersionModel (a server that keeps a
    DocumentModel per document passes `document.at(lines)`; default: a fresh model).
    `sheet_link`: how the client opens the sheet at an entry (ClientProfile.sheet_link): the
    hover then ends with an "Open in sheet" link (see `open_in_sheet`)."""
    target = _target(index, lines, line, col, imports, model)
    if target is None:
        return None
    entry = index.entry_for_api(target.api)
    if entry is not None:
        if markdown:
            text = render.entry_markdown(entry, example=example, target=python)
        else:
            text = render.entry_plain(entry, example=example, target=python)
        return HoverAnswer(_with_link(text, index, entry, sheet_link, markdown), markdown, target)
    found = index.member(target.api)
    if found is not None:
        member, owner = found
        if markdown:
            text = render.member_markdown(member, owner, python)
        else:
            text = render.member_plain(member, owner, python)
        return HoverAnswer(_with_link(text, index, owner, sheet_link, markdown), markdown, target)
    return None


def _target(
    index: SheetIndex,
    lines: Sequence[str],
    line: int,
    col: int,
    imports: Optional[Imports],
    model: Optional[VersionModel],
) -> Optional[Target]:
    """The name at (line, col) resolved, when the sheet documents it (an entry's API or a member)."""

    def known(api: str) -> bool:
        return index.entry_for_api(api) is not None or index.member(api) is not None

    return resolve_at(lines, line, col, imports, known, index.facts, model)


def entry_at(
    index: SheetIndex,
    lines: Sequence[str],
    line: int,
    col: int,
    imports: Optional[Imports] = None,
    model: Optional[VersionModel] = None,
) -> Optional[Entry]:
    """The entry the hover at (line, col) shows (a member's: the entry it belongs to), or None."""
    target = _target(index, lines, line, col, imports, model)
    if target is None:
        return None
    entry = index.entry_for_api(target.api)
    if entry is not None:
        return entry
    found = index.member(target.api)
    return found[1] if found is not None else None


def open_in_sheet(anchor: str, sheet_link: str, markdown: bool) -> str:
    """The hover's last line, which opens the sheet at the entry `anchor`. `sheet_link`:
    "command:NAME": a markdown command link (VS Code runs NAME with {"anchor": anchor}, a
    command its client trusts in hover markdown); "nvim": the Ex command that shows the sheet
    buffer at the entry (:SheetlsEntry, which without an argument takes the entry under the
    cursor); "": none."""
    if sheet_link.startswith("command:") and markdown:
        args = quote(json.dumps([{"anchor": anchor}], separators=(",", ":")))
        return f'[Open in sheet]({sheet_link}?{args} "Show this entry in the sheet page")'
    if sheet_link == "nvim":
        return f"Open in sheet: `:SheetlsEntry {anchor}`" if markdown else f"Open in sheet: :SheetlsEntry {anchor}"
    return ""


_anchors_of: Tuple[object, Dict[Tuple[str, str], str]] = ((), {})


def _anchor(index: SheetIndex, entry: Entry) -> Optional[str]:
    """The entry's fragment in the page of the served sheets; the table is made once per
    loaded set of sheets (36 ms for 10,000 entries: not on every hover)."""
    global _anchors_of
    sheets, table = _anchors_of
    if sheets is not index.sheets:
        from sheetls.page import anchors

        table = anchors(index.sheets)
        _anchors_of = (index.sheets, table)
    return table.get((entry.pack, entry.id))


def _with_link(text: str, index: SheetIndex, entry: Entry, sheet_link: str, markdown: bool) -> str:
    if not sheet_link:
        return text
    anchor = _anchor(index, entry)
    link = open_in_sheet(anchor, sheet_link, markdown) if anchor else ""
    return f"{text.rstrip()}\n\n{link}\n" if link else text
