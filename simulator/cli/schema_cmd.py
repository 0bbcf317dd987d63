"""``geosim schema``: print or write the JSON Schema of scenario files."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from simulator.cli._common import app, handle_errors


def schema_text() -> str:
    from simulator.scenario.editor_schema import json_schema

    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


@app.command("schema")
@handle_errors
def schema_command(
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file."),
) -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    text = schema_text()
    if output is None:
        typer.echo(text, nl=False)
    else:
        from simulator._files import atomic_write_bytes

        atomic_write_bytes(output, text.encode())
