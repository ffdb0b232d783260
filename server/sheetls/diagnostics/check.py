"""The checks: one walk of the file's syntax tree, each call's name resolved the way hover resolves
it (resolve.resolve_at: aliases, from-imports, shadowing, values followed through assignments),
and the fixes built from the sheet's own patterns in the file's own spelling (pyimports)."""

from __future__ import annotations

import ast
import re
from typing import Any, Callable, ClassVar, Dict, List, Optional, Sequence, Set, Tuple

from sheetls.diagnostics.blocking import BLOCKING_IO, SLEEP, SUBPROCESS, WAITS, BlockingChecks, builtin
from sheetls.diagnostics.findings import Edit, Finding, Fix
from sheetls.diagnostics.incremental import DocumentLint
from sheetls.diagnostics.rules import RULES
from sheetls.diagnostics.units import CHILD_FIELDS
from sheetls.docmodel import DocumentModel, VersionModel
from sheetls.pyimports import Imports, import_site, scan_imports
from sheetls.regions import Region
from sheetls.resolve import resolve_at, resolve_node

PyVersion = Tuple[int, int]
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

COROUTINES = {
    "asyncio.StreamWriter.drain",
    "asyncio.StreamWriter.wait_closed",
    "asyncio.StreamWriter.start_tls",
    "asyncio.StreamReader.read",
    "asyncio.StreamReader.readline",
    "asyncio.StreamReader.readuntil",
    "asyncio.StreamReader.readexactly",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.start_server",
    "asyncio.start_unix_server",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "asyncio.subprocess.Process.communicate",
    "asyncio.subprocess.Process.wait",
    "asyncio.to_thread",
    "asyncio.sleep",
    "asyncio.Server.serve_forever",
    "asyncio.Server.start_serving",
    "asyncio.Server.wait_closed",
}
WRITES = {"asyncio.StreamWriter.write", "asyncio.StreamWriter.writelines"}
READS = {f"asyncio.StreamReader.{m}" for m in ("read", "readline", "readuntil", "readexactly")}
CREATE_SUBPROCESS = {"asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell"}
LIMIT_APIS = {
    "asyncio.open_connection",
    "asyncio.start_server",
    "asyncio.open_unix_connection",
    "asyncio.start_unix_server",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
}
KEEP_ALIVE_APIS = {"asyncio.start_server", "asyncio.AbstractEventLoop.create_server", "asyncio.loop.create_server"}


def _last_names(*groups: object) -> Set[str]:
    names: Set[str] = set()
    for group in groups:
        names.update(str(api).rsplit(".", 1)[-1] for api in group)  # type: ignore[attr-defined]
    return names


# the last part of every name a rule asks about: any other call is not resolved at all
_NAMES = _last_names(
    SLEEP, SUBPROCESS, BLOCKING_IO, WAITS, COROUTINES, WRITES, CREATE_SUBPROCESS, LIMIT_APIS, KEEP_ALIVE_APIS
) | {"Path", "PosixPath", "WindowsPath", "cwd", "home", "close", "wait", "run_in_executor", "get_event_loop", "PIPE"}


def split_lines(text: str) -> List[str]:
    """The lines as Python numbers them (\\n, \\r\\n and \\r end a line; nothing else does)."""
    return _LINE_BREAK.split(text)


def _ANY(api: str) -> bool:  # every API counts (the rules choose)
    return True


class _Source:
    """One version of a file: its lines, the resolver's model of them and its imports. `text`,
    where given, is what the lines were split from (its line ends are kept in segments); without
    it the lines are taken as joined by "\\n". A document checked again and again passes its
    carried model and imports (incremental.py)."""

    def __init__(
        self,
        text: Optional[str],
        lines: Optional[List[str]] = None,
        model: Optional[VersionModel] = None,
        imports: Optional[Imports] = None,
    ):
        self.text = text
        self.lines = lines if lines is not None else split_lines(text or "")
        self.model = model if model is not None else VersionModel(self.lines, DocumentModel().regions)
        self.imports: Imports = imports if imports is not None else scan_imports(self.lines)
        self._apis: Dict[Tuple[int, int], Optional[str]] = {}
        # while a unit whose tree is the resolver's block is checked (incremental.py): that block
        self.unit_region: Optional[Region] = None
        self.candidates: Set[str] = set()  # the local names imports bind anywhere in the file
        self._starts: Optional[List[int]] = None  # offset of each line in `text`
        self._pathlib: Optional[bool] = None

    @property
    def mentions_pathlib(self) -> bool:
        """The file says `pathlib` somewhere: without an import of it no value is a Path (and an
        import added anywhere changes the imported names: incremental.py checks every unit again)."""
        if self._pathlib is None:
            self._pathlib = "pathlib" in self.text if self.text is not None else any("pathlib" in t for t in self.lines)
        return self._pathlib

    def pos(self, lineno: int, byte_col: int) -> Tuple[int, int]:
        """ast's (1-based line, UTF-8 byte column) -> (0-based line, code point column)."""
        line = self.lines[lineno - 1]
        if line.isascii():  # (one byte a code point: the column as it is)
            return lineno - 1, len(line[:byte_col])
        return lineno - 1, len(line.encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", "replace"))

    def start(self, node: ast.AST) -> Tuple[int, int]:
        return self.pos(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> Tuple[int, int]:
        return self.pos(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def api(self, node: ast.expr) -> Optional[str]:
        """The fully qualified API a name or dotted name refers to, resolved like hover; None
        without asking the resolver for a name that no rule looks at and no import binds."""
        if isinstance(node, ast.Name):
            if node.id not in self.candidates and node.id not in _NAMES:
                return None
        elif not isinstance(node, ast.Attribute) or node.attr not in _NAMES:
            return None
        line, col = self.end(node)
        key = (line, col)
        if key not in self._apis:
            if self.unit_region is not None:  # the node is the resolver's own: no search for it by position
                target = resolve_node(self.model, self.unit_region, node, line, _ANY)
            else:
                target = resolve_at(self.lines, line, col - 1, known=_ANY, model=self.model)
            self._apis[key] = target.api if target is not None and (target.line, target.end) == key else None
        return self._apis[key]

    def segment(self, node: ast.AST) -> str:
        """The node's source text (ast.get_source_segment's, without splitting the whole file
        again for each node: that made a 10,000-line check take seconds)."""
        if getattr(node, "end_lineno", None) is None or getattr(node, "end_col_offset", None) is None:
            return ""
        (line, col), (end_line, end_col) = self.start(node), self.end(node)
        if line == end_line:
            return self.lines[line][col:end_col]
        if self.text is None:
            return "\n".join([self.lines[line][col:], *self.lines[line + 1 : end_line], self.lines[end_line][:end_col]])
        if self._starts is None:
            self._starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]
        return self.text[self._starts[line] + col : self._starts[end_line] + end_col]

    def spelled(self, qualified: str) -> Tuple[str, List[Edit]]:
        """`qualified` in the file's spelling, and the import to add when the file has none."""
        local = self.imports.local_for(qualified)
        if local is not None:
            return local, []
        module = qualified.split(".")[0]
        site = import_site(self.lines, module)
        text = ("\n" if site.blank_before else "") + f"import {module}\n" + "\n" * site.blank_after
        if site.line >= len(self.lines):
            last = len(self.lines) - 1
            col = len(self.lines[last])
            return qualified, [Edit(last, col, last, col, ("\n" if self.lines[last] else "") + text.rstrip("\n"))]
        return qualified, [Edit(site.line, 0, site.line, 0, text)]


class _Checker(BlockingChecks):
    """The rules over the nodes it visits: a whole module, or one unit of it (incremental.py:
    a top-level statement, a class's header, a statement of a class's body), whose nodes'
    parents (set by incremental.py for each unit) are all it needs. `bound`: the names the whole
    file binds (units.names_of counts them).

    The walk is ast.NodeVisitor's (a node goes to its `visit_<type>` method where there is one,
    else its children are visited in field order) without its cost per node: no method looked up
    by name, no generator over every field, no call at all for a leaf (a name, a constant). It is
    each keystroke's walk of the unit edited (incremental.py)."""

    def __init__(self, src: _Source, python: PyVersion, bound: Set[str]):
        self.src = src
        self.python = python
        self.findings: List[Finding] = []
        self.functions: List[ast.AST] = []  # enclosing def / async def / lambda, innermost last
        self.parents: Dict[int, ast.AST] = {}
        self.bound = bound

    # --- the walk --------------------------------------------------------------------------------
    _handlers: ClassVar[Dict[type, Callable[[Any, Any], None]]]  # node type -> its visit_<type>

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = _handlers_of(cls)

    def visit(self, node: ast.AST) -> None:
        handler = self._handlers.get(type(node))
        if handler is not None:
            handler(self, node)
        else:
            self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        """The node's children visited in turn (each with its handler, or its own children)."""
        handlers = self._handlers
        for field in CHILD_FIELDS[type(node)]:
            value: Any = getattr(node, field, None)
            for child in value if isinstance(value, list) else (value,):
                kind = type(child)
                handler = handlers.get(kind)
                if handler is not None:
                    handler(self, child)
                elif CHILD_FIELDS[kind]:
                    self.generic_visit(child)

    # --- context ---------------------------------------------------------------------------------
    def _function(self, node: ast.AST) -> None:
        # decorators, defaults and annotations run where the function is defined, not in it
        a: ast.arguments = node.args  # type: ignore[attr-defined]
        outside: List[Optional[ast.AST]] = [*getattr(node, "decorator_list", []), *a.defaults, *a.kw_defaults]
        outside += [getattr(node, "returns", None)]
        outside += [x.annotation for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if x]
        for part in outside:
            if part is not None:
                self.visit(part)
        self.functions.append(node)
        body = node.body  # type: ignore[attr-defined]
        for stmt in body if isinstance(body, list) else [body]:
            self.visit(stmt)
        self.functions.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    @property
    def in_async(self) -> bool:
        return bool(self.functions) and isinstance(self.functions[-1], ast.AsyncFunctionDef)

    def parent(self, node: ast.AST) -> Optional[ast.AST]:
        return self.parents.get(id(node))

    def statement_call(self, call: ast.Call) -> bool:
        """The call is a statement of its own (`f(x)` on its own, its value unused)."""
        return isinstance(self.parent(call), ast.Expr)

    def add(
        self, code: str, node: ast.AST, fix: Optional[Fix] = None, ruff: Optional[str] = None, **fields: str
    ) -> None:
        line, col = self.src.start(node)
        end_line, end_col = self.src.end(node)
        message = RULES[code].message.format(**fields)
        self.findings.append(Finding(code, message, line, col, end_line, end_col, fix, ruff))

    # --- calls -----------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)  # the calls in its arguments (and function) first
        in_async = self.in_async
        if not in_async and not _anywhere(node):
            return
        api = self.src.api(node.func)
        if api is None and in_async:
            api = builtin(
                self.src.model, node.func, node.func.id in self.bound if isinstance(node.func, ast.Name) else False
            )
        if api is not None:
            self.parameters(node, api)
        if in_async:
            self.blocking(node, api)
        if api is not None:
            self.sheet_api(node, api)

    def name(self, node: ast.Call) -> str:
        return self.src.segment(node.func) or "call"

    def sheet_api(self, node: ast.Call, api: str) -> None:
        """SHEET204 and SHEET205 anywhere; the others inside `async def`."""
        if api == "asyncio.create_subprocess_shell" and node.args:
            how = _built_from_variables(node.args[0])
            if how:
                self.add("SHEET204", node.args[0], how=how)
        if api.endswith(".run_in_executor") and node.keywords and len(node.args) >= 2:
            if not any(k.arg is None for k in node.keywords):
                self.add("SHEET205", node, self.fix_partial(node))
        if not self.in_async:
            return
        if api in COROUTINES and self.statement_call(node):
            line, col = self.src.start(node)
            fix = Fix("Add `await`", (Edit(line, col, line, col, "await "),))
            self.add("SHEET201", node, fix, name=self.name(node))
        if api in WRITES and isinstance(node.func, ast.Attribute) and self.statement_call(node):
            self.write_without_drain(node, node.func)
        if api == "asyncio.StreamWriter.close" and isinstance(node.func, ast.Attribute):
            self.close_without_wait(node, node.func)
        if api == "asyncio.subprocess.Process.wait" and isinstance(node.func, ast.Attribute):
            self.wait_with_pipes(node, node.func)
        if api == "asyncio.get_event_loop":
            spelled, imports = self.src.spelled("asyncio.get_running_loop")
            (line, col), (end_line, end_col) = self.src.start(node.func), self.src.end(node.func)
            fix = Fix("Use `asyncio.get_running_loop()`", (Edit(line, col, end_line, end_col, spelled), *imports))
            self.add("SHEET206", node, fix)

    def parameters(self, node: ast.Call, api: str) -> None:
        for kw in node.keywords:
            if (
                kw.arg == "limit"
                and api in LIMIT_APIS
                and isinstance(kw.value, ast.Constant)
                and kw.value.value is None
            ):
                self.add("SHEET207", kw, detail="`limit=None` raises TypeError (or fails every read); leave it out")
            if kw.arg == "keep_alive" and api in KEEP_ALIVE_APIS and self.python < (3, 13):
                target = ".".join(map(str, self.python))
                self.add("SHEET207", kw, detail=f"`keep_alive=` is new in Python 3.13 (TypeError on {target})")

    # --- rules needing the whole function ----------------------------------------------------------
    def _function_calls(self) -> List[ast.Call]:
        return [n for n in ast.walk(self.functions[-1]) if isinstance(n, ast.Call)]

    def close_without_wait(self, node: ast.Call, func: ast.Attribute) -> None:
        """SHEET202 unless the function awaits `<receiver>.wait_closed()`, hands the receiver to a
        call after the close (a helper that waits for it), or, for `<proc>.stdin.close()` (EOF to a
        child), an awaited `<proc>.wait()`/`communicate()`: the pipe is done with the process."""
        receiver = self.src.segment(func.value)
        proc = func.value.value if isinstance(func.value, ast.Attribute) and func.value.attr == "stdin" else None
        after = (node.end_lineno, node.end_col_offset)
        for call in self._function_calls():
            f = call.func
            if isinstance(f, ast.Attribute) and f.attr == "wait_closed" and self.src.segment(f.value) == receiver:
                return
            if (call.lineno, call.col_offset) >= after and any(
                self.src.segment(a) == receiver for a in (*call.args, *(k.value for k in call.keywords))
            ):
                return
            if (
                isinstance(proc, ast.Name)
                and isinstance(f, ast.Attribute)
                and f.attr in ("wait", "communicate")
                and isinstance(f.value, ast.Name)
                and f.value.id == proc.id
                and isinstance(self.parent(call), ast.Await)
            ):
                return
        fix = self.line_after(node, f"await {receiver}.wait_closed()")
        self.add("SHEET202", node, fix, name=self.name(node), receiver=receiver)

    def line_after(self, node: ast.Call, code: str) -> Optional[Fix]:
        """Add `code` on a line of its own after the call's statement, at its indentation: only
        when the statement is the call alone on one line, with no `;` and no comment."""
        stmt = self.parent(node)
        if not (isinstance(stmt, ast.Expr) and stmt.lineno == stmt.end_lineno):
            return None
        line, _ = self.src.end(stmt)
        text = self.src.lines[line]
        if not text.rstrip().endswith(")") or ";" in text or "#" in text:
            return None
        indent = text[: len(text) - len(text.lstrip())]
        end = len(text)
        return Fix(f"Add `{code}`", (Edit(line, end, line, end, f"\n{indent}{code}"),))

    def write_without_drain(self, node: ast.Call, func: ast.Attribute) -> None:
        """`writer.write()` as a statement that reaches the end of a loop's body, or a read, with
        no `writer.drain()` in between (a drain anywhere in the loop counts)."""
        receiver = self.src.segment(func.value)

        def drains(tree: ast.AST) -> bool:
            return any(
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr == "drain"
                and self.src.segment(n.func.value) == receiver
                for n in ast.walk(tree)
            )

        def reads(tree: ast.AST) -> bool:
            return any(isinstance(n, ast.Call) and self.src.api(n.func) in READS for n in ast.walk(tree))

        current: ast.AST = self.parent(node) or node
        where = ""
        while not where:
            parent = self.parent(current)
            if parent is None or isinstance(parent, ast.Lambda):
                return
            block = next((b for b in _blocks(parent) if any(s is current for s in b)), None)
            if block is None:  # an except handler's or a match case's own node: go up
                current = parent
                continue
            for stmt in block[[id(s) for s in block].index(id(current)) + 1 :]:
                if drains(stmt):
                    return
                if reads(stmt):
                    where = "before a read"
                    break
            else:
                if isinstance(parent, (ast.For, ast.AsyncFor, ast.While)) and block is parent.body:
                    if drains(parent):
                        return
                    where = "in a loop"
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
                break
            current = parent
        if not where:
            return
        fix = self.line_after(node, f"await {receiver}.drain()")
        code = "SHEET208" if where == "in a loop" else "SHEET209"
        self.add(code, node, fix, name=self.name(node), receiver=receiver)

    def wait_with_pipes(self, node: ast.Call, func: ast.Attribute) -> None:
        if not isinstance(func.value, ast.Name):
            return
        proc = func.value.id
        pipes: List[str] = []
        for n in ast.walk(self.functions[-1]):
            if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == proc for t in n.targets):
                value = n.value.value if isinstance(n.value, ast.Await) else n.value
                if isinstance(value, ast.Call) and self.src.api(value.func) in CREATE_SUBPROCESS:
                    for kw in value.keywords:
                        if kw.arg in ("stdout", "stderr") and self.src.api(kw.value) == "asyncio.subprocess.PIPE":
                            pipes.append(kw.arg)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == proc:
                if n.attr in ("communicate", "stdout", "stderr") and n is not func:
                    return  # read somewhere in the function
            if isinstance(n, ast.Name) and n.id == proc and isinstance(self.parent(n), ast.Call):
                return  # handed to something that may read it
        if not pipes:
            return
        fix = None
        awaited = self.parent(node)
        if isinstance(awaited, ast.Await) and isinstance(self.parent(awaited), ast.Expr):
            line, col = self.src.end(func.value)
            end_line, end_col = self.src.end(func)
            fix = Fix("Use `communicate()`", (Edit(line, col, end_line, end_col, ".communicate"),))
        self.add("SHEET203", node, fix, name=self.name(node), pipes="/".join(pipes))

    # --- fixes -------------------------------------------------------------------------------------
    def fix_partial(self, node: ast.Call) -> Optional[Fix]:
        end_line, end_col = self.src.end(node)
        if self.src.lines[end_line][end_col - 1 : end_col] != ")":
            return None
        spelled, imports = self.src.spelled("functools.partial")
        line, col = self.src.start(node.args[1])
        edits = (
            Edit(line, col, line, col, f"{spelled}("),
            Edit(end_line, end_col - 1, end_line, end_col - 1, ")"),
            *imports,
        )
        return Fix("Use `functools.partial()`", edits)


def _handlers_of(cls: type) -> Dict[type, Callable[[Any, Any], None]]:
    """The checker's `visit_<type>` methods by node type (the names ast.NodeVisitor looks up)."""
    kinds = {name: getattr(ast, name[len("visit_") :], None) for name in dir(cls) if name.startswith("visit_")}
    return {kind: getattr(cls, name) for name, kind in kinds.items() if isinstance(kind, type)}


_Checker._handlers = _handlers_of(_Checker)


def _blocks(node: ast.AST) -> List[List[ast.stmt]]:
    """The statement lists directly under a compound statement (body, else, finally)."""
    return [b for b in (getattr(node, f, None) for f in ("body", "orelse", "finalbody")) if isinstance(b, list)]


def _anywhere(node: ast.Call) -> bool:
    """A call some rule looks at outside `async def` too (SHEET204, SHEET205, SHEET207)."""
    func = node.func
    last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return last in _ANYWHERE or any(k.arg in ("limit", "keep_alive") for k in node.keywords)


_ANYWHERE = {"create_subprocess_shell", "run_in_executor"}


def _built_from_variables(node: ast.expr) -> Optional[str]:
    if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
        return "f-string"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return "%"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        if not (isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Constant)):
            return "+"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return ".format()"
    return None


def check(
    text: str,
    path: Optional[str] = None,
    python: Optional[PyVersion] = None,
    select: Optional[Callable[[str], bool]] = None,
) -> List[Finding]:
    """The findings of every rule in `text` (a file that does not parse has none), sorted by place,
    `# noqa` honoured. `python`: the target version (default: the project's, as sheetls.target
    finds it for `path`)."""
    # one top-level statement (or class body statement) at a time, as an open document is
    # checked again after an edit (incremental.py): the same findings by construction
    return document_lint().findings(split_lines(text), path, python, select, text=text)


class _Engine:
    """What incremental.DocumentLint checks a unit with: this module's rules."""

    def source(self, text: Optional[str], lines: List[str], model: VersionModel, imports: Imports) -> _Source:
        return _Source(text, lines, model, imports)

    def checker(self, src: _Source, python: PyVersion, bound: Set[str]) -> _Checker:
        return _Checker(src, python, bound)

    def target_for(self, path: Optional[str]) -> PyVersion:
        return _target_for(path)


def document_lint() -> DocumentLint:
    """A document's incremental checker (one per open document: incremental.DocumentLint)."""
    return DocumentLint(_Engine())


def _target_for(path: Optional[str]) -> PyVersion:
    from sheetls.target import ProjectTargets, running_python

    if path is None:
        return running_python()
    return ProjectTargets().for_path(path).version


def apply_fixes(text: str, findings: Sequence[Finding]) -> Tuple[str, int]:
    """`text` with the fixes of `findings` applied (overlapping ones left out; identical edits,
    such as the same import, made once); the text unchanged when the result does not compile.
    The lines a fix adds end with the file's own line break (its first one). Returns the text
    and how many fixes were applied."""
    lines = split_lines(text)
    starts = [0]
    for m in _LINE_BREAK.finditer(text):
        starts.append(m.end())

    first_break = _LINE_BREAK.search(text)
    newline = first_break.group() if first_break else "\n"  # what a fix's new lines end with

    def offset(line: int, col: int) -> int:
        return starts[line] + col

    chosen: List[Tuple[int, int, str]] = []
    taken: List[Tuple[int, int]] = []
    applied = 0
    for finding in findings:
        if finding.fix is None:
            continue
        spans = []
        for e in finding.fix.edits:
            if e.line >= len(lines):
                break
            spans.append((offset(e.line, e.col), offset(e.end_line, e.end_col), _LINE_BREAK.sub(newline, e.text)))
        else:
            own = [(a, b, t) for a, b, t in spans if (a, b, t) not in chosen]
            if any(a < tb and ta < b or (a == b == ta == tb) for a, b, _ in own for ta, tb in taken):
                continue
            chosen.extend(own)
            taken.extend((a, b) for a, b, _ in own)
            applied += 1
    out = text
    for a, b, t in sorted(chosen, key=lambda s: (s[0], s[1], s[2]), reverse=True):
        out = out[:a] + t + out[b:]
    if out == text:
        return text, 0
    try:
        compile(out, "<fixed>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return text, 0
    return out, applied
