"""Hover: the sheet's entry (or member note) for the API under the cursor."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from sheetls import render
from sheetls.index import SheetIndex
from sheetls.pyimports import Imports
from sheetls.resolve import Target, resolve_at


@dataclass(frozen=True)
class HoverAnswer:
    text: str
    markdown: bool
    target: Target


def hover_at(index: SheetIndex, lines: Sequence[str], line: int, col: int, markdown: bool = True,
             example: str = "full", imports: Optional[Imports] = None) -> Optional[HoverAnswer]:
    target = resolve_at(lines, line, col, imports)
    if target is None:
        return None
    entry = index.entry_for_api(target.api)
    if entry is not None:
        show_example = example != "none"
        text = render.entry_markdown(entry, example=show_example) if markdown else render.entry_plain(entry, example=show_example)
        return HoverAnswer(text, markdown, target)
    found = index.member(target.api)
    if found is not None:
        member, owner = found
        text = render.member_markdown(member, owner) if markdown else render.member_plain(member, owner)
        return HoverAnswer(text, markdown, target)
    return None
