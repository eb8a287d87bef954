"""Read uploaded 双公示 tables (CSV, XLSX, JSON) faithfully into rows of text.

This layer does not interpret values: it only turns a file into a header tuple and
rows of stripped strings, and rejects files that cannot be read as a whole. Per-cell
judgements (dates, IDs, formulas, nested JSON, extra cells) are left to the
validator, which gets enough markers on each ``RawRow`` to make them.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import itertools
import json
import math
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Literal
from xml.etree import ElementTree as ET

import python_calamine

from xinyong.kernel.errors import InputError

__all__ = ["RawRow", "RawTable", "TableFormat", "column_letter", "detect_format", "read_table"]

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

# Guard against zip bombs: calamine inflates whole parts into memory, so refuse a
# workbook whose declared uncompressed size is far beyond what real sheets compress to.
_XLSX_MAX_EXPANSION = 100
_XLSX_MIN_UNCOMPRESSED_LIMIT = 64 * 1024 * 1024

_XML_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_FORMULA_TAG = re.compile(rb"<" + _XML_PREFIX + rb"f[\s/>]")
_CELL_START = re.compile(
    rb"<" + _XML_PREFIX + rb"c\s[^>]*?(?<=\s)r\s*=\s*[\"']([A-Za-z]{1,3})([0-9]+)[\"']"
)
_ROW_END = re.compile(rb"</" + _XML_PREFIX + rb"row\s*>")
_SHEET_DATA_END = re.compile(rb"</" + _XML_PREFIX + rb"sheetData\s*>")
_SCAN_CHUNK = 4 << 20
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


# --------------------------------------------------------------------------- helpers


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


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
                f"“{name}”出现在" + "和".join(_position(i, first_column)[0] for i in idx)
            )
            parts_en.append(
                f"{name!r} at " + " and ".join(_position(i, first_column)[1] for i in idx)
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
    return InputError(
        f"more than {max_rows} data rows",
        f"数据行数超过上限 {max_rows:,} 行。请拆分成多个文件后分别上传。",
    )


def _check_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise InputError(
            f"file is {len(data)} bytes, limit is {max_bytes}",
            f"文件大小为 {_human_size(len(data))}（{len(data):,} 字节），"
            f"超过上限 {_human_size(max_bytes)}（{max_bytes:,} 字节）。"
            "请拆分成多个文件后分别上传。",
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


def read_table(data: bytes, *, filename: str, max_bytes: int, max_rows: int) -> RawTable:
    """Read an uploaded table. Raises ``InputError`` when the file as a whole is unusable."""
    _check_size(data, max_bytes)
    fmt = detect_format(data, filename)
    if fmt == "xlsx":
        return _read_xlsx(data, filename, max_bytes, max_rows)
    if fmt == "json":
        return _read_json(data, filename, max_rows)
    return _read_csv(data, filename, max_rows)


# ------------------------------------------------------------------------------ text


def _decode(data: bytes) -> tuple[str, str]:
    """Decode strictly as UTF-8 (with/without BOM), else GB18030; return (text, encoding)."""
    if data.startswith(_UTF16_BOMS):
        raise InputError(
            "file is UTF-16 encoded",
            "文件是 UTF-16 编码（Excel“Unicode 文本”）。"
            "请另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后重新上传。",
        )
    if b"\x00" in data:
        raise InputError(
            "file contains NUL bytes; not a text table",
            "文件含有二进制内容（空字节），不是文本表格。请上传 .xlsx、CSV 或 JSON 文件。",
        )
    if data.startswith(_UTF8_BOM):
        try:
            return data[len(_UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            where = exc.start + len(_UTF8_BOM) + 1
            raise InputError(
                f"invalid UTF-8 after BOM near byte {where}",
                f"文件开头标明为 UTF-8 编码，但第 {where:,} 字节附近不是有效的 UTF-8。"
                "请用“CSV UTF-8”重新导出。",
            ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        # The encoding that decoded further is the more likely intent; point there.
        where = max(utf8_error, exc.start) + 1
        raise InputError(
            f"encoding not recognised: neither UTF-8 nor GB18030 (near byte {where})",
            f"文件编码无法识别：既不是 UTF-8 也不是 GB18030（第 {where:,} 字节附近）。"
            "请另存为“CSV UTF-8”或 .xlsx 后重新上传。",
        ) from None


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


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    # Building millions of row tuples (which hold no reference cycles) triggers
    # repeated full collections that find nothing; pausing them halves read time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_csv(data: bytes, source_name: str, max_rows: int) -> RawTable:
    text, encoding = _decode(data)
    delimiter = _sniff_delimiter(text)
    with _gc_paused():
        return _parse_csv(text, encoding, delimiter, source_name, max_rows)


class _CsvRecords:
    """Records exactly as ``csv.reader(strict=True)`` would yield them, but faster.

    csv's per-character state machine dominates large reads. A physical line without
    any quote character is a complete record that csv would simply split on the
    delimiter, so it is split with ``str.split``. A line containing a quote goes to a
    csv reader fed from the same line iterator, so a quoted field spanning lines pulls
    its continuation lines exactly as a whole-file parse would.
    """

    def __init__(self, text: str, delimiter: str) -> None:
        self._text = text
        self._delimiter = delimiter
        self.line = 0  # physical line reached, for error messages

    def __iter__(self) -> Iterator[list[str]]:
        text, delimiter = self._text, self._delimiter
        if text.count("\r") != text.count("\r\n"):
            # A bare CR is a line end outside quotes but data inside them; only the
            # csv module can tell which (rare: old Mac exports, odd cell content).
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
            try:
                yield from reader
            finally:
                self.line = reader.line_num
            return
        # str.split beats a line generator and io.StringIO (which copies the text into
        # a 4-byte-per-character buffer). Lines keep the \r of CRLF ends.
        lines = iter(text.split("\n"))
        physical = 0
        for line in lines:
            physical += 1
            if '"' not in line:
                yield (line[:-1] if line.endswith("\r") else line).split(delimiter)
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
            yield record


def _parse_csv(
    text: str, encoding: str, delimiter: str, source_name: str, max_rows: int
) -> RawTable:
    records = _CsvRecords(text, delimiter)
    strip = str.strip
    headers: tuple[str, ...] | None = None
    raw_width = header_row = width = 0
    rows: list[RawRow] = []
    append = rows.append
    # Row numbers count records (what a spreadsheet shows), not physical lines,
    # so a quoted newline does not shift later row numbers.
    try:
        for number, record in enumerate(records, start=1):
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
    except csv.Error as exc:
        line = records.line
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
    """The fast formula scan met a layout it does not handle; parse the XML properly."""


def _last_row_end(buf: bytes) -> int:
    pos = buf.rfind(b"</row>")
    if pos != -1:
        return pos + len(b"</row>")
    last = -1
    for match in _ROW_END.finditer(buf):  # namespace-prefixed tags (rare)
        last = match.end()
    return last


def _scan_formulas_fast(stream: IO[bytes]) -> dict[int, set[int]]:
    """Find formula cells with byte regexes instead of building XML elements.

    Parsing every ``<c>`` of a big sheet in Python costs tens of seconds. In sheet XML
    "<" never occurs in text, ``<f>`` is by schema the first child of ``<c>``, and the
    cell's ``r`` attribute gives its position, so for each ``<f`` the preceding tag
    names the cell. Chunks are cut after a complete ``</row>`` so a cell is never split.
    Anything unexpected inside sheetData raises ``_UnusualSheetXml``.
    """
    found: dict[int, set[int]] = {}
    buf = b""
    first = True
    while True:
        chunk = stream.read(_SCAN_CHUNK)
        if first:
            first = False
            if chunk.startswith(_UTF16_BOMS) or b"\x00" in chunk[:200]:
                raise _UnusualSheetXml
        buf += chunk
        if chunk:
            cut = _last_row_end(buf)
            if cut == -1:
                continue
        else:
            cut = len(buf)
        region, buf = buf[:cut], buf[cut:]
        end = _SHEET_DATA_END.search(region)
        limit = end.start() if end else len(region)
        for match in _FORMULA_TAG.finditer(region, 0, limit):
            tag_start = region.rfind(b"<", 0, match.start())
            cell = _CELL_START.match(region, tag_start) if tag_start != -1 else None
            if cell is None:
                raise _UnusualSheetXml
            column = _column_index(cell.group(1).decode("ascii"))
            found.setdefault(int(cell.group(2)), set()).add(column)
        if end is not None or not chunk:
            return found


def _scan_formulas_xml(stream: IO[bytes]) -> dict[int, set[int]]:
    """Exact but slow: walk the sheet XML, tracking positions when ``r`` is omitted."""
    found: dict[int, set[int]] = {}
    row_number = 0
    column = -1
    parent: ET.Element | None = None
    for event, elem in ET.iterparse(stream, events=("start", "end")):  # noqa: S314
        name = _local(elem.tag)
        if event == "start":
            if name == "sheetData":
                parent = elem
            elif name == "row":
                r = elem.get("r")
                row_number = int(r) if r else row_number + 1
                column = -1
            continue
        if name == "c":
            ref = elem.get("r")
            match = _CELL_REF.fullmatch(ref) if ref else None
            column = _column_index(match.group(1)) if match else column + 1
            if any(_local(child.tag) == "f" for child in elem):
                found.setdefault(row_number, set()).add(column)
        elif name == "row" and parent is not None:
            # Finished rows are no longer needed; keep memory flat on big sheets.
            parent.clear()
        elif name == "sheetData":
            break
    return found


def _formula_cells(zf: zipfile.ZipFile, part: str) -> dict[int, set[int]]:
    """Map spreadsheet row number → 0-based sheet columns whose cell holds a formula.

    calamine only exposes computed values, so formulas are found in the sheet XML.
    """
    try:
        with zf.open(part) as stream:
            try:
                return _scan_formulas_fast(stream)
            except _UnusualSheetXml:
                pass
        with zf.open(part) as stream:
            return _scan_formulas_xml(stream)
    except (ET.ParseError, KeyError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _bad_zip() from exc


def _check_zip(zf: zipfile.ZipFile, max_bytes: int) -> None:
    infos = zf.infolist()
    if any(info.flag_bits & 0x1 for info in infos):
        raise _encrypted()
    limit = max(max_bytes * _XLSX_MAX_EXPANSION, _XLSX_MIN_UNCOMPRESSED_LIMIT)
    total = sum(info.file_size for info in infos)
    if total > limit:
        raise InputError(
            f"xlsx expands to {total} bytes, limit {limit}",
            f"Excel 文件解压后过大（{_human_size(total)}），超过处理上限 {_human_size(limit)}。"
            "请删除多余的空行、格式或工作表，或拆分成多个文件后上传。",
        )


def _is_blank(values: Iterable[object]) -> bool:
    return all(v == "" or (isinstance(v, str) and not v.strip()) for v in values)


def _pick_sheet(
    workbook: python_calamine.CalamineWorkbook,
) -> tuple[str, list[list[Any]], tuple[int, int]]:
    for meta in workbook.sheets_metadata:
        # Hidden sheets typically hold drop-down lists of a template, not the data.
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        if meta.visible != python_calamine.SheetVisibleEnum.Visible:
            continue
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


def _read_xlsx(data: bytes, source_name: str, max_bytes: int, max_rows: int) -> RawTable:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _bad_zip() from exc
    with zf:
        _check_zip(zf, max_bytes)
        try:
            workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except python_calamine.PasswordError as exc:
            raise _encrypted() from exc
        except Exception as exc:
            # calamine reports malformed parts through several exception types.
            raise _bad_zip() from exc
        with workbook:
            try:
                sheet_name, grid, (first_row, first_col) = _pick_sheet(workbook)
            except InputError:
                raise
            except python_calamine.PasswordError as exc:
                raise _encrypted() from exc
            except Exception as exc:
                raise _bad_zip() from exc
        formulas = _formula_cells(zf, _sheet_xml_path(zf, sheet_name))
    with _gc_paused():
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


def _read_json(data: bytes, source_name: str, max_rows: int) -> RawTable:
    text, _ = _decode(data)
    try:
        document = json.loads(
            text,
            object_pairs_hook=_JsonObject,
            parse_float=Decimal,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列附近（{exc.msg}）。",
        ) from exc
    records = _json_records(document)
    if not records:
        raise InputError("JSON contains no records", "JSON 中没有任何记录。")
    if len(records) > max_rows:
        raise _too_many_rows(max_rows)

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
                    f"JSON record {number} repeats key {key!r}",
                    f"JSON 第 {number} 条记录中键名“{key}”重复出现。",
                )
            seen.add(key)
            pairs.append((index.setdefault(key, len(index)), value))
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
