"""search index: names, pinyin initials and codes of organisations, trigram-indexed

Revision ID: 0018
Revises: 0019
Create Date: 2026-12-03 10:00:00

PostgreSQL: one GIN index with ``gin_trgm_ops`` over the doubled name, the initials and the
codes (pg_trgm, ``CREATE EXTENSION IF NOT EXISTS``: the migrating role needs the right to
create it, or an administrator creates it first). SQLite: an FTS5 table with the trigram
tokenizer over the same columns, an external-content index of ``search_index`` kept by
triggers. The index starts empty: ``xinyong search reindex`` fills it from the subjects and
the ledger (the import keeps it current from then on).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0019"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
COLUMNS = ("doubled", "initials", "codes")


def upgrade() -> None:
    op.create_table(
        "search_index",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("subject_key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("doubled", sa.Text(), nullable=False),
        sa.Column("initials", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("old_reg_no", sa.String(length=32), nullable=True),
        sa.Column("codes", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_index")),
        sa.UniqueConstraint("subject_key", name=op.f("uq_search_index_subject_key")),
        comment="Public search: names, pinyin initials and codes of organisations (no persons).",
    )
    with op.batch_alter_table("search_index") as batch_op:
        for column in ("name_key", "initials", "uscc", "old_reg_no"):
            batch_op.create_index(f"ix_search_index_{column}", [column], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        ops = ", ".join(f"{c} gin_trgm_ops" for c in COLUMNS)
        op.execute(f"CREATE INDEX ix_search_index_trgm ON search_index USING gin ({ops})")
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(doubled, initials, codes, "
        "content='search_index', content_rowid='id', tokenize='trigram')"
    )
    add = (
        "INSERT INTO search_fts(rowid, doubled, initials, codes) "
        "VALUES (new.id, new.doubled, new.initials, new.codes);"
    )
    remove = (
        "INSERT INTO search_fts(search_fts, rowid, doubled, initials, codes) "
        "VALUES ('delete', old.id, old.doubled, old.initials, old.codes);"
    )
    op.execute("CREATE TRIGGER search_fts_ai AFTER INSERT ON search_index BEGIN " + add + " END")
    op.execute("CREATE TRIGGER search_fts_ad AFTER DELETE ON search_index BEGIN " + remove + " END")
    op.execute(
        "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_index BEGIN "
        + remove
        + " "
        + add
        + " END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("search_fts_ai", "search_fts_ad", "search_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_index")  # its indexes go with it; pg_trgm stays (others may use it)
