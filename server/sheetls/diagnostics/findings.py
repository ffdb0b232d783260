"""What a check finds: a finding at a code point range, with the fix the sheet's pattern gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from sheetls.diagnostics.rules import RULES, Rule


@dataclass(frozen=True)
class Edit:
    """Replace (line, col)-(end_line, end_col) (0-based, code points) with `text`."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: Tuple[Edit, ...]


@dataclass
class Finding:
    code: str
    message: str
    line: int  # 0-based
    col: int  # code points
    end_line: int
    end_col: int
    fix: Optional[Fix] = None
    ruff: Optional[str] = None  # the ruff code of the same check on this call, if any
    extra: List[str] = field(default_factory=list)

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def url(self) -> str:
        return self.rule.url
