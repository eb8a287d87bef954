"""credit repair: the monthly re-check draw of approved repairs

Revision ID: 0026
Revises: 0022
Create Date: 2026-12-03 14:00:00

Repairs are cases of the workflow kernel (``cases``, ``case_events``, ``case_attachments``)
and ledger entries; only the credit office's re-check draw (复查) needs its own table: the
month, ratio, seed, population and the cases drawn, so a draw can be replayed and audited.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0027"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "repair_samples",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("ratio", sa.Float(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("population", sa.Text(), nullable=False),
        sa.Column("drawn", sa.Text(), nullable=False),
        sa.Column("drawn_by", sa.String(length=200), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_samples")),
        sa.UniqueConstraint("month", name="uq_repair_samples_month"),
        comment="The credit office's monthly random re-check draw of approved repairs.",
    )


def downgrade() -> None:
    op.drop_table("repair_samples")
