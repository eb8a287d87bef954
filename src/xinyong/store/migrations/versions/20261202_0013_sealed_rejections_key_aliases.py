"""sealed rejected rows, subject key aliases

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-02 13:00:00

``rejected_rows.sealed`` holds the row as sent (clear cells and problems), sealed; ``cells``
and ``problems`` keep a masked copy. Rows written before this revision held ID numbers in
clear: they are sealed and masked here, with the key from the settings
(``XINYONG_SECRET_KEY`` / ``XINYONG_SECRET_KEY_FILE``); without a key the upgrade stops with
a Chinese message and changes nothing. Their masking is by pattern (ID-number-like text
anywhere), the item's personal columns are not known here: names of persons in old rows are
kept in the masked copy.

``subject_key_aliases`` maps a person's keyed hash under a later key version to the subject
key they were filed under (see ``xinyong key rotate-secret``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("rejected_rows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed", sa.LargeBinary(), nullable=True))
    op.create_table(
        "subject_key_aliases",
        sa.Column("alias", sa.String(length=40), nullable=False),
        sa.Column("subject_key", sa.String(length=40), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_subject_key_aliases")),
        comment="Keyed hashes of persons under newer key versions, mapped to their subject key.",
    )
    _seal_existing_rejections(op.get_bind())


def _seal_existing_rejections(conn: sa.Connection) -> None:
    table = sa.table(
        "rejected_rows",
        sa.column("id", BigId),
        sa.column("row_number", sa.Integer),
        sa.column("cells", sa.Text),
        sa.column("problems", sa.Text),
        sa.column("sealed", sa.LargeBinary),
    )
    if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0:
        return
    # A data step needs the platform's key and its sealing: imported here, at run time, so an
    # empty database (a new deployment, the tests' template) is upgraded without any key.
    from xinyong.identity.pii import PiiVault
    from xinyong.ingest.rejections import RejectionSealer, sealed_from_legacy
    from xinyong.kernel.settings import get_settings

    vault = PiiVault.from_keys(get_settings().resolved_secret_keys())
    sealer = RejectionSealer((), vault.seal)
    last = 0
    while True:
        rows = conn.execute(
            sa.select(table).where(table.c.id > last).order_by(table.c.id).limit(1000)
        ).all()
        if not rows:
            return
        for r in rows:
            stored = sealed_from_legacy(dict(r._mapping), sealer)
            conn.execute(
                table.update()
                .where(table.c.id == r.id)
                .values(cells=stored["cells"], problems=stored["problems"], sealed=stored["sealed"])
            )
        last = rows[-1].id


def downgrade() -> None:
    op.drop_table("subject_key_aliases")
    with op.batch_alter_table("rejected_rows", schema=None) as batch_op:
        batch_op.drop_column("sealed")
