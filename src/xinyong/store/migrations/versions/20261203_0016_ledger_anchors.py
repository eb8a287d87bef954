"""ledger anchors: the signed heads of the ledger, append-only like the ledger

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-03 10:00:00

``ledger_anchors`` keeps each signed head (``xinyong audit anchor``, the job
``anchor_ledger``): the head batch, its chain hash, the entries up to it, when it was signed,
the Ed25519 signature and the fingerprint of the key. The rows are published (page
``/ledger/anchors``, ``GET /api/v1/ledger/anchors``) for outsiders to keep; the same triggers
as migration 0015 refuse their UPDATE and DELETE, and on PostgreSQL the application role may
not update, delete or truncate them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0017"
branch_labels = None
depends_on = None

APP_ROLE = "xinyong_app"
TABLE = "ledger_anchors"
# The same message as migration 0015: tests and operators match on "append-only".
MESSAGE = "ledger rows are append-only (账本只能追加，不得修改或删除)"
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("anchored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", BigId, nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_count", BigId, nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_anchors")),
        comment=(
            "Signed heads of the ledger, published for outsiders to keep; never updated or deleted."
        ),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index("ix_ledger_anchors_batch", ["batch_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # xinyong_append_only() and the role come from migration 0015.
        for kind in ("DELETE", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER {TABLE}_no_{kind.lower()} BEFORE {kind} ON {TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION xinyong_append_only()"
            )
        op.execute(f"GRANT SELECT, INSERT ON {TABLE} TO {APP_ROLE}")
        # The default privileges of 0015 granted UPDATE and DELETE on this new table.
        op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {TABLE} FROM {APP_ROLE}")
    else:
        for kind in ("DELETE", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER {TABLE}_no_{kind.lower()} BEFORE {kind} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for kind in ("delete", "update"):
        op.execute(
            f"DROP TRIGGER IF EXISTS {TABLE}_no_{kind}" + (f" ON {TABLE}" if postgres else "")
        )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_anchors_batch")
    op.drop_table(TABLE)
