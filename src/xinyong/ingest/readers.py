"""Read uploaded 双公示 tables (CSV, XLSX, JSON) faithfully into rows of text.

This layer does not interpret values: it only turns a file into a header tuple and
rows of stripped strings, and rejects files that cannot be read as a whole. Per-cell
judgements (dates, IDs, formulas, nested JSON, extra cells) are left to the
validator, which gets enough markers on each ``RawRow`` to make them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import math
import operator
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal
from xml.etree import ElementTree as ET

import charset_normalizer
import python_calamine

from xinyong.kernel.errors import InputError, InputLimitExceeded, UnsupportedEncoding, clip_echo
from xinyong.kernel.memory import collector_paused
from xinyong.kernel.settings import Settings

__all__ = [
    "RawRow",
    "RawTable",
    "ReadLimits",
    "TableFormat",
    "column_letter",
    "detect_format",
    "read_table",
]

TableFormat = Literal["csv", "xlsx", "json"]

_CSV_DELIMITERS = (",", "\t", ";", "|")
_SNIFF_CHARS = 64 * 1024
_SNIFF_RECORDS = 50

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .xlsx is not a zip but an OLE2 container holding this stream.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ZIP_MAGIC = b"PK\x03\x04"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# How much of a non-UTF-8 file charset-normalizer judges (it samples within it anyway).
_ENCODING_SAMPLE = 256 * 1024
_GB_ENCODINGS = frozenset({"gb18030", "gbk", "gb2312", "cp936", "hz"})
_ENCODING_NAMES = {
    "big5": "Big5",
    "big5hkscs": "Big5",
    "cp950": "Big5",
    "cp932": "Shift_JIS",
    "shift_jis": "Shift_JIS",
    "shift_jis_2004": "Shift_JIS",
    "shift_jisx0213": "Shift_JIS",
    "euc_jp": "EUC-JP",
    "euc_jis_2004": "EUC-JP",
    "euc_jisx0213": "EUC-JP",
    "cp949": "EUC-KR",
    "euc_kr": "EUC-KR",
    "johab": "EUC-KR",
    "utf_16": "UTF-16",
    "utf_16_le": "UTF-16",
    "utf_16_be": "UTF-16",
    "utf_32": "UTF-32",
}

# Members smaller than this are not judged by their compression ratio (tiny styles parts).
_RATIO_FLOOR = 1024 * 1024

_XML_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_FORMULA_TAG = re.compile(rb"<" + _XML_PREFIX + rb"f[\s/>]")
_CELL_START = re.compile(
    rb"<" + _XML_PREFIX + rb"c\s[^>]*?(?<=\s)r\s*=\s*[\"']([A-Za-z]{1,3})([0-9]+)[\"']"
)
_PLAIN_CELL_START = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"')
_OTHER_CELL_TAGS = re.compile(rb"<c[>/\t\n\r]")
_FIRST = operator.itemgetter(0)
_SECOND = operator.itemgetter(1)
_CELL_TAG = re.compile(rb"<" + _XML_PREFIX + rb"c[\s/>]")
_ROW_END = re.compile(rb"</" + _XML_PREFIX + rb"row\s*>")
_SHEET_DATA_START = re.compile(rb"<" + _XML_PREFIX + rb"sheetData[\s/>]")
_SHEET_DATA_END = re.compile(rb"</" + _XML_PREFIX + rb"sheetData\s*>")
_DIMENSION = re.compile(rb"<" + _XML_PREFIX + rb"dimension\s[^>]*?ref\s*=\s*[\"']([^\"']*)[\"']")
_SCAN_CHUNK = 4 << 20
# Longer than any real cell or row tag; beyond it the exact (slow) scan takes over.
_SCAN_MAX_UNCUT = 16 << 20
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row. ``cells`` has exactly one string per header ("" when empty).

    ``number`` is the row the submitter sees (CSV/XLSX: spreadsheet row, header = 1
    for a file starting at the top; JSON: 1-based index in the array).
    ``formula_columns`` / ``nested_columns`` list header indexes whose cell was a
    spreadsheet formula / a nested JSON object or array; ``extra_cells`` holds
    non-empty cells beyond the last header. The validator rejects all three.
    """

    number: int
    cells: tuple[str, ...]
    formula_columns: tuple[int, ...] = ()
    extra_cells: tuple[str, ...] = ()
    nested_columns: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RawTable:
    format: TableFormat
    encoding: str | None  # csv only: "utf-8", "utf-8-sig" or "gb18030"
    headers: tuple[str, ...]
    rows: list[RawRow]
    source_name: str
    sheet: str | None = None  # xlsx: the sheet that was read
    delimiter: str | None = None  # csv only


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """What one file may make the readers build, beyond its size and row count.

    Each bound is checked before the work it bounds (docs/operations.md, 输入限制); the
    defaults are those of ``Settings``.
    """

    max_columns: int = 1_000
    max_cell_chars: int = 32_767
    max_csv_lines: int = 10_000_000
    max_xlsx_cells: int = 30_000_000
    max_xlsx_uncompressed_bytes: int = 2 * 1024 * 1024 * 1024
    max_xlsx_ratio: int = 200
    max_json_depth: int = 32
    max_json_number_digits: int = 64
    max_json_keys: int = 1_000
    max_echo_chars: int = 200

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadLimits:
        return cls(
            max_columns=settings.max_import_columns,
            max_cell_chars=settings.max_import_cell_chars,
            max_csv_lines=settings.max_import_csv_lines,
            max_xlsx_cells=settings.max_import_xlsx_cells,
            max_xlsx_uncompressed_bytes=settings.max_import_xlsx_uncompressed_bytes,
            max_xlsx_ratio=settings.max_import_xlsx_ratio,
            max_json_depth=settings.max_import_json_depth,
            max_json_number_digits=settings.max_import_json_number_digits,
            max_json_keys=settings.max_import_json_keys,
            max_echo_chars=settings.max_echo_chars,
        )


# --------------------------------------------------------------------------- helpers


def _limit_error(
    what_en: str,
    what_zh: str,
    found: int,
    limit: int,
    setting: str,
    advice: str = "请拆分或精简后重新上传。",
    *,
    unit: str = "",
) -> InputLimitExceeded:
    """The one shape of a limit breach: which limit, the value found, the limit."""
    sep = " " if unit else ""
    return InputLimitExceeded(
        f"{what_en} is {found}, limit {limit} ({setting})",
        f"{what_zh}为 {found:,}{sep}{unit}，超过上限 {limit:,}{sep}{unit}（{setting}）。{advice}",
    )


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def _column_index_bytes(letters: bytes) -> int:
    return _column_index(letters.decode("ascii"))


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - ord("A") + 1)
    return n - 1


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} 字节"


def _position(index: int, first_column: int) -> tuple[str, str]:
    """(Chinese, English) description of a header position for messages."""
    letter = column_letter(first_column + index)
    return f"第 {index + 1} 列（{letter} 列）", f"column {index + 1} ({letter})"


def _clean_header(name: str) -> str:
    return name.strip().strip("\ufeff\u200b").strip()


def _finish_headers(
    raw: Sequence[str], *, header_row: int, first_column: int = 0
) -> tuple[str, ...]:
    """Validate a header row and return the cleaned names.

    Trailing blank names are dropped because spreadsheets routinely export empty
    formatted columns; any data under them surfaces as ``extra_cells`` so nothing is
    lost silently. Blank names in the middle and duplicates are whole-file errors:
    a later stage maps columns by name and cannot guess which one is meant.
    """
    names = [_clean_header(h) for h in raw]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise InputError(
            "no header row found",
            "文件没有表头：第一行应为列名（如“行政相对人名称”“统一社会信用代码”）。",
        )
    blanks = [i for i, name in enumerate(names) if not name]
    if blanks:
        raise _blank_header_error(blanks, header_row, first_column)
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        seen.setdefault(name, []).append(i)
    duplicates = {name: idx for name, idx in seen.items() if len(idx) > 1}
    if duplicates:
        parts_zh = []
        parts_en = []
        for name, idx in duplicates.items():
            parts_zh.append(
                f"“{clip_echo(name, 60)}”出现在"
                + "和".join(_position(i, first_column)[0] for i in idx)
            )
            parts_en.append(
                f"{clip_echo(name, 60)!r} at "
                + " and ".join(_position(i, first_column)[1] for i in idx)
            )
        raise InputError(
            "duplicate column names: " + "; ".join(parts_en),
            "表头列名重复："
            + "；".join(parts_zh)
            + "。每个列名只能出现一次，请删除或改名后重新上传。",
        )
    return tuple(names)


def _blank_header_error(blanks: Iterable[int], header_row: int, first_column: int) -> InputError:
    where_zh = "、".join(_position(i, first_column)[0] for i in blanks)
    where_en = ", ".join(_position(i, first_column)[1] for i in blanks)
    return InputError(
        f"blank column name in header row {header_row}: {where_en}",
        f"表头（第 {header_row} 行）{where_zh}的列名为空。每一列都必须有列名；"
        "如果第一行是标题或说明文字，请删除后重新上传。",
    )


def _check_data_under_blank_headers(
    raw_width: int, headers: tuple[str, ...], rows: list[RawRow], header_row: int, first_column: int
) -> None:
    """Refuse the file when most rows have data under trimmed blank header names.

    That pattern means the "header" is really a title line such as
    「2024年行政处罚信息」 above the real header, and every row would otherwise be
    rejected for extra cells. A few stray cells stay a per-row problem.
    """
    width = len(headers)
    if raw_width <= width:
        return
    with_extra = [row for row in rows if row.extra_cells]
    if len(with_extra) * 2 <= len(rows):
        return
    reach = max(len(row.extra_cells) for row in with_extra)
    raise _blank_header_error(range(width, min(raw_width, width + reach)), header_row, first_column)


def _trim_trailing_blanks(cells: tuple[str, ...]) -> tuple[str, ...]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def _too_many_rows(max_rows: int) -> InputError:
    return InputLimitExceeded(
        f"more than {max_rows} data rows (XINYONG_MAX_IMPORT_ROWS)",
        f"数据行数超过上限 {max_rows:,} 行（XINYONG_MAX_IMPORT_ROWS）。请拆分成多个文件后分别上传。",
    )


def _check_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise InputLimitExceeded(
            f"file is {len(data)} bytes, limit is {max_bytes}",
            f"文件大小为 {_human_size(len(data))}（{len(data):,} 字节），"
            f"超过上限 {_human_size(max_bytes)}（{max_bytes:,} 字节）。"
            "请拆分成多个文件后分别上传。（XINYONG_MAX_IMPORT_BYTES）",
        )
    # Only a blank start can mean a blank file; avoid copying large uploads to check.
    if not data[:4096].removeprefix(_UTF8_BOM).strip() and not data.removeprefix(_UTF8_BOM).strip():
        raise InputError("file is empty", "文件为空，没有任何内容。")


# ------------------------------------------------------------------ format detection


def _bad_zip() -> InputError:
    return InputError(
        "corrupt or unreadable xlsx file",
        "Excel 文件已损坏或不是有效的 .xlsx 文件，无法读取。"
        "请用 Excel 或 WPS 打开后重新“另存为” .xlsx 再上传。",
    )


def _encrypted() -> InputError:
    return InputError(
        "xlsx file is password-protected (encrypted)",
        "Excel 文件设置了打开密码（已加密），系统无法读取。请取消密码后另存为 .xlsx 再上传。",
    )


def detect_format(data: bytes, filename: str) -> TableFormat:
    """Decide how to read ``data``: by content first, then by the file extension."""
    if data.startswith(_OLE2_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            raise _encrypted()
        raise InputError(
            "legacy binary Office file (.xls) is not supported",
            "不支持旧版 Excel 97-2003 格式（.xls）等二进制文件。"
            "请在 Excel 或 WPS 中“另存为” .xlsx 或 CSV（UTF-8）后重新上传。",
        )
    if data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError) as exc:
            raise _bad_zip() from exc
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise InputError(
            "zip archive is not an xlsx workbook",
            "上传的是压缩文件，但不是 Excel 工作簿（.xlsx）。"
            "请直接上传 .xlsx、CSV 或 JSON 文件；WPS 或 LibreOffice 表格请先另存为 .xlsx。",
        )
    if data.startswith(b"%PDF"):
        raise InputError(
            "PDF files cannot be imported",
            "PDF 文件无法导入。请上传 .xlsx、CSV 或 JSON 格式的数据文件。",
        )
    head = data[:4096].removeprefix(_UTF8_BOM).lstrip()
    if head[:1] in (b"[", b"{"):
        return "json"
    if head[:1] == b"<":
        # Many government systems export "Excel" files that are really HTML or
        # SpreadsheetML 2003 XML with an .xls name.
        raise InputError(
            "HTML/XML document is not a supported table format",
            "文件内容是网页（HTML）或 XML 格式，并非真正的 Excel 文件。"
            "请用 Excel 或 WPS 打开后“另存为” .xlsx 或 CSV（UTF-8）再上传。",
        )
    ext = posixpath.splitext(filename.replace("\\", "/").lower())[1]
    if ext in (".xlsx", ".xlsm"):
        raise _bad_zip()
    if ext == ".json":
        raise InputError(
            "JSON file does not start with an array or object",
            "JSON 文件内容应以 [ 或 { 开头（记录数组，或含一个记录数组的对象）。",
        )
    # Anything else that is text is read as CSV, including the tab-separated text
    # some systems export under an .xls name; binary junk fails in decoding.
    return "csv"


def read_table(
    data: bytes,
    *,
    filename: str,
    max_bytes: int,
    max_rows: int,
    limits: ReadLimits = ReadLimits(),
) -> RawTable:
    """Read an uploaded table. Raises ``InputError`` when the file as a whole is unusable
    (``InputLimitExceeded`` when it breaks one of ``limits``)."""
    _check_size(data, max_bytes)
    fmt = detect_format(data, filename)
    if fmt == "xlsx":
        return _read_xlsx(data, filename, max_rows, limits)
    if fmt == "json":
        return _read_json(data, filename, max_rows, limits)
    return _read_csv(data, filename, max_rows, limits)


# ------------------------------------------------------------------------------ text


def _utf16_without_bom(data: bytes) -> str | None:
    """ "UTF-16LE"/"UTF-16BE" when the start of ``data`` reads as printable UTF-16 text with
    NUL high bytes on one side of each pair (ASCII in UTF-16); None for other binary."""
    sample = data[:4096]
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    for codec, name, nuls, others in (
        ("utf-16-le", "UTF-16LE", odd, even),
        ("utf-16-be", "UTF-16BE", even, odd),
    ):
        if nuls * 10 < len(sample) or others * 10 > nuls:
            continue
        text = sample.decode(codec, errors="replace").rstrip("\ufffd")  # a cut pair at the end
        if all(ch.isprintable() or ch in "\t\r\n" for ch in text):
            return name
    return None


def _suspected_encoding(data: bytes) -> str | None:
    """The encoding charset-normalizer finds more plausible than GB18030, if any.

    GB18030 decodes almost any byte sequence, so a Big5, Shift_JIS or EUC-KR file
    "decodes" as GB18030 mojibake; it would enter the append-only ledger as such.
    """
    sample = data[:_ENCODING_SAMPLE]
    if len(data) > len(sample) and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]  # no character cut in half
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    if best is None:
        return None  # nothing judged plausible: no better guess than GB18030
    if any(m.encoding in _GB_ENCODINGS and m.chaos <= best.chaos + 0.05 for m in matches):
        return None
    name = best.encoding
    return _ENCODING_NAMES.get(name, name.upper().replace("_", "-"))


def _decode(data: bytes) -> tuple[str, str]:
    """Decode strictly as UTF-8 (with/without BOM), else GB18030; return (text, encoding)."""
    if data.startswith(_UTF16_BOMS):
        raise UnsupportedEncoding(
            "file is UTF-16 encoded",
            "文件是 UTF-16 编码（Excel“Unicode 文本”）。"
            "请另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后重新上传。",
        )
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            raise UnsupportedEncoding(
                f"file looks {utf16} encoded without a BOM",
                f"文件疑似 UTF-16 编码（{utf16}，无 BOM），不是 UTF-8 或 GB18030。"
                "请另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后重新上传。",
            )
        raise InputError(
            "file contains NUL bytes; not a text table",
            "文件含有二进制内容（空字节），不是文本表格。请上传 .xlsx、CSV 或 JSON 文件。",
        )
    if data.startswith(_UTF8_BOM):
        try:
            return data[len(_UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            where = exc.start + len(_UTF8_BOM) + 1
            raise UnsupportedEncoding(
                f"invalid UTF-8 after BOM near byte {where}",
                f"文件开头标明为 UTF-8 编码，但第 {where:,} 字节附近不是有效的 UTF-8。"
                "请用“CSV UTF-8”重新导出。",
            ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        # The encoding that decoded further is the more likely intent; point there.
        where = max(utf8_error, exc.start) + 1
        raise UnsupportedEncoding(
            f"encoding not recognised: neither UTF-8 nor GB18030 (near byte {where})",
            f"文件编码无法识别：既不是 UTF-8 也不是 GB18030（第 {where:,} 字节附近）。"
            "请另存为“CSV UTF-8”或 .xlsx 后重新上传。",
        ) from None
    suspected = _suspected_encoding(data)
    if suspected is not None:
        raise UnsupportedEncoding(
            f"file looks {suspected} encoded, not UTF-8 or GB18030",
            f"文件疑似 {suspected} 编码，不是 UTF-8 或 GB18030：按 GB18030 读出的是乱码，"
            "已拒收。请另存为“CSV UTF-8”或 .xlsx 后重新上传。",
        )
    return text, "gb18030"


# ------------------------------------------------------------------------------- CSV


def _sniff_delimiter(text: str) -> str:
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    best = ","
    best_score: tuple[float, int] = (0.0, 1)
    for delimiter in _CSV_DELIMITERS:
        records: list[list[str]] = []
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            for record in reader:
                if any(cell.strip() for cell in record):
                    records.append(record)
                if len(records) >= _SNIFF_RECORDS:
                    break
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        consistency = sum(len(r) == width for r in records) / len(records)
        score = (consistency, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(data: bytes, source_name: str, max_rows: int, limits: ReadLimits) -> RawTable:
    # "\n" is never part of a multi-byte UTF-8 or GB18030 character: count before decoding.
    lines = data.count(b"\n") + 1
    if lines > limits.max_csv_lines:
        raise _limit_error(
            "CSV line count",
            "CSV 文件的行数",
            lines,
            limits.max_csv_lines,
            "XINYONG_MAX_IMPORT_CSV_LINES",
            "请拆分成多个文件后分别上传。",
            unit="行",
        )
    text, encoding = _decode(data)
    delimiter = _sniff_delimiter(text)
    with collector_paused():
        return _parse_csv(text, encoding, delimiter, source_name, max_rows, limits)


class _CellTooLong(Exception):
    def __init__(self, length: int) -> None:
        self.length = length


def _cell_too_long(where_zh: str, where_en: str, length: int, limit: int) -> InputError:
    return _limit_error(
        f"cell length {where_en}",
        f"{where_zh}单元格的长度",
        length,
        limit,
        "XINYONG_MAX_IMPORT_CELL_CHARS",
        "单元格内容过长，可能是引号不配对或不是数据表；请检查后重新上传。",
        unit="字",
    )


class _CsvRecords:
    """Records exactly as ``csv.reader(strict=True)`` would yield them, but faster.

    csv's per-character state machine dominates large reads. A physical line without
    any quote character is a complete record that csv would simply split on the
    delimiter, so it is split with ``str.split``. A line containing a quote goes to a
    csv reader fed from the same line iterator, so a quoted field spanning lines pulls
    its continuation lines exactly as a whole-file parse would.
    """

    def __init__(self, text: str, delimiter: str, max_cell: int) -> None:
        self._text = text
        self._delimiter = delimiter
        self._max_cell = max_cell
        self.line = 0  # physical line reached, for error messages

    def _checked(self, record: list[str]) -> list[str]:
        longest = max(map(len, record), default=0)
        if longest > self._max_cell:
            raise _CellTooLong(longest)
        return record

    def __iter__(self) -> Iterator[list[str]]:
        text, delimiter = self._text, self._delimiter
        if text.count("\r") != text.count("\r\n"):
            # A bare CR is a line end outside quotes but data inside them; only the
            # csv module can tell which (rare: old Mac exports, odd cell content).
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
            try:
                for record in reader:
                    yield self._checked(record)
            finally:
                self.line = reader.line_num
            return
        # str.split beats a line generator and io.StringIO (which copies the text into
        # a 4-byte-per-character buffer). Lines keep the \r of CRLF ends.
        lines = iter(text.split("\n"))
        physical = 0
        max_cell = self._max_cell
        for line in lines:
            physical += 1
            if '"' not in line:
                cells = (line[:-1] if line.endswith("\r") else line).split(delimiter)
                # Only a line longer than the limit can hold a cell longer than it.
                if len(line) > max_cell:
                    self.line = physical
                    cells = self._checked(cells)
                yield cells
                continue
            # strict: malformed quoting is reported instead of silently glued together.
            reader = csv.reader(
                itertools.chain((line + "\n",), (more + "\n" for more in lines)),
                delimiter=delimiter,
                strict=True,
            )
            try:
                record = next(reader, [])
            finally:
                physical += max(reader.line_num - 1, 0)
                self.line = physical
            yield self._checked(record)


def _too_many_columns(found: int, limit: int, where_zh: str) -> InputError:
    return _limit_error(
        "column count",
        f"{where_zh}的列数",
        found,
        limit,
        "XINYONG_MAX_IMPORT_COLUMNS",
        "请删除多余的列，或检查分隔符后重新上传。",
        unit="列",
    )


def _parse_csv(
    text: str,
    encoding: str,
    delimiter: str,
    source_name: str,
    max_rows: int,
    limits: ReadLimits = ReadLimits(),
) -> RawTable:
    records = _CsvRecords(text, delimiter, limits.max_cell_chars)
    max_columns = limits.max_columns
    strip = str.strip
    headers: tuple[str, ...] | None = None
    raw_width = header_row = width = 0
    rows: list[RawRow] = []
    append = rows.append
    # Row numbers count records (what a spreadsheet shows), not physical lines,
    # so a quoted newline does not shift later row numbers.
    try:
        for number, record in enumerate(records, start=1):
            if len(record) > max_columns:
                raise _too_many_columns(len(record), max_columns, f"第 {number:,} 行")
            if headers is None:
                if any(strip(c) for c in record):
                    headers = _finish_headers(record, header_row=number)
                    raw_width, header_row, width = len(record), number, len(headers)
                continue
            cells = tuple(map(strip, record))
            n = len(cells)
            if n == width:
                if not any(cells):
                    continue
                append(RawRow(number, cells))
            elif n < width:
                if not any(cells):
                    continue
                append(RawRow(number, cells + ("",) * (width - n)))
            else:
                extra = _trim_trailing_blanks(cells[width:])
                if extra:
                    append(RawRow(number, cells[:width], extra_cells=extra))
                elif any(cells):
                    append(RawRow(number, cells[:width]))
            if len(rows) > max_rows:
                raise _too_many_rows(max_rows)
    except _CellTooLong as exc:
        raise _cell_too_long(
            f"第 {records.line:,} 行附近",
            f"near line {records.line}",
            exc.length,
            limits.max_cell_chars,
        ) from None
    except csv.Error as exc:
        line = records.line
        if "field larger than field limit" in str(exc):
            # csv stops at its own limit (above ours) before we can measure the cell.
            raise _cell_too_long(
                f"第 {line:,} 行附近",
                f"near line {line}",
                csv.field_size_limit() + 1,
                limits.max_cell_chars,
            ) from None
        raise InputError(
            f"malformed CSV near line {line}: {exc}",
            f'CSV 格式错误：第 {line:,} 行附近的引号不配对（单元格内的双引号应写成两个 ""）。',
        ) from exc
    if headers is None:
        raise InputError(
            "no header row: the file has no non-blank line",
            "文件没有表头：所有行都是空的。",
        )
    _check_data_under_blank_headers(raw_width, headers, rows, header_row, 0)
    return RawTable(
        format="csv",
        encoding=encoding,
        headers=headers,
        rows=rows,
        source_name=source_name,
        delimiter=delimiter,
    )


# ------------------------------------------------------------------------------ XLSX


def _excel_number(value: float) -> str:
    if not math.isfinite(value):
        return repr(value)
    if value.is_integer():
        # Exact digits of the stored double, never "1.1e+17". Excel itself keeps only
        # 15 significant digits, so an 18-digit ID typed as a number already lost its
        # tail before it reached us; the validator's checksum will reject it.
        return str(int(value))
    # repr round-trips; Decimal avoids scientific notation for tiny values.
    return format(Decimal(repr(value)), "f")


def _round_to_second(moment: dt.datetime) -> dt.datetime:
    # Excel stores times as fractions of a day, which come back a few microseconds off.
    if moment.microsecond >= 500_000:
        moment += dt.timedelta(seconds=1)
    return moment.replace(microsecond=0)


def _excel_text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _excel_number(value)
    if isinstance(value, dt.datetime):
        moment = _round_to_second(value)
        if moment.time() == dt.time(0, 0):
            return moment.date().isoformat()
        return moment.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        stamp = _round_to_second(dt.datetime.combine(dt.date(2000, 1, 1), value))
        return stamp.time().isoformat()
    return str(value).strip()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr_by_local_name(elem: ET.Element, name: str, *, namespaced: bool) -> str | None:
    for key, value in elem.attrib.items():
        if _local(key) == name and (key.startswith("{") == namespaced):
            return value
    return None


def _sheet_xml_path(zf: zipfile.ZipFile, sheet_name: str) -> str:
    """Resolve a sheet's part name through workbook.xml and its relationships."""
    try:
        workbook = ET.fromstring(zf.read("xl/workbook.xml"))  # noqa: S314 - expat, no DTD entities
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except (KeyError, ET.ParseError, zipfile.BadZipFile, OSError) as exc:
        raise _bad_zip() from exc
    rel_id = None
    for elem in workbook.iter():
        if _local(elem.tag) == "sheet" and elem.get("name") == sheet_name:
            rel_id = _attr_by_local_name(elem, "id", namespaced=True)
            break
    target = None
    for elem in rels.iter():
        if _local(elem.tag) == "Relationship" and elem.get("Id") == rel_id:
            target = elem.get("Target")
            break
    if rel_id is None or target is None:
        raise _bad_zip()
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


class _UnusualSheetXml(Exception):
    """The fast sheet scan met a layout it does not handle; parse the XML properly."""


@dataclass(slots=True)
class _SheetScan:
    """What one pass over a sheet's XML found, before calamine builds anything from it.

    ``declared`` is the ``<dimension>`` the file claims; ``used`` the range its cells
    actually span (first row, first column, last row, last column; 1-based rows, 0-based
    columns), which is what calamine allocates densely.
    """

    formulas: dict[int, set[int]]
    declared: tuple[int, int, int, int] | None = None
    used: tuple[int, int, int, int] | None = None

    def extend(self, rows: Iterable[int], columns: Iterable[int]) -> None:
        rows, columns = list(rows), list(columns)
        if not rows or not columns:
            return
        lo_r, hi_r, lo_c, hi_c = min(rows), max(rows), min(columns), max(columns)
        if self.used is not None:
            lo_r, lo_c = min(lo_r, self.used[0]), min(lo_c, self.used[1])
            hi_r, hi_c = max(hi_r, self.used[2]), max(hi_c, self.used[3])
        self.used = (lo_r, lo_c, hi_r, hi_c)


def _parse_dimension(ref: str) -> tuple[int, int, int, int] | None:
    parts = [_CELL_REF.fullmatch(p.strip().replace("$", "")) for p in ref.split(":")]
    if not parts or len(parts) > 2 or any(p is None for p in parts):
        return None
    rows = [int(p.group(2)) for p in parts if p]
    cols = [_column_index(p.group(1)) for p in parts if p]
    return min(rows), min(cols), max(rows), max(cols)


def _last_cut(buf: bytes, start: int) -> int:
    """End of the last complete cell or row in ``buf`` (searching from ``start`` only,
    so a long run without one is scanned once, not once per chunk), or -1."""
    best = -1
    for marker in (b"</row>", b"</c>", b"/>"):
        pos = buf.rfind(marker, start)
        if pos != -1:
            best = max(best, pos + len(marker))
    if best == -1:
        for match in _ROW_END.finditer(buf, start):  # namespace-prefixed tags (rare)
            best = match.end()
    return best


def _scan_sheet_fast(chunks: Iterable[bytes]) -> _SheetScan:
    """Formula cells and the used range, found with byte regexes instead of XML elements.

    Parsing every ``<c>`` of a big sheet in Python costs tens of seconds. In sheet XML
    "<" never occurs in text, ``<f>`` is by schema the first child of ``<c>``, and the
    cell's ``r`` attribute gives its position, so for each ``<f`` the preceding tag names
    the cell. Regions are cut after a complete cell or row, so a cell start tag and its
    ``<f`` are never split; whitespace between elements is dropped, so a sheet of blanks
    costs one pass. Anything unexpected (a cell without ``r``, a huge tag) raises
    ``_UnusualSheetXml``.
    """
    scan = _SheetScan({})
    buf = b""
    first = True
    in_data = False
    done = False
    for chunk in itertools.chain(chunks, (b"",)):
        if done:
            continue  # drain the member so its size is verified
        if first:
            first = False
            if chunk.startswith(_UTF16_BOMS) or b"\x00" in chunk[:200]:
                raise _UnusualSheetXml
        searched = max(len(buf) - 8, 0)
        # A run of blanks collapses to one: a whitespace bomb then keeps no buffer.
        buf += b" " if chunk.isspace() else chunk
        if chunk:
            cut = _last_cut(buf, searched)
            if cut == -1:
                if len(buf) > _SCAN_MAX_UNCUT:
                    raise _UnusualSheetXml
                continue
        else:
            cut = len(buf)
        region, buf = buf[:cut], buf[cut:].lstrip()
        start = 0
        if not in_data:
            begin = _SHEET_DATA_START.search(region)
            head = region if begin is None else region[: begin.start()]
            dimension = _DIMENSION.search(head)
            if dimension is not None:
                scan.declared = _parse_dimension(dimension.group(1).decode("ascii", "replace"))
            if begin is None:
                if len(region) > _SCAN_MAX_UNCUT:
                    raise _UnusualSheetXml
                buf = region + buf  # keep looking for <sheetData>
                if not chunk:
                    done = True
                continue
            in_data = True
            start = begin.end()
        end = _SHEET_DATA_END.search(region, start)
        limit = end.start() if end else len(region)
        # Every cell as written by Excel, WPS, LibreOffice and openpyxl starts `<c r="`;
        # the general pattern (prefixes, other attribute order) is 5x slower per cell.
        refs = _PLAIN_CELL_START.findall(region, start, limit)
        plain = (
            len(refs) == region.count(b"<c ", start, limit)
            and _OTHER_CELL_TAGS.search(region, start, limit) is None
        )
        if not plain:
            refs = _CELL_START.findall(region, start, limit)
            if len(refs) != len(_CELL_TAG.findall(region, start, limit)):
                raise _UnusualSheetXml  # a cell without r: its position depends on order
        if refs:
            scan.extend(
                map(int, set(map(_SECOND, refs))),
                map(_column_index_bytes, set(map(_FIRST, refs))),
            )
        for match in _FORMULA_TAG.finditer(region, start, limit):
            tag_start = region.rfind(b"<", start, match.start())
            cell = _CELL_START.match(region, tag_start) if tag_start != -1 else None
            if cell is None:
                raise _UnusualSheetXml
            column = _column_index(cell.group(1).decode("ascii"))
            scan.formulas.setdefault(int(cell.group(2)), set()).add(column)
        if end is not None or not chunk:
            done = True
    return scan


class _ChunkReader(io.RawIOBase):
    """A read-only file over an iterator of byte chunks (for ``iterparse``)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            nxt = next(self._chunks, None)
            if nxt is None:
                return 0
            self._pending = nxt
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _scan_sheet_xml(chunks: Iterator[bytes]) -> _SheetScan:
    """Exact but slow: walk the sheet XML, tracking positions when ``r`` is omitted."""
    scan = _SheetScan({})
    row_number = 0
    column = -1
    parent: ET.Element | None = None
    rows: set[int] = set()
    columns: set[int] = set()
    stream = io.BufferedReader(_ChunkReader(chunks))
    for event, elem in ET.iterparse(stream, events=("start", "end")):  # noqa: S314
        name = _local(elem.tag)
        if event == "start":
            if name == "sheetData":
                parent = elem
            elif name == "row":
                r = elem.get("r")
                row_number = int(r) if r and r.isdigit() else row_number + 1
                column = -1
            elif name == "dimension" and parent is None:
                scan.declared = _parse_dimension(elem.get("ref") or "")
            continue
        if name == "c":
            ref = elem.get("r")
            match = _CELL_REF.fullmatch(ref) if ref else None
            if match:
                column = _column_index(match.group(1))
                rows.add(int(match.group(2)))
            else:
                column += 1
                rows.add(row_number)
            columns.add(column)
            if any(_local(child.tag) == "f" for child in elem):
                scan.formulas.setdefault(int(match.group(2)) if match else row_number, set()).add(
                    column
                )
        elif name == "row" and parent is not None:
            # Finished rows are no longer needed; keep memory flat on big sheets.
            parent.clear()
            scan.extend(rows, columns)
            rows.clear()
            columns.clear()
    for _ in chunks:  # drain the member so its size is verified
        pass
    return scan


def _member_chunks(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's uncompressed bytes in chunks of at most ``_SCAN_CHUNK``.

    Inflated here rather than by ``zipfile``, which silently stops at the declared size:
    a member that inflates to more than it declares is refused, so the declared sizes
    checked by ``_check_zip`` bound what calamine will inflate after us.
    """
    offset = info.header_offset
    if data[offset : offset + 4] != _ZIP_MAGIC or len(data) < offset + 30:
        raise _bad_zip()
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        raise _bad_zip()
    produced = 0
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(raw), _SCAN_CHUNK):
            yield bytes(raw[i : i + _SCAN_CHUNK])
        produced = len(raw)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            for i in range(0, len(raw), _SCAN_CHUNK):
                piece: bytes | memoryview = raw[i : i + _SCAN_CHUNK]
                while piece and not inflater.eof:
                    out = inflater.decompress(piece, _SCAN_CHUNK)
                    produced += len(out)
                    if produced > info.file_size:
                        raise _bad_zip()
                    if out:
                        yield out
                    piece = inflater.unconsumed_tail
            while not inflater.eof:
                out = inflater.decompress(b"", _SCAN_CHUNK)
                if not out:
                    break
                produced += len(out)
                if produced > info.file_size:
                    raise _bad_zip()
                yield out
        except zlib.error as exc:
            raise _bad_zip() from exc
        if not inflater.eof:
            raise _bad_zip()
    else:
        raise _bad_zip()  # Excel, WPS and LibreOffice only write stored or deflated parts
    if produced != info.file_size:
        raise _bad_zip()


def _zip_bomb(what_zh: str, what_en: str, found: int, limit: int, setting: str) -> InputError:
    return _limit_error(
        what_en,
        what_zh,
        found,
        limit,
        setting,
        "请删除多余的空行、格式或工作表，或拆分成多个文件后上传。",
        unit="字节" if "ratio" not in what_en else "倍",
    )


def _check_zip(zf: zipfile.ZipFile, limits: ReadLimits) -> None:
    """Refuse a zip bomb from its directory alone, before anything is inflated."""
    infos = zf.infolist()
    if any(info.flag_bits & 0x1 for info in infos):
        raise _encrypted()
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_xlsx_ratio:
            raise _zip_bomb(
                f"压缩包内“{clip_echo(info.filename, 60)}”的压缩比",
                "zip member compression ratio",
                ratio,
                limits.max_xlsx_ratio,
                "XINYONG_MAX_IMPORT_XLSX_RATIO",
            )
    if total > limits.max_xlsx_uncompressed_bytes:
        raise _zip_bomb(
            "Excel 文件解压后的大小",
            "uncompressed xlsx size",
            total,
            limits.max_xlsx_uncompressed_bytes,
            "XINYONG_MAX_IMPORT_XLSX_UNCOMPRESSED_BYTES",
        )


def _scan_workbook(data: bytes, zf: zipfile.ZipFile) -> dict[str, _SheetScan]:
    """Inflate every part once, in bounded chunks, verifying its size; scan the sheets.

    calamine inflates parts whole and allocates a sheet's used range densely, so all of
    it is checked here first, in time linear in the (capped) uncompressed size.
    """
    scans: dict[str, _SheetScan] = {}
    for info in zf.infolist():
        if info.is_dir():
            continue
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            scans[info.filename] = _scan_sheet(data, info)
        else:
            for _ in _member_chunks(data, info):
                pass
    return scans


def _scan_sheet(data: bytes, info: zipfile.ZipInfo) -> _SheetScan:
    try:
        return _scan_sheet_fast(_member_chunks(data, info))
    except _UnusualSheetXml:
        pass
    try:
        return _scan_sheet_xml(_member_chunks(data, info))
    except (ET.ParseError, ValueError) as exc:
        raise _bad_zip() from exc


def _check_sheet(scan: _SheetScan, sheet: str, limits: ReadLimits) -> None:
    """Refuse a sheet whose declared or used range is beyond the cell or column caps."""
    name = clip_echo(sheet, 60)
    for ranged, what_zh, what_en in (
        (scan.declared, "声明的区域（dimension）", "declared dimension"),
        (scan.used, "实际使用区域", "used range"),
    ):
        if ranged is None:
            continue
        first_row, first_col, last_row, last_col = ranged
        n_rows, n_cols = last_row - first_row + 1, last_col - first_col + 1
        where = (
            f"工作表“{name}”{what_zh} {column_letter(first_col)}{first_row}:"
            f"{column_letter(last_col)}{last_row}（{n_rows:,} 行 × {n_cols:,} 列）"
        )
        if n_rows * n_cols > limits.max_xlsx_cells:
            raise _limit_error(
                f"sheet {what_en} cells (rows x columns)",
                f"{where}的单元格数",
                n_rows * n_cols,
                limits.max_xlsx_cells,
                "XINYONG_MAX_IMPORT_XLSX_CELLS",
                "请删除表格末尾多余的行列（或清除其格式）后另存，或拆分成多个文件后上传。",
                unit="个",
            )
        if n_cols > limits.max_columns:
            raise _limit_error(
                f"sheet {what_en} columns",
                f"{where}的列数",
                n_cols,
                limits.max_columns,
                "XINYONG_MAX_IMPORT_COLUMNS",
                "请删除多余的列后重新上传。",
                unit="列",
            )


def _is_blank(values: Iterable[object]) -> bool:
    return all(v == "" or (isinstance(v, str) and not v.strip()) for v in values)


def _pick_sheet(
    workbook: python_calamine.CalamineWorkbook, check: Callable[[str], None]
) -> tuple[str, list[list[Any]], tuple[int, int]]:
    for meta in workbook.sheets_metadata:
        # Hidden sheets typically hold drop-down lists of a template, not the data.
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        if meta.visible != python_calamine.SheetVisibleEnum.Visible:
            continue
        check(meta.name)  # before calamine allocates the sheet's range
        sheet = workbook.get_sheet_by_name(meta.name)
        start = sheet.start
        if start is None:
            continue
        grid = sheet.to_python(skip_empty_area=True)
        if any(not _is_blank(row) for row in grid):
            return meta.name, grid, start
    raise InputError(
        "workbook has no visible sheet with data",
        "Excel 文件中没有包含数据的工作表（隐藏的工作表不会读取）。",
    )


def _read_xlsx(data: bytes, source_name: str, max_rows: int, limits: ReadLimits) -> RawTable:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _bad_zip() from exc
    with zf:
        _check_zip(zf, limits)
        scans = _scan_workbook(data, zf)

        def check(sheet: str) -> None:
            part = _sheet_xml_path(zf, sheet)
            if part not in scans:  # a sheet stored outside xl/worksheets/ (rare writers)
                try:
                    scans[part] = _scan_sheet(data, zf.getinfo(part))
                except KeyError as exc:
                    raise _bad_zip() from exc
            _check_sheet(scans[part], sheet, limits)

        try:
            workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except python_calamine.PasswordError as exc:
            raise _encrypted() from exc
        except Exception as exc:
            # calamine reports malformed parts through several exception types.
            raise _bad_zip() from exc
        with workbook:
            try:
                sheet_name, grid, (first_row, first_col) = _pick_sheet(workbook, check)
            except InputError:
                raise
            except python_calamine.PasswordError as exc:
                raise _encrypted() from exc
            except Exception as exc:
                raise _bad_zip() from exc
        formulas = scans[_sheet_xml_path(zf, sheet_name)].formulas
    with collector_paused():
        return _xlsx_table(grid, first_row, first_col, formulas, sheet_name, source_name, max_rows)


def _xlsx_table(
    grid: list[list[Any]],
    first_row: int,
    first_col: int,
    formulas: dict[int, set[int]],
    sheet_name: str,
    source_name: str,
    max_rows: int,
) -> RawTable:
    rows: list[RawRow] = []
    headers: tuple[str, ...] | None = None
    raw_width = header_row = width = 0
    for offset, values in enumerate(grid):
        number = first_row + offset + 1
        if headers is None:
            if not _is_blank(values):
                headers = _finish_headers(
                    [_excel_text(v) for v in values], header_row=number, first_column=first_col
                )
                raw_width, header_row, width = len(values), number, len(headers)
            continue
        # Most cells are text; skip the type dispatch for them.
        cells = tuple([v.strip() if type(v) is str else _excel_text(v) for v in values])
        if not any(cells):
            # Also covers template rows whose formulas all evaluate to "".
            continue
        extra = _trim_trailing_blanks(cells[width:])
        cells = cells[:width] + ("",) * (width - len(cells))
        formula_columns: tuple[int, ...] = ()
        if number in formulas:
            formula_columns = tuple(
                sorted(c - first_col for c in formulas[number] if 0 <= c - first_col < width)
            )
        rows.append(
            RawRow(
                number,
                cells,
                formula_columns=formula_columns,
                extra_cells=extra,
            )
        )
        if len(rows) > max_rows:
            raise _too_many_rows(max_rows)
    if headers is None:  # unreachable: _pick_sheet only returns sheets with a non-blank row
        raise _bad_zip()
    _check_data_under_blank_headers(raw_width, headers, rows, header_row, first_col)
    return RawTable(
        format="xlsx",
        encoding=None,
        headers=headers,
        rows=rows,
        source_name=source_name,
        sheet=sheet_name,
    )


# ------------------------------------------------------------------------------ JSON


class _JsonObject(list[tuple[str, Any]]):
    """A JSON object kept as its key/value pairs, so duplicate keys can be reported."""


def _reject_constant(name: str) -> Any:
    raise InputError(
        f"JSON contains non-standard constant {name}",
        f"JSON 中含有非标准数值 {name}，请改为数字或空值 null。",
    )


def _json_text(value: Any) -> str:
    """Compact JSON text of a nested value, keeping number literals exactly."""
    if isinstance(value, _JsonObject):
        inner = ", ".join(
            f"{json.dumps(key, ensure_ascii=False)}: {_json_text(item)}" for key, item in value
        )
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_json_text(item) for item in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _json_scalar(value: Any) -> str | None:
    """Text for a scalar JSON value, or None when the value is nested."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return None


def _json_records(document: Any) -> list[Any]:
    if isinstance(document, _JsonObject):
        arrays = [
            item
            for _, item in document
            if isinstance(item, list) and not isinstance(item, _JsonObject)
        ]
        if len(arrays) != 1:
            raise InputError(
                "JSON object must contain exactly one array of records",
                'JSON 对象中应当恰好有一个记录数组，例如 {"records": [{…}, {…}]}。',
            )
        return arrays[0]
    if isinstance(document, list):
        return document
    raise InputError(
        "JSON top level must be an array or an object",
        "JSON 顶层应当是记录数组 [{…}, {…}]，或含一个记录数组的对象。",
    )


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _json_depth_of_text(text: str) -> int:
    """Deepest nesting of a JSON text, in one linear pass (no recursion)."""
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(text):
        lexeme = match.group()
        if lexeme in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif lexeme in "]}":
            depth -= 1
    return deepest


def _json_depth(value: Any) -> int:
    """Nesting depth of a parsed value (a scalar is 0); the parser bounded it already."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list):  # _JsonObject is a list too
            depth += 1
            deepest = max(deepest, depth)
            children = (v for _, v in item) if isinstance(item, _JsonObject) else iter(item)
            stack.extend((child, depth) for child in children)
    return deepest


def _json_too_deep(found: int, limit: int) -> InputError:
    return _limit_error(
        "JSON nesting depth",
        "JSON 的嵌套层数",
        found,
        limit,
        "XINYONG_MAX_IMPORT_JSON_DEPTH",
        "记录应为一层对象，字段值为文本或数字。",
        unit="层",
    )


def _parse_json(text: str, max_rows: int, limits: ReadLimits) -> Any:
    """``json.loads`` with every number, object and record count bounded as it parses."""
    digits = limits.max_json_number_digits
    objects = 0

    def number_error(found: int) -> InputError:
        return _limit_error(
            "JSON number length",
            "JSON 中一个数字的位数",
            found,
            digits,
            "XINYONG_MAX_IMPORT_JSON_NUMBER_DIGITS",
            "很长的编号（如证件号码）请写成字符串。",
            unit="位",
        )

    def parse_int(literal: str) -> int:
        if len(literal) > digits:  # before int(): converting is quadratic in the length
            raise number_error(len(literal))
        return int(literal)

    def parse_float(literal: str) -> Decimal:
        if len(literal) > digits:
            raise number_error(len(literal))
        value = Decimal(literal)
        exponent = value.as_tuple().exponent
        # "1e999999999" is 11 bytes but a billion digits once written out in full.
        if isinstance(exponent, int) and abs(exponent) > digits:
            raise number_error(abs(exponent) + len(value.as_tuple().digits))
        return value

    def pairs(items: list[tuple[str, Any]]) -> _JsonObject:
        nonlocal objects
        if len(items) > limits.max_json_keys:
            raise _limit_error(
                "keys of one JSON object",
                "JSON 中一个对象（记录）的键数",
                len(items),
                limits.max_json_keys,
                "XINYONG_MAX_IMPORT_JSON_KEYS",
                unit="个",
            )
        objects += 1
        # Records are objects: far more objects than allowed records is refused while
        # parsing, before they all sit in memory (the exact count is checked after).
        if objects > 2 * max_rows + 1:
            raise _too_many_rows(max_rows)
        return _JsonObject(items)

    try:
        return json.loads(
            text,
            object_pairs_hook=pairs,
            parse_int=parse_int,
            parse_float=parse_float,
            parse_constant=_reject_constant,
        )
    except RecursionError:
        # The C parser recurses per level; measure the real depth without recursion.
        raise _json_too_deep(_json_depth_of_text(text), limits.max_json_depth) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列附近（{exc.msg}）。",
        ) from exc


def _read_json(data: bytes, source_name: str, max_rows: int, limits: ReadLimits) -> RawTable:
    text, _ = _decode(data)
    document = _parse_json(text, max_rows, limits)
    records = _json_records(document)
    if not records:
        raise InputError("JSON contains no records", "JSON 中没有任何记录。")
    if len(records) > max_rows:
        raise _too_many_rows(max_rows)
    # The records array sits one level (bare array) or two (wrapper object) deep.
    outer = 1 if isinstance(document, _JsonObject) else 0
    max_depth, max_cell = limits.max_json_depth, limits.max_cell_chars

    index: dict[str, int] = {}
    cleaned: list[list[tuple[int, Any]]] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, _JsonObject):
            raise InputError(
                f"JSON record {number} is not an object",
                f'JSON 第 {number} 条记录不是对象（应为 {{"字段": 值, …}} 的形式）。',
            )
        seen: set[str] = set()
        pairs: list[tuple[int, Any]] = []
        for raw_key, value in record:
            key = _clean_header(raw_key)
            if not key:
                raise InputError(
                    f"JSON record {number} has a blank key",
                    f"JSON 第 {number} 条记录中有空的键名。",
                )
            if key in seen:
                raise InputError(
                    f"JSON record {number} repeats key",
                    f"JSON 第 {number} 条记录中键名“{clip_echo(key, limits.max_echo_chars)}”重复出现。",
                )
            if isinstance(value, list):
                depth = outer + 2 + _json_depth(value)
                if depth > max_depth:
                    raise _json_too_deep(depth, max_depth)
            elif isinstance(value, str) and len(value) > max_cell:
                raise _cell_too_long(
                    f"JSON 第 {number:,} 条记录中", f"in JSON record {number}", len(value), max_cell
                )
            seen.add(key)
            pairs.append((index.setdefault(key, len(index)), value))
        if len(index) > limits.max_columns:
            raise _too_many_columns(len(index), limits.max_columns, "JSON 记录（所有键合计）")
        cleaned.append(pairs)

    width = len(index)
    rows: list[RawRow] = []
    for number, pairs in enumerate(cleaned, start=1):
        cells = [""] * width
        nested: list[int] = []
        for column, value in pairs:
            text_value = _json_scalar(value)
            if text_value is None:
                cells[column] = _json_text(value)
                nested.append(column)
            else:
                cells[column] = text_value
        rows.append(RawRow(number, tuple(cells), nested_columns=tuple(sorted(nested))))
    return RawTable(
        format="json",
        encoding=None,
        headers=tuple(index),
        rows=rows,
        source_name=source_name,
    )
