"""Small scenarios whose answers are known by construction (YAML strings)."""

# Paths: day 10 the ladder climbs r0 → r1; then two equal hazards race (1 per day):
# `up` jumps to r3 (outcome `high`), `down` returns to r0 (outcome `low`). Each wins
# half the runs; paths are [r0, r1, r3] or [r0, r1, r0].
PATHS = """
id: paths-known
title: Paths known by construction
as_of: 2026-01-05
horizon: 100 days
ladder:
  initial: r0
  rungs: [{id: r0, label: Calm}, {id: r1, label: Tense}, {id: r2}, {id: r3, label: War}]
actors:
  a:
    label: Actor A
    options:
      start: {at: 10 days, label: starts the crisis, effects: [{escalate: 1}]}
      up: {when: escalation == r1, rate: 1 per day, once: true, effects: [{set: {escalation: r3}}]}
      down: {when: escalation == r1, rate: 1 per day, once: true, effects: [{deescalate: 1}]}
outcomes:
  high: {when: escalation >= r3, label: War breaks out}
  low: {when: fired(a.down), label: Crisis defused}
"""

# Compare: one hazard at a constant 10 % per month for 6 months; the variant raises it to
# 10.5 % per month. P = 1 − 0.9^6 and 1 − 0.895^6. On common random numbers the variant's
# hit happens whenever the baseline's does (same exponential budget, larger hazard).
COMPARE = """
id: compare-known
title: Compare known by construction
as_of: 2026-01-05
horizon: 6 months
parameters:
  hit_rate: {value: 10% per month, assumption: true}
  other: {value: 0.2 to 0.8, assumption: true}
state:
  level: {initial: 0, min: 0, max: 10}
actors:
  x:
    options:
      hit: {rate: hit_rate, once: true, effects: [{add: {level: 1}}]}
      noise: {rate: 2 per month, effects: [{add: {level: other}}]}
outcomes:
  hit: {when: fired(x.hit), label: The hit}
variants:
  faster: {label: A little faster, parameters: {hit_rate: 10.5% per month}}
"""

# Signposts: `spark` (hazard 30 % per month) always triggers `blow` exactly 20 days
# later, so the indicator `spark_seen` is a perfect precursor with a 20-day lead.
# `coin` is seen on day 1 with chance 1/2, independently of everything else, and always
# before any `boom` (which needs at least 20 days): its likelihood ratio is 1.
SIGNPOSTS = """
id: signposts-known
title: Signposts known by construction
as_of: 2026-01-05
horizon: 180 days
actors:
  x:
    label: Spark maker
    options:
      spark:
        label: lights the fuse
        rate: 30% per month
        once: true
        evidence: [fuse-claim]
        effects: [{trigger: x.blow, after: 20 days}]
      blow: {label: blows up, evidence: [boom-claim, second-claim]}
      never: {label: never happens}
  y:
    label: Coin
    options:
      start: {at: 1 days, label: tosses, effects: [{trigger: y.heads, chance: 0.5}]}
      heads: {label: shows heads}
outcomes:
  boom: {when: fired(x.blow), label: Explosion}
  nothing: {when: fired(x.never), label: The impossible}
indicators:
  spark_seen: {when: fired(x.spark), label: Fuse lit}
  coin_seen: {when: fired(y.heads), label: Heads}
"""

# Threshold: `go` fires on day 1 iff thr > 0.6 (thr uniform on [0, 1]); `noise` is an
# unrelated uniform parameter; `rate_a` drives `tick` but not the outcome.
THRESHOLD = """
id: threshold-known
title: Threshold known by construction
as_of: 2026-01-05
horizon: 30 days
parameters:
  thr: {value: "uniform(0, 1)", label: Threshold draw, assumption: true}
  noise: {value: "uniform(0, 1)", assumption: true}
  rate_a: {value: 1% to 10% per month, assumption: true}
actors:
  x:
    options:
      go: {at: 1 days, when: thr > 0.6, label: goes}
      tick: {rate: rate_a, label: ticks}
outcomes:
  went: {when: fired(x.go), label: It went}
"""

# One driver: the outcome's hazard is `driver` (0.5 % to 20 % per month, wide), the
# parameter `idle` only feeds an option that changes nothing the outcome reads, and
# `delay` (a duration) only delays that option's consequence.
ONE_DRIVER = """
id: one-driver
title: One driver
as_of: 2026-01-05
horizon: 1 year
parameters:
  driver: {value: 0.5% to 20% per month, label: Driver rate, assumption: true}
  idle: {value: 0.1 to 0.9, label: Idle chance, assumption: true}
  delay: {value: 1 to 4 weeks, label: Idle delay, assumption: true}
state:
  junk: {initial: 0, min: 0, max: 100}
actors:
  x:
    options:
      hit: {rate: driver, once: true}
      fidget: {rate: 1 per month, effects: [{trigger: x.settle, chance: idle, after: 1 day}]}
      settle: {effects: [{add: {junk: delay}}]}
outcomes:
  hit: {when: fired(x.hit), label: The hit}
"""

# Sobol' toy: on day 1 `a` happens with chance pa ~ uniform(0, 0.8) and `b` with chance
# pb ~ uniform(0, 0.4), independently; the outcome is "a or b", so at fixed parameters
# P = 1 − (1 − pa)(1 − pb): Sobol' indices in closed form (`sobol_toy_exact`).
SOBOL_TOY = """
id: sobol-toy
title: Sobol' indices known in closed form
as_of: 2026-01-05
horizon: 30 days
parameters:
  pa: {value: "uniform(0, 0.8)", label: Chance of A, assumption: true}
  pb: {value: "uniform(0, 0.4)", label: Chance of B, assumption: true}
actors:
  x:
    options:
      start: {at: 1 days, effects: [{trigger: x.a, chance: pa}, {trigger: x.b, chance: pb}]}
      a: {label: A happens}
      b: {label: B happens}
outcomes:
  hit: {when: fired(x.a) or fired(x.b), label: A or B}
"""


def sobol_toy_exact() -> dict[str, dict[str, float]]:
    """First- and total-order Sobol' indices of P = 1 − u·v, u = 1 − pa, v = 1 − pb.

    u ~ U(0.2, 1) and v ~ U(0.6, 1) are independent: V_u = E[v]²·Var(u),
    V_v = E[u]²·Var(v), Var(P) = E[u²]·E[v²] − E[u]²·E[v]²; the total index of one is 1
    minus the first-order index of the other (two inputs).
    """
    def moments(a: float, b: float) -> tuple[float, float]:
        mean, var = (a + b) / 2, (b - a) ** 2 / 12
        return mean, var

    mu, vu = moments(0.2, 1.0)
    mv, vv = moments(0.6, 1.0)
    total = (vu + mu**2) * (vv + mv**2) - mu**2 * mv**2
    s_a, s_b = mv**2 * vu / total, mu**2 * vv / total
    return {"pa": {"first_order": s_a, "total_order": 1 - s_b},
            "pb": {"first_order": s_b, "total_order": 1 - s_a}}
