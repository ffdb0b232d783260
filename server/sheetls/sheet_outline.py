"""The sheet as the editors show it inside themselves (issue 17): where each entry stands in
the markdown sheet (Neovim's :SheetlsSheet buffer), and which entry an anchor of the page
(VS Code's webview) names. Pure functions over the loaded sheets; no protocol here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from sheetls import export
from sheetls.model import Entry, PyVersion, Sheet
from sheetls.page import anchors, core_lines


@dataclass(frozen=True)
class OutlineEntry:
    line: int  # 0-based line of the entry's heading in the markdown
    end: int  # 0-based line after the entry's last line (the next entry's or section's heading)
    pack: str
    id: str
    anchor: str
    title: str
    prefix: str
    example: str  # the runnable program (what the page's "Copy example" copies)
    core: str  # the core lines (what the editor inserts inside an async def)

    def as_json(self) -> Dict[str, object]:
        return dict(self.__dict__)


def _heading(entry: Entry, view: str) -> str:
    """How an entry's first line starts in render.sheet_markdown's view."""
    return f"**{entry.title}** (`{entry.prefix}`)" if view == "compact" else f"### {entry.title}"


def outline(
    sheets: Sequence[Sheet], view: str = "standard", target: Optional[PyVersion] = None
) -> Tuple[str, List[OutlineEntry]]:
    """The markdown sheet (`sheetls export --format markdown`, as sheetls.renderSheet answers)
    and, in page order, where each entry stands in it. Headings inside code fences are not
    headings; each entry is looked for after the one before it."""
    markdown = export.markdown(sheets, view, target)
    lines = markdown.split("\n")
    anchor_of = anchors(sheets)
    fenced = []
    inside = False
    for text in lines:
        if text.startswith("```"):
            inside = not inside
            fenced.append(True)
        else:
            fenced.append(inside)
    found: List[OutlineEntry] = []
    at = 0
    for sheet in sheets:
        for entry in sheet.entries:
            head = _heading(entry, view)
            k = at
            while k < len(lines) and (fenced[k] or not lines[k].startswith(head)):
                k += 1
            if k == len(lines):
                raise ValueError(f"entry {entry.id!r} is not in the {view} sheet")
            found.append(
                OutlineEntry(
                    line=k,
                    end=k + 1,
                    pack=sheet.id,
                    id=entry.id,
                    anchor=anchor_of[(sheet.id, entry.id)],
                    title=entry.title,
                    prefix=entry.prefix,
                    example=entry.example or core_lines(entry),
                    core=core_lines(entry),
                )
            )
            at = k + 1
    # An entry ends where the next entry, section (##) or sheet (#) starts.
    starts = sorted(
        {e.line for e in found}
        | {i for i, t in enumerate(lines) if t.startswith("#") and not fenced[i] and not t.startswith("###")}
    )
    out = []
    for e in found:
        later = [s for s in starts if s > e.line]
        end = later[0] if later else len(lines)
        while end > e.line + 1 and not lines[end - 1].strip():
            end -= 1
        out.append(OutlineEntry(**{**e.__dict__, "end": end}))
    return markdown, out


def entry_by_anchor(sheets: Sequence[Sheet], anchor: str) -> Optional[Tuple[str, Entry]]:
    """(pack id, entry) whose fragment in the page of `sheets` is `anchor`."""
    for (pack, entry_id), a in anchors(sheets).items():
        if a == anchor:
            for sheet in sheets:
                if sheet.id == pack:
                    for entry in sheet.entries:
                        if entry.id == entry_id:
                            return pack, entry
    return None
