"""The outbox: events commit with their change, each consumer's effect happens once, a crash
before the dispatch is caught up by the job, and per subject the order is kept."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import select

from tests.alerts.support import alert_rows, import_rows, org2_penalty, publish, revoke_listing
from tests.helpers import ORG, ORG2, add_department, list_subject, penalty
from xinyong.access import service as access
from xinyong.access.tables import audit_log
from xinyong.bootstrap import Platform
from xinyong.checks import service as checks
from xinyong.events import service as events
from xinyong.events.model import BATCH_IMPORTED, LIST_EXITED, LIST_PUBLISHED, Event
from xinyong.events.tables import outbox_events
from xinyong.jobs.registry import run_job
from xinyong.lists import service as lists
from xinyong.lists.tables import list_memberships, subject_status


def _audit_consumer(platform: Platform, name: str = "test_audit", **kw: Any) -> events.Consumer:
    """A consumer whose effect is a row in the audit log per event (in its transaction)."""

    def handle(conn: Any, event: Event) -> None:
        access.audit(conn, name, event.kind, f"event:{event.id}", platform.clock.now())

    return events.Consumer(
        name, frozenset({LIST_PUBLISHED, LIST_EXITED, BATCH_IMPORTED}), handle, **kw
    )


def _effects(platform: Platform, actor: str = "test_audit") -> list[str]:
    with platform.engine.connect() as conn:
        return list(
            conn.execute(
                select(audit_log.c.target)
                .where(audit_log.c.actor == actor)
                .order_by(audit_log.c.id)
            ).scalars()
        )


def _event_ids(platform: Platform, *, cases: bool = False) -> list[int]:
    """Ids of the events the test consumers handle (case steps, which the kernel emits on
    every step, only with ``cases``)."""
    query = select(outbox_events.c.id).order_by(outbox_events.c.id)
    if not cases:
        query = query.where(outbox_events.c.kind.not_like("case.%"))
    with platform.engine.connect() as conn:
        return list(conn.execute(query).scalars())


def _dispatch(
    platform: Platform, *consumers: events.Consumer, batch: int = events.BATCH
) -> events.DispatchReport:
    return events.dispatch(platform.engine, list(consumers), now=platform.clock.now, batch=batch)


def test_an_alert_follows_the_publication_at_once(platform: Platform) -> None:
    add_department(platform)
    import_rows(platform, penalty())
    import_rows(platform, org2_penalty(), name="new.csv")
    assert alert_rows(platform) == []
    publish(platform, ORG)  # in platform.transaction(): dispatched right after the commit
    assert len(alert_rows(platform)) == 1
    with platform.engine.connect() as conn:
        kinds = list(
            conn.execute(select(outbox_events.c.kind).order_by(outbox_events.c.id)).scalars()
        )
        positions = events.positions(conn)
    assert [k for k in kinds if not k.startswith("case.")] == [
        BATCH_IMPORTED,
        BATCH_IMPORTED,
        LIST_PUBLISHED,
    ]
    # Every step of the listing's case is an event too (the kernel emits them).
    assert "case.list_determination.open" in kinds
    assert "case.list_determination.publish" in kinds
    assert positions["alerts"] == positions["head"] == _event_ids(platform, cases=True)[-1]


def test_the_effect_happens_once_however_often_dispatched(platform: Platform) -> None:
    add_department(platform)
    import_rows(platform, penalty())
    publish(platform, ORG)
    ids = _event_ids(platform)
    assert len(ids) == 2
    consumer = _audit_consumer(platform)
    assert _dispatch(platform, consumer).handled == {"test_audit": 2}
    assert _dispatch(platform, consumer).handled == {"test_audit": 0}
    assert run_job(platform, "dispatch_events")["handled"] == {
        "alerts": 0,
        "messages": 0,
        "evaluation": 0,
    }
    assert _effects(platform) == [f"event:{i}" for i in ids]
    # Further events are handled from where the consumer stopped.
    import_rows(platform, org2_penalty(), name="new.csv")
    assert _dispatch(platform, consumer).handled == {"test_audit": 1}
    assert _effects(platform) == [f"event:{i}" for i in _event_ids(platform)]


def test_two_dispatchers_at_once_handle_each_event_once(platform: Platform) -> None:
    add_department(platform)
    import_rows(platform, penalty())
    publish(platform, ORG)

    def slow(conn: Any, event: Event) -> None:
        access.audit(conn, "test_audit", event.kind, f"event:{event.id}", platform.clock.now())
        time.sleep(0.3)  # the other dispatcher arrives while this one holds the position

    consumer = events.Consumer("test_audit", frozenset({LIST_PUBLISHED, BATCH_IMPORTED}), slow)
    reports: list[events.DispatchReport] = []
    threads = [
        threading.Thread(target=lambda: reports.append(_dispatch(platform, consumer)))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _effects(platform) == [f"event:{i}" for i in _event_ids(platform)]
    # One did the work; the other waited, then found nothing left (or, on SQLite, lost the
    # race for the write lock and rolled back).
    assert sorted(r.handled.get("test_audit", 0) for r in reports) == [0, 2]


def test_a_failing_handler_rolls_back_its_effect_and_is_retried(platform: Platform) -> None:
    add_department(platform)
    import_rows(platform, penalty())
    calls: list[int] = []

    def flaky(conn: Any, event: Event) -> None:
        access.audit(conn, "test_audit", event.kind, f"event:{event.id}", platform.clock.now())
        calls.append(event.id)
        if len(calls) == 1:
            raise RuntimeError("the handler's dependency is down")

    consumer = events.Consumer("test_audit", frozenset({BATCH_IMPORTED}), flaky)
    first = _dispatch(platform, consumer, _audit_consumer(platform, "other"))
    assert first.failed == ["test_audit"]
    assert first.handled == {"other": 1}  # the other consumers go on
    assert _effects(platform) == []  # the failed run's effect rolled back with it
    assert _dispatch(platform, consumer).handled == {"test_audit": 1}
    assert _effects(platform) == [f"event:{_event_ids(platform)[0]}"]


def test_a_crash_between_commit_and_dispatch_is_caught_up_by_the_job(platform: Platform) -> None:
    add_department(platform)
    import_rows(platform, penalty())
    import_rows(platform, org2_penalty(), name="new.csv")
    list_subject(platform, ORG, dispatch=False)
    assert alert_rows(platform) == []  # committed, never dispatched
    result = run_job(platform, "dispatch_events")
    assert result["handled"]["alerts"] == 1
    assert result["failed"] == []
    assert result["positions"]["alerts"] == result["positions"]["head"]
    (alert,) = alert_rows(platform)
    assert alert["related_key"] == ORG
    assert run_job(platform, "dispatch_events")["handled"] == {
        "alerts": 0,
        "messages": 0,
        "evaluation": 0,
    }
    assert len(alert_rows(platform)) == 1


def test_events_of_a_subject_keep_their_order(platform: Platform) -> None:
    add_department(platform)
    import_rows(platform, penalty())
    case_id = publish(platform, ORG)
    revoke_listing(platform, case_id)
    publish(platform, ORG)
    seen: list[tuple[str | None, str]] = []

    def record(conn: Any, event: Event) -> None:
        seen.append((event.subject_key, event.kind))

    consumer = events.Consumer("order", frozenset({LIST_PUBLISHED, LIST_EXITED}), record)
    _dispatch(platform, consumer, batch=1)  # one event per transaction: order across runs
    assert seen == [(ORG, LIST_PUBLISHED), (ORG, LIST_EXITED), (ORG, LIST_PUBLISHED)]


def test_ids_follow_commit_order_across_concurrent_transactions(platform: Platform) -> None:
    """An event emitted first but committed last must not get the lower id: a consumer
    already past the higher one would never see it."""
    emitted = threading.Event()
    committed: dict[str, tuple[int, float]] = {}

    def slow() -> None:
        with platform.engine.begin() as conn:
            i = events.emit(
                conn, LIST_EXITED, subject_key="A", payload={}, now=platform.clock.now()
            )
            emitted.set()
            time.sleep(0.5)
        committed["slow"] = (i, time.monotonic())

    def fast() -> None:
        emitted.wait()
        with platform.engine.begin() as conn:
            i = events.emit(
                conn, LIST_EXITED, subject_key="B", payload={}, now=platform.clock.now()
            )
        committed["fast"] = (i, time.monotonic())

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (slow_id, slow_at), (fast_id, fast_at) = committed["slow"], committed["fast"]
    assert slow_at < fast_at  # the second writer waited for the first to commit
    assert slow_id < fast_id


def test_a_consumer_from_now_skips_what_came_before(platform: Platform) -> None:
    add_department(platform)
    import_rows(platform, penalty())
    late = _audit_consumer(platform, from_start=False)
    assert _dispatch(platform, late).handled == {"test_audit": 0}
    import_rows(platform, org2_penalty(), name="new.csv")
    assert _dispatch(platform, late).handled == {"test_audit": 1}
    assert _effects(platform) == [f"event:{_event_ids(platform)[-1]}"]


def test_emit_refuses_an_unknown_kind(platform: Platform) -> None:
    with platform.engine.begin() as conn, pytest.raises(ValueError, match="unknown event kind"):
        events.emit(conn, "list.renamed", subject_key=None, payload={}, now=platform.clock.now())


def test_rebuild_reproduces_the_projections_and_leaves_the_outbox(platform: Platform) -> None:
    add_department(platform)
    import_rows(platform, penalty())
    case_id = publish(platform, ORG)
    revoke_listing(platform, case_id)
    publish(platform, ORG)

    def snapshot() -> tuple[list[Any], list[Any]]:
        with platform.engine.connect() as conn:
            ms = [
                tuple(r)
                for r in conn.execute(select(list_memberships).order_by(list_memberships.c.id))
            ]
            ss = [
                tuple(r)
                for r in conn.execute(select(subject_status).order_by(subject_status.c.subject_key))
            ]
        return ms, ss

    before, ids = snapshot(), _event_ids(platform)
    assert len(before[0]) == 2
    with platform.engine.begin() as conn:
        assert lists.rebuild(conn, platform.sanctions, platform.catalogue) == 1
    assert snapshot() == before
    assert _event_ids(platform) == ids  # a rebuild replays the ledger, not the events
    assert platform.dispatch_events().handled == {"alerts": 0, "messages": 0, "evaluation": 0}


def test_a_check_right_after_a_publication_in_this_process_sees_it(
    platform: Platform,
) -> None:
    """The read model follows the ledger head by itself every interval (here an hour); the
    publishing process catches its copy up right after the commit."""
    platform.settings.check_cache_refresh_ms = 3_600_000
    model = platform.check_read_model()
    assert model is not None
    add_department(platform)
    import_rows(platform, penalty())
    import_rows(platform, org2_penalty(), name="new.csv")

    def listed(subject: str) -> list[str]:
        with platform.engine.begin() as conn:
            answer = checks.check(
                conn,
                platform.sanctions,
                platform.vault,
                subject=subject,
                scenario="government_procurement",
                today=platform.clock.today(),
                now=platform.clock.now(),
                actor="t",
                source=model,
            )
        return [m["list_type"] for m in answer["memberships"]]

    try:
        assert listed(ORG) == []  # loads the copy
        list_subject(platform, ORG, dispatch=False)
        assert listed(ORG) == []  # as if another process published: seen within the interval
        publish(platform, ORG2)
        assert listed(ORG2) == ["SAMR_SERIOUS"]  # this process's own change: at once
        assert listed(ORG) == ["SAMR_SERIOUS"]  # and whatever committed before it
    finally:
        model.close()
