"""The real-world corpus, obtained at test time and never committed: the running interpreter's
own `asyncio` package, CPython's `test/test_asyncio` where the interpreter ships it, and the
sdists of a few asyncio projects, fetched with `pip download --no-deps --no-binary :all:` into
`.cache/realworld/` (pinned versions, sha256-checked; only their `.py` files are extracted).

Environment:
  SHEETLS_REALWORLD=full     every file of every source (`make test-realworld`); the default,
                             `sample`, is the bounded sample CI runs inside `make test`
  SHEETLS_REALWORLD_SEED=N   another sample (default 13)
  SHEETLS_REALWORLD_FILES=S  only files whose path contains S (to reproduce one file)
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "realworld"
ARTIFACTS = ROOT / "test-artifacts" / "realworld"

# Pinned: what PyPI served on 2026-11-30 (`pip download --no-deps --no-binary :all: NAME`).
SDISTS = {
    "aiohttp": ("3.14.5", "5558a7f5a05af9ecf744af91e5baefc436f93c9333e656c27ec253f9a6bbe178"),
    "asyncssh": ("2.24.1", "efcd36e9b35f79873535b06444a7c9b0a3c61d97081b208c7fdd3fd8a40f1eca"),
    "anyio": ("4.16.0", "59bb03251907983d1603d27c3087ddb1e93299ea2163adcdba37899a4fb12ffb"),
    "uvicorn": ("0.54.0", "a2e33cbfaa0306f8e6b0c13e0cb89d7d7a2da3e62b90c66e18c33d9807b28620"),
    "aiofiles": ("25.1.0", "a8d728f0a29de45dc521f18f07297428d56992a742f0cd2701ba86e44d23d5b2"),
}
SOURCES = ["stdlib-asyncio", "test_asyncio"] + list(SDISTS)


def mode() -> str:
    return "full" if os.environ.get("SHEETLS_REALWORLD", "").lower() == "full" else "sample"


def seed() -> int:
    return int(os.environ.get("SHEETLS_REALWORLD_SEED", "13"))


def file_filter() -> Optional[str]:
    return os.environ.get("SHEETLS_REALWORLD_FILES") or None


class Unavailable(Exception):
    """The source cannot be had here (a failed download, or an interpreter without it)."""

    def __init__(self, message: str, tool_missing: bool):
        super().__init__(message)
        self.tool_missing = tool_missing  # True: fail under CI; False: skip everywhere


@dataclass
class Source:
    name: str
    root: Path  # file paths are reported relative to it

    def files(self) -> List[Path]:
        return sorted(p for p in self.root.rglob("*.py") if p.is_file())


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def _extract_py(archive: Path, dest: Path) -> None:
    """Only the archive's .py files, only below dest (no links, no absolute or '..' paths)."""
    tmp = dest.with_name(dest.name + ".partial")
    if tmp.exists():
        import shutil

        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)

    def safe(name: str) -> Optional[Path]:
        parts = Path(name).parts
        if not name.endswith(".py") or Path(name).is_absolute() or ".." in parts:
            return None
        return tmp.joinpath(*parts[1:]) if len(parts) > 1 else None  # drop the top folder

    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                target = safe(info.filename)
                if target and not info.is_dir():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(z.read(info))
    else:
        with tarfile.open(archive) as t:
            for m in t.getmembers():
                target = safe(m.name)
                if target and m.isfile():
                    f = t.extractfile(m)
                    if f is not None:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(f.read())
    tmp.rename(dest)


def sdist(name: str) -> Source:
    version, digest = SDISTS[name]
    dest = CACHE / "src" / f"{name}-{version}"
    if not dest.is_dir():
        dl = CACHE / "sdists"
        dl.mkdir(parents=True, exist_ok=True)
        found = [p for p in dl.glob(f"{name}-{version}.*") if _sha256(p) == digest]
        if not found:
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--disable-pip-version-check",
                    "--no-deps",
                    "--no-binary",
                    ":all:",
                    "-d",
                    str(dl),
                    f"{name}=={version}",
                ],
                capture_output=True,
                text=True,
                timeout=300,
            )
            found = [p for p in dl.glob(f"{name}-{version}.*") if _sha256(p) == digest]
            if proc.returncode != 0 or not found:
                why = (
                    (proc.stderr or proc.stdout).strip().splitlines()[-1:]
                    if proc.returncode
                    else [f"no {name}-{version} archive with sha256 {digest}"]
                )
                raise Unavailable(f"pip download of {name}=={version} failed: {' '.join(why)}", True)
        _extract_py(found[0], dest)
    return Source(name, dest)


def get_source(name: str) -> Source:
    if name == "stdlib-asyncio":
        return Source(name, Path(asyncio.__file__).resolve().parent)
    if name == "test_asyncio":
        root = Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_asyncio"
        if not root.is_dir():
            raise Unavailable(f"this interpreter ships no {root}", False)
        return Source(name, root)
    return sdist(name)


def source_for_test(name: str) -> Source:
    """get_source for a test: a source that cannot be had fails the test under CI=true when a tool
    the repo installs is missing (a failed download), else skips it."""
    import pytest

    try:
        return get_source(name)
    except Unavailable as e:
        if e.tool_missing:
            from tool_required import missing_tool

            missing_tool(str(e))
        pytest.skip(str(e))


def read_python(path: Path) -> Tuple[Optional[str], str]:
    """(text, why not): a UTF-8 file that compiles on this interpreter as it is."""
    from rw_places import compile_error

    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8"
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text.replace("\r\n", ""):
        return None, "lone CR line ends"
    err = compile_error(text)
    if err:
        return None, f"does not compile here: {err}"
    return text, ""
