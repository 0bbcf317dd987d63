"""The results contract: the typed manifest and summary match what geosim writes, what
docs/architecture.md documents, and older or newer directories are handled plainly."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

import pytest

import simulator
import simulator.analysis
from simulator.analysis import rows
from simulator.results.contract import (
    SCHEMA_VERSION,
    FileRecord,
    HeadlineRow,
    IndicatorSummary,
    Manifest,
    OutcomeSummary,
    RungSummary,
    ScenarioHeader,
    Summary,
    TimeToEvent,
    VariantSummary,
)
from simulator.results.integrity import file_record

ROOT = Path(__file__).resolve().parents[2]
SUMMARY_TYPES = (Summary, ScenarioHeader, VariantSummary, OutcomeSummary, IndicatorSummary,
                 RungSummary, TimeToEvent, HeadlineRow)


def _keys(*types: type) -> set[str]:
    return {k for t in types for k in typing.get_type_hints(t)}


def _doc_row(file: str) -> str:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    (row,) = [line for line in text.splitlines() if line.startswith(f"| `{file}` |")]
    return row


def test_the_documented_manifest_keys_are_the_typed_ones() -> None:
    row = _doc_row("manifest.json")
    documented = {t for t in re.findall(r"`([^`]+)`", row) if re.fullmatch(r"[a-z0-9_]+", t)}
    documented -= {"geosim"}  # the value of `tool`
    assert documented == _keys(Manifest)
    assert set(re.findall(r'"([a-z0-9_]+)"', row)) == _keys(FileRecord)


def test_the_documented_summary_keys_are_the_typed_ones() -> None:
    documented = set(re.findall(r'"([a-z0-9_]+)"', _doc_row("summary.json")))
    assert documented == _keys(*SUMMARY_TYPES)


def _analysis_rows_documented() -> dict[str, set[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Analysis rows", 1)[1].split("\n## ", 1)[0]
    out = {}
    for line in section.splitlines():
        cells = line.split(" | ")
        if len(cells) == 3 and re.fullmatch(r"\| `[A-Za-z]+`", cells[0]):
            out[cells[0].strip("|` ")] = set(re.findall(r"`([a-z0-9_]+)`", cells[2]))
    return out


def test_the_documented_analysis_rows_are_the_typed_ones() -> None:
    documented = _analysis_rows_documented()
    public = {n for n in simulator.analysis.__all__ if n[0].isupper()}
    assert set(documented) == public
    for name, keys in documented.items():
        assert keys == _keys(getattr(rows, name)), name


def _typed_keys_agree(value: dict[str, typing.Any], td: type) -> None:
    hints = typing.get_type_hints(td)
    required = td.__required_keys__  # type: ignore[attr-defined]
    assert required <= set(value) <= set(hints), (td.__name__, sorted(value))


def test_written_files_have_the_typed_keys(mini_path: Path, tmp_path: Path) -> None:
    results = simulator.run(mini_path, variants="all", runs=50, seed=1, executor="serial",
                            out=tmp_path / "r")
    manifest, summary = results.manifest, results.summary
    assert manifest["schema_version"] == summary["schema_version"] == SCHEMA_VERSION
    _typed_keys_agree(dict(manifest), Manifest)
    _typed_keys_agree(dict(summary), Summary)
    _typed_keys_agree(dict(summary["scenario"]), ScenarioHeader)
    for entry in summary["variants"].values():
        _typed_keys_agree(dict(entry), VariantSummary)
        for o in entry["outcomes"].values():
            _typed_keys_agree(dict(o), OutcomeSummary)
        for i in entry["indicators"].values():
            _typed_keys_agree(dict(i), IndicatorSummary)
        for r in entry["rungs"].values():
            _typed_keys_agree(dict(r), RungSummary)
    for row in summary["headline"]:
        _typed_keys_agree(dict(row), HeadlineRow)


def _rewrite(out: Path, edit: typing.Callable[[dict[str, typing.Any]], None]) -> None:
    """Edit summary.json and manifest.json as another geosim would have written them."""
    summary = json.loads((out / "summary.json").read_text())
    edit(summary)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    manifest = json.loads((out / "manifest.json").read_text())
    edit(manifest)
    manifest["files"]["summary.json"] = file_record(out / "summary.json")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))


def test_a_directory_without_schema_version_still_reads(mini_path: Path,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "old"
    written = simulator.run(mini_path, runs=50, seed=2, executor="serial", out=out)
    _rewrite(out, lambda payload: payload.pop("schema_version"))
    old = simulator.Results(out)
    assert "schema_version" not in old.manifest
    assert old.headline_rows() == written.headline_rows()


def test_a_newer_schema_version_is_refused_and_kept(mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "new"
    simulator.run(mini_path, runs=50, seed=2, executor="serial", out=out)
    _rewrite(out, lambda payload: payload.update(schema_version=SCHEMA_VERSION + 1))
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    with pytest.raises(simulator.ResultsError, match="newer geosim"):
        simulator.Results(out)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
