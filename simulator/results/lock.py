"""One writer at a time: an exclusive lock on a results directory.

The lock is an ``flock`` on the file :data:`~simulator.results.ownership.LOCK` inside the
directory. The operating system releases it when the holder exits for any reason —
a crash, ``kill -9``, a power cut of a remote node's process — so a lock left by a dead
process is stale by construction and the next writer simply takes it. The file itself
stays (deleting a lock file races with a process that has just opened it); it holds the
current holder's process id, host and command, for the refusal message.

Where ``fcntl`` does not exist (Windows), the lock file is created exclusively instead,
and a lock whose process no longer runs on this host is treated as stale.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from types import TracebackType
from typing import Any

from simulator.errors import ResultsError
from simulator.results.ownership import LOCK, now_text

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return (f"process {info['pid']} on {info['host']} since {info['since']}"
                f" ({info.get('command') or 'geosim'})")
    except (OSError, ValueError, KeyError, TypeError):
        return "another geosim process"


def _pid_alive(pid: int) -> bool:  # pragma: no cover - Windows fallback only
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class ResultsLock:
    """``with ResultsLock(folder, command):`` — refused at once if another process holds it."""

    def __init__(self, folder: Path, command: str = "") -> None:
        self.path = folder / LOCK
        self.command = command
        self._fd: int | None = None

    def _info(self) -> bytes:
        return json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                           "since": now_text(), "command": self.command}).encode()

    def _refuse(self) -> ResultsError:
        return ResultsError(f"{self.path.parent} is being written by {_holder(self.path)}; "
                            "wait for it to finish (or stop it), then run again")

    def acquire(self) -> None:
        try:
            if fcntl is None:  # pragma: no cover - Windows
                self._acquire_exclusive()
                return
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise self._refuse() from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, self._info(), 0)
            self._fd = fd
        except OSError as exc:
            raise ResultsError(f"cannot lock {self.path}: {exc.strerror or exc}") from exc

    def _acquire_exclusive(self) -> None:  # pragma: no cover - Windows
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                try:
                    info = json.loads(self.path.read_text(encoding="utf-8"))
                    stale = (info.get("host") == socket.gethostname()
                             and not _pid_alive(int(info["pid"])))
                except (OSError, ValueError, KeyError, TypeError):
                    stale = False
                if not stale:
                    raise self._refuse() from None
                self.path.unlink(missing_ok=True)
                continue
            os.write(fd, self._info())
            self._fd = fd
            return
        raise self._refuse()

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if fcntl is None:  # pragma: no cover - Windows
            os.close(fd)
            self.path.unlink(missing_ok=True)
            return
        os.close(fd)  # closing the descriptor releases the flock

    def __enter__(self) -> ResultsLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> Any:
        self.release()
        return None
