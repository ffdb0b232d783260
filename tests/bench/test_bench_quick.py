"""The benchmark works: `benchmarks/bench.py --quick` drives the real servers
(floor, floor with sheetls's line store, sheetls, jedi-language-server) over stdio, checks their answers and
prints the table. Speed is never asserted here; only that the benchmark runs
and every server answered correctly."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import generate  # benchmarks/ (pytest pythonpath)

ROOT = Path(__file__).resolve().parents[2]

SERVERS = ["floor", "floor-lines", "sheetls", "jedi"]


def test_generated_files_are_python_with_probes_on_the_apis():
    for n in (100, 1000, 10000):
        f = generate.python_file(n)
        assert f.text.count("\n") == n
        ast.parse(f.text)
        lines = f.text.split("\n")
        for p in f.hovers:
            line16 = lines[p.line].encode("utf-16-le")
            before = line16[: (p.character - 1) * 2].decode("utf-16-le")
            assert lines[p.line][len(before) :].startswith(p.api)
        assert {p.api for p in generate.spread_hovers(f)} == set(generate.TITLE_BY_API)
        assert lines[f.typing.line][: f.typing.character].endswith("aio")
        assert lines[f.scratch.line].lstrip().startswith("#")
    spelled = generate.python_file(1000).text
    for spelling in (
        "import asyncio\n",
        "import asyncio as aio\n",
        "from asyncio import open_connection\n",
        "loop = asyncio.get_running_loop()",
        "loop.run_in_executor(",
    ):
        assert spelling in spelled


def test_quick_benchmark_produces_the_table_with_correct_answers(tmp_path):
    out_md = tmp_path / "RESULTS.md"
    out_json = tmp_path / "results.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench.py"),
            "--quick",
            "--servers",
            ",".join(SERVERS),
            "--out",
            str(out_md),
            "--json",
            str(out_json),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = proc.stdout
    data = json.loads(out_json.read_text())
    assert data["wrong_total"] == dict.fromkeys(SERVERS, 0), (data["errors"], proc.stderr[-3000:])
    assert proc.returncode == 0, proc.stderr[-3000:]

    # The summary table: a header and one row per server, ratios to the floor.
    table = [l for l in report.splitlines() if l.startswith("| ")]
    assert table[0].startswith("| server | initialize | first answer | hover @1,000")
    for s in SERVERS:
        assert any(l.startswith(f"| {s} (") for l in table), s
    assert "(×" in report
    assert "all correct" in report and "wrong**" not in report
    assert out_md.read_text().startswith("# sheetls benchmark results")

    # Every server ran every metric at every size, with samples.
    (rnd,) = data["rounds"]
    for s in SERVERS:
        metrics = rnd[s]["metrics"]
        for size in (100, 1000):
            for m in ("hover", "completion", "edit+hover", "edit+completion"):
                assert metrics[f"{m}@{size}"]["n"] > 0, (s, m, size)
        assert rnd[s]["rss_mb"] > 0
        assert rnd[s]["initialize_ms"] > 0
    # The pack benchmark ran for the servers that take packs.
    (prnd,) = data["pack_rounds"]
    for s in ("floor", "floor-lines", "sheetls"):
        assert prnd[s]["completion"]["n"] > 0 and prnd[s]["wrong"] == 0, prnd[s]


def test_percentiles_are_nearest_rank():
    """The p99 of 100 samples is the 99th smallest, not the maximum (one stall of a shared
    machine): nearest rank, ceil(q/100 * n)."""
    from bench import pct

    hundred = [float(x) for x in range(1, 101)]
    assert (pct(hundred, 50), pct(hundred, 90), pct(hundred, 99)) == (50, 90, 99)
    assert pct([float(x) for x in range(1, 1001)], 99) == 990
    assert pct([float(x) for x in range(1, 11)], 99) == 10
    assert pct([3.0], 50) == 3.0
