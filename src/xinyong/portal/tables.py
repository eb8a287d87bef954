"""Announcements (通知公告) the credit office publishes on the portal."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

announcements = Table(
    "announcements",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("category", String(16), nullable=False),  # code of code table announcement_category
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("state", String(16), nullable=False),  # published | withdrawn
    Column("published_by", String(200), nullable=False),
    Column("published_at", UtcDateTime(), nullable=False),
    Column("withdrawn_by", String(200)),
    Column("withdrawn_at", UtcDateTime()),
    Column("withdraw_reason", Text),
    comment="Announcements of the credit office on the portal (通知公告, 政策文件, 工作动态).",
)
Index("ix_announcements_state", announcements.c.state, announcements.c.published_at)
