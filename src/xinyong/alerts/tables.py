"""The platform's early-warning table: one row per situation the credit office should look at."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

alerts = Table(
    "alerts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),  # re_establishment | … (alerts.rules.KINDS)
    # Detection runs again on every batch and every scan: this key makes a situation raise one
    # alert whatever the number of runs (and whatever the office decided about it).
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("subject_key", String(40), nullable=False),  # the subject the warning is about
    Column("related_key", String(40)),  # the other subject (e.g. the listed organisation)
    Column("person_key", String(40)),  # the person linking them (keyed hash, never the ID)
    Column("department_code", String(64)),  # who brought the subject in, when known
    Column("batch_id", BigId),  # the import that first recorded the link, when known
    Column("summary", Text, nullable=False),  # one Chinese sentence for lists and the CLI
    # JSON: names, codes, masked personal identifiers, list entries, source batch.
    Column("detail", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # open | acknowledged | dismissed
    Column("handled_by", String(200)),
    Column("handled_at", UtcDateTime()),
    Column("note", Text),
    comment="Early warnings to the credit office (易地开张 …), with how each was handled.",
)
Index("ix_alerts_status_kind", alerts.c.status, alerts.c.kind, alerts.c.id)
Index("ix_alerts_subject", alerts.c.subject_key)
Index("ix_alerts_person", alerts.c.person_key)
