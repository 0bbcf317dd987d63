"""Static checks of a validated scenario: meaning that needs the whole scenario, and size.

* :func:`static_checks` (:mod:`._static`): the kind of each `rate`, `chance` and `after`
  (:mod:`._kinds`), chances that can leave [0, 1] (interval arithmetic, :mod:`._ranges`),
  and trigger loops that never let time move on (:mod:`._loops`);
* :func:`limit_diagnostics` (:mod:`._limits`): horizons and decision counts too large to
  simulate, found before any simulation work.

Imports flow one way: these checks read the :mod:`~simulator.scenario.schema` models and
parse their text with the :mod:`~simulator.scenario.quantities` and
:mod:`~simulator.scenario.expressions` languages; none of those imports this subpackage.
Only :mod:`simulator.scenario.load` (every check of a file) and the runner call it.
"""

from simulator.scenario.checks._limits import limit_diagnostics
from simulator.scenario.checks._static import static_checks

__all__ = ["limit_diagnostics", "static_checks"]
