"""`# noqa` comments: a bare `# noqa` silences every rule on its line, `# noqa: SHEET101, ASYNC251`
the rules named (a ruff code silences the sheetls rule that is the same check)."""

from __future__ import annotations

import io
import re
import tokenize
from typing import Dict, Optional, Set

from sheetls.diagnostics.findings import Finding

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,?\s*[A-Z]+[0-9]+)*))?", re.I)
ALL: Optional[Set[str]] = None


def noqa_lines(text: str) -> Dict[int, Optional[Set[str]]]:
    """0-based line -> the codes its `# noqa` names (None: a bare noqa, every rule)."""
    found: Dict[int, Optional[Set[str]]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type != tokenize.COMMENT:
                continue
            m = _NOQA.search(tok.string)
            if m is None:
                continue
            codes = m.group("codes")
            line = tok.start[0] - 1
            found[line] = None if codes is None else {c.upper() for c in re.findall(r"[A-Za-z]+[0-9]+", codes)}
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def suppressed(finding: Finding, noqa: Dict[int, Optional[Set[str]]]) -> bool:
    if finding.line not in noqa:
        return False
    codes = noqa[finding.line]
    if codes is None:
        return True
    return finding.code in codes or (finding.ruff is not None and finding.ruff in codes)
