"""Print the parameter names of the APIs the sheet's signatures describe, as this CPython has
them (run under each CPython by tests/test_sheet_versions.py; its output for 3.9-3.13 is pinned
in asyncio-signatures.json). A stream function's parameters are its own plus those of the loop
method it passes **kwds to, as the Python docs list them."""
import asyncio
import inspect
import json
import sys

DROP = {"self", "protocol_factory", "kwds", "loop"}


def names(*fns):
    out = []
    for fn in fns:
        out += [p for p in inspect.signature(fn).parameters if p not in DROP and p not in out]
    return out


loop = asyncio.new_event_loop()
try:
    print(json.dumps({
        "python": "%d.%d" % sys.version_info[:2],
        "asyncio.open_connection": names(asyncio.open_connection, loop.create_connection),
        "asyncio.start_server": names(asyncio.start_server, loop.create_server),
        "asyncio.create_subprocess_exec": names(asyncio.create_subprocess_exec) + ["kwds"],
        "asyncio.create_subprocess_shell": names(asyncio.create_subprocess_shell) + ["kwds"],
        "asyncio.to_thread": names(asyncio.to_thread) if hasattr(asyncio, "to_thread") else None,
        "asyncio.AbstractEventLoop.run_in_executor": names(loop.run_in_executor),
    }, sort_keys=True))
finally:
    loop.close()
