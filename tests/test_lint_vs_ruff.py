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
from typing import Dict, List, Tuple

import pytest
import rw_corpus
import yaml

import lint_vs_ruff
from tool_required import missing_tool

pytestmark = [pytest.mark.slow, pytest.mark.realworld]

KNOWN = Path(__file__).resolve().parent / "data" / "lint-vs-ruff-known-gaps.yaml"

Key = Tuple[str, str, str]  # ruff code, corpus file (source/path), the stripped source line


def known_gaps() -> Tuple[Counter, Dict[Key, str]]:
    entries = yaml.safe_load(KNOWN.read_text(encoding="utf-8")) or []
    counts: Counter = Counter()
    reasons: Dict[Key, str] = {}
    for e in entries:
        assert set(e) == {"code", "file", "reason", "lines"}, f"{KNOWN.name}: entry keys {sorted(e)}"
        assert e["code"].startswith("ASYNC2") and e["reason"].strip(), f"{KNOWN.name}: {e}"
        for line in e["lines"]:
            key = (e["code"], e["file"], line.strip())
            counts[key] += 1
            reasons[key] = e["reason"]
    return counts, reasons


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
        gaps[(f.code, corpus.by_path[f.path].label, lint_vs_ruff.source_line(f.path, f.row))] += 1
    known, reasons = known_gaps()
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
            f"listed in {KNOWN.name} but not a gap now (sheetls finds it, or ruff no longer does: delete them there):\n{_describe(fixed, reasons)}"
        )
    assert not problems, "\n".join(problems)
    # What was compared, in the test's output when it passes (-rA): ruff's findings per code.
    print(
        {code: row["ruff"] for code, row in cmp.ruff_rows.items()},
        f"{len(sample)} files, {sum(gaps.values())} known gaps",
    )
