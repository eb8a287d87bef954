"""The outbox: domain events, and how far each consumer has handled them."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

outbox_events = Table(
    "outbox_events",
    metadata,
    # Assigned in commit order (see events.repository.append): a consumer reading in id order
    # never passes an event that commits later.
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(48), nullable=False),  # list.published | … (events.model.KINDS)
    Column("subject_key", String(40)),  # the subject it is about, when there is one
    Column("payload", Text, nullable=False),  # JSON, per kind (events.model)
    Column("occurred_at", UtcDateTime(), nullable=False),
    # What the event concerns, copied from the payload's ``case``, ``entry`` and ``department``
    # so the feed (notifications) can select a department's events without reading JSON.
    Column("case_id", BigId),
    Column("entry_id", BigId),
    Column("department_code", String(64)),
    comment="Domain events, written in the transaction that made the change (outbox).",
)
Index("ix_outbox_events_subject", outbox_events.c.subject_key, outbox_events.c.id)
Index("ix_outbox_events_case", outbox_events.c.case_id)
Index("ix_outbox_events_entry", outbox_events.c.entry_id)
Index("ix_outbox_events_department", outbox_events.c.department_code, outbox_events.c.id)

outbox_consumers = Table(
    "outbox_consumers",
    metadata,
    Column("name", String(48), primary_key=True),
    # The last event id handled: advanced in the transaction that ran the handler.
    Column("position", BigId, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    comment="Each outbox consumer's position: the effect of an event happens once per consumer.",
)
