"""Entry anchors: the fragment (`#open-tcp-connection`) that names an entry in the page.

An anchor is the entry's id as a slug: ids are authored once, are already slugs in the
sheet (`open-tcp-connection`), and stay put when a title is reworded, so links made from a
hover or shared by people keep working. Ids of entries read from VS Code snippet files are
slugs of the snippet's name (vscode_snippets.slug)."""

from __future__ import annotations

import re
from typing import Dict, Sequence, Tuple

from sheetls.model import Entry, Sheet

_NOT_SLUG = re.compile(r"[^a-z0-9]+")

# Fragments the page itself uses (sections are `section-<id>`): an entry never takes one.
RESERVED = frozenset({"sheet", "keys", "search", "top"})


def slug(text: str) -> str:
    return _NOT_SLUG.sub("-", text.lower()).strip("-") or "entry"


def entry_anchor(entry: Entry) -> str:
    """The fragment of `entry` in a page (no `#`): `open-tcp-connection`. Pure: it depends
    on the entry alone. In a page of several packs, an entry whose anchor an earlier entry
    already took gets `<pack>--<anchor>` instead (see `anchors`)."""
    base = slug(entry.id)
    return f"entry-{base}" if base in RESERVED or base.startswith("section-") else base


def anchors(sheets: Sequence[Sheet]) -> Dict[Tuple[str, str], str]:
    """(pack id, entry id) -> the entry's fragment in the page of `sheets`: `entry_anchor`,
    made unique in the order of the page (later duplicates are prefixed with their pack)."""
    out: Dict[Tuple[str, str], str] = {}
    taken = set()
    for sheet in sheets:
        for entry in sheet.entries:
            anchor = entry_anchor(entry)
            if anchor in taken:
                base, k = f"{slug(sheet.id)}--{anchor}", 2
                anchor = base
                while anchor in taken:
                    anchor, k = f"{base}-{k}", k + 1
            taken.add(anchor)
            out[(sheet.id, entry.id)] = anchor
    return out
