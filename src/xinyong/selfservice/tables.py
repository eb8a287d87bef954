"""Subject accounts, their one-time activation codes and their sessions."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table

from xinyong.store.metadata import metadata
from xinyong.store.types import UtcDateTime

subject_accounts = Table(
    "subject_accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The organisation's USCC: one account per subject, never a staff role.
    Column("uscc", String(18), nullable=False, unique=True),
    # The sign-in name; today the USCC itself (the unified identity platform may link its
    # own subject identifier later).
    Column("login_name", String(64), nullable=False, unique=True),
    Column("password_hash", String(255)),  # argon2id; NULL until the first activation
    Column("state", String(16), nullable=False),  # pending | active | disabled
    Column("failed_count", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("activated_at", UtcDateTime()),
    Column("updated_at", UtcDateTime(), nullable=False),
    comment="Accounts of market entities (主体账户), bound to one USCC.",
)

subject_activation_codes = Table(
    "subject_activation_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("subject_accounts.id"), nullable=False, index=True),
    # SHA-256 of the code (100 random bits): a copy of the table activates nothing.
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("issued_by", String(200), nullable=False),  # the audit actor who issued it
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime()),  # single use
    Column("superseded_at", UtcDateTime()),  # a newer code for the same account
    comment="One-time activation codes the credit office issues (stored hashed).",
)

subject_sessions = Table(
    "subject_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("account_id", Integer, ForeignKey("subject_accounts.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("ip_hash", String(64), nullable=False, default=""),
    comment="Subject account sessions (token stored hashed; idle and absolute expiry).",
)
