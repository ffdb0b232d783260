"""The rule registry: each rule's code, name, severity, message, the sheet entry that explains it
(its docs URL) and the ruff rule that is the same check, where there is one. What each rule does
not catch: docs/rules.md."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple

_STREAM = "https://docs.python.org/3/library/asyncio-stream.html"
_SUBPROCESS = "https://docs.python.org/3/library/asyncio-subprocess.html"
_TASK = "https://docs.python.org/3/library/asyncio-task.html"
_LOOP = "https://docs.python.org/3/library/asyncio-eventloop.html"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str  # "error" | "warning" | "information"
    message: str  # str.format'ed with the finding's fields (name, fix...)
    entry: str  # the sheet entry that explains it (its id)
    url: str  # that entry's docs anchor
    ruff: Tuple[str, ...] = ()  # ruff's codes for the same check (a noqa comment naming one silences this rule)


RULES: Dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "SHEET101",
            "blocking-sleep",
            "warning",
            "`{name}()` blocks the event loop inside `async def`; use `await asyncio.sleep()`",
            "to-thread",
            f"{_TASK}#asyncio.sleep",
            ("ASYNC251",),
        ),
        Rule(
            "SHEET102",
            "blocking-subprocess",
            "warning",
            "`{name}()` blocks the event loop inside `async def`; use `{use}()`",
            "subprocess-exec",
            f"{_SUBPROCESS}#asyncio.create_subprocess_exec",
            ("ASYNC220", "ASYNC221"),
        ),
        Rule(
            "SHEET103",
            "blocking-io",
            "warning",
            "`{name}()` blocks the event loop inside `async def`; run it with `await asyncio.to_thread()`",
            "to-thread",
            f"{_TASK}#asyncio.to_thread",
            ("ASYNC210", "ASYNC230", "ASYNC240", "ASYNC250"),
        ),
        Rule(
            "SHEET104",
            "blocking-wait",
            "warning",
            "`{name}()` blocks the event loop inside `async def`; await the asyncio process's `wait()`",
            "subprocess-exec",
            f"{_SUBPROCESS}#asyncio.subprocess.Process.wait",
            ("ASYNC222",),
        ),
        Rule(
            "SHEET201",
            "coroutine-not-awaited",
            "error",
            "`{name}()` is a coroutine and is never awaited; add `await`",
            "open-tcp-connection",
            f"{_STREAM}#asyncio.StreamWriter.drain",
        ),
        Rule(
            "SHEET202",
            "close-without-wait-closed",
            "warning",
            "`{name}()` without `await {receiver}.wait_closed()` in this function",
            "open-tcp-connection",
            f"{_STREAM}#asyncio.StreamWriter.wait_closed",
        ),
        Rule(
            "SHEET203",
            "wait-with-unread-pipe",
            "warning",
            "`{name}()` with {pipes}=PIPE never read can deadlock once the pipe buffer fills; use `communicate()`",
            "subprocess-exec",
            f"{_SUBPROCESS}#asyncio.subprocess.Process.wait",
        ),
        Rule(
            "SHEET204",
            "shell-command-from-variables",
            "warning",
            "shell command built from variables ({how}): shell injection; use `create_subprocess_exec()` "
            "or `shlex.quote()`",
            "subprocess-shell",
            f"{_SUBPROCESS}#asyncio.create_subprocess_shell",
        ),
        Rule(
            "SHEET205",
            "run-in-executor-kwargs",
            "error",
            "`run_in_executor()` takes no keyword arguments for the function; use `functools.partial()`",
            "run-in-executor",
            f"{_LOOP}#asyncio.loop.run_in_executor",
        ),
        Rule(
            "SHEET206",
            "get-event-loop-in-coroutine",
            "information",
            # not deprecated there: it returns the running loop with no warning (3.7-3.13 measured)
            "`asyncio.get_event_loop()` inside a coroutine; prefer `asyncio.get_running_loop()` in a coroutine",
            "run-in-executor",
            f"{_LOOP}#asyncio.get_running_loop",
        ),
        Rule(
            "SHEET208",
            "write-without-drain",
            "warning",
            "`{name}()` in a loop with no `await {receiver}.drain()`: the write buffer grows without bound "
            "when the peer reads slower",
            "open-tcp-connection",
            f"{_STREAM}#asyncio.StreamWriter.drain",
        ),
        Rule(
            "SHEET209",
            "read-before-drain",
            "information",
            "`{name}()` then a read with no `await {receiver}.drain()` between: a lost connection shows only "
            "at the read, and the write is not flow-controlled",
            "open-tcp-connection",
            f"{_STREAM}#asyncio.StreamWriter.drain",
        ),
        Rule(
            "SHEET207",
            "parameter-misuse",
            "error",
            "{detail}",
            "start-tcp-server",
            f"{_STREAM}#asyncio.start_server",
        ),
    )
}
