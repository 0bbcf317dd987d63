"""The bytes of a scenario file, checked before PyYAML sees them.

Everything that may be wrong about the bytes (size, encoding, control characters) is
checked here, so PyYAML only ever reports YAML syntax. A file is never read past
``MAX_BYTES + 1`` bytes, and a pipe or device is refused rather than waited on.
"""

from __future__ import annotations

import os
import re
import stat
from typing import Any, Final

from simulator.errors import Diagnostic, ScenarioError
from simulator.scenario.yaml._syntax import SAVE_AS_UTF8, line_col

MAX_BYTES: Final = 1 * 1024 * 1024

_MIB: Final = 1024 * 1024

# YAML's printable set (YAML 1.1 §5.1, the same set PyYAML and libyaml enforce).
_NOT_PRINTABLE: Final = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def decode_source(source: bytes | str, *, file: str = "<scenario>") -> str:
    """The checked text of a scenario (size, encoding, characters); raises ScenarioError."""
    if isinstance(source, str):
        # surrogatepass: a str may hold lone surrogates; they are reported below as
        # invalid characters, not as a crash while measuring the size.
        _check_size(len(source.encode("utf-8", "surrogatepass")), file)
        text = source[1:] if source.startswith("\ufeff") else source
    else:
        data = bytes(source)
        _check_size(len(data), file)
        text = _decode(data, file)
    _check_characters(text, file)
    return text


def read_limited(path: str | os.PathLike[str]) -> bytes:
    """A scenario file's bytes; refuses (ScenarioError) unreadable or too-large files
    without reading more than ``MAX_BYTES + 1`` bytes."""
    file = str(path)
    try:
        # non-blocking open: opening a FIFO for reading would otherwise wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise ScenarioError(Diagnostic(
                "not a regular file (a pipe, device or socket), so it is not read",
                file=file, hint="save the scenario to a file and give that file's path"))
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            data = _read_limited(handle, MAX_BYTES + 1)
            real_size = os.fstat(handle.fileno()).st_size if len(data) > MAX_BYTES else 0
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError(
            Diagnostic(
                f"cannot read the file: {reason}",
                file=file,
                hint="check the path and that the file exists and is readable",
            )
        ) from None
    if len(data) > MAX_BYTES:
        # A pipe or special file reports size 0; then all we know is "more than".
        _check_size(max(real_size, len(data)), file, exact=real_size > MAX_BYTES)
    return data


# ------------------------------------------------------------------ bytes and text


def _read_limited(handle: Any, limit: int) -> bytes:
    # read(n) may return fewer bytes than asked on pipes; loop, but never past limit.
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = handle.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _human_size(size: int) -> str:
    if size < 1.05 * _MIB:
        # Near the limit "1.0 MiB" would contradict "the limit is 1 MiB"; be exact.
        return f"{size:,} bytes"
    return f"{size / _MIB:.1f} MiB"


def _check_size(size: int, file: str, *, exact: bool = True) -> None:
    if size <= MAX_BYTES:
        return
    amount = _human_size(size) if exact else f"more than {MAX_BYTES // _MIB} MiB"
    raise ScenarioError(
        Diagnostic(
            f"file is {amount}; the limit is {MAX_BYTES // _MIB} MiB",
            file=file,
            expected=f"at most {MAX_BYTES // _MIB} MiB",
            found=amount,
            hint="a scenario this large is hard to review; split it into several "
            "scenarios, or move long descriptions and evidence into separate files",
        )
    )


_WIDE_BOMS: Final = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_UTF8_BOM: Final = b"\xef\xbb\xbf"


def _wide_encoding_error(name: str, file: str) -> ScenarioError:
    return ScenarioError(
        Diagnostic(
            f"the file is {name}; save it as UTF-8",
            file=file,
            expected="UTF-8 text",
            found=f"{name} text",
            hint=SAVE_AS_UTF8,
        )
    )


def _decode(data: bytes, file: str) -> str:
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            raise _wide_encoding_error(name, file)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if b"\x00" in data:
        # Without a BOM, UTF-16/32 text of mostly Latin letters is full of NUL bytes.
        # A stray NUL in otherwise normal text is reported later, with its position.
        sample = data[:4096]
        nuls = sample.count(0)
        if nuls * 4 >= len(sample):
            raise _wide_encoding_error("UTF-32" if nuls * 8 >= len(sample) * 5 else "UTF-16", file)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Everything before the first bad byte is valid, so it decodes and gives the
        # column in characters, as an editor shows it.
        prefix = data[: exc.start].decode("utf-8")
        line, column = line_col(prefix, len(prefix))
        bad = data[exc.start : exc.start + 1]
        raise ScenarioError(
            Diagnostic(
                f"the file is not valid UTF-8: byte \\x{bad[0]:02X} cannot appear here",
                file=file,
                line=line,
                column=column,
                expected="UTF-8 text",
                found=f"byte \\x{bad[0]:02X}",
                hint="the file was probably saved in another encoding (Windows-1252, "
                f"Latin-1, UTF-16); {SAVE_AS_UTF8}",
            )
        ) from None


def _check_characters(text: str, file: str) -> None:
    bad = _NOT_PRINTABLE.search(text)
    if bad is None:
        return
    char = bad.group()
    line, column = line_col(text, bad.start())
    if char == "\x00":
        message = "the file contains a NUL byte (\\x00)"
        hint = "a NUL byte means the file is binary, damaged, or saved as UTF-16; " + SAVE_AS_UTF8
    elif "\ud800" <= char <= "\udfff":
        message = f"the text contains an invalid character (lone surrogate U+{ord(char):04X})"
        hint = "the text was decoded wrongly before it reached geosim; " + SAVE_AS_UTF8
    else:
        message = f"control character U+{ord(char):04X} is not allowed"
        hint = (
            "delete it; it is invisible in most editors and usually comes from copying "
            "text out of a PDF, a terminal or a word processor"
        )
    raise ScenarioError(
        Diagnostic(
            message,
            file=file,
            line=line,
            column=column,
            expected="printable text",
            found=f"U+{ord(char):04X}",
            hint=hint,
        )
    )
