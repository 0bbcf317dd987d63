"""``geosim what-if``: one-line variants, paired with the baseline on common random numbers."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator import load_scenario
from simulator.analysis.whatif import what_if_scenario
from simulator.cli.app import app
from simulator.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
INDIA = ROOT / "scenarios" / "india_pakistan_attack.yaml"


def _what_if(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["what-if", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_every_parameter_of_every_scenario_accepts_its_own_value(path: Path) -> None:
    """Setting each parameter to the value the file gives it is always a valid what-if."""
    scenario = load_scenario(path)
    settings = [f"{name}={p.value}" for name, p in scenario.parameters.items()]
    changed, name = what_if_scenario(scenario, settings)
    assert name not in scenario.variants
    assert dict(changed.variants[name].parameters) == {
        n: p.value for n, p in scenario.parameters.items()}
    assert changed.variants.keys() - {name} == scenario.variants.keys()


def test_unchanged_value_gives_identical_paired_runs() -> None:
    """Common random numbers: a what-if that changes nothing reproduces every baseline run,
    so every difference is exactly zero with no discordant pair."""
    scenario = load_scenario(INDIA)
    value = scenario.parameters["strike_weight"].value
    code, output = _what_if(str(INDIA), "--set", f"strike_weight={value}", "-n", "60",
                            "--executor", "serial", "--json")
    assert code == 0, output
    rows = json.loads(output)["rows"]
    assert {r["outcome"] for r in rows} == set(scenario.outcomes)
    for r in rows:
        assert r["diff"] == 0, r
        assert r["variant_only"] == 0, r
        assert r["base_only"] == 0, r


def test_a_change_moves_only_what_it_can_reach(tmp_path: Path) -> None:
    """No retaliation is possible with a zero chance; outcomes that happen before any
    retaliation (the first strike) keep every paired run."""
    code, output = _what_if(str(INDIA), "--set", "retaliation_chance=0", "-n", "80",
                            "--executor", "serial", "--json", "--report",
                            str(tmp_path / "r.html"))
    assert code == 0, output
    rows = {r["outcome"]: r for r in json.loads(output)["rows"]}
    assert rows["pakistani_retaliation"]["p_variant"] == 0
    assert rows["pakistani_retaliation"]["p_base"] > 0  # 80 runs, baseline near 50 %
    assert rows["indian_strike"]["variant_only"] == 0
    assert rows["indian_strike"]["base_only"] == 0
    assert "what if retaliation_chance = 0" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_results_are_kept_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    code, output = _what_if(str(INDIA), "--set", "pressure=0.5", "-n", "20",
                            "--executor", "serial", "--json")
    assert code == 0, output
    assert list(scratch.iterdir()) == []  # the temporary results folder is gone
    kept = tmp_path / "kept"
    code, output = _what_if(str(INDIA), "--set", "pressure=0.5", "-n", "20",
                            "--executor", "serial", "--json", "--out", str(kept))
    assert code == 0, output
    assert (kept / "manifest.json").is_file()


def test_bad_settings_are_all_reported_with_locations_and_hints() -> None:
    code, output = _what_if(str(INDIA), "--set", "retaliaton_chance=10% to 30%",
                            "--set", "counter_chance=1% to 4% a month", "--set", "pressure=2",
                            "--set", "nonsense", "-n", "10")
    assert code == 1
    assert "Traceback" not in output
    assert "--set retaliaton_chance=10% to 30%" in output
    assert "did you mean `retaliation_chance`?" in output
    assert "--set counter_chance=1% to 4% a month" in output
    assert "unexpected `a`" in output  # the same message as in a scenario file
    assert "outside the bounds [0, 1]" in output
    assert "must be NAME=VALUE" in output


def test_a_probability_above_one_is_refused_as_in_the_file() -> None:
    scenario = load_scenario(INDIA)
    with pytest.raises(ScenarioError) as caught:
        what_if_scenario(scenario, ["retaliation_chance=150%", "retaliation_chance=20%"])
    messages = [d.message for d in caught.value.diagnostics]
    assert any("cannot exceed 100%" in m for m in messages)
    assert any("more than once" in m for m in messages)
    assert all(d.file.startswith("--set ") for d in caught.value.diagnostics)
