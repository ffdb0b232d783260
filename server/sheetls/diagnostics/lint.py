"""`sheetls lint`: the files to check (folders walked, .gitignore respected), the output formats
(ruff's text, JSON and GitHub annotation shapes), and `--fix` written atomically."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from sheetls.diagnostics.check import check
from sheetls.diagnostics.findings import Finding
from sheetls.diagnostics.fixall import fix_all

SKIPPED_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache", ".tox", "build"}


def python_files(paths: Sequence[str]) -> Iterator[str]:
    """The .py files named or under the folders named, leaving out what git ignores (when in a
    git work tree) and the usual tool folders. A file named explicitly is always checked."""
    for path in paths:
        if os.path.isfile(path):
            yield path
            continue
        found: List[str] = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            found.extend(os.path.join(root, f) for f in sorted(files) if f.endswith((".py", ".pyi")))
        ignored = _git_ignored(path, found)
        yield from (f for f in found if f not in ignored)


def _git_ignored(folder: str, files: List[str]) -> Set[str]:
    if not files:
        return set()
    try:
        done = subprocess.run(
            ["git", "-C", folder, "check-ignore", "--stdin", "-z"],
            input="\0".join(os.path.relpath(f, folder) for f in files).encode("utf-8", "surrogateescape"),
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    if done.returncode not in (0, 1):  # 128: not a git work tree
        return set()
    return {os.path.join(folder, p) for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p}


def write_atomically(path: str, text: str) -> None:
    """The whole new text or the old file: a temporary file beside it, renamed over it."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".sheetls-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except OSError:
            pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def lint_file(
    path: str, fix: bool, select: Callable[[str], bool], python: Optional[Tuple[int, int]]
) -> Tuple[List[Finding], int, Optional[str]]:
    """The findings left in `path` (after fixing, with `fix`), how many were fixed, and an error."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [], 0, f"{path}: {exc}"
    findings = check(text, path, python, select)
    fixed = 0
    if fix:
        new, fixed, findings = fix_all(text, path, python, select, findings)
        if new != text:
            write_atomically(path, ("\ufeff" if bom else "") + new)
    return findings, fixed, None


def selector(select: Iterable[str], ignore: Iterable[str]) -> Callable[[str], bool]:
    """ruff's prefix matching: `SHEET1` selects SHEET101..SHEET104; `ALL` everything."""
    sel = [s.strip().upper() for s in select if s.strip()]
    ign = [s.strip().upper() for s in ignore if s.strip()]

    def chosen(code: str) -> bool:
        if sel and not any(s == "ALL" or code.startswith(s) for s in sel):
            return False
        return not any(code.startswith(s) for s in ign)

    return chosen


def _fix_json(finding: Finding) -> Optional[Dict[str, object]]:
    if finding.fix is None:
        return None
    return {
        "applicability": "safe",
        "message": finding.fix.title,
        "edits": [
            {
                "content": e.text,
                "location": {"row": e.line + 1, "column": e.col + 1},
                "end_location": {"row": e.end_line + 1, "column": e.end_col + 1},
            }
            for e in finding.fix.edits
        ],
    }


def render(results: List[Tuple[str, Finding]], fmt: str) -> str:
    if fmt == "json":
        return (
            json.dumps(
                [
                    {
                        "code": f.code,
                        "message": f.message,
                        "filename": os.path.abspath(path),
                        "location": {"row": f.line + 1, "column": f.col + 1},
                        "end_location": {"row": f.end_line + 1, "column": f.end_col + 1},
                        "fix": _fix_json(f),
                        "url": f.url,
                        "noqa_row": f.line + 1,
                    }
                    for path, f in results
                ],
                indent=2,
            )
            + "\n"
        )
    out = []
    for path, f in results:
        if fmt == "github":
            level = "error" if f.rule.severity == "error" else "warning"
            out.append(
                f"::{level} title=sheetls ({f.code}),file={path},line={f.line + 1},col={f.col + 1},"
                f"endLine={f.end_line + 1},endColumn={f.end_col + 1}::{path}:{f.line + 1}:{f.col + 1}: "
                f"{f.code} {f.message}"
            )
        else:
            fixable = " [*]" if f.fix else ""
            out.append(f"{path}:{f.line + 1}:{f.col + 1}: {f.code}{fixable} {f.message}")
    return "".join(line + "\n" for line in out)
