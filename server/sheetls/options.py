"""Initialization options / workspace settings, typed, with camelCase keys on the wire.

A bad value never stops the server: it falls back to the default and says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any, List, Optional, Tuple

LOG_LEVELS = ("error", "warning", "info", "debug")
SEVERITIES = ("error", "warning", "information", "hint")
# One rule setting: (code or code prefix, enabled or None, severity or None); None keeps the default.
RuleSetting = Tuple[str, Optional[bool], Optional[str]]


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
    # fixes. On by default: a keystroke's check is a few ms at 10,000 lines, and a long one (the
    # first of a big file) runs in slices between the client's other requests (lint_runtime.py).
    diagnostics: bool = True
    # rules: per-rule settings of the diagnostics, {"SHEET101": {"enabled": false, "severity": "error"}};
    # a key may be a prefix ("SHEET1"), and per field the longest key that sets it wins (parse_rules).
    rules: Tuple[RuleSetting, ...] = ()


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
        if name == "rules":
            converted, problems = parse_rules(value)
            warnings.extend(problems)
            if converted is not None:
                values[name] = converted
            continue
        ok, converted, expected = _check(name, value)
        if not ok:
            warnings.append(f"option {key!r} must be {expected}, got {value!r}: using {getattr(base, name)!r}")
            continue
        values[name] = converted
    return Options(**{**{f.name: getattr(base, f.name) for f in fields(Options)}, **values}), warnings


def parse_rules(raw: Any) -> Tuple[Optional[Tuple[RuleSetting, ...]], List[str]]:
    """The `rules` option: {code or prefix: {"enabled": bool, "severity": one of SEVERITIES}}.

    A bad entry or field is left out with a warning (that rule keeps its default); a value that
    is not an object at all is refused whole (None: the option keeps its previous value)."""
    if not isinstance(raw, dict):
        return None, [f'option \'rules\' must be an object such as {{"SHEET101": {{"enabled": false}}}}, got {raw!r}']
    if not raw:
        return (), []
    from sheetls.diagnostics.rules import RULES  # only when there are rules to check

    out: List[RuleSetting] = []
    warnings: List[str] = []
    for key, value in raw.items():
        code = key.strip().upper() if isinstance(key, str) else ""
        if not code or not any(c.startswith(code) for c in RULES):
            warnings.append(f"rules: {key!r} is no rule code or prefix (known: {', '.join(RULES)}): ignored")
            continue
        if not isinstance(value, dict):
            warnings.append(f'rules: {key!r} must be an object such as {{"enabled": false}}, got {value!r}: ignored')
            continue
        enabled: Optional[bool] = None
        severity: Optional[str] = None
        for field, v in value.items():
            if field == "enabled" and isinstance(v, bool):
                enabled = v
            elif field == "severity" and isinstance(v, str) and v.lower() in SEVERITIES:
                severity = v.lower()
            elif field in ("enabled", "severity"):
                expected = "true or false" if field == "enabled" else f"one of {', '.join(SEVERITIES)}"
                warnings.append(f"rules: {key}.{field} must be {expected}, got {v!r}: the rule's default kept")
            else:
                warnings.append(f"rules: {key}.{field} is not a rule setting (enabled, severity): ignored")
        if enabled is not None or severity is not None:
            out.append((code, enabled, severity))
    return tuple(sorted(out)), warnings


def rule_settings(rules: Tuple[RuleSetting, ...], code: str) -> Tuple[bool, Optional[str]]:
    """(enabled, severity or None for the rule's own) of rule `code` under the `rules` option:
    per field, the longest key that is a prefix of `code` and sets that field wins."""
    enabled: Tuple[int, bool] = (-1, True)
    severity: Tuple[int, Optional[str]] = (-1, None)
    for key, on, sev in rules:
        if not code.startswith(key):
            continue
        if on is not None and len(key) > enabled[0]:
            enabled = (len(key), on)
        if sev is not None and len(key) > severity[0]:
            severity = (len(key), sev)
    return enabled[1], severity[1]
