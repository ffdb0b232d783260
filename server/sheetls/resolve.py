"""What the name under the cursor refers to, as a fully qualified API name, resolved the way
Python resolves it.

The resolver in parts:
- pysource.py: the Python source scanner (strings, comments, brackets, blocks, headers);
- repair.py: a half-typed block made parseable;
- regions.py: parsed blocks, indexed line by line, and their per-document cache;
- scopes.py: the names a scope binds, and the binding a name refers to at a place;
- apifacts.py: the values followed, and what the packs say calls give (data, not code);
- docmodel.py: the model of a document version, and of a document across its versions;
- evaluate.py: the value of an expression, through bindings, calls and handlers;
- this module: the cursor (the node, import name or dotted text under it) and the API named.

On a line that had to be blanked to parse its block, the dotted name under the cursor is read
from the text and its root resolved through the scopes around it; for a block that stays
broken, through the file's imports.

Caches live in a document's model: the server keeps a `docmodel.DocumentModel` per open
document and passes its version model to `resolve_at(model=...)`; without one, resolve_at
makes a fresh model for the call.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

from sheetls.apifacts import ApiFacts, ApiName, builtin_facts, normalize
from sheetls.docmodel import DocumentModel, VersionModel
from sheetls.evaluate import binding_value, evaluate, member
from sheetls.pyimports import Imports, scan_imports
from sheetls.pysource import BIG_BLOCK, IDENT, in_string_or_comment, indent, scan, scan_blocks, skeleton  # noqa: F401
from sheetls.regions import Region
from sheetls.repair import repair_parse  # noqa: F401 (tests)
from sheetls.scopes import lookup, scopes_at_line


@dataclass(frozen=True)
class Target:
    api: str  # fully qualified, e.g. "asyncio.open_connection"
    line: int
    start: int  # code point range of the hovered name on `line`
    end: int


# --- the cursor ----------------------------------------------------------------------------------
def _byte_col(text: str, col: int) -> int:
    return len(text[:col].encode("utf-8", "surrogatepass"))


def _char_col(text: str, byte_col: int) -> int:
    return len(text.encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", "surrogatepass"))


def _dotted(node: ast.AST) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


Known = Callable[[str], bool]


def resolve_at(
    lines: Sequence[str],
    line: int,
    col: int,
    imports: Optional[Imports] = None,
    known: Optional[Known] = None,
    facts: Optional[ApiFacts] = None,
    model: Optional[VersionModel] = None,
) -> Optional[Target]:
    """The API named at (line, code point col), or None. `known(api)` says which qualified
    names the sheet documents (default: any name under `asyncio`); `facts`, what the packs say
    their calls give (default: the built-in sheet's); `model`, the version's model (default:
    a fresh model of `lines`, its caches gone with the call)."""
    if line < 0 or line >= len(lines):
        return None
    known = known or (lambda api: api.startswith("asyncio."))
    model = model if model is not None else DocumentModel().at(lines)
    model.use_facts(facts if facts is not None else builtin_facts())
    text = model.texts[line]
    if col < 0 or col > len(text):
        return None
    region = model.region_at(line)
    if region is None or region.tree is None:
        return _line_based(model, line, col, known, imports) if region is not None else None
    if line in region.blanked:
        return _textual(model, region, line, col, known)
    return _from_tree(model, region, line, col, known)


def _from_tree(model: VersionModel, region: Region, line: int, col: int, known: Known) -> Optional[Target]:
    text = model.texts[line]
    bcol = _byte_col(text, col)
    line1 = line + 1
    hit: Optional[ast.expr] = None
    for node in region.nodes_on(line1):
        # (ast's end positions are optional, for nodes made by hand; a parsed node has them)
        if isinstance(node, ast.Name) and node.lineno == line1 and node.end_col_offset is not None:
            if node.col_offset <= bcol < node.end_col_offset and isinstance(node.ctx, ast.Load):
                hit = node
        elif isinstance(node, ast.Attribute) and node.end_lineno == line1 and node.end_col_offset is not None:
            start = node.end_col_offset - len(node.attr.encode("utf-8"))
            if start <= bcol < node.end_col_offset:
                hit = node
        elif isinstance(node, ast.alias) and node.lineno == line1:
            name_end = node.col_offset + len(node.name.encode("utf-8"))
            if node.col_offset <= bcol < name_end:
                return _from_import(region, node, line, text, bcol, known)
            if node.asname and node.end_lineno == line1 and node.end_col_offset is not None:
                as_start = node.end_col_offset - len(node.asname.encode("utf-8"))
                if as_start <= bcol < node.end_col_offset:  # `as oc`: the local name of the API
                    return _from_import(region, node, line, text, bcol, known, (as_start, node.end_col_offset))
    if hit is None:
        return None
    return resolve_node(model, region, hit, line, known)


def resolve_node(model: VersionModel, region: Region, node: ast.expr, line: int, known: Known) -> Optional[Target]:
    """What `_from_tree` answers once it has found `node` (a name, or an attribute by its last
    part, ending on 0-based `line`) under the position it was asked about: for a caller that
    holds the node of the region's tree (the checker, units.share_parse)."""
    text = model.texts[line]
    while True:
        value = evaluate(model, node, region)
        if isinstance(value, ApiName) and known(value.name):
            return _target(value.name, node, line, text)
        parent, fld = region.parent(node)
        if isinstance(parent, ast.Attribute) and fld == "value":
            node = parent
            continue
        return None


def _target(api: str, node: ast.expr, line: int, text: str) -> Target:
    """The target's span: the whole dotted name when it stands on one line, else the last part."""
    line1 = line + 1
    start = node.col_offset
    end = node.end_col_offset if node.end_col_offset is not None else start  # parsed: never None
    if isinstance(node, ast.Attribute) and not (_dotted(node) and node.lineno == line1 and node.end_lineno == line1):
        start = end - len(node.attr.encode("utf-8"))
    return Target(api, line, _char_col(text, start), _char_col(text, end))


def _from_import(
    region: Region,
    alias: ast.alias,
    line: int,
    text: str,
    bcol: int,
    known: Known,
    asname: Optional[Tuple[int, int]] = None,
) -> Optional[Target]:
    """`from asyncio import open_connection [as oc]`: the imported name (or its local name)
    is the API itself."""
    stmt, _ = region.parent(alias)
    if isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
        api = normalize(f"{stmt.module}.{alias.name}")
    elif isinstance(stmt, ast.Import) and asname is not None:
        api = normalize(alias.name)
    elif isinstance(stmt, ast.Import):
        # `import asyncio.subprocess`: the part under the cursor and what comes before it
        parts = alias.name.split(".")
        offset = alias.col_offset
        api = ""
        for i, part in enumerate(parts):
            end = offset + len(part.encode("utf-8"))
            if bcol < end:
                api = normalize(".".join(parts[: i + 1]))
                break
            offset = end + 1
    else:
        return None
    if not api or not known(api):
        return None
    start, end = asname or (alias.col_offset, alias.col_offset + len(alias.name.encode("utf-8")))
    return Target(api, line, _char_col(text, start), _char_col(text, end))


def dotted_chain(text: str, col: int) -> Optional[Tuple[List[Optional[str]], List[Tuple[int, int]], int]]:
    """The dotted chain of identifiers through `col`: parts (None for a non-name root such as
    a call), their code point spans, and the index of the part under `col`."""
    spans = [(m.start(), m.end()) for m in IDENT.finditer(text)]
    at = next((k for k, (s, e) in enumerate(spans) if s <= col < e), None)
    if at is None:
        return None

    def joined(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
        return text[a[1] : b[0]].strip(" \t") == "."

    first = at
    while first > 0 and joined(spans[first - 1], spans[first]):
        first -= 1
    last = at
    while last + 1 < len(spans) and joined(spans[last], spans[last + 1]):
        last += 1
    parts: List[Optional[str]] = [text[s:e] for s, e in spans[first : last + 1]]
    chain_spans = spans[first : last + 1]
    before = text[: chain_spans[0][0]].rstrip(" \t")
    if before.endswith("."):
        parts.insert(0, None)
        chain_spans.insert(0, (chain_spans[0][0], chain_spans[0][0]))
        at += 1
    return parts, chain_spans, at - first


def _chain_target(
    model: VersionModel, line: int, col: int, known: Known, root: Callable[[str, int], object]
) -> Optional[Target]:
    text = model.texts[line]
    if in_string_or_comment(text, col):
        return None
    found = dotted_chain(text, col)
    if found is None:
        return None
    parts, spans, at = found
    values: List[object] = [root(parts[0], _byte_col(text, spans[0][0])) if parts[0] is not None else None]
    for part in parts[1:]:  # names: only the root is None (after a call or a subscript)
        values.append(member(model, values[-1], part) if part is not None else None)
    first = 0 if parts[0] is not None else 1
    for k in range(max(at, first), len(parts)):
        value = values[k]
        if isinstance(value, ApiName) and known(value.name):
            return Target(value.name, line, spans[first][0], spans[k][1])
    return None


def _textual(model: VersionModel, region: Region, line: int, col: int, known: Known) -> Optional[Target]:
    """The cursor is on a line that had to be blanked to parse its block: read the dotted
    name from the text and resolve its root through the scopes around the line."""
    scopes = scopes_at_line(region, line + 1, indent(model.texts[line]))

    def root(name: str, byte_col: int) -> object:
        return binding_value(model, lookup(model, name, scopes, (line + 1, byte_col), region))

    return _chain_target(model, line, col, known, root)


def _line_based(model: VersionModel, line: int, col: int, known: Known, imports: Optional[Imports]) -> Optional[Target]:
    """Last resort, for a block that stays broken after repair: the file's imports."""
    names = (imports if imports is not None else scan_imports(model.texts)).names

    def root(name: str, byte_col: int) -> object:
        return ApiName(normalize(names[name])) if name in names else None

    return _chain_target(model, line, col, known, root)
