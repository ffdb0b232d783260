"""Hover: the sheet's entry (or member note) for the API under the cursor.

The name is resolved the way Python resolves it (resolve.py); only names the sheet documents
get an answer, everything else gets None (the protocol's null), so that the user's other
Python server speaks alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from sheetls import render
from sheetls.docmodel import VersionModel
from sheetls.index import SheetIndex
from sheetls.model import PyVersion
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
) -> Optional[HoverAnswer]:
    """The hover for (line, code point col) of a Python document, or None.

    `example` is the hoverExample option: "full" (the runnable program), "short" (the core
    lines only, for small hover windows) or "none". `python`: the Python version the project
    targets ((3, 10)); the hover says so, marks what that version lacks and lists only the
    pitfalls that hold for it. `model`: the version's docmodel.VersionModel (a server that keeps a
    DocumentModel per document passes `document.at(lines)`; default: resolve's adapters)."""

    def known(api: str) -> bool:
        return index.entry_for_api(api) is not None or index.member(api) is not None

    target = resolve_at(lines, line, col, imports, known, index.facts, model)
    if target is None:
        return None
    entry = index.entry_for_api(target.api)
    if entry is not None:
        if markdown:
            text = render.entry_markdown(entry, example=example, target=python)
        else:
            text = render.entry_plain(entry, example=example, target=python)
        return HoverAnswer(text, markdown, target)
    found = index.member(target.api)
    if found is not None:
        member, owner = found
        if markdown:
            text = render.member_markdown(member, owner, python)
        else:
            text = render.member_plain(member, owner, python)
        return HoverAnswer(text, markdown, target)
    return None
