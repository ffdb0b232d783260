"""Start the sheetls language server bundled in the VS Code extension.

Run as `python launch.py [--stdio ...]`: puts the extension's bundled/libs (sheetls and its
pure-Python dependencies) first on sys.path, then runs `python -m sheetls` with the same
arguments. Kept free of newer syntax so that an old interpreter still reaches the version check.
"""
import os
import sys

MIN_VERSION = (3, 9)

if sys.version_info[:2] < MIN_VERSION:
    sys.stderr.write(
        "sheetls needs Python %d.%d or newer, but %s is Python %d.%d.%d.\n"
        "Install Python %d.%d+ and set the VS Code setting sheetls.interpreter to its path.\n"
        % (MIN_VERSION + (sys.executable,) + tuple(sys.version_info[:3]) + MIN_VERSION)
    )
    sys.exit(3)

LIBS = os.environ.get("SHEETLS_BUNDLED_LIBS") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bundled", "libs"
)
if not os.path.isdir(os.path.join(LIBS, "sheetls")):
    sys.stderr.write("sheetls: the bundled server is missing from %s; reinstall the extension.\n" % LIBS)
    sys.exit(4)

# The bundled copies win over anything installed in the user's environment.
sys.path.insert(0, LIBS)
# Never write .pyc files into the extension folder (it may be read-only).
sys.dont_write_bytecode = True

import runpy  # noqa: E402

sys.argv[0] = "sheetls"
runpy.run_module("sheetls", run_name="__main__", alter_sys=True)
