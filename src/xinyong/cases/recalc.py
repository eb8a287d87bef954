"""Stored deadlines after a calendar change: recompute, record, tell the department.

A deployment remembers, per calendar year, the status and digest of the year file its stored
deadlines were computed on (``calendar_applied``). ``apply_calendar`` compares the loaded
calendar with it; for the years that changed (typically: the official 2027 file replaced the
provisional one) it

* recomputes the deadline of every open case whose counting interval may touch those years
  (from the step that entered the current state); a moved deadline updates the case row and
  is written as a case step ``deadline_recalc`` with a ledger entry carrying the old and new
  dates and the reason (国务院办公厅2027年节假日安排公布), and the owning department gets a
  notice in its inbox;
* for a year that became official, flags any step against a subject taken while the subject's
  window was in fact still running (the official end turned out later than the step): closed
  cases are not changed, the department is told;
* recomputes the publication deadlines and ``late`` flags of ledger entries (derived columns,
  outside the entry hash) whose intervals may touch those years.

It is idempotent: a second run finds nothing changed. Run it with ``xinyong calendar apply``
after adding a year file; the ``apply_calendar`` job runs it every morning as well.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from xinyong.cases import repository as repo
from xinyong.cases.model import RECALC as RECALC
from xinyong.cases.model import RECALC_LABEL as RECALC_LABEL
from xinyong.cases.model import Case
from xinyong.cases.rules import WORKFLOWS, deadline_days, due_date
from xinyong.cases.service import append_step, terminal_by_workflow
from xinyong.kernel.calendar import OFFICIAL, STATUS_LABELS, Deadline, WorkCalendar
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import (
    ConfigurationError,
    NotFound,
    PermissionDenied,
    UnknownCalendarYear,
)
from xinyong.ledger import service as ledger
from xinyong.publication.derived import is_late, received_on

NOTICE_MOVED = "deadline_changed"
NOTICE_EARLY = "early_action"
# A deadline not computed before (its year was missing) is looked for this far back.
_UNCOMPUTED_LOOKBACK = dt.timedelta(days=120)

# (item code, item version) -> working days for publication, None without a deadline.
PublicationDays = Callable[[str, str], int | None]


@dataclass(frozen=True, slots=True)
class YearChange:
    year: int
    old_status: str | None
    new_status: str
    reason: str


@dataclass
class ApplyReport:
    years: list[YearChange] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)  # moved deadlines
    early_actions: list[dict[str, Any]] = field(default_factory=list)
    entries_checked: int = 0
    entries_moved: int = 0
    late_changed: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "years": [
                {
                    "year": y.year,
                    "old_status": y.old_status,
                    "new_status": y.new_status,
                    "new_status_label": STATUS_LABELS[y.new_status],
                    "reason": y.reason,
                }
                for y in self.years
            ],
            "cases": self.cases,
            "early_actions": self.early_actions,
            "entries_checked": self.entries_checked,
            "entries_moved": self.entries_moved,
            "late_changed": self.late_changed,
            "warnings": self.warnings,
        }


def _reason(year: int, old: str | None, new: str) -> str:
    if old is None:
        return f"{year}年工作日历首次应用于已存期限"
    if old != OFFICIAL and new == OFFICIAL:
        return f"国务院办公厅{year}年节假日安排公布"
    if new == OFFICIAL:
        return f"{year}年工作日历更正"
    return f"{year}年暂定工作日历调整"


def _changes(conn: Connection, calendar: WorkCalendar) -> list[YearChange]:
    applied = repo.applied_years(conn)
    out = []
    for schedule in calendar.schedules():
        before = applied.get(schedule.year)
        if before is not None and before["digest"] == schedule.digest():
            continue
        old_status = None if before is None else str(before["status"])
        if old_status == OFFICIAL and schedule.provisional:
            # The files this process read are older than what was applied: applying them
            # would move every deadline back to the draft.
            raise ConfigurationError(
                f"{schedule.year}: the loaded calendar is provisional ({schedule.origin}) but "
                f"an official one was applied on {before['applied_at'] if before else '?'}",
                f"{schedule.year}年已按国务院公布的正式安排计算过期限，但本次读到的是暂定安排"
                f"（{schedule.origin}）；请确认正式的 {schedule.year}.yaml 仍在本地目录中",
            )
        out.append(
            YearChange(
                schedule.year,
                old_status,
                schedule.status,
                _reason(schedule.year, old_status, schedule.status),
            )
        )
    return out


def pending_years(conn: Connection, calendar: WorkCalendar) -> set[int]:
    """The years of ``calendar`` whose stored deadlines may not be computed on it yet: never
    applied, or applied from a different file (``apply_calendar`` would recompute them)."""
    applied = repo.applied_years(conn)
    return {
        s.year
        for s in calendar.schedules()
        if (before := applied.get(s.year)) is None or before["digest"] != s.digest()
    }


def _touches(due: Deadline | None, start: dt.date, years: set[int]) -> bool:
    if due is None:
        return False
    first = min(start, due.earliest)
    return any(y in years for y in range(first.year, due.latest.year + 1))


def _entered(case: Case) -> dt.date:
    """The day the case entered its current state (the start of its deadline's interval)."""
    step = next(e for e in reversed(case.events) if e.transition != RECALC)
    return step.at.astimezone(CHINA_TZ).date()


def _last_step(case: Case, before: int) -> int | None:
    """Index of the last step before ``before`` that entered a state (not a recalculation)."""
    return next((i for i in range(before - 1, -1, -1) if case.events[i].transition != RECALC), None)


def _due_of_step(case: Case, index: int, calendar: WorkCalendar) -> Deadline | None:
    """The deadline step ``index`` set, on the loaded calendar: from the day it entered its
    state, or for an extension on from the deadline of the state it left."""
    wf = WORKFLOWS[case.workflow]
    step = case.events[index]
    previous = None
    if wf.states[step.to_state].extends:
        before = _last_step(case, index)
        previous = None if before is None else _due_of_step(case, before, calendar)
    entered = step.at.astimezone(CHINA_TZ).date()
    return due_date(wf, step.to_state, case.params, entered, calendar, previous)


def _bounds(due: Deadline | None) -> str:
    if due is None:
        return "无期限"
    if not due.provisional:
        return f"{due.date.isoformat()}（正式）"
    return f"{due.date.isoformat()}（{due.label()}）"


def _recompute_cases(
    conn: Connection,
    calendar: WorkCalendar,
    changed: Mapping[int, YearChange],
    now: dt.datetime,
    catalogue_version: str,
    report: ApplyReport,
) -> None:
    since = dt.date(min(changed), 1, 1)
    years = set(changed)
    for case in repo.open_cases_due_from(conn, since, terminal_by_workflow()):
        wf = WORKFLOWS[case.workflow]
        state = wf.states[case.state]
        days = deadline_days(wf, case.state, case.params)
        if days is None or case.deadline is None:
            continue
        entered = _entered(case)
        old = case.deadline
        last = _last_step(case, len(case.events))
        new = None if last is None else _due_of_step(case, last, calendar)
        if new is None:
            continue
        if new == old or (
            (new.date, new.provisional, new.earliest, new.latest)
            == (old.date, old.provisional, old.earliest, old.latest)
        ):
            continue
        touched = sorted(
            y for y in years if _touches(old, entered, {y}) or _touches(new, entered, {y})
        )
        reason = "；".join(changed[y].reason for y in touched) or "工作日历变更"
        repo.update_due(conn, case.id, case.state, new)
        entry_id = append_step(
            conn,
            case,
            seq=len(case.events) + 1,
            transition=RECALC,
            from_state=case.state,
            to_state=case.state,
            actor="system",
            role="system",
            note=reason,
            now=now,
            catalogue_version=catalogue_version,
            due=new,
            extra={"reason": reason, "old_due": old.as_dict(), "new_due": new.as_dict()},
        )
        summary = (
            f"办件 {case.id}（{state.label}）的{state.deadline_label}由 {_bounds(old)} "
            f"改为 {_bounds(new)}；原因：{reason}"
        )
        moved = {
            "case": case.id,
            "department": case.department_code,
            "state": case.state,
            "state_label": state.label,
            "deadline_label": state.deadline_label,
            "old": old.as_dict(),
            "new": new.as_dict(),
            "reason": reason,
            "entry": entry_id,
        }
        repo.insert_notice(
            conn,
            {
                "case_id": case.id,
                "department_code": case.department_code,
                "kind": NOTICE_MOVED,
                "summary": summary,
                "detail": json.dumps(moved, ensure_ascii=False, sort_keys=True),
                "created_at": now,
            },
        )
        report.cases.append(moved)


def _flag_early_actions(
    conn: Connection,
    calendar: WorkCalendar,
    official: list[YearChange],
    now: dt.datetime,
    report: ApplyReport,
) -> None:
    """A step against a subject taken on or before the official end of its window."""
    if not official:
        return
    years = {y.year for y in official}
    reasons = {y.year: y.reason for y in official}
    guarded = {
        t.name for wf in WORKFLOWS.values() for t in wf.transitions.values() if t.after_window
    }
    since = dt.datetime(min(years) - 1, 10, 1, tzinfo=CHINA_TZ)
    for case_id in repo.steps_since(conn, since, guarded):
        case = repo.get_case(conn, case_id)
        if case is None:  # pragma: no cover - read in this transaction
            continue
        wf = WORKFLOWS[case.workflow]
        events = list(case.events)
        for i, step in enumerate(events):
            t = wf.transitions.get(step.transition)
            if t is None or step.from_state not in t.after_window:
                continue
            entering = next(
                (e for e in reversed(events[:i]) if e.to_state == step.from_state), None
            )
            days = deadline_days(wf, step.from_state, case.params) if entering else None
            if entering is None or days is None:
                continue
            start = entering.at.astimezone(CHINA_TZ).date()
            window = calendar.deadline(start, days)
            taken = step.at.astimezone(CHINA_TZ).date()
            if not _touches(window, start, years) or taken > window.date:
                continue
            state = wf.states[step.from_state]
            reason = "；".join(reasons[y] for y in sorted(years) if _touches(window, start, {y}))
            flag = {
                "case": case.id,
                "department": case.department_code,
                "step": step.seq,
                "transition": step.transition,
                "taken_on": taken.isoformat(),
                "window": state.deadline_label,
                "window_ends": window.date.isoformat(),
                "reason": reason,
                "closed": wf.states[case.state].terminal,
            }
            repo.insert_notice(
                conn,
                {
                    "case_id": case.id,
                    "department_code": case.department_code,
                    "kind": NOTICE_EARLY,
                    "summary": (
                        f"办件 {case.id} 于 {taken.isoformat()}“{t.label}”，按正式日历当事人的"
                        f"{state.deadline_label}至 {window.date.isoformat()} 才届满（{reason}）；"
                        "请核查是否需要补正（如恢复陈述申辩期、撤销或重新作出决定）"
                    ),
                    "detail": json.dumps(flag, ensure_ascii=False, sort_keys=True),
                    "created_at": now,
                },
            )
            report.early_actions.append(flag)


def _recompute_entries(
    conn: Connection,
    calendar: WorkCalendar,
    changed: Mapping[int, YearChange],
    publication_days: PublicationDays,
    items: list[str],
    report: ApplyReport,
) -> None:
    since = dt.date(min(changed), 1, 1)
    updates: list[dict[str, Any]] = []
    for row in ledger.due_candidates(conn, since, items, since - _UNCOMPUTED_LOOKBACK):
        days = publication_days(str(row["item_code"]), str(row["item_version"]))
        decided = row["decision_date"]
        if days is None or not isinstance(decided, dt.date):
            continue
        report.entries_checked += 1
        try:
            due = calendar.deadline(decided, days)
        except UnknownCalendarYear:  # a year still missing: stays uncomputed
            continue
        received = row["received_at"]
        assert isinstance(received, dt.datetime)  # noqa: S101 - a NOT NULL column
        # The importer's rule (publication.derived): a backfilled row is never counted late.
        late, _ = is_late(due, received_on(received), bool(row["backfill"]))
        new = {
            "id": row["id"],
            "due_date": due.date,
            "due_provisional": due.provisional,
            "due_earliest": due.earliest,
            "due_latest": due.latest,
            "late": late,
        }
        if all(new[k] == row[k] for k in new):
            continue
        report.entries_moved += 1
        if late != bool(row["late"]):
            report.late_changed += 1
        updates.append(new)
    ledger.set_due(conn, updates)


def apply_calendar(
    conn: Connection,
    calendar: WorkCalendar,
    *,
    now: dt.datetime,
    catalogue_version: str,
    publication_days: PublicationDays,
    deadline_items: list[str],
) -> ApplyReport:
    """Bring every stored deadline in line with ``calendar`` (see the module docstring)."""
    from xinyong.kernel import holiday_law

    report = ApplyReport()
    report.years = _changes(conn, calendar)
    if not report.years:
        return report
    changed = {y.year: y for y in report.years}
    for y in report.years:
        if y.new_status == OFFICIAL and y.old_status != OFFICIAL:
            for w in holiday_law.check_schedule(calendar.schedule(y.year)):
                report.warnings.append({"year": w.year, "message": w.message_zh})
    _recompute_cases(conn, calendar, changed, now, catalogue_version, report)
    _flag_early_actions(
        conn,
        calendar,
        [y for y in report.years if y.new_status == OFFICIAL and y.old_status is not None],
        now,
        report,
    )
    _recompute_entries(conn, calendar, changed, publication_days, deadline_items, report)
    repo.record_applied(
        conn,
        [
            {
                "year": s.year,
                "status": s.status,
                "digest": s.digest(),
                "source": s.source,
                "applied_at": now,
            }
            for s in calendar.schedules()
            if s.year in changed
        ],
    )
    return report


# -- notices ----------------------------------------------------------------------------------


def notice_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": int(row["id"]),
        "case": int(row["case_id"]),
        "department": row["department_code"],
        "kind": row["kind"],
        "kind_label": {NOTICE_MOVED: "办理期限变更", NOTICE_EARLY: "期限届满前已作处理"}.get(
            str(row["kind"]), str(row["kind"])
        ),
        "summary": row["summary"],
        "detail": json.loads(row["detail"]),
        "created_at": row["created_at"].isoformat(),
        "read_at": row["read_at"].isoformat() if row["read_at"] else None,
        "read_by": row["read_by"],
    }


def notices(
    conn: Connection,
    *,
    department_code: str | None,
    unread_only: bool = True,
    limit: int = 50,
) -> dict[str, Any]:
    """A department's notices (every department's for ``None``), newest first."""
    rows = repo.notices(conn, department_code=department_code, unread_only=unread_only, limit=limit)
    return {
        "unread": repo.count_unread(conn, department_code),
        "notices": [notice_view(r) for r in rows],
    }


def mark_read(
    conn: Connection,
    notice_id: int,
    *,
    by: str,
    department_code: str | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """Mark a notice read; a department may mark only its own (``None``: the office)."""
    row = repo.get_notice(conn, notice_id)
    if row is None:
        raise NotFound(f"no notice {notice_id}", f"提醒 {notice_id} 不存在")
    if department_code is not None and row["department_code"] != department_code:
        raise PermissionDenied(
            f"notice {notice_id} belongs to {row['department_code']}",
            f"提醒 {notice_id} 不属于本部门",
        )
    repo.mark_notice_read(conn, notice_id, by, now)
    found = repo.get_notice(conn, notice_id)
    assert found is not None  # noqa: S101 - read in this transaction
    return notice_view(found)
