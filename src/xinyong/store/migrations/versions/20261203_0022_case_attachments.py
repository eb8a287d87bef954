"""case attachments: files attached to a list case's steps, content-addressed on disk

Revision ID: 0022
Revises: 0023
Create Date: 2026-12-03 11:00:00

One row per file attached to a step (``case_events.seq``): its SHA-256, the name it was
uploaded under, its media type (checked against the content) and size, who uploaded it and
when. The bytes are in ``data_dir/attachments/<sha256>``, written before the row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0023"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "case_attachments",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("size", BigId, nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_attachments")),
        comment="Files attached to a case's steps (decision letters, notices, evidence).",
    )
    with op.batch_alter_table("case_attachments") as batch_op:
        batch_op.create_index("ix_case_attachments_case", ["case_id", "event_seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_attachments") as batch_op:
        batch_op.drop_index("ix_case_attachments_case")
    op.drop_table("case_attachments")
