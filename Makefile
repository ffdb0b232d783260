# sheetls: the two commands a fresh clone needs are `make try` and `make test`.
# Both are idempotent: they create .venv once and reinstall only when pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.DEFAULT_GOAL := help
.PHONY: help install install-test install-try try test test-fast test-realworld check lua-check dist bench

help:
	@echo "make try    - set up and open Neovim on a demo file with sheetls attached"
	@echo "make test   - set up everything the tests need and run them all"
	@echo "make bench  - run the benchmark suite"
	@echo "make check  - linters, type checkers and the snippet packs"
	@echo "make dist   - regenerate snippets/dist/ from the snippet source"

$(PY):
	$(PYTHON) -m venv $(VENV)

# One stamp per extra: pip runs again only when pyproject.toml changes.
$(VENV)/.stamp-%: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[$*]'
	@touch $@

install: $(VENV)/.stamp-try
install-test: $(VENV)/.stamp-test
install-try: $(VENV)/.stamp-try

# Editor and benchmark fragments add their own set-up targets to these lists.
TEST_PREREQS :=
-include nvim-client/nvim.mk
-include vscode-client/vscode.mk
-include benchmarks/bench.mk
-include tests/page/page.mk

# Bytecode first: an editable install under PYTHONDONTWRITEBYTECODE=1 never caches it,
# and recompiling the server on every start costs its first answer ~25 ms.
try: install-try
	@$(PY) -m compileall -q server/sheetls >/dev/null
	@bash nvim-client/try.sh

test: install-test $(TEST_PREREQS)
	$(PY) -m pytest $(PYTEST_ARGS)

# The quick loop while working on the server: every test not marked slow (-m "not slow": no
# editors, reliability, corpus or bench suites, nothing run on several CPythons, no pack reloads
# waiting for polling, no waits for debounced diagnostics, no long generated-edit runs), on both
# cores (-n 2). 962 tests: 30 s wall (median of 3, 22-31 s) measured on this 2-core machine under
# light load from other work, 54 s of CPU. In one process (`make test-fast PYTEST_ARGS=-n0`, the
# faster of the two when the other core is busy): 43 s wall, 41 s CPU. Bytecode first, as for
# `try`: under PYTHONDONTWRITEBYTECODE=1 each server the tests start would compile sheetls again
# (~0.2 s CPU each). `make test` runs everything.
test-fast: install-test
	@$(PY) -m compileall -q server/sheetls >/dev/null
	$(PY) -m pytest -m "not slow" -n 2 $(PYTEST_ARGS)

# The real-world corpus suite on every file (make test runs its bounded sample).
test-realworld: install-test
	SHEETLS_REALWORLD=full $(PY) -m pytest tests/realworld $(PYTEST_ARGS)

# Linters and type checkers (tools pinned: the `check` extra, vscode-client's devDependencies,
# Debian's lua-check), then the snippet packs. .ci/run runs this before `make test`.
LUACHECK_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

check: install $(VENV)/.stamp-check $(VSCODE_DIR)/node_modules/.stamp lua-check
	$(VENV)/bin/ruff check server tests benchmarks
	$(VENV)/bin/ruff format --check server tests benchmarks
	$(VENV)/bin/mypy
	cd $(VSCODE_DIR) && npx tsc --noEmit -p . && npx eslint src
	luacheck --no-color nvim-client tests/nvim/lua
	$(VENV)/bin/sheetls check snippets

lua-check:
	@command -v luacheck >/dev/null || { $(LUACHECK_SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(LUACHECK_SUDO) apt-get install -y -q lua-check; }

# Regenerate the exports kept in snippets/dist/ after editing the snippet source
# (a test fails while they are out of sync).
dist: install
	$(VENV)/bin/sheetls export --dist snippets/dist
