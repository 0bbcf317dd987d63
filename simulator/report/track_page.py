"""The track-record page: one self-contained HTML file for a folder of scored forecasts.

No scripts and no network: the reliability diagram is inline SVG, so the page opens
anywhere, prints, and cannot be made to run anything. All user text is escaped.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;color:#1d2330;max-width:980px;margin:2em auto;
padding:0 1em}h1{font-size:1.6em;margin-bottom:.2em}.sub{color:#5b6475}
table{border-collapse:collapse;margin:1em 0;width:100%}th,td{padding:.3em .6em;
border-bottom:1px solid #dde2ea;text-align:left}td.num,th.num{text-align:right;
font-variant-numeric:tabular-nums}.warn{background:#fff4e0;border-left:4px solid #E69F00;
padding:.6em 1em;margin:1em 0}.date{white-space:nowrap}.muted{color:#5b6475}
svg text{font:12px system-ui,sans-serif}
"""

# plot geometry (px): a square plot area with margins for the axis labels
_W, _H, _L, _T, _SIZE = 460, 440, 60, 20, 360


def _num(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _xy(p: float, o: float) -> tuple[float, float]:
    return _L + p * _SIZE, _T + (1 - o) * _SIZE


def reliability_svg(bins: list[dict[str, Any]]) -> str:
    """The reliability diagram: observed frequency against forecast, one dot per bin
    (area ∝ outcomes), 95 % Wilson intervals, and the diagonal of perfect calibration."""
    parts = [(f'<svg id="reliability" role="img" width="{_W}" height="{_H}" '
             f'viewBox="0 0 {_W} {_H}" aria-label="Reliability diagram">'),
             (f'<rect x="{_L}" y="{_T}" width="{_SIZE}" height="{_SIZE}" fill="#f7f9fc" '
             'stroke="#c9d0db"/>')]
    for k in range(11):
        v = k / 10
        x, y = _xy(v, v)
        parts.append(f'<line x1="{x:.1f}" y1="{_T + _SIZE}" x2="{x:.1f}" y2="{_T + _SIZE + 5}" '
                     'stroke="#5b6475"/>'
                     f'<text x="{x:.1f}" y="{_T + _SIZE + 18}" text-anchor="middle">'
                     f'{v:.0%}</text>'
                     f'<text x="{_L - 8}" y="{y + 4:.1f}" text-anchor="end">{v:.0%}</text>')
    x0, y0 = _xy(0, 0)
    x1, y1 = _xy(1, 1)
    parts.append(f'<line class="diagonal" x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" '
                 'stroke="#999" stroke-dasharray="4 4"/>')
    parts.append(f'<text x="{_L + _SIZE / 2}" y="{_H - 8}" text-anchor="middle">forecast '
                 'probability</text>'
                 f'<text transform="translate(14 {_T + _SIZE / 2}) rotate(-90)" '
                 'text-anchor="middle">how often it happened</text>')
    biggest = max((b["n"] for b in bins), default=1)
    for b in bins:
        x, y = _xy(b["forecast"], b["observed"])
        _, ylo = _xy(0, b["ci95"][0])
        _, yhi = _xy(0, b["ci95"][1])
        r = 4 + 8 * (b["n"] / biggest) ** 0.5
        tip = (f"forecasts {b['bin'][0]:.0%}–{b['bin'][1]:.0%}: {b['n']} outcome(s), mean "
               f"forecast {b['forecast']:.1%}, happened {b['observed']:.1%} (95% "
               f"{b['ci95'][0]:.0%}–{b['ci95'][1]:.0%})")
        parts.append(f'<g class="bin"><title>{escape(tip)}</title>'
                     f'<line x1="{x:.1f}" y1="{ylo:.1f}" x2="{x:.1f}" y2="{yhi:.1f}" '
                     'stroke="#0072B2" stroke-width="2"/>'
                     f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#0072B2" '
                     'fill-opacity="0.75"/></g>')
    parts.append("</svg>")
    return "".join(parts)


def _forecast_rows(rows: list[dict[str, Any]]) -> str:
    out = []
    for r in rows:
        if not r["resolved"]:
            state = "no resolution file"
            cells = f'<td colspan="4" class="muted">{state}</td>'
        else:
            cells = (f'<td class="date">{escape(r["resolved_on"])}</td>'
                     f'<td class="num">{r["n"]}</td>'
                     f'<td class="num">{r["pending"]}</td>'
                     f'<td class="num">{_num(r.get("brier"))}</td>')
        out.append(f'<tr><td><code>{escape(r["forecast"])}</code></td>'
                   f'<td>{escape(r["title"])}</td><td class="date">{escape(r["as_of"])}</td>{cells}'
                   f'<td class="num">{_num(r.get("skill_half"), 2)}</td></tr>')
    return "".join(out)


def render_track_page(track: dict[str, Any], *, title: str = "Forecast track record") -> str:
    """The page as an HTML string (``track`` from :func:`simulator.forecast.track.track_record`)."""
    pooled = track["pooled"]
    warning = (f'<p class="warn" id="calibration-warning">{escape(track["warning"])}</p>'
               if track["warning"] else "")
    n_forecasts = len(track["forecasts"])
    resolved = sum(r["resolved"] for r in track["forecasts"])
    murphy = (
        '<table id="murphy"><thead><tr><th>pooled over all scored outcomes</th>'
        '<th class="num">value</th></tr></thead><tbody>'
        f'<tr><td>scored outcomes</td><td class="num">{pooled["n"]}</td></tr>'
        f'<tr><td>mean Brier score (0 is perfect; always saying 50% scores 0.25)</td>'
        f'<td class="num">{_num(pooled["brier"])}</td></tr>'
        f'<tr><td>reliability (calibration error; lower is better)</td>'
        f'<td class="num">{_num(pooled["reliability"], 4)}</td></tr>'
        f'<tr><td class="muted">… what a perfectly calibrated forecaster would show from '
        f'chance alone</td><td class="num">{_num(pooled["chance_reliability"], 4)}</td></tr>'
        f'<tr><td>resolution (separating what happens from what does not; higher is '
        f'better)</td><td class="num">{_num(pooled["resolution"], 4)}</td></tr>'
        f'<tr><td>uncertainty (Brier of always forecasting the base rate '
        f'{_num(pooled["base_rate"], 2)})</td>'
        f'<td class="num">{_num(pooled["uncertainty"], 4)}</td></tr>'
        f'<tr><td class="muted">within-bin term (Brier = reliability − resolution + '
        f'uncertainty + this)</td><td class="num">{_num(pooled["within_bin"], 4)}</td></tr>'
        "</tbody></table>")
    forecasts = (
        '<table id="forecasts"><thead><tr><th>forecast</th><th>scenario</th><th>as of</th>'
        '<th>resolved</th><th class="num">scored</th><th class="num">pending</th>'
        '<th class="num">mean Brier</th><th class="num">skill vs 50%</th></tr></thead>'
        f"<tbody>{_forecast_rows(track['forecasts'])}</tbody></table>")
    return "".join([
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'\">"),
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        (f'<p class="sub">{n_forecasts} forecast(s), {resolved} with a resolution file, '
        f'{pooled["n"]} scored outcome(s)</p>'),
        warning,
        "<h2>Calibration</h2>",
        ('<p class="muted">Each dot is a group of forecasts of similar probability: if the '
        "forecasts are calibrated, the dots lie on the dashed diagonal (things forecast at "
        "30% happen 30% of the time). Bars are 95% intervals; dot area grows with the "
        "number of outcomes.</p>"),
        reliability_svg(pooled["bins"]),
        murphy,
        "<h2>Forecasts</h2>",
        forecasts,
        "</body></html>",
    ])


def write_track_page(track: dict[str, Any], out: str | Path, *,
                     title: str = "Forecast track record") -> Path:
    """Write the page atomically and return its path."""
    from simulator._files import atomic_write_bytes
    from simulator.errors import ResultsError

    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, render_track_page(track, title=title).encode("utf-8"))
    except OSError as exc:
        raise ResultsError(f"cannot write the page to {path}: {exc.strerror or exc}") from None
    return path
