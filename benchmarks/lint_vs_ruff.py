"""`sheetls lint` beside ruff's flake8-async rules (`ruff check --select ASYNC`) on real asyncio
code obtained at run time (issue 16, "Against ruff on real code"):

- the corpus of tests/realworld/ (rw_corpus.py): the running interpreter's `asyncio` package and
  `test/test_asyncio`, and the pinned sdists of aiohttp, asyncssh, anyio, uvicorn and aiofiles
  (downloaded once into .cache/realworld/); with `--cpython PATH` (default: the newest pyenv
  CPython of another minor version, when there is one) that interpreter's `asyncio` and
  `test_asyncio` too. Only files that are UTF-8 and parse on the running interpreter are kept
  (sheetls skips a file that does not parse; ruff would still check it), so both tools see the
  same files.
- per ruff code: ruff's findings, those sheetls also has (same file, same line, a sheetls rule
  whose ruff counterpart is that code: sheetls.diagnostics.rules), the ones only ruff has; per
  sheetls rule: its findings, those ruff also has, the ones only sheetls has; each one-sided
  finding listed with file:line and the source line.
- speed: both tools over the same file list (named explicitly, so neither walks or filters
  folders), best wall time and median CPU time of `--rounds` runs, as files/s. ruff runs its
  default thread pool; sheetls one process. Not asserted anywhere (no timed tests).

    python benchmarks/lint_vs_ruff.py                        # print the tables
    python benchmarks/lint_vs_ruff.py --out benchmarks/RESULTS.md --json benchmarks/RESULTS-lint-vs-ruff.json

`--out` replaces (or appends) only the "sheetls lint vs ruff ASYNC" section of that file, between
its two marker comments: bench.py writes the rest of RESULTS.md. tests/test_lint_vs_ruff.py uses
`collect`, `run_ruff`, `run_sheetls` and `compare` on the ruff ASYNC2xx files of the corpus.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import glob
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "realworld"))
sys.path.insert(0, str(HERE))

import rw_corpus  # noqa: E402
import yaml  # noqa: E402

from bench import git_state, put_section  # noqa: E402
from sheetls.diagnostics.rules import RULES  # noqa: E402

START = "<!-- lint-vs-ruff:start (benchmarks/lint_vs_ruff.py writes this section) -->"
END = "<!-- lint-vs-ruff:end -->"
KNOWN_GAPS = ROOT / "tests" / "data" / "lint-vs-ruff-known-gaps.yaml"  # the ruff-only side's reasons
VERDICTS = HERE / "lint-vs-ruff-verdicts.yaml"  # the sheetls-only side's verdicts
BIN = Path(sys.executable).parent
HERE_PY = f"{sys.version_info[0]}.{sys.version_info[1]}"
PYENV = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"

# ruff code -> the sheetls rules that are the same check (from the rule registry).
SHEET_FOR_RUFF: Dict[str, Tuple[str, ...]] = {}
for _rule in RULES.values():
    for _code in _rule.ruff:
        SHEET_FOR_RUFF[_code] = SHEET_FOR_RUFF.get(_code, ()) + (_rule.code,)


@dataclass
class CorpusFile:
    source: str  # stdlib-asyncio@3.11, aiohttp, ...
    rel: str  # path inside the source
    path: str  # absolute, resolved: the key both tools' JSON is matched on

    @property
    def label(self) -> str:
        return f"{self.source}/{self.rel}"


@dataclass
class Corpus:
    files: List[CorpusFile] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # why -> files
    unavailable: Dict[str, str] = field(default_factory=dict)  # source -> why
    by_path: Dict[str, CorpusFile] = field(default_factory=dict)

    def add(self, source: str, root: Path) -> None:
        for p in sorted(q for q in root.rglob("*.py") if q.is_file()):
            try:
                text = p.read_bytes().decode("utf-8-sig")
                ast.parse(text)
            except UnicodeDecodeError:
                self.skipped["not UTF-8"] += 1
                continue
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self.skipped["does not parse on this Python"] += 1
                continue
            f = CorpusFile(source, p.relative_to(root).as_posix(), os.path.realpath(p))
            if f.path not in self.by_path:
                self.files.append(f)
                self.by_path[f.path] = f


def _minor(python: str) -> Tuple[str, Path]:
    """`X.Y` and the stdlib folder of another interpreter."""
    out = subprocess.run(
        [
            python,
            "-c",
            "import sys, sysconfig; print('%d.%d' % sys.version_info[:2]); print(sysconfig.get_paths()['stdlib'])",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split("\n")
    return out[0].strip(), Path(out[1].strip())


def newest_other_cpython() -> List[str]:
    """The newest pyenv CPython 3.x whose minor version is not the running one's, if any."""
    here = sys.version_info[:2]
    best: Optional[Tuple[Tuple[int, int, int], str]] = None
    for path in glob.glob(str(PYENV / "3.*.*" / "bin" / "python3")):
        m = re.search(r"/3\.(\d+)\.(\d+)/bin/python3$", path)
        if m and (3, int(m.group(1))) != here and os.access(path, os.X_OK):
            key = (3, int(m.group(1)), int(m.group(2)))
            if best is None or key > best[0]:
                best = (key, path)
    return [best[1]] if best and best[0][:2] > here else []


def collect(sources: Sequence[str], cpythons: Sequence[str] = ()) -> Corpus:
    corpus = Corpus()
    here = HERE_PY
    for name in sources:
        try:
            src = rw_corpus.get_source(name)
        except rw_corpus.Unavailable as exc:
            corpus.unavailable[name] = str(exc)
            continue
        label = (
            f"{name}@{here}" if name in ("stdlib-asyncio", "test_asyncio") else f"{name}-{rw_corpus.SDISTS[name][0]}"
        )
        corpus.add(label, src.root)
    for python in cpythons:
        minor, stdlib = _minor(python)
        for name, root in (("stdlib-asyncio", stdlib / "asyncio"), ("test_asyncio", stdlib / "test" / "test_asyncio")):
            if root.is_dir():
                corpus.add(f"{name}@{minor}", root)
            else:
                corpus.unavailable[f"{name}@{minor}"] = f"no {root}"
    return corpus


@dataclass(frozen=True)
class Finding:
    tool: str  # ruff | sheetls
    code: str
    path: str
    row: int  # 1-based
    col: int
    message: str


def _run(cmd: List[str], rounds: int) -> Tuple[str, List[float], List[float]]:
    """stdout of the last run; wall and CPU seconds of each run (CPU: the child's user + sys)."""
    walls, cpus = [], []
    out = ""
    for _ in range(max(1, rounds)):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
        out = proc.stdout
    return out, walls, cpus


def ruff_command() -> List[str]:
    exe = BIN / "ruff"
    return [str(exe) if exe.exists() else (shutil.which("ruff") or "ruff")]


def sheetls_command() -> List[str]:
    exe = BIN / "sheetls"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "sheetls"]


def _findings(tool: str, out: str) -> List[Finding]:
    return [
        Finding(
            tool,
            d["code"],
            os.path.realpath(d["filename"]),
            d["location"]["row"],
            d["location"]["column"],
            d["message"],
        )
        for d in json.loads(out or "[]")
        if d.get("code")  # ruff reports a file it cannot parse with code null
    ]


def run_ruff(paths: Sequence[str], rounds: int = 1) -> Tuple[List[Finding], List[float], List[float]]:
    # --isolated: no configuration file of the corpus or of this repository changes the rules.
    cmd = ruff_command() + ["check", "--isolated", "--no-cache", "--select", "ASYNC", "--output-format", "json"]
    out, walls, cpus = _run(cmd + ["--exit-zero", *paths], rounds)
    return _findings("ruff", out), walls, cpus


def run_sheetls(
    paths: Sequence[str], rounds: int = 1, python: str = ""
) -> Tuple[List[Finding], List[float], List[float]]:
    # --python: the corpus is the files that parse on the running interpreter; speak for it.
    cmd = sheetls_command() + ["lint", "--output-format", "json", "--python", python or HERE_PY]
    out, walls, cpus = _run(cmd + list(paths), rounds)
    return _findings("sheetls", out), walls, cpus


@dataclass
class Comparison:
    ruff_rows: Dict[str, Dict[str, int]]  # ruff code -> ruff, both, same line other rule, ruff only
    sheet_rows: Dict[str, Dict[str, int]]  # sheetls code -> sheetls, both, sheetls only
    ruff_only: List[Finding]
    sheet_only: List[Finding]  # sheetls rules with a ruff counterpart, no matching ruff finding
    sheet_no_counterpart: List[Finding]  # sheetls rules ruff has no rule for


def compare(ruff: Sequence[Finding], sheet: Sequence[Finding]) -> Comparison:
    sheet_at: Dict[Tuple[str, int], List[str]] = defaultdict(list)
    ruff_at: Dict[Tuple[str, int], List[str]] = defaultdict(list)
    for f in sheet:
        sheet_at[(f.path, f.row)].append(f.code)
    for f in ruff:
        ruff_at[(f.path, f.row)].append(f.code)
    ruff_rows: Dict[str, Dict[str, int]] = {}
    ruff_only: List[Finding] = []
    for f in sorted(ruff, key=lambda f: (f.code, f.path, f.row)):
        row = ruff_rows.setdefault(f.code, {"ruff": 0, "both": 0, "other rule": 0, "ruff only": 0})
        row["ruff"] += 1
        here = sheet_at.get((f.path, f.row), [])
        if any(c in SHEET_FOR_RUFF.get(f.code, ()) for c in here):
            row["both"] += 1
        else:
            row["ruff only"] += 1
            ruff_only.append(f)
            if here:
                row["other rule"] += 1
    sheet_rows: Dict[str, Dict[str, int]] = {}
    sheet_only: List[Finding] = []
    no_counterpart: List[Finding] = []
    for f in sorted(sheet, key=lambda f: (f.code, f.path, f.row)):
        row = sheet_rows.setdefault(f.code, {"sheetls": 0, "both": 0, "sheetls only": 0})
        row["sheetls"] += 1
        counterpart = RULES[f.code].ruff if f.code in RULES else ()
        if any(c in counterpart for c in ruff_at.get((f.path, f.row), [])):
            row["both"] += 1
        else:
            row["sheetls only"] += 1
            (sheet_only if counterpart else no_counterpart).append(f)
    return Comparison(ruff_rows, sheet_rows, ruff_only, sheet_only, no_counterpart)


_lines_cache: Dict[str, List[str]] = {}


def source_line(path: str, row: int) -> str:
    if path not in _lines_cache:
        _lines_cache[path] = Path(path).read_text(encoding="utf-8-sig", errors="replace").splitlines()
    lines = _lines_cache[path]
    return lines[row - 1].strip() if 0 < row <= len(lines) else ""


def _item(f: Finding, corpus: Corpus) -> str:
    where = corpus.by_path[f.path].label if f.path in corpus.by_path else f.path
    text = source_line(f.path, f.row).replace("`", "'")
    if len(text) > 110:
        text = text[:107] + "..."
    return f"- `{f.code}` {where}:{f.row}: `{text}`"


GapKey = Tuple[str, str, str]  # ruff code, corpus file (source/path), the stripped source line


def load_known_gaps(path: Path = KNOWN_GAPS) -> Tuple[Counter, Dict[GapKey, str]]:
    """The known gaps (tests/data/lint-vs-ruff-known-gaps.yaml): how many findings per key, and the
    reason of each key."""
    counts: Counter = Counter()
    reasons: Dict[GapKey, str] = {}
    for e in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        if set(e) != {"code", "file", "reason", "lines"} or not str(e["code"]).startswith("ASYNC2"):
            raise ValueError(f"{path.name}: an entry needs code (ASYNC2xx), file, reason, lines: {e}")
        if not str(e["reason"]).strip():
            raise ValueError(f"{path.name}: an entry without a reason: {e}")
        for line in e["lines"]:
            key = (e["code"], e["file"], str(line).strip())
            counts[key] += 1
            reasons[key] = e["reason"]
    return counts, reasons


def gap_key(f: Finding, corpus: Corpus) -> GapKey:
    return (f.code, corpus.by_path[f.path].label, source_line(f.path, f.row))


def load_verdicts(path: Path = VERDICTS) -> Tuple[Dict[Tuple[str, str, int], str], Dict[str, str]]:
    """The verdicts on findings only sheetls has: per (code, file, row), and per code (`file: "*"`)."""
    exact: Dict[Tuple[str, str, int], str] = {}
    every: Dict[str, str] = {}
    for e in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        if e["file"] == "*":
            every[e["code"]] = e["verdict"]
        for row in e.get("rows", []):
            exact[(e["code"], e["file"], int(row))] = e["verdict"]
    return exact, every


NOT_EXAMINED = "not examined yet"


def explainers(corpus: Corpus) -> Tuple[Callable[[Finding], str], Callable[[Finding], str]]:
    """The reason of a ruff-only finding (the known-gaps file) and the verdict on a sheetls-only one
    (the verdicts file), NOT_EXAMINED where the files say nothing."""
    _, reasons = load_known_gaps()
    exact, every = load_verdicts()

    def reason(f: Finding) -> str:
        return reasons.get(gap_key(f, corpus), NOT_EXAMINED)

    def verdict(f: Finding) -> str:
        return exact.get((f.code, corpus.by_path[f.path].label, f.row)) or every.get(f.code) or NOT_EXAMINED

    return reason, verdict


def _explained(
    findings: Sequence[Finding], corpus: Corpus, explain: Callable[[Finding], str]
) -> Tuple[Counter, List[str]]:
    """The findings grouped under their reason (most findings first): the kinds counted (a reason's
    words before its first colon or parenthesis), and the Markdown listing."""
    groups: Dict[str, List[Finding]] = defaultdict(list)
    for f in findings:
        groups[explain(f)].append(f)
    kinds: Counter = Counter()
    out: List[str] = []
    for reason, fs in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        kinds[re.split(r"[:(]", reason, maxsplit=1)[0].strip()] += len(fs)
        out += ["", f"{reason} ({len(fs)}):", ""] + [_item(f, corpus) for f in fs]
    return kinds, out


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}" if seconds > 0 else "n/a"


def _version(cmd: List[str]) -> str:
    try:
        return subprocess.run(cmd + ["--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except OSError:
        return "?"


def render(corpus: Corpus, cmp: Comparison, speed: Dict[str, Dict[str, float]], meta: Dict[str, str]) -> str:
    per_source = Counter(f.source for f in corpus.files)
    out = [
        START,
        "## sheetls lint vs ruff ASYNC",
        "",
        f"`python benchmarks/lint_vs_ruff.py` at commit {meta['commit']}, {meta['when']}, {meta['ruff']}, "
        f"{meta['sheetls']}, Python {platform.python_version()}, {os.cpu_count()} CPUs, 1-minute load average "
        f"{meta['load']} at the start. `ruff check --isolated --select ASYNC --output-format json` and "
        f"`sheetls lint --output-format json` over the same {len(corpus.files):,} files, named on the command line: "
        + ", ".join(f"{s} ({n})" for s, n in sorted(per_source.items()))
        + "."
        + (
            f" Left out: {', '.join(f'{n} {why}' for why, n in sorted(corpus.skipped.items()))}."
            if corpus.skipped
            else ""
        )
        + (
            f" Unavailable: {'; '.join(f'{k}: {v}' for k, v in corpus.unavailable.items())}."
            if corpus.unavailable
            else ""
        ),
        "",
        "A ruff finding is matched when sheetls has a finding of the rule that is the same check (the `ruff` "
        "codes of sheetls's rule registry) on the same line of the same file.",
        "",
        "| ruff code | sheetls rule | ruff | sheetls too | ruff only "
        "| of which sheetls flags the line with another rule |",
        "|---|---|---|---|---|---|",
    ]
    for code, row in sorted(cmp.ruff_rows.items()):
        rules = ", ".join(SHEET_FOR_RUFF.get(code, ())) or "none"
        out.append(f"| {code} | {rules} | {row['ruff']} | {row['both']} | {row['ruff only']} | {row['other rule']} |")
    out += [
        "",
        "| sheetls rule | ruff counterpart | sheetls | ruff too | sheetls only |",
        "|---|---|---|---|---|",
    ]
    for code, row in sorted(cmp.sheet_rows.items()):
        counterpart = ", ".join(RULES[code].ruff) if code in RULES and RULES[code].ruff else "none"
        out.append(f"| {code} | {counterpart} | {row['sheetls']} | {row['both']} | {row['sheetls only']} |")
    n = len(corpus.files)
    out += [
        "",
        f"Speed over the {n:,} files (best wall time of {meta['rounds']} runs; "
        "CPU = user + sys of the process, median):",
        "",
        "| tool | wall (s) | files/s (wall) | CPU (s) | files/s (CPU) |",
        "|---|---|---|---|---|",
    ]
    for tool, s in speed.items():
        out.append(f"| {tool} | {s['wall']:.2f} | {_rate(n, s['wall'])} | {s['cpu']:.2f} | {_rate(n, s['cpu'])} |")
    ruff2 = [f for f in cmp.ruff_only if f.code.startswith("ASYNC2")]
    other = Counter(f.code for f in cmp.ruff_only if not f.code.startswith("ASYNC2"))
    reason, verdict = explainers(corpus)
    ruff_kinds, ruff_listing = _explained(ruff2, corpus, reason)
    only_kinds, only_listing = _explained(cmp.sheet_only, corpus, verdict)
    none_kinds, none_listing = _explained(cmp.sheet_no_counterpart, corpus, verdict)

    def kinds(c: Counter) -> str:
        return "; ".join(f"{k} {n}" for k, n in c.most_common()) or "none"

    out += [
        "",
        "Each one-sided finding was examined: the reasons of the ruff-only ones are those of "
        "`tests/data/lint-vs-ruff-known-gaps.yaml` (tests/test_lint_vs_ruff.py fails on a ruff ASYNC2xx "
        "finding sheetls lacks that the file does not list), the verdicts on the sheetls-only ones are "
        "`benchmarks/lint-vs-ruff-verdicts.yaml`'s.",
        "",
        "| findings | count | what they are |",
        "|---|---|---|",
        f"| ruff only, ASYNC2xx | {len(ruff2)} | {kinds(ruff_kinds)} |",
        f"| ruff only, other codes (no sheetls rule; not the goal) | {sum(other.values())} | "
        + (", ".join(f"{c} {k}" for c, k in sorted(other.items())) or "none")
        + " |",
        f"| sheetls only, rules with a ruff counterpart | {len(cmp.sheet_only)} | {kinds(only_kinds)} |",
        f"| sheetls rules ruff has no rule for | {len(cmp.sheet_no_counterpart)} | {kinds(none_kinds)} |",
        "",
        f"<details><summary>ruff only, ASYNC2xx ({len(ruff2)}), by reason</summary>",
        *ruff_listing,
        "",
        "</details>",
        "",
        f"<details><summary>sheetls only, rules with a ruff counterpart ({len(cmp.sheet_only)})</summary>",
        *only_listing,
        "",
        "</details>",
        "",
        f"<details><summary>sheetls rules ruff has no rule for ({len(cmp.sheet_no_counterpart)})</summary>",
        *none_listing,
        "",
        "</details>",
        END,
    ]
    return "\n".join(out) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", default=",".join(rw_corpus.SOURCES), help="rw_corpus sources (comma-separated)")
    ap.add_argument(
        "--cpython",
        action="append",
        default=None,
        metavar="PATH",
        help="also this interpreter's asyncio and test_asyncio (default: the newest other pyenv CPython; "
        "--cpython none for none)",
    )
    ap.add_argument("--rounds", type=int, default=3, help="timed runs of each tool (default 3)")
    ap.add_argument("--out", help="write the section into this Markdown file (benchmarks/RESULTS.md)")
    ap.add_argument("--json", help="write every finding and the counts here")
    args = ap.parse_args(argv)
    cpythons = newest_other_cpython() if args.cpython is None else [p for p in args.cpython if p != "none"]
    corpus = collect([s for s in args.sources.split(",") if s], cpythons)
    if not corpus.files:
        print(f"lint_vs_ruff: no files ({corpus.unavailable})", file=sys.stderr)
        return 1
    for name, why in corpus.unavailable.items():
        print(f"lint_vs_ruff: {name} unavailable: {why}", file=sys.stderr)
    paths = [f.path for f in corpus.files]
    load = f"{os.getloadavg()[0]:.2f}"
    print(f"lint_vs_ruff: {len(paths)} files, {args.rounds} rounds per tool", file=sys.stderr)
    ruff, rw, rc = run_ruff(paths, args.rounds)
    sheet, sw, sc = run_sheetls(paths, args.rounds)
    speed = {
        "ruff check --select ASYNC": {"wall": min(rw), "cpu": statistics.median(rc)},
        "sheetls lint": {"wall": min(sw), "cpu": statistics.median(sc)},
    }
    cmp = compare(ruff, sheet)
    meta = {
        "commit": git_state(),
        "when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "ruff": _version(ruff_command()),
        "sheetls": _version(sheetls_command()),
        "load": load,
        "rounds": str(args.rounds),
    }
    section = render(corpus, cmp, speed, meta)
    if args.out:
        put_section(Path(args.out), section, START, END)
    else:
        sys.stdout.write(section)
    if args.json:
        reason, verdict = explainers(corpus)

        def rows(fs: Sequence[Finding], explain: Callable[[Finding], str]) -> List[Dict[str, object]]:
            return [
                {
                    "code": f.code,
                    "file": corpus.by_path[f.path].label if f.path in corpus.by_path else f.path,
                    "row": f.row,
                    "col": f.col,
                    "message": f.message,
                    "line": source_line(f.path, f.row),
                    "why": explain(f) if f.code.startswith(("ASYNC2", "SHEET")) else "no sheetls rule",
                }
                for f in fs
            ]

        data = {
            "meta": meta,
            "files": len(paths),
            "files_per_source": dict(Counter(f.source for f in corpus.files)),
            "skipped": dict(corpus.skipped),
            "unavailable": corpus.unavailable,
            "speed": speed,
            "ruff_rows": cmp.ruff_rows,
            "sheetls_rows": cmp.sheet_rows,
            "ruff_only": rows(cmp.ruff_only, reason),
            "sheetls_only": rows(cmp.sheet_only, verdict),
            "sheetls_no_counterpart": rows(cmp.sheet_no_counterpart, verdict),
        }
        Path(args.json).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
