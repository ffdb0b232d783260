"""The packs a running server serves: last good versions, diagnostics, live reload.

`PackState` is plain (no protocol): it reloads the pack sources, keeps the last good version
of each pack, and says which diagnostics each pack file carries. `PackRuntime` ties it to
the server: publishes diagnostics, announces new problems once (window/showMessage), logs,
registers workspace/didChangeWatchedFiles or polls, and checks open pack buffers as the user
types.

Rules:
- a pack that loads without errors becomes that pack's last good version, and is served;
- a pack with errors keeps its last good version in service; when it never had one, its
  valid entries are served (the loader skips the broken ones);
- a pack whose file is gone is no longer served;
- only packs for Python are served (a YAML pack's `language`; VS Code snippets by scope);
- two packs with the same id: the later one is served as `id-2` (and so on), with a warning.
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from sheetls.example_check import Example
from sheetls.loader import PackError
from sheetls.model import Entry, Sheet
from sheetls.yaml_source import YamlError, read_text
from sheetls.packs import (LoadedPack, PackSource, discover, kind_of, load_source, pack_folders)

log = logging.getLogger("sheetls")

POLL_MIN, POLL_MAX = 0.25, 60.0
WATCH_REGISTRATION_ID = "sheetls-packs"
PACK_NAME_ENDINGS = (".yaml", ".yml", ".code-snippets", ".json")


@dataclass
class Reload:
    """What one reload changed."""

    sheets: List[Sheet]
    diagnostics: Dict[str, List[PackError]]  # file -> its errors now ([] clears it)
    announce: List[str]  # problems not announced before, one line each
    summary: str
    errors: List[PackError] = field(default_factory=list)
    unchecked: List[Example] = field(default_factory=list)  # examples served before their Python check


def _rename_pack(sheet: Sheet, new_id: str) -> Sheet:
    sections = tuple(dataclasses.replace(s, entries=tuple(dataclasses.replace(e, pack=new_id) for e in s.entries))
                     for s in sheet.sections)
    return dataclasses.replace(sheet, id=new_id, sections=sections)


class PackState:
    def __init__(self) -> None:
        self.good: Dict[str, Sheet] = {}  # source path -> last good sheet
        self.loaded: Dict[str, LoadedPack] = {}  # source path -> latest load
        self.sources: List[PackSource] = []
        self.owner: Dict[str, PackSource] = {}  # file -> the pack source that reads it
        self.folders: List[str] = []  # folders whose listing decides which packs exist
        self.disk_errors: Dict[str, List[PackError]] = {}  # file -> errors of the file on disk
        self.announced: Dict[str, Tuple[str, ...]] = {}
        self.sheets: List[Sheet] = []
        self.served: Dict[str, str] = {}  # source path -> "current" | "last good" | "partial"
        self.collisions: Dict[str, Tuple[str, ...]] = {}  # prefix -> ids of the packs defining it
        self.unconfirmed: Dict[str, Sheet] = {}  # source path -> served, examples not yet checked

    # --- loading ----------------------------------------------------------------------------
    def reload(self, paths: Sequence[str], builtin: bool, folders: Sequence[str],
               defer_examples: bool = False, workspace_packs: bool = True) -> Reload:
        """Load every pack. `defer_examples`: a big pack is served before the Python check of
        its new examples, which the caller runs later (then `confirm`, or reload)."""
        sources, missing = discover(paths, builtin, folders, workspace_packs)
        self.sources = sources
        self.folders = pack_folders(paths, folders, workspace_packs)
        present = {s.path for s in sources}
        for gone in [p for p in self.good if p not in present]:
            del self.good[gone]
        self.loaded = {}
        self.owner = {}
        errors_by_file: Dict[str, List[PackError]] = {}
        sheets: List[Sheet] = []
        self.served = {}
        self.unconfirmed = {}
        unchecked: List[Example] = []
        for src in sources:
            loaded = load_source(src, defer_examples=defer_examples)
            unchecked.extend(loaded.result.unchecked)
            self.loaded[src.path] = loaded
            for f in loaded.files:
                self.owner[f] = src
                errors_by_file.setdefault(f, [])
            for err in loaded.errors:
                errors_by_file.setdefault(err.path, []).append(err)
            sheet = self._choose(src, loaded)
            if sheet is None:
                continue
            if (sheet.language or "python").lower() != "python":
                log.info("pack %s is for %s files, not served for Python", src.path, sheet.language)
                continue
            if loaded.other_languages:
                log.info("pack %s: %d snippet(s) for other languages left out", src.path, loaded.other_languages)
            sheets.append(sheet)
        sheets = self._unique_ids(sheets)
        self.sheets = sheets
        self.collisions = self._collisions(sheets)

        all_errors = [e for errs in errors_by_file.values() for e in errs] + missing
        diagnostics: Dict[str, List[PackError]] = {}
        for f in set(self.disk_errors) | set(errors_by_file):
            now = errors_by_file.get(f, [])
            if now or self.disk_errors.get(f):
                diagnostics[f] = now
        self.disk_errors = {f: e for f, e in diagnostics.items() if e}

        announce: List[str] = []
        problems = dict(self.disk_errors)
        for err in missing:  # no file to put a diagnostic on: the message and the log say it
            problems.setdefault(err.path, []).append(err)
        for f, errs in problems.items():
            key = tuple(str(e) for e in errs)
            if self.announced.get(f) != key:
                src = self.owner.get(f)
                state = self.served.get(src.path, "") if src else ""
                tail = {"last good": "serving its last good version", "partial": "serving its valid entries",
                        "": "not served"}.get(state, "")
                announce.append(f"{len(errs)} error(s) in pack file {f}" + (f" ({tail})" if tail else "") + f"; first: {errs[0]}")
                self.announced[f] = key
        for f in [f for f in self.announced if f not in problems]:
            del self.announced[f]
        entries = sum(len(s.entries) for s in sheets)
        summary = f"serving {entries} entries from {len(sheets)} pack(s)" + (
            f"; {len(all_errors)} error(s) in {len(self.disk_errors)} file(s)" if all_errors else "")
        return Reload(sheets, diagnostics, announce, summary, all_errors, unchecked)

    def _choose(self, src: PackSource, loaded: LoadedPack) -> Optional[Sheet]:
        if loaded.sheet is not None and not loaded.errors:
            if loaded.result.unchecked:  # its last good version once its examples pass
                self.unconfirmed[src.path] = loaded.sheet
            else:
                self.good[src.path] = loaded.sheet
            self.served[src.path] = "current"
            return loaded.sheet
        if src.path in self.good:
            self.served[src.path] = "last good"
            log.warning("pack %s has errors: keeping its last good version in service", src.path)
            return self.good[src.path]
        if loaded.sheet is not None and loaded.sheet.entries:
            self.served[src.path] = "partial"
            return loaded.sheet
        return None

    def confirm(self) -> None:
        """The deferred examples all passed: the packs served since are their last good versions."""
        self.good.update(self.unconfirmed)
        self.unconfirmed = {}

    @staticmethod
    def _unique_ids(sheets: List[Sheet]) -> List[Sheet]:
        seen: Dict[str, str] = {}
        out = []
        for sheet in sheets:
            new_id, k = sheet.id, 2
            while new_id in seen:
                new_id, k = f"{sheet.id}-{k}", k + 1
            if new_id != sheet.id:
                log.warning("pack id %r of %s is already used by %s: serving it as %r", sheet.id, sheet.path,
                            seen[sheet.id], new_id)
                sheet = _rename_pack(sheet, new_id)
            seen[new_id] = sheet.path
            out.append(sheet)
        return out

    @staticmethod
    def _collisions(sheets: Sequence[Sheet]) -> Dict[str, Tuple[str, ...]]:
        by_prefix: Dict[str, List[str]] = {}
        for sheet in sheets:
            for entry in sheet.entries:
                packs = by_prefix.setdefault(entry.prefix, [])
                if sheet.id not in packs:
                    packs.append(sheet.id)
        return {p: tuple(ids) for p, ids in by_prefix.items() if len(ids) > 1}

    def pack_label(self, entry: Entry) -> Optional[str]:
        """The pack to name next to an item whose prefix another pack defines too."""
        return entry.pack if entry.prefix in self.collisions else None

    # --- open buffers -------------------------------------------------------------------------
    def is_pack_file(self, path: str) -> bool:
        if path in self.owner:
            return True
        if kind_of(path) is None:
            return False
        parent = os.path.dirname(path)
        return any(os.path.normpath(parent) == os.path.normpath(f) for f in self.folders)

    def check_buffer(self, path: str, text: str) -> Optional[List[PackError]]:
        """The errors of a pack file as it stands in the editor; None for non-pack files."""
        if not self.is_pack_file(path):
            return None
        src = self.owner.get(path) or PackSource(path, kind_of(path) or "yaml", "buffer")
        loaded = load_source(src, {path: text})
        return [e for e in loaded.errors if e.path == path]

    # --- polling ------------------------------------------------------------------------------
    def signature(self, paths: Sequence[str], builtin: bool, folders: Sequence[str],
                  workspace_packs: bool = True) -> Tuple:
        """What a poll compares: the pack files that exist, with their sizes and times."""
        sources, _ = discover(paths, builtin, folders, workspace_packs)
        files = set(self.owner)
        for s in sources:
            files.add(s.path if s.kind != "package" else os.path.join(s.path, "package.json"))
        out = []
        for f in sorted(files):
            try:
                st = os.stat(f)
                out.append((f, st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((f, None, None))
        return tuple(out)


def diagnostic_range(lines: List[str], line: int):
    """0-based (line, start col, end col) of a 1-based error line: the line's text, indent excluded."""
    k = max(line - 1, 0)
    if k >= len(lines):
        k = max(len(lines) - 1, 0)
    text = lines[k] if lines else ""
    start = len(text) - len(text.lstrip())
    return k, start, max(len(text), start)


class PackRuntime:
    """The server side: diagnostics, messages, watching and polling."""

    def __init__(self, server) -> None:
        self.server = server
        self.state = PackState()
        self.buffers: Dict[str, Tuple[str, List[PackError]]] = {}  # path -> (uri, errors in the buffer)
        self.poll_task: Optional[asyncio.Task] = None
        self.example_task: Optional[asyncio.Task] = None
        self.watching = False
        self.relative = False
        self.registered: Tuple[Tuple[str, str], ...] = ()
        self._signature: Optional[Tuple] = None
        self.reloads = 0

    # --- where packs are ------------------------------------------------------------------
    def workspace_folders(self) -> List[str]:
        from pygls.uris import to_fs_path

        try:
            ws = self.server.workspace
        except RuntimeError:
            return []
        out = []
        for uri in list(ws.folders):
            path = to_fs_path(uri)
            if path:
                out.append(path)
        if not out and ws.root_path:
            out.append(ws.root_path)
        return out

    def _args(self):
        o = self.server.options
        return list(o.packs), o.builtin_sheet, self.workspace_folders()

    # --- reload ---------------------------------------------------------------------------------
    def reload(self, reason: str = "start") -> List[Sheet]:
        from lsprotocol import types

        paths, builtin, folders = self._args()
        trusted = self.server.options.workspace_packs  # false: the workspace's .sheetls/ is not read
        result = self.state.reload(paths, builtin, folders, defer_examples=self._can_defer(), workspace_packs=trusted)
        self.reloads += 1
        self._signature = self.state.signature(paths, builtin, folders, trusted)
        for err in result.errors:
            log.error("pack error: %s", err)
        connected = getattr(self.server, "connected", False)
        if connected:
            for path, errors in result.diagnostics.items():
                if path in self.buffers:
                    continue  # the open buffer's own check speaks for it
                self.publish(path, errors)
            if result.announce:
                more = f" (and {len(result.announce) - 1} more file(s); see the log)" if len(result.announce) > 1 else ""
                self.server.window_show_message(types.ShowMessageParams(
                    type=types.MessageType.Error, message=f"sheetls: {result.announce[0]}{more}"))
        log.info("packs reloaded (%s): %s", reason, result.summary)
        if connected:
            self.sync_watchers()
        if result.unchecked:
            log.info("checking %d new example(s) between requests", len(result.unchecked))
            self.example_task = asyncio.get_running_loop().create_task(
                self._check_examples(result.unchecked, self.reloads))
        return result.sheets

    # --- deferred example checks (example_check.py) -------------------------------------------------
    SLICE_SECONDS = 0.001  # compiling at most this long at a time (a request waits no longer)...
    PAUSE_SECONDS = 0.001  # ...then this long for the requests that came meanwhile

    def _can_defer(self) -> bool:
        """Only with a running event loop to check them on later (always so in the server)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    async def _check_examples(self, examples: List[Example], generation: int) -> None:
        """Compile the examples a reload served unchecked, in slices between requests. All
        valid: the packs become their last good versions. Any not: reload, which now knows
        them and reports each like any other pack error (and withdraws its entry)."""
        import time

        from sheetls import example_check

        try:
            ok = True
            i = 0
            while i < len(examples):
                await asyncio.sleep(self.PAUSE_SECONDS)
                if generation != self.reloads:
                    return  # a newer reload serves other packs and checks its own examples
                until = time.perf_counter() + self.SLICE_SECONDS
                while i < len(examples) and time.perf_counter() < until:
                    ok = example_check.problem(*examples[i]) is None and ok
                    i += 1
            log.info("%d new example(s) checked: %s", len(examples), "all valid Python" if ok else "some are not valid Python")
            if ok:
                self.state.confirm()
            else:
                self.server.reload("examples checked")
        except Exception:  # a background check must never take the server down
            log.exception("checking the packs' examples failed")

    def publish(self, path: str, errors: List[PackError], text: Optional[str] = None) -> None:
        from lsprotocol import types
        from pygls.uris import from_fs_path

        uri = self.buffers[path][0] if path in self.buffers else from_fs_path(path)
        if uri is None:
            return
        lines: List[str] = []
        if errors:
            if text is None:
                try:  # the reader that never blocks (a FIFO) and refuses what is not a pack
                    text = read_text(path)
                except YamlError:
                    text = ""
            lines = text.splitlines()
        diagnostics = []
        try:
            units = self.server.workspace.position_codec.client_num_units  # UTF-16 unless negotiated
        except Exception:
            units = len
        for err in errors:
            k, start, end = diagnostic_range(lines, err.line)
            if lines and k < len(lines):
                start, end = units(lines[k][:start]), units(lines[k][:end])
            diagnostics.append(types.Diagnostic(
                range=types.Range(types.Position(k, start), types.Position(k, end)),
                message=f"{err.field}: {err.message}" if err.field else err.message,
                severity=types.DiagnosticSeverity.Error,
                source="sheetls",
                code=err.field or None,
            ))
        self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    # --- open pack files ------------------------------------------------------------------------
    @staticmethod
    def may_be_pack(uri: str) -> bool:
        """A cheap first test, before anything is parsed: the name of a pack file."""
        return uri.endswith(PACK_NAME_ENDINGS)

    def on_buffer(self, uri: str, text: str) -> None:
        """didOpen/didChange: check a pack file as the user types (diagnostics only)."""
        from pygls.uris import to_fs_path

        if not self.may_be_pack(uri):
            return
        path = to_fs_path(uri)
        if not path:
            return
        errors = self.state.check_buffer(path, text)
        if errors is None:
            return
        self.buffers[path] = (uri, errors)
        self.publish(path, errors, text)

    def on_close(self, uri: str) -> None:
        from pygls.uris import to_fs_path

        path = to_fs_path(uri)
        if path and self.buffers.pop(path, None) is not None:
            self.publish(path, self.state.disk_errors.get(path, []))

    # --- watching ---------------------------------------------------------------------------------
    def start(self, capabilities) -> None:
        """After `initialized`: ask the client to watch the packs, or poll them ourselves."""
        ws = capabilities.workspace if capabilities else None
        watched = ws.did_change_watched_files if ws else None
        if watched is not None and watched.dynamic_registration:
            self.watching = True
            self.relative = bool(watched.relative_pattern_support)
            self.sync_watchers()
        else:
            self.start_polling()

    def watch_targets(self) -> List[Tuple[str, str]]:
        """(base folder, glob) pairs: each workspace folder's .sheetls/, the configured folders,
        and every file a pack reads. The built-in sheet is not watched (it is package data)."""
        from sheetls.loader import builtin_sheet_path

        builtin = os.path.normpath(builtin_sheet_path())
        targets: List[Tuple[str, str]] = ([(f, ".sheetls/**") for f in self.workspace_folders()]
                                          if self.server.options.workspace_packs else [])
        for folder in self.state.folders:
            if os.path.basename(folder) != ".sheetls":
                targets.append((folder, "**"))
        for path in sorted(self.state.owner):
            if os.path.normpath(path) != builtin:
                targets.append((os.path.dirname(path), os.path.basename(path)))
        return list(dict.fromkeys(targets))

    def sync_watchers(self) -> None:
        """(Re)register the file watchers when what must be watched changed."""
        if not self.watching:
            return
        targets = tuple(self.watch_targets())
        if targets == self.registered:
            return
        from lsprotocol import types

        if self.registered:
            self.server.client_unregister_capability(types.UnregistrationParams(unregisterations=[
                types.Unregistration(id=WATCH_REGISTRATION_ID, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES)]))
        self.registered = targets
        if targets:
            self.register_watchers(targets)

    def register_watchers(self, targets: Sequence[Tuple[str, str]]) -> None:
        from lsprotocol import types
        from pygls.uris import from_fs_path

        watchers = []
        for base, pattern in targets:
            if self.relative:
                glob = types.RelativePattern(base_uri=from_fs_path(base), pattern=pattern)
            else:
                glob = os.path.join(base, pattern).replace(os.sep, "/")
            watchers.append(types.FileSystemWatcher(glob_pattern=glob))
        registration = types.Registration(
            id=WATCH_REGISTRATION_ID, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))

        def done(future):
            exc = future.exception() if not future.cancelled() else None
            if exc is not None:
                log.warning("the client refused to watch the pack files (%s): polling instead", exc)
                self.watching = False
                self.start_polling()
            else:
                log.info("the client watches the pack files (%d pattern(s))", len(watchers))

        future = self.server.client_register_capability(types.RegistrationParams(registrations=[registration]))
        if hasattr(future, "add_done_callback"):
            future.add_done_callback(done)

    def start_polling(self) -> None:
        if self.poll_task is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            log.warning("no event loop: pack files are not polled")
            return
        self.poll_task = loop.create_task(self._poll())

    def interval(self) -> float:
        return min(max(float(getattr(self.server.options, "poll_interval", 2.0)), POLL_MIN), POLL_MAX)

    async def _poll(self) -> None:
        log.info("polling pack files every %.2fs (the client does not watch files for servers)", self.interval())
        while True:
            await asyncio.sleep(self.interval())
            try:
                paths, builtin, folders = self._args()
                if self.state.signature(paths, builtin, folders, self.server.options.workspace_packs) != self._signature:
                    self.server.reload("a pack file changed on disk")
            except Exception:  # a poll must never die
                log.exception("polling the pack files failed")

    def stop(self) -> None:
        if self.poll_task is not None:
            self.poll_task.cancel()
            self.poll_task = None
        if self.example_task is not None:
            self.example_task.cancel()
            self.example_task = None
