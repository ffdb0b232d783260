"""Is an entry's assembled example valid Python? Compiled once per text, and remembered.

Compiling costs ~25 µs an example: nothing for the built-in sheet, a quarter of a second for
a pack of 10,000 entries. So:
- results are remembered by example text (a bounded cache): a reload after an edit
  recompiles only the examples that changed;
- a loader may defer the examples it has not seen (over DEFER_OVER of them): the server then serves a
  big pack at once and checks those examples between requests (pack_service.py); an entry
  whose example turns out not to compile is withdrawn by a reload that reports it like any
  other error. `sheetls check` and small loads never defer.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Optional, Sequence, Tuple

Problem = Tuple[int, str]  # (line of the example, the compiler's message)
Example = Tuple[str, int]  # (example text, how many `import` lines it starts with)

CACHE_SIZE = 50_000  # examples remembered: five 10,000-entry packs, a few MB of text shared with the entries
DEFER_OVER = 256  # a load with more unknown examples than this (~6 ms of compiling) may defer them
# What deferring buys: a 10,000-entry pack answers ~0.5 s sooner at the start (1.48 s instead of
# 2.17 s from spawn; benchmarks/README.md). A pack of a few hundred entries never defers.

_RUN_MAIN = "\nasyncio.run(main())\n"
_known: OrderedDict[str, Optional[Problem]] = OrderedDict()


def compile_error(example: str, imports: int) -> Optional[Problem]:
    """(example line, message) of the first syntax error of an assembled example, or None.

    Compiled (stricter than ast.parse: `return` outside a function is an error, and no AST
    objects are made) from its helpers to the end of `main`: the `import` lines (names
    already checked) and the closing `asyncio.run(main())` are the same in every entry, and
    leaving them out is a quarter of the time."""
    skipped = imports + 1 if imports else 0  # the import lines and the blank line after them
    start = 0
    for _ in range(skipped):
        start = example.index("\n", start) + 1
    end = len(example) - len(_RUN_MAIN) if example.endswith(_RUN_MAIN) else len(example)
    try:
        compile(example[start:end], "<example>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return (exc.lineno or 1) + skipped, exc.msg
    except (RecursionError, MemoryError) as exc:  # e.g. 100,000 nested unary minus signs
        return skipped + 1, f"too deeply nested for Python's compiler ({type(exc).__name__})"
    except ValueError as exc:  # a NUL character
        return skipped + 1, str(exc)
    return None


def problem(example: str, imports: int) -> Optional[Problem]:
    """The example's syntax error (None when it compiles), compiled now unless remembered."""
    if example in _known:
        _known.move_to_end(example)
        return _known[example]
    found = compile_error(example, imports)
    _remember(example, found)
    return found


def unknown(examples: Sequence[Example]) -> Sequence[Example]:
    return [e for e in examples if e[0] not in _known]


def forget() -> None:
    """Drop what is remembered (for tests that count compilations)."""
    _known.clear()


def _remember(example: str, found: Optional[Problem]) -> None:
    _known[example] = found
    if len(_known) > CACHE_SIZE:
        _known.popitem(last=False)
