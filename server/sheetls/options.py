"""Initialization options / workspace settings, typed, with camelCase keys on the wire.

A bad value never stops the server: it falls back to the default and says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any, List, Tuple

LOG_LEVELS = ("error", "warning", "info", "debug")


@dataclass(frozen=True)
class Options:
    log_level: str = "info"  # logLevel
    packs: Tuple[str, ...] = ()  # packs: files or folders of extra packs
    builtin_sheet: bool = True  # builtinSheet: serve the built-in asyncio sheet
    max_items: int = 200  # maxItems: completion items per answer before the list is cut
    hover_example: str = "full"  # hoverExample: "full" | "short" | "none"
    poll_interval: float = 2.0  # pollInterval: seconds between pack-file polls when the client does not watch files
    python_version: str = ""  # pythonVersion: the Python the project targets ("3.10"); "" finds it (target.py)
    workspace_packs: bool = (
        True  # workspacePacks: serve each workspace folder's .sheetls/ packs (VS Code's Restricted Mode: false)
    )
    # diagnostics: publish `sheetls lint`'s findings for open Python documents and offer their quick
    # fixes. Off by default until the cost per edit is benchmarked (issue 16, next phase).
    diagnostics: bool = False


_CAMEL = {f.name: "".join(w.capitalize() if i else w for i, w in enumerate(f.name.split("_"))) for f in fields(Options)}


def _check(name: str, value: Any) -> Tuple[bool, Any, str]:
    if name == "log_level":
        ok = isinstance(value, str) and value.lower() in LOG_LEVELS
        return ok, value.lower() if ok else None, f"one of {', '.join(LOG_LEVELS)}"
    if name == "packs":
        ok = isinstance(value, list) and all(isinstance(p, str) for p in value)
        return ok, tuple(value) if ok else None, "a list of paths"
    if name in ("builtin_sheet", "workspace_packs", "diagnostics"):
        return isinstance(value, bool), value, "true or false"
    if name == "max_items":
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10000
        return ok, value, "an integer from 1 to 10000"
    if name == "poll_interval":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0.25 <= value <= 60
        return ok, float(value) if ok else None, "a number of seconds from 0.25 to 60"
    if name == "python_version":
        ok = isinstance(value, str) and (value == "" or re.fullmatch(r"3\.\d{1,2}", value.strip()) is not None)
        return ok, value.strip() if ok else None, 'a Python version such as "3.10", or "" to find it'
    if name == "hover_example":
        return value in ("full", "short", "none"), value, '"full", "short" or "none"'
    return False, None, ""  # pragma: no cover


def parse_options(raw: Any, base: Options = Options()) -> Tuple[Options, List[str]]:
    """Options from a client's JSON value; returns them with a warning per value ignored.

    Accepts the options at the top level or under a "sheetls" key (VS Code settings shape).
    """
    warnings: List[str] = []
    if raw is None:
        return base, warnings
    if not isinstance(raw, dict):
        return base, [f"initialization options must be an object, got {type(raw).__name__}: using defaults"]
    if isinstance(raw.get("sheetls"), dict):
        raw = raw["sheetls"]
    values = {}
    by_camel = {camel: name for name, camel in _CAMEL.items()}
    for key, value in raw.items():
        name = by_camel.get(key)
        if name is None:
            warnings.append(f"unknown option {key!r} ignored (known: {', '.join(by_camel)})")
            continue
        ok, converted, expected = _check(name, value)
        if not ok:
            warnings.append(f"option {key!r} must be {expected}, got {value!r}: using {getattr(base, name)!r}")
            continue
        values[name] = converted
    return Options(**{**{f.name: getattr(base, f.name) for f in fields(Options)}, **values}), warnings
