"""Every ruff ASYNC2xx finding on real asyncio code is found by sheetls too (issue 16, "Against
ruff on real code"), except the known gaps listed, each with its reason, in
tests/data/lint-vs-ruff-known-gaps.yaml.

ruff (pinned in the test extra) runs over the whole real-world corpus of tests/realworld/ (the
running interpreter's asyncio and test_asyncio, the pinned sdists; fast), sheetls over the files
where ruff has an ASYNC2xx finding: the sample is every file that can hold a gap. A ruff finding
is matched by a sheetls finding of the rule that is the same check (the `ruff` codes of
sheetls.diagnostics.rules) on the same line. The test fails on a gap not in the file (a new one),
and on an entry that is no longer a gap (a rule was fixed: delete the entry, so the file only
shrinks). benchmarks/lint_vs_ruff.py gives the full table (both directions, every ruff code,
speed) in benchmarks/RESULTS.md.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Dict, List

import pytest
import rw_corpus

import lint_vs_ruff
from tool_required import missing_tool

KNOWN = lint_vs_ruff.KNOWN_GAPS
Key = lint_vs_ruff.GapKey


@pytest.fixture(scope="module")
def corpus() -> lint_vs_ruff.Corpus:
    found = lint_vs_ruff.collect(rw_corpus.SOURCES)
    for name, why in found.unavailable.items():
        if name in rw_corpus.SDISTS:  # a download failed: the pinned sdists are what the gaps are about
            missing_tool(why)
    return found


def _describe(keys: Counter, reasons: Dict[Key, str]) -> str:
    return "\n".join(
        f"  {code} {file}: {line!r}" + (f" x{n}" if n > 1 else "") + (f"  ({reasons[k]})" if k in reasons else "")
        for k, n in sorted(keys.items())
        for code, file, line in [k]
    )


def test_compare_matches_the_same_check_on_the_same_line():
    F = lint_vs_ruff.Finding
    ruff = [F("ruff", "ASYNC230", "/a.py", 3, 5, ""), F("ruff", "ASYNC100", "/a.py", 5, 5, "")]
    ruff.append(F("ruff", "ASYNC251", "/b.py", 1, 5, ""))
    sheet = [F("sheetls", "SHEET103", "/a.py", 3, 10, ""), F("sheetls", "SHEET103", "/a.py", 5, 1, "")]
    sheet += [F("sheetls", "SHEET206", "/a.py", 7, 1, ""), F("sheetls", "SHEET101", "/b.py", 2, 5, "")]
    cmp = lint_vs_ruff.compare(ruff, sheet)
    assert cmp.ruff_rows["ASYNC230"] == {"ruff": 1, "both": 1, "other rule": 0, "ruff only": 0}
    assert cmp.ruff_rows["ASYNC100"] == {"ruff": 1, "both": 0, "other rule": 1, "ruff only": 1}
    assert cmp.ruff_rows["ASYNC251"] == {"ruff": 1, "both": 0, "other rule": 0, "ruff only": 1}  # another line
    assert [(f.code, f.row) for f in cmp.ruff_only] == [("ASYNC100", 5), ("ASYNC251", 1)]
    assert [(f.code, f.path, f.row) for f in cmp.sheet_only] == [("SHEET101", "/b.py", 2), ("SHEET103", "/a.py", 5)]
    assert [(f.code, f.row) for f in cmp.sheet_no_counterpart] == [("SHEET206", 7)]
    assert cmp.sheet_rows["SHEET103"] == {"sheetls": 2, "both": 1, "sheetls only": 1}


def test_the_reason_files_load():
    counts, reasons = lint_vs_ruff.load_known_gaps()
    assert counts and set(reasons) == set(counts)
    exact, every = lint_vs_ruff.load_verdicts()
    assert exact and every


@pytest.mark.slow
@pytest.mark.realworld
def test_every_ruff_async2xx_finding_is_found_by_sheetls_or_a_known_gap(corpus):
    if not lint_vs_ruff.ruff_command()[0] or not Path(lint_vs_ruff.ruff_command()[0]).exists():
        missing_tool("ruff is not installed (pip install -e '.[test]')")
    ruff, _, _ = lint_vs_ruff.run_ruff([f.path for f in corpus.files])
    ruff2 = [f for f in ruff if f.code.startswith("ASYNC2")]
    # ruff finds these in the pinned sdists (aiofiles' own tests open files in coroutines): a
    # ruff that finds nothing here would make the comparison vacuous.
    assert len(ruff2) >= 50 and {"ASYNC230", "ASYNC240"} <= {f.code for f in ruff2}, Counter(f.code for f in ruff)
    sample = sorted({f.path for f in ruff2})
    sheet, _, _ = lint_vs_ruff.run_sheetls(sample)
    cmp = lint_vs_ruff.compare(ruff2, sheet)

    gaps: Counter = Counter()
    for f in cmp.ruff_only:
        gaps[lint_vs_ruff.gap_key(f, corpus)] += 1
    known, reasons = lint_vs_ruff.load_known_gaps()
    sources = {f.source for f in corpus.files}
    known_here = Counter({k: n for k, n in known.items() if k[1].split("/", 1)[0] in sources})

    new = gaps - known_here
    fixed = known_here - gaps
    problems: List[str] = []
    if new:
        problems.append(
            f"ruff ASYNC2xx findings sheetls does not have, not in {KNOWN.name} "
            f"(fix the rule, or list them there with the reason):\n{_describe(new, reasons)}"
        )
    if fixed:
        problems.append(
            f"listed in {KNOWN.name} but not a gap now (sheetls finds it, or ruff no longer does: "
            f"delete them there):\n{_describe(fixed, reasons)}"
        )
    assert not problems, "\n".join(problems)
    # What was compared, in the test's output when it passes (-rA): ruff's findings per code.
    print(
        {code: row["ruff"] for code, row in cmp.ruff_rows.items()},
        f"{len(sample)} files, {sum(gaps.values())} known gaps",
    )
