"""sheetls diagnostics latency (issue 16): how long after a keystroke the diagnostics of that
version reach the editor, over the real protocol.

Files: real asyncio code, the standard library's own. The top-level functions and classes of
the running interpreter's `asyncio` package and of `test/test_asyncio/test_s*.py` (streams,
subprocess, server, sockets, SSL...), shuffled with a fixed seed, are put one after the other
under their absolute imports until the file has 1,000 (or 10,000) lines, then padded with
comment lines to exactly that size.

For each size, a fresh `python -m sheetls` (stdio, the `diagnostics` option on) opens the file;
then, after 3 warm-up keystrokes, each keystroke is an incremental `didChange` that types an `x`
after the name an assignment inside a function binds (`reader = ...` -> `readerx = ...`; the next
keystroke deletes it again), and the latency is the time from that change to the
`publishDiagnostics` carrying its version. The server publishes a moment after the last edit
(lint_runtime.DELAY, the debounce): the table gives the latency as measured and with the debounce
taken off (what the check and the protocol add). Also: open -> first diagnostics (the first full
check), the server's CPU time per keystroke, and, in this process, the pure function
`sheetls.diagnostics.check` on the same text (one-shot) and the per-document incremental checker
on the same keystrokes (where the server has one).

    python benchmarks/diagnostics_bench.py                      # make bench
    python benchmarks/diagnostics_bench.py --quick              # 1,000 lines, 20 keystrokes
    python benchmarks/diagnostics_bench.py --sizes 10000 --keystrokes 100

No timing is asserted anywhere; every keystroke's diagnostics must arrive (for its version) or
the run fails.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import datetime
import json
import os
import random
import shutil
import statistics
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "server"))

from bench import (  # noqa: E402
    capabilities,
    compile_bytecode,
    cpu_ms,
    git_state,
    machine,
    put_section,
    summarize,
    versions,
)
from bench import fmt_ms as fmt  # noqa: E402
from lsp_client import LspClient  # noqa: E402

SEED = 16
SECTION = "## Diagnostics latency"
START = "<!-- diagnostics-bench:start (benchmarks/diagnostics_bench.py writes this section) -->"
END = "<!-- diagnostics-bench:end -->"
ORIGIN = {"line": 0, "character": 0}


# ------------------------------------------------------------------ the files
def _stdlib_units() -> Tuple[List[str], List[List[str]]]:
    """(the absolute top-level imports, each top-level function or class as its lines) of the
    interpreter's asyncio package and test_asyncio's test_s*.py files."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted((stdlib / "asyncio").glob("*.py")) + sorted((stdlib / "test" / "test_asyncio").glob("test_s*.py"))
    header: List[str] = []
    seen = set()
    units: List[List[str]] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.parse(text).body:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
            seg = lines[first : node.end_lineno]
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                joined = "\n".join(seg)
                if getattr(node, "level", 0) == 0 and joined not in seen:
                    seen.add(joined)
                    header.extend(seg)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                units.append(seg)
    return header, units


def asyncio_file(n: int) -> str:
    """A real-code Python file of exactly `n` lines (see the module docstring)."""
    header, units = _stdlib_units()
    random.Random(SEED).shuffle(units)
    out = ['"""Real asyncio code for the diagnostics benchmark: the standard library\'s own."""', ""] + header
    for seg in units:
        if len(seg) > n // 4 or len(out) + 2 + len(seg) > n:
            continue
        out += ["", ""] + seg
    while len(out) < n:
        out.append("# padding")
    return "\n".join(out) + "\n"


def keystroke_sites(text: str, count: int) -> List[Tuple[int, int]]:
    """(line, column) just after the name a one-line assignment inside a function binds,
    on ASCII lines (UTF-16 columns are code points there); a seeded sample."""
    lines = text.split("\n")
    sites = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                    and stmt.lineno == stmt.end_lineno
                    and lines[stmt.lineno - 1].isascii()
                ):
                    t = stmt.targets[0]
                    sites.append((t.lineno - 1, t.end_col_offset))
    sites.sort()
    rng = random.Random(SEED)
    return rng.sample(sites, min(count, len(sites)))


def keystrokes(text: str, n: int) -> List[Tuple[int, int, str, str]]:
    """n keystrokes (line, col, inserted text, removed text): an `x` typed at a site, then
    deleted again, the next site, ..."""
    sites = keystroke_sites(text, (n + 1) // 2)
    out = []
    for k in range(n):
        line, col = sites[(k // 2) % len(sites)]
        out.append((line, col, "x", "") if k % 2 == 0 else (line, col, "", "x"))
    return out


def apply_keystroke(lines: List[str], ks: Tuple[int, int, str, str]) -> None:
    line, col, ins, rem = ks
    t = lines[line]
    lines[line] = t[:col] + ins + t[col + len(rem) :]


# ------------------------------------------------------------------ the server
class DiagClient(LspClient):
    """The benchmark client, keeping each publishDiagnostics with the time it was read."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.published: Dict[Tuple[str, Optional[int]], Tuple[int, Any]] = {}
        self.waiters: Dict[Tuple[str, Optional[int]], asyncio.Future] = {}

    def _dispatch(self, msg: dict, now_ns: int) -> None:
        if msg.get("method") == "textDocument/publishDiagnostics":
            p = msg.get("params") or {}
            key = (p.get("uri"), p.get("version"))
            self.published[key] = (now_ns, p)
            fut = self.waiters.pop(key, None)
            if fut is not None and not fut.done():
                fut.set_result((now_ns, p))
        super()._dispatch(msg, now_ns)

    async def diagnostics(self, uri: str, version: int, timeout: float) -> Tuple[int, Any]:
        key = (uri, version)
        if key in self.published:
            return self.published[key]
        fut = self.waiters[key] = asyncio.get_running_loop().create_future()
        return await asyncio.wait_for(fut, timeout)


async def _start(n: int, opts, pull: bool) -> DiagClient:
    workdir = opts.workdir
    caps = capabilities()
    if pull:  # a client that pulls: the server answers textDocument/diagnostic and pushes nothing
        caps["textDocument"]["diagnostic"] = {"dynamicRegistration": False, "relatedDocumentSupport": False}
    client = DiagClient(
        [sys.executable, "-m", "sheetls"],
        cpu=opts.cpu,
        cwd=str(workdir),
        stderr_path=str(workdir / f"sheetls.{n}.{'pull' if pull else 'push'}.stderr.log"),
    )
    await client.start()
    await client.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": workdir.as_uri(),
            "workspaceFolders": [{"uri": workdir.as_uri(), "name": "ws"}],
            "capabilities": caps,
            "initializationOptions": {"diagnostics": True, "pythonVersion": "3.11"},
            "clientInfo": {"name": "sheetls-diagnostics-bench"},
        },
        timeout=opts.timeout,
    )
    client.notify("initialized", {})
    return client


def _change(uri: str, version: int, ks: Tuple[int, int, str, str]) -> dict:
    line, col, ins, rem = ks
    return {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [
            {
                "range": {
                    "start": {"line": line, "character": col},
                    "end": {"line": line, "character": col + len(rem)},
                },
                "text": ins,
            }
        ],
    }


async def _keystrokes(client: DiagClient, uri: str, strokes, opts, answered) -> dict:
    """Each keystroke's didChange, then `answered(k, version)` (awaited: when the diagnostics of
    that version arrived, in perf_counter_ns); the latencies after the warm-up ones, and the
    server's CPU time per keystroke over them."""
    samples: List[int] = []
    cpu0 = None
    for k, ks in enumerate(strokes):
        if k == opts.warmup:
            cpu0 = cpu_ms(client.pid)
        t0 = time.perf_counter_ns()
        client.notify("textDocument/didChange", _change(uri, k + 2, ks))
        t1 = await answered(k, k + 2)
        if k >= opts.warmup:
            samples.append(t1 - t0)
    cpu1 = cpu_ms(client.pid)
    cpu = (cpu1 - cpu0) / len(samples) if cpu0 is not None and cpu1 is not None and samples else None
    return {"keystroke": summarize(samples), "cpu": cpu}


def _log_keystrokes(log, n: int, how: str, out: dict) -> None:
    s = out["keystroke"]
    log(
        f"  {n} lines: keystroke -> {how} diagnostics p50 {s['p50']:.2f} / p99 {s['p99']:.2f} ms "
        f"(n={s['n']}, server CPU {out['cpu'] or float('nan'):.2f} ms per keystroke)"
    )


async def run_size(n: int, opts, log) -> dict:
    """Pushed diagnostics: open (and a hover sent with it), then the keystrokes."""
    text = asyncio_file(n)
    strokes = keystrokes(text, opts.warmup + opts.keystrokes)
    path = opts.workdir / f"asyncio_{n}.py"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client = await _start(n, opts, pull=False)
    out: Dict[str, Any] = {"lines": text.count("\n")}
    try:
        # the first answer loads the sheet; not what is timed here
        await client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": ORIGIN})
        all_lines = text.split("\n")
        hover_at = next(i for i, t in enumerate(all_lines) if "asyncio." in t and not t.startswith(("import", "from")))
        col = all_lines[hover_at].index("asyncio.") + 2
        t0 = time.perf_counter_ns()
        client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
        )
        # a hover sent 50 ms after the open waits for the first check where it runs on the event loop
        await asyncio.sleep(0.05)
        _, hover_ns = await client.request_timed(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": hover_at, "character": col}},
            timeout=opts.timeout,
        )
        t1, first = await client.diagnostics(uri, 1, opts.timeout)
        out["open"] = (t1 - t0) / 1e6
        out["hover_at_open"] = hover_ns / 1e6
        out["found"] = len(first.get("diagnostics", []))
        log(
            f"  {n} lines: open -> first diagnostics {out['open']:.1f} ms, {out['found']} diagnostics; "
            f"a hover sent 50 ms after the open: {out['hover_at_open']:.1f} ms"
        )

        async def published(k: int, version: int) -> int:
            return (await client.diagnostics(uri, version, opts.timeout))[0]

        out.update(await _keystrokes(client, uri, strokes, opts, published))
        _log_keystrokes(log, n, "published", out)
    finally:
        await client.stop()
    return out


async def run_pull(n: int, opts, log) -> dict:
    """Pulled diagnostics: each keystroke's didChange followed at once by textDocument/diagnostic,
    timed from the change to the answer (no debounce: the client decides when to ask)."""
    text = asyncio_file(n)
    strokes = keystrokes(text, opts.warmup + opts.keystrokes)
    uri = (opts.workdir / f"asyncio_{n}.py").as_uri()
    client = await _start(n, opts, pull=True)
    out: Dict[str, Any] = {}
    try:
        await client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": ORIGIN})
        client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
        )
        params = {"textDocument": {"uri": uri}}
        first, first_ns = await client.request_timed("textDocument/diagnostic", params, timeout=opts.timeout)
        if not isinstance(first, dict) or first.get("kind") != "full":
            raise RuntimeError(f"no full diagnostic report: {first!r:.200}")
        out["first"] = first_ns / 1e6

        async def pulled(k: int, version: int) -> int:
            report = await client.request("textDocument/diagnostic", params, timeout=opts.timeout)
            if not isinstance(report, dict) or report.get("kind") != "full":
                raise RuntimeError(f"no full diagnostic report after keystroke {k}: {report!r:.200}")
            return time.perf_counter_ns()

        out.update(await _keystrokes(client, uri, strokes, opts, pulled))
        _log_keystrokes(log, n, "pulled", out)
    finally:
        await client.stop()
    return out


# ------------------------------------------------------------------ in process
def _median_round(rounds: List[dict]) -> dict:
    """The pulled measurement over rounds (each a fresh server): the median of each round's
    p50, p99 and maximum (one stall of a shared machine moves the slowest of 100 keystrokes),
    with every round kept."""
    out = dict(rounds[0])
    if len(rounds) > 1:
        out["keystroke"] = {
            key: statistics.median(r["keystroke"][key] for r in rounds)
            for key in ("n", "p50", "p90", "p99", "max")
            if all(key in r["keystroke"] for r in rounds)
        }
        cpus = [r["cpu"] for r in rounds if r.get("cpu") is not None]
        out["cpu"] = statistics.median(cpus) if cpus else None
        out["first"] = statistics.median(r["first"] for r in rounds)
    out["rounds"] = rounds
    return out


def in_process(n: int, opts, log) -> dict:
    from sheetls.diagnostics import check

    text = asyncio_file(n)
    out: Dict[str, Any] = {}
    times = []
    for _ in range(opts.repeats):
        t0 = time.perf_counter_ns()
        found = check(text, None, (3, 11))
        times.append(time.perf_counter_ns() - t0)
    out["check"] = statistics.median(times) / 1e6
    out["check_found"] = len(found)
    log(f"  {n} lines: check() one-shot {out['check']:.1f} ms (median of {opts.repeats}), {len(found)} findings")
    try:
        from sheetls.diagnostics.check import document_lint
    except ImportError:
        return out
    doc = document_lint()
    lines = text.split("\n")
    t0 = time.perf_counter_ns()
    doc.findings(lines, None, (3, 11))
    out["incremental_first"] = (time.perf_counter_ns() - t0) / 1e6
    samples, cpu = [], []
    for k, ks in enumerate(keystrokes(text, opts.warmup + opts.keystrokes)):
        lines = list(lines)
        apply_keystroke(lines, ks)
        t0, c0 = time.perf_counter_ns(), time.process_time_ns()
        doc.findings(lines, None, (3, 11))
        if k >= opts.warmup:
            samples.append(time.perf_counter_ns() - t0)
            cpu.append(time.process_time_ns() - c0)
    out["incremental"] = summarize(samples)
    out["incremental_cpu"] = summarize(cpu)  # steadier than wall time on a shared machine
    log(
        f"  {n} lines: incremental first check {out['incremental_first']:.1f} ms, per keystroke "
        f"p50 {out['incremental']['p50']:.2f} / p99 {out['incremental']['p99']:.2f} ms "
        f"(CPU {out['incremental_cpu']['p50']:.2f} / {out['incremental_cpu']['p99']:.2f})"
    )
    return out


# ------------------------------------------------------------------ report
def report(data: dict) -> str:
    o = data["options"]
    delay = data["debounce_ms"]
    lines = [
        SECTION,
        "",
        f"`python benchmarks/diagnostics_bench.py {' '.join(data['argv'])}` at commit {data['commit']}; "
        f"measured {data['date']} on {data['machine']}; "
        f"{'server pinned to CPU 1, client to CPU 0' if o['pin'] else 'no CPU pinning'}; 1-minute load average "
        f"{data['loadavg'][0]:g} at the start, {data['loadavg'][1]:g} at the end. Real asyncio code (the "
        f"standard library's, see benchmarks/README.md); {o['keystrokes']} keystrokes per size after "
        f"{o['warmup']} warm-up ones, each an `x` typed after (then deleted from) the name an assignment "
        f"inside a function binds. "
        f"Pulled: `didChange` then `textDocument/diagnostic` at once, timed from the change to the answer "
        f"(the median over {o.get('rounds', 1)} rounds, each a fresh server, of each round's p50, p99 and "
        f"slowest keystroke; percentiles by nearest rank: the p99 of 100 keystrokes is the 99th slowest). "
        f"Published: from the change to the `publishDiagnostics` of its version; the server publishes "
        f"{delay:g} ms after the last edit (the debounce), taken off in the next column. Times in ms.",
        "",
        "| lines | keystroke -> pulled diagnostics p50 / p99 | keystroke -> published diagnostics p50 / p99 "
        "| the same without the debounce | server CPU per keystroke (pull / push) | open -> first diagnostics "
        "| a hover sent 50 ms after the open | `check()` one-shot (in process) | incremental per keystroke p50 / p99 "
        "(in process) | diagnostics |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, r in data["sizes"].items():
        if "error" in r:
            lines.append(f"| {int(n):,} | failed: {r['error']} | | | | | | | | |")
            continue
        k, pull = r["keystroke"], r["pull"]
        pk = pull["keystroke"]
        p99s = sorted(x["keystroke"]["p99"] for x in pull.get("rounds", [pull]))
        spread = f" ({len(p99s)} rounds, p99 {fmt(p99s[0])}-{fmt(p99s[-1])}" if len(p99s) > 1 else " ("
        spread += f"; slowest keystroke {fmt(pk['max'])})" if "max" in pk else ")"
        spread = "" if spread == " ()" else spread
        p = r.get("in_process", {})
        inc, inc_cpu = p.get("incremental"), p.get("incremental_cpu")
        lines.append(
            f"| {int(n):,} | {fmt(pk['p50'])} / {fmt(pk['p99'])}{spread} | {fmt(k['p50'])} / {fmt(k['p99'])} | "
            f"{fmt(k['p50'] - delay)} / {fmt(k['p99'] - delay)} | {fmt(pull['cpu'])} / {fmt(r['cpu'])} | "
            f"{fmt(r['open'])} | {fmt(r['hover_at_open'])} | {fmt(p.get('check'))} | "
            f"{(fmt(inc['p50']) + ' / ' + fmt(inc['p99'])) if inc else 'n/a'}"
            f"{(' (CPU ' + fmt(inc_cpu['p50']) + ' / ' + fmt(inc_cpu['p99']) + ')') if inc_cpu else ''} | "
            f"{r['found']} |"
        )
    return "\n".join(lines) + "\n"


class Opts:
    pass


async def main_async(args) -> int:
    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    from sheetls.lsp.lint_runtime import DELAY

    opts = Opts()
    opts.cpu = 1 if args.pin else None
    opts.timeout = args.timeout
    opts.keystrokes = args.keystrokes
    opts.warmup = 3
    opts.repeats = args.repeats
    opts.rounds = args.rounds
    opts.workdir = Path(tempfile.mkdtemp(prefix="sheetls-diagbench-"))
    if args.pin:
        os.sched_setaffinity(0, {0})
    compiled = compile_bytecode()
    if compiled:
        log(f"bytecode: {compiled}")
    load0 = os.getloadavg()[0]
    sizes: Dict[str, Any] = {}
    for n in args.sizes:
        try:
            r = await run_size(n, opts, log)
            rounds = [await run_pull(n, opts, log) for _ in range(opts.rounds)]
            r["pull"] = _median_round(rounds)
            if not args.no_in_process:
                r["in_process"] = in_process(n, opts, log)
            sizes[str(n)] = r
        except Exception as e:  # report and go on
            sizes[str(n)] = {"error": f"{type(e).__name__}: {e}"}
            log(f"  {n} lines FAILED: {sizes[str(n)]['error']}")
    data = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "commit": git_state(),
        "versions": versions(["sheetls"]),
        "argv": sys.argv[1:],
        "loadavg": [round(load0, 2), round(os.getloadavg()[0], 2)],
        "debounce_ms": DELAY * 1000,
        "options": {
            "pin": args.pin,
            "keystrokes": args.keystrokes,
            "warmup": opts.warmup,
            "quick": args.quick,
            "rounds": opts.rounds,
        },
        "sizes": sizes,
    }
    text = report(data)
    print(text)
    if args.out:
        put_section(Path(args.out), f"{START}\n{text.rstrip()}\n{END}", START, END)
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    shutil.rmtree(opts.workdir, ignore_errors=True)
    return 1 if any("error" in r for r in sizes.values()) else 0


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1,000 lines, 20 keystrokes")
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None)
    ap.add_argument("--keystrokes", type=int, default=None, help="timed keystrokes per size (default 100)")
    ap.add_argument("--repeats", type=int, default=None, help="one-shot check() runs per size (median)")
    ap.add_argument("--rounds", type=int, default=None, help="pulled-diagnostics rounds, fresh servers (default 3)")
    ap.add_argument("--no-in-process", action="store_true", help="only the server over stdio")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--pin", dest="pin", action="store_true", default=None)
    ap.add_argument("--no-pin", dest="pin", action="store_false")
    ap.add_argument("--out", help="put the section into this report (e.g. benchmarks/RESULTS.md)")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    if args.sizes is None:
        args.sizes = [1000] if args.quick else [1000, 10000]
    if args.keystrokes is None:
        args.keystrokes = 20 if args.quick else 100
    if args.rounds is None:
        args.rounds = 1 if args.quick else 3
    if args.repeats is None:
        args.repeats = 3 if args.quick else 5
    if args.pin is None:
        args.pin = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    return args


def main(argv=None) -> int:
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
