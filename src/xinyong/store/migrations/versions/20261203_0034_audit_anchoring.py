"""audit anchoring: the audit log's head in the anchors, verification checkpoints, indexes

Revision ID: 0034
Revises: 0028
Create Date: 2026-12-03 18:00:00

- ``ledger_anchors.audit_row_id`` / ``audit_hash``: the audit log's last row and its hash,
  signed with the ledger's head (message ``xinyong-ledger-anchor-v2``), so a rewritten audit
  log is caught against a kept anchor. Anchors signed before keep NULL (v1 message). Added
  with plain ``ADD COLUMN`` (no table copy on SQLite), which keeps the append-only triggers.
- ``audit_checkpoints``: where a verification of the audit chain ended (row id and hash),
  so the console page recomputes only the rows appended since.
- ``ix_audit_log_actor`` / ``ix_audit_log_target`` on ``(actor, id)`` and ``(target, id)``:
  the audit trail of a user and of a record (equality or a LIKE prefix, newest first). On
  PostgreSQL with ``varchar_pattern_ops`` so LIKE 'prefix%' uses them under any collation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0028"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("ledger_anchors", sa.Column("audit_row_id", BigId, nullable=True))
    op.add_column("ledger_anchors", sa.Column("audit_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.Column("rows_checked", sa.Integer(), nullable=False),
        sa.Column("full_pass", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
        comment="Where a verification of the audit log's chain ended, so the next starts there.",
    )
    op.create_index(
        "ix_audit_log_actor",
        "audit_log",
        ["actor", "id"],
        postgresql_ops={"actor": "varchar_pattern_ops"},
    )
    op.create_index(
        "ix_audit_log_target",
        "audit_log",
        ["target", "id"],
        postgresql_ops={"target": "varchar_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("ledger_anchors") as batch_op:
        batch_op.drop_column("audit_hash")
        batch_op.drop_column("audit_row_id")
