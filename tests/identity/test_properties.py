from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from xinyong.identity.pii import PiiVault
from xinyong.identity.ric import (
    check_resident_id,
    mask_resident_id,
    ric_check_char,
    upgrade_15_to_18,
)
from xinyong.identity.uscc import ALPHABET, check_uscc, make_uscc

NO_ALLOWLIST: frozenset[str] = frozenset()
TODAY = date(2030, 1, 1)
# Characters a typo can produce: the whole alphabet plus the excluded look-alikes and symbols.
TYPO_CHARS = ALPHABET + "IOSVZ-*"

alphabet_char = st.sampled_from(ALPHABET)
division = st.text("0123456789", min_size=6, max_size=6)
org_body = st.text(ALPHABET, min_size=8, max_size=8)
uscc_code = st.builds(make_uscc, alphabet_char, alphabet_char, division, org_body)


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    area = draw(st.text("0123456789", min_size=6, max_size=6))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2029, 12, 31)))
    seq = draw(st.text("0123456789", min_size=3, max_size=3))
    body = area + birth.strftime("%Y%m%d") + seq
    return body + ric_check_char(body)


@given(uscc_code)
def test_made_codes_are_valid(code: str) -> None:
    result = check_uscc(code, allowlist=NO_ALLOWLIST)
    assert result.valid, result.errors
    assert result.code == code


@given(uscc_code, st.integers(0, 17), st.sampled_from(TYPO_CHARS))
def test_any_single_change_is_detected(code: str, position: int, char: str) -> None:
    if code[position] == char:
        return
    changed = code[:position] + char + code[position + 1 :]
    result = check_uscc(changed, allowlist=NO_ALLOWLIST)
    assert not result.valid
    assert {i.code for i in result.errors} <= {"check_digit", "org_code_check", "alphabet"}


@given(resident_ids())
def test_made_resident_ids_are_valid(number: str) -> None:
    assert check_resident_id(number, today=TODAY).valid


@given(resident_ids(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_change_to_a_resident_id_is_detected(
    number: str, position: int, char: str
) -> None:
    if number[position] == char:
        return
    changed = number[:position] + char + number[position + 1 :]
    assert not check_resident_id(changed, today=TODAY).valid


@given(
    st.text("0123456789", min_size=6, max_size=6),
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    st.text("0123456789", min_size=3, max_size=3),
)
def test_fifteen_digit_upgrade_is_valid(area: str, birth: date, seq: str) -> None:
    old = area + birth.strftime("%y%m%d") + seq
    upgraded = upgrade_15_to_18(old)
    result = check_resident_id(old, today=TODAY)
    assert result.valid
    assert result.number == upgraded
    assert result.birth_date == birth


@given(st.text(st.characters(codec="ascii", categories=["Nd", "Lu"]), max_size=40))
def test_mask_hides_at_least_half(number: str) -> None:
    masked = mask_resident_id(number)
    assert len(masked) == len(number)
    assert masked.count("*") * 2 >= len(number) or len(number) >= 15
    assert all(m in ("*", c) for m, c in zip(masked, number, strict=True))


vault = PiiVault(bytes(32))


@given(st.text())
def test_seal_round_trip(text: str) -> None:
    assert vault.unseal(vault.seal(text)) == text


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_fast_check_char_agrees_with_stdnum(body17: str) -> None:
    from stdnum.cn import uscc as stdnum_uscc

    from xinyong.identity.uscc import uscc_check_char

    assert uscc_check_char(body17) == str(stdnum_uscc.calc_check_digit(body17))
