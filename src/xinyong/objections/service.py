"""Objections (异议) as users work them: file one, take a step, read one, the inbox, the marks.

An objection is a case of the kernel's ``objection`` workflow (cases/rules.py) owned by the
department that provided the record (谁认定、谁核查), with the deadlines of the record's regime
(catalog/objections.py) as case parameters. Filing and every step write the case history and
a ledger entry about the subject (so the check's read model, which follows the ledger head,
reloads the subject and sees the mark at once) and emit an ``objection.*`` domain event. The
decision corrects or revokes the record through the ledger (a ``correct`` or ``revoke`` entry
superseding it) and the list projection, and publishes a correction notice (更正公告) where the
wrong entry was; or keeps it, with reasons. Natural persons' records are never public, and a
notice about one is never published.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.cases import service as cases
from xinyong.cases import views
from xinyong.cases.model import Case
from xinyong.cases.rules import OBJECTION, is_overdue
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.objections import ObjectionRegime, ObjectionRegimes
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.events import service as events
from xinyong.events.model import RECORD_REVOKED
from xinyong.identity import repository as identity_repo
from xinyong.kernel.calendar import Deadline, WorkCalendar
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import Conflict, InputError, NotFound, PermissionDenied
from xinyong.ledger import service as ledger
from xinyong.ledger.model import StoredEntry
from xinyong.lists import projection as list_projection
from xinyong.lists import repository as lists_repo
from xinyong.lists import service as lists
from xinyong.lists.rules import LIST_MARK
from xinyong.objections import repository as repo
from xinyong.objections.rules import (
    APPLICANT_KINDS,
    GROUNDS,
    MARK_LABEL,
    OUTCOMES,
    STEP_EVENTS,
    TARGET_KINDS,
    notice_text,
    window_end,
)
from xinyong.publication.derived import REVOKED_REASON

WORKFLOW = OBJECTION.code
MAX_STATEMENT = 2000
MAX_PAGE_SIZE = views.MAX_PAGE_SIZE


class DuplicateObjection(Conflict):
    """The record already has an open objection."""

    code = "duplicate_objection"


class WindowClosed(InputError):
    """The regime's window to object has passed."""

    code = "objection_window_closed"


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(CHINA_TZ).date()


def _record_of(conn: Connection, entry_id: int) -> StoredEntry:
    """The current entry of the record ``entry_id`` belongs to (any of its versions)."""
    return cases.current_record(
        conn,
        entry_id,
        field="entry",
        step_refusal="不是信用记录，不能提出异议",
        revoked_refusal="无需提出异议",
    )


def _list_type_of(conn: Connection, sanctions: SanctionsCatalogue, e: StoredEntry) -> str | None:
    if LIST_MARK in e.record_key:
        return str(e.payload.get("名单类型") or "") or None
    membership = lists_repo.memberships_by_id(conn, [e.id]).get(e.id)
    if membership is not None:
        return str(membership["list_type"])
    lt = sanctions.list_type_of_record(e.item_code, e.payload, e.decision_date or dt.date.min)
    return lt.code if lt is not None else None


def _published_now(e: StoredEntry, today: dt.date) -> bool:
    return (
        e.public
        and (e.public_from is None or e.public_from <= today)
        and (e.public_until is None or today <= e.public_until)
    )


def _params(regime: ObjectionRegime) -> dict[str, object]:
    first = (
        regime.push_working_days
        if regime.push_working_days is not None
        else regime.accept_working_days
    )
    return {
        "regime": regime.code,
        "regime_version": regime.version,
        "first_deadline_working_days": first,
        "accept_working_days": regime.accept_working_days,
        "verify_days": regime.verify_days,
        "verify_days_unit": regime.verify_unit,
        "correct_working_days": regime.correct_working_days,
        "extension": regime.extension,
    }


def file(
    conn: Connection,
    regimes: ObjectionRegimes,
    sanctions: SanctionsCatalogue,
    calendar: WorkCalendar,
    *,
    entry_id: int,
    grounds: str,
    statement: str,
    actor: str,
    role: str,
    now: dt.datetime,
    catalogue_version: str,
    subject_uscc: str | None = None,
    measure: str | None = None,
) -> dict[str, Any]:
    """File an objection to the record of ``entry_id`` (a list entry's id, or a measure it
    brings with ``measure``). ``role`` is ``subject`` (a signed-in subject, ``subject_uscc``
    its own code), ``department`` or ``office`` (filing on the subject's behalf). Everything
    is checked before anything is written."""
    today = _today(now)
    if grounds not in GROUNDS:
        options = "、".join(f"{c}（{label}）" for c, label in GROUNDS.items())
        raise InputError(
            f"grounds {grounds!r} unknown", f"grounds（异议事由）“{grounds}”无效，可选：{options}"
        )
    statement = statement.strip()
    if not statement:
        raise InputError(
            "statement is empty", "statement（异议说明）不能为空：请写明异议的事实和理由"
        )
    if len(statement) > MAX_STATEMENT:
        raise InputError(
            f"statement longer than {MAX_STATEMENT}",
            f"statement（异议说明）不能超过{MAX_STATEMENT}字（收到{len(statement)}字）",
        )
    e = _record_of(conn, entry_id)
    list_type = _list_type_of(conn, sanctions, e)
    if measure is not None:
        try:
            sanctions.measure(measure)
        except NotFound:
            raise InputError(
                f"measure {measure!r} unknown", f"measure（措施）“{measure}”不是目录中的措施"
            ) from None
    regime = regimes.for_target(item_code=e.item_code, list_type=list_type, day=today)
    if role == "subject":
        if subject_uscc is None:
            raise PermissionDenied("no subject session", "请先登录主体账户")
        if e.subject_key != subject_uscc:
            if not _published_now(e, today) or e.subject_key.startswith("P"):
                raise PermissionDenied(
                    f"entry {entry_id} is another subject's non-public record",
                    "不能对其他主体的非公开信息提出异议",
                )
            if not regime.public_may_object:
                raise PermissionDenied(
                    f"regime {regime.code} lets only the subject object",
                    f"“{regime.name}”只允许信用主体本人提出异议",
                )
            applicant_kind = "public"
        else:
            applicant_kind = "subject"
    elif role in ("department", "office"):
        applicant_kind = "on_behalf"
    else:
        raise PermissionDenied(f"role {role} may not file", "当前角色不能提出异议")
    if regime.window_days is not None:
        start = e.public_from or e.decision_date or _today(e.received_at)
        end = window_end(start, regime.window_days, regime.window_unit, calendar)
        if today > end:
            raise WindowClosed(
                f"objection window of {regime.code} ended on {end}",
                f"已超过“{regime.name}”规定的异议期限：自 {start.isoformat()} 起"
                f"{regime.window_days}{'个工作日' if regime.window_unit == 'working_days' else '日'}，"
                f"至 {end.isoformat()} 届满",
            )
    existing = repo.open_on_record(conn, e.item_code, e.record_key)
    if existing is not None:
        raise DuplicateObjection(
            f"record already has open objection {existing['id']}",
            f"该记录已有正在处理的异议（编号 {existing['id']}），不能重复提出",
        )
    case = cases.open_case(
        conn,
        WORKFLOW,
        subject_key=e.subject_key,
        department_code=e.department_code,
        params=_params(regime),
        actor=actor,
        now=now,
        calendar=calendar,
        catalogue_version=catalogue_version,
        note=statement,
        role=role,
        extra={"entry": e.id, "item": e.item_code, "grounds": grounds},
    )
    target_kind = "measure" if measure else "list_entry" if list_type else "record"
    objection_id = repo.insert_objection(
        conn,
        {
            "case_id": case.id,
            "subject_key": e.subject_key,
            "department_code": e.department_code,
            "target_kind": target_kind,
            "entry_id": e.id,
            "item_code": e.item_code,
            "record_key": e.record_key,
            "list_type": list_type,
            "measure": measure,
            "regime": regime.code,
            "regime_version": regime.version,
            "applicant_kind": applicant_kind,
            "applicant": actor,
            "grounds": grounds,
            "statement": statement,
            "open_key": repo.open_key(e.item_code, e.record_key),
            "filed_at": now,
        },
    )
    row = repo.get(conn, objection_id)
    assert row is not None  # noqa: S101 - inserted in this transaction
    _emit(conn, "open", row, case, now)
    return row


def _emit(
    conn: Connection,
    step: str,
    row: Mapping[str, Any],
    case: Case,
    now: dt.datetime,
    extra: Mapping[str, Any] | None = None,
) -> None:
    due = case.deadline
    events.emit(
        conn,
        STEP_EVENTS[step],
        subject_key=row["subject_key"],
        payload={
            "objection": row["id"],
            "case": case.id,
            "entry": row["entry_id"],
            "item": row["item_code"],
            "record": row["record_key"].split("|", 1)[-1],
            "list_type": row["list_type"],
            "measure": row["measure"],
            "department": row["department_code"],
            "regime": row["regime"],
            "state": case.state,
            "due": None if due is None else due.as_dict(),
            **(extra or {}),
        },
        now=now,
    )


def get_row(conn: Connection, objection_id: int) -> dict[str, Any]:
    row = repo.get(conn, objection_id)
    if row is None:
        raise NotFound(f"no objection {objection_id}", f"异议 {objection_id} 不存在")
    return row


def _check_department(row: Mapping[str, Any], role: str, department_code: str | None) -> None:
    if role == "department" and department_code != row["department_code"]:
        raise PermissionDenied(
            f"objection {row['id']} belongs to department {row['department_code']}",
            "该异议由提供该记录的部门核查处理（谁认定、谁核查），本部门无权办理",
        )


def _reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InputError(f"{what} needs a reason", f"reason（理由）不能为空：{what}须说明理由")
    return text


def step(
    conn: Connection,
    regimes: ObjectionRegimes,
    sanctions: SanctionsCatalogue,
    catalogue: Catalogue,
    calendar: WorkCalendar,
    objection_id: int,
    name: str,
    *,
    actor: str,
    role: str,
    now: dt.datetime,
    department_code: str | None = None,
    reason: str | None = None,
    outcome: str | None = None,
    corrections: Mapping[str, str] | None = None,
    extended_until: dt.date | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Take a step: ``push`` (office), ``accept``, ``refuse`` (reason), ``notify_extension``
    (the date the notice to the applicant names, and why), ``decide`` (outcome ``correct``
    with ``corrections``, ``revoke`` or ``keep``, and the reason)."""
    row = get_row(conn, objection_id)
    case = cases.get(conn, row["case_id"])
    today = _today(now)
    if name not in OBJECTION.transitions:
        options = "、".join(f"{t.name}（{t.label}）" for t in OBJECTION.transitions.values())
        raise InputError(f"step {name!r} unknown", f"step（操作）“{name}”无效，可选：{options}")
    # State and role first: a step out of order is refused as such, whatever else it carries.
    OBJECTION.check(case.state, name, role)
    _check_department(row, role, department_code)
    note = ""
    extra: dict[str, Any] = {}
    due_until: Deadline | None = None
    if name == "refuse":
        note = _reason(reason, "不予受理")
        extra = {"reason": note}
    elif name == "notify_extension":
        regime = regimes.regime(row["regime"])
        if regime.extension != "notice":
            raise InputError(
                f"regime {regime.code} allows no extension",
                f"“{regime.name}”不允许延长核查期限",
            )
        note = _reason(reason, "延长核查期限")
        if extended_until is None:
            raise InputError(
                "extended_until missing", "extended_until（延长至）必填：告知申请人延长到哪一天"
            )
        current = case.deadline
        if current is not None and is_overdue(OBJECTION.states[case.state], current, today):
            # 令36 第十八条: the applicant is told before the period ends, not after.
            raise Conflict(
                f"verification deadline {current.earliest} passed; no extension",
                f"核查期限已于 {current.earliest.isoformat()} 届满，延长核查期限须在期限届满前"
                "告知申请人，请尽快作出核查决定",
            )
        if extended_until <= today or (current is not None and extended_until <= current.date):
            after = current.date.isoformat() if current else today.isoformat()
            raise InputError(
                f"extended_until {extended_until} is not after {after}",
                f"extended_until（延长至）{extended_until.isoformat()} 应晚于现有期限 {after}",
            )
        due_until = Deadline.official(extended_until)
        extra = {"extended_until": extended_until.isoformat(), "notice": note}
    elif name == "decide":
        if outcome not in OUTCOMES:
            options = "、".join(f"{c}（{label}）" for c, label in OUTCOMES.items())
            raise InputError(
                f"outcome {outcome!r} unknown",
                f"outcome（核查结论）“{outcome}”无效，可选：{options}",
            )
        note = _reason(reason, f"核查结论“{OUTCOMES[outcome]}”")
        extra = {"outcome": outcome, "reason": note}
        if outcome == "correct":
            extra["corrected_fields"] = sorted(
                _check_corrections(conn, catalogue, row, corrections)
            )
        elif corrections:
            raise InputError(
                "corrections only with outcome correct",
                "corrections（更正内容）只在结论为“更正”（correct）时填写",
            )
    elif reason:
        note = reason.strip()
    if name != "notify_extension" and extended_until is not None:
        raise InputError(
            "extended_until only with notify_extension",
            "extended_until（延长至）只在“告知延期”（notify_extension）时填写",
        )
    case = cases.transition(
        conn,
        case.id,
        name,
        actor=actor,
        role=role,
        now=now,
        calendar=calendar,
        catalogue_version=catalogue.snapshot.version,
        note=note,
        expected_version=expected_version,
        extra=extra,
        due_until=due_until,
    )
    if name == "refuse":
        repo.close(conn, row["id"], outcome=None, reason=note, outcome_entry=None, now=now)
    elif name == "decide":
        assert outcome is not None  # noqa: S101 - checked above
        outcome_entry = _apply(
            conn,
            sanctions,
            catalogue,
            calendar,
            row,
            outcome,
            corrections or {},
            note,
            actor=actor,
            now=now,
        )
        repo.close(
            conn, row["id"], outcome=outcome, reason=note, outcome_entry=outcome_entry, now=now
        )
        extra["outcome_entry"] = outcome_entry
    _emit(conn, name, row, case, now, extra)
    return get_row(conn, objection_id)


def _check_corrections(
    conn: Connection,
    catalogue: Catalogue,
    row: Mapping[str, Any],
    corrections: Mapping[str, str] | None,
) -> set[str]:
    if not corrections:
        raise InputError(
            "correct needs corrections",
            "corrections（更正内容）必填：结论为“更正”时须写明更正的字段和正确的值",
        )
    current = _record_of(conn, row["entry_id"])
    try:
        known = {f.code for f in catalogue.item(current.item_code).fields}
    except NotFound:
        known = set()
    known |= set(current.payload)
    for code, value in corrections.items():
        if code not in known:
            raise InputError(
                f"field {code!r} is not a field of {current.item_code}",
                f"corrections（更正内容）中的字段“{code}”不是该记录的字段",
            )
        if not isinstance(value, str) or not value.strip():
            raise InputError(
                f"field {code!r} needs a value",
                f"corrections（更正内容）中字段“{code}”的值不能为空",
            )
    return set(corrections)


def _apply(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    catalogue: Catalogue,
    calendar: WorkCalendar,
    row: Mapping[str, Any],
    outcome: str,
    corrections: Mapping[str, str],
    reason: str,
    *,
    actor: str,
    now: dt.datetime,
) -> int | None:
    """Carry the outcome into the ledger and every projection; publish the correction notice."""
    if outcome == "keep":
        return None
    wrong = _record_of(conn, row["entry_id"])
    today = _today(now)
    fed = wrong.item_code in sanctions.record_fed_items()
    if outcome == "revoke" and LIST_MARK in wrong.record_key:
        # A listing decided here: its own case records the revocation (the list's exit).
        list_case = int(wrong.record_key.rsplit(LIST_MARK, 1)[1])
        lists.advance(
            conn,
            sanctions,
            catalogue,
            calendar,
            list_case,
            "revoke",
            actor=actor,
            role="department",
            now=now,
            note=f"异议核查撤销：{reason}",
        )
        entry_id = ledger.latest_by_record(conn, wrong.item_code, [wrong.record_key])[
            wrong.record_key
        ][0]
    elif outcome == "revoke":
        entry_id = ledger.supersede(
            conn,
            wrong,
            action="revoke",
            payload={"撤销理由": reason, "异议": row["id"]},
            channel="objection",
            source_name=f"异议 {row['id']} 核查撤销",
            now=now,
            catalogue_version=catalogue.snapshot.version,
            window_reason=REVOKED_REASON,
        )
        if fed:
            list_projection.apply_entries(conn, sanctions, catalogue, [entry_id])
        events.emit(
            conn,
            RECORD_REVOKED,
            subject_key=wrong.subject_key,
            payload={
                "entry": entry_id,
                "supersedes": wrong.id,
                "item": wrong.item_code,
                "record_key": wrong.record_key,
                "fed_list": fed,
            },
            now=now,
        )
    else:
        entry_id = ledger.supersede(
            conn,
            wrong,
            action="correct",
            payload={**wrong.payload, **{k: v.strip() for k, v in corrections.items()}},
            channel="objection",
            source_name=f"异议 {row['id']} 核查更正",
            now=now,
            catalogue_version=catalogue.snapshot.version,
            window_reason=wrong.window_reason,
            public=wrong.public,
            public_until=wrong.public_until,
        )
        if fed or LIST_MARK in wrong.record_key:
            list_projection.apply_entries(conn, sanctions, catalogue, [entry_id])
    subject = identity_repo.subject_labels(conn, [wrong.subject_key]).get(wrong.subject_key) or {}
    item_name = _item_name(catalogue, wrong.item_code, row["list_type"], sanctions)
    departments = {d["code"]: d["name"] for d in access.departments(conn)}
    repo.insert_notice(
        conn,
        {
            "objection_id": row["id"],
            "subject_key": wrong.subject_key,
            "item_code": wrong.item_code,
            "record_key": wrong.record_key,
            "wrong_entry": wrong.id,
            "outcome": outcome,
            "list_type": row["list_type"],
            "text": notice_text(
                department=departments.get(wrong.department_code, wrong.department_code),
                subject_name=str(subject.get("name") or ""),
                item_name=item_name,
                published_on=wrong.public_from or wrong.decision_date,
                outcome=outcome,
                today=today,
                reason=reason,
            ),
            # Published where the wrong entry was: on the portal only if it was public there,
            # and never about a natural person.
            "public": wrong.public and not wrong.subject_key.startswith("P"),
            "published_at": now,
        },
    )
    return entry_id


def _item_name(
    catalogue: Catalogue, item_code: str, list_type: str | None, sanctions: SanctionsCatalogue
) -> str:
    if list_type:
        try:
            return sanctions.list_type(list_type).name
        except NotFound:
            pass
    try:
        return catalogue.item(item_code).name
    except NotFound:
        return item_code


# -- reading ---------------------------------------------------------------------------


def _item_label(catalogue: Catalogue, sanctions: SanctionsCatalogue, row: Mapping[str, Any]) -> str:
    return _item_name(catalogue, row["item_code"], row["list_type"], sanctions)


def summary(
    row: Mapping[str, Any],
    case: Case,
    catalogue: Catalogue,
    sanctions: SanctionsCatalogue,
    regimes: ObjectionRegimes,
    today: dt.date,
) -> dict[str, Any]:
    st = OBJECTION.states[case.state]
    try:
        regime_name = regimes.regime(row["regime"]).name
    except NotFound:
        regime_name = row["regime"]
    return {
        "id": row["id"],
        "case": case.id,
        "version": case.version,
        "state": case.state,
        "state_label": st.label,
        "terminal": st.terminal,
        "mark": None if st.terminal else MARK_LABEL,
        "subject": row["subject_key"] if not row["subject_key"].startswith("P") else None,
        "department": row["department_code"],
        "target": {
            "kind": row["target_kind"],
            "kind_label": TARGET_KINDS[row["target_kind"]],
            "entry": row["entry_id"],
            "item": row["item_code"],
            "item_name": _item_label(catalogue, sanctions, row),
            "record": row["record_key"].split("|", 1)[-1],
            "list_type": row["list_type"],
            "measure": row["measure"],
        },
        "regime": {"code": row["regime"], "name": regime_name},
        "grounds": row["grounds"],
        "grounds_label": GROUNDS.get(row["grounds"], row["grounds"]),
        "applicant_kind": row["applicant_kind"],
        "applicant_kind_label": APPLICANT_KINDS.get(row["applicant_kind"], row["applicant_kind"]),
        "filed_at": row["filed_at"].astimezone(CHINA_TZ).isoformat(),
        "due": views.due_view(st, case.deadline),
        "overdue": is_overdue(st, case.deadline, today),
        "outcome": row["outcome"],
        "outcome_label": OUTCOMES.get(row["outcome"] or "", None),
        "reason": row["outcome_reason"],
        "outcome_entry": row["outcome_entry"],
        "closed_at": row["closed_at"].astimezone(CHINA_TZ).isoformat()
        if row["closed_at"]
        else None,
    }


def view(
    conn: Connection,
    catalogue: Catalogue,
    sanctions: SanctionsCatalogue,
    regimes: ObjectionRegimes,
    objection_id: int,
    *,
    today: dt.date,
    role: str | None = None,
    for_subject: str | None = None,
    department_code: str | None = None,
) -> dict[str, Any]:
    """One objection with its history and the steps open to ``role``. A subject reads only
    its own (or one it filed), without the staff's names; a department only its own."""
    row = get_row(conn, objection_id)
    if for_subject is not None and for_subject not in (
        row["subject_key"],
        row["applicant"].removeprefix("subject:"),
    ):
        raise NotFound(f"no objection {objection_id}", f"异议 {objection_id} 不存在")
    if department_code is not None and row["department_code"] != department_code:
        raise NotFound(f"no objection {objection_id}", f"异议 {objection_id} 不存在")
    case = cases.get(conn, row["case_id"])
    out = summary(row, case, catalogue, sanctions, regimes, today)
    out["statement"] = row["statement"]
    with contextlib.suppress(NotFound):
        out["regime"] = regimes.regime(row["regime"]).as_json()
    # The subject reads its case without the staff's names.
    omit = {"from_state", "due_on"} | ({"actor"} if for_subject is not None else set())
    steps = views.history_view(OBJECTION, case.events, "提出异议", omit=omit, local_time=True)
    out["history"] = [{"step" if k == "transition" else k: v for k, v in s.items()} for s in steps]
    out["steps"] = views.steps_view(OBJECTION, case.state, role)
    return out


def find(
    conn: Connection,
    catalogue: Catalogue,
    sanctions: SanctionsCatalogue,
    regimes: ObjectionRegimes,
    *,
    today: dt.date,
    subject_key: str | None = None,
    department_code: str | None = None,
    open_only: bool = False,
    overdue_only: bool = False,
    state: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """A page of objections: a department's inbox (open first, soonest deadline first), or
    a subject's own; ``state`` narrows to one state of the workflow."""
    views.check_state(OBJECTION, state)
    views.check_page(page, page_size)
    rows, total = repo.find(
        conn,
        subject_key=subject_key,
        department_code=department_code,
        open_only=open_only or overdue_only,
        state=state,
        limit=MAX_PAGE_SIZE if overdue_only else page_size,
        offset=0 if overdue_only else (page - 1) * page_size,
    )
    items = [
        summary(r, cases.get(conn, r["case_id"]), catalogue, sanctions, regimes, today)
        for r in rows
    ]
    if overdue_only:
        items = [i for i in items if i["overdue"]]
        total = len(items)
        items = items[(page - 1) * page_size : page * page_size]
    return views.page_view(
        "objections", items, today=today, page=page, page_size=page_size, total=total
    )


def settled_records(
    conn: Connection, item_code: str, record_keys: Sequence[str], department_code: str
) -> dict[str, dict[str, Any]]:
    """Records of ``item_code`` (of the department that provided them) an objection corrected or revoked (the latest such objection
    per record key): {record_key: {objection, outcome, outcome_label, outcome_entry, closed_on,
    wrong_hash}}. What an import asks before it lets a department's row replace the outcome."""
    return {
        key: {
            "objection": int(r["id"]),
            "outcome": r["outcome"],
            "outcome_label": OUTCOMES[r["outcome"]],
            "outcome_entry": int(r["outcome_entry"]),
            "closed_on": r["closed_at"].astimezone(CHINA_TZ).date(),
            "wrong_hash": r["wrong_hash"],
        }
        for key, r in repo.settled_on_records(conn, item_code, record_keys, department_code).items()
    }


def open_marks(conn: Connection, subject_keys: Sequence[str]) -> list[dict[str, Any]]:
    """Open objections of these subjects as marks: {objection, case, item, record_key, entry,
    state, label}."""
    return [mark(r) for r in repo.open_marks(conn, subject_keys)]


def all_open_marks(conn: Connection) -> list[dict[str, Any]]:
    return [mark(r) for r in repo.all_open_marks(conn)]


def mark(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "objection": r["id"],
        "case": r["case_id"],
        "subject_key": r["subject_key"],
        "item": r["item_code"],
        "record_key": r["record_key"],
        "entry": r["entry_id"],
        "target_kind": r["target_kind"],
        "list_type": r["list_type"],
        "measure": r["measure"],
        "state": r["state"],
        "state_label": OBJECTION.states[r["state"]].label,
        "label": MARK_LABEL,
        "since": r["filed_at"].astimezone(CHINA_TZ).date().isoformat(),
    }


def _notice_view(n: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": n["id"],
        "objection": n["objection_id"],
        "item": n["item_code"],
        "wrong_entry": n["wrong_entry"],
        "outcome": n["outcome"],
        "outcome_label": OUTCOMES[n["outcome"]],
        "text": n["text"],
        "published_at": n["published_at"].astimezone(CHINA_TZ).isoformat(),
    }


def correction_notices(
    conn: Connection, subject_key: str, *, public_only: bool
) -> list[dict[str, Any]]:
    return [_notice_view(n) for n in repo.notices_of(conn, subject_key, public_only=public_only)]


def list_correction_notices(conn: Connection, list_type: str) -> list[dict[str, Any]]:
    """The public correction notices about entries of a list (shown on the list's page, where
    the wrong entries were published)."""
    return [_notice_view(n) for n in repo.notices_of_list(conn, list_type)]
