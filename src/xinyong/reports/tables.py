"""Typical cases (典型案例) the credit office records and publishes."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

typical_cases = Table(
    "typical_cases",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("title", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("category", String(16), nullable=False),  # punishment | incentive
    Column("measures", Text, nullable=False),  # JSON list of catalogue measure codes
    Column("department_code", String(64), nullable=False),
    # Only an organisation's USCC is ever kept here: natural persons are not published.
    Column("subject_uscc", String(18)),
    Column("receipt", String(32)),  # related check receipt
    Column("case_id", BigId),  # related list determination case
    Column("state", String(16), nullable=False),  # draft | published | withdrawn
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("published_by", String(200)),
    Column("published_at", UtcDateTime()),
    Column("withdrawn_by", String(200)),
    Column("withdrawn_at", UtcDateTime()),
    Column("withdraw_reason", Text),
    comment="Typical cases of punishment and incentive, drafted and published by the office.",
)
Index("ix_typical_cases_state", typical_cases.c.state, typical_cases.c.published_at)
