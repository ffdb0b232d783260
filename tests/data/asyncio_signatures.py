"""Print the parameter names of the APIs the sheet's signatures describe, as this CPython has
them (run under each CPython by tests/test_sheet_versions.py; its output for 3.9-3.13 is pinned
in asyncio-signatures.json). A stream function's parameters are its own plus those of the loop
method it passes **kwds to, as the Python docs list them. "members": the parameters of each
member the sheet documents ([] for an attribute), None where this CPython lacks it.
typeshed_signatures.py reads the same from typeshed's stubs (for 3.14)."""

import asyncio
import inspect
import json
import sys

DROP = {"self", "protocol_factory", "kwds", "loop"}


MEMBERS = [
    "asyncio.StreamWriter.write",
    "asyncio.StreamWriter.drain",
    "asyncio.StreamWriter.close",
    "asyncio.StreamWriter.wait_closed",
    "asyncio.StreamReader.read",
    "asyncio.StreamReader.readline",
    "asyncio.StreamReader.readuntil",
    "asyncio.StreamReader.readexactly",
    "asyncio.Server.serve_forever",
    "asyncio.Server.close_clients",
    "asyncio.Server.abort_clients",
    "asyncio.subprocess.Process.communicate",
    "asyncio.subprocess.Process.wait",
    "asyncio.subprocess.Process.kill",
    "asyncio.subprocess.Process.returncode",
    "asyncio.subprocess.PIPE",
    "asyncio.get_running_loop",
]


def member(api):
    obj = asyncio
    for part in api.split(".")[1:]:
        if not hasattr(obj, part):
            return None
        obj = getattr(obj, part)
    return names(obj) if callable(obj) else []


def names(*fns):
    out = []
    for fn in fns:
        out += [p for p in inspect.signature(fn).parameters if p not in DROP and p not in out]
    return out


loop = asyncio.new_event_loop()
try:
    print(
        json.dumps(
            {
                "python": "{}.{}".format(*sys.version_info[:2]),
                "asyncio.open_connection": names(asyncio.open_connection, loop.create_connection),
                "asyncio.start_server": names(asyncio.start_server, loop.create_server),
                "asyncio.create_subprocess_exec": names(asyncio.create_subprocess_exec) + ["kwds"],
                "asyncio.create_subprocess_shell": names(asyncio.create_subprocess_shell) + ["kwds"],
                "asyncio.to_thread": names(asyncio.to_thread) if hasattr(asyncio, "to_thread") else None,
                "asyncio.AbstractEventLoop.run_in_executor": names(loop.run_in_executor),
                "members": {api: member(api) for api in MEMBERS},
            },
            sort_keys=True,
        )
    )
finally:
    loop.close()
