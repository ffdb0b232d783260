"""The forms an entry inserts, all assembled from its one authored source.

An entry authors `imports`, `helpers` and `body` once; every form is derived here:
- program: a complete runnable module (imports, helpers, `async def main()`, `asyncio.run`);
- body: the core lines, for the inside of an `async def`;
- example: the program with every placeholder at its default (the sheet's code).
"""

from __future__ import annotations

import functools
import re
from typing import Dict, List, Optional, Sequence, Tuple

from sheetls import snippet_syntax
from sheetls.model import Entry
from sheetls.pysource import DEF_HEADER, bracket_balance

INDENT = "    "


def indent_lines(text: str, prefix: str) -> str:
    """Prefix every non-empty line of `text` with `prefix`."""
    return "\n".join(prefix + line if line.strip() else line for line in text.split("\n"))


def program_snippet(imports: Sequence[str], helpers: str, body: str) -> str:
    """The full program in the shape of the sheet's examples (snippet syntax or plain text:
    the shape adds no character that needs escaping)."""
    parts = ["\n".join(f"import {m}" for m in imports)] if imports else []
    if helpers.strip():
        parts.append(helpers.rstrip("\n"))
    parts.append("async def main():\n" + indent_lines(body.rstrip("\n"), INDENT))
    parts.append("asyncio.run(main())")
    return "\n\n".join(parts) + "\n"


def entry_program(entry: Entry) -> str:
    return program_snippet(entry.imports, entry.helpers, entry.body)


def example_text(imports: Sequence[str], helpers: str, body: str, values: Optional[Dict[int, str]] = None) -> str:
    """The runnable example: the program with placeholders at their defaults (or `values`)."""
    return example_from_nodes(imports, snippet_syntax.parse(helpers), snippet_syntax.parse(body), values)


def example_from_nodes(
    imports: Sequence[str],
    helpers: Sequence[snippet_syntax.Node],
    body: Sequence[snippet_syntax.Node],
    values: Optional[Dict[int, str]] = None,
) -> str:
    """`example_text` from parsed helpers and body (the loader has them from checking):
    the program_snippet shape, assembled from plain text."""
    helpers_text, body_text = snippet_syntax.to_plain_many([helpers, body], values)
    return program_snippet(imports, helpers_text, body_text)


def entry_example(entry: Entry, values: Optional[Dict[int, str]] = None) -> str:
    return example_text(entry.imports, entry.helpers, entry.body, values)


# --- forms for the places a completion can land (see context.py) ---------------------------

_MAIN_DEF = re.compile(r"^async def main\(\):", re.M)


def _api_names(entry: Entry) -> List[str]:
    return [api.rsplit(".", 1)[-1] for api in entry.apis]


def expression_snippet(entry: Entry, after_await: bool = False) -> Optional[str]:
    """The call at the heart of the body, as an expression: for `aioopen`,
    `await asyncio.open_connection(${1:"example.com"}, ${2:80})`. None when the body has no
    statement calling one of the entry's APIs."""
    lines = entry.body.rstrip("\n").split("\n")
    names = _api_names(entry)
    for i, line in enumerate(lines):
        if not any(re.search(rf"\b{re.escape(n)}\(", line) for n in names):
            continue
        stmt = [line]
        depth = bracket_balance(line)
        j = i + 1
        while depth > 0 and j < len(lines):
            stmt.append(lines[j])
            depth += bracket_balance(lines[j])
            j += 1
        first = stmt[0].strip()
        m = re.match(r"^[^=()\"']*?[^=!<>:]=(?!=)\s*", first)
        if m:
            first = first[m.end() :]
        base = len(stmt[0]) - len(stmt[0].lstrip())
        text = "\n".join([first] + [s[base:] for s in stmt[1:]])
        text = text.replace("$0", "")
        if after_await and text.startswith("await "):
            text = text[len("await ") :]
        return text + "$0"
    return None


def body_snippet(entry: Entry, defined: Dict[str, int]) -> str:
    """The core lines for the inside of an `async def`, preceded by the helpers they call
    (nested) unless the file already defines them: what lands runs as it is."""
    helpers = [c for c in split_helpers(entry.helpers) if helper_name(c) not in defined]
    return "\n\n".join(helpers + [entry.body.rstrip("\n")])


def method_snippet(entry: Entry, name_index: int, defined: Dict[str, int]) -> str:
    """The body wrapped in an async method, for a class body."""
    name = entry.id.replace("-", "_")
    return f"async def ${{{name_index}:{name}}}(self):\n" + indent_lines(body_snippet(entry, defined), INDENT)


@functools.lru_cache(maxsize=1024)
def split_helpers(helpers: str) -> Tuple[str, ...]:
    """Top-level chunks (functions) of a helpers snippet (remembered: asked on every keystroke)."""
    chunks: List[List[str]] = []
    for line in helpers.rstrip("\n").split("\n"):
        if (
            line[:1].strip()
            and not (chunks and not line.strip())
            and (line.startswith(("def ", "async def ", "@")) or not chunks)
        ):
            chunks.append([line])
        elif chunks:
            chunks[-1].append(line)
    return tuple("\n".join(c).strip("\n") for c in chunks if "".join(c).strip())


@functools.lru_cache(maxsize=1024)
def helper_name(chunk: str) -> str:
    m = DEF_HEADER.match(snippet_syntax.to_plain(snippet_syntax.parse(chunk.split("\n", 1)[0] + "\n")).strip())
    return m.group(3) or "" if m and m.group(2) == "def" else ""


def program_for_file(entry: Entry, defined: Dict[str, int], with_imports: Sequence[str] = ()) -> str:
    """The program form, minus what the file already defines: helpers it has are not
    repeated, and `main` is renamed after the entry when the file has one."""
    helpers = [c for c in split_helpers(entry.helpers) if helper_name(c) not in defined]
    main = "main"
    if main in defined:
        base = entry.id.replace("-", "_")
        main, k = base, 2
        while main in defined:
            main, k = f"{base}_{k}", k + 1
    text = program_snippet(with_imports, "\n\n".join(helpers), entry.body)
    if main != "main":
        text = _MAIN_DEF.sub(f"async def {main}():", text).replace("asyncio.run(main())", f"asyncio.run({main}())")
    return text
