"""check receipts: the day an answer is for, and the measures it gave to verify

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("check_receipts") as batch:
        batch.add_column(sa.Column("to_verify", sa.Text(), server_default="[]", nullable=False))
        batch.add_column(sa.Column("as_of", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("check_receipts") as batch:
        batch.drop_column("as_of")
        batch.drop_column("to_verify")
