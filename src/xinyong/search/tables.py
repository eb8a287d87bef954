"""The search index: one row per organisation or individual business, never a person."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, String, Table, Text

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

search_index = Table(
    "search_index",
    metadata,
    # An integer key: the SQLite FTS5 table (search_fts) is an external-content index of
    # this table by rowid.
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("subject_key", String(40), nullable=False, unique=True),
    Column("kind", String(24), nullable=False),  # organisation | individual_business
    Column("public", Boolean, nullable=False),
    Column("name", String(200), nullable=False),  # as shown
    Column("name_key", String(200), nullable=False),  # kernel.parse.name_key
    Column("doubled", Text, nullable=False),  # name_key, every character twice (rules)
    Column("initials", String(200), nullable=False),  # pinyin initials, lower case
    Column("uscc", String(18)),
    Column("old_reg_no", String(32)),  # 工商注册号 as last reported
    Column("codes", String(64), nullable=False),  # uscc and old_reg_no, for substrings
    Column("updated_at", UtcDateTime(), nullable=False),
    comment="Public search: names, pinyin initials and codes of organisations (no persons).",
)
Index("ix_search_index_name_key", search_index.c.name_key)
Index("ix_search_index_initials", search_index.c.initials)
Index("ix_search_index_uscc", search_index.c.uscc)
Index("ix_search_index_old_reg_no", search_index.c.old_reg_no)

# Engine-specific objects the migration creates beside the table and the model cannot
# declare: the pg_trgm GIN index (PostgreSQL); the FTS5 trigram table, its shadow tables and
# triggers (SQLite). The schema comparison test leaves them out.
NATIVE_OBJECTS = ("ix_search_index_trgm", "search_fts")
