"""How the blocks of a Python text are indented, read with tokenize (strings, comments and
bracketed continuation lines say nothing), for the real-editor tests of the indentation unit
(tests/nvim/lua/test_indent_unit.lua, tests/vscode/test_vscode_indent_uri.py).

They check what a user sees after accepting an item, independent of the snippet's exact text:
every block the code opens steps by one unit (4 spaces, 2 spaces, a tab), the accepted text
opens a block inside a block, and the whole text compiles.

    python tests/indent_check.py FILE UNIT FIRST LAST
UNIT is the expected step as JSON ("    ", "\\t"); FIRST..LAST (1-based, inclusive) the lines
that must hold a nested block (the inserted ones). Prints a JSON report and exits 1 on a
problem.
"""

from __future__ import annotations

import io
import json
import sys
import tokenize
from typing import List, NamedTuple, Optional, Tuple


class Step(NamedTuple):
    line: int  # 1-based line of the block's first statement
    step: str  # what the block adds to its header's indentation ("!" + the whole indent if it does not extend it)
    depth: int  # 1 for a block at module level's first indentation


def block_steps(text: str) -> List[Step]:
    steps: List[Step] = []
    stack = [""]
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.INDENT:
            prev = stack[-1]
            step = tok.string[len(prev) :] if tok.string.startswith(prev) else "!" + tok.string
            stack.append(tok.string)
            steps.append(Step(tok.start[0], step, len(stack) - 1))
        elif tok.type == tokenize.DEDENT:
            stack.pop()
    return steps


def problems(text: str, unit: str, lines: Optional[Tuple[int, int]] = None, name: str = "<buffer>") -> List[str]:
    """What is wrong with `text`: it does not compile, a block steps by something else than
    `unit`, or no block nests inside another within `lines` (1-based, inclusive)."""
    try:
        compile(text, name, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return [f"does not compile: {exc.msg} at line {exc.lineno}: {exc.text!r}"]
    try:
        steps = block_steps(text)
    except (tokenize.TokenError, IndentationError) as exc:
        return [f"does not tokenize: {exc}"]
    found = [f"line {s.line}: the block steps by {s.step!r}, not {unit!r}" for s in steps if s.step != unit]
    if lines is not None:
        depths = {s.depth for s in steps if lines[0] <= s.line <= lines[1]}
        if len(depths) < 2:
            found.append(f"lines {lines[0]}-{lines[1]} open no block inside a block (block depths: {sorted(depths)})")
    return found


def inserted_lines(before: str, after: str) -> Tuple[int, int]:
    """The 1-based, inclusive line range of `after` that is not in `before` (the common first
    and last lines removed)."""
    a, b = before.split("\n"), after.split("\n")
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head + 1, len(b) - tail


def main(argv: List[str]) -> int:
    path, unit, first, last = argv[1], json.loads(argv[2]), int(argv[3]), int(argv[4])
    with open(path, encoding="utf-8") as f:
        text = f.read()
    found = problems(text, unit, (first, last), path)
    steps = [list(s) for s in block_steps(text)] if not found or "compile" not in found[0] else []
    print(json.dumps({"problems": found, "steps": steps}))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
