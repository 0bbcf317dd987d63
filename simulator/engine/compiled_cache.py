"""Where the compiled engine keeps its machine code between processes.

numba caches a compiled function next to its source and checks only that one file's
time stamp; but the kernel's machine code also holds the functions it calls and the
column numbers it reads, which live in other modules. So the kernel is cached in a
folder named after a hash of all those sources: change any of them (an upgrade, a
checkout) and the kernel is compiled afresh instead of running stale code.

The folder is under ``NUMBA_CACHE_DIR`` when the user set one, else the user's cache
folder (``$XDG_CACHE_HOME`` or ``~/.cache``) in ``geosim/numba``, else the temporary
folder; only numba's own setting is changed, and only while the kernel is imported.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# every module whose code or constants end up in the kernel's machine code
SOURCES = ("compiled_kernel", "compiled_loop", "compiled_native", "compiled_tables", "pcg_numba")


def sources_digest() -> str:
    """A short hash of the kernel's sources (and numba's version, which compiles them)."""
    import numba

    h = hashlib.sha256(numba.__version__.encode())
    here = Path(__file__).parent
    for name in SOURCES:
        h.update((here / f"{name}.py").read_bytes())
    return h.hexdigest()[:16]


def _usable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def cache_folder() -> Path | None:
    """The kernel's cache folder, created; None when no candidate can be written."""
    user = os.environ.get("NUMBA_CACHE_DIR")
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    candidates = [Path(user) / "geosim"] if user else []
    uid = getattr(os, "getuid", lambda: 0)()
    candidates += [Path(home) / "geosim" / "numba",
                   Path(tempfile.gettempdir()) / f"geosim-numba-{uid}"]
    digest = sources_digest()
    for base in candidates:
        if _usable(base / digest):
            return base / digest
    return None


@contextmanager
def keyed_cache() -> Iterator[None]:
    """While importing the kernel: numba caches what is decorated in the keyed folder."""
    from numba.core import config

    folder = cache_folder()
    before = getattr(config, "CACHE_DIR", "")
    if folder is not None:
        setattr(config, "CACHE_DIR", str(folder))  # noqa: B010 - set at run time by numba
    try:
        yield
    finally:
        setattr(config, "CACHE_DIR", before)  # noqa: B010


def kernel_cached() -> bool:
    """Whether this machine has the kernel's machine code for these sources (so its
    first use loads it in about 2 s instead of compiling it for about 40 s)."""
    folder = cache_folder()
    return folder is not None and any(folder.rglob("compiled_loop.run_chunk-*.nbi"))
