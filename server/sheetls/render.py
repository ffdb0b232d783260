"""The sheet and its entries as people read them: markdown (hover, completion docs, export)
and plain text (for clients without markdown)."""
from __future__ import annotations

from typing import List

from sheetls import snippet_syntax
from sheetls.model import Entry, Member, Sheet

VIEWS = ("standard", "detailed", "compact")


def _fence(code: str, lang: str = "python") -> str:
    fence = "```"
    while fence in code:
        fence += "`"
    return f"{fence}{lang}\n{code.rstrip()}\n{fence}"


def format_signature(signature: str, width: int = 72) -> str:
    """A long signature with one parameter a line, so hover windows need no sideways scroll."""
    open_at = signature.find("(")
    if len(signature) <= width or open_at < 0:
        return signature
    depth, params, start, close_at = 0, [], open_at + 1, -1
    for i in range(open_at, len(signature)):
        ch = signature[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                close_at = i
                break
        elif ch == "," and depth == 1:
            params.append(signature[start:i].strip())
            start = i + 1
    if close_at < 0:
        return signature
    params.append(signature[start:close_at].strip())
    lines, current = [], ""
    for p in (p for p in params if p):
        item = f"{p},"
        if current and len(current) + 1 + len(item) > width - 4:
            lines.append(current)
            current = item
        else:
            current = f"{current} {item}" if current else item
    lines.append(current)
    body = "".join(f"    {line}\n" for line in lines)
    return f"{signature[:open_at]}(\n{body}){signature[close_at + 1:]}"


def _example_mode(example) -> str:
    """`example` as one of "full", "short", "none" (True/False are "full"/"none")."""
    if example is True:
        return "full"
    if example is False or example is None:
        return "none"
    return example if example in ("full", "short", "none") else "full"


def entry_code(entry: Entry, example="full") -> str:
    """The code a view shows: the runnable program ("full"), the core lines with every
    placeholder at its default ("short", for small hover windows), or nothing ("none")."""
    mode = _example_mode(example)
    if mode == "full":
        return entry.example
    if mode == "short" and entry.body:
        return snippet_syntax.to_plain(snippet_syntax.parse(entry.body)).rstrip("\n")
    return ""


def entry_markdown(entry: Entry, *, example=True, signature: bool = True, trigger: bool = True,
                   heading: str = "###") -> str:
    """An entry as markdown: title, summary, signature, example, note, docs link, trigger.
    `example`: True/"full", "short" or False/"none"."""
    parts = [f"{heading} {entry.title}", entry.summary]
    if signature and entry.signature:
        parts.append(_fence(format_signature(entry.signature)))
    code = entry_code(entry, example)
    if code:
        if signature and entry.signature:
            parts.append("**Example**")
        parts.append(_fence(code))
    if entry.note:
        parts.append(entry.note)
    links = []
    if entry.docs:
        links.append(f"[Python docs]({entry.docs})")
    if trigger:
        links.append(f"type `{entry.prefix}` to insert")
    if links:
        parts.append(" · ".join(links))
    return "\n\n".join(parts)


def entry_plain(entry: Entry, *, example=True) -> str:
    """An entry as plain text, for clients without markdown."""
    parts = [entry.title, entry.summary]
    if entry.signature:
        parts.append(entry.signature)
    code = entry_code(entry, example)
    if code:
        parts.append(code.rstrip())
    if entry.note:
        parts.append(entry.note)
    if entry.docs:
        parts.append(f"Docs: {entry.docs}")
    parts.append(f"Type {entry.prefix} to insert.")
    return "\n\n".join(parts)


def member_markdown(member: Member, entry: Entry) -> str:
    """A member note: what it does, the pitfall, the entry it belongs to, the docs."""
    parts = [f"### {member.api}", member.summary]
    if member.pitfall:
        parts.append(f"**Pitfall:** {member.pitfall}")
    link = member.docs or entry.docs
    tail = f"From the sheet entry *{entry.title}* (type `{entry.prefix}` to insert)"
    parts.append(f"{tail} · [Python docs]({link})" if link else tail)
    return "\n\n".join(parts)


def member_plain(member: Member, entry: Entry) -> str:
    parts = [member.api, member.summary]
    if member.pitfall:
        parts.append(f"Pitfall: {member.pitfall}")
    parts.append(f"From the sheet entry: {entry.title} (type {entry.prefix} to insert)")
    if member.docs or entry.docs:
        parts.append(f"Docs: {member.docs or entry.docs}")
    return "\n\n".join(parts)


def sheet_markdown(sheet: Sheet, view: str = "standard") -> str:
    """The whole sheet in one of the original page's views: standard, detailed or compact."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r} (choose from {', '.join(VIEWS)})")
    out: List[str] = [f"# {sheet.title}", sheet.summary]
    for section in sheet.sections:
        out.append(f"## {section.title}")
        if view != "compact":
            out.append(section.summary)
        for entry in section.entries:
            if view == "compact":
                out.append(f"**{entry.title}** (`{entry.prefix}`): {entry.summary}")
                out.append(_fence(entry.example))
                continue
            parts = [f"### {entry.title}", entry.summary]
            tags = " ".join(f"`{t}`" for t in entry.tags)
            if tags:
                parts.append(f"Tags: {tags} · trigger: `{entry.prefix}`")
            if view == "detailed" and entry.signature:
                parts.append(_fence(entry.signature))
            parts.append(_fence(entry.example))
            if entry.note:
                parts.append(entry.note)
            if view == "detailed":
                if entry.apis:
                    parts.append("APIs: " + ", ".join(f"`{a}`" for a in entry.apis))
                if entry.docs:
                    parts.append(f"[Python docs]({entry.docs})")
            out.extend(parts)
        if view == "detailed":
            notes = [m for m in sheet.members if any(m.entry == e.id for e in section.entries)]
            if notes:
                out.append("#### Members")
                out.append("\n".join(f"- `{m.api}`: {m.summary}" + (f" *Pitfall:* {m.pitfall}" if m.pitfall else "")
                                     for m in notes))
    return "\n\n".join(out) + "\n"
