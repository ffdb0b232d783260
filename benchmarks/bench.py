"""sheetls benchmark: start language servers over stdio, feed them generated
async Python files, time what an editor user waits for, check every answer.

    python benchmarks/bench.py                 # the full suite (make bench)
    python benchmarks/bench.py --quick         # a few iterations, small files (CI)
    python benchmarks/bench.py --servers floor,sheetls --sizes 10000

Servers (same files, same run, interleaved rounds, a fresh process each round):
  floor    benchmarks/floor_server.py, a bare pygls 2.1 server answering from a dict
  floor-lines  the same with sheetls's incremental line store (server/sheetls/documents.py)
  sheetls  python -m sheetls
  jedi     jedi-language-server
Add others with --server NAME=COMMAND (profile "python": answers checked like jedi's).

Every figure is the median over rounds of a per-round statistic, with the
spread over rounds [min-max], and its ratio to the floor's figure.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import ctypes.util
import dataclasses
import datetime
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from lsp_client import LspClient, LspError, rss_kb  # noqa: E402

MS = 1e-6  # ns -> ms


# ------------------------------------------------------------------ servers
@dataclasses.dataclass
class ServerSpec:
    name: str
    argv: list[str]
    profile: str  # "sheet": answers come from the sheet; "python": a Python server
    packs: bool  # takes initializationOptions.packs


def default_servers() -> dict[str, ServerSpec]:
    py = sys.executable
    bindir = Path(py).parent
    jedi = (
        shutil.which("jedi-language-server", path=str(bindir))
        or shutil.which("jedi-language-server")
        or str(bindir / "jedi-language-server")
    )
    return {
        "floor": ServerSpec("floor", [py, str(HERE / "floor_server.py")], "sheet", True),
        "floor-lines": ServerSpec("floor-lines", [py, str(HERE / "floor_server.py"), "--line-store"], "sheet", True),
        "sheetls": ServerSpec("sheetls", [py, "-m", "sheetls"], "sheet", True),
        "jedi": ServerSpec("jedi", [jedi], "python", False),
    }


# ------------------------------------------------------------------ answers
def hover_text(result: Any) -> str:
    if not result:
        return ""
    c = result.get("contents")
    if isinstance(c, dict):
        return str(c.get("value", ""))
    if isinstance(c, list):
        return "\n".join(x if isinstance(x, str) else str(x.get("value", "")) for x in c)
    return str(c or "")


def completion_items(result: Any) -> list[dict]:
    if not result:
        return []
    if isinstance(result, dict):
        return list(result.get("items") or [])
    return list(result)


def _norm(s: str) -> str:
    return s.replace("`", "").replace("\\", "").casefold()


def hover_ok(spec: ServerSpec, probe: generate.Probe, result: Any) -> bool:
    text = hover_text(result)
    if spec.profile == "sheet":
        return _norm(probe.title) in _norm(text)
    return probe.api in text.replace("\\", "")


def completion_expected(spec: ServerSpec) -> str:
    # A sheet server lists the snippet; a Python server the module alias
    # `aio` (from `import asyncio as aio`) for the half-typed word `aio`.
    return "aioopen" if spec.profile == "sheet" else "aio"


def completion_ok(spec: ServerSpec, result: Any, label: Optional[str] = None) -> bool:
    want = label or completion_expected(spec)
    return any(i.get("label") == want for i in completion_items(result))


# ------------------------------------------------------------------ stats
def pct(sorted_vals: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list: the value at rank ceil(q/100 * n).
    (This was round(q/100 * n + 0.5), which rounds half to even: the p99 of 100 values was
    their maximum, rank 100, and not rank 99.)"""
    if not sorted_vals:
        return float("nan")
    k = max(0, min(len(sorted_vals) - 1, math.ceil(q * len(sorted_vals) / 100) - 1))
    return sorted_vals[k]


def summarize(samples_ns: list[int]) -> dict:
    v = sorted(x * MS for x in samples_ns)
    return {"n": len(v), "p50": pct(v, 50), "p90": pct(v, 90), "p99": pct(v, 99), "max": v[-1] if v else float("nan")}


# ------------------------------------------------------------------ one run
@dataclasses.dataclass
class Options:
    sizes: list[int]
    first_size: int
    iterations: int
    edit_iterations: int
    warmup: int
    budget_s: float
    pin: bool
    pack_size: int
    pack_probes: int
    workdir: Path
    timeout: float


def capabilities() -> dict:
    return {
        "general": {"positionEncodings": ["utf-16"]},
        "textDocument": {
            "synchronization": {"dynamicRegistration": False, "didSave": True},
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "completion": {
                "completionItem": {
                    "snippetSupport": True,
                    "labelDetailsSupport": True,
                    "documentationFormat": ["markdown", "plaintext"],
                    "resolveSupport": {"properties": ["documentation", "detail"]},
                    "insertReplaceSupport": False,
                },
                "contextSupport": True,
            },
        },
        "workspace": {"configuration": True, "workspaceFolders": True},
        "window": {"workDoneProgress": False},
    }


def tree_rss_kb(pid: int) -> int:
    """RSS of a process and its descendants (jedi may run helpers)."""
    total = rss_kb(pid) or 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                for child in fh.read().split():
                    total += tree_rss_kb(int(child))
    except OSError:
        pass
    return total


class Doc:
    def __init__(self, client: LspClient, path: Path, gen: generate.GeneratedFile):
        self.client = client
        self.uri = path.as_uri()
        self.gen = gen
        self.version = 1
        self.inserted = False

    def open(self) -> None:
        self.client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": self.uri, "languageId": "python", "version": self.version, "text": self.gen.text}},
        )

    def edit(self) -> None:
        """Type one character at the scratch point, or delete it again: an
        incremental change that never moves any probe."""
        s = self.gen.scratch
        self.version += 1
        start = {"line": s.line, "character": s.character}
        if not self.inserted:
            change = {"range": {"start": start, "end": start}, "text": "x"}
        else:
            end = {"line": s.line, "character": s.character + 1}
            change = {"range": {"start": start, "end": end}, "text": ""}
        self.inserted = not self.inserted
        self.client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": self.uri, "version": self.version}, "contentChanges": [change]},
        )

    def pos(self, p: generate.Probe) -> dict:
        return {"textDocument": {"uri": self.uri}, "position": {"line": p.line, "character": p.character}}


class Metric:
    """Latency samples of one (metric, size) and the count of wrong answers."""

    def __init__(self):
        self.samples: list[int] = []
        self.wrong = 0
        self.cpu_per_req: Optional[float] = None  # server CPU ms per request
        self.errors: list[str] = []


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


try:
    _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
except OSError:  # pragma: no cover - not glibc
    _LIBC = None


def cpu_ms(pid: int) -> Optional[float]:
    """CPU time (user + system, all threads) a process has used, in ms: the
    process CPU clock (clock_getcpuclockid, ns resolution), else /proc/PID/stat
    (10 ms ticks). Far less sensitive than wall time to other work on a shared
    machine."""
    if _LIBC is not None:
        cid, ts = ctypes.c_int(), _Timespec()
        if (
            _LIBC.clock_getcpuclockid(pid, ctypes.byref(cid)) == 0
            and _LIBC.clock_gettime(cid.value, ctypes.byref(ts)) == 0
        ):
            return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


async def timed_loop(n: int, warmup: int, budget_s: float, one: Callable, pid: Optional[int] = None) -> Metric:
    m = Metric()
    for _ in range(warmup):
        await one(Metric())
    t_end = time.monotonic() + budget_s
    cpu0 = cpu_ms(pid) if pid else None
    for k in range(n):
        await one(m)
        if time.monotonic() > t_end and k >= 29:
            break
    cpu1 = cpu_ms(pid) if pid else None
    if cpu0 is not None and cpu1 is not None and m.samples:
        m.cpu_per_req = (cpu1 - cpu0) / len(m.samples)
    return m


async def run_server_round(spec: ServerSpec, opts: Options, files: dict, log) -> dict:
    """One fresh process of one server through the whole scenario."""
    out: dict[str, Any] = {"metrics": {}, "wrong": {}, "errors": []}
    cpu = 1 if opts.pin else None
    root = opts.workdir / "ws"
    client = LspClient(spec.argv, cpu=cpu, cwd=str(root), stderr_path=str(opts.workdir / f"{spec.name}.stderr.log"))
    await client.start()
    try:
        init, _ = await client.request_timed(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root.as_uri(),
                "workspaceFolders": [{"uri": root.as_uri(), "name": "ws"}],
                "capabilities": capabilities(),
                "initializationOptions": {},
                "clientInfo": {"name": "sheetls-bench"},
            },
            timeout=opts.timeout,
        )
        t_init = time.perf_counter_ns()
        out["initialize_ms"] = (t_init - client.spawned_ns) * MS
        out["initialize_cpu_ms"] = cpu0 = cpu_ms(client.pid)
        caps = (init or {}).get("capabilities", {})
        out["server_info"] = (init or {}).get("serverInfo")
        resolve_supported = bool((caps.get("completionProvider") or {}).get("resolveProvider"))
        client.notify("initialized", {})

        # first useful answer: a correct hover on the first file, counted from
        # the initialize result (null answers are retried: not useful yet).
        docs: dict[int, Doc] = {}
        first = Doc(client, files[opts.first_size][0], files[opts.first_size][1])
        first.open()
        docs[opts.first_size] = first
        probe = generate.spread_hovers(first.gen)[0]
        deadline = time.monotonic() + opts.timeout
        while True:
            res = await client.request("textDocument/hover", first.pos(probe), timeout=opts.timeout)
            if hover_ok(spec, probe, res):
                out["first_answer_ms"] = (time.perf_counter_ns() - t_init) * MS
                cpu1 = cpu_ms(client.pid)
                out["first_answer_cpu_ms"] = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
                break
            if time.monotonic() > deadline:
                out["first_answer_ms"] = float("nan")
                out["errors"].append(f"no correct first hover: {hover_text(res)[:80]!r}")
                break
            await asyncio.sleep(0.002)
        res, lat = await client.request_timed(
            "textDocument/completion",
            {**first.pos(first.gen.typing), "context": {"triggerKind": 1}},
            timeout=opts.timeout,
        )
        out["first_completion_ms"] = lat * MS
        if not completion_ok(spec, res):
            out["errors"].append("first completion lacks " + completion_expected(spec))

        for size in opts.sizes:
            if size not in docs:
                d = Doc(client, files[size][0], files[size][1])
                d.open()
                docs[size] = d
            d = docs[size]
            hovers = generate.spread_hovers(d.gen)
            comp_params = {**d.pos(d.gen.typing), "context": {"triggerKind": 1}}
            want = completion_expected(spec)

            state = {"i": 0, "item": None}

            async def hover_once(m: Metric, edit: bool = False) -> None:
                p = hovers[state["i"] % len(hovers)]
                state["i"] += 1
                t0 = time.perf_counter_ns()
                if edit:
                    d.edit()
                res, _ = await client.request_timed("textDocument/hover", d.pos(p), timeout=opts.timeout)
                m.samples.append(time.perf_counter_ns() - t0)
                if not hover_ok(spec, p, res):
                    m.wrong += 1
                    if len(m.errors) < 3:
                        m.errors.append(f"hover {p.api}@{p.line}: {hover_text(res)[:60]!r}")

            async def completion_once(m: Metric, edit: bool = False) -> None:
                t0 = time.perf_counter_ns()
                if edit:
                    d.edit()
                res, _ = await client.request_timed("textDocument/completion", comp_params, timeout=opts.timeout)
                m.samples.append(time.perf_counter_ns() - t0)
                if not completion_ok(spec, res):
                    m.wrong += 1
                    if len(m.errors) < 3:
                        labels = [i.get("label") for i in completion_items(res)][:8]
                        m.errors.append(f"completion lacks {want!r}: {labels}")
                else:
                    state["item"] = next(i for i in completion_items(res) if i.get("label") == want)

            async def resolve_once(m: Metric) -> None:
                item = state["item"]
                res, lat = await client.request_timed("completionItem/resolve", item, timeout=opts.timeout)
                m.samples.append(lat)
                if not res or res.get("label") != item.get("label"):
                    m.wrong += 1
                    if len(m.errors) < 3:
                        m.errors.append(f"resolve returned {str(res)[:60]}")

            n, ne, w, b, pid = opts.iterations, opts.edit_iterations, opts.warmup, opts.budget_s, client.pid
            results = {
                "hover": await timed_loop(n, w, b, hover_once, pid),
                "completion": await timed_loop(n, w, b, completion_once, pid),
            }
            if resolve_supported and state["item"] is not None:
                results["resolve"] = await timed_loop(n, w, b, resolve_once, pid)
            results["edit+hover"] = await timed_loop(ne, w, b, lambda m: hover_once(m, True), pid)
            results["edit+completion"] = await timed_loop(ne, w, b, lambda m: completion_once(m, True), pid)
            if d.inserted:  # leave the document as generated
                d.edit()
            for name, m in results.items():
                out["metrics"][f"{name}@{size}"] = {**summarize(m.samples), "cpu": m.cpu_per_req}
                out["wrong"][f"{name}@{size}"] = m.wrong
                out["errors"].extend(m.errors)
            log(
                f"    {spec.name} @{size}: "
                + ", ".join(
                    f"{k} p50 {summarize(m.samples)['p50']:.2f}ms" + (f" ({m.wrong} wrong)" if m.wrong else "")
                    for k, m in results.items()
                )
            )
        # Let the server settle (jedi publishes diagnostics after changes).
        await client.request(
            "textDocument/hover",
            docs[opts.sizes[-1]].pos(generate.spread_hovers(docs[opts.sizes[-1]].gen)[0]),
            timeout=opts.timeout,
        )
        out["rss_mb"] = tree_rss_kb(client.pid) / 1024
    finally:
        await client.stop()
    return out


async def run_pack_round(spec: ServerSpec, opts: Options, pack_path: Path, probes: list[tuple[str, str]], log) -> dict:
    """Start with a pack of ``opts.pack_size`` entries; time load and completion."""
    out: dict[str, Any] = {"errors": []}
    root = opts.workdir / "ws"
    client = LspClient(
        spec.argv,
        cpu=1 if opts.pin else None,
        cwd=str(root),
        stderr_path=str(opts.workdir / f"{spec.name}.pack.stderr.log"),
    )
    await client.start()
    try:
        await client.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root.as_uri(),
                "capabilities": capabilities(),
                "initializationOptions": {"packs": [str(pack_path)]},
            },
            timeout=opts.timeout,
        )
        out["initialize_ms"] = (time.perf_counter_ns() - client.spawned_ns) * MS
        client.notify("initialized", {})
        prefixes = [p for p, _ in probes]
        text = "".join(f"{p}\n" for p in prefixes)
        uri = (root / "pack_probe.py").as_uri()
        client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
        )

        def params(k: int) -> dict:
            return {
                "textDocument": {"uri": uri},
                "position": {"line": k, "character": len(prefixes[k])},
                "context": {"triggerKind": 1},
            }

        def ok(k: int, res: Any) -> bool:
            return any(i.get("label") == probes[k][1] for i in completion_items(res))

        deadline = time.monotonic() + opts.timeout
        while True:
            res = await client.request("textDocument/completion", params(0), timeout=opts.timeout)
            if ok(0, res):
                out["load_ms"] = (time.perf_counter_ns() - client.spawned_ns) * MS
                out["load_cpu_ms"] = cpu_ms(client.pid)
                break
            if time.monotonic() > deadline:
                out["load_ms"] = float("nan")
                out["errors"].append(f"pack never answered {prefixes[0]!r}")
                return out
            await asyncio.sleep(0.005)
        m = Metric()
        for _rnd in range(max(1, opts.iterations // len(prefixes))):
            for k in range(len(prefixes)):
                res, lat = await client.request_timed("textDocument/completion", params(k), timeout=opts.timeout)
                m.samples.append(lat)
                if not ok(k, res):
                    m.wrong += 1
                    if len(m.errors) < 3:
                        m.errors.append(
                            f"pack completion {prefixes[k]!r}: {[i.get('label') for i in completion_items(res)][:5]}"
                        )
        out["completion"] = summarize(m.samples)
        out["wrong"] = m.wrong
        out["errors"].extend(m.errors)
        out["rss_mb"] = tree_rss_kb(client.pid) / 1024
        log(
            f"    {spec.name} pack: load {out['load_ms']:.0f}ms, completion p99 "
            f"{out['completion']['p99']:.2f}ms" + (f" ({m.wrong} wrong)" if m.wrong else "")
        )
    finally:
        await client.stop()
    return out


def write_pack(path: Path, n: int) -> None:
    """The pack file, in the snippet-source YAML schema (see snippets/README.md)."""
    import yaml

    doc = generate.pack_document(n)

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper, value):  # multi-line strings as literal blocks, like snippets/
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    path.write_text(yaml.dump(doc, Dumper=Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")


# ------------------------------------------------------------------ report
def med_spread(vals: list[float]) -> tuple[float, float, float]:
    vals = [v for v in vals if v == v]
    if not vals:
        return float("nan"), float("nan"), float("nan")
    return statistics.median(vals), min(vals), max(vals)


def fmt(v: float, digits: Optional[int] = None) -> str:
    if v != v:
        return "n/a"
    if digits is None:
        digits = 2 if v < 10 else (1 if v < 100 else 0)
    return f"{v:.{digits}f}"


def fmt_ms(v: Optional[float]) -> str:
    """A time for the side reports (diagnostics, real world, lint vs ruff): 3 significant
    digits under 10, one decimal under 100, none above; "n/a" for none or NaN."""
    if v is None or v != v:
        return "n/a"
    return f"{v:.3g}" if v < 10 else f"{v:.0f}" if v >= 100 else f"{v:.1f}"


def put_section(path: Path, block: str, start: str, end: str) -> None:
    """Put `block` (its `start` and `end` markers included) into a report such as RESULTS.md in
    place of the one between those markers (bench.py writes the rest of the file), or append it."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in old and end in old:
        head, rest = old.split(start, 1)
        new = head + block.rstrip("\n") + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + ("\n\n" if old else "") + block.rstrip("\n") + "\n"
    path.write_text(new, encoding="utf-8")


def collect(rounds: list[dict], server: str, getter: Callable[[dict], Any]) -> list[float]:
    vals = []
    for r in rounds:
        run = r.get(server)
        if run is None:
            continue
        try:
            v = getter(run)
        except (KeyError, TypeError):
            continue
        if v is not None:
            vals.append(float(v))
    return vals


def build_report(data: dict) -> str:
    servers = data["servers"]
    rounds = data["rounds"]
    packs = data["pack_rounds"]
    sizes = data["options"]["sizes"]
    floor = "floor" if "floor" in servers else None

    def figure(server, getter, src=None) -> tuple[float, float, float]:
        return med_spread(collect(src if src is not None else rounds, server, getter))

    def ratio(server, getter, src=None) -> str:
        if floor is None or server == floor:
            return ""
        v = figure(server, getter, src)[0]
        f = figure(floor, getter, src)[0]
        if v != v or f != f or f == 0:
            return ""
        return f" (×{v / f:.2f})"

    def cell(server, getter, src=None) -> str:
        m, lo, hi = figure(server, getter, src)
        if m != m:
            return "n/a"
        return f"{fmt(m)}{ratio(server, getter, src)}"

    def pair(server, metric, a="p50", b="p99") -> str:
        ga = lambda r: r["metrics"][metric][a]  # noqa: E731
        gb = lambda r: r["metrics"][metric][b]  # noqa: E731
        ma, mb = figure(server, ga)[0], figure(server, gb)[0]
        if ma != ma:
            return "n/a"
        return f"{fmt(ma)} / {fmt(mb)}{ratio(server, ga)}"

    big = max(sizes)
    mid = 1000 if 1000 in sizes else sizes[len(sizes) // 2]
    lines = []
    o = data["options"]
    lines.append(
        f"Measured {data['date']} on {data['machine']}; "
        f"{o['rounds']} rounds, fresh processes, servers interleaved; "
        f"{'server pinned to CPU 1, client to CPU 0' if o['pin'] else 'no CPU pinning'}; "
        + (
            f"1-minute load average {data['loadavg'][0]:g} at the start, {data['loadavg'][1]:g} "
            f"at the end (other work on the machine inflates wall times and tails; "
            f"the CPU-time table is steadier); "
            if data.get("loadavg")
            else ""
        )
        + f"{o['iterations']} requests per idle metric, {o['edit_iterations']} per edit metric "
        f"(each stops after {o['budget_s']:g} s once it has 30); times in ms, "
        f"median over rounds; (×N) is the ratio to the floor."
    )
    lines.append("")
    head = [
        "server",
        "initialize",
        "first answer",
        f"hover @{big:,} p50 / p99",
        f"edit then hover @{big:,} p50",
        f"completion @{mid:,} p50 / p99",
        f"edit then completion @{big:,} p50",
        "RSS after load (MB)",
    ]
    if packs:
        head += [f"pack of {o['pack_size']:,}: spawn → answering", "of which after initialize", "pack completion p99"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for s in servers:
        label = data["labels"].get(s, s)
        row = [
            label,
            cell(s, lambda r: r["initialize_ms"]),
            cell(s, lambda r: r["first_answer_ms"]),
            pair(s, f"hover@{big}"),
            cell(s, lambda r: r["metrics"][f"edit+hover@{big}"]["p50"]),
            pair(s, f"completion@{mid}"),
            cell(s, lambda r: r["metrics"][f"edit+completion@{big}"]["p50"]),
            cell(s, lambda r: r["rss_mb"]),
        ]
        if packs:
            row += [
                cell(s, lambda r: r["load_ms"], packs),
                cell(s, lambda r: r["load_ms"] - r["initialize_ms"], packs),
                cell(s, lambda r: r["completion"]["p99"], packs),
            ]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")

    # The same in server CPU time: what the server itself spent, without the
    # time it waited for a CPU (steadier on a shared machine).
    lines.append(
        "Server CPU time, ms (same runs; initialize = CPU from spawn to the initialize "
        "result, first answer = CPU from there to the first correct hover, "
        "per-request figures = CPU per request over the whole loop):"
    )
    lines.append("")
    chead = [
        "server",
        "initialize",
        "first answer",
        f"hover @{big:,}",
        f"edit then hover @{big:,}",
        f"completion @{mid:,}",
        f"edit then completion @{big:,}",
    ]
    if packs:
        chead.append(f"spawn → pack of {o['pack_size']:,} answering")
    lines.append("| " + " | ".join(chead) + " |")
    lines.append("|" + "---|" * len(chead))
    for s in servers:
        row = [
            data["labels"].get(s, s),
            cell(s, lambda r: r.get("initialize_cpu_ms")),
            cell(s, lambda r: r.get("first_answer_cpu_ms")),
            cell(s, lambda r: r["metrics"][f"hover@{big}"].get("cpu")),
            cell(s, lambda r: r["metrics"][f"edit+hover@{big}"].get("cpu")),
            cell(s, lambda r: r["metrics"][f"completion@{mid}"].get("cpu")),
            cell(s, lambda r: r["metrics"][f"edit+completion@{big}"].get("cpu")),
        ]
        if packs:
            row.append(cell(s, lambda r: r.get("load_cpu_ms"), packs))
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")

    # Correctness
    lines.append(
        "Answers checked: "
        + "; ".join(
            f"{data['labels'].get(s, s)}: "
            + ("all correct" if not data["wrong_total"][s] else f"**{data['wrong_total'][s]} wrong**")
            for s in servers
        )
        + "."
    )
    for s in servers:
        for e in data["errors"].get(s, [])[:5]:
            lines.append(f"- {s}: {e}")
    lines.append("")

    # Details
    lines.append("<details><summary>All figures: median [min–max over rounds] (×floor)</summary>")
    lines.append("")
    lines.append("| server | metric | p50 | p90 | p99 | max | n | server CPU / request |")
    lines.append("|---|---|---|---|---|---|---|---|")
    metrics = ["hover", "completion", "resolve", "edit+hover", "edit+completion"]
    for s in servers:
        for g, name in [
            (lambda r: r["initialize_ms"], "spawn → initialize result"),
            (lambda r: r["first_answer_ms"], "initialize → first correct hover"),
            (lambda r: r["first_completion_ms"], "first completion"),
            (lambda r: r["rss_mb"], "RSS after load, MB"),
        ]:
            m, lo, hi = figure(s, g)
            lines.append(f"| {s} | {name} | {fmt(m)} [{fmt(lo)}–{fmt(hi)}]{ratio(s, g)} | | | | | |")
        for size in sizes:
            for met in metrics:
                key = f"{met}@{size}"
                if not collect(rounds, s, lambda r: r["metrics"][key]["p50"]):
                    continue
                cells = []
                for q in ("p50", "p90", "p99", "max"):
                    g = (lambda q: lambda r: r["metrics"][key][q])(q)
                    m, lo, hi = figure(s, g)
                    cells.append(f"{fmt(m)} [{fmt(lo)}–{fmt(hi)}]{ratio(s, g)}")
                n = int(figure(s, lambda r: r["metrics"][key]["n"])[0])
                gc = lambda r: r["metrics"][key].get("cpu")  # noqa: E731
                c = figure(s, gc)[0]
                cpu = f"{fmt(c, 3)}{ratio(s, gc)}" if c == c else "n/a"
                lines.append(f"| {s} | {met} @{size:,} | " + " | ".join(cells) + f" | {n} | {cpu} |")
        if packs and collect(packs, s, lambda r: r["load_ms"]):
            g = lambda r: r["load_ms"]  # noqa: E731
            m, lo, hi = figure(s, g, packs)
            lines.append(
                f"| {s} | pack: spawn → first correct pack completion | "
                f"{fmt(m)} [{fmt(lo)}–{fmt(hi)}]{ratio(s, g, packs)} | | | | | |"
            )
            g = lambda r: r["load_ms"] - r["initialize_ms"]  # noqa: E731
            m, lo, hi = figure(s, g, packs)
            lines.append(
                f"| {s} | pack: initialize result → first correct pack completion | "
                f"{fmt(m)} [{fmt(lo)}–{fmt(hi)}]{ratio(s, g, packs)} | | | | | |"
            )
            cells = []
            for q in ("p50", "p90", "p99", "max"):
                g = (lambda q: lambda r: r["completion"][q])(q)
                m, lo, hi = figure(s, g, packs)
                cells.append(f"{fmt(m)} [{fmt(lo)}–{fmt(hi)}]{ratio(s, g, packs)}")
            n = int(figure(s, lambda r: r["completion"]["n"], packs)[0])
            lines.append(f"| {s} | pack completion | " + " | ".join(cells) + f" | {n} | |")
    lines.append("")
    lines.append("</details>")
    return "\n".join(lines) + "\n"


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def server_label(name: str, info: Optional[dict]) -> str:
    """Table label: the installed distribution's version where we know it
    (jedi-language-server reports jedi's version in serverInfo)."""
    from importlib import metadata

    dist = {"floor": "pygls", "floor-lines": "pygls", "sheetls": "sheetls", "jedi": "jedi-language-server"}.get(name)
    try:
        if dist:
            label = f"{name} ({'bare pygls' if dist == 'pygls' else dist} {metadata.version(dist)}"
            return label + (" + sheetls line store)" if name == "floor-lines" else ")")
    except metadata.PackageNotFoundError:
        pass
    if info and info.get("name"):
        return f"{name} ({info['name']} {info.get('version', '')})".replace(" )", ")")
    return name


def git_state() -> str:
    """The commit benchmarked, with "+changes" when server/ has uncommitted edits."""
    root = HERE.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "server"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" +uncommitted changes in server/" if dirty else "")


def versions(names: list[str]) -> dict[str, str]:
    from importlib import metadata

    out = {}
    for dist in ["pygls", "lsprotocol", "jedi-language-server", "jedi", "sheetls"]:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def compile_bytecode() -> str:
    """Write sheetls's bytecode (__pycache__) before timing it.

    A wheel install compiles it (pip runs compileall); an editable install under
    PYTHONDONTWRITEBYTECODE=1 (as on this machine) never caches it, so every server
    start would recompile the sources: ~25 ms on the first answer, not what a user pays."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("sheetls")
    if spec is None or not spec.submodule_search_locations:
        return ""
    folder = list(spec.submodule_search_locations)[0]
    ok = compileall.compile_dir(folder, quiet=1)
    return f"{folder} {'compiled' if ok else 'not compiled (see above)'}"


# ------------------------------------------------------------------ main
async def main_async(args) -> int:
    specs = default_servers()

    def command(cmd: str) -> list[str]:
        # Servers run in a scratch workspace: make a relative program path absolute.
        argv = shlex.split(cmd)
        if argv and "/" in argv[0] and not os.path.isabs(argv[0]):
            argv[0] = os.path.abspath(argv[0])
        return argv

    for extra in args.server:
        name, _, cmd = extra.partition("=")
        specs[name] = ServerSpec(name, command(cmd), "python", False)
    for extra in args.sheet_server:
        name, _, cmd = extra.partition("=")
        specs[name] = ServerSpec(name, command(cmd), "sheet", True)
    names = [s for s in args.servers.split(",") if s]
    for s in names:
        if s not in specs:
            print(f"unknown server {s!r}; known: {', '.join(specs)}", file=sys.stderr)
            return 2

    workdir = Path(tempfile.mkdtemp(prefix="sheetls-bench-"))
    (workdir / "ws").mkdir()
    sizes = sorted(args.sizes)
    opts = Options(
        sizes=sizes,
        first_size=1000 if 1000 in sizes else sizes[0],
        iterations=args.iterations,
        edit_iterations=args.edit_iterations,
        warmup=args.warmup,
        budget_s=args.budget,
        pin=args.pin,
        pack_size=args.pack_size,
        pack_probes=50,
        workdir=workdir,
        timeout=args.timeout,
    )

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if opts.pin:
        os.sched_setaffinity(0, {0})
    compiled = compile_bytecode()
    if compiled:
        log(f"bytecode: {compiled}")
    files = {}
    for n in sizes:
        gen = generate.python_file(n)
        path = workdir / "ws" / f"generated_{n}.py"
        path.write_text(gen.text, encoding="utf-8")
        files[n] = (path, gen)
    pack_path = workdir / f"pack_{opts.pack_size}.yaml"
    if opts.pack_size:
        write_pack(pack_path, opts.pack_size)
    prefixes = generate.pack_probes(opts.pack_size) if opts.pack_size else []

    load_start = os.getloadavg()[0]
    rounds, pack_rounds = [], []
    errors: dict[str, list[str]] = {s: [] for s in names}
    wrong_total = dict.fromkeys(names, 0)
    labels = {s: s for s in names}
    for r in range(args.rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        log(f"round {r + 1}/{args.rounds}: {', '.join(order)}")
        rnd, prnd = {}, {}
        for s in order:
            spec = specs[s]
            try:
                res = await run_server_round(spec, opts, files, log)
            except (LspError, asyncio.TimeoutError, Exception) as exc:  # report, go on
                errors[s].append(f"round {r + 1}: {type(exc).__name__}: {exc}")
                log(f"    {s}: FAILED {type(exc).__name__}: {exc}")
                continue
            rnd[s] = res
            errors[s].extend(e for e in res["errors"] if e not in errors[s])
            wrong_total[s] += sum(res["wrong"].values())
            labels[s] = server_label(s, res.get("server_info"))
            if opts.pack_size and spec.packs:
                try:
                    pres = await run_pack_round(spec, opts, pack_path, prefixes, log)
                except Exception as exc:
                    errors[s].append(f"pack round {r + 1}: {type(exc).__name__}: {exc}")
                    continue
                prnd[s] = pres
                errors[s].extend(e for e in pres["errors"] if e not in errors[s])
                wrong_total[s] += pres.get("wrong", 0) + (1 if pres["load_ms"] != pres["load_ms"] else 0)
        rounds.append(rnd)
        pack_rounds.append(prnd)
    for s in names:
        if not any(s in r for r in rounds):
            wrong_total[s] += 1  # never ran: not a pass

    data = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(names),
        "commit": git_state(),
        "loadavg": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "servers": names,
        "labels": labels,
        "commands": {s: specs[s].argv for s in names},
        "options": {
            "sizes": sizes,
            "rounds": args.rounds,
            "iterations": opts.iterations,
            "edit_iterations": opts.edit_iterations,
            "warmup": opts.warmup,
            "budget_s": opts.budget_s,
            "pin": opts.pin,
            "pack_size": opts.pack_size,
            "quick": args.quick,
        },
        "rounds": rounds,
        "pack_rounds": pack_rounds if any(pack_rounds) else [],
        "errors": errors,
        "wrong_total": wrong_total,
    }
    report = build_report(data)
    print(report)
    if args.out:
        Path(args.out).write_text(
            "# sheetls benchmark results\n\n"
            f"`{' '.join(['python', 'benchmarks/bench.py'] + sys.argv[1:])}` at commit "
            f"{data['commit']} (versions: {', '.join(f'{k} {v}' for k, v in data['versions'].items())})\n\n" + report,
            encoding="utf-8",
        )
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        log(f"work dir kept: {workdir}")
    return 0 if not any(wrong_total.values()) else 1


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--quick",
        action="store_true",
        help="1 round, 15 requests per metric, files of 100 and 1,000 lines, pack of 1,000",
    )
    ap.add_argument(
        "--servers",
        default="floor,floor-lines,sheetls,jedi",
        help="comma-separated, from: floor, floor-lines, sheetls, jedi (default: all)",
    )
    ap.add_argument(
        "--server",
        action="append",
        default=[],
        metavar="NAME=COMMAND",
        help="another server command (answers checked like a Python server's)",
    )
    ap.add_argument(
        "--sheet-server",
        action="append",
        default=[],
        metavar="NAME=COMMAND",
        help="another sheet server command (answers checked like sheetls's), e.g. sheetls under a profiler",
    )
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None)
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--iterations", type=int, default=None)
    ap.add_argument("--edit-iterations", type=int, default=None)
    ap.add_argument("--warmup", type=int, default=None)
    ap.add_argument(
        "--budget", type=float, default=None, help="seconds per metric after which it stops (once it has 30 samples)"
    )
    ap.add_argument("--pack-size", type=int, default=None, help="0 to skip the pack benchmark")
    ap.add_argument(
        "--pin",
        dest="pin",
        action="store_true",
        default=None,
        help="pin the server to CPU 1 and the client to CPU 0 (default when >= 2 CPUs)",
    )
    ap.add_argument("--no-pin", dest="pin", action="store_false")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--out", help="write the markdown report here (e.g. benchmarks/RESULTS.md)")
    ap.add_argument("--json", help="write all raw figures here")
    ap.add_argument("--keep", action="store_true", help="keep the work dir (files, pack, server logs)")
    args = ap.parse_args(argv)
    q = args.quick
    defaults = {
        "sizes": [100, 1000] if q else [100, 1000, 10000],
        "rounds": 1 if q else 5,
        "iterations": 15 if q else 200,
        "edit_iterations": 10 if q else 100,
        "warmup": 2 if q else 5,
        "budget": 5.0 if q else 8.0,
        "pack_size": 1000 if q else 10000,
    }
    for k, v in defaults.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    if args.pin is None:
        args.pin = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    if args.pin and not shutil.which("taskset"):
        ap.error("--pin needs taskset (util-linux)")
    return args


def main(argv=None) -> int:
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
