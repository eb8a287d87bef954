"""Telling a USCC from a resident ID number when both are 18 characters."""

from __future__ import annotations

import pytest

from tests.helpers import resident_id
from xinyong.identity.pii import PiiVault
from xinyong.identity.resolve import resolve_subject
from xinyong.identity.uscc import make_uscc
from xinyong.kernel.errors import InputError

VAULT = PiiVault(b"k" * 32)


def test_uscc_with_digits_only_body_is_an_organisation() -> None:
    code = make_uscc("9", "1", "610102", "12345678")
    assert code[:17].isdigit()  # looks like an ID number up to the check character
    key, kind, shown = resolve_subject(code, VAULT)
    assert (key, kind, shown) == (code, "organisation", code)


def test_resident_id_is_a_person_shown_masked() -> None:
    number = resident_id()
    key, kind, shown = resolve_subject(number, VAULT)
    assert kind == "person"
    assert key.startswith("P")
    assert number not in key
    assert shown != number
    assert shown[:3] == number[:3]


def test_bad_uscc_names_the_uscc_problem() -> None:
    code = make_uscc("9", "1", "610102", "MA6TXXXX")
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(InputError) as exc:
        resolve_subject(bad, VAULT)
    assert "统一社会信用代码" in exc.value.message_zh or "校验" in exc.value.message_zh


def test_a_bad_birth_date_is_told_without_the_date() -> None:
    body = "610102" + "19801332" + "123"
    with pytest.raises(InputError) as exc:
        resolve_subject(body + "0", VAULT)
    assert "出生日期不是有效日期" in exc.value.message_zh
    for text in (exc.value.message_zh, exc.value.message_en):
        assert "19801332" not in text
        assert body not in text


def test_a_subject_key_is_accepted_only_where_asked_for() -> None:
    key = VAULT.subject_key(resident_id())
    assert resolve_subject(key, VAULT, allow_subject_key=True) == (key, "person", key)
    with pytest.raises(InputError):
        resolve_subject(key, VAULT)
    # Found whatever its case (issue 8: a key copied in capitals named nobody).
    assert resolve_subject(key.upper(), VAULT, allow_subject_key=True) == (key, "person", key)
