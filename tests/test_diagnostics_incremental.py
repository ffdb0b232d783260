"""sheetls.diagnostics.incremental: a document checked again after each edit, one unit (top-level
statement, class header or class body statement) at a time, finds exactly what a check from
scratch finds. Real files (the running interpreter's asyncio sources) with the sheet's pitfalls
added, then random edits: characters typed and deleted anywhere (many leave the file unparsable
for a while), lines added and removed, imports changed, pitfalls typed into functions, functions
renamed, a handler passed to a server. After every edit the incremental findings (positions,
messages, fixes) must equal `check()` of the same text. No timing is asserted."""

from __future__ import annotations

import ast
import random
import sysconfig
from pathlib import Path
from typing import List

import pytest

from core_support import lint_units_and_findings
from sheetls.diagnostics import check
from sheetls.diagnostics.check import document_lint

ASYNCIO = Path(sysconfig.get_paths()["stdlib"]) / "asyncio"
FILES = ["streams.py", "subprocess.py", "base_subprocess.py", "unix_events.py"]
PY = (3, 11)

# The sheet's pitfalls, as a user writes them: added at top level and inside classes.
PITFALLS = [
    """async def _pitfall_sleep(delay):
    import time
    time.sleep(delay)
    subprocess.run(["ls"])
    return open("f").read()
""",
    """async def _pitfall_stream(host):
    reader, writer = await asyncio.open_connection(host, 80)
    for chunk in [b"a", b"b"]:
        writer.write(chunk)
    writer.close()
    asyncio.get_event_loop()
""",
    """async def _pitfall_proc(cmd):
    proc = await asyncio.create_subprocess_shell(f"ls {cmd}", stdout=asyncio.subprocess.PIPE)
    await proc.wait()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, print, sep="")
    await asyncio.start_server(_pitfall_handler, limit=None, keep_alive=True)
""",
    """_pitfall_sp = subprocess
""",
    """_pitfall_shadow = 1
""",
    """def _pitfall_mod():
    return subprocess
""",
    """async def _pitfall_far(data):
    _pitfall_sp.run(["ls"])
    _pitfall_mod().call(["ls"])
    _PitfallConn().mod().check_output(["ls"])
""",
    """class _PitfallConn:
    def mod(self):
        return subprocess

    async def go(self):
        self.mod().check_call(["ls"])
""",
    """async def _pitfall_unserved(r, w):
    w.close()
""",
    """async def _pitfall_handler(reader, writer):
    writer.write(b"hello")
    await reader.read(10)
    writer.drain()  # noqa: SHEET201
""",
]
TOGGLES = [
    ("_pitfall_sp = subprocess", "_pitfall_sp = None"),
    ("return subprocess", "return None"),
    ("_pitfall_shadow = 1", "open = 1"),  # the builtin `open` shadowed in another unit
]
METHOD = """    async def _pitfall_method(self):
        time.sleep(1)
        self._transport.close()
"""


def with_pitfalls(text: str, rng: random.Random) -> List[str]:
    """The file with the pitfalls put before random top-level statements and a method put at
    the top of a random class body."""
    lines = ["import asyncio", "import subprocess", "import time", *text.split("\n")]
    tops = [i for i, t in enumerate(lines) if t.startswith(("def ", "async def ", "class ", "@"))]
    tops = [i for i in tops if i == 0 or not lines[i - 1].startswith("@")]
    for pit in PITFALLS:
        at = rng.choice(tops) if tops else len(lines)
        lines[at:at] = pit.split("\n")
        tops = [i + (len(pit.split("\n")) if i >= at else 0) for i in tops]
    classes = [i for i, t in enumerate(lines) if t.startswith("class ") and t.rstrip().endswith(":")]
    if classes:
        at = rng.choice(classes) + 1
        lines[at:at] = METHOD.split("\n")
    return lines


def edit(lines: List[str], rng: random.Random) -> str:
    """One random edit of `lines` in place; returns what it was (for the failure message)."""
    kind = rng.choice(
        ["type", "type", "delete", "type", "newline", "dropline", "import", "pitfall", "rename", "serve", "far", "far"]
    )
    i = rng.randrange(len(lines))
    t = lines[i]
    if kind == "far":  # a change in one unit that changes what another finds
        for k, s in enumerate(lines):
            for a, b in TOGGLES:
                if s.strip() in (a, b) and rng.random() < 0.5:
                    lines[k] = s.replace(a, b) if s.strip() == a else s.replace(b, a)
                    i = k
    elif kind == "type":
        col = rng.randint(0, len(t))
        lines[i] = t[:col] + rng.choice("x(): _\"'#.") + t[col:]
    elif kind == "delete" and t:
        col = rng.randrange(len(t))
        lines[i] = t[:col] + t[col + 1 :]
    elif kind == "newline":
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif kind == "dropline" and len(lines) > 1:
        del lines[i]
    elif kind == "import":
        imports = [k for k, s in enumerate(lines) if s.startswith(("import ", "from "))]
        k = rng.choice(imports) if imports else 0
        lines.insert(k, rng.choice(["import time", "import asyncio as aio", "from subprocess import run", "import os"]))
        i = k
    elif kind == "pitfall":
        bodies = [
            k for k, s in enumerate(lines) if s.startswith("    ") and s.strip() and not s.strip().startswith("#")
        ]
        if bodies:
            i = rng.choice(bodies)
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            lines.insert(i, indent + rng.choice(["time.sleep(1)", "writer.close()", "asyncio.sleep(1)"]))
    elif kind == "rename":
        defs = [k for k, s in enumerate(lines) if s.lstrip().startswith(("def ", "async def "))]
        if defs:
            i = rng.choice(defs)
            lines[i] = lines[i].replace("def ", "def renamed_", 1)
    elif kind == "serve":
        lines.append("asyncio.start_server(_pitfall_unserved)")
        i = len(lines) - 1
    return f"{kind} at line {i}"


@pytest.mark.slow  # a long run of generated edits over four real files: not in make test-fast
@pytest.mark.parametrize("name", FILES)
def test_incremental_findings_equal_a_check_from_scratch(name):
    path = ASYNCIO / name
    if not path.exists():
        pytest.skip(f"{path} not shipped with this interpreter")
    rng = random.Random(f"16:{name}")
    lines = with_pitfalls(path.read_text(encoding="utf-8"), rng)
    doc = document_lint()
    first = doc.findings(list(lines), python=PY)
    assert first == check("\n".join(lines), python=PY)
    assert {f.code for f in first} >= {"SHEET101", "SHEET102", "SHEET103", "SHEET202", "SHEET204", "SHEET206"}
    history = []
    parsed = 0
    for _ in range(60):
        before = list(lines)
        history.append(edit(lines, rng))
        want = check("\n".join(lines), python=PY)
        assert doc.findings(list(lines), python=PY) == want, f"after {history}"
        try:
            ast.parse("\n".join(lines))
            parsed += 1
        except SyntaxError:  # half typed: then it is typed on (or undone)
            lines[:] = before
            history.append("undone")
            assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY), f"after {history}"
    assert parsed > 20


def test_a_keystroke_in_a_function_rechecks_that_function_only():
    """The point of it: typing inside one function of a long file checks one unit, and the
    findings of the others are carried to their new lines."""
    lines = with_pitfalls((ASYNCIO / "streams.py").read_text(encoding="utf-8"), random.Random(1))
    doc = document_lint()
    doc.findings(list(lines), python=PY)
    units = len(doc.units or [])
    assert units > 30
    sleep = next(i for i, t in enumerate(lines) if "time.sleep(delay)" in t)
    before = doc.stats["checked"]
    lines[sleep] = lines[sleep].replace("delay", "delay * 2")
    found = doc.findings(list(lines), python=PY)
    assert doc.stats["checked"] - before <= 2  # the function, and the one before it when it changed
    assert found == check("\n".join(lines), python=PY)
    # a line added above moves everything below: carried, not checked again
    before = doc.stats["checked"]
    lines.insert(sleep, "    pass")
    assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY)
    assert doc.stats["checked"] - before <= 2
    # an import at the top changes what names mean everywhere: everything is checked again
    before = doc.stats["checked"]
    lines.insert(0, "import time as asyncio")
    assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY)
    assert doc.stats["checked"] - before == len(doc.units or [])


def test_a_keystroke_in_a_typed_functions_body_leaves_the_units_its_signature_names_alone():
    """Units that looked up a name of a function's signature (`asyncio` here) are checked again
    when the signature changes, not for an edit of the body (the signature's names mean what
    they meant): a keystroke in asyncio's typed staggered_race checked 3 more functions."""
    lines = [
        "import asyncio",
        "",
        "",
        "async def serve(loop: asyncio.AbstractEventLoop = None) -> asyncio.Server:",
        "    winner = None",
        "    return winner",
        "",
        "",
        "async def other():",
        "    await asyncio.sleep(1)",
        "    asyncio.get_event_loop()",
        "",
    ]
    doc = document_lint()
    doc.findings(list(lines), python=PY)
    before = doc.stats["checked"]
    lines[4] = "    winnerx = None"
    assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY)
    assert doc.stats["checked"] - before == 1  # serve alone
    before = doc.stats["checked"]
    lines[3] = lines[3].replace("= None", "= 1")  # the signature: what runs outside the function
    found = doc.findings(list(lines), python=PY)
    assert found == check("\n".join(lines), python=PY) and [f.code for f in found] == ["SHEET206"]
    assert doc.stats["checked"] - before == 2  # serve, and other (it looked up `asyncio`)


def test_an_unparsable_moment_keeps_the_last_parsed_version():
    """While a line is half typed the file does not parse (no findings, as check() says);
    the next version that parses is compared with the last one that did."""
    lines = with_pitfalls((ASYNCIO / "subprocess.py").read_text(encoding="utf-8"), random.Random(2))
    doc = document_lint()
    assert doc.findings(list(lines), python=PY)
    sleep = next(i for i, t in enumerate(lines) if "time.sleep(delay)" in t)
    original = lines[sleep]
    lines[sleep] = original.replace("delay)", "delay")
    assert doc.findings(list(lines), python=PY) == [] == check("\n".join(lines), python=PY)
    before = doc.stats["checked"]
    lines[sleep] = original
    assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY)
    assert doc.stats["checked"] - before <= 2


CLASS = "import time\nclass A:\n    async def g(self):\n        time.sleep(2)\n"
VERSIONS = [
    "",
    "# a comment",
    "import time",
    "import time\nasync def f():\n    time.sleep(1)",
    "import time\nasync def f():\n    time.sleep(1)\n\n\n"
    "class A:\n    x = 1\n    async def g(self):\n        time.sleep(2)",
    "",
    "x = 1",
    CLASS + "    async def h(self):\n        time.sleep(3)",
    CLASS + "async def h(self):\n        time.sleep(3)",  # a method's def dedented: the class ends above it
    CLASS + "    async def h(self):\n        time.sleep(3)",
    CLASS + "    @property\n    async def h(self):\n        time.sleep(3)",
    CLASS + "    @property\nasync def h(self):\n        time.sleep(3)",  # the decorator left alone: no parse
    CLASS.replace("time.sleep(2)", "time.sleep(2); time.sleep(4)") + "    async def h(self):\n        time.sleep(3)",
    "import time\r\nasync def f():\r\n    time.sleep(1)",  # \r\n kept inside the document's lines
]


def test_versions_a_user_types_through():
    """Empty files, statements joining and leaving a class, decorators, `;`, \\r\\n."""
    doc = document_lint()
    for text in VERSIONS:
        assert doc.findings(text.split("\n"), python=PY) == check("\n".join(text.split("\n")), python=PY), text


@pytest.mark.parametrize("name", sorted(p.name for p in ASYNCIO.glob("*.py")))
def test_a_file_parsed_in_chunks_is_checked_as_when_parsed_whole(name, monkeypatch):
    """The first check parses a file CHUNK_LINES at a time (so that a server can answer between
    chunks): cut at every top-level statement the resolver's scan finds, a real file's units and
    findings are those of one parse of the whole file."""
    lines = with_pitfalls((ASYNCIO / name).read_text(encoding="utf-8"), random.Random(f"chunks:{name}"))
    whole = lint_units_and_findings(lines, 10**9, monkeypatch)
    assert whole[0], "the file parses"
    assert lint_units_and_findings(lines, 1, monkeypatch) == whole
    assert lint_units_and_findings(lines, 40, monkeypatch) == whole


@pytest.mark.parametrize("name", FILES[:2])
def test_a_check_stopped_at_any_step_leaves_the_next_one_right(name):
    """The server runs a long check a step at a time and drops it when the document changes
    meanwhile (DocumentLint.steps): whatever step it stopped at, the next check of the next
    version finds what a check from scratch finds."""
    rng = random.Random(f"stopped:{name}")
    lines = with_pitfalls((ASYNCIO / name).read_text(encoding="utf-8"), rng)
    doc = document_lint()
    history = []
    stopped_early = 0
    for round_ in range(40):
        steps = doc.steps(list(lines), python=PY)
        for _ in range(rng.choice([0, 1, 2, 5, 20, 200, 10**6])):
            try:
                next(steps)
            except StopIteration:
                break
        else:
            stopped_early += 1
        steps.close()
        if round_ % 3 == 2:  # sometimes a check that nothing stops, of this version
            assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY), f"after {history}"
        before = list(lines)
        history.append(edit(lines, rng))
        try:
            ast.parse("\n".join(lines))
        except SyntaxError:
            lines[:] = before
            history.append("undone")
    assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY), f"after {history}"
    assert stopped_early > 10


def test_a_check_overtaken_by_another_stops_and_says_so():
    """Two checks of one document: the one started first, resumed after the second ran,
    answers None (its caller starts again) instead of findings of a version no longer kept."""
    lines = with_pitfalls((ASYNCIO / FILES[0]).read_text(encoding="utf-8"), random.Random(1))
    doc = document_lint()
    first = doc.steps(list(lines), python=PY)
    next(first)
    lines.append("time.sleep(1)")
    assert doc.findings(list(lines), python=PY) == check("\n".join(lines), python=PY)
    with pytest.raises(StopIteration) as stopped:
        while True:
            next(first)
    assert stopped.value.value is None
