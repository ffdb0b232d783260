# VS Code extension (vscode-client/) and the set-up of its real-editor tests (tests/vscode/).
#   make vsix          - build vscode-client/sheetls-<version>.vsix (server bundled inside)
#   make vscode-setup  - everything tests/vscode needs: Debian's chromium + ripgrep,
#                        code-server and playwright-core in .tools/vscode-test, and the .vsix
# Both are idempotent; `make test` runs vscode-setup first.

VSCODE_DIR     := vscode-client
VSCODE_TOOLS   := .tools/vscode-test
VSCODE_VERSION := $(shell sed -n 's/^  "version": "\(.*\)",/\1/p' $(VSCODE_DIR)/package.json)
VSIX           := $(VSCODE_DIR)/sheetls-$(VSCODE_VERSION).vsix
# Debian packages: the browser Playwright drives, ripgrep for code-server's search,
# Kerberos headers for one of code-server's native modules.
VSCODE_APT     := chromium ripgrep libkrb5-dev
VSCODE_SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

TEST_PREREQS += vscode-setup

.PHONY: vsix vscode-setup vscode-apt vscode-tools vscode-clean vscode-screenshots

# Always rebuilt (a few seconds): the server sources and the snippet source change often.
vsix: $(VSCODE_DIR)/node_modules/.stamp | $(PY)
	cd $(VSCODE_DIR) && npx tsc --noEmit -p .
	cd $(VSCODE_DIR) && npm run -s build
	bash $(VSCODE_DIR)/scripts/bundle-server.sh "$(CURDIR)/$(PY)"
	rm -f $(VSCODE_DIR)/sheetls-*.vsix
	cd $(VSCODE_DIR) && node scripts/vsix-readme.js && npx vsce package --no-dependencies \
		--readme-path dist/README.md --no-rewrite-relative-links --allow-missing-repository \
		-o sheetls-$(VSCODE_VERSION).vsix
	@echo "Built $(VSIX)"

$(VSCODE_DIR)/node_modules/.stamp: $(VSCODE_DIR)/package.json $(VSCODE_DIR)/package-lock.json
	cd $(VSCODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

vscode-setup: vscode-apt vscode-tools vsix

vscode-apt:
	@if command -v chromium >/dev/null && command -v rg >/dev/null && dpkg -s libkrb5-dev >/dev/null 2>&1; then \
		echo "vscode-apt: $(VSCODE_APT) already installed"; \
	else \
		$(VSCODE_SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(VSCODE_SUDO) apt-get install -y -q $(VSCODE_APT); \
	fi

vscode-tools: $(VSCODE_TOOLS)/.stamp

# code-server's @vscode/ripgrep would download rg in its postinstall; it takes a tarball from
# $TMPDIR/vscode-ripgrep-cache-1.15.11/ instead, so Debian's rg is packed there first.
# nodedir: local Node headers for node-gyp; unsafe_perm: code-server's postinstall refuses root otherwise.
$(VSCODE_TOOLS)/.stamp: tests/vscode/tools/package.json tests/vscode/tools/package-lock.json | vscode-apt
	mkdir -p $(VSCODE_TOOLS)
	cp tests/vscode/tools/package.json tests/vscode/tools/package-lock.json $(VSCODE_TOOLS)/
	set -e; tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	mkdir -p "$$tmp/vscode-ripgrep-cache-1.15.11"; \
	tar -C "$$(dirname "$$(command -v rg)")" -czf \
		"$$tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" rg; \
	cd $(VSCODE_TOOLS) && TMPDIR="$$tmp" npm_config_nodedir=/usr npm_config_yes=true \
		npm_config_unsafe_perm=true npm ci --no-audit --no-fund --loglevel=error
	test -x $(VSCODE_TOOLS)/node_modules/.bin/code-server
	@touch $@

vscode-clean:
	rm -rf $(VSCODE_TOOLS) $(VSCODE_DIR)/node_modules $(VSCODE_DIR)/dist $(VSCODE_DIR)/bundled $(VSCODE_DIR)/sheetls-*.vsix

# Refresh the README's pictures from the last test run's screenshots (test-artifacts/vscode/).
VSCODE_SHOTS := suggest-widget hover sheet-standard
vscode-screenshots:
	for s in $(VSCODE_SHOTS); do cp test-artifacts/vscode/$$s.png $(VSCODE_DIR)/docs/$$s.png; done
