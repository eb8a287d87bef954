from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric as stdnum_ric

from xinyong.identity.ric import (
    check_resident_id,
    mask_person_name,
    mask_resident_id,
    normalise_resident_id,
    ric_check_char,
    upgrade_15_to_18,
)

# The standard's own example (GB 11643-1999).
EXAMPLE = "11010519491231002X"
TODAY = date(2025, 6, 30)


def _make(area: str, birth: date, seq: str) -> str:
    body = area + birth.strftime("%Y%m%d") + seq
    return body + ric_check_char(body)


def test_standard_example() -> None:
    result = check_resident_id(EXAMPLE, today=TODAY)
    assert result.valid
    assert result.number == EXAMPLE
    assert result.birth_date == date(1949, 12, 31)
    assert result.sex == "女"
    assert result.division == "110105"
    assert not result.upgraded_from_15


def test_odd_sequence_is_male() -> None:
    number = _make("110105", date(1980, 5, 17), "013")
    assert check_resident_id(number, today=TODAY).sex == "男"


def test_stdnum_check_digit_quirk_is_wrapped() -> None:
    # Given only the 17-digit body stdnum drops a digit and answers wrongly.
    assert stdnum_ric.calc_check_digit(EXAMPLE[:17]) != "X"
    assert ric_check_char(EXAMPLE[:17]) == "X"


@pytest.mark.parametrize(
    "variant",
    ["11010519491231002x", " 110105 19491231 002X", "１１０１０５１９４９１２３１００２Ｘ"],
)
def test_normalisation(variant: str) -> None:
    result = check_resident_id(variant, today=TODAY)
    assert result.valid
    assert result.number == EXAMPLE


def test_fifteen_digit_number_is_upgraded() -> None:
    result = check_resident_id("110105491231002", today=TODAY)
    assert result.valid
    assert result.upgraded_from_15
    assert result.number == EXAMPLE
    assert result.birth_date == date(1949, 12, 31)
    assert normalise_resident_id("110105491231002") == EXAMPLE


def test_upgrade_rejects_non_digits() -> None:
    with pytest.raises(ValueError, match="15 digits"):
        upgrade_15_to_18("11010549123100X")


def test_wrong_check_char() -> None:
    result = check_resident_id(EXAMPLE[:-1] + "1", today=TODAY)
    assert [i.code for i in result.errors] == ["check_digit"]
    assert result.errors[0].message_zh == "身份证号码校验位错误：应为 X，实际为 1"


def test_impossible_date() -> None:
    body = "110105" + "19490230" + "002"
    result = check_resident_id(body + ric_check_char(body), today=TODAY)
    assert [i.code for i in result.errors] == ["birth_date"]
    assert "19490230" in result.errors[0].message_zh
    assert result.birth_date is None


def test_future_birth_date_depends_on_today() -> None:
    number = _make("110105", date(2026, 3, 1), "002")
    early = check_resident_id(number, today=date(2026, 2, 28))
    assert [i.code for i in early.errors] == ["birth_date_future"]
    assert "2026年3月1日" in early.errors[0].message_zh
    assert check_resident_id(number, today=date(2026, 3, 1)).valid


def test_birth_date_too_early() -> None:
    result = check_resident_id(_make("110105", date(1850, 1, 1), "002"), today=TODAY)
    assert [i.code for i in result.errors] == ["birth_date"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1101051949", "length"),
        ("", "length"),
        ("11010519491231X02X", "alphabet"),
        ("11010549123100X", "alphabet"),
    ],
)
def test_format_errors(raw: str, code: str) -> None:
    result = check_resident_id(raw, today=TODAY)
    assert [i.code for i in result.errors] == [code]
    assert result.birth_date is None
    assert result.sex is None


def test_area_code_created_after_birth_is_fine() -> None:
    # 610117 (高陵区) dates from 2014; stdnum rejects people born there earlier, but their
    # numbers are issued with the code of today's county.
    number = _make("610117", date(1980, 1, 1), "001")
    assert not stdnum_ric.is_valid(number)
    result = check_resident_id(number, today=TODAY)
    assert result.valid
    assert result.warnings == ()


def test_retired_area_code_is_fine() -> None:
    result = check_resident_id(_make("610125", date(1970, 1, 1), "001"), today=TODAY)
    assert result.valid
    assert result.warnings == ()


def test_unlisted_area_code_is_a_warning() -> None:
    result = check_resident_id(_make("999999", date(1970, 1, 1), "001"), today=TODAY)
    assert result.valid
    assert [i.code for i in result.warnings] == ["division_unknown"]
    assert "999999" in result.warnings[0].message_zh


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        (EXAMPLE, "110105********002X"),
        ("110105491231002", "110105*****1002"),
        ("12345678", "12****78"),
        ("123", "***"),
        ("", ""),
    ],
)
def test_mask_resident_id(number: str, masked: str) -> None:
    assert mask_resident_id(number) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("欧阳修文", "欧***"), (" 李四 ", "李*"), ("王", "*"), ("", "")],
)
def test_mask_person_name(name: str, masked: str) -> None:
    assert mask_person_name(name) == masked
