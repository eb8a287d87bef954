"""Use cases of credit repair (信用修复): eligibility, the application, its steps, and their effects.

A repair is a case of the kernel's ``credit_repair`` workflow, routed to the department that
made the finding (谁认定、谁修复: the department that reported the record, or decided the
listing). Approval stops publication the same day by restating the record in the ledger with
action ``repair`` (the record keeps its fields, class and policy; its window closes), so the
public file, the portal, the check's read model and every list membership the record fed
follow from the ledger head; a listing decided here leaves its list through the list case's
``exit_early``. A repair voided for fraud restates the record again (``correct``): it is
published as before, and the subject may not apply again for the regime's bar (3 years).
Bankruptcy masks the record (``mask``) until the plan is completed (a full repair) or fails
(restored). Every step emits ``repair.*`` through the outbox in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection

from xinyong.access import repository as access_repo
from xinyong.access import service as access
from xinyong.cases import attachments, views
from xinyong.cases import repository as cases_repo
from xinyong.cases import service as cases
from xinyong.cases.model import Case
from xinyong.cases.rules import CREDIT_REPAIR, act_on, is_overdue
from xinyong.cases.service import CASE_ITEM_PREFIX
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.model import Nature
from xinyong.catalog.repair import RepairCatalogue, RepairRegime, regime_json
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.events import service as events
from xinyong.events.model import REPAIR_EVENTS
from xinyong.identity import repository as identity_repo
from xinyong.identity.model import SUBJECT_KIND_LABELS
from xinyong.identity.pii import PiiVault
from xinyong.identity.resolve import resolve_subject, shown_code
from xinyong.identity.service import canonical_key
from xinyong.kernel import sampling
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import Conflict, InputError, NotFound, PermissionDenied
from xinyong.ledger import service as ledger
from xinyong.ledger.model import StoredEntry
from xinyong.lists import projection
from xinyong.lists import repository as lists_repo
from xinyong.lists import service as lists
from xinyong.lists.rules import LIST_MARK, is_active
from xinyong.publication.derived import (
    MASK_ACTION,
    REPAIR_ACTION,
    REPAIR_REASONS,
    Deriver,
    RecordFacts,
    repaired,
)
from xinyong.publication.rules import is_public_on
from xinyong.repair import repository as repo
from xinyong.repair.rules import (
    BANKRUPTCY,
    KIND_LABELS,
    ORDINARY,
    RESULT_LABELS,
    Eligibility,
    LaterPenalty,
    Target,
    deadlines,
    evaluate,
    fraud_bar_end,
    valid_certificates,
)

WORKFLOW = CREDIT_REPAIR.code
MAX_PAGE_SIZE = views.MAX_PAGE_SIZE
SIGNATORY_MAX = 50
NOTE_REQUIRED = {
    "incomplete": "须一次性列明需补正的全部材料",
    "refuse": "须写明不予修复的理由",
    "extend": "须记录延长的理由（案情复杂或需核查）",
    "void": "须写明弄虚作假的事实",
    "restore": "须写明重整计划或和解协议未执行的情况",
}
ORDINARY_ONLY = {"approve", "accept", "incomplete", "complete", "extend"}
BANKRUPTCY_ONLY = {"mask", "complete_plan", "restore"}
# Open applications: a new one for the same record is a duplicate.
OPEN_STATES = frozenset({"submitted", "incomplete", "accepted", "extended", "masked"})
WORK_STATES = OPEN_STATES  # what a deciding department's inbox shows


class NotEligible(Conflict):
    """The record may not (yet) be repaired: every unmet condition is named."""

    code = "not_eligible"


class DuplicateApplication(Conflict):
    code = "duplicate_application"


@dataclass(frozen=True, slots=True)
class Deps:
    """What repair reads besides the database (built from the platform by the shells)."""

    catalogue: Catalogue
    sanctions: SanctionsCatalogue
    calendar: WorkCalendar
    regimes: RepairCatalogue
    data_dir: Path
    attachment_policy: attachments.AttachmentPolicy
    # The subject's 诚信教育 certificates (number, session day): kept by the commitments
    # context, which sits above repair, so the composition root hands the reader in.
    training_certificates: Callable[[Connection, str], Sequence[tuple[str, dt.date]]] | None = None


# -- the records of a subject -----------------------------------------------------------------


def subject_key_of(conn: Connection, vault: PiiVault, code: str) -> str:
    """The subject key of a USCC or resident ID number as typed (never echoed)."""
    try:
        key, kind, _shown = resolve_subject(code, vault, allow_subject_key=True)
    except InputError as exc:
        raise InputError(
            f"subject {shown_code(code)}: {exc.message_en}",
            f"subject（主体代码）“{shown_code(code)}”无效：{exc.message_zh}",
        ) from None
    return canonical_key(conn, key) if kind == "person" else key


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(CHINA_TZ).date()


def _number(record_key: str) -> str:
    return record_key.split("|", 1)[-1]


def _targets(conn: Connection, deps: Deps, subject_key: str, today: dt.date) -> list[Target]:
    """The subject's records repair may concern: negative records public today (or already
    stopped by a repair), and listings decided here that are active today."""
    rf = deps.regimes.record_fields
    memberships = {int(m["id"]): m for m in lists_repo.memberships_of_subjects(conn, [subject_key])}
    out: list[Target] = []
    for v in ledger.record_versions(conn, subject_key):
        if v.revoked:
            continue
        e = v.current
        if e.item_code.startswith(CASE_ITEM_PREFIX):
            continue
        if LIST_MARK in e.record_key:
            m = memberships.get(e.id)
            if m is None or m["case_id"] is None or not is_active(m, today):
                continue
            lt = deps.sanctions.list_type(str(m["list_type"]))
            ex = lt.early_exit
            out.append(
                Target(
                    entry_id=e.id,
                    item_code=e.item_code,
                    item_name=lt.name,
                    record_key=e.record_key,
                    department_code=e.department_code,
                    decision_date=e.decision_date,
                    severity=e.severity,
                    policy_code=e.policy_code,
                    repair_from=None,
                    list_type=lt.code,
                    list_name=lt.name,
                    list_case=int(m["case_id"]),
                    listed_on=m["listed_on"],
                    list_min_months=ex.min_months if ex else None,
                    list_conditions=ex.conditions if ex else (),
                    list_excluded_when=ex.excluded_when if ex else (),
                    list_basis=ex.legal_basis if ex else lt.legal_basis,
                    list_acceptance_days=ex.acceptance_deadline_working_days if ex else None,
                    list_decision_days=ex.decision_deadline_working_days if ex else None,
                    list_extension_days=ex.decision_extension_working_days if ex else None,
                    list_stop_days=ex.stop_publication_working_days if ex else None,
                )
            )
            continue
        try:
            item = deps.catalogue.item(e.item_code)
        except NotFound:
            continue
        if item.nature is not Nature.NEGATIVE:
            continue
        stopped = e.action in REPAIR_REASONS
        if not stopped and not is_public_on(
            e.public, e.public_from, e.public_until, dt.date.min, today
        ):
            continue
        payload = e.payload
        kinds: tuple[str, ...] = ()
        until = None
        violation = ""
        if e.item_code == rf.item:
            kinds = tuple(k for k in str(payload.get(rf.penalty_kinds) or "").split(",") if k)
            until = _date(payload.get(rf.restriction_until))
            violation = str(payload.get(rf.violation) or "")
        fed = deps.sanctions.list_type_of_record(e.item_code, payload, e.decision_date or today)
        out.append(
            Target(
                entry_id=e.id,
                item_code=e.item_code,
                item_name=item.name,
                record_key=e.record_key,
                department_code=e.department_code,
                decision_date=e.decision_date,
                severity=e.severity,
                policy_code=e.policy_code,
                repair_from=e.repair_from,
                penalty_kinds=kinds,
                restriction_until=until,
                violation=violation,
                list_type=fed.code if fed else None,
                list_name=fed.name if fed else "",
                list_min_months=fed.early_exit.min_months if fed and fed.early_exit else None,
                repaired=e.action == REPAIR_ACTION,
                masked=e.action == MASK_ACTION,
            )
        )
    return out


def _date(value: object) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _later_penalties(conn: Connection, deps: Deps, subject_key: str) -> tuple[LaterPenalty, ...]:
    rf = deps.regimes.record_fields
    out = []
    for v in ledger.record_versions(conn, subject_key):
        e = v.current
        if v.revoked or e.item_code != rf.item or e.decision_date is None:
            continue
        out.append(
            LaterPenalty(e.decision_date, e.department_code, str(e.payload.get(rf.violation) or ""))
        )
    return tuple(out)


def _repair_cases(conn: Connection, subject_key: str) -> list[Case]:
    return [c for c in cases_repo.cases_of_subject(conn, subject_key) if c.workflow == WORKFLOW]


def fraud_bar_until(conn: Connection, deps: Deps, subject_key: str) -> dt.date | None:
    """The last day of the bar after the subject's latest repair voided for fraud (令36 第二十五条,
    令107 第二十三条: read as a bar on every new application of the subject, the stricter of
    the two), or None."""
    ends = []
    for found in _repair_cases(conn, subject_key):
        if found.state != "voided":
            continue
        c = cases.get(conn, found.id)  # with its history: the day it was voided
        voided_on = c.events[-1].at.astimezone(CHINA_TZ).date()
        ends.append(fraud_bar_end(deps.regimes.regime(str(c.params["regime"])), voided_on))
    return max(ends) if ends else None


def _open_case_of(conn: Connection, subject_key: str, target: Target) -> int | None:
    for c in _repair_cases(conn, subject_key):
        if (
            c.state in OPEN_STATES
            and c.params.get("item") == target.item_code
            and c.params.get("record_key") == target.record_key
        ):
            return c.id
    return None


def _regime(deps: Deps, target: Target, today: dt.date) -> RepairRegime:
    return deps.regimes.regime_for(
        policy_code=target.policy_code, list_type=target.list_type, on=today
    )


def _certificates(
    conn: Connection, deps: Deps, subject_key: str
) -> tuple[tuple[str, dt.date], ...]:
    reader = deps.training_certificates
    return tuple(reader(conn, subject_key)) if reader is not None else ()


def eligibility(
    conn: Connection, deps: Deps, subject_key: str, today: dt.date, kind: str = ORDINARY
) -> list[Eligibility]:
    """Per record of the subject, every condition of its regime on ``today``."""
    later = _later_penalties(conn, deps, subject_key)
    bar = fraud_bar_until(conn, deps, subject_key)
    certs = _certificates(conn, deps, subject_key)
    return [
        evaluate(
            _regime(deps, t, today),
            t,
            today=today,
            kind=kind,
            later_penalties=later,
            fraud_bar_until=bar,
            open_case=_open_case_of(conn, subject_key, t),
            training_certificates=certs,
        )
        for t in _targets(conn, deps, subject_key, today)
    ]


def _target_json(t: Target) -> dict[str, Any]:
    return {
        "entry": t.entry_id,
        "item": t.item_code,
        "item_name": t.item_name,
        "number": t.list_name if t.list_case is not None else _number(t.record_key),
        "decision_date": t.decision_date.isoformat() if t.decision_date else None,
        "department": t.department_code,
        "severity": t.severity,
        "list_type": t.list_type,
        "list_name": t.list_name or None,
        "repair_from": t.repair_from.isoformat() if t.repair_from else None,
        "repaired": t.repaired,
        "masked": t.masked,
    }


def _eligibility_json(ev: Eligibility, bankruptcy: Eligibility | None) -> dict[str, Any]:
    return {
        "record": _target_json(ev.target),
        "regime": regime_json(ev.regime),
        "result": ev.result,
        "result_label": RESULT_LABELS[ev.result],
        "eligible": ev.eligible,
        "eligible_from": ev.eligible_from.isoformat() if ev.eligible_from else None,
        "reasons": ev.reasons(),
        "conditions": [c.as_json() for c in ev.conditions],
        "deadlines": {"unit": "工作日", **deadlines(ev.regime, ev.target)},
        "bankruptcy": None
        if bankruptcy is None
        else {
            "result": bankruptcy.result,
            "result_label": RESULT_LABELS[bankruptcy.result],
            "reasons": bankruptcy.reasons(),
        },
    }


def subject_view(conn: Connection, subject_key: str) -> dict[str, Any]:
    known = identity_repo.subject_labels(conn, [subject_key]).get(subject_key) or {}
    kind = known.get("kind") or ("person" if subject_key.startswith("P") else "organisation")
    return {
        "key": subject_key,
        "kind": kind,
        "kind_label": SUBJECT_KIND_LABELS.get(kind, kind),
        "name": known.get("name"),
        "code": known.get("id_masked") if kind == "person" else subject_key,
    }


def eligibility_view(
    conn: Connection, deps: Deps, subject_key: str, today: dt.date
) -> dict[str, Any]:
    """What ``GET /subjects/{code}/repair-eligibility`` answers."""
    if identity_repo.get_subject(conn, subject_key) is None:
        raise NotFound(f"subject {subject_key} not registered", "平台暂无该主体的信用记录")
    ordinary = eligibility(conn, deps, subject_key, today)
    bankrupt = {
        e.target.entry_id: e for e in eligibility(conn, deps, subject_key, today, BANKRUPTCY)
    }
    records = [_eligibility_json(e, bankrupt.get(e.target.entry_id)) for e in ordinary]
    # People read the deciding unit's name; the code stays beside it.
    names = {d["code"]: d["name"] for d in access_repo.list_departments(conn)}
    for r in records:
        r["record"]["department_name"] = names.get(r["record"]["department"])
    return {
        "as_of": today.isoformat(),
        "subject": subject_view(conn, subject_key),
        "commitment_text": deps.regimes.commitment_text,
        "records": records,
    }


# -- applying -------------------------------------------------------------------------------


def apply(
    conn: Connection,
    deps: Deps,
    *,
    subject_key: str,
    record: int,
    kind: str,
    commitment_signed: bool,
    signatory: str,
    materials: Sequence[attachments.Upload],
    actor: str,
    now: dt.datetime,
    note: str = "",
    training_certificate: str | None = None,
) -> Case:
    """Open a repair case for one record of the subject, refused with every reason when the
    record is not eligible, already has an open application, or the commitment or materials
    are missing or refused (nothing is written then). Where the regime requires integrity
    education the application cites one of the subject's certificates
    (``training_certificate``); one cited is checked in any case."""
    today = _today(now)
    if kind not in KIND_LABELS:
        options = "、".join(f"{k}（{v}）" for k, v in KIND_LABELS.items())
        raise InputError(f"kind {kind!r}", f"kind（申请类型）“{kind}”无效，可选：{options}")
    target = next(
        (t for t in _targets(conn, deps, subject_key, today) if t.entry_id == record), None
    )
    if target is None:
        raise NotFound(
            f"record {record} is no repairable record of the subject",
            f"record（记录编号）{record} 不是该主体公示中的失信信息或在列名单，不能申请信用修复",
        )
    open_id = _open_case_of(conn, subject_key, target)
    if open_id is not None:
        raise DuplicateApplication(
            f"record {record} has open repair case {open_id}",
            f"该记录已有正在办理的信用修复申请（办件 {open_id}），不能重复申请",
        )
    regime = _regime(deps, target, today)
    certs = _certificates(conn, deps, subject_key)
    ev = evaluate(
        regime,
        target,
        today=today,
        kind=kind,
        later_penalties=_later_penalties(conn, deps, subject_key),
        fraud_bar_until=fraud_bar_until(conn, deps, subject_key),
        training_certificates=certs,
    )
    if not ev.eligible:
        when = f"（{ev.eligible_from.isoformat()} 起可申请）" if ev.eligible_from else ""
        raise NotEligible(
            f"record {record} is not eligible ({ev.result})",
            "该记录暂不能申请信用修复" + when + "：" + "；".join(ev.reasons()),
        )
    signatory = signatory.strip()
    if regime.commitment_required and not commitment_signed:
        raise InputError(
            "the credit commitment must be signed",
            f"commitment_signed（信用承诺）：申请信用修复须签署信用承诺书（{_basis_text(regime)}）",
        )
    if regime.commitment_required and not signatory:
        raise InputError("signatory missing", "signatory（承诺人）：请填写签署承诺的人的姓名")
    if len(signatory) > SIGNATORY_MAX:
        raise InputError(
            "signatory too long", f"signatory（承诺人）不得超过 {SIGNATORY_MAX} 个字符"
        )
    cited = _cited_certificate(regime, target, kind, certs, training_certificate)
    checked = attachments.check_uploads(materials, deps.attachment_policy)
    if not checked:
        what = "人民法院的裁定书" if kind == BANKRUPTCY else "纠正失信行为、履行义务的证明材料"
        raise InputError("materials missing", f"materials（申请材料）：请上传{what}")
    days = deadlines(regime, target)
    params: dict[str, object] = {
        "kind": kind,
        "record": target.entry_id,
        "item": target.item_code,
        "record_key": target.record_key,
        "subject_key": subject_key,
        "list_case": target.list_case,
        "regime": regime.code,
        "regime_version": regime.version,
        # A bankruptcy case's first deadline is the masking within the regime's days.
        "acceptance_working_days": days["bankruptcy_working_days"]
        if kind == BANKRUPTCY
        else days["acceptance_working_days"],
        "decision_working_days": days["decision_working_days"],
        "extension_working_days": days["extension_working_days"],
        "data_processing_working_days": days["data_processing_working_days"],
        "commitment_sha256": hashlib.sha256(deps.regimes.commitment_text.encode()).hexdigest(),
        "commitment_signatory": signatory,
        "commitment_signed_at": now.isoformat(),
    }
    if cited is not None:
        params["training_certificate"] = cited
    case = cases.open_case(
        conn,
        WORKFLOW,
        subject_key=subject_key,
        department_code=target.department_code,
        params=params,
        actor=actor,
        now=now,
        calendar=deps.calendar,
        catalogue_version=deps.catalogue.snapshot.version,
        note=note,
    )
    attachments.attach(conn, deps.data_dir, case.id, 1, checked, actor=actor, now=now)
    _emit(conn, case, "submit", now, None)
    return case


def _cited_certificate(
    regime: RepairRegime,
    target: Target,
    kind: str,
    certificates: tuple[tuple[str, dt.date], ...],
    cited: str | None,
) -> str | None:
    """The certificate the application cites, checked: the subject's own and, where the
    regime requires training, from a session after the finding; required there."""
    number = (cited or "").strip()
    needed = regime.requires_training and kind == ORDINARY
    if not number:
        if needed:
            raise InputError(
                "a training certificate must be cited",
                "training_certificate（诚信教育证书）：该修复规则要求申请前参加诚信教育，"
                "请填写所取得的证书编号",
            )
        return None
    own = valid_certificates(target, certificates) if needed else [n for n, _ in certificates]
    if number not in own:
        shown = number[:40]
        raise InputError(
            "training certificate not of this subject",
            f"training_certificate（诚信教育证书）“{shown}”不存在、不属于该主体"
            + ("或取得于失信行为认定之前" if needed else ""),
        )
    return number


def _basis_text(regime: RepairRegime) -> str:
    b = regime.commitment_basis or regime.legal_basis[0]
    return (
        f"{b.title}{(' ' + b.doc_no) if b.doc_no else ''}{(' ' + b.articles) if b.articles else ''}"
    )


# -- steps ----------------------------------------------------------------------------------


def get_repair(conn: Connection, case_id: int) -> Case:
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
    subject_key: str | None = None,
    note: str = "",
    materials: Sequence[attachments.Upload] = (),
    expected_version: int | None = None,
) -> Case:
    """Take one step of a repair case (checked against state, role, the caller's department
    or subject, and the case's kind) with its effects on the record; refused before anything
    is written."""
    case = get_repair(conn, case_id)
    wf = CREDIT_REPAIR
    t = wf.transitions.get(name)
    if t is None:
        options = "、".join(f"{n}（{x.label}）" for n, x in wf.transitions.items())
        raise InputError(f"no step {name!r}", f"name“{name}”不是信用修复的操作，可选：{options}")
    if role == "department" and department_code != case.department_code:
        raise PermissionDenied(
            f"case {case.id} belongs to {case.department_code}",
            "该信用修复办件由作出认定的部门办理（谁认定、谁修复），本部门无权办理",
        )
    if role == "subject" and subject_key != case.subject_key:
        raise NotFound(f"case {case.id} of another subject", f"办件 {case.id} 不存在")
    kind = str(case.params.get("kind"))
    if (kind == BANKRUPTCY and name in ORDINARY_ONLY - {"accept"}) or (
        kind == ORDINARY and name in BANKRUPTCY_ONLY
    ):
        raise InputError(
            f"{name} does not apply to a {kind} case",
            f"“{t.label}”不适用于“{KIND_LABELS.get(kind, kind)}”办件",
        )
    if kind == BANKRUPTCY and name == "accept":
        raise InputError(
            "a bankruptcy case is masked, not accepted",
            "破产重整临时修复办件直接决定临时修复（mask）或不予修复（refuse）",
        )
    wf.check(case.state, name, role)  # state and role, before the other checks
    note = note.strip()
    if name in NOTE_REQUIRED and not note:
        raise InputError(f"{name} needs a note", f"note（说明）：{NOTE_REQUIRED[name]}")
    today = _today(now)
    if name == "extend":
        if int(cast(int, case.params.get("extension_working_days") or 0)) <= 0:
            raise InputError("no extension in this regime", "该修复规则不允许延长决定期限")
        due = case.deadline
        if due is not None and today > act_on(wf.states[case.state], due):
            raise Conflict(
                "decision deadline passed; no extension",
                f"决定期限已于 {act_on(wf.states[case.state], due).isoformat()} 届满，不能再延长",
            )
    checked = attachments.check_uploads(materials, deps.attachment_policy)
    if name == "complete" and not checked:
        raise InputError("materials missing", "materials（补正材料）：请上传需补正的材料")
    if name in ("approve", "complete_plan", "mask"):
        _require_current(conn, deps, case, mask=name == "complete_plan")
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
    if checked:
        attachments.attach(
            conn, deps.data_dir, case.id, len(case.events), checked, actor=actor, now=now
        )
    entry = _effect(conn, deps, case, name, actor=actor, now=now)
    _emit(conn, case, name, now, entry)
    return case


def _current_entry(conn: Connection, case: Case) -> StoredEntry:
    found = ledger.latest_by_record(
        conn, str(case.params["item"]), [str(case.params["record_key"])], case.department_code
    ).get(str(case.params["record_key"]))
    if found is None or found[2] == "revoke":
        raise Conflict(
            f"record of case {case.id} was revoked", "该记录已被撤销，无需修复，请决定不予修复"
        )
    return ledger.entry(conn, found[0])


def _require_current(conn: Connection, deps: Deps, case: Case, *, mask: bool) -> None:
    if case.params.get("list_case") is not None:
        list_case = int(cast(int, case.params["list_case"]))
        if mask:  # completing the plan: the listing is suspended by this case's masking
            if cases.get(conn, list_case).state != "suspended":
                raise Conflict("listing not suspended", "该名单未处于临时修复（暂停列入）状态")
            return
        membership = lists_repo.open_membership_of_case(conn, list_case)
        if membership is None:
            raise Conflict("listing ended", "该名单已移出，无需修复，请决定不予修复")
        return
    current = _current_entry(conn, case)
    expected = MASK_ACTION if mask else None
    if expected is None and current.action in REPAIR_REASONS:
        raise Conflict("already stopped", "该记录已停止公示")
    if expected is not None and current.action != expected:
        raise Conflict("not masked", "该记录未处于临时修复状态")


def _effect(
    conn: Connection, deps: Deps, case: Case, name: str, *, actor: str, now: dt.datetime
) -> int | None:
    list_case = case.params.get("list_case")
    if list_case is not None:
        _list_effect(conn, deps, case, int(cast(int, list_case)), name, actor=actor, now=now)
        return None
    if name in ("approve", "complete_plan"):
        return _restate(conn, deps, case, _current_entry(conn, case), REPAIR_ACTION, now)
    if name == "mask":
        return _restate(conn, deps, case, _current_entry(conn, case), MASK_ACTION, now)
    if name in ("void", "restore"):
        current = _current_entry(conn, case)
        if current.action not in REPAIR_REASONS:
            return None  # a correction since: the department's data already stands
        return _restate(conn, deps, case, current, "correct", now)
    return None


# A repair step's effect on a listing decided here, as a step of the list case: approval and
# a completed plan take the listing off, masking suspends it, a void or a failed plan lists
# the subject again (the list case's own steps write the ledger and the memberships).
LIST_STEPS = {
    "approve": ("repair_exit", {"published"}, "决定予以修复，移出名单"),
    "complete_plan": ("repair_exit", {"suspended"}, "重整计划执行完毕，予以修复，移出名单"),
    "mask": ("suspend", {"published"}, "破产重整临时修复，暂停列入"),
    "void": ("reinstate", {"repaired"}, "信用修复因弄虚作假被撤销，恢复列入"),
    "restore": ("reinstate", {"suspended"}, "重整计划未执行，恢复列入"),
}


def _list_effect(
    conn: Connection,
    deps: Deps,
    case: Case,
    list_case: int,
    name: str,
    *,
    actor: str,
    now: dt.datetime,
) -> None:
    found = LIST_STEPS.get(name)
    if found is None:
        return
    transition, states, label = found
    if cases.get(conn, list_case).state not in states:
        return  # the listing moved on since (expired, revoked): its own steps stand
    lists.advance(
        conn,
        deps.sanctions,
        deps.catalogue,
        deps.calendar,
        list_case,
        transition,
        actor=actor,
        role="system",
        now=now,
        note=f"信用修复办件 {case.id}：{label}",
    )


def _restate(
    conn: Connection,
    deps: Deps,
    case: Case,
    current: StoredEntry,
    action: str,
    now: dt.datetime,
) -> int:
    """Append the record again with ``action``: its own fields and decision date, its window
    as the record derives it (``correct``) or closed (``repair``/``mask``). Written as a
    batch of the platform's own (backfill: a restatement is never a department's late row)."""
    deriver = Deriver(deps.catalogue, deps.calendar)
    item = deriver.item_version(current.item_code, current.item_version)
    if item is None:
        raise Conflict(
            f"item version {current.item_code} {current.item_version} gone",
            f"信息目录中已没有该记录的信息项版本（{current.item_code} {current.item_version}）",
        )
    sector = access.require_department(conn, current.department_code)["sector"]
    values = cast(Mapping[str, str], current.payload)
    derived = deriver.record(
        RecordFacts(
            item=item,
            subject_kind=current.subject_kind,
            decision_date=current.decision_date,
            values=values,
            sector=sector,
            received_on=_today(now),
            backfill=True,
        )
    )
    if action in REPAIR_REASONS:
        derived = repaired(derived, action)
    entry_id = ledger.restate(
        conn,
        current,
        action=action,
        payload=current.payload,
        window=derived,
        disclosure=current.disclosure,
        channel="repair",
        source_name=f"信用修复办件 {case.id}",
        now=now,
        catalogue_version=deps.catalogue.snapshot.version,
        backfill=True,
    )
    if current.item_code in deps.sanctions.record_fed_items():
        projection.apply_entries(conn, deps.sanctions, deps.catalogue, [entry_id])
    return entry_id


def _emit(conn: Connection, case: Case, name: str, now: dt.datetime, entry: int | None) -> None:
    due = case.deadline
    events.emit(
        conn,
        REPAIR_EVENTS[name],
        subject_key=case.subject_key,
        payload={
            "case": case.id,
            "record": case.params.get("record"),
            "item": case.params.get("item"),
            "kind": case.params.get("kind"),
            "state": case.state,
            "department": case.department_code,
            "deadline": due.date.isoformat() if due else None,
            "provisional": bool(due and due.provisional),
            "entry": entry,
        },
        now=now,
    )


# -- reading ----------------------------------------------------------------------------------


def _row(conn: Connection, deps: Deps, case: Case, today: dt.date) -> dict[str, Any]:
    st = CREDIT_REPAIR.states[case.state]
    kind = str(case.params.get("kind"))
    regime = deps.regimes.regime(str(case.params.get("regime")))
    return {
        "id": case.id,
        "kind": kind,
        "kind_label": KIND_LABELS.get(kind, kind),
        "subject": subject_view(conn, case.subject_key),
        "department": case.department_code,
        "record": {
            "entry": case.params.get("record"),
            "item": case.params.get("item"),
            "number": _number(str(case.params.get("record_key"))),
            "list_case": case.params.get("list_case"),
        },
        "regime": {"code": regime.code, "name": regime.name},
        "state": case.state,
        "state_label": st.label,
        "terminal": st.terminal,
        "opened_at": case.opened_at.isoformat(),
        "due": views.due_view(st, case.deadline),
        "overdue": is_overdue(st, case.deadline, today),
        "version": case.version,
    }


def case_view(
    conn: Connection, deps: Deps, case_id: int, *, today: dt.date, role: str | None
) -> dict[str, Any]:
    """A repair case: state, deadline, overdue flag, the commitment, history with notes,
    materials, the steps open to ``role`` now, and for a refusal the remedies."""
    case = get_repair(conn, case_id)
    wf = CREDIT_REPAIR
    view = _row(conn, deps, case, today)
    regime = deps.regimes.regime(str(case.params.get("regime")))
    view["params"] = {k: v for k, v in case.params.items() if k != "subject_key"}
    view["commitment"] = {
        "text": deps.regimes.commitment_text,
        "sha256": case.params.get("commitment_sha256"),
        "signatory": case.params.get("commitment_signatory"),
        "signed_at": case.params.get("commitment_signed_at"),
        "training_certificate": case.params.get("training_certificate"),
    }
    view["history"] = views.history_view(
        wf, case.events, "提交信用修复申请", omit={"from_state", "due_on"}
    )
    view["attachments"] = views.attachments_view(attachments.of_case(conn, case.id))
    kind = str(case.params.get("kind"))
    view["transitions"] = views.steps_view(
        wf,
        case.state,
        role,
        offered=lambda t: (
            not (kind == ORDINARY and t.name in BANKRUPTCY_ONLY)
            and not (kind == BANKRUPTCY and t.name in ORDINARY_ONLY)
        ),
    )
    view["remedies"] = regime.remedies if case.state == "refused" else None
    bar = fraud_bar_until(conn, deps, case.subject_key) if case.state == "voided" else None
    view["fraud_bar_until"] = bar.isoformat() if bar else None
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
    """Repair cases soonest deadline first: those still to work on (or in ``state``), of one
    department or one subject when given, optionally only the overdue ones."""
    views.check_page(page, page_size)
    wf = CREDIT_REPAIR
    views.check_state(wf, state)
    states = {state} if state is not None else set(WORK_STATES)
    if overdue_only:
        states &= {s for s, st in wf.states.items() if st.deadline_param}
    fragment = json.dumps({"subject_key": subject_key})[1:-1] if subject_key else None
    found, total = cases_repo.find_cases(
        conn,
        WORKFLOW,
        department_code=department_code,
        states=states,
        due_before=today if overdue_only else None,
        params_fragment=fragment,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    rows = [_row(conn, deps, c, today) for c in found]
    return views.page_view(
        "repairs", rows, today=today, page=page, page_size=page_size, total=total
    )


# -- re-check sampling (复查) -----------------------------------------------------------------


def draw_sample(
    conn: Connection,
    deps: Deps,
    month: str,
    *,
    actor: str,
    now: dt.datetime,
    seed: str | None = None,
) -> dict[str, Any]:
    """Draw the month's re-check sample of approved repairs at the configured ratio (at least
    the configured minimum while there are any), recording seed, population and result so
    the draw can be replayed. One draw per month."""
    start, end = sampling.month_begun(month, now)
    if repo.sample_of_month(conn, month) is not None:
        raise Conflict(f"month {month} already drawn", f"{month} 的复查样本已抽取，不能重抽")
    population = repo.approved_between(conn, start, end)
    row = sampling.draw_row(
        month, population, deps.regimes.recheck, seed=seed, actor=actor, now=now
    )
    repo.insert_sample(conn, row)
    return sample_view(repo.sample_of_month(conn, month) or {})


# What an auditor recomputes from a recorded draw.
replay = sampling.replay


def sample_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return sampling.sample_view(row, row["drawn_at"].isoformat())


def samples(conn: Connection, limit: int = 24) -> list[dict[str, Any]]:
    return [sample_view(r) for r in repo.samples(conn, limit)]
