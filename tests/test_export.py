"""Exports from the one source (issue 7): every format and view through `sheetls export`,
the VS Code export loaded back as a pack (same items, over the protocol too), the HTML
rendered by headless Chromium to a PNG that is looked at, and snippets/dist/ in sync."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from packs_support import IN_ASYNC_DEF, complete, start
from sheetls import export, forms
from sheetls.loader import builtin_sheet_path, load_pack
from sheetls.packs import load_path
from sheetls.snippet_syntax import parse, to_plain
from tool_required import missing_tool

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "snippets" / "dist"
SHEET = load_pack(builtin_sheet_path()).sheet
VIEWS = ["standard", "detailed", "compact"]


def sheetls(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sheetls", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def run_export(tmp_path, fmt, view="standard") -> str:
    out = tmp_path / f"out.{fmt}.{view}"
    proc = sheetls("export", "--format", fmt, "--view", view, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # the export went to the file
    return out.read_text(encoding="utf-8")


# --- markdown ------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
def test_markdown_views(tmp_path, view):
    text = run_export(tmp_path, "markdown", view)
    assert text.startswith(f"# {SHEET.title}\n\n{SHEET.summary}\n")
    for section in SHEET.sections:
        assert f"\n## {section.title}\n" in text
        assert (section.summary in text) == (view != "compact")
    for entry in SHEET.entries:
        assert entry.example.rstrip() in text  # the sheet's code, runnable as shown
        if view == "compact":
            assert f"**{entry.title}** (`{entry.prefix}`): {entry.summary}" in text
            assert entry.note not in text
        else:
            assert f"### {entry.title}\n\n{entry.summary}" in text and entry.note in text
        assert (entry.signature in text) == (view == "detailed")
        assert (f"[Python docs]({entry.docs})" in text) == (view == "detailed")


def test_markdown_to_stdout_is_the_same(tmp_path):
    assert sheetls("export", "--format", "markdown", "--view", "compact").stdout == run_export(
        tmp_path, "markdown", "compact"
    )


# --- html -------------------------------------------------------------------------------------------


class Outline(HTMLParser):
    """The parts of a page the tests look at."""

    def __init__(self):
        super().__init__()
        self.stack, self.h = [], {"h1": [], "h2": [], "h3": []}
        self.code, self.articles, self.links, self.tags, self.style, self.body_class = [], 0, [], set(), "", ""
        self.in_python = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        self.stack.append(tag)
        if tag == "article":
            self.articles += 1
        if tag == "body":
            self.body_class = a.get("class", "")
        if tag == "code":
            self.in_python = "language-python" in (a.get("class") or "")
            if self.in_python:
                self.code.append("")
        if tag == "a":
            self.links.append(a.get("href"))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        top = self.stack[-1] if self.stack else ""
        if top in self.h:
            self.h[top].append(data)
        elif top == "style":
            self.style += data
        elif top == "code" and self.in_python and self.stack[-2] == "pre":
            self.code[-1] += data


@pytest.mark.parametrize("view", VIEWS)
def test_html_views(tmp_path, view):
    """One page holds every view (tests/page/ drives it in Chromium); --view is the one it opens in."""
    text = run_export(tmp_path, "html", view)
    page = Outline()
    page.feed(text)
    assert page.h["h1"] == [SHEET.title]
    assert page.h["h2"] == [s.title for s in SHEET.sections] + ["Keys"]  # the sections, then the keys dialog
    assert page.articles == len(SHEET.entries)
    examples = list(page.code)
    assert examples == [e.example.rstrip() for e in SHEET.entries]  # the code, unescaped, exactly
    assert page.body_class == f"view-{view}"
    assert "link" not in page.tags and "src=" not in text  # one self-contained page: nothing loaded
    assert "@media print" in page.style and "break-inside: avoid" in page.style and "@page" in page.style
    docs = [e.docs for e in SHEET.entries]
    assert [link for link in page.links if not link.startswith("#")] == docs
    assert text.count('class="signature v-detailed"') == sum(1 for e in SHEET.entries if e.signature)


def png_pixels(path: Path):
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes): (width, height, rows of bytes, channels)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (2, 6)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows, channels


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        missing_tool("chromium is not installed (make vscode-setup installs Debian's chromium)")
    return path


def render_png(html_file: Path, png: Path, tmp_path: Path, size="1200,1600") -> None:
    profile = tmp_path / "chromium-profile"
    env = dict(
        os.environ,
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        TMPDIR=str(tmp_path),
    )
    proc = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={size}",
            f"--screenshot={png}",
            html_file.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert png.exists(), proc.stderr[-2000:]


@pytest.mark.slow  # a browser per view
@pytest.mark.parametrize("view", VIEWS)
def test_html_renders_in_headless_chromium(tmp_path, view):
    html_file = tmp_path / f"sheet.{view}.html"
    html_file.write_text(run_export(tmp_path, "html", view), encoding="utf-8")
    png = tmp_path / f"sheet.{view}.png"
    render_png(html_file, png, tmp_path)
    width, height, rows, ch = png_pixels(png)
    assert (width, height) == (1200, 1600)
    ink = [
        sum(1 for x in range(0, width * ch, ch) if row[x] < 128 and row[x + 1] < 128 and row[x + 2] < 128)
        for row in rows
    ]
    inked_rows = [y for y, n in enumerate(ink) if n]
    # text, not a blank page: dark pixels on many rows, spread down the page
    assert len(inked_rows) > 300, len(inked_rows)
    assert sum(ink) > 5000
    assert inked_rows[0] < 200 and inked_rows[-1] > 1000
    # the code blocks' tinted background is there (the CSS applied)
    tint = bytes([0xF5, 0xF7, 0xFA])
    assert any(tint in bytes(b for i, b in enumerate(row) if ch == 3 or i % 4 != 3) for row in rows[::20])


def pdf_pages(html_file: Path, tmp_path: Path) -> int:
    """Print a page to PDF with headless Chromium (A4, the page's print CSS); its page count."""
    import re

    pdf = html_file.with_suffix(".pdf")
    env = dict(os.environ, HOME=str(tmp_path), TMPDIR=str(tmp_path))
    subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'pdf-profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html_file.as_uri(),
        ],
        capture_output=True,
        timeout=180,
        env=env,
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    return max(int(n) for n in re.findall(rb"/Count (\d+)", data))


@pytest.mark.slow
def test_html_prints_to_pdf(tmp_path):
    pages = {}
    for view in ("compact", "detailed"):
        html_file = tmp_path / f"sheet.{view}.html"
        html_file.write_text(run_export(tmp_path, "html", view), encoding="utf-8")
        pages[view] = pdf_pages(html_file, tmp_path)
    # the compact view prints in two columns: fewer sheets of paper than the detailed one
    assert 1 <= pages["compact"] < pages["detailed"], pages


# --- json -------------------------------------------------------------------------------------------


def test_json_is_the_validated_model(tmp_path):
    model = json.loads(run_export(tmp_path, "json"))
    assert model["schema"] == 1 and len(model["packs"]) == 1
    pack = model["packs"][0]
    assert (pack["id"], pack["title"], pack["summary"]) == (SHEET.id, SHEET.title, SHEET.summary)
    assert [s["id"] for s in pack["sections"]] == [s.id for s in SHEET.sections]
    entries = [e for s in pack["sections"] for e in s["entries"]]
    assert [e["prefix"] for e in entries] == [e.prefix for e in SHEET.entries]
    for got, entry in zip(entries, SHEET.entries):
        assert got["body"] == entry.body and got["example"] == entry.example
        assert got["apis"] == list(entry.apis) and got["tags"] == list(entry.tags)
        assert got["program"] == forms.entry_program(entry)
        assert to_plain(parse(got["program"])) == entry.example
    assert len(pack["members"]) == len(SHEET.members)
    assert "path" not in json.dumps(model)  # nothing of this machine in it


# --- vscode -------------------------------------------------------------------------------------


def test_vscode_export_loads_back_as_a_pack_with_the_same_items(tmp_path):
    text = run_export(tmp_path, "vscode")
    snippets = json.loads(text)
    assert all(s["scope"] == "python" for s in snippets.values())
    path = tmp_path / "asyncio.code-snippets"
    path.write_text(text)
    loaded = load_path(str(path))
    assert loaded.errors == []
    back = loaded.sheet.entries
    assert [(e.prefix, e.title, e.summary) for e in back] == [(e.prefix, e.title, e.summary) for e in SHEET.entries]
    for got, entry in zip(back, SHEET.entries):
        assert got.body == forms.entry_program(entry).rstrip("\n")  # the program, placeholders and all
        assert got.example == entry.example.rstrip("\n")  # at defaults: the sheet's code


@pytest.mark.slow  # a server per profile
@pytest.mark.parametrize("profile", ["visual_studio_code", "neovim"])
async def test_vscode_export_served_as_a_pack_offers_the_same_items(bare_client, tmp_path, profile):
    path = tmp_path / "asyncio.code-snippets"
    path.write_text(run_export(tmp_path, "vscode"))
    await start(bare_client, None, profile=profile, options={"packs": [str(path)], "builtinSheet": False})
    result = await complete(bare_client, IN_ASYNC_DEF.format(word="aio"))
    assert [(i.label, i.detail) for i in result.items] == [(e.prefix, e.title) for e in SHEET.entries]
    for item, _entry in zip(result.items, SHEET.entries):
        assert "async def main():" in item.text_edit.new_text
        assert to_plain(parse(item.text_edit.new_text)).strip().endswith("asyncio.run(main())")


# --- snippets/dist ---------------------------------------------------------------------------------


def test_dist_is_in_sync_with_the_source():
    stale = export.check_dist(str(DIST))
    assert stale == [], "snippets/dist is out of date: run `sheetls export --dist snippets/dist`"
    expected = {"asyncio-streams.code-snippets", "asyncio-streams.json", "asyncio-streams.html"} | {
        f"asyncio-streams.{v}.md" for v in VIEWS
    }
    assert expected <= {p.name for p in DIST.iterdir()}


@pytest.mark.slow  # the command line, twice
def test_dist_check_from_the_command_line(tmp_path):
    assert sheetls("export", "--dist", str(DIST), "--check").returncode == 0
    out = tmp_path / "dist"
    proc = sheetls("export", "--dist", str(out), "--check")
    assert proc.returncode == 1 and "out of date" in proc.stderr
    assert sheetls("export", "--dist", str(out)).returncode == 0
    assert sheetls("export", "--dist", str(out), "--check").returncode == 0
    (out / "asyncio-streams.compact.md").write_text("edited by hand\n")
    assert sheetls("export", "--dist", str(out), "--check").returncode == 1


@pytest.mark.slow
async def test_render_sheet_command_renders_the_served_packs_in_each_format(bare_client, tmp_path):
    from lsprotocol import types as t

    from packs_support import TEAM_YAML

    (tmp_path / ".sheetls").mkdir()
    (tmp_path / ".sheetls" / "team.yaml").write_text(TEAM_YAML)
    await start(bare_client, tmp_path)
    for fmt in ("markdown", "html", "json", "vscode"):
        text = await bare_client.workspace_execute_command_async(
            t.ExecuteCommandParams(command="sheetls.renderSheet", arguments=[{"format": fmt, "view": "compact"}])
        )
        served = export.export([SHEET, load_path(str(tmp_path / ".sheetls" / "team.yaml")).sheet], fmt, "compact")
        assert text == served
        assert "Gather awaitables" in text and "Open a TCP connection" in text
