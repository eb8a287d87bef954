"""messages: in-app messages to subjects, departments and the office; what outbox events concern;
case steps found overdue

Revision ID: 0027
Revises: 0022
Create Date: 2026-12-03 14:00:00

``outbox_events`` gains the case, ledger entry and department an event concerns (copied from
its payload, here for the events already written), so the feed selects a department's events
by index. ``case_overdue`` records each case state found past its deadline, so its
``case.overdue`` event is emitted once. ``messages`` holds what the messages consumer wrote
from case events, with a read flag.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0025"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("outbox_events") as batch_op:
        batch_op.add_column(sa.Column("case_id", BigId, nullable=True))
        batch_op.add_column(sa.Column("entry_id", BigId, nullable=True))
        batch_op.add_column(sa.Column("department_code", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_outbox_events_case", ["case_id"], unique=False)
        batch_op.create_index("ix_outbox_events_entry", ["entry_id"], unique=False)
        batch_op.create_index(
            "ix_outbox_events_department", ["department_code", "id"], unique=False
        )
    conn = op.get_bind()
    events = sa.table(
        "outbox_events",
        sa.column("id", BigId),
        sa.column("payload", sa.Text),
        sa.column("case_id", BigId),
        sa.column("entry_id", BigId),
        sa.column("department_code", sa.String),
    )
    for row in conn.execute(sa.select(events.c.id, events.c.payload)).fetchall():
        payload = json.loads(row.payload)
        values = {
            "case_id": payload.get("case") if isinstance(payload.get("case"), int) else None,
            "entry_id": payload.get("entry") if isinstance(payload.get("entry"), int) else None,
            "department_code": (
                payload.get("department") if isinstance(payload.get("department"), str) else None
            ),
        }
        if any(v is not None for v in values.values()):
            conn.execute(sa.update(events).where(events.c.id == row.id).values(**values))

    op.create_table(
        "case_overdue",
        sa.Column("case_id", BigId, autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "version", name=op.f("pk_case_overdue")),
        comment="Case steps found overdue (and announced once as case.overdue).",
    )
    op.create_table(
        "messages",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("recipient_kind", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("event_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=96), nullable=False),
        sa.Column("case_id", BigId, nullable=True),
        sa.Column("subject_key", sa.String(length=40), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint(
            "event_id", "recipient_kind", "recipient", name=op.f("uq_messages_event_recipient")
        ),
        comment="In-app messages to a subject, a department or the credit office.",
    )
    with op.batch_alter_table("messages") as batch_op:
        batch_op.create_index(
            "ix_messages_recipient", ["recipient_kind", "recipient", "read_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_index("ix_messages_recipient")
    op.drop_table("messages")
    op.drop_table("case_overdue")
    with op.batch_alter_table("outbox_events") as batch_op:
        batch_op.drop_index("ix_outbox_events_department")
        batch_op.drop_index("ix_outbox_events_entry")
        batch_op.drop_index("ix_outbox_events_case")
        batch_op.drop_column("department_code")
        batch_op.drop_column("entry_id")
        batch_op.drop_column("case_id")
