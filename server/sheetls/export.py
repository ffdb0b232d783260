"""Exports of the packs, all from the one source (the sheet model):

- `vscode`: a `.code-snippets` JSON file for users who want static snippets;
- `markdown`, `html`: the sheet as people read it, in the original page's views
  (standard, detailed, compact); the HTML is one self-contained page that prints cleanly;
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


CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --rule: #d9dee7; --code-bg: #f5f7fa; --accent: #2456a6; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 2rem 1.5rem 4rem; color: var(--ink);
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; background: #fff; }
header h1 { margin: 0 0 .25rem; font-size: 2rem; }
header p { margin: 0; color: var(--muted); }
section.group { margin-top: 2rem; }
section.group > h2 { border-bottom: 2px solid var(--ink); padding-bottom: .2rem; margin-bottom: .25rem; }
section.group > p.summary { color: var(--muted); margin-top: 0; }
article.entry { border: 1px solid var(--rule); border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
article.entry h3 { margin: 0 0 .25rem; font-size: 1.2rem; }
.meta { font-size: .85rem; color: var(--muted); margin: .25rem 0 .5rem; }
.meta .tag { display: inline-block; border: 1px solid var(--rule); border-radius: 999px; padding: 0 .5rem; margin-right: .25rem; }
.meta .trigger { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; color: var(--accent); }
pre { background: var(--code-bg); border: 1px solid var(--rule); border-radius: 6px; padding: .75rem 1rem;
      overflow-x: auto; font: 13px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .92em; }
p code, li code { background: var(--code-bg); padding: 0 .2rem; border-radius: 3px; }
pre.signature { background: #fff; border-style: dashed; white-space: pre-wrap; }
.speaks { font-size: .9rem; color: var(--muted); margin: .4rem 0 0; }
ul.pitfalls, ul.versions { margin: .4rem 0 0; padding-left: 1.25rem; font-size: .92rem; }
.note { border-left: 3px solid var(--accent); padding-left: .75rem; margin: .5rem 0 0; }
.apis, .docs { font-size: .9rem; margin: .4rem 0 0; }
a { color: var(--accent); }
ul.members { margin: .25rem 0 0; padding-left: 1.25rem; font-size: .92rem; }
body.compact { max-width: 72rem; }
body.compact .entries { display: grid; grid-template-columns: repeat(auto-fit, minmax(24rem, 1fr)); gap: .75rem; }
body.compact article.entry { margin: 0; padding: .6rem .8rem; }
body.compact article.entry h3 { font-size: 1rem; }
body.compact article.entry p { margin: .2rem 0; font-size: .9rem; }
body.compact pre { font-size: 11.5px; padding: .5rem .6rem; white-space: pre-wrap; overflow-wrap: anywhere; }
footer { margin-top: 3rem; font-size: .8rem; color: var(--muted); }

@media print {
  @page { size: A4; margin: 14mm 12mm; }
  :root { --code-bg: #fff; --rule: #999; --muted: #333; --accent: #000; }
  body { max-width: none; padding: 0; font-size: 10.5pt; color: #000; }
  body.compact { font-size: 9pt; }
  a { color: #000; text-decoration: none; }
  .docs a[href]::after { content: " (" attr(href) ")"; font-size: 8pt; word-break: break-all; }
  section.group > h2 { break-after: avoid; page-break-after: avoid; }
  article.entry { break-inside: avoid; page-break-inside: avoid; border-color: #999; }
  pre { white-space: pre-wrap; word-break: break-word; overflow: visible; border-color: #999; font-size: 8.5pt; }
  body.compact pre { font-size: 7.5pt; }
  body.compact .entries { grid-template-columns: 1fr 1fr; }
  footer { display: none; }
}
"""


def _items(cls: str, lines: Sequence[str]) -> str:
    return f'<ul class="{cls}">' + "".join(f"<li>{inline(line)}</li>" for line in lines) + "</ul>"


def _entry_html(sheet: Sheet, entry: Entry, view: str, target: Optional[PyVersion] = None) -> str:
    parts = [
        f'<article class="entry" id="{_html.escape(sheet.id)}--{_html.escape(entry.id)}">',
        f"<h3>{inline(entry.title)}</h3>",
    ]
    if view == "compact":
        parts.append(f'<p>{inline(entry.summary)} <span class="meta trigger">{_html.escape(entry.prefix)}</span></p>')
    else:
        parts.append(f"<p>{inline(entry.summary)}</p>")
        tags = "".join(f'<span class="tag">{_html.escape(t)}</span>' for t in entry.tags)
        parts.append(
            f'<div class="meta">{tags}trigger: <span class="trigger">{_html.escape(entry.prefix)}</span></div>'
        )
        if view == "detailed" and entry.signature:
            parts.append(f'<pre class="signature"><code>{_html.escape(entry.signature)}</code></pre>')
            notes = render.version_notes(entry, target)
            if notes:
                parts.append(_items("versions", notes))
    code = entry.example or static_body(entry)
    parts.append(f'<pre><code class="language-python">{_html.escape(code.rstrip())}</code></pre>')
    if entry.note and view != "compact":
        parts.append(f'<p class="note">{inline(entry.note)}</p>')
    pitfalls = render.pitfalls_for(entry.pitfalls, target)
    if pitfalls and view != "compact":
        parts.append(_items("pitfalls", [f"({label}) {text}" if label else text for label, text in pitfalls]))
    if view == "detailed":
        if entry.apis:
            parts.append(
                '<p class="apis">APIs: ' + ", ".join(f"<code>{_html.escape(a)}</code>" for a in entry.apis) + "</p>"
            )
        if entry.docs:
            parts.append(f'<p class="docs"><a href="{_html.escape(entry.docs)}">Python docs</a></p>')
    parts.append("</article>")
    return "\n".join(parts)


def html(sheets: Sequence[Sheet], view: str = "standard", target: Optional[PyVersion] = None) -> str:
    """One self-contained HTML page (no scripts, no external files) that prints cleanly."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r} (choose from {', '.join(VIEWS)})")
    title = sheets[0].title if len(sheets) == 1 else "sheetls packs"
    body: List[str] = []
    for sheet in sheets:
        speaks = render.speaks_for(sheet, target)
        speaks_html = f'<p class="speaks">For {_html.escape(speaks)}.</p>' if speaks else ""
        body.append(f"<header><h1>{inline(sheet.title)}</h1><p>{inline(sheet.summary)}</p>{speaks_html}</header>")
        for section in sheet.sections:
            body.append(f'<section class="group" id="{_html.escape(sheet.id)}--{_html.escape(section.id)}">')
            body.append(f"<h2>{inline(section.title)}</h2>")
            if view != "compact":
                body.append(f'<p class="summary">{inline(section.summary)}</p>')
            body.append('<div class="entries">')
            body.extend(_entry_html(sheet, e, view, target) for e in section.entries)
            body.append("</div>")
            if view == "detailed":
                ids = {e.id for e in section.entries}
                notes = [m for m in sheet.members if m.entry in ids]
                if notes:
                    body.append(
                        '<h4>Members</h4><ul class="members">'
                        + "".join(_member_html(m, target) for m in notes)
                        + "</ul>"
                    )
            body.append("</section>")
    body.append(f"<footer>Generated by sheetls from the snippet source ({_html.escape(view)} view).</footer>")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f'<body class="{view}">\n' + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _member_html(member, target: Optional[PyVersion]) -> str:
    versions = render.member_versions(member, target)
    out = f"<li><code>{_html.escape(member.api)}</code>" + (f" ({_html.escape(versions)})" if versions else "")
    out += f": {inline(member.summary)}"
    for label, text in render.member_pitfalls(member, target):
        out += f" <em>Pitfall:</em> {inline(f'({label}) {text}' if label else text)}"
    return out + "</li>"


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
    """Every export, by file name: the view-less formats once, markdown and html per view."""
    files = {f"{stem}.code-snippets": vscode(sheets), f"{stem}.json": model_json(sheets)}
    for view in VIEWS:
        files[f"{stem}.{view}.md"] = markdown(sheets, view)
        files[f"{stem}.{view}.html"] = html(sheets, view)
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
