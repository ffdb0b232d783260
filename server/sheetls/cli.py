"""Command line: `sheetls` serves LSP (stdio by default); `sheetls check|show|list|export|lint`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, List, Optional

from sheetls import __version__

if TYPE_CHECKING:
    import argparse


def _serve(args) -> int:
    from sheetls import logs
    from sheetls.lsp.logs import attach_client_logging
    from sheetls.lsp.server import server

    logs.setup(args.verbose, args.log_file)
    attach_client_logging(server)
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        server.start_io()
    return 0


def _check(args) -> int:
    from sheetls.loader import builtin_sheet_path
    from sheetls.packs import discover, load_path

    if args.paths:
        sources, missing = discover(args.paths, builtin=False)
        files = [s.path for s in sources]
        for error in missing:
            print(error, file=sys.stderr)
        if not files and not missing:
            print("sheetls check: no pack files found", file=sys.stderr)
            return 2
    else:
        files, missing = [builtin_sheet_path()], []
    failed = len(missing)
    for path in files:
        loaded = load_path(path)
        for error in loaded.errors:
            print(error, file=sys.stderr)
        if loaded.errors or loaded.sheet is None:
            failed += 1
        else:
            left_out = f"; {loaded.other_languages} for other languages left out" if loaded.other_languages else ""
            print(f"{path}: ok ({len(loaded.sheet.entries)} entries{left_out})")
    return 1 if failed else 0


def _load_index(args):
    from sheetls.index import SheetIndex
    from sheetls.packs import load_packs

    packs = load_packs(args.pack, builtin=not args.no_builtin)
    for error in packs.errors:
        print(error, file=sys.stderr)
    return SheetIndex.build(packs.sheets), packs


def _list(args) -> int:
    index, _ = _load_index(args)
    several = len(index.sheets) > 1
    for entry in index.entries:
        pack = f"{entry.pack:<18} " if several else ""
        print(f"{pack}{entry.prefix:<14} {entry.title:<40} {', '.join(entry.tags)}".rstrip())
    return 0


def _target(args):
    """--python as (3, 10), None when not given; exits 2 on a bad value."""
    from sheetls import render

    if not getattr(args, "python", None):
        return None
    try:
        return render.target_version(args.python)
    except ValueError as exc:
        print(f"sheetls: --python: {exc}", file=sys.stderr)
        sys.exit(2)


def _show(args) -> int:
    from sheetls import render

    target = _target(args)
    index, _ = _load_index(args)
    found = [e for e in index.entries if e.prefix == args.prefix]
    for k, entry in enumerate(found):
        if len(found) > 1:
            print(("\n" if k else "") + f"[pack {entry.pack}]")
        print(render.entry_plain(entry, target=target))
        # the members whose story depends on the version, in one line each
        lines = []
        for sheet in (sh for sh in index.sheets if sh.id == entry.pack):
            for m in (m for m in sheet.members if m.entry == entry.id and (m.versions or m.pitfalls)):
                versions = render.member_versions(m, target)
                said = [
                    f"({label}) {text}" if label else text for label, text in render.pitfalls_for(m.pitfalls, target)
                ]
                if versions or said:
                    lines.append(
                        f"- {m.api}" + (f" ({versions})" if versions else "") + (": " + " ".join(said) if said else "")
                    )
        if lines:
            print("\nMembers:\n" + "\n".join(lines))
    if found:
        return 0
    print(f"sheetls show: no entry with prefix {args.prefix!r}", file=sys.stderr)
    return 1


def _export(args) -> int:
    from sheetls import export

    if args.dist:
        if args.check:
            stale = export.check_dist(args.dist)
            for path in stale:
                print(f"{path}: out of date (run: sheetls export --dist {args.dist})", file=sys.stderr)
            return 1 if stale else 0
        for path in export.write_dist(args.dist):
            print(path)
        return 0
    target = _target(args)
    index, packs = _load_index(args)
    if not index.sheets:
        print("sheetls export: no packs to export", file=sys.stderr)
        return 1
    text = export.export(index.sheets, args.format, args.view, target)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 1 if packs.errors else 0


def _lint(args) -> int:
    from sheetls.diagnostics.lint import lint_file, python_files, render, selector

    python = _target(args)
    chosen = selector(",".join(args.select).split(","), ",".join(args.ignore).split(","))
    results: list = []
    fixed = errors = 0
    for path in python_files(args.paths or ["."]):
        found, n, error = lint_file(path, args.fix, chosen, python)
        if error:
            print(f"sheetls lint: {error}", file=sys.stderr)
            errors += 1
        fixed += n
        results.extend((path, f) for f in found)
    sys.stdout.write(render(results, args.output_format))
    if args.output_format == "text":
        if results:
            fixable = sum(1 for _, f in results if f.fix is not None)
            more = f" ({fixable} fixable with --fix)" if fixable and not args.fix else ""
            print(f"Found {len(results)} error{'s' if len(results) != 1 else ''}{more}.")
        if fixed:
            print(f"Fixed {fixed} error{'s' if fixed != 1 else ''}.")
    return 2 if errors and not results else 1 if results else 0


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="sheetls", description="Snippet-and-docs language server for the asyncio Streams and Subprocesses sheet."
    )
    parser.add_argument("--version", action="version", version=f"sheetls {__version__}")
    parser.add_argument("--stdio", action="store_true", help="serve LSP over stdio (the default)")
    parser.add_argument("--tcp", action="store_true", help="serve LSP over TCP instead of stdio")
    parser.add_argument("--host", default="127.0.0.1", help="TCP host (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=2087, help="TCP port (default 2087)")
    parser.add_argument("--log-file", help="write the log to this file instead of stderr")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: protocol too)")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("check", help="validate pack files; exit 1 on errors")
    p.add_argument("paths", nargs="*", help="pack files or folders (default: the built-in sheet)")

    def pack_options(p):
        p.add_argument("--pack", action="append", default=[], help="also load this pack (file or folder; repeatable)")
        p.add_argument("--no-builtin", action="store_true", help="leave the built-in sheet out")

    p = sub.add_parser("list", help="print the entries: prefix, title, tags")
    pack_options(p)
    p = sub.add_parser("show", help="print the entries with this prefix")
    p.add_argument("prefix")
    p.add_argument(
        "--python", metavar="X.Y", help="speak for this Python version (parameters it lacks marked, its pitfalls)"
    )
    pack_options(p)
    p = sub.add_parser("export", help="render the sheet: vscode snippets, markdown, html or the json model")
    p.add_argument("--format", default="markdown", choices=["vscode", "markdown", "html", "json"])
    p.add_argument(
        "--view",
        default="standard",
        choices=["standard", "detailed", "compact"],
        help="markdown: the view of the original sheet page to write; html: the view the page opens in",
    )
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.add_argument("--dist", metavar="DIR", help="write every export of the built-in sheet into DIR (snippets/dist)")
    p.add_argument("--check", action="store_true", help="with --dist: exit 1 if DIR is out of date, write nothing")
    p.add_argument("--python", metavar="X.Y", help="markdown and html: speak for this Python version")
    pack_options(p)
    p = sub.add_parser("lint", help="flag the asyncio mistakes the sheet documents; exit 1 when any are found")
    p.add_argument("paths", nargs="*", help="files or folders (default: .; folders respect .gitignore)")
    p.add_argument("--fix", action="store_true", help="apply the safe fixes in place")
    p.add_argument("--select", action="append", default=[], metavar="CODES", help="only these codes or prefixes")
    p.add_argument("--ignore", action="append", default=[], metavar="CODES", help="leave out these codes or prefixes")
    p.add_argument("--output-format", default="text", choices=["text", "json", "github"])
    p.add_argument("--python", metavar="X.Y", help="the target Python (default: the project's requires-python)")
    return parser


def main(argv: Optional[List[str]] = None) -> None:
    args = build_parser().parse_args(argv)
    handlers = {"lint": _lint, "check": _check, "list": _list, "show": _show, "export": _export}
    sys.exit(handlers.get(args.command, _serve)(args))
