"""The bottom line: key outcomes first, sentences that state the numbers in words, whole
percents, and the spread across the uncertain inputs computed from the runs."""

from __future__ import annotations

import re

import pytest

import simulator
from simulator.report.bottom_line import key_outcomes, ordered_outcomes, sentences
from simulator.report.builder import render
from simulator.report.context import Context
from simulator.report.html import pct
from simulator.report.uncertainty import spreads
from simulator.results.results import Results
from tests.report.conftest import MINI

#: the mini scenario with its second outcome marked key
KEYED = MINI.replace("label: Collapse of cooperation}",
                     "label: Collapse of cooperation, key: true}")


@pytest.fixture(scope="module")
def keyed_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    folder = tmp_path_factory.mktemp("keyed")
    (folder / "keyed.yaml").write_text(KEYED)
    return simulator.run(folder / "keyed.yaml", variants="all", runs=600,
                         out=folder / "results", executor="serial", seed=11)


def test_pct_is_whole_by_default() -> None:
    assert pct(0.0832) == "8%"
    assert pct(0.0832, 1) == "8.3%"
    assert pct(0.003) == "<1%"
    assert pct(0.997) == ">99%"
    assert pct(0.0) == "0%"
    assert pct(1.0) == "100%"


def test_first_outcome_is_key_when_none_is_marked(mini_results: Results) -> None:
    ctx = Context([mini_results])
    view = ctx.views[0]
    assert ordered_outcomes(view) == ["us_strike", "collapse"]  # the file's order
    assert key_outcomes(view) == ["us_strike"]


def test_marked_outcome_leads(keyed_results: Results) -> None:
    ctx = Context([keyed_results])
    view = ctx.views[0]
    assert key_outcomes(view) == ["collapse"]
    assert ordered_outcomes(view) == ["collapse", "us_strike"]
    text = render([keyed_results])
    baseline = text[text.index('data-view="v0"'):]
    assert baseline.index("Collapse of cooperation") < baseline.index("US strike")
    assert '<div class="kpi key"><div class="kpi-label">Collapse of cooperation' in text


def test_sentences_state_the_numbers_in_words(mini_results: Results) -> None:
    ctx = Context([mini_results])
    for view in ctx.views:
        said = sentences(ctx, view)
        assert 2 <= len(said) <= 4
        key = view.summary["outcomes"]["us_strike"]
        first = said[0]
        assert first.startswith("Under the baseline" if view.variant == "baseline"
                                else f"Under “{view.label}”")
        assert key["words"] in first
        assert f"about {pct(key['probability'])}" in first
        assert "within 1 year" in first
        assert not re.search(r"\d\.\d%", " ".join(said))  # whole percents only
    # the baseline names the variant that moves the key outcome, or says none does
    comparison = sentences(ctx, ctx.views[0])[1]
    assert "Dovish White House" in comparison or "beyond simulation noise" in comparison


def test_spread_finds_the_input_that_drives_an_outcome(mini_results: Results) -> None:
    """In the mini scenario a collapse needs a strike and then a backlash, so the strike
    rate must come out as a driver of the collapse, raising it from its low to its high
    end. Deterministic: the runs come from a fixed seed."""
    ctx = Context([mini_results])
    view = ctx.views[0]
    found = spreads(view.source, view)
    collapse = found["collapse"]
    assert 0 <= collapse.p10 <= collapse.probability <= collapse.p90 <= 1
    assert 0 < collapse.explained < 1
    by_name = {s.parameter: s for s in collapse.swings}
    assert set(by_name) == {"strike_rate", "backlash"}
    assert by_name["strike_rate"].p_high > by_name["strike_rate"].p_low
    assert by_name["strike_rate"].clear
    assert collapse.swings[0].size >= collapse.swings[1].size


def test_what_would_change_our_mind(mini_results: Results) -> None:
    text = render([mini_results])
    section = re.search(r'<section class="card" id="drivers">(.*?)</section>', text, re.S)
    assert section is not None
    body = section.group(1)
    # per variant and outcome: one row per uncertain input, and the share explained
    assert len(re.findall(r'<div class="swing(?: unclear)?">', body)) == 2 * 2 * 2
    assert body.count("of the run-to-run variation") == 2 * 2
    signposts = re.search(r'<section class="card" id="signposts">(.*?)</section>', text, re.S)
    assert signposts is not None
    for ratio in re.findall(r"likelihood ratio ×(\d+\.\d)", signposts.group(1)):
        assert float(ratio) > 1.2  # weaker signposts are left out


def test_too_few_runs_give_no_spread(bare_results: Results) -> None:
    ctx = Context([bare_results])
    view = ctx.views[0]
    assert spreads(view.source, view) == {}  # 300 runs and no uncertain parameter
    assert render([bare_results]).count('class="kpi-range"') == 0
