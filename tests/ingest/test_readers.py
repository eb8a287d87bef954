"""Reading uploaded tables: formats, encodings, spreadsheet quirks and whole-file errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.ingest.readers import RawTable, column_letter, detect_format, read_table
from xinyong.kernel.errors import InputError

LIMITS = {"max_bytes": 5_000_000, "max_rows": 10_000}


def read(data: bytes, filename: str = "upload.csv", **limits: int) -> RawTable:
    return read_table(data, filename=filename, **{**LIMITS, **limits})


def xlsx_bytes(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def error_of(data: bytes, filename: str = "upload.csv", **limits: int) -> InputError:
    with pytest.raises(InputError) as info:
        read(data, filename, **limits)
    return info.value


# ----------------------------------------------------------------------------- CSV


def test_csv_utf8_with_bom_strips_bom_from_first_header() -> None:
    table = read("\ufeff行政相对人名称,处罚决定日期\r\n某某公司,2024-01-05\r\n".encode())
    assert table.encoding == "utf-8-sig"
    assert table.headers == ("行政相对人名称", "处罚决定日期")
    assert table.rows[0].cells == ("某某公司", "2024-01-05")


def test_csv_utf8_without_bom() -> None:
    table = read("名称,代码\n甲,1\n".encode())
    assert table.encoding == "utf-8"
    assert table.format == "csv"
    assert table.delimiter == ","


def test_csv_gbk_falls_back_to_gb18030() -> None:
    table = read("名称,地址\r\n某某商贸有限公司,西安市雁塔区\r\n".encode("gbk"))
    assert table.encoding == "gb18030"
    assert table.rows[0].cells == ("某某商贸有限公司", "西安市雁塔区")


def test_undecodable_bytes_report_position() -> None:
    data = "名称\n甲".encode("gbk") + b"\xff\xff"
    err = error_of(data)
    assert "既不是 UTF-8 也不是 GB18030" in err.message_zh
    # GB18030 decodes further than UTF-8 here, so the position is the \xff byte.
    assert f"第 {len(data) - 1} 字节附近" in err.message_zh


def test_utf16_gets_a_specific_message() -> None:
    err = error_of("名称\t代码\r\n".encode("utf-16"))
    assert "UTF-16" in err.message_zh


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_delimiter_is_sniffed(delimiter: str) -> None:
    lines = [["名称", "代码", "日期"], ["甲, 乙;丙|丁", "1", "2024-01-01"], ["戊", "2", ""]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(lines)
    table = read(buffer.getvalue().encode())
    assert table.delimiter == delimiter
    assert table.headers == ("名称", "代码", "日期")
    assert table.rows[0].cells == ("甲, 乙;丙|丁", "1", "2024-01-01")


def test_tab_delimited_cells_with_commas() -> None:
    data = "名称\t处罚事由\n某公司\t未按规定公示年报，逾期,罚款\n".encode()
    table = read(data, "upload.txt")
    assert table.delimiter == "\t"
    assert table.rows[0].cells == ("某公司", "未按规定公示年报，逾期,罚款")


def test_quoted_newline_and_row_numbers_follow_records() -> None:
    data = 'a,b\r\n1,"第一行\r\n第二行"\r\n\r\n2,"x ""y"""\r\n,\r\n3,z'.encode()
    table = read(data)
    assert [(r.number, r.cells) for r in table.rows] == [
        (2, ("1", "第一行\r\n第二行")),
        (4, ("2", 'x "y"')),
        (6, ("3", "z")),
    ]


def test_whitespace_stripped_only_at_edges_and_full_width_kept() -> None:
    table = read("名称 , 代码\n  某 公司\u3000, ＡＢＣ１２３ \n".encode())
    assert table.headers == ("名称", "代码")
    assert table.rows[0].cells == ("某 公司", "ＡＢＣ１２３")


def test_ragged_rows_are_padded_or_marked() -> None:
    table = read(b"a,b,c\n1,2\n1,2,3,4,,\n1,2,3,,\n")
    short, long, trailing = table.rows
    assert short.cells == ("1", "2", "")
    assert short.extra_cells == ()
    assert long.cells == ("1", "2", "3")
    assert long.extra_cells == ("4",)
    # Empty trailing cells (Excel's ",,") are not extra data.
    assert trailing.cells == ("1", "2", "3")
    assert trailing.extra_cells == ()


def test_trailing_blank_headers_are_dropped_but_data_under_them_is_marked() -> None:
    table = read(b"a,b,,\n1,2,,\n1,2,x,\n1,2\n")
    assert table.headers == ("a", "b")
    assert [r.extra_cells for r in table.rows] == [(), ("x",), ()]


def test_title_line_above_header_is_a_whole_file_error() -> None:
    err = error_of("2024年行政处罚信息,,\n名称,代码,日期\n甲,1,2024-01-01\n".encode())
    assert "第 2 列（B 列）、第 3 列（C 列）的列名为空" in err.message_zh
    assert "标题" in err.message_zh


def test_malformed_quote_is_a_whole_file_error_with_line() -> None:
    err = error_of(b'a,b\n1,2\n3,"x"y\n')
    assert "第 3 行" in err.message_zh
    assert "引号" in err.message_zh
    err = error_of(b'a,b\n1,"never closed\n2,3\n')
    assert "引号" in err.message_zh


def test_formula_looking_csv_text_is_read_verbatim() -> None:
    table = read(b"a,b\n=1+1,@x\n")
    assert table.rows[0].cells == ("=1+1", "@x")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.sampled_from('ab中 ,"\n\r\t;|\u3000'), max_size=8),
            min_size=3,
            max_size=3,
        ),
        max_size=12,
    )
)
def test_csv_fast_path_matches_csv_module(body: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["h1", "h2", "h3"])
    writer.writerows(body)
    text = buffer.getvalue()
    expected = []
    records = csv.reader(io.StringIO(text, newline=""), strict=True)
    for number, record in enumerate(records, start=1):
        cells = tuple(c.strip() for c in record)
        if number > 1 and any(cells):
            expected.append((number, cells))
    table = read(text.encode())
    assert [(r.number, r.cells) for r in table.rows] == expected


def test_blank_lines_before_header_keep_spreadsheet_numbering() -> None:
    table = read(b"\n\na,b\n1,2\n")
    assert table.rows[0].number == 4


# --------------------------------------------------------------- whole-file errors


def test_duplicate_header_names_both_positions() -> None:
    err = error_of("处罚决定日期,名称,处罚决定日期\n1,2,3\n".encode())
    assert "“处罚决定日期”" in err.message_zh
    assert "第 1 列（A 列）" in err.message_zh
    assert "第 3 列（C 列）" in err.message_zh
    assert "duplicate" in err.message_en


def test_blank_header_names_the_column() -> None:
    err = error_of("名称,,日期\n甲,1,2024-01-01\n".encode())
    assert "表头（第 1 行）第 2 列（B 列）的列名为空" in err.message_zh


def test_oversized_file_states_size_and_limit() -> None:
    err = error_of(b"a,b\n" + b"1,2\n" * 600, max_bytes=2048)
    assert "2,404 字节" in err.message_zh
    assert "2,048 字节" in err.message_zh
    assert "超过上限" in err.message_zh


def test_too_many_rows() -> None:
    data = b"a,b\n" + b"1,2\n" * 11
    assert len(read(data, max_rows=11).rows) == 11
    err = error_of(data, max_rows=10)
    assert "10 行" in err.message_zh


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\xef\xbb\xbf\n"])
def test_empty_file(data: bytes) -> None:
    assert "文件为空" in error_of(data).message_zh


def test_file_of_separators_has_no_header() -> None:
    assert "没有表头" in error_of(b",,\n,,\n").message_zh


def test_binary_junk_is_refused() -> None:
    assert "二进制" in error_of(b"a,b\n\x00\x01\x02").message_zh


# ---------------------------------------------------------------- format detection


def test_detect_format_prefers_content_over_extension() -> None:
    assert detect_format(b'[{"a": 1}]', "data.csv") == "json"
    assert detect_format(b'\xef\xbb\xbf  {"records": []}', "x.txt") == "json"
    wb = openpyxl.Workbook()
    assert detect_format(xlsx_bytes(wb), "upload.csv") == "xlsx"
    assert detect_format(b"a,b\n", "upload.json.csv") == "csv"
    # Tab-separated text that a system exported under an .xls name.
    assert detect_format("名称\t代码\n".encode(), "export.xls") == "csv"


def test_old_xls_is_refused_with_advice() -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    err = error_of(ole2, "penalties.xls")
    assert ".xls" in err.message_zh
    assert ".xlsx" in err.message_zh


def test_encrypted_xlsx_is_refused() -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    data = ole2 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    assert "密码" in error_of(data, "penalties.xlsx").message_zh


def test_corrupt_xlsx_is_refused() -> None:
    data = bytearray(xlsx_bytes(openpyxl.Workbook()))
    data[len(data) // 2 :] = b"\x00" * (len(data) - len(data) // 2)
    assert "损坏" in error_of(bytes(data), "a.xlsx").message_zh
    assert "损坏" in error_of(b"not a zip at all", "a.xlsx").message_zh


def test_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("data.csv", "a,b\n1,2\n")
    assert "不是 Excel 工作簿" in error_of(buffer.getvalue(), "data.zip").message_zh


def test_html_disguised_as_xls() -> None:
    err = error_of(b"<html><table><tr><td>1</td></tr></table></html>", "export.xls")
    assert "HTML" in err.message_zh


# ------------------------------------------------------------------------------ XLSX


def test_xlsx_values_are_normalised_to_text() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名称", "日期", "时间", "金额", "整数", "小额", "布尔", "空"])
    ws.append(
        [
            "  某公司 ",
            dt.date(2024, 2, 29),
            dt.datetime(2024, 3, 1, 9, 30),
            1234.5,
            20000.0,
            0.00001,
            True,
            None,
        ]
    )
    ws.append(["乙", dt.datetime(2024, 3, 1), None, 0.1, -3, None, False, None])
    table = read(xlsx_bytes(wb), "a.xlsx")
    assert table.format == "xlsx"
    assert table.encoding is None
    assert table.rows[0].cells == (
        "某公司",
        "2024-02-29",
        "2024-03-01 09:30:00",
        "1234.5",
        "20000",
        "0.00001",
        "TRUE",
        "",
    )
    assert table.rows[1].cells == ("乙", "2024-03-01", "", "0.1", "-3", "", "FALSE", "")


def test_xlsx_long_numbers_keep_all_representable_digits() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["身份证号", "统一社会信用代码"])
    # 15 digits: exact in a double and in Excel.
    ws.append([110101900101123, "91610102MA6T1C7D0X"])
    # 18 digits representable as a double (a multiple of 16 at this magnitude).
    ws.append([110101199001011200, "x"])
    table = read(xlsx_bytes(wb), "a.xlsx")
    assert table.rows[0].cells[0] == "110101900101123"
    assert table.rows[1].cells[0] == "110101199001011200"
    assert "e" not in table.rows[1].cells[0].lower()


def test_xlsx_formula_cells_are_reported() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名称", "金额", "备注"])
    ws.append(["甲", 1, "x"])
    ws["B2"] = "=1+1"
    ws.append(["乙", 2, "=A3&B3"])
    ws.append(["丙", 3, "ok"])
    table = read(xlsx_bytes(wb), "a.xlsx")
    assert [r.formula_columns for r in table.rows] == [(1,), (2,), ()]


def test_xlsx_formula_columns_are_relative_to_the_table_start() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"], ws["D3"] = "名称", "金额"
    ws["C4"], ws["D4"] = "甲", "=SUM(1,2)"
    table = read(xlsx_bytes(wb), "a.xlsx")
    assert table.headers == ("名称", "金额")
    assert table.rows[0].number == 4
    assert table.rows[0].formula_columns == (1,)


def test_xlsx_formula_found_when_cell_refs_are_omitted() -> None:
    # Some writers leave out r="B2"; the fast scan must hand over to the XML walk.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["a", "b"])
    ws.append(["x", "=1+1"])
    original = xlsx_bytes(wb)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b' r="B2"', b"").replace(b' r="A2"', b"")
            dst.writestr(info, content)
    table = read(out.getvalue(), "a.xlsx")
    assert table.rows[0].formula_columns == (1,)


def test_xlsx_reads_first_visible_sheet_with_data() -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    hidden = wb.create_sheet("下拉选项")
    hidden.append(["选项"])
    hidden.append(["警告"])
    hidden.sheet_state = "hidden"
    data = wb.create_sheet("处罚信息")
    data.append(["名称", "代码"])
    data.append(["甲", "1"])
    table = read(xlsx_bytes(wb), "a.xlsx")
    assert table.sheet == "处罚信息"
    assert table.headers == ("名称", "代码")
    assert table.rows[0].number == 2


def test_xlsx_blank_rows_skipped_and_numbers_kept() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["a", "b"])
    ws.append(["1", "2"])
    ws.append([None, None])
    ws.append(["3", "4", "多余"])
    ws.append(["5", "6"])
    table = read(xlsx_bytes(wb), "a.xlsx")
    assert [(r.number, r.cells, r.extra_cells) for r in table.rows] == [
        (2, ("1", "2"), ()),
        (4, ("3", "4"), ("多余",)),
        (5, ("5", "6"), ()),
    ]


def test_xlsx_merged_title_row_is_a_whole_file_error() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "某市2024年行政处罚信息公示表"
    ws.merge_cells("A1:C1")
    ws.append(["名称", "代码", "日期"])
    ws.append(["甲", "1", "2024-01-01"])
    err = error_of(xlsx_bytes(wb), "a.xlsx")
    assert "第 2 列（B 列）" in err.message_zh
    assert "标题" in err.message_zh


def test_xlsx_duplicate_header_uses_sheet_letters() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B1"], ws["C1"], ws["D1"] = "名称", "代码", "名称"
    ws["B2"] = "x"
    err = error_of(xlsx_bytes(wb), "a.xlsx")
    assert "第 1 列（B 列）" in err.message_zh
    assert "第 3 列（D 列）" in err.message_zh


def test_xlsx_without_data() -> None:
    assert "没有包含数据" in error_of(xlsx_bytes(openpyxl.Workbook()), "a.xlsx").message_zh


def test_xlsx_too_many_rows() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["a"])
    for i in range(6):
        ws.append([i])
    assert "5 行" in error_of(xlsx_bytes(wb), "a.xlsx", max_rows=5).message_zh


# ------------------------------------------------------------------------------ JSON


def test_json_array_of_objects() -> None:
    data = json.dumps(
        [
            {"名称": " 甲 ", "金额": 12.50, "次数": 3, "备注": None},
            {"名称": "乙", "新字段": True, "金额": 1e-7},
        ],
        ensure_ascii=False,
    ).encode()
    table = read(data, "a.json")
    assert table.format == "json"
    assert table.headers == ("名称", "金额", "次数", "备注", "新字段")
    assert table.rows[0].number == 1
    assert table.rows[0].cells == ("甲", "12.5", "3", "", "")
    assert table.rows[1].cells == ("乙", "0.0000001", "", "", "true")


def test_json_numbers_keep_their_digits() -> None:
    data = b'[{"id": 110101199001011234, "amount": 1234567890.123456789}]'
    table = read(data, "a.json")
    assert table.rows[0].cells == ("110101199001011234", "1234567890.123456789")


@pytest.mark.parametrize("key", ["records", "data"])
def test_json_object_with_one_array(key: str) -> None:
    data = json.dumps({"total": 1, key: [{"a": "x"}]}).encode()
    table = read(data, "a.json")
    assert table.rows[0].cells == ("x",)


def test_json_nested_values_are_kept_as_text_and_marked() -> None:
    data = b'[{"a": "x", "b": {"c": [1, 2.50]}}, {"a": [], "b": "y"}]'
    table = read(data, "a.json")
    assert table.rows[0].cells == ("x", '{"c": [1, 2.50]}')
    assert table.rows[0].nested_columns == (1,)
    assert table.rows[1].nested_columns == (0,)


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        (b'[{"a": 1, "a": 2}]', "重复"),
        (b'[{"a": 1}, "x"]', "第 2 条记录不是对象"),
        (b"[]", "没有任何记录"),
        (b'{"a": [], "b": []}', "恰好有一个记录数组"),
        (b'[{"a": 1}', "JSON 格式错误"),
        (b'[{"a": NaN}]', "NaN"),
        (b'[{"": 1}]', "空的键名"),
    ],
)
def test_json_whole_file_errors(document: bytes, fragment: str) -> None:
    assert fragment in error_of(document, "a.json").message_zh


def test_json_too_many_rows() -> None:
    data = json.dumps([{"a": i} for i in range(4)]).encode()
    assert "3 行" in error_of(data, "a.json", max_rows=3).message_zh


def test_column_letter() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]
