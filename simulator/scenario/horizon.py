"""The two kinds of horizon: a fixed length, or "until absorbed" with a safety cap.

``horizon: 1 year`` runs every run for a year (or to a terminal outcome).
``horizon: until absorbed`` runs every run until nothing more can happen — a terminal
outcome is reached, or no hazard has a positive rate, no trigger is pending, no
scheduled option is still to come and no deciding actor has an option it could
choose — so questions such as "does it *eventually* happen?" get exact answers.
Such a run also has a safety cap, ``until absorbed, at most 50 years`` (default
:data:`DEFAULT_CAP`): a run still going at the cap stops the simulation with an error,
since it is either far from absorbed or caught in a loop. The cap is also the length
of the time charts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ABSORBED = "until absorbed"
DEFAULT_CAP = "100 years"
EXAMPLES = "`until absorbed` or `until absorbed, at most 50 years`"

_ABSORBING = re.compile(
    r"^\s*until\s+absorbed\s*(?:[,;(]?\s*at\s+most\s+(?P<cap>[^)]+?)\s*\)?)?\s*$",
    re.IGNORECASE)
_UNTIL = re.compile(r"^\s*until\b", re.IGNORECASE)


@dataclass(frozen=True)
class HorizonText:
    """A horizon as written, split into its length and its kind.

    ``duration`` is the text of the fixed horizon or of the cap (a duration such as
    ``50 years``); ``absorbing`` says the run ends when absorbed; ``problem`` is a
    message when the text starts like an absorbing horizon but is not one.
    """

    duration: str
    absorbing: bool
    problem: str | None = None


def read_horizon(text: str) -> HorizonText:
    """Split ``horizon:`` text into its duration (or cap) and whether it is absorbing."""
    match = _ABSORBING.match(text)
    if match:
        return HorizonText(match.group("cap") or DEFAULT_CAP, True)
    if _UNTIL.match(text):
        return HorizonText(DEFAULT_CAP, True,
                           problem=f"an open-ended horizon is written {EXAMPLES}")
    return HorizonText(text, False)


def is_absorbing(text: str) -> bool:
    """Whether ``horizon:`` text asks for runs that go on until absorbed."""
    return read_horizon(text).absorbing


def horizon_phrase(text: str) -> str:
    """How a sentence says "by the end of the runs": ``within 1 year`` or ``eventually``."""
    horizon = read_horizon(text)
    return "eventually" if horizon.absorbing else f"within {text}"
