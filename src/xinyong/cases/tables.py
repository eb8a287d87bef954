"""Cases of every workflow type and their event history."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

cases = Table(
    "cases",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("workflow", String(48), nullable=False),
    Column("subject_key", String(40), nullable=False),
    Column("department_code", String(64), nullable=False),
    Column("state", String(32), nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("due_on", Date),  # last day to leave the current state
    Column("params", Text, nullable=False),  # JSON: deadlines and rules from the catalogue
    Column("version", Integer, nullable=False),  # optimistic lock: bumped by every transition
    comment="Workflow cases (list determination, and the case types that follow).",
)
Index("ix_cases_subject", cases.c.subject_key)
Index("ix_cases_open_due", cases.c.workflow, cases.c.state, cases.c.due_on)

case_events = Table(
    "case_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", BigId, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("transition", String(32), nullable=False),
    Column("from_state", String(32)),
    Column("to_state", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("note", Text, nullable=False),
    Column("due_on", Date),
    Column("entry_id", BigId),  # the ledger entry recording this step
    UniqueConstraint("case_id", "seq", name="uq_case_events_seq"),
    comment="Every step of every case, with who took it and the ledger entry that records it.",
)
