"""Forecast records, resolutions and scores: a track record for every scenario.

* :mod:`~simulator.forecast.record` freezes a results directory into an immutable
  forecast record (``geosim freeze``).
* :mod:`~simulator.forecast.resolution` reads and checks resolution files (what
  actually happened), with located errors like scenario files.
* :mod:`~simulator.forecast.scores` scores one forecast against its resolution
  (Brier, log score, skill against references, PIT values).
* :mod:`~simulator.forecast.track` pools many scored forecasts: the Murphy
  decomposition and a reliability diagram.
"""
