"""`render_page`: the one self-contained page (inline CSS and script, no network; it works
from file://). The page's fixed parts are package data (assets/page.html, page.css,
page.js); what is generated is the body (markup.py) and the data the script needs, which
carries every download as `sheetls export` writes it, so a download is byte-equal to it."""

from __future__ import annotations

import html as _html
import json
from functools import cache
from importlib import resources
from string import Template
from typing import Any, Dict, List, Optional, Sequence, Union

from sheetls import formats, render
from sheetls.model import PyVersion, Sheet
from sheetls.page import markup
from sheetls.page.anchors import anchors
from sheetls.page.text import core_lines, search_keys, sheet_plain

VIEWS = render.VIEWS
VIEW_NAMES = {"standard": "Standard", "detailed": "Detailed", "compact": "Compact"}


@cache
def asset(name: str) -> str:
    return resources.files("sheetls.page").joinpath("assets").joinpath(name).read_text(encoding="utf-8")


def _sheets(sheet: Union[Sheet, Sequence[Sheet]]) -> List[Sheet]:
    return [sheet] if isinstance(sheet, Sheet) else list(sheet)


def file_stem(sheets: Sequence[Sheet]) -> str:
    return sheets[0].id if len(sheets) == 1 else "sheetls-packs"


def page_data(
    sheet: Union[Sheet, Sequence[Sheet]], view: str = "standard", target: Optional[PyVersion] = None
) -> Dict[str, Any]:
    """What the page's script is given: per entry its anchor, search keys, example and core
    lines; per view the sheet as plain text; the downloads with their file names and bytes."""
    sheets = _sheets(sheet)
    anchor_of = anchors(sheets)
    stem = file_stem(sheets)
    entries = []
    for sh in sheets:
        for entry in sh.entries:
            anchor = anchor_of[(sh.id, entry.id)]
            entries.append(
                {
                    "anchor": anchor,
                    "title": markup.render_title(entry.title),
                    "keys": search_keys(entry),
                    "example": entry.example or core_lines(entry),
                    "core": core_lines(entry),
                    "file": f"{anchor}.py",
                }
            )
    return {
        "views": list(VIEWS),
        "defaultView": view,
        "plain": {v: "\n".join(sheet_plain(sh, v, target) for sh in sheets) for v in VIEWS},
        "downloads": {
            "markdown": {v: {"file": f"{stem}.{v}.md", "text": formats.markdown(sheets, v, target)} for v in VIEWS},
            "vscode": {"file": f"{stem}.code-snippets", "text": formats.vscode(sheets)},
        },
        "entries": entries,
    }


def _script_json(data: Dict[str, Any]) -> str:
    """JSON safe inside <script>: no `<` (so no `</script>` or `<!--`), no U+2028/9 surprises."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_page(
    sheet: Union[Sheet, Sequence[Sheet]],
    view: str = "standard",
    target: Optional[PyVersion] = None,
    *,
    nonce: Optional[str] = None,
) -> str:
    """The page for one sheet or several. `view`: the view it opens in when the reader has not
    chosen one (the URL's `#view=...`, else the last one chosen, remembered by the browser);
    `target`: the Python version it speaks for ((3, 10)), None for every version, marked;
    `nonce`: put on the inline <style> and <script> (a webview's content security policy
    then allows them by `'nonce-...'`, without 'unsafe-inline')."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r} (choose from {', '.join(VIEWS)})")
    sheets = _sheets(sheet)
    if not sheets:
        raise ValueError("no sheet to render")
    anchor_of = anchors(sheets)
    heading = "h1" if len(sheets) == 1 else "h2"
    body, first = [], 0
    for sh in sheets:
        body.append(markup.sheet_html(sh, anchor_of, first, target, heading))
        first += len(sh.entries)
    title = sheets[0].title if len(sheets) == 1 else "sheetls packs"
    view_buttons = "".join(
        f'<button type="button" data-view="{v}" aria-pressed="{"true" if v == view else "false"}">'
        f"{VIEW_NAMES[v]}</button>"
        for v in VIEWS
    )
    return Template(asset("page.html")).substitute(
        title=_html.escape(markup.render_title(title)),
        page_heading=markup.sheet_head(sheets[0], target, "h1")
        if len(sheets) == 1
        else f"<h1>{_html.escape(title)}</h1>",
        view=view,
        view_buttons=view_buttons,
        body="\n".join(body),
        css=asset("page.css").strip(),
        script=asset("page.js").strip(),
        data=_script_json(page_data(sheets, view, target)),
        nonce=f' nonce="{_html.escape(nonce)}"' if nonce else "",
    )
