"""Every safe fix of a file at once (the editor's `source.fixAll.sheetls`, the same rounds as
`sheetls lint --fix`), and the line edits that turn the text into the fixed one."""

from __future__ import annotations

import difflib
import re
from typing import Callable, List, Optional, Sequence, Tuple

from sheetls.diagnostics.check import apply_fixes, check, split_lines
from sheetls.diagnostics.findings import Edit, Finding

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # a line with its break, as split_lines splits
FIX_ROUNDS = 10  # a fix can make more fixable (an import added, a name resolved)


def fix_all(
    text: str,
    path: Optional[str] = None,
    python: Optional[Tuple[int, int]] = None,
    select: Optional[Callable[[str], bool]] = None,
    findings: Optional[Sequence[Finding]] = None,
) -> Tuple[str, int, List[Finding]]:
    """(`text` with every safe fix applied, how many, the findings left): fixes applied
    together, then the file checked again and fixed again until nothing more applies, as
    `sheetls lint --fix` does. Each round's result compiles (apply_fixes keeps the text
    otherwise). `findings`: the check of `text` if the caller has it."""
    found = list(findings) if findings is not None else check(text, path, python, select)
    new = text
    fixed = 0
    for _ in range(FIX_ROUNDS):
        if not any(f.fix is not None for f in found):
            break
        new, applied = apply_fixes(new, found)
        if not applied:
            break
        fixed += applied
        found = check(new, path, python, select)
    return new, fixed, found


def line_edits(old: str, new: str) -> List[Edit]:
    """Edits (whole lines, code point positions in `old`) turning `old` into `new`: only the
    lines that differ are replaced, so the rest of the buffer (marks, folds, the cursor) stays."""
    old_lines = split_lines(old)
    old_keep = _LINE.findall(old)
    new_keep = _LINE.findall(new)
    end = (len(old_lines) - 1, len(old_lines[-1]))

    def at(i: int) -> Tuple[int, int]:
        return (i, 0) if i < len(old_keep) else end

    edits = []
    matcher = difflib.SequenceMatcher(None, old_keep, new_keep, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        (line, col), (end_line, end_col) = at(i1), at(i2)
        edits.append(Edit(line, col, end_line, end_col, "".join(new_keep[j1:j2])))
    return edits
