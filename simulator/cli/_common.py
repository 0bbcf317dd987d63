"""Shared pieces of the command line: the typer app, consoles, and error mapping.

Commands only parse arguments, call the library and map errors to exit codes:
0 ok, 1 bad input (scenario or results), 2 usage, 3 runtime failure, 4 internal error
(a bug in geosim), 130/143 interrupted. Only :class:`~simulator.errors.GeosimError`
is mapped to a message: any other exception is a bug and is reported as one, never
disguised as a user mistake. No traceback is shown unless ``--debug`` is given.
"""

from __future__ import annotations

import functools
import json
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from typer.exceptions import TyperException

from simulator.errors import INTERNAL_ERROR_EXIT, GeosimError, GeosimWarning, ScenarioError

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
ENGINE_HELP = ("Simulation engine: simpy (the reference), compiled (the same event loop "
               "as machine code: 15-18x faster, for many runs) or numpy (vectorised).")


def engine_name(value: str | None) -> str | None:
    """``--engine``'s value, checked against the engine registry (a usage error names the
    known engines)."""
    from simulator.engine.registry import engine_names

    if value is not None and value not in engine_names():
        raise typer.BadParameter(f"unknown engine {value!r}; expected one of "
                                 + ", ".join(engine_names()))
    return value


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


def internal_error_message(exc: BaseException) -> str:
    """The one line shown for an unexpected exception (a bug, not a user mistake)."""
    detail = str(exc).splitlines()[0] if str(exc) else ""
    return (f"internal error: {type(exc).__name__}{': ' + detail if detail else ''} — this is "
            "a bug in geosim, not a problem with your input; run the command again with "
            "`geosim --debug ...` to see the traceback, and please report it")


def handle_errors(fn: F) -> F:
    """Turn geosim errors into messages and exit codes; anything else is a bug."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, TyperException):
            raise  # typer's own exits and option errors (exit code 2)
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
        except Exception as exc:
            if State.debug:
                raise
            err_console.print(internal_error_message(exc), markup=False)
            raise typer.Exit(INTERNAL_ERROR_EXIT) from None

    return wrapper  # type: ignore[return-value]


_python_showwarning = warnings.showwarning


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """geosim's own warnings as one plain line; others as Python prints them."""
    if issubclass(category, GeosimWarning):
        err_console.print(f"warning: {message}", markup=False)
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks on errors."),
) -> None:
    """geosim — write a crisis as YAML, simulate it, read the report."""
    State.debug = debug
    warnings.showwarning = _show_warning
