"""Entry point of the ``geosim`` command and of ``python -m simulator``.

Loading the commands takes a moment (typer, Rich, and the command modules). Ctrl-C in
that moment must not print a Python traceback: until the commands are loaded there is
nothing to clean up, so an interrupt ends the process at once with one line and the
conventional exit status 130. Once they are loaded, Ctrl-C raises KeyboardInterrupt as
usual, so worker pools shut down and completed chunks are kept
(:func:`simulator.cli._common.handle_errors` reports it in one line).
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

EXIT_INTERRUPTED = 130
_MESSAGE = "interrupted\n"


def _exit_at_once(_signum: int, _frame: FrameType | None) -> None:
    os.write(sys.stderr.fileno(), _MESSAGE.encode())
    os._exit(EXIT_INTERRUPTED)


def main() -> None:
    """Run the ``geosim`` command line with the process's arguments."""
    signal.signal(signal.SIGINT, _exit_at_once)
    from simulator.cli import _common, app

    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        app.main()
    except SystemExit as exc:
        # An interrupt outside a command (while options are parsed, or help is printed)
        # is turned into a silent exit 130 by typer; say what happened, once.
        if exc.code == EXIT_INTERRUPTED and not _common.State.interrupt_reported:
            sys.stderr.write(_MESSAGE)
        raise
    except KeyboardInterrupt:
        if not _common.State.interrupt_reported:
            sys.stderr.write(_MESSAGE)
        raise SystemExit(EXIT_INTERRUPTED) from None
