"""Drive the real sheetls over stdio (pytest-lsp, VS Code's or Neovim's real capabilities,
SHEETLS_DEBUG=1 for the server's document text, its log in a file) through one corpus file
and check the properties that need no hand-written answer:

  compile        accepting an offered item (placeholders at their defaults, additional edits
                 applied, the client's indentation rule) compiles wherever the plain word does
  indent-unit    nested blocks an item inserts use the file's own indentation unit
  items-in-*     no items in comments, strings, f-string text; items-after-dot: none after `.`
  uri-differs    a percent-escaped URI answers exactly like a plain one, for the same text
  edit-text-differs / fresh-open-differs
                 random incremental edits (multi-byte text, CRLF) leave the server's text equal
                 to the client's, and a fresh open of that text answers the same
  log-error      an ERROR line in the server's log while it served this file
  request-error  a request that failed, timed out or broke the protocol
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import rw_places as P
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from lsp_helpers import initialize

REQUEST_TIMEOUT = 20.0
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "realworld"
DEBUG_TEXT = "sheetls.debugDocumentText"
PLAIN_DIR = "file:///tmp/sheetls-realworld"
ESCAPED_DIR = "file:///tmp/sheetls%20r%C3%A9al%20world"  # /tmp/sheetls réal world
EDIT_POOL = (
    "é",
    "日本語",
    "😀",
    "\r\n",
    "\n",
    "aio",
    "    ",
    "x = 1\r\n",
    "# ß 😀\n",
    "",
    "\t",
    "await asyncio.sleep(0)\n",
    "(",
    ")",
    "'",
    '"""',
    "𝔘𝔫𝔦",
    "ü\r\n    ",
)


_RECORD = re.compile(r"^\d{4}-\d\d-\d\d [\d:,.]+ ([A-Z]+) ")


@dataclass
class Violation:
    file: str
    profile: str
    kind: str
    place: Dict[str, Any]
    item: Optional[str]
    details: str


@dataclass
class Tally:
    files: int = 0
    skipped_files: int = 0
    places: int = 0
    places_by_kind: Dict[str, int] = field(default_factory=dict)
    items: int = 0
    places_with_items: int = 0  # "compile" places where the server offered something
    requests: int = 0
    violations: List[Violation] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.files += other.files
        self.skipped_files += other.skipped_files
        self.places += other.places
        self.items += other.items
        self.places_with_items += other.places_with_items
        self.requests += other.requests
        for k, v in other.places_by_kind.items():
            self.places_by_kind[k] = self.places_by_kind.get(k, 0) + v
        self.violations.extend(other.violations)


class ServerGone(Exception):
    pass


class Server:
    """One sheetls process for one profile."""

    def __init__(self, profile: str, log_path: Path):
        self.profile = profile
        self.log_path = log_path
        self.log_pos = 0
        self.client = None
        self.encoding = "utf-16"
        self.versions: Dict[str, int] = {}

    async def start(self) -> None:
        import os

        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.write_text("")
        self.log_pos = 0
        config = ClientServerConfig(
            server_command=[sys.executable, "-m", "sheetls", "--stdio", "--log-file", str(self.log_path)],
            server_env={**os.environ, "SHEETLS_DEBUG": "1"},
        )
        self.client = await config.start()
        result = await asyncio.wait_for(initialize(self.client, self.profile), 60)
        self.encoding = {types.PositionEncodingKind.Utf8: "utf-8", types.PositionEncodingKind.Utf32: "utf-32"}.get(
            result.capabilities.position_encoding, "utf-16"
        )
        self.versions = {}

    async def stop(self) -> None:
        if self.client is None:
            return
        try:
            await asyncio.wait_for(self.client.shutdown_session(), 10)
        except Exception:
            pass
        try:
            await asyncio.wait_for(self.client.stop(), 10)
        except Exception:
            pass
        self.client = None

    def alive(self) -> bool:
        c = self.client
        return c is not None and c.error is None and (c._server is None or c._server.returncode is None)

    def new_log_errors(self) -> List[str]:
        """ERROR records the server logged since the last call (each with its traceback)."""
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                f.seek(self.log_pos)
                chunk = f.read()
                self.log_pos = f.tell()
        except OSError:
            return []
        records: List[List[str]] = []
        for line in chunk.splitlines():
            if _RECORD.match(line):
                records.append([line])
            elif records:
                records[-1].append(line)
        errors = [r for r in records if _RECORD.match(r[0]).group(1) in ("ERROR", "CRITICAL")]
        # the message, the traceback's start and its end (where the exception is)
        return ["\n".join(r if len(r) <= 14 else r[:4] + ["  ..."] + r[-9:]) for r in errors]

    # --- protocol
    def open(self, uri: str, text: str) -> None:
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
        )

    def close(self, uri: str) -> None:
        self.versions.pop(uri, None)
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))

    def change(self, uri: str, changes: List[types.TextDocumentContentChangePartial]) -> None:
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]), changes
            )
        )

    async def _call(self, coro):
        if not self.alive():
            coro.close()
            raise ServerGone("the server is gone")
        return await asyncio.wait_for(coro, REQUEST_TIMEOUT)

    async def completion(self, uri: str, pos: types.Position):
        return await self._call(
            self.client.text_document_completion_async(types.CompletionParams(types.TextDocumentIdentifier(uri), pos))
        )

    async def hover(self, uri: str, pos: types.Position):
        return await self._call(
            self.client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), pos))
        )

    async def text(self, uri: str) -> Optional[str]:
        res = await self._call(
            self.client.workspace_execute_command_async(types.ExecuteCommandParams(DEBUG_TEXT, [uri]))
        )
        if res is None:
            return None
        return res["text"] if isinstance(res, dict) else getattr(res, "text", None)

    def dump(self, result, uri: str) -> str:
        data = self.client.protocol._converter.unstructure(result)
        return json.dumps(data, sort_keys=True, ensure_ascii=False).replace(json.dumps(uri)[1:-1], "<uri>")


def items_of(result) -> List[types.CompletionItem]:
    if result is None:
        return []
    if isinstance(result, list):
        return result
    return list(result.items)


def _place_info(place: P.Place, text: str, idx: P.LineIndex) -> Dict[str, Any]:
    line = idx.line_of(place.cursor)
    s, e = idx.starts[line], idx.ends[line]
    return {
        "kind": place.kind,
        "line": line + 1,
        "column": place.cursor - s + 1,
        "word": place.word,
        "text": text[s : place.cursor] + "|" + text[place.cursor : e],
    }


def _short(s: str, n: int = 600) -> str:
    return s if len(s) <= n else s[:n] + f"... ({len(s)} chars)"


class FileCheck:
    """Every property over one file, for one server (profile)."""

    def __init__(
        self,
        server: Server,
        source: str,
        rel: str,
        text: str,
        facts: P.Facts,
        places: List[P.Place],
        cache: P.CompileCache,
        rng: random.Random,
        edits: int,
    ):
        self.s = server
        self.source = source
        self.rel = rel
        self.text = text
        self.facts = facts
        self.places = places
        self.cache = cache
        self.rng = rng
        self.n_edits = edits
        self.tally = Tally(files=1)
        self.label = f"{source}/{rel}"
        self.phase = "opened"

    def violation(
        self, kind: str, details: str, place: Optional[Dict[str, Any]] = None, item: Optional[str] = None
    ) -> None:
        self.tally.violations.append(Violation(self.label, self.s.profile, kind, place or {}, item, details))

    async def run(self) -> Tally:
        tag = f"{self.source}/{self.rel}"
        plain, escaped = f"{PLAIN_DIR}/{tag}", f"{ESCAPED_DIR}/{tag}"
        try:
            self.s.open(plain, self.text)
            self.s.open(escaped, self.text)
            self.phase = "the file as opened (plain vs escaped URI)"
            await self.check_uris(plain, escaped)
            self.s.close(escaped)
            self.phase = "at a sampled place"
            for place in self.places:
                await self.check_place(plain, place)
            got = await self.s.text(plain)
            self.tally.requests += 1
            if got != self.text:
                self.violation(
                    "edit-text-differs",
                    "after every place's edit and its undo the server's "
                    f"text differs from the file: {_first_difference(self.text, got)}",
                )
            self.phase = "after the places' edits and undos, during random edits"
            await self.check_random_edits(plain)
            self.s.close(plain)
        except ServerGone as e:
            self.violation("request-error", str(e))
        for line in self.s.new_log_errors():
            self.violation("log-error", line)
        return self.tally

    async def _ask(self, what: str, uri: str, pos: types.Position, place=None, text: Optional[str] = None):
        """One request; a failure, and any ERROR the server logged while answering it, is a
        violation at that request (with the line as the document had it when `text` is given)."""
        self.tally.requests += 1
        answer = (False, None)
        try:
            if what == "hover":
                answer = (True, await self.s.hover(uri, pos))
            else:
                answer = (True, await self.s.completion(uri, pos))
        except ServerGone:
            raise
        except asyncio.TimeoutError:
            self.violation(
                "request-error", f"{what} at {pos.line + 1}:{pos.character} timed out ({REQUEST_TIMEOUT} s)", place
            )
        except Exception as e:  # an error answer, or an answer the spec does not allow
            self.violation("request-error", f"{what} at {pos.line + 1}:{pos.character}: {type(e).__name__}: {e}", place)
        for record in self.s.new_log_errors():
            where = dict(place) if place else {}
            where.setdefault(
                "request",
                f"{what} at line {pos.line + 1}, character {pos.character} "
                f"({self.s.encoding}), {self.phase}{', escaped URI' if '%20' in uri else ''}"
                f"{', the fresh open' if '-fresh/' in uri else ''}",
            )
            if text is not None and "text" not in where:
                where["line"] = pos.line + 1
                where["text"] = P.LineIndex(text, self.s.encoding).line_text(pos.line)
            self.violation("log-error", record, where)
        if not self.s.alive():
            raise ServerGone(f"the server died during {what}")
        return answer

    # --- properties
    async def check_uris(self, plain: str, escaped: str) -> None:
        idx = P.LineIndex(self.text, self.s.encoding)
        names = self.facts.names
        probes = list(self.facts.api_names[:12])
        if names:
            probes += [self.rng.choice(names) for _ in range(6)]
        for sp in probes:
            for what, at in (("hover", sp.start + (sp.end - sp.start) // 2), ("completion", sp.end)):
                pos = idx.position(at)
                ok1, a = await self._ask(what, plain, pos, text=self.text)
                ok2, b = await self._ask(what, escaped, pos, text=self.text)
                if ok1 and ok2:
                    da, db = self.s.dump(a, plain), self.s.dump(b, escaped)
                    if da != db:
                        line = idx.line_text(pos.line)
                        self.violation(
                            "uri-differs",
                            f"{what}: plain URI answered {_short(da, 300)}; "
                            f"escaped URI {escaped} answered {_short(db, 300)}",
                            {"kind": what, "line": pos.line + 1, "text": line},
                        )

    async def check_place(self, uri: str, place: P.Place) -> None:
        text = self.text
        idx0 = P.LineIndex(text, self.s.encoding)
        after = place.apply(text)
        idx = P.LineIndex(after, self.s.encoding)
        self.s.change(
            uri, [types.TextDocumentContentChangePartial(range=idx0.range(place.start, place.end), text=place.new)]
        )
        info = _place_info(place, after, idx)
        ok, result = await self._ask("completion", uri, idx.position(place.cursor), info)
        # undo: the place's text back to the file's
        self.s.change(
            uri,
            [
                types.TextDocumentContentChangePartial(
                    range=idx.range(place.start, place.start + len(place.new)), text=text[place.start : place.end]
                )
            ],
        )
        self.tally.places += 1
        self.tally.places_by_kind[place.kind] = self.tally.places_by_kind.get(place.kind, 0) + 1
        if not ok:
            return
        items = items_of(result)
        if place.expect == "none":
            if items:
                kind = "items-after-dot" if place.kind == "after-dot" else f"items-in-{place.kind.split(':')[0]}"
                where = ""
                if place.kind.split(":")[0] in ("string", "fstring-text"):
                    sp = next((s for s in self.facts.strings if s.start <= place.start < s.end), None)
                    where = f" (a {sp.extra} string)" if sp else ""
                    info["string"] = sp.extra if sp else ""
                self.violation(
                    kind, f"{len(items)} items{where}: {', '.join(i.label for i in items[:8])}", info, items[0].label
                )
            return
        self.tally.places_with_items += bool(items)
        for item in items:
            self.tally.items += 1
            if item.text_edit is None:
                self.violation("request-error", "a completion item without a textEdit", info, item.label)
                continue
            final, inserted = P.expand_item(self.s.profile, after, item, self.s.encoding)
            err = self.cache.error(final)
            if err:
                self.violation(
                    "compile",
                    f"{err}; inserted {_short(inserted)!r}; additional edits "
                    f"{[e.new_text for e in (item.additional_text_edits or [])]!r}",
                    info,
                    item.label,
                )
                continue
            if self.facts.unit:
                edit = item.text_edit
                start = edit.insert.start if isinstance(edit, types.InsertReplaceEdit) else edit.range.start
                line = start.line + _lines_added_before(item, start)
                bad = [d for d in P.nested_deltas(final, line, inserted) if d != self.facts.unit]
                if bad:
                    self.violation(
                        "indent-unit",
                        f"the file indents by {self.facts.unit!r}; the item nests "
                        f"blocks by {sorted(set(bad))!r}: {_short(inserted, 300)!r}",
                        info,
                        item.label,
                    )

    async def check_random_edits(self, uri: str) -> None:
        rng = self.rng
        text = self.text
        for _ in range(self.n_edits):
            changes = []
            for _ in range(1 if rng.random() < 0.8 else rng.randint(2, 3)):
                idx = P.LineIndex(text, self.s.encoding)
                a = idx.snap(rng.randint(0, len(text)))
                b = a if rng.random() < 0.5 else idx.snap(min(len(text), a + rng.randint(1, 40)))
                new = rng.choice(EDIT_POOL)
                changes.append(types.TextDocumentContentChangePartial(range=idx.range(a, b), text=new))
                text = text[:a] + new + text[b:]
            self.s.change(uri, changes)
            if rng.random() < 0.3:
                idx = P.LineIndex(text, self.s.encoding)
                at = idx.snap(rng.randint(0, len(text)))
                await self._ask(rng.choice(("hover", "completion")), uri, idx.position(at), text=text)
        got = await self.s.text(uri)
        self.tally.requests += 1
        if got != text:
            self.violation("edit-text-differs", f"after {self.n_edits} random edits: {_first_difference(text, got)}")
            return
        self.phase = f"after {self.n_edits} random edits (the edited text, or its fresh open)"
        before = len(self.tally.violations)
        await self._compare_fresh(uri, text)
        if len(self.tally.violations) > before:  # keep the edited text: a fresh open of it reproduces
            keep = ARTIFACTS / "texts" / (self.label.replace("/", "__") + f".{self.s.profile}.edited.py")
            keep.parent.mkdir(parents=True, exist_ok=True)
            keep.write_text(text, encoding="utf-8", newline="")
            for v in self.tally.violations[before:]:
                v.place["edited_text"] = str(keep)

    async def _compare_fresh(self, uri: str, text: str) -> None:
        rng = self.rng
        fresh = uri.replace("/sheetls-realworld/", "/sheetls-realworld-fresh/")
        self.s.open(fresh, text)
        idx = P.LineIndex(text, self.s.encoding)
        words = [m.end() for m in re.finditer(r"[A-Za-z_]\w*", text)]
        probes = [rng.choice(words) for _ in range(6)] if words else []
        probes += [idx.snap(rng.randint(0, len(text))) for _ in range(4)]
        for at in probes:
            pos = idx.position(at)
            for what in ("hover", "completion"):
                ok1, a = await self._ask(what, uri, pos, text=text)
                ok2, b = await self._ask(what, fresh, pos, text=text)
                if ok1 and ok2:
                    da, db = self.s.dump(a, uri), self.s.dump(b, fresh)
                    if da != db:
                        self.violation(
                            "fresh-open-differs",
                            f"{what}: the edited document answered "
                            f"{_short(da, 300)}; a fresh open of the same text {_short(db, 300)}",
                            {"kind": what, "line": pos.line + 1, "text": idx.line_text(pos.line)},
                        )
        self.s.close(fresh)


def _lines_added_before(item: types.CompletionItem, start: types.Position) -> int:
    """Lines that additional edits above the main edit add (they move it down)."""
    n = 0
    for e in item.additional_text_edits or []:
        if (e.range.end.line, e.range.end.character) <= (start.line, start.character):
            n += e.new_text.count("\n") - (e.range.end.line - e.range.start.line)
    return n


def _first_difference(want: str, got: Optional[str]) -> str:
    if got is None:
        return "the server has no such document"
    i = next((k for k, (x, y) in enumerate(zip(want, got)) if x != y), min(len(want), len(got)))
    line = want.count("\n", 0, i) + 1
    return (
        f"first difference at offset {i} (line {line}): client {want[max(0, i - 30) : i + 30]!r}, "
        f"server {got[max(0, i - 30) : i + 30]!r} (lengths {len(want)} / {len(got)})"
    )


def violation_dict(v: Violation) -> Dict[str, Any]:
    return asdict(v)
