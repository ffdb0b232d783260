"""Which packs to serve, and reading each one into the sheet model.

Sources, in this order (which is also the order items are offered in):
1. the built-in sheet (unless `builtinSheet: false`);
2. the `packs` setting: files or folders (relative paths resolve against the workspace folder);
3. a `.sheetls/` folder in each workspace folder (unless `workspacePacks: false`, which an
   editor sends while the user has not trusted the workspace: VS Code's Restricted Mode).

A pack is a YAML file in sheetls's schema (`*.yaml`, `*.yml`), a VS Code snippet file
(`*.code-snippets`, or a language file `python.json` as in VS Code's user snippets folder),
or a snippet package folder (`package.json` with `contributes.snippets`, as friendly-snippets).
A folder holds packs: its pack files and its snippet-package subfolders (one level); a folder
that is itself a snippet package is one pack.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from sheetls import vscode_snippets
from sheetls.loader import LoadResult, PackError, builtin_sheet_path, load_pack, load_text
from sheetls.model import Sheet

PACK_SUFFIXES = (".yaml", ".yml")
VSCODE_SUFFIXES = (".code-snippets",)
WORKSPACE_FOLDER = ".sheetls"
YAML, VSCODE, PACKAGE = "yaml", "vscode", "package"


@dataclass(frozen=True)
class PackSource:
    path: str  # absolute: a pack file, or the folder of a snippet package
    kind: str  # YAML | VSCODE | PACKAGE
    origin: str  # "built-in", "settings" or ".sheetls" (where the pack came from)


@dataclass
class LoadedPack:
    source: PackSource
    result: LoadResult
    files: Tuple[str, ...]  # every file read for this pack
    other_languages: int = 0  # snippets scoped to languages other than Python, left out

    @property
    def sheet(self) -> Optional[Sheet]:
        return self.result.sheet

    @property
    def errors(self) -> List[PackError]:
        return self.result.errors


@dataclass
class PackSet:
    sheets: List[Sheet] = field(default_factory=list)
    errors: List[PackError] = field(default_factory=list)
    loaded: List[LoadedPack] = field(default_factory=list)


def kind_of(path: str) -> Optional[str]:
    """The kind of pack a file is, by its name; None for files that are not packs."""
    name = os.path.basename(path)
    if name.endswith(PACK_SUFFIXES):
        return YAML
    if name.endswith(VSCODE_SUFFIXES):
        return VSCODE
    if name == "python.json":
        return VSCODE
    return None


def scan_folder(folder: str, origin: str) -> List[PackSource]:
    """The packs a folder holds (sorted by name)."""
    if vscode_snippets.is_snippet_package(folder):
        return [PackSource(folder, PACKAGE, origin)]
    out: List[PackSource] = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return out
    for name in names:
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            if vscode_snippets.is_snippet_package(path):
                out.append(PackSource(path, PACKAGE, origin))
            continue
        kind = kind_of(path)
        if kind is not None:
            out.append(PackSource(path, kind, origin))
    return out


def resolve_path(path: str, folders: Sequence[str]) -> str:
    """A configured path made absolute: `~` expanded, relative to the first workspace folder that has it."""
    path = os.path.expanduser(os.path.expandvars(path))
    if os.path.isabs(path):
        return os.path.normpath(path)
    for folder in folders:
        candidate = os.path.join(folder, path)
        if os.path.exists(candidate):
            return os.path.normpath(candidate)
    return os.path.normpath(os.path.join(folders[0] if folders else os.getcwd(), path))


def discover(
    paths: Sequence[str], builtin: bool = True, folders: Sequence[str] = (), workspace_packs: bool = True
) -> Tuple[List[PackSource], List[PackError]]:
    """Every pack source, in serving order, and an error per configured path that is missing.
    `workspace_packs=False`: the workspace folders' `.sheetls/` folders are not read."""
    sources: List[PackSource] = []
    errors: List[PackError] = []
    if builtin:
        sources.append(PackSource(builtin_sheet_path(), YAML, "built-in"))
    for raw in paths:
        path = resolve_path(raw, folders)
        if os.path.isdir(path):
            sources.extend(scan_folder(path, "settings"))
        elif os.path.isfile(path):
            if os.path.basename(path) == "package.json":
                sources.append(PackSource(os.path.dirname(path), PACKAGE, "settings"))
            else:
                # A file named explicitly is a pack even with another suffix: JSON if it looks it.
                kind = kind_of(path) or (VSCODE if path.endswith(".json") else YAML)
                sources.append(PackSource(path, kind, "settings"))
        else:
            errors.append(PackError(path, 0, "packs", f"no such file or folder (from the packs setting {raw!r})"))
    for folder in folders if workspace_packs else ():
        local = os.path.join(folder, WORKSPACE_FOLDER)
        if os.path.isdir(local):
            sources.extend(scan_folder(local, WORKSPACE_FOLDER))
    seen = set()
    unique: List[PackSource] = []
    for src in sources:
        key = os.path.realpath(src.path)
        if key not in seen:
            seen.add(key)
            unique.append(src)
    return unique, errors


def pack_folders(paths: Sequence[str], folders: Sequence[str], workspace_packs: bool = True) -> List[str]:
    """The folders whose listing decides which packs exist (for watching and polling)."""
    out = [os.path.join(f, WORKSPACE_FOLDER) for f in folders] if workspace_packs else []
    for raw in paths:
        path = resolve_path(raw, folders)
        out.append(path if os.path.isdir(path) or not os.path.splitext(path)[1] else os.path.dirname(path))
    return out


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a pack loads (left off if it was off): a load
    allocates a few objects per YAML value and frees none until it is done, so the collector
    would walk the growing heap again and again for nothing; reference counting frees as usual.
    It buys an editor start with a 10,000-entry pack ~0.3 s (reload + index: 1.76 s of CPU, 2.06 s
    unpaused), a 200-entry pack ~14 ms (benchmarks/README.md, "What each piece buys")."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def load_source(src: PackSource, texts: Optional[Dict[str, str]] = None, defer_examples: bool = False) -> LoadedPack:
    """Read one pack; `texts` overrides file contents (open editor buffers); `defer_examples`:
    see loader.build_sheet.

    Never raises: a pack that breaks the reader itself (say, nesting deep enough to exhaust
    Python's parser) is an invalid pack like any other, so the other packs stay served."""
    try:
        with collector_paused():
            return _load_source(src, texts or {}, defer_examples)
    except Exception as exc:  # RecursionError, MemoryError from a parser, OSError...
        path = os.path.join(src.path, "package.json") if src.kind == PACKAGE else src.path
        error = PackError(path, 0, "", f"the pack could not be read: {type(exc).__name__}: {exc}")
        return LoadedPack(src, LoadResult(None, [error]), (path,))


def _load_source(src: PackSource, texts: Dict[str, str], defer_examples: bool = False) -> LoadedPack:
    if src.kind == PACKAGE:
        got = vscode_snippets.load_package(src.path, texts)
        return LoadedPack(src, got.result, got.files, got.other_languages)
    if src.kind == VSCODE:
        got = vscode_snippets.load_snippet_file(src.path, texts.get(src.path))
        return LoadedPack(src, got.result, got.files, got.other_languages)
    text = texts.get(src.path)
    result = load_text(text, src.path, defer_examples) if text is not None else load_pack(src.path, defer_examples)
    return LoadedPack(src, result, (src.path,))


def load_packs(paths: Sequence[str], builtin: bool = True, folders: Sequence[str] = ()) -> PackSet:
    """Every pack as the command line sees it (no last-good state: see pack_service)."""
    result = PackSet()
    sources, errors = discover(paths, builtin, folders)
    result.errors.extend(errors)
    for src in sources:
        loaded = load_source(src)
        result.loaded.append(loaded)
        result.errors.extend(loaded.errors)
        if loaded.sheet is not None:
            result.sheets.append(loaded.sheet)
    return result


def load_path(path: str) -> LoadedPack:
    """One pack named by a file or package folder path (for `sheetls check`)."""
    if os.path.isdir(path):
        return load_source(PackSource(os.path.abspath(path), PACKAGE, "settings"))
    if os.path.basename(path) == "package.json":
        return load_source(PackSource(os.path.dirname(os.path.abspath(path)), PACKAGE, "settings"))
    kind = kind_of(path) or (VSCODE if path.endswith(".json") else YAML)
    return load_source(PackSource(path, kind, "settings"))
