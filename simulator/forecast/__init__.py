"""Forecast records, resolutions and scores: a track record for every scenario.

* :mod:`~simulator.forecast.record` freezes a results directory into an immutable
  forecast record (``geosim freeze``).
* :mod:`~simulator.forecast.resolution` reads and checks resolution files (what
  actually happened), with located errors like scenario files.
* :mod:`~simulator.forecast.scores` scores one forecast against its resolution
  (Brier, log score, skill against references, PIT values).
* :mod:`~simulator.forecast.track` pools many scored forecasts: the Murphy
  decomposition and a reliability diagram.

The names in ``__all__`` are the supported surface; the modules are internal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator._lazy import lazy_exports

__all__ = ["build_record", "parse_resolution", "read_record", "read_resolution",
           "resolution_template", "score", "track_record", "write_record"]

__getattr__, __dir__ = lazy_exports(__name__, {
    "build_record": "simulator.forecast.record",
    "parse_resolution": "simulator.forecast.resolution",
    "read_record": "simulator.forecast.record",
    "read_resolution": "simulator.forecast.resolution",
    "resolution_template": "simulator.forecast.template",
    "score": "simulator.forecast.scores",
    "track_record": "simulator.forecast.track",
    "write_record": "simulator.forecast.record",
})

if TYPE_CHECKING:
    from simulator.forecast.record import build_record, read_record, write_record
    from simulator.forecast.resolution import parse_resolution, read_resolution
    from simulator.forecast.scores import score
    from simulator.forecast.template import resolution_template
    from simulator.forecast.track import track_record
