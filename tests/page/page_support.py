"""Helpers for the page tests (tests/page/): the tools, and one run of drive_page.js over the
page `sheetls export --format html` writes.

The tools are the VS Code tests' Debian Chromium and playwright-core (make vscode-setup),
axe-core pinned in tests/page/tools (make page-tools) and Debian's pdftotext (make page-apt);
`make page-setup` (which `make test` runs) installs them all. Missing ones skip the tests,
except under CI=true, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from vscode_support import PLAYWRIGHT_CORE

from tool_required import missing_tool

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DRIVER = HERE / "drive_page.js"
AXE = ROOT / ".tools" / "page-test" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("SHEETLS_PAGE_ARTIFACTS", ROOT / "test-artifacts" / "page"))


def find_tools() -> Dict[str, str]:
    found = {
        "node": shutil.which("node"),
        "chromium": shutil.which("chromium") or shutil.which("chromium-browser"),
        "pdftotext": shutil.which("pdftotext"),
        "playwright-core": str(PLAYWRIGHT_CORE) if (PLAYWRIGHT_CORE / "package.json").exists() else None,
        "axe-core": str(AXE) if AXE.exists() else None,
    }
    absent = [name for name, path in found.items() if not path]
    if absent:
        missing_tool(f"{', '.join(absent)} not installed: run `make page-setup` (or `make test`, which runs it)")
    return {k: str(v) for k, v in found.items()}


def sheetls(*args: str) -> bytes:
    proc = subprocess.run([sys.executable, "-m", "sheetls", *args], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


def drive(tools: Dict[str, str], page: Path, words: List[str], stem: str) -> Dict[str, Any]:
    """Run drive_page.js over `page`; fail the test with the step that failed."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    options = {"page": str(page), "artifacts": str(ARTIFACTS), "axe": tools["axe-core"], "words": words, "stem": stem}
    env = dict(os.environ, PLAYWRIGHT_CORE=tools["playwright-core"], CHROMIUM=tools["chromium"])
    env["HOME"] = str(page.parent)  # Chromium's profile and caches stay in the test's folder
    try:
        proc = subprocess.run(
            [tools["node"], str(DRIVER), json.dumps(options)], capture_output=True, text=True, env=env, timeout=600
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"drive_page.js did not finish in 600 s; stderr:\n{exc.stderr}", pytrace=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        pytest.fail(f"drive_page.js printed nothing (exit {proc.returncode}):\n{proc.stderr[-4000:]}", pytrace=False)
    data = json.loads(lines[-1])
    if not data.get("ok"):
        pytest.fail(
            f"the page scenario failed at {data.get('error')}\nsteps: {' -> '.join(data['steps'])}\n"
            f"screenshot: {data.get('failureScreenshot')}",
            pytrace=False,
        )
    return data


def pdf_pages(tools: Dict[str, str], pdf: str) -> List[str]:
    """The text of each page of a PDF, as pdftotext reads it."""
    out = subprocess.run([tools["pdftotext"], pdf, "-"], capture_output=True, text=True, timeout=60, check=True)
    pages = out.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages
