"""The texts the page copies and searches, from the sheet model: an entry's core lines, the
words that find it, and the whole sheet as plain text in a view (the `C` key)."""

from __future__ import annotations

import re
from typing import List, Optional

from sheetls import forms, render, snippet_syntax
from sheetls.index import _keywords
from sheetls.model import Entry, Member, PyVersion, Sheet


def core_lines(entry: Entry) -> str:
    """What the editor inserts inside an `async def` (completion's body form in a file that
    defines none of the entry's helpers), placeholders at their defaults: the helpers it
    calls, nested, then the core lines. An entry read from a VS Code snippet file: its body."""
    if entry.raw:
        return snippet_syntax.to_plain(snippet_syntax.parse(entry.body)).rstrip("\n") + "\n"
    return snippet_syntax.to_plain(snippet_syntax.parse(forms.body_snippet(entry, {}))).rstrip("\n") + "\n"


def search_keys(entry: Entry) -> List[str]:
    """The lower-case words completion finds the entry by (SheetIndex.find): its prefix, the
    parts of its API names, its tags. A typed word finds the entry when one of them starts
    with it, in either case."""
    keys = [entry.prefix.lower()]
    for word in sorted({w.lower() for w in _keywords(entry)}):
        if word not in keys:
            keys.append(word)
    return keys


_MARKS = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\((https?://[^)\s]+)\)")


def unmark(text: str) -> str:
    """Inline markdown as read: `code` and **bold** as their text, [a](url) as "a (url)"."""
    return _MARKS.sub(lambda m: m.group(1) or m.group(2) or f"{m.group(3)} ({m.group(4)})", text)


def _bullets(lines: List[str]) -> str:
    return "\n".join(f"- {unmark(line)}" for line in lines)


def entry_plain(entry: Entry, view: str, target: Optional[PyVersion] = None) -> str:
    """One entry as the view shows it, in plain text."""
    parts = [f"{unmark(entry.title)} ({entry.prefix})", unmark(entry.summary)]
    if view != "compact" and entry.tags:
        parts[-1] += "\nTags: " + ", ".join(entry.tags)
    if view == "detailed" and entry.signature:
        parts.append(entry.signature)
        notes = render.version_notes(entry, target)
        if notes:
            parts.append(("Parameters and versions:\n" if target is None else "For this Python:\n") + _bullets(notes))
    parts.append((entry.example or entry.body).rstrip("\n"))
    if view != "compact":
        if entry.note:
            parts.append(unmark(entry.note))
        pitfalls = render.pitfalls_for(entry.pitfalls, target)
        if pitfalls:
            parts.append("Pitfalls:\n" + _bullets([f"({lab}) {text}" if lab else text for lab, text in pitfalls]))
    if view == "detailed":
        if entry.apis:
            parts.append("APIs: " + ", ".join(entry.apis))
        if entry.docs:
            parts.append(f"Docs: {entry.docs}")
    return "\n\n".join(parts)


def sheet_plain(sheet: Sheet, view: str = "standard", target: Optional[PyVersion] = None) -> str:
    """The whole sheet in `view` as plain text: what `C` copies."""
    if view not in render.VIEWS:
        raise ValueError(f"unknown view {view!r} (choose from {', '.join(render.VIEWS)})")
    out = [unmark(sheet.title), unmark(sheet.summary)]
    speaks = render.speaks_for(sheet, target)
    if speaks:
        out[-1] += f"\nFor {speaks}."
    for section in sheet.sections:
        head = unmark(section.title).upper()
        out.append(head + ("\n" + unmark(section.summary) if view != "compact" and section.summary else ""))
        out.extend(entry_plain(e, view, target) for e in section.entries)
        if view == "detailed":
            ids = {e.id for e in section.entries}
            members = [m for m in sheet.members if m.entry in ids]
            if members:
                out.append("Members:\n" + "\n".join(_member_plain(m, target) for m in members))
    return "\n\n".join(out) + "\n"


def _member_plain(member: Member, target: Optional[PyVersion]) -> str:
    versions = render.member_versions(member, target)
    line = f"- {member.api}" + (f" ({versions})" if versions else "") + f": {unmark(member.summary)}"
    for label, text in render.member_pitfalls(member, target):
        line += f" Pitfall: {unmark(f'({label}) {text}' if label else text)}"
    return line
