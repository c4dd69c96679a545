"""Text encodings of source files: detect, check row by row, transcode to UTF-8 when needed.

Exports from Chinese ERP/WMS systems come in UTF-8, UTF-8 with a byte-order mark (Excel's
"CSV UTF-8") or GB18030/GBK (Excel's default "CSV" on a Chinese Windows). DuckDB's CSV reader
reads UTF-8 only, so:

1. a byte-order mark decides (UTF-8 or UTF-16);
2. otherwise the whole file is decoded as UTF-8 in 1 MiB chunks (C speed, constant memory);
   success means DuckDB reads the file as it is;
3. otherwise every line is classified: ASCII, valid UTF-8, valid GB18030 (a superset of GBK
   and GB2312) or neither. The majority of the non-ASCII lines decides the file's encoding; the
   other lines are *mixed-encoding rows*, reported with their row and column so the load can
   quarantine them (keeping their text decoded in their own encoding, so nothing is lost).
   The file is transcoded to a temporary UTF-8 copy for DuckDB, line for line, so row numbers
   stay the same.

A mapping may declare its encoding; when most non-ASCII rows do not decode in it, the file is
refused with a message that names the first such row and the encoding that would fit.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from replenlib.errors import InputDataError

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
GB18030 = "gb18030"
UTF16 = "utf-16"
_ALIASES = {
    "utf8": UTF8,
    "utf-8": UTF8,
    "utf-8-sig": UTF8_BOM,
    "utf8-sig": UTF8_BOM,
    "gbk": GB18030,
    "gb2312": GB18030,
    "gb18030": GB18030,
    "cp936": GB18030,
    "utf-16": UTF16,
    "utf16": UTF16,
}


@dataclass(frozen=True)
class OddRow:
    """A row whose bytes are not in the file's encoding.

    ``row`` counts lines with the header as row 1; ``field`` is the 0-based index of the first
    field holding non-ASCII text (``-1`` when unknown); ``text`` is the row decoded as well as
    possible; ``found`` names the encoding it decodes in (``"unknown"`` if none).
    """

    row: int
    field: int
    text: str
    found: str


@dataclass(frozen=True)
class EncodingReport:
    """The encoding a file was read in and the rows that did not fit it.

    ``needs_transcoding`` tells whether DuckDB must read a UTF-8 copy instead of the file.
    """

    encoding: str
    odd_rows: tuple[OddRow, ...]
    needs_transcoding: bool


def normalise_encoding_name(name: str) -> str:
    """Return the canonical name for an encoding a mapping may declare (``auto`` stays)."""
    key = name.strip().lower().replace("_", "-")
    if key == "auto":
        return "auto"
    if key not in _ALIASES:
        known = ", ".join(sorted({"auto", *_ALIASES}))
        raise InputDataError(f"unknown encoding {name!r} in the mapping; expected one of {known}")
    return _ALIASES[key]


def detect_encoding(path: Path, declared: str = "auto", delimiter: str = ",") -> EncodingReport:
    """Detect the encoding of ``path`` and list the rows that do not fit it.

    Parameters
    ----------
    path : the CSV file
    declared : ``"auto"`` or the encoding the mapping declares
    delimiter : the field separator, to name the column of an odd row
    """
    declared = normalise_encoding_name(declared)
    head = _head(path)
    if head.startswith(codecs.BOM_UTF8):
        declared_bom = declared in ("auto", UTF8, UTF8_BOM)
        if declared_bom and _is_valid(path, UTF8_BOM):
            return EncodingReport(UTF8_BOM, (), needs_transcoding=False)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return EncodingReport(UTF16, (), needs_transcoding=True)
    if declared in ("auto", UTF8) and _plausible_utf8(path):
        return EncodingReport(UTF8, (), needs_transcoding=False)
    if declared == GB18030 and _is_valid(path, GB18030) and not _has_utf8_rows(path):
        return EncodingReport(GB18030, (), needs_transcoding=True)
    return _classify_rows(path, declared, delimiter)


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(4)


def _is_valid(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        for chunk in _chunks(path):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_UNLIKELY = re.compile(r"[\u0400-\u07ff]")  # Cyrillic … Arabic: GB18030 pairs read as UTF-8


def _cjk_score(text: str) -> int:
    return len(_CJK.findall(text)) - len(_UNLIKELY.findall(text))


def _plausible_utf8(path: Path) -> bool:
    """Valid UTF-8 that is not GB18030 in disguise (医院 in GB18030 is valid UTF-8 'ҽԺ').

    One pass over the file: each chunk is decoded strictly (invalid UTF-8: False), and a chunk
    with no Chinese text but Cyrillic … Arabic letters is GB18030 read as UTF-8.
    """
    decoder = codecs.getincrementaldecoder(UTF8)(errors="strict")
    try:
        for chunk in _chunks(path):
            if chunk.isascii() and not decoder.getstate()[0]:
                continue
            text = decoder.decode(chunk)
            if not _CJK.search(text) and _UNLIKELY.search(text):
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _has_utf8_rows(path: Path) -> bool:
    return any(_kind(line) == UTF8 for line in _lines(path))


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


def _lines(path: Path) -> Iterator[bytes]:
    """Lines as bytes without their end; safe for GB18030, whose bytes never include 0x0A."""
    with path.open("rb") as handle:
        for line in handle:
            yield line.rstrip(b"\r\n")


def _kind(line: bytes) -> str:
    """``ascii``, ``utf-8``, ``gb18030`` or ``unknown``; a line valid in both encodings goes to
    the one that reads as more Chinese text."""
    if line.isascii():
        return "ascii"
    decoded = {}
    for encoding in (UTF8, GB18030):
        try:
            decoded[encoding] = line.decode(encoding)
        except UnicodeDecodeError:
            continue
    if not decoded:
        return "unknown"
    if len(decoded) == 1:
        return next(iter(decoded))
    return UTF8 if _cjk_score(decoded[UTF8]) >= _cjk_score(decoded[GB18030]) else GB18030


def _classify_rows(path: Path, declared: str, delimiter: str) -> EncodingReport:
    """Classify every line; the majority (or the declared encoding) wins."""
    kinds: dict[str, list[int]] = {UTF8: [], GB18030: [], "unknown": []}
    for number, line in enumerate(_lines(path), start=1):
        kind = _kind(line.removeprefix(codecs.BOM_UTF8) if number == 1 else line)
        if kind != "ascii":
            kinds[kind].append(number)
    majority = UTF8 if len(kinds[UTF8]) >= len(kinds[GB18030]) else GB18030
    chosen = majority if declared == "auto" else declared
    if chosen != majority and declared != "auto":
        _refuse_declared(path, declared, majority, kinds)
    odd_numbers = sorted(n for kind, rows in kinds.items() if kind != chosen for n in rows)
    odd = tuple(_odd_rows(path, set(odd_numbers), delimiter))
    log.info("%s: %s with %d rows in another encoding", path, chosen, len(odd))
    return EncodingReport(chosen, odd, needs_transcoding=True)


def _refuse_declared(path: Path, declared: str, majority: str, kinds: dict[str, list[int]]) -> None:
    wrong = kinds[majority] or kinds["unknown"]
    first = min(wrong) if wrong else 1
    odd = next(_odd_rows(path, {first}, ","), None)
    column = f", field {odd.field + 1}" if odd and odd.field >= 0 else ""
    raise InputDataError(
        f"{path.name}, row {first}{column}: the mapping declares encoding {declared} but "
        f"{len(wrong)} rows are not {declared}; the file reads as {majority} "
        f"(set `encoding: {majority}` or `encoding: auto` in the mapping)"
    )


def _odd_rows(path: Path, numbers: set[int], delimiter: str) -> Iterator[OddRow]:
    if not numbers:
        return
    for number, line in enumerate(_lines(path), start=1):
        if number in numbers:
            found = _kind(line)
            text = line.decode(found if found in (UTF8, GB18030) else UTF8, errors="replace")
            yield OddRow(number, _first_non_ascii_field(text, delimiter), text, found)


def _first_non_ascii_field(text: str, delimiter: str) -> int:
    for index, value in enumerate(text.split(delimiter)):
        if not value.isascii():
            return index
    return -1


def transcode(path: Path, target: Path, report: EncodingReport) -> None:
    """Write ``path`` as UTF-8 to ``target``, line for line (odd rows in their own encoding).

    Row numbers are kept: every source line becomes exactly one target line.
    """
    odd = {r.row: r.text for r in report.odd_rows}
    if report.encoding == UTF16:
        _transcode_stream(path, target, UTF16)
        return
    with target.open("w", encoding=UTF8, newline="") as out:
        for number, line in enumerate(_lines(path), start=1):
            text = odd[number] if number in odd else line.decode(report.encoding, errors="replace")
            if number == 1:
                text = text.removeprefix("\ufeff")
            out.write(text)
            out.write("\n")


def _transcode_stream(path: Path, target: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with target.open("w", encoding=UTF8, newline="") as out:
        for chunk in _chunks(path):
            out.write(decoder.decode(chunk))
        out.write(decoder.decode(b"", final=True))
