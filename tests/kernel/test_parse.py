"""Cell parsers: dates, 万元 amounts, registered capital, text normalisation, name keys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.kernel.errors import XinyongError
from xinyong.kernel.parse import (
    ParseError,
    name_key,
    normalise_text,
    parse_amount_wan,
    parse_date,
    parse_registered_capital,
)

D = dt.date
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")

# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "raw",
    [
        "2024-01-05",
        "2024/1/5",
        "2024/01/05",
        "2024.01.05",
        "2024.1.5",
        "20240105",
        "2024年1月5日",
        "2024年01月05日",
        "2024 年 1 月 5 日",
        "2024-01-05 00:00:00",
        "2024-01-05T00:00:00",
        "2024-01-05 08:30",
        "2024-01-05T08:30:15.123+08:00",
        "２０２４－０１－０５",
        "２０２４年１月５日",
        "  2024-01-05\t",
        "\u30002024-01-05\u3000",
        "45296",
        "45296.0",
    ],
)
def test_date_spellings(raw: str) -> None:
    assert parse_date(raw) == D(2024, 1, 5)


def test_parse_error_is_a_xinyong_error() -> None:
    assert issubclass(ParseError, XinyongError)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2024-02-30", "日期不存在：2024年2月没有30日"),
        ("2023-02-29", "日期不存在：2023年2月没有29日"),
        ("1900-02-29", "日期不存在：1900年2月没有29日"),  # Excel thinks it exists
        ("2024/4/31", "日期不存在：2024年4月没有31日"),
        ("2024年6月0日", "日期不存在：2024年6月没有0日"),
    ],
)
def test_impossible_dates_say_exactly_why(raw: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_date(raw)
    assert info.value.message_zh == message


def test_leap_days_that_exist() -> None:
    assert parse_date("2024-02-29") == D(2024, 2, 29)
    assert parse_date("2000/2/29") == D(2000, 2, 29)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("2024-13-01", "月份应为 1–12"),
        ("24-01-05", "四位"),
        ("1/5/24", "四位"),
        ("05/01/2024", "四位"),  # day-first or month-first: cannot tell
        ("0001-01-01", "不在合理范围"),
        ("2101-01-01", "不在合理范围"),
        ("18991231", "不在合理范围"),
        ("", "日期为空"),
        ("   ", "日期为空"),
        ("abc", "无法识别的日期"),
        ("2024", "无法识别的日期"),
        ("2024-01", "无法识别的日期"),
        ("2024-01-05x", "无法识别的日期"),
        ("61", "无法识别的日期"),  # Excel serials below five digits are refused
        ("2024-W01-1", "无法识别的日期"),  # ISO week date, which fromisoformat accepts
        ("2024-01/05", "分隔符不一致"),
        ("2024年1-5", "分隔符不一致"),
        ("2024-01-05日", "分隔符不一致"),
        ("2024-01-05 24:00:00", "时间无效"),
        ("99999", "Excel 日期序号"),
    ],
)
def test_bad_dates(raw: str, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_date(raw)
    assert fragment in info.value.message_zh


def test_excel_serial_bounds() -> None:
    assert parse_date("10000") == D(1927, 5, 18)
    assert parse_date("36526") == D(2000, 1, 1)
    assert parse_date("73415") == D(2100, 12, 31)
    with pytest.raises(ParseError):
        parse_date("73416")


def _excel_serial(day: D) -> int:
    # Independent formula: day 1 is 1900-01-01 and Excel counts a fictitious 1900-02-29.
    return (day - D(1900, 1, 1)).days + 2


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)))
def test_every_spelling_of_every_date_round_trips(day: D) -> None:
    y, m, d = day.year, day.month, day.day
    spellings = [
        day.isoformat(),
        f"{y}/{m}/{d}",
        f"{y}.{m:02d}.{d:02d}",
        f"{y}{m:02d}{d:02d}",
        f"{y}年{m}月{d}日",
        f"{day.isoformat()} 00:00:00",
        day.isoformat().translate(FULL_WIDTH_DIGITS),
    ]
    for raw in spellings:
        assert parse_date(raw) == day, raw
    serial = _excel_serial(day)
    if 10000 <= serial <= 99999:
        assert parse_date(str(serial)) == day


@given(st.text(max_size=25))
def test_dates_fail_only_with_parse_error(raw: str) -> None:
    try:
        result = parse_date(raw)
    except ParseError as exc:
        error = exc
    else:
        assert D(1900, 1, 1) <= result <= D(2100, 12, 31)
        return
    assert error.message_zh


# --------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.2", "0.2"),
        ("0", "0"),
        ("1,234.5", "1234.5"),
        ("1,234,567.123456", "1234567.123456"),
        ("１２.５", "12.5"),
        ("１，２３４．５", "1234.5"),
        ("12.5万元", "12.5"),
        ("12.5 万元", "12.5"),
        ("12.5万", "12.5"),
        ("20000元", "2"),
        ("1.23元", "0.000123"),
        ("1,500元", "0.15"),
        (" 3 ", "3"),
        ("+3", "3"),
        ("-0", "0"),
        ("1.1234560", "1.123456"),  # the seventh decimal is only a trailing zero
        ("1e-05", "0.00001"),  # what str(float) gives for 0.00001
        ("1.2E+3", "1200"),
    ],
)
def test_amounts(raw: str, expected: str) -> None:
    result = parse_amount_wan(raw)
    assert result == Decimal(expected)
    assert str(result) == expected  # no exponent notation reaches storage or display


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("-1", "金额不能为负数"),
        ("-0.5万元", "金额不能为负数"),
        ("NaN", "有限"),
        ("inf", "有限"),
        ("-Infinity", "有限"),
        ("abc", "不是数字"),
        ("", "金额为空"),
        ("1.1234567", "6位小数"),
        ("0.001元", "6位小数"),
        ("12,5", "千分位"),  # a decimal comma must not become 125
        ("1,23,456", "千分位"),
        ("1_000", "不是数字"),  # Decimal() would accept this
        ("١٢", "不是数字"),  # so would it Arabic-Indic digits
        ("12.5美元", "不是数字"),
        ("12..5", "不是数字"),
        ("1e20", "金额过大"),
    ],
)
def test_bad_amounts(raw: str, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_amount_wan(raw)
    assert fragment in info.value.message_zh


amounts = st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False)


@given(amounts)
def test_amounts_round_trip(value: Decimal) -> None:
    assert parse_amount_wan(str(value)) == value
    assert parse_amount_wan(f"{value:,}") == value
    assert parse_amount_wan(f"{value}万元") == value


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_yuan_are_converted_exactly(yuan: Decimal) -> None:
    assert parse_amount_wan(f"{yuan}元") * 10000 == yuan


@given(st.text(max_size=20))
def test_amounts_fail_only_with_parse_error(raw: str) -> None:
    try:
        result = parse_amount_wan(raw)
    except ParseError as exc:
        error = exc
    else:
        assert result >= 0
        assert result.is_finite()
        return
    assert error.message_zh


# --------------------------------------------------------------------------- capital


@pytest.mark.parametrize(
    ("raw", "amount", "currency"),
    [
        ("6,000(万元人民币)", "6000", "CNY"),
        ("6,000（万元人民币）", "6000", "CNY"),
        ("41.2000(万)", "41.2000", None),
        ("100万美元", "100", "USD"),
        ("100 万 USD", "100", "USD"),
        ("50万元", "50", "CNY"),
        ("5000元", "0.5", "CNY"),
        ("人民币6000万元", "6000", "CNY"),
        ("1.5亿元", "15000", "CNY"),
        ("200万港元", "200", "HKD"),
        ("6000", "6000", None),
        ("６０００万元", "6000", "CNY"),
        ("6,0000万元", "60000", "CNY"),
    ],
)
def test_registered_capital(raw: str, amount: str, currency: str | None) -> None:
    value, code = parse_registered_capital(raw)
    assert value == Decimal(amount)
    assert code == currency


@pytest.mark.parametrize(
    "raw",
    ["N/A", "", "  ", "-", "无", "不详", "-5万元", "100万火星币", "人民币100万美元", "12,5万元"],
)
def test_unreadable_capital_is_none(raw: str) -> None:
    assert parse_registered_capital(raw) == (None, None)


@given(st.text(max_size=20))
def test_registered_capital_never_raises(raw: str) -> None:
    value, code = parse_registered_capital(raw)
    if value is None:
        assert code is None
    else:
        assert value >= 0


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  北京某某科技有限公司  ", "北京某某科技有限公司"),
        ("ＡＢＣ１２３", "ABC123"),
        ("北京某某（集团）有限公司", "北京某某（集团）有限公司"),  # Chinese brackets stay
        ("是否？是！", "是否？是！"),
        ("一，二；三：四", "一，二；三：四"),
        ("Ａ＆Ｂ／Ｃ＠ｄ", "A&B/C@d"),
        ("a\u3000\u3000b", "a b"),
        ("a \t b", "a b"),
        ("a\u00a0b", "a b"),
        ("\ufeff某某\u200b公司", "某某公司"),
        ("第一行  \r\n  第二行", "第一行\n第二行"),
        ("a\x00b\x07c", "abc"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


REALISTIC = st.text(
    alphabet=st.sampled_from(
        [
            *"北京某科技有限公司分集团abcXYZ019()（）【】[]·・ ，。？！",
            *["\u3000", "\u00a0", "\t", "\n", "\r", "\u200b", "Ａ", "ｂ", "１", "＆"],
        ]
    ),
    max_size=30,
)


@given(REALISTIC)
def test_normalise_text_is_idempotent(raw: str) -> None:
    once = normalise_text(raw)
    assert normalise_text(once) == once
    assert once == once.strip()
    assert "  " not in once


def test_name_key_makes_spellings_equal() -> None:
    canonical = name_key("某某（北京）科技有限公司")
    for variant in [
        "某某(北京)科技有限公司",
        "某某（北京） 科技有限公司",
        " 某某【北京】科技有限公司\u3000",
        "某某〔北京〕科技\u200b有限公司",
        "某某［北京］科技有限公司",
    ]:
        assert name_key(variant) == canonical, variant
    assert canonical == "某某(北京)科技有限公司"
    assert name_key("ａｂｃ Tech 有限公司") == name_key("ABC tech有限公司") == "ABCTECH有限公司"
    assert name_key("约翰・史密斯") == name_key("约翰·史密斯")


def test_name_key_keeps_different_names_apart() -> None:
    assert name_key("某某（北京）科技有限公司") != name_key("某某（上海）科技有限公司")
    assert name_key("某某科技有限公司") != name_key("某某科技有限责任公司")


@given(REALISTIC)
def test_name_key_ignores_text_normalisation(raw: str) -> None:
    assert name_key(normalise_text(raw)) == name_key(raw)
    assert name_key(name_key(raw)) == name_key(raw)
