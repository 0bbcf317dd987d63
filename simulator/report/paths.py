"""Escalation paths from the ``rung_path`` lists of runs.parquet (aggregated, vectorised).

A stand-in for ``simulator.analysis.paths`` while that module does not exist: the report
prefers the analysis module when it is importable.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.analysis._common import variant_model
from simulator.results.results import Results

MAX_STEPS = 4  # Sankey columns after the starting rung (more do not fit a page)
TOP = 10  # sequences listed


def _list_parts(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if isinstance(arr, pa.LargeListArray | pa.ListArray):
        offsets = np.asarray(arr.offsets.to_numpy(), dtype=np.int64)
        values = np.asarray(arr.values.to_numpy(zero_copy_only=False), dtype=np.int64)
        values = values[offsets[0]:offsets[-1]]
        offsets = offsets - offsets[0]
        return values, offsets
    raise TypeError("rung_path is not a list column")


def rung_paths_summary(rung_path: pa.ChunkedArray | pa.Array, rungs: list[str],
                       labels: list[str], *, max_steps: int = MAX_STEPS,
                       top: int = TOP) -> dict[str, Any]:
    """Transitions per step (for a Sankey) and the most common rung sequences."""
    values, offsets = _list_parts(rung_path)
    n = len(offsets) - 1
    lengths = np.diff(offsets)
    pos = np.arange(values.size) - np.repeat(offsets[:-1], lengths)
    # transitions: element i → i+1 inside the same run
    has_next = np.ones(values.size, bool)
    has_next[offsets[1:][lengths > 0] - 1] = False
    idx = np.flatnonzero(has_next & (pos < max_steps))
    transitions = []
    if idx.size:
        base = max(len(rungs), int(values.max()) + 1)
        key = (pos[idx] * base + values[idx]) * base + values[idx + 1]
        uniq, counts = np.unique(key, return_counts=True)
        for k, c in zip(uniq.tolist(), counts.tolist(), strict=True):
            step, rest = divmod(k, base * base)
            a, b = divmod(rest, base)
            transitions.append({"step": int(step), "from": int(a), "to": int(b), "runs": int(c)})
    start_counts: dict[int, int] = {}
    if n:
        firsts = values[offsets[:-1][lengths > 0]]
        for r, c in zip(*np.unique(firsts, return_counts=True), strict=True):
            start_counts[int(r)] = int(c)
    sequences = _top_sequences(values, offsets, pos, lengths, n, len(rungs), top)
    for seq in sequences:
        seq["labels"] = [labels[r] if 0 <= r < len(labels) else str(r) for r in seq["path"]]
    return {"rungs": list(rungs), "labels": list(labels), "runs": n,
            "start": start_counts, "transitions": transitions, "sequences": sequences}


def _top_sequences(values: np.ndarray, offsets: np.ndarray, pos: np.ndarray,
                   lengths: np.ndarray, n: int, n_rungs: int, top: int) -> list[dict[str, Any]]:
    if n == 0:
        return []
    base = max(n_rungs, int(values.max(initial=0)) + 1) + 1  # digit 0 = "no rung"
    k = max(1, min(16, int(52 / np.log2(base))))  # exact in float64
    keep = pos < k
    row = np.repeat(np.arange(n), lengths)
    weights = (values[keep] + 1).astype(float) * np.power(float(base), pos[keep].astype(float))
    codes = np.bincount(row[keep], weights=weights, minlength=n)
    truncated = lengths > k
    codes = codes * 2 + truncated  # keep "…" sequences apart
    uniq, counts = np.unique(codes, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:top]
    out = []
    for i in order:
        code = int(uniq[i])
        cut, code = bool(code % 2), code // 2
        path = []
        while code:
            code, digit = divmod(code, base)
            path.append(digit - 1)
        out.append({"path": path, "runs": int(counts[i]), "share": float(counts[i]) / n,
                    "truncated": cut})
    return out


def escalation_paths(results: Results, variant: str) -> dict[str, Any]:
    """Escalation paths of one variant (see :func:`rung_paths_summary`)."""
    model = variant_model(results, variant)
    if model.ladder is None:
        return {"rungs": [], "labels": [], "runs": 0, "start": {}, "transitions": [],
                "sequences": []}
    table = results.table(["variant", "rung_path"])
    table = table.filter(pc.equal(table.column("variant"), variant))
    return rung_paths_summary(table.column("rung_path"), list(model.ladder.rungs),
                              list(model.ladder.labels))
