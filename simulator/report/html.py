"""Escaping and small HTML builders for the report.

Every piece of text that comes from a scenario, an evidence register or a manifest goes
through :func:`esc` before it reaches the page, and every JSON payload embedded in a
``<script>`` element goes through :func:`script_json`, which escapes ``<``, ``>`` and
``&`` so that no string can close the element. Plotly renders a small subset of HTML in
its labels, so user text shown inside figures is passed through :func:`plot_text`: the
entities it produces are displayed by Plotly as the literal characters.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                   "\u2028": "\\u2028", "\u2029": "\\u2029"}


_ISOLATES = dict.fromkeys(range(0x2066, 0x206A))  # LRI, RLI, FSI, PDI: removed
_EMBEDDINGS = frozenset("\u202a\u202b\u202c\u202d\u202e")  # LRE, RLE, PDF, LRO, RLO


def isolate_bidi(text: str) -> str:
    """Keep right-to-left controls inside ``text``: an override or embedding that the
    text opens ends with it (it is wrapped in FSI … PDI, which closes them), so it cannot
    reverse the report's own words after it. Isolate controls inside the text are dropped
    so that none can close the wrapper early."""
    text = text.translate(_ISOLATES)
    if any(char in _EMBEDDINGS for char in text):
        return f"\u2068{text}\u2069"
    return text


def esc(text: object) -> str:
    """HTML-escape any value (quotes too, so the result is safe inside attributes);
    bidirectional controls are kept inside the value (:func:`isolate_bidi`)."""
    return html.escape(isolate_bidi(str(text)), quote=True)


def plot_text(text: object) -> str:
    """User text for Plotly labels: escaped so that Plotly shows it literally, bidi
    controls kept inside it, and ``%{`` broken by an invisible word joiner so that a
    hover template never fills a placeholder written in the text."""
    return html.escape(isolate_bidi(str(text)), quote=False).replace("%{", "%\u2060{")


def plot_label(text: object, limit: int = 42) -> str:
    """A short label for axes and legends (full text goes in hovers), escaped for Plotly."""
    value = str(text)
    if len(value) > limit:
        value = value[:limit - 1].rstrip() + "…"
    return plot_text(value)


def escape_script_json(text: str) -> str:
    """Make a JSON text safe to embed inside ``<script>``: no ``<``, ``>``, ``&`` left."""
    for char, replacement in _SCRIPT_ESCAPES.items():
        text = text.replace(char, replacement)
    return text


def script_json(payload: Any) -> str:
    """``payload`` as JSON that is safe inside a ``<script>`` element."""
    return escape_script_json(json.dumps(payload, separators=(",", ":"), allow_nan=False))


def pct(p: float | None, digits: int = 0) -> str:
    """A probability as a percent: whole percents by default (what a few thousand runs
    of a judgement-based model support), "<1%" and ">99%" rather than a rounded 0 or 100."""
    if p is None or p != p:  # NaN
        return "–"
    if digits == 0 and 0 < p < 0.005:
        return "<1%"
    if digits == 0 and 0.995 <= p < 1:
        return ">99%"
    return f"{100 * p:.{digits}f}%"


def days(value: float | None) -> str:
    if value is None or value != value:
        return "–"
    return f"{value:,.0f} d"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, numeric: Sequence[int] = (),
          cls: str = "") -> str:
    """A table; ``headers`` are plain text (escaped here), cells are already HTML."""
    head = "".join(f'<th{" class=num" if i in numeric else ""}>{esc(h)}</th>'
                   for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{cell}</td>'
                         for i, cell in enumerate(row)) + "</tr>"
        for row in rows)
    klass = f' class="{esc(cls)}"' if cls else ""
    return (f'<div class="table-wrap"><table{klass}><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def note(text: str) -> str:
    """A short explanatory paragraph (plain text, escaped)."""
    return f'<p class="note">{esc(text)}</p>'


def view_block(view_key: str, inner: str, *, tag: str = "div", cls: str = "") -> str:
    """Content shown only while the view ``view_key`` (a generated id) is selected."""
    klass = f' class="{esc(cls)}"' if cls else ""
    return f'<{tag}{klass} data-view="{esc(view_key)}">{inner}</{tag}>'
