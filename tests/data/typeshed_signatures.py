"""Read from typeshed's stdlib stubs the parameter names of the APIs the sheet's signatures
describe, and which of the members the sheet documents exist, for each CPython from 3.9 to
3.14, in the shape of asyncio-signatures.json (what asyncio_signatures.py measures on a
CPython). Its output is pinned in asyncio-signatures-typeshed.json: the only source here for
3.14, which this machine has no interpreter for.

    python tests/data/typeshed_signatures.py GIT_DIR [COMMIT] > tests/data/asyncio-signatures-typeshed.json

To check the pinned file against its commit (no test does: CI has no typeshed clone, and a
test that can only skip there proves nothing), run it with the pinned 3.14 commit and diff:

    python tests/data/typeshed_signatures.py GIT_DIR 21dff5c0ca9a6cc18f70dac51b36e1f08e30be5d \
        | diff - tests/data/asyncio-signatures-typeshed.json

GIT_DIR is a clone of github.com/python/typeshed (git directory; no work tree needed). 3.10 to
3.14 are read at COMMIT (default HEAD; the pinned file's commit for 3.14 re-reads it as
pinned); 3.9 at the last commit before typeshed dropped 3.9 from the stdlib stubs (the parent
of DROP_39). The stubs are parsed with `ast` and each `if sys.version_info
...` / `sys.platform` branch is taken as that CPython on Linux takes it.

Rules, the same as asyncio_signatures.py's: a stream function's parameters are its own plus
those of the loop method it passes **kwds to (BaseEventLoop.create_connection/create_server,
every overload); self, protocol_factory, kwds and loop are left out. typeshed spells out what
create_subprocess_exec/shell pass on to subprocess.Popen instead of writing **kwds: their own
parameters are the ones up to `limit` (the last one CPython's own signature has), then "kwds"."""

from __future__ import annotations

import ast
import json
import operator
import subprocess
import sys

DROP = {"self", "protocol_factory", "kwds", "loop"}
DROP_39 = "80bbb2a51d5830c21a084374cccda5d26fe03e74"  # "Drop 3.9 support in the stdlib (#15708)"
VERSIONS = [(3, 9), (3, 10), (3, 11), (3, 12), (3, 13), (3, 14)]
FILES = [
    "asyncio/streams.pyi",
    "asyncio/base_events.pyi",
    "asyncio/subprocess.pyi",
    "asyncio/threads.pyi",
    "_asyncio.pyi",
]

# api -> (stub file, class or None, name)
MEMBERS = {
    "asyncio.StreamWriter.write": ("asyncio/streams.pyi", "StreamWriter", "write"),
    "asyncio.StreamWriter.drain": ("asyncio/streams.pyi", "StreamWriter", "drain"),
    "asyncio.StreamWriter.close": ("asyncio/streams.pyi", "StreamWriter", "close"),
    "asyncio.StreamWriter.wait_closed": ("asyncio/streams.pyi", "StreamWriter", "wait_closed"),
    "asyncio.StreamReader.read": ("asyncio/streams.pyi", "StreamReader", "read"),
    "asyncio.StreamReader.readline": ("asyncio/streams.pyi", "StreamReader", "readline"),
    "asyncio.StreamReader.readuntil": ("asyncio/streams.pyi", "StreamReader", "readuntil"),
    "asyncio.StreamReader.readexactly": ("asyncio/streams.pyi", "StreamReader", "readexactly"),
    "asyncio.Server.serve_forever": ("asyncio/base_events.pyi", "Server", "serve_forever"),
    "asyncio.Server.close_clients": ("asyncio/base_events.pyi", "Server", "close_clients"),
    "asyncio.Server.abort_clients": ("asyncio/base_events.pyi", "Server", "abort_clients"),
    "asyncio.subprocess.Process.communicate": ("asyncio/subprocess.pyi", "Process", "communicate"),
    "asyncio.subprocess.Process.wait": ("asyncio/subprocess.pyi", "Process", "wait"),
    "asyncio.subprocess.Process.kill": ("asyncio/subprocess.pyi", "Process", "kill"),
    "asyncio.subprocess.Process.returncode": ("asyncio/subprocess.pyi", "Process", "returncode"),
    "asyncio.subprocess.PIPE": ("asyncio/subprocess.pyi", None, "PIPE"),
    "asyncio.get_running_loop": ("_asyncio.pyi", None, "get_running_loop"),
}

OPS = {
    ast.GtE: operator.ge,
    ast.Gt: operator.gt,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def _cond(node, version):
    """Evaluate a stub's `if` test for CPython `version` on Linux."""
    if isinstance(node, ast.BoolOp):
        values = [_cond(v, version) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _cond(node.operand, version)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, op, right = ast.unparse(node.left), OPS[type(node.ops[0])], ast.literal_eval(node.comparators[0])
        if left == "sys.version_info":
            return op(version, tuple(right))
        if left == "sys.platform":
            return op("linux", right)
    raise ValueError(f"cannot evaluate: {ast.unparse(node)}")


def _flatten(body, version):
    """The statements a body has on `version`: if-branches resolved."""
    out = []
    for stmt in body:
        if isinstance(stmt, ast.If):
            out += _flatten(stmt.body if _cond(stmt.test, version) else stmt.orelse, version)
        else:
            out.append(stmt)
    return out


def _defs(body, version, name):
    """Every definition of `name` in body on `version` (several for @overload)."""
    found = []
    for stmt in _flatten(body, version):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.name == name:
            found.append(stmt)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name:
            found.append(stmt)
    return found


def _params(fn):
    a = fn.args
    names = [p.arg for p in a.posonlyargs + a.args]
    if a.vararg:
        names.append(a.vararg.arg)
    names += [p.arg for p in a.kwonlyargs]
    if a.kwarg:
        names.append(a.kwarg.arg)
    return names


def _names(fns):
    out = []
    for fn in fns:
        out += [p for p in _params(fn) if p not in DROP and p not in out]
    return out


class Stubs:
    def __init__(self, git_dir, commit):
        self.git_dir, self.commit = git_dir, commit
        self.trees = {}

    def tree(self, path):
        if path not in self.trees:
            text = subprocess.run(
                ["git", "--git-dir", self.git_dir, "show", f"{self.commit}:stdlib/{path}"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            self.trees[path] = ast.parse(text)
        return self.trees[path]

    def find(self, path, cls, name, version):
        body = self.tree(path).body
        if cls:
            classes = _defs(body, version, cls)
            assert len(classes) == 1, (path, cls, version)
            body = classes[0].body
        return _defs(body, version, name)

    def functions(self, path, cls, name, version):
        return [d for d in self.find(path, cls, name, version) if not isinstance(d, ast.ClassDef)]


def _subprocess_own(fns):
    names = _names(fns)
    return names[: names.index("limit") + 1] + ["kwds"]


def measure(stubs, version):
    f = lambda *where: stubs.functions(*where, version)  # noqa: E731
    loop = ("asyncio/base_events.pyi", "BaseEventLoop")
    out = {
        "asyncio.open_connection": _names(
            f("asyncio/streams.pyi", None, "open_connection") + f(*loop, "create_connection")
        ),
        "asyncio.start_server": _names(f("asyncio/streams.pyi", None, "start_server") + f(*loop, "create_server")),
        "asyncio.create_subprocess_exec": _subprocess_own(f("asyncio/subprocess.pyi", None, "create_subprocess_exec")),
        "asyncio.create_subprocess_shell": _subprocess_own(
            f("asyncio/subprocess.pyi", None, "create_subprocess_shell")
        ),
        "asyncio.to_thread": _names(f("asyncio/threads.pyi", None, "to_thread")) or None,
        "asyncio.AbstractEventLoop.run_in_executor": _names(f(*loop, "run_in_executor")),
    }
    members = {}
    for api, (path, cls, name) in MEMBERS.items():
        found = stubs.find(path, cls, name, version)
        if not found:
            members[api] = None
        elif isinstance(found[0], ast.AnnAssign) or any(
            isinstance(d, ast.Name) and d.id == "property" for d in getattr(found[0], "decorator_list", [])
        ):
            members[api] = []  # an attribute or property: it exists, it has no parameters
        else:
            members[api] = _names(found)
    out["members"] = members
    return out


def main(git_dir, commit="HEAD"):
    head = subprocess.run(
        ["git", "--git-dir", git_dir, "rev-parse", commit], check=True, capture_output=True, text=True
    ).stdout.strip()
    before = subprocess.run(
        ["git", "--git-dir", git_dir, "rev-parse", f"{DROP_39}^"], check=True, capture_output=True, text=True
    ).stdout.strip()
    at = {head: Stubs(git_dir, head), before: Stubs(git_dir, before)}
    versions, commits = {}, {}
    for version in VERSIONS:
        commit = before if version < (3, 10) else head
        text = "{}.{}".format(*version)
        versions[text] = measure(at[commit], version)
        commits[text] = commit
    described = {
        c: subprocess.run(
            ["git", "--git-dir", git_dir, "log", "-1", "--format=%cs %s", c], check=True, capture_output=True, text=True
        ).stdout.strip()
        for c in at
    }
    print(
        json.dumps(
            {
                "about": "Parameter names per CPython as typeshed's stdlib stubs declare them (python/typeshed, "
                "read by tests/data/typeshed_signatures.py; 'commits' says which commit each version "
                "was read at; typeshed's CI runs stubtest on each stub against CPython 3.10-3.15). "
                "The only source here for 3.14 (no 3.14 interpreter on the test machine); "
                "tests/test_sheet_versions.py checks that it agrees with asyncio-signatures.json "
                "(measured) on 3.9-3.13 and checks the sheet's versions against its 3.14.",
                "source": "https://github.com/python/typeshed",
                "files": ["stdlib/" + p for p in FILES],
                "commits": commits,
                "commit_subjects": described,
                "versions": versions,
            },
            indent=1,
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
