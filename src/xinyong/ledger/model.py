"""Domain types of the ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any


@dataclass(slots=True)
class NewEntry:
    """An entry about to be appended (ids, seq and hashes are assigned by the ledger)."""

    subject_key: str
    subject_kind: str
    item_code: str
    item_version: str
    record_key: str
    action: str  # assert | correct | revoke
    supersedes_id: int | None
    decision_date: dt.date | None
    severity: str | None
    disclosure: str
    content_hash: str
    payload: str
    sealed: bytes | None
    source_row: int | None
    public: bool
    public_from: dt.date | None
    public_until: dt.date | None
    repair_from: dt.date | None
    policy_code: str | None
    window_reason: str
    due_date: dt.date | None
    late: bool
    due_provisional: bool = False
    due_earliest: dt.date | None = None
    due_latest: dt.date | None = None


ENTRY_FIELDS = tuple(f.name for f in fields(NewEntry))


@dataclass(slots=True)
class BatchDraft:
    department_code: str
    item_code: str
    channel: str
    source_name: str
    file_sha256: str
    format: str
    received_at: dt.datetime
    row_count: int
    accepted: int
    rejected: int
    duplicates: int
    corrections: int
    late: int
    catalogue_version: str
    backfill: bool = False  # history loaded after the fact: nothing in it is counted late


@dataclass(frozen=True, slots=True)
class AppendedBatch:
    id: int
    merkle_root: str
    chain_hash: str
    entry_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StoredEntry:
    id: int
    batch_id: int
    seq: int
    subject_key: str
    subject_kind: str
    item_code: str
    item_version: str
    record_key: str
    action: str
    supersedes_id: int | None
    decision_date: dt.date | None
    severity: str | None
    disclosure: str
    payload: dict[str, Any]
    department_code: str
    source_row: int | None
    received_at: dt.datetime
    public: bool
    public_from: dt.date | None
    public_until: dt.date | None
    repair_from: dt.date | None
    policy_code: str | None
    window_reason: str
    due_date: dt.date | None
    late: bool
    source_name: str = ""
    due_provisional: bool = False
    due_earliest: dt.date | None = None
    due_latest: dt.date | None = None


@dataclass(frozen=True, slots=True)
class RecordVersion:
    """The state of one record (item + record key) as of a date: its current entry and history."""

    current: StoredEntry
    history: tuple[StoredEntry, ...]  # oldest first, including current
    revoked: bool
    revocation: StoredEntry | None = None


@dataclass(frozen=True, slots=True)
class VerifyProblem:
    batch_id: int
    entry_id: int | None
    seq: int | None
    message: str
