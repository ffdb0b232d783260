"""The corpus suite's summary line and its violations.json (see test_realworld.py)."""

from __future__ import annotations

import rw_corpus
from rw_report import REPORT


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not REPORT.runs:
        return
    terminalreporter.section("real-world corpus")
    for line in REPORT.lines(rw_corpus.mode()):
        terminalreporter.write_line(line)
    terminalreporter.write_line(
        f"realworld: violations written to {rw_corpus.ARTIFACTS / 'violations.json'} "
        f"(and violations-{rw_corpus.mode()}.json)"
    )


def pytest_sessionfinish(session, exitstatus):
    if REPORT.runs:
        REPORT.write(rw_corpus.ARTIFACTS / "violations.json")
        REPORT.write(rw_corpus.ARTIFACTS / f"violations-{rw_corpus.mode()}.json")
