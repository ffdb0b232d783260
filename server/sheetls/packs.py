"""Which packs to serve: the built-in sheet and the user's pack files/folders."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable, List, Sequence

from sheetls.loader import LoadResult, PackError, builtin_sheet_path, load_pack
from sheetls.model import Sheet

PACK_SUFFIXES = (".yaml", ".yml")


@dataclass
class PackSet:
    sheets: List[Sheet] = field(default_factory=list)
    errors: List[PackError] = field(default_factory=list)


def pack_files(paths: Iterable[str]) -> List[str]:
    """Pack files named by `paths`: files as given, folders by their *.yaml/*.yml (sorted)."""
    out: List[str] = []
    for path in paths:
        path = os.path.expanduser(path)
        if os.path.isdir(path):
            out.extend(os.path.join(path, n) for n in sorted(os.listdir(path)) if n.endswith(PACK_SUFFIXES))
        else:
            out.append(path)
    return out


def load_packs(paths: Sequence[str], builtin: bool = True) -> PackSet:
    result = PackSet()
    files = ([builtin_sheet_path()] if builtin else []) + pack_files(paths)
    for path in files:
        loaded: LoadResult = load_pack(path)
        result.errors.extend(loaded.errors)
        if loaded.sheet is not None:
            result.sheets.append(loaded.sheet)
    return result
