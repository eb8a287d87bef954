"""Credit repair end to end on both engines, with a moved clock across National Day 2026 and
New Year 2027 (a provisional calendar year): eligibility, application, every step, effects on
the public file, the portal, the check and the events, and bad input changing nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.helpers import ORG, ORG2, add_department, csv_bytes, list_subject, penalty
from xinyong.bootstrap import Platform
from xinyong.cases import service as cases
from xinyong.cases.attachments import Upload
from xinyong.cases.tables import cases as cases_table
from xinyong.checks import service as checks
from xinyong.creditfile.service import build_credit_file
from xinyong.events.tables import outbox_events as outbox
from xinyong.ingest.rederive import derived_differences
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import Conflict, InputError, NotFound, PermissionDenied
from xinyong.ledger import service as ledger
from xinyong.ledger.tables import entries
from xinyong.lists import service as lists
from xinyong.portal import service as portal
from xinyong.repair import service as repair

PDF = b"%PDF-1.7\n% proof of payment\n"


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, 0, tzinfo=CHINA_TZ)


def _import(platform: Platform, **fields: str) -> None:
    platform.importer().import_bytes(
        csv_bytes([penalty(**fields)]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )


def _eligibility(platform: Platform, key: str = ORG) -> list[dict[str, Any]]:
    with platform.engine.begin() as conn:
        view = repair.eligibility_view(conn, platform.repair_deps(), key, platform.clock.today())
    return list(view["records"])


def _penalty_entry(platform: Platform, number: str = "陕市监罚〔2026〕1号") -> int:
    for r in _eligibility(platform):
        if r["record"]["number"] == number:
            return int(r["record"]["entry"])
    raise AssertionError(f"no record {number}")


def _apply(platform: Platform, record: int, **kw: Any) -> int:
    args: dict[str, Any] = {
        "kind": "ordinary",
        "commitment_signed": True,
        "signatory": "王经理",
        "materials": [Upload("缴款凭证.pdf", PDF)],
    }
    args.update(kw)
    with platform.transaction() as conn:
        case = repair.apply(
            conn,
            platform.repair_deps(),
            subject_key=ORG,
            record=record,
            actor="subject:" + ORG,
            now=platform.clock.now(),
            **args,
        )
    return case.id


def _step(platform: Platform, case_id: int, name: str, role: str = "department", **kw: Any) -> Any:
    kw.setdefault("department_code", "scjg" if role == "department" else None)
    with platform.transaction() as conn:
        return repair.step(
            conn,
            platform.repair_deps(),
            case_id,
            name,
            actor=f"{role}:t",
            role=role,
            now=platform.clock.now(),
            **kw,
        )


def _public_text(platform: Platform) -> str:
    """The subject's public credit file today, as JSON text."""
    with platform.engine.connect() as conn:
        cf = build_credit_file(
            conn,
            platform.catalogue,
            ORG,
            as_of=platform.clock.today(),
            view="public",
            sanctions=platform.sanctions,
        )
    return json.dumps(cf.as_dict(), ensure_ascii=False, default=str)


def _events(platform: Platform) -> list[tuple[str, dict[str, Any]]]:
    with platform.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.kind, outbox.c.payload).order_by(outbox.c.id))
        return [(k, json.loads(p)) for k, p in rows if k.startswith("repair.")]


def test_granted_across_national_day(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(at(2026, 6, 12))
    _import(platform)
    record = _penalty_entry(platform)
    # 令107 一般: minimum 3 months from 2026-06-10.
    [r] = _eligibility(platform)
    assert r["regime"]["code"] == "SAMR_107"
    assert r["result"] == "not_yet" and r["eligible_from"] == "2026-09-10"
    clock.set(at(2026, 9, 29))
    [r] = _eligibility(platform)
    assert r["result"] == "eligible", r
    statuses = {c["code"]: c["status"] for c in r["conditions"]}
    assert statuses["OBLIGATIONS"] == "to_verify"
    assert statuses["COMMITMENT"] == "on_application"
    case_id = _apply(platform, record)
    with platform.engine.connect() as conn:
        case = cases.get(conn, case_id)
    # 2 working days under 令107 from 2026-09-29: 09-30, then National Day (10-01..10-07) → 10-08.
    assert case.state == "submitted" and case.due_on == dt.date(2026, 10, 8)
    clock.set(at(2026, 10, 8))
    case = _step(platform, case_id, "accept")
    assert case.due_on is not None and case.state == "accepted"
    clock.set(at(2026, 10, 12))
    assert "陕市监罚〔2026〕1号" in _public_text(platform)
    _step(platform, case_id, "approve", note="已缴清罚款，予以修复")
    assert "陕市监罚〔2026〕1号" not in _public_text(platform)
    kinds = [k for k, _ in _events(platform)]
    assert kinds == ["repair.submitted", "repair.accepted", "repair.approved"]
    with platform.engine.connect() as conn:
        assert list(derived_differences(conn, platform.catalogue, platform.sanctions, platform.calendar)) == []
