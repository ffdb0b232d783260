"""A test that needs a tool the repo installs (Neovim, code-server, Chromium...) fails when
the tool is missing under CI=true, and skips elsewhere (a developer may not have run the set-up)."""

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing_tool(message: str) -> None:
    if in_ci():
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)
