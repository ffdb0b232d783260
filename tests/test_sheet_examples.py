"""The sheet is faithful to the original, except for the corrections snippets/README.md lists
(each with its reason); and every example, and every form completion inserts (in a complete
program), runs for real on every CPython from the oldest supported to the newest this machine
has, against local endpoints only, with a timeout, checking output and exit code (issues 2, 14)."""

import re
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

import pythons
from sheetls import forms, snippet_syntax
from sheetls.forms import entry_example
from sheetls.loader import builtin_sheet_path, load_pack
from sheetls.model import parse_version

pytestmark = pytest.mark.slow  # every example run on five CPythons: not in make test-fast

ROOT = Path(__file__).resolve().parents[1]
SHEET = load_pack(builtin_sheet_path()).sheet
BY_PREFIX = {e.prefix: e for e in SHEET.entries}
# The original sheet, as published (a copy kept in the repository: a fresh clone has all it reads).
SEED = Path(__file__).resolve().parent / "data" / "original-sheet.txt"
README = ROOT / "snippets" / "README.md"
FIXED_REQUEST = 'b"GET / HTTP/1.1\\r\\nHost: example.com\\r\\nConnection: close\\r\\n\\r\\n"'


# --- faithful to the original, but for the listed corrections ------------------------------------


def _seed() -> str:
    if not SEED.exists():
        pytest.fail(f"the original sheet is missing: {SEED}")
    return SEED.read_text(encoding="utf-8")


def _cell(text: str) -> str:
    text = text.strip()
    for tick in ("``", "`"):
        if text.startswith(tick) and text.endswith(tick) and len(text) > 2 * len(tick):
            text = text[len(tick) : -len(tick)]
            if tick == "``":
                text = text.strip(" ")
            break
    return text.replace("⏎", "\n")


def corrections() -> List[Tuple[int, str, str, str, str]]:
    """(number, entry title, original, corrected, why) from the table in snippets/README.md."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Corrections to the original sheet", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        m = re.match(r"^\|\s*(\d+)\s*\|(.*)\|\s*$", line)
        if not m:
            continue
        cells = m.group(2).split("|")
        assert len(cells) == 4, f"row {m.group(1)}: expected entry | original | corrected | why: {line}"
        rows.append((int(m.group(1)), cells[0].strip(), _cell(cells[1]), _cell(cells[2]), cells[3].strip()))
    return rows


def _block(entry) -> str:
    """How the original page lays out an entry: title, summary, the badge row (language, the
    version it needs, tags), the code, the note."""
    oldest = parse_version(SHEET.oldest_python)
    added = parse_version(entry.versions.added) if entry.versions.added else None
    badge = "python" + ("ANY" if added is None or added <= oldest else f"{entry.versions.added}+") + "".join(entry.tags)
    return f"{entry.title}\n\n{entry.summary}\n\n{badge}\npython\n{entry.example}\n{entry.note}\n"


def _original_blocks(seed: str) -> Dict[str, str]:
    """Each entry's block of the original, from its title to the next entry or section."""
    titles = [e.title for e in SHEET.entries]
    stops = titles + [s.title for s in SHEET.sections] + ["Recommended next"]
    blocks = {}
    for title in titles:
        start = seed.index(f"\n{title}\n\n") + 1
        end = min(i for i in (seed.find(f"\n{t}\n\n", start + 1) for t in stops) if i > 0)
        blocks[title] = seed[start : end + 1]
    return blocks


def test_the_corrections_table_is_well_formed():
    rows = corrections()
    assert [n for n, *_ in rows] == list(range(1, len(rows) + 1))
    titles = {e.title for e in SHEET.entries}
    for n, title, old, new, why in rows:
        assert title in titles, f"correction {n}: no entry titled {title!r}"
        assert old != new and old and new, f"correction {n} changes nothing"
        assert len(why) > 20, f"correction {n} needs its reason"


def test_sheet_is_faithful_to_the_original_but_for_the_listed_corrections():
    seed = _seed()
    assert SHEET.title in seed and SHEET.summary in seed
    assert [s.title for s in SHEET.sections] == ["Streams", "Subprocesses", "Threads and Blocking Code"]
    for section in SHEET.sections:
        assert f"\n{section.title}\n\n{section.summary}\n" in seed
    assert len(SHEET.entries) == 6
    blocks = _original_blocks(seed)
    for n, title, old, new, _ in corrections():
        count = blocks[title].count(old)
        assert count == 1, f"correction {n}: its original text occurs {count} times in {title!r}"
        blocks[title] = blocks[title].replace(old, new)
    for entry in SHEET.entries:
        assert blocks[entry.title].rstrip("\n") == _block(entry).rstrip("\n"), (
            f"{entry.title}: differs from the original beyond the listed corrections"
        )


def test_request_is_the_fixed_bytes_literal():
    assert FIXED_REQUEST in BY_PREFIX["aioopen"].example


def test_every_example_is_the_program_form_at_defaults():
    for entry in SHEET.entries:
        assert entry_example(entry) == entry.example
        compile(entry.example, entry.prefix, "exec")


# --- every example and inserted form runs on every CPython ----------------------------------------


def _plain(snippet: str, values: Dict[int, str]) -> str:
    return snippet_syntax.to_plain(snippet_syntax.parse(snippet), values)


def form_program(entry, form: str, values: Dict[int, str]) -> str:
    """A complete program around what completion inserts in that place."""
    if form == "program":
        return entry_example(entry, values)
    if form == "body":  # inside an async def: the core lines, with the helpers they call nested
        return _plain(forms.program_snippet(entry.imports, "", forms.body_snippet(entry, {})), values)
    if form == "expression":  # the call alone, as the value of an assignment
        expr = forms.expression_snippet(entry)
        assert expr is not None, entry.prefix
        # what the user's code has before the call (aioexecutor's `loop = ...`)
        name = entry.apis[0].rsplit(".", 1)[-1] + "("
        lines = entry.body.split("\n")
        before = "\n".join(lines[: next(i for i, line in enumerate(lines) if name in line)])
        body = (before + "\n" if before else "") + f"result = {expr}\nprint(result)"
        return _plain(forms.program_snippet(entry.imports, entry.helpers, body), values)
    if form == "method":  # an async method in a class body
        method = forms.method_snippet(entry, 99, {})
        code = (
            "\n".join(f"import {m}" for m in entry.imports)
            + "\n\n\nclass Sheet:\n"
            + forms.indent_lines(method, "    ")
        )
        name = entry.id.replace("-", "_")
        return _plain(code + f"\n\n\nasyncio.run(Sheet().{name}())\n", values)
    raise ValueError(form)


class HttpEndpoint:
    """A local server that answers one HTTP request per connection (what aioopen talks to)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.requests: List[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(1000)
                        if not chunk:
                            break
                        data += chunk
                    self.requests.append(data)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
                except OSError:
                    pass

    def close(self):
        self.sock.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


FORMS = ["program", "body", "expression", "method"]


@pytest.fixture(scope="module")
def http():
    endpoint = HttpEndpoint()
    yield endpoint
    endpoint.close()


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("version", pythons.VERSIONS, ids=pythons.IDS)
def test_open_connection_talks_to_a_local_server(version, form, http):
    code = form_program(BY_PREFIX["aioopen"], form, {1: '"127.0.0.1"', 2: str(http.port)})
    before = len(http.requests)
    result = pythons.run(version, code, timeout=60)
    assert result.returncode == 0, result.stderr
    if form == "expression":
        assert result.stdout.startswith("(<StreamReader"), result.stdout
        return
    assert http.requests[before:] == [b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n"]
    assert result.stdout.startswith("HTTP/1.1 200 OK") and result.stdout.rstrip().endswith("hello")


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("version", pythons.VERSIONS, ids=pythons.IDS)
def test_start_server_echoes_to_a_real_client(version, form):
    port = _free_port()
    code = form_program(BY_PREFIX["aioserver"], form, {3: str(port)})
    if form == "expression":  # the server, started and returned: listening, then the program ends
        code = code.replace("print(result)", "print(result.is_serving())")
        result = pythons.run(version, code, timeout=60)
        assert result.returncode == 0 and result.stdout == "True\n", result.stderr
        return
    proc = subprocess.Popen([pythons.python(version), "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"server never listened: {proc.stderr.read().decode()}") from None
                time.sleep(0.05)
        with conn:
            conn.settimeout(10)
            conn.sendall(b"ping\n")
            reply = b""
            while True:
                chunk = conn.recv(100)
                if not chunk:
                    break  # the handler's finally closed the connection
                reply += chunk
        assert reply == b"echo: ping\n"
        assert proc.poll() is None  # serve_forever keeps serving after a client leaves
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("version", pythons.VERSIONS, ids=pythons.IDS)
def test_subprocess_exec_runs_the_interpreter(version, form, tmp_path):
    # PATH without any `python`: the example must not need one (it runs sys.executable)
    env = {"PATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    code = form_program(BY_PREFIX["aioexec"], form, {})
    result = pythons.run(version, code, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    if form == "expression":
        assert result.stdout.startswith("<Process"), result.stdout
    else:
        assert result.stdout == "hello from child\n"


@pytest.mark.parametrize("version", pythons.VERSIONS, ids=pythons.IDS)
def test_subprocess_exec_reports_a_failing_child(version):
    code = entry_example(BY_PREFIX["aioexec"], {3: "\"import sys; sys.exit('child broke')\""})
    result = pythons.run(version, code, timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "RuntimeError: exit 1: child broke" in result.stderr


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("version", pythons.VERSIONS, ids=pythons.IDS)
def test_shell_example_runs_a_command_list(version, form):
    result = pythons.run(version, form_program(BY_PREFIX["aioshell"], form, {}), timeout=60)
    assert result.returncode == 0, result.stderr
    if form == "expression":
        assert result.stdout.startswith("<Process"), result.stdout
    else:
        assert result.stdout == "one\ntwo\n\n"


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("version", pythons.VERSIONS, ids=pythons.IDS)
@pytest.mark.parametrize("prefix,expected", [("aiothread", "finished\n"), ("aioexecutor", "42\n")])
def test_thread_examples_run(version, form, prefix, expected):
    result = pythons.run(version, form_program(BY_PREFIX[prefix], form, {2: "0.1"}), timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected
