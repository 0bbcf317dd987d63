"""The tutorial's outcomes mean what their labels say, run by run.

`us_strike` is "an overt US strike on Mexican soil": it must be reached in exactly the
runs where `unilateral_strike` fired — not in runs where threats alone pushed the
ladder onto the strike rung. `cooperation_suspended` must be reached exactly when
Mexico suspended cooperation. These are checked on every run of a fixed-seed sample
(exact equalities, so there is no false-alarm rate to state). The README's miniature
scenario is held to the same standard.
"""

from __future__ import annotations

import re
from pathlib import Path

import simulator

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "scenarios" / "tutorial_minimal.yaml"


def _fired(df: object, ref: str) -> object:
    return df[f"count.{ref}"] > 0  # type: ignore[index]


def test_tutorial_outcomes_match_the_events_they_name() -> None:
    df = simulator.run(TUTORIAL, runs=600, seed=7, workers=1).to_pandas()
    strike = df["outcome.us_strike"].astype(bool)
    suspended = df["outcome.cooperation_suspended"].astype(bool)
    fired_strike = _fired(df, "us_executive.unilateral_strike")
    assert strike.sum() > 0  # the sample holds strikes, so the check below bites
    assert (strike == fired_strike).all(), df.loc[strike != fired_strike, "rung_path"].head()
    assert (suspended == _fired(df, "mexico_government.suspend_cooperation")).all()
    # threats still happen: the fix limited them, it did not remove them
    assert _fired(df, "us_executive.threaten").sum() > 0


def test_readme_miniature_strike_outcome_means_a_strike(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"A scenario in miniature.*?```yaml\n(.*?)```", readme, re.S)
    assert match, "the README has no miniature scenario"
    path = tmp_path / "mini.yaml"
    # the miniature cites an evidence id; give it a register so it validates as written
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "evidence.yaml").write_text(
        "claims:\n  fear-unilateral-ops: {text: stand-in claim for the test}\n")
    path.write_text(match.group(1))
    df = simulator.run(path, runs=600, seed=7, workers=1).to_pandas()
    strike = df["outcome.us_strike"].astype(bool)
    assert strike.sum() > 0
    assert (strike == _fired(df, "us_executive.unilateral_strike")).all()
