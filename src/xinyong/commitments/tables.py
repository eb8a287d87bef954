"""Credit commitments, their steps, the monthly 复核 draws, and integrity-education sessions."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

commitments = Table(
    "commitments",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("subject_key", String(64), nullable=False),
    Column("subject_name", String(200), nullable=False),
    Column("template", String(16), nullable=False),
    Column("template_version", String(64), nullable=False),  # catalogue snapshot version
    Column("type", String(4), nullable=False),  # commitment_type code
    Column("classification", String(16), nullable=False),  # GB/T 46277-2025 class
    Column("item", String(16)),  # licensing item, for 审批替代型
    Column("department_code", String(32), nullable=False),  # 受理单位
    Column("fulfilment", String(16), nullable=False),
    Column("disclosure", String(16), nullable=False),
    Column("text", Text, nullable=False),  # the text signed, as it was
    Column("materials", Text, nullable=False),  # JSON: what 容缺 promised
    Column("delivered", Text, nullable=False),  # JSON: what was delivered
    Column("status", String(16), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("due_date", Date),
    Column("due_provisional", Boolean, nullable=False),
    Column("due_latest", Date),  # a provisional deadline may move up to here: breach after it
    Column("channel", String(16), nullable=False),  # portal | api | cli | demo
    Column("signed_by", String(200), nullable=False),
    Column("signed_at", UtcDateTime(), nullable=False),
    Column("closed_on", Date),
    Column("entry_id", BigId),  # the newest ledger entry of its XYCN record
    Column("training_certificate", String(40)),  # 信用修复型: the 诚信教育 certificate cited
    Index("ix_commitments_subject", "subject_key", "id"),
    Index("ix_commitments_status_due", "status", "due_date"),
    comment="A subject's credit commitment (信用承诺) and where its fulfilment stands.",
)

commitment_steps = Table(
    "commitment_steps",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("commitment_id", BigId, ForeignKey("commitments.id"), nullable=False),
    Column("step", String(16), nullable=False),
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("note", Text, nullable=False),
    Column("entry_id", BigId),
    Index("ix_commitment_steps_commitment", "commitment_id", "id"),
    comment="Every step of a commitment, with the ledger entry it wrote.",
)

commitment_samples = Table(
    "commitment_samples",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("month", String(7), nullable=False),
    Column("ratio", Float, nullable=False),
    Column("seed", String(64), nullable=False),
    Column("population", Text, nullable=False),
    Column("drawn", Text, nullable=False),
    Column("drawn_by", String(200), nullable=False),
    Column("drawn_at", UtcDateTime(), nullable=False),
    UniqueConstraint("month", name="uq_commitment_samples_month"),
    comment="The monthly random 复核 draw of fulfilled commitments.",
)

trainings = Table(
    "trainings",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("title", String(200), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("place", String(200), nullable=False),
    Column("department_code", String(32), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    comment="An integrity-education session (诚信教育), free of charge.",
)

training_attendance = Table(
    "training_attendance",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("training_id", BigId, ForeignKey("trainings.id"), nullable=False),
    Column("subject_key", String(64), nullable=False),
    Column("subject_name", String(200), nullable=False),
    Column("representative_masked", String(40), nullable=False),  # never a name or ID in clear
    Column("certificate", String(40)),
    Column("certified_at", UtcDateTime()),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    UniqueConstraint("training_id", "subject_key", name="uq_training_attendance"),
    UniqueConstraint("certificate", name="uq_training_certificate"),
    comment="Who attended a session, and the certificate a repair application may cite.",
)
