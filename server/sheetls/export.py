"""Exports of the packs, all from the one source (the sheet model):

- `vscode`: a `.code-snippets` JSON file for users who want static snippets;
- `markdown`: the sheet as people read it, in the original page's views (standard,
  detailed, compact);
- `html`: the sheet as one self-contained page people use (sheetls.page): the three views,
  copy buttons, keys, downloads, search, entry anchors, print CSS;
- `json`: the validated sheet model, for other tools.

`write_dist(folder)` writes every export of the built-in sheet (what the repo keeps in
snippets/dist/); `check_dist(folder)` says which of those files are out of date.
"""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence, Tuple

from sheetls import render
from sheetls.formats import JSON_SCHEMA, markdown, model_json, static_body, vscode
from sheetls.model import PyVersion, Sheet

__all__ = ["FORMATS", "JSON_SCHEMA", "VIEWS", "export", "html", "markdown", "model_json", "static_body", "vscode"]

FORMATS = ("vscode", "markdown", "html", "json")
VIEWS = render.VIEWS


# --- html ---------------------------------------------------------------------------------------------


def html(sheets: Sequence[Sheet], view: str = "standard", target: Optional[PyVersion] = None) -> str:
    """The one self-contained page (sheetls.page.render_page): every view in it, `view` the
    one it opens in; inline CSS and script, no network. (Imported here: the server needs the
    page only when asked for it.)"""
    from sheetls.page import render_page

    return render_page(sheets, view, target)


# --- dispatch -------------------------------------------------------------------------------------


def export(sheets: Sequence[Sheet], fmt: str, view: str = "standard", target: Optional[PyVersion] = None) -> str:
    """`target`: the Python version to speak for ((3, 10)); None: every version, marked.
    The vscode and json formats are the same for every target (the json carries the versions)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r} (choose from {', '.join(VIEWS)})")
    if fmt == "vscode":
        return vscode(sheets)
    if fmt == "json":
        return model_json(sheets)
    if fmt == "markdown":
        return markdown(sheets, view, target)
    return html(sheets, view, target)


def dist_files(sheets: Sequence[Sheet], stem: str) -> Dict[str, str]:
    """Every export, by file name: the view-less formats and the page once, markdown per view."""
    files = {f"{stem}.code-snippets": vscode(sheets), f"{stem}.json": model_json(sheets), f"{stem}.html": html(sheets)}
    for view in VIEWS:
        files[f"{stem}.{view}.md"] = markdown(sheets, view)
    return files


def builtin_dist() -> Tuple[List[Sheet], str]:
    from sheetls.loader import builtin_sheet_path, load_pack

    result = load_pack(builtin_sheet_path())
    if not result.ok or result.sheet is None:
        raise ValueError("the built-in sheet has errors:\n" + "\n".join(str(e) for e in result.errors))
    return [result.sheet], result.sheet.id


def write_dist(folder: str) -> List[str]:
    sheets, stem = builtin_dist()
    os.makedirs(folder, exist_ok=True)
    written = []
    for name, text in dist_files(sheets, stem).items():
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        written.append(path)
    return written


def check_dist(folder: str) -> List[str]:
    """Files of `folder` that differ from what the source generates now (or are missing)."""
    sheets, stem = builtin_dist()
    stale = []
    for name, text in dist_files(sheets, stem).items():
        path = os.path.join(folder, name)
        try:
            with open(path, encoding="utf-8", newline="") as f:
                if f.read() == text:
                    continue
        except OSError:
            pass
        stale.append(path)
    return stale
