from __future__ import annotations

import hashlib
import hmac
import re

import pytest

from xinyong.identity.pii import PiiError, PiiVault
from xinyong.kernel.errors import ConfigurationError

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
ID = "11010519491231002X"


def test_subject_key_format_and_stability() -> None:
    key = PiiVault(KEY).subject_key(ID)
    assert re.fullmatch(r"P[0-9a-f]{32}", key)
    assert PiiVault(KEY).subject_key(ID) == key


def test_subject_key_depends_on_master_key() -> None:
    assert PiiVault(KEY).subject_key(ID) != PiiVault(OTHER_KEY).subject_key(ID)


def test_subject_key_does_not_use_master_key_directly() -> None:
    direct = hmac.new(KEY, ID.encode(), hashlib.sha256).hexdigest()[:32]
    assert PiiVault(KEY).subject_key(ID) != "P" + direct


@pytest.mark.parametrize(
    "variant",
    [
        "11010519491231002x",
        " 110105 19491231002X ",
        "110105491231002",
        "１１０１０５１９４９１２３１００２Ｘ",
    ],
)
def test_subject_key_normalises(variant: str) -> None:
    vault = PiiVault(KEY)
    assert vault.subject_key(variant) == vault.subject_key(ID)


def test_different_numbers_get_different_keys() -> None:
    vault = PiiVault(KEY)
    keys = {vault.subject_key(f"11010519491231{n:03d}X") for n in range(200)}
    assert len(keys) == 200


def test_empty_number_is_refused() -> None:
    with pytest.raises(PiiError) as caught:
        PiiVault(KEY).subject_key("  ")
    assert caught.value.message_zh == "证件号码为空"


@pytest.mark.parametrize("size", [0, 16, 31, 33])
def test_master_key_length(size: int) -> None:
    with pytest.raises(ConfigurationError):
        PiiVault(b"\x00" * size)


def test_seal_round_trip_and_randomness() -> None:
    vault = PiiVault(KEY)
    first = vault.seal("张三 " + ID)
    second = vault.seal("张三 " + ID)
    assert first != second
    assert first[0] == 1
    assert ID.encode() not in first
    assert vault.unseal(first) == vault.unseal(second) == "张三 " + ID


def test_any_flipped_bit_is_detected() -> None:
    vault = PiiVault(KEY)
    blob = vault.seal(ID)
    for index in range(len(blob)):
        tampered = bytearray(blob)
        tampered[index] ^= 0x01
        with pytest.raises(PiiError):
            vault.unseal(bytes(tampered))


def test_other_key_cannot_unseal() -> None:
    blob = PiiVault(KEY).seal(ID)
    with pytest.raises(PiiError) as caught:
        PiiVault(OTHER_KEY).unseal(blob)
    assert "篡改" in caught.value.message_zh
    assert "authentication" in str(caught.value)


def test_truncated_blob() -> None:
    blob = PiiVault(KEY).seal("")
    with pytest.raises(PiiError) as caught:
        PiiVault(KEY).unseal(blob[:-1])
    assert "不完整" in caught.value.message_zh


def test_unknown_version() -> None:
    blob = PiiVault(KEY).seal(ID)
    with pytest.raises(PiiError) as caught:
        PiiVault(KEY).unseal(b"\x07" + blob[1:])
    assert "7" in caught.value.message_zh
