"""sheetls benchmark on real code (issue 13): latencies where a user meets them.

1. Corpus call sites: hover and completion at every call of an asyncio API the sheet
   documents (open_connection, start_server, create_subprocess_exec/_shell, to_thread,
   run_in_executor) and of the members it explains (writer.drain, proc.communicate), in the
   real-world corpus of tests/realworld/ (the interpreter's asyncio package, test_asyncio,
   and the pinned sdists cached in .cache/realworld/ when present). Hover on the API name;
   completion with the cursor at the end of the name (what an editor asks as the name is
   typed). p50 / p99, with jedi-language-server beside it.
2. Big class body: one class of 12,500 methods, 3 lines each (37,500 lines in a single
   top-level statement); type or delete one character in a method, then hover on an asyncio
   call inside the class, timed from the change to the answer. p50 / p99.

    python benchmarks/realworld_bench.py                 # make bench
    python benchmarks/realworld_bench.py --quick         # bounded: few sites, few edits

No timing is asserted anywhere; answers are counted (a sheet hover must name the entry's
title, jedi's the API) and shown beside the latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests" / "realworld"))

from bench import (  # noqa: E402
    capabilities,
    compile_bytecode,
    completion_items,
    cpu_ms,
    default_servers,
    hover_text,
    machine,
    summarize,
    versions,
)
from bench import fmt_ms as fmt  # noqa: E402
from entries import TITLE_BY_API  # noqa: E402
from lsp_client import LspClient  # noqa: E402

# What the sheet documents and its hover names: the API -> a word its hover must contain.
MEMBER_WORDS = {"drain": "drain", "communicate": "communicate"}
CALL = re.compile(
    r"\b(open_connection|start_server|create_subprocess_exec|create_subprocess_shell|"
    r"to_thread|run_in_executor|drain|communicate)\s*\("
)


# ------------------------------------------------------------------ corpus call sites
class Site:
    __slots__ = ("path", "line", "start", "end", "api")

    def __init__(self, path: Path, line: int, start: int, end: int, api: str):
        self.path, self.line, self.start, self.end, self.api = path, line, start, end, api


def _u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def corpus_sites(sources: List[str], log) -> Tuple[Dict[Path, str], List[Site]]:
    """Files of the corpus that call what the sheet documents, and those calls."""
    import rw_corpus as C

    texts: Dict[Path, str] = {}
    sites: List[Site] = []
    for name in sources:
        try:
            if name in C.SDISTS:
                version = C.SDISTS[name][0]
                if not (C.CACHE / "src" / f"{name}-{version}").is_dir():
                    log(f"  {name}: not in {C.CACHE} (run the corpus tests once to fetch it); skipped")
                    continue
            src = C.get_source(name)
        except C.Unavailable as e:
            log(f"  {name}: {e}; skipped")
            continue
        for path in src.files():
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            found = []
            for i, line in enumerate(text.split("\n")):
                if line.lstrip().startswith("#"):
                    continue
                for m in CALL.finditer(line):
                    s = _u16(line[: m.start(1)])
                    found.append(Site(path, i, s, s + _u16(m.group(1)), m.group(1)))
            if found:
                texts[path] = text
                sites.extend(found)
    return texts, sites


def hover_good(profile: str, site_api: str, result: Any) -> bool:
    text = hover_text(result).replace("\\", "").replace("`", "").casefold()
    if profile == "sheet":
        want = TITLE_BY_API.get(site_api, MEMBER_WORDS.get(site_api, site_api))
        return want.replace("`", "").casefold() in text
    return site_api.casefold() in text


async def start(spec, cpu: Optional[int], workdir: Path, tag: str, timeout: float) -> LspClient:
    client = LspClient(spec.argv, cpu=cpu, cwd=str(workdir), stderr_path=str(workdir / f"{spec.name}.{tag}.stderr.log"))
    await client.start()
    await client.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": workdir.as_uri(),
            "workspaceFolders": [{"uri": workdir.as_uri(), "name": "ws"}],
            "capabilities": capabilities(),
            "initializationOptions": {},
            "clientInfo": {"name": "sheetls-bench"},
        },
        timeout=timeout,
    )
    client.notify("initialized", {})
    return client


async def run_sites(spec, opts, texts: Dict[Path, str], sites: List[Site], log) -> dict:
    client = await start(spec, opts.cpu, opts.workdir, "sites", opts.timeout)
    out: Dict[str, Any] = {}
    try:
        for path, text in texts.items():
            client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": path.as_uri(), "languageId": "python", "version": 1, "text": text}},
            )
        # warm-up: the first answer (a server may index on open)
        for s in sites[:3]:
            await client.request(
                "textDocument/hover",
                {"textDocument": {"uri": s.path.as_uri()}, "position": {"line": s.line, "character": s.start}},
                timeout=opts.timeout,
            )
        for metric in ("hover", "completion"):
            samples: List[int] = []
            good = 0
            cpu0 = cpu_ms(client.pid)
            t_end = time.monotonic() + opts.budget_s
            for k, s in enumerate(sites):
                if metric == "hover":
                    pos = {"line": s.line, "character": (s.start + s.end) // 2}
                    params = {"textDocument": {"uri": s.path.as_uri()}, "position": pos}
                else:
                    params = {
                        "textDocument": {"uri": s.path.as_uri()},
                        "position": {"line": s.line, "character": s.end},
                        "context": {"triggerKind": 1},
                    }
                res, lat = await client.request_timed(f"textDocument/{metric}", params, timeout=opts.timeout)
                samples.append(lat)
                if metric == "hover":
                    good += hover_good(spec.profile, s.api, res)
                else:
                    good += bool(completion_items(res))
                if time.monotonic() > t_end and k >= 29:
                    break
            cpu1 = cpu_ms(client.pid)
            out[metric] = {
                **summarize(samples),
                "answered": good,
                "cpu": (cpu1 - cpu0) / len(samples) if cpu0 is not None and cpu1 is not None else None,
            }
            log(
                f"    {spec.name} {metric} over {len(samples)} call sites: p50 {out[metric]['p50']:.2f} ms, "
                f"p99 {out[metric]['p99']:.2f} ms ({good} answered)"
            )
    finally:
        await client.stop()
    return out


# ------------------------------------------------------------------ the big class
def big_class(methods: int) -> Tuple[str, List[Tuple[int, int, str]], List[int]]:
    """(text, hover probes (line, UTF-16 column, api), editable lines).

    One class; method i is 3 lines. Every 500th method calls an asyncio API the sheet documents."""
    apis = [
        ("open_connection", 'reader, writer = await asyncio.open_connection("example.com", 80)'),
        ("create_subprocess_exec", 'proc = await asyncio.create_subprocess_exec("ls")'),
        ("to_thread", "result = await asyncio.to_thread(len, [])"),
        ("start_server", "server = await asyncio.start_server(None, port=0)"),
    ]
    lines = ["import asyncio", "", "", "class Service:"]
    probes, editable = [], []
    for i in range(methods):
        lines.append(f"    async def method_{i}(self, value):")
        if i % 500 == 250:
            api, stmt = apis[(i // 500) % len(apis)]
            lines.append(f"        {stmt}")
            col = lines[-1].index(api) + len(api) // 2
            probes.append((len(lines) - 1, col, api))
        else:
            lines.append(f"        total = value + {i}")
            editable.append(len(lines) - 1)
        lines.append("        return value")
    lines.append("")
    return "\n".join(lines), probes, editable


async def run_big_class(spec, opts, log) -> dict:
    text, probes, editable = big_class(opts.methods)
    client = await start(spec, opts.cpu, opts.workdir, "bigclass", opts.timeout)
    uri = (opts.workdir / "big_class.py").as_uri()
    rng = random.Random(13)
    out: Dict[str, Any] = {"lines": text.count("\n")}
    try:
        client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
        )
        version = 1
        typed: Dict[int, bool] = {}
        for metric in ("hover", "edit+hover"):
            samples: List[int] = []
            good = 0
            cpu0 = cpu_ms(client.pid)
            t_end = time.monotonic() + opts.budget_s
            for k in range(opts.warmup + opts.edits):
                line, col, api = probes[k % len(probes)]
                t0 = time.perf_counter_ns()
                if metric == "edit+hover":
                    at = rng.choice(editable)
                    version += 1
                    end = len("        total = value + ")  # type a digit after '+ ', or delete it
                    if typed.get(at):
                        change = {
                            "range": {
                                "start": {"line": at, "character": end},
                                "end": {"line": at, "character": end + 1},
                            },
                            "text": "",
                        }
                    else:
                        change = {
                            "range": {"start": {"line": at, "character": end}, "end": {"line": at, "character": end}},
                            "text": "1",
                        }
                    typed[at] = not typed.get(at)
                    client.notify(
                        "textDocument/didChange",
                        {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
                    )
                res = await client.request(
                    "textDocument/hover",
                    {"textDocument": {"uri": uri}, "position": {"line": line, "character": col}},
                    timeout=opts.timeout,
                )
                if k < opts.warmup:
                    continue
                samples.append(time.perf_counter_ns() - t0)
                good += hover_good(spec.profile, api, res)
                if time.monotonic() > t_end and len(samples) >= 30:
                    break
            cpu1 = cpu_ms(client.pid)
            out[metric] = {
                **summarize(samples),
                "answered": good,
                "cpu": (cpu1 - cpu0) / len(samples) if cpu0 is not None and cpu1 is not None else None,
            }
            log(
                f"    {spec.name} big class {metric}: p50 {out[metric]['p50']:.2f} ms, "
                f"p99 {out[metric]['p99']:.2f} ms ({good}/{len(samples)} correct)"
            )
    finally:
        await client.stop()
    return out


# ------------------------------------------------------------------ report
def report(data: dict) -> str:
    o = data["options"]
    lines = [
        f"Measured {data['date']} on {data['machine']}; "
        f"{'server pinned to CPU 1, client to CPU 0' if o['pin'] else 'no CPU pinning'}; "
        f"1-minute load average {data['loadavg'][0]:g} at the start, {data['loadavg'][1]:g} at the end; "
        f"times in ms (latency from request, or from the change, to the answer); "
        f"'answered' counts correct answers (a sheet hover names the entry; jedi's the API; a completion "
        f"lists anything).",
        "",
    ]
    lines.append(
        f"**Corpus call sites** ({data['sites']['count']} calls in {data['sites']['files']} files of "
        f"{', '.join(data['sites']['sources'])}; each metric stops after {o['budget_s']:g} s once it has 30):"
    )
    lines.append("")
    lines.append(
        "Hover on the API name; completion with the cursor at the end of the name. A sheet server "
        "answers a hover only where the name resolves to the asyncio API (not `self._loop.run_in_executor`, "
        "an untraced `writer.drain`), and offers no completion after `asyncio.` or on a call's name, "
        "by design; jedi lists attributes and names."
    )
    lines.append("")
    lines.append(
        "| server | hover p50 / p99 | answered | completion p50 / p99 | answered | server CPU per hover / completion |"
    )
    lines.append("|---|---|---|---|---|---|")
    for s, r in data["runs"].items():
        if "sites" not in r:
            lines.append(f"| {s} | failed: {r.get('sites_error', '?')} | | | | |")
            continue
        h, c = r["sites"]["hover"], r["sites"]["completion"]
        lines.append(
            f"| {s} | {fmt(h['p50'])} / {fmt(h['p99'])} | {h['answered']}/{h['n']} | "
            f"{fmt(c['p50'])} / {fmt(c['p99'])} | {c['answered']}/{c['n']} | "
            f"{fmt(h['cpu'])} / {fmt(c['cpu'])} |"
        )
    lines.append("")
    lines.append(
        f"**Hover after a keystroke in a {data['big_class']['lines']:,}-line class body** "
        f"({o['methods']:,} methods of 3 lines; a digit typed or deleted in a random method, "
        f"then a hover on an asyncio call in the class):"
    )
    lines.append("")
    lines.append("| server | idle hover p50 / p99 | edit then hover p50 / p99 | correct | server CPU per edit+hover |")
    lines.append("|---|---|---|---|---|")
    for s, r in data["runs"].items():
        if "big_class" not in r:
            lines.append(f"| {s} | failed: {r.get('big_class_error', '?')} | | | |")
            continue
        h, e = r["big_class"]["hover"], r["big_class"]["edit+hover"]
        lines.append(
            f"| {s} | {fmt(h['p50'])} / {fmt(h['p99'])} | {fmt(e['p50'])} / {fmt(e['p99'])} | "
            f"{e['answered']}/{e['n']} | {fmt(e['cpu'])} |"
        )
    return "\n".join(lines) + "\n"


class Opts:
    pass


async def main_async(args) -> int:
    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    specs = default_servers()
    names = [s for s in args.servers.split(",") if s]
    opts = Opts()
    opts.cpu = 1 if args.pin else None
    opts.timeout = args.timeout
    opts.budget_s = args.budget
    opts.methods = args.methods
    opts.edits = args.edits
    opts.warmup = 3
    opts.workdir = Path(tempfile.mkdtemp(prefix="sheetls-rwbench-"))
    if args.pin:
        os.sched_setaffinity(0, {0})
    compiled = compile_bytecode()
    if compiled:
        log(f"bytecode: {compiled}")
    log("corpus call sites:")
    texts, sites = corpus_sites(args.sources.split(","), log)
    random.Random(13).shuffle(sites)
    sites = sites[: args.sites]
    used = {s.path for s in sites}
    texts = {p: t for p, t in texts.items() if p in used}
    log(f"  {len(sites)} call sites in {len(texts)} files")
    load0 = os.getloadavg()[0]
    runs: Dict[str, dict] = {}
    for name in names:
        spec = specs[name]
        r: Dict[str, Any] = {}
        try:
            r["sites"] = await run_sites(spec, opts, texts, sites, log)
        except Exception as e:  # report and go on
            r["sites_error"] = f"{type(e).__name__}: {e}"
            log(f"    {name}: call sites FAILED {r['sites_error']}")
        try:
            r["big_class"] = await run_big_class(spec, opts, log)
        except Exception as e:
            r["big_class_error"] = f"{type(e).__name__}: {e}"
            log(f"    {name}: big class FAILED {r['big_class_error']}")
        runs[name] = r
    data = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(names),
        "loadavg": [round(load0, 2), round(os.getloadavg()[0], 2)],
        "options": {
            "pin": args.pin,
            "budget_s": args.budget,
            "methods": args.methods,
            "edits": args.edits,
            "sites": args.sites,
            "quick": args.quick,
        },
        "sites": {
            "count": len(sites),
            "files": len(texts),
            "sources": args.sources.split(","),
            "by_api": {a: sum(1 for s in sites if s.api == a) for a in sorted({s.api for s in sites})},
        },
        "big_class": {"lines": big_class(args.methods)[0].count("\n")},
        "runs": runs,
    }
    text = report(data)
    print(text)
    if args.out:
        Path(args.out).write_text(
            "# sheetls on real code: benchmark results\n\n"
            f"`python benchmarks/realworld_bench.py {' '.join(sys.argv[1:])}`\n\n" + text,
            encoding="utf-8",
        )
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    shutil.rmtree(opts.workdir, ignore_errors=True)
    failed = [n for n, r in runs.items() if "sites" not in r or "big_class" not in r]
    return 1 if failed else 0


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="bounded: 60 call sites, 2,500 methods, 20 edits")
    ap.add_argument("--servers", default="sheetls,jedi")
    ap.add_argument("--sources", default="stdlib-asyncio,test_asyncio,aiohttp,asyncssh,anyio,uvicorn,aiofiles")
    ap.add_argument("--sites", type=int, default=None, help="call sites at most (seeded sample)")
    ap.add_argument("--methods", type=int, default=None, help="methods in the big class (3 lines each)")
    ap.add_argument("--edits", type=int, default=None, help="edit-then-hover samples")
    ap.add_argument("--budget", type=float, default=None, help="seconds per metric (once it has 30 samples)")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--pin", dest="pin", action="store_true", default=None)
    ap.add_argument("--no-pin", dest="pin", action="store_false")
    ap.add_argument("--out")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    q = args.quick
    for k, v in {
        "sites": 60 if q else 600,
        "methods": 2500 if q else 12500,
        "edits": 20 if q else 200,
        "budget": 5.0 if q else 60.0,
    }.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    if args.pin is None:
        args.pin = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    return args


def main(argv=None) -> int:
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
