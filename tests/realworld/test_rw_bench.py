"""benchmarks/realworld_bench.py works (make bench runs it in full, bench-quick bounded): a tiny
run against sheetls alone produces both tables with correct answers. Speed is never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.realworld
ROOT = Path(__file__).resolve().parents[2]


def test_realworld_benchmark_runs_and_answers(tmp_path):
    out = tmp_path / "rw.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "realworld_bench.py"),
            "--servers",
            "sheetls",
            "--sources",
            "stdlib-asyncio",
            "--sites",
            "12",
            "--methods",
            "600",
            "--edits",
            "6",
            "--budget",
            "2",
            "--no-pin",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "**Corpus call sites**" in proc.stdout and "class body" in proc.stdout
    data = json.loads(out.read_text())
    run = data["runs"]["sheetls"]
    assert data["sites"]["count"] == 12 and run["sites"]["hover"]["n"] == 12
    assert data["big_class"]["lines"] == 600 * 3 + 4
    big = run["big_class"]["edit+hover"]
    assert big["n"] == 6 and big["answered"] == 6, run
