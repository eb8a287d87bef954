"""publicity indexes: the public 双公示 listings read entries by item, newest decision first

Revision ID: 0020
Revises: 0021
Create Date: 2026-12-03 10:00:00

``/publicity/licences`` and ``/publicity/penalties`` (``portal.repository.publicity``) page
through one item's entries ordered by decision date and id, newest first. Without an index in
that order every page sorts the whole item; with ``(item_code, decision_date, id)`` a page is
a backward range scan that stops after ``limit`` rows that pass the window filter (measured
in docs/benchmarks.md). ``ix_entries_record`` (item, record key) already serves the "no later
entry of the same record" probe.
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_entries_item_decided", "entries", ["item_code", "decision_date", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_entries_item_decided", table_name="entries")
