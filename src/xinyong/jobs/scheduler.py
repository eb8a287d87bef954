"""The long-running worker: an APScheduler ``BlockingScheduler`` over the job registry."""

from __future__ import annotations

import datetime as dt
import logging
import signal
from collections.abc import Iterable
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from xinyong.bootstrap import Platform
from xinyong.jobs.registry import JOBS, TIMEZONE, Job, Schedule, run_job

log = logging.getLogger("xinyong.jobs")

# A run missed while the worker was down still happens if it restarts within this window;
# several missed runs collapse into one (the jobs are idempotent and catch up by themselves).
MISFIRE_GRACE_SECONDS = 6 * 3600


def trigger_of(schedule: Schedule) -> CronTrigger:
    return CronTrigger(timezone=ZoneInfo(schedule.timezone), **schedule.cron_fields())


def next_runs(after: dt.datetime) -> dict[str, str]:
    """When each job runs next after ``after`` (for the operator's listing)."""
    out = {}
    for job in JOBS.values():
        fire = trigger_of(job.schedule).get_next_fire_time(None, after)
        out[job.name] = fire.isoformat() if fire else ""
    return out


def _run_logged(platform: Platform, name: str) -> None:
    try:
        run_job(platform, name)
    except Exception:  # logged by run_job; the worker keeps serving the next runs
        return


def build_scheduler(platform: Platform, jobs: Iterable[Job] | None = None) -> BlockingScheduler:
    """A scheduler with every registered job added (not started)."""
    scheduler = BlockingScheduler(timezone=ZoneInfo(TIMEZONE))
    for job in jobs if jobs is not None else JOBS.values():
        scheduler.add_job(
            _run_logged,
            trigger_of(job.schedule),
            args=[platform, job.name],
            id=job.name,
            name=job.title,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
            replace_existing=True,
        )
    return scheduler


def run_worker(platform: Platform) -> None:
    """Block running the scheduled jobs until SIGTERM or Ctrl+C; a job in progress finishes."""
    scheduler = build_scheduler(platform)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("worker: signal %d, stopping after running jobs finish", signum)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    for job in JOBS.values():
        log.info("worker: %s scheduled at %s", job.name, job.schedule.describe())
    try:
        scheduler.start()
    except KeyboardInterrupt:
        scheduler.shutdown(wait=True)
    log.info("worker: stopped")
