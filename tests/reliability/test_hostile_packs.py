"""Hostile packs (issue 8): a pack file from any repository cannot crash sheetls, hang it,
exhaust its memory or make it run code. Each kind gets a clear error naming the file, in
bounded memory (asserted: peak RSS of the whole `sheetls check` process) and time (the
`timeout` below only keeps a hang from stalling CI; SECURITY.md gives the measured times);
the server keeps serving the last good version of a pack.

Unreadable files: as root, chmod 000 is still readable, so the check runs under
`setpriv --bounding-set -dac_override,-dac_read_search` (util-linux), which takes root's
power to bypass file permissions away; as another user chmod 000 is enough.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest
from rawlsp import RawServer

CHECK_RSS_BOUND_MB = 200  # peak RSS of `sheetls check` on any one hostile file (worst measured: 104 MB)
SERVER_RSS_BOUND_MB = 300  # the server after loading all of them
HANG_GUARD_S = 300

GOOD = """\
id: {id}
title: Good pack
summary: A pack that loads.
sections:
  - id: main
    title: Main
    summary: The only section.
    entries:
      - id: good-entry
        title: Reliable greeting
        summary: Print a greeting.
        prefix: {prefix}
        body: |
          print("hello")
"""
MARKER_NAME = "code-was-executed"


def _bomb() -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        p, c = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _python_tags(marker: Path) -> str:
    return GOOD.format(id="evil", prefix="zzevil").replace(
        "summary: Print a greeting.",
        f'summary: !!python/object/apply:os.system ["touch {marker}"]\n'
        f'        note: !!python/object/new:subprocess.Popen [["touch", "{marker}"]]\n'
        f"        signature: !!python/name:os.system",
    )


def _write(path: Path, data) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _huge(path: Path) -> Path:  # 50 MB of real YAML text
    line = b"- " + b"x" * 98 + b"\n"
    with open(path, "wb") as f:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            f.write(line)
    return path


def _symlink_loop(path: Path) -> Path:
    other = path.with_name("loop-b.yaml")
    os.symlink(other.name, path)
    os.symlink(path.name, other)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _directory(path: Path) -> Path:
    path.mkdir()
    (path / "inside.yaml").write_text("not: [a pack\n")
    return path


def _unreadable(path: Path) -> Path:
    _write(path, GOOD.format(id="locked", prefix="zzlocked"))
    path.chmod(0)
    return path


# name -> (make(path) -> path, text the error must contain)
HOSTILE: Dict[str, Tuple[Callable[[Path], Path], str]] = {
    "invalid-yaml": (lambda p: _write(p, "id: x\nsections: [unclosed\n  - {a: \n"), "invalid YAML"),
    "wrong-types": (lambda p: _write(p, "id: 12\ntitle: [a, b]\nsummary: {}\nsections: nope\n"), "expected"),
    "deep-flow": (lambda p: _write(p, "a: " + "[" * 100_000 + "]" * 100_000 + "\n"), "nesting"),
    "deep-block": (
        lambda p: _write(p, "".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "x\n"),
        "nesting deeper than 32 levels",
    ),
    "alias-bomb": (lambda p: _write(p, _bomb()), "aliases (*name) are not allowed"),
    "huge-50MB": (_huge, "over the 8,388,608-byte limit"),
    "node-flood": (lambda p: _write(p, "- a\n" * 2_000_000), "more than 500,000 YAML values"),
    "long-int": (lambda p: _write(p, "schema: " + "9" * 5000 + "\n"), "cannot read !!int"),
    "binary": (lambda p: _write(p, bytes(range(256)) * 64), "binary file"),
    "latin-1": (lambda p: _write(p, "id: café\n".encode("latin-1")), "not UTF-8"),
    "utf-16": (lambda p: _write(p, GOOD.format(id="u16", prefix="zzu16").encode("utf-16")), "binary file"),
    "symlink-loop": (_symlink_loop, "Too many levels of symbolic links"),
    "fifo": (_fifo, "FIFO"),
    "unreadable": (_unreadable, "Permission denied"),
    "python-tags": (None, "tag !!python/object/apply:os.system is not allowed"),  # made with the marker path
    # Valid YAML whose example code or snippet is nested too deep for Python's parsers.
    "deep-expression": (
        lambda p: _write(
            p, GOOD.format(id="deep", prefix="zzdeep").replace('print("hello")', "x = " + "-" * 100_000 + "1")
        ),
        ("could not be read", "too deep", "nested"),
    ),
    "deep-snippet": (
        lambda p: _write(
            p,
            GOOD.format(id="deeps", prefix="zzdeeps").replace(
                'print("hello")', "print(" + "${1:" * 3000 + "x" + "}" * 3000 + ")"
            ),
        ),
        ("could not be read", "too deep", "nested"),
    ),
    # A 7 MB snippet body with a typo elsewhere: must be checked in bounded memory.
    "long-body": (
        lambda p: _write(
            p,
            GOOD.format(id="long", prefix="zzlong")
            .replace('print("hello")', 'x = "' + "x" * 7_000_000 + '"')
            .replace("title: Main", "title: [Main"),
        ),
        "invalid YAML",
    ),
    # VS Code snippet files (vscode_snippets.py): nesting, and a 2 MB body.
    "vscode-deep": (lambda p: _write(p, "[" * 100_000 + "]" * 100_000), "nesting deeper than"),
    "vscode-long-body": (
        lambda p: _write(
            p, json.dumps({"s": {"prefix": "zzvs", "body": "x" * 2_000_000, "scope": "python", "description": 12}})
        ),
        "description",
    ),
}

# Valid YAML that Python's parsers cannot take (ast.parse: MemoryError "parser stack
# overflowed"; snippet placeholders: RecursionError). These escaped load_pack and, in the
# server, left no index at all until packs.load_source learned to contain them (59c7e78).
# Kinds found to break a bound, marked xfail(strict=True) until fixed (the code is not the
# reliability owner's; the marker goes when the fix lands, strict makes sure of that).
KNOWN_CRASH: set = set()
_XFAIL = pytest.mark.xfail(
    strict=True,
    reason="vscode_snippets: a 2 MB snippet body takes ~400 MB to check "
    "(1 MB: 208 MB, 8 MB: 1.5 GB); the YAML reader takes 42 MB for the same body",
)


def kinds():
    return [pytest.param(k, marks=_XFAIL) if k in KNOWN_CRASH else k for k in HOSTILE]


def privilege_prefix() -> List[str]:
    """A command prefix under which chmod 000 really is unreadable."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("running as root needs setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


def make(kind: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (f"{kind}.code-snippets" if kind.startswith("vscode-") else f"{kind}.yaml")
    if kind == "python-tags":
        return _write(path, _python_tags(folder / MARKER_NAME))
    return HOSTILE[kind][0](path)


# Named explicitly, a FIFO or a link loop is reported by packs.discover() as "no such file or
# folder" (os.path.isfile is False); found in a pack folder, it reaches the reader, which must
# refuse it without blocking. These two are checked the second way.
FOLDER_SCAN = {"fifo", "symlink-loop"}


# `sheetls check` with its own peak RSS reported at exit. VmHWM is the high-water mark of the
# process's own memory; getrusage/wait4 ru_maxrss would not do: Linux carries the parent's
# (pytest's) RSS over into a child across fork and exec.
_CHECK_WITH_PEAK = """
import atexit, sys
def _peak():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                sys.stderr.write("peak-rss-kb " + line.split()[1] + "\\n")
atexit.register(_peak)
sys.argv = ["sheetls"] + sys.argv[1:]
from sheetls.cli import main
main()
"""


def run_check(path: Path) -> Tuple[int, str, str, float, int]:
    """`sheetls check path`: (exit code, stdout, stderr, seconds, peak RSS in MB)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(
        privilege_prefix() + [sys.executable, "-c", _CHECK_WITH_PEAK, "check", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = proc.communicate(timeout=HANG_GUARD_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"sheetls check hung on {path.name}")
    seconds = time.monotonic() - t0
    err = err.decode()
    peaks = [int(line.split()[1]) for line in err.splitlines() if line.startswith("peak-rss-kb ")]
    assert peaks, err
    err = "\n".join(line for line in err.splitlines() if not line.startswith("peak-rss-kb "))
    return proc.returncode, out.decode(), err, seconds, peaks[0] // 1024


@pytest.fixture(autouse=True)
def _drop_big_files(tmp_path):
    """pytest keeps the temp folders of recent runs: do not leave 50 MB packs behind."""
    yield
    for path in tmp_path.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_size > 1024 * 1024:
                path.unlink()
        except OSError:
            pass


MEASURED: Dict[str, Tuple[float, int]] = {}


@pytest.mark.parametrize("kind", kinds())
def test_sheetls_check_names_the_file_and_stays_bounded(tmp_path, kind):
    path = make(kind, tmp_path / "packs")
    code, out, err, seconds, rss = run_check(path.parent if kind in FOLDER_SCAN else path)
    MEASURED[kind] = (seconds, rss)
    print(f"\n{kind}: {seconds:.2f} s, peak RSS {rss} MB")
    assert code == 1, (out, err)
    assert "Traceback" not in err, err
    expected = HOSTILE[kind][1]
    assert str(path) in err and any(e in err for e in ((expected,) if isinstance(expected, str) else expected)), err
    assert 0 < rss < CHECK_RSS_BOUND_MB, f"{kind}: peak RSS {rss} MB"
    assert not (tmp_path / "packs" / MARKER_NAME).exists(), "a pack made sheetls run code"


@pytest.mark.parametrize(
    "make_it, kind",
    [
        (lambda p: _directory(p), "a directory"),
        (lambda p: _fifo(p), "a FIFO"),
        (lambda p: Path("/dev/zero"), "a device"),
    ],
)
def test_the_reader_refuses_what_is_not_a_regular_file_without_blocking(tmp_path, make_it, kind):
    from sheetls.yaml_source import YamlError, read_text

    path = make_it(tmp_path / "odd.yaml")
    with pytest.raises(YamlError) as info:
        read_text(str(path))
    assert f"it is {kind}, not a regular file" in info.value.message


def test_the_server_serves_good_packs_beside_hostile_ones_and_names_each_bad_file(tmp_path):
    hostile = tmp_path / "hostile"
    paths = [make(kind, hostile) for kind in HOSTILE if kind not in KNOWN_CRASH]
    good = _write(tmp_path / "good.yaml", GOOD.format(id="good", prefix="zzgreet"))
    with RawServer(prefix=privilege_prefix()) as srv:
        srv.initialize(options={"packs": [str(good)] + [str(p) for p in paths]})
        uri = "file:///tmp/reliability/hostile.py"
        srv.open(uri, "import asyncio\n\nasync def main():\n    zzgr\n    aio\n")
        answer = srv.call(
            "textDocument/completion",
            {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 8}},
            timeout=HANG_GUARD_S,
        )
        assert [i["label"] for i in answer["result"]["items"]] == ["zzgreet"]
        answer = srv.call(
            "textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 7}}
        )
        assert len(answer["result"]["items"]) == 6  # the built-in sheet
        told = "\n".join(str(n.get("params")) for n in srv.notifications)
        for path in paths:
            assert path.name in told, f"no message names {path.name}"
        rss = srv.rss_kb() // 1024
        print(f"\nserver RSS with {len(paths)} hostile packs loaded: {rss} MB")
        assert rss < SERVER_RSS_BOUND_MB
        assert srv.shutdown_and_exit() == 0
    assert not (hostile / MARKER_NAME).exists(), "a pack made sheetls run code"


@pytest.mark.parametrize(
    "kind", ["alias-bomb", "python-tags", "binary", "huge-50MB", "invalid-yaml", "node-flood", "deep-expression"]
)
def test_a_pack_turned_hostile_keeps_its_last_good_version(tmp_path, kind):
    live = _write(tmp_path / "live.yaml", GOOD.format(id="live", prefix="zzlive"))
    uri = "file:///tmp/reliability/live.py"
    where = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 4}}
    with RawServer() as srv:
        srv.initialize(options={"packs": [str(live)]})
        srv.open(uri, "zzli\n")
        assert [i["label"] for i in srv.call("textDocument/completion", where)["result"]["items"]] == ["zzlive"]

        live.unlink()
        bad = make(kind, tmp_path / "bad")
        os.rename(bad, live)
        answer = srv.call(
            "workspace/executeCommand", {"command": "sheetls.reload", "arguments": []}, timeout=HANG_GUARD_S
        )
        assert "error" not in answer, answer
        assert [i["label"] for i in srv.call("textDocument/completion", where)["result"]["items"]] == ["zzlive"]
        assert any(str(live) in str(n.get("params")) for n in srv.notifications), "the error must name the file"

        if live.is_dir():
            shutil.rmtree(live)
        else:
            live.unlink()
        _write(live, GOOD.format(id="live", prefix="zzlivenew"))
        srv.call("workspace/executeCommand", {"command": "sheetls.reload", "arguments": []})
        assert [i["label"] for i in srv.call("textDocument/completion", where)["result"]["items"]] == ["zzlivenew"]
        assert srv.shutdown_and_exit() == 0
    assert not (tmp_path / "bad" / MARKER_NAME).exists()


@pytest.mark.parametrize("kind", ["deep-expression", "deep-snippet"])
def test_a_pack_that_trips_the_validator_does_not_take_the_sheet_down(tmp_path, kind):
    path = make(kind, tmp_path)
    good = _write(tmp_path / "good.yaml", GOOD.format(id="good", prefix="zzgreet"))
    with RawServer() as srv:
        srv.initialize(options={"packs": [str(path), str(good)]})
        uri = "file:///tmp/reliability/validator.py"
        srv.open(uri, "zzgr\naio\n")
        first = srv.call(
            "textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 4}}
        )
        builtin = srv.call(
            "textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 3}}
        )
        assert srv.shutdown_and_exit() == 0
    assert [i["label"] for i in (first["result"] or {}).get("items", [])] == ["zzgreet"]
    assert len((builtin["result"] or {}).get("items", [])) == 6


def test_a_fifo_in_a_pack_folder_does_not_hang_the_server(tmp_path):
    """pack_service re-read a pack with errors with open() for diagnostics: on a FIFO that
    blocked the server forever (fixed in d3c6ff5: it reads through yaml_source.read_text)."""
    folder = tmp_path / "packs"
    make("fifo", folder)
    _write(folder / "good.yaml", GOOD.format(id="good", prefix="zzgreet"))
    with RawServer() as srv:
        srv.initialize(options={"packs": [str(folder)]})
        uri = "file:///tmp/reliability/fifo-folder.py"
        srv.open(uri, "zzgr\n")
        try:
            answer = srv.call(
                "textDocument/completion",
                {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 4}},
                timeout=20,
            )
        finally:
            srv.proc.kill()  # a hung server would never read shutdown
        assert [i["label"] for i in answer["result"]["items"]] == ["zzgreet"]
