"""Atomic file writes, shared by every layer (results, reports, sweep indexes, scores).

A file is written to a temporary name (:data:`TMP_PREFIX`) in the same folder, flushed
to disk and moved into place with ``os.replace``, so readers see the old file or the
whole new one, and an interrupted write never leaves a half-written file under a final
name. Failures (disk full, permissions) become a :class:`ResultsError` naming the file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.errors import ResultsError

__all__ = [
    "FILE_MODE",
    "TMP_PREFIX",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_with",
    "cannot_write",
]

TMP_PREFIX = ".geosim-tmp-"  # temporaries: no user file is expected to start like this


def _default_mode() -> int:
    """The mode a new file gets under the current umask (mkstemp would give 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _default_mode()


def cannot_write(path: Path, exc: OSError) -> ResultsError:
    """The error for an ``OSError`` met while writing ``path``."""
    return ResultsError(f"cannot write {path}: {exc.strerror or exc}")


def atomic_write_with(path: Path, writer: Callable[[str], Any]) -> None:
    """Let ``writer(tmp_path)`` write a file, then move it into place."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix="-" + path.name, dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    try:
        writer(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise cannot_write(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    atomic_write_with(path, write)


def atomic_write_json(path: Path, payload: Any) -> None:
    """Write ``payload`` as indented JSON (no NaN or infinity: they are not JSON)."""
    atomic_write_bytes(path, json.dumps(payload, indent=2, sort_keys=False,
                                        allow_nan=False).encode())
