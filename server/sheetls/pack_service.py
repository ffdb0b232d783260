"""The packs a running server serves: last good versions, diagnostics, live reload.

`PackState` is plain (no protocol): it reloads the pack sources, keeps the last good version
of each pack, and says which diagnostics each pack file carries. `sheetls.lsp.pack_runtime`
ties it to the server: publishes diagnostics, announces new problems once
(window/showMessage), logs, registers workspace/didChangeWatchedFiles or polls, and checks
open pack buffers as the user types.

Rules:
- a pack that loads without errors becomes that pack's last good version, and is served;
- a pack with errors keeps its last good version in service; when it never had one, its
  valid entries are served (the loader skips the broken ones);
- a pack whose file is gone is no longer served;
- only packs for Python are served (a YAML pack's `language`; VS Code snippets by scope);
- two packs with the same id: the later one is served as `id-2` (and so on), with a warning.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from sheetls.example_check import Example
from sheetls.loader import PackError
from sheetls.model import Entry, Sheet
from sheetls.packs import LoadedPack, PackSource, discover, kind_of, load_source, pack_folders

log = logging.getLogger("sheetls")

POLL_MIN, POLL_MAX = 0.25, 60.0
WATCH_REGISTRATION_ID = "sheetls-packs"
PACK_NAME_ENDINGS = (".yaml", ".yml", ".code-snippets", ".json")


@dataclass
class ReloadOutcome:
    """What one reload changed."""

    sheets: List[Sheet]
    diagnostics: Dict[str, List[PackError]]  # file -> its errors now ([] clears it)
    announce: List[str]  # problems not announced before, one line each
    summary: str
    errors: List[PackError] = field(default_factory=list)
    unchecked: List[Example] = field(default_factory=list)  # examples served before their Python check


def _rename_pack(sheet: Sheet, new_id: str) -> Sheet:
    sections = tuple(
        dataclasses.replace(s, entries=tuple(dataclasses.replace(e, pack=new_id) for e in s.entries))
        for s in sheet.sections
    )
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
    def reload(
        self,
        paths: Sequence[str],
        builtin: bool,
        folders: Sequence[str],
        defer_examples: bool = False,
        workspace_packs: bool = True,
    ) -> ReloadOutcome:
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
                owner = self.owner.get(f)
                state = self.served.get(owner.path, "") if owner else ""
                tail = {
                    "last good": "serving its last good version",
                    "partial": "serving its valid entries",
                    "": "not served",
                }.get(state, "")
                announce.append(
                    f"{len(errs)} error(s) in pack file {f}" + (f" ({tail})" if tail else "") + f"; first: {errs[0]}"
                )
                self.announced[f] = key
        for f in [f for f in self.announced if f not in problems]:
            del self.announced[f]
        entries = sum(len(s.entries) for s in sheets)
        summary = f"serving {entries} entries from {len(sheets)} pack(s)" + (
            f"; {len(all_errors)} error(s) in {len(self.disk_errors)} file(s)" if all_errors else ""
        )
        return ReloadOutcome(sheets, diagnostics, announce, summary, all_errors, unchecked)

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
                log.warning(
                    "pack id %r of %s is already used by %s: serving it as %r",
                    sheet.id,
                    sheet.path,
                    seen[sheet.id],
                    new_id,
                )
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
    def signature(
        self, paths: Sequence[str], builtin: bool, folders: Sequence[str], workspace_packs: bool = True
    ) -> Tuple[Tuple[str, Optional[int], Optional[int]], ...]:
        """What a poll compares: the pack files that exist, with their sizes and times."""
        sources, _ = discover(paths, builtin, folders, workspace_packs)
        files = set(self.owner)
        for s in sources:
            files.add(s.path if s.kind != "package" else os.path.join(s.path, "package.json"))
        out: List[Tuple[str, Optional[int], Optional[int]]] = []
        for f in sorted(files):
            try:
                st = os.stat(f)
                out.append((f, st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((f, None, None))
        return tuple(out)


def diagnostic_range(lines: List[str], line: int) -> Tuple[int, int, int]:
    """0-based (line, start col, end col) of a 1-based error line: the line's text, indent excluded."""
    k = max(line - 1, 0)
    if k >= len(lines):
        k = max(len(lines) - 1, 0)
    text = lines[k] if lines else ""
    start = len(text) - len(text.lstrip())
    return k, start, max(len(text), start)
