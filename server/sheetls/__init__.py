"""sheetls: a snippet-and-docs language server for the asyncio Streams and Subprocesses sheet."""

__version__ = "0.1.0"
