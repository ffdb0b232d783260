"""Completion: the sheet's entries offered where the cursor stands, in the form that fits.

Pure functions over (index, document lines, position in code points, client profile);
server.py converts LSP positions and builds the protocol objects from `Proposal`s.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from sheetls import forms, snippet_syntax
from sheetls.context import CursorContext, cursor_context
from sheetls.index import Match, SheetIndex
from sheetls.model import Entry
from sheetls.profile import ClientProfile
from sheetls.pyimports import Imports, import_site, respell, scan_imports

WORD_BEFORE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_LEADING_SPACES = re.compile(r"^((?:    )+)", re.M)


@dataclass
class Edit:
    """A text edit in code points: replace lines[line][start:end] (same line) with text."""

    line: int
    start: int
    end: int
    text: str


@dataclass
class Proposal:
    entry: Entry
    order: int
    text: str  # snippet syntax when the client takes snippets, plain text otherwise
    is_snippet: bool
    edit: Edit
    filter_text: str
    adjust_indentation: bool  # send insertTextMode adjustIndentation (text is not pre-indented)
    additional: List[Edit] = field(default_factory=list)
    form: str = "body"


def word_before(line_text: str, col: int) -> Tuple[str, int]:
    """The identifier ending at `col` and its start index."""
    m = WORD_BEFORE.search(line_text, 0, col)
    if m and m.end() == col:
        return m.group(), m.start()
    return "", col


def indent_unit(lines: Sequence[str], current_indent: str) -> str:
    """The file's indentation unit: a tab if it indents with tabs, else its space width."""
    if "\t" in current_indent:
        return "\t"
    for text in lines[:2000]:
        if text[:1] == "\t":
            return "\t"
        if text[:1] == " ":
            width = len(text) - len(text.lstrip(" "))
            if text.strip() and 2 <= width <= 8:
                return " " * width
    return "    "


def _reindent(text: str, unit: str) -> str:
    if unit == "    ":
        return text
    return _LEADING_SPACES.sub(lambda m: unit * (len(m.group(1)) // 4), text)


def _indent_rest(text: str, indent: str) -> str:
    if not indent:
        return text
    first, _, rest = text.partition("\n")
    if not _:
        return text
    return first + "\n" + "\n".join(indent + line if line.strip() else line for line in rest.split("\n"))


def choose_form(entry: Entry, ctx: CursorContext, imports: Imports) -> Tuple[Optional[str], str]:
    """The snippet text that fits the context, or None where no form is valid Python."""
    if entry.raw:  # a VS Code snippet: no forms, its body as written, wherever code goes
        return entry.body.rstrip("\n"), "raw"
    if ctx.scope == "async":
        if ctx.position == "statement":
            return forms.body_snippet(entry, imports.defined), "body"
        return forms.expression_snippet(entry, ctx.after_await), "expression"
    if ctx.scope == "class" and ctx.position == "statement":
        stops = snippet_syntax.tab_stops(snippet_syntax.parse(entry.body))
        return forms.method_snippet(entry, max([s for s in stops if s] or [0]) + 1, imports.defined), "method"
    if ctx.scope == "module" and ctx.position == "statement":
        return forms.program_for_file(entry, imports.defined).rstrip("\n") + "\n", "program"
    return None, ""


def propose(index: SheetIndex, lines: Sequence[str], line: int, col: int, profile: ClientProfile,
            limit: int = 200, top_imports: Optional[Imports] = None) -> Tuple[List[Proposal], bool]:
    """Completion proposals at (line, col) in code points; and whether the list was cut."""
    if line >= len(lines):
        return [], False
    text = lines[line]
    col = min(col, len(text))
    word, start = word_before(text, col)
    ctx = cursor_context(lines, line, col, len(word))
    if not ctx.offers_snippets:
        return [], False
    matches, cut = index.find(word, limit) if word else index.all(limit)
    if not matches:
        return [], False
    imports = top_imports if top_imports is not None else scan_imports(lines)
    if ctx.scope_line >= 0:
        imports = _with_local_imports(imports, lines, ctx.scope_line + 1, line)
    cursor_indent = text[: len(text) - len(text.lstrip(" \t"))]
    unit = indent_unit(lines, cursor_indent)
    relative = profile.adjust_indentation or (profile.snippets and profile.reindents_snippets)
    out: List[Proposal] = []
    for match in matches:
        p = _proposal(match, ctx, imports, lines, line, start, col, unit, cursor_indent, relative, profile)
        if p is not None:
            out.append(p)
    return out, cut


def _with_local_imports(top: Imports, lines: Sequence[str], start: int, end: int) -> Imports:
    """`top` plus the imports of lines start..end (the enclosing function's, above the
    cursor); `top` itself when there are none, so its remembered spellings serve again."""
    local: Dict[str, str] = {}
    for k in range(start, min(end, len(lines))):
        stripped = lines[k].lstrip()
        if stripped.startswith(("import ", "from ")):
            local.update(scan_imports([stripped]).names)
    if not local:
        return top
    return Imports({**top.names, **local}, top.defined)


def _proposal(match: Match, ctx: CursorContext, imports: Imports, lines: Sequence[str], line: int,
              start: int, col: int, unit: str, cursor_indent: str, relative: bool,
              profile: ClientProfile) -> Optional[Proposal]:
    entry = match.entry
    snippet, form = choose_form(entry, ctx, imports)
    if snippet is None:
        return None
    modules = [] if entry.raw else (list(entry.imports) or ["asyncio"])
    snippet, missing = respell(snippet, imports, modules)
    additional: List[Edit] = []
    inline_imports: List[str] = []
    for module in missing:
        site = import_site(lines, module)
        if site.line >= line:
            # The cursor is where imports go (say, an empty file): the program carries them.
            inline_imports.append(module)
            continue
        additional.append(_import_edit(lines, site, module))
    if inline_imports:
        snippet = "".join(f"import {m}\n" for m in inline_imports) + ("\n" if form == "program" else "") + snippet
    snippet = _reindent(snippet, unit)
    if not relative:
        snippet = _indent_rest(snippet, cursor_indent)
    if not profile.snippets:
        snippet = snippet_syntax.to_plain(snippet_syntax.parse(snippet))
    return Proposal(
        entry=entry,
        order=match.order,
        text=snippet,
        is_snippet=profile.snippets,
        edit=Edit(line, start, col, snippet),
        filter_text=match.key,
        adjust_indentation=profile.adjust_indentation,
        additional=_merge(additional),
        form=form,
    )


def _import_edit(lines: Sequence[str], site, module: str) -> Edit:
    text = ("\n" if site.blank_before else "") + f"import {module}\n" + "\n" * site.blank_after
    if site.line >= len(lines):  # past the last line: append after it
        last = len(lines) - 1
        return Edit(last, len(lines[last]), len(lines[last]), "\n" + text.rstrip("\n"))
    return Edit(site.line, 0, 0, text)


def _merge(edits: List[Edit]) -> List[Edit]:
    """Imports that land at the same place become one edit."""
    merged: Dict[Tuple[int, int], Edit] = {}
    for e in edits:
        key = (e.line, e.start)
        if key in merged:
            prev = merged[key]
            merged[key] = Edit(e.line, e.start, e.end, prev.text.rstrip("\n") + "\n" + e.text.lstrip("\n"))
        else:
            merged[key] = e
    return list(merged.values())
