"""rectifications: the interviews of rectification cases

Revision ID: 0030
Revises: 0026
Create Date: 2026-12-03 15:00:00

Rectification orders are cases of the workflow kernel and their steps ledger entries; the
interviews (提示约谈 / 警示约谈) need their own rows: when and where, who attended, the minutes
and the agreed actions, and the 约谈记录 ledger entry written when one is held.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0026"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rectification_interviews",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("scheduled_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("scheduled_by", sa.String(length=200), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("attendees", sa.Text(), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("actions", sa.Text(), nullable=True),
        sa.Column("held_by", sa.String(length=200), nullable=True),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entry_id", BigId, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_interviews")),
        sa.UniqueConstraint("case_id", "number", name="uq_rectification_interviews_number"),
        comment="Interviews (提示约谈/警示约谈) scheduled and held in rectification cases.",
    )
    op.create_index("ix_rectification_interviews_case", "rectification_interviews", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_rectification_interviews_case", table_name="rectification_interviews")
    op.drop_table("rectification_interviews")
