"""The sheet page (issue 17): `sheetls export --format html` opened from file:// in Debian's
Chromium and used as a reader would (drive_page.js, playwright-core), each observation
compared with the snippet source, with `sheetls export` and with completion.

One browser run serves the whole module (the `observed` fixture); each test reads its part."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Dict, List

import pytest
from page_support import ARTIFACTS, drive, find_tools, pdf_pages, sheetls

from sheetls.completion import propose
from sheetls.index import SheetIndex
from sheetls.loader import builtin_sheet_path, load_pack
from sheetls.model import Entry
from sheetls.page import entry_anchor, sheet_plain
from sheetls.profile import ClientProfile

pytestmark = [pytest.mark.page, pytest.mark.slow]

SHEET = load_pack(builtin_sheet_path()).sheet
ENTRIES = SHEET.entries
VIEWS = ["standard", "detailed", "compact"]
STEM = SHEET.id
# Words typed into the search box; each is also completed after it in an `async def`.
WORDS = ["", "aio", "AIO", "aioo", "aioex", "open", "tcp", "sub", "subprocess", "shell", "exec", "executor"]
WORDS += ["in_executor", "thread", "to_thread", "server", "streams", "client", "wait", "create", "run", "x", "zzz"]
BUTTON_TEXTS = ["Copy example", "Copy core lines", "Download", "Copy sheet", "Dense layout", "Print"]


@pytest.fixture(scope="module")
def tools():
    return find_tools()


@pytest.fixture(scope="module")
def observed(tools, tmp_path_factory) -> Dict:
    folder = tmp_path_factory.mktemp("page")
    page = folder / f"{STEM}.html"
    page.write_bytes(sheetls("export", "--format", "html"))
    return drive(tools, page, WORDS, STEM)


def read(text: str) -> str:
    """Inline markdown as the page shows it: `code` and **bold** as their text, links as their text."""
    return re.sub(
        r"`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\([^)]+\)", lambda m: m.group(1) or m.group(2) or m.group(3), text
    )


def squash(text: str) -> str:
    return "".join(text.split())


# --- completion, asked as the editor asks it ---------------------------------------------------

DOC = ["import asyncio", "", "", "async def main():"]


def completion_offers(word: str):
    """What completion proposes for `word` typed on a line of its own inside an `async def`."""
    lines = [*DOC, f"    {word}"]
    proposals, _cut = propose(SheetIndex.build([SHEET]), lines, 4, 4 + len(word), ClientProfile(snippets=False))
    return proposals


def inserted_core(entry: Entry) -> str:
    """The text completion inserts for `entry` inside an async def, as a block at column 0."""
    (proposal,) = [p for p in completion_offers(entry.prefix) if p.entry.id == entry.id]
    assert proposal.form == "body"
    first, *rest = proposal.text.split("\n")
    return "\n".join([first] + [line[4:] if line.startswith("    ") else line for line in rest])


# --- the page ---------------------------------------------------------------------------------------


def test_the_page_loads_nothing_and_runs_from_file(observed):
    assert observed["requests"] and all(url.startswith("file:") for url in observed["requests"])  # no network
    assert observed["errors"] == []
    assert observed["secure"] is True  # file:// is a secure context: the async clipboard is there
    assert observed["initialClass"] == "view-standard"


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_shows_what_the_snippet_source_has(observed, view):
    seen = observed["views"][view]
    assert observed["views"][view]["pressed"] == [[v.title(), "true" if v == view else "false"] for v in VIEWS]
    assert [e["anchor"] for e in seen["entries"]] == [entry_anchor(e) for e in ENTRIES]
    for got, entry in zip(seen["entries"], ENTRIES):
        text = got["text"]
        assert got["visible"]
        assert got["example"].rstrip("\n") == entry.example.rstrip("\n")  # the code, exactly
        assert read(entry.title) in text and read(entry.summary) in text and entry.prefix in text
        assert (f"{' '.join(entry.tags)} trigger: {entry.prefix}" in text) == (view != "compact")
        assert (read(entry.note) in text) == (view != "compact")
        for pitfall in entry.pitfalls:
            assert (read(pitfall.text) in text) == (view != "compact")
        assert (squash(entry.signature) in squash(text)) == (view == "detailed" and bool(entry.signature))
        assert ("Python docs" in text) == (view == "detailed" and bool(entry.docs))
        assert (f"APIs: {', '.join(entry.apis)}" in text) == (view == "detailed" and bool(entry.apis))
        for param in entry.params:
            if param.note:
                assert (squash(read(param.note)) in squash(text)) == (view == "detailed")
    for shown, section in zip(seen["sections"], SHEET.sections):
        assert shown.startswith(section.title)
        assert (read(section.summary) in shown) == (view != "compact")
    for member in SHEET.members:
        assert (read(member.summary) in seen["main"]) == (view == "detailed"), member.api


def test_the_view_is_remembered_and_set_by_the_url(observed):
    assert observed["afterReload"] == "view-compact"  # chosen, then reloaded
    assert observed["fromHash"] == "view-detailed"  # #view=detailed
    assert observed["fromHashChange"] == "view-standard"  # the hash changed while open
    assert observed["anchorKeepsView"] == "view-standard"  # #open-tcp-connection keeps the remembered view
    assert observed["anchorTarget"] == "open-tcp-connection"


def test_each_copy_button_copies_the_exact_text_with_feedback(observed):
    copies = observed["copies"]
    assert [(c["anchor"], c["kind"]) for c in copies] == [
        (entry_anchor(e), kind) for e in ENTRIES for kind in ("example", "core")
    ]
    for copy, entry in zip(copies, [e for e in ENTRIES for _ in (0, 1)]):
        if copy["kind"] == "example":
            assert copy["text"] == entry.example  # the runnable program, as `sheetls show` prints it
            assert copy["label"] == f"Copy example: {read(entry.title)}"
        else:  # what completion inserts inside an async def, placeholders at their defaults
            assert copy["text"] == inserted_core(entry) + "\n"
            assert copy["label"] == f"Copy core lines: {read(entry.title)}"
            assert copy["text"] != entry.example and "asyncio.run(" not in copy["text"]
        assert copy["feedback"] == "Copied"
        assert read(entry.title) in copy["status"] and copy["status"].startswith("Copied the")


def test_copy_buttons_are_reached_and_pressed_from_the_keyboard(observed):
    assert observed["tabbedTo"] == f"Copy example: {read(ENTRIES[0].title)}"
    outline = observed["focusOutline"]
    assert outline["style"] != "none" and float(outline["width"].rstrip("px")) >= 2  # visible focus
    assert observed["enterCopied"] == ENTRIES[0].example


@pytest.mark.parametrize("view", VIEWS)
def test_c_copies_the_whole_sheet_as_plain_text_in_the_view(observed, view):
    text = observed["copyAll"][view]
    assert text == sheet_plain(SHEET, view)
    for entry in ENTRIES:  # what the view shows, in the order of the sheet
        assert entry.example.rstrip() in text and read(entry.title) in text
        assert (read(entry.note) in text) == (view != "compact")
        assert (entry.signature in text) == (view == "detailed")
    titles = [text.index(read(e.title)) for e in ENTRIES]
    assert titles == sorted(titles)
    assert "<" + "code>" not in text and "`" not in text.replace("```", "")  # plain text, not markup


def test_keys_do_nothing_while_a_text_field_has_focus(observed):
    assert observed["inSearch"] == {"clipboard": "(nothing copied)", "value": "cd", "bodyClass": "view-standard"}


def columns(rects: List[Dict]) -> int:
    return len({r["x"] for r in rects})


@pytest.mark.parametrize("view", ["standard", "compact"])
def test_d_toggles_the_dense_layout(observed, view):
    seen = observed["dense"][view]
    assert "dense" in seen["dense"].split() and "dense" not in seen["back"].split()
    assert seen["after"] != seen["before"] and seen["restored"] == seen["before"]
    if view == "standard":
        assert columns(seen["after"]) > columns(seen["before"])  # entries side by side
    else:  # already in columns: narrower ones
        assert max(r["w"] for r in seen["after"]) < min(r["w"] for r in seen["before"])
    assert sum(r["h"] for r in seen["after"]) < sum(r["h"] for r in seen["before"])  # tighter


def test_question_mark_lists_the_keys(observed):
    dialog = observed["keysDialog"]
    assert dialog["open"] and dialog["closed"]
    for key, says in (("C", "Copy the whole sheet"), ("D", "dense layout"), ("?", "List these keys")):
        assert f"\n{key}\n" in f"\n{dialog['text']}" and says in dialog["text"]


def test_each_download_is_byte_equal_to_sheetls_export(observed):
    downloads = observed["downloads"]
    for view in VIEWS:
        got = downloads["markdown"][view]
        assert got["name"] == f"{STEM}.{view}.md"
        assert base64.b64decode(got["base64"]) == sheetls("export", "--format", "markdown", "--view", view)
    assert downloads["vscode"]["name"] == f"{STEM}.code-snippets"
    assert base64.b64decode(downloads["vscode"]["base64"]) == sheetls("export", "--format", "vscode")
    model = json.loads(sheetls("export", "--format", "json"))
    programs = [e["example"] for s in model["packs"][0]["sections"] for e in s["entries"]]
    assert [d["name"] for d in downloads["py"]] == [f"{entry_anchor(e)}.py" for e in ENTRIES]
    for got, program in zip(downloads["py"], programs):
        data = base64.b64decode(got["base64"])
        assert data == program.encode("utf-8")
        compile(data, got["name"], "exec")  # runnable Python


@pytest.mark.parametrize("word", WORDS)
def test_search_finds_what_completion_finds(observed, word):
    found = observed["search"][word]
    matches, _cut = SheetIndex.build([SHEET]).find(word) if word else SheetIndex.build([SHEET]).all()
    assert found["shown"] == [entry_anchor(m.entry) for m in matches]
    if word.strip():  # what the editor offers for the same word inside an async def
        assert found["shown"] == [entry_anchor(p.entry) for p in completion_offers(word)]
    assert found["noMatch"] == (not matches)


def test_search_words_cover_hits_misses_and_each_kind_of_key(observed):
    """The words above are worth asking: each kind of key finds something, and some find nothing."""
    results = {w: observed["search"][w]["shown"] for w in WORDS}
    assert results["zzz"] == [] and results["x"] == []
    assert len(results["aio"]) == len(ENTRIES)  # prefixes
    assert results["tcp"] and results["streams"]  # tags
    assert results["in_executor"] == ["run-in-executor"]  # an API name's `_` suffix


def page_of(pages: List[str], needle: str) -> List[int]:
    return [i for i, text in enumerate(pages) if squash(needle) in squash(text)]


@pytest.mark.parametrize("view", VIEWS)
def test_print_keeps_each_entry_on_one_page_without_buttons(observed, tools, view):
    pages = pdf_pages(tools, observed["pdfs"][view])
    assert pages and all(p.strip() for p in pages)
    everything = "\n".join(pages)
    for label in BUTTON_TEXTS:
        assert label not in everything, label
    assert "Search" not in everything and "Keys" not in everything
    texts = {e.id: sheet_plain_entry(e, view) for e in ENTRIES}
    for entry in ENTRIES:
        (home,) = page_of(pages, read(entry.title))
        # every short line the page prints for this entry and no other: on the title's page
        others = "".join(squash(t) for k, t in texts.items() if k != entry.id)
        # (compact prints two columns, which pdftotext may interleave: only its short lines)
        longest = 40 if view == "compact" else 10_000
        lines = [line.strip().removeprefix("- ") for line in texts[entry.id].split("\n")] + [entry.prefix]
        own = [
            line
            for line in lines
            if 6 <= len(line) <= longest and squash(line) not in others and squash(line) in squash(everything)
        ]
        assert len(own) >= 3, own
        for line in own:
            assert home in page_of(pages, line), (entry.id, line)
        if view == "detailed" and entry.docs:  # links printed as text, with where they go
            assert page_of(pages, f"Python docs ({entry.docs})") == [home]
    if view == "compact":
        detailed = pdf_pages(tools, observed["pdfs"]["detailed"])
        assert len(pages) < len(detailed)


def sheet_plain_entry(entry: Entry, view: str) -> str:
    from sheetls.page.text import entry_plain

    return entry_plain(entry, view)


def test_axe_finds_no_serious_or_critical_violation(observed):
    runs = observed["axe"]
    assert len(runs) == 10  # three views light and dark, dense, three views at 320 px
    bad = [(run["label"], v) for run in runs for v in run["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == []


@pytest.mark.parametrize("view", VIEWS)
def test_320_px_wide_needs_no_sideways_scrolling(observed, view):
    assert observed["narrow"][view]["scrollWidth"] <= 320
    assert observed["narrow"][view]["widest"] <= 320


def test_dark_colour_scheme_and_screenshots(observed):
    assert observed["background"] == {"light": "rgb(255, 255, 255)", "dark": "rgb(20, 23, 28)"}
    expected = [ARTIFACTS / f"{STEM}.{v}{s}.png" for s in ("", ".dark") for v in VIEWS]
    assert [Path(p) for p in observed["screenshots"]] == expected
    for path in expected:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
