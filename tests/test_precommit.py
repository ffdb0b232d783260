"""sheetls as a pre-commit hook (.pre-commit-hooks.yaml), run by the real pre-commit (the `test`
extra pins it) on a temporary git repository whose .pre-commit-config.yaml points at this
repository as a local path at its HEAD commit: pre-commit clones it and pip-installs it into its
own virtualenv (from PyPI: sheetls's dependencies and its build backend), as it would from
GitHub. Slow (the first run builds that environment); the environment is shared by this module's
tests (one PRE_COMMIT_HOME). Under CI=true a missing pre-commit or git fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tool_required import missing_tool

pytestmark = pytest.mark.slow  # pre-commit builds a virtualenv with sheetls in it: not in make test-fast

ROOT = Path(__file__).resolve().parents[1]

BAD = """\
import asyncio
import time


async def main():
    time.sleep(1)


asyncio.run(main())
"""

GOOD = BAD.replace("    time.sleep(1)", "    await asyncio.sleep(1)")


def _pre_commit() -> list:
    exe = Path(sys.executable).parent / "pre-commit"
    if exe.exists():
        return [str(exe)]
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        missing_tool("pre-commit is not installed (pip install -e '.[test]')")
    return [sys.executable, "-m", "pre_commit"]


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=60).stdout


@pytest.fixture(scope="module")
def head() -> str:
    """This repository's HEAD commit, which must carry the hooks file (pre-commit reads it there)."""
    if shutil.which("git") is None:
        missing_tool("git is not installed")
    sha = _git("rev-parse", "HEAD", cwd=ROOT).strip()
    shown = subprocess.run(["git", "cat-file", "-e", f"{sha}:.pre-commit-hooks.yaml"], cwd=ROOT, check=False)
    if shown.returncode != 0:
        pytest.fail(f"HEAD {sha[:10]} has no .pre-commit-hooks.yaml (commit it: pre-commit clones HEAD)")
    return sha


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "VIRTUAL_ENV"))}
    env["PRE_COMMIT_HOME"] = str(home)
    env["PRE_COMMIT_COLOR"] = "never"
    return env


def _repo(tmp_path: Path, head: str, hook: str, text: str) -> Path:
    repo = tmp_path / "user-repo"
    repo.mkdir()
    _git("init", "-q", cwd=repo)
    (repo / "app.py").write_text(text, encoding="utf-8")
    # Not Python: the hook's `types: [python]` keeps it away from this file.
    (repo / "notes.txt").write_text("async def main():\n    time.sleep(1)\n", encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT.as_posix()}\n    rev: {head}\n    hooks:\n      - id: {hook}\n", encoding="utf-8"
    )
    _git("add", "-A", cwd=repo)
    return repo


def _run(repo: Path, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*_pre_commit(), "run", "--all-files"],
        cwd=repo,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=1200,  # the first run clones and pip-installs sheetls
    )


def _output(done: subprocess.CompletedProcess) -> str:
    return f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"


def test_the_lint_hook_fails_on_a_finding_and_prints_it(tmp_path, head, home):
    repo = _repo(tmp_path, head, "sheetls-lint", BAD)
    done = _run(repo, home)
    assert done.returncode == 1, _output(done)
    assert "sheetls lint" in done.stdout and "Failed" in done.stdout, _output(done)
    assert "app.py:6:5: SHEET101 [*] `time.sleep()` blocks the event loop" in done.stdout, _output(done)
    assert "notes.txt" not in done.stdout, _output(done)
    assert (repo / "app.py").read_text(encoding="utf-8") == BAD  # the lint hook changes nothing


def test_the_lint_hook_passes_a_clean_file(tmp_path, head, home):
    repo = _repo(tmp_path, head, "sheetls-lint", GOOD)
    done = _run(repo, home)
    assert done.returncode == 0, _output(done)
    assert "Passed" in done.stdout and "SHEET" not in done.stdout, _output(done)


def test_the_fix_hook_rewrites_the_file_then_passes(tmp_path, head, home):
    repo = _repo(tmp_path, head, "sheetls-fix", BAD)
    done = _run(repo, home)
    assert done.returncode == 1, _output(done)  # pre-commit fails a hook that changed a file
    assert "files were modified by this hook" in done.stdout, _output(done)
    assert (repo / "app.py").read_text(encoding="utf-8") == GOOD
    again = _run(repo, home)
    assert again.returncode == 0, _output(again)
