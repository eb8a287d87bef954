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
from xinyong.cases.model import Case, InvalidTransition, Workflow
from xinyong.cases.rules import WORKFLOWS, due_date
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import InputError, NotFound
from xinyong.ledger import service as ledger

CASE_ITEM_PREFIX = "case:"


class VersionConflict(InvalidTransition):
    """The case moved on since the caller read it (optimistic lock)."""

    code = "version_conflict"


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
) -> int:
    """Append the step to the ledger (not public: the decision itself is published by the
    case type when it reaches publication)."""
    return ledger.append_one(
        conn,
        subject_key=case.subject_key,
        subject_kind="",
        item_code=CASE_ITEM_PREFIX + case.workflow,
        item_version="1",
        record_key=f"{case.subject_key}|{case.id}|{seq}",
        action="assert",
        supersedes_id=None,
        decision_date=now.astimezone(CHINA_TZ).date(),
        severity=None,
        payload={
            "case": case.id,
            "workflow": case.workflow,
            "seq": seq,
            "transition": transition,
            "from": from_state,
            "to": to_state,
            "actor": actor,
            "note": note,
        },
        department_code=case.department_code,
        channel="case",
        source_name=f"办件 {case.id} 第{seq}步",
        now=now,
        catalogue_version=catalogue_version,
        window_reason="办理过程记录，不向社会公开",
    )


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
            "due_on": due,
            "params": json.dumps(dict(params), ensure_ascii=False, sort_keys=True),
            "version": 1,
        },
    )
    case = repo.get_case(conn, case_id)
    assert case is not None  # noqa: S101 - inserted in this transaction
    entry_id = _record(
        conn,
        case,
        seq=1,
        transition="open",
        from_state=None,
        to_state=wf.initial,
        actor=actor,
        note=note,
        now=now,
        catalogue_version=catalogue_version,
    )
    repo.insert_event(
        conn,
        {
            "case_id": case_id,
            "seq": 1,
            "transition": "open",
            "from_state": None,
            "to_state": wf.initial,
            "actor": actor,
            "role": "department",
            "at": now,
            "note": note,
            "due_on": due,
            "entry_id": entry_id,
        },
    )
    return get(conn, case_id)


def get(conn: Connection, case_id: int) -> Case:
    case = repo.get_case(conn, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}", f"办件 {case_id} 不存在")
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
) -> Case:
    """Take transition ``name``. With ``expected_version`` (the version the caller last saw)
    the step is refused when anyone moved the case since, so a user never acts on a stale page."""
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
    due = due_date(wf, t.target, case.params, today, calendar)
    if not repo.update_state(conn, case.id, case.version, t.target, due):
        raise VersionConflict(
            f"case {case.id} changed concurrently", "该办件已被他人处理，请刷新后重试"
        )
    seq = len(case.events) + 1
    entry_id = _record(
        conn,
        case,
        seq=seq,
        transition=name,
        from_state=case.state,
        to_state=t.target,
        actor=actor,
        note=note,
        now=now,
        catalogue_version=catalogue_version,
    )
    repo.insert_event(
        conn,
        {
            "case_id": case.id,
            "seq": seq,
            "transition": name,
            "from_state": case.state,
            "to_state": t.target,
            "actor": actor,
            "role": role,
            "at": now,
            "note": note,
            "due_on": due,
            "entry_id": entry_id,
        },
    )
    return get(conn, case.id)


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
    if state is not None and state not in wf.states:
        options = "、".join(f"{c}（{st.label}）" for c, st in wf.states.items())
        raise InputError(
            f"state {state!r} is not a state of {wf.code}",
            f"state“{state}”不是“{wf.name}”的状态，可选：{options}",
        )
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
        params_fragment=params_fragment,
        limit=limit,
        offset=offset,
    )


def overdue(conn: Connection, today: dt.date) -> list[Case]:
    """Open cases whose current step is past its working-day deadline."""
    terminal = {
        code: {s for s, st in wf.states.items() if st.terminal} for code, wf in WORKFLOWS.items()
    }
    return repo.open_cases_due_before(conn, today, terminal)
