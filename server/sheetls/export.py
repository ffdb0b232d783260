"""Exports of the packs, all from the one source (the sheet model):

- `vscode`: a `.code-snippets` JSON file for users who want static snippets;
- `markdown`: the sheet as people read it, in the original page's views (standard,
  detailed, compact);
- `html`: the sheet as one self-contained page people use (sheetls.page): the three views,
  copy buttons, keys, downloads, search, entry anchors, print CSS;
- `json`: the validated sheet model, for other tools.

`write_dist(folder)` writes every export of the built-in sheet (what the repo keeps in
snippets/dist/); `check_dist(folder)` says which of those files are out of date.
"""

from __future__ import annotations

import html as _html
import json
import os
import re
from typing import Dict, List, Optional, Sequence, Tuple

from sheetls import forms, render
from sheetls.model import Entry, Pitfall, PyVersion, Sheet, Versions

FORMATS = ("vscode", "markdown", "html", "json")
VIEWS = render.VIEWS
JSON_SCHEMA = 1


def static_body(entry: Entry) -> str:
    """What a static snippet inserts. A static snippet cannot see where the cursor stands, so
    a sheet entry inserts its complete runnable program (what sheetls inserts at module
    level); an entry read from a VS Code snippet file inserts its body as it is."""
    return entry.body if entry.raw else forms.entry_program(entry)


# --- vscode ----------------------------------------------------------------------------------------


def vscode(sheets: Sequence[Sheet]) -> str:
    """A `.code-snippets` file: one snippet per entry, scoped to Python."""
    out: Dict[str, dict] = {}
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


def _versions_json(v: Versions) -> dict:
    return {k: getattr(v, k) for k in ("added", "changed", "removed") if getattr(v, k)}


def _pitfalls_json(pitfalls: Sequence[Pitfall]) -> list:
    return [{"text": p.text, **_versions_json(p.versions)} for p in pitfalls]


def _entry_json(entry: Entry) -> dict:
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


# --- html ---------------------------------------------------------------------------------------------

_INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\((https?://[^)\s]+)\)")


def inline(text: str) -> str:
    """Escape text and render the inline markdown the sheet uses: `code`, **bold**, [links](url)."""
    out: List[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(_html.escape(text[pos : m.start()]))
        if m.group(1) is not None:
            out.append(f"<code>{_html.escape(m.group(1))}</code>")
        elif m.group(2) is not None:
            out.append(f"<strong>{_html.escape(m.group(2))}</strong>")
        else:
            out.append(f'<a href="{_html.escape(m.group(4))}">{_html.escape(m.group(3))}</a>')
        pos = m.end()
    out.append(_html.escape(text[pos:]))
    return "".join(out)


def html(sheets: Sequence[Sheet], view: str = "standard", target: Optional[PyVersion] = None) -> str:
    """The one self-contained page (sheetls.page.render_page): every view in it, `view` the
    one it opens in; inline CSS and script, no network."""
    from sheetls.page import render_page

    return render_page(sheets, view, target)


# --- dispatch -------------------------------------------------------------------------------------


def export(sheets: Sequence[Sheet], fmt: str, view: str = "standard", target: Optional[PyVersion] = None) -> str:
    """`target`: the Python version to speak for ((3, 10)); None: every version, marked.
    The vscode and json formats are the same for every target (the json carries the versions)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r} (choose from {', '.join(VIEWS)})")
    if fmt == "vscode":
        return vscode(sheets)
    if fmt == "json":
        return model_json(sheets)
    if fmt == "markdown":
        return markdown(sheets, view, target)
    return html(sheets, view, target)


def dist_files(sheets: Sequence[Sheet], stem: str) -> Dict[str, str]:
    """Every export, by file name: the view-less formats and the page once, markdown per view."""
    files = {f"{stem}.code-snippets": vscode(sheets), f"{stem}.json": model_json(sheets), f"{stem}.html": html(sheets)}
    for view in VIEWS:
        files[f"{stem}.{view}.md"] = markdown(sheets, view)
    return files


def builtin_dist() -> Tuple[List[Sheet], str]:
    from sheetls.loader import builtin_sheet_path, load_pack

    result = load_pack(builtin_sheet_path())
    if not result.ok:
        raise ValueError("the built-in sheet has errors:\n" + "\n".join(str(e) for e in result.errors))
    return [result.sheet], result.sheet.id


def write_dist(folder: str) -> List[str]:
    sheets, stem = builtin_dist()
    os.makedirs(folder, exist_ok=True)
    written = []
    for name, text in dist_files(sheets, stem).items():
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        written.append(path)
    return written


def check_dist(folder: str) -> List[str]:
    """Files of `folder` that differ from what the source generates now (or are missing)."""
    sheets, stem = builtin_dist()
    stale = []
    for name, text in dist_files(sheets, stem).items():
        path = os.path.join(folder, name)
        try:
            with open(path, encoding="utf-8", newline="") as f:
                if f.read() == text:
                    continue
        except OSError:
            pass
        stale.append(path)
    return stale
