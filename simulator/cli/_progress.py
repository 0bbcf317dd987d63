"""Progress as a library progress callback: a Rich bar on a terminal, plain lines otherwise.

When stderr is not a terminal (output redirected to a file, a CI log, a pipe), a live
bar cannot be drawn, and a long run would otherwise say nothing for minutes. Then one
line is written at the start, then at most every :data:`LINE_EVERY` seconds, and at the
end: ``tornado: 12,000/59,000 runs (20%), 260 runs/s, about 3 min left``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from simulator.cli._common import err_console

if TYPE_CHECKING:
    from simulator.runner.runner import ProgressCallback

LINE_EVERY = 10.0
"""Seconds between progress lines when stderr is not a terminal."""


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class _Lines:
    """State of :func:`line_progress`: when the current run started and what was written."""

    def __init__(self, description: str, write: Callable[[str], None],
                 clock: Callable[[], float], every: float) -> None:
        self.description, self.write, self.clock, self.every = description, write, clock, every
        self.last_line = -float("inf")
        self.last_done = 0
        self.start = clock()
        self.base = 0

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if done < self.last_done:  # a new run reports from its own zero
            self.start, self.base = now, done
        first = self.last_line == -float("inf")
        if first:  # resumed work is not counted in the speed
            self.start, self.base = now, done
        self.last_done = done
        finished = total > 0 and done >= total
        if not (first or finished) and now - self.last_line < self.every:
            return
        self.last_line = now
        elapsed, fresh = now - self.start, done - self.base
        speed = fresh / elapsed if elapsed > 0 and fresh > 0 else 0.0
        text = f"{self.description}: {done:,}/{total:,} runs"
        if total > 0:
            text += f" ({done / total:.0%})"
        if speed > 0:
            text += f", {speed:,.0f} runs/s"
            if not finished:
                text += f", about {_duration((total - done) / speed)} left"
        self.write(text)


def line_progress(description: str, write: Callable[[str], None],
                  clock: Callable[[], float] = time.monotonic,
                  every: float = LINE_EVERY) -> ProgressCallback:
    """A callback that writes a progress line at most every ``every`` seconds.

    The first report, and the one that completes the work, are always written. Several
    runs may report to one callback one after another; each is timed from its own start.
    """
    return _Lines(description, write, clock, every)


@contextmanager
def progress_bar(description: str, *, enabled: bool = True) -> Iterator[ProgressCallback | None]:
    """Yield a callback ``(done, total)`` that shows progress on stderr (or None when quiet).

    On a terminal it drives a bar, which appears at the first report, i.e. once the
    scenario has been validated, so validation errors are never mixed with an empty bar.
    Elsewhere it writes plain lines (:func:`line_progress`).
    """
    if not enabled:
        yield None
        return
    if not err_console.is_terminal:
        yield line_progress(description, lambda text: err_console.print(text, markup=False))
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]} runs/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    bar = Progress(*columns, console=err_console, transient=False)
    task = bar.add_task(description, total=None, rate="–")
    started = False

    def update(done: int, total: int) -> None:
        nonlocal started
        if not started:
            bar.start()
            started = True
        speed = bar.tasks[0].speed
        bar.update(task, completed=done, total=total, rate=f"{speed:,.0f}" if speed else "–")

    try:
        yield update
    finally:
        if started:
            bar.stop()
