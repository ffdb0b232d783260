"""The forms an entry inserts, all assembled from its one authored source.

An entry authors `imports`, `helpers` and `body` once; every form is derived here:
- program: a complete runnable module (imports, helpers, `async def main()`, `asyncio.run`);
- body: the core lines, for the inside of an `async def`;
- example: the program with every placeholder at its default (the sheet's code).
"""
from __future__ import annotations

from typing import Dict, Optional

from sheetls import snippet_syntax
from sheetls.model import Entry

INDENT = "    "


def indent_lines(text: str, prefix: str) -> str:
    """Prefix every non-empty line of `text` with `prefix`."""
    return "\n".join(prefix + line if line.strip() else line for line in text.split("\n"))


def program_snippet(imports, helpers: str, body: str) -> str:
    """The full program in snippet syntax, in the shape of the sheet's examples."""
    parts = ["\n".join(f"import {m}" for m in imports)] if imports else []
    if helpers.strip():
        parts.append(helpers.rstrip("\n"))
    parts.append("async def main():\n" + indent_lines(body.rstrip("\n"), INDENT))
    parts.append("asyncio.run(main())")
    return "\n\n".join(parts) + "\n"


def entry_program(entry: Entry) -> str:
    return program_snippet(entry.imports, entry.helpers, entry.body)


def example_text(imports, helpers: str, body: str, values: Optional[Dict[int, str]] = None) -> str:
    """The runnable example: the program with placeholders at their defaults (or `values`)."""
    return snippet_syntax.to_plain(snippet_syntax.parse(program_snippet(imports, helpers, body)), values)


def entry_example(entry: Entry, values: Optional[Dict[int, str]] = None) -> str:
    return example_text(entry.imports, entry.helpers, entry.body, values)
