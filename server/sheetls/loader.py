"""Load and validate a pack file (sheetls's YAML schema) into the sheet model.

Every problem becomes a PackError naming the file, the line and the field; loading goes on
past an error to report them all. The schema itself is documented in snippets/README.md and
declared once, here, in SCHEMA.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from sheetls import example_check, forms, snippet_syntax
from sheetls.model import (
    NO_VERSIONS,
    Entry,
    Member,
    Param,
    Pitfall,
    Returns,
    Section,
    Sheet,
    TypeFact,
    Versions,
    parse_version,
)
from sheetls.yaml_source import YamlError, YamlNode, parse_yaml, read_text

SCHEMA_VERSION = 1

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PREFIX_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DOTTED_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
URL_RE = re.compile(r"^https?://\S+$")
IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
VERSION_RE = re.compile(r"^[0-9]{1,2}\.[0-9]{1,3}$")


@dataclass(frozen=True)
class PackError:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class LoadResult:
    sheet: Optional[Sheet]
    errors: List[PackError] = field(default_factory=list)
    # examples served before their Python check (a big load that deferred it: example_check.py)
    unchecked: Tuple[example_check.Example, ...] = ()

    @property
    def ok(self) -> bool:
        return self.sheet is not None and not self.errors


# field -> (kind, required). Kinds: str, text (non-empty str), id, prefix, url, snippet,
# list:<kind>, list (of mappings, checked by the caller), int, returns (a dotted class name, or
# a non-empty list of them: a tuple).
SCHEMA: Dict[str, Dict[str, Tuple[str, bool]]] = {
    "sheet": {
        "schema": ("int", False),
        "id": ("id", True),
        "title": ("text", True),
        "summary": ("text", True),
        "language": ("text", False),
        "sections": ("list", True),
        "members": ("list", False),
        "types": ("list", False),
        "oldest_python": ("version", False),
        "newest_python": ("version", False),
    },
    "section": {
        "id": ("id", True),
        "title": ("text", True),
        "summary": ("text", True),
        "entries": ("list", True),
    },
    "entry": {
        "id": ("id", True),
        "title": ("text", True),
        "summary": ("text", True),
        "prefix": ("prefix", True),
        "body": ("snippet", True),
        "tags": ("list:text", False),
        "apis": ("list:dotted", False),
        "signature": ("text", False),
        "docs": ("url", False),
        "note": ("text", False),
        "imports": ("list:module", False),
        "helpers": ("snippet", False),
        "added": ("version", False),
        "changed": ("version", False),
        "removed": ("version", False),
        "params": ("list", False),
        "pitfalls": ("list", False),
        "returns": ("returns", False),
    },
    "member": {
        "api": ("dotted", True),
        "entry": ("id", True),
        "summary": ("text", True),
        "pitfall": ("text", False),
        "docs": ("url", False),
        "added": ("version", False),
        "changed": ("version", False),
        "removed": ("version", False),
        "pitfalls": ("list", False),
        "returns": ("returns", False),
        "value": ("dotted", False),
    },
    "type": {
        "api": ("dotted", True),
        "returns": ("returns", False),
        "value": ("dotted", False),
    },
    "param": {
        "name": ("ident", True),
        "added": ("version", False),
        "changed": ("version", False),
        "removed": ("version", False),
        "note": ("text", False),
    },
    "pitfall": {
        "text": ("text", True),
        "added": ("version", False),
        "changed": ("version", False),
        "removed": ("version", False),
    },
}

_CHECKS: Dict[str, Tuple[Callable[[object], bool], str]] = {
    "str": (lambda v: isinstance(v, str), "a string"),
    "text": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string"),
    "id": (lambda v: isinstance(v, str) and bool(ID_RE.match(v)), "an id of lowercase letters, digits and '-'"),
    "prefix": (
        lambda v: isinstance(v, str) and bool(PREFIX_RE.match(v)),
        "a trigger word of letters, digits and '_' (not starting with a digit)",
    ),
    "dotted": (
        lambda v: isinstance(v, str) and bool(DOTTED_RE.match(v)),
        "a dotted name like 'asyncio.open_connection'",
    ),
    "module": (lambda v: isinstance(v, str) and bool(MODULE_RE.match(v)), "a module name like 'asyncio'"),
    "url": (lambda v: isinstance(v, str) and bool(URL_RE.match(v)), "an http(s) URL"),
    "snippet": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty snippet string"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer"),
    "list": (lambda v: isinstance(v, list), "a list"),
    "ident": (lambda v: isinstance(v, str) and bool(IDENT_RE.match(v)), "a parameter name"),
    "version": (lambda v: isinstance(v, str) and bool(VERSION_RE.match(v)), 'a Python version in quotes, like "3.13"'),
}


class _Validator:
    def __init__(self, path: str):
        self.path = path
        self.errors: List[PackError] = []
        self.parsed: Dict[int, List[snippet_syntax.Node]] = {}  # id(snippet value) -> its parsed nodes, for _entry

    def error(self, line: int, fieldname: str, message: str) -> None:
        self.errors.append(PackError(self.path, line, fieldname, message))

    def fields(self, node: YamlNode, kind: str, where: str) -> Optional[Dict[str, YamlNode]]:
        """Check a mapping against SCHEMA[kind]; return it if it is a mapping at all."""
        if not isinstance(node.value, dict):
            self.error(node.line, where, f"expected a mapping, got {_kind(node.value)}")
            return None
        schema = SCHEMA[kind]
        for key, value in node.value.items():
            spec = schema.get(key)
            if spec is None:
                known = ", ".join(schema)
                self.error(value.key_line, _name(where, key), f"unknown field {key!r} (known fields: {known})")
                continue
            self.check(value, spec[0], where, key)
        for key, (_, required) in schema.items():
            if required and key not in node.value:
                self.error(node.line, _name(where, key), "required field is missing")
        return node.value

    def check(self, node: YamlNode, kind: str, where: str, key: str, index: int = -1) -> bool:
        """Check one value; its field name (`where.key[index]`) is spelled out only for an
        error, since a big pack has ~100,000 values that are fine."""
        if kind == "returns":
            if isinstance(node.value, list) and node.value:
                return self.check(node, "list:dotted", where, key, index)
            kind = "dotted"
            if not isinstance(node.value, str):
                self.error(
                    node.line,
                    _name(where, key, index),
                    f"expected a class name like 'asyncio.Server' or a list of them, got {_describe(node.value)}",
                )
                return False
        if kind.startswith("list:"):
            if not isinstance(node.value, list):
                self.error(node.line, _name(where, key, index), f"expected a list, got {_kind(node.value)}")
                return False
            item_kind = kind[5:]
            return all(self.check(item, item_kind, where, key, i) for i, item in enumerate(node.value))
        test, expected = _CHECKS[kind]
        if not test(node.value):
            if kind == "version" and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
                # YAML reads 3.10 as the number 3.1: a version must be a quoted string
                expected += f" (unquoted, YAML reads it as the number {node.value!r})"
            self.error(node.line, _name(where, key, index), f"expected {expected}, got {_describe(node.value)}")
            return False
        if kind == "snippet" and isinstance(node.value, str):  # a str: the test above passed
            try:
                self.parsed[id(node)] = snippet_syntax.parse(node.value)
            except snippet_syntax.SnippetSyntaxError as exc:
                self.error(
                    _offset_line(node, exc.offset), _name(where, key, index), f"invalid snippet syntax: {exc.message}"
                )
                return False
        return True


def _name(where: str, key: str, index: int = -1) -> str:
    """A field's name in messages: `sections[0].entries[3].tags[1]`."""
    name = f"{where}.{key}" if where else key
    return f"{name}[{index}]" if index >= 0 else name


def _kind(value: object) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _describe(value: object) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"{shown!r}"
    return _kind(value)


def _offset_line(node: YamlNode, offset: int) -> int:
    """The file line of character `offset` inside a string value."""
    text = node.value if isinstance(node.value, str) else ""
    return node.line + (1 if node.block else 0) + text[:offset].count("\n")


def _str(fields: Dict[str, YamlNode], key: str, default: str = "") -> str:
    node = fields.get(key)
    return node.value.rstrip("\n") if node is not None and isinstance(node.value, str) else default


def _strs(fields: Dict[str, YamlNode], key: str) -> Tuple[str, ...]:
    node = fields.get(key)
    if node is None or not isinstance(node.value, list):
        return ()
    return tuple(item.value for item in node.value if isinstance(item.value, str))


def _returns(fields: Dict[str, YamlNode], key: str = "returns") -> Returns:
    """A `returns` that passed its check: a class name, or a tuple of them."""
    node = fields.get(key)
    if node is None:
        return None
    if isinstance(node.value, str):
        return node.value
    return _strs(fields, key) or None


def _types(v: _Validator, top: Dict[str, YamlNode]) -> Tuple[TypeFact, ...]:
    """The pack's `types`: what names it does not document give when called or hold."""
    out: List[TypeFact] = []
    node = top.get("types")
    for i, item in enumerate(node.value if node and isinstance(node.value, list) else []):
        name = f"types[{i}]"
        before = len(v.errors)
        tfields = v.fields(item, "type", name)
        if tfields is None or len(v.errors) > before:
            continue
        if "returns" not in tfields and "value" not in tfields:
            v.error(item.line, name, "says neither what the name returns nor its value")
            continue
        out.append(TypeFact(_str(tfields, "api"), _returns(tfields), _str(tfields, "value") or None))
    return tuple(out)


def _versions(v: _Validator, fields: Dict[str, YamlNode], where: str) -> Versions:
    """The added/changed/removed of a mapping whose fields passed their checks; an order
    that cannot be (removed before added, a change outside the span) is an error."""
    got: Dict[str, str] = {}
    for k in ("added", "changed", "removed"):
        node = fields.get(k)
        if node is not None and isinstance(node.value, str) and parse_version(node.value):
            got[k] = node.value
    if not got:
        return NO_VERSIONS
    added, changed, removed = (parse_version(got[k]) if k in got else None for k in ("added", "changed", "removed"))
    if added and removed and removed <= added:
        v.error(
            fields["removed"].line,
            _name(where, "removed"),
            f"removed in {got['removed']} is not after added in {got['added']}",
        )
    if changed and ((added and changed <= added) or (removed and changed >= removed)):
        span = Versions(got.get("added", ""), "", got.get("removed", "")).label()
        v.error(
            fields["changed"].line,
            _name(where, "changed"),
            f"changed in {got['changed']} is outside the versions that have it ({span})",
        )
    return Versions(got.get("added", ""), got.get("changed", ""), got.get("removed", ""))


def _pitfalls(v: _Validator, fields: Dict[str, YamlNode], where: str) -> Tuple[Pitfall, ...]:
    out: List[Pitfall] = []
    node = fields.get("pitfalls")
    for i, item in enumerate(node.value if node is not None and isinstance(node.value, list) else []):
        name = f"{_name(where, 'pitfalls')}[{i}]"
        pf = v.fields(item, "pitfall", name)
        if pf is not None and "text" in pf:
            out.append(Pitfall(_str(pf, "text"), _versions(v, pf, name)))
    return tuple(out)


def _signature_params(signature: str) -> List[str]:
    """The parameter names of `name(a, b=1, *, c=None) -> T` (no parsing of defaults needed:
    names are what precedes '=' or ':' at depth one)."""
    open_at = signature.find("(")
    if open_at < 0:
        return []
    names, depth, start = [], 0, open_at + 1
    for i in range(open_at, len(signature)):
        ch = signature[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                names.append(signature[start:i])
                break
        elif ch == "," and depth == 1:
            names.append(signature[start:i])
            start = i + 1
    out = []
    for part in names:
        m = re.match(r"\s*\**([A-Za-z_][A-Za-z0-9_]*)", part)
        if m:
            out.append(m.group(1))
    return out


def _params(v: _Validator, fields: Dict[str, YamlNode], where: str) -> Tuple[Param, ...]:
    out: List[Param] = []
    node = fields.get("params")
    signature = _str(fields, "signature")
    known = _signature_params(signature)
    seen: Dict[str, int] = {}
    for i, item in enumerate(node.value if node is not None and isinstance(node.value, list) else []):
        name = f"{_name(where, 'params')}[{i}]"
        pf = v.fields(item, "param", name)
        if pf is None or "name" not in pf or not isinstance(pf["name"].value, str):
            continue
        pname = pf["name"].value
        if not signature:
            v.error(pf["name"].line, f"{name}.name", "params need a signature to name")
            continue
        if pname not in known:
            v.error(
                pf["name"].line, f"{name}.name", f"no parameter {pname!r} in the signature (it has: {', '.join(known)})"
            )
            continue
        _unique(v, seen, pname, pf["name"], f"{name}.name", "parameter")
        out.append(Param(pname, _versions(v, pf, name), _str(pf, "note")))
    return tuple(out)


def build_sheet(root: YamlNode, path: str, defer_examples: bool = False) -> LoadResult:
    """Validate a parsed pack and build its Sheet; errors name file, line and field.

    With `defer_examples`, a load with many examples not seen before leaves their Python check
    to the caller (`LoadResult.unchecked`; example_check.py)."""
    v = _Validator(path)
    top = v.fields(root, "sheet", "")
    if top is None:
        return LoadResult(None, v.errors)
    if "schema" in top and top["schema"].value != SCHEMA_VERSION and isinstance(top["schema"].value, int):
        v.error(
            top["schema"].line,
            "schema",
            f"unsupported schema version {top['schema'].value} (this sheetls reads {SCHEMA_VERSION})",
        )
    pack_id = _str(top, "id")
    entry_ids: Dict[str, int] = {}
    section_ids: Dict[str, int] = {}
    prefixes: Dict[str, int] = {}
    drafts: List[Tuple[Dict[str, YamlNode], List[_Draft]]] = []  # each section, with its entries' drafts
    sections_node = top.get("sections")
    for si, snode in enumerate(sections_node.value if sections_node and isinstance(sections_node.value, list) else []):
        sname = f"sections[{si}]"
        sfields = v.fields(snode, "section", sname)
        if sfields is None:
            continue
        _unique(v, section_ids, _str(sfields, "id"), sfields.get("id"), f"{sname}.id", "section id")
        section_drafts: List[_Draft] = []
        enode = sfields.get("entries")
        for ei, node in enumerate(enode.value if enode and isinstance(enode.value, list) else []):
            ename = f"{sname}.entries[{ei}]"
            before = len(v.errors)
            efields = v.fields(node, "entry", ename)
            if efields is None:
                continue
            _unique(v, entry_ids, _str(efields, "id"), efields.get("id"), f"{ename}.id", "entry id")
            _unique(v, prefixes, _str(efields, "prefix"), efields.get("prefix"), f"{ename}.prefix", "prefix")
            versions = _versions(v, efields, ename)
            params = _params(v, efields, ename)
            pitfalls = _pitfalls(v, efields, ename)
            if len(v.errors) > before:
                continue
            draft = _draft(v, efields, ename)
            draft.versions, draft.params, draft.pitfalls = versions, params, pitfalls
            section_drafts.append(draft)
        drafts.append((sfields, section_drafts))

    # The examples' Python check: as each entry is made (below), or, for a big load that
    # defers it, by the caller (LoadResult.unchecked).
    unchecked: Tuple[example_check.Example, ...] = ()
    if defer_examples:
        new = example_check.unknown([(d.example, len(d.imports)) for _, ds in drafts for d in ds])
        if len(new) > example_check.DEFER_OVER:
            unchecked = tuple(new)
    deferred = {text for text, _ in unchecked}
    sections: List[Section] = []
    for sfields, section_drafts in drafts:
        sid = _str(sfields, "id")
        entries = [
            e
            for e in (_entry(v, d, sid, pack_id, path, checked=d.example not in deferred) for d in section_drafts)
            if e is not None
        ]
        sections.append(Section(sid, _str(sfields, "title"), _str(sfields, "summary"), tuple(entries)))

    members: List[Member] = []
    mnode = top.get("members")
    for mi, node in enumerate(mnode.value if mnode and isinstance(mnode.value, list) else []):
        mname = f"members[{mi}]"
        mfields = v.fields(node, "member", mname)
        if mfields is None:
            continue
        target = _str(mfields, "entry")
        before = len(v.errors)
        versions = _versions(v, mfields, mname)
        pitfalls = _pitfalls(v, mfields, mname)
        if target and target not in entry_ids:
            v.error(mfields["entry"].line, f"{mname}.entry", f"no entry with id {target!r} in this pack")
            continue
        if len(v.errors) > before:
            continue
        members.append(
            Member(
                api=_str(mfields, "api"),
                entry=target,
                summary=_str(mfields, "summary"),
                pitfall=_str(mfields, "pitfall"),
                docs=_str(mfields, "docs"),
                versions=versions,
                pitfalls=pitfalls,
                returns=_returns(mfields),
                value=_str(mfields, "value") or None,
            )
        )
    types = _types(v, top)
    sheet = Sheet(
        id=pack_id,
        title=_str(top, "title"),
        summary=_str(top, "summary"),
        language=_str(top, "language", "python"),
        sections=tuple(sections),
        members=tuple(members),
        types=types,
        path=path,
        oldest_python=_str(top, "oldest_python")
        if isinstance(top.get("oldest_python", YamlNode(None, 0)).value, str)
        else "",
        newest_python=_str(top, "newest_python")
        if isinstance(top.get("newest_python", YamlNode(None, 0)).value, str)
        else "",
    )
    if (
        sheet.oldest_python
        and sheet.newest_python
        and (parse_version(sheet.newest_python) or (0, 0)) < (parse_version(sheet.oldest_python) or (0, 0))
    ):
        v.error(
            top["newest_python"].line,
            "newest_python",
            f"{sheet.newest_python} is older than oldest_python {sheet.oldest_python}",
        )
    return LoadResult(sheet, v.errors, unchecked)


def _unique(v: _Validator, seen: Dict[str, int], value: str, node: Optional[YamlNode], name: str, what: str) -> None:
    if not value or node is None:
        return
    if value in seen:
        v.error(node.line, name, f"duplicate {what} {value!r} (first defined at line {seen[value]})")
    else:
        seen[value] = node.line


@dataclass
class _Draft:
    """An entry whose fields passed their checks, with its example assembled."""

    fields: Dict[str, YamlNode]
    name: str  # `sections[i].entries[j]`, for messages
    text: Dict[str, str]  # its string fields
    imports: Tuple[str, ...]
    example: str
    versions: Versions = NO_VERSIONS
    params: Tuple[Param, ...] = ()
    pitfalls: Tuple[Pitfall, ...] = ()


def _draft(v: _Validator, f: Dict[str, YamlNode], name: str) -> _Draft:
    text = {k: n.value.rstrip("\n") for k, n in f.items() if isinstance(n.value, str)}
    imports = _strs(f, "imports")
    parsed = v.parsed
    example = forms.example_from_nodes(imports, parsed.get(id(f.get("helpers")), ()), parsed.get(id(f.get("body")), ()))
    return _Draft(f, name, text, imports, example)


def _entry(v: _Validator, d: _Draft, section: str, pack: str, path: str, checked: bool = True) -> Optional[Entry]:
    """The entry, or None (and an error) when its example is not valid Python (`checked`: else
    the example's check is deferred, and it is served meanwhile)."""
    text, imports, helpers = d.text, d.imports, d.text.get("helpers", "")
    error = example_check.problem(d.example, len(imports)) if checked else None
    if error is not None:
        lineno, msg = error  # mapped back to the field that wrote the line
        v.error(
            _example_line(d.fields, imports, helpers, lineno),
            f"{d.name}.body" if _in_body(imports, helpers, lineno) else f"{d.name}.helpers",
            f"the assembled example is not valid Python: {msg} (example line {lineno})",
        )
        return None
    return Entry(
        id=text.get("id", ""),
        title=text.get("title", ""),
        summary=text.get("summary", ""),
        prefix=text.get("prefix", ""),
        body=text.get("body", ""),
        section=section,
        tags=_strs(d.fields, "tags"),
        apis=_strs(d.fields, "apis"),
        signature=text.get("signature", ""),
        docs=text.get("docs", ""),
        note=text.get("note", ""),
        imports=imports,
        helpers=helpers,
        example=d.example,
        pack=pack,
        path=path,
        lines={k: (n.line + 1 if n.block else n.line) for k, n in d.fields.items()},
        returns=_returns(d.fields),
        versions=d.versions,
        params=d.params,
        pitfalls=d.pitfalls,
    )


def _helpers_start(imports: Sequence[str]) -> int:
    return len(imports) + 2 if imports else 1


def _in_body(imports: Sequence[str], helpers: str, lineno: int) -> bool:
    start = _helpers_start(imports)
    hl = helpers.rstrip("\n").count("\n") + 1 if helpers.strip() else 0
    return lineno >= start + hl + (1 if hl else 0)


def _example_line(f: Dict[str, YamlNode], imports: Sequence[str], helpers: str, lineno: int) -> int:
    """The file line of line `lineno` of an assembled example."""
    start = _helpers_start(imports)
    if not _in_body(imports, helpers, lineno) and "helpers" in f and lineno >= start:
        helpers_node = f["helpers"]
        return helpers_node.line + (1 if helpers_node.block else 0) + (lineno - start)
    node = f.get("body")
    if node is None:
        return 0
    hl = helpers.rstrip("\n").count("\n") + 1 if helpers.strip() else 0
    body_first = start + hl + (1 if hl else 0) + 1  # the line after `async def main():`
    return node.line + (1 if node.block else 0) + max(0, lineno - body_first)


def load_pack(path: str, defer_examples: bool = False) -> LoadResult:
    """Read, parse and validate one pack file."""
    try:
        text = read_text(path)
    except (YamlError, RecursionError, MemoryError) as exc:
        return _unreadable(path, exc)
    return load_text(text, path, defer_examples)


def load_text(text: str, path: str, defer_examples: bool = False) -> LoadResult:
    """Validate pack text (e.g. an open editor buffer) as if read from `path`."""
    try:
        root = parse_yaml(text)
    except (YamlError, RecursionError, MemoryError) as exc:
        return _unreadable(path, exc)
    return build_sheet(root, path, defer_examples)


def _unreadable(path: str, exc: Exception) -> LoadResult:
    if isinstance(exc, YamlError):
        return LoadResult(None, [PackError(path, exc.line, "", exc.message)])
    message = f"the pack is too deeply nested or too large to read ({type(exc).__name__})"
    return LoadResult(None, [PackError(path, 0, "", message)])


def builtin_sheet_path() -> str:
    """The built-in sheet: package data in an installed wheel, snippets/ in a source checkout."""
    here = os.path.dirname(os.path.abspath(__file__))
    packaged = os.path.join(here, "data", "asyncio-streams.yaml")
    if os.path.exists(packaged):
        return packaged
    return os.path.normpath(os.path.join(here, "..", "..", "snippets", "asyncio-streams.yaml"))
