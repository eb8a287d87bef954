"""Hostile uploads: each is generated here, refused with the limit it breaks (code, limit
named, value found), leaves the ledger as it was, and stays within bounded memory."""

from __future__ import annotations

import io
import json
import random
import resource
import tracemalloc
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import add_department, counts, csv_bytes, error_detail, penalty, xlsx_bytes
from xinyong.bootstrap import Platform
from xinyong.ingest.service import ImportResult
from xinyong.kernel.errors import InputError
from xinyong.web.app import create_app

MAX_PEAK = 200 * 1024 * 1024  # Python allocations while one hostile file is read
MAX_RSS_KB = 2 * 1024 * 1024  # the whole test process (a dense 512 GB range would abort it)

LIMIT = "input_limit_exceeded"
ENCODING = "unsupported_encoding"


def _bounded(run: Callable[[], Any]) -> Any:
    tracemalloc.start()
    try:
        return run()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < MAX_PEAK, f"peak {peak / 2**20:.0f} MiB"
        assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < MAX_RSS_KB


def _import(platform: Platform, data: bytes, name: str) -> ImportResult:
    return platform.importer().import_bytes(
        data, filename=name, department_code="scjg", item_code="XZCF"
    )


def _refused(platform: Platform, data: bytes, name: str, code: str, *needles: str) -> InputError:
    add_department(platform)
    before = counts(platform)

    def run() -> InputError:
        with pytest.raises(InputError) as exc:
            _import(platform, data, name)
        return exc.value

    error: InputError = _bounded(run)
    assert error.code == code, (error.code, error.message_zh)
    for needle in needles:
        assert needle in error.message_zh, error.message_zh
    assert counts(platform) == before
    return error


# ---------------------------------------------------------------------------- builders

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    b"</Relationships>"
)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _sheet(dimension: str, rows: str, filler: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + f'<dimension ref="{dimension}"/><sheetData>'.encode()
        + filler
        + rows.encode()
        + b"</sheetData></worksheet>"
    )


def _xlsx(sheet: bytes, shared: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
        zf.writestr(
            "xl/sharedStrings.xml",
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
            b'uniqueCount="1"><si><t>x</t></si>' + shared + b"</sst>",
        )
    return out.getvalue()


def _penalty_rows(first: int = 1) -> str:
    row = penalty()
    letters = [
        chr(ord("A") + i) if i < 26 else "A" + chr(ord("A") + i - 26) for i in range(len(row))
    ]
    header = "".join(_cell(f"{c}{first}", h) for c, h in zip(letters, row, strict=True))
    data = "".join(_cell(f"{c}{first + 1}", v) for c, v in zip(letters, row.values(), strict=True))
    return f'<row r="{first}">{header}</row><row r="{first + 1}">{data}</row>'


# ------------------------------------------------------------------------------- XLSX


def test_declared_dimension_of_the_whole_grid_is_refused_before_allocation(
    platform: Platform,
) -> None:
    data = _xlsx(_sheet("A1:XFD1048576", _penalty_rows()))
    assert len(data) < 8 * 1024  # a few KB that would ask for a 16384 x 1048576 grid
    error = _refused(
        platform,
        data,
        "dim.xlsx",
        LIMIT,
        "声明的区域（dimension）",
        "17,179,869,184",
        "XINYONG_MAX_IMPORT_XLSX_CELLS",
        "30,000,000",
    )
    assert "A1:XFD1048576" in error.message_zh


def test_a_far_cell_under_a_small_declared_dimension_is_refused(platform: Platform) -> None:
    rows = _penalty_rows() + '<row r="1048576">' + _cell("XFD1048576", "x") + "</row>"
    _refused(
        platform,
        _xlsx(_sheet("A1:Z2", rows)),
        "far.xlsx",
        LIMIT,
        "实际使用区域",
        "XINYONG_MAX_IMPORT_XLSX_CELLS",
    )


def test_a_far_cell_in_a_near_row_is_refused(platform: Platform) -> None:
    # The cell's own reference places it, not its row's: calamine would go by the cell.
    rows = _penalty_rows() + '<row r="3">' + _cell("A900000", "x") + _cell("ZZ3", "y") + "</row>"
    platform.settings.max_import_xlsx_cells = 1_000_000
    _refused(platform, _xlsx(_sheet("A1:Z2", rows)), "near.xlsx", LIMIT, "实际使用区域")


def test_cells_without_references_are_placed_by_order_and_counted(platform: Platform) -> None:
    # No r attributes: the exact (XML) scan counts positions as calamine would.
    cells = "<c><v>1</v></c>" * 1_500
    rows = _penalty_rows() + f"<row>{cells}</row>"
    _refused(
        platform,
        _xlsx(_sheet("A1:Z2", rows)),
        "order.xlsx",
        LIMIT,
        "1,500 列",
        "XINYONG_MAX_IMPORT_COLUMNS",
    )


def test_xlsx_over_the_byte_size_cap_is_refused(platform: Platform) -> None:
    platform.settings.max_import_bytes = 4_000
    _refused(
        platform,
        xlsx_bytes([penalty()] * 20),
        "big.xlsx",
        LIMIT,
        "XINYONG_MAX_IMPORT_BYTES",
        "4,000 字节",
    )


def test_whitespace_zip_bomb_sheet_is_refused_from_the_directory(platform: Platform) -> None:
    data = _xlsx(_sheet("A1:Z2", _penalty_rows(), filler=b" " * (64 << 20)))
    assert len(data) < 1 << 20
    _refused(
        platform, data, "bomb.xlsx", LIMIT, "sheet1.xml", "压缩比", "XINYONG_MAX_IMPORT_XLSX_RATIO"
    )


def test_shared_strings_zip_bomb_is_refused(platform: Platform) -> None:
    data = _xlsx(_sheet("A1:Z2", _penalty_rows()), shared=b"<si><t>x</t></si>" * (4 << 20))
    _refused(platform, data, "sst.xlsx", LIMIT, "sharedStrings.xml", "压缩比")


def test_absolute_uncompressed_cap_holds_below_the_ratio(platform: Platform) -> None:
    noise = random.Random(8).randbytes(3 << 20).hex()  # barely compressible
    data = _xlsx(_sheet("A1:Z2", _penalty_rows()), shared=f"<si><t>{noise}</t></si>".encode())
    platform.settings.max_import_xlsx_uncompressed_bytes = 4 << 20
    _refused(
        platform,
        data,
        "wide.xlsx",
        LIMIT,
        "解压后的大小",
        "XINYONG_MAX_IMPORT_XLSX_UNCOMPRESSED_BYTES",
        "4,194,304",
    )


def test_a_member_inflating_past_its_declared_size_is_refused(platform: Platform) -> None:
    data = bytearray(_xlsx(_sheet("A1:Z2", _penalty_rows(), filler=b" " * 100_000)))
    # Shrink the declared size in the central directory: zipfile would stop reading there
    # and never see the rest, calamine would inflate all of it.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    central = data.rindex(
        b"PK\x01\x02", 0, data.index(b"xl/worksheets/sheet1.xml", info.header_offset + 40)
    )
    assert int.from_bytes(data[central + 24 : central + 28], "little") == info.file_size
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")
    _refused(platform, bytes(data), "lying.xlsx", "invalid_input", "已损坏")


def test_whitespace_within_the_caps_is_read_in_one_pass(platform: Platform) -> None:
    # Formerly quadratic: a long run without a row end was re-searched on every chunk.
    platform.settings.max_import_xlsx_ratio = 10**6
    data = _xlsx(_sheet("A1:Z2", _penalty_rows(), filler=b"\n " * (8 << 20)))
    add_department(platform)
    result = _bounded(lambda: _import(platform, data, "blank.xlsx"))
    assert (result.accepted, result.rejected) == (1, 0)


def test_formula_cells_are_rejected_per_row_not_imported(platform: Platform) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    row = penalty()
    ws.append(list(row))
    for i in range(300):
        ws.append([*list(row.values())[:-1], '=HYPERLINK("http://x","y")' if i else "=1+1"])
    ws.cell(row=2, column=3, value=f"=A{1}")
    out = io.BytesIO()
    wb.save(out)
    add_department(platform)
    before = counts(platform)
    result = _bounded(lambda: _import(platform, out.getvalue(), "formulas.xlsx"))
    assert result.accepted == 0
    assert result.rejected == 300
    assert all("公式" in r["reason"] for r in result.rejections)
    assert counts(platform)[1] == before[1]


# ------------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("levels", [400, 100_000])
def test_deep_json_is_refused_without_recursion_error(platform: Platform, levels: int) -> None:
    nested = "[" * levels + "]" * levels
    data = ('{"records": [{"CF_WSH": ' + nested + "}]}").encode()
    _refused(
        platform, data, "deep.json", LIMIT, "嵌套层数", "XINYONG_MAX_IMPORT_JSON_DEPTH", "32 层"
    )


def test_deep_json_at_top_level_is_refused(platform: Platform) -> None:
    data = ("[" * 100_000 + "]" * 100_000).encode()
    _refused(platform, data, "deep.json", LIMIT, "嵌套层数", "100,000 层")


def test_a_45_byte_number_that_expands_to_gigabytes_is_refused(platform: Platform) -> None:
    data = b'[{"CF_NR_FK": 1e999999999}]'.ljust(45)
    assert len(data) == 45
    _refused(
        platform,
        data,
        "num.json",
        LIMIT,
        "数字的位数",
        "XINYONG_MAX_IMPORT_JSON_NUMBER_DIGITS",
        "64 位",
    )


def test_a_10000_digit_json_integer_is_refused(platform: Platform) -> None:
    data = ('[{"CF_NR_FK": ' + "9" * 10_000 + "}]").encode()
    _refused(
        platform, data, "int.json", LIMIT, "10,000 位", "XINYONG_MAX_IMPORT_JSON_NUMBER_DIGITS"
    )


def test_records_with_thousands_of_keys_are_refused(platform: Platform) -> None:
    record = {f"k{i}": "v" for i in range(2_000)}
    data = json.dumps([record] * 300).encode()
    _refused(platform, data, "keys.json", LIMIT, "键数", "2,000 个", "XINYONG_MAX_IMPORT_JSON_KEYS")


def test_many_distinct_keys_across_records_are_refused_as_columns(platform: Platform) -> None:
    data = json.dumps([{f"k{n}-{i}": "v" for i in range(10)} for n in range(300)]).encode()
    _refused(platform, data, "cols.json", LIMIT, "列数", "XINYONG_MAX_IMPORT_COLUMNS")


def test_json_with_too_many_records_is_refused(platform: Platform) -> None:
    platform.settings.max_import_rows = 10
    data = json.dumps({"records": [penalty(CF_WSH=f"{i}号") for i in range(30)]}).encode()
    _refused(platform, data, "many.json", LIMIT, "10 行", "XINYONG_MAX_IMPORT_ROWS")


# -------------------------------------------------------------------------------- CSV


def test_a_cell_over_the_cap_is_refused_without_echoing_it(platform: Platform) -> None:
    data = csv_bytes([penalty(CF_SY="事" * 40_000)])
    error = _refused(
        platform, data, "long.csv", LIMIT, "40,000 字", "32,767 字", "XINYONG_MAX_IMPORT_CELL_CHARS"
    )
    assert "事事事" not in error.message_zh


def test_a_huge_quoted_cell_is_refused_as_too_long(platform: Platform) -> None:
    data = csv_bytes([penalty(CF_SY='他说"' + "事" * 200_000 + '"')])
    _refused(platform, data, "quoted.csv", LIMIT, "单元格的长度", "XINYONG_MAX_IMPORT_CELL_CHARS")


def test_a_long_rejected_value_is_echoed_truncated(platform: Platform) -> None:
    add_department(platform)
    value = "2026年" + "X" * 5_000
    result = _import(platform, csv_bytes([penalty(CF_JDRQ=value)]), "echo.csv")
    assert result.rejected == 1
    echoed = [r["value"] for r in result.rejections if r["value"].startswith("2026年")]
    assert echoed == [value[:200] + f"…（共{len(value):,}字）"]
    assert result.batch_id is not None
    from xinyong.ingest.export import describe_problems
    from xinyong.kernel.errors import FieldProblem

    reason = describe_problems([FieldProblem(3, "决定日期", value, "日期无效", "bad date")])
    assert len(reason) < 200
    assert "（共5,005字）" in reason


def test_csv_with_too_many_columns_is_refused(platform: Platform) -> None:
    headers = [f"列{i}" for i in range(1_001)]
    data = (",".join(headers) + "\n" + ",".join("x" * 1 for _ in headers) + "\n").encode()
    _refused(
        platform, data, "wide.csv", LIMIT, "1,001 列", "1,000 列", "XINYONG_MAX_IMPORT_COLUMNS"
    )


def test_csv_with_too_many_lines_is_refused(platform: Platform) -> None:
    platform.settings.max_import_csv_lines = 100
    _refused(
        platform,
        csv_bytes([penalty()] * 150),
        "lines.csv",
        LIMIT,
        "行数",
        "XINYONG_MAX_IMPORT_CSV_LINES",
    )


def _big5_csv() -> bytes:
    """A traditional-Chinese export (Taiwan, Hong Kong systems) in Big5."""
    rows = [["行政相對人名稱", "處罰決定書文號", "違法行為類型", "處罰機關"]]
    rows += [
        [f"臺北市範例科技有限公司{i}", f"北市監罰字第{i}號", "發布虛假廣告", "市場監督管理處"]
        for i in range(5)
    ]
    return "".join(",".join(r) + "\r\n" for r in rows).encode("big5")


def test_big5_csv_is_refused_naming_big5(platform: Platform) -> None:
    data = _big5_csv()
    data.decode("gb18030")  # it "decodes" as GB18030: only plausibility can tell
    _refused(platform, data, "big5.csv", ENCODING, "疑似 Big5 编码")


def test_utf16_without_bom_is_refused_naming_utf16(platform: Platform) -> None:
    data = csv_bytes([penalty()], encoding="utf-8").decode().encode("utf-16-le")
    _refused(platform, data, "u16.csv", ENCODING, "疑似 UTF-16 编码")


def test_binary_garbage_is_refused(platform: Platform) -> None:
    data = random.Random(3).randbytes(64 * 1024)
    error = _refused(platform, data, "junk.csv", "invalid_input", "二进制")
    assert len(error.message_zh) < 200


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_utf8_and_gb18030_still_import(platform: Platform, encoding: str) -> None:
    add_department(platform)
    result = _import(platform, csv_bytes([penalty()], encoding=encoding), "ok.csv")
    assert (result.accepted, result.rejected) == (1, 0)


# ------------------------------------------------------------------------------- HTTP


@pytest.mark.parametrize(
    ("name", "make", "code", "needle"),
    [
        (
            "big5.csv",
            _big5_csv,
            ENCODING,
            "疑似 Big5 编码",
        ),
        ("dim.xlsx", lambda: _xlsx(_sheet("A1:XFD1048576", _penalty_rows())), LIMIT, "dimension"),
        ("deep.json", lambda: ("[" * 100_000 + "]" * 100_000).encode(), LIMIT, "嵌套层数"),
    ],
)
def test_the_import_route_answers_422_with_the_chinese_error(
    platform: Platform, name: str, make: Callable[[], bytes], code: str, needle: str
) -> None:
    key = add_department(platform)
    before = counts(platform)
    resp = TestClient(create_app(platform)).post(
        "/api/v1/imports",
        params={"item": "XZCF"},
        files={"file": (name, make(), "application/octet-stream")},
        headers={"X-API-Key": key},
    )
    assert resp.status_code == 422, resp.text
    detail = error_detail(resp)
    assert detail["code"] == code
    assert needle in detail["message"]
    assert counts(platform) == before
