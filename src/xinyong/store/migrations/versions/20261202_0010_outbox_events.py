"""outbox: domain events and consumer positions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 18:00:00

Events start empty: what happened before this revision was handled when it happened (the
alerts scan of a listing ran in its transaction). ``xinyong warnings scan`` covers anything else.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("subject_key", sa.String(length=40), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
        comment="Domain events, written in the transaction that made the change (outbox).",
    )
    with op.batch_alter_table("outbox_events") as batch_op:
        batch_op.create_index("ix_outbox_events_subject", ["subject_key", "id"], unique=False)
    op.create_table(
        "outbox_consumers",
        sa.Column("name", sa.String(length=48), nullable=False),
        sa.Column("position", BigId, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_outbox_consumers")),
        comment="Each outbox consumer's position: the effect of an event happens once per consumer.",
    )


def downgrade() -> None:
    op.drop_table("outbox_consumers")
    with op.batch_alter_table("outbox_events") as batch_op:
        batch_op.drop_index("ix_outbox_events_subject")
    op.drop_table("outbox_events")
