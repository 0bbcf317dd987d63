"""Results directories: :class:`Results` (verified on load), the summary and its
statistics (Wilson intervals, ICD 203 words), and the typed contract of the files.

The names in ``__all__`` are the supported surface; the modules are internal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator._lazy import lazy_exports

__all__ = ["Results", "icd203_word", "wilson_interval"]

__getattr__, __dir__ = lazy_exports(__name__, {
    "Results": "simulator.results.results",
    "icd203_word": "simulator.results.stats",
    "wilson_interval": "simulator.results.stats",
})

if TYPE_CHECKING:
    from simulator.results.results import Results
    from simulator.results.stats import icd203_word, wilson_interval
