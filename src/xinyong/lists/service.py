"""List determination on the workflow kernel, the membership projection and the status row.

A department proposes; the list type (catalogue) supplies the legal windows; every step is a
case transition. Publication appends the listing to the ledger under the list's catalogue
item; exit (expiry, early exit after repair, revocation) appends a revoke entry pointing at
it. Memberships and the per-subject status are projections: ``rebuild`` replays the ledger
and must give the same rows. Publication and exit each emit a domain event (``list.published``,
``list.exited``) in the same transaction; what other contexts do about them (the alerts' scan
of a new listing) runs from the outbox, after the commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.cases import service as cases
from xinyong.cases.model import Case
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.model import Disclosure, ListType
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.events import service as events
from xinyong.events.model import LIST_EXITED, LIST_PUBLISHED, LIST_REINSTATED
from xinyong.identity.redact import refuse_personal_text
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import InputError, NotFound, PermissionDenied
from xinyong.kernel.parse import clean_text
from xinyong.ledger import service as ledger
from xinyong.lists import projection
from xinyong.lists import repository as repo
from xinyong.lists.rules import LIST_MARK
from xinyong.publication.derived import LIST_EXIT_REASON, list_window
from xinyong.publication.rules import add_months

WORKFLOW = "list_determination"
EXIT_TRANSITIONS = {
    "expire": "expired",
    "exit_early": "early_exit",
    "repair_exit": "early_exit",
    "suspend": "masked",
    "revoke": "revoked",
}
DECISION_STEP = "list"  # the listing decision, whose number and grounds are published
DETAIL_LABELS = {"decision_number": "决定书文号", "grounds": "列入事由"}
MAX_DECISION_NUMBER = 100
MAX_GROUNDS = 500


def _item_code(lt: ListType) -> str:
    return lt.linked_item or f"list:{lt.code}"


def propose(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    calendar: WorkCalendar,
    *,
    list_type: str,
    subject_key: str,
    department_code: str,
    actor: str,
    now: dt.datetime,
    catalogue_version: str,
    note: str = "",
) -> Case:
    today = now.astimezone(CHINA_TZ).date()
    lt = sanctions.list_type(list_type, today)
    dept = access.require_department(conn, department_code)
    if lt.sector != dept["sector"]:
        raise PermissionDenied(
            f"{department_code} ({dept['sector']}) cannot decide {lt.code} ({lt.sector})",
            f"“{lt.name}”由{lt.deciding_authority}认定，本部门无权提出",
        )
    params: dict[str, object] = {
        "list_type": lt.code,
        "list_version": lt.version,
        "notice_deadline_working_days": None,
        "statement_window_working_days": lt.statement_window_working_days,
        "decision_deadline_working_days": lt.decision_deadline_working_days,
        "publication_deadline_working_days": lt.publication_deadline_working_days,
    }
    return cases.open_case(
        conn,
        WORKFLOW,
        subject_key=subject_key,
        department_code=department_code,
        params=params,
        actor=actor,
        now=now,
        calendar=calendar,
        catalogue_version=catalogue_version,
        note=note,
    )


def advance(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    catalogue: Catalogue,
    calendar: WorkCalendar,
    case_id: int,
    name: str,
    *,
    actor: str,
    role: str,
    now: dt.datetime,
    note: str = "",
    term_months: int | None = None,
    expected_version: int | None = None,
    decided_on: dt.date | None = None,
    decision_number: str | None = None,
    grounds: str | None = None,
) -> Case:
    """Take a transition; publication and exits also write the ledger and projections.

    The listing decision (``list``) states its number (决定书文号) and its grounds (列入事由,
    the facts found): both are required there, published with the listing, and refused on
    any other step.

    ``expected_version`` refuses the step if the case moved on since the caller read it;
    ``decided_on`` is the date the step's decision bears (the listing decision's date, from
    which the list's period runs), by default today."""
    before = cases.get(conn, case_id)
    if term_months is not None:
        _check_term(sanctions, before, name, term_months)
    if name == "exit_early":
        _check_early_exit(conn, sanctions, before, now)
    details = _decision_details(name, decision_number, grounds, now)
    case = cases.transition(
        conn,
        case_id,
        name,
        actor=actor,
        role=role,
        now=now,
        calendar=calendar,
        catalogue_version=catalogue.snapshot.version,
        note=note,
        expected_version=expected_version,
        decided_on=decided_on,
        extra={"details": details} if details else None,
    )
    if name == "publish":
        _publish(conn, sanctions, catalogue, case, now, term_months)
    elif name in EXIT_TRANSITIONS and before.state == "published":
        _exit(conn, sanctions, catalogue, case, EXIT_TRANSITIONS[name], now, note)
    elif name == "reinstate":
        _reinstate(conn, sanctions, catalogue, case, now, note)
    return case


def _decision_details(
    name: str, decision_number: str | None, grounds: str | None, now: dt.datetime
) -> dict[str, str] | None:
    if name != DECISION_STEP:
        given = [f for f, v in (("decision_number", decision_number), ("grounds", grounds)) if v]
        if given:
            raise InputError(
                f"{', '.join(given)} apply to {DECISION_STEP} only, not {name}",
                f"{'、'.join(DETAIL_LABELS[f] + f'（{f}）' for f in given)}只在“决定列入”"
                f"（{DECISION_STEP}）时填写，不适用于“{name}”",
            )
        return None
    today = now.astimezone(CHINA_TZ).date()
    details = {}
    for field, value, limit in (
        ("decision_number", decision_number, MAX_DECISION_NUMBER),
        ("grounds", grounds, MAX_GROUNDS),
    ):
        label = DETAIL_LABELS[field]
        text = clean_text(field, label, value or "", limit)
        # Both are published with the listing: never a person's ID number.
        refuse_personal_text(field, label, text, today, what_zh="名单公示", what_en="a listing")
        details[field] = text
    return details


def _check_term(sanctions: SanctionsCatalogue, case: Case, name: str, term_months: int) -> None:
    # Refused rather than ignored: a term the decision states but the record silently drops
    # would publish the wrong end date.
    lt = sanctions.list_type(str(case.params["list_type"]))
    if name != "publish":
        raise InputError(
            f"term_months applies to publish only, not {name}",
            f"term_months（期限月数）只在“公示”（publish）时填写，不适用于“{name}”",
        )
    if not lt.period_by_decision:
        fixed = f"{lt.period_months}个月" if lt.period_months else "由规定确定"
        raise InputError(
            f"{lt.code} has a fixed period; term_months {term_months} not allowed",
            f"term_months“{term_months}”无效：“{lt.name}”的期限为{fixed}，不由决定书确定",
        )
    if term_months < 1:
        raise InputError(
            f"term_months must be positive, got {term_months}",
            f"term_months“{term_months}”无效：期限月数应为正整数",
        )


def _check_early_exit(
    conn: Connection, sanctions: SanctionsCatalogue, case: Case, now: dt.datetime
) -> None:
    lt = sanctions.list_type(str(case.params["list_type"]))
    today = now.astimezone(CHINA_TZ).date()
    if lt.early_exit is None:
        raise InputError(f"{lt.code} has no early exit", f"“{lt.name}”不适用提前移出")
    membership = repo.open_membership_of_case(conn, case.id)
    if membership is not None and lt.early_exit.min_months is not None:
        earliest = add_months(membership["listed_on"], lt.early_exit.min_months)
        if today < earliest:
            raise InputError(
                f"early exit possible from {earliest}",
                f"列入满{lt.early_exit.min_months}个月后方可申请提前移出（{earliest.isoformat()}起）",
            )


def _publish(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    catalogue: Catalogue,
    case: Case,
    now: dt.datetime,
    term_months: int | None,
) -> None:
    lt = sanctions.list_type(str(case.params["list_type"]))
    published_on = now.astimezone(CHINA_TZ).date()
    # The period runs from the date the list type's rule names: the listing decision (the
    # ``list`` step's decision date), or publication.
    decided = cases.step_decision_date(conn, case, DECISION_STEP)
    stated = cases.step_details(conn, case, DECISION_STEP)
    listed_on = decided if lt.period_start == "decision" and decided is not None else published_on
    months = (
        term_months if (term_months is not None and lt.period_by_decision) else lt.period_months
    )
    until = None if lt.permanent or months is None else add_months(listed_on, months)
    item = _item_code(lt)
    payload: dict[str, Any] = {
        "名单类型": lt.code,
        "名单名称": lt.name,
        "列入日期": listed_on.isoformat(),
        "期满日期": until.isoformat() if until else None,
        "公示日期": published_on.isoformat(),
        "认定部门": case.department_code,
        "办件": case.id,
    }
    # Cases decided before the step asked for them have neither.
    if "decision_number" in stated:
        payload["决定书文号"] = stated["decision_number"]
    if "grounds" in stated:
        payload["列入事由"] = stated["grounds"]
    for field, values in lt.linked_item_match.items():
        payload[field] = values[0]
    subject_kind = "person" if case.subject_key.startswith("P") else "organisation"
    window = list_window(
        item_public=_public(catalogue, item),
        subject_kind=subject_kind,
        list_kind=lt.kind,
        list_name=lt.name,
        listed_on=listed_on,
        until=until,
    )
    entry_id = _append(
        conn,
        catalogue,
        case,
        item=item,
        action="assert",
        supersedes=None,
        payload=payload,
        decision_date=listed_on,
        now=now,
        public=window.public,
        public_until=window.public_until,
        reason=window.window_reason,
        subject_kind=subject_kind,
    )
    projection.apply_entries(conn, sanctions, catalogue, [entry_id])
    events.emit(
        conn,
        LIST_PUBLISHED,
        subject_key=case.subject_key,
        payload={
            "case": case.id,
            "entry": entry_id,
            "list_type": lt.code,
            "listed_on": listed_on.isoformat(),
            "until": until.isoformat() if until else None,
            "published_on": published_on.isoformat(),
        },
        now=now,
    )


def _exit(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    catalogue: Catalogue,
    case: Case,
    reason: str,
    now: dt.datetime,
    note: str,
) -> None:
    membership = repo.open_membership_of_case(conn, case.id)
    if membership is None:
        return
    today = now.astimezone(CHINA_TZ).date()
    item = ledger.entry(conn, membership["id"]).item_code
    exit_id = _append(
        conn,
        catalogue,
        case,
        item=item,
        action="revoke",
        supersedes=membership["id"],
        payload={"移出原因": reason, "移出日期": today.isoformat(), "说明": note},
        decision_date=today,
        now=now,
        public=False,
        public_until=None,
        reason=LIST_EXIT_REASON,
        subject_kind="",
    )
    projection.apply_entries(conn, sanctions, catalogue, [exit_id])
    events.emit(
        conn,
        LIST_EXITED,
        subject_key=case.subject_key,
        payload={
            "case": case.id,
            "entry": exit_id,
            "membership": membership["id"],
            "list_type": membership["list_type"],
            "reason": reason,
            "exited_on": today.isoformat(),
        },
        now=now,
    )


def _reinstate(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    catalogue: Catalogue,
    case: Case,
    now: dt.datetime,
    note: str,
) -> None:
    """List the subject again after a repair's exit or suspension is undone: the listing as
    first published (its dates and period unchanged: the time off the list does not extend
    it), appended as a correction of the exit entry, so the projection makes a new active
    membership and the ledger's current version of the listing is published again."""
    last = repo.latest_membership_of_case(conn, case.id)
    if last is None or last["exited_on"] is None:
        return  # never published, or still listed: nothing to restore
    listing = ledger.entry(conn, int(last["id"]))
    today = now.astimezone(CHINA_TZ).date()
    payload = dict(listing.payload)
    payload["恢复列入日期"] = today.isoformat()
    payload["恢复原因"] = note
    entry_id = _append(
        conn,
        catalogue,
        case,
        item=listing.item_code,
        action="correct",
        supersedes=int(last["entry_id"]),
        payload=payload,
        decision_date=listing.decision_date or today,
        now=now,
        public=listing.public,
        public_until=listing.public_until,
        reason=listing.window_reason,
        subject_kind=listing.subject_kind,
    )
    projection.apply_entries(conn, sanctions, catalogue, [entry_id])
    events.emit(
        conn,
        LIST_REINSTATED,
        subject_key=case.subject_key,
        payload={
            "case": case.id,
            "entry": entry_id,
            "membership": entry_id,
            "previous": int(last["id"]),
            "list_type": last["list_type"],
            "listed_on": last["listed_on"].isoformat(),
            "until": last["until"].isoformat() if last["until"] else None,
            "reinstated_on": today.isoformat(),
        },
        now=now,
    )


def _public(catalogue: Catalogue, item: str) -> bool:
    try:
        return catalogue.item(item).disclosure == Disclosure.PUBLIC
    except NotFound:  # a list without a catalogue item is not published
        return False


def _append(
    conn: Connection,
    catalogue: Catalogue,
    case: Case,
    *,
    item: str,
    action: str,
    supersedes: int | None,
    payload: dict[str, Any],
    decision_date: dt.date,
    now: dt.datetime,
    public: bool,
    public_until: dt.date | None,
    reason: str,
    subject_kind: str,
) -> int:
    return ledger.append_one(
        conn,
        subject_key=case.subject_key,
        subject_kind=subject_kind,
        item_code=item,
        item_version="list",
        record_key=f"{case.subject_key}{LIST_MARK}{case.id}",
        action=action,
        supersedes_id=supersedes,
        decision_date=decision_date,
        severity=None if action == "revoke" else "严重",
        payload=payload,
        department_code=case.department_code,
        channel="case",
        source_name=f"办件 {case.id}",
        now=now,
        catalogue_version=catalogue.snapshot.version,
        public=public,
        public_until=public_until,
        window_reason=reason,
    )


def expire_due(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    catalogue: Catalogue,
    calendar: WorkCalendar,
    now: dt.datetime,
) -> int:
    """Record the automatic exit of every membership whose period has ended."""
    today = now.astimezone(CHINA_TZ).date()
    n = 0
    for case_id, list_type in repo.due_for_expiry(conn, today):
        if case_id is None or not sanctions.list_type(list_type).automatic_exit:
            continue
        advance(
            conn,
            sanctions,
            catalogue,
            calendar,
            case_id,
            "expire",
            actor="system",
            role="system",
            now=now,
            note="期满自动移出",
        )
        n += 1
    return n


def rebuild(conn: Connection, sanctions: SanctionsCatalogue, catalogue: Catalogue) -> int:
    """Rebuild memberships and status rows from the ledger alone; returns subjects rebuilt."""
    return projection.rebuild(conn, sanctions, catalogue)


def projection_differences(
    conn: Connection, sanctions: SanctionsCatalogue, catalogue: Catalogue
) -> list[tuple[str, str]]:
    """Where the stored memberships and status rows differ from a rebuild from the ledger:
    [(Chinese, English)] naming the row and the fields. Rebuilds in ``conn``'s transaction;
    the caller rolls it back (this is a check, not a repair: ``xinyong rebuild`` repairs)."""
    members, statuses = repo.projection_rows(conn)
    projection.rebuild(conn, sanctions, catalogue)
    rebuilt_members, rebuilt_statuses = repo.projection_rows(conn)
    out: list[tuple[str, str]] = []
    for label_zh, label_en, stored, rebuilt in (
        ("名单成员", "membership", members, rebuilt_members),
        ("主体状态", "subject status", statuses, rebuilt_statuses),
    ):
        for key in sorted(stored.keys() | rebuilt.keys()):
            a, b = stored.get(key), rebuilt.get(key)
            if a == b:
                continue
            if a is None:
                out.append((f"{label_zh} {key} 缺失（账本中有）", f"{label_en} {key} is missing"))
            elif b is None:
                out.append(
                    (f"{label_zh} {key} 无账本依据", f"{label_en} {key} has no ledger basis")
                )
            else:
                fields = ", ".join(sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k)))
                out.append(
                    (
                        f"{label_zh} {key} 与账本重建结果不一致（{fields}）",
                        f"{label_en} {key} differs from the ledger rebuild ({fields})",
                    )
                )
    return out
