"""Use cases of voluntary registration (自愿注册): register, verify or reject, read, report.

A registration is a case of the kernel's ``voluntary_registration`` workflow (so its steps are
ledger entries, events, messages and dashboard statistics like every case type). It is routed
to the verifier the kind names: a department of one of the kind's sectors, chosen by the
subject, or the credit office (the unit ``office`` of the catalogue file). Nothing is written
without the truthfulness commitment and the authorisation to use the information. Once
verified, the information enters the ledger as a record of the kind's catalogue item (ZYZC,
授权查询; ZYGS, 社会公开) marked 自主申报 with the verifying unit and date, so the credit file,
the public subject page (per the item's disclosure and the portal_tab code table) and the
evaluation read it like any other record. A rejection keeps its reason, shown to the subject.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.cases import attachments, views
from xinyong.cases import repository as cases_repo
from xinyong.cases import service as cases
from xinyong.cases.model import Case
from xinyong.cases.rules import VOLUNTARY_REGISTRATION, is_overdue
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.voluntary import ITEMS, VoluntaryCatalogue, VoluntaryKind
from xinyong.identity import repository as identity_repo
from xinyong.identity.divisions import DivisionTable
from xinyong.identity.pii import PiiVault
from xinyong.identity.resolve import resolve_subject, shown_code
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import Conflict, InputError, NotFound, PermissionDenied
from xinyong.ledger import service as ledger
from xinyong.ledger.model import entry_of
from xinyong.publication.derived import Deriver, RecordFacts
from xinyong.voluntary import repository as repo
from xinyong.voluntary.rules import SELF_REPORTED, Share, check_values, content_text

WORKFLOW = VOLUNTARY_REGISTRATION.code
MAX_PAGE_SIZE = views.MAX_PAGE_SIZE
NOTE_MAX = 2000
CHANNEL = "voluntary"
VERIFIED_STATUS = "2"  # code table verification_status: 已核验


@dataclass(frozen=True, slots=True)
class Deps:
    """What voluntary registration reads besides the database (built by the shells)."""

    catalogue: Catalogue
    calendar: WorkCalendar
    voluntary: VoluntaryCatalogue
    data_dir: Path
    attachment_policy: attachments.AttachmentPolicy


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(CHINA_TZ).date()


def subject_key_of(vault: PiiVault, code: str) -> str:
    """The USCC as typed; a natural person cannot register (自愿注册 is for market entities)."""
    try:
        key, kind, _shown = resolve_subject(code, vault, allow_subject_key=True)
    except InputError as exc:
        raise InputError(
            f"subject {shown_code(code)}: {exc.message_en}",
            f"subject（主体代码）“{shown_code(code)}”无效：{exc.message_zh}",
        ) from None
    if kind == "person":
        raise InputError(
            "natural persons do not register voluntarily",
            "subject（主体代码）：自愿注册面向市场主体（法人及非法人组织、个体工商户），自然人不适用",
        )
    return key


def _subject(conn: Connection, subject_key: str) -> dict[str, Any]:
    row = identity_repo.get_subject(conn, subject_key)
    if row is None:
        raise NotFound(f"subject {subject_key} not registered", "平台暂无该主体的登记信息")
    if row["kind"] == "person":
        raise InputError("natural person", "自愿注册面向市场主体，自然人不适用")
    return row


def _verifier(
    conn: Connection, deps: Deps, kind: VoluntaryKind, department_code: str | None
) -> tuple[str, str]:
    """(department code, name) of the unit that verifies a registration of ``kind``."""
    if kind.verifier == "office":
        office = deps.voluntary.office
        return office.code, office.name
    sectors = "、".join(kind.sectors)
    if not department_code:
        raise InputError(
            "department missing",
            f"department（核验部门）：“{kind.name}”由行业主管部门核验，请选择负责的部门（{sectors}）",
        )
    try:
        dept = access.require_department(conn, department_code)
    except NotFound:
        raise InputError(
            f"department {department_code!r} unknown",
            f"department（核验部门）“{department_code}”不存在",
        ) from None
    if dept["sector"] not in kind.sectors:
        raise InputError(
            f"department {department_code} sector {dept['sector']} not in {kind.sectors}",
            f"department（核验部门）“{dept['name']}”不负责核验“{kind.name}”"
            f"（负责的行业领域：{sectors}）",
        )
    return str(dept["code"]), str(dept["name"])


def departments_for(conn: Connection, deps: Deps) -> dict[str, list[dict[str, str]]]:
    """Per kind, the departments a subject may choose as its verifier (none: the office)."""
    depts = access.departments(conn)
    return {
        k.code: [
            {"code": str(d["code"]), "name": str(d["name"])}
            for d in depts
            if k.verifier == "department" and d["sector"] in k.sectors
        ]
        for k in deps.voluntary.kinds
    }


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def submit(
    conn: Connection,
    deps: Deps,
    *,
    subject_key: str,
    kind: str,
    values: Mapping[str, str],
    department_code: str | None,
    commitment: bool,
    authorisation: bool,
    materials: Sequence[attachments.Upload],
    actor: str,
    role: str,
    now: dt.datetime,
    note: str = "",
) -> Case:
    """Register one item of information; refused with every reason, nothing written, when the
    authorisation or the commitment is missing, a field is wrong, the verifier does not
    verify this kind, or a file is refused."""
    if not authorisation:
        raise InputError(
            "the authorisation to use the information is required",
            "authorisation（授权使用）：自愿注册须授权平台核验、整合、共享和应用所填报的信息；"
            "未授权的信息不予注册",
        )
    if not commitment:
        raise InputError(
            "the truthfulness commitment is required",
            "commitment（真实性承诺）：自愿注册须对所填报信息的真实性作出信用承诺",
        )
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InputError("note too long", f"note（说明）不得超过 {NOTE_MAX} 个字符")
    today = _today(now)
    k = deps.voluntary.kind(kind)
    subject = _subject(conn, subject_key)
    checked_values = check_values(k, values, today)
    ensure_not_duplicate(conn, subject_key, k.code, checked_values)
    dept_code, dept_name = _verifier(conn, deps, k, department_code)
    checked = attachments.check_uploads(materials, deps.attachment_policy)
    v = deps.voluntary
    params: dict[str, object] = {
        "kind": k.code,
        "kind_name": k.name,
        "item": k.item,
        "disclosure": k.disclosure.value,
        "verifier": k.verifier,
        "verifier_name": dept_name,
        "values": checked_values,
        "subject_key": subject_key,
        "subject_name": subject["name"],
        "verification_working_days": v.verification_working_days,
        "commitment_sha256": _sha(v.commitment_text),
        "authorisation_sha256": _sha(v.authorisation_text),
        "signed_at": now.isoformat(),
        "rules_version": v.version,
    }
    case = cases.open_case(
        conn,
        WORKFLOW,
        subject_key=subject_key,
        department_code=dept_code,
        params=params,
        actor=actor,
        now=now,
        calendar=deps.calendar,
        catalogue_version=deps.catalogue.snapshot.version,
        note=note,
        role=role,
    )
    if checked:
        attachments.attach(conn, deps.data_dir, case.id, 1, checked, actor=actor, now=now)
    return case


def get_registration(conn: Connection, case_id: int) -> Case:
    return cases.get(conn, case_id, WORKFLOW)


def step(
    conn: Connection,
    deps: Deps,
    case_id: int,
    name: str,
    *,
    actor: str,
    role: str,
    now: dt.datetime,
    department_code: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Verify or reject a registration: only its verifying department or the credit office;
    a rejection needs its reason. Verification files the information in the ledger."""
    case = get_registration(conn, case_id)
    wf = VOLUNTARY_REGISTRATION
    t = wf.transitions.get(name)
    if t is None:
        options = "、".join(f"{n}（{x.label}）" for n, x in wf.transitions.items())
        raise InputError(f"no step {name!r}", f"name“{name}”不是自愿注册的操作，可选：{options}")
    if role == "department" and department_code != case.department_code:
        raise PermissionDenied(
            f"registration {case.id} is verified by {case.department_code}",
            f"该自愿注册信息由“{case.params.get('verifier_name')}”核验，本部门无权核验",
        )
    wf.check(case.state, name, role)
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InputError("note too long", f"note（说明）不得超过 {NOTE_MAX} 个字符")
    if name == "reject" and not note:
        raise InputError(
            "reject needs a reason", "note（理由）：核验不通过须写明理由，理由将告知主体"
        )
    case = cases.transition(
        conn,
        case.id,
        name,
        actor=actor,
        role=role,
        now=now,
        calendar=deps.calendar,
        catalogue_version=deps.catalogue.snapshot.version,
        note=note,
        expected_version=expected_version,
    )
    if name == "verify":
        _file(conn, deps, case, now)
    return case


def record_key(case: Case) -> str:
    return f"{case.subject_key}|自愿注册{case.id}"


def _file(conn: Connection, deps: Deps, case: Case, now: dt.datetime) -> int:
    """Append the verified information as a record of the kind's item, self-reported."""
    office = deps.voluntary.office
    if case.department_code == office.code:
        # The office verifies as a unit of the ledger: registered the first time it does.
        try:
            access.require_department(conn, office.code)
        except NotFound:
            access.add_department(conn, office.code, office.name, office.sector, None, now)
    dept = access.require_department(conn, case.department_code)
    item_code = str(case.params["item"])
    deriver = Deriver(deps.catalogue, deps.calendar)
    item = deps.catalogue.item(item_code)
    opened_on = case.opened_at.astimezone(CHINA_TZ).date()
    today = _today(now)
    kind = deps.voluntary.kind(str(case.params["kind"]))
    values = cast(Mapping[str, str], case.params.get("values") or {})
    subject = _subject(conn, case.subject_key)
    payload = {
        "ZY_ZTMC": str(subject["name"]),
        "ZY_TYSHXYDM": case.subject_key,
        "ZY_XXLB": kind.name,
        "ZY_NR": content_text(kind, values),
        "ZY_TJRQ": opened_on.isoformat(),
        "ZY_HYZT": VERIFIED_STATUS,
        "ZY_HYDW": str(dept["name"]),
        "ZY_HYRQ": today.isoformat(),
        "ZY_SBFS": SELF_REPORTED,
    }
    derived = deriver.record(
        RecordFacts(
            item=item,
            subject_kind=str(subject["kind"]),
            decision_date=opened_on,
            values=payload,
            sector=str(dept["sector"]),
            received_on=today,
            backfill=True,
        )
    )
    entry = entry_of(
        subject_key=case.subject_key,
        subject_kind=str(subject["kind"]),
        item_code=item.code,
        item_version=item.version,
        record_key=record_key(case),
        action="assert",
        supersedes_id=None,
        decision_date=opened_on,
        disclosure=item.disclosure.value,
        payload=payload,
        window=derived,
    )
    return ledger.append_single(
        conn,
        entry,
        department_code=str(dept["code"]),
        channel=CHANNEL,
        source_name=f"自愿注册 {case.id}（{SELF_REPORTED}）",
        now=now,
        catalogue_version=deps.catalogue.snapshot.version,
        format="self",  # the batch format column is short: a self-reported record
        # Not a department's late row: the record is dated by its registration.
        backfill=True,
    )


def filed_entry(conn: Connection, case: Case) -> int | None:
    """The ledger entry of a verified registration, or None."""
    if case.state != "verified":
        return None
    found = ledger.latest_by_record(
        conn, str(case.params["item"]), [record_key(case)], case.department_code
    ).get(record_key(case))
    return found[0] if found else None


# -- reading ----------------------------------------------------------------------------------


def _subject_view(case: Case) -> dict[str, Any]:
    return {
        "key": case.subject_key,
        "code": case.subject_key,
        "name": case.params.get("subject_name"),
    }


def _row(case: Case, today: dt.date) -> dict[str, Any]:
    st = VOLUNTARY_REGISTRATION.states[case.state]
    return {
        "id": case.id,
        "kind": case.params.get("kind"),
        "kind_label": case.params.get("kind_name"),
        "subject": _subject_view(case),
        "department": case.department_code,
        "verifier": case.params.get("verifier"),
        "verifier_name": case.params.get("verifier_name"),
        "disclosure": case.params.get("disclosure"),
        "state": case.state,
        "state_label": st.label,
        "terminal": st.terminal,
        "opened_at": case.opened_at.isoformat(),
        "due": views.due_view(st, case.deadline),
        "overdue": is_overdue(st, case.deadline, today),
        "version": case.version,
    }


def _field_name(kind: VoluntaryKind | None, code: str) -> str:
    f = kind.field(code) if kind is not None else None
    return f.name if f is not None else code


def case_view(
    conn: Connection, deps: Deps, case_id: int, *, today: dt.date, role: str | None
) -> dict[str, Any]:
    """A registration: its kind and fields (with their names), the commitment and
    authorisation, state and deadline, history, files, the record it became (verified) or
    the reason (rejected), and the steps open to ``role``."""
    case = get_registration(conn, case_id)
    wf = VOLUNTARY_REGISTRATION
    view = _row(case, today)
    try:
        kind: VoluntaryKind | None = deps.voluntary.kind(str(case.params.get("kind")))
    except InputError:
        kind = None
    values = cast(Mapping[str, str], case.params.get("values") or {})
    view["fields"] = [
        {"code": code, "name": _field_name(kind, code), "value": v} for code, v in values.items()
    ]
    view["commitment"] = {
        "text": deps.voluntary.commitment_text,
        "sha256": case.params.get("commitment_sha256"),
        "authorisation_text": deps.voluntary.authorisation_text,
        "authorisation_sha256": case.params.get("authorisation_sha256"),
        "signed_at": case.params.get("signed_at"),
    }
    view["history"] = views.history_view(
        wf,
        case.events,
        "提交自愿注册",
        omit={"from_state", "due_on", "due", "entry"},
    )
    view["attachments"] = views.attachments_view(attachments.of_case(conn, case.id))
    last = case.events[-1] if case.events else None
    view["rejection_reason"] = last.note if case.state == "rejected" and last else None
    verified = case.state == "verified" and last is not None
    view["verified"] = (
        {
            "by": case.params.get("verifier_name"),
            "actor": last.actor,
            "at": last.at.isoformat(),
            "entry": filed_entry(conn, case),
            "self_reported": SELF_REPORTED,
        }
        if verified and last is not None
        else None
    )
    view["transitions"] = views.steps_view(wf, case.state, role)
    return view


def find(
    conn: Connection,
    *,
    today: dt.date,
    department_code: str | None = None,
    subject_key: str | None = None,
    state: str | None = None,
    open_only: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """Registrations soonest deadline first: every state (or ``state``, or only those still
    to verify), of one verifier or one subject when given."""
    views.check_page(page, page_size)
    wf = VOLUNTARY_REGISTRATION
    views.check_state(wf, state)
    states = {state} if state else ({"submitted"} if open_only else set(wf.states))
    fragment = json.dumps({"subject_key": subject_key})[1:-1] if subject_key else None
    found, total = cases_repo.find_cases(
        conn,
        WORKFLOW,
        department_code=department_code,
        states=states,
        params_fragment=fragment,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    rows = [_row(c, today) for c in found]
    return views.page_view(
        "registrations", rows, today=today, page=page, page_size=page_size, total=total
    )


def kinds_view(deps: Deps) -> dict[str, Any]:
    v = deps.voluntary
    return {
        "version": v.version,
        "kinds": [k.as_json() for k in v.kinds],
        "commitment_text": v.commitment_text,
        "authorisation_text": v.authorisation_text,
        "verification_working_days": v.verification_working_days,
        "verification_basis": v.verification_basis.as_json(),
        "legal_basis": [b.as_json() for b in v.legal_basis],
    }


# -- the share of voluntary records ----------------------------------------------------------


def share_report(
    conn: Connection,
    deps: Deps,
    *,
    department: str | None = None,
    divisions: DivisionTable | None = None,
) -> dict[str, Any]:
    """Voluntary records (verified registrations in the ledger) against every record collected
    (assertions of the catalogue's items, case steps and listings aside), per providing
    department and per region (the subject's registration division, city level), with the
    configured target (Shaanxi 2020 三(二)2: about 30 %)."""
    target = deps.voluntary.target
    names = {str(d["code"]): str(d["name"]) for d in access.departments(conn)}
    by_dept = repo.counts_by_department(conn, ITEMS, department)
    by_region = repo.counts_by_region(conn, ITEMS, department)

    def share(v: int, t: int) -> dict[str, object]:
        return Share(v, t, target.share).as_json()

    total_v = sum(v for v, _t in by_dept.values())
    total_t = sum(t for _v, t in by_dept.values())
    return {
        "target": target.as_json(),
        "overall": share(total_v, total_t),
        "departments": [
            {"department": code, "department_name": names.get(code, code), **share(v, t)}
            for code, (v, t) in sorted(by_dept.items())
        ],
        "regions": [
            {
                "region": code,
                "region_name": _region_name(divisions, code),
                **share(v, t),
            }
            for code, (v, t) in sorted(by_region.items())
        ],
    }


def _region_name(divisions: DivisionTable | None, code: str) -> str:
    if not code:
        return "（自然人，不分地区）"
    name = divisions.lookup(code + "00").name if divisions is not None else None
    return name or code


def open_registrations(conn: Connection, subject_key: str) -> list[Case]:
    return [
        c
        for c in cases_repo.cases_of_subject(conn, subject_key)
        if c.workflow == WORKFLOW and c.state == "submitted"
    ]


def ensure_not_duplicate(
    conn: Connection, subject_key: str, kind: str, values: Mapping[str, str]
) -> None:
    """The same information registered twice while the first waits is refused."""
    for c in open_registrations(conn, subject_key):
        if c.params.get("kind") == kind and c.params.get("values") == dict(values):
            raise Conflict(
                f"same registration open as {c.id}",
                f"相同的信息已注册，正在核验（自愿注册 {c.id}），不能重复注册",
            )
