"""Cases walked straight through the workflow kernel, and what the outbox and the messages
hold afterwards."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from xinyong.bootstrap import Platform
from xinyong.cases import service as cases
from xinyong.cases.model import Case
from xinyong.events.tables import outbox_events
from xinyong.notifications.tables import messages

PARAMS = {
    "notice_deadline_working_days": 3,
    "statement_window_working_days": 5,
    "decision_deadline_working_days": 15,
    "publication_deadline_working_days": 20,
}


def _common(platform: Platform) -> dict[str, Any]:
    return {
        "calendar": platform.calendar,
        "catalogue_version": platform.catalogue.snapshot.version,
        "now": platform.clock.now(),
    }


def open_case(platform: Platform, subject_key: str, department: str = "scjg") -> Case:
    with platform.transaction() as conn:
        return cases.open_case(
            conn,
            "list_determination",
            subject_key=subject_key,
            department_code=department,
            params=PARAMS,
            actor=f"{department}:张科员",
            **_common(platform),
        )


def step(platform: Platform, case_id: int, name: str, role: str = "department") -> Case:
    with platform.transaction() as conn:
        return cases.transition(
            conn, case_id, name, actor="scjg:李处长", role=role, **_common(platform)
        )


def outbox(platform: Platform, kind_prefix: str = "") -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        rows = conn.execute(select(outbox_events).order_by(outbox_events.c.id)).all()
    return [
        {**dict(r._mapping), "payload": json.loads(r.payload)}
        for r in rows
        if r.kind.startswith(kind_prefix)
    ]


def message_rows(platform: Platform, kind: str | None = None) -> list[dict[str, Any]]:
    query = select(messages).order_by(messages.c.id)
    if kind is not None:
        query = query.where(messages.c.recipient_kind == kind)
    with platform.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    from xinyong.kernel.clock import CHINA_TZ

    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=CHINA_TZ)
