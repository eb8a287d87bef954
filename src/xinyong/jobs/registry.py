"""The jobs the platform runs by itself, and when.

Each job takes the Platform, is idempotent (running it twice, or late, changes nothing more
than running it once on time), logs in English and returns a small JSON-able result. The
schedule is data beside the job, in China Standard Time, because every deadline and period
end is a Beijing date.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import text

from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.cases import recalc
from xinyong.cases import service as cases
from xinyong.events import service as events
from xinyong.kernel.calendar import WorkCalendar, local_calendar_dirs
from xinyong.kernel.errors import ConfigurationError, NotFound
from xinyong.ledger import anchorkey
from xinyong.ledger import service as ledger
from xinyong.lists import service as lists

log = logging.getLogger("xinyong.jobs")

TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class Schedule:
    """Cron fields (APScheduler ``CronTrigger`` syntax), in ``timezone``."""

    minute: str = "0"
    hour: str = "*"
    day: str = "*"
    month: str = "*"
    day_of_week: str = "*"
    timezone: str = TIMEZONE

    def cron_fields(self) -> dict[str, str]:
        return {
            "minute": self.minute,
            "hour": self.hour,
            "day": self.day,
            "month": self.month,
            "day_of_week": self.day_of_week,
        }

    def describe(self) -> str:
        fields = " ".join([self.minute, self.hour, self.day, self.month, self.day_of_week])
        return f"{fields} ({self.timezone})"


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    title: str  # Chinese, shown by `xinyong lists jobs`
    run: Callable[[Platform], dict[str, Any]]
    schedule: Schedule
    lock: str | None = None  # jobs sharing a lock never run at once (default: the name)


def expire_lists(platform: Platform) -> dict[str, Any]:
    """Record the automatic exit of every listing whose period has ended (期满自动移出).

    Checks are already right on the day a period ends (a membership is active only before
    ``until``); this job writes the exit to the ledger and the projections. Memberships that
    have exited are not selected again, so a second run expires nothing."""
    now = platform.clock.now()
    with platform.transaction() as conn:
        n = lists.expire_due(conn, platform.sanctions, platform.catalogue, platform.calendar, now)
    today = platform.clock.today()
    log.info("expire_lists: %d membership(s) expired as of %s", n, today.isoformat())
    return {"as_of": today.isoformat(), "expired": n}


def dispatch_events(platform: Platform) -> dict[str, Any]:
    """Hand every committed domain event to the consumers that have not handled it yet.

    The process that commits a change dispatches its events right away; this job catches up
    whatever a crash between that commit and the dispatch left, and retries a consumer that
    failed. Each consumer handles an event once, however often this runs."""
    report = platform.dispatch_events()
    with platform.engine.connect() as conn:
        positions = events.positions(conn)
    if report.failed:
        log.error("dispatch_events: consumer(s) %s failed, see above", report.failed)
    log.info("dispatch_events: handled %s; positions %s", report.handled, positions)
    return {**report.as_dict(), "positions": positions}


def scan_overdue_cases(platform: Platform) -> dict[str, Any]:
    """Count open cases past their current step's working-day deadline, by department and
    state, and log them; a case newly past it is announced once (``case.overdue``, which
    tells its department and the feed)."""
    today = platform.clock.today()
    with platform.transaction() as conn:
        announced = cases.mark_overdue(conn, platform.clock.now())
        found = cases.overdue(conn, today)
    by_department = Counter(c.department_code for c in found)
    by_state = Counter(f"{c.workflow}.{c.state}" for c in found)
    oldest = min((c.due_on for c in found if c.due_on is not None), default=None)
    if found:
        log.warning(
            "scan_overdue_cases: %d overdue case(s) as of %s; by department %s; by state %s",
            len(found),
            today.isoformat(),
            dict(sorted(by_department.items())),
            dict(sorted(by_state.items())),
        )
    else:
        log.info("scan_overdue_cases: no overdue cases as of %s", today.isoformat())
    return {
        "as_of": today.isoformat(),
        "overdue": len(found),
        "announced": len(announced),
        "by_department": dict(sorted(by_department.items())),
        "by_state": dict(sorted(by_state.items())),
        "oldest_due_on": oldest.isoformat() if oldest else None,
        "case_ids": [c.id for c in found[:100]],
    }


def apply_calendar(platform: Platform) -> dict[str, Any]:
    """Bring stored deadlines in line with the calendar files on disk (see cases.recalc).

    The files are read afresh, not taken from the running process: a year file added since
    the process started is applied without a restart, and a process started before it cannot
    apply an older calendar over it. Nothing changed, nothing written."""
    calendar = WorkCalendar.load(local_calendar_dirs(platform.settings.local_catalog_dir))
    days: dict[tuple[str, str], int | None] = {
        (v.code, v.version): v.publication_deadline_working_days
        for latest in platform.catalogue.items()
        for v in platform.catalogue.item_versions(latest.code)
    }
    items = sorted({code for (code, _), n in days.items() if n is not None})
    with platform.engine.begin() as conn:
        report = recalc.apply_calendar(
            conn,
            calendar,
            now=platform.clock.now(),
            catalogue_version=platform.catalogue.snapshot.version,
            publication_days=lambda code, version: days.get((code, version)),
            deadline_items=items,
        )
    loaded = {s.year: s.digest() for s in platform.calendar.schedules()}
    stale = sorted(s.year for s in calendar.schedules() if loaded.get(s.year) != s.digest())
    if stale:
        log.warning(
            "apply_calendar: this process computes new deadlines on an older calendar for %s; "
            "restart the web server and worker",
            stale,
        )
    for y in report.years:
        log.info("apply_calendar: %d %s -> %s (%s)", y.year, y.old_status, y.new_status, y.reason)
    log.info(
        "apply_calendar: %d case deadline(s) moved, %d early action(s), %d entry deadline(s) "
        "moved (%d late flags changed)",
        len(report.cases),
        len(report.early_actions),
        report.entries_moved,
        report.late_changed,
    )
    return {
        "as_of": platform.clock.today().isoformat(),
        **report.as_dict(),
        "restart_needed_for": stale,
    }


def anchor_ledger(platform: Platform) -> dict[str, Any]:
    """Sign the ledger's and the audit log's heads and store them as an anchor (published on
    /ledger/anchors), as `xinyong audit anchor` does. Heads that have not moved since the
    last anchor write nothing; no key configured is logged as an error and skipped, not raised: the other
    jobs of the worker go on."""
    try:
        key = anchorkey.load_private(platform.settings.anchor_key_file)
    except ConfigurationError as exc:
        log.error("anchor_ledger: skipped, %s", exc)
        return {"skipped": "no anchor key"}
    with platform.engine.begin() as conn:
        anchor, new = ledger.anchor_head(
            conn, key, platform.clock.now(), audit_head=access.audit_head
        )
    log.info(
        "anchor_ledger: %s anchor #%d at batch %d (%s), audit row %s",
        "new" if new else "unchanged heads, kept",
        anchor.id,
        anchor.batch_id,
        anchor.head_hash,
        anchor.audit_row_id,
    )
    return {"new": new, **anchor.as_json()}


def evaluate(platform: Platform) -> dict[str, Any]:
    """Incremental credit evaluation: export the ledger's new entries to the snapshot and
    re-score the subjects they concern (a new record, a correction, a repair: 令36 第三条).
    Nothing new in the ledger scores nothing."""
    from xinyong.evaluation import service as evaluation  # ibis/pyarrow: loaded when run

    return _evaluate(platform, evaluation, full=False)


def evaluate_full(platform: Platform) -> dict[str, Any]:
    """Full credit evaluation: every subject scored as of today (recency factors re-aged)."""
    from xinyong.evaluation import service as evaluation

    return _evaluate(platform, evaluation, full=True)


def _evaluate(platform: Platform, evaluation: Any, *, full: bool) -> dict[str, Any]:
    result: dict[str, Any] = evaluation.run(
        platform.engine,
        platform.evaluation_models(),
        platform.evaluation_snapshot(),
        now=platform.clock.now(),
        actor="system:evaluate",
        full=full,
        clock=platform.clock.now,
    )
    log.info(
        "evaluate: run %d %s, %d result(s), %d entries exported",
        result["id"],
        "full" if result["full"] else "incremental",
        result["total"],
        result["exported"],
    )
    return result


JOBS: Mapping[str, Job] = MappingProxyType(
    {
        j.name: j
        for j in (
            # Just after midnight, so the exit is recorded on the day the period ends.
            Job(
                "expire_lists",
                "名单期满自动移出",
                expire_lists,
                Schedule(minute="10", hour="0"),
            ),
            # Often: normally there is nothing left, a crash leaves at most minutes of delay.
            Job(
                "dispatch_events",
                "补发领域事件（预警等）",
                dispatch_events,
                Schedule(minute="*/5"),
            ),
            # After midnight and before the nightly backup (01:30, docs/operations.md), so the
            # backup holds the day's anchor; one signed head per day that had imports.
            Job(
                "anchor_ledger",
                "签署并发布账本锚点",
                anchor_ledger,
                Schedule(minute="0", hour="1"),
            ),
            # Before the overdue scan: a year file added overnight moves deadlines first.
            Job(
                "apply_calendar",
                "按新的工作日历重算期限",
                apply_calendar,
                Schedule(minute="0", hour="7"),
            ),
            # Hourly: a repair or a correction reaches the grade within the hour.
            Job("evaluate", "信用评价（增量）", evaluate, Schedule(minute="20"), "evaluate"),
            # Monthly, at night: recency factors re-aged for every subject.
            Job(
                "evaluate_full",
                "信用评价（全量）",
                evaluate_full,
                Schedule(minute="0", hour="3", day="1"),
                "evaluate",
            ),
            # Before office hours, so the morning's inbox follows the overnight count.
            Job(
                "scan_overdue_cases",
                "超期办件扫描",
                scan_overdue_cases,
                Schedule(minute="30", hour="8"),
            ),
        )
    }
)


def get_job(name: str) -> Job:
    try:
        return JOBS[name]
    except KeyError:
        raise NotFound(
            f"no job {name!r} (jobs: {', '.join(JOBS)})",
            f"没有名为“{name}”的任务，可选：{'、'.join(JOBS)}",
        ) from None


def _lock_key(name: str) -> int:
    digest = hashlib.sha256(f"xinyong.jobs:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _exclusive(platform: Platform, name: str) -> Iterator[bool]:
    """On PostgreSQL, hold a session advisory lock named after the job while it runs, so a
    cron run and a worker (or two workers) never run the same job at once. SQLite is a
    single-host file whose writers are serialised anyway."""
    if platform.engine.dialect.name != "postgresql":
        yield True
        return
    key = _lock_key(name)
    with platform.engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


def run_job(platform: Platform, name: str) -> dict[str, Any]:
    """Run one job now; returns its result with the job's name (and ``skipped`` when another
    process was running it)."""
    job = get_job(name)
    started = time.monotonic()
    with _exclusive(platform, job.lock or name) as got:
        if not got:
            log.warning("%s: skipped, another process is running it", name)
            return {"job": name, "skipped": "running elsewhere"}
        log.info("%s: started at %s", name, platform.clock.now().isoformat())
        try:
            result = job.run(platform)
        except Exception:
            log.exception("%s: failed after %.1fs", name, time.monotonic() - started)
            raise
    log.info("%s: finished in %.1fs", name, time.monotonic() - started)
    return {"job": name, **result}
