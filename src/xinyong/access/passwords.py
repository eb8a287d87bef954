"""Password hashing (argon2id) and the password policy (等保: length and complexity).

The hash parameters come from the settings (``XINYONG_PASSWORD_*``). Values under the floor
below are refused unless ``XINYONG_PASSWORD_HASH_TEST_MODE`` is set: the test suite signs in
hundreds of times and cannot spend 64 MiB and a few hundred milliseconds on each.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from xinyong.kernel.errors import ConfigurationError, InputError
from xinyong.kernel.settings import Settings

# OWASP's least argon2id configuration (t=2, m=19 MiB, p=1).
MIN_TIME_COST = 2
MIN_MEMORY_KIB = 19 * 1024
PASSWORD_MAX_LENGTH = 128
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


@dataclass(frozen=True, slots=True)
class HashParameters:
    time_cost: int
    memory_kib: int
    parallelism: int

    @classmethod
    def from_settings(cls, settings: Settings) -> HashParameters:
        params = cls(
            settings.password_time_cost,
            settings.password_memory_kib,
            settings.password_parallelism,
        )
        weak = params.time_cost < MIN_TIME_COST or params.memory_kib < MIN_MEMORY_KIB
        if weak and not settings.password_hash_test_mode:
            raise ConfigurationError(
                "argon2id parameters under the floor (t>=2, m>=19456 KiB)",
                "口令哈希参数过低：XINYONG_PASSWORD_TIME_COST 不得小于 2，"
                "XINYONG_PASSWORD_MEMORY_KIB 不得小于 19456（仅测试可放宽）",
            )
        return params


class PasswordHasher:
    """argon2id with the configured parameters; a hash made with other parameters still
    verifies and is re-hashed at the next sign-in (``needs_rehash``)."""

    def __init__(self, params: HashParameters) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            type=argon2.Type.ID,
        )
        # Verified against when the name is unknown, so that an unknown name costs as long
        # as a wrong password (no enumeration by timing).
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True


def check_password(password: str, name: str, min_length: int) -> None:
    """Refuse a password the policy does not allow (InputError naming the rule, never the
    password): at least ``min_length`` characters, at most 128, three of four kinds
    (lower case, upper case, digits, other), not containing the sign-in name."""
    if len(password) < min_length:
        raise InputError(
            f"password shorter than {min_length} characters", f"口令长度不得少于{min_length}个字符"
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InputError(
            f"password longer than {PASSWORD_MAX_LENGTH} characters",
            f"口令长度不得超过{PASSWORD_MAX_LENGTH}个字符",
        )
    kinds = sum(any(c in cls for c in password) for cls in _CLASSES)
    kinds += any(not c.isascii() or not c.isalnum() for c in password)
    if kinds < 3:
        raise InputError(
            "password needs three of: lower case, upper case, digits, other characters",
            "口令须包含小写字母、大写字母、数字、其他字符中的至少三类",
        )
    if name and name.lower() in password.lower():
        raise InputError("password contains the user name", "口令不得包含用户名")


def generate_password(length: int = 16) -> str:
    """A random password the policy accepts (shown once, for a new or reset account)."""
    alphabet = string.ascii_letters + string.digits + "-_.!@#"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        try:
            check_password(candidate, "", min(length, 64))
        except InputError:
            continue
        return candidate
