"""Stories from the sampled traces."""

from __future__ import annotations

import re

from simulator.analysis.stories import stories
from simulator.results.results import Results


def test_story_lines_have_days_dates_labels_and_evidence(signposts_results: Results) -> None:
    out = stories(signposts_results, per_outcome=2)
    assert set(out) == {"boom", "nothing"}
    boom = out["boom"]
    assert len(boom) == 2
    assert all(s["note"] == "" for s in boom)
    story = boom[0]
    assert story["run"] % 100 == 0
    texts = [e["text"] for e in story["events"]]
    assert any(re.fullmatch(r"Day \d+ \(\d{1,2} \w{3} 2026\) — Spark maker: lights the fuse "
                            r"\[fuse-claim\]\.", t) for t in texts)
    blow = next(e for e in story["events"] if "blows up" in e["text"])
    assert blow["evidence"] == ["boom-claim", "second-claim"]
    assert "(in response to: lights the fuse)" in blow["text"]
    reached = next(e for e in story["events"] if e["kind"] == "outcome")
    assert reached["text"].endswith("Outcome reached: Explosion.")
    assert reached["day"] == story["reached_day"]
    # the spark lights exactly 20 days before the explosion
    spark = next(e for e in story["events"] if "lights the fuse" in e["text"])
    assert abs(reached["t"] - spark["t"] - 20) < 1e-6


def test_first_day_date(signposts_results: Results) -> None:
    story = stories(signposts_results)["boom"][0]
    coin = [e for e in story["events"] if "tosses" in e["text"]]
    assert coin
    assert coin[0]["text"].startswith("Day 1 (6 Jan 2026) — Coin: tosses")


def test_outcome_without_traced_run_says_so(signposts_results: Results) -> None:
    (entry,) = stories(signposts_results)["nothing"]
    assert entry["run"] is None
    assert entry["events"] == []
    assert "None of the 20 traced runs" in entry["note"]
