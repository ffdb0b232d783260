"""The text formats of the packs, all from the one source (the sheet model): a VS Code
`.code-snippets` file, the json model and the markdown views. `sheetls.export` dispatches
to them and to the page (sheetls.page), whose downloads are these texts."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence

from sheetls import forms, render
from sheetls.model import Entry, Pitfall, PyVersion, Sheet, Versions

JSON_SCHEMA = 1


def static_body(entry: Entry) -> str:
    """What a static snippet inserts. A static snippet cannot see where the cursor stands, so
    a sheet entry inserts its complete runnable program (what sheetls inserts at module
    level); an entry read from a VS Code snippet file inserts its body as it is."""
    return entry.body if entry.raw else forms.entry_program(entry)


# --- vscode ----------------------------------------------------------------------------------------


def vscode(sheets: Sequence[Sheet]) -> str:
    """A `.code-snippets` file: one snippet per entry, scoped to Python."""
    out: Dict[str, Dict[str, Any]] = {}
    prefixes: Dict[str, int] = {}
    for sheet in sheets:
        for entry in sheet.entries:
            prefixes[entry.prefix] = prefixes.get(entry.prefix, 0) + 1
    for sheet in sheets:
        for entry in sheet.entries:
            name = entry.title if prefixes[entry.prefix] == 1 else f"{entry.title} ({sheet.id})"
            base, k = name, 2
            while name in out:
                name, k = f"{base} {k}", k + 1
            out[name] = {
                "scope": "python",
                "prefix": entry.prefix,
                "body": static_body(entry).rstrip("\n").split("\n"),
                "description": entry.summary,
            }
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


# --- json --------------------------------------------------------------------------------------------


def _versions_json(v: Versions) -> Dict[str, str]:
    return {k: getattr(v, k) for k in ("added", "changed", "removed") if getattr(v, k)}


def _pitfalls_json(pitfalls: Sequence[Pitfall]) -> List[Dict[str, str]]:
    return [{"text": p.text, **_versions_json(p.versions)} for p in pitfalls]


def _entry_json(entry: Entry) -> Dict[str, Any]:
    data = {
        "id": entry.id,
        "title": entry.title,
        "summary": entry.summary,
        "prefix": entry.prefix,
        "section": entry.section,
        "tags": list(entry.tags),
        "apis": list(entry.apis),
        "signature": entry.signature,
        "docs": entry.docs,
        "note": entry.note,
        "imports": list(entry.imports),
        "helpers": entry.helpers,
        "body": entry.body,
        "program": static_body(entry),
        "example": entry.example,
        "raw": entry.raw,
        **_versions_json(entry.versions),
        "params": [
            {"name": p.name, **_versions_json(p.versions), **({"note": p.note} if p.note else {})} for p in entry.params
        ],
        "pitfalls": _pitfalls_json(entry.pitfalls),
    }
    return data


def model_json(sheets: Sequence[Sheet]) -> str:
    """The validated sheet model: packs, sections, entries (with every derived form), members."""
    packs = []
    for sheet in sheets:
        packs.append(
            {
                "id": sheet.id,
                "title": sheet.title,
                "summary": sheet.summary,
                "language": sheet.language,
                "oldest_python": sheet.oldest_python,
                "newest_python": sheet.newest_python,
                "sections": [
                    {"id": s.id, "title": s.title, "summary": s.summary, "entries": [_entry_json(e) for e in s.entries]}
                    for s in sheet.sections
                ],
                "members": [
                    {
                        "api": m.api,
                        "entry": m.entry,
                        "summary": m.summary,
                        "pitfall": m.pitfall,
                        "docs": m.docs,
                        **_versions_json(m.versions),
                        "pitfalls": _pitfalls_json(m.pitfalls),
                    }
                    for m in sheet.members
                ],
            }
        )
    return (
        json.dumps({"schema": JSON_SCHEMA, "generator": "sheetls", "packs": packs}, indent=2, ensure_ascii=False) + "\n"
    )


# --- markdown ----------------------------------------------------------------------------------------


def markdown(sheets: Sequence[Sheet], view: str = "standard", target: Optional[PyVersion] = None) -> str:
    return "\n".join(render.sheet_markdown(sheet, view, target) for sheet in sheets)
