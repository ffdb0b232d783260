"""The sheet's version data is complete and true (issue 14): every parameter of its signatures,
and every member it documents, exists on exactly the CPythons its `added`/`removed` say:
measured on each installed CPython and pinned in tests/data/asyncio-signatures.json for
3.9-3.13, and for 3.14 (no interpreter here) read from typeshed's stubs, pinned in
tests/data/asyncio-signatures-typeshed.json, which must agree with the measurement on 3.9-3.13;
every parameter, member or API newer than the oldest supported Python carries its version;
every docs link's anchor is a real object of the Python docs; `sheetls show/export --python
X.Y` speak for that version."""

from __future__ import annotations

import glob
import json
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import pythons
from sheetls.loader import _signature_params, builtin_sheet_path, load_pack
from sheetls.model import NO_VERSIONS, parse_version

pytestmark = pytest.mark.slow  # signatures read from five CPythons: not in make test-fast

DATA = Path(__file__).resolve().parent / "data"
SHEET = load_pack(builtin_sheet_path()).sheet
BY_PREFIX = {e.prefix: e for e in SHEET.entries}
PINNED = json.loads((DATA / "asyncio-signatures.json").read_text())["versions"]
TYPESHED_FILE = json.loads((DATA / "asyncio-signatures-typeshed.json").read_text())
TYPESHED = TYPESHED_FILE["versions"]
# Checked from the source only (typeshed): the Pythons newer than the newest the tests run.
FROM_SOURCE = [(3, 14)]
# What the sheet's versions are checked against: measured where a CPython runs, typeshed beyond.
CHECKED = {**PINNED, **{f"{v[0]}.{v[1]}": TYPESHED[f"{v[0]}.{v[1]}"] for v in FROM_SOURCE}}


def _where(text):
    return "typeshed " + TYPESHED_FILE["commits"][text][:10] if text not in PINNED else "measured"


def test_the_sheet_speaks_for_the_supported_pythons():
    assert parse_version(SHEET.oldest_python) == pythons.oldest_supported()
    assert parse_version(SHEET.newest_python) == pythons.NEWEST_RUN
    assert sorted(PINNED, key=parse_version) == [f"{v[0]}.{v[1]}" for v in pythons.VERSIONS]
    # newest_python stays the newest the claims run on: 3.14's signatures and members are
    # checked from typeshed, its behaviour is not (README: "Which Pythons the sheet speaks for")
    assert FROM_SOURCE == [(pythons.NEWEST_RUN[0], pythons.NEWEST_RUN[1] + 1)]
    assert sorted(CHECKED, key=parse_version)[-1] == "3.14"


@pytest.mark.parametrize("text", sorted(PINNED, key=parse_version))
def test_typeshed_agrees_with_the_measured_cpythons(text):
    """Where both exist, the source read for 3.14 says what the interpreters say: the same
    parameters (typeshed orders open_connection's ssl_handshake_timeout first) and members."""
    measured, stubs = PINNED[text], TYPESHED[text]
    assert set(measured) == set(stubs)
    for api, names in measured.items():
        if api == "members":
            assert stubs[api] == names
        else:
            assert (names is None) == (stubs[api] is None), api
            assert set(names or ()) == set(stubs[api] or ()), (
                f"{api} on {text}: measured {names}, typeshed {stubs[api]}"
            )


@pytest.mark.parametrize("version", pythons.VERSIONS, ids=pythons.IDS)
def test_pinned_signatures_are_what_each_cpython_has(version):
    proc = pythons.run(version, (DATA / "asyncio_signatures.py").read_text(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    measured = json.loads(proc.stdout)
    assert measured.pop("python") == f"{version[0]}.{version[1]}"
    assert measured == PINNED[f"{version[0]}.{version[1]}"]


@pytest.mark.parametrize("entry", SHEET.entries, ids=lambda e: e.prefix)
def test_each_signature_parameter_exists_exactly_where_the_sheet_says(entry):
    params = {p.name: p.versions for p in entry.params}
    api = entry.apis[0]
    oldest = parse_version(SHEET.oldest_python)
    for name in _signature_params(entry.signature):
        if name in ("args", "kwargs") and api == "asyncio.to_thread":
            continue
        versions = params.get(name, NO_VERSIONS)
        for text, apis in CHECKED.items():
            version = parse_version(text)
            real = apis[api]
            has_api = real is not None
            assert has_api == entry.versions.applies(version), f"{api} on {text}"
            if not has_api:
                continue
            assert (name in real) == versions.applies(version), (
                f"{api}({name}) on {text} ({_where(text)}): the sheet says {versions.label() or 'always'}, "
                f"CPython has {real}"
            )
        # newer than the oldest supported Python: it must carry its version
        first = min((parse_version(t) for t, apis in CHECKED.items() if apis[api] and name in apis[api]))
        if first > oldest:
            assert versions.added == f"{first[0]}.{first[1]}", f"{api}({name}) needs added: {first}"


@pytest.mark.parametrize("member", SHEET.members, ids=lambda m: m.api)
def test_each_member_exists_exactly_where_the_sheet_says(member):
    oldest = parse_version(SHEET.oldest_python)
    has = []
    for text, apis in CHECKED.items():
        assert member.api in apis["members"], (
            f"{member.api}: add it to asyncio_signatures.py and typeshed_signatures.py"
        )
        real = apis["members"][member.api] is not None
        assert real == member.versions.applies(parse_version(text)), (
            f"{member.api} on {text} ({_where(text)}): the sheet says {member.versions.label() or 'always'}, "
            f"CPython {'has' if real else 'lacks'} it"
        )
        if real:
            has.append(parse_version(text))
    if min(has) > oldest:
        assert member.versions.added == f"{min(has)[0]}.{min(has)[1]}", f"{member.api} needs added: {min(has)}"


def test_to_thread_carries_its_version():
    assert BY_PREFIX["aiothread"].versions.added == "3.9"
    assert BY_PREFIX["aiothread"].signature.endswith("-> T")  # what awaiting it gives, like the others


# --- docs anchors ---------------------------------------------------------------------------------


def _pinned_anchors():
    out = {}
    for line in (DATA / "python-docs-anchors.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            url, *since = line.split()
            out[url] = parse_version(since[1]) if since else None
    return out


def _inventories():
    """(version, {name: page}) of each objects.inv found offline (Debian's pythonX.Y-doc)."""
    found = []
    for path in glob.glob("/usr/share/doc/python3*/html/objects.inv"):
        raw = Path(path).read_bytes()
        header, rest = raw.split(b"\n", 4)[:4], raw.split(b"\n", 4)[4]
        version = parse_version(header[2].decode().split(":", 1)[1].strip())
        names = {}
        for line in zlib.decompress(rest).decode().splitlines():
            m = re.match(r"(\S+)\s+py:\S+\s+-?\d+\s+(\S+)\s", line)
            if m:
                names[m.group(1)] = m.group(2).replace("$", m.group(1))
        found.append((version, names))
    return found


def test_every_docs_link_is_a_pinned_anchor():
    pinned = _pinned_anchors()
    for url in [e.docs for e in SHEET.entries] + [m.docs for m in SHEET.members]:
        assert url.startswith("https://docs.python.org/3/"), url
        assert url.split("/3/", 1)[1] in pinned, f"{url}: not in tests/data/python-docs-anchors.txt"


def test_pinned_anchors_are_in_the_docs_object_inventory():
    """Where an objects.inv can be had offline (python3.11-doc installs one), every pinned
    anchor that inventory's version should have is there, on that page."""
    inventories = _inventories()
    if not inventories:
        pytest.skip("no objects.inv offline (apt-get install python3.11-doc); the pinned list stands")
    for version, names in inventories:
        for url, since in _pinned_anchors().items():
            if since and version < since:
                continue
            anchor = url.split("#", 1)[1]
            assert names.get(anchor) == url, f"{anchor}: {names.get(anchor)} in the {version} inventory"


# --- the CLI speaks for a version ----------------------------------------------------------------


def sheetls(*args):
    return subprocess.run([sys.executable, "-m", "sheetls", *args], capture_output=True, text=True, timeout=120)


def test_show_for_a_target_marks_what_it_lacks_and_its_pitfalls():
    old = sheetls("show", "aioserver", "--python", "3.10")
    assert old.returncode == 0, old.stderr
    assert "keep_alive=None" in old.stdout  # the signature, whole
    assert "For Python 3.10:" in old.stdout and "`keep_alive`: 3.13+, your target is 3.10" in old.stdout
    assert "stays open and the client waits forever" in old.stdout
    assert "one idle client blocks shutdown" not in old.stdout
    new = sheetls("show", "aioserver", "--python", "3.13")
    assert "your target" not in new.stdout and "one idle client blocks shutdown" in new.stdout
    assert "stays open and the client waits forever" not in new.stdout
    every = sheetls("show", "aioserver")
    assert "(3.12+) Cancelling" in every.stdout and "(before 3.11) After an exception" in every.stdout
    bad = sheetls("show", "aioserver", "--python", "three")
    assert bad.returncode == 2 and "--python" in bad.stderr


def test_export_for_a_target(tmp_path):
    text = sheetls("export", "--format", "markdown", "--view", "detailed", "--python", "3.11").stdout
    assert "*For Python 3.11.*" in text
    assert "`keep_alive`: 3.13+, your target is 3.11" in text
    assert "closes a piped stdin only when given" in text and "(3.12+)" not in text
    html = sheetls("export", "--format", "html", "--view", "standard", "--python", "3.12").stdout
    assert "For Python 3.12." in html and "one idle client blocks shutdown" in html
