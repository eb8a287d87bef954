"""List cases as users work them: propose from a code as typed, read a case, the inbox.

Shared by the HTTP API and the command line. Natural persons appear only masked: the subject
row holds the masked name and ID number, and the clear number is never stored or echoed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection

from xinyong.cases import recalc, views
from xinyong.cases import repository as cases_repo
from xinyong.cases import service as cases
from xinyong.cases.model import Case
from xinyong.cases.rules import LIST_DETERMINATION, is_overdue, window_open
from xinyong.catalog.model import LIST_KIND_LABELS, LegalBasis, ListType
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.identity import repository as identity_repo
from xinyong.identity.model import SUBJECT_KIND_LABELS
from xinyong.identity.pii import PiiVault
from xinyong.identity.resolve import resolve_subject, shown_code
from xinyong.identity.ric import check_resident_id
from xinyong.identity.service import canonical_key
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import Conflict, InputError, NotFound
from xinyong.lists import repository as repo
from xinyong.lists.service import WORKFLOW, propose

ADULT_AGE = 18
MAX_PAGE_SIZE = views.MAX_PAGE_SIZE


class DuplicateCase(Conflict):
    """The subject already has an open case (or a current listing) of this list type."""

    code = "duplicate_case"


# -- list types ---------------------------------------------------------------------------


def list_types_in_force(sanctions: SanctionsCatalogue, today: dt.date) -> list[ListType]:
    out = []
    for latest in sanctions.list_types():
        try:
            out.append(sanctions.list_type(latest.code, today))
        except NotFound:  # not yet or no longer in force
            continue
    return out


def list_type_in_force(sanctions: SanctionsCatalogue, code: str, today: dt.date) -> ListType:
    """The version of ``code`` in force ``today``, or an error naming the field and choices."""
    try:
        return sanctions.list_type(code, today)
    except NotFound:
        choices = "、".join(lt.code for lt in list_types_in_force(sanctions, today))
        raise InputError(
            f"list_type {code!r} is not a list type in force on {today.isoformat()}",
            f"list_type（名单类型）“{code}”不是现行有效的名单类型（{today.isoformat()}），"
            f"可选：{choices}",
        ) from None


def _basis(bases: Iterable[LegalBasis]) -> list[dict[str, Any]]:
    """Codes with their labels beside them: staff read 待核实 where a basis is unconfirmed."""
    return [b.as_json() for b in bases]


def list_type_info(lt: ListType, sector_name: str) -> dict[str, Any]:
    """Public catalogue facts of one list type version."""
    ex = lt.early_exit
    return {
        "code": lt.code,
        "name": lt.name,
        "kind": lt.kind,
        "kind_label": LIST_KIND_LABELS.get(lt.kind, lt.kind),
        "sector": lt.sector,
        "sector_name": sector_name,
        "deciding_authority": lt.deciding_authority,
        "version": lt.version,
        "effective_from": lt.effective_from.isoformat(),
        "effective_until": lt.effective_until.isoformat() if lt.effective_until else None,
        "legal_basis": _basis(lt.legal_basis),
        "evidence": lt.evidence.value,
        "evidence_label": lt.evidence.label,
        "subject_types": [t.value for t in lt.subject_types],
        "minors_excluded": lt.minors_excluded,
        "entry_criteria": list(lt.entry_criteria),
        "notice_required": lt.notice_required,
        "windows": {
            "unit": "工作日",
            "statement_window_working_days": lt.statement_window_working_days,
            "decision_deadline_working_days": lt.decision_deadline_working_days,
            "publication_deadline_working_days": lt.publication_deadline_working_days,
            "exit_processing_working_days": lt.exit_processing_working_days,
            "revocation_deadline_working_days": lt.revocation_deadline_working_days,
            # Calendar days: the rules count the objection window that way.
            "objection_window_days": lt.objection_window_days,
        },
        "procedure_note": lt.procedure_note,
        "period": {
            "months": lt.period_months,
            "permanent": lt.permanent,
            "by_decision": lt.period_by_decision,
            "automatic_exit": lt.automatic_exit,
            "note": lt.period_note,
        },
        "early_exit": None
        if ex is None
        else {
            "min_months": ex.min_months,
            "conditions": list(ex.conditions),
            "excluded_when": list(ex.excluded_when),
            "acceptance_deadline_working_days": ex.acceptance_deadline_working_days,
            "decision_deadline_working_days": ex.decision_deadline_working_days,
            "decision_extension_working_days": ex.decision_extension_working_days,
            "stop_publication_working_days": ex.stop_publication_working_days,
            "legal_basis": _basis(ex.legal_basis),
            "note": ex.note,
        },
        "local": lt.local,
    }


# -- proposing ----------------------------------------------------------------------------


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def propose_subject(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    calendar: WorkCalendar,
    vault: PiiVault,
    *,
    list_type: str,
    subject: str,
    department_code: str,
    actor: str,
    now: dt.datetime,
    catalogue_version: str,
    note: str = "",
) -> Case:
    """Propose listing the subject named by a USCC or resident ID number.

    The subject must already be known to the platform (registered by an import): a listing
    rests on a reported decision such as a penalty, and publishing it needs the subject's
    name, so a code the platform has never seen is refused rather than opening a case on a
    bare key that a typo with a valid check digit could produce.
    """
    today = now.astimezone(CHINA_TZ).date()
    lt = list_type_in_force(sanctions, list_type, today)
    try:
        key, kind, shown = resolve_subject(subject, vault)
    except InputError as exc:
        raise InputError(
            f"subject {shown_code(subject)}: {exc.message_en}",
            f"subject（主体代码）“{shown_code(subject)}”无效：{exc.message_zh}",
        ) from None
    if kind == "person":  # filed under the key first given (key rotation)
        key = canonical_key(conn, key)
    if identity_repo.get_subject(conn, key) is None:
        raise NotFound(
            f"subject {shown} is not registered on the platform",
            f"主体“{shown}”尚未在平台登记。列入名单须以已报送的行政处罚等信用记录为依据，"
            "请先报送（导入）该主体的相关记录，再提出列入",
        )
    kind_label = SUBJECT_KIND_LABELS.get(kind, kind)
    if kind_label not in {t.value for t in lt.subject_types}:
        raise InputError(
            f"{lt.code} does not apply to {kind} subjects",
            f"“{lt.name}”适用于{'、'.join(t.value for t in lt.subject_types)}，"
            f"主体“{shown}”是{kind_label}",
        )
    if lt.minors_excluded and kind == "person":
        birth = check_resident_id(subject, today=today).birth_date
        if birth is not None and _age(birth, today) < ADULT_AGE:
            raise InputError(
                f"{lt.code} never lists minors",
                f"“{lt.name}”不得列入未成年人：主体“{shown}”未满{ADULT_AGE}周岁",
            )
    terminal = cases.terminal_states(WORKFLOW)
    for other in cases_repo.cases_of_subject(conn, key):
        if (
            other.workflow == WORKFLOW
            and other.params.get("list_type") == lt.code
            and other.state not in terminal
        ):
            label = LIST_DETERMINATION.states[other.state].label
            raise DuplicateCase(
                f"subject {shown} already has open case {other.id} for {lt.code}",
                f"主体“{shown}”已有“{lt.name}”的办件 {other.id}（{label}），不能重复提出",
            )
    return propose(
        conn,
        sanctions,
        calendar,
        list_type=lt.code,
        subject_key=key,
        department_code=department_code,
        actor=actor,
        now=now,
        catalogue_version=catalogue_version,
        note=note,
    )


# -- reading ------------------------------------------------------------------------------


def _subjects(conn: Connection, keys: set[str]) -> dict[str, dict[str, Any]]:
    return identity_repo.subject_labels(conn, sorted(keys)) if keys else {}


def _subject_view(key: str, known: dict[str, Any] | None) -> dict[str, Any]:
    known = known or {}
    kind = known.get("kind") or ("person" if key.startswith("P") else "organisation")
    return {
        "key": key,
        "kind": kind,
        "kind_label": SUBJECT_KIND_LABELS.get(kind, kind),
        "name": known.get("name"),
        "code": known.get("id_masked") if kind == "person" else key,
    }


def _list_type(sanctions: SanctionsCatalogue, case: Case) -> ListType | None:
    try:
        return sanctions.list_type(str(case.params.get("list_type")))
    except NotFound:  # a local list type since removed from the catalogue
        return None


def _transitions_for(
    sanctions: SanctionsCatalogue, case: Case, role: str | None, today: dt.date
) -> list[dict[str, Any]]:
    wf = LIST_DETERMINATION
    lt = _list_type(sanctions, case)
    out = []
    for t in wf.available(case.state, role):
        if t.name == "exit_early" and (lt is None or lt.early_exit is None):
            continue
        view: dict[str, Any] = {
            "name": t.name,
            "label": t.label,
            "target": t.target,
            "target_label": wf.states[t.target].label,
        }
        if role is None:
            view["roles"] = sorted(t.roles)
        due = case.deadline
        if case.state in t.after_window and window_open(wf.states[case.state], due, today):
            assert due is not None  # noqa: S101 - an open window has a deadline
            view["not_before"] = (due.latest + dt.timedelta(days=1)).isoformat()
        out.append(view)
    return out


def _case_row(
    sanctions: SanctionsCatalogue, case: Case, today: dt.date, subject: dict[str, Any] | None
) -> dict[str, Any]:
    st = LIST_DETERMINATION.states[case.state]
    lt = _list_type(sanctions, case)
    code = str(case.params.get("list_type"))
    return {
        "id": case.id,
        "list_type": {
            "code": code,
            "name": lt.name if lt else code,
            "kind": lt.kind if lt else None,
        },
        "subject": _subject_view(case.subject_key, subject),
        "department": case.department_code,
        "state": case.state,
        "state_label": st.label,
        "terminal": st.terminal,
        "opened_at": case.opened_at.isoformat(),
        "due_on": case.due_on.isoformat() if case.due_on else None,
        "due": views.due_view(st, case.deadline),
        "overdue": is_overdue(st, case.deadline, today),
        "version": case.version,
    }


def get_list_case(conn: Connection, case_id: int) -> Case:
    return cases.get(conn, case_id, WORKFLOW)


def case_view(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    case_id: int,
    *,
    today: dt.date,
    role: str | None = None,
) -> dict[str, Any]:
    """A case with its state, deadline, overdue flag, history, listing, and the steps open
    to workflow ``role`` now (every step, with the roles allowed, when ``role`` is None)."""
    case = get_list_case(conn, case_id)
    wf = LIST_DETERMINATION
    view = _case_row(
        sanctions, case, today, _subjects(conn, {case.subject_key}).get(case.subject_key)
    )
    view["params"] = dict(case.params)
    view["history"] = views.history_view(wf, case.events, "提出拟列入")
    row = repo.latest_membership_of_case(conn, case.id)
    view["membership"] = (
        None
        if row is None
        else {
            "entry": row["id"],
            "listed_on": row["listed_on"].isoformat(),
            "until": row["until"].isoformat() if row["until"] else None,
            "exited_on": row["exited_on"].isoformat() if row["exited_on"] else None,
            "exit_reason": row["exit_reason"],
        }
    )
    view["transitions"] = _transitions_for(sanctions, case, role, today)
    view["notices"] = [
        recalc.notice_view(n)
        for n in cases_repo.notices(
            conn, department_code=None, unread_only=False, case_ids=[case.id], limit=20
        )
    ]
    return view


def inbox(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    *,
    today: dt.date,
    department_code: str | None = None,
    state: str | None = None,
    list_type: str | None = None,
    overdue_only: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """Cases to work on, soonest deadline first: open cases (or those in ``state``), of one
    department when given, optionally of one list type or only the overdue ones."""
    views.check_page(page, page_size)
    fragment = None
    if list_type is not None:
        codes = [lt.code for lt in sanctions.list_types()]
        if list_type not in codes:
            raise InputError(
                f"list_type {list_type!r} is not a list type",
                f"list_type（名单类型）“{list_type}”不存在，可选：{'、'.join(codes)}",
            )
        # The spelling open_case gives the pair (sorted keys, default separators).
        fragment = json.dumps({"list_type": list_type})[1:-1]
    found, total = cases.find(
        conn,
        WORKFLOW,
        today=today,
        department_code=department_code,
        state=state,
        overdue_only=overdue_only,
        params_fragment=fragment,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    known = _subjects(conn, {c.subject_key for c in found})
    rows = [_case_row(sanctions, c, today, known.get(c.subject_key)) for c in found]
    return {
        **views.page_view("cases", rows, today=today, page=page, page_size=page_size, total=total),
        # What the platform told the department (a deadline moved by the official calendar).
        "notices": recalc.notices(conn, department_code=department_code),
    }
