"""In-app messages to a subject, a department or the credit office."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text, UniqueConstraint

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

messages = Table(
    "messages",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("recipient_kind", String(16), nullable=False),  # subject | department | office
    # The subject's USCC, the department's code, or "office".
    Column("recipient", String(64), nullable=False),
    Column("event_id", BigId, nullable=False),  # the outbox event it was written from
    Column("kind", String(96), nullable=False),  # that event's kind
    Column("case_id", BigId),
    Column("subject_key", String(40)),
    Column("body", Text, nullable=False),  # Chinese, one or two sentences
    Column("created_at", UtcDateTime(), nullable=False),
    Column("read_at", UtcDateTime()),
    Column("read_by", String(200)),
    # A redelivered event never writes a second message (the consumer's effect happens once;
    # this makes it so even if a handler is run again by hand).
    UniqueConstraint("event_id", "recipient_kind", "recipient", name="uq_messages_event_recipient"),
    comment="In-app messages to a subject, a department or the credit office.",
)
Index(
    "ix_messages_recipient",
    messages.c.recipient_kind,
    messages.c.recipient,
    messages.c.read_at,
)
