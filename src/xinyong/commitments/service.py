"""Use cases of credit commitments (信用承诺): signing, fulfilment, breach and repair, the
信用承诺专栏, the monthly 复核 draw and the coverage statistics.

Every commitment is a record of item XYCN in the ledger, restated at each step with its
履约状态: signed 履约中 (1), fulfilled 已履约 (2), breached 未履约 (3), false 虚假承诺 (4).
The check's FALSE_COMMITMENT bar (commitment.yaml) reads 3 and 4, so after a breach the
check answers commitment_allowed false; a repair restates the record with action ``repair``
(publication stops, the bar ends: 42号 "在信用修复前"); a false commitment is not repairable
early (令36 第二十五条). Signing asks the check itself whether the subject is barred.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.commitments import (
    FULFILMENT_LABELS,
    CommitmentCatalogue,
    Template,
    template_json,
)
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.checks import service as checks
from xinyong.commitments import repository as repo
from xinyong.commitments import rules
from xinyong.events import service as events
from xinyong.events.model import COMMITMENT_EVENTS, TRAINING_EVENTS
from xinyong.identity import repository as identity_repo
from xinyong.identity.pii import PiiVault
from xinyong.identity.resolve import resolve_subject, shown_code
from xinyong.kernel import sampling
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import Conflict, InputError, NotFound, PermissionDenied
from xinyong.ledger import service as ledger
from xinyong.ledger.model import entry_of
from xinyong.lists import casework
from xinyong.publication.derived import REPAIR_ACTION, Deriver, RecordFacts, repaired

CHECK_SCENARIO = "licensing"  # the check asked before a 告知承诺 (its bars do not vary by scenario)
ORGANISATION = "法人及非法人组织"


class SignRefused(Conflict):
    """A commitment that may not be signed: every reason, nothing written."""

    def __init__(self, refusals: Sequence[rules.Refusal]) -> None:
        super().__init__(
            "; ".join(r.en for r in refusals), "不予签署：" + "；".join(r.zh for r in refusals)
        )
        self.refusals = list(refusals)


@dataclass(frozen=True, slots=True)
class Deps:
    catalogue: Catalogue
    sanctions: SanctionsCatalogue
    calendar: WorkCalendar
    commitments: CommitmentCatalogue
    vault: PiiVault


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(CHINA_TZ).date()


def organisation_key(vault: PiiVault, code: str) -> str:
    """The subject key of an organisation's USCC; natural persons do not sign here."""
    try:
        key, kind, _ = resolve_subject(code, vault)
    except InputError as exc:
        raise InputError(
            f"subject {shown_code(code)}: {exc.message_en}",
            f"subject（统一社会信用代码）“{shown_code(code)}”无效：{exc.message_zh}",
        ) from None
    if kind != "organisation":
        raise InputError(
            "commitments are signed by organisations (USCC)",
            "subject：信用承诺须以统一社会信用代码签署（自然人不在此签署，其信息不公开）",
        )
    return key


# -- catalogue views ---------------------------------------------------------------------------


def templates_view(deps: Deps, day: dt.date) -> dict[str, Any]:
    cat = deps.commitments
    return {
        "types": [{"code": t.code, "label": t.name, "telling": t.telling} for t in cat.types],
        "types_basis": [b.as_json() for b in cat.types_basis],
        "classifications": [{"code": c.code, "label": c.name} for c in cat.classifications],
        "classifications_basis": [b.as_json() for b in cat.classifications_basis],
        "exclusions": [{"code": x.code, "label": x.name} for x in cat.exclusions],
        "exclusions_basis": [b.as_json() for b in cat.exclusions_basis],
        "items": [
            {
                "code": i.code,
                "name": i.name,
                "sector": i.sector,
                "open": i.open,
                "exclusion": i.exclusion,
                "exclusion_label": cat.exclusion(i.exclusion).name if i.exclusion else None,
                "legal_basis": [b.as_json() for b in i.legal_basis],
            }
            for i in cat.items
        ],
        "templates": [template_json(cat, t) for t in cat.in_force(day)],
    }


# -- the ledger record -----------------------------------------------------------------------


def _record_values(row: Mapping[str, Any], dept_name: str, status_code: str) -> dict[str, str]:
    return {
        "CN_ZTMC": str(row["subject_name"]),
        "CN_ZTLB": ORGANISATION,
        "CN_TYSHXYDM": str(row["subject_key"]),
        "CN_CNLX": str(row["type"]),
        "CN_CNSY": str(row["template_name"]),
        "CN_CNNR": str(row["text"]),
        "CN_CNRQ": row["signed_on"].isoformat(),
        "CN_SLDW": dept_name,
        "CN_LYZT": status_code,
        "CN_SJLY": dept_name,
    }


def _write(
    conn: Connection,
    deps: Deps,
    row: Mapping[str, Any],
    values: dict[str, str],
    *,
    action: str,
    supersedes: int | None,
    now: dt.datetime,
) -> int:
    """Append the commitment's XYCN record (``assert``, ``correct`` or ``repair``) with its
    window as the catalogue derives it; not public unless the template says 社会公开."""
    dept = access.require_department(conn, str(row["department_code"]))
    item = deps.catalogue.item(deps.commitments.breach.item, _today(now))
    deriver = Deriver(deps.catalogue, deps.calendar)
    derived = deriver.record(
        RecordFacts(
            item=item,
            subject_kind="organisation",
            decision_date=row["signed_on"],
            values=values,
            sector=dept["sector"],
            received_on=_today(now),
            backfill=True,
        )
    )
    if action == REPAIR_ACTION:
        derived = repaired(derived, action)
    public = derived.public and rules.public_on_column(str(row["disclosure"]))
    if not public:
        derived = replace(
            derived,
            public=False,
            public_from=None,
            public_until=None,
            window_reason="按承诺书公开范围不向社会公开",
        )
    entry = entry_of(
        subject_key=str(row["subject_key"]),
        subject_kind="organisation",
        item_code=item.code,
        item_version=item.version,
        record_key=f"{row['subject_key']}|{row['type']}|{row['signed_on'].isoformat()}|CN{row['id']}",
        action=action,
        supersedes_id=supersedes,
        decision_date=row["signed_on"],
        disclosure="社会公开" if public else "政务共享",
        payload=values,
        window=derived,
    )
    return ledger.append_single(
        conn,
        entry,
        department_code=str(row["department_code"]),
        channel="commitment",
        source_name=f"信用承诺 {row['id']}",
        now=now,
        catalogue_version=deps.catalogue.snapshot.version,
        format="promise",  # the batches column holds 8 characters
        backfill=True,
    )


def _emit(
    conn: Connection, row: Mapping[str, Any], step: str, entry: int | None, now: dt.datetime
) -> None:
    events.emit(
        conn,
        COMMITMENT_EVENTS[step],
        subject_key=str(row["subject_key"]),
        payload={
            "commitment": int(row["id"]),
            "entry": entry,
            "department": row["department_code"],
            "type": row["type"],
            "status": row["status"],
        },
        now=now,
    )


# -- signing -----------------------------------------------------------------------------------


def check_answer(
    conn: Connection,
    deps: Deps,
    subject: str,
    *,
    now: dt.datetime,
    actor: str,
    department_code: str | None,
) -> dict[str, Any]:
    """The check's answer for the subject (no receipt: signing records its own step)."""
    return dict(
        checks.check(
            conn,
            deps.sanctions,
            deps.vault,
            subject=subject,
            scenario=CHECK_SCENARIO,
            today=_today(now),
            now=now,
            actor=actor,
            department_code=department_code,
            record=lambda _row: None,
        )
    )


def _template(deps: Deps, code: str) -> Template:
    try:
        return deps.commitments.template(code.strip())
    except NotFound:
        raise InputError(
            f"unknown template {code!r}", f"template（承诺书模板）“{code}”不存在"
        ) from None


def sign(
    conn: Connection,
    deps: Deps,
    *,
    subject: str,
    template: str,
    department_code: str,
    channel: str,
    actor: str,
    now: dt.datetime,
    training_certificate: str | None = None,
) -> dict[str, Any]:
    """Sign ``template`` for the organisation ``subject`` (USCC), accepted by
    ``department_code``. Refused with every reason and nothing written when the template is
    out of force or has no legal basis, the item is not open to commitment, or the check
    bars the subject from 告知承诺 / 容缺受理."""
    t = _template(deps, template)
    key = organisation_key(deps.vault, subject)
    dept = access.require_department(conn, department_code)
    known = identity_repo.subject_labels(conn, [key]).get(key)
    if not known or not known.get("name"):
        raise NotFound(
            f"subject {key} not known to the platform",
            f"主体“{key}”尚未在平台登记（无其信用记录），请先由登记机关报送登记信息",
        )
    today = _today(now)
    answer = check_answer(conn, deps, key, now=now, actor=actor, department_code=department_code)
    refusals = rules.sign_refusals(
        deps.commitments,
        t,
        today,
        commitment_allowed=bool(answer["commitment_allowed"]),
        blocked_by=answer["commitment_blocked_by"],
    )
    if t.sector is not None and t.sector != dept["sector"]:
        refusals.append(
            rules.Refusal(
                "WRONG_DEPARTMENT",
                f"template {t.code} is accepted by sector {t.sector}",
                f"该承诺书由{t.sector}行业主管部门受理，“{dept['name']}”不能受理",
            )
        )
    cert = None
    if training_certificate:
        cert = repo.certificate(conn, training_certificate.strip())
        if cert is None or cert["subject_key"] != key:
            refusals.append(
                rules.Refusal(
                    "CERTIFICATE",
                    "certificate not of this subject",
                    f"诚信教育证书“{training_certificate}”不存在或不属于该主体",
                )
            )
    if refusals:
        raise SignRefused(refusals)
    due = deps.calendar.deadline(today, t.working_days) if t.working_days else None
    values: dict[str, Any] = {
        "subject_key": key,
        "subject_name": known["name"],
        "template": t.code,
        "template_version": deps.commitments.snapshot.version,
        "type": t.type,
        "classification": t.classification,
        "item": t.item,
        "department_code": dept["code"],
        "fulfilment": t.fulfilment,
        "disclosure": t.disclosure,
        "text": t.text,
        "materials": json.dumps(list(t.materials), ensure_ascii=False),
        "delivered": "[]",
        "status": rules.SIGNED,
        "signed_on": today,
        "due_date": due.date if due else None,
        "due_provisional": bool(due and due.provisional),
        "due_latest": due.latest if due else None,
        "channel": channel,
        "signed_by": actor,
        "signed_at": now,
        "training_certificate": cert["certificate"] if cert else None,
    }
    cid = repo.insert_commitment(conn, values)
    row = {**values, "id": cid, "template_name": t.name}
    entry = _write(
        conn,
        deps,
        row,
        _record_values(row, dept["name"], rules.LEDGER_STATUS[rules.SIGNED]),
        action="assert",
        supersedes=None,
        now=now,
    )
    repo.update_commitment(conn, cid, {"entry_id": entry})
    repo.insert_step(
        conn,
        {
            "commitment_id": cid,
            "step": "sign",
            "from_status": None,
            "to_status": rules.SIGNED,
            "actor": actor,
            "at": now,
            "note": rules.CHANNEL_LABELS.get(channel, channel),
            "entry_id": entry,
        },
    )
    _emit(conn, {**row, "status": rules.SIGNED}, "sign", entry, now)
    return view(conn, deps, cid)


# -- steps -------------------------------------------------------------------------------------


def _get(conn: Connection, cid: int, *, lock: bool = False) -> dict[str, Any]:
    row = repo.get_commitment(conn, cid, lock=lock)
    if row is None:
        raise NotFound(f"no commitment {cid}", f"信用承诺 {cid} 不存在")
    return row


def step(
    conn: Connection,
    deps: Deps,
    cid: int,
    name: str,
    *,
    actor: str,
    now: dt.datetime,
    department_code: str | None,
    materials: Sequence[str] = (),
    result: bool | None = None,
    note: str = "",
) -> dict[str, Any]:
    """One step of commitment ``cid`` by the accepting department (``department_code``; None:
    the credit office): ``deliver`` 容缺 materials, ``verify`` a 告知承诺 (result true/false),
    ``breach`` (the department finds it not kept), ``repair`` a breach (office or department,
    after the subject put it right). Refused with the reason, nothing changed."""
    if name not in ("deliver", "verify", "breach", "repair"):
        raise InputError(
            f"unknown step {name!r}",
            f"step（步骤）“{name}”不存在，可用：deliver、verify、breach、repair",
        )
    row = _get(conn, cid, lock=True)
    if department_code is not None and row["department_code"] != department_code:
        raise PermissionDenied(
            "only the accepting department works this commitment",
            "该承诺由其他部门受理，本部门不能办理",
        )
    note = note.strip()
    if name in ("breach", "repair") and not note:
        raise InputError(
            f"{name} needs a note", "note（说明）：认定未履约或信用修复须写明事实和依据"
        )
    if name == "verify" and result is None:
        raise InputError(
            "verify needs a result", "result（核查结果）须为 true（属实）或 false（不实）"
        )
    if (
        name in ("deliver", "verify")
        and row["fulfilment"] != {"deliver": "materials", "verify": "verification"}[name]
    ):
        try:
            rules.next_status(str(row["status"]), name, str(row["fulfilment"]))
        except ValueError as exc:
            raise Conflict(str(exc.args[0]), str(exc.args[1])) from None
    promised = cast(list[str], json.loads(row["materials"]))
    delivered = cast(list[str], json.loads(row["delivered"]))
    if name == "deliver":
        if not materials:
            raise InputError("no materials named", "materials（材料）：请写明提交的材料名称")
        unknown = [m for m in materials if m not in promised]
        if unknown:
            raise InputError(
                f"materials not promised: {unknown}",
                f"materials（材料）“{'、'.join(unknown)}”不在承诺补交的材料中（{'、'.join(promised)}）",
            )
        delivered = list(dict.fromkeys([*delivered, *materials]))
    breach = deps.commitments.breach
    try:
        to = rules.next_status(
            str(row["status"]),
            name,
            str(row["fulfilment"]),
            result=result,
            complete=not rules.missing(promised, delivered),
        )
    except ValueError as exc:
        if name == "repair" and row["status"] == rules.FALSE:
            b = breach.not_repairable_basis
            raise Conflict(
                "a false commitment is not repairable early",
                f"{breach.not_repairable_reason}（{b.title}{b.doc_no and '（' + b.doc_no + '）'}{b.articles}）",
            ) from None
        raise Conflict(str(exc.args[0]), str(exc.args[1])) from None
    return _apply(conn, deps, row, name, to, actor=actor, now=now, note=note, delivered=delivered)


def _apply(
    conn: Connection,
    deps: Deps,
    row: dict[str, Any],
    name: str,
    to: str,
    *,
    actor: str,
    now: dt.datetime,
    note: str,
    delivered: Sequence[str],
) -> dict[str, Any]:
    today = _today(now)
    breach = deps.commitments.breach
    entry: int | None = None
    changes: dict[str, Any] = {"delivered": json.dumps(list(delivered), ensure_ascii=False)}
    if to != row["status"]:
        dept = access.require_department(conn, str(row["department_code"]))
        t = deps.commitments.template(str(row["template"]))
        full = {**row, "template_name": t.name}
        code = {
            rules.FULFILLED: rules.LEDGER_STATUS[rules.FULFILLED],
            rules.BREACHED: breach.breached_status,
            rules.FALSE: breach.false_status,
            rules.REPAIRED: breach.breached_status,
        }[to]
        values = _record_values(full, dept["name"], code)
        if to in (rules.BREACHED, rules.FALSE, rules.REPAIRED):
            found = _found_on(conn, int(row["id"])) if to == rules.REPAIRED else today
            values["CN_RDRQ"] = found.isoformat()
        entry = _write(
            conn,
            deps,
            full,
            values,
            action=REPAIR_ACTION if to == rules.REPAIRED else "correct",
            supersedes=row["entry_id"],
            now=now,
        )
        changes.update(status=to, entry_id=entry, closed_on=today)
    repo.update_commitment(conn, int(row["id"]), changes)
    repo.insert_step(
        conn,
        {
            "commitment_id": row["id"],
            "step": name,
            "from_status": row["status"],
            "to_status": to,
            "actor": actor,
            "at": now,
            "note": note,
            "entry_id": entry,
        },
    )
    _emit(conn, {**row, "status": to}, name, entry, now)
    return view(conn, deps, int(row["id"]))


def _found_on(conn: Connection, cid: int) -> dt.date:
    """When the breach was found (the bar's start): the day of its breach step."""
    for s in reversed(repo.steps_of(conn, cid)):
        if s["to_status"] == rules.BREACHED:
            at = s["at"] if s["at"].tzinfo else s["at"].replace(tzinfo=dt.UTC)
            return _today(at)
    raise Conflict("no breach step", "该承诺没有未履约认定")


def sweep_overdue(conn: Connection, deps: Deps, *, now: dt.datetime, actor: str) -> list[int]:
    """Every 容缺 promise whose (latest) deadline has passed without the materials: breached."""
    today = _today(now)
    out = []
    for cid in repo.overdue_candidates(conn, today):
        row = _get(conn, cid, lock=True)
        if not rules.is_overdue(
            str(row["status"]), str(row["fulfilment"]), row["due_latest"], today
        ):
            continue
        missing = rules.missing(json.loads(row["materials"]), json.loads(row["delivered"]))
        _apply(
            conn,
            deps,
            row,
            "overdue",
            rules.BREACHED,
            actor=actor,
            now=now,
            note=f"承诺期限{row['due_date'].isoformat()}届满，未补齐：{'、'.join(missing)}",
            delivered=json.loads(row["delivered"]),
        )
        out.append(cid)
    return out


def propose_listing(
    conn: Connection,
    deps: Deps,
    cid: int,
    *,
    list_type: str,
    department_code: str,
    actor: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """Open a list proposal (拟列入) for the subject of a breached or false commitment: offered,
    never automatic; the list kernel's own rules (sector, open cases) decide the rest."""
    row = _get(conn, cid)
    if row["department_code"] != department_code:
        raise PermissionDenied(
            "only the accepting department", "该承诺由其他部门受理，本部门不能据此提出拟列入"
        )
    if row["status"] not in (rules.BREACHED, rules.FALSE):
        raise Conflict(
            "only a breach opens a list proposal", "只有未履约或虚假承诺可据以提出拟列入"
        )
    case = casework.propose_subject(
        conn,
        deps.sanctions,
        deps.calendar,
        deps.vault,
        list_type=list_type,
        subject=str(row["subject_key"]),
        department_code=department_code,
        actor=actor,
        now=now,
        catalogue_version=deps.catalogue.snapshot.version,
        note=f"依据信用承诺 {cid}（{rules.STATUS_LABELS[str(row['status'])]}）提出",
    )
    return {"commitment": cid, "list_case": case.id}


# -- views -------------------------------------------------------------------------------------


def _dept_names(conn: Connection, codes: Sequence[str]) -> dict[str, str]:
    out = {}
    for c in set(codes):
        try:
            out[c] = str(access.require_department(conn, c)["name"])
        except NotFound:
            out[c] = c
    return out


def _row_view(
    deps: Deps,
    row: Mapping[str, Any],
    dept_name: str,
    *,
    public: bool = False,
    today: dt.date | None = None,
) -> dict[str, Any]:
    cat = deps.commitments
    t = cat.template(str(row["template"]))
    item = cat.item(str(row["item"])) if row["item"] else None
    out: dict[str, Any] = {
        "id": int(row["id"]),
        "subject": {"code": row["subject_key"], "name": row["subject_name"]},
        "template": row["template"],
        "template_label": t.name,
        "type": row["type"],
        "type_label": cat.type(str(row["type"])).name,
        "classification": row["classification"],
        "classification_label": cat.classification(str(row["classification"])).name,
        "item": row["item"],
        "item_label": item.name if item else None,
        "department": row["department_code"],
        "department_label": dept_name,
        "status": row["status"],
        "status_label": rules.STATUS_LABELS[str(row["status"])],
        "signed_on": row["signed_on"].isoformat(),
        "text": row["text"],
        "disclosure": row["disclosure"],
        "legal_basis": [b.as_json() for b in t.legal_basis],
    }
    if public:
        return out
    out.update(
        fulfilment=row["fulfilment"],
        fulfilment_label=FULFILMENT_LABELS.get(str(row["fulfilment"]), str(row["fulfilment"])),
        materials=json.loads(row["materials"]),
        delivered=json.loads(row["delivered"]),
        due_date=row["due_date"].isoformat() if row["due_date"] else None,
        due_provisional=bool(row["due_provisional"]),
        due_latest=row["due_latest"].isoformat() if row["due_latest"] else None,
        channel=row["channel"],
        channel_label=rules.CHANNEL_LABELS.get(str(row["channel"]), str(row["channel"])),
        closed_on=row["closed_on"].isoformat() if row["closed_on"] else None,
        entry=row["entry_id"],
        training_certificate=row["training_certificate"],
        list_proposal_offered=row["status"] in (rules.BREACHED, rules.FALSE),
    )
    if today is not None:
        out["overdue"] = rules.past_due(str(row["status"]), row["due_date"], today)
    return out


def view(conn: Connection, deps: Deps, cid: int, *, today: dt.date | None = None) -> dict[str, Any]:
    """One commitment with its steps; with ``today`` also its overdue flag and the steps
    still open to the accepting department (the console's forms)."""
    row = _get(conn, cid)
    out = _row_view(
        deps,
        row,
        _dept_names(conn, [str(row["department_code"])])[str(row["department_code"])],
        today=today,
    )
    if today is not None:
        out["open_steps"] = [
            {"step": s, "label": rules.STEP_LABELS[s]}
            for s in rules.open_steps(str(row["status"]), str(row["fulfilment"]))
        ]
    out["steps"] = [
        {
            "step": s["step"],
            "step_label": rules.STEP_LABELS.get(s["step"], s["step"]),
            "from_status": s["from_status"],
            "to_status": s["to_status"],
            "to_status_label": rules.STATUS_LABELS[s["to_status"]],
            "actor": s["actor"],
            "at": _at(s["at"]),
            "note": s["note"],
            "entry": s["entry_id"],
        }
        for s in repo.steps_of(conn, cid)
    ]
    return out


def _at(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(CHINA_TZ).isoformat()


def find(
    conn: Connection,
    deps: Deps,
    *,
    subject_key: str | None = None,
    type_: str | None = None,
    department_code: str | None = None,
    status: str | None = None,
    public: bool = False,
    limit: int = 20,
    offset: int = 0,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Commitments, newest first; ``public``: only those the 信用承诺专栏 shows (社会公开), with
    the public fields only; with ``today`` each internal one says whether it is overdue."""
    rows, total = repo.find(
        conn,
        subject_key=subject_key,
        type_=type_,
        department_code=department_code,
        status=status,
        disclosure="社会公开" if public else None,
        limit=limit,
        offset=offset,
    )
    names = _dept_names(conn, [str(r["department_code"]) for r in rows])
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [
            _row_view(deps, r, names[str(r["department_code"])], public=public, today=today)
            for r in rows
        ],
    }


def public_view(conn: Connection, deps: Deps, cid: int) -> dict[str, Any]:
    row = _get(conn, cid)
    if not rules.public_on_column(str(row["disclosure"])):
        raise NotFound(f"no public commitment {cid}", f"信用承诺 {cid} 不存在或不公开")
    return _row_view(
        deps,
        row,
        _dept_names(conn, [str(row["department_code"])])[str(row["department_code"])],
        public=True,
    )


def statistics(conn: Connection, deps: Deps, *, department: str | None = None) -> dict[str, Any]:
    """Coverage: commitments per type (all four, zero included), per licensing item open to
    commitment (zero included) and per department, each with counts per status;
    ``department`` counts only the commitments it accepted."""
    cat = deps.commitments
    counts = [c for c in repo.counts(conn) if department is None or c["department"] == department]
    names = _dept_names(conn, [str(c["department"]) for c in counts])

    def tally(pred: Any) -> dict[str, Any]:
        by = dict.fromkeys(rules.STATUS_LABELS, 0)
        for c in counts:
            if pred(c):
                by[c["status"]] += c["count"]
        return {"total": sum(by.values()), "by_status": by}

    return {
        "status_labels": rules.STATUS_LABELS,
        "by_type": [
            {"type": t.code, "label": t.name, **tally(lambda c, code=t.code: c["type"] == code)}
            for t in cat.types
        ],
        "by_item": [
            {"item": i.code, "label": i.name, **tally(lambda c, code=i.code: c["item"] == code)}
            for i in cat.items
            if i.open
        ],
        "by_department": [
            {"department": d, "label": names[d], **tally(lambda c, code=d: c["department"] == code)}
            for d in sorted({str(c["department"]) for c in counts})
        ],
    }


# -- the monthly 复核 draw ---------------------------------------------------------------------


def draw_sample(
    conn: Connection,
    deps: Deps,
    month: str,
    *,
    actor: str,
    now: dt.datetime,
    seed: str | None = None,
) -> dict[str, Any]:
    """Draw the month's 复核 sample of commitments fulfilled in it, recording seed and
    population so an auditor can replay it. One draw per month."""
    start, end = sampling.month_begun(month, now)
    if repo.sample_of_month(conn, month) is not None:
        raise Conflict(f"month {month} already drawn", f"{month} 的复核样本已抽取，不能重抽")
    population = repo.fulfilled_between(conn, start, end)
    row = sampling.draw_row(
        month, population, deps.commitments.recheck, seed=seed, actor=actor, now=now
    )
    repo.insert_sample(conn, row)
    return sample_view(repo.sample_of_month(conn, month) or {})


# What an auditor recomputes from a recorded draw.
replay = sampling.replay


def sample_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return sampling.sample_view(row, _at(row["drawn_at"]))


def samples(conn: Connection, limit: int = 24) -> list[dict[str, Any]]:
    return [sample_view(r) for r in repo.samples(conn, limit)]


# -- integrity education (诚信教育) -------------------------------------------------------------
# Sessions organised by a department (or by the credit office for a department), attendance
# of an organisation with its legal representative masked, and the certificate a repair
# application cites where the regime makes training a step of repair (Shaanxi 2018 (十六)).
# Free of charge and never a condition of market entry (35号文 (二)): no fee is modelled and
# nothing outside repair asks for a certificate. Every write is audited and emits an event.


def _training(conn: Connection, tid: int) -> dict[str, Any]:
    row = repo.get_training(conn, tid)
    if row is None:
        raise NotFound(f"no training {tid}", f"诚信教育培训 {tid} 不存在")
    return row


def _own_training(row: Mapping[str, Any], acting_department: str | None, what: str) -> None:
    if acting_department is not None and row["department_code"] != acting_department:
        raise PermissionDenied(
            f"training {row['id']} is organised by another department",
            f"该培训由其他部门组织，本部门不能{what}",
        )


def create_training(
    conn: Connection,
    *,
    title: str,
    held_on: dt.date,
    place: str,
    department_code: str,
    acting_department: str | None,
    actor: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """A session organised by ``department_code``; a department officer (``acting_department``)
    organises only for its own department, the credit office (None) for any."""
    problems = rules.training_problems(title, place)
    if problems:
        raise InputError("bad training fields", "；".join(problems))
    code = department_code.strip()
    if acting_department is not None and code != acting_department:
        raise PermissionDenied(
            "a department organises its own sessions",
            f"department（组织部门）“{code}”不是本部门，部门只能为本部门组织诚信教育",
        )
    try:
        dept = access.require_department(conn, code)
    except NotFound:
        raise InputError(
            f"unknown department {code}", f"department（组织部门）“{code}”未登记"
        ) from None
    tid = repo.insert_training(
        conn,
        {
            "title": title.strip(),
            "held_on": held_on,
            "place": place.strip(),
            "department_code": dept["code"],
            "created_by": actor,
            "created_at": now,
        },
    )
    access.audit(
        conn,
        actor,
        "create_training",
        f"training:{tid}",
        now,
        detail={"department": dept["code"], "held_on": held_on.isoformat()},
    )
    return training_view(conn, tid)


def attend(
    conn: Connection,
    deps: Deps,
    tid: int,
    *,
    subject: str,
    representative: str,
    representative_id: str = "",
    acting_department: str | None,
    actor: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """Record that the organisation ``subject`` (USCC) attended session ``tid`` with its legal
    representative (stored masked only). Refused, nothing written: an unknown subject, a
    session not yet held, a second attendance, another department's session."""
    row = _training(conn, tid)
    _own_training(row, acting_department, "登记参训")
    today = _today(now)
    key = organisation_key(deps.vault, subject)
    known = identity_repo.subject_labels(conn, [key]).get(key)
    if not known or not known.get("name"):
        raise NotFound(
            f"subject {key} not known to the platform",
            f"subject（统一社会信用代码）“{key}”尚未在平台登记，不能登记参训",
        )
    masked, problem = rules.masked_representative(representative, representative_id, today)
    if problem:
        raise InputError("bad representative", problem)
    refusal = rules.attendance_refusal(row["held_on"], today)
    if refusal:
        raise Conflict("training not yet held", refusal)
    if repo.attendance(conn, tid, key) is not None:
        raise Conflict(
            "attendance already recorded",
            f"主体“{known['name']}”本次培训的参训已登记，不能重复登记",
        )
    repo.insert_attendance(
        conn,
        {
            "training_id": tid,
            "subject_key": key,
            "subject_name": known["name"],
            "representative_masked": masked,
            "recorded_by": actor,
            "recorded_at": now,
        },
    )
    access.audit(
        conn, actor, "record_training_attendance", f"training:{tid}", now, detail={"subject": key}
    )
    _emit_training(conn, "attend", row, key, None, now)
    return training_view(conn, tid)


def certify(
    conn: Connection,
    tid: int,
    subject: str,
    *,
    vault: PiiVault,
    acting_department: str | None,
    actor: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """Issue the certificate of the attendee ``subject`` of session ``tid`` (once, on or after
    the session's day); returns the attendance with its number."""
    row = _training(conn, tid)
    _own_training(row, acting_department, "发放证书")
    key = organisation_key(vault, subject)
    att = repo.attendance(conn, tid, key)
    if att is None:
        raise Conflict("not an attendee", f"主体“{key}”未登记参加本次培训，不能发放诚信教育证书")
    refusal = rules.certificate_refusal(row["held_on"], _today(now), att["certificate"])
    if refusal:
        raise Conflict("certificate refused", refusal)
    number = rules.certificate_number(row["held_on"], str(row["department_code"]), int(att["id"]))
    repo.certify(conn, int(att["id"]), number, now)
    access.audit(
        conn,
        actor,
        "issue_training_certificate",
        f"training:{tid}",
        now,
        detail={"subject": key, "certificate": number},
    )
    _emit_training(conn, "certify", row, key, number, now)
    return _attendance_view({**att, "certificate": number, "certified_at": now})


def _emit_training(
    conn: Connection,
    step: str,
    row: Mapping[str, Any],
    subject_key: str,
    certificate: str | None,
    now: dt.datetime,
) -> None:
    payload: dict[str, Any] = {
        "training": int(row["id"]),
        "department": row["department_code"],
        "held_on": row["held_on"].isoformat(),
    }
    if certificate is not None:
        payload["certificate"] = certificate
    events.emit(conn, TRAINING_EVENTS[step], subject_key=subject_key, payload=payload, now=now)


def _attendance_view(a: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "subject": {"code": a["subject_key"], "name": a["subject_name"]},
        "representative": a["representative_masked"],
        "certificate": a["certificate"],
        "certified_at": _at(a["certified_at"]) if a["certified_at"] else None,
        "recorded_by": a["recorded_by"],
        "recorded_at": _at(a["recorded_at"]),
    }


def _training_row(
    row: Mapping[str, Any], dept_name: str, counts: tuple[int, int] = (0, 0)
) -> dict[str, Any]:
    return {
        "id": int(row["id"]),
        "title": row["title"],
        "held_on": row["held_on"].isoformat(),
        "place": row["place"],
        "department": row["department_code"],
        "department_label": dept_name,
        "free_of_charge": True,
        "market_entry_condition": False,
        "attendees": counts[0],
        "certified": counts[1],
        "created_by": row["created_by"],
        "created_at": _at(row["created_at"]),
    }


def training_view(conn: Connection, tid: int) -> dict[str, Any]:
    """A session with its attendance (representatives masked) and certificates."""
    row = _training(conn, tid)
    code = str(row["department_code"])
    people = repo.attendance_of(conn, tid)
    out = _training_row(
        row,
        _dept_names(conn, [code])[code],
        (len(people), sum(1 for a in people if a["certificate"])),
    )
    out["attendance"] = [_attendance_view(a) for a in people]
    return out


def find_trainings(
    conn: Connection, *, department_code: str | None = None, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """Sessions, the latest first (a department: its own)."""
    rows, total = repo.list_trainings(conn, limit, offset, department_code)
    names = _dept_names(conn, [str(r["department_code"]) for r in rows])
    counts = repo.attendance_counts(conn, [int(r["id"]) for r in rows])
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [
            _training_row(r, names[str(r["department_code"])], counts.get(int(r["id"]), (0, 0)))
            for r in rows
        ],
    }


def subject_trainings(conn: Connection, subject_key: str) -> list[dict[str, Any]]:
    """The sessions an organisation attended and its certificates (its own account page)."""
    rows = repo.trainings_of_subject(conn, subject_key)
    names = _dept_names(conn, [str(r["department_code"]) for r in rows])
    return [
        {
            "training": int(r["training_id"]),
            "title": r["title"],
            "held_on": r["held_on"].isoformat(),
            "place": r["place"],
            "department": r["department_code"],
            "department_label": names[str(r["department_code"])],
            "representative": r["representative_masked"],
            "certificate": r["certificate"],
            "certified_at": _at(r["certified_at"]) if r["certified_at"] else None,
        }
        for r in rows
    ]


def certificates_for_repair(conn: Connection, subject_key: str) -> list[tuple[str, dt.date]]:
    """(certificate, session day) of every certificate the subject holds: what repair reads
    (wired by the composition root, repair sits below this context)."""
    return [
        (str(r["certificate"]), r["held_on"])
        for r in repo.trainings_of_subject(conn, subject_key)
        if r["certificate"]
    ]
