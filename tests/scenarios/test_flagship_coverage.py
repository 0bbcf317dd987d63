"""The flagship scenario models every actor and measure the source documents name.

Each row of COVERAGE is (measure described in the January 2026 reports, actor id,
option or state id). A row is satisfied when the actor has that option, or when the
id is a state variable (for standing facts such as the terrorist designation).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from simulator import load_scenario
from simulator.cli.app import app
from simulator.loading import read_scenario

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "us_mexico_cartels.yaml"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
REGISTERS = [ROOT / "seeds" / "evidence.yaml", ROOT / "seeds" / "analogues.yaml"]

COVERAGE: list[tuple[str, str, str]] = [
    # US executive
    ("offer of US military help", "us_executive", "offer_military_help"),
    ("pressure under the narco-terrorism framing", "us_executive", "narcoterrorism_pressure"),
    ("cartels designated foreign terrorist organisations", "us_executive", "fto_designated"),
    ("designation used against Mexican officials", "us_executive", "fto_sanctions_on_officials"),
    ("CIA drone surveillance flights over Mexico", "us_executive", "expand_cia_flights"),
    ("CIA surveillance intensity", "us_executive", "cia_surveillance"),
    ("arrests of Mexican politicians tied to cartels", "us_executive", "arrest_mexican_politician"),
    ("unilateral US military strike", "us_executive", "unilateral_strike"),
    ("sustained US operations", "us_executive", "sustained_operations"),
    ("negotiated deepening of cooperation", "us_executive", "agree_security_framework"),
    # US law-enforcement channel
    ("law-enforcement ties keep communication open", "us_law_enforcement", "liaison_deescalation"),
    ("channel strength", "us_law_enforcement", "comms_channel"),
    ("joint work on shared intelligence", "us_law_enforcement", "joint_intel_operation"),
    # Mexican federal government
    ("refusal of US forces", "mexico_government", "refuse_us_forces"),
    ("cooperation limited to information sharing", "mexico_government", "share_intelligence"),
    ("expulsions of traffickers outside extradition", "mexico_government", "expel_traffickers"),
    ("troops to the border", "mexico_government", "deploy_border_troops"),
    ("tariffs on Chinese goods", "mexico_government", "tariffs_chinese_goods"),
    ("seizures of drug labs", "mexico_government", "seize_drug_labs"),
    ("public rejection of intervention", "mexico_government", "reject_intervention_publicly"),
    ("internal split on tone (softer line)", "mexico_government", "conciliatory_tone"),
    ("formal curbs on cooperation", "mexico_government", "curb_security_cooperation"),
    ("proposal to deepen cooperation", "mexico_government", "propose_security_framework"),
    # governing coalition and public
    ("predecessor's harsher line (López Obrador)", "governing_coalition", "predecessor_denounces"),
    ("coalition pushes sovereignty law", "governing_coalition", "push_sovereignty_law"),
    ("nationalist backlash that damages cooperation", "mexican_public", "nationalist_backlash"),
    ("nationalism level", "mexican_public", "nationalism"),
    # cartels
    ("drones for drug drops", "cartels", "drone_drug_drops"),
    ("drone surveillance of US agents and shipments", "cartels", "surveil_us_agents"),
    ("fiber-optic control defeats jamming", "cartels", "fiber_optic_upgrade"),
    ("drone bomb against a government office (Tijuana)", "cartels", "drone_bomb_attack"),
    ("expanding cartel influence", "cartels", "expand_influence"),
    ("cartel drone capability", "cartels", "cartel_drone_capability"),
    # context
    ("Maduro capture as precedent", "nature", "venezuela_precedent"),
    ("precedent fades", "nature", "precedent_fades"),
    ("US midterm elections (assumption)", "nature", "us_midterms"),
]

REQUIRED_OUTCOMES = {
    "us_strike",
    "politician_arrest",
    "cooperation_curbed",
    "nationalist_backlash",
    "cartel_capability_up",
    "cooperation_deepened",
}
REQUIRED_VARIANTS = {
    "mexico_deepens_cooperation",
    "us_hard_line",
    "no_venezuela_precedent",
    "cartel_tech_leap",
    "coercion_works",
    "consented_joint_ops",
    "calendar_2026",
}


@pytest.fixture(scope="module")
def flagship():
    return load_scenario(FLAGSHIP)


@pytest.fixture(scope="module")
def claims() -> dict:
    merged: dict = {}
    for register in REGISTERS:
        merged.update(yaml.safe_load(register.read_text(encoding="utf-8"))["claims"])
    return merged


@pytest.mark.parametrize(("measure", "actor", "ref"), COVERAGE, ids=[row[0] for row in COVERAGE])
def test_measure_is_modelled(flagship, measure: str, actor: str, ref: str) -> None:
    assert actor in flagship.actors, f"actor `{actor}` missing (needed for: {measure})"
    options = flagship.actors[actor].options
    assert ref in options or ref in flagship.state, (
        f"{measure}: neither option `{actor}.{ref}` nor state variable `{ref}` exists"
    )


def test_every_parameter_has_evidence_or_is_an_assumption(flagship) -> None:
    bare = [name for name, p in flagship.parameters.items() if not p.evidence and not p.assumption]
    assert not bare, f"parameters with neither evidence nor assumption: true: {bare}"


def test_document_options_cite_evidence(flagship) -> None:
    covered = {(actor, ref) for _, actor, ref in COVERAGE if ref != "us_midterms"}
    missing = []
    for actor, ref in sorted(covered):
        option = flagship.actors[actor].options.get(ref)
        if option is not None and not option.evidence:
            missing.append(f"{actor}.{ref}")
    assert not missing, f"options drawn from the documents but citing no evidence: {missing}"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_shipped_scenario_is_valid_strictly(path: Path) -> None:
    """`geosim validate --strict`: every cited id exists and every number has provenance."""
    result = read_scenario(path).strict()
    assert result.ok, "\n".join(d.format() for d in result.diagnostics)
    assert result.evidence, f"{path.name}: no evidence register was read"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_shipped_scenario_audits_to_zero_unsourced(path: Path) -> None:
    result = CliRunner().invoke(app, ["audit", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert isinstance(report["unsourced"], int)
    assert report["unsourced"] == 0, [e for e in report["entries"] if e["source"] == "unsourced"]
    assert report["numbers"] > 0


KINDS = {"reported-fact", "official-statement", "analyst-assessment", "unnamed-source-report",
         "historical-analogue", "reference-forecast"}
EXTRA_FIELDS = {"historical-analogue": ("date", "shows"),
                "reference-forecast": ("forecaster", "date", "probability", "wording")}


def test_evidence_register_is_complete(claims: dict) -> None:
    source_ids = set()
    for register in REGISTERS:
        source_ids |= set(yaml.safe_load(register.read_text(encoding="utf-8")).get("sources", {}))
    sources = yaml.safe_load((ROOT / "seeds" / "sources.yaml").read_text(encoding="utf-8"))
    source_ids |= set(sources["sources"])
    assert len(claims) >= 30
    for claim_id, claim in claims.items():
        refs = claim["source"] if isinstance(claim["source"], list) else [claim["source"]]
        assert set(refs) <= source_ids, f"{claim_id}: unknown source {refs}"
        assert claim["kind"] in KINDS, f"{claim_id}: unknown kind {claim['kind']}"
        assert claim["actors"], f"{claim_id}: no actors"
        assert claim["text"].strip(), f"{claim_id}: empty text"
        for field in EXTRA_FIELDS.get(claim["kind"], ()):
            assert str(claim.get(field, "")).strip(), f"{claim_id}: {claim['kind']} needs {field}"
        if claim["kind"] == "reference-forecast":
            assert 0 <= float(claim["probability"]) <= 1, claim_id


def test_mis_cited_parameters_rest_on_analogues_or_assumptions(flagship) -> None:
    """Parameters whose size no January 2026 report supports cite an analogue or say so."""
    analogues = set(yaml.safe_load(REGISTERS[1].read_text(encoding="utf-8"))["claims"])
    for name in ("sustain_if_strike", "curb_if_arrest", "backlash_if_arrest"):
        assert set(flagship.parameters[name].evidence) & analogues, name
    assert flagship.parameters["deescalation_rate"].assumption


def test_required_outcomes_and_variants(flagship) -> None:
    assert set(flagship.outcomes) >= REQUIRED_OUTCOMES
    assert set(flagship.variants) >= REQUIRED_VARIANTS
    assert len(flagship.indicators) >= 6
    for outcome_id in REQUIRED_OUTCOMES:
        assert flagship.outcomes[outcome_id].resolution.strip(), f"{outcome_id}: no resolution"


def test_arrests_do_not_move_the_military_ladder(flagship) -> None:
    """Law-enforcement and military tracks are separate: only a raid (which counts as a
    strike by definition) moves the ladder after an arrest."""
    arrest = flagship.actors["us_executive"].options["arrest_mexican_politician"]
    ladder = flagship.ladder.variable
    for effect in arrest.effects:
        assert ladder not in (getattr(effect, "set_", None) or {})
        assert not hasattr(effect, "escalate")
    assert "arrests" not in [r.id for r in flagship.ladder.rungs]
    triggered = {e.trigger for e in arrest.effects if hasattr(e, "trigger")}
    assert "us_executive.arrest_raid" in triggered


@pytest.fixture(scope="module")
def variant_runs(tmp_path_factory: pytest.TempPathFactory):
    from simulator.runner.runner import run

    out = tmp_path_factory.mktemp("flagship-variants")
    return run(FLAGSHIP, variants=["baseline", "consented_joint_ops", "calendar_2026",
                                   "coercion_works"], runs=300, seed=5, executor="serial",
               out=out / "r")


def test_competing_hypothesis_variants_run_and_move_their_outcomes(variant_runs) -> None:
    """Structural checks, plus one statistical one: on common random numbers the USMCA
    review's security offer raises the chance of a deepening by about 17 points; the
    paired difference needs to exceed 3 standard errors (false-alarm rate ~0.1 %)."""
    import numpy as np

    p = {v: variant_runs.probability("us_forces_consented", v) for v in variant_runs.variants}
    assert p["baseline"] == 0
    assert p["calendar_2026"] == 0
    assert p["coercion_works"] == 0
    assert p["consented_joint_ops"] > 0
    frame = variant_runs.table(columns=["variant", "run", "outcome.cooperation_deepened"]
                               ).to_pandas().pivot(index="run", columns="variant",
                                                   values="outcome.cooperation_deepened")
    diff = (frame["calendar_2026"].astype(float) - frame["baseline"].astype(float)).to_numpy()
    assert diff.mean() > 3 * diff.std(ddof=1) / np.sqrt(len(diff))
