"""objections: objections to records (异议) and correction notices (更正公告)

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-03 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0022"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "objections",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("subject_key", sa.String(length=40), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("record_key", sa.String(length=200), nullable=False),
        sa.Column("list_type", sa.String(length=48), nullable=True),
        sa.Column("measure", sa.String(length=16), nullable=True),
        sa.Column("regime", sa.String(length=16), nullable=False),
        sa.Column("regime_version", sa.String(length=16), nullable=False),
        sa.Column("applicant_kind", sa.String(length=16), nullable=False),
        sa.Column("applicant", sa.String(length=200), nullable=False),
        sa.Column("grounds", sa.String(length=32), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("open_key", sa.String(length=280), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.Column("outcome_entry", ID, nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
        sa.UniqueConstraint("case_id", name=op.f("uq_objections_case_id")),
        sa.UniqueConstraint("open_key", name="uq_objections_open_key"),
        comment="Objections (异议) to records, list entries and measures; steps are in case_events.",
    )
    op.create_index("ix_objections_subject", "objections", ["subject_key"], unique=False)
    op.create_index("ix_objections_department", "objections", ["department_code"], unique=False)
    op.create_table(
        "correction_notices",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("objection_id", ID, nullable=False),
        sa.Column("subject_key", sa.String(length=40), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("record_key", sa.String(length=200), nullable=False),
        sa.Column("wrong_entry", ID, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("list_type", sa.String(length=48), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction_notices")),
        comment="更正公告: the remedy of a wrong record (消除不良影响), published where it was.",
    )
    op.create_index(
        "ix_correction_notices_subject", "correction_notices", ["subject_key"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_correction_notices_subject", table_name="correction_notices")
    op.drop_table("correction_notices")
    op.drop_index("ix_objections_department", table_name="objections")
    op.drop_index("ix_objections_subject", table_name="objections")
    op.drop_table("objections")
