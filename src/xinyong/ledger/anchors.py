"""Signed heads of the ledger (anchors): the signed message, signatures, the anchors file.

The chain lets anyone who can read the database recompute it; someone who can also write it
can rewrite a suffix of batches and every hash after it consistently, and `verify` passes.
An anchor is the head (batch, chain hash, entries up to it, time) signed with the platform's
Ed25519 key and published: an outsider who kept it can later show that the ledger still
holds that batch with that hash, whatever happened to the database and its anchors table.

The audit log is hash-chained the same way and has the same weakness, so an anchor also
signs the audit log's head (its last row and that row's hash).

The signed message is this UTF-8 text, each line ending in one LF, no other whitespace::

    xinyong-ledger-anchor-v2
    batch_id=<head batch id, decimal>
    head_hash=<chain hash of that batch, 64 lowercase hex>
    entry_count=<entries in batches 1..batch_id, decimal>
    audit_row_id=<id of the audit log's last row, decimal; 0 while the log is empty>
    audit_hash=<that row's hash, 64 lowercase hex; 64 zeros while the log is empty>
    anchored_at=<UTC, YYYY-MM-DDTHH:MM:SSZ>

Anchors signed before the audit head was included carry no audit fields and sign the v1
message: the same lines without ``audit_row_id`` and ``audit_hash``, first line
``xinyong-ledger-anchor-v1``. They stay valid and are checked for the ledger only.

Pure: no database, no files (the key file is ``anchorkey.py``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from xinyong.kernel.errors import InputError

MESSAGE_VERSION = "xinyong-ledger-anchor-v2"
MESSAGE_VERSION_V1 = "xinyong-ledger-anchor-v1"
ALGORITHM = "Ed25519"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX128 = re.compile(r"^[0-9a-f]{128}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# A line of a downloaded anchors file is one small JSON object; anything longer is not one.
MAX_LINE_CHARS = 2000
MAX_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Anchor:
    id: int
    anchored_at: dt.datetime  # aware UTC, whole seconds
    batch_id: int
    head_hash: str
    entry_count: int
    signature: str  # hex
    key_fingerprint: str
    # The audit log's head signed with the ledger's (v2); None on a v1 anchor.
    audit_row_id: int | None = None
    audit_hash: str | None = None

    def as_json(self) -> dict[str, Any]:
        """One line of the anchors file and one item of the API (the file's keys; a v1
        anchor has no audit keys)."""
        out: dict[str, Any] = {
            "id": self.id,
            "anchored_at": utc_text(self.anchored_at),
            "batch_id": self.batch_id,
            "head_hash": self.head_hash,
            "entry_count": self.entry_count,
            "algorithm": ALGORITHM,
            "key_fingerprint": self.key_fingerprint,
            "signature": self.signature,
        }
        if self.audit_row_id is not None:
            out["audit_row_id"] = self.audit_row_id
            out["audit_hash"] = self.audit_hash
        return out

    def same_as(self, other: Anchor) -> bool:
        """The same signed statement (ids are the table's, not signed)."""
        return (
            self.anchored_at == other.anchored_at
            and self.batch_id == other.batch_id
            and self.head_hash == other.head_hash
            and self.entry_count == other.entry_count
            and self.signature == other.signature
            and self.key_fingerprint == other.key_fingerprint
            and self.audit_row_id == other.audit_row_id
            and self.audit_hash == other.audit_hash
        )


def utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def anchor_time(now: dt.datetime) -> dt.datetime:
    """The instant an anchor states: UTC, whole seconds (the message carries no fraction)."""
    return now.astimezone(dt.UTC).replace(microsecond=0)


def message(
    batch_id: int,
    head_hash: str,
    entry_count: int,
    anchored_at: dt.datetime,
    audit_row_id: int | None = None,
    audit_hash: str | None = None,
) -> bytes:
    """The bytes that are signed (the module docstring is their specification): v2 with the
    audit head, v1 without."""
    if audit_row_id is None:
        return (
            f"{MESSAGE_VERSION_V1}\n"
            f"batch_id={batch_id}\n"
            f"head_hash={head_hash}\n"
            f"entry_count={entry_count}\n"
            f"anchored_at={utc_text(anchored_at)}\n"
        ).encode()
    return (
        f"{MESSAGE_VERSION}\n"
        f"batch_id={batch_id}\n"
        f"head_hash={head_hash}\n"
        f"entry_count={entry_count}\n"
        f"audit_row_id={audit_row_id}\n"
        f"audit_hash={audit_hash}\n"
        f"anchored_at={utc_text(anchored_at)}\n"
    ).encode()


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, hex."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def public_raw_base64(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def load_public_key(data: bytes) -> Ed25519PublicKey:
    """A published public key: PEM (SubjectPublicKeyInfo) or the raw key in base64."""
    text = data.strip()
    try:
        if text.startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(text)
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except ValueError:
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(
            "not an Ed25519 public key (PEM or base64 of the raw 32 bytes)",
            "不是 Ed25519 公钥（应为 PEM 格式或32字节原始公钥的 base64）",
        )
    return key


def sign(
    key: Ed25519PrivateKey,
    *,
    batch_id: int,
    head_hash: str,
    entry_count: int,
    anchored_at: dt.datetime,
    audit_row_id: int,
    audit_hash: str,
) -> tuple[str, str]:
    """(signature hex, key fingerprint) of a head: the ledger's and the audit log's (v2)."""
    signature = key.sign(
        message(batch_id, head_hash, entry_count, anchored_at, audit_row_id, audit_hash)
    )
    return signature.hex(), fingerprint(key.public_key())


def signature_valid(anchor: Anchor, public_key: Ed25519PublicKey) -> bool:
    try:
        public_key.verify(
            bytes.fromhex(anchor.signature),
            message(
                anchor.batch_id,
                anchor.head_hash,
                anchor.entry_count,
                anchor.anchored_at,
                anchor.audit_row_id,
                anchor.audit_hash,
            ),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def jsonl(anchors: list[Anchor]) -> bytes:
    """The downloadable anchors file: one anchor per line, oldest first."""
    return b"".join(
        (json.dumps(a.as_json(), sort_keys=True, separators=(",", ":")) + "\n").encode()
        for a in anchors
    )


def parse_jsonl(data: bytes) -> list[Anchor]:
    """Read an anchors file kept by an outsider; a malformed line is an InputError naming it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("anchors file is not UTF-8", "锚点文件不是 UTF-8 编码") from None
    out: list[Anchor] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        out.append(_parse_line(number, line))
    return out


def _parse_line(number: int, line: str) -> Anchor:
    def bad(reason_zh: str, reason_en: str) -> InputError:
        return InputError(
            f"anchors file line {number}: {reason_en}", f"锚点文件第 {number} 行：{reason_zh}"
        )

    if len(line) > MAX_LINE_CHARS:
        raise bad("过长，不是锚点记录", "too long for an anchor")
    try:
        obj = json.loads(line)
    except ValueError:
        raise bad("不是 JSON", "not JSON") from None
    if not isinstance(obj, dict):
        raise bad("应为 JSON 对象", "not a JSON object")
    ints: dict[str, int] = {}
    for name, low in (("id", 1), ("batch_id", 1), ("entry_count", 0)):
        value = obj.get(name)
        if type(value) is not int or not low <= value <= MAX_ID:
            raise bad(f"{name} 应为不小于 {low} 的整数", f"{name} must be an integer >= {low}")
        ints[name] = value
    strs: dict[str, str] = {}
    for name, pattern, what in (
        ("head_hash", _HEX64, "64位小写十六进制"),
        ("key_fingerprint", _HEX64, "64位小写十六进制"),
        ("signature", _HEX128, "128位小写十六进制"),
        ("anchored_at", _TIME, "UTC 时间 YYYY-MM-DDTHH:MM:SSZ"),
    ):
        value = obj.get(name)
        if not isinstance(value, str) or not pattern.match(value):
            raise bad(f"{name} 应为{what}", f"{name} is malformed")
        strs[name] = value
    audit_row_id, audit_hash = obj.get("audit_row_id"), obj.get("audit_hash")
    if audit_row_id is not None or audit_hash is not None:
        if type(audit_row_id) is not int or not 0 <= audit_row_id <= MAX_ID:
            raise bad("audit_row_id 应为不小于 0 的整数", "audit_row_id must be an integer >= 0")
        if not isinstance(audit_hash, str) or not _HEX64.match(audit_hash):
            raise bad("audit_hash 应为64位小写十六进制", "audit_hash is malformed")
    if obj.get("algorithm", ALGORITHM) != ALGORITHM:
        raise bad("algorithm 应为 Ed25519", "algorithm must be Ed25519")
    try:
        when = dt.datetime.strptime(strs["anchored_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=dt.UTC
        )
    except ValueError:
        raise bad("anchored_at 不是有效时间", "anchored_at is not a valid time") from None
    return Anchor(
        id=ints["id"],
        anchored_at=when,
        batch_id=ints["batch_id"],
        head_hash=strs["head_hash"],
        entry_count=ints["entry_count"],
        signature=strs["signature"],
        key_fingerprint=strs["key_fingerprint"],
        audit_row_id=audit_row_id,
        audit_hash=audit_hash,
    )


@dataclass(frozen=True, slots=True)
class AnchorProblem:
    """One way the ledger or its anchors table disagrees with the anchors.

    ``kind``: ``truncated`` (the ledger's head is behind an anchor, or batches up to it are
    gone), ``rewritten`` (the chain recomputes but the anchored batch's hash differs: a
    suffix rewritten consistently), ``chain_broken`` (the chain up to an anchor does not
    recompute), ``bad_signature``, ``unknown_key`` (signed with a key not given),
    ``anchor_missing`` (in the kept file, not in the table); for the audit log's head a v2
    anchor signs: ``audit_truncated``, ``audit_rewritten``, ``audit_chain_broken``."""

    kind: str
    anchor_id: int
    batch_id: int
    message_zh: str
    message_en: str


@dataclass(frozen=True, slots=True)
class AnchorReport:
    kept: int  # anchors in the file checked
    stored: int  # anchors in the table
    checked_up_to: int  # highest batch id the chain was recomputed to
    problems: tuple[AnchorProblem, ...]
