"""What the name under the cursor refers to, as a fully qualified API name.

This first resolver reads the dotted name under the cursor on its line and maps it through
the file's imports: `asyncio.open_connection`, `aio.open_connection`, a name imported from
asyncio, and `<anything>.run_in_executor` (the event loop method).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from sheetls.pyimports import Imports, scan_imports

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
LOOP_METHODS = {"run_in_executor": "asyncio.AbstractEventLoop.run_in_executor"}


@dataclass(frozen=True)
class Target:
    api: str  # fully qualified, e.g. "asyncio.open_connection"
    line: int
    start: int  # code point range of the hovered name on `line`
    end: int


def _chain_at(text: str, col: int):
    """The dotted chain of identifiers ending with the identifier under `col`."""
    for m in _IDENT.finditer(text):
        if m.start() <= col < m.end() or (m.end() == col and col > 0):
            end = m.end()
            start = m.start()
            parts = [m.group()]
            i = start
            while i > 0:
                j = i
                while j > 0 and text[j - 1] in " \t":
                    j -= 1
                if j == 0 or text[j - 1] != ".":
                    break
                k = j - 1
                while k > 0 and text[k - 1] in " \t":
                    k -= 1
                pm = re.search(r"[A-Za-z_][A-Za-z0-9_]*$", text[:k])
                if not pm:
                    parts.insert(0, None)
                    break
                parts.insert(0, pm.group())
                i = pm.start()
                start = i
            return parts, start, end
    return None, 0, 0


def resolve_at(lines: Sequence[str], line: int, col: int, imports: Optional[Imports] = None) -> Optional[Target]:
    if line >= len(lines):
        return None
    text = lines[line]
    parts, start, end = _chain_at(text, col)
    if not parts or parts[-1] is None:
        return None
    if imports is None:
        imports = scan_imports(lines)
    if parts[0] is not None and parts[0] in imports.names:
        qualified = ".".join([imports.names[parts[0]]] + parts[1:])
        return Target(qualified, line, start, end)
    if len(parts) >= 2 and parts[-1] in LOOP_METHODS:
        return Target(LOOP_METHODS[parts[-1]], line, start, end)
    return None
