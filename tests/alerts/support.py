"""Builders shared by the alert tests: imports with a legal representative, listings, exits."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from tests.helpers import ORG2, csv_bytes, list_subject, penalty, resident_id
from xinyong.alerts.tables import alerts
from xinyong.bootstrap import Platform
from xinyong.ingest.service import ImportResult
from xinyong.lists import service as lists

REP = resident_id()  # 张三, legal representative in tests.helpers.penalty()
ORG2_NAME = "西安市雁塔区新开张商贸有限公司"


def import_rows(platform: Platform, *rows: dict[str, str], name: str = "p.csv") -> ImportResult:
    return platform.importer().import_bytes(
        csv_bytes(list(rows)), filename=name, department_code="scjg", item_code="XZCF"
    )


def org2_penalty(**overrides: str) -> dict[str, str]:
    """A penalty of another company whose legal representative is the same 张三."""
    return penalty(
        CF_XDR_SHXYM=ORG2,
        CF_XDR_MC=ORG2_NAME,
        CF_WSH=overrides.pop("CF_WSH", "陕市监罚〔2026〕2号"),
        **overrides,
    )


def publish(platform: Platform, subject: str, list_type: str = "SAMR_SERIOUS") -> int:
    return list_subject(platform, subject, list_type)


def revoke_listing(platform: Platform, case_id: int) -> None:
    with platform.transaction() as conn:
        lists.advance(
            conn,
            platform.sanctions,
            platform.catalogue,
            platform.calendar,
            case_id,
            "revoke",
            actor="scjg",
            role="department",
            now=platform.clock.now(),
            note="据以列入的处罚决定已被复议撤销",
        )


def alert_rows(platform: Platform) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(alerts).order_by(alerts.c.id))]
    for r in rows:
        r["detail"] = json.loads(r["detail"])
    return rows
