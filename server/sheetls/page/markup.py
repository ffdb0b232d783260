"""The page's HTML body: every view's content is in the page once; the stylesheet shows what
the current view shows (`v-full`: standard and detailed; `v-detailed`: detailed only;
`v-compact`: compact only). Text is escaped here; the page's script adds no content."""

from __future__ import annotations

import html as _html
import re
from typing import Dict, List, Optional, Sequence, Tuple

from sheetls import render
from sheetls.model import Entry, Member, PyVersion, Sheet
from sheetls.page.anchors import slug

esc = _html.escape

_INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\((https?://[^)\s]+)\)")


def inline(text: str) -> str:
    """Escape text and render the inline markdown the sheet uses: `code`, **bold**, [links](url)."""
    out: List[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(esc(text[pos : m.start()]))
        if m.group(1) is not None:
            out.append(f"<code>{esc(m.group(1))}</code>")
        elif m.group(2) is not None:
            out.append(f"<strong>{esc(m.group(2))}</strong>")
        else:
            out.append(f'<a href="{esc(m.group(4))}">{esc(m.group(3))}</a>')
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def _items(cls: str, lines: Sequence[str]) -> str:
    return f'<ul class="{cls}">' + "".join(f"<li>{inline(line)}</li>" for line in lines) + "</ul>"


def entry_html(entry: Entry, anchor: str, order: int, target: Optional[PyVersion]) -> str:
    title = inline(entry.title)
    heading = f"{anchor}-title"
    parts = [
        f'<article class="entry" id="{esc(anchor)}" data-entry="{order}" aria-labelledby="{heading}">',
        f'<h3 id="{heading}"><a class="self" href="#{esc(anchor)}">{title}</a></h3>',
        f'<p class="summary">{inline(entry.summary)}'
        f' <span class="v-compact trigger" title="trigger">{esc(entry.prefix)}</span></p>',
    ]
    tags = "".join(f'<span class="tag">{esc(t)}</span> ' for t in entry.tags)
    parts.append(f'<p class="meta v-full">{tags}trigger: <code class="trigger">{esc(entry.prefix)}</code></p>')
    if entry.signature:
        parts.append(f'<pre class="signature v-detailed"><code>{esc(entry.signature)}</code></pre>')
        notes = render.version_notes(entry, target)
        if notes:
            parts.append(f'<div class="v-detailed">{_items("versions", notes)}</div>')
    elif entry.versions and not entry.versions.applies(target):
        parts.append(f'<p class="versions">{inline(render.version_notes(entry, target)[0])}</p>')
    code = (entry.example or entry.body).rstrip()
    parts.append(f'<pre class="example" tabindex="0"><code class="language-python">{esc(code)}</code></pre>')
    name = esc(render_title(entry.title))
    parts.append(
        '<div class="actions">'
        f'<button type="button" data-copy="example" aria-label="Copy example: {name}">Copy example</button>'
        f'<button type="button" data-copy="core" aria-label="Copy core lines: {name}"'
        ' title="The lines the editor inserts inside an async def">Copy core lines</button>'
        f'<button type="button" data-download="py" aria-label="Download .py: {name}">Download .py</button>'
        "</div>"
    )
    if entry.note:
        parts.append(f'<p class="note v-full">{inline(entry.note)}</p>')
    pitfalls = render.pitfalls_for(entry.pitfalls, target)
    if pitfalls:
        lines = [f"({label}) {text}" if label else text for label, text in pitfalls]
        parts.append(f'<div class="v-full"><p class="label">Pitfalls</p>{_items("pitfalls", lines)}</div>')
    if entry.apis:
        apis = ", ".join(f"<code>{esc(a)}</code>" for a in entry.apis)
        parts.append(f'<p class="apis v-detailed">APIs: {apis}</p>')
    if entry.docs:
        parts.append(f'<p class="docs v-detailed"><a href="{esc(entry.docs)}">Python docs</a></p>')
    parts.append("</article>")
    return "\n".join(parts)


def render_title(text: str) -> str:
    """A title as read (for accessible names): inline markdown marks dropped."""
    return text.replace("`", "").replace("**", "")


def _member_html(member: Member, target: Optional[PyVersion]) -> str:
    versions = render.member_versions(member, target)
    out = f"<li><code>{esc(member.api)}</code>" + (f" ({esc(versions)})" if versions else "")
    out += f": {inline(member.summary)}"
    for label, text in render.member_pitfalls(member, target):
        out += f" <em>Pitfall:</em> {inline(f'({label}) {text}' if label else text)}"
    return out + "</li>"


def sheet_head(sheet: Sheet, target: Optional[PyVersion], heading: str) -> str:
    speaks = render.speaks_for(sheet, target)
    return f'<{heading}>{inline(sheet.title)}</{heading}><p class="sheet-summary">{inline(sheet.summary)}</p>' + (
        f'<p class="speaks">For {esc(speaks)}.</p>' if speaks else ""
    )


def sheet_html(
    sheet: Sheet, anchor_of: Dict[Tuple[str, str], str], first: int, target: Optional[PyVersion], heading: str
) -> str:
    """One pack: its sections, after its title when the page has several (`heading` h2; with
    h1 the title is the page's). `first`: the page-wide number of its first entry."""
    out: List[str] = [f'<div class="pack" data-pack="{esc(sheet.id)}">']
    if heading == "h2":
        out.append(f'<div class="pack-head">{sheet_head(sheet, target, "h2")}</div>')
    order = first
    for section in sheet.sections:
        sid = f"section-{slug(sheet.id)}-{slug(section.id)}" if heading == "h2" else f"section-{slug(section.id)}"
        out.append(f'<section class="group" id="{sid}" aria-labelledby="{sid}-title">')
        out.append(f'<h2 id="{sid}-title">{inline(section.title)}</h2>')
        if section.summary:
            out.append(f'<p class="section-summary v-full">{inline(section.summary)}</p>')
        out.append('<div class="entries">')
        for entry in section.entries:
            out.append(entry_html(entry, anchor_of[(sheet.id, entry.id)], order, target))
            order += 1
        out.append("</div>")
        ids = {e.id for e in section.entries}
        members = [m for m in sheet.members if m.entry in ids]
        if members:
            out.append(
                '<div class="members v-detailed"><h4>Members</h4><ul>'
                + "".join(_member_html(m, target) for m in members)
                + "</ul></div>"
            )
        out.append("</section>")
    out.append("</div>")
    return "\n".join(out)
