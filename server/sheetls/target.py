"""The Python version a user's project targets, which hovers and completions speak for.

In order: the `pythonVersion` setting; else the lower bound of `requires-python` in the
nearest `pyproject.toml` above the document (or poetry's `python` dependency); else the
Python running the server (in VS Code the extension starts it with the Python extension's
interpreter, so that is the interpreter the client names). Pure functions over paths and text;
the server keeps one `ProjectTargets` for its documents.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from sheetls.model import PyVersion, parse_version, version_text

_CLAUSE = re.compile(r"\s*(~=|===|==|>=|<=|!=|>|<|\^|~)?\s*v?(\d+)(?:\.(\d+|\*))?")
_REQUIRES = re.compile(r"""^\s*requires-python\s*=\s*(["'])(.*?)\1""", re.M)
_POETRY_PYTHON = re.compile(r"""^\s*python\s*=\s*(["'])(.*?)\1""", re.M)
_TABLE = re.compile(r"^\s*\[([^\]]+)\]\s*$", re.M)


@dataclass(frozen=True)
class ProjectTarget:
    version: PyVersion
    source: str  # where it came from: "the pythonVersion setting", "requires-python in /p/pyproject.toml"...

    def describe(self) -> str:
        return f"Python {version_text(self.version)} ({self.source})"


def lower_bound(spec: str) -> Optional[PyVersion]:
    """The oldest Python a version specifier admits: ">=3.9,<4" -> (3, 9), "~=3.10" -> (3, 10),
    "^3.8" (poetry) -> (3, 8), "==3.11.*" -> (3, 11); None when it names no lower bound."""
    best: Optional[PyVersion] = None
    for clause in re.split(r"[,|]", spec):
        m = _CLAUSE.fullmatch(clause.strip()) or _CLAUSE.match(clause)
        if not m or not clause.strip():
            continue
        op = m.group(1) or "=="
        major = int(m.group(2))
        minor = int(m.group(3)) if m.group(3) and m.group(3) != "*" else 0
        if op in (">=", ">", "~=", "==", "===", "^", "~"):
            bound = (major, minor)  # ">3.9" admits 3.9.1: at minor granularity, as ">="
        else:
            continue
        if best is None or bound > best:
            best = bound
    return best


def requires_python(pyproject_text: str) -> Optional[str]:
    """`[project] requires-python`, else `[tool.poetry.dependencies] python`, as written."""
    tables = {}
    marks = list(_TABLE.finditer(pyproject_text))
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(pyproject_text)
        tables[m.group(1).strip()] = pyproject_text[m.end() : end]
    found = _REQUIRES.search(tables.get("project", ""))
    if found:
        return found.group(2)
    found = _POETRY_PYTHON.search(tables.get("tool.poetry.dependencies", ""))
    return found.group(2) if found else None


def running_python() -> PyVersion:
    return sys.version_info[0], sys.version_info[1]


class ProjectTargets:
    """Finds and remembers each folder's nearest pyproject.toml and what it requires (a file is
    read again only when its modification time changes)."""

    def __init__(self) -> None:
        self._read: Dict[str, Tuple[float, Optional[PyVersion], str]] = {}  # path -> (mtime, bound, spec)

    def for_path(self, doc_path: Optional[str], setting: str = "") -> ProjectTarget:
        if setting:
            version = parse_version(setting)
            if version is not None:
                return ProjectTarget(version, "the pythonVersion setting")
        folder = os.path.dirname(doc_path) if doc_path else None
        while folder:
            candidate = os.path.join(folder, "pyproject.toml")
            found = self._bound(candidate)
            if found is not None:  # the nearest pyproject.toml is the project's, bound or not
                if found[0] is not None:
                    return ProjectTarget(found[0], f"requires-python {found[1]!r} in {candidate}")
                break
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        return ProjectTarget(running_python(), "the Python running sheetls")

    def _bound(self, path: str) -> Optional[Tuple[Optional[PyVersion], str]]:
        """None when there is no such file; else its lower bound (None if it names none)."""
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return None
        known = self._read.get(path)
        if known is None or known[0] != mtime:
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    spec = requires_python(f.read(256 * 1024)) or ""
            except OSError:
                return None
            known = self._read[path] = (mtime, lower_bound(spec) if spec else None, spec)
        return known[1], known[2]
