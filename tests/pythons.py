"""The CPython interpreters the sheet is checked on: every minor version from the oldest the
project supports (pyproject's requires-python) to the newest this machine has, from pyenv
(/root/.pyenv/versions/X.Y.Z/bin/python3, or PYENV_ROOT). One missing fails under CI=true and
skips elsewhere (tool_required.py)."""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Dict, List, Tuple

from tool_required import missing_tool

ROOT = Path(__file__).resolve().parents[1]
PYENV = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"
# The newest CPython the checks expect on a test machine (3.14's signatures are checked against
# typeshed's stubs: tests/data/asyncio-signatures-typeshed.json).
NEWEST_RUN = (3, 13)


def oldest_supported() -> Tuple[int, int]:
    m = re.search(r'requires-python\s*=\s*">=\s*(\d+)\.(\d+)"', (ROOT / "pyproject.toml").read_text())
    return int(m.group(1)), int(m.group(2))


def wanted() -> List[Tuple[int, int]]:
    lo = oldest_supported()
    return [(3, minor) for minor in range(lo[1], NEWEST_RUN[1] + 1)]


def find(version: Tuple[int, int]) -> str:
    """The newest pyenv install of 3.X, or ""."""
    found = []
    for path in glob.glob(str(PYENV / f"{version[0]}.{version[1]}.*" / "bin" / "python3")):
        m = re.search(r"/(\d+)\.(\d+)\.(\d+)/bin/python3$", path)
        if m and os.access(path, os.X_OK):
            found.append((int(m.group(3)), path))
    return max(found)[1] if found else ""


VERSIONS = wanted()
IDS = [f"{v[0]}.{v[1]}" for v in VERSIONS]


def python(version: Tuple[int, int]) -> str:
    """The interpreter for `version`, or fail (CI) / skip (elsewhere)."""
    path = find(version)
    if not path:
        missing_tool(
            f"CPython {version[0]}.{version[1]} is not installed under {PYENV}"
            f" (pyenv install {version[0]}.{version[1]})"
        )
    return path


def run(version: Tuple[int, int], code: str, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    """Run `code` under that CPython with a timeout (a hang is a failure, not a stuck suite)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [python(version), "-c", code], capture_output=True, text=True, timeout=timeout, env=kw.pop("env", env), **kw
    )


def run_json(version: Tuple[int, int], code: str, timeout: float = 60) -> Dict:
    """Run a script that prints one JSON object as its last line; return it."""
    proc = run(version, code, timeout)
    assert proc.returncode == 0, f"{version}: exit {proc.returncode}\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])
