"""Generated workloads for the benchmark: realistic async Python files and a
large snippet pack.

``python_file(n)`` returns a ``GeneratedFile`` of exactly ``n`` lines that uses
every import spelling of the hover issue (``import asyncio``, ``import asyncio
as aio``, ``from asyncio import open_connection``, ``from asyncio import
subprocess as asp``, ``loop = asyncio.get_running_loop()`` then
``loop.run_in_executor``), with the places the benchmark probes:

- ``hovers``: positions on a sheet API (in UTF-16 code units, the LSP
  default), with the API name and the sheet entry title a correct hover shows;
- ``typing``: the end of a line holding the half-typed word ``aio`` inside an
  async function (completion there must list ``aioopen`` and the others);
- ``scratch``: the end of a comment line where the edit loop types and deletes
  characters; edits never add or remove lines, so every probe stays valid.
"""

from __future__ import annotations

import dataclasses
import random

from entries import ENTRIES, TITLE_BY_API, TRIGGERS  # noqa: F401


@dataclasses.dataclass
class Probe:
    line: int
    character: int  # UTF-16 code units
    api: str = ""
    title: str = ""


@dataclasses.dataclass
class GeneratedFile:
    text: str
    lines: int
    hovers: list[Probe]
    typing: Probe
    scratch: Probe


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


HEADER = '''\
"""Network and subprocess helpers for the deployment agent (generated for benchmarks).

Ünïcode in docs happens: résumé, naïve, 東京, 🙂.
"""
import asyncio
import asyncio as aio
import logging
import time
from asyncio import open_connection
from asyncio import subprocess as asp

log = logging.getLogger(__name__)
'''

# Templates: {i} is a unique suffix. A "@api@" marker before a name records a
# hover probe on that name (the marker is removed from the text).
TEMPLATES = [
    '''
async def fetch_status_{i}(host: str, port: int = 80) -> bytes:
    """Fetch a status line from {{host}}."""
    reader, writer = await asyncio.@open_connection@(host, port)
    try:
        writer.write(b"GET /status HTTP/1.1\\r\\nHost: " + host.encode() + b"\\r\\n\\r\\n")
        await writer.drain()
        line = await reader.readline()
        log.debug("status %s: %r", host, line)
        return line
    finally:
        writer.close()
        await writer.wait_closed()
''',
    """
async def handle_client_{i}(reader, writer):
    data = await reader.readline()
    writer.write(b"echo {i}: " + data)
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def serve_{i}(port: int = 9000):
    server = await aio.@start_server@(handle_client_{i}, "127.0.0.1", port)
    async with server:
        await server.serve_forever()
""",
    """
async def run_tool_{i}(*args: str) -> tuple[int, str]:
    proc = await asyncio.@create_subprocess_exec@(
        "python",
        "-c",
        "print('worker {i}')",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await proc.communicate()
    if proc.returncode:
        log.warning("tool {i} failed: %s", stderr.decode(errors="replace"))
    return proc.returncode, stdout.decode().strip()
""",
    """
async def pipeline_{i}() -> str:
    # résumé of the pipeline — naïve but fine 🙂
    proc = await asyncio.@create_subprocess_shell@(
        "echo one && echo two | sort",
        stdout=asp.PIPE,
    )
    stdout, _ = await proc.communicate()
    return stdout.decode()
""",
    """
def blocking_read_{i}(path: str) -> str:
    time.sleep(0.01)
    with open(path, encoding="utf-8") as fh:
        return fh.read()


async def read_config_{i}(path: str) -> str:
    text = await asyncio.@to_thread@(blocking_read_{i}, path)
    return text.strip()
""",
    """
def checksum_{i}(payload: bytes) -> int:
    total = 0
    for byte in payload:
        total = (total * 31 + byte) % 1_000_003
    return total


async def checksum_async_{i}(payload: bytes) -> int:
    loop = asyncio.get_running_loop()
    result = await loop.@run_in_executor@(None, checksum_{i}, payload)
    return result
""",
    """
async def probe_{i}(host: str, port: int) -> bool:
    try:
        reader, writer = await @open_connection@(host, port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True
""",
    '''
class Worker{i}:
    """A worker that retries with backoff."""

    def __init__(self, name: str, retries: int = 3) -> None:
        self.name = name
        self.retries = retries
        self.history: list[float] = []

    async def run(self) -> None:
        for attempt in range(self.retries):
            started = time.monotonic()
            await aio.sleep(0.01 * attempt)
            self.history.append(time.monotonic() - started)

    def __repr__(self) -> str:
        return f"Worker{i}({{self.name!r}}, retries={{self.retries}})"
''',
]

EDITOR = """
async def work_in_progress():
    # scratch: the benchmark types here@scratch@
    loop = asyncio.get_running_loop()
    aio@typing@
    return loop
"""

FOOTER = """

async def main() -> None:
    await asyncio.gather(fetch_status_0("example.com"), run_tool_2())


if __name__ == "__main__":
    asyncio.run(main())
"""


def _place(block: str, start_line: int, hovers: list[Probe], marks: dict) -> list[str]:
    out = []
    for k, raw in enumerate(block.split("\n")):
        line = raw
        while "@" in line:
            a = line.index("@")
            b = line.index("@", a + 1)
            name = line[a + 1 : b]
            line = line[:a] + line[b + 1 :]
            col = utf16_len(line[:a])
            if name in ("scratch", "typing"):
                marks[name] = Probe(start_line + k, col)
            else:
                line = line[:a] + name + line[a:]
                hovers.append(Probe(start_line + k, col + 1, name, TITLE_BY_API[name]))
        out.append(line)
    return out


def python_file(n_lines: int) -> GeneratedFile:
    """A realistic async Python module of exactly ``n_lines`` lines."""
    lines: list[str] = []
    hovers: list[Probe] = []
    marks: dict[str, Probe] = {}

    def add(block: str) -> None:
        lines.extend(_place(block.rstrip("\n"), len(lines), hovers, marks))

    add(HEADER)
    footer = FOOTER.strip("\n").split("\n")
    editor_at = int(n_lines * 0.75)
    i = 0
    while True:
        if "typing" not in marks and len(lines) >= min(editor_at, n_lines - 40):
            add(EDITOR)
            continue
        block = TEMPLATES[i % len(TEMPLATES)].format(i=i).rstrip("\n")
        need = block.count("\n") + 1
        if len(lines) + need + len(footer) + 2 + (0 if "typing" in marks else 8) > n_lines:
            break
        add(block)
        i += 1
    if "typing" not in marks:
        add(EDITOR)
    lines.append("")
    while len(lines) + len(footer) < n_lines:
        lines.append("")
    lines.extend(footer)
    assert len(lines) == n_lines, (len(lines), n_lines)
    text = "\n".join(lines) + "\n"
    return GeneratedFile(text, n_lines, hovers, marks["typing"], marks["scratch"])


def spread_hovers(f: GeneratedFile, per_api: int = 3) -> list[Probe]:
    """Hover probes for every API, spread over the file (first, middle, last)."""
    chosen: list[Probe] = []
    for _, api, _ in ENTRIES:
        mine = [h for h in f.hovers if h.api == api]
        if not mine:
            continue
        idx = sorted({round(k * (len(mine) - 1) / max(per_api - 1, 1)) for k in range(per_api)})
        chosen.extend(mine[j] for j in idx)
    chosen.sort(key=lambda p: p.line)
    return chosen


# ---------------------------------------------------------------- the pack
PACK_WORDS = [
    "alpha",
    "bravo",
    "cargo",
    "delta",
    "ember",
    "fjord",
    "gamma",
    "harbor",
    "ivory",
    "jolt",
    "kayak",
    "lumen",
    "mango",
    "nexus",
    "orbit",
    "pixel",
    "quartz",
    "raven",
    "sigma",
    "tundra",
    "umbra",
    "vortex",
    "willow",
    "xenon",
    "yonder",
    "zephyr",
]


def pack_entries(n: int, seed: int = 9) -> list[dict]:
    """``n`` synthetic entries (snippet-source schema, snippets/README.md) with
    unique prefixes ``pk<word><number>``.

    Prefixes share beginnings the way real packs do (``pkalpha``, ``pkalpha1``...),
    so a typed ``pkalpha12`` matches a handful and ``pk`` matches all.
    """
    rng = random.Random(seed)
    out = []
    for k in range(n):
        word = PACK_WORDS[k % len(PACK_WORDS)]
        out.append(
            {
                "id": f"pack-{word}-{k}",
                "title": f"Pack entry {k}: {word} helper",
                "summary": f"Synthetic entry {k} for the pack benchmark ({rng.randrange(10**6)}).",
                "tags": ["bench", word],
                "prefix": f"pk{word}{k}",
                "imports": ["asyncio"],
                "body": f'result = await asyncio.sleep(${{1:0}}, ${{2:"{word} {k}"}})\nprint(result)$0\n',
                "note": f"Entry {k} exists to make the pack large.",
            }
        )
    return out


def pack_document(n: int, per_section: int = 1000) -> dict:
    """A pack of ``n`` entries in sections of ``per_section``."""
    entries = pack_entries(n)
    sections = []
    for s in range(0, n, per_section):
        sections.append(
            {
                "id": f"bench-section-{s // per_section}",
                "title": f"Benchmark section {s // per_section}",
                "summary": "Generated entries.",
                "entries": entries[s : s + per_section],
            }
        )
    return {
        "schema": 1,
        "id": f"bench-pack-{n}",
        "title": f"Benchmark pack of {n} entries",
        "summary": "Generated by benchmarks/generate.py.",
        "language": "python",
        "sections": sections,
    }


def pack_probes(n: int, count: int = 50, seed: int = 5) -> list[tuple[str, str]]:
    """(typed prefix, a prefix of ``pack_entries(n)`` the completion must list),
    for benchmarking completion against the pack."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        k = rng.randrange(n)
        word = PACK_WORDS[k % len(PACK_WORDS)]
        trigger = f"pk{word}{k}"
        out.append((trigger[: max(len(f"pk{word}") + 1, len(trigger) - 1)], trigger))
    return out


if __name__ == "__main__":  # pragma: no cover - manual look
    import sys

    f = python_file(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
    sys.stdout.write(f.text)
    print(f"# hovers={len(f.hovers)} typing={f.typing} scratch={f.scratch}", file=sys.stderr)
