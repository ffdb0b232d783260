"""VS Code snippet files read as they are, into the sheet model.

Two shapes, as VS Code and friendly-snippets write them:
- a snippet file (`*.code-snippets`, or a language file like `python.json`): a JSON object
  (comments and trailing commas allowed, as VS Code allows them) of
  `name -> {prefix, body, description, scope}`;
- a snippet package: a folder whose `package.json` lists `contributes.snippets`
  (`[{"language": "python", "path": "./snippets/python.json"}]`).

Scoping: a snippet serves Python files when its `scope` (comma-separated language ids) names
`python`, or when it has no scope; a contributed file serves Python when its `language`
names `python` (or `all`/`global`, which friendly-snippets uses for every language). Snippets
for other languages are counted and left out.

Mapping: one Entry per prefix (VS Code offers the snippet under each), with the snippet's
name as the title, its description as the summary and its body as the body, marked `raw`:
it inserts as it is, wherever the cursor stands. Leading tabs in the body become four
spaces (the server re-indents to the file's unit), and VS Code's lenient snippet syntax
(a stray `$`, `}` or `\\` is literal text) is rewritten into strict LSP syntax.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

from sheetls import snippet_syntax
from sheetls.loader import LoadResult, PackError
from sheetls.model import Entry, Section, Sheet
from sheetls.yaml_source import YamlError, YamlNode, read_text

PYTHON = "python"
ANY_LANGUAGE = {"all", "global", "*"}


class JsoncError(ValueError):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


# --- JSON with comments, with a line on every value -------------------------------------------

_TOKEN = re.compile(
    r"""(?P<ws>[ \t\r\n]+)
      | (?P<comment>//[^\n]*|/\*(?:.|\n)*?\*/)
      | (?P<string>"[^"\\\n]*(?:\\.[^"\\\n]*)*")  # unrolled: no backtracking state per character
      | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
      | (?P<word>true|false|null)
      | (?P<punct>[{}\[\]:,])""",
    re.X,
)


# (kind: the name of the token's group, text, line); "eof" last
_Token = Tuple[Optional[str], str, int]


def _tokens(text: str) -> Iterator[_Token]:
    pos, line = 0, 1
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            bad = text[pos]
            if bad == '"':
                raise JsoncError("unterminated string (a JSON string ends on its line)", line)
            if text.startswith("/*", pos):
                raise JsoncError("unterminated /* comment", line)
            raise JsoncError(f"unexpected character {bad!r}", line)
        kind = m.lastgroup
        if kind not in ("ws", "comment"):
            yield kind, m.group(), line
        line += m.group().count("\n")
        pos = m.end()
    yield "eof", "", line


def parse_jsonc(text: str) -> YamlNode:
    """Parse JSON with // and /* */ comments and trailing commas; values carry their line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    toks = list(_tokens(text))
    i = 0

    def peek() -> _Token:
        return toks[i]

    def take(expected: Optional[str] = None) -> _Token:
        nonlocal i
        tok = toks[i]
        if expected is not None and tok[1] != expected:
            got = "the end of the file" if tok[0] == "eof" else repr(tok[1])
            raise JsoncError(f"expected {expected!r}, got {got}", tok[2])
        i += 1
        return tok

    def value(depth: int) -> YamlNode:
        if depth > 64:
            raise JsoncError("nesting deeper than 64 levels", peek()[2])
        kind, tok, line = take()
        if kind == "string":
            return YamlNode(_unquote(tok, line), line)
        if kind == "number":
            return YamlNode(json.loads(tok), line)
        if kind == "word":
            return YamlNode({"true": True, "false": False, "null": None}[tok], line)
        if tok == "{":
            out: Dict[str, YamlNode] = {}
            while peek()[1] != "}":
                kkind, key, kline = take()
                if kkind != "string":
                    got = "the end of the file" if kkind == "eof" else repr(key)
                    raise JsoncError(f"expected a \"key\" or '}}', got {got}", kline)
                key = _unquote(key, kline)
                if key in out:
                    raise JsoncError(f"duplicate key {key!r} (first at line {out[key].key_line})", kline)
                take(":")
                item = value(depth + 1)
                item.key_line = kline
                out[key] = item
                if peek()[1] == ",":
                    take()
                elif peek()[1] != "}":
                    _, t, l = peek()
                    raise JsoncError(
                        f"expected ',' or '}}' after the value of {key!r}, got {t!r}"
                        if t
                        else "unexpected end of file: missing '}'",
                        l,
                    )
            take("}")
            return YamlNode(out, line)
        if tok == "[":
            items: List[YamlNode] = []
            while peek()[1] != "]":
                items.append(value(depth + 1))
                if peek()[1] == ",":
                    take()
                elif peek()[1] != "]":
                    _, t, l = peek()
                    raise JsoncError(
                        f"expected ',' or ']', got {t!r}" if t else "unexpected end of file: missing ']'", l
                    )
            take("]")
            return YamlNode(items, line)
        if kind == "eof":
            raise JsoncError("unexpected end of file: expected a value", line)
        raise JsoncError(f"unexpected {tok!r}: expected a value", line)

    root = value(0)
    kind, tok, line = peek()
    if kind != "eof":
        raise JsoncError(f"unexpected {tok!r} after the end of the document", line)
    return root


def _unquote(token: str, line: int) -> str:
    try:
        text: str = json.loads(token)  # a string token: a str
        return text
    except json.JSONDecodeError as exc:
        raise JsoncError(f"invalid string: {exc.msg}", line) from None


# --- snippet bodies ------------------------------------------------------------------------------

_LEADING_TABS = re.compile(r"^\t+", re.M)


def strict_body(body: str) -> str:
    """A VS Code snippet body in strict LSP syntax: what VS Code keeps as literal text
    (a stray `$`, `}` or `\\`, an unclosed `${`) is escaped; leading tabs become 4 spaces."""
    body = _LEADING_TABS.sub(lambda m: "    " * len(m.group()), body)
    for _ in range(len(body) + 1):
        try:
            snippet_syntax.parse(body)
            return body
        except snippet_syntax.SnippetSyntaxError as exc:
            at = exc.offset
            if at >= len(body):  # an unclosed `${` somewhere: escape the last one
                at = _last_unescaped(body, "${")
                if at < 0:
                    raise
            elif body[at] not in "$}\\":
                raise
            body = body[:at] + "\\" + body[at:]
    raise snippet_syntax.SnippetSyntaxError("cannot read the body as a snippet", 0)  # pragma: no cover


def _last_unescaped(body: str, what: str) -> int:
    at = body.rfind(what)
    while at > 0 and body[at - 1] == "\\":
        at = body.rfind(what, 0, at - 1)
    return at


# --- the model ------------------------------------------------------------------------------------


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "snippet"


def _languages(value: object) -> List[str]:
    if isinstance(value, str):
        return [v.strip().lower() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return [v.strip().lower() for v in value if isinstance(v, str)]
    return []


def serves_python(languages: Sequence[str]) -> bool:
    return not languages or PYTHON in languages or bool(ANY_LANGUAGE & set(languages))


def _lines_text(node: YamlNode) -> Optional[str]:
    """A string, or a list of strings joined by newlines (VS Code's two spellings)."""
    if isinstance(node.value, str):
        return node.value
    if isinstance(node.value, list):
        lines = [v.value for v in node.value if isinstance(v.value, str)]
        if len(lines) == len(node.value):
            return "\n".join(lines)
    return None


def _nonempty_strings(node: YamlNode) -> List[Tuple[str, int]]:
    """A list of non-empty strings, stripped, with their lines; [] when the value is not a
    list, is empty or holds anything else."""
    if not isinstance(node.value, list):
        return []
    out: List[Tuple[str, int]] = []
    for p in node.value:
        if not (isinstance(p.value, str) and p.value.strip()):
            return []
        out.append((p.value.strip(), p.line))
    return out


def _body_line(node: YamlNode, offset: int, text: str) -> int:
    """The file line of character `offset` of a body (a string or a list of lines)."""
    if isinstance(node.value, list):
        k = text[:offset].count("\n")
        return node.value[min(k, len(node.value) - 1)].line if node.value else node.line
    return node.line


@dataclasses.dataclass
class SnippetFile:
    """What one snippet file yields: its entries, errors, and how many snippets it left out."""

    entries: List[Entry]
    errors: List[PackError]
    other_languages: int = 0


def read_snippet_file(
    path: str,
    text: str,
    pack: str,
    section: str,
    file_language: Sequence[str] = (),
    ids: Optional[Dict[str, int]] = None,
) -> SnippetFile:
    """Entries of one VS Code snippet file; `file_language` scopes a language file."""
    ids = {} if ids is None else ids
    errors: List[PackError] = []
    try:
        root = parse_jsonc(text)
    except JsoncError as exc:
        return SnippetFile([], [PackError(path, exc.line, "", f"invalid JSON: {exc.message}")])
    if not isinstance(root.value, dict):
        return SnippetFile(
            [], [PackError(path, root.line, "", "a snippet file must be a JSON object of name -> snippet")]
        )
    entries: List[Entry] = []
    other = 0
    for name, node in root.value.items():
        if not isinstance(node.value, dict):
            errors.append(
                PackError(
                    path, node.key_line or node.line, name, 'a snippet must be an object with "prefix" and "body"'
                )
            )
            continue
        f = node.value
        before = len(errors)
        scope_node = f.get("scope")
        if scope_node is not None and not isinstance(scope_node.value, str):
            errors.append(
                PackError(path, scope_node.line, f"{name}.scope", "expected a comma-separated string of language ids")
            )
        scope = _languages(scope_node.value) if scope_node is not None else []
        if not serves_python(scope or list(file_language)):
            other += 1
            continue
        prefixes: List[Tuple[str, int]] = []
        pnode = f.get("prefix")
        if pnode is None:
            errors.append(
                PackError(
                    path,
                    node.key_line or node.line,
                    f"{name}.prefix",
                    "required field is missing (a snippet without a prefix cannot be completed)",
                )
            )
        elif isinstance(pnode.value, str) and pnode.value.strip():
            prefixes.append((pnode.value.strip(), pnode.line))
        else:
            prefixes.extend(_nonempty_strings(pnode))
            if not prefixes:
                errors.append(
                    PackError(
                        path, pnode.line, f"{name}.prefix", "expected a non-empty string or a list of non-empty strings"
                    )
                )
        bnode = f.get("body")
        body = None
        if bnode is None:
            errors.append(PackError(path, node.key_line or node.line, f"{name}.body", "required field is missing"))
        else:
            raw = _lines_text(bnode)
            if raw is None or not raw.strip():
                errors.append(
                    PackError(path, bnode.line, f"{name}.body", "expected a non-empty string or a list of strings")
                )
            else:
                try:
                    body = strict_body(raw)
                except snippet_syntax.SnippetSyntaxError as exc:
                    errors.append(
                        PackError(
                            path,
                            _body_line(bnode, exc.offset, raw),
                            f"{name}.body",
                            f"invalid snippet syntax: {exc.message}",
                        )
                    )
        dnode = f.get("description")
        description = ""
        if dnode is not None:
            d = _lines_text(dnode)
            if d is None:
                errors.append(
                    PackError(path, dnode.line, f"{name}.description", "expected a string or a list of strings")
                )
            else:
                description = d.strip()
        if len(errors) > before or body is None or bnode is None:  # (a body is read from bnode)
            continue
        base = slug(name)
        for k, (prefix, pline) in enumerate(prefixes):
            eid = base if k == 0 else f"{base}-{slug(prefix)}"
            n = 2
            while eid in ids:
                eid, n = f"{base}-{n}", n + 1
            ids[eid] = node.key_line
            entries.append(
                Entry(
                    id=eid,
                    title=name,
                    summary=description or name,
                    prefix=prefix,
                    body=body,
                    section=section,
                    example=snippet_syntax.to_plain(snippet_syntax.parse(body)).rstrip("\n"),
                    pack=pack,
                    path=path,
                    lines={
                        "id": node.key_line,
                        "title": node.key_line,
                        "prefix": pline,
                        "body": bnode.line,
                        **({"summary": dnode.line} if dnode is not None else {}),
                    },
                    raw=True,
                )
            )
    return SnippetFile(entries, errors, other)


def _read(path: str) -> Union[str, PackError]:
    """The file's text, or why it cannot be read."""
    try:
        return read_text(path)
    except YamlError as exc:
        return PackError(path, exc.line, "", exc.message)


def language_of_json_file(path: str) -> List[str]:
    """`python.json` in a VS Code user snippets folder holds Python snippets."""
    stem = os.path.basename(path)[: -len(".json")]
    return [stem.lower()]


@dataclasses.dataclass
class VsCodeLoad:
    result: LoadResult
    files: Tuple[str, ...]  # every file read (to watch, and to put diagnostics on)
    other_languages: int = 0


def load_snippet_file(path: str, text: Optional[str] = None) -> VsCodeLoad:
    """One `*.code-snippets` (or language `*.json`) file as a pack."""
    if text is None:
        read = _read(path)
        if isinstance(read, PackError):
            return VsCodeLoad(LoadResult(None, [read]), (path,))
        text = read
    name = os.path.basename(path)
    stem = name.rsplit(".", 1)[0]
    language = language_of_json_file(path) if name.endswith(".json") else []
    pack = slug(stem)
    got = read_snippet_file(path, text, pack, "snippets", language)
    sheet = Sheet(
        id=pack,
        title=name,
        summary=f"VS Code snippets from {name}",
        sections=(Section("snippets", name, f"Snippets of {name}", tuple(got.entries)),),
        path=path,
    )
    return VsCodeLoad(LoadResult(sheet, got.errors), (path,), got.other_languages)


def load_package(folder: str, texts: Optional[Dict[str, str]] = None) -> VsCodeLoad:
    """A friendly-snippets style folder: package.json + contributes.snippets."""
    texts = texts or {}
    manifest = os.path.join(folder, "package.json")
    files: List[str] = [manifest]
    text = texts.get(manifest)
    if text is None:
        read = _read(manifest)
        if isinstance(read, PackError):
            return VsCodeLoad(LoadResult(None, [read]), tuple(files))
        text = read
    try:
        root = parse_jsonc(text)
    except JsoncError as exc:
        return VsCodeLoad(
            LoadResult(None, [PackError(manifest, exc.line, "", f"invalid JSON: {exc.message}")]), tuple(files)
        )
    top = root.value if isinstance(root.value, dict) else {}
    contributes = top.get("contributes")
    snippets = (
        contributes.value.get("snippets") if contributes is not None and isinstance(contributes.value, dict) else None
    )
    if snippets is None or not isinstance(snippets.value, list):
        where = snippets.line if snippets is not None else (contributes.line if contributes is not None else root.line)
        return VsCodeLoad(
            LoadResult(
                None,
                [
                    PackError(
                        manifest,
                        where,
                        "contributes.snippets",
                        "a snippet package lists its files in contributes.snippets: [{language, path}]",
                    )
                ],
            ),
            tuple(files),
        )
    name_node = top.get("name")
    pack = slug(
        name_node.value
        if name_node is not None and isinstance(name_node.value, str)
        else os.path.basename(os.path.abspath(folder))
    )
    title_node = top.get("displayName") or name_node
    title = title_node.value if title_node is not None and isinstance(title_node.value, str) else pack
    desc_node = top.get("description")
    summary = (
        desc_node.value
        if desc_node is not None and isinstance(desc_node.value, str) and desc_node.value.strip()
        else f"VS Code snippet package {title}"
    )
    errors: List[PackError] = []
    sections: List[Section] = []
    ids: Dict[str, int] = {}
    other = 0
    seen_paths = set()
    for k, item in enumerate(snippets.value):
        field = f"contributes.snippets[{k}]"
        if not isinstance(item.value, dict):
            errors.append(PackError(manifest, item.line, field, 'expected an object with "language" and "path"'))
            continue
        lang_node, path_node = item.value.get("language"), item.value.get("path")
        if path_node is None or not isinstance(path_node.value, str):
            errors.append(
                PackError(manifest, (path_node or item).line, f"{field}.path", "expected the path of a snippet file")
            )
            continue
        languages = _languages(lang_node.value) if lang_node is not None else []
        target = os.path.normpath(os.path.join(folder, path_node.value))
        if not serves_python(languages):
            continue
        inside = os.path.realpath(folder).rstrip(os.sep) + os.sep
        if not os.path.realpath(target).startswith(inside):  # packs come from any repository
            errors.append(
                PackError(
                    manifest,
                    path_node.line,
                    f"{field}.path",
                    f"{path_node.value}: a contributed file must be inside the package folder",
                )
            )
            continue
        if target in seen_paths:
            continue
        seen_paths.add(target)
        files.append(target)
        body = texts.get(target)
        if body is None:
            read = _read(target)
            if isinstance(read, PackError):
                errors.append(
                    PackError(manifest, path_node.line, f"{field}.path", f"{path_node.value}: {read.message}")
                )
                continue
            body = read
        section = slug(os.path.basename(target).rsplit(".", 1)[0])
        got = read_snippet_file(target, body, pack, section, languages or ["python"], ids)
        errors.extend(got.errors)
        other += got.other_languages
        rel = os.path.relpath(target, folder)
        sections.append(Section(section, rel, f"Snippets of {rel}", tuple(got.entries)))
    sheet = Sheet(id=pack, title=title, summary=summary, sections=tuple(sections), path=manifest)
    return VsCodeLoad(LoadResult(sheet, errors), tuple(files), other)


def is_snippet_package(folder: str) -> bool:
    """A folder whose package.json contributes snippets."""
    manifest = os.path.join(folder, "package.json")
    if not os.path.isfile(manifest):
        return False
    try:
        with open(manifest, "rb") as f:
            return b'"snippets"' in f.read(4 * 1024 * 1024)
    except OSError:
        return False
