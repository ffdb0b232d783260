"""The resolver's parts as plain functions (issue 4): the block scanner, the repair of
half-typed blocks, a big block's skeleton. What a hover parses is tested in
unit/test_core_parse_cost.py, the protocol behaviour in test_hover_names.py."""

import ast

import pytest

from core_support import big_class
from sheetls import resolve
from sheetls.resolve import dotted_chain, in_string_or_comment, repair_parse, resolve_at, scan_blocks


def starts(src: str):
    return [(b.start, b.defines) for b in scan_blocks(src.split("\n"))]


def test_blocks_start_at_column_zero_statements():
    src = (
        "import asyncio\n"  # 0
        "\n"
        "# a comment\n"  # 2
        "@decorator\n"  # 3
        "@other(\n"  # 4
        ")\n"  # 5
        "async def main():\n"  # 6
        "    pass\n"
        "if x:\n"  # 8
        "    pass\n"
        "else:\n"  # 10
        "    pass\n"
        "try:\n"  # 12
        "    pass\n"
        "except E:\n"  # 14
        "    pass\n"
        "finally:\n"  # 16
        "    pass\n"
        "elsewhere = 1\n"  # 18
        "x = 1 + \\\n"  # 19
        "2\n"  # 20
        "class C:\n"  # 21
        "    pass\n"
    )
    assert starts(src) == [(0, None), (3, "main"), (8, None), (12, None), (18, None), (19, None), (21, "C")]


def test_lines_inside_triple_quoted_strings_start_nothing():
    src = (
        '"""Module docstring\n'  # 0
        "import not_code\n"
        '"""\n'
        "HELP = '''\n"  # 3
        "def not_a_function():\n"
        "'''\n"
        'x = """one line"""\n'  # 6
        "def f():\n"  # 7
        '    s = """\n'
        "class NotAClass:\n"
        '    """\n'
        "    return s\n"
        'y = \'has """ inside\'\n'  # 12
        "z = 2\n"  # 13
    )
    assert starts(src) == [(0, None), (3, None), (6, None), (7, "f"), (12, None), (13, None)]


@pytest.mark.parametrize(
    "src,fixed",
    [
        (
            "async def main():\n    r, w = await asyncio.open_connection('h', 80\n    w.write(b'x')\n",
            "async def main():\n    r, w = await asyncio.open_connection('h', 80)\n    w.write(b'x')\n",
        ),
        ("async def main()\n    pass\n", "async def main():\n    pass\n"),
        ("async def main():\n", "async def main(): pass\n"),
        ("def f():\n    x = foo(\n        1,\n        2,\n    y = 3\n", "def f():\n    x = foo()\n\n\n    y = 3\n"),
        ("def f():\n    writer.\n    y = 3\n", "def f():\n\n    y = 3\n"),
        ("def f():\n    if x\n        y = 3\n", "def f():\n    if x:\n        y = 3\n"),
        ("def f():\n    for x in (:\n        y = 3\n", "def f():\n    if True:\n        y = 3\n"),
    ],
)
def test_repair_keeps_what_makes_sense(src, fixed):
    tree, texts, _ = repair_parse(src.split("\n"))
    assert tree is not None
    assert "\n".join(texts) == fixed
    ast.parse(fixed)


def test_strings_and_comments():
    line = "x = 'asyncio.open_connection' + f(a) # asyncio.open_connection"
    assert in_string_or_comment(line, line.index("asyncio"))
    assert not in_string_or_comment(line, line.index("f(a)"))
    assert in_string_or_comment(line, line.rindex("asyncio"))
    assert in_string_or_comment('s = "unterminated asyncio', 20)
    assert not in_string_or_comment('s = "a\\"b" + asyncio', 17)


def test_dotted_chain_reads_names_around_the_cursor():
    parts, spans, at = dotted_chain("    x = await asyncio . subprocess.PIPE(", 24)
    assert parts == ["asyncio", "subprocess", "PIPE"] and at == 1
    assert spans[0] == (14, 21)
    parts, spans, at = dotted_chain("    get_loop().run_in_executor(None, f)", 20)
    assert parts == [None, "run_in_executor"] and at == 1
    assert dotted_chain("    x = (1, 2)", 6) is None


def test_default_known_names_and_out_of_range():
    lines = ["import asyncio", "asyncio.open_connection"]
    assert resolve_at(lines, 1, 10).api == "asyncio.open_connection"
    assert resolve_at(lines, 5, 0) is None
    assert resolve_at(lines, 1, 99) is None
    assert resolve_at(lines, 1, 10, known=lambda api: False) is None


def test_skeleton_of_a_big_block_keeps_the_focused_method_and_the_names():
    src = big_class(120)
    lines = src.split("\n")
    blocks, in_string = resolve.scan(lines)
    cls = blocks[1]
    assert cls.end - cls.start > resolve.BIG_BLOCK
    focus = lines.index("    async def m60(self, host):") + 2
    cut = resolve.skeleton(lines, cls.start, cls.end, focus, in_string)
    assert len(cut) == cls.end - cls.start  # line numbers unchanged
    text = "\n".join(cut)
    tree = ast.parse(text)
    methods = [n.name for n in tree.body[0].body if isinstance(n, ast.AsyncFunctionDef)]
    assert methods == [f"m{i}" for i in range(120)]  # every method still bound
    assert "limit = 10" in text
    assert text.count("open_connection") == 1  # only the focused method's body is kept
    assert cut[focus - cls.start] == lines[focus]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sheetls.loader import builtin_sheet_path, load_pack  # noqa: E402

EXAMPLES = "\n\n".join(e.example for e in load_pack(builtin_sheet_path()).sheet.entries)


@settings(max_examples=300, deadline=None)
@given(
    cut=st.integers(0, len(EXAMPLES)),
    drop=st.integers(0, 12),
    insert=st.sampled_from(["", "(", ")", ":", "'", '"""', "\n    ", "x.", "é", "😀"]),
    where=st.floats(0, 1),
)
def test_any_edit_of_the_sheet_resolves_without_error(cut, drop, insert, where):
    """Whatever half-typed state the sheet's code is in, hover answers None or a range on the
    cursor's line that covers the cursor."""
    text = EXAMPLES[:cut] + insert + EXAMPLES[cut + drop :]
    lines = text.split("\n")
    line = min(int(where * len(lines)), len(lines) - 1)
    for col in range(len(lines[line]) + 1):
        target = resolve_at(lines, line, col)
        if target is not None:
            assert target.line == line and target.start <= col < target.end
            assert target.api.startswith("asyncio.")


def test_a_big_class_statements_kept_answer_as_found_afresh():
    """child_at keeps the statements of a big class's body it finds: asked line by line in any
    order, and after an edit inside a method, it answers for each line what a search from that
    line finds (the standard library's BaseEventLoop, 1,500 lines)."""
    import random
    import sysconfig
    from pathlib import Path

    from sheetls.docmodel import VersionModel

    texts = (Path(sysconfig.get_paths()["stdlib"]) / "asyncio" / "base_events.py").read_text().split("\n")
    model = VersionModel(texts)
    k = next(k for k, b in enumerate(model.blocks) if b.defines == "BaseEventLoop")
    head = model.class_head(k)
    assert head is not None, "a big class"
    body = list(range(head.head_end + 1, model.blocks[k].end))
    random.Random(16).shuffle(body)
    for line in body:
        assert model.child_at(k, line, head) == model._find_child(k, line, head), line
    inside = next(i for i in body if texts[i].startswith("        ") and texts[i].strip())
    edited = list(texts)
    edited[inside] += "  # edited"
    after = VersionModel.after(model, [(inside, 1, 1)], edited)
    assert after._children, "kept through an edit inside a method"
    fresh = VersionModel(edited)
    for line in body:
        assert after.child_at(k, line, head) == fresh._find_child(k, line, head), line
