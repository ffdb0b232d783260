#!/usr/bin/env bash
# Put the sheetls server and its pure-Python dependencies into bundled/libs, for the .vsix.
# Usage: scripts/bundle-server.sh [PYTHON]   (PYTHON runs pip; default python3)
#
# The libraries are resolved for the oldest supported Python (3.9), so version-conditional
# back-ports (exceptiongroup, typing_extensions) come along, and every compiled file is
# removed: PyYAML then uses its pure-Python parser, on any platform and any Python 3.9+.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
py="${1:-python3}"
libs="$here/bundled/libs"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

pip=("$py" -m pip --disable-pip-version-check --no-input -q)
# Quiet pip's notes about index locations configured on this machine but absent.
pip() { "${pip[@]}" "$@" 2> >(grep -v '^WARNING: Location' >&2); }

# 1. sheetls itself as a wheel: it carries the snippet source (snippets/) as package data.
pip wheel --no-deps -w "$work/wheels" "$root"
wheel=("$work"/wheels/sheetls-*.whl)

# 2. Its dependencies as wheels, resolved for Python 3.9 (pip does not evaluate environment
#    markers for --python-version, so the back-port cattrs needs below 3.11 is named here).
pip download --dest "$work/wheels" --only-binary=:all: --python-version 3.9 --implementation cp \
    "${wheel[0]}" 'exceptiongroup>=1.1.1'

# 3. Unpack them all into bundled/libs (no build step; nothing runs on the user's machine).
rm -rf "$libs"
pip install --target "$libs" --no-deps --no-index --no-compile --only-binary=:all: \
    --python-version 3.9 --implementation cp "$work"/wheels/*.whl

# 4. Pure Python only.
rm -rf "$libs/bin" "$libs/_yaml"
find "$libs" \( -name '*.so' -o -name '*.pyd' -o -name '*.dylib' -o -name '*.dll' \) -delete
find "$libs" -name '__pycache__' -type d -prune -exec rm -rf {} +
# Build metadata pip leaves behind that names this machine's paths.
find "$libs" -name 'direct_url.json' -delete

left="$(find "$libs" -type f ! \( -name '*.py' -o -name '*.pyi' -o -name '*.typed' -o -name '*.yaml' \
    -o -name '*.yml' -o -name '*.json' -o -name '*.txt' -o -name '*.md' -o -name '*.rst' \
    -o -path '*.dist-info/*' -o -path '*/licenses/*' -o -path '*/sheetls/page/assets/*' \) -print)"
if [ -n "$left" ]; then
    echo "bundle-server: unexpected non-Python files in $libs:" >&2
    echo "$left" >&2
    exit 1
fi
echo "bundle-server: $(ls "$libs" | grep -v dist-info | tr '\n' ' ')"
