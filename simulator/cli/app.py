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

for _optional in ("report_cmd", "analysis_cmd", "sweep_cmd", "bench_cmd"):
    try:
        __import__(f"simulator.cli.{_optional}")
    except ModuleNotFoundError as _exc:  # pragma: no cover - only while a module is absent
        if _exc.name != f"simulator.cli.{_optional}":
            raise


def _terminate(signum: int, _frame: object) -> None:
    # SIGTERM (kill, a batch scheduler) unwinds like Ctrl-C, so worker pools are shut
    # down and no process is orphaned; completed chunks stay on disk for a resume
    raise Terminated


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    app()


__all__ = ["app", "main"]
