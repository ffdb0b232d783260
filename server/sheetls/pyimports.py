"""What a Python file imports and defines at the top level, and where a new import goes.

Line-based, so it works on files that do not parse. Imports inside the enclosing function
count for the lines after them in that function (see completion._with_local_imports).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

from sheetls.pysource import def_name

_IMPORT = re.compile(r"^([ \t]*)import[ \t]+(.+)$")
_FROM = re.compile(r"^([ \t]*)from[ \t]+([A-Za-z_][\w.]*)[ \t]+import[ \t]+(.+)$")
_NAME_AS = re.compile(r"^([A-Za-z_][\w.]*)(?:[ \t]+as[ \t]+([A-Za-z_]\w*))?$")
_DOCSTRING_START = re.compile(r"^(?:[rRuU])?('''|\"\"\"|'|\")")
_UNKNOWN = object()


@dataclass
class Imports:
    """Local names bound by imports: local name -> the fully qualified thing it names."""

    names: Dict[str, str] = field(default_factory=dict)
    defined: Dict[str, int] = field(default_factory=dict)  # top-level def/class name -> line
    statement_lines: Set[int] = field(default_factory=set)  # lines holding the statements above
    future_end: int = 0  # the line after the last `from __future__ import` (no statement above it)
    # qualified name -> local_for's answer; valid while `names` is as it was (code that adds
    # names does so before any look-up, or makes a new Imports, as completion's local imports do)
    _spelled: Dict[str, Optional[str]] = field(default_factory=dict, repr=False, compare=False)
    _respelled: Dict[Tuple[str, Tuple[str, ...]], Tuple[str, Tuple[str, ...]]] = field(
        default_factory=dict, repr=False, compare=False
    )  # respell's answers, the same way

    def local_for(self, qualified: str) -> Optional[str]:
        """The local spelling of a qualified name ('asyncio.open_connection'), if imported."""
        spelled = self._spelled.get(qualified, _UNKNOWN)
        if spelled is _UNKNOWN:
            spelled = self._spelled[qualified] = self._local_for(qualified)
        return spelled  # type: ignore[return-value]

    def _local_for(self, qualified: str) -> Optional[str]:
        parts = qualified.split(".")
        best = None
        for local, target in self.names.items():
            tparts = target.split(".")
            if parts[: len(tparts)] == tparts and (best is None or len(tparts) > best[1]):
                best = (local, len(tparts))
        if best is None:
            return None
        return ".".join([best[0]] + parts[best[1] :])


def _statement(lines: Sequence[str], i: int) -> Tuple[str, int]:
    """The import statement starting at line i (joining a parenthesised list and lines
    continued by a backslash); next line index."""
    text = lines[i].split("#", 1)[0]
    j = i + 1
    if "(" in text and ")" not in text:
        while j < len(lines) and j < i + 200:
            part = lines[j].split("#", 1)[0]
            text += " " + part
            j += 1
            if ")" in part:
                break
    while text.rstrip().endswith("\\") and j < len(lines) and j < i + 200:
        text = text.rstrip()[:-1] + " " + lines[j].split("#", 1)[0]
        j += 1
    return text.replace("(", " ").replace(")", " ").replace("\\", " "), j


def _bind(imports: Imports, text: str) -> None:
    m = _FROM.match(text)
    if m:
        module = m.group(2)
        if module.startswith("."):
            return
        for item in m.group(3).split(","):
            nm = _NAME_AS.match(item.strip())
            if nm and nm.group(1) != "*" and "." not in nm.group(1):
                imports.names[nm.group(2) or nm.group(1)] = f"{module}.{nm.group(1)}"
        return
    m = _IMPORT.match(text)
    if m:
        for item in m.group(2).split(","):
            nm = _NAME_AS.match(item.strip())
            if not nm:
                continue
            if nm.group(2):
                imports.names[nm.group(2)] = nm.group(1)
            else:  # `import a.b` binds `a`
                top = nm.group(1).split(".")[0]
                imports.names[top] = top


_STRUCTURE_START = ("import", "from", "def", "async", "class")


def still_valid(imports: Imports, line: int, new_text: str) -> bool:
    """After a single-line edit of `line` (now `new_text`), do the top-level facts still hold?"""
    return line not in imports.statement_lines and not new_text.startswith(_STRUCTURE_START)


def scan_imports(lines: Sequence[str]) -> Imports:
    """Top-level imports and defs of the whole file (the enclosing function's own imports are
    added by completion._with_local_imports)."""
    imports = Imports()
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        c = line[:1]
        if c == "i" or c == "f":
            if line.startswith(("import", "from")):
                text, j = _statement(lines, i)
                _bind(imports, text)
                if line.startswith("from __future__"):
                    imports.future_end = j
                imports.statement_lines.update(range(i, j))
                i = j
                continue
        elif c == "d" or c == "a" or c == "c":
            name = def_name(line)
            if name:
                imports.defined.setdefault(name, i)
                imports.statement_lines.add(i)
        i += 1
    return imports


@dataclass(frozen=True)
class ImportSite:
    line: int  # insert before this line
    blank_after: int = 0  # empty lines after the import: 2 before a def/class (PEP 8), 1 before other code
    blank_before: bool = False  # add an empty line before it (it follows a docstring or header)


def import_site(lines: Sequence[str], module: str) -> ImportSite:
    """Where `import module` goes: after shebang/encoding comments, the module docstring and
    `from __future__` imports; in alphabetical order within the first block of imports."""
    n = len(lines)
    i = 0
    while i < n and (lines[i].startswith("#") or not lines[i].strip()):
        i += 1
    m = _DOCSTRING_START.match(lines[i]) if i < n else None
    if m:
        quote = m.group(1)
        rest = lines[i][m.end() :]
        if len(quote) == 3:
            while quote not in rest and i + 1 < n:
                i += 1
                rest = lines[i]
        i += 1
    first_import = None
    last_future = None
    j = i
    while j < n:
        text = lines[j]
        if not text.strip() or text.startswith("#"):
            j += 1
            continue
        if text.startswith("from __future__"):
            last_future = _statement(lines, j)[1]
            j = last_future
            continue
        if text.startswith(("import ", "from ")):
            first_import = j
        break
    if first_import is not None:
        k = first_import
        while k < n and lines[k].startswith(("import ", "from ")):
            name = lines[k].split()[1] if len(lines[k].split()) > 1 else ""
            if lines[k].startswith("import ") and name > module:
                return ImportSite(k, 0)
            k = _statement(lines, k)[1]
        return ImportSite(k, 0)
    # No imports yet: before the first code line, set apart by blank lines.
    at = j
    if at >= n:
        return ImportSite(n, 0, n > 0 and bool(lines[n - 1].strip()))
    blank = 2 if lines[at].startswith(("def ", "async ", "class ", "@")) else 1
    return ImportSite(at, blank, at > 0 and bool(lines[at - 1].strip()))


@functools.lru_cache(maxsize=64)
def _references(modules: Tuple[str, ...]) -> re.Pattern[str]:
    """`module.attr...` references to any of `modules`."""
    return re.compile(r"(?<![\w.])(" + "|".join(re.escape(m) for m in modules) + r")((?:\.[A-Za-z_]\w*)+)")


def respell(text: str, imports: Imports, modules: Sequence[str]) -> Tuple[str, List[str]]:
    """Rewrite `module.attr...` references of `text` (for each of `modules`) in the file's own
    spelling: `aio.open_connection` after `import asyncio as aio`, `open_connection` after
    `from asyncio import open_connection`. Returns the text and the modules still to import."""
    if not modules:
        return text, []
    key = (text, tuple(modules))
    known = imports._respelled.get(key)
    if known is None:
        if len(imports._respelled) >= RESPELLED_MAX:
            imports._respelled.clear()
        known = imports._respelled[key] = _respell(text, imports, key[1])
    return known[0], list(known[1])


RESPELLED_MAX = 4096  # texts remembered per Imports (a completion list has at most 200)


def _respell(text: str, imports: Imports, modules: Tuple[str, ...]) -> Tuple[str, Tuple[str, ...]]:
    missing: List[str] = []
    pattern = _references(modules)

    def sub(m: re.Match[str]) -> str:
        qualified = m.group(1) + m.group(2)
        local = imports.local_for(qualified)
        if local is not None:
            return local
        if m.group(1) not in missing:
            missing.append(m.group(1))
        return qualified

    out = pattern.sub(sub, text)
    return out, tuple(m for m in modules if m in missing)
