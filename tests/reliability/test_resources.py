"""Resource bounds (issue 8): memory stays flat over 100,000 requests and 10,000 open/close
cycles, and the server's per-document and per-request tables do not grow.

Memory is the server's RSS from /proc/<pid>/status, sampled after a warm-up (imports, the
sheet index and first-use caches are in place by then). The bound on growth (20 MB) is about
leaks, not speed: pygls leaked one Future per notification before sheetls.protocol fixed it
(+15.7 MB over 3,000 open/edit/close cycles). There is no timing assertion; the sizes are
chosen so the whole file runs in about two minutes on a 2-core machine.
"""

from __future__ import annotations

import itertools
from typing import Callable, Iterator, List, Tuple

from rawlsp import RawServer

GROWTH_BOUND_KB = 20 * 1024
REQUESTS = 100_000
CYCLES = 10_000
WINDOW = 400

SOURCE = """import asyncio
import concurrent.futures


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    data = await reader.read(100)
    writer.write(data)
    await writer.drain()


async def main():
    reader, writer = await asyncio.open_connection("127.0.0.1", 8888)
    server = await asyncio.start_server(handle, "127.0.0.1", 8888)
    proc = await asyncio.create_subprocess_exec("ls", stdout=asyncio.subprocess.PIPE)
    result = await asyncio.to_thread(sum, [1, 2])
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, print, "x")
    aio
"""
LINES = SOURCE.split("\n")


def pos(uri: str, needle: str, offset: int = 0) -> dict:
    line = next(i for i, text in enumerate(LINES) if needle in text)
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": LINES[line].index(needle) + offset}}


def stats(srv: RawServer) -> dict:
    answer = srv.call("workspace/executeCommand", {"command": "sheetls.debugStats", "arguments": []})
    return answer["result"]


def pump(srv: RawServer, requests: Iterator[Tuple[str, dict, Callable[[dict], None]]], count: int) -> None:
    """Send `count` requests with at most WINDOW unanswered; check each answer as it comes."""
    pending = {}

    def take_one():
        answer = srv.response()
        check = pending.pop(answer["id"])
        check(answer)

    for method, params, check in itertools.islice(requests, count):
        pending[srv.request(method, params)] = check
        if len(pending) >= WINDOW:
            while len(pending) > WINDOW // 2:
                take_one()
    while pending:
        take_one()


def _ok(answer: dict) -> None:
    assert "error" not in answer, answer


def mixed_requests(srv: RawServer, uri: str) -> Iterator[Tuple[str, dict, Callable[[dict], None]]]:
    def hover_title(answer):
        assert answer["result"]["contents"]["value"].startswith("### Open a TCP connection"), answer

    def six_items(answer):
        assert len(answer["result"]["items"]) == 6, answer

    def null(answer):
        assert "error" not in answer and answer["result"] is None, answer

    def not_found(answer):
        assert answer["error"]["code"] == -32601, answer

    def sheet(answer):
        assert "Open a TCP connection" in answer["result"], str(answer)[:300]

    item = srv.call("textDocument/completion", pos(uri, "aio", 3))["result"]["items"][0]
    forms = [
        ("textDocument/hover", pos(uri, "open_connection", 3), hover_title),
        ("textDocument/completion", pos(uri, "aio", 3), six_items),
        ("textDocument/hover", pos(uri, "StreamReader", 2), _ok),
        ("textDocument/hover", pos(uri, "data = ", 1), null),
        ("completionItem/resolve", item, _ok),
        ("textDocument/completion", pos(uri, "data = ", 4), _ok),
        ("textDocument/hover", pos(uri, "run_in_executor", 2), _ok),
        ("textDocument/hover", pos(uri, "to_thread", 2), _ok),
    ]
    version = itertools.count(2)
    for i in itertools.count():
        if i % 1000 == 999:
            yield (
                "workspace/executeCommand",
                {"command": "sheetls.renderSheet", "arguments": [{"view": "compact"}]},
                sheet,
            )
        elif i % 500 == 250:
            yield "sheetls/noSuchMethod", {"i": i}, not_found
        else:
            yield forms[i % len(forms)]
        if i % 50 == 0:  # type a character at the end of the file and take it away again
            end = {"line": len(LINES) - 1, "character": 0}
            for text, rng in (
                ("#", {"start": end, "end": end}),
                ("", {"start": end, "end": {"line": end["line"], "character": 1}}),
            ):
                srv.notify(
                    "textDocument/didChange",
                    {
                        "textDocument": {"uri": uri, "version": next(version)},
                        "contentChanges": [{"range": rng, "text": text}],
                    },
                )
        if i % 97 == 0:
            srv.notify("$/cancelRequest", {"id": i})


def test_memory_is_flat_over_100000_requests():
    with RawServer(env={"SHEETLS_DEBUG": "1"}) as srv:
        srv.initialize()
        uri = "file:///tmp/reliability/resources.py"
        srv.open(uri, SOURCE)
        requests = mixed_requests(srv, uri)
        pump(srv, requests, 5_000)  # warm-up
        baseline = srv.rss_kb()
        samples: List[int] = []
        for _ in range(10):
            pump(srv, requests, REQUESTS // 10)
            samples.append(srv.rss_kb())
        print(f"\nRSS after warm-up {baseline} kB; every {REQUESTS // 10:,} requests: {samples}")
        assert max(samples) - baseline < GROWTH_BOUND_KB, (baseline, samples)
        left = stats(srv)
        assert left["documents"] == 1 and left["facts"] <= 1 and left["result_types"] == 0, left
        assert left["request_futures"] <= 1, left  # only the debugStats request itself
        assert srv.shutdown_and_exit() == 0


def test_memory_is_flat_over_10000_open_close_cycles():
    with RawServer(env={"SHEETLS_DEBUG": "1"}) as srv:
        srv.initialize()

        def cycles(count: int, start: int) -> None:
            pending = 0
            for n in range(start, start + count):
                uri = f"file:///tmp/reliability/cycle-{n}.py"
                srv.open(uri, SOURCE + f"# file {n}\n" + "x = 1\n" * (n % 50))
                srv.notify(
                    "textDocument/didChange",
                    {
                        "textDocument": {"uri": uri, "version": 2},
                        "contentChanges": [
                            {
                                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                                "text": "# é😀\n",
                            }
                        ],
                    },
                )
                srv.request(
                    "textDocument/completion",
                    {"textDocument": {"uri": uri}, "position": {"line": len(LINES), "character": 7}},
                )
                srv.request(
                    "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 12, "character": 40}}
                )
                srv.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
                pending += 2
                if pending >= WINDOW:
                    while pending > WINDOW // 2:
                        _ok(srv.response())
                        pending -= 1
            while pending:
                _ok(srv.response())
                pending -= 1

        cycles(500, 0)  # warm-up
        baseline = srv.rss_kb()
        samples: List[int] = []
        for k in range(10):
            cycles(CYCLES // 10, 500 + k * CYCLES // 10)
            samples.append(srv.rss_kb())
        print(f"\nRSS after warm-up {baseline} kB; every {CYCLES // 10:,} open/close cycles: {samples}")
        assert max(samples) - baseline < GROWTH_BOUND_KB, (baseline, samples)
        left = stats(srv)
        # frozen: nothing is left out of the collector once every checked document has closed
        assert left == {"documents": 0, "facts": 0, "request_futures": 1, "result_types": 0, "frozen": 0}, left
        assert srv.shutdown_and_exit() == 0
