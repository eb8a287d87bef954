"""Interviews of rectification cases; the cases themselves are kernel cases."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, String, Table, Text, UniqueConstraint

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

rectification_interviews = Table(
    "rectification_interviews",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", BigId, nullable=False),
    Column("number", Integer, nullable=False),  # 1, 2 … within the case
    Column("kind", String(16), nullable=False),  # PROMPT | WARNING (catalogue codes)
    Column("scheduled_on", Date, nullable=False),
    Column("place", String(200), nullable=False),
    Column("department_code", String(64), nullable=False),
    Column("scheduled_by", String(200), nullable=False),
    Column("scheduled_at", UtcDateTime(), nullable=False),
    Column("held_on", Date),
    Column("attendees", Text),  # JSON: [{side, role, name}], never an ID number
    Column("minutes", Text),
    Column("actions", Text),  # JSON: [{action, due}]
    Column("held_by", String(200)),
    Column("held_at", UtcDateTime()),
    Column("entry_id", BigId),  # the 约谈记录 ledger entry written when held
    UniqueConstraint("case_id", "number", name="uq_rectification_interviews_number"),
    comment="Interviews (提示约谈/警示约谈) scheduled and held in rectification cases.",
)
Index("ix_rectification_interviews_case", rectification_interviews.c.case_id)
