"""What the analysis functions return has exactly the keys and value types of their rows
in ``simulator/analysis/rows.py`` (checked recursively, on the mini scenario)."""

from __future__ import annotations

import types
import typing
import warnings
from pathlib import Path
from typing import Any

import pytest

import simulator
from simulator import analysis
from simulator.results.results import Results


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__")


def _check(value: Any, tp: Any, where: str) -> None:
    """Fail when ``value`` does not match the type hint ``tp``."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if _is_typeddict(tp):
        assert isinstance(value, dict), where
        hints = typing.get_type_hints(tp)
        assert tp.__required_keys__ <= set(value) <= set(hints), (where, sorted(value))
        for key, item in value.items():
            _check(item, hints[key], f"{where}.{key}")
    elif origin in (typing.Union, types.UnionType):
        if value is None:
            assert type(None) in args, where
        else:
            _check(value, next(a for a in args if a is not type(None)), where)
    elif origin is list:
        assert isinstance(value, list), where
        for i, item in enumerate(value):
            _check(item, args[0], f"{where}[{i}]")
    elif origin is dict:
        assert isinstance(value, dict), where
        for key, item in value.items():
            _check(key, args[0], f"{where} key")
            _check(item, args[1], f"{where}[{key!r}]")
    elif tp is float:
        assert isinstance(value, float | int), (where, value)
        assert not isinstance(value, bool), (where, value)
    elif tp is int:
        assert isinstance(value, int), (where, value)
        assert not isinstance(value, bool), (where, value)
    else:
        assert isinstance(value, tp), (where, value)


@pytest.fixture(scope="module")
def mini_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    mini = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"
    return simulator.run(mini, variants="all", runs=3_000, seed=0, executor="serial",
                         out=tmp_path_factory.mktemp("rows") / "r")


def test_compare_given_data_signposts_discover(mini_results: Results) -> None:
    _check(analysis.compare_variants(mini_results), list[analysis.CompareRow], "compare")
    _check(analysis.global_indices(mini_results), dict[str, list[analysis.GivenDataRow]],
           "given-data")
    signposts = analysis.signposts(mini_results)
    assert signposts
    _check(signposts, list[analysis.SignpostRow], "signposts")
    boxes = [b for o in ("us_strike", "collapse")
             for b in analysis.discover(mini_results, o, min_coverage=0.05)]
    assert boxes
    assert boxes[0]["conditions"]  # the check below looks inside a box
    _check(boxes, list[analysis.DiscoveryBox], "discover")


def test_paths_stories_explain(mini_results: Results) -> None:
    paths = analysis.escalation_paths(mini_results)
    assert paths["step_transitions"]
    assert paths["divergence"]
    _check(paths, analysis.EscalationPaths, "paths")
    _check(analysis.stories(mini_results), dict[str, list[analysis.Story]], "stories")
    run = int(next(iter(mini_results.traces["baseline"])))
    explanation = analysis.explain(mini_results, "baseline", run)
    _check(explanation, analysis.Explanation, "explain")


def test_confidence(mini_results: Results) -> None:
    from simulator.analysis.confidence import confidence
    from simulator.analysis.rows import OutcomeConfidence

    _check(confidence(mini_results), dict[str, OutcomeConfidence], "confidence")


def test_tornado_and_sobol(mini_path: Path) -> None:
    _check(analysis.tornado(mini_path, runs=20, executor="serial", engine="simpy"),
           list[analysis.TornadoRow], "tornado")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 2 samples: every interval is wide
        rows = analysis.sobol_indices(mini_path, outcome="us_strike", n=2, runs_per_point=5,
                                      executor="serial", engine="simpy")
    _check(rows, list[analysis.SobolRow], "sobol")
