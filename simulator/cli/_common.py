"""Shared pieces of the command line: the typer app, consoles, and error mapping.

Commands only parse arguments, call the library and map errors to exit codes:
0 ok, 1 bad input (scenario or results), 2 usage, 3 runtime failure. No traceback
is shown unless ``--debug`` is given.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from simulator.errors import GeosimError, ScenarioError

app = typer.Typer(
    name="geosim",
    help="geosim — geopolitical risk scenarios as discrete-event Monte Carlo simulations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

console = Console(highlight=False)
# soft_wrap: diagnostics stay one line each, so editors and grep can parse file:line:col
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


# options shared by every command that runs simulations
WORKERS_OPTION = typer.Option(None, "--workers", "-w", min=1,
                              help="Worker processes (default: all cores).")
EXECUTOR_OPTION = typer.Option("process", "--executor",
                               help="serial, process or dask (LocalCluster).")
SCHEDULER_OPTION = typer.Option(None, "--scheduler",
                                help="Dask scheduler address, tcp://HOST:PORT.")


class State:
    debug = False
    # set once an interrupt has been reported, so the entry point does not repeat it
    interrupt_reported = False


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so that ``finally`` blocks run (see app.main)."""


F = TypeVar("F", bound=Callable[..., Any])


def command_line() -> str:
    """The command as typed, for manifests and reproduction instructions."""
    return "geosim " + " ".join(sys.argv[1:])


def print_json(payload: Any) -> None:
    """Machine-readable output goes to stdout, unstyled."""
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def _arrow_errors() -> tuple[type[BaseException], ...]:
    # Arrow is loaded only by commands that read or write results; importing it here
    # would cost every command (even --help) its start-up time.
    arrow = sys.modules.get("pyarrow")
    return (arrow.ArrowException,) if arrow is not None else ()


def handle_errors(fn: F) -> F:
    """Turn geosim errors into one-line messages and exit codes."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except ScenarioError as exc:
            if State.debug:
                raise
            for diagnostic in exc.diagnostics:
                err_console.print(diagnostic.format(), markup=False)
            raise typer.Exit(exc.exit_code) from None
        except GeosimError as exc:
            if State.debug:
                raise
            err_console.print(f"error: {exc}", markup=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt as exc:
            State.interrupt_reported = True
            err_console.print("interrupted; completed chunks are kept — run the same command "
                              "again to resume", markup=False)
            raise typer.Exit(143 if isinstance(exc, Terminated) else 130) from None
        except _arrow_errors() as exc:  # before ValueError: Arrow's errors subclass it
            if State.debug:
                raise
            err_console.print(f"error: the results files are damaged or unreadable: {exc}",
                              markup=False)
            raise typer.Exit(1) from None
        except (ValueError, OSError) as exc:
            if State.debug:
                raise
            err_console.print(f"error: {exc}", markup=False)
            raise typer.Exit(2 if isinstance(exc, ValueError) else 3) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks on errors."),
) -> None:
    """geosim — write a crisis as YAML, simulate it, read the report."""
    State.debug = debug
