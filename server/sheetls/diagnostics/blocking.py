"""What blocks the event loop (SHEET101-SHEET104): the calls each rule knows, and the questions
check.py asks the resolver's model about a call's names: is `open`/`input` here the builtin (a
binding of the name in a module or function scope shadows it there and in the functions nested
in it; a class body's binding only in the class body's own statements), and does an expression
hold a `pathlib.Path` (built by `Path(...)`, a name bound to one, or a name annotated `Path`).

Names are looked up through the model (scopes.lookup), which notes each name it looks up: an
open document's unit is checked again when a unit binding one of them changes (incremental.py)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from sheetls.apifacts import ApiName
from sheetls.diagnostics.findings import Edit, Fix
from sheetls.docmodel import VersionModel
from sheetls.evaluate import evaluate
from sheetls.regions import Region
from sheetls.scopes import Binding, lookup, scopes_of, start_of

SLEEP = {"time.sleep"}
SUBPROCESS = {
    "subprocess.run": "ASYNC221",
    "subprocess.call": "ASYNC221",
    "subprocess.check_call": "ASYNC221",
    "subprocess.check_output": "ASYNC221",
    "subprocess.getoutput": "ASYNC221",
    "subprocess.getstatusoutput": "ASYNC221",
    "subprocess.Popen": "ASYNC220",
    "os.system": "ASYNC221",
    "os.popen": "ASYNC220",
}
_HTTP = ("get", "post", "put", "patch", "delete", "head", "options", "request")
# os.path's functions that ask the file system (a stat, a readlink): not normpath, join, dirname,
# basename, splitext, abspath, expanduser, which work on the string (abspath: one getcwd)
OS_PATH_QUERIES = (
    "exists",
    "lexists",
    "isfile",
    "isdir",
    "islink",
    "ismount",
    "getsize",
    "getmtime",
    "getatime",
    "getctime",
    "samefile",
    "realpath",
)
BUILTINS = {"open": "ASYNC230", "input": "ASYNC250"}  # trusted only where no scope binds the name
BLOCKING_IO: Dict[str, Optional[str]] = {
    **{f"requests.{m}": "ASYNC210" for m in _HTTP},
    "urllib.request.urlopen": "ASYNC210",
    "urllib3.request": "ASYNC210",
    "socket.create_connection": None,
    "io.open": "ASYNC230",
    **BUILTINS,
    **{f"os.path.{q}": "ASYNC240" for q in OS_PATH_QUERIES},
}

# pathlib.Path's methods that do I/O -> ruff's code for the same check
PATH_METHODS: Dict[str, str] = {
    "open": "ASYNC230",
    **dict.fromkeys(
        (
            *("read_text", "write_text", "read_bytes", "write_bytes", "exists", "is_dir", "is_file"),
            *("is_symlink", "is_socket", "is_fifo", "is_mount", "is_block_device", "is_char_device"),
            *("stat", "lstat", "resolve", "readlink", "symlink_to", "hardlink_to", "touch", "mkdir"),
            *("rmdir", "unlink", "rename", "replace", "iterdir", "glob", "rglob", "chmod", "lchmod"),
            *("samefile", "owner", "group"),
        ),
        "ASYNC240",
    ),
}
PATH_CLASSES = {"pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath"}
PATH_GIVERS = {"pathlib.Path.cwd", "pathlib.Path.home"}  # class methods that give a Path
# A process object comes back: moving its start to a thread leaves its reads and waits blocking.
UNFIXED_SUBPROCESS = {"subprocess.Popen", "os.popen"}
WAITS = {"os.wait", "os.waitpid", "os.wait3", "os.wait4", "os.waitid"}

ApiOf = Callable[[ast.expr], Optional[str]]  # the checker's `api`: the API a name or dotted name is
_MAX_DEPTH = 6
Found = Optional[Tuple[Optional[Binding], Region]]  # (the binding, None for a builtin; its region)


def _binding(model: VersionModel, node: ast.Name) -> Found:
    """The binding the name refers to where it stands (None: unbound, a builtin), with the
    region it was looked up in; None where the model has no parsed node for it."""
    region = model.region_at(node.lineno - 1)
    if region is None or region.tree is None or node.lineno - 1 in region.blanked:
        return None
    for n in region.nodes_on(node.lineno):
        if isinstance(n, ast.Name) and n.lineno == node.lineno and n.col_offset == node.col_offset:
            if n.id != node.id or not isinstance(n.ctx, ast.Load):
                return None
            return lookup(model, n.id, scopes_of(region, n), start_of(n), region), region
    return None


def builtin(model: VersionModel, node: ast.expr, bound_in_file: bool) -> Optional[str]:
    """`open`/`input` when `node` is that name and it is the builtin where it stands.
    `bound_in_file`: whether the file binds the name anywhere, the answer where the model has
    no node for it."""
    if not isinstance(node, ast.Name) or node.id not in BUILTINS:
        return None
    found = _binding(model, node)
    if found is None:
        return None if bound_in_file else node.id
    return node.id if found[0] is None else None


def holds_path(model: VersionModel, node: ast.expr, api_of: ApiOf) -> bool:
    """`node` is a pathlib.Path: `Path(...)` (`pathlib.Path`, PosixPath, WindowsPath, `Path.cwd()`,
    `Path.home()`), `<path> / x`, or a name bound to one of those or annotated `Path` (a
    parameter, `p: Path = ...`). `api_of`: the API a call's function names (the checker's)."""
    if isinstance(node, ast.Call):
        return api_of(node.func) in PATH_CLASSES | PATH_GIVERS
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return holds_path(model, node.left, api_of)
    if isinstance(node, ast.Name):
        found = _binding(model, node)
        return found is not None and _path_binding(model, found[0], found[1], 0)
    return False


def _path_binding(model: VersionModel, b: Optional[Binding], region: Region, depth: int) -> bool:
    if b is None or depth > _MAX_DEPTH:
        return False
    where = b.region if b.region is not None else region
    if b.kind in ("param", "annotated") and b.annotation is not None:
        value = evaluate(model, b.annotation, where)
        if isinstance(value, ApiName) and value.name in PATH_CLASSES:
            return True
    if b.kind in ("assign", "annotated") and not b.path and b.node is not None:
        return _path_value(model, b.node, where, depth + 1)
    return False


def _path_value(model: VersionModel, node: ast.AST, region: Region, depth: int) -> bool:
    """The same as holds_path for a node of the model's tree (a binding's value)."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(node, ast.Call):
        value = evaluate(model, node.func, region)
        return isinstance(value, ApiName) and value.name in PATH_CLASSES | PATH_GIVERS
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _path_value(model, node.left, region, depth + 1)
    if isinstance(node, ast.Name):
        b = lookup(model, node.id, scopes_of(region, node), start_of(node), region)
        return _path_binding(model, b, region, depth + 1)
    return False


class BlockingChecks:
    """SHEET101-SHEET104 and their fixes, for check._Checker (which gives `src`, `functions`,
    `add`, `parent`, `statement_call` and `name`)."""

    src: Any  # check._Source
    functions: List[ast.AST]

    if TYPE_CHECKING:

        def add(
            self, code: str, node: ast.AST, fix: Optional[Fix] = None, ruff: Optional[str] = None, **fields: str
        ) -> None: ...

        def parent(self, node: ast.AST) -> Optional[ast.AST]: ...

        def statement_call(self, call: ast.Call) -> bool: ...

        def name(self, node: ast.Call) -> str: ...

    def blocking(self, node: ast.Call, api: Optional[str]) -> None:
        if api in SLEEP:
            self.add("SHEET101", node, self.fix_sleep(node), "ASYNC251", name=self.name(node))
        elif api in SUBPROCESS:
            use = "asyncio.create_subprocess_shell" if _shell(node, api) else "asyncio.create_subprocess_exec"
            fix = self.fix_subprocess(node, api)
            if fix is None and api not in UNFIXED_SUBPROCESS:
                fix = self.fix_to_thread(node)
            self.add("SHEET102", node, fix, SUBPROCESS[api], name=self.name(node), use=use)
        elif api in BLOCKING_IO:
            # a value inside an expression: `(await asyncio.to_thread(f, x))` where nothing but the
            # value comes back (a query, input()); an opened file or response has reads that block too
            wrap = api == "input" or (api.startswith("os.path.") and api[8:] in OS_PATH_QUERIES)
            fix = self.fix_to_thread(node, wrap)
            self.add("SHEET103", node, fix, BLOCKING_IO[api], name=self.name(node))
        elif api in WAITS:
            self.add("SHEET104", node, self.fix_to_thread(node), "ASYNC222", name=self.name(node))
        elif (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in PATH_METHODS
            and self.src.mentions_pathlib
            and holds_path(self.src.model, node.func.value, self.src.api)
        ):
            method = node.func.attr
            fix = None
            if method != "open":  # a file object comes back, whose reads block too
                fix = self.fix_to_thread(node, wrap=True)
            self.add("SHEET103", node, fix, PATH_METHODS[method], name=self.name(node))

    def fix_sleep(self, node: ast.Call) -> Optional[Fix]:
        if not self.statement_call(node) or len(node.args) != 1 or node.keywords:
            return None
        spelled, imports = self.src.spelled("asyncio.sleep")
        (line, col), (end_line, end_col) = self.src.start(node.func), self.src.end(node.func)
        edits = (Edit(line, col, end_line, end_col, f"await {spelled}"), *imports)
        return Fix("Use `await asyncio.sleep()`", edits)

    def fix_subprocess(self, node: ast.Call, api: str) -> Optional[Fix]:
        """Only `subprocess.run([...])` as a statement (no keywords): the sheet's exec pattern,
        waited for; the argument list's text (and comments) kept."""
        if api != "subprocess.run" or not self.statement_call(node) or node.keywords or len(node.args) != 1:
            return None
        argv = node.args[0]
        if not isinstance(argv, ast.List) or not argv.elts or any(isinstance(e, ast.Starred) for e in argv.elts):
            return None
        spelled, imports = self.src.spelled("asyncio.create_subprocess_exec")
        (line, col), (bl, bc) = self.src.start(node), self.src.start(argv)
        (el, ec), (end_line, end_col) = self.src.end(argv), self.src.end(node)
        edits = (
            Edit(line, col, bl, bc + 1, f"await (await {spelled}("),
            Edit(el, ec - 1, end_line, end_col, ")).wait()"),
            *imports,
        )
        return Fix("Use `asyncio.create_subprocess_exec()`", edits)

    def fix_to_thread(self, node: ast.Call, wrap: bool = False) -> Optional[Fix]:
        """`f(a, k=1)` -> `await asyncio.to_thread(f, a, k=1)` where the call is a statement,
        an assignment's value or a return value; with `wrap`, elsewhere in an expression too, as
        `(await asyncio.to_thread(f, a, k=1))` (an atom: the precedence around it stays), where
        an `await` means the same (not in a generator expression, which it would make async)."""
        parent = self.parent(node)
        plain = isinstance(parent, (ast.Expr, ast.Return)) or (
            isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node
        )
        if not (plain or wrap) or not self.awaitable_here(node):  # (a class body in the coroutine: no await)
            return None
        (fl, fc), (line, col) = self.src.end(node.func), self.src.start(node)
        text = self.src.lines[fl]
        paren = fc + len(text[fc:]) - len(text[fc:].lstrip(" \t"))
        if text[paren : paren + 1] != "(":
            return None
        spelled, imports = self.src.spelled("asyncio.to_thread")
        end_line, end_col = self.src.end(node)
        before, after = ("await ", "") if plain else ("(await ", ")")
        if node.args or node.keywords:
            middle: Tuple[Edit, ...] = (Edit(fl, fc, fl, paren + 1, ", "),)
            if after:
                middle += (Edit(end_line, end_col, end_line, end_col, after),)
        else:
            middle = (Edit(fl, fc, end_line, end_col, ")" + after),)
        edits = (Edit(line, col, line, col, f"{before}{spelled}("), *middle, *imports)
        return Fix("Run it with `await asyncio.to_thread()`", edits)

    def awaitable_here(self, node: ast.AST) -> bool:
        """An `await` at the node runs in the coroutine itself: no generator expression or class
        body between it and the `async def`."""
        function = self.functions[-1] if self.functions else None
        current = self.parent(node)
        while current is not None and current is not function:
            if isinstance(current, (ast.GeneratorExp, ast.ClassDef, ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
                return False
            current = self.parent(current)
        return current is function and isinstance(function, ast.AsyncFunctionDef)


def _shell(node: ast.Call, api: str) -> bool:
    """The command goes through the shell: os.system, os.popen, getoutput, or `shell=True`."""
    if api in ("os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput"):
        return True
    return any(
        k.arg == "shell" and not (isinstance(k.value, ast.Constant) and not k.value.value) for k in node.keywords
    )
