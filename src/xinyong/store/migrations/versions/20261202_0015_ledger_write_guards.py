"""ledger write guards: triggers refuse UPDATE and DELETE of ledger rows; an application role

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-02 13:20:00

The ledger is append-only by design; this makes the database say so too, on both engines.
Triggers refuse any DELETE of ``entries``, ``batches`` and ``audit_log`` and any UPDATE of
them, except on ``entries`` the derived deadline columns (``due_*``, ``late``) that a new
official calendar recomputes (``cases.recalc``; not under the entry hash). A tamperer with DDL
rights can drop the triggers: that is what ``xinyong audit verify`` is for.

On PostgreSQL the role ``xinyong_app`` (NOLOGIN: the deployer grants LOGIN and a password, or
grants the role to the login the server uses) holds what the application needs and no more on
the ledger: SELECT and INSERT, UPDATE of the deadline columns only, no DELETE. Tables created
later get the same default privileges.
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None

APP_ROLE = "xinyong_app"
GUARDED = ("entries", "batches", "audit_log")
# Columns of entries a calendar change recomputes (ledger.repository.DUE_COLUMNS and late).
DERIVED = ("due_date", "due_provisional", "due_earliest", "due_latest", "late")
ENTRY_COLUMNS = (
    "id",
    "batch_id",
    "seq",
    "subject_key",
    "subject_kind",
    "item_code",
    "item_version",
    "record_key",
    "action",
    "supersedes_id",
    "decision_date",
    "severity",
    "disclosure",
    "content_hash",
    "payload",
    "sealed",
    "department_code",
    "source_row",
    "received_at",
    "public",
    "public_from",
    "public_until",
    "repair_from",
    "policy_code",
    "window_reason",
    "entry_hash",
)
MESSAGE = "ledger rows are append-only (账本只能追加，不得修改或删除)"


def _sqlite() -> None:
    for table in GUARDED:
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    for table in ("batches", "audit_log"):
        op.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in ENTRY_COLUMNS)
    op.execute(
        f"CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries WHEN {changed} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    )


def _postgresql() -> None:
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION xinyong_append_only() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END $$ LANGUAGE plpgsql
        """
    )
    for table in GUARDED:
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION xinyong_append_only()"
        )
    for table in ("batches", "audit_log"):
        op.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION xinyong_append_only()"
        )
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in ENTRY_COLUMNS)
    op.execute(
        "CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION xinyong_append_only()"
    )
    # The role is cluster-wide: several databases (and test processes) may create it at once.
    op.execute(
        f"""
        DO $$ BEGIN
          CREATE ROLE {APP_ROLE} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$
        """
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    for table in GUARDED:
        op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {APP_ROLE}")
    op.execute(f"GRANT UPDATE ({', '.join(DERIVED)}) ON entries TO {APP_ROLE}")
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in GUARDED:
        op.execute(
            f"DROP TRIGGER IF EXISTS {table}_no_delete"
            + (f" ON {table}" if dialect == "postgresql" else "")
        )
        op.execute(
            f"DROP TRIGGER IF EXISTS {table}_no_update"
            + (f" ON {table}" if dialect == "postgresql" else "")
        )
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS xinyong_append_only()")
