"""The sheet and its entries as people read them: markdown (hover, completion docs, export)
and plain text (for clients without markdown)."""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple, Union

from sheetls import snippet_syntax
from sheetls.model import Entry, Member, Pitfall, PyVersion, Sheet, Versions, parse_version, version_text

VIEWS = ("standard", "detailed", "compact")

# Every function that renders takes `target`: the Python version the reader writes for, as
# (3, 10), or None (no target: everything is shown, each versioned item with its versions).


def target_version(text: str) -> PyVersion:
    """ "3.10" -> (3, 10); ValueError for anything else (the CLI's --python)."""
    version = parse_version(text.strip())
    if version is None:
        raise ValueError(f"expected a Python version like 3.10, got {text!r}")
    return version


def speaks_for(sheet: Sheet, target: Optional[PyVersion]) -> str:
    """Which Python the text speaks for: "Python 3.10", or the sheet's range."""
    if target is not None:
        return f"Python {version_text(target)}"
    if sheet.oldest_python and sheet.newest_python:
        return f"Python {sheet.oldest_python} to {sheet.newest_python}"
    if sheet.oldest_python:
        return f"Python {sheet.oldest_python}+"
    return ""


def pitfalls_for(pitfalls: Sequence[Pitfall], target: Optional[PyVersion]) -> List[Tuple[str, str]]:
    """(version label, text) of the pitfalls that hold for `target` (all of them without one)."""
    return [(p.versions.label(), p.text) for p in pitfalls if p.versions.applies(target)]


def _missing(versions: Versions, target: PyVersion) -> str:
    """Why `target` lacks a thing: "3.13+, your target is 3.10"."""
    return f"{versions.label()}, your target is {version_text(target)}"


def version_notes(entry: Entry, target: Optional[PyVersion]) -> List[str]:
    """What differs between Pythons for the entry's API and parameters, one line each. With a
    target, the things it lacks are marked ("`keep_alive`: 3.13+, your target is 3.10"), not
    hidden; without one, every versioned thing with its versions. Parameter notes follow."""
    notes: List[str] = []
    api = entry.apis[0] if entry.apis else entry.title
    if entry.versions:
        if target is not None and not entry.versions.applies(target):
            notes.append(f"`{api}`: {_missing(entry.versions, target)}")
        elif target is None:
            notes.append(f"`{api}`: {entry.versions.label()}")
    for p in entry.params:
        status = ""
        if p.versions:
            if target is not None and not p.versions.applies(target):
                status = _missing(p.versions, target)
            else:
                status = p.versions.label()
        said = "; ".join(x for x in (status, p.note) if x)
        if said:
            notes.append(f"`{p.name}`: {said}")
    return notes


def _bullets(lines: Sequence[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def _labelled(label: str, text: str) -> str:
    return f"({label}) {text}" if label else text


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
    return f"{signature[:open_at]}(\n{body}){signature[close_at + 1 :]}"


# How much example a view shows: "full", "short" or "none"; True and False (and None) are
# "full" and "none".
ExampleMode = Union[bool, str, None]


def _example_mode(example: ExampleMode) -> str:
    """`example` as one of "full", "short", "none" (True/False are "full"/"none")."""
    if example is True:
        return "full"
    if example is False or example is None:
        return "none"
    return example if example in ("full", "short", "none") else "full"


def entry_code(entry: Entry, example: ExampleMode = "full") -> str:
    """The code a view shows: the runnable program ("full"), the core lines with every
    placeholder at its default ("short", for small hover windows), or nothing ("none")."""
    mode = _example_mode(example)
    if mode == "full":
        return entry.example
    if mode == "short" and entry.body:
        return snippet_syntax.to_plain(snippet_syntax.parse(entry.body)).rstrip("\n")
    return ""


def entry_markdown(
    entry: Entry,
    *,
    example: ExampleMode = True,
    signature: bool = True,
    trigger: bool = True,
    heading: str = "###",
    target: Optional[PyVersion] = None,
) -> str:
    """An entry as markdown: title, summary, signature, what differs between Pythons, example,
    note, pitfalls, docs link, trigger. `example`: True/"full", "short" or False/"none";
    `target`: the Python version written for ((3, 10)), None for none."""
    parts = [f"{heading} {entry.title}", entry.summary]
    if signature and entry.signature:
        parts.append(_fence(format_signature(entry.signature)))
    notes = version_notes(entry, target)
    if target is not None:
        parts.append(
            f"**For Python {version_text(target)}:**" + (f"\n\n{_bullets(notes)}" if notes else " all of it is there.")
        )
    elif notes and signature:
        parts.append(f"**Parameters and versions**\n\n{_bullets(notes)}")
    code = entry_code(entry, example)
    if code:
        if signature and entry.signature:
            parts.append("**Example**")
        parts.append(_fence(code))
    if entry.note:
        parts.append(entry.note)
    pitfalls = pitfalls_for(entry.pitfalls, target)
    if pitfalls:
        parts.append("**Pitfalls**\n\n" + "\n".join(f"- {_labelled(label, text)}" for label, text in pitfalls))
    links = []
    if entry.docs:
        links.append(f"[Python docs]({entry.docs})")
    if trigger:
        links.append(f"type `{entry.prefix}` to insert")
    if links:
        parts.append(" · ".join(links))
    return "\n\n".join(parts)


def entry_plain(entry: Entry, *, example: ExampleMode = True, target: Optional[PyVersion] = None) -> str:
    """An entry as plain text, for clients without markdown."""
    parts = [entry.title, entry.summary]
    if entry.signature:
        parts.append(entry.signature)
    notes = version_notes(entry, target)
    if target is not None:
        parts.append(
            f"For Python {version_text(target)}:" + (f"\n{_bullets(notes)}" if notes else " all of it is there.")
        )
    elif notes:
        parts.append(f"Parameters and versions:\n{_bullets(notes)}")
    code = entry_code(entry, example)
    if code:
        parts.append(code.rstrip())
    if entry.note:
        parts.append(entry.note)
    pitfalls = pitfalls_for(entry.pitfalls, target)
    if pitfalls:
        parts.append("Pitfalls:\n" + "\n".join(f"- {_labelled(label, text)}" for label, text in pitfalls))
    if entry.docs:
        parts.append(f"Docs: {entry.docs}")
    parts.append(f"Type {entry.prefix} to insert.")
    return "\n\n".join(parts)


def member_pitfalls(member: Member, target: Optional[PyVersion] = None) -> List[Tuple[str, str]]:
    """(label, text) of a member's pitfalls for `target`: its `pitfall`, then its versioned ones."""
    out = [("", member.pitfall)] if member.pitfall else []
    return out + pitfalls_for(member.pitfalls, target)


def member_versions(member: Member, target: Optional[PyVersion] = None) -> str:
    """ "3.13+", or "3.13+, your target is 3.10" when the target lacks it; "" when unversioned."""
    if not member.versions:
        return ""
    if target is not None and not member.versions.applies(target):
        return _missing(member.versions, target)
    return member.versions.label()


def member_markdown(member: Member, entry: Entry, target: Optional[PyVersion] = None) -> str:
    """A member note: what it does, its versions, the pitfalls, the entry it belongs to, the docs."""
    parts = [f"### {member.api}", member.summary]
    versions = member_versions(member, target)
    if versions:
        parts.append(f"**Python:** {versions}")
    pitfalls = member_pitfalls(member, target)
    if len(pitfalls) == 1:
        parts.append(f"**Pitfall:** {_labelled(*pitfalls[0])}")
    elif pitfalls:
        parts.append("**Pitfalls**\n\n" + "\n".join(f"- {_labelled(label, text)}" for label, text in pitfalls))
    link = member.docs or entry.docs
    tail = f"From the sheet entry *{entry.title}* (type `{entry.prefix}` to insert)"
    parts.append(f"{tail} · [Python docs]({link})" if link else tail)
    return "\n\n".join(parts)


def member_plain(member: Member, entry: Entry, target: Optional[PyVersion] = None) -> str:
    parts = [member.api, member.summary]
    versions = member_versions(member, target)
    if versions:
        parts.append(f"Python: {versions}")
    for label, text in member_pitfalls(member, target):
        parts.append(f"Pitfall: {_labelled(label, text)}")
    parts.append(f"From the sheet entry: {entry.title} (type {entry.prefix} to insert)")
    if member.docs or entry.docs:
        parts.append(f"Docs: {member.docs or entry.docs}")
    return "\n\n".join(parts)


def sheet_markdown(sheet: Sheet, view: str = "standard", target: Optional[PyVersion] = None) -> str:
    """The whole sheet in one of the original page's views: standard, detailed or compact;
    for the Python version `target` (pitfalls that hold for it, parameters it lacks marked)."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r} (choose from {', '.join(VIEWS)})")
    out: List[str] = [f"# {sheet.title}", sheet.summary]
    speaks = speaks_for(sheet, target)
    if speaks:
        out.append(f"*For {speaks}.*")
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
                notes = version_notes(entry, target)
                if notes:
                    parts.append(
                        ("Parameters and versions:" if target is None else f"For Python {version_text(target)}:")
                        + f"\n\n{_bullets(notes)}"
                    )
            elif target is not None and entry.versions and not entry.versions.applies(target):
                parts.append(f"`{entry.apis[0] if entry.apis else entry.title}`: {_missing(entry.versions, target)}")
            parts.append(_fence(entry.example))
            if entry.note:
                parts.append(entry.note)
            pitfalls = pitfalls_for(entry.pitfalls, target)
            if pitfalls:
                parts.append("Pitfalls:\n\n" + "\n".join(f"- {_labelled(label, text)}" for label, text in pitfalls))
            if view == "detailed":
                if entry.apis:
                    parts.append("APIs: " + ", ".join(f"`{a}`" for a in entry.apis))
                if entry.docs:
                    parts.append(f"[Python docs]({entry.docs})")
            out.extend(parts)
        if view == "detailed":
            members = [m for m in sheet.members if any(m.entry == e.id for e in section.entries)]
            if members:
                out.append("#### Members")
                out.append("\n".join(_member_line(m, target) for m in members))
    return "\n\n".join(out) + "\n"


def _member_line(member: Member, target: Optional[PyVersion]) -> str:
    versions = member_versions(member, target)
    line = f"- `{member.api}`" + (f" ({versions})" if versions else "") + f": {member.summary}"
    for label, text in member_pitfalls(member, target):
        line += f" *Pitfall:* {_labelled(label, text)}"
    return line
