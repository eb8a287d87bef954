"""Use cases of the workflow kernel: open a case, take a transition, list overdue cases.

Every step is checked against the workflow (state and role), gets its deadline from the
official calendar, is kept in the case history and is recorded in the ledger as a
non-public entry about the subject, in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from sqlalchemy import Connection

from xinyong.cases import repository as repo
from xinyong.cases.model import RIGHT, Case, InvalidTransition, Workflow
from xinyong.cases.rules import WORKFLOWS, due_date, window_open
from xinyong.cases.views import check_state
from xinyong.events import service as events
from xinyong.events.model import CASE_OVERDUE, case_step_kind
from xinyong.kernel.calendar import Deadline, WorkCalendar, provisional_label
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import InputError, NotFound
from xinyong.ledger import service as ledger
from xinyong.ledger.model import StoredEntry
from xinyong.publication.derived import CASE_STEP_REASON

CASE_ITEM_PREFIX = "case:"


class VersionConflict(InvalidTransition):
    """The case moved on since the caller read it (optimistic lock)."""

    code = "version_conflict"


class WindowStillOpen(InvalidTransition):
    """The subject's window (e.g. to state its case) may still be running: nothing is done
    against the subject before its latest possible end."""


def current_record(
    conn: Connection, entry_id: int, *, field: str, step_refusal: str, revoked_refusal: str
) -> StoredEntry:
    """The current entry of the record ``entry_id`` belongs to (any of its versions), for a
    case resting on a record: refused when the entry is a case step (``step_refusal`` says
    why, after the fact) or the record is revoked (``revoked_refusal``). ``field`` names the
    caller's input in the messages."""
    try:
        e = ledger.entry(conn, entry_id)
    except NotFound:
        raise NotFound(
            f"no record with entry {entry_id}", f"{field}（记录编号）{entry_id} 不存在"
        ) from None
    if e.item_code.startswith(CASE_ITEM_PREFIX):
        raise InputError(
            f"entry {entry_id} is a case step, not a record",
            f"{field}（记录编号）{entry_id} 是办件过程记录，{step_refusal}",
        )
    latest = ledger.latest_by_record(conn, e.item_code, [e.record_key], e.department_code)
    current_id, _, action = latest[e.record_key]
    if action == "revoke":
        raise InputError(
            f"record of entry {entry_id} is revoked",
            f"{field}（记录编号）{entry_id} 所属记录已撤销，{revoked_refusal}",
        )
    return e if current_id == e.id else ledger.entry(conn, current_id)


def _workflow(code: str) -> Workflow:
    try:
        return WORKFLOWS[code]
    except KeyError:
        raise NotFound(f"no workflow {code}", f"没有“{code}”这类办件") from None


def _record(
    conn: Connection,
    case: Case,
    *,
    seq: int,
    transition: str,
    from_state: str | None,
    to_state: str,
    actor: str,
    note: str,
    now: dt.datetime,
    catalogue_version: str,
    extra: Mapping[str, object] | None = None,
    decided_on: dt.date | None = None,
) -> int:
    """Append the step to the ledger (not public: the decision itself is published by the
    case type when it reaches publication). Its decision date is the date the step's decision
    bears (``decided_on``), by default the day it is taken."""
    payload: dict[str, object] = {
        "case": case.id,
        "workflow": case.workflow,
        "seq": seq,
        "transition": transition,
        "from": from_state,
        "to": to_state,
        "actor": actor,
        "note": note,
    }
    payload.update(extra or {})
    return ledger.append_one(
        conn,
        subject_key=case.subject_key,
        subject_kind="",
        item_code=CASE_ITEM_PREFIX + case.workflow,
        item_version="1",
        record_key=f"{case.subject_key}|{case.id}|{seq}",
        action="assert",
        supersedes_id=None,
        decision_date=decided_on or now.astimezone(CHINA_TZ).date(),
        severity=None,
        payload=payload,
        department_code=case.department_code,
        channel="case",
        source_name=f"办件 {case.id} 第{seq}步",
        now=now,
        catalogue_version=catalogue_version,
        window_reason=CASE_STEP_REASON,
    )


def append_step(
    conn: Connection,
    case: Case,
    *,
    seq: int,
    transition: str,
    from_state: str | None,
    to_state: str,
    actor: str,
    role: str,
    note: str,
    now: dt.datetime,
    catalogue_version: str,
    due: Deadline | None,
    extra: Mapping[str, object] | None = None,
    decided_on: dt.date | None = None,
) -> int:
    """Record one step: its ledger entry, its row in the case history (with the deadline
    of the state it leads to) and its domain event ``case.<workflow>.<transition>``, so every
    case type's steps reach the feed and the messages without code of its own. Returns the
    ledger entry id."""
    entry_id = _record(
        conn,
        case,
        seq=seq,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        note=note,
        now=now,
        catalogue_version=catalogue_version,
        extra=extra,
        decided_on=decided_on,
    )
    repo.insert_event(
        conn,
        {
            "case_id": case.id,
            "seq": seq,
            "transition": transition,
            "from_state": from_state,
            "to_state": to_state,
            "actor": actor,
            "role": role,
            "at": now,
            "note": note,
            **repo.due_columns(due),
            "entry_id": entry_id,
        },
    )
    events.emit(
        conn,
        case_step_kind(case.workflow, transition),
        subject_key=case.subject_key,
        payload={
            "case": case.id,
            "workflow": case.workflow,
            "department": case.department_code,
            "seq": seq,
            "transition": transition,
            "from": from_state,
            "to": to_state,
            "entry": entry_id,
            "due": due.as_dict() if due is not None else None,
        },
        now=now,
    )
    return entry_id


def open_case(
    conn: Connection,
    workflow_code: str,
    *,
    subject_key: str,
    department_code: str,
    params: Mapping[str, object],
    actor: str,
    now: dt.datetime,
    calendar: WorkCalendar,
    catalogue_version: str,
    note: str = "",
    role: str = "department",
    extra: Mapping[str, object] | None = None,
) -> Case:
    wf = _workflow(workflow_code)
    today = now.astimezone(CHINA_TZ).date()
    due = due_date(wf, wf.initial, params, today, calendar)
    case_id = repo.insert_case(
        conn,
        {
            "workflow": wf.code,
            "subject_key": subject_key,
            "department_code": department_code,
            "state": wf.initial,
            "opened_at": now,
            **repo.due_columns(due),
            "params": json.dumps(dict(params), ensure_ascii=False, sort_keys=True),
            "version": 1,
        },
    )
    case = repo.get_case(conn, case_id)
    assert case is not None  # noqa: S101 - inserted in this transaction
    append_step(
        conn,
        case,
        seq=1,
        transition="open",
        from_state=None,
        to_state=wf.initial,
        actor=actor,
        role=role,
        note=note,
        now=now,
        catalogue_version=catalogue_version,
        due=due,
        extra=extra,
    )
    return get(conn, case_id)


def get(conn: Connection, case_id: int, workflow: str | None = None) -> Case:
    """The case ``case_id``; with ``workflow``, another workflow's case is not found."""
    case = repo.get_case(conn, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}", f"办件 {case_id} 不存在")
    if workflow is not None and case.workflow != workflow:
        raise NotFound(
            f"case {case_id} is not a {workflow} case",
            f"办件 {case_id} 不是{_workflow(workflow).name}办件",
        )
    return case


def transition(
    conn: Connection,
    case_id: int,
    name: str,
    *,
    actor: str,
    role: str,
    now: dt.datetime,
    calendar: WorkCalendar,
    catalogue_version: str,
    note: str = "",
    expected_version: int | None = None,
    decided_on: dt.date | None = None,
    extra: Mapping[str, object] | None = None,
    due_until: Deadline | None = None,
) -> Case:
    """Take transition ``name``. With ``expected_version`` (the version the caller last saw)
    the step is refused when anyone moved the case since, so a user never acts on a stale page.

    ``decided_on`` is the date the step's decision bears when it is not the day it is entered
    (a decision signed yesterday, recorded today): not in the future, and not before the case
    reached its current state. ``extra`` adds to the step's ledger payload (an objection's
    outcome and reasons; the listing decision's number and grounds under ``details``, read
    back by ``step_details``)."""
    case = repo.get_case(conn, case_id, lock=True)
    if case is None:
        raise NotFound(f"no case {case_id}", f"办件 {case_id} 不存在")
    wf = _workflow(case.workflow)
    if expected_version is not None and expected_version != case.version:
        raise VersionConflict(
            f"case {case.id} is at version {case.version}, not {expected_version}",
            f"办件 {case.id} 已被更新（当前版本 {case.version}，"
            f"提交的版本 {expected_version}，当前状态“{wf.states[case.state].label}”），"
            "请刷新后重试",
        )
    t = wf.check(case.state, name, role)
    today = now.astimezone(CHINA_TZ).date()
    if decided_on is not None:
        _check_decision_date(case, decided_on, today)
    # A back-dated decision is still taken against the subject: its own date may not fall
    # inside the subject's window either.
    _check_window(wf, case, t.name, decided_on or today)
    # ``due_until``: a deadline the step itself sets (an extension notice names its date).
    due = due_until or due_date(wf, t.target, case.params, today, calendar, case.deadline)
    if not repo.update_state(conn, case.id, case.version, t.target, due):
        raise VersionConflict(
            f"case {case.id} changed concurrently", "该办件已被他人处理，请刷新后重试"
        )
    append_step(
        conn,
        case,
        seq=len(case.events) + 1,
        transition=name,
        from_state=case.state,
        to_state=t.target,
        actor=actor,
        role=role,
        note=note,
        now=now,
        catalogue_version=catalogue_version,
        due=due,
        decided_on=decided_on,
        extra=extra,
    )
    return get(conn, case.id)


def _check_decision_date(case: Case, decided_on: dt.date, today: dt.date) -> None:
    entered = (
        case.events[-1].at.astimezone(CHINA_TZ).date()
        if case.events
        else case.opened_at.astimezone(CHINA_TZ).date()
    )
    if decided_on > today:
        raise InputError(
            f"decision date {decided_on} is in the future",
            f"decision_date（决定日期）{decided_on.isoformat()} 晚于今天，不能预填",
        )
    if decided_on < entered:
        raise InputError(
            f"decision date {decided_on} is before the case reached its state on {entered}",
            f"decision_date（决定日期）{decided_on.isoformat()} 早于办件进入当前环节的日期"
            f"{entered.isoformat()}",
        )


def step_decision_date(conn: Connection, case: Case, transition_name: str) -> dt.date | None:
    """The date the decision of the case's last ``transition_name`` step bears (its ledger
    entry's decision date), or None if the case never took that step."""
    for event in reversed(case.events):
        if event.transition == transition_name and event.entry_id is not None:
            return ledger.entry(conn, event.entry_id).decision_date
    return None


def step_details(conn: Connection, case: Case, transition_name: str) -> dict[str, str]:
    """The ``details`` recorded with the case's last ``transition_name`` step ({} if none)."""
    for event in reversed(case.events):
        if event.transition == transition_name and event.entry_id is not None:
            details = ledger.entry(conn, event.entry_id).payload.get("details") or {}
            return {str(k): str(v) for k, v in details.items()}
    return {}


def _check_window(wf: Workflow, case: Case, name: str, today: dt.date) -> None:
    t = wf.transitions[name]
    state = wf.states[case.state]
    due = case.deadline
    if case.state not in t.after_window or not window_open(state, due, today):
        return
    assert due is not None  # noqa: S101 - window_open is False without a deadline
    latest = due.latest.isoformat()
    after = (due.latest + dt.timedelta(days=1)).isoformat()
    calendar_note = (
        f"；期限按{provisional_label(due.provisional_years)}的日历计算，在放假安排公布前按可能的"
        f"最晚日期 {latest} 掌握（按现有日历为 {due.date.isoformat()}）"
        if due.provisional
        else ""
    )
    raise WindowStillOpen(
        f"case {case.id}: {state.code} window open until {latest}; {name} not before {after}",
        f"当事人的{state.deadline_label}至 {latest}（含当日）届满{calendar_note}。"
        f"届满前不能“{t.label}”，{after} 起方可执行；当事人已陈述申辩的，请先录入陈述申辩"
        "（state_case）",
    )


def terminal_states(workflow_code: str) -> set[str]:
    wf = _workflow(workflow_code)
    return {s for s, st in wf.states.items() if st.terminal}


def find(
    conn: Connection,
    workflow_code: str,
    *,
    today: dt.date,
    department_code: str | None = None,
    state: str | None = None,
    overdue_only: bool = False,
    params_fragment: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Case], int]:
    """A page of cases and the total: in ``state`` if given, else every open (non-terminal)
    case; ``overdue_only`` keeps those past their current step's deadline on ``today``."""
    wf = _workflow(workflow_code)
    check_state(wf, state)
    open_states = set(wf.states) - terminal_states(wf.code)
    states = {state} if state is not None else open_states
    if overdue_only:
        states &= open_states
    return repo.find_cases(
        conn,
        wf.code,
        department_code=department_code,
        states=states,
        due_before=today if overdue_only else None,
        right_states=right_states(wf),
        params_fragment=params_fragment,
        limit=limit,
        offset=offset,
    )


def right_states(wf: Workflow) -> set[str]:
    """States whose deadline is a subject's window (counted to its latest possible end)."""
    return {s for s, st in wf.states.items() if st.deadline_kind == RIGHT}


def terminal_by_workflow() -> dict[str, set[str]]:
    return {
        code: {s for s, st in wf.states.items() if st.terminal} for code, wf in WORKFLOWS.items()
    }


def overdue(conn: Connection, today: dt.date) -> list[Case]:
    """Open cases whose current step is past its working-day deadline (for a duty, past the
    earliest date a provisional calendar allows; for a subject's window, past the latest)."""
    rights = {code: right_states(wf) for code, wf in WORKFLOWS.items()}
    return repo.open_cases_due_before(conn, today, terminal_by_workflow(), rights)


def mark_overdue(conn: Connection, now: dt.datetime) -> list[Case]:
    """Announce every open case newly past its current step's deadline: one ``case.overdue``
    event per case and state reached (its version), however often this runs; a later state that
    is overdue in turn is announced again. Returns the cases announced now."""
    found = overdue(conn, now.astimezone(CHINA_TZ).date())
    current = {(c.id, c.version): c for c in found}
    seen = repo.overdue_marked(conn, set(current))
    announced = []
    for (case_id, version), case in sorted(current.items()):
        if (case_id, version) in seen:
            continue
        repo.mark_overdue(conn, case_id, version, case.due_on, now)
        due = case.deadline
        events.emit(
            conn,
            CASE_OVERDUE,
            subject_key=case.subject_key,
            payload={
                "case": case.id,
                "workflow": case.workflow,
                "department": case.department_code,
                "version": version,
                "state": case.state,
                "due": due.as_dict() if due is not None else None,
            },
            now=now,
        )
        announced.append(case)
    return announced
