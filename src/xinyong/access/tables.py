"""Departments, API clients and the audit trail."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from xinyong.store.metadata import metadata
from xinyong.store.types import UtcDateTime

departments = Table(
    "departments",
    metadata,
    Column("code", String(64), primary_key=True),  # short code, e.g. sxamr
    Column("name", String(200), nullable=False),  # e.g. 陕西省市场监督管理局
    Column("sector", String(64), nullable=False),  # catalogue sector code
    Column("uscc", String(18)),
    Column("created_at", UtcDateTime(), nullable=False),
    comment="Departments that submit credit records (数据提供单位).",
)

api_clients = Table(
    "api_clients",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    # A department's business system submits only as that department.
    Column("department_code", String(64), ForeignKey("departments.code")),
    Column("role", String(32), nullable=False),  # department | office | auditor
    Column("key_prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("revoked_at", UtcDateTime()),
    comment="Machine clients and their API keys (only a hash of each key is kept).",
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(200), nullable=False),
    Column("purpose", String(200), nullable=False, default=""),
    Column("detail", Text, nullable=False, default="{}"),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    comment="Hash-chained record of writes and non-public reads.",
)
# The audit trail of a user (actor) and of a record (target), newest first: equality and a
# LIKE prefix (``subject:9161*``) read a range of the index in id order. On PostgreSQL the
# pattern operator class lets LIKE 'prefix%' use the index whatever the database collation.
Index(
    "ix_audit_log_actor",
    audit_log.c.actor,
    audit_log.c.id,
    postgresql_ops={"actor": "varchar_pattern_ops"},
)
Index(
    "ix_audit_log_target",
    audit_log.c.target,
    audit_log.c.id,
    postgresql_ops={"target": "varchar_pattern_ops"},
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("verified_at", UtcDateTime(), nullable=False),
    # The last audit row the chain was recomputed to, and its hash then.
    Column("row_id", Integer, nullable=False),
    Column("row_hash", String(64), nullable=False),
    Column("rows_checked", Integer, nullable=False),  # rows recomputed by this pass
    Column("full_pass", Boolean, nullable=False, default=False),  # from the first row
    Column("actor", String(200), nullable=False),
    comment="Where a verification of the audit log's chain ended, so the next starts there.",
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),  # the sign-in name, lower case
    Column("display_name", String(100), nullable=False),
    # office_admin | department_officer | inspector | auditor (access.accounts.USER_ROLES)
    Column("role", String(32), nullable=False),
    # Department-bound roles only (department_officer).
    Column("department_code", String(64), ForeignKey("departments.code")),
    Column("password_hash", String(255), nullable=False),  # argon2id, PHC string
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_count", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    comment="Staff console accounts (local sign-in; the unified identity platform later).",
)

user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # SHA-256 of the opaque cookie token: a copy of the table opens no session.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),  # absolute end
    Column("ip_hash", String(64), nullable=False, default=""),  # keyed hash of the address
    comment="Console sessions (cookie token stored hashed; idle and absolute expiry).",
)
