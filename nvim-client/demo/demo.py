"""sheetls demo: the cheat sheet "Python asyncio Streams and Subprocesses" in your editor.

Try it (Neovim, from `make try`):
  - Completion: on the "Try here" line inside `main()` below, press `o` (a new
    indented line), type `aio`, then <C-x><C-o>. The menu lists the whole sheet (aioopen, aioserver, aioexec, aioshell,
    aiothread, aioexecutor). <C-n>/<C-p> move, <C-y> inserts the snippet, <Tab> jumps to
    the next field (host, port, command...), typing replaces the field.
  - Hover: put the cursor on `open_connection` or `run_in_executor` and press K.
  - The whole sheet: :SheetlsSheet (or :SheetlsSheet compact, :SheetlsSheet! for a float).
"""

import asyncio
import time


def blocking_work() -> int:
    time.sleep(0.1)
    return 42


async def fetch(host: str, port: int) -> bytes:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"HEAD / HTTP/1.0\r\n\r\n")
    await writer.drain()
    data = await reader.read(100)
    writer.close()
    await writer.wait_closed()
    return data


async def main() -> None:
    loop = asyncio.get_running_loop()
    answer = await loop.run_in_executor(None, blocking_work)
    print("answer:", answer)  # Try here: press o on this line, type aio, then <C-x><C-o>
    print("done")


if __name__ == "__main__":
    asyncio.run(main())
