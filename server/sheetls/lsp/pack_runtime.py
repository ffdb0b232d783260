"""The packs in a running server: `PackState` (sheetls.pack_service, plain data) tied to the
protocol. Publishes each pack file's diagnostics, announces new problems once
(window/showMessage), logs, registers workspace/didChangeWatchedFiles where the client
watches files for the server or polls the pack files itself, checks open pack buffers as the
user types, and checks a big pack's new examples between requests."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Dict, List, Optional, Sequence, Tuple

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from sheetls.example_check import Example
from sheetls.loader import PackError
from sheetls.model import Sheet
from sheetls.pack_service import (
    PACK_NAME_ENDINGS,
    POLL_MAX,
    POLL_MIN,
    WATCH_REGISTRATION_ID,
    PackState,
    diagnostic_range,
)
from sheetls.profile import ClientProfile
from sheetls.yaml_source import YamlError, read_text

log = logging.getLogger("sheetls")


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
                more = (
                    f" (and {len(result.announce) - 1} more file(s); see the log)" if len(result.announce) > 1 else ""
                )
                self.server.window_show_message(
                    types.ShowMessageParams(
                        type=types.MessageType.Error, message=f"sheetls: {result.announce[0]}{more}"
                    )
                )
        log.info("packs reloaded (%s): %s", reason, result.summary)
        if connected:
            self.sync_watchers()
        if result.unchecked:
            log.info("checking %d new example(s) between requests", len(result.unchecked))
            self.example_task = asyncio.get_running_loop().create_task(
                self._check_examples(result.unchecked, self.reloads)
            )
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
            log.info(
                "%d new example(s) checked: %s",
                len(examples),
                "all valid Python" if ok else "some are not valid Python",
            )
            if ok:
                self.state.confirm()
            else:
                self.server.reload("examples checked")
        except Exception:  # a background check must never take the server down
            log.exception("checking the packs' examples failed")

    def publish(self, path: str, errors: List[PackError], text: Optional[str] = None) -> None:
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
            diagnostics.append(
                types.Diagnostic(
                    range=types.Range(types.Position(k, start), types.Position(k, end)),
                    message=f"{err.field}: {err.message}" if err.field else err.message,
                    severity=types.DiagnosticSeverity.Error,
                    source="sheetls",
                    code=err.field or None,
                )
            )
        self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    # --- open pack files ------------------------------------------------------------------------
    @staticmethod
    def may_be_pack(uri: str) -> bool:
        """A cheap first test, before anything is parsed: the name of a pack file."""
        return uri.endswith(PACK_NAME_ENDINGS)

    def on_buffer(self, uri: str, text: str) -> None:
        """didOpen/didChange: check a pack file as the user types (diagnostics only)."""
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
        path = to_fs_path(uri)
        if path and self.buffers.pop(path, None) is not None:
            self.publish(path, self.state.disk_errors.get(path, []))

    # --- watching ---------------------------------------------------------------------------------
    def start(self, profile: ClientProfile) -> None:
        """After `initialized`: ask the client to watch the packs, or poll them ourselves."""
        if profile.watch_files:
            self.watching = True
            self.relative = profile.watch_relative
            self.sync_watchers()
        else:
            self.start_polling()

    def watch_targets(self) -> List[Tuple[str, str]]:
        """(base folder, glob) pairs: each workspace folder's .sheetls/, the configured folders,
        and every file a pack reads. The built-in sheet is not watched (it is package data)."""
        from sheetls.loader import builtin_sheet_path

        builtin = os.path.normpath(builtin_sheet_path())
        targets: List[Tuple[str, str]] = (
            [(f, ".sheetls/**") for f in self.workspace_folders()] if self.server.options.workspace_packs else []
        )
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
        if self.registered:
            self.server.client_unregister_capability(
                types.UnregistrationParams(
                    unregisterations=[
                        types.Unregistration(id=WATCH_REGISTRATION_ID, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
                    ]
                )
            )
        self.registered = targets
        if targets:
            self.register_watchers(targets)

    def register_watchers(self, targets: Sequence[Tuple[str, str]]) -> None:
        watchers = []
        for base, pattern in targets:
            glob: types.GlobPattern
            if self.relative:
                glob = types.RelativePattern(base_uri=from_fs_path(base), pattern=pattern)
            else:
                glob = os.path.join(base, pattern).replace(os.sep, "/")
            watchers.append(types.FileSystemWatcher(glob_pattern=glob))
        registration = types.Registration(
            id=WATCH_REGISTRATION_ID,
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
        )

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
                if (
                    self.state.signature(paths, builtin, folders, self.server.options.workspace_packs)
                    != self._signature
                ):
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
