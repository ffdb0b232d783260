"""The built-in sheet's index, client profiles and cursor marking for the tests that call the
pure core (sheetls.completion, sheetls.context, sheetls.hover) directly, without a server; and
the resolver's answers over a whole document, with the property that a model carried across
edits answers like a fresh one (test_hover_edits, test_hover_realworld_cases)."""

from __future__ import annotations

import ast
import random
from typing import Dict, List, Optional, Sequence, Tuple

from hypothesis import strategies as st

from sheetls import resolve
from sheetls.docmodel import DocumentModel, VersionModel
from sheetls.index import SheetIndex
from sheetls.loader import builtin_sheet_path, load_pack
from sheetls.profile import ClientProfile
from sheetls.regions import RegionCache

SHEET = load_pack(builtin_sheet_path()).sheet
INDEX = SheetIndex.build([SHEET])
# What VS Code's and Neovim's real capabilities make of the client (sheetls.lsp reads them), and
# a client without snippets or markdown.
VSCODE = ClientProfile(snippets=True, adjust_indentation=True, resolve_documentation=True)
NEOVIM = ClientProfile(snippets=True, reindents_snippets=True)
PLAIN = ClientProfile(snippets=False, markdown=False)


def marked(text: str) -> Tuple[List[str], int, int]:
    """The document's lines and the `|` marker's (line, code point column), marker removed."""
    before, _, after = text.partition("|")
    line = before.count("\n")
    col = len(before) - (before.rfind("\n") + 1)
    return (before + after).split("\n"), line, col


def big_class(methods: int, extra: str = "") -> str:
    """A module with one class `Big` of `methods` async methods (4 lines each) and `extra` at
    its end: past BIG_BLOCK lines (pysource), it is parsed a statement of its body at a time."""
    body = "".join(
        f"    async def m{i}(self, host):\n        r, w = await asyncio.open_connection(host, {i})\n"
        f"        await w.drain()\n\n"
        for i in range(methods)
    )
    return "import asyncio\n\n\nclass Big:\n    limit = 10\n\n" + body + extra


def hover_answers(
    lines: Sequence[str], step: int = 3, model: Optional[VersionModel] = None
) -> Dict[Tuple[int, int], Optional[tuple]]:
    """What hover's resolver answers all over a document, every `step` columns of each line:
    (line, col) -> (api, start, end), or None where it finds nothing. `model`: the version's
    model (default: a fresh one for this document, shared by its hovers)."""
    model = model if model is not None else DocumentModel().at(lines)
    out: Dict[Tuple[int, int], Optional[tuple]] = {}
    for i, text in enumerate(lines):
        for col in range(0, len(text), step):
            target = resolve.resolve_at(lines, i, col, model=model)
            out[(i, col)] = target and (target.api, target.start, target.end)
    return out


def line_edits(source: Sequence[str], fragments: Sequence[str]) -> st.SearchStrategy:
    """Up to six one-line edits of `source`: (line, column, fragment, how), where how is
    "insert" (the fragment typed at the column), "indent" (the line re-indented by 4, then
    the fragment typed) or "statement" (the line replaced by the fragment at its indentation)."""
    return st.lists(
        st.tuples(
            st.integers(0, len(source) - 1),
            st.integers(0, 60),
            st.sampled_from(fragments),
            st.sampled_from(["insert", "indent", "statement"]),
        ),
        min_size=1,
        max_size=6,
    )


def carried_and_fresh_answers(
    source: Sequence[str], edits, *, indent: str, step: int, final_step: int = 3
) -> Tuple[dict, dict]:
    """The property "a carried model answers like a fresh one": `edits` (from line_edits) are
    made one version at a time, each new version's model carried from the previous one
    (DocumentModel.after, as the server does after a keystroke), with hovers every `step`
    columns between them so the carried caches are filled and carried on too. Returns the
    answers of the last version's carried model and of a model built afresh for the same
    lines, both every `final_step` columns: a test asserts they are equal. `indent` is the
    indentation a "statement" edit gives a line that has none."""
    document = DocumentModel()
    lines = list(source)
    hover_answers(lines, step, document.at(lines))  # the first version's model, its caches filled by hovers
    for line, col, fragment, how in edits:
        new = list(lines)
        text = new[line]
        if how == "statement":  # the line becomes another statement at its indentation
            new[line] = (text[: len(text) - len(text.lstrip())] or indent) + fragment
        else:
            if how == "indent":
                text = "    " + text.lstrip()
            col = min(col, len(text))
            new[line] = text[:col] + fragment + text[col:]
        carried_model = document.after([(line, 1, 1)], new)
        lines = new
        hover_answers(lines, step, carried_model)  # hovers fill the carried model's caches, which carry on
    carried = hover_answers(lines, final_step, document.at(lines))
    return carried, hover_answers(lines, final_step)  # a fresh model


def scope_answers(texts: List[str], shortcuts: bool = True) -> Dict[Tuple[str, int, int], List[Tuple[str, ...]]]:
    """Every scope of `texts` parsed as one block -> each name it binds with its bindings (kind,
    position, imported name), its globals and nonlocals: found by scopes.collect_bindings with
    its shortcuts (statements only where no `:=`; nested functions through their kept bindings,
    only where the text says `nonlocal`), or, with `shortcuts` False, by a walk of every node."""
    import ast

    from sheetls.regions import Region
    from sheetls.scopes import SCOPES, scope_bindings

    region = Region(0, texts)
    assert region.tree is not None, "the text parses"
    if not shortcuts:
        region.says_walrus = region.says_nonlocal = True
    out: Dict[Tuple[str, int, int], List[Tuple[str, ...]]] = {}
    for node in ast.walk(region.tree):
        if isinstance(node, SCOPES) or isinstance(node, ast.Module):
            found = scope_bindings(node, region)
            key = (type(node).__name__, getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
            rows = sorted((name, b.kind, str(b.pos), b.name) for name, bs in found.names.items() for b in bs)
            rows.append(("<globals>", ",".join(sorted(found.globals))))
            rows.append(("<nonlocals>", ",".join(sorted(found.nonlocals))))
            out[key] = rows
    return out


def lint_units_and_findings(lines: List[str], chunk_lines: int, monkeypatch) -> Tuple[list, list]:
    """A document's first check with the first parse CHUNK_LINES = `chunk_lines` at a time: its
    units (place, kind, text) and findings."""
    from sheetls.diagnostics import incremental
    from sheetls.diagnostics.check import document_lint

    monkeypatch.setattr(incremental, "CHUNK_LINES", chunk_lines)
    doc = document_lint()
    found = doc.findings(list(lines), python=(3, 11))
    return [(u.start, u.end, u.kind, u.lines) for u in doc.units or []], found


# --- keystrokes a user types inside functions, and the resolver's parsed blocks after them
def assignment_sites(lines: List[str]) -> List[int]:
    """Lines of one-line assignments to a name inside a function (a keystroke after the name)."""
    tree = ast.parse("\n".join(lines))
    return [
        stmt.lineno - 1
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for stmt in node.body
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) and stmt.lineno == stmt.end_lineno
    ]


def keystroke(lines: List[str], rng: random.Random) -> bool:
    """An `x` typed after an assigned name or a function's name (its unit and the one before are
    parsed again), a line put in or taken out above a statement (False: the file has no
    assignment in a function to type at)."""
    sites = assignment_sites(lines)
    if not sites:
        return False
    i = rng.choice(sites)
    kind = rng.choice(["type", "type", "def", "insert", "drop"])
    defs = [k for k, t in enumerate(lines) if t.lstrip().startswith("def ") and "(" in t]
    if kind == "def" and defs:
        k = rng.choice(defs)
        lines[k] = lines[k].replace("(", "x(", 1)
    elif kind == "type":
        name_end = len(lines[i]) - len(lines[i].lstrip()) + len(lines[i].split("=")[0].strip())
        lines[i] = lines[i][:name_end] + "x" + lines[i][name_end:]
    elif kind == "insert":
        lines.insert(i, lines[i][: len(lines[i]) - len(lines[i].lstrip())] + "# a comment")
    elif lines[i - 1].strip() == "" or lines[i - 1].strip().startswith("#"):
        del lines[i - 1]
    return True


def blocks_as_parsed(cache: RegionCache) -> None:
    """Every block in the resolver's cache equals a fresh parse of its text at its place."""
    for (place, text), region in cache.entries.items():
        start, class_start = place if isinstance(place, tuple) else (place, None)
        fresh = RegionCache().region(start, text.split("\n"), class_start)
        where = f"the block at line {start} (class at {class_start})"
        assert region.tree is not None and fresh.tree is not None, where
        assert ast.dump(region.tree, include_attributes=True) == ast.dump(fresh.tree, include_attributes=True), where
        assert (region.blanked, region.class_start) == (fresh.blanked, fresh.class_start), where
