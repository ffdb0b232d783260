"""The protocol edge: the one place that imports pygls and lsprotocol.

server (the handlers), lifecycle + frames + transports (the base protocol as the spec says),
capabilities (the client's capabilities read into a plain ClientProfile), workspace (the
line store inside pygls), pack_runtime (the packs' diagnostics, messages and file watching),
logs (the log forwarded to the client), debug (SHEETLS_DEBUG=1 only), pygls_privates (the
pygls private names used, and why). Nothing outside this package imports it, but the command
line's `serve`.
"""
