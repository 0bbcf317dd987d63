"""``geosim new``: scaffold a valid, commented scenario to edit."""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

import typer

from simulator.cli._common import app, console, handle_errors
from simulator.errors import UsageError

SCHEMA_FILE = "scenario.schema.json"


def scenario_title(name: str) -> str:
    """The title for a new scenario, keeping the name's own capitals: a name with
    capitals is used as given (underscores become spaces: "India–Pakistan crisis",
    "US_Mexico" → "US Mexico"); an all-lowercase identifier gets each word capitalised
    (`india_pakistan` → "India Pakistan"), since it cannot say which are proper names."""
    text = name.strip().replace("_", " ").strip()
    if not text:
        return "My scenario"
    if text != text.lower():
        return " ".join(text.split())
    words = re.split(r"[\s-]+", text)
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or "My scenario"


def scaffold(name: str, folder: Path) -> Path:
    """Write ``folder/<name>.yaml`` and its evidence register ``folder/<name>.evidence.yaml``
    from the templates; refuses to overwrite either."""
    slug = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "my_scenario"
    target = folder / f"{slug}.yaml"
    register = folder / f"{slug}.evidence.yaml"
    for path in (target, register):
        if path.exists():
            raise UsageError(f"{path} exists; choose another name")
    template = resources.files("simulator.data").joinpath("new_scenario.yaml.tmpl").read_text()
    schema = resources.files("simulator.data").joinpath(SCHEMA_FILE)
    schema_path = os.path.relpath(str(schema), start=folder.resolve())
    title = scenario_title(name)
    text = (template.replace("{id}", slug.replace("_", "-")).replace("{title}", title)
            .replace("{schema_path}", schema_path).replace("{register}", register.name))
    register_text = (resources.files("simulator.data").joinpath("new_register.yaml.tmpl")
                     .read_text().replace("{id}", slug.replace("_", "-")))
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # "x" creates each file only if it is still absent: a file that appeared since
        # the check above is never replaced
        for path, content in ((target, text), (register, register_text)):
            with open(path, "x", encoding="utf-8") as handle:
                written.append(path)
                handle.write(content)
    except OSError as exc:
        for path in written:  # only what this call created, so no half scaffold remains
            path.unlink(missing_ok=True)
        if isinstance(exc, FileExistsError):
            raise UsageError(f"{exc.filename} exists; choose another name") from None
        raise UsageError(f"cannot write {exc.filename or target}: {exc.strerror or exc}"
                         ) from exc
    return target


@app.command("new")
@handle_errors
def new_command(
    name: str = typer.Argument(..., help="Scenario name, e.g. taiwan_blockade."),
    folder: Path = typer.Option(Path("scenarios"), "--dir", "-d", help="Where to write it."),
) -> None:
    """Create a commented scenario skeleton that validates; edit it from there."""
    path = scaffold(name, folder)
    register = path.with_name(path.stem + ".evidence.yaml")
    console.print(f"wrote {path} and its evidence register {register}; next: "
                  f"geosim validate {path} && geosim run {path}", markup=False)
