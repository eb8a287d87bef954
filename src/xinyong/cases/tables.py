"""Cases of every workflow type and their event history."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.sql import false

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
    Column("due_on", Date),  # last day to leave the current state, on the loaded calendar
    # A deadline on a provisional calendar year: the dates the notice may still make it.
    Column("due_provisional", Boolean, nullable=False, server_default=false()),
    Column("due_earliest", Date),
    Column("due_latest", Date),
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
    Column("due_provisional", Boolean, nullable=False, server_default=false()),
    Column("due_earliest", Date),
    Column("due_latest", Date),
    Column("entry_id", BigId),  # the ledger entry recording this step
    UniqueConstraint("case_id", "seq", name="uq_case_events_seq"),
    comment="Every step of every case, with who took it and the ledger entry that records it.",
)

case_overdue = Table(
    "case_overdue",
    metadata,
    # One row per case and state reached (the case's version) found past its deadline: the
    # overdue event is emitted once.
    Column("case_id", BigId, primary_key=True, autoincrement=False),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("due_on", Date),
    Column("found_at", UtcDateTime(), nullable=False),
    comment="Case steps found overdue (and announced once as case.overdue).",
)

case_notices = Table(
    "case_notices",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", BigId, nullable=False),
    Column("department_code", String(64), nullable=False),  # the case's owner, who is told
    Column("kind", String(32), nullable=False),  # deadline_changed | early_action
    Column("summary", Text, nullable=False),  # one Chinese sentence
    Column("detail", Text, nullable=False),  # JSON
    Column("created_at", UtcDateTime(), nullable=False),
    Column("read_at", UtcDateTime()),
    Column("read_by", String(200)),
    comment="What the platform tells a case's department (a deadline moved by a new calendar).",
)
Index("ix_case_notices_department", case_notices.c.department_code, case_notices.c.read_at)

calendar_applied = Table(
    "calendar_applied",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("status", String(16), nullable=False),  # official | provisional
    Column("digest", String(64), nullable=False),  # YearSchedule.digest() of the applied file
    Column("source", Text, nullable=False),
    Column("applied_at", UtcDateTime(), nullable=False),
    comment="Per calendar year, the file whose days the stored deadlines were last computed on.",
)

case_attachments = Table(
    "case_attachments",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", BigId, nullable=False),
    Column("event_seq", Integer, nullable=False),  # the step (case_events.seq) it came with
    # The content's SHA-256: the file is data_dir/attachments/<sha256> (content-addressed,
    # so the same file attached twice is stored once).
    Column("sha256", String(64), nullable=False),
    Column("file_name", String(200), nullable=False),
    Column("media_type", String(64), nullable=False),
    Column("size", BigId, nullable=False),
    Column("uploaded_by", String(200), nullable=False),
    Column("uploaded_at", UtcDateTime(), nullable=False),
    comment="Files attached to a case's steps (decision letters, notices, evidence).",
)
Index("ix_case_attachments_case", case_attachments.c.case_id, case_attachments.c.event_seq)
