"""What every section needs: the results, their views (results × variant), compiled
models, evidence claims, figure registration and cached per-run columns.

A *view* is one variant of one results directory. Views get generated keys (``v0``,
``v1``, …) and results get ``r0``, ``r1``, …: these keys — never user text — are what
the page's attributes and the variant selector use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.model.compile import compile_model
from simulator.model.model import Model
from simulator.report.html import esc
from simulator.results.results import Results

log = logging.getLogger(__name__)

#: Okabe–Ito: distinguishable with the common colour-vision deficiencies.
#: After its eight, three more from Paul Tol's palettes (wine, indigo, teal), so that a
#: scenario with up to eleven variants never gives two variants the same colour.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999933",
           "#000000", "#882255", "#332288", "#44AA99")


class CachedResults(Results):
    """A :class:`Results` whose ``table()`` reads each column of runs.parquet at most once.

    The report calls several analyses per variant and outcome; each asks for the runs
    table, so without the cache the same columns would be read from disk many times.
    """

    def __init__(self, base: Results) -> None:  # no super().__init__: adopt base's state
        self.__dict__.update(base.__dict__)
        self._column_cache: dict[str, pa.ChunkedArray] = {}
        self.column_names: list[str] = pq.read_schema(self.path / "runs.parquet").names

    def table(self, columns: list[str] | None = None) -> pa.Table:
        names = self.column_names if columns is None else list(columns)
        missing = [n for n in dict.fromkeys(names) if n not in self._column_cache]
        if missing:
            read = super().table(missing)
            for n in missing:
                self._column_cache[n] = read.column(n)
        return pa.Table.from_arrays([self._column_cache[n] for n in names], names=names)


@dataclass
class View:
    key: str
    source: Source
    variant: str
    label: str  # plain text (escape before use)
    color: str
    model: Model

    @property
    def summary(self) -> dict[str, Any]:
        entry: dict[str, Any] = cast("dict[str, Any]",
                                     self.source.results.summary["variants"][self.variant])
        return entry


@dataclass
class Source:
    key: str
    index: int
    results: CachedResults
    title: str
    views: list[View] = field(default_factory=list)
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: source documents by id (headline, outlet, published), for the claims' citations
    evidence_sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    evidence_note: str = ""

    @property
    def baseline(self) -> View:
        for view in self.views:
            if view.variant == "baseline":
                return view
        return self.views[0]

    def columns(self, names: list[str]) -> pa.Table:
        """Those of ``names`` that runs.parquet has (each column read once, then cached)."""
        known = set(self.results.column_names)
        return self.results.table([n for n in names if n in known])

    def variant_mask(self, variant: str) -> np.ndarray:
        col = self.columns(["variant"]).column("variant")
        return np.asarray(col.to_numpy(zero_copy_only=False) == variant)


class Context:
    """Everything the sections share while one report is built."""

    def __init__(self, results: list[Results]) -> None:
        self.sources: list[Source] = []
        self.views: list[View] = []
        self.figures: list[tuple[str, dict[str, Any]]] = []
        self.memo: dict[tuple[str, str], Any] = {}  # results shared by several sections
        multi = len(results) > 1
        for i, plain in enumerate(results):
            res = CachedResults(plain)
            source = Source(key=f"r{i}", index=i, results=res,
                            title=str(res.manifest.get("scenario_title") or res.scenario.title))
            self.sources.append(source)
            _load_evidence(source)
            for variant in res.variants:
                model = compile_model(res.scenario, variant)
                spec = res.scenario.variants.get(variant)
                label = (spec.label if spec is not None and spec.label else variant)
                if multi:
                    label = f"{source.title} · {label}"
                view = View(key=f"v{len(self.views)}", source=source, variant=variant,
                            label=label, color=PALETTE[len(self.views) % len(PALETTE)],
                            model=model)
                source.views.append(view)
                self.views.append(view)
        self._evidence_anchor: dict[tuple[int, str], str] = {}
        for source in self.sources:
            for claim in sorted(source.evidence):
                self._evidence_anchor[(source.index, claim)] = (
                    f"ev-{source.index}-{len(self._evidence_anchor)}")

    @property
    def multi(self) -> bool:
        return len(self.sources) > 1

    def add_figure(self, figure_json: dict[str, Any], *, cls: str = "") -> str:
        """Register a figure (Plotly JSON dict) and return its placeholder div."""
        fid = f"fig-{len(self.figures)}"
        self.figures.append((fid, figure_json))
        klass = "plot" + (f" {cls}" if cls else "")
        # the placeholder has the figure's height from the start: nothing moves when the
        # figure is drawn, and no later redraw can change it
        height = int(figure_json.get("layout", {}).get("height") or 360)
        return (f'<div class="{klass}" id="{fid}" role="img" '
                f'style="height:{height}px"></div>')

    def evidence_link(self, source: Source, claim: str) -> str:
        """An in-page link to a claim of the register (or the bare id if unknown)."""
        anchor = self._evidence_anchor.get((source.index, claim))
        if anchor is None:
            return f'<span class="ev ev-missing" title="not in the register">{esc(claim)}</span>'
        return f'<a class="ev" href="#{anchor}">{esc(claim)}</a>'

    def evidence_anchor(self, source: Source, claim: str) -> str | None:
        return self._evidence_anchor.get((source.index, claim))


def _load_evidence(source: Source) -> None:
    from simulator.errors import GeosimError
    from simulator.scenario.load import find_evidence_registers, load_evidence

    manifest = source.results.manifest
    scenario_file = manifest.get("scenario_file")
    if not scenario_file:
        source.evidence_note = "The scenario file is not recorded; claim texts are unavailable."
        return
    try:
        registers = [r for r in find_evidence_registers(Path(scenario_file),
                                                        source.results.scenario)
                     if r.is_file()]
    except OSError:
        registers = []
    if not registers:
        source.evidence_note = ("No evidence register was found next to the scenario file; "
                                "cited claim ids are listed without their text.")
        return
    try:
        for register in registers:
            source.evidence.update(load_evidence(register))
    except (GeosimError, OSError) as exc:
        log.warning("cannot read evidence register %s: %s", register, exc)
        source.evidence_note = "The evidence register could not be read."
    for register in registers:
        source.evidence_sources.update(_load_sources(register))


SOURCES_FILE = "sources.yaml"  # the source documents, next to the evidence registers


def _load_sources(register: Path) -> dict[str, dict[str, Any]]:
    """Source documents by id: the register's own ``sources:`` mapping, and those of
    ``sources.yaml`` beside it. Only headlines, outlets and dates are shown from them, so
    a file that cannot be read is skipped (the claims then cite bare ids)."""
    import yaml

    found: dict[str, dict[str, Any]] = {}
    for path in (register.parent / SOURCES_FILE, register):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            if path.exists():
                log.warning("cannot read the sources in %s: %s", path, exc)
            continue
        entries = data.get("sources") if isinstance(data, dict) else None
        if isinstance(entries, dict):
            found.update({str(k): v for k, v in entries.items() if isinstance(v, dict)})
    return found
