"""Hashing for tamper evidence: per-entry hashes, a Merkle root per batch, a chain of batches.

Chaining batch roots rather than rows keeps ingestion parallel-friendly: no row waits for the
previous row's hash, yet altering, inserting or removing any entry changes its batch's root
and therefore every later chain hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

GENESIS = "0" * 64


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(payload_json: str, personal_digests: Mapping[str, str]) -> str:
    """Hash of what a record says; equal hashes mean a re-sent row adds nothing.

    ``payload_json`` is the canonical JSON of the record's values. Personal values enter
    through their keyed digests so the hash never depends on clear ID numbers.
    """
    digests = canonical_json(personal_digests) if personal_digests else ""
    return hashlib.sha256(f"{payload_json}\x1e{digests}".encode()).hexdigest()


def utc_iso(value: dt.datetime) -> str:
    # SQLite returns naive datetimes; everything is stored in UTC, so naive means UTC.
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def _d(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


ENTRY_HASH_FIELDS = (
    "batch_id",
    "seq",
    "subject_key",
    "subject_kind",
    "item_code",
    "item_version",
    "record_key",
    "action",
    "supersedes_id",
    "decision_date",
    "severity",
    "disclosure",
    "content_hash",
    "payload",
    "sealed",
    "department_code",
    "source_row",
    "received_at",
)


def entry_hash(row: Mapping[str, Any]) -> str:
    """Hash of every stored fact of an entry (derived publication dates are a projection)."""
    sealed = row["sealed"]
    parts = (
        str(row["batch_id"]),
        str(row["seq"]),
        row["subject_key"],
        row["subject_kind"],
        row["item_code"],
        row["item_version"],
        row["record_key"],
        row["action"],
        "" if row["supersedes_id"] is None else str(row["supersedes_id"]),
        _d(row["decision_date"]),
        row["severity"] or "",
        row["disclosure"],
        row["content_hash"],
        row["payload"],
        hashlib.sha256(bytes(sealed)).hexdigest() if sealed else "",
        row["department_code"],
        "" if row["source_row"] is None else str(row["source_row"]),
        utc_iso(row["received_at"]),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def merkle_root(leaves: Sequence[str]) -> str:
    """Merkle root over hex leaf hashes (domain-separated leaves and nodes)."""
    if not leaves:
        return hashlib.sha256(b"\x00").hexdigest()
    level = [hashlib.sha256(b"\x00" + bytes.fromhex(h)).digest() for h in leaves]
    while len(level) > 1:
        nxt = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()


BATCH_HASH_FIELDS = (
    "id",
    "department_code",
    "item_code",
    "channel",
    "source_name",
    "file_sha256",
    "format",
    "received_at",
    "row_count",
    "accepted",
    "rejected",
    "duplicates",
    "corrections",
    "late",
    "catalogue_version",
    "entry_count",
    "merkle_root",
)


def chain_hash(prev_hash: str, batch: Mapping[str, Any]) -> str:
    parts = [prev_hash]
    for name in BATCH_HASH_FIELDS:
        value = batch[name]
        parts.append(utc_iso(value) if isinstance(value, dt.datetime) else str(value))
    # Appended only when set, so the chain of every batch written before the flag existed
    # still verifies; clearing it on a backfill (to count its rows late) breaks the chain.
    if batch.get("backfill"):
        parts.append("backfill")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
