"""The append-only ledger: batches (chained) and entries (hashed, Merkle-rooted per batch)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    false,
)

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

batches = Table(
    "batches",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("department_code", String(64), nullable=False),
    Column("item_code", String(32), nullable=False),
    Column("channel", String(16), nullable=False),  # cli | api | system
    Column("source_name", String(400), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("format", String(8), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("corrections", Integer, nullable=False),
    Column("late", Integer, nullable=False),
    # History loaded after the fact (xinyong import --backfill): deadlines are kept on the
    # entries but nothing in the batch is counted late.
    Column("backfill", Boolean, nullable=False, default=False, server_default=false()),
    Column("catalogue_version", String(32), nullable=False),
    Column("entry_count", Integer, nullable=False),
    Column("merkle_root", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("chain_hash", String(64), nullable=False),
    comment="One import (file or API call); its entries' Merkle root is chained to the previous batch.",
)

Index("ix_batches_file", batches.c.department_code, batches.c.item_code, batches.c.file_sha256)

entries = Table(
    "entries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("batch_id", BigId, nullable=False),
    Column("seq", Integer, nullable=False),  # 1-based position in the batch
    Column("subject_key", String(40), nullable=False),
    Column("subject_kind", String(24), nullable=False),
    Column("item_code", String(32), nullable=False),
    Column("item_version", String(32), nullable=False),
    Column("record_key", String(200), nullable=False),
    Column("action", String(12), nullable=False),  # assert | correct | revoke
    Column("supersedes_id", BigId),
    Column("decision_date", Date),
    Column("severity", String(8)),
    Column("disclosure", String(16), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("payload", Text, nullable=False),  # canonical JSON; personal fields masked
    Column("sealed", LargeBinary),  # personal fields in clear, encrypted
    Column("department_code", String(64), nullable=False),
    Column("source_row", Integer),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("public", Boolean, nullable=False),
    Column("public_from", Date),
    Column("public_until", Date),  # exclusive: public while date < public_until
    Column("repair_from", Date),  # the minimum period ends: repair may stop publication
    Column("policy_code", String(64)),
    Column("window_reason", String(200), nullable=False),
    Column("due_date", Date),
    # The publication deadline on a provisional calendar year: the dates the notice may make it.
    Column("due_provisional", Boolean, nullable=False, server_default=false()),
    Column("due_earliest", Date),
    Column("due_latest", Date),
    Column("late", Boolean, nullable=False),
    Column("entry_hash", String(64), nullable=False),
    comment="Statements about subjects; never updated or deleted (corrections are new entries).",
)
Index("ix_entries_subject", entries.c.subject_key, entries.c.id)
Index("ix_entries_record", entries.c.item_code, entries.c.record_key)
Index("ix_entries_batch", entries.c.batch_id, entries.c.seq)
# The public 双公示 listings: one item's entries, newest decision first (migration 0020).
Index("ix_entries_item_decided", entries.c.item_code, entries.c.decision_date, entries.c.id)

rejected_rows = Table(
    "rejected_rows",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("batch_id", BigId, nullable=False),
    Column("row_number", Integer, nullable=False),
    # The row as sent (JSON list) and its problems (JSON list of {field, value, reason,
    # reason_en}), personal values masked; the clear row and problems are in `sealed`, opened
    # only for the submitting department's rejection file.
    Column("cells", Text, nullable=False),
    Column("problems", Text, nullable=False),
    Column("sealed", LargeBinary),
    comment="Rows refused by validation, kept so the department can download and fix them.",
)
Index("ix_rejected_batch", rejected_rows.c.batch_id)

batch_headers = Table(
    "batch_headers",
    metadata,
    Column("batch_id", BigId, primary_key=True),
    Column("headers", Text, nullable=False),  # JSON list, to rebuild the rejection file
    Column("encoding", String(16)),
    Column("delimiter", String(4)),
    Column("sheet", String(100)),
    Column(
        "warnings", Text, nullable=False
    ),  # JSON list of FieldProblem dicts with severity warning
)

ledger_head = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1; locked while a batch is appended
    Column("last_batch_id", BigId, nullable=False),
    Column("chain_hash", String(64), nullable=False),
)

ledger_anchors = Table(
    "ledger_anchors",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("anchored_at", UtcDateTime(), nullable=False),
    Column("batch_id", BigId, nullable=False),  # the head batch signed (its seq in the chain)
    Column("head_hash", String(64), nullable=False),
    Column("entry_count", BigId, nullable=False),  # entries in batches 1..batch_id
    Column("signature", String(128), nullable=False),  # Ed25519, hex
    Column("key_fingerprint", String(64), nullable=False),  # SHA-256 of the raw public key
    # The audit log's head signed with it (message v2); NULL on anchors signed before (v1).
    Column("audit_row_id", BigId),  # the last audit row (0: the log was empty)
    Column("audit_hash", String(64)),
    comment="Signed heads of the ledger, published for outsiders to keep; never updated or deleted.",
)
Index("ix_ledger_anchors_batch", ledger_anchors.c.batch_id)
