"""Objections and the correction notices (更正公告) a corrected or revoked record leaves."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, String, Table, Text, UniqueConstraint

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

objections = Table(
    "objections",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", BigId, nullable=False, unique=True),  # its case on the workflow kernel
    Column("subject_key", String(40), nullable=False),  # whose record it is
    Column("department_code", String(64), nullable=False),  # who provided the record
    Column("target_kind", String(16), nullable=False),  # record | list_entry | measure
    Column("entry_id", BigId, nullable=False),  # the record's current entry when filed
    Column("item_code", String(64), nullable=False),
    Column("record_key", String(200), nullable=False),
    Column("list_type", String(48)),
    Column("measure", String(16)),
    Column("regime", String(16), nullable=False),
    Column("regime_version", String(16), nullable=False),
    Column("applicant_kind", String(16), nullable=False),  # subject | on_behalf | public
    Column("applicant", String(200), nullable=False),
    Column("grounds", String(32), nullable=False),
    Column("statement", Text, nullable=False),
    # item|record_key while open, NULL once closed: one open objection per record (NULLs are
    # distinct on both engines, so closed ones never collide).
    Column("open_key", String(280)),
    Column("outcome", String(16)),  # correct | revoke | keep
    Column("outcome_reason", Text),
    Column("outcome_entry", BigId),  # the ledger entry that corrected or revoked the record
    Column("filed_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime()),
    UniqueConstraint("open_key", name="uq_objections_open_key"),
    comment="Objections (异议) to records, list entries and measures; steps are in case_events.",
)
Index("ix_objections_subject", objections.c.subject_key)
Index("ix_objections_department", objections.c.department_code)

correction_notices = Table(
    "correction_notices",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("objection_id", BigId, nullable=False),
    Column("subject_key", String(40), nullable=False),
    Column("item_code", String(64), nullable=False),
    Column("record_key", String(200), nullable=False),
    Column("wrong_entry", BigId, nullable=False),  # the entry found wrong
    Column("outcome", String(16), nullable=False),  # correct | revoke
    Column("list_type", String(48)),  # a wrongful listing: shown on that list's page too
    Column("text", Text, nullable=False),  # Chinese, without personal data
    Column("public", Boolean, nullable=False),  # published where the wrong entry was
    Column("published_at", UtcDateTime(), nullable=False),
    comment="更正公告: the remedy of a wrong record (消除不良影响), published where it was.",
)
Index("ix_correction_notices_subject", correction_notices.c.subject_key)
