"""relation write guards: relations and subject key aliases are append-only too

Revision ID: 0021
Revises: 0015
Create Date: 2026-12-03 10:00:00

Who represents an organisation (``relations``) extends measures to legal representatives at
every check, and a subject key alias (``subject_key_aliases``) keeps a person one subject
across key rotations. Both are only ever inserted (identity.service); an UPDATE or DELETE is
tampering. ``xinyong audit verify`` rebuilds the relations from the ledger
(ingest.relations_check) for the case where a tamperer drops these triggers.
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0015"
branch_labels = None
depends_on = None

APP_ROLE = "xinyong_app"
GUARDED = ("relations", "subject_key_aliases")
MESSAGE = "identity links are append-only (关系与主体别名只能追加，不得修改或删除)"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION xinyong_links_append_only() RETURNS trigger AS $$
            BEGIN
              RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
            END $$ LANGUAGE plpgsql
            """
        )
    for table in GUARDED:
        for event in ("update", "delete"):
            if postgres:
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event} BEFORE {event.upper()} ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION xinyong_links_append_only()"
                )
            else:
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event} BEFORE {event.upper()} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )
        if postgres:
            op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {APP_ROLE}")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in GUARDED:
        for event in ("update", "delete"):
            op.execute(
                f"DROP TRIGGER IF EXISTS {table}_no_{event}" + (f" ON {table}" if postgres else "")
            )
        if postgres:
            op.execute(f"GRANT UPDATE, DELETE ON {table} TO {APP_ROLE}")
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS xinyong_links_append_only()")
