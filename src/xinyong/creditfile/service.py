"""The credit file (信用档案): a subject's records as of a date, grouped by catalogue category.

Two views: ``public`` shows only records inside their publication window on that date, with
non-public fields removed; ``internal`` (authorised users) shows every current record with
provenance, history and its publication status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection

from xinyong.catalog.loader import Catalogue
from xinyong.identity import repository as identity_repo
from xinyong.identity.model import SUBJECT_KIND_LABELS
from xinyong.identity.uscc import check_uscc
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import NotFound
from xinyong.ledger import service as ledger
from xinyong.ledger.model import RecordVersion
from xinyong.publication.rules import is_public_on, publication_status

View = Literal["public", "internal"]
ACTION_LABELS = {"assert": "报送", "correct": "更正", "revoke": "撤销"}


@dataclass
class FileRecord:
    entry_id: int
    item: str
    item_name: str
    record_key: str
    decision_date: str | None
    severity: str | None
    fields: list[dict[str, str]]  # [{code, name, value}]
    publication: dict[str, Any]
    provenance: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    revoked: bool = False


@dataclass
class CreditFile:
    subject: dict[str, Any]
    as_of: str
    view: View
    catalogue_version: str
    groups: list[dict[str, Any]]  # [{category, items: [{item, item_name, records: [...]}]}]
    counts: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "as_of": self.as_of,
            "view": self.view,
            "catalogue_version": self.catalogue_version,
            "counts": self.counts,
            "groups": self.groups,
        }


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=CHINA_TZ)


def build_credit_file(
    conn: Connection,
    catalogue: Catalogue,
    code: str,
    *,
    as_of: dt.date,
    view: View,
) -> CreditFile:
    key = code.strip().upper()
    subject = identity_repo.get_subject(conn, key)
    if subject is None:
        check = check_uscc(key)
        # The code is not echoed: it may be a resident ID number typed in its place.
        if not check.valid and not key.startswith("P"):
            raise NotFound(
                "invalid subject code",
                "；".join(i.message_zh for i in check.errors) or "无效的主体代码",
            )
        raise NotFound("no subject with this code", "未找到该主体：代码有误，或平台尚无其记录")
    if view == "public" and subject["kind"] == "person":
        raise NotFound("natural persons have no public credit file", "自然人信用信息不向社会公开")
    versions = ledger.record_versions(conn, key, _end_of_day(as_of))
    groups: dict[str, dict[str, list[FileRecord]]] = {}
    item_names: dict[str, str] = {}
    counts = {"records": 0, "public": 0, "revoked": 0}
    for version in versions:
        record = _record(catalogue, version, as_of, view)
        if record is None:
            continue
        counts["records"] += 1
        counts["public"] += 1 if record.publication["status"] == "公示中" else 0
        counts["revoked"] += 1 if record.revoked else 0
        category = _category(catalogue, version.current.item_code)
        item_names[record.item] = record.item_name
        groups.setdefault(category, {}).setdefault(record.item, []).append(record)
    order = {c: i for i, c in enumerate(_category_order(catalogue))}
    ordered = [
        {
            "category": category,
            "items": [
                {
                    "item": code_,
                    "item_name": item_names[code_],
                    "records": [r.__dict__ for r in records],
                }
                for code_, records in sorted(items.items())
            ],
        }
        for category, items in sorted(groups.items(), key=lambda kv: order.get(kv[0], 999))
    ]
    return CreditFile(
        subject=_subject_view(conn, subject, view),
        as_of=as_of.isoformat(),
        view=view,
        catalogue_version=catalogue.snapshot.version,
        groups=ordered,
        counts=counts,
    )


def _subject_view(conn: Connection, subject: dict[str, Any], view: View) -> dict[str, Any]:
    out = {
        "code": subject["key"] if subject["kind"] != "person" else subject["id_masked"],
        "name": subject["name"],
        "kind": SUBJECT_KIND_LABELS.get(subject["kind"], subject["kind"]),
        "division_code": subject["division_code"],
        "registered_on": subject["registered_on"].isoformat() if subject["registered_on"] else None,
        "status": subject["status"],
    }
    if subject["kind"] != "person":
        out["legal_representatives"] = [
            {
                "name": r["person_name"],
                "since": r["valid_from"].isoformat() if r["valid_from"] else None,
            }
            for r in identity_repo.relations_of(conn, subject["key"])
            if r["role"] == "legal_representative"
        ]
    return out


def _category(catalogue: Catalogue, item_code: str) -> str:
    try:
        return catalogue.item(item_code).category
    except Exception:  # an item retired from the catalogue still shows under its code
        return "其他信息"


def _category_order(catalogue: Catalogue) -> list[str]:
    seen: dict[str, None] = {}
    for item in catalogue.items():
        seen.setdefault(item.category, None)
    return list(seen)


def _record(
    catalogue: Catalogue, version: RecordVersion, as_of: dt.date, view: View
) -> FileRecord | None:
    e = version.current
    received_on = e.received_at.astimezone(CHINA_TZ).date()
    visible = (not version.revoked) and is_public_on(
        e.public, e.public_from, e.public_until, received_on, as_of
    )
    if view == "public" and not visible:
        return None
    try:
        item = catalogue.item(e.item_code)
        defs = {f.code: f for f in item.fields}
        item_name = item.name
    except Exception:
        defs, item_name = {}, e.item_code
    fields = []
    for code, value in e.payload.items():
        f = defs.get(code)
        if view == "public" and f is not None and (not f.public or f.personal):
            continue
        fields.append({"code": code, "name": f.name if f else code, "value": value})
    status = (
        "已撤销"
        if version.revoked
        else publication_status(e.public, e.public_from, e.public_until, received_on, as_of)
    )
    publication: dict[str, Any] = {
        "status": status,
        "public_from": e.public_from.isoformat() if e.public_from else None,
        "public_until": e.public_until.isoformat() if e.public_until else None,
        "basis": e.window_reason,
    }
    provenance: dict[str, Any] = {"department": e.department_code}
    if view == "internal":
        publication.update(
            repair_from=e.repair_from.isoformat() if e.repair_from else None,
            policy=e.policy_code,
            due_date=e.due_date.isoformat() if e.due_date else None,
            late=e.late,
        )
        provenance.update(
            batch=e.batch_id,
            source_file=e.source_name,
            source_row=e.source_row,
            received_at=e.received_at.isoformat(),
            entry=e.id,
            item_version=e.item_version,
        )
    record = FileRecord(
        entry_id=e.id,
        item=e.item_code,
        item_name=item_name,
        record_key=e.record_key.split("|", 1)[-1],
        decision_date=e.decision_date.isoformat() if e.decision_date else None,
        severity=e.severity,
        fields=fields,
        publication=publication,
        provenance=provenance,
        revoked=version.revoked,
    )
    if view == "internal":
        record.history = [
            {
                "entry": h.id,
                "action": ACTION_LABELS.get(h.action, h.action),
                "received_at": h.received_at.isoformat(),
                "department": h.department_code,
                "batch": h.batch_id,
            }
            for h in version.history
        ]
    return record
