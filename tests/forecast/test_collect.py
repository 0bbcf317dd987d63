"""Pairing forecasts with resolution files; every pairing problem is located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.errors import ScenarioError
from simulator.forecast.collect import load_records, pair, scan_folder
from tests.forecast.conftest import REPO, make_record

RES = "resolved_on: 2026-02-01\nambiguous: exclude\noutcomes: {{{name}: {{status: \"no\"}}}}\n"


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, dict, dict]:
    a, b = make_record({"x": 0.2}), make_record({"y": 0.7})
    for record in (a, b):
        (tmp_path / f"{record['id']}.forecast.json").write_text(json.dumps(record))
    return tmp_path, a, b


def _errors(folder: Path, resolutions: dict[str, str], *, require_all: bool) -> list[str]:
    for name, text in resolutions.items():
        (folder / name).write_text(text)
    records, found = scan_folder(folder)
    try:
        pair(load_records(records), found, require_all=require_all)
    except ScenarioError as exc:
        return [d.format() for d in exc.diagnostics]
    return []


def test_two_forecasts_pair_by_id(folder: tuple[Path, dict, dict]) -> None:
    path, a, b = folder
    (path / "ra.yaml").write_text(f"forecast: {a['id']}\n" + RES.format(name="x"))
    (path / "rb.yaml").write_text(f"forecast: {b['id']}\n" + RES.format(name="y"))
    records, found = scan_folder(path)
    pairs = pair(load_records(records), found, require_all=True)
    assert {p.record["id"]: p.resolution.path.endswith("ra.yaml") for p in pairs
            if p.resolution} == {a["id"]: True, b["id"]: False}


def test_pairing_problems_are_all_reported(folder: tuple[Path, dict, dict]) -> None:
    path, a, _ = folder
    errors = _errors(path, {
        "no_id.yaml": RES.format(name="x"),
        "unknown.yaml": "forecast: nope-123\n" + RES.format(name="x"),
        "first.yaml": f"forecast: {a['id']}\n" + RES.format(name="x"),
        "second.yaml": f"forecast: {a['id']}\n" + RES.format(name="x"),
    }, require_all=True)
    text = "\n".join(errors)
    assert "no_id.yaml:1:1: error: this file does not say which forecast it resolves" in text
    assert "unknown.yaml:1:11: error at `forecast`: no forecast `nope-123` was given" in text
    assert "is resolved twice" in text
    assert "has no resolution file" in text  # b has none and score needs every one
    assert len(errors) == 4


def test_track_record_keeps_unresolved_forecasts(folder: tuple[Path, dict, dict]) -> None:
    path, a, _ = folder
    assert _errors(path, {"ra.yaml": f"forecast: {a['id']}\n" + RES.format(name="x")},
                   require_all=False) == []


def test_scenario_files_in_the_folder_are_not_resolutions(
        folder: tuple[Path, dict, dict]) -> None:
    path, _, _ = folder
    (path / "scenario.yaml").write_text((REPO / "scenarios" / "tutorial_minimal.yaml")
                                        .read_text())
    records, found = scan_folder(path)
    assert len(records) == 2
    assert found == []
