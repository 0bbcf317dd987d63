"""Shared Plotly settings: a small template, system fonts, the figure-to-JSON step."""

from __future__ import annotations

import json
import math
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from simulator.report.context import PALETTE

FONT = ('system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
        "sans-serif")
INK = "#1f2933"
GRID = "#e4e7eb"

#: Plotly config for every figure: no logo, no cloud links, nothing fetched.
CONFIG: dict[str, Any] = {
    "displaylogo": False,
    # not "responsive": it recomputes the height from the container and collapses the
    # fixed-height figures; report.js follows the page width itself
    "responsive": False,
    "showLink": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "typesetMath": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}

_AXIS = {"gridcolor": GRID, "zerolinecolor": "#cbd2d9", "linecolor": "#cbd2d9",
         "ticks": "outside", "tickcolor": "#cbd2d9", "automargin": True,
         "title": {"font": {"size": 12}}}

TEMPLATE = go.layout.Template(layout={
    "font": {"family": FONT, "size": 12, "color": INK},
    "colorway": list(PALETTE),
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "#ffffff",
    "xaxis": _AXIS,
    "yaxis": _AXIS,
    "hoverlabel": {"font": {"family": FONT}},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0,
               "font": {"size": 11}},
    "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
})


def new_figure(height: int = 360, **layout: Any) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, height=height, **layout)
    return fig


#: Digits kept for numbers inside data arrays: 1 part in 1,000 of a value is under a pixel
#: of a chart whose axis starts at zero, and no hover shows more (they show 3 significant
#: digits or whole percents); fewer digits also pack smaller.
SIGNIFICANT = 3


def _rounded(value: Any) -> Any:
    """Numbers inside arrays rounded to :data:`SIGNIFICANT` digits; scalars such as
    ``x0``/``dx`` are kept exact. Plotly writes numpy arrays as base64 binary
    (``{"dtype", "bdata", "shape"}``), whose every bit is noise to gzip: they become
    rounded lists, which pack to about half."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            return _rounded(_decoded(value))
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_short(v) if isinstance(v, float) else _rounded(v) for v in value]
    return value


def _short(v: float) -> float | int | None:
    if not math.isfinite(v):
        return None  # JSON has no NaN; Plotly leaves a gap at null
    r = float(f"{v:.{SIGNIFICANT}g}")
    return int(r) if r.is_integer() and abs(r) < 2 ** 53 else r


def _decoded(typed: dict[str, Any]) -> list[Any]:
    """A Plotly typed array (``dtype`` such as ``f4``, base64 ``bdata``, optional ``shape``
    "rows, cols") as nested lists of Python numbers."""
    import base64

    import numpy as np

    array = np.frombuffer(base64.b64decode(typed["bdata"]), dtype=np.dtype(typed["dtype"]))
    shape = typed.get("shape")
    if shape:
        array = array.reshape([int(n) for n in str(shape).split(",")])
    if array.dtype.kind == "f":
        array = array.astype(float)  # float32 → the double it stands for, then rounded
    decoded: list[Any] = array.tolist()
    return decoded


def figure_json(fig: go.Figure) -> dict[str, Any]:
    """The figure as a JSON-ready dict ({data, layout}); arrays are plain lists."""
    text = pio.to_json(fig, validate=False, engine="json")
    payload: dict[str, Any] = json.loads(text)
    return {"data": _rounded(payload.get("data", [])), "layout": payload.get("layout", {})}


def view_meta(view_key: str) -> dict[str, str]:
    """Tag a trace as belonging to one view (the variant selector toggles it)."""
    return {"view": view_key}


def rgba(color: str, alpha: float) -> str:
    """``#rrggbb`` or ``rgb(r, g, b)`` with an alpha channel."""
    if color.startswith("rgb"):
        parts = color[color.index("(") + 1:color.index(")")].split(",")
        r, g, b = (int(float(x)) for x in parts[:3])
    else:
        h = color.lstrip("#")
        r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"
