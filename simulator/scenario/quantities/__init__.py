"""The quantity language: quantity text → distribution in canonical units.

Canonical units: a **probability** is in [0, 1]; a **rate** is a hazard per day; a
**duration** is in days; **positive** and **real** quantities have no unit.

Grammar (case-insensitive, whitespace-tolerant, at most 500 characters)::

    quantity := body [ ("per" | "/") [number] unit ]
    body     := term [ "to" term ] | family "(" value { "," value } ")" [unit]
    term     := value [unit]
    value    := number ["%"] | number "in" number          (`1 in 20` = 0.05)
    family   := constant | beta | pert | triangular | uniform | normal | lognormal | gamma
    unit     := hour | day | week | fortnight | month | quarter | year   (+ plurals, h d wk mo yr)

Families: ``constant(x)``, ``beta(a, b)``, ``pert(lo, mode, hi)``,
``triangular(lo, mode, hi)``, ``uniform(lo, hi)``, ``normal(mu, sd)``,
``lognormal(median, sigma)`` (sigma = sd of the log, unitless), ``gamma(shape, scale)``.
Value arguments may be written as percentages or ``1 in N``; ``beta``'s and ``gamma``'s
shape and ``lognormal``'s sigma are plain numbers. All value arguments of one family, and
both ends of an interval, must use the same notation (``5 to 10%`` is rejected: it is
too easily meant as ``5% to 10%``).

``a to b`` is a 90 % interval (5th and 95th percentiles): probability → beta,
rate / duration / positive → lognormal, real → normal; ``a to a`` is a constant.

Rates: a value written as a probability (``%``, ``1 in N``, or ``beta(...)``) per period
T days becomes the hazard per day λ = −ln(1 − p)/T, exactly, so that P(fires within T)
= p. A plain number is a count: ``2 per year`` = 2/365.25 per day. For an interval such
as ``0.5% to 4% per month`` both endpoints are converted exactly and a lognormal is
fitted to the converted endpoints: the map p ↦ λ is increasing, so the 5th/95th
percentiles of the hazard are exactly the converted endpoints. A family of probabilities
per period becomes a :class:`~.derived.Transformed` of that family.

Modules: :mod:`._syntax` (units, tokens, parser), :mod:`._meaning` (kinds, checks,
resolution into a distribution), :mod:`._parse` (the entry points below),
:mod:`.distributions` (the distribution families) and :mod:`.derived` (monotone transforms,
scaling, and fitting a family to a 90 % interval).

Imports flow one way: this subpackage uses only :mod:`simulator.errors`, NumPy and SciPy.
Nothing in it knows the YAML front end, the schema or the expression language; the
schema stores quantities as text, and the checks and the model compiler parse them here.
"""

from simulator.scenario.quantities._meaning import Quantity
from simulator.scenario.quantities._parse import (
    infer_kind,
    looks_like_quantity,
    parse_duration,
    parse_quantity,
    parse_rate,
    per_period_probability_to_hazard,
)
from simulator.scenario.quantities._syntax import (
    DAYS_PER,
    KINDS,
    MAX_LENGTH,
    QuantityError,
    QuantityKind,
)
from simulator.scenario.quantities.distributions import Distribution

__all__ = [
    "DAYS_PER",
    "KINDS",
    "MAX_LENGTH",
    "Distribution",
    "Quantity",
    "QuantityError",
    "QuantityKind",
    "infer_kind",
    "looks_like_quantity",
    "parse_duration",
    "parse_quantity",
    "parse_rate",
    "per_period_probability_to_hazard",
]
