"""Helpers for the VS Code tests (tests/vscode/): tools, code-server, the Playwright driver,
and what VS Code is expected to make of a completion item.

The tests run the real thing: code-server (VS Code 1.100 from the npm registry) with the
built .vsix installed as a user installs it, driven by drive.js (playwright-core) in Debian's
Chromium. Everything comes from `make vscode-setup` (which `make test` runs); when something
is missing the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from tool_required import missing_tool

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools" / "vscode-test" / "node_modules"
CODE_SERVER = TOOLS / ".bin" / "code-server"
PLAYWRIGHT_CORE = TOOLS / "playwright-core"
DRIVER = HERE / "drive.js"
ARTIFACTS = Path(os.environ.get("SHEETLS_VSCODE_ARTIFACTS", ROOT / "test-artifacts" / "vscode"))
SETUP_HINT = "run `make vscode-setup` (or `make test`, which runs it)"


def missing(what: str) -> None:
    """Fail under CI (it must have everything the repo installs), skip elsewhere."""
    msg = f"{what}: {SETUP_HINT}"
    missing_tool(msg)


def find_vsix() -> Optional[Path]:
    found = sorted((ROOT / "vscode-client").glob("sheetls-*.vsix"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


@dataclass
class Tools:
    node: str
    chromium: str
    code_server: Path
    playwright_core: Path
    vsix: Path


def find_tools() -> Tools:
    node = shutil.which("node")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    vsix = find_vsix()
    problems = []
    if not node:
        problems.append("node is not on PATH")
    if not chromium:
        problems.append("Debian's chromium is not installed")
    if not CODE_SERVER.exists():
        problems.append(f"code-server is not installed at {CODE_SERVER}")
    if not (PLAYWRIGHT_CORE / "package.json").exists():
        problems.append(f"playwright-core is not installed at {PLAYWRIGHT_CORE}")
    if vsix is None:
        problems.append("no vscode-client/sheetls-*.vsix has been built")
    if problems:
        missing("; ".join(problems))
    return Tools(node, chromium, CODE_SERVER, PLAYWRIGHT_CORE, vsix)  # type: ignore[arg-type]


def editor_env(base: Path) -> Dict[str, str]:
    """Environment with HOME, the XDG folders and TMPDIR inside `base`."""
    env = dict(os.environ)
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "TMPDIR"):
        d = base / name.lower()
        d.mkdir(parents=True, exist_ok=True)
        env[name] = str(d)
    # VS Code must not reach for a marketplace: point its gallery at a closed local port.
    env["EXTENSIONS_GALLERY"] = json.dumps({"serviceUrl": "http://127.0.0.1:9/"})
    env.pop("VSCODE_IPC_HOOK_CLI", None)
    return env


@dataclass
class DriveResult:
    data: dict
    stderr: str

    def __getitem__(self, key):
        return self.data[key]

    def get(self, key, default=None):
        return self.data.get(key, default)


def drive(tools: Tools, env: Dict[str, str], scenario: str, **options) -> DriveResult:
    """Run one scenario of drive.js; fail the test with the step that failed and a screenshot."""
    options.setdefault("artifacts", str(ARTIFACTS))
    env = dict(env, PLAYWRIGHT_CORE=str(tools.playwright_core), CHROMIUM=tools.chromium)
    try:
        proc = subprocess.run(
            [tools.node, str(DRIVER), scenario, json.dumps(options)],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"drive.js {scenario} did not finish in 600 s; stderr:\n{exc.stderr}", pytrace=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        pytest.fail(
            f"drive.js {scenario} printed no result (exit {proc.returncode}); stderr:\n{proc.stderr[-4000:]}",
            pytrace=False,
        )
    data = json.loads(lines[-1])
    if not data.get("ok"):
        shots = ", ".join(data.get("screenshots", {}).values())
        pytest.fail(
            f"VS Code scenario {scenario} failed at {data.get('error')}\n"
            f"steps: {' -> '.join(data.get('steps', []))}\n"
            f"screenshots: {shots}\n"
            f"editor text then:\n{data.get('editor', '')}\n"
            f"driver log (tail):\n{proc.stderr[-3000:]}",
            pytrace=False,
        )
    return DriveResult(data, proc.stderr)


# --- What VS Code does with a completion item -------------------------------------------------


class _SnippetParser:
    """LSP snippet grammar, enough for the sheet: $n, ${n}, ${n:text}, ${n|a,b|}, variables, escapes."""

    def __init__(self, text: str):
        self.s = text
        self.i = 0

    def parse(self, stop: str = "") -> list:
        out: list = []
        buf = []
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "\\" and self.i + 1 < len(self.s) and self.s[self.i + 1] in "\\$}" + stop:
                buf.append(self.s[self.i + 1])
                self.i += 2
            elif stop and c in stop:
                break
            elif c == "$":
                node = self._dollar()
                if node is None:
                    buf.append("$")
                    self.i += 1
                else:
                    if buf:
                        out.append("".join(buf))
                        buf = []
                    out.append(node)
            else:
                buf.append(c)
                self.i += 1
        if buf:
            out.append("".join(buf))
        return out

    def _dollar(self):
        m = re.compile(r"\$(\d+)").match(self.s, self.i)
        if m:
            self.i = m.end()
            return ("stop", int(m.group(1)), None)
        m = re.compile(r"\$\{(\d+)\}").match(self.s, self.i)
        if m:
            self.i = m.end()
            return ("stop", int(m.group(1)), None)
        m = re.compile(r"\$\{(\d+)\|").match(self.s, self.i)
        if m:
            end = self.s.index("|}", m.end())
            choices = self.s[m.end() : end].split(",")
            self.i = end + 2
            return ("stop", int(m.group(1)), [choices[0]])
        m = re.compile(r"\$\{(\d+):").match(self.s, self.i)
        if m:
            self.i = m.end()
            inner = self.parse(stop="}")
            self.i += 1  # the closing brace
            return ("stop", int(m.group(1)), inner)
        m = re.compile(r"\$\{([A-Za-z_]\w*):").match(self.s, self.i)
        if m:
            self.i = m.end()
            inner = self.parse(stop="}")
            self.i += 1
            return ("var", m.group(1), inner)
        m = re.compile(r"\$\{?([A-Za-z_]\w*)\}?").match(self.s, self.i)
        if m:
            self.i = m.end()
            return ("var", m.group(1), None)
        return None


def expand_snippet(snippet: str, values: Dict[int, str]) -> str:
    """The text a snippet leaves once the user typed `values[n]` at tab stop n (others at default).

    Like VS Code, every occurrence of a tab stop mirrors what is typed at it, and a stop
    without a placeholder of its own takes its first occurrence's default.
    """
    tree = _SnippetParser(snippet).parse()
    defaults: Dict[int, list] = {}

    def collect(nodes):
        for n in nodes:
            if isinstance(n, tuple) and n[0] == "stop" and n[2] is not None:
                defaults.setdefault(n[1], n[2])
                collect(n[2])
            elif isinstance(n, tuple) and n[0] == "var" and n[2] is not None:
                collect(n[2])

    collect(tree)

    def render(nodes) -> str:
        parts = []
        for n in nodes:
            if isinstance(n, str):
                parts.append(n)
            elif n[0] == "stop":
                if n[1] == 0:
                    parts.append(render(n[2]) if n[2] else "")
                elif n[1] in values:
                    parts.append(values[n[1]])
                else:
                    parts.append(render(defaults.get(n[1]) or []))
            else:  # unknown variable: VS Code inserts its default, or its name
                parts.append(render(n[2]) if n[2] is not None else n[1])
        return "".join(parts)

    return render(tree)


def _offset(lines: List[str], pos: dict) -> int:
    return sum(len(line) + 1 for line in lines[: pos["line"]]) + pos["character"]


def normalize_indentation(line: str, tab_size: int = 4, insert_spaces: bool = True) -> str:
    """VS Code's ITextModel.normalizeIndentation: the leading whitespace of `line` rewritten in
    the editor's indentation (a tab reaches the next multiple of tab_size)."""
    stripped = line.lstrip(" \t")
    columns = 0
    for c in line[: len(line) - len(stripped)]:
        columns = (columns // tab_size + 1) * tab_size if c == "\t" else columns + 1
    lead = "" if insert_spaces else "\t" * (columns // tab_size)
    return lead + " " * (columns if insert_spaces else columns % tab_size) + stripped


def apply_completion(
    text: str, item: dict, values: Dict[int, str], tab_size: int = 4, insert_spaces: bool = True
) -> str:
    """The document after VS Code accepts `item` in `text` and the user fills the tab stops.

    The main edit's snippet is expanded; unless the item says insertTextMode asIs (1), VS Code
    prefixes every line after the first with the indentation of the line the edit starts on and
    rewrites that line's leading whitespace in the editor's indentation (a snippet's tabs
    become tab_size spaces with insert_spaces; SnippetSession.adjustWhitespace).
    additionalTextEdits are applied as plain text.
    """
    lines = text.split("\n")
    edit = item["textEdit"]
    rng = edit.get("range") or edit["insert"]
    new = edit["newText"]
    if item.get("insertTextFormat") == 2:
        new = expand_snippet(new, values)
    if item.get("insertTextMode") != 1:
        indent = re.match(r"[ \t]*", lines[rng["start"]["line"]]).group(0)
        new = "\n".join(
            [
                l if i == 0 or not l else normalize_indentation(indent + l, tab_size, insert_spaces)
                for i, l in enumerate(new.split("\n"))
            ]
        )
    edits = [(_offset(lines, rng["start"]), _offset(lines, rng["end"]), new)]
    for extra in item.get("additionalTextEdits") or []:
        edits.append((_offset(lines, extra["range"]["start"]), _offset(lines, extra["range"]["end"]), extra["newText"]))
    for start, end, new_text in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:start] + new_text + text[end:]
    return text


class StdioLspClient:
    """A small synchronous LSP client over stdio, to ask the bundled server what it offers."""

    def __init__(self, argv: List[str], env: Dict[str, str], stderr_path: Path):
        self._stderr = open(stderr_path, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env)
        self._id = 0

    def _send(self, msg: dict) -> None:
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self) -> dict:
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the server closed its stdout")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.proc.stdout.read(length))

    def request(self, method: str, params) -> object:
        self._id += 1
        my_id = self._id
        self._send({"jsonrpc": "2.0", "id": my_id, "method": method, "params": params})
        while True:
            msg = self._read()
            if msg.get("id") == my_id and "method" not in msg:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result")
            if "method" in msg and "id" in msg:  # a request from the server: answer null
                self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})

    def notify(self, method: str, params) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
        finally:
            self._stderr.close()


# What VS Code 1.100's language client declares for completion items (the parts that shape them).
VSCODE_COMPLETION_CAPS = {
    "dynamicRegistration": True,
    "contextSupport": True,
    "completionItem": {
        "snippetSupport": True,
        "commitCharactersSupport": True,
        "documentationFormat": ["markdown", "plaintext"],
        "deprecatedSupport": True,
        "preselectSupport": True,
        "tagSupport": {"valueSet": [1]},
        "insertReplaceSupport": True,
        "resolveSupport": {"properties": ["documentation", "detail", "additionalTextEdits"]},
        "insertTextModeSupport": {"valueSet": [1, 2]},
        "labelDetailsSupport": True,
    },
    "insertTextMode": 2,
    "completionItemKind": {"valueSet": list(range(1, 26))},
    "completionList": {"itemDefaults": ["commitCharacters", "editRange", "insertTextFormat", "insertTextMode", "data"]},
}


def server_completion(
    argv: List[str], env: Dict[str, str], log: Path, text: str, line: int, character: int, label: str, folder: Path
) -> dict:
    """The completion item `label` that the server offers at (line, character) of `text`, with
    list itemDefaults folded in and resolved, as VS Code would see it."""
    client = StdioLspClient(argv, env, log)
    try:
        uri = (folder / "expected.py").as_uri()
        client.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": folder.as_uri(),
                "workspaceFolders": [{"uri": folder.as_uri(), "name": folder.name}],
                "capabilities": {
                    "general": {"positionEncodings": ["utf-16"]},
                    "textDocument": {
                        "completion": VSCODE_COMPLETION_CAPS,
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                    },
                    "workspace": {"workspaceFolders": True, "configuration": True},
                },
                "initializationOptions": {"logLevel": "info", "packs": [], "builtinSheet": True},
            },
        )
        client.notify("initialized", {})
        client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
        )
        result = client.request(
            "textDocument/completion",
            {
                "textDocument": {"uri": uri},
                "position": {"line": line, "character": character},
                "context": {"triggerKind": 1},
            },
        )
        items = result.get("items", []) if isinstance(result, dict) else (result or [])
        defaults = result.get("itemDefaults", {}) if isinstance(result, dict) else {}
        matches = [i for i in items if i.get("label") == label]
        assert matches, (
            f"the server offers no {label!r} at {line}:{character}; labels: {[i.get('label') for i in items]}"
        )
        item = dict(matches[0])
        for key in ("insertTextFormat", "insertTextMode", "data", "commitCharacters"):
            if key in defaults and key not in item:
                item[key] = defaults[key]
        if "textEdit" not in item:
            rng = defaults.get("editRange")
            if rng is None:
                raise AssertionError(f"{label} has neither textEdit nor itemDefaults.editRange: {item}")
            rng = rng if "start" in rng else rng["insert"]
            item["textEdit"] = {"range": rng, "newText": item.get("textEditText") or item.get("insertText") or label}
        if "additionalTextEdits" not in item or "documentation" not in item:
            try:
                resolved = client.request("completionItem/resolve", item)
                if isinstance(resolved, dict):
                    item.update(
                        {k: v for k, v in resolved.items() if k in ("additionalTextEdits", "documentation", "detail")}
                    )
            except RuntimeError:
                pass
        return item
    finally:
        client.close()
