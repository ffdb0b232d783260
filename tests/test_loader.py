"""The loader's errors name the file, the line and the field, for each kind of bad pack;
`sheetls check` reports them and exits non-zero (issue 2)."""

import subprocess
import sys
from pathlib import Path

import pytest

from lsp_helpers import PREFIXES
from sheetls.loader import builtin_sheet_path, load_pack

SOURCE = Path(builtin_sheet_path()).read_text(encoding="utf-8")


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based line of the nth occurrence of needle."""
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return text[:pos].count("\n") + 1


def bad_pack(tmp_path, old: str, new: str, count: int = 1) -> Path:
    assert old in SOURCE, old
    path = tmp_path / "bad.yaml"
    path.write_text(SOURCE.replace(old, new, count), encoding="utf-8")
    return path


def errors_of(path: Path):
    result = load_pack(str(path))
    assert result.errors, "expected the pack to be rejected"
    return result.errors


def test_builtin_sheet_is_valid():
    result = load_pack(builtin_sheet_path())
    assert result.ok, [str(e) for e in result.errors]
    assert [e.prefix for e in result.sheet.entries] == PREFIXES  # the tests' one list of them


CASES = [
    # (description, old, new, expected field, message fragment, line needle in the NEW text)
    (
        "missing required field",
        "        prefix: aioserver\n",
        "",
        "sections[0].entries[1].prefix",
        "required field is missing",
        "      - id: start-tcp-server",
    ),
    (
        "wrong type",
        "        tags: [streams, tcp, client]",
        "        tags: streams",
        "sections[0].entries[0].tags",
        "expected a list",
        "        tags: streams",
    ),
    (
        "unknown key",
        "        note: High-level",
        "        notes: High-level",
        "sections[0].entries[0].notes",
        "unknown field 'notes'",
        "        notes: High-level",
    ),
    (
        "duplicate prefix",
        "prefix: aioshell",
        "prefix: aioexec",
        "sections[1].entries[1].prefix",
        "duplicate prefix 'aioexec' (first defined at line",
        "prefix: aioexec\n        apis: [asyncio.create_subprocess_shell]",
    ),
    (
        "duplicate id",
        "id: subprocess-shell",
        "id: subprocess-exec",
        "sections[1].entries[1].id",
        "duplicate entry id 'subprocess-exec'",
        "id: subprocess-exec\n        title: Run a shell",
    ),
    (
        "bad prefix",
        "prefix: aiothread",
        "prefix: aio-thread",
        "sections[2].entries[0].prefix",
        "expected a trigger word",
        "prefix: aio-thread",
    ),
    (
        "unbalanced placeholder",
        "${4:200}), timeout=${5:10})",
        "${4:200), timeout=10)",
        "sections[0].entries[0].body",
        "unclosed '${'",
        "          data = await asyncio.wait_for(reader.read",
    ),
    (
        "unescaped dollar",
        'print(result)$0\n        note: "`asyncio',
        'print($ result)$0\n        note: "`asyncio',
        "sections[2].entries[0].body",
        "unescaped '$'",
        "print($ result)",
    ),
    (
        "unknown variable",
        'print(result)$0\n        note: "`asyncio',
        'print($result)$0\n        note: "`asyncio',
        "sections[2].entries[0].body",
        "unknown snippet variable '$result'",
        "print($result)",
    ),
    (
        "unescaped brace",
        "          print(stdout.decode())$0",
        "          print(stdout.decode())}$0",
        "sections[1].entries[1].body",
        "unescaped '}'",
        "print(stdout.decode())}",
    ),
    (
        "unescaped backslash",
        'b"GET / HTTP/1.1\\\\r',
        'b"GET / HTTP/1.1\\r',
        "sections[0].entries[0].body",
        "unescaped '\\'",
        "writer.write(${3:",
    ),
    (
        "example not Python",
        "          stdout, _ = await asyncio.wait_for(proc.communicate(), timeout=${2:30})",
        "          stdout, _ = await asyncio.wait_for(proc.communicate(), timeout=${2:30}",
        "sections[1].entries[1].body",
        "not valid Python",
        "          stdout, _ = await asyncio.wait_for(proc.communicate(), timeout=${2:30}\n",
    ),
    # versions (issue 14)
    (
        "unquoted version",
        '        added: "3.9"',
        "        added: 3.10",
        "sections[2].entries[0].added",
        'a Python version in quotes, like "3.13" (unquoted, YAML reads it as the number 3.1)',
        "        added: 3.10",
    ),
    (
        "version not a version",
        '        added: "3.9"',
        '        added: "3.9.1"',
        "sections[2].entries[0].added",
        "a Python version in quotes",
        '        added: "3.9.1"',
    ),
    (
        "param not in the signature",
        "          - name: keep_alive",
        "          - name: keepalive",
        "sections[0].entries[1].params[1].name",
        "no parameter 'keepalive' in the signature",
        "          - name: keepalive",
    ),
    (
        "duplicate param",
        '          - name: ssl_shutdown_timeout\n            added: "3.11"\n        pitfalls:\n          - text: "An',
        '          - name: keep_alive\n            added: "3.11"\n        pitfalls:\n          - text: "An',
        "sections[0].entries[1].params[2].name",
        "duplicate parameter 'keep_alive'",
        '          - name: keep_alive\n            added: "3.11"',
    ),
    (
        "removed before added",
        '            removed: "3.11"\n',
        '            removed: "3.11"\n            added: "3.12"\n',
        "sections[0].entries[0].pitfalls[2].removed",
        "removed in 3.11 is not after added in 3.12",
        '            removed: "3.11"\n            added: "3.12"',
    ),
    (
        "pitfall unknown field",
        '          - text: "Nothing here',
        '          - txt: "Nothing here',
        "sections[0].entries[0].pitfalls[0].txt",
        "unknown field 'txt' (known fields: text, added, changed, removed)",
        '          - txt: "Nothing here',
    ),
    (
        "pitfall without text",
        '          - text: "Nothing here',
        '          - added: "3.9"\n            txt: "Nothing here',
        "sections[0].entries[0].pitfalls[0].text",
        "required field is missing",
        '          - added: "3.9"',
    ),
    (
        "member version unquoted",
        '    changed: "3.12"\n    pitfalls:',
        "    changed: 3.12\n    pitfalls:",
        "members[11].changed",
        "unquoted, YAML reads it as the number 3.12",
        "    changed: 3.12",
    ),
    (
        "change outside the span",
        "            note: TypeError before 3.13",
        '            note: TypeError before 3.13\n            changed: "3.12"',
        "sections[0].entries[1].params[1].changed",
        "changed in 3.12 is outside the versions that have it (3.13+)",
        '            changed: "3.12"',
    ),
    (
        "member pointing nowhere",
        "members:\n  - api: asyncio.StreamWriter.write\n    entry: open-tcp-connection",
        "members:\n  - api: asyncio.StreamWriter.write\n    entry: no-such-entry",
        "members[0].entry",
        "no entry with id 'no-such-entry'",
        "    entry: no-such-entry",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_error_names_file_line_and_field(tmp_path, case):
    _, old, new, field, fragment, needle = case
    path = bad_pack(tmp_path, old, new)
    errors = errors_of(path)
    text = path.read_text()
    match = [e for e in errors if e.field == field]
    assert match, [str(e) for e in errors]
    error = match[0]
    assert fragment in error.message, str(error)
    assert error.path == str(path)
    assert error.line == line_of(text, needle), str(error)
    assert str(error).startswith(f"{path}:{error.line}: {field}: ")


def test_invalid_yaml_names_the_line(tmp_path):
    path = bad_pack(tmp_path, "        summary: Use stream reader", "        summary: [Use stream reader")
    (error,) = errors_of(path)
    assert "invalid YAML" in error.message
    assert str(error).startswith(f"{path}:")
    assert error.line >= line_of(path.read_text(), "summary: [Use stream")


def test_python_object_tags_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.yaml"
    path.write_text(f"id: evil\ntitle: !!python/object/apply:os.system ['touch {marker}']\n")
    (error,) = errors_of(path)
    assert "not allowed" in error.message and error.line == 2
    assert not marker.exists()


def test_check_command_passes_the_builtin_sheet():
    proc = subprocess.run([sys.executable, "-m", "sheetls", "check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "ok (6 entries)" in proc.stdout


def test_check_command_reports_errors_and_fails(tmp_path):
    path = bad_pack(tmp_path, "prefix: aioshell", "prefix: aioexec")
    good = tmp_path / "good.yaml"
    good.write_text(SOURCE)
    proc = subprocess.run(
        [sys.executable, "-m", "sheetls", "check", str(path), str(good)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert (
        f"{path}:{line_of(path.read_text(), 'prefix: aioexec', 1)}: sections[1].entries[1].prefix: duplicate prefix"
        in proc.stderr
    )
    assert f"{good}: ok (6 entries)" in proc.stdout
