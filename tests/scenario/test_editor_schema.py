"""The committed JSON Schema, judged by a validator geosim did not write.

Editors validate scenario files through yaml-language-server, which reads YAML 1.2
(``0.7`` is a number) and applies standard JSON Schema semantics. ``check-jsonschema``
does the same, so it stands in for the editor here: every valid scenario geosim ships
must pass it with zero errors, and the shape errors geosim's loader reports (unknown
key, wrong type, missing required key) must be flagged by it too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.errors import ScenarioError
from simulator.loading import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "simulator" / "data" / "scenario.schema.json"
SHIPPED = sorted(
    [
        *(ROOT / "scenarios").glob("*.yaml"),
        *(ROOT / "tests" / "data").glob("*.yaml"),
        *(ROOT / "tests" / "conformance" / "scenarios").glob("*.yaml"),
    ]
)
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")


def check_jsonschema(*files: Path) -> subprocess.CompletedProcess[str]:
    if not CHECK_JSONSCHEMA.exists():  # pragma: no cover - the dev extra installs it
        pytest.fail("check-jsonschema is missing: install the dev extra (make test does)")
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--schemafile", str(SCHEMA), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


def schema_errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.strip() for line in result.stdout.splitlines() if "::$" in line]


@pytest.fixture(scope="module")
def new_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("new")
    result = CliRunner().invoke(app, ["new", "india_pakistan", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    path = folder / "india_pakistan.yaml"  # beside it: india_pakistan.evidence.yaml
    return path


def test_there_is_something_to_check() -> None:
    assert len(SHIPPED) >= 10
    assert ROOT / "scenarios" / "us_mexico_cartels.yaml" in SHIPPED


def test_every_shipped_scenario_has_zero_schema_errors(new_scenario: Path) -> None:
    files = [*SHIPPED, new_scenario]
    for path in files:
        load_scenario(path)  # each is valid for geosim itself
    result = check_jsonschema(*files)
    assert schema_errors(result) == []
    assert result.returncode == 0, result.stdout + result.stderr


VALID_HEAD = """\
id: shape-check
title: Shape check
as_of: 2026-01-05
horizon: 1 year
parameters:
  strike_rate: 2% to 5% per month
actors:
  us:
    options:
      strike:
        rate: strike_rate
outcomes:
  struck:
    label: A strike
    when: fired(us.strike)
"""

# (name, text, the loader's message fragment, check-jsonschema's message fragment)
SHAPE_ERRORS = [
    ("unknown key", VALID_HEAD + "bogus: 1\n", "unknown key `bogus`", "'bogus' was unexpected"),
    (
        "unknown nested key",
        VALID_HEAD.replace("rate: strike_rate", "rate: strike_rate\n        rat: 1"),
        "unknown key `rat`",
        "'rat' was unexpected",
    ),
    (
        "list where a mapping belongs",
        VALID_HEAD.replace("actors:\n  us:", "actors:\n  - us:"),
        "a mapping of keys to values",
        "is not of type 'object'",
    ),
    (
        "mapping where text belongs",
        VALID_HEAD.replace("title: Shape check", "title:\n  a: 1"),
        "title",
        "is not of type 'string'",
    ),
    (
        "missing required key",
        VALID_HEAD.replace("title: Shape check\n", ""),
        "missing required key `title`",
        "'title' is a required property",
    ),
    (
        "yes is not a boolean",
        VALID_HEAD + "variants:\n  v:\n    options:\n      us.strike:\n        enabled: yes\n",
        "true or false",
        "enabled",
    ),
]


@pytest.mark.parametrize(
    ("text", "loader_says", "schema_says"),
    [pytest.param(t, lo, sc, id=name) for name, t, lo, sc in SHAPE_ERRORS],
)
def test_shape_errors_are_flagged_by_both(
    tmp_path: Path, text: str, loader_says: str, schema_says: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert loader_says in caught.value.format()
    result = check_jsonschema(path)
    assert result.returncode == 1
    assert any(schema_says in line for line in schema_errors(result)), result.stdout


def test_the_valid_head_is_valid_for_both(tmp_path: Path) -> None:
    # The shape-error cases differ from this file by one edit each.
    path = tmp_path / "good.yaml"
    path.write_text(VALID_HEAD, encoding="utf-8")
    load_scenario(path)
    assert check_jsonschema(path).returncode == 0


def test_numbers_and_booleans_are_accepted_where_yaml_users_write_them(tmp_path: Path) -> None:
    text = VALID_HEAD.replace("title: Shape check", "title: 1984") + (
        "state:\n  cooperation: 0.7\n  trust:\n    initial: 0.5\n    min: 0\n    max: 1\n"
        "variants:\n  v:\n    options:\n      us.strike:\n        enabled: false\n"
        "        rate: 1 per year\n"
    )
    path = tmp_path / "numbers.yaml"
    path.write_text(text, encoding="utf-8")
    load_scenario(path)
    result = check_jsonschema(path)
    assert schema_errors(result) == []
