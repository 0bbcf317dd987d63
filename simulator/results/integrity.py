"""Integrity records: file hashes and per-run digests, written once and checked on load.

The manifest of a results directory records, for every data file, its size and SHA-256
(:data:`CHECKED_FILES`), and per variant the SHA-256 of its runs' digests in run order
(``variant_digests``) with an overall digest over those. Loading recomputes all of them
before any analysis or report, so a file copied from another run, a flipped byte or an
edited manifest is refused with the name of the file, never analysed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from simulator.errors import ResultsError
from simulator.results.contract import FileRecord

CHECKED_FILES = ("runs.parquet", "summary.json", "timeline.npz", "traces.json")
BLOCK = 1 << 20  # bytes hashed at a time (bounded memory for any file size)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def file_record(path: Path) -> FileRecord:
    return {"bytes": path.stat().st_size, "sha256": file_sha256(path)}


def overall_digest(variant_digests: dict[str, str]) -> str:
    return hashlib.sha256("".join(variant_digests[v] for v in sorted(variant_digests))
                          .encode()).hexdigest()


def digest_bytes(column: Any) -> bytes | memoryview:
    """The run digests of a column, concatenated (16 bytes each, in row order)."""
    import pyarrow as pa

    array = column.combine_chunks()
    if pa.types.is_fixed_size_binary(array.type) and array.null_count == 0:
        width = array.type.byte_width  # one contiguous buffer: no per-row Python objects
        return memoryview(array.buffers()[1])[array.offset * width:
                                              (array.offset + len(array)) * width]
    return b"".join(array.to_pylist())


def table_digests(runs_path: Path, variants: list[str]) -> tuple[dict[str, str], dict[str, int]]:
    """Per variant: the SHA-256 of its run digests in table order, and its row count.

    Reads two columns one row group at a time; a row group never mixes variants.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    hashes = {v: hashlib.sha256() for v in variants}
    rows = dict.fromkeys(variants, 0)
    try:
        pf = pq.ParquetFile(runs_path)
        for g in range(pf.num_row_groups):
            table = pf.read_row_group(g, columns=["variant", "digest"])
            if table.num_rows == 0:
                continue
            names = pc.unique(table.column("variant")).to_pylist()
            if len(names) != 1 or names[0] not in hashes:
                raise ResultsError(f"{runs_path} holds rows of an unexpected variant "
                                   f"({', '.join(map(str, names))}); it does not belong to "
                                   "these results")
            hashes[names[0]].update(digest_bytes(table.column("digest")))
            rows[names[0]] += table.num_rows
    except (OSError, pa.ArrowException, KeyError) as exc:
        raise ResultsError(f"{runs_path} is damaged or unreadable "
                           f"({type(exc).__name__}: {str(exc)[:200]})") from exc
    return {v: h.hexdigest() for v, h in hashes.items()}, rows


def verify_files(folder: Path, records: Any) -> None:
    """Every checked file has the size and SHA-256 the manifest recorded."""
    if not isinstance(records, dict) or set(records) != set(CHECKED_FILES):
        raise ResultsError(f"{folder}/manifest.json has no integrity records for its files; "
                           "it was written by an older geosim or edited — run the "
                           "simulation again")
    for name in CHECKED_FILES:
        path = folder / name
        want = records[name]
        try:
            size = path.stat().st_size
            same = (isinstance(want, dict) and size == want.get("bytes")
                    and file_sha256(path) == want.get("sha256"))
        except OSError as exc:
            raise ResultsError(f"cannot read {path}: {exc.strerror or exc}") from exc
        if not same:
            raise ResultsError(f"{path} is not the file these results were written with "
                               "(its size or SHA-256 differs from manifest.json): it was "
                               "replaced, edited or damaged — run the simulation again")


def verify_digests(folder: Path, manifest: dict[str, Any]) -> None:
    """The manifest's digests are those of the runs table, and it holds every run."""
    variants = list(manifest["variants"])
    digests, rows = table_digests(folder / "runs.parquet", variants)
    short = {v: n for v, n in rows.items() if n != manifest["runs"]}
    if short:
        v, n = next(iter(short.items()))
        raise ResultsError(f"{folder}/runs.parquet holds {n} runs of variant `{v}`, not the "
                           f"{manifest['runs']} recorded in manifest.json; the results are "
                           "incomplete — run the simulation again")
    recorded = manifest.get("variant_digests")
    if recorded != digests or manifest.get("digest") != overall_digest(digests):
        raise ResultsError(f"{folder}/manifest.json: its digests do not match the runs in "
                           "runs.parquet (the manifest was edited or belongs to other "
                           "results) — run the simulation again")
