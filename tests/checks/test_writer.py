"""Receipts through the server's batched writer: queued off the request path, never lost."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.helpers import ORG, add_department, csv_bytes, penalty
from xinyong.bootstrap import Platform, build_platform
from xinyong.checks.tables import check_receipts
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.settings import Settings
from xinyong.web.app import create_app


def _receipts(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(check_receipts)).scalar_one())


def test_batched_receipts_are_written_and_feedback_finds_them(
    platform: Platform, settings: Settings, clock: FixedClock
) -> None:
    batched = build_platform(
        settings.model_copy(update={"check_receipt_batch_ms": 3_600_000}),  # never by timer
        clock=clock,
        engine=platform.engine,
    )
    key = add_department(batched)
    batched.importer().import_bytes(
        csv_bytes([penalty(CF_CFLB="罚款,责令停产停业", CF_JDRQ="2026-06-10")]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    with TestClient(create_app(batched)) as client:
        answers = [
            client.post(
                "/api/v1/checks",
                json={"subject": ORG, "scenario": scenario},
                headers={"X-API-Key": key},
            ).json()
            for scenario in ("government_procurement", "fiscal_funds", "honours")
        ]
        writer = batched.receipt_writer()
        assert writer is not None
        assert writer.pending == 3  # answered, still queued
        assert _receipts(batched) == 0
        applied = next(a for a in answers if a["measures"])
        measure = applied["measures"][0]["measure"]
        # Feedback right after the answer: the queue is written first, so the receipt exists.
        r = client.post(
            f"/api/v1/checks/{applied['receipt']}/feedback",
            json={"measure": measure, "applied": True},
            headers={"X-API-Key": key},
        )
        assert r.status_code == 201, r.text
        assert _receipts(batched) == 3
        client.post(
            "/api/v1/checks",
            json={"subject": ORG, "scenario": "honours"},
            headers={"X-API-Key": key},
        )
        assert writer.pending == 1
    # Leaving the app (process shutdown) drains the queue.
    assert writer.pending == 0
    assert _receipts(batched) == 4
    with batched.engine.connect() as conn:
        at = conn.execute(select(func.max(check_receipts.c.at))).scalar_one()
    stored = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    assert stored == clock.now()  # written in UTC, the same instant
