"""The page generator (sheetls.page) without a browser: anchors, the data the page's script
is given (search keys, downloads, copy texts), several packs in one page, and the HTML's
safety. test_page.py drives the page itself in Chromium."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from packs_support import CODE_SNIPPETS, COLLIDING_YAML, TEAM_YAML
from sheetls import export
from sheetls.index import SheetIndex
from sheetls.loader import builtin_sheet_path, load_pack
from sheetls.packs import load_path
from sheetls.page import anchors, core_lines, entry_anchor, page_data, render_page, sheet_plain
from sheetls.snippet_syntax import parse, to_plain

pytestmark = pytest.mark.page

SHEET = load_pack(builtin_sheet_path()).sheet


class Parts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.scripts, self.styles, self.hrefs = [], [], [], []
        self._in = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a":
            self.hrefs.append(a.get("href") or "")
        if tag in ("script", "style"):
            (self.scripts if tag == "script" else self.styles).append([a, ""])
            self._in = tag

    def handle_endtag(self, tag):
        self._in = ""

    def handle_data(self, data):
        if self._in:
            (self.scripts if self._in == "script" else self.styles)[-1][1] += data


def parts(html: str) -> Parts:
    p = Parts()
    p.feed(html)
    return p


def embedded(html: str) -> dict:
    (data,) = [text for attrs, text in parts(html).scripts if attrs.get("type") == "application/json"]
    return json.loads(data)


def pack(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    loaded = load_path(str(path))
    assert loaded.errors == []
    return loaded.sheet


def test_entry_anchors_are_the_entry_ids():
    assert [entry_anchor(e) for e in SHEET.entries] == [e.id for e in SHEET.entries]
    assert entry_anchor(SHEET.entries[0]) == "open-tcp-connection"  # the example
    page = parts(render_page(SHEET))
    assert len(page.ids) == len(set(page.ids))
    for entry in SHEET.entries:
        assert entry_anchor(entry) in page.ids and f"#{entry_anchor(entry)}" in page.hrefs


def test_several_packs_in_one_page_keep_every_anchor_unique(tmp_path):
    team = pack(tmp_path, "team.yaml", TEAM_YAML)
    again = pack(tmp_path, "again.yaml", TEAM_YAML.replace("id: team-patterns", "id: team-again"))
    sheets = [SHEET, team, again]
    found = anchors(sheets)
    assert found[("team-patterns", "gather")] == "gather"
    assert found[("team-again", "gather")] == "team-again--gather"  # an earlier entry took "gather"
    html = render_page(sheets)
    page = parts(html)
    assert len(page.ids) == len(set(page.ids)) and set(found.values()) <= set(page.ids)
    data = embedded(html)
    assert [e["anchor"] for e in data["entries"]] == list(found.values())
    assert data["plain"]["compact"] == "\n".join(sheet_plain(s, "compact") for s in sheets)
    assert data["downloads"]["vscode"] == {"file": "sheetls-packs.code-snippets", "text": export.vscode(sheets)}


def keys_find(data: dict, word: str):
    """The page script's matching (page.js `matches`), over the data the page carries."""
    w = word.strip().lower()
    return [e["anchor"] for e in data["entries"] if not w or any(k.startswith(w) for k in e["keys"])]


def test_the_search_keys_find_what_completion_finds_for_every_word_start(tmp_path):
    sheets = [SHEET, pack(tmp_path, "team.yaml", TEAM_YAML), pack(tmp_path, "net.yaml", COLLIDING_YAML)]
    index = SheetIndex.build(sheets)
    data = page_data(sheets)
    anchor_of = anchors(sheets)
    by_entry = {id(e): anchor_of[(s.id, e.id)] for s in sheets for e in s.entries}
    words = {""}
    for entry in data["entries"]:
        for key in entry["keys"] + entry["title"].split():
            words.update(key[:n] for n in range(1, len(key) + 1))
    words |= {w.upper() for w in list(words)} | {"zzz", "open_c", "-"}
    assert len(words) > 300
    for word in sorted(words):
        matches, _ = index.find(word) if word else index.all()
        assert keys_find(data, word) == [by_entry[id(m.entry)] for m in matches], word


def test_the_downloads_are_the_exports_for_the_pages_python(tmp_path):
    for target in (None, (3, 12)):
        data = embedded(render_page(SHEET, "compact", target))
        for view in ("standard", "detailed", "compact"):
            got = data["downloads"]["markdown"][view]
            assert got == {"file": f"asyncio-streams.{view}.md", "text": export.markdown([SHEET], view, target)}
        assert data["downloads"]["vscode"]["text"] == export.vscode([SHEET])
        assert data["defaultView"] == "compact"
        assert [e["example"] for e in data["entries"]] == [e.example for e in SHEET.entries]
    assert "For Python 3.12." in sheet_plain(SHEET, "standard", (3, 12))


def test_core_lines_of_a_vscode_snippet_are_its_body(tmp_path):
    snippets = pack(tmp_path, "mine.code-snippets", CODE_SNIPPETS)
    html = render_page(snippets)
    data = embedded(html)
    for got, entry in zip(data["entries"], snippets.entries):
        assert got["core"] == to_plain(parse(entry.body)).rstrip("\n") + "\n"
    assert core_lines(SHEET.entries[0]).startswith("reader, writer = await asyncio.wait_for(")


def test_text_from_a_pack_cannot_leave_its_place(tmp_path):
    evil = TEAM_YAML.replace("summary: Our own asyncio patterns.", "summary: '</script><script>alert(1)</script><!--'")
    sheet = pack(tmp_path, "evil.yaml", evil)
    html = render_page(sheet)
    page = parts(html)
    assert len(page.scripts) == 2  # the data and the page's script, nothing else
    assert "\n</script><script>alert(1)</script><!--\n" in embedded(html)["plain"]["standard"]  # as written
    assert "<script>alert" not in html


def test_a_nonce_goes_on_the_inline_style_and_script():
    page = parts(render_page(SHEET, nonce="abc123"))
    assert [a.get("nonce") for a, _ in page.styles] == ["abc123"]
    assert [a.get("nonce") for a, _ in page.scripts if a.get("type") != "application/json"] == ["abc123"]
    plain = parts(render_page(SHEET))
    assert all("nonce" not in a for a, _ in plain.scripts + plain.styles)


def test_the_page_module_imports_no_protocol_library():
    code = (
        "import sys, sheetls.page; sheetls.page.render_page; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_an_unknown_view_is_refused():
    with pytest.raises(ValueError, match="unknown view"):
        render_page(SHEET, "wide")
