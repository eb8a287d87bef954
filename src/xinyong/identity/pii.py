"""Keyed hashes and authenticated encryption for personal identifiers.

Natural persons are stored under a subject key (an HMAC of the ID number), so records of the
same person link up without the number itself being searchable; the number is kept only as
a sealed blob for the few screens allowed to show it. Both keys are derived from the one
master key with HKDF under distinct labels, so a leak of one derived key does not expose the
other and the master key is never used directly.
"""

from __future__ import annotations

import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from xinyong.identity.ric import normalise_resident_id
from xinyong.kernel.errors import ConfigurationError, XinyongError

MASTER_KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
SUBJECT_KEY_PREFIX = "P"
SUBJECT_KEY_HEX_CHARS = 32

# The first byte of a sealed blob names the key version that sealed it, so during a rotation
# old blobs are opened with the old key while new ones are sealed with the new key.
SEAL_VERSION = 1  # the version of a vault built from one key (before any rotation)
_INFO_SUBJECT_KEY = b"xinyong/pii/subject-key/v1"
_INFO_SEAL = b"xinyong/pii/seal/v1"


class PiiError(XinyongError):
    """A sealed value cannot be opened, or an identifier cannot be keyed."""

    code = "pii_error"  # status 500: callers validate identifiers first; a seal that fails is ours


def _derive(master_key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master_key)


class _Keyed:
    """The derived keys of one master key version."""

    __slots__ = ("aead", "mac", "version", "version_byte")

    def __init__(self, version: int, master_key: bytes) -> None:
        if len(master_key) != MASTER_KEY_BYTES:
            raise ConfigurationError(
                f"PII master key must be {MASTER_KEY_BYTES} bytes, got {len(master_key)}",
                f"个人信息主密钥长度应为{MASTER_KEY_BYTES}字节，实际为{len(master_key)}字节",
            )
        if not 1 <= version <= 255:
            raise ConfigurationError(
                f"key version {version} out of range 1-255", f"密钥版本 {version} 应在1至255之间"
            )
        self.version = version
        self.version_byte = bytes([version])
        # Keyed once and copied per call: building an HMAC from the key each time costs
        # two extra compression rounds, noticeable over a million subjects.
        self.mac = hmac.new(_derive(master_key, _INFO_SUBJECT_KEY), digestmod="sha256")
        self.aead = AESGCM(_derive(master_key, _INFO_SEAL))


class PiiVault:
    """Subject keys and sealing for the configured master keys; cheap to call, build once.

    ``master_key`` is the current key (version ``version``); ``previous`` maps older versions
    to their keys, kept only to open old seals and to find subjects keyed under them until
    `xinyong key rotate-secret` has run (see docs/architecture.md, identifiers)."""

    __slots__ = ("_by_version", "_current")

    def __init__(
        self,
        master_key: bytes,
        *,
        version: int = SEAL_VERSION,
        previous: dict[int, bytes] | None = None,
    ) -> None:
        self._current = _Keyed(version, master_key)
        self._by_version = {version: self._current}
        for v, key in (previous or {}).items():
            if v != version:
                self._by_version[v] = _Keyed(v, key)

    @classmethod
    def from_keys(cls, keys: dict[int, bytes]) -> PiiVault:
        """A vault from ``{version: key}``, the current version first (Settings order)."""
        (version, key), *rest = keys.items()
        return cls(key, version=version, previous=dict(rest))

    @property
    def version(self) -> int:
        """The current key version: new seals and new subject keys use it."""
        return self._current.version

    @property
    def versions(self) -> tuple[int, ...]:
        """Every configured version, the current one first."""
        return tuple(self._by_version)

    def subject_key(self, id_number: str, version: int | None = None) -> str:
        """ "P" + 32 hex chars, the same for a number in 15- or 18-digit, full- or half-width
        form; under the current key unless ``version`` names another configured one."""
        if len(id_number) == 18 and id_number.isascii() and id_number.isalnum():
            normalised = id_number.upper()  # the common case, without the general folding
        else:
            normalised = normalise_resident_id(id_number)
        if not normalised:
            raise PiiError("cannot derive a subject key from an empty ID number", "证件号码为空")
        keyed = self._current if version is None else self._keyed(version)
        mac = keyed.mac.copy()
        mac.update(normalised.encode("utf-8"))
        return SUBJECT_KEY_PREFIX + mac.hexdigest()[:SUBJECT_KEY_HEX_CHARS]

    def previous_subject_keys(self, id_number: str) -> list[str]:
        """The subject keys of ``id_number`` under the previous configured versions."""
        return [
            self.subject_key(id_number, v) for v in self._by_version if v != self._current.version
        ]

    def seal(self, plaintext: str) -> bytes:
        """Version byte, random nonce, then AES-256-GCM ciphertext with its tag."""
        keyed = self._current
        nonce = secrets.token_bytes(NONCE_BYTES)
        # The version byte is authenticated too, so it cannot be swapped to another key.
        sealed = keyed.aead.encrypt(nonce, plaintext.encode("utf-8"), keyed.version_byte)
        return keyed.version_byte + nonce + sealed

    @staticmethod
    def seal_version(blob: bytes) -> int:
        """The key version that sealed ``blob``."""
        return blob[0] if blob else 0

    def unseal(self, blob: bytes) -> str:
        if len(blob) < 1 + NONCE_BYTES + TAG_BYTES:
            raise PiiError(
                f"sealed value too short ({len(blob)} bytes)",
                "加密数据不完整，无法解密",
            )
        keyed = self._by_version.get(blob[0])
        if keyed is None:
            raise PiiError(
                f"sealed value has key version {blob[0]}, which is not configured",
                f"加密数据的密钥版本（{blob[0]}）未配置，无法解密"
                "（轮换未完成时须在 XINYONG_PREVIOUS_SECRET_KEYS 中保留旧密钥）",
            )
        nonce = blob[1 : 1 + NONCE_BYTES]
        try:
            plain = keyed.aead.decrypt(nonce, blob[1 + NONCE_BYTES :], blob[:1])
        except InvalidTag as exc:
            raise PiiError(
                "sealed value failed authentication (tampered, corrupted or another key)",
                "加密数据校验失败：数据可能被篡改或损坏，或密钥不匹配",
            ) from exc
        return plain.decode("utf-8")

    def reseal(self, blob: bytes) -> bytes:
        """``blob`` sealed under the current key (itself when it already is)."""
        if blob and blob[0] == self._current.version:
            return blob
        return self.seal(self.unseal(blob))

    def _keyed(self, version: int) -> _Keyed:
        keyed = self._by_version.get(version)
        if keyed is None:
            raise PiiError(f"key version {version} not configured", f"密钥版本 {version} 未配置")
        return keyed
