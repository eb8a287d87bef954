from __future__ import annotations

from pathlib import Path

import pytest
from stdnum.cn import uscc as stdnum_uscc

from xinyong.identity.uscc import (
    ALPHABET,
    REGISTRATION_DEPARTMENTS,
    Issue,
    check_uscc,
    load_legacy_allowlist,
    make_uscc,
    normalise_uscc,
    org_code_check_char,
)
from xinyong.kernel.errors import ConfigurationError

# Real codes quoted in public reports (domain-reference §10.1).
REAL_CODES = ["91320100748204660Q", "11320100MB1886843H", "91230500MA1B3N1N2M"]
LEGACY = ["91350211M00013FA1N", "91350203M0001QAY9B"]
NO_ALLOWLIST: frozenset[str] = frozenset()


def _codes(issues: tuple[Issue, ...]) -> list[str]:
    return [i.code for i in issues]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    result = check_uscc(code)
    assert result.valid, result.errors
    assert result.code == code
    assert not result.legacy_allowlisted


def test_stdnum_misses_a_wrong_org_code_check_char_and_we_do_not() -> None:
    # Verifies the ecosystem note: stdnum checks char 18 only.
    code = "91110108551385083U"
    assert stdnum_uscc.is_valid(code)
    result = check_uscc(code)
    assert _codes(result.errors) == ["org_code_check"]
    expected = org_code_check_char(code[8:16])
    assert expected != code[16]
    assert f"应为 {expected}，实际为 {code[16]}" in result.errors[0].message_zh


def test_wrong_check_digit_message_names_both_chars() -> None:
    good = make_uscc("9", "1", "110108", "55138508")
    wrong = next(ch for ch in ALPHABET if ch != good[-1])
    result = check_uscc(good[:-1] + wrong)
    assert _codes(result.errors) == ["check_digit"]
    assert result.errors[0].message_zh == (
        f"统一社会信用代码校验位错误：应为 {good[-1]}，实际为 {wrong}"
    )
    assert wrong in result.errors[0].message_en


def test_letter_registration_department_is_not_a_format_error() -> None:
    # stdnum.validate demands digits in chars 1-8; real Y/N/A codes exist.
    code = make_uscc("Y", "1", "610103", "MA6TX0L2")
    with pytest.raises(stdnum_uscc.InvalidFormat):
        stdnum_uscc.validate(code)
    assert check_uscc(code).valid


@pytest.mark.parametrize(
    "variant",
    [
        "９１３２０１００７４８２０４６６０Ｑ",
        " 9132 0100 7482 0466 0Q ",
        "91320100748204660q",
        "\u30009132010074820466\t0Q",
    ],
)
def test_normalisation(variant: str) -> None:
    result = check_uscc(variant)
    assert result.code == "91320100748204660Q"
    assert result.raw == variant
    assert result.valid


def test_normalise_leaves_separators_alone() -> None:
    assert normalise_uscc("9132-0100") == "9132-0100"


@pytest.mark.parametrize("size", [0, 17, 19])
def test_length(size: int) -> None:
    raw = ("91320100748204660Q" * 2)[:size]
    result = check_uscc(raw)
    assert "length" in _codes(result.errors)
    assert f"实际为{size}位" in next(i for i in result.errors if i.code == "length").message_zh


def test_alphabet_names_position_and_char() -> None:
    code = "91320100748204660Q"
    result = check_uscc(code[:9] + "O" + code[10:])
    assert _codes(result.errors) == ["alphabet"]
    assert "第10位“O”" in result.errors[0].message_zh


def test_alphabet_error_summarises_many_bad_chars() -> None:
    result = check_uscc("9132010074820466-Q")
    assert "第17位“-”" in result.errors[0].message_zh
    many = check_uscc("ZZZZZZZZZZZZZZZZZZ")
    assert "等18处" in many.errors[0].message_zh


@pytest.mark.parametrize("code", LEGACY)
def test_legacy_codes_pass_with_a_warning(code: str) -> None:
    assert not check_uscc(code, allowlist=NO_ALLOWLIST).valid
    result = check_uscc(code)
    assert result.valid
    assert result.legacy_allowlisted
    assert _codes(result.warnings)[0] == "legacy_allowlisted"
    # The downgraded failure stays visible so a user sees what is odd about the code.
    assert "check_digit" in _codes(result.warnings)


def test_legacy_list_is_loaded_from_package_data() -> None:
    assert set(LEGACY) <= load_legacy_allowlist()


def test_extra_legacy_file(tmp_path: Path) -> None:
    odd = "91610103MA6TX0L2AA"
    extra = tmp_path / "legacy.yaml"
    extra.write_text(
        f"codes:\n  - code: '{odd.lower()}'\n    note: 本地核实的历史代码\n", encoding="utf-8"
    )
    allowlist = load_legacy_allowlist(extra)
    assert odd in allowlist
    assert set(LEGACY) <= allowlist
    assert check_uscc(odd, allowlist=allowlist).valid
    assert not check_uscc(odd).valid


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("codes: [", "YAML"),
        ("- a\n", "codes"),
        ("codes:\n  - note: x\n", "code"),
        ("codes:\n  - code: 91350211M00013FA1N\n", "note"),
        ("codes:\n  - code: '123'\n    note: x\n", "18"),
    ],
)
def test_bad_legacy_file(tmp_path: Path, content: str, fragment: str) -> None:
    extra = tmp_path / "legacy.yaml"
    extra.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_legacy_allowlist(extra)
    assert fragment in caught.value.message_zh


def test_unknown_registration_department_is_a_warning() -> None:
    dept = next(ch for ch in ALPHABET if ch not in REGISTRATION_DEPARTMENTS)
    result = check_uscc(make_uscc(dept, "1", "610103", "MA6TX0L2"))
    assert result.valid
    assert _codes(result.warnings) == ["registration_dept"]
    assert f"“{dept}”" in result.warnings[0].message_zh


def test_unknown_category_is_a_warning() -> None:
    result = check_uscc(make_uscc("9", "5", "610103", "MA6TX0L2"))
    assert result.valid
    assert _codes(result.warnings) == ["category"]
    assert "“5”" in result.warnings[0].message_zh


def test_department_without_category_table_skips_category_check() -> None:
    assert REGISTRATION_DEPARTMENTS["N"].confirmed is False
    result = check_uscc(make_uscc("N", "7", "610103", "MA6TX0L2"))
    assert result.valid
    assert result.warnings == ()


def test_individual_business() -> None:
    assert check_uscc(make_uscc("9", "2", "610103", "L2345678")).subject_kind == (
        "individual_business"
    )
    assert check_uscc(REAL_CODES[0]).subject_kind == "organisation"


def test_unknown_division_is_only_a_warning() -> None:
    result = check_uscc(make_uscc("9", "1", "610131", "MA6TX0L2"))
    assert result.valid
    assert _codes(result.warnings) == ["division_unknown"]
    assert "610131" in result.warnings[0].message_zh


def test_retired_division_warning_names_date_and_successor() -> None:
    result = check_uscc(make_uscc("9", "1", "610125", "MA6TX0L2"))
    assert result.valid
    assert _codes(result.warnings) == ["division_retired"]
    message = result.warnings[0].message_zh
    assert "2016年" in message
    assert "610118" in message
    assert "鄠邑区" in message
    assert "610118" in result.warnings[0].message_en


def test_national_division_is_accepted_silently() -> None:
    result = check_uscc(make_uscc("1", "1", "100000", "00001234"))
    assert result.valid
    assert result.warnings == ()


def test_org_code_check_char_satisfies_gb11714_equation() -> None:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    seen = set()
    for n in range(0, 400_000, 397):
        body = f"{n:08d}"
        check = org_code_check_char(body)
        seen.add(check)
        value = 10 if check == "X" else int(check)
        assert (sum(int(c) * w for c, w in zip(body, weights, strict=True)) + value) % 11 == 0
    # The two special mappings (10 -> X, 11 -> 0) were both exercised.
    assert {"X", "0"} <= seen


def test_org_code_check_char_letters_count_from_ten() -> None:
    # Known real pair: body MA1B3N1N, check 2 (from 91230500MA1B3N1N2M).
    assert org_code_check_char("MA1B3N1N") == "2"


@pytest.mark.parametrize("body", ["1234567", "123456789", "1234567a", "1234567-"])
def test_org_code_check_char_rejects_bad_body(body: str) -> None:
    with pytest.raises(ValueError, match="organisation code body"):
        org_code_check_char(body)


@pytest.mark.parametrize(
    "args",
    [
        ("91", "1", "610103", "MA6TX0L2"),
        ("9", "O", "610103", "MA6TX0L2"),
        ("9", "1", "61010", "MA6TX0L2"),
        ("9", "1", "61010A", "MA6TX0L2"),
        ("9", "1", "610103", "MA6TX0L"),
        ("9", "1", "610103", "MA6TXOL2"),
    ],
)
def test_make_uscc_rejects_bad_parts(args: tuple[str, str, str, str]) -> None:
    with pytest.raises(ValueError, match="must be"):
        make_uscc(*args)


def test_issue_to_field_problem() -> None:
    issue = check_uscc("123").errors[0]
    problem = issue.to_field_problem(row=3, field="统一社会信用代码", value="123")
    assert problem.reason == issue.message_zh
    assert problem.reason_en == issue.message_en
    assert problem.severity == "error"
