"""Join Parquet files of one schema into one file by copying their row groups' bytes.

A Parquet file is ``PAR1``, the row groups' pages, a footer (the ``FileMetaData``
structure in Thrift's compact encoding), the footer's length and ``PAR1``. Pages hold
no absolute positions; the footer does — each column chunk's page offsets and each row
group's start. So files written with the same schema and settings join into one by
copying everything between their magic and their footer, one after the other, and
writing a single footer: the first file's, with every file's row groups appended, their
offsets moved by where their bytes landed, their ordinals renumbered and the row count
summed. Nothing is decoded or encoded again: joining costs a copy.

Only files without page indexes (whose entries hold absolute page positions) and
without encryption can be joined; :class:`CannotJoin` says when a file is not one.
"""

from __future__ import annotations

import gc
import struct
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

MAGIC = b"PAR1"

# Thrift compact protocol type codes
_TRUE, _FALSE, _I8, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)
_UUID = 13

# field ids (parquet.thrift) of the structures whose positions move
FILE_NUM_ROWS, FILE_ROW_GROUPS, FILE_ENCRYPTION = 3, 4, 8
GROUP_COLUMNS, GROUP_FILE_OFFSET, GROUP_ORDINAL = 1, 5, 7
CHUNK_FILE_OFFSET, CHUNK_META, CHUNK_OFFSET_INDEX, CHUNK_COLUMN_INDEX = 2, 3, 4, 6
CHUNK_CRYPTO, CHUNK_ENCRYPTED_META = 8, 9
META_PAGE_OFFSETS = (9, 10, 11, 14)  # data, index, dictionary page; bloom filter


class CannotJoin(ValueError):
    """The files cannot be joined byte for byte (damaged, or written differently)."""


@dataclass
class Field:
    """One field of a Thrift struct: its id, compact type code and value."""

    fid: int
    ttype: int
    value: Any


@dataclass
class ListValue:
    elem_type: int
    items: list[Any]


# --------------------------------------------------------------------------- decoding


@dataclass
class Raw:
    """A value kept as its encoded bytes (copied through unchanged)."""

    data: bytes


def _varint_at(data: bytes, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _zigzag_at(data: bytes, pos: int) -> tuple[int, int]:
    n, pos = _varint_at(data, pos)
    return (n >> 1) ^ -(n & 1), pos


def _skip(data: bytes, pos: int, ttype: int) -> int:
    """Where the value of type ``ttype`` starting at ``pos`` ends (in a list, booleans
    take a byte; as struct fields they take none and are not passed here)."""
    if ttype in (_I16, _I32, _I64):
        while data[pos] & 0x80:
            pos += 1
        return pos + 1
    if ttype == _STRUCT:
        while True:
            header = data[pos]
            pos += 1
            if header == 0:
                return pos
            if not header >> 4:
                _, pos = _zigzag_at(data, pos)
            if header & 0x0F not in (_TRUE, _FALSE):
                pos = _skip(data, pos, header & 0x0F)
    if ttype == _BINARY:
        n, pos = _varint_at(data, pos)
        return pos + n
    if ttype in (_TRUE, _FALSE, _I8):
        return pos + 1
    if ttype == _DOUBLE:
        return pos + 8
    if ttype == _UUID:
        return pos + 16
    return _skip_container(data, pos, ttype)


def _skip_container(data: bytes, pos: int, ttype: int) -> int:
    if ttype in (_LIST, _SET):
        header = data[pos]
        pos += 1
        size, elem = header >> 4, header & 0x0F
        if size == 15:
            size, pos = _varint_at(data, pos)
        if elem in (_TRUE, _FALSE, _I8):
            return pos + size
        for _ in range(size):
            pos = _skip(data, pos, elem)
        return pos
    if ttype == _MAP:
        size, pos = _varint_at(data, pos)
        if size:
            kinds = data[pos]
            pos += 1
            for _ in range(size):
                pos = _skip(data, pos, kinds >> 4)
                pos = _skip(data, pos, kinds & 0x0F)
        return pos
    raise CannotJoin(f"unknown Thrift type {ttype} in the footer")


Decoder = dict[int, "Any"]  # field id -> how to decode it (else: kept raw)


def _struct_at(data: bytes, pos: int, plan: Decoder) -> tuple[list[Field], int]:
    """The struct at ``pos``: fields named in ``plan`` decoded (an int, or a list or
    struct decoded by the nested plan), the others kept :class:`Raw`."""
    fields: list[Field] = []
    last = 0
    while True:
        header = data[pos]
        pos += 1
        if header == 0:
            return fields, pos
        ttype, delta = header & 0x0F, header >> 4
        if delta:
            fid = last + delta
        else:
            fid, pos = _zigzag_at(data, pos)
        last = fid
        if ttype in (_TRUE, _FALSE):
            fields.append(Field(fid, ttype, None))
            continue
        nested = plan.get(fid)
        if nested is None:
            end = _skip(data, pos, ttype)
            fields.append(Field(fid, ttype, Raw(data[pos:end])))
            pos = end
        elif ttype in (_I16, _I32, _I64):
            number, pos = _zigzag_at(data, pos)
            fields.append(Field(fid, ttype, number))
        elif ttype == _STRUCT:
            inner, pos = _struct_at(data, pos, nested)
            fields.append(Field(fid, ttype, inner))
        elif ttype == _LIST:
            header = data[pos]
            pos += 1
            size, elem = header >> 4, header & 0x0F
            if size == 15:
                size, pos = _varint_at(data, pos)
            if elem != _STRUCT:
                raise CannotJoin(f"field {fid} of the footer is not a list of structs")
            items = []
            for _ in range(size):
                item, pos = _struct_at(data, pos, nested)
                items.append(item)
            fields.append(Field(fid, ttype, ListValue(elem, items)))
        else:
            raise CannotJoin(f"field {fid} of the footer has an unexpected type")


_INT: Decoder = {}
_COLUMN_META: Decoder = dict.fromkeys(META_PAGE_OFFSETS, _INT)
_COLUMN_CHUNK: Decoder = {CHUNK_FILE_OFFSET: _INT, CHUNK_META: _COLUMN_META,
                          CHUNK_OFFSET_INDEX: _INT, CHUNK_COLUMN_INDEX: _INT}
_ROW_GROUP: Decoder = {GROUP_COLUMNS: _COLUMN_CHUNK, GROUP_FILE_OFFSET: _INT,
                       GROUP_ORDINAL: _INT}
_FILE: Decoder = {FILE_NUM_ROWS: _INT, FILE_ROW_GROUPS: _ROW_GROUP}


def decode_footer(data: bytes) -> list[Field]:
    """A footer with the fields that move decoded and everything else kept as bytes."""
    try:
        fields, pos = _struct_at(data, 0, _FILE)
    except IndexError as exc:
        raise CannotJoin("the footer ends too early") from exc
    if pos != len(data):
        raise CannotJoin("the footer has trailing bytes")
    return fields


# --------------------------------------------------------------------------- encoding


def _varint(n: int, out: bytearray) -> None:
    while True:
        if n < 0x80:
            out.append(n)
            return
        out.append((n & 0x7F) | 0x80)
        n >>= 7


def _zigzag(n: int, out: bytearray) -> None:
    _varint((n << 1) ^ (n >> 63), out)


def _encode_value(ttype: int, value: Any, out: bytearray) -> None:
    """Encode a decoded value: kept bytes, an integer, a list of structs or a struct."""
    if isinstance(value, Raw):
        out += value.data
    elif ttype in (_I16, _I32, _I64):
        _zigzag(value, out)
    elif ttype == _LIST:
        size = len(value.items)
        if size < 15:
            out.append(size << 4 | value.elem_type)
        else:
            out.append(0xF0 | value.elem_type)
            _varint(size, out)
        for item in value.items:
            _encode_value(value.elem_type, item, out)
    elif ttype == _STRUCT:
        _encode_struct(value, out)
    else:
        raise CannotJoin(f"cannot encode Thrift type {ttype}")


def _encode_struct(fields: list[Field], out: bytearray) -> None:
    last = 0
    for f in fields:
        delta = f.fid - last
        if 0 < delta <= 15:
            out.append(delta << 4 | f.ttype)
        else:
            out.append(f.ttype)
            _zigzag(f.fid, out)
        if f.ttype not in (_TRUE, _FALSE):
            _encode_value(f.ttype, f.value, out)
        last = f.fid
    out.append(0)


def encode_footer(fields: list[Field]) -> bytes:
    out = bytearray()
    _encode_struct(fields, out)
    return bytes(out)


# --------------------------------------------------------------------------- joining


def _get(fields: list[Field], fid: int) -> Field | None:
    return next((f for f in fields if f.fid == fid), None)


def _shift(fields: list[Field], fid: int, delta: int) -> None:
    f = _get(fields, fid)
    if f is not None and f.value:  # 0: not set (writers leave the deprecated ones at 0)
        f.value += delta


def _moved_row_groups(footer: list[Field], delta: int, ordinal: int) -> list[list[Field]]:
    """The footer's row groups with every position moved by ``delta`` bytes and ordinals
    counted from ``ordinal``."""
    groups = _get(footer, FILE_ROW_GROUPS)
    if groups is None:
        return []
    out = []
    for k, group in enumerate(groups.value.items):
        _shift(group, GROUP_FILE_OFFSET, delta)
        number = _get(group, GROUP_ORDINAL)
        if number is not None:
            number.value = ordinal + k
        columns = _get(group, GROUP_COLUMNS)
        for chunk in columns.value.items if columns is not None else []:
            if any(_get(chunk, fid) is not None for fid in
                   (CHUNK_OFFSET_INDEX, CHUNK_COLUMN_INDEX, CHUNK_CRYPTO,
                    CHUNK_ENCRYPTED_META)):
                raise CannotJoin("a column has a page index or is encrypted")
            _shift(chunk, CHUNK_FILE_OFFSET, delta)
            meta = _get(chunk, CHUNK_META)
            for fid in META_PAGE_OFFSETS:
                _shift(meta.value if meta is not None else [], fid, delta)
        out.append(group)
    return out


def read_footer(handle: BinaryIO, size: int) -> tuple[bytes, int]:
    """A file's footer bytes and where its row-group data ends."""
    if size < 12:
        raise CannotJoin("too short to be a Parquet file")
    handle.seek(size - 8)
    tail = handle.read(8)
    length = struct.unpack("<I", tail[:4])[0]
    if tail[4:] != MAGIC or length > size - 12:
        raise CannotJoin("not a Parquet file (no footer)")
    handle.seek(0)
    if handle.read(4) != MAGIC:
        raise CannotJoin("not a Parquet file (no leading magic)")
    handle.seek(size - 8 - length)
    return handle.read(length), size - 8 - length


class JoinSink(Protocol):
    """Where a joined file goes: bytes written, and byte ranges copied from a file."""

    def write(self, data: Any) -> int: ...

    def copy_range(self, source: BinaryIO, start: int, stop: int) -> None: ...


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Decoded footers are many small objects without cycles: the cyclic collector
    would walk them all, again and again, as they pile up (most of the time spent)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ParquetJoiner:
    """Joins Parquet files one at a time (:meth:`add`) into ``sink``; :meth:`finish`
    writes the footer. A :class:`CannotJoin` leaves the sink's content unusable."""

    def __init__(self, sink: JoinSink) -> None:
        self.sink = sink
        self.first: list[Field] | None = None
        self.shared = b""
        self.groups: list[list[Field]] = []
        self.rows = 0
        self.position = len(MAGIC)
        sink.write(MAGIC)

    def add(self, path: Path) -> None:
        """Append the row groups of the Parquet file ``path``."""
        with _no_cyclic_gc(), path.open("rb") as handle:
            raw, data_end = read_footer(handle, path.stat().st_size)
            footer = decode_footer(raw)
            if _get(footer, FILE_ENCRYPTION) is not None:
                raise CannotJoin(f"{path.name} is encrypted")
            # schema, key-value metadata (the Arrow schema) and column orders must agree
            same = encode_footer([f for f in footer if f.fid in (2, 5, 7)])
            if self.first is None:
                self.first, self.shared = footer, same
            elif same != self.shared:
                raise CannotJoin(f"{path.name} has another schema than the first file")
            num_rows = _get(footer, FILE_NUM_ROWS)
            self.rows += num_rows.value if num_rows is not None else 0
            self.groups += _moved_row_groups(footer, self.position - len(MAGIC),
                                             len(self.groups))
            self.sink.copy_range(handle, len(MAGIC), data_end)
            self.position += data_end - len(MAGIC)

    def finish(self) -> int:
        """Write the footer; return the number of rows joined."""
        if self.first is None:
            raise CannotJoin("no files to join")
        with _no_cyclic_gc():
            merged = []
            for f in self.first:
                if f.fid == FILE_NUM_ROWS:
                    f = Field(f.fid, f.ttype, self.rows)
                elif f.fid == FILE_ROW_GROUPS:
                    f = Field(f.fid, f.ttype, ListValue(_STRUCT, self.groups))
                merged.append(f)
            footer_bytes = encode_footer(merged)
        self.sink.write(footer_bytes)
        self.sink.write(struct.pack("<I", len(footer_bytes)) + MAGIC)
        return self.rows


def join_parquet(paths: Iterable[Path], sink: JoinSink) -> int:
    """Write the Parquet files ``paths`` (same schema and settings) as one file to
    ``sink``; return its number of rows."""
    joiner = ParquetJoiner(sink)
    for path in paths:
        joiner.add(path)
    return joiner.finish()
