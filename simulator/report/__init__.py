"""The HTML report: one self-contained, offline file (Plotly inlined once).

Plotly is imported only inside this package.
"""

from simulator.report.builder import build_report, render

__all__ = ["build_report", "render"]
