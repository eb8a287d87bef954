"""Use cases of rectification by deadline (限期整改) and interviews (提示约谈 / 警示约谈).

A rectification is a case of the kernel's ``rectification`` workflow resting on one finding: a
current record in the ledger (a penalty, an abnormal-list entry, a failed inspection, a
breached commitment …, the grounds of ``rectification/rectification.yaml``). Only the
department that reported that record orders it, schedules and holds the interviews and closes
it (谁认定、谁约谈, 35号文 (九)): any other caller is refused before anything is written. Each
deadline is a date the department names (the rectification deadline, the interview date), set
on the case so the kernel's overdue machinery flags it. An interview held writes a 约谈记录
(catalogue item YTJL, 政务共享, not public) into the subject's ledger, so it shows in the
internal credit file; a case closed as failed offers a list proposal, never opens one itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from xinyong.access import repository as access_repo
from xinyong.cases import repository as cases_repo
from xinyong.cases import service as cases
from xinyong.cases import views
from xinyong.cases.model import Case
from xinyong.cases.rules import RECTIFICATION, is_overdue
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.rectification import RectificationCatalogue
from xinyong.identity import repository as identity_repo
from xinyong.identity.model import SUBJECT_KIND_LABELS
from xinyong.kernel.calendar import Deadline, WorkCalendar
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import Conflict, InputError, NotFound, PermissionDenied
from xinyong.ledger import service as ledger
from xinyong.ledger.model import StoredEntry
from xinyong.rectifications import repository as repo
from xinyong.rectifications import rules

WORKFLOW = RECTIFICATION.code
MAX_PAGE_SIZE = views.MAX_PAGE_SIZE
OPEN_STATES = frozenset(s for s, st in RECTIFICATION.states.items() if not st.terminal)
WHO_DECIDES = "谁认定、谁约谈"


class DuplicateOrder(Conflict):
    code = "duplicate_rectification"


@dataclass(frozen=True, slots=True)
class Deps:
    """What rectification reads besides the database (built from the platform)."""

    catalogue: Catalogue
    calendar: WorkCalendar
    rules: RectificationCatalogue


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(CHINA_TZ).date()


def _own(department_code: str | None, owner: str, what: str) -> None:
    if department_code != owner:
        raise PermissionDenied(
            f"{what}: finding made by {owner}, caller is {department_code}",
            f"只有作出认定的部门可以{what}（{WHO_DECIDES}）：该记录由其他部门认定，本部门无权办理",
        )


def _finding(conn: Connection, entry_id: int) -> StoredEntry:
    """The current entry of the record ``entry_id`` belongs to."""
    return cases.current_record(
        conn,
        entry_id,
        field="record",
        step_refusal="不是认定失信行为的信用记录",
        revoked_refusal="不能据以责令整改",
    )


def get_rectification(conn: Connection, case_id: int) -> Case:
    return cases.get(conn, case_id, WORKFLOW)


def _open_case_of(conn: Connection, subject_key: str, record_key: str) -> int | None:
    found, _ = cases_repo.find_cases(
        conn,
        WORKFLOW,
        states=OPEN_STATES,
        params_fragment=json.dumps({"record_key": record_key}, ensure_ascii=False)[1:-1],
        limit=5,
    )
    return next((c.id for c in found if c.subject_key == subject_key), None)


# -- ordering ---------------------------------------------------------------------------------


def order(
    conn: Connection,
    deps: Deps,
    *,
    record: int,
    obligation: str,
    deadline: dt.date | None,
    actor: str,
    role: str,
    department_code: str | None,
    now: dt.datetime,
    note: str = "",
) -> Case:
    """Order the subject of the finding ``record`` to rectify by ``deadline`` (the catalogue's
    default period when None). Refused, with nothing written, unless the caller is the
    department that made the finding, the record is a finding of a listed ground, and no open
    order rests on it already."""
    today = _today(now)
    if role != "department":
        raise PermissionDenied(
            f"role {role} may not order rectification",
            f"只有作出认定的部门可以责令限期整改（{WHO_DECIDES}）",
        )
    e = _finding(conn, record)
    ground = deps.rules.ground_of_item(e.item_code)
    if ground is None:
        names = "、".join(g.name for g in deps.rules.rules.grounds)
        raise InputError(
            f"record {record} of item {e.item_code} is no ground for rectification",
            f"record（记录编号）{record} 的信息类别（{e.item_code}）不是可责令整改的事由，"
            f"可据以责令整改的：{names}",
        )
    _own(department_code, e.department_code, "责令限期整改")
    if e.subject_key.startswith("P"):
        raise InputError(
            "rectification orders concern market entities",
            "record（记录编号）所属主体为自然人：限期整改和约谈适用于失信市场主体",
        )
    obligation = rules.check_text(
        "obligation", "整改义务", obligation, rules.MAX_OBLIGATION, required=True
    )
    note = rules.check_text("note", "说明", note, rules.MAX_NOTE, required=False)
    r = deps.rules.rules
    due = rules.rectification_deadline(deadline, today, r.default_period_days, r.max_period_days)
    existing = _open_case_of(conn, e.subject_key, e.record_key)
    if existing is not None:
        raise DuplicateOrder(
            f"record {record} has open rectification {existing}",
            f"该记录已有正在办理的限期整改（办件 {existing}），不能重复责令",
        )
    params: dict[str, object] = {
        "record": e.id,
        "item": e.item_code,
        "record_key": e.record_key,
        "ground": ground.code,
        "obligation": obligation,
        "deadline": due.isoformat(),
        # The department names a date: counted in calendar days, no holiday moves it.
        "rectification_days": (due - today).days,
        "rectification_days_unit": "calendar_days",
        "rules_version": r.version,
    }
    return cases.open_case(
        conn,
        WORKFLOW,
        subject_key=e.subject_key,
        department_code=e.department_code,
        params=params,
        actor=actor,
        now=now,
        calendar=deps.calendar,
        catalogue_version=deps.catalogue.snapshot.version,
        note=note,
        extra={"details": {"obligation": obligation, "deadline": due.isoformat()}},
    )


# -- interviews -------------------------------------------------------------------------------


def _case_for_step(
    conn: Connection, case_id: int, name: str, role: str, department_code: str | None
) -> Case:
    case = get_rectification(conn, case_id)
    t = RECTIFICATION.transitions[name]
    if role != "department":
        raise PermissionDenied(
            f"role {role} may not {name}", f"只有作出认定的部门可以{t.label}（{WHO_DECIDES}）"
        )
    _own(department_code, case.department_code, t.label)
    RECTIFICATION.check(case.state, name, role)
    return case


def schedule(
    conn: Connection,
    deps: Deps,
    case_id: int,
    *,
    kind: str,
    scheduled_on: dt.date,
    place: str,
    actor: str,
    role: str,
    department_code: str | None,
    now: dt.datetime,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Schedule a 提示约谈 or 警示约谈 of the subject, no sooner than the notice it is owed."""
    case = _case_for_step(conn, case_id, "schedule", role, department_code)
    today = _today(now)
    k = deps.rules.interview_kind(kind)
    place = rules.check_text("place", "约谈地点", place, rules.MAX_PLACE, required=True)
    note = rules.check_text("note", "说明", note, rules.MAX_NOTE, required=False)
    notice = deps.calendar.deadline(today, k.notice_working_days)
    # The subject's notice is its right: count it to the latest date a provisional year allows.
    rules.interview_date(scheduled_on, notice.latest, k.notice_working_days, k.name)
    number = repo.next_number(conn, case.id)
    case = cases.transition(
        conn,
        case.id,
        "schedule",
        actor=actor,
        role=role,
        now=now,
        calendar=deps.calendar,
        catalogue_version=deps.catalogue.snapshot.version,
        note=note,
        expected_version=expected_version,
        due_until=Deadline.official(scheduled_on),
        extra={
            "details": {
                "interview": str(number),
                "kind": k.code,
                "kind_label": k.name,
                "date": scheduled_on.isoformat(),
                "place": place,
            }
        },
    )
    repo.insert_interview(
        conn,
        {
            "case_id": case.id,
            "number": number,
            "kind": k.code,
            "scheduled_on": scheduled_on,
            "place": place,
            "department_code": case.department_code,
            "scheduled_by": actor,
            "scheduled_at": now,
        },
    )
    return case


def hold(
    conn: Connection,
    deps: Deps,
    case_id: int,
    *,
    held_on: dt.date,
    attendees: Sequence[Mapping[str, object]],
    minutes: str,
    actions: Sequence[Mapping[str, object]],
    actor: str,
    role: str,
    department_code: str | None,
    now: dt.datetime,
    interview_id: int | None = None,
    expected_version: int | None = None,
) -> Case:
    """Record the interview held: attendees (by role and name), minutes, agreed actions with
    dates. Writes the 约谈记录 into the subject's ledger; the case stays open until the
    rectification deadline or the last agreed action, whichever is later."""
    case = _case_for_step(conn, case_id, "hold", role, department_code)
    today = _today(now)
    interview = repo.interviews(conn, case.id)[-1]
    if interview_id is not None and int(interview["id"]) != interview_id:
        raise NotFound(
            f"interview {interview_id} is not the scheduled one of case {case.id}",
            f"约谈 {interview_id} 不是办件 {case.id} 待记录的约谈",
        )
    rules.held_date(held_on, interview["scheduled_on"], today)
    people = rules.attendees(attendees)
    minutes = rules.check_text("minutes", "约谈纪要", minutes, rules.MAX_MINUTES, required=True)
    agreed = rules.actions(actions, held_on)
    deadline = dt.date.fromisoformat(str(case.params["deadline"]))
    until = rules.deadline_after_interview(deadline, agreed)
    k = deps.rules.interview_kind(str(interview["kind"]))
    case = cases.transition(
        conn,
        case.id,
        "hold",
        actor=actor,
        role=role,
        now=now,
        calendar=deps.calendar,
        catalogue_version=deps.catalogue.snapshot.version,
        note=minutes[:200],
        expected_version=expected_version,
        decided_on=held_on,
        due_until=Deadline.official(until),
        extra={"details": {"interview": str(interview["number"]), "until": until.isoformat()}},
    )
    entry_id = _write_record(
        conn, deps, case, interview, k.name, held_on, people, minutes, agreed, now
    )
    repo.record_held(
        conn,
        int(interview["id"]),
        {
            "held_on": held_on,
            "attendees": json.dumps([a.as_json() for a in people], ensure_ascii=False),
            "minutes": minutes,
            "actions": json.dumps([a.as_json() for a in agreed], ensure_ascii=False),
            "held_by": actor,
            "held_at": now,
            "entry_id": entry_id,
        },
    )
    return case


def _write_record(
    conn: Connection,
    deps: Deps,
    case: Case,
    interview: Mapping[str, Any],
    kind_label: str,
    held_on: dt.date,
    people: Sequence[rules.Attendee],
    minutes: str,
    agreed: Sequence[rules.Action],
    now: dt.datetime,
) -> int:
    """The 约谈记录 (35号文 (九): 约谈记录记入信用记录) as a record of the catalogue's item."""
    item_code = deps.rules.rules.interview_item
    item = deps.catalogue.item(item_code)
    subject = identity_repo.subject_labels(conn, [case.subject_key]).get(case.subject_key) or {}
    departments = _departments(conn)
    f = {fd.name: fd.code for fd in item.fields}
    payload: dict[str, object] = {
        f["主体名称"]: subject.get("name") or case.subject_key,
        f["统一社会信用代码"]: case.subject_key,
        f["整改办件编号"]: str(case.id),
        f["约谈类型"]: kind_label,
        f["约谈日期"]: held_on.isoformat(),
        f["约谈部门"]: departments.get(case.department_code, case.department_code),
        f["约谈事由"]: str(case.params.get("obligation")),
        f["参加人员"]: rules.attendee_text(people),
        f["约谈纪要"]: minutes,
        f["议定整改措施"]: rules.action_text(agreed),
    }
    return ledger.append_one(
        conn,
        subject_key=case.subject_key,
        subject_kind="",
        item_code=item_code,
        item_version=item.version,
        record_key=f"{case.subject_key}|{case.id}|{held_on.isoformat()}|{interview['number']}",
        action="assert",
        supersedes_id=None,
        decision_date=held_on,
        severity=None,
        payload=payload,
        department_code=case.department_code,
        channel="case",
        source_name=f"限期整改办件 {case.id} 第{interview['number']}次约谈",
        now=now,
        catalogue_version=deps.catalogue.snapshot.version,
        window_reason="约谈记录政务共享，不向社会公开",
    )


def _departments(conn: Connection) -> dict[str, str]:
    return {d["code"]: d["name"] for d in access_repo.list_departments(conn)}


# -- closing ----------------------------------------------------------------------------------


def close(
    conn: Connection,
    deps: Deps,
    case_id: int,
    outcome: str,
    *,
    actor: str,
    role: str,
    department_code: str | None,
    now: dt.datetime,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Close the case: rectified, or failed (with the facts); failed offers a list proposal."""
    if outcome not in rules.OUTCOMES:
        options = "、".join(f"{k}（{v}）" for k, v in rules.OUTCOMES.items())
        raise InputError(f"outcome {outcome!r}", f"outcome（结果）“{outcome}”无效，可选：{options}")
    case = _case_for_step(conn, case_id, outcome, role, department_code)
    note = rules.check_text("note", "说明", note, rules.MAX_NOTE, required=outcome == "failed")
    return cases.transition(
        conn,
        case.id,
        outcome,
        actor=actor,
        role=role,
        now=now,
        calendar=deps.calendar,
        catalogue_version=deps.catalogue.snapshot.version,
        note=note,
        expected_version=expected_version,
    )


# -- reading ----------------------------------------------------------------------------------


def subject_view(conn: Connection, subject_key: str) -> dict[str, Any]:
    known = identity_repo.subject_labels(conn, [subject_key]).get(subject_key) or {}
    kind = known.get("kind") or "organisation"
    return {
        "key": subject_key,
        "kind": kind,
        "kind_label": SUBJECT_KIND_LABELS.get(kind, kind),
        "name": known.get("name"),
        "code": subject_key,
    }


def _interview_json(deps: Deps, row: Mapping[str, Any], *, full: bool) -> dict[str, Any]:
    kind = str(row["kind"])
    try:
        label = deps.rules.interview_kind(kind).name
    except InputError:
        label = kind
    out: dict[str, Any] = {
        "id": int(row["id"]),
        "number": int(row["number"]),
        "kind": kind,
        "kind_label": label,
        "scheduled_on": row["scheduled_on"].isoformat(),
        "place": row["place"],
        "held": row["held_on"] is not None,
        "held_on": row["held_on"].isoformat() if row["held_on"] else None,
        "entry": int(row["entry_id"]) if row["entry_id"] is not None else None,
    }
    if full:
        out["attendees"] = json.loads(row["attendees"]) if row["attendees"] else []
        out["minutes"] = row["minutes"]
        out["actions"] = json.loads(row["actions"]) if row["actions"] else []
    return out


def _row(
    conn: Connection, deps: Deps, case: Case, today: dt.date, ivs: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    st = RECTIFICATION.states[case.state]
    ground_code = str(case.params.get("ground"))
    try:
        ground = deps.rules.ground(ground_code).name
    except InputError:
        ground = ground_code
    return {
        "id": case.id,
        "subject": subject_view(conn, case.subject_key),
        "department": case.department_code,
        "record": {"entry": case.params.get("record"), "item": case.params.get("item")},
        "ground": ground_code,
        "ground_label": ground,
        "obligation": case.params.get("obligation"),
        "deadline": case.params.get("deadline"),
        "state": case.state,
        "state_label": st.label,
        "terminal": st.terminal,
        "opened_at": case.opened_at.isoformat(),
        "due": views.due_view(st, case.deadline),
        "overdue": is_overdue(st, case.deadline, today),
        "version": case.version,
        "interviews": [_interview_json(deps, r, full=False) for r in ivs],
    }


def case_view(
    conn: Connection,
    deps: Deps,
    case_id: int,
    *,
    today: dt.date,
    role: str | None,
    full: bool = True,
) -> dict[str, Any]:
    """A case: the finding, obligation and deadline, overdue flag, interviews (with attendees,
    minutes and agreed actions when ``full``), history, the steps open to ``role``, and for a
    failed case the list proposal on offer."""
    case = get_rectification(conn, case_id)
    wf = RECTIFICATION
    ivs = repo.interviews(conn, case.id)
    view = _row(conn, deps, case, today, ivs)
    view["interviews"] = [_interview_json(deps, r, full=full) for r in ivs]
    view["history"] = views.history_view(
        wf,
        case.events,
        "责令限期整改",
        omit={"from_state", "role", "due_on"},
    )
    view["transitions"] = views.steps_view(wf, case.state, role, roles=False)
    view["list_proposal"] = (
        {
            "offered": True,
            "record": case.params.get("record"),
            "label": "整改不到位：可依据该认定记录提出列入失信名单的建议（另行立案，不自动列入）",
        }
        if case.state == "failed"
        else None
    )
    view["legal_basis"] = [b.as_json() for b in deps.rules.rules.legal_basis]
    return view


def find(
    conn: Connection,
    deps: Deps,
    *,
    today: dt.date,
    department_code: str | None = None,
    subject_key: str | None = None,
    state: str | None = None,
    overdue_only: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """Rectification cases soonest deadline first: the open ones (or those in ``state``), of
    one department or subject when given, optionally only the overdue ones."""
    views.check_page(page, page_size)
    found, total = cases.find(
        conn,
        WORKFLOW,
        today=today,
        department_code=department_code,
        state=state,
        overdue_only=overdue_only,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    if subject_key is not None:
        # A subject's own orders: few, so filtered here rather than in the JSON text.
        found = [c for c in found if c.subject_key == subject_key]
        total = len(found)
    ivs = repo.interviews_of_cases(conn, [c.id for c in found])
    rows = [_row(conn, deps, c, today, ivs[c.id]) for c in found]
    return views.page_view(
        "rectifications", rows, today=today, page=page, page_size=page_size, total=total
    )


def of_subject(
    conn: Connection, deps: Deps, subject_key: str, today: dt.date
) -> list[dict[str, Any]]:
    """The subject's own orders, open and closed, newest first, each with its interviews
    (dates, places and the actions agreed) for its account pages."""
    mine = [c for c in cases_repo.cases_of_subject(conn, subject_key) if c.workflow == WORKFLOW]
    ivs = repo.interviews_of_cases(conn, [c.id for c in mine])
    out = []
    for c in sorted(mine, key=lambda c: c.id, reverse=True):
        row = _row(conn, deps, c, today, ivs[c.id])
        row["interviews"] = [_interview_json(deps, r, full=True) for r in ivs[c.id]]
        out.append(row)
    return out
