"""Receipts of checks (逢办必查) and the feedback business systems send about them."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, String, Table, Text

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

check_receipts = Table(
    "check_receipts",
    metadata,
    Column("receipt", String(32), primary_key=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    # The checking client's department (None for the office or the CLI): statistics by department.
    Column("department_code", String(64)),
    Column("subject_key", String(40), nullable=False),
    Column("scenario", String(48), nullable=False),
    Column("data_version", BigId, nullable=False),
    Column("measures", Text, nullable=False),  # JSON list of measure codes in the answer
    # JSON list of the codes of the measures the answer gave to verify by hand.
    Column("to_verify", Text, nullable=False, server_default="[]"),
    # The day the answer is for (a check may ask about another day than today).
    Column("as_of", Date),
    Column("answer_hash", String(64), nullable=False),
    comment="Every check answered, so each can be proven and followed up (audit).",
)
Index("ix_receipts_subject", check_receipts.c.subject_key)
Index("ix_receipts_at", check_receipts.c.at)

check_feedback = Table(
    "check_feedback",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("receipt", String(32), nullable=False),
    Column("measure", String(16), nullable=False),
    Column("applied", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("department_code", String(64)),
    Column("at", UtcDateTime(), nullable=False),
    comment="What the business system did with each measure of a check answer.",
)
Index("ix_feedback_receipt", check_feedback.c.receipt)
