"""The published JSON Schema, editor modelines, model round trips and the scaffold.

Students get completion and hover help from yaml-language-server through the
committed ``simulator/data/scenario.schema.json``; it must match the pydantic models
and use only keywords that server understands.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.cli.schema_cmd import schema_text
from simulator.loading import load_scenario, read_scenario
from simulator.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "simulator" / "data" / "scenario.schema.json"
TEMPLATE = ROOT / "simulator" / "data" / "new_scenario.yaml.tmpl"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
MODELINE = "# yaml-language-server: $schema="
REGENERATE = "regenerate it with: geosim schema -o simulator/data/scenario.schema.json"

# Draft-07 keywords plus `$defs` (which yaml-language-server resolves since 2022).
# Newer ones (prefixItems, unevaluatedProperties, dependentRequired, $anchor,
# $dynamicRef, ...) and OpenAPI's `discriminator` would be ignored or misread.
SUPPORTED_KEYWORDS = {
    "$schema", "$ref", "$defs", "definitions", "$id", "$comment",
    "title", "description", "default", "examples", "format",
    "type", "enum", "const",
    "properties", "patternProperties", "additionalProperties", "required",
    "propertyNames", "minProperties", "maxProperties", "dependencies",
    "items", "additionalItems", "minItems", "maxItems", "uniqueItems", "contains",
    "minLength", "maxLength", "pattern",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "anyOf", "oneOf", "allOf", "not", "if", "then", "else",
}
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf")
_SCHEMA_NODES = ("additionalProperties", "propertyNames", "not", "if", "then", "else",
                 "contains", "additionalItems")


def schema_nodes(node: Any, where: str = "#") -> list[tuple[str, dict[str, Any]]]:
    """Every sub-schema with its JSON pointer-ish location."""
    if not isinstance(node, dict):
        return []
    found = [(where, node)]
    for key in _SCHEMA_MAPS:
        for name, child in node.get(key, {}).items():
            found += schema_nodes(child, f"{where}/{key}/{name}")
    for key in _SCHEMA_LISTS:
        for i, child in enumerate(node.get(key, [])):
            found += schema_nodes(child, f"{where}/{key}/{i}")
    for key in _SCHEMA_NODES:
        found += schema_nodes(node.get(key), f"{where}/{key}")
    items = node.get("items")
    for i, child in enumerate(items if isinstance(items, list) else [items]):
        found += schema_nodes(child, f"{where}/items" + (f"/{i}" if isinstance(items, list)
                                                          else ""))
    return found


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(schema_text())


def test_committed_schema_is_current() -> None:
    assert COMMITTED.is_file(), f"{COMMITTED} is missing; {REGENERATE}"
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        f"{COMMITTED.relative_to(ROOT)} is out of date with simulator/scenario/schema/; "
        f"{REGENERATE}")


def test_committed_schema_is_shipped_in_the_package() -> None:
    shipped = resources.files("simulator.data").joinpath("scenario.schema.json")
    assert shipped.read_text(encoding="utf-8") == schema_text()


def test_schema_command_prints_and_writes_the_same_text(tmp_path: Path) -> None:
    runner = CliRunner()
    printed = runner.invoke(app, ["schema"])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == schema_text()
    target = tmp_path / "schema.json"
    written = runner.invoke(app, ["schema", "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == schema_text()


def test_schema_declares_draft_07(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert {"id", "title", "as_of", "horizon", "actors", "outcomes"} <= set(schema["required"])


def test_schema_uses_only_supported_keywords(schema: dict[str, Any]) -> None:
    unsupported = {
        f"{where}: {key}"
        for where, node in schema_nodes(schema)
        for key in node
        if key not in SUPPORTED_KEYWORDS
    }
    assert not unsupported, sorted(unsupported)
    assert "discriminator" not in json.dumps(schema)


def test_every_ref_resolves(schema: dict[str, Any]) -> None:
    for where, node in schema_nodes(schema):
        ref = node.get("$ref")
        if ref is not None:
            assert ref.startswith("#/$defs/"), (where, ref)
            assert ref.removeprefix("#/$defs/") in schema["$defs"], (where, ref)


def test_every_property_has_a_description(schema: dict[str, Any]) -> None:
    missing = [
        f"{where}/properties/{name}"
        for where, node in schema_nodes(schema)
        for name, prop in node.get("properties", {}).items()
        if not (isinstance(prop, dict) and prop.get("description", "").strip())
    ]
    assert not missing, missing
    for name, definition in schema["$defs"].items():
        assert definition.get("description", "").strip(), f"$defs/{name} has no description"


def test_models_refuse_extra_keys(schema: dict[str, Any]) -> None:
    for name, definition in schema["$defs"].items():
        if definition.get("type") == "object" and "properties" in definition:
            assert definition.get("additionalProperties") is False, name


# --------------------------------------------------------------------------- scenario files


@pytest.mark.skipif(not SCENARIOS, reason="no scenarios/*.yaml in this checkout")
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario_starts_with_schema_modeline(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(MODELINE), (
        f"{path.name} must start with `{MODELINE}<relative path to the schema>`")
    target = (path.parent / first.removeprefix(MODELINE).strip()).resolve()
    assert target.is_file(), f"{path.name}: the modeline points at {target}, which is missing"
    assert target.samefile(COMMITTED)


@pytest.mark.skipif(not SCENARIOS, reason="no scenarios/*.yaml in this checkout")
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario_round_trips_through_json(path: Path) -> None:
    scenario = load_scenario(path)
    data = scenario.model_dump(mode="json", by_alias=True)
    assert Scenario.model_validate(data) == scenario
    # and through real JSON text, as the results manifest stores it
    assert Scenario.model_validate(json.loads(json.dumps(data))) == scenario


def test_mini_round_trips_through_json(tmp_path: Path) -> None:
    from tests.scenario.test_validation_table import MINI

    path = tmp_path / "mini.yaml"
    path.write_text(MINI)
    scenario = load_scenario(path)
    data = scenario.model_dump(mode="json", by_alias=True)
    assert "set" in json.dumps(data)  # the alias, not the python name `set_`
    assert Scenario.model_validate(data) == scenario


# --------------------------------------------------------------------------- geosim new, --help


@pytest.mark.skipif(not TEMPLATE.is_file(),
                    reason="simulator/data/new_scenario.yaml.tmpl is not written yet")
def test_new_writes_a_scenario_that_validates(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "mine"
    result = runner.invoke(app, ["new", "taiwan_blockade", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.glob("*.yaml")) == [
        "taiwan_blockade.evidence.yaml", "taiwan_blockade.yaml"]
    written = folder / "taiwan_blockade.yaml"
    checked = read_scenario(written).strict()  # no warnings either: every number sourced
    assert checked.ok, "\n".join(d.format() for d in checked.diagnostics)
    assert checked.evidence, "the scenario's own register was not read"
    first = written.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(MODELINE)
    target = (written.parent / first.removeprefix(MODELINE).strip()).resolve()
    assert target.is_file(), f"the new file's modeline points at {target}, which is missing"
    validated = runner.invoke(app, ["validate", str(written)])
    assert validated.exit_code == 0, validated.output
    again = runner.invoke(app, ["new", "taiwan_blockade", "--dir", str(folder)])
    assert again.exit_code != 0  # never overwrites
    assert "Traceback" not in again.output


def test_python_m_simulator_help() -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-m", "simulator", "--help"], capture_output=True,
                          text=True, timeout=120, check=False, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    for command in ("validate", "schema", "new", "run"):
        assert command in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_new_refuses_when_the_register_exists_and_writes_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "taiwan_blockade.evidence.yaml").write_text("claims: {}\n")
    result = runner.invoke(app, ["new", "taiwan_blockade", "--dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "taiwan_blockade.evidence.yaml exists" in result.output
    assert not (tmp_path / "taiwan_blockade.yaml").exists()
    assert (tmp_path / "taiwan_blockade.evidence.yaml").read_text() == "claims: {}\n"
