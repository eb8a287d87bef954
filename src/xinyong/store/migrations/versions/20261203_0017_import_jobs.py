"""import jobs: uploads imported off the request (202), their progress and result

Revision ID: 0017
Revises: 0020
Create Date: 2026-12-03 10:00:00

Starts empty: before this revision every upload was imported within its request.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0020"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=32), nullable=True),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("node", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=True),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("batch_id", BigId, nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=48), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_en", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_import_jobs_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
        comment="Uploads imported off the request (202), their progress and result.",
    )
    with op.batch_alter_table("import_jobs") as batch_op:
        batch_op.create_index(
            "ix_import_jobs_department", ["department_code", "created_at"], unique=False
        )
        batch_op.create_index("ix_import_jobs_state", ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("import_jobs") as batch_op:
        batch_op.drop_index("ix_import_jobs_state")
        batch_op.drop_index("ix_import_jobs_department")
    op.drop_table("import_jobs")
