"""Command line: `sheetls` serves LSP (stdio by default); `sheetls check|show|list|export`."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from sheetls import __version__


def _serve(args) -> int:
    from sheetls import logs
    from sheetls.server import attach_client_logging, server

    logs.setup(args.verbose, args.log_file)
    attach_client_logging(server)
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        server.start_io()
    return 0


def _check(args) -> int:
    from sheetls.loader import builtin_sheet_path, load_pack
    from sheetls.packs import pack_files

    files = pack_files(args.paths) if args.paths else [builtin_sheet_path()]
    if not files:
        print("sheetls check: no pack files found", file=sys.stderr)
        return 2
    failed = 0
    for path in files:
        result = load_pack(path)
        for error in result.errors:
            print(error, file=sys.stderr)
        if result.errors:
            failed += 1
        else:
            print(f"{path}: ok ({len(result.sheet.entries)} entries)")
    return 1 if failed else 0


def _load_index(paths: List[str]):
    from sheetls.index import SheetIndex
    from sheetls.packs import load_packs

    packs = load_packs(paths, builtin=True)
    for error in packs.errors:
        print(error, file=sys.stderr)
    return SheetIndex.build(packs.sheets), packs


def _list(args) -> int:
    index, _ = _load_index(args.pack)
    for entry in index.entries:
        print(f"{entry.prefix:<14} {entry.title:<40} {', '.join(entry.tags)}")
    return 0


def _show(args) -> int:
    from sheetls import render

    index, _ = _load_index(args.pack)
    for entry in index.entries:
        if entry.prefix == args.prefix:
            print(render.entry_plain(entry))
            return 0
    print(f"sheetls show: no entry with prefix {args.prefix!r}", file=sys.stderr)
    return 1


def _export(args) -> int:
    from sheetls import render

    index, packs = _load_index(args.pack)
    if args.format != "markdown":
        print(f"sheetls export: unknown format {args.format!r}", file=sys.stderr)
        return 2
    text = "\n".join(render.sheet_markdown(sheet, args.view) for sheet in index.sheets)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sheetls", description="Snippet-and-docs language server for the asyncio Streams and Subprocesses sheet.")
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
    p = sub.add_parser("list", help="print the entries: prefix, title, tags")
    p.add_argument("--pack", action="append", default=[], help="also load this pack")
    p = sub.add_parser("show", help="print one entry")
    p.add_argument("prefix")
    p.add_argument("--pack", action="append", default=[], help="also load this pack")
    p = sub.add_parser("export", help="render the sheet")
    p.add_argument("--format", default="markdown", help="markdown")
    p.add_argument("--view", default="standard", choices=["standard", "detailed", "compact"])
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.add_argument("--pack", action="append", default=[], help="also load this pack")
    return parser


def main(argv: Optional[List[str]] = None) -> None:
    args = build_parser().parse_args(argv)
    handlers = {"check": _check, "list": _list, "show": _show, "export": _export}
    sys.exit(handlers.get(args.command, _serve)(args))
