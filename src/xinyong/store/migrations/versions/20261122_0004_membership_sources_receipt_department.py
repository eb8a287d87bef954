"""membership sources and entry versions, checking department on receipts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 14:10:00

Memberships are projections of the ledger: existing rows are backfilled from their listing
entry; run ``xinyong rebuild`` afterwards so exited rows carry their exit entry.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("list_memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("entry_id", BigId, nullable=True))
        batch_op.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE list_memberships SET source = 'case', entry_id = id, recorded_at = "
        "(SELECT received_at FROM entries WHERE entries.id = list_memberships.id)"
    )
    with op.batch_alter_table("list_memberships", schema=None) as batch_op:
        batch_op.alter_column("source", existing_type=sa.String(length=8), nullable=False)
        batch_op.alter_column("entry_id", existing_type=BigId, nullable=False)
        batch_op.alter_column(
            "recorded_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index("ix_memberships_until", ["until"], unique=False)
    with op.batch_alter_table("check_receipts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_code", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_receipts_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("check_receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_receipts_at")
        batch_op.drop_column("department_code")
    with op.batch_alter_table("list_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_memberships_until")
        batch_op.drop_column("recorded_at")
        batch_op.drop_column("entry_id")
        batch_op.drop_column("source")
