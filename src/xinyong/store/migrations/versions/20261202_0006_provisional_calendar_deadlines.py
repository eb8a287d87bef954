"""provisional calendar: deadline bounds, case notices, applied calendar years

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _bounds(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("due_provisional", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("due_earliest", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("due_latest", sa.Date(), nullable=True))


def upgrade() -> None:
    _bounds("cases")
    _bounds("case_events")
    _bounds("entries")
    # Every deadline stored so far was computed on official years only: exact.
    op.execute("UPDATE cases SET due_earliest = due_on, due_latest = due_on")
    op.execute("UPDATE case_events SET due_earliest = due_on, due_latest = due_on")
    op.execute(
        "UPDATE entries SET due_earliest = due_date, due_latest = due_date "
        "WHERE due_date IS NOT NULL"
    )

    op.create_table(
        "case_notices",
        sa.Column("id", _BIGID, autoincrement=True, nullable=False),
        sa.Column("case_id", _BIGID, nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notices")),
        comment="What the platform tells a case's department (a deadline moved by a new calendar).",
    )
    with op.batch_alter_table("case_notices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_notices_department", ["department_code", "read_at"], unique=False
        )

    op.create_table(
        "calendar_applied",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_applied")),
        comment="Per calendar year, the file whose days the stored deadlines were last computed on.",
    )


def downgrade() -> None:
    op.drop_table("calendar_applied")
    with op.batch_alter_table("case_notices", schema=None) as batch_op:
        batch_op.drop_index("ix_case_notices_department")
    op.drop_table("case_notices")
    for table in ("entries", "case_events", "cases"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("due_latest")
            batch_op.drop_column("due_earliest")
            batch_op.drop_column("due_provisional")
