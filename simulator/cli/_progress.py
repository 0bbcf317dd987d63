"""A Rich progress bar with runs per second and ETA, as a library progress callback."""

from __future__ import annotations

from collections.abc import Iterator
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


@contextmanager
def progress_bar(description: str, *, enabled: bool = True) -> Iterator[ProgressCallback | None]:
    """Yield a callback ``(done, total)`` that drives a bar on stderr (or None when quiet).

    The bar appears at the first report, i.e. once the scenario has been validated, so
    validation errors are never mixed with an empty bar.
    """
    if not enabled:
        yield None
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
