"""Domain types of the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Protocol

from xinyong.ledger import hashing


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


class EntryWindow(Protocol):
    """The derived columns an entry carries: severity, publication window, policy and
    deadline. ``publication.derived.Derived`` is one (the ledger does not import publication,
    a context beside it); ``FixedWindow`` is the platform's own."""

    @property
    def severity(self) -> str | None: ...
    @property
    def public(self) -> bool: ...
    @property
    def public_from(self) -> dt.date | None: ...
    @property
    def public_until(self) -> dt.date | None: ...
    @property
    def repair_from(self) -> dt.date | None: ...
    @property
    def policy_code(self) -> str | None: ...
    @property
    def window_reason(self) -> str: ...
    @property
    def due_date(self) -> dt.date | None: ...
    @property
    def late(self) -> bool: ...
    @property
    def due_provisional(self) -> bool: ...
    @property
    def due_earliest(self) -> dt.date | None: ...
    @property
    def due_latest(self) -> dt.date | None: ...


@dataclass(frozen=True, slots=True)
class FixedWindow:
    """The window of an entry the platform writes with fixed values (no deadline)."""

    severity: str | None
    public: bool
    public_from: dt.date | None
    public_until: dt.date | None
    policy_code: str | None
    window_reason: str
    repair_from: dt.date | None = None
    due_date: dt.date | None = None
    late: bool = False
    due_provisional: bool = False
    due_earliest: dt.date | None = None
    due_latest: dt.date | None = None


def entry_of(
    *,
    subject_key: str,
    subject_kind: str,
    item_code: str,
    item_version: str,
    record_key: str,
    action: str,
    supersedes_id: int | None,
    decision_date: dt.date | None,
    disclosure: str,
    payload: str | Mapping[str, object],
    window: EntryWindow,
    content_hash: str | None = None,
    sealed: bytes | None = None,
    source_row: int | None = None,
) -> NewEntry:
    """An entry with its derived columns copied from ``window``: the one place the columns
    are named, so an import row and a record the platform writes cannot drift apart.
    ``payload`` is the canonical JSON with its ``content_hash`` (an import row, its personal
    fields digested) or, for a record the platform writes, a mapping hashed here."""
    if not isinstance(payload, str):
        payload = hashing.canonical_json(dict(payload))
        content_hash = hashing.content_hash(payload, {})
    if content_hash is None:
        raise ValueError("a payload given as text needs its content hash")
    return NewEntry(
        subject_key=subject_key,
        subject_kind=subject_kind,
        item_code=item_code,
        item_version=item_version,
        record_key=record_key,
        action=action,
        supersedes_id=supersedes_id,
        decision_date=decision_date,
        severity=window.severity,
        disclosure=disclosure,
        content_hash=content_hash,
        payload=payload,
        sealed=sealed,
        source_row=source_row,
        public=window.public,
        public_from=window.public_from,
        public_until=window.public_until,
        repair_from=window.repair_from,
        policy_code=window.policy_code,
        window_reason=window.window_reason,
        due_date=window.due_date,
        late=window.late,
        due_provisional=window.due_provisional,
        due_earliest=window.due_earliest,
        due_latest=window.due_latest,
    )


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
