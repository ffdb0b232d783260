"""The command line with packs (issue 7): `sheetls check` on every pack kind, `list` and
`show` across packs, `export` of extra packs."""

from __future__ import annotations

import json
import subprocess
import sys

from packs_support import CODE_SNIPPETS, COLLIDING_YAML, TEAM_YAML, write_friendly


def sheetls(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sheetls", *args], capture_output=True, text=True, timeout=120)


def test_check_reads_every_pack_kind_in_a_folder(tmp_path):
    (tmp_path / "team.yaml").write_text(TEAM_YAML)
    (tmp_path / "team.code-snippets").write_text(CODE_SNIPPETS)
    write_friendly(tmp_path / "friendly-snippets")
    proc = sheetls("check", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines == [
        f"{tmp_path / 'friendly-snippets'}: ok (3 entries)",  # files for other languages are not read
        f"{tmp_path / 'team.code-snippets'}: ok (3 entries; 1 for other languages left out)",
        f"{tmp_path / 'team.yaml'}: ok (1 entries)",
    ]


def test_check_reports_vscode_errors_with_file_line_and_field(tmp_path):
    bad = tmp_path / "bad.code-snippets"
    bad.write_text('{\n  "Hello": {\n    "prefix": 42,\n    "body": "print()"\n  }\n}\n')
    proc = sheetls("check", str(bad))
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"{bad}:3: Hello.prefix: expected a non-empty string or a list of non-empty strings"


def test_check_a_missing_path_fails(tmp_path):
    proc = sheetls("check", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 1 and "no such file or folder" in proc.stderr


def test_list_names_the_pack_when_several_are_loaded(tmp_path):
    (tmp_path / "team.yaml").write_text(TEAM_YAML)
    alone = sheetls("list").stdout.splitlines()
    assert alone[0].split()[0] == "aioopen" and len(alone) == 6
    assert alone[0].split(None, 1)[1].startswith("Open a TCP connection")
    both = sheetls("list", "--pack", str(tmp_path / "team.yaml")).stdout.splitlines()
    assert both[0].split()[:2] == ["asyncio-streams", "aioopen"]
    assert both[-1].split()[:2] == ["team-patterns", "aiogather"] and both[-1].endswith("tasks, gather")
    only = sheetls("list", "--no-builtin", "--pack", str(tmp_path / "team.yaml")).stdout.splitlines()
    assert [row.split()[0] for row in only] == ["aiogather"]


def test_show_prints_every_pack_entry_with_the_prefix(tmp_path):
    (tmp_path / "net.yaml").write_text(COLLIDING_YAML)
    proc = sheetls("show", "aioopen", "--pack", str(tmp_path / "net.yaml"))
    assert proc.returncode == 0
    assert "[pack asyncio-streams]\nOpen a TCP connection" in proc.stdout
    assert "[pack our-net]\nOpen a connection with a timeout" in proc.stdout
    assert 'asyncio.wait_for(asyncio.open_connection("localhost", 8080), 5)' in proc.stdout
    single = sheetls("show", "aioopen")
    assert single.stdout.startswith("Open a TCP connection\n") and "[pack" not in single.stdout
    missing = sheetls("show", "nosuch")
    assert missing.returncode == 1 and "no entry with prefix 'nosuch'" in missing.stderr


def test_export_of_extra_packs(tmp_path):
    (tmp_path / "team.code-snippets").write_text(CODE_SNIPPETS)
    proc = sheetls("export", "--format", "vscode", "--no-builtin", "--pack", str(tmp_path / "team.code-snippets"))
    assert proc.returncode == 0, proc.stderr
    snippets = json.loads(proc.stdout)
    # a VS Code snippet exports as it is (its body, not a program); one snippet per prefix
    assert snippets["Timeout block"]["body"] == [
        "async with asyncio.timeout(${1:10}):",
        "    ${2:await asyncio.sleep(1)}$0",
    ]
    assert [s["prefix"] for s in snippets.values()] == ["aiotimeout", "timeout", "ifmain"]
    md = sheetls("export", "--format", "markdown", "--pack", str(tmp_path / "team.code-snippets")).stdout
    assert md.index("# Python asyncio Streams and Subprocesses") < md.index("# team.code-snippets")


def test_export_fails_on_a_broken_pack_but_still_writes(tmp_path):
    bad = tmp_path / "bad.code-snippets"
    bad.write_text('{"Ok": {"prefix": "okay", "body": "pass"}, "Bad": {"prefix": "bad"}}')
    proc = sheetls("export", "--format", "json", "--pack", str(bad))
    assert proc.returncode == 1 and "Bad.body: required field is missing" in proc.stderr
    assert "okay" in proc.stdout


def test_export_rejects_an_unknown_format():
    proc = sheetls("export", "--format", "pdf")
    assert proc.returncode == 2 and "invalid choice: 'pdf'" in proc.stderr
