"""The sheet as one self-contained page people use (issue 17): the three views, copy buttons,
keys, downloads, print, search and entry anchors, all in one HTML file generated from the
snippet source. No pygls here: the CLI, the language server and the editors' webviews share it.

- `render_page(sheet)`: the page (one sheet or several), as a string;
- `entry_anchor(entry)`: the fragment an entry has in the page (`open-tcp-connection`);
- `page_data(...)`: what the page's script is given (copy texts, downloads, search keys).
"""

from sheetls.page.anchors import anchors, entry_anchor
from sheetls.page.build import page_data, render_page
from sheetls.page.text import core_lines, search_keys, sheet_plain

__all__ = ["anchors", "core_lines", "entry_anchor", "page_data", "render_page", "search_keys", "sheet_plain"]
