"""The job registry and the worker: expiry with a moved clock, idempotence, the schedule."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select, text

from tests.helpers import ORG, add_department, csv_bytes, listing_details, penalty
from xinyong.bootstrap import Platform
from xinyong.cases import service as cases
from xinyong.jobs.registry import JOBS, _lock_key, get_job, run_job
from xinyong.jobs.scheduler import build_scheduler, next_runs
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import NotFound
from xinyong.ledger.tables import entries
from xinyong.lists import casework
from xinyong.lists import repository as lists_repo
from xinyong.lists import service as lists
from xinyong.lists.tables import list_memberships


def _open_case(platform: Platform, clock: FixedClock, *steps: str) -> int:
    """A SAMR_SERIOUS case on ORG taken through ``steps`` by the department (publish: office)."""
    with platform.engine.begin() as conn:
        case = casework.propose_subject(
            conn,
            platform.sanctions,
            platform.calendar,
            platform.vault,
            list_type="SAMR_SERIOUS",
            subject=ORG,
            department_code="scjg",
            actor="scjg:张科员",
            now=clock.now(),
            catalogue_version=platform.catalogue.snapshot.version,
        )
        for name in steps:
            lists.advance(
                conn,
                platform.sanctions,
                platform.catalogue,
                platform.calendar,
                case.id,
                name,
                actor="t",
                role="office" if name == "publish" else "department",
                now=clock.now(),
                **listing_details(name),
            )
    return case.id


@pytest.fixture
def registered(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(dt.datetime(2026, 5, 4, 10, 0, tzinfo=CHINA_TZ))
    platform.importer().import_bytes(
        csv_bytes([penalty(CF_JDRQ="2026-04-30")]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )


def _n_entries(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(entries)).scalar_one())


@pytest.mark.usefixtures("registered")
def test_expiry_job_exits_the_membership_once(platform: Platform, clock: FixedClock) -> None:
    case_id = _open_case(platform, clock, "notify", "list", "publish")
    with platform.engine.connect() as conn:
        (membership,) = lists_repo.memberships_of_subjects(conn, [ORG])
    assert membership["until"] == dt.date(2029, 5, 4)
    clock.set(dt.datetime(2029, 5, 3, 0, 10, tzinfo=CHINA_TZ))  # last day on the list
    assert run_job(platform, "expire_lists") == {
        "job": "expire_lists",
        "as_of": "2029-05-03",
        "expired": 0,
    }
    before = _n_entries(platform)
    clock.set(dt.datetime(2029, 5, 4, 0, 10, tzinfo=CHINA_TZ))
    assert run_job(platform, "expire_lists")["expired"] == 1
    with platform.engine.connect() as conn:
        (after,) = lists_repo.memberships_of_subjects(conn, [ORG])
        assert (after["exited_on"], after["exit_reason"]) == (dt.date(2029, 5, 4), "expired")
        assert cases.get(conn, case_id).state == "exited"
        exit_entry = conn.execute(
            select(entries).where(
                entries.c.supersedes_id == membership["id"], entries.c.action == "revoke"
            )
        ).one()
    payload = json.loads(exit_entry.payload)
    assert (payload["移出原因"], payload["移出日期"]) == ("expired", "2029-05-04")
    assert exit_entry.public is False
    # The exit entry plus the case step's own record.
    assert _n_entries(platform) == before + 2
    again = run_job(platform, "expire_lists")
    assert again["expired"] == 0
    assert _n_entries(platform) == before + 2
    with platform.engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count())
                .select_from(list_memberships)
                .where(list_memberships.c.exited_on.is_(None))
            ).scalar_one()
            == 0
        )


@pytest.mark.usefixtures("registered")
def test_overdue_scan_counts_and_logs(
    platform: Platform, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    case_id = _open_case(platform, clock, "notify", "list")
    due = platform.calendar.add_workdays(dt.date(2026, 5, 4), 20)
    clock.set(dt.datetime.combine(due, dt.time(8, 30), CHINA_TZ))
    assert run_job(platform, "scan_overdue_cases")["overdue"] == 0
    clock.set(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(8, 30), CHINA_TZ))
    with caplog.at_level(logging.INFO, logger="xinyong.jobs"):
        result = run_job(platform, "scan_overdue_cases")
    assert result["overdue"] == 1
    assert result["by_department"] == {"scjg": 1}
    assert result["by_state"] == {"list_determination.listed": 1}
    assert result["oldest_due_on"] == due.isoformat()
    assert result["case_ids"] == [case_id]
    assert any("1 overdue case(s)" in r.getMessage() for r in caplog.records)


def test_scheduler_has_the_catalogued_triggers(platform: Platform) -> None:
    scheduler = build_scheduler(platform)
    assert not scheduler.running
    jobs = {j.id: j for j in scheduler.get_jobs()}
    assert (
        set(jobs)
        == set(JOBS)
        == {
            "expire_lists",
            "dispatch_events",
            "anchor_ledger",
            "apply_calendar",
            "scan_overdue_cases",
            "evaluate",
            "evaluate_full",
        }
    )
    for name, job in jobs.items():
        trigger = job.trigger
        assert isinstance(trigger, CronTrigger)
        assert str(trigger.timezone) == "Asia/Shanghai"
        fields = {f.name: str(f) for f in trigger.fields}
        for key, value in JOBS[name].schedule.cron_fields().items():
            assert fields[key] == value
        assert job.args == (platform, name)
        assert (job.coalesce, job.max_instances) == (True, 1)
    expire = {f.name: str(f) for f in jobs["expire_lists"].trigger.fields}
    assert (expire["hour"], expire["minute"]) == ("0", "10")
    after = dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ)
    assert next_runs(after) == {
        "expire_lists": "2026-06-16T00:10:00+08:00",
        "dispatch_events": "2026-06-15T10:00:00+08:00",
        "anchor_ledger": "2026-06-16T01:00:00+08:00",
        "apply_calendar": "2026-06-16T07:00:00+08:00",
        "scan_overdue_cases": "2026-06-16T08:30:00+08:00",
        "evaluate": "2026-06-15T10:20:00+08:00",
        "evaluate_full": "2026-07-01T03:00:00+08:00",
    }


def test_unknown_job_names_the_choices() -> None:
    with pytest.raises(NotFound) as exc:
        get_job("expire")
    assert "expire_lists" in exc.value.message_zh


def test_a_job_running_elsewhere_is_skipped_on_postgresql(platform: Platform) -> None:
    if platform.engine.dialect.name != "postgresql":
        # SQLite serialises writers itself; the job simply runs.
        assert run_job(platform, "expire_lists")["expired"] == 0
        return
    with platform.engine.connect() as other:
        other.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _lock_key("expire_lists")})
        assert run_job(platform, "expire_lists") == {
            "job": "expire_lists",
            "skipped": "running elsewhere",
        }
        other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_key("expire_lists")})
    assert run_job(platform, "expire_lists")["expired"] == 0


def test_the_evaluation_jobs_score_what_changed(platform: Platform) -> None:
    from tests.helpers import add_department, csv_bytes, penalty

    add_department(platform)
    platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    first = run_job(platform, "evaluate")
    assert first["full"]
    assert first["total"] == 2  # one subject × 2 models (GGXYPJ, QYXYFXFL)
    again = run_job(platform, "evaluate")
    assert not again["full"]
    assert again["total"] == 0  # nothing new in the ledger
    full = run_job(platform, "evaluate_full")
    assert full["full"]
    assert full["total"] == 2
