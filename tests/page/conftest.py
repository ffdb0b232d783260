"""tests/page/: the exported sheet page driven in Chromium (marker `page`)."""


def pytest_configure(config):
    config.addinivalue_line("markers", "page: the exported sheet page, driven by Playwright in Chromium (tests/page/)")
