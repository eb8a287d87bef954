"""Early-warning use cases: detect re-establishment (per batch, per listing, whole scan) and let
the credit office acknowledge or dismiss alerts. The caller owns the transaction.

Detection per batch and per listing is the alerts' outbox consumer (:func:`consumer`): an
imported batch (``batch.imported``) and a published listing (``list.published``) are handled
right after their commit, once each, whoever dispatches them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.alerts import repository as repo
from xinyong.alerts.rules import (
    KINDS,
    OPEN,
    STATUSES,
    AlertDraft,
    check_filters,
    next_status,
    re_establishment_alerts,
)
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.events.model import BATCH_IMPORTED, LIST_PUBLISHED, Event
from xinyong.events.service import Consumer
from xinyong.kernel.clock import Clock
from xinyong.kernel.errors import Conflict, InputError, NotFound

log = logging.getLogger(__name__)


def _names(sanctions: SanctionsCatalogue | None) -> dict[str, str]:
    return {} if sanctions is None else {lt.code: lt.name for lt in sanctions.list_types()}


CONSUMER = "alerts"


def consumer(sanctions: SanctionsCatalogue, clock: Clock) -> Consumer:
    """The alerts' outbox consumer: a batch is searched for the links it completed, a newly
    published listing's subject is scanned (its people may already represent others: warned
    now, not at the next scan). Both on the day the change happened."""

    def handle(conn: Connection, event: Event) -> None:
        p = event.payload
        if event.kind == BATCH_IMPORTED:
            span = repo.Span(
                int(p["batch"]), int(p["first_entry"]), int(p["last_entry"]), int(p["entries"])
            )
            detect_for_batch(
                conn,
                span=span,
                today=dt.date.fromisoformat(p["received_on"]),
                now=clock.now(),
                sanctions=sanctions,
            )
        elif event.kind == LIST_PUBLISHED:
            scan(
                conn,
                today=dt.date.fromisoformat(p["published_on"]),
                now=clock.now(),
                listed_key=event.subject_key,
                sanctions=sanctions,
            )

    return Consumer(CONSUMER, frozenset({BATCH_IMPORTED, LIST_PUBLISHED}), handle)


def detect_for_batch(
    conn: Connection,
    *,
    span: repo.Span,
    today: dt.date,
    now: dt.datetime,
    sanctions: SanctionsCatalogue | None = None,
) -> list[dict[str, Any]]:
    """Re-establishment alerts for the links this batch (its entry-id ``span``) completed."""
    if span.size == 0:
        return []
    candidates = repo.re_establishment_candidates(conn, today=today, span=span)
    return _store(conn, re_establishment_alerts(candidates, _names(sanctions)), now)


def scan(
    conn: Connection,
    *,
    today: dt.date,
    now: dt.datetime,
    listed_key: str | None = None,
    sanctions: SanctionsCatalogue | None = None,
) -> list[dict[str, Any]]:
    """Every link of a tainted person to another subject, whenever it was recorded.

    Catches what the import could not: a listing published after the other subject was
    imported. Idempotent: situations already alerted (whatever their status) are skipped.
    ``listed_key`` limits the scan to one listed subject (used when a listing is published).
    """
    candidates = repo.re_establishment_candidates(conn, today=today, listed_key=listed_key)
    return _store(conn, re_establishment_alerts(candidates, _names(sanctions)), now)


def _store(conn: Connection, drafts: list[AlertDraft], now: dt.datetime) -> list[dict[str, Any]]:
    if not drafts:
        return []
    have = repo.existing_keys(conn, [d.dedupe_key for d in drafts])
    fresh = [d for d in drafts if d.dedupe_key not in have]
    ids = repo.insert_alerts(
        conn,
        [
            {
                "kind": d.kind,
                "dedupe_key": d.dedupe_key,
                "subject_key": d.subject_key,
                "related_key": d.related_key,
                "person_key": d.person_key,
                "department_code": d.department_code,
                "batch_id": d.batch_id,
                "summary": d.summary,
                "detail": json.dumps(d.detail, ensure_ascii=False, sort_keys=True),
                "created_at": now,
                "status": OPEN,
            }
            for d in fresh
        ],
    )
    if ids:
        log.info("alerts: %d new re-establishment alert(s), ids %s", len(ids), ids)
    return [view(a) for a in (repo.get_alert(conn, i) for i in ids) if a is not None]


def view(row: dict[str, Any]) -> dict[str, Any]:
    """An alert as the office sees it (the dedupe key is internal)."""
    return {
        "id": int(row["id"]),
        "kind": row["kind"],
        "kind_label": KINDS.get(row["kind"], row["kind"]),
        "status": row["status"],
        "status_label": STATUSES.get(row["status"], row["status"]),
        "subject": row["subject_key"],
        "related": row["related_key"],
        "department": row["department_code"],
        "batch": row["batch_id"],
        "summary": row["summary"],
        "detail": json.loads(row["detail"]),
        "created_at": _iso(row["created_at"]),
        "handled_by": row["handled_by"],
        "handled_at": _iso(row["handled_at"]),
        "note": row["note"],
    }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def list_alerts(
    conn: Connection,
    *,
    status: str | None = OPEN,
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    check_filters(status, kind)
    if not 1 <= limit <= 1000 or offset < 0:
        raise InputError("limit 1..1000, offset >= 0", "每页条数须在1至1000之间，偏移不能为负")
    rows = repo.list_alerts(conn, status=status, kind=kind, limit=limit, offset=offset)
    return {
        "total": repo.count_alerts(conn, status=status, kind=kind),
        "alerts": [view(r) for r in rows],
    }


def get(conn: Connection, alert_id: int) -> dict[str, Any]:
    row = repo.get_alert(conn, alert_id)
    if row is None:
        raise NotFound(f"no alert {alert_id}", f"预警 {alert_id} 不存在")
    return row


def handle(
    conn: Connection,
    alert_id: int,
    action: str,
    *,
    actor: str,
    note: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """Acknowledge (核实跟进) or dismiss (排除, with the reason) an alert; audited."""
    row = get(conn, alert_id)
    target = next_status(row["status"], action, note)
    changed = repo.set_status(
        conn,
        alert_id,
        expected=row["status"],
        values={"status": target, "handled_by": actor, "handled_at": now, "note": note.strip()},
    )
    if not changed:
        raise Conflict(f"alert {alert_id} changed meanwhile", "该预警刚被他人处理，请刷新后再试")
    access.audit(
        conn,
        actor,
        f"alert_{action}",
        f"alert:{alert_id}",
        now,
        detail={"from": row["status"], "to": target, "note": note.strip()},
    )
    return view(get(conn, alert_id))
