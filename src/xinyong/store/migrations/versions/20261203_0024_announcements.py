"""announcements: the credit office's 通知公告 on the portal

Revision ID: 0024
Revises: 0018
Create Date: 2026-12-03 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0018"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_by", sa.String(length=200), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdraw_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
        comment="Announcements of the credit office on the portal (通知公告, 政策文件, 工作动态).",
    )
    op.create_index(
        "ix_announcements_state", "announcements", ["state", "published_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_announcements_state", table_name="announcements")
    op.drop_table("announcements")
