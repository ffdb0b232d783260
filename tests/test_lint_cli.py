"""`sheetls lint`: output formats, exit codes, --select/--ignore, .gitignore, --fix written
atomically."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

from sheetls.cli import main

BAD = (
    "import asyncio\nimport time\n\n\nasync def main():\n    time.sleep(1)\n"
    "    await asyncio.get_event_loop().run_in_executor(None, f, x=1)\n"
)
CLEAN = "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n"


def lint(capsys, *args: str) -> Tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["lint", *args])
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "bad.py").write_text(BAD, encoding="utf-8")
    (tmp_path / "clean.py").write_text(CLEAN, encoding="utf-8")
    return tmp_path


def test_text_output_and_exit_codes(capsys, project):
    code, out, _ = lint(capsys, str(project / "bad.py"), "--python", "3.12")
    assert code == 1
    lines = out.splitlines()
    path = str(project / "bad.py")
    assert lines[0] == (
        f"{path}:6:5: SHEET101 [*] `time.sleep()` blocks the event loop inside `async def`; use `await asyncio.sleep()`"
    )
    assert lines[1].startswith(f"{path}:7:11: SHEET205 [*] ")
    assert lines[2].startswith(f"{path}:7:11: SHEET206 [*] ")
    assert lines[-1] == "Found 3 errors (3 fixable with --fix)."
    code, out, _ = lint(capsys, str(project / "clean.py"))
    assert (code, out) == (0, "")


def test_json_output_in_ruffs_shape(capsys, project):
    code, out, _ = lint(capsys, str(project / "bad.py"), "--output-format", "json", "--select", "SHEET101")
    assert code == 1
    [item] = json.loads(out)
    assert item["code"] == "SHEET101"
    assert item["filename"] == str((project / "bad.py").resolve())
    assert item["location"] == {"row": 6, "column": 5}
    assert item["end_location"] == {"row": 6, "column": 18}
    assert item["url"] == "https://docs.python.org/3/library/asyncio-task.html#asyncio.sleep"
    assert item["fix"]["applicability"] == "safe"
    assert {"content": "await asyncio.sleep", "location": {"row": 6, "column": 5}}.items() <= item["fix"]["edits"][
        0
    ].items()


def test_github_output(capsys, project):
    code, out, _ = lint(capsys, str(project / "bad.py"), "--output-format", "github", "--select", "SHEET101")
    assert code == 1
    assert out.startswith(f"::warning title=sheetls (SHEET101),file={project / 'bad.py'},line=6,col=5,endLine=6,")


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--select", "SHEET101"], ["SHEET101"]),
        (["--select", "SHEET2"], ["SHEET205", "SHEET206"]),
        (["--ignore", "SHEET206,SHEET101"], ["SHEET205"]),
        (["--select", "SHEET1,SHEET205", "--ignore", "SHEET101"], ["SHEET205"]),
        (["--select", "SHEET104"], []),
    ],
)
def test_select_and_ignore(capsys, project, args, expected):
    code, out, _ = lint(capsys, str(project / "bad.py"), "--output-format", "json", *args)
    assert [item["code"] for item in json.loads(out)] == expected
    assert code == (1 if expected else 0)


def test_fix_rewrites_the_file_and_reports(capsys, project):
    code, out, _ = lint(capsys, str(project), "--fix")
    assert code == 0, out
    assert "Fixed 3 errors." in out
    text = (project / "bad.py").read_text(encoding="utf-8")
    assert text == (
        "import asyncio\nimport functools\nimport time\n\n\nasync def main():\n    await asyncio.sleep(1)\n"
        "    await asyncio.get_running_loop().run_in_executor(None, functools.partial(f, x=1))\n"
    )
    assert (project / "clean.py").read_text(encoding="utf-8") == CLEAN
    assert sorted(os.listdir(project)) == ["bad.py", "clean.py"]  # no temporary file left


def test_fix_runs_again_on_what_a_fix_made_resolvable(capsys, tmp_path):
    path = tmp_path / "m.py"
    path.write_text("import time\nasync def f():\n    time.sleep(1)\n    asyncio.get_event_loop()\n", encoding="utf-8")
    code, out, _ = lint(capsys, str(path), "--fix")
    assert code == 0, out
    assert "    await asyncio.sleep(1)\n    asyncio.get_running_loop()\n" in path.read_text(encoding="utf-8")
    assert "Fixed 2 errors." in out


def test_fix_leaves_what_it_cannot_fix_and_exits_1(capsys, tmp_path):
    path = tmp_path / "m.py"
    path.write_text("import os, time\nasync def f():\n    time.sleep(1)\n    os.popen('ls')\n", encoding="utf-8")
    code, out, _ = lint(capsys, str(path), "--fix")
    assert code == 1
    assert "SHEET102" in out and "SHEET101" not in out and "Fixed 1 error." in out
    assert "    await asyncio.sleep(1)\n" in path.read_text(encoding="utf-8")


def test_fix_is_atomic(capsys, project, monkeypatch):
    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        main(["lint", str(project / "bad.py"), "--fix"])
    assert (project / "bad.py").read_text(encoding="utf-8") == BAD
    assert sorted(os.listdir(project)) == ["bad.py", "clean.py"]


def test_fix_keeps_a_byte_order_mark(capsys, tmp_path):
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbfimport asyncio, time\nasync def f():\n    time.sleep(1)\n")
    assert lint(capsys, str(path), "--fix")[0] == 0
    assert path.read_bytes() == b"\xef\xbb\xbfimport asyncio, time\nasync def f():\n    await asyncio.sleep(1)\n"


def test_fix_keeps_line_endings_and_mode(capsys, tmp_path):
    path = tmp_path / "crlf.py"
    path.write_bytes(b"import asyncio, time\r\nasync def f():\r\n    time.sleep(1)\r\n")
    path.chmod(0o755)
    lint(capsys, str(path), "--fix")
    assert path.read_bytes() == b"import asyncio, time\r\nasync def f():\r\n    await asyncio.sleep(1)\r\n"
    assert path.stat().st_mode & 0o777 == 0o755


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_folders_respect_gitignore_and_skip_tool_folders(capsys, tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("generated/\n", encoding="utf-8")
    for rel in ("src/a.py", "generated/b.py", ".venv/lib/c.py", "node_modules/d.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(BAD, encoding="utf-8")
    code, out, _ = lint(capsys, str(tmp_path), "--output-format", "json", "--select", "SHEET101")
    assert code == 1
    files = sorted({Path(item["filename"]).relative_to(tmp_path.resolve()).as_posix() for item in json.loads(out)})
    assert files == ["src/a.py"]
    # a file named on the command line is checked even when ignored
    code, out, _ = lint(capsys, str(tmp_path / "generated" / "b.py"), "--select", "SHEET101")
    assert code == 1


def test_unreadable_and_broken_files(capsys, tmp_path):
    (tmp_path / "broken.py").write_text("async def f(:\n", encoding="utf-8")
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9'\n")
    code, out, err = lint(capsys, str(tmp_path))
    assert code == 2 and out == "" and "latin.py" in err


def test_noqa_in_files(capsys, tmp_path):
    path = tmp_path / "m.py"
    path.write_text("import time\nasync def f():\n    time.sleep(1)  # noqa: ASYNC251\n", encoding="utf-8")
    assert lint(capsys, str(path))[0] == 0


def test_the_lint_command_is_loaded_lazily():
    code = (
        "import sys, sheetls.cli; sheetls.cli.build_parser(); "
        "print(sorted(m for m in sys.modules if 'diagnostics' in m))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_console_script(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(BAD, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "sheetls", "lint", str(path), "--select", "SHEET101"], capture_output=True, text=True
    )
    assert done.returncode == 1
    lines: List[str] = done.stdout.splitlines()
    assert lines[0].startswith(f"{path}:6:5: SHEET101 ")
