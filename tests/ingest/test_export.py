"""Rejected rows go back in the submitter's own format, readable by read_table again."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

import openpyxl
import pytest

from xinyong.ingest.export import describe_problems, export_rejections, neutralise_formula
from xinyong.ingest.readers import RawRow, RawTable, read_table
from xinyong.kernel.errors import FieldProblem

LIMITS = {"max_bytes": 5_000_000, "max_rows": 10_000}

DATE_PROBLEM = FieldProblem(
    row=2,
    field="处罚决定日期（CF_JDRQ）",
    value="2024-02-30",
    reason="日期不存在",
    reason_en="no such date",
)
NAME_PROBLEM = FieldProblem(
    row=2, field="行政相对人名称（CF_XDR_MC）", value="", reason="必填项为空", reason_en="required"
)


def read(data: bytes, filename: str) -> RawTable:
    return read_table(data, filename=filename, **LIMITS)


def reject_all(
    table: RawTable, problems: Sequence[FieldProblem] = (DATE_PROBLEM,)
) -> list[tuple[RawRow, Sequence[FieldProblem]]]:
    return [(row, problems) for row in table.rows]


def xlsx_bytes(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def assert_round_trip(original: RawTable, exported: RawTable) -> None:
    assert exported.headers == (*original.headers, "原行号", "错误原因")
    assert len(exported.rows) == len(original.rows)
    for before, after in zip(original.rows, exported.rows, strict=True):
        assert after.cells[: len(original.headers)] == before.cells
        assert after.cells[-2] == str(before.number)
        assert after.cells[-1] == "字段 处罚决定日期（CF_JDRQ） 值“2024-02-30”：日期不存在"


# ------------------------------------------------------------------- reason text


def test_reason_lists_all_problems_errors_first() -> None:
    warning = FieldProblem(2, "备注（BZ）", "x", "建议填写完整", "advice", severity="warning")
    row_level = FieldProblem(2, "", "", "本行多出 1 个单元格", "extra cells")
    text = describe_problems([warning, DATE_PROBLEM, NAME_PROBLEM, row_level])
    assert text == (
        "字段 处罚决定日期（CF_JDRQ） 值“2024-02-30”：日期不存在；"
        "字段 行政相对人名称（CF_XDR_MC）：必填项为空；"
        "本行多出 1 个单元格；"
        "（提示）字段 备注（BZ） 值“x”：建议填写完整"
    )


def test_reason_truncates_long_values() -> None:
    long = FieldProblem(2, "事由", "很" * 200, "过长", "too long")
    text = describe_problems([long])
    assert "很" * 60 + "…" in text
    assert "很" * 61 not in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86", "'+86"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("某公司=1", "某公司=1"),
        ("", ""),
    ],
)
def test_neutralise_formula(value: str, expected: str) -> None:
    assert neutralise_formula(value) == expected


# ------------------------------------------------------------------------------- CSV


def test_csv_utf8_round_trip_adds_bom() -> None:
    source = "\ufeff行政相对人名称,处罚决定日期\r\n某某公司,2024-02-30\r\n乙公司,2024-13-01\r\n"
    table = read(source.encode(), "penalties.csv")
    content, suffix, media = export_rejections(table, reject_all(table))
    assert content.startswith(b"\xef\xbb\xbf")
    assert suffix == ".rejected.csv"
    assert media == "text/csv; charset=utf-8"
    exported = read(content, "penalties" + suffix)
    assert exported.encoding == "utf-8-sig"
    assert_round_trip(table, exported)


def test_csv_gb18030_round_trip_stays_gb18030() -> None:
    source = "行政相对人名称,处罚决定日期\r\n某某商贸有限公司,2024-02-30\r\n"
    table = read(source.encode("gbk"), "penalties.csv")
    assert table.encoding == "gb18030"
    content, _, media = export_rejections(table, reject_all(table))
    assert media == "text/csv; charset=gb18030"
    content.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    exported = read(content, "back.csv")
    assert exported.encoding == "gb18030"
    assert_round_trip(table, exported)


def test_csv_keeps_delimiter_quoted_newlines_and_txt_suffix() -> None:
    source = '名称\t事由\n甲\t"第一行\n第二行"\n乙\t含,逗号\n'
    table = read(source.encode(), "upload.txt")
    content, suffix, media = export_rejections(table, reject_all(table))
    assert suffix == ".rejected.txt"
    assert media.startswith("text/plain")
    assert b"\t" in content
    exported = read(content, "upload.rejected.txt")
    assert exported.delimiter == "\t"
    assert_round_trip(table, exported)


def test_csv_formula_cells_are_neutralised() -> None:
    table = read(b"a,b\n=1+1,@cmd\n-5,ok\n", "x.csv")
    content, _, _ = export_rejections(table, reject_all(table))
    exported = read(content, "x.csv")
    assert exported.rows[0].cells[:2] == ("'=1+1", "'@cmd")
    assert exported.rows[1].cells[:2] == ("'-5", "ok")


def test_only_rejected_rows_are_written_in_given_order() -> None:
    table = read(b"a\n1\n2\n3\n", "x.csv")
    rejected = [(table.rows[2], [DATE_PROBLEM]), (table.rows[0], [NAME_PROBLEM])]
    exported = read(export_rejections(table, rejected)[0], "x.csv")
    assert [r.cells[:2] for r in exported.rows] == [("3", "4"), ("1", "2")]


def test_resubmitted_rejection_file_does_not_duplicate_reason_columns() -> None:
    table = read("a,原行号,错误原因\n1,7,旧原因\n".encode(), "x.csv")
    content, _, _ = export_rejections(table, reject_all(table))
    exported = read(content, "x.csv")
    assert exported.headers == ("a", "原行号", "错误原因")
    assert exported.rows[0].cells == ("1", "2", describe_problems([DATE_PROBLEM]))


# ------------------------------------------------------------------------------ XLSX


def test_xlsx_round_trip() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "处罚"
    ws.append(["行政相对人名称", "身份证号", "处罚决定日期"])
    ws.append(["某某公司", 110101900101123, "2024-02-30"])
    ws.append(["乙", "610102198001011234", None])
    table = read(xlsx_bytes(wb), "penalties.xlsx")
    content, suffix, media = export_rejections(table, reject_all(table))
    assert suffix == ".rejected.xlsx"
    assert media == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    exported = read(content, "penalties" + suffix)
    assert exported.sheet == "处罚"
    assert_round_trip(table, exported)


def test_xlsx_export_never_contains_formulas() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["a", "b", "c"])
    ws.append(["x", "#N/A", "-3"])
    ws["A2"] = "=1+1"  # a real formula in the upload: value is lost, cell is empty
    table = read(xlsx_bytes(wb), "in.xlsx")
    assert table.rows[0].formula_columns == (0,)
    # A text cell that *looks* like a formula, as a CSV upload would carry it.
    csv_table = read(b'a,b,c\n=HYPERLINK("http://evil"),#N/A,-3\n', "in.csv")
    xlsx_table = RawTable(
        format="xlsx",
        encoding=None,
        headers=csv_table.headers,
        rows=csv_table.rows,
        source_name="in.xlsx",
    )
    content, _, _ = export_rejections(xlsx_table, reject_all(xlsx_table))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert cells
    assert all(cell.data_type != "f" for cell in cells)
    data = {cell.coordinate: cell for cell in cells}
    assert data["A2"].value == '=HYPERLINK("http://evil")'
    assert data["A2"].data_type == "s"
    assert data["A2"].quotePrefix
    assert data["B2"].data_type == "s"  # not an error value
    assert data["C2"].quotePrefix
    # Read back through our own reader: plain text, no formula flags.
    back = read(content, "back.xlsx")
    assert back.rows[0].cells[:3] == ('=HYPERLINK("http://evil")', "#N/A", "-3")
    assert back.rows[0].formula_columns == ()


def test_xlsx_control_characters_do_not_break_export() -> None:
    table = read(b"a\nbad\x07bell\n", "x.csv")
    xlsx_table = RawTable("xlsx", None, table.headers, table.rows, "x.xlsx")
    content, _, _ = export_rejections(xlsx_table, reject_all(xlsx_table))
    assert read(content, "x.xlsx").rows[0].cells[0] == "bad\ufffdbell"


# ------------------------------------------------------------------------------ JSON


def test_json_round_trip_restores_nested_values() -> None:
    source = [
        {"名称": "甲", "日期": "2024-02-30", "金额": 1.5, "附加": {"k": [1, 2]}},
        {"名称": "乙", "日期": None},
    ]
    table = read(json.dumps({"records": source}, ensure_ascii=False).encode(), "p.json")
    content, suffix, media = export_rejections(table, reject_all(table))
    assert (suffix, media) == (".rejected.json", "application/json")
    document = json.loads(content.decode("utf-8"))
    first, second = document["rejected"]
    assert first == {
        "名称": "甲",
        "日期": "2024-02-30",
        "金额": "1.5",
        "附加": {"k": [1, 2]},
        "_原行号": 1,
        "_错误原因": describe_problems([DATE_PROBLEM]),
    }
    assert second["_原行号"] == 2
    exported = read(content, "p.rejected.json")
    assert exported.headers == (*table.headers, "_原行号", "_错误原因")
    assert exported.rows[1].cells[:4] == table.rows[1].cells
    assert exported.rows[0].nested_columns == (3,)


def test_empty_rejection_list_gives_header_only_files() -> None:
    table = read(b"a,b\n1,2\n", "x.csv")
    content, _, _ = export_rejections(table, [])
    assert content.decode("utf-8-sig") == "a,b,原行号,错误原因\r\n"
