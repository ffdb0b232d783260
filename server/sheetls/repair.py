"""Syntax repair: a block of a half-typed file made parseable, line numbers unchanged.

An unclosed bracket is closed at the end of its line, a missing `:` added, an empty block given
`pass`, continuation lines of a cut statement dropped, and a line that still fails is blanked (a
header line becomes `if True:` so its body keeps its scope). On Python 3.9 the names of
`import` statements are given the positions 3.10 gives them.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from typing import Dict, List, Optional, Set, Tuple

from sheetls.pysource import indent, open_brackets

_INDENTED_AFTER = re.compile(r"on line (\d+)")
ALIAS_POSITIONS = sys.version_info >= (3, 10)  # before 3.10, `import` names have no positions
_IMPORT_KEYWORD = re.compile(r"\bimport\b")


def repair_parse(
    texts: List[str], attempts: int = 40, first_line: int = 0
) -> Tuple[Optional[ast.Module], List[str], Set[int]]:
    """Parse `texts` (one block starting at 0-based line `first_line` of the document),
    repairing what a half-typed file breaks. Returns the tree (its line numbers are the
    document's), the lines as parsed, and the block's lines (0-based) that were blanked.

    A short block far down a long file is parsed at line 1 and its tree's line numbers moved
    after: the tokenizer would spend more on the blank lines above it than the move costs."""
    texts = list(texts)
    shift = first_line if first_line > 6 * sum(map(len, texts)) + 6 * len(texts) else 0
    first_line -= shift
    lead = "\n" * first_line
    blanked: Set[int] = set()
    touched: Dict[int, int] = defaultdict(int)
    for _ in range(attempts):
        try:
            tree = ast.parse(lead + "\n".join(texts))
            if shift:
                ast.increment_lineno(tree, shift)
            return tree, texts, blanked
        except SyntaxError as err:
            msg = err.msg or ""
            line = (err.lineno or 0) - 1 - first_line
            if not 0 <= line < len(texts):
                line = len(texts) - 1
            touched[line] += 1
            text = texts[line]
            m = _INDENTED_AFTER.search(msg)
            if msg.startswith("expected an indented block") and m and 0 < int(m.group(1)) - first_line <= len(texts):
                head = int(m.group(1)) - 1 - first_line
                texts[head] = texts[head] + " pass"
                continue
            if touched[line] == 1 and "was never closed" in msg:
                closers = open_brackets(text)
                if closers:
                    texts[line] = text + closers
                    continue
            if touched[line] <= 2 and msg == "expected ':'" and not text.rstrip().endswith(":"):
                texts[line] = text.rstrip() + ":"
                continue
            if msg == "unexpected indent":
                # continuation lines of a statement cut short: blank the whole indented run
                base = indent(text)
                k = line
                while k < len(texts) and (not texts[k].strip() or indent(texts[k]) >= base):
                    if texts[k].strip():
                        texts[k] = ""
                        blanked.add(k)
                    k += 1
                continue
            if "unterminated triple-quoted" in msg:
                texts[line] = ""
                blanked.add(line)
                continue
            # blank the line; a header keeps its body in scope as `if True:`
            nxt = next((t for t in texts[line + 1 :] if t.strip()), "")
            if text.strip() and indent(nxt) > indent(text):
                texts[line] = text[: indent(text)] + "if True:"
            else:
                texts[line] = ""
            blanked.add(line)
            if touched[line] > 3:
                return None, texts, blanked
    return None, texts, blanked


def place_import_names(tree: ast.AST, texts: List[str], first_line: int) -> None:
    """Python 3.9: give the names of `import` statements the positions 3.10 gives them, read
    from the statement's text (names in order after `import`, each with its `as` name)."""
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        lo = node.lineno - 1 - first_line
        lines = texts[lo : (node.end_lineno or node.lineno) - first_line]
        joined = "\n".join(lines)
        first = lines[0].encode("utf-8")[: node.col_offset].decode("utf-8", "replace") if lines else ""
        keyword = _IMPORT_KEYWORD.search(joined, len(first))
        at = keyword.end() if keyword else len(first)
        for alias in node.names:
            parts = alias.name.split(".")
            found = re.compile(
                r"\s*\.\s*".join(map(re.escape, parts)) + (r"(?!\w)" if parts[-1] != "*" else "")
            ).search(joined, at)
            if found is None:
                break
            end = found.end()
            if alias.asname:
                named = re.compile(r"\s+as\s+" + re.escape(alias.asname) + r"\b").match(joined, end)
                end = named.end() if named else end
            for attr, offset in (("lineno", found.start()), ("end_lineno", end)):
                row = joined.count("\n", 0, offset)
                line_start = joined.rfind("\n", 0, offset) + 1
                setattr(alias, attr, node.lineno + row)
                col = len(joined[line_start:offset].encode("utf-8"))
                setattr(alias, "col_offset" if attr == "lineno" else "end_col_offset", col)
            at = end


def parse_block(texts: List[str], first_line: int) -> Tuple[Optional[ast.Module], List[str], Set[int]]:
    """`repair_parse` with the 3.9 import-name positions added."""
    tree, parsed, blanked = repair_parse(texts, first_line=first_line)
    if tree is not None and not ALIAS_POSITIONS:
        place_import_names(tree, parsed, first_line)
    return tree, parsed, blanked
