"""Every rule of the registry through the real server over stdio (issue 16, "Proof"): for each
code in RULES, with the `diagnostics` option on, in the VS Code 1.65 profile (published
diagnostics, UTF-16 positions) and the Neovim 0.11 one (pulled diagnostics, UTF-8 positions):

- a positive document gets exactly that rule's finding, with the marked range in the negotiated
  encoding (an emoji or a name with a CJK ideograph outside the BMP on the line makes code points,
  UTF-16 and UTF-8 columns differ), the rule's
  severity and source `sheetls`; a near miss gets none;
- for a rule with a fix, the preferred quick fix at the diagnostic is applied to the text (a pure
  applier, the edits' columns in the negotiated encoding), the result compiles and, sent back as
  an edit of the document, has no finding left; a rule without one offers none;
- for the blocking calls (SHEET101 time.sleep, SHEET102 subprocess.run, SHEET103 a read that
  waits on a FIFO, SHEET104 os.waitpid) the positive document is a program: it and its fixed
  version are run (test_diagnostics_rules.py's TICKER), printing the same, the event loop
  blocked during the call before the fix and ticking through it after (slow: two CPythons each);
- each fix again on the same document with CRLF line breaks: the fixed file keeps them, also
  the lines a fix inserts (a wait_closed() or drain() after the call, an import).

A rule added to the registry without a case here fails test_every_rule_has_a_case and its own
parametrized test. The pure core's cases (many more shapes per rule): test_diagnostics_rules.py."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import List, Optional, Tuple, Union

import pytest
import pytest_asyncio
from lsprotocol import types

from lint_support import change, code_actions, diagnostics_of
from lsp_helpers import PROFILES, SERVER, initialize, open_doc
from sheetls.diagnostics import RULES
from test_diagnostics_rules import TICKER, run

E = "\U0001f600"  # two UTF-16 units, four UTF-8 bytes, one code point
W = "w\U00020000"  # a name with a character outside the BMP
STREAMS = "import asyncio\n\n\nasync def main(items):\n    reader, writer = await asyncio.open_connection('h', 1)\n"
PROC = "import asyncio\n\n\nasync def main():\n    proc = await asyncio.create_subprocess_exec('ls', {kw})\n"


@dataclass(frozen=True)
class Case:
    positive: str  # the finding's range between « and »
    negative: str  # a near miss: no finding at all
    fixed: Union[str, Tuple[str, ...], None] = None  # lines the preferred quick fix leaves; None: no fix
    output: Optional[str] = None  # the positive document is a TICKER program printing this


def ticker(work: str) -> str:
    return TICKER.format(work=work)


CASES = {
    "SHEET101": Case(
        ticker(f"    print(len('{E}')); «time.sleep(0.4)»\n    print('slept', flush=True)"),
        # in a lambda run in a thread: not inside the coroutine
        ticker("    await asyncio.to_thread(lambda: time.sleep(0.4))\n    print('slept', flush=True)"),
        fixed=f"    print(len('{E}')); await asyncio.sleep(0.4)\n",
        output="1\nslept",
    ),
    "SHEET102": Case(
        ticker(
            f"    «subprocess.run([sys.executable, '-c', 'import time; time.sleep(0.4); print(len(\"{E}\"))'])»\n"
            "    print('after', flush=True)"
        ),
        # the same call in a plain function
        "import subprocess\n\n\ndef main():\n    subprocess.run(['ls'])\n",
        fixed=(
            "    await (await asyncio.create_subprocess_exec(sys.executable, '-c', "
            f"'import time; time.sleep(0.4); print(len(\"{E}\"))')).wait()\n",
        ),
        output="1\nafter",
    ),
    "SHEET103": Case(
        ticker(
            "    import os, pathlib, tempfile, threading\n\n"
            "    with tempfile.TemporaryDirectory() as tmp:\n"
            "        fifo = os.path.join(tmp, 'fifo')\n"
            "        os.mkfifo(fifo)\n"
            "        threading.Timer(0.4, lambda: pathlib.Path(fifo).write_text('hello')).start()\n"
            f"        s = '{E}'; text = «pathlib.Path(fifo).read_text()»\n"
            "    print('read', text, flush=True)"
        ),
        # os.path's string functions make no system call
        "import os\n\n\nasync def main(name):\n    return os.path.join(os.path.dirname(name), 'x')\n",
        fixed=f"        s = '{E}'; text = await asyncio.to_thread(pathlib.Path(fifo).read_text)\n",
        output="read hello",
    ),
    "SHEET104": Case(
        ticker(
            "    import os\n\n"
            "    child = [sys.executable, '-c', 'import time; time.sleep(0.4)']\n"
            "    pid = os.posix_spawn(sys.executable, child, os.environ)\n"
            f"    s = '{E}'; _, status = «os.waitpid(pid, 0)»\n"
            "    print('status', status, flush=True)"
        ),
        # waiting for an asyncio process is what the rule asks for
        "import asyncio\n\n\nasync def main():\n    proc = await asyncio.create_subprocess_exec('ls')\n"
        "    await proc.wait()\n",
        fixed=f"    s = '{E}'; _, status = await asyncio.to_thread(os.waitpid, pid, 0)\n",
        output="status 0",
    ),
    "SHEET201": Case(
        STREAMS
        + f"    writer.write('{E}'.encode()); «writer.drain()»\n    writer.close()\n    await writer.wait_closed()\n",
        # kept and awaited later
        STREAMS + "    coro = writer.drain()\n    await coro\n    writer.close()\n    await writer.wait_closed()\n",
        fixed=f"    writer.write('{E}'.encode()); await writer.drain()\n",
    ),
    "SHEET202": Case(
        # a name outside the BMP (a CJK ideograph: an identifier, unlike an emoji)
        STREAMS.replace("writer", W) + f"    {W}.write(b'x')\n    «{W}.close()»\n",
        # the writer handed to a helper after the close (one that waits)
        STREAMS + "    writer.close()\n    await maybe_wait_closed(writer)\n",
        fixed=f"    {W}.close()\n    await {W}.wait_closed()\n",
    ),
    "SHEET203": Case(
        PROC.format(kw="stdout=asyncio.subprocess.PIPE") + f"    print('{E}'); await «proc.wait()»\n",
        # the pipe is read
        PROC.format(kw="stdout=asyncio.subprocess.PIPE")
        + "    print(await proc.stdout.read())\n    await proc.wait()\n",
        fixed=f"    print('{E}'); await proc.communicate()\n",
    ),
    "SHEET204": Case(
        f"import asyncio\n\n\nasync def main(d):\n    await asyncio.create_subprocess_shell(«f'echo {E} {{d}}'»)\n",
        # a constant command
        f"import asyncio\n\n\nasync def main(d):\n    await asyncio.create_subprocess_shell('echo {E} | wc')\n",
    ),
    "SHEET205": Case(
        "import asyncio\n\n\nasync def main():\n    loop = asyncio.get_running_loop()\n"
        f"    await «loop.run_in_executor(None, print, '{E}', sep='')»\n",
        # the keyword inside functools.partial
        "import asyncio\nimport functools\n\n\nasync def main():\n    loop = asyncio.get_running_loop()\n"
        f"    await loop.run_in_executor(None, functools.partial(print, '{E}', sep=''))\n",
        fixed=(
            "import functools\n",
            f"    await loop.run_in_executor(None, functools.partial(print, '{E}', sep=''))\n",
        ),
    ),
    "SHEET206": Case(
        f"import asyncio\n\n\nasync def main():\n    s = '{E}'; loop = «asyncio.get_event_loop()»\n",
        # in a plain function
        f"import asyncio\n\n\ndef main():\n    s = '{E}'; loop = asyncio.get_event_loop()\n",
        fixed=f"    s = '{E}'; loop = asyncio.get_running_loop()\n",
    ),
    "SHEET207": Case(
        f"import asyncio\n\n\nasync def main():\n    await asyncio.open_connection('{E}', 1, «limit=None»)\n",
        # a limit that is a number
        f"import asyncio\n\n\nasync def main():\n    await asyncio.open_connection('{E}', 1, limit=2**20)\n",
    ),
    "SHEET208": Case(
        STREAMS.replace("writer", W) + f"    for x in items:\n        «{W}.write(x)»\n"
        f"    {W}.close()\n    await {W}.wait_closed()\n",
        # drained in the loop
        STREAMS + f"    for x in items:\n        s = '{E}'; writer.write(x)\n        await writer.drain()\n"
        "    writer.close()\n    await writer.wait_closed()\n",
        fixed=f"        {W}.write(x)\n        await {W}.drain()\n",
    ),
    "SHEET209": Case(
        STREAMS + f"    «writer.write('{E}'.encode())»\n    data = await reader.read(100)\n"
        "    writer.close()\n    await writer.wait_closed()\n",
        # drained before the read
        STREAMS + f"    writer.write('{E}'.encode())\n    await writer.drain()\n    data = await reader.read(100)\n"
        "    writer.close()\n    await writer.wait_closed()\n",
        fixed=f"    writer.write('{E}'.encode())\n    await writer.drain()\n    data = await reader.read(100)\n",
    ),
}
RUNNABLE = [code for code in RULES if code in CASES and CASES[code].output is not None]
SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
}


@pytest_asyncio.fixture(params=list(PROFILES), scope="module")
async def lint_client(request):
    """sheetls over stdio with the `diagnostics` option on, one per profile for the module (the
    shared `client` fixture's servers change no option); `utf8`: the negotiated encoding."""
    lsp_client = await SERVER.start(devtools=request.config.getoption("devtools"))
    lsp_client.profile = request.param
    result = await initialize(lsp_client, request.param, options={"diagnostics": True})
    lsp_client.utf8 = result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    yield lsp_client
    await lsp_client.shutdown_session()
    await lsp_client.stop()


# --- positions in the negotiated encoding, and a pure applier of TextEdits ------------------------
def marked(text: str) -> Tuple[str, Tuple[int, int], Tuple[int, int]]:
    """The text without « and », and the (line, code point column) of each."""
    start = text.index("«")
    text = text.replace("«", "", 1)
    end = text.index("»")
    text = text.replace("»", "", 1)

    def where(offset: int) -> Tuple[int, int]:
        before = text[:offset]
        return before.count("\n"), offset - (before.rfind("\n") + 1)

    return text, where(start), where(end)


def _codec(utf8: bool) -> Tuple[str, int]:
    return ("utf-8", 1) if utf8 else ("utf-16-le", 2)


def to_client(text: str, line: int, col: int, utf8: bool) -> types.Position:
    encoding, width = _codec(utf8)
    return types.Position(line, len(text.split("\n")[line][:col].encode(encoding)) // width)


def offset_of(text: str, pos: types.Position, utf8: bool) -> int:
    """The string offset of an LSP position; one inside a character (half a surrogate pair, part of
    a UTF-8 sequence) raises UnicodeDecodeError."""
    lines = text.split("\n")
    if pos.line >= len(lines):
        assert pos.line == len(lines) and pos.character == 0, pos
        return len(text)
    encoding, width = _codec(utf8)
    data = lines[pos.line].encode(encoding)
    assert pos.character * width <= len(data), (pos, lines[pos.line])
    return sum(len(line) + 1 for line in lines[: pos.line]) + len(data[: pos.character * width].decode(encoding))


def apply_text_edits(text: str, edits: List[types.TextEdit], utf8: bool) -> str:
    spans = sorted(
        (offset_of(text, e.range.start, utf8), offset_of(text, e.range.end, utf8), e.new_text) for e in edits
    )
    for (_, end, _), (start, _, _) in zip(spans, spans[1:]):
        assert end <= start, f"overlapping edits: {edits}"
    for start, end, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


def codes(diags) -> list:
    return [d.code for d in diags]


async def quick_fix(client, code: str, newline: str = "\n") -> Tuple[str, Optional[str]]:
    """Open the rule's positive document (its lines ended with `newline`), check its one
    diagnostic, and apply the preferred quick fix at it: (the text, the fixed text or None for a
    rule without a fix)."""
    case = CASES[code]
    text, (line, col), (end_line, end_col) = marked(case.positive)
    text = text.replace("\n", newline)  # the same LSP lines and columns
    uri = open_doc(client, text)
    diags = await diagnostics_of(client, uri, lambda d: bool(d), f"{code}'s finding")
    assert codes(diags) == [code], diags
    [diag] = diags
    rule = RULES[code]
    assert diag.range == types.Range(
        to_client(text, line, col, client.utf8), to_client(text, end_line, end_col, client.utf8)
    ), (diag.range, text.split("\n")[line])
    assert (diag.severity, diag.source) == (SEVERITY[rule.severity], "sheetls")
    assert diag.message and "{" not in diag.message, diag.message  # the message's fields filled in
    if client.profile == "visual_studio_code":  # declares codeDescription support
        assert diag.code_description.href == rule.url

    actions = await code_actions(client, uri, diag.range.start.line, diag.range.start.character, [diag])
    assert actions, f"no code action at {code}"
    show = [a for a in actions if a.command is not None and list(a.command.arguments or ()) == [code]]
    assert [a.title for a in show] == [f"Show the sheet's entry for {code}"], actions
    preferred = [a for a in actions if a.is_preferred]
    if case.fixed is None:
        assert preferred == [] and all(a.edit is None for a in actions), actions
        return text, None
    [fix] = preferred
    assert fix.kind == types.CodeActionKind.QuickFix and fix.title.endswith(f" ({code})"), fix
    assert codes(fix.diagnostics) == [code]
    assert list(fix.edit.changes) == [uri]
    fixed = apply_text_edits(text, fix.edit.changes[uri], client.utf8)
    compile(fixed, f"<{code} fixed>", "exec")
    assert newline == "\n" or "\n" not in fixed.replace(newline, ""), f"mixed line breaks: {fixed!r}"
    for line in (case.fixed,) if isinstance(case.fixed, str) else case.fixed:
        assert line.replace("\n", newline) in fixed, (line, fixed)

    change(client, uri, 2, fixed)
    after = await diagnostics_of(client, uri, lambda d: code not in codes(d), f"{code} gone after its fix")
    assert codes(after) == [], after
    return text, fixed


# --- the tests ------------------------------------------------------------------------------------
def test_every_rule_has_a_case():
    assert sorted(CASES) == sorted(RULES)
    assert sorted(RUNNABLE) == ["SHEET101", "SHEET102", "SHEET103", "SHEET104"]
    for code, case in CASES.items():
        text, start, end = marked(case.positive)
        line = text.split("\n")[start[0]]
        assert start < end and (E in line or W in line), code  # columns differ in each encoding
        assert (case.fixed is None) == (code in ("SHEET204", "SHEET207")), code  # docs/rules.md: no fix


@pytest.mark.parametrize("code", list(RULES))
async def test_positive_fixed_and_negative(lint_client, code):
    assert code in CASES, f"{code} is in the registry with no case in this file"
    await quick_fix(lint_client, code)
    uri = open_doc(lint_client, CASES[code].negative)
    assert codes(await diagnostics_of(lint_client, uri, what=f"{code}'s near miss")) == []


@pytest.mark.slow  # two CPythons per case, each waiting 0.4 s
@pytest.mark.skipif(not hasattr(os, "mkfifo") or not hasattr(os, "posix_spawn"), reason="POSIX programs")
@pytest.mark.parametrize("code", RUNNABLE)
async def test_the_fixed_program_does_the_same_and_the_loop_ticks(lint_client, code):
    text, fixed = await quick_fix(lint_client, code)
    assert fixed is not None
    before_out, before_ticks = run(text)
    after_out, after_ticks = run(fixed)
    assert before_out == after_out == CASES[code].output
    assert before_ticks == 0  # blocked: no await in work(), the ticker never ran during the call
    assert after_ticks >= 10  # 0.4 s at 10 ms a tick, with room for a busy machine


@pytest.mark.parametrize(
    "code",
    [code for code in RULES if code not in CASES or CASES[code].fixed is not None],
)
async def test_a_fix_keeps_the_files_crlf_line_breaks(lint_client, code):
    assert code in CASES, f"{code} is in the registry with no case in this file"
    _, fixed = await quick_fix(lint_client, code, newline="\r\n")
    assert fixed is not None
