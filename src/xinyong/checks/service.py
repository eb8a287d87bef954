"""The check at every transaction (逢办必查): what applies to this subject in this scenario.

The answer is read from the subject's status row (a key lookup) and the in-memory measures
index; it never scans the ledger. A natural person's check also follows their relations to
listed organisations, for measures whose targets include that role.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import Connection, insert, select

from xinyong.catalog.sanctions import Measure, SanctionsCatalogue
from xinyong.checks.tables import check_feedback, check_receipts
from xinyong.identity import repository as identity_repo
from xinyong.identity.model import ROLE_LABELS
from xinyong.identity.pii import PiiVault
from xinyong.identity.ric import check_resident_id, mask_resident_id
from xinyong.identity.uscc import check_uscc
from xinyong.kernel.errors import InputError, NotFound
from xinyong.ledger import repository as ledger_repo
from xinyong.lists.tables import subject_status
from xinyong.publication.rules import add_months


def resolve_subject(raw: str, vault: PiiVault) -> tuple[str, str, str]:
    """(subject key, kind, shown identifier) for a USCC or a resident ID number."""
    text = raw.strip().upper()
    if len(text) == 18 and not text[:17].isdigit():
        check = check_uscc(text)
        if not check.valid:
            raise InputError(
                "; ".join(i.message_en for i in check.errors),
                "；".join(i.message_zh for i in check.errors),
            )
        return check.code, check.subject_kind, check.code
    ident = check_resident_id(text)
    if not ident.valid:
        raise InputError(
            "; ".join(i.message_en for i in ident.errors),
            "；".join(i.message_zh for i in ident.errors)
            or "既不是统一社会信用代码也不是身份证号码",
        )
    return vault.subject_key(ident.number), "person", mask_resident_id(ident.number)


def _active(memberships: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    out = []
    for m in memberships:
        listed = dt.date.fromisoformat(m["listed_on"])
        until = dt.date.fromisoformat(m["until"]) if m["until"] else None
        exited = dt.date.fromisoformat(m["exited_on"]) if m["exited_on"] else None
        if (
            listed <= today
            and (until is None or today < until)
            and (exited is None or today < exited)
        ):
            out.append(m)
    return out


def _status(conn: Connection, key: str) -> tuple[list[dict[str, Any]], int]:
    row = conn.execute(
        select(subject_status.c.memberships, subject_status.c.data_version).where(
            subject_status.c.subject_key == key
        )
    ).first()
    if row is None:
        return [], 0
    return json.loads(row[0]), int(row[1])


def _measure_view(m: Measure, membership: dict[str, Any], via: dict[str, Any]) -> dict[str, Any]:
    listed = dt.date.fromisoformat(membership["listed_on"])
    d = m.duration
    if d.type == "while_listed":
        period = {
            "from": membership["listed_on"],
            "until": membership["until"],
            "rule": "列入名单期间",
        }
    elif d.type == "fixed_months" and d.months is not None:
        period = {
            "from": membership["listed_on"],
            "until": add_months(listed, d.months).isoformat(),
            "rule": f"自决定之日起{d.months}个月",
        }
    elif d.type == "permanent":
        period = {"from": membership["listed_on"], "until": None, "rule": "终身"}
    else:
        period = {
            "from": membership["listed_on"],
            "until": None,
            "rule": d.note or "以实施决定为准",
        }
    return {
        "measure": m.code,
        "name": m.name,
        "content": m.content,
        "kind": m.kind,
        "automatic": m.automatic,
        "implementing_department": m.implementing_department,
        "legal_basis": [b.model_dump(mode="json") for b in m.legal_basis],
        "period": period,
        "via": via,
    }


def check(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    vault: PiiVault,
    *,
    subject: str,
    scenario: str,
    today: dt.date,
    now: dt.datetime,
    actor: str,
    department_code: str | None = None,
) -> dict[str, Any]:
    if scenario not in sanctions.scenarios:
        raise NotFound(
            f"unknown scenario {scenario}",
            f"没有应用场景“{scenario}”，可选：{'、'.join(sanctions.scenarios)}",
        )
    key, kind, shown = resolve_subject(subject, vault)
    own, version = _status(conn, key)
    memberships = []
    measures: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for m in _active(own, today):
        lt = sanctions.list_type(m["list_type"])
        memberships.append(
            {
                **m,
                "name": lt.name,
                "legal_basis": [b.model_dump(mode="json") for b in lt.legal_basis],
            }
        )
        for measure in sanctions.measures_for(m["list_type"], scenario, today):
            if "subject" in measure.targets and (measure.code, m["id"]) not in seen:
                seen.add((measure.code, m["id"]))
                measures.append(
                    _measure_view(
                        measure,
                        m,
                        {"list_entry": m["entry"], "list_type": m["list_type"], "role": "subject"},
                    )
                )
    if kind == "person":
        for rel in identity_repo.organisations_of_person(conn, key):
            org_status, org_version = _status(conn, rel["org_key"])
            version = max(version, org_version)
            for m in _active(org_status, today):
                for measure in sanctions.measures_for(m["list_type"], scenario, today):
                    if (
                        rel["role"] in measure.relation_roles()
                        and (measure.code, m["id"]) not in seen
                    ):
                        seen.add((measure.code, m["id"]))
                        via = {
                            "list_entry": m["entry"],
                            "list_type": m["list_type"],
                            "role": rel["role"],
                            "role_label": ROLE_LABELS.get(rel["role"], rel["role"]),
                            "organisation": rel["org_key"],
                        }
                        measures.append(_measure_view(measure, m, via))
    blocking = [x["measure"] for x in measures if sanctions.measure(x["measure"]).blocks_commitment]
    receipt = uuid.uuid4().hex
    answer = {
        "receipt": receipt,
        "subject": {"code": shown, "kind": kind},
        "scenario": {"code": scenario, "name": sanctions.scenarios[scenario].name},
        "as_of": today.isoformat(),
        "data_version": version or ledger_repo.head(conn)[0],
        "catalogue_version": sanctions.snapshot.version,
        "memberships": memberships,
        "bans": [m for m in memberships if m["kind"] == "ban"],
        "measures": measures,
        "commitment_allowed": not blocking,
        "commitment_blocked_by": blocking,
        "authoritative": True,
    }
    body = json.dumps(answer, ensure_ascii=False, sort_keys=True, default=str)
    conn.execute(
        insert(check_receipts).values(
            receipt=receipt,
            at=now,
            actor=actor,
            department_code=department_code,
            subject_key=key,
            scenario=scenario,
            data_version=answer["data_version"],
            measures=json.dumps(sorted({x["measure"] for x in measures})),
            answer_hash=hashlib.sha256(body.encode()).hexdigest(),
        )
    )
    return answer


def feedback(
    conn: Connection,
    *,
    receipt: str,
    measure: str,
    applied: bool,
    reason: str,
    actor: str,
    department_code: str | None,
    now: dt.datetime,
) -> None:
    row = conn.execute(
        select(check_receipts.c.measures).where(check_receipts.c.receipt == receipt)
    ).first()
    if row is None:
        raise NotFound(f"no receipt {receipt}", f"没有回执号为 {receipt} 的核查")
    if measure not in json.loads(row[0]):
        raise InputError(
            f"measure {measure} was not in the answer", f"该次核查结果中没有措施 {measure}"
        )
    if not applied and not reason.strip():
        raise InputError("not applying a measure needs a reason", "未实施措施须说明理由")
    conn.execute(
        insert(check_feedback).values(
            receipt=receipt,
            measure=measure,
            applied=applied,
            reason=reason,
            actor=actor,
            department_code=department_code,
            at=now,
        )
    )
