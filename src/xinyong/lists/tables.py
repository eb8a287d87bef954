"""List memberships and the per-subject status row the check answers from (projections)."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, String, Table, Text

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

list_memberships = Table(
    "list_memberships",
    metadata,
    # The ledger entry that lists the subject: a stable key, so a rebuild gives the same rows.
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("list_type", String(48), nullable=False),
    Column("kind", String(8), nullable=False),  # red | black | watch | ban
    Column("subject_key", String(40), nullable=False),
    Column("case_id", BigId),
    Column("department_code", String(64), nullable=False),
    Column("listed_on", Date, nullable=False),
    Column("until", Date),  # exclusive; None = no fixed end (permanent or until removed)
    Column("exited_on", Date),
    Column("exit_reason", String(32)),  # expired | early_exit | revoked | removed
    Column("source", String(8), nullable=False),  # case (decided here) | record (reported)
    # The newest ledger entry reflected in this row (listing, correction or exit) and when it
    # was recorded: a subject's status carries the newest of these as its data version.
    Column("entry_id", BigId, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    comment="Projection of list entries in the ledger; rebuilt by `xinyong rebuild`.",
)
Index("ix_memberships_subject", list_memberships.c.subject_key)
Index("ix_memberships_until", list_memberships.c.until)

subject_status = Table(
    "subject_status",
    metadata,
    Column("subject_key", String(40), primary_key=True),
    Column("memberships", Text, nullable=False),  # JSON list, see lists.status
    # The newest ledger entry reflected, and when it was recorded (derived, so a rebuild from
    # the ledger reproduces the row exactly).
    Column("data_version", BigId, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    comment="One row per subject with list memberships: what a check reads (a key lookup).",
)
