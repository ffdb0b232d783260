# The page's browser tests (tests/page/): Debian's poppler-utils (pdftotext reads the printed
# PDFs) and axe-core (pinned, in .tools/page-test); Chromium and playwright-core are the VS
# Code tests' (vscode-apt, vscode-tools). Idempotent; `make test` runs page-setup first.
#   make page-screenshots - copy the last page test run's screenshots into snippets/dist/

PAGE_TOOLS := .tools/page-test
PAGE_SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

TEST_PREREQS += page-setup

.PHONY: page-setup page-apt page-tools page-screenshots

page-setup: page-apt page-tools vscode-apt vscode-tools

page-apt:
	@command -v pdftotext >/dev/null || { $(PAGE_SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(PAGE_SUDO) apt-get install -y -q poppler-utils; }

page-tools: $(PAGE_TOOLS)/.stamp

$(PAGE_TOOLS)/.stamp: tests/page/tools/package.json tests/page/tools/package-lock.json
	mkdir -p $(PAGE_TOOLS)
	cp tests/page/tools/package.json tests/page/tools/package-lock.json $(PAGE_TOOLS)/
	cd $(PAGE_TOOLS) && npm ci --no-audit --no-fund --loglevel=error
	test -f $(PAGE_TOOLS)/node_modules/axe-core/axe.min.js
	@touch $@

# Each view, light and dark, as the page tests photographed it (test-artifacts/page/).
page-screenshots:
	cp test-artifacts/page/asyncio-streams.*.png snippets/dist/
