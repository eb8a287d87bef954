"""Write rejected rows back in the submitter's own format so they can fix and resend them.

The output keeps the original headers and cell text and appends the original row
number and the reasons. It is opened by department staff in Excel or WPS, so every
text cell is neutralised against formula injection (values come from uploads).
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from xinyong.ingest.readers import RawRow, RawTable, column_letter
from xinyong.kernel.errors import FieldProblem, clip_echo

__all__ = [
    "REASON_HEADER",
    "ROW_NUMBER_HEADER",
    "describe_problems",
    "export_rejections",
    "neutralise_formula",
]

ROW_NUMBER_HEADER = "原行号"
REASON_HEADER = "错误原因"
JSON_ROW_NUMBER_KEY = "_原行号"
JSON_REASON_KEY = "_错误原因"

# Characters that make Excel/WPS/LibreOffice treat a typed or imported cell as a formula.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_MAX_VALUE_IN_REASON = 60
_XLSX_MAX_CELL_CHARS = 32767  # Excel refuses longer cells when opening the file
_XLSX_ERROR_CODES = frozenset(ERROR_CODES)
# Control characters XML 1.0 cannot carry; openpyxl raises on them.
_ILLEGAL_CHARS = ILLEGAL_CHARACTERS_RE

_MEDIA_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TEXT_SUFFIX_MEDIA = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".txt": "text/plain",
}


def neutralise_formula(value: str) -> str:
    """Prefix a quote so a spreadsheet shows the text instead of evaluating it.

    This alters values such as "-5"; that is the accepted trade-off (OWASP CSV
    injection guidance), since this file goes to people who open it in Excel.
    """
    if value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def _describe(problem: FieldProblem) -> str:
    field = problem.field.strip()
    value = clip_echo(problem.value, _MAX_VALUE_IN_REASON)
    if field and value:
        text = f"字段 {field} 值“{value}”：{problem.reason}"
    elif field:
        text = f"字段 {field}：{problem.reason}"
    else:
        text = problem.reason
    if problem.severity != "error":
        text = "（提示）" + text
    return text


def describe_problems(problems: Sequence[FieldProblem]) -> str:
    """All problems of one row as one Chinese sentence list, errors before warnings."""
    ordered = sorted(problems, key=lambda p: p.severity != "error")
    return "；".join(_describe(p) for p in ordered)


def export_rejections(
    table: RawTable, rejected: Sequence[tuple[RawRow, Sequence[FieldProblem]]]
) -> tuple[bytes, str, str]:
    """Return (content, filename suffix, media type) of the rejected rows.

    Cells beyond the headers (``RawRow.extra_cells``) are not written: they cannot be
    placed under a column, and the validator's reason already names them.
    """
    if table.format == "xlsx":
        return _export_xlsx(table, rejected), ".rejected.xlsx", _MEDIA_XLSX
    if table.format == "json":
        return _export_json(table, rejected), ".rejected.json", "application/json"
    return _export_csv(table, rejected)


def _kept_columns(headers: Sequence[str], reserved: Sequence[str]) -> list[int]:
    # A resubmitted rejection file still carries the previous reason columns; replace
    # them rather than emitting duplicate headers that read_table would refuse.
    return [i for i, name in enumerate(headers) if name not in reserved]


def _export_csv(
    table: RawTable, rejected: Sequence[tuple[RawRow, Sequence[FieldProblem]]]
) -> tuple[bytes, str, str]:
    reserved = (ROW_NUMBER_HEADER, REASON_HEADER)
    columns = _kept_columns(table.headers, reserved)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=table.delimiter or ",", lineterminator="\r\n")
    writer.writerow([neutralise_formula(table.headers[i]) for i in columns] + list(reserved))
    for row, problems in rejected:
        cells = row.cells
        writer.writerow(
            [neutralise_formula(cells[i]) if i < len(cells) else "" for i in columns]
            + [str(row.number), neutralise_formula(describe_problems(problems))]
        )
    # GB18030 stays GB18030 (older WPS/Excel setups expect it); UTF-8 gets a BOM
    # because Excel otherwise opens UTF-8 CSV as the local ANSI code page.
    encoding = "gb18030" if table.encoding == "gb18030" else "utf-8-sig"
    charset = "gb18030" if encoding == "gb18030" else "utf-8"
    suffix = posixpath.splitext(table.source_name.replace("\\", "/").lower())[1]
    if suffix not in _TEXT_SUFFIX_MEDIA:
        suffix = ".csv"
    media = f"{_TEXT_SUFFIX_MEDIA[suffix]}; charset={charset}"
    return buffer.getvalue().encode(encoding), ".rejected" + suffix, media


def _xlsx_value(
    sheet: WriteOnlyWorksheet, value: str, *, bold: bool = False
) -> str | WriteOnlyCell | None:
    """A cell value that openpyxl writes as literal text.

    Plain strings are passed through where openpyxl would store them verbatim (that
    path reuses one cell object and is several times faster); anything openpyxl
    would turn into a formula or an error value becomes an explicit text cell.
    """
    if not value:
        return None
    if _ILLEGAL_CHARS.search(value) or len(value) > _XLSX_MAX_CELL_CHARS:
        value = _ILLEGAL_CHARS.sub("\ufffd", value)[:_XLSX_MAX_CELL_CHARS]
    formula_like = value.startswith(_FORMULA_TRIGGERS)
    if not (bold or formula_like or value in _XLSX_ERROR_CODES):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if formula_like:
        # Excel's own leading-apostrophe flag: the text stays literal even if edited.
        cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def _export_xlsx(
    table: RawTable, rejected: Sequence[tuple[RawRow, Sequence[FieldProblem]]]
) -> bytes:
    reserved = (ROW_NUMBER_HEADER, REASON_HEADER)
    columns = _kept_columns(table.headers, reserved)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.sheet or "退回记录")
    sheet.freeze_panes = "A2"
    sheet.column_dimensions[column_letter(len(columns) + 1)].width = 80
    header = [_xlsx_value(sheet, table.headers[i], bold=True) for i in columns]
    header += [_xlsx_value(sheet, name, bold=True) for name in reserved]
    sheet.append(header)
    for row, problems in rejected:
        cells = row.cells
        out: list[Any] = [_xlsx_value(sheet, cells[i] if i < len(cells) else "") for i in columns]
        out.append(row.number)
        out.append(_xlsx_value(sheet, describe_problems(problems)))
        sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _export_json(
    table: RawTable, rejected: Sequence[tuple[RawRow, Sequence[FieldProblem]]]
) -> bytes:
    reserved = (JSON_ROW_NUMBER_KEY, JSON_REASON_KEY)
    columns = _kept_columns(table.headers, reserved)
    records: list[dict[str, Any]] = []
    for row, problems in rejected:
        record: dict[str, Any] = {}
        nested = set(row.nested_columns)
        for i in columns:
            value = row.cells[i] if i < len(row.cells) else ""
            if i in nested:
                # Give back the structure the submitter sent, not its text rendering.
                try:
                    record[table.headers[i]] = json.loads(value)
                except ValueError:
                    record[table.headers[i]] = value
            else:
                record[table.headers[i]] = value
        record[JSON_ROW_NUMBER_KEY] = row.number
        record[JSON_REASON_KEY] = describe_problems(problems)
        records.append(record)
    return json.dumps({"rejected": records}, ensure_ascii=False, indent=2).encode("utf-8")
