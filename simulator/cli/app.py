"""The ``geosim`` command: each sub-command lives in its own module."""

from __future__ import annotations

import signal

from simulator.cli import (  # noqa: F401  (importing registers the commands)
    audit_cmd,
    explain_cmd,
    freeze_cmd,
    new_cmd,
    run_cmd,
    schema_cmd,
    score_cmd,
    track_cmd,
    validate_cmd,
    whatif_cmd,
)
from simulator.cli._common import Terminated, app

# isort: off
# registered in this order, after the commands above: the order `geosim --help` lists them
from simulator.cli import report_cmd  # noqa: F401
from simulator.cli import analysis_cmd  # noqa: F401
from simulator.cli import sweep_cmd  # noqa: F401
from simulator.cli import bench_cmd  # noqa: F401
# isort: on


def _terminate(signum: int, _frame: object) -> None:
    # SIGTERM (kill, a batch scheduler) unwinds like Ctrl-C, so worker pools are shut
    # down and no process is orphaned; completed chunks stay on disk for a resume
    raise Terminated


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    app()


__all__ = ["app", "main"]
