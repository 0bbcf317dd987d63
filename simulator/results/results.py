"""``Results``: a complete results directory, loaded for analysis, reports and notebooks.

Loading verifies the directory before anything reads it: every data file has the size
and SHA-256 the manifest recorded, the runs table holds every run and matches the
manifest's digests, and the summary covers every variant with as many runs. A mismatch
is a :class:`ResultsError` naming the file.
"""

from __future__ import annotations

import html
import json
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow.parquet as pq

from simulator.errors import ResultsError
from simulator.results.contract import (
    HeadlineRow,
    Manifest,
    Summary,
    check_schema_version,
)
from simulator.results.integrity import verify_digests, verify_files
from simulator.results.ownership import FORMAT, read_marker

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from simulator.scenario.schema import Scenario

REQUIRED = ("manifest.json", "summary.json", "runs.parquet", "timeline.npz", "traces.json")


class Results:
    """A results directory written by :func:`simulator.run` (read-only)."""

    def __init__(self, path: str | Path) -> None:
        self._load(Path(path), verify=True)

    @classmethod
    def written(cls, path: str | Path) -> Results:
        """The results :func:`simulator.run` has just written: loaded like ``Results(path)``
        except that runs.parquet is not hashed and read again — the writer took its
        SHA-256 and run digests as it wrote it, and any later ``Results(path)`` checks
        them."""
        self = cls.__new__(cls)
        self._load(Path(path), verify=False)
        return self

    def _json(self, name: str) -> Any:
        """One of the directory's JSON files, or an error naming it (damaged, unreadable)."""
        try:
            return json.loads((self.path / name).read_text())
        except (OSError, ValueError) as exc:
            raise ResultsError(f"cannot read {self.path / name}: {exc}; the results are "
                               "damaged (run the command again with --force to recompute "
                               "them)") from exc

    def _load(self, path: Path, *, verify: bool) -> None:
        self.path = path
        if not self.path.is_dir():
            state = "it is not a folder" if self.path.exists() else "it does not exist"
            raise ResultsError(f"{self.path} is not a results directory ({state})")
        read_marker(self.path)  # a marker of another format version is refused
        if not (self.path / "manifest.json").exists():
            hint = (" — it holds a partial run; run the same command again to resume it"
                    if (self.path / "run.json").exists() else "")
            raise ResultsError(f"{self.path} has no manifest.json, so it is not a complete "
                               f"results directory{hint}")
        for name in REQUIRED:
            if not (self.path / name).exists():
                raise ResultsError(f"{self.path} is missing {name}; the results are incomplete")
        self.manifest: Manifest = self._json("manifest.json")
        self.summary: Summary = self._json("summary.json")
        check_schema_version(self.manifest, f"{self.path}/manifest.json")
        check_schema_version(self.summary, f"{self.path}/summary.json")
        self._check_structure()
        if verify:
            verify_files(self.path, self.manifest.get("files"))
            verify_digests(self.path, self.manifest)
        self._check_summary()

    def _check_structure(self) -> None:
        """Refuse damaged or foreign files up front, with a message, not a KeyError later."""
        m, s = self.manifest, self.summary
        needed = ("tool", "scenario", "scenario_id", "scenario_title", "variants", "runs",
                  "seed", "digest")
        missing = [k for k in needed if not isinstance(m, dict) or k not in m]
        if missing or m.get("tool") != "geosim":
            raise ResultsError(f"{self.path}/manifest.json is damaged or not geosim's "
                               f"(missing {', '.join(missing) or 'the tool name'}); "
                               "run the simulation again")
        if m.get("format") != FORMAT:
            raise ResultsError(f"{self.path} holds results in format {m.get('format', 1)!r}; "
                               f"this geosim reads format {FORMAT} — run the simulation "
                               "again into a new --out")
        if not isinstance(m["variants"], list) or not isinstance(m["runs"], int):
            raise ResultsError(f"{self.path}/manifest.json is damaged (variants or runs); "
                               "run the simulation again")
        variants = s.get("variants") if isinstance(s, dict) else None
        absent = [v for v in m["variants"] if not isinstance(variants, dict) or v not in variants]
        if absent or "headline" not in s:
            raise ResultsError(f"{self.path}/summary.json is damaged (no summary for "
                               f"{', '.join(absent) or 'the headline'}); run the simulation "
                               "again")

    def _check_summary(self) -> None:
        """The summary describes exactly these runs (its file hash is checked too)."""
        for variant in self.manifest["variants"]:
            entry = self.summary["variants"][variant]
            if not isinstance(entry, dict) or entry.get("runs") != self.manifest["runs"]:
                raise ResultsError(f"{self.path}/summary.json does not match runs.parquet "
                                   f"(variant `{variant}`); run the simulation again")

    # ------------------------------------------------------------------ identity

    @property
    def variants(self) -> list[str]:
        return list(self.manifest["variants"])

    @property
    def runs(self) -> int:
        return int(self.manifest["runs"])

    @property
    def seed(self) -> int:
        return int(self.manifest["seed"])

    @property
    def digest(self) -> str:
        """SHA-256 over every run's record, in variant and run order."""
        return str(self.manifest["digest"])

    @cached_property
    def scenario(self) -> Scenario:
        """The scenario exactly as it was run (stored in the manifest)."""
        import pydantic

        from simulator.scenario.schema import Scenario

        try:
            return Scenario.model_validate(self.manifest["scenario"])
        except pydantic.ValidationError as exc:
            raise ResultsError(f"{self.path}/manifest.json holds a scenario this version of "
                               f"geosim cannot read ({exc.error_count()} problems); run the "
                               "simulation again") from exc

    # ------------------------------------------------------------------ data

    def probability(self, outcome: str, variant: str = "baseline") -> float:
        return float(self.summary["variants"][variant]["outcomes"][outcome]["probability"])

    def table(self, columns: list[str] | None = None) -> pa.Table:
        """The per-run table as Arrow (one row per variant and run)."""
        import pyarrow as pa

        try:
            return pq.read_table(self.path / "runs.parquet", columns=columns)
        except (OSError, pa.ArrowException) as exc:
            raise ResultsError(f"cannot read {self.path}/runs.parquet: {exc}") from exc

    def to_pandas(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The per-run table as a pandas DataFrame."""
        return self.table(columns).to_pandas()

    @cached_property
    def timeline(self) -> dict[str, np.ndarray]:
        """Grid (days), histogram bin edges and per-variant state histograms."""
        path = self.path / "timeline.npz"
        try:
            with np.load(path, allow_pickle=False) as data:
                return {k: data[k] for k in data.files}
        except (OSError, ValueError, EOFError) as exc:
            raise ResultsError(f"{path} is damaged or unreadable ({type(exc).__name__}: "
                               f"{str(exc)[:200]}); run the simulation again") from exc

    @cached_property
    def traces(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """Full event traces of the sampled runs: variant → run index → events."""
        path = self.path / "traces.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ResultsError(f"{path} is damaged or unreadable ({exc}); run the simulation "
                               "again") from exc
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise ResultsError(f"{path} is damaged (not a mapping of variants to traces); "
                               "run the simulation again")
        traces: dict[str, dict[str, list[dict[str, Any]]]] = data
        return traces

    # ------------------------------------------------------------------ display

    def headline_rows(self) -> list[HeadlineRow]:
        return list(self.summary["headline"])

    def __repr__(self) -> str:
        m = self.manifest
        head = (f"Results({str(self.path)!r}: {m['scenario_id']}, {m['runs']:,} runs × "
                f"{len(self.variants)} variant(s), seed {m['seed']})")
        lines = [head]
        rows = self.headline_rows()
        vw = max((len(r["variant"]) for r in rows), default=0)
        ow = max((len(r["outcome"]) for r in rows), default=0)
        for row in rows:
            lo, hi = row["ci95"]
            lines.append(f"  {row['variant']:<{vw}}  {row['outcome']:<{ow}} "
                         f"{row['probability']:6.1%}  [{lo:.1%}, {hi:.1%}]  {row['words']}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        m = self.manifest
        esc = html.escape
        rows = "".join(
            f"<tr><td>{esc(r['variant'])}</td><td>{esc(r['label'] or r['outcome'])}</td>"
            f"<td style='text-align:right'>{r['probability']:.1%}</td>"
            f"<td>{r['ci95'][0]:.1%} – {r['ci95'][1]:.1%}</td><td>{esc(r['words'])}</td></tr>"
            for r in self.headline_rows())
        return (f"<div><strong>{esc(m['scenario_title'])}</strong> — {m['runs']:,} runs, "
                f"seed {m['seed']}<table><thead><tr><th>variant</th><th>outcome</th>"
                f"<th>probability</th><th>95% interval</th><th>ICD 203</th></tr></thead>"
                f"<tbody>{rows}</tbody></table></div>")
