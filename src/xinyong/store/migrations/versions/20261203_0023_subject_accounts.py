"""subject accounts: accounts of market entities, activation codes, sessions

Revision ID: 0023
Revises: 0024
Create Date: 2026-12-03 10:45:00

A market entity's account is bound to its USCC and activated with a one-time code the credit
office issues (only the code's SHA-256 is stored, with its expiry and single use); its
sessions keep only a SHA-256 of the cookie token, as the console's do.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subject_accounts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uscc", sa.String(18), nullable=False, unique=True),
        sa.Column("login_name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("failed_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        comment="Accounts of market entities (主体账户), bound to one USCC.",
    )
    op.create_table(
        "subject_activation_codes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("subject_accounts.id"), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("issued_by", sa.String(200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.Column("superseded_at", sa.DateTime(timezone=True)),
        comment="One-time activation codes the credit office issues (stored hashed).",
    )
    op.create_index(
        "ix_subject_activation_codes_account_id", "subject_activation_codes", ["account_id"]
    )
    op.create_table(
        "subject_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("subject_accounts.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip_hash", sa.String(64), nullable=False, server_default=""),
        comment="Subject account sessions (token stored hashed; idle and absolute expiry).",
    )
    op.create_index("ix_subject_sessions_account_id", "subject_sessions", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_subject_sessions_account_id", table_name="subject_sessions")
    op.drop_table("subject_sessions")
    op.drop_index("ix_subject_activation_codes_account_id", table_name="subject_activation_codes")
    op.drop_table("subject_activation_codes")
    op.drop_table("subject_accounts")
