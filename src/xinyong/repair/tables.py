"""Re-check draws (复查) of approved credit repairs; the repairs themselves are kernel cases."""

from __future__ import annotations

from sqlalchemy import Column, Float, String, Table, Text, UniqueConstraint

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

repair_samples = Table(
    "repair_samples",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("month", String(7), nullable=False),  # YYYY-MM of the repairs approved
    Column("ratio", Float, nullable=False),
    Column("seed", String(64), nullable=False),  # hex: the draw can be replayed
    Column("population", Text, nullable=False),  # JSON: case ids approved in the month
    Column("drawn", Text, nullable=False),  # JSON: case ids drawn
    Column("drawn_by", String(200), nullable=False),
    Column("drawn_at", UtcDateTime(), nullable=False),
    UniqueConstraint("month", name="uq_repair_samples_month"),
    comment="The credit office's monthly random re-check draw of approved repairs.",
)
