"""subjects: industry (行业门类) and size (企业规模) from the registration record

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-04 18:20:00

- ``subjects.industry``: the GB/T 4754-2017 门类 letter the registration record (DJZC
  ``DJ_HYML``) states; ``subjects.size``: the 企业规模 code (``DJ_QYGM``). Both NULL when the
  department did not state them (shown as 未知 and counted apart in a pool).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(sa.Column("industry", sa.String(length=4), nullable=True))
        batch.add_column(sa.Column("size", sa.String(length=4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("size")
        batch.drop_column("industry")
