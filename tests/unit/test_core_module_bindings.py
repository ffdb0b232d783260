"""A module-level name's bindings (VersionModel.module_bindings), found by a search of the text of
the blocks that may bind one only (the blocks that are no `def`/`class`, and those that say
`global`, joined with a NUL line between runs), equal those found the way they were before
issue 16's change: the five binding patterns searched over the whole text of the document. For
every word of code nobody here wrote (the standard library's asyncio and test_asyncio) and of
hand cases made to tell the two apart (a match running on from a line to the next, a NUL line
standing where a `def` was, `global`, edits carried from one version to the next)."""

from __future__ import annotations

import ast
import bisect
import re
import sysconfig
from itertools import accumulate
from pathlib import Path
from typing import List, Optional, Sequence, Set, Tuple

import pytest

from sheetls.docmodel import VersionModel
from sheetls.pysource import IDENT
from sheetls.scopes import Binding, scope_bindings

STDLIB = Path(sysconfig.get_paths()["stdlib"])
FILES = sorted((STDLIB / "asyncio").glob("*.py")) + sorted((STDLIB / "test" / "test_asyncio").glob("test_*.py"))


class Whole:
    """A document's whole text, and where its lines start."""

    def __init__(self, texts: Sequence[str]):
        self.text = "\n".join(texts)
        self.starts = [0, *accumulate(len(t) + 1 for t in texts)]


def reference_lines(whole: Whole, name: str) -> Set[int]:
    """The lines where a match of one of the binding patterns starts, searched over the whole
    text (docmodel before issue 16's change, with `for` since a loop's target was missed)."""
    text, starts = whole.text, whole.starts
    n = re.escape(name)
    lines: Set[int] = set()
    for binds in (
        rf"{n}(?<![\w.]{n})\s*(?:[,:)\]]|=(?!=))",
        rf"as\s+{n}\b",
        *(rf"{kw}\b[^\n]*{n}\b" for kw in ("del", "global", "import", "for")),
    ):
        lines.update(bisect.bisect_right(starts, m.start()) - 1 for m in re.finditer(binds, text))
    return lines


def reference_bindings(model: VersionModel, name: str, whole: Optional[Whole] = None) -> List[Binding]:
    """module_bindings as it was: the blocks that define `name`, then the blocks holding a
    match over the whole text, a `def`/`class` one only if its text says `global`."""
    found = []
    for k, b in enumerate(model.blocks):
        if b.defines == name:
            region = model.region(k)
            node = region.tree.body[0] if region.tree is not None and region.tree.body else None
            found.append(Binding((b.start + 1, 0), "def", node, region=region))
    lines = reference_lines(whole or Whole(model.texts), name)
    for k in sorted({model.block_index(i) for i in lines} - {-1}):
        b = model.blocks[k]
        if b.defines is not None:
            if any("global" in t for t in model.texts[b.start : b.end]):
                found.extend(model._global_bindings(k, name))
            continue
        region = model.region(k)
        if region.tree is not None:
            found.extend(scope_bindings(region.tree, region).names.get(name, ()))
    found.sort(key=lambda bd: bd.pos)
    return found


def _node(node: Optional[ast.AST]) -> object:
    return node and (type(node).__name__, *(getattr(node, a, None) for a in ("lineno", "col_offset", "end_col_offset")))


def key(found: List[Binding]) -> List[Tuple[object, ...]]:
    return [(b.pos, b.kind, b.path, b.name, b.index, _node(b.node)) for b in found]


def differences(model: VersionModel, names: Sequence[str]) -> List[Tuple[str, object, object]]:
    out = []
    whole = Whole(model.texts)
    for name in names:
        got, want = key(model.module_bindings(name)), key(reference_bindings(model, name, whole))
        if got != want:
            out.append((name, got, want))
    return out


def words(texts: Sequence[str]) -> List[str]:
    """Every identifier-like word of the text (code, strings and comments), keywords too."""
    return sorted({m.group() for t in texts for m in IDENT.finditer(t)})


def test_the_interpreter_has_the_sources():
    assert len(FILES) > 20, f"asyncio sources under {STDLIB}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_word_of_real_code_is_bound_where_a_whole_text_search_says(path):
    texts = path.read_text(encoding="utf-8").split("\n")
    model = VersionModel(texts)
    assert differences(model, words(texts)) == []


# Hand cases: each text, and names whose bindings it tells apart.
CASES = {
    "a line continued": (["x \\", " = 1", "y = (x", "     )"], ["x", "y"]),
    "a tuple over two lines": (["(a,", " b) = f()", "[c,", "d] = g()"], ["a", "b", "c", "d"]),
    "`as` and its name on two lines": (
        ["from m import (p as", "    q, r", "    as", "    s)", "with open(x) as \\", "  t: pass"],
        ["p", "q", "r", "s", "t", "as"],
    ),
    "del, global, import": (
        [
            "import a.b as name",
            "import os.path",
            "del os",
            "def f():",
            "    global g, h",
            "    g = 1",
            "    for h in []: pass",
            "def k():",
            "    u = 1",
            "    del u",
            "    import v",
            "reimport_w = 0  # import w",
        ],
        ["name", "a", "b", "os", "path", "g", "h", "u", "v", "w", "f", "k", "global", "del", "import"],
    ),
    "in strings and comments": (
        ['s = "m = 1"  # n = 2', "'''", "o = 3", "'''", "# import p", "x = 'as q'"],
        ["m", "n", "o", "p", "q", "s", "x"],
    ),
    "unicode names": (
        ["é = 1", "名前, ω = 2, 3", "e\u0301 = 4", "import ｍ as ƒ"],
        ["é", "名前", "ω", "e\u0301", "ƒ", "ｍ"],
    ),
    # Below: a match that ran on from a run of blocks into the next run, once the def between
    # them is cut out, would make the first block a candidate, and find in it a binding that no
    # pattern finds (a name captured in a `case` mapping: `name}`).
    "`as` then a def, then the name": (
        ["match []:", '    case {"k": name}:', "        x = has", "def f(): pass", "name = 1"],
        ["name", "x", "f", "has"],
    ),
    "`as` then a decorated def, then a line led by a vertical tab": (
        ["match []:", '    case {"k": name}:', "        x = has", "", "@d", "def f(): pass", "\x0bname = 1"],
        ["name", "d", "f"],
    ),
    "the name then a def, then `=`": (
        ["match []:", '    case {"k": y}:', "        z = [y", "def f(): pass", "= 1", "y"],
        ["y", "z"],
    ),
    "a loop's target": (["import time as t", "for t in []:", "    pass"], ["t"]),
    "`as` then a def named as the name": (
        ["for g in []:", "    x = has", "def g(): pass", "async def h(): pass", "class C: pass"],
        ["g", "h", "C", "def", "async", "class"],
    ),
    "lines before the first block": (["  a = 1", "# b = 2", "c = 3"], ["a", "b", "c"]),
    "names that are no names": (["x = 1", "a.b = 2", "def = 3"], ["", "a.b", "x y", "def", "1x"]),
}


@pytest.mark.parametrize("case", CASES)
def test_hand_cases(case):
    texts, names = CASES[case]
    assert differences(VersionModel(texts), names) == []


def test_the_cases_find_what_they_are_for():
    """The hand cases' bindings are there (the comparison above is not of two empty lists)."""
    texts, _ = CASES["del, global, import"]
    model = VersionModel(texts)
    assert [b.kind for b in model.module_bindings("g")] == ["assign"]
    assert [b.kind for b in model.module_bindings("name")] == ["import"]
    assert model.module_bindings("u") == []
    texts, _ = CASES["`as` and its name on two lines"]
    assert [b.kind for b in VersionModel(texts).module_bindings("s")] == ["import"]
    texts, _ = CASES["`as` then a def, then the name"]
    assert [b.pos[0] for b in VersionModel(texts).module_bindings("name")] == [5]
    texts, _ = CASES["a loop's target"]
    assert [b.kind for b in VersionModel(texts).module_bindings("t")] == ["import", "other"]  # (a for target)


def test_an_edit_carried_to_the_next_version():
    """The searched text goes with an edit of its lines, the blocks searched with a `global`."""
    texts = ["import os", "if os:", "    pass", "def f():", "    pass", "    pass", "x = 1"]
    first = VersionModel(texts)
    assert first.module_bindings("q") == [] and first.module_bindings("x") != []
    edits = [
        (2, "    q = 1"),  # a line of a block searched
        (4, "    global q; q = 2"),  # a def that now says `global`
        (4, "    pass  # q"),  # and no longer does
        (5, "    r = q"),  # a def's line: nothing module-level
    ]
    model = first
    for i, text in edits:
        texts = list(texts)
        texts[i] = text
        model = VersionModel.after(model, [(i, 1, 1)], texts)
        assert model.blocks is first.blocks, "the edit keeps the blocks: the model is carried"
        for name in ("q", "r", "x", "os"):
            assert key(model.module_bindings(name)) == key(reference_bindings(VersionModel(texts), name)), (i, name)
