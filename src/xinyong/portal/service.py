"""Read use cases of the public portal: 双公示 listings and list pages, public on a day.

What a row shows follows the credit file's public view (labels beside codes, department
names, half-open periods read with their last day): ``creditfile.rules`` does the labelling.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection

from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.model import LIST_KIND_LABELS, ItemVersion, ListType
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.creditfile import rules as labels
from xinyong.identity.divisions import DivisionTable
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import InputError, NotFound
from xinyong.lists import casework
from xinyong.objections import service as objections
from xinyong.portal import repository as repo
from xinyong.portal import rules
from xinyong.portal.rules import Page

CODE_TYPES = ("code", "codes")


def _item(catalogue: Catalogue, code: str, version: str) -> ItemVersion | None:
    try:
        versions = catalogue.item_versions(code)
    except NotFound:
        return None
    return next((v for v in versions if v.version == version), versions[-1])


def _summary_fields(item: ItemVersion) -> list[str]:
    """What a listing row shows of a record: its reason and basis and its public code fields
    (处罚类别, 许可类别, 状态 …), never the subject's identification or a personal field."""
    subject = item.subject
    identity = {
        subject.name,
        subject.category,
        subject.uscc,
        subject.person_id_type,
        subject.person_id,
        *subject.legacy_codes,
    }
    for r in subject.all_relations():
        identity.update((r.name, r.id_type, r.id))
    wanted = [*item.display.reason, *item.display.basis]
    wanted += [f.code for f in item.fields if f.type in CODE_TYPES and f.code not in identity]
    public = {f.code for f in item.fields if f.public and not f.personal}
    return [c for c in dict.fromkeys(wanted) if c in public and c not in identity]


def _fields(catalogue: Catalogue, item: ItemVersion | None, payload: dict[str, Any]) -> list[Any]:
    defs = {f.code: f for f in item.fields} if item else {}
    out = []
    for code in payload:
        f = defs.get(code)
        if f is None or not f.public or f.personal:
            continue
        shown = labels.field_view(catalogue, f, code, payload[code])
        if shown is not None:
            out.append(shown)
    return out


def _division(divisions: DivisionTable, code: str | None) -> dict[str, str] | None:
    if not code:
        return None
    status = divisions.lookup(code)
    return {"code": code, "name": status.name or code}


def region_filter(divisions: DivisionTable, region: str | None) -> tuple[str | None, Any]:
    """The prefix a region code selects, and its view; an unknown code is a clear error."""
    if region is None or region == "":
        return None, None
    status = divisions.lookup(region)
    if status.name is None:
        raise InputError(
            "unknown division code", "地区（region）不是有效的行政区划代码（GB/T 2260，6位）"
        )
    return rules.division_prefix(region), {"code": region, "name": status.name}


def publicity_page(
    conn: Connection,
    catalogue: Catalogue,
    divisions: DivisionTable,
    kind: str,
    *,
    day: dt.date,
    department: str | None,
    region: str | None,
    decided_from: dt.date | None,
    decided_to: dt.date | None,
    page: int,
    page_size: int,
) -> dict[str, Any]:
    """One page of a 双公示 column (licences or penalties) as public on ``day``."""
    item_code = rules.publicity_item(kind)
    rules.check_range(decided_from, decided_to)
    prefix, region_view = region_filter(divisions, region)
    query = repo.PublicityQuery(
        item_code=item_code,
        day=day,
        department=department or None,
        division_prefix=prefix,
        decided_from=decided_from,
        decided_to=decided_to,
    )
    offset = (page - 1) * page_size
    rows, total = repo.publicity(conn, query, CHINA_TZ, limit=page_size, offset=offset)
    item = catalogue.item(item_code)
    out_rows = []
    for r in rows:
        version = _item(catalogue, r["item_code"], r["item_version"])
        payload = json.loads(r["payload"])
        fields = _fields(catalogue, version, payload)
        by_code = {f["code"]: f for f in fields}
        uscc = version.subject.uscc if version else None
        authority = labels.field_texts(fields, version.display.authority if version else ())
        department_name = r["department_name"] or r["department_code"]
        summary = _summary_fields(version) if version else []
        out_rows.append(
            {
                "entry": int(r["id"]),
                "subject": {
                    "code": r["subject_key"],
                    "name": r["subject_name"]
                    or (str(payload.get(version.subject.name, "")) if version else "")
                    or r["subject_key"],
                    "url": f"/subjects/{r['subject_key']}",
                    "division": _division(divisions, r["division_code"]),
                },
                "number": labels.record_number(version, fields, uscc),
                "fields": [by_code[c] for c in summary if c in by_code],
                "authority": authority[0]["text"] if authority else department_name,
                "department": {"code": r["department_code"], "name": department_name},
                "decision_date": labels.iso(r["decision_date"]),
                "severity": r["severity"],
                "publication": labels.period(r["public_from"], r["public_until"], "长期"),
            }
        )
    return {
        "as_of": day.isoformat(),
        "column": kind,
        "title": rules.PUBLICITY_TITLES[kind],
        "item": {"code": item.code, "name": item.name},
        "filters": {
            "department": department or None,
            "region": region_view,
            "decided_from": labels.iso(decided_from),
            "decided_to": labels.iso(decided_to),
        },
        **Page(page, page_size, total).as_dict(),
        "rows": out_rows,
    }


def public_list_types(
    catalogue: Catalogue, sanctions: SanctionsCatalogue, day: dt.date
) -> list[ListType]:
    """List types in force on ``day`` whose entries the public may see."""
    return [
        lt
        for lt in casework.list_types_in_force(sanctions, day)
        if rules.list_type_is_public(catalogue, lt)
    ]


def _public_list_type(
    catalogue: Catalogue, sanctions: SanctionsCatalogue, code: str, day: dt.date
) -> ListType:
    for lt in public_list_types(catalogue, sanctions, day):
        if lt.code == code:
            return lt
    # A list that exists but is not public is answered like one that does not exist.
    raise NotFound(f"no public list type {code!r}", "没有向社会公开的该类名单")


def list_type_view(lt: ListType, view: labels.View = "public") -> dict[str, Any]:
    return {
        "code": lt.code,
        "name": lt.name,
        "kind": lt.kind,
        "kind_label": LIST_KIND_LABELS.get(lt.kind, lt.kind),
        "deciding_authority": lt.deciding_authority,
        "legal_basis": labels.legal_basis_view(lt.legal_basis, view),
        "entry_criteria": list(lt.entry_criteria),
    }


def list_page(
    conn: Connection,
    catalogue: Catalogue,
    sanctions: SanctionsCatalogue,
    code: str,
    *,
    day: dt.date,
    page: int,
    page_size: int,
) -> dict[str, Any]:
    """Active, public memberships of one public list type on ``day``, newest listing first."""
    lt = _public_list_type(catalogue, sanctions, code, day)
    offset = (page - 1) * page_size
    rows, total = repo.active_public_memberships(
        conn, lt.code, day, CHINA_TZ, limit=page_size, offset=offset
    )
    open_end = labels.list_open_end(lt)
    bases = labels.legal_basis_view(lt.legal_basis, "public")
    # An open objection to a listing marks its row 异议处理中, as on the subject's page and in
    # the check (the listing stays published while it is verified).
    marks = {
        (m["item"], m["record_key"]): m
        for m in objections.open_marks(conn, sorted({str(r["subject_key"]) for r in rows}))
    }
    out_rows = []
    for r in rows:
        mark = marks.get((r["item_code"], r["record_key"]))
        payload = json.loads(r["payload"])
        version = _item(catalogue, r["item_code"], r["item_version"])
        is_case = r["source"] == "case"
        fields = [] if is_case else _fields(catalogue, version, payload)
        reason = labels.field_texts(fields, version.display.reason) if version else []
        if is_case and payload.get("列入事由"):
            reason = [{"name": "列入事由", "text": str(payload["列入事由"])}]
        authority = labels.field_texts(fields, version.display.authority if version else ())
        department_name = r["department_name"] or r["department_code"]
        ends = [d for d in (r["until"], r["exited_on"]) if d is not None]
        # A listing decided here shows its decision's number; one decided before the list
        # step asked for it, the case number.
        number = (
            [
                {"code": "决定书文号", "name": "决定书文号", "text": str(payload["决定书文号"])}
                if payload.get("决定书文号")
                else {"code": "办件", "name": "办件编号", "text": str(payload.get("办件", ""))}
            ]
            if is_case
            else labels.record_number(version, fields, version.subject.uscc if version else None)
        )
        out_rows.append(
            {
                "membership": int(r["id"]),
                "subject": {
                    "code": r["subject_key"],
                    "name": r["subject_name"] or r["subject_key"],
                    "url": f"/subjects/{r['subject_key']}",
                },
                "reason": reason,
                # A listing without stated grounds (an older case): the list's conditions.
                "entry_criteria": list(lt.entry_criteria) if not reason else [],
                "legal_basis": bases,
                "authority": authority[0]["text"] if authority else department_name,
                "department": {"code": r["department_code"], "name": department_name},
                "decision_number": "，".join(n["text"] for n in number if n["text"]),
                "listed_on": labels.iso(r["listed_on"]),
                "period": labels.period(r["listed_on"], min(ends) if ends else None, open_end),
                "objection": None
                if mark is None
                else {
                    "label": mark["label"],
                    "since": mark["since"],
                    "state_label": mark["state_label"],
                },
            }
        )
    return {
        "as_of": day.isoformat(),
        "list_type": list_type_view(lt),
        **Page(page, page_size, total).as_dict(),
        "rows": out_rows,
    }
