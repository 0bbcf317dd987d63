"""``Results``: a complete results directory, loaded for analysis, reports and notebooks."""

from __future__ import annotations

import html
import json
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow.parquet as pq

from simulator.errors import ResultsError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from simulator.model.model import Model
    from simulator.scenario.schema import Scenario

REQUIRED = ("manifest.json", "summary.json", "runs.parquet", "timeline.npz", "traces.json")


class Results:
    """A results directory written by :func:`simulator.run` (read-only)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise ResultsError(f"{self.path} is not a results directory (it does not exist)")
        if not (self.path / "manifest.json").exists():
            hint = (" — it holds a partial run; run the same command again to resume it"
                    if (self.path / "run.json").exists() else "")
            raise ResultsError(f"{self.path} has no manifest.json, so it is not a complete "
                               f"results directory{hint}")
        for name in REQUIRED:
            if not (self.path / name).exists():
                raise ResultsError(f"{self.path} is missing {name}; the results are incomplete")
        try:
            self.manifest: dict[str, Any] = json.loads((self.path / "manifest.json").read_text())
            self.summary: dict[str, Any] = json.loads((self.path / "summary.json").read_text())
        except (OSError, ValueError) as exc:
            raise ResultsError(f"cannot read {self.path}: {exc}") from exc
        self._check_structure()

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
        variants = s.get("variants") if isinstance(s, dict) else None
        absent = [v for v in m["variants"] if not isinstance(variants, dict) or v not in variants]
        if absent or "headline" not in s:
            raise ResultsError(f"{self.path}/summary.json is damaged (no summary for "
                               f"{', '.join(absent) or 'the headline'}); run the simulation "
                               "again")

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

    def model(self, variant: str = "baseline") -> Model:
        from simulator.model.compile import compile_model

        return compile_model(self.scenario, variant)

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
        with np.load(self.path / "timeline.npz") as data:
            return {k: data[k] for k in data.files}

    @cached_property
    def traces(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """Full event traces of the sampled runs: variant → run index → events."""
        data: dict[str, dict[str, list[dict[str, Any]]]] = json.loads(
            (self.path / "traces.json").read_text())
        return data

    # ------------------------------------------------------------------ display

    def headline_rows(self) -> list[dict[str, Any]]:
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
