"""The real-world corpus suite (issue 13): sheetls over the real protocol, with VS Code's and
Neovim's capability profiles, on real asyncio code obtained at test time (never committed):
the interpreter's own `asyncio` package, CPython's `test/test_asyncio`, and pinned sdists of
aiohttp, asyncssh, anyio, uvicorn and aiofiles (see rw_corpus.py).

One test per (source, profile). It samples places in every file (seeded) and checks the
properties of rw_session.py; it fails on any violation. Every violation also goes to
test-artifacts/realworld/violations.json, and the session ends with a summary line.

    .venv/bin/python -m pytest tests/realworld                 # the CI sample (< 2 min)
    make test-realworld                                        # every file (SHEETLS_REALWORLD=full)
    SHEETLS_REALWORLD_FILES=streams.py .venv/bin/python -m pytest tests/realworld -k stdlib
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
import rw_corpus as C
import rw_places as P
from rw_report import REPORT
from rw_session import FileCheck, Server, Tally

pytestmark = pytest.mark.realworld

PROFILES = ["visual_studio_code", "neovim"]

# The CI sample: files per source, places per file. Full mode: every file, more places.
SAMPLE_FILES = {
    "stdlib-asyncio": 3,
    "test_asyncio": 2,
    "aiohttp": 2,
    "asyncssh": 2,
    "anyio": 2,
    "uvicorn": 2,
    "aiofiles": 2,
}
SAMPLE_PLACES = 44
SAMPLE_EDITS = 12


def place_budget(text: str) -> int:
    if C.mode() == "sample":
        return SAMPLE_PLACES
    return min(90, 30 + text.count("\n") // 40)


def edit_budget() -> int:
    return SAMPLE_EDITS if C.mode() == "sample" else 20


# Facts and places of a file, shared by both profiles (the same places, the plain check once).
_PLANNED: Dict[str, Tuple[Optional[str], Optional[P.Facts], List[P.Place], P.CompileCache, str]] = {}


def plan(source: str, root: Path, path: Path):
    key = str(path)
    if key not in _PLANNED:
        rel = path.relative_to(root).as_posix()
        text, why = C.read_python(path)
        if text is None:
            _PLANNED[key] = (None, None, [], P.CompileCache(), why)
        else:
            facts = P.analyze(text)
            cache = P.CompileCache()
            rng = random.Random(f"{C.seed()}:{source}:{rel}")
            places = P.sample_places(facts, rng, place_budget(text), lambda t: cache.error(t) is None)
            _PLANNED[key] = (text, facts, places, cache, "")
    return _PLANNED[key]


def corpus_files(source: str, src: C.Source) -> List[Path]:
    files = src.files()
    only = C.file_filter()
    if only:
        files = [f for f in files if only in f.relative_to(src.root).as_posix()]
    if C.mode() == "sample" and not only:
        # prefer files that use what the sheet documents, then a seeded pick among them
        rich = [
            f
            for f in files
            if b"open_connection" in f.read_bytes()
            or b"create_subprocess" in f.read_bytes()
            or b"run_in_executor" in f.read_bytes()
            or b"to_thread" in f.read_bytes()
        ]
        pool = [str(f) for f in (rich or files) if f.stat().st_size < 60_000] or [str(f) for f in files]
        files = [
            Path(p) for p in P.choose_files(pool, random.Random(f"{C.seed()}:{source}"), SAMPLE_FILES.get(source, 1))
        ]
    return files


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("source", C.SOURCES)
async def test_corpus(source: str, profile: str):
    src = C.source_for_test(source)
    files = corpus_files(source, src)
    if not files:
        pytest.skip(f"no file of {source} matches SHEETLS_REALWORLD_FILES")
    started = time.monotonic()
    tally = Tally()
    # one log per process: other sessions may run the suite at the same time
    server = Server(profile, C.ARTIFACTS / "logs" / f"server-{source}-{profile}-{os.getpid()}.log")
    await server.start()
    try:
        for path in files:
            text, facts, places, cache, why = plan(source, src.root, path)
            if text is None:
                tally.skipped_files += 1
                continue
            rel = path.relative_to(src.root).as_posix()
            rng = random.Random(f"{C.seed()}:{source}:{rel}:run")
            check = FileCheck(server, source, rel, text, facts, places, cache, rng, edit_budget())
            tally.add(await check.run())
            if not server.alive():
                await server.stop()
                await server.start()
    finally:
        await server.stop()
        if not any(v.kind == "log-error" for v in tally.violations):
            server.log_path.unlink(missing_ok=True)  # keep only the logs that show an error
    REPORT.add(source, profile, tally, time.monotonic() - started)
    if tally.violations:
        by_kind = Counter(v.kind for v in tally.violations)
        examples = "\n".join(
            f"  {v.kind}: {v.file}:{v.place.get('line', '?')} {v.place.get('text', '')!r} "
            f"item={v.item!r}: {v.details[:300]}"
            for v in _one_per_kind(tally.violations)
        )
        pytest.fail(
            f"{len(tally.violations)} violations in {tally.files} files of {source} ({profile}): "
            f"{dict(by_kind)}\n{examples}\n(all in {C.ARTIFACTS / 'violations.json'})",
            pytrace=False,
        )


def _one_per_kind(violations, n: int = 2):
    seen: Counter = Counter()
    for v in violations:
        if seen[v.kind] < n:
            seen[v.kind] += 1
            yield v
