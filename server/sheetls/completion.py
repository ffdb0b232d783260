"""Completion: the sheet's entries offered where the cursor stands, in the form that fits.

Pure functions over (index, document lines, position in code points, client profile);
server.py converts LSP positions and builds the protocol objects from `Proposal`s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from sheetls import forms, snippet_syntax
from sheetls.context import CursorContext, cursor_context
from sheetls.index import Match, SheetIndex
from sheetls.model import Entry, PyVersion
from sheetls.profile import ClientProfile
from sheetls.pyimports import Imports, ImportSite, import_site, respell, scan_imports

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
    note: str = ""  # what the item does that a user should know before accepting it (an import alias)


def word_before(line_text: str, col: int) -> Tuple[str, int]:
    """The identifier ending at `col` and its start index."""
    m = WORD_BEFORE.search(line_text, 0, col)
    if m and m.end() == col:
        return m.group(), m.start()
    return "", col


def code_indent_unit(
    lines: Sequence[str], in_string: Optional[Callable[[int], bool]] = None, limit: int = 2000
) -> Optional[str]:
    """The indentation unit of the file's own code: the step from a block header (a code line
    ending in `:`) to the first code line of its block; a tab if that step holds one. Lines in
    triple-quoted strings (`in_string`) and comments say nothing. None when no block is seen."""
    opens = False
    lead = ""
    depth = 0  # brackets open at the start of the line: it continues a logical line
    for i, text in enumerate(lines[:limit]):
        stripped = text.lstrip(" \t\f")
        if not stripped or stripped[0] == "#":
            continue
        if in_string is not None and in_string(i):
            opens = False
            continue
        code = _CODE_END.sub("", _STRING_LITERAL.sub('""', stripped))
        if depth == 0:  # a logical line starts here: its indentation counts
            here = text[: len(text) - len(stripped)]
            if opens and len(here) > len(lead) and here.startswith(lead):
                step = here[len(lead) :]
                return "\t" if "\t" in step else step
            lead = here
        depth = max(0, depth + sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}"))
        opens = depth == 0 and code.endswith(":")  # a header, maybe over several lines
    return None


_CODE_END = re.compile(r"[ \t]*(?:#.*)?$")  # a trailing comment
_STRING_LITERAL = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")  # one-line strings, for bracket counting


def indent_unit(
    lines: Sequence[str],
    current_indent: str,
    editor_unit: str = "    ",
    in_string: Optional[Callable[[int], bool]] = None,
) -> str:
    """The unit inserted blocks indent by: a tab where the cursor's line indents with one, else
    the file's own code unit; in a file with no indented block yet, `editor_unit` (a tab for
    clients that turn a snippet's tabs into the editor's own indentation setting)."""
    if "\t" in current_indent:
        return "\t"
    return code_indent_unit(lines, in_string) or editor_unit


def _reindent(text: str, unit: str) -> str:
    if unit == "    ":
        return text
    return _LEADING_SPACES.sub(lambda m: unit * (len(m.group(1)) // 4), text)


def _import_alias(module: str, imports: Imports) -> Optional[str]:
    """A name for `import module as NAME` when the file binds `module` to something else
    (`from datetime import time`, `import trollius as asyncio`, `def time()`); None when a
    plain `import module` rebinds nothing."""
    bound = imports.names.get(module)
    if (bound is None or bound == module) and module not in imports.defined:
        return None
    taken = set(imports.names) | set(imports.defined)
    alias, k = f"_{module}", 2
    while alias in taken:
        alias, k = f"_{module}{k}", k + 1
    return alias


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


def propose(
    index: SheetIndex,
    lines: Sequence[str],
    line: int,
    col: int,
    profile: ClientProfile,
    limit: int = 200,
    top_imports: Optional[Imports] = None,
    in_string: Optional[Callable[[int], bool]] = None,
    python: Optional[PyVersion] = None,
) -> Tuple[List[Proposal], bool]:
    """Completion proposals at (line, col) in code points; and whether the list was cut.
    `python`: the Python version the project targets; an entry it lacks is not offered.
    `in_string(i)` tells whether line i starts inside a triple-quoted string (the resolver's
    scan of the document, see resolve.DocModel); without it such lines are guessed at."""
    if line >= len(lines):
        return [], False
    col = min(col, len(lines[line]))
    word, start = word_before(lines[line], col)
    place = _place(lines, line, col, len(word), profile, top_imports, in_string)
    if place is None:
        return [], False
    matches, cut = index.find(word, limit) if word else index.all(limit)
    if not matches:
        return [], False
    out: List[Proposal] = []
    for match in matches:
        if not match.entry.versions.applies(python):
            continue  # `asyncio.to_thread` in a 3.8 project would not run
        p = _proposal(match, place, lines, line, start, col, profile)
        if p is not None:
            out.append(p)
    return out, cut


def propose_entry(
    entry: Entry,
    lines: Sequence[str],
    line: int,
    col: int,
    profile: ClientProfile,
    top_imports: Optional[Imports] = None,
    in_string: Optional[Callable[[int], bool]] = None,
    python: Optional[PyVersion] = None,
) -> Optional[Proposal]:
    """What completion would insert for `entry` at (line, col) with no word typed (an editor's
    "insert at cursor"): the same context, form, imports and indentation as `propose`; the
    edit inserts at the cursor and replaces nothing. None where completion would not offer it."""
    if line >= len(lines) or not entry.versions.applies(python):
        return None
    col = min(col, len(lines[line]))
    place = _place(lines, line, col, 0, profile, top_imports, in_string)
    if place is None:
        return None
    return _proposal(Match(entry, 0, entry.prefix), place, lines, line, col, col, profile)


@dataclass
class _Place:
    """What the cursor's place decides for every entry: its context, the imports in force, the
    indentation unit and the cursor line's indentation."""

    ctx: CursorContext
    imports: Imports
    unit: str
    cursor_indent: str
    relative: bool  # the client re-indents the text itself (it is sent unindented)


def _place(
    lines: Sequence[str],
    line: int,
    col: int,
    word_len: int,
    profile: ClientProfile,
    top_imports: Optional[Imports],
    in_string: Optional[Callable[[int], bool]],
) -> Optional[_Place]:
    text = lines[line]
    ctx = cursor_context(lines, line, col, word_len, in_string)
    if not ctx.offers_snippets:
        return None
    imports = top_imports if top_imports is not None else scan_imports(lines)
    if line < imports.future_end:
        return None  # above `from __future__ import ...` no statement may stand
    if ctx.scope_line >= 0:
        imports = _with_local_imports(imports, lines, ctx.scope_line + 1, line)
    cursor_indent = text[: len(text) - len(text.lstrip(" \t"))]
    relative = profile.adjust_indentation or (profile.snippets and profile.reindents_snippets)
    # A snippet's tab becomes the editor's own indentation in VS Code (adjustIndentation) and
    # in Neovim's vim.snippet (with 'expandtab', 'shiftwidth' spaces): the file's unit first.
    unit = indent_unit(lines, cursor_indent, "\t" if relative and profile.snippets else "    ", in_string)
    return _Place(ctx, imports, unit, cursor_indent, relative)


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


def _proposal(
    match: Match,
    place: _Place,
    lines: Sequence[str],
    line: int,
    start: int,
    col: int,
    profile: ClientProfile,
) -> Optional[Proposal]:
    ctx, imports, unit, cursor_indent, relative = (
        place.ctx,
        place.imports,
        place.unit,
        place.cursor_indent,
        place.relative,
    )
    entry = match.entry
    snippet, form = choose_form(entry, ctx, imports)
    if snippet is None:
        return None
    modules = [] if entry.raw else (list(entry.imports) or ["asyncio"])
    snippet, missing = respell(snippet, imports, modules)
    additional: List[Edit] = []
    inline_imports: List[str] = []
    notes: List[str] = []
    for module in missing:
        statement = f"import {module}"
        alias = _import_alias(module, imports)
        if alias is not None:  # never rebind a name the file binds: `import time as _time`
            statement += f" as {alias}"
            snippet = re.sub(rf"(?<![\w.]){re.escape(module)}(?=\.)", alias, snippet)
            notes.append(f"imports {module} as {alias}: `{module}` is taken here")
        site = import_site(lines, module)
        if site.line >= line and form != "expression":
            # The cursor is where imports go (say, an empty file): the program carries them.
            inline_imports.append(statement)
            continue
        # An expression on its line (`async def f(): word`) carries no statement: the import
        # goes to its site, even at the start of the cursor's own line.
        additional.append(_import_edit(lines, site, statement))
    if inline_imports:
        snippet = "".join(f"{s}\n" for s in inline_imports) + ("\n" if form == "program" else "") + snippet
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
        note="; ".join(notes),
    )


def _import_edit(lines: Sequence[str], site: ImportSite, statement: str) -> Edit:
    text = ("\n" if site.blank_before else "") + f"{statement}\n" + "\n" * site.blank_after
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
