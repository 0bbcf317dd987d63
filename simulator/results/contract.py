"""The results contract: the typed shape of ``manifest.json`` and ``summary.json``.

These types are what geosim writes and what it reads back; ``docs/architecture.md``
documents the same keys and a test checks that the two agree. ``schema_version`` names
the layout of each file; it equals the results :data:`~simulator.results.ownership.FORMAT`.
Directories written before it was recorded hold the same layout, so a missing
``schema_version`` reads as the current one; a newer one is refused with a message.
"""

# No ``from __future__ import annotations`` here: TypedDict reads NotRequired[...] from
# evaluated annotations on Python 3.11 (its required keys are checked in the tests).
from typing import Any, NotRequired, TypedDict

from simulator.errors import ResultsError
from simulator.results.ownership import FORMAT

__all__ = [
    "SCHEMA_VERSION",
    "FileRecord",
    "HeadlineRow",
    "IndicatorSummary",
    "Manifest",
    "OutcomeSummary",
    "Proportion",
    "RungSummary",
    "ScenarioHeader",
    "Summary",
    "TimeToEvent",
    "VariantSummary",
    "check_schema_version",
]

SCHEMA_VERSION = FORMAT


class FileRecord(TypedDict):
    """Size (bytes) and SHA-256 (hex) of one data file, checked on load."""

    bytes: int
    sha256: str


class Manifest(TypedDict):
    """``manifest.json``: written last; its presence means the directory is complete."""

    schema_version: NotRequired[int]
    tool: str  # always "geosim"
    format: int
    version: str  # geosim's version
    scenario_id: str
    scenario_title: str
    scenario_file: str
    scenario_sha256: str
    variants: list[str]
    seed: int
    runs: int  # per variant
    chunk_size: int
    engine: str
    executor: str
    workers: int
    python: str
    numpy: str
    simpy: str
    platform: str
    command: str
    started: str  # ISO 8601, UTC
    finished: str
    seconds: float
    digest: str  # SHA-256 over the variant digests
    variant_digests: dict[str, str]
    files: dict[str, FileRecord]
    scenario: dict[str, Any]  # the scenario itself, as JSON


class TimeToEvent(TypedDict):
    """Days from the start to the event among the runs that reached it (None: none did)."""

    p10: float | None
    median: float | None
    p90: float | None


class Proportion(TypedDict):
    """How often an event happened: probability, Wilson 95 % interval, ICD 203 word."""

    probability: float
    ci95: list[float]  # [low, high]
    runs: int
    reached: int
    words: str
    time_to_event: NotRequired[TimeToEvent]


class OutcomeSummary(Proportion):
    label: str
    terminal: bool


class IndicatorSummary(Proportion):
    label: str


class RungSummary(Proportion):
    """A rung above the start is reached by climbing to it, one below by descending."""

    label: str


class VariantSummary(TypedDict):
    runs: int
    outcomes: dict[str, OutcomeSummary]
    indicators: dict[str, IndicatorSummary]
    rungs: dict[str, RungSummary]
    events_per_run: float
    lapsed_per_run: float


class HeadlineRow(TypedDict):
    """One row of the headline table: a variant's chance of an outcome."""

    variant: str
    outcome: str
    label: str
    probability: float
    ci95: list[float]
    words: str
    runs: int


class ScenarioHeader(TypedDict):
    id: str
    title: str
    as_of: str  # YYYY-MM-DD
    horizon_days: float


class Summary(TypedDict):
    """``summary.json``: per variant, the probabilities the report and analyses start from."""

    schema_version: NotRequired[int]
    scenario: ScenarioHeader
    variants: dict[str, VariantSummary]
    headline: list[HeadlineRow]


def check_schema_version(payload: Any, where: str) -> None:
    """Refuse a file written in a newer layout than this geosim reads (``where``: its path)."""
    version = payload.get("schema_version", SCHEMA_VERSION) if isinstance(payload, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        raise ResultsError(f"{where} is damaged (schema_version {version!r} is not a whole "
                           "number); run the simulation again")
    if version > SCHEMA_VERSION:
        raise ResultsError(f"{where} was written by a newer geosim (schema version {version}; "
                           f"this geosim reads up to {SCHEMA_VERSION}); upgrade geosim to "
                           "read it — the files are left as they are")
