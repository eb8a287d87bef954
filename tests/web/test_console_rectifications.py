"""The rectification pages on both engines: the subject sees its order, deadline and scheduled
interview at /account/rectifications (another subject's is not shown); the department's
console inbox flags the overdue order; another department's officer may not act."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.helpers import (
    ORG,
    ORG2,
    add_department,
    add_user,
    console_sign_in,
    csrf_of,
    csv_bytes,
    penalty,
)
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.ledger.tables import entries
from xinyong.rectifications import service as rect
from xinyong.selfservice import accounts
from xinyong.web.app import create_app

PASSWORD = "Subject-Pass-2026"


def _signed_in(platform: Platform, uscc: str) -> TestClient:
    client = TestClient(create_app(platform), base_url="https://testserver")
    with platform.engine.begin() as conn:
        code = accounts.issue_code(
            conn, uscc=uscc, days=14, now=platform.clock.now(), actor="cli:管理"
        ).code
    form = client.get("/account/activate")
    data = {"uscc": uscc, "code": code, "password": PASSWORD, "confirm": PASSWORD}
    resp = client.post("/account/activate", data={**data, "csrf": csrf_of(form.text)})
    assert resp.status_code == 200, resp.text
    return client


def test_subject_and_console_pages(platform: Platform, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    add_department(platform)
    add_department(platform, "hbj", "ecology", "生态环境厅")
    platform.importer().import_bytes(
        csv_bytes(
            [
                penalty(),
                penalty(CF_XDR_SHXYM=ORG2, CF_XDR_MC="另一家公司", CF_WSH="陕市监罚〔2026〕8号"),
            ]
        ),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    with platform.engine.connect() as conn:
        record = conn.execute(
            select(func.max(entries.c.id)).where(
                entries.c.item_code == "XZCF", entries.c.subject_key == ORG
            )
        ).scalar_one()
    deps = platform.rectification_deps()
    with platform.transaction() as conn:
        case = rect.order(
            conn,
            deps,
            record=record,
            obligation="停止超范围经营",
            deadline=dt.date(2026, 7, 1),
            actor="t",
            role="department",
            department_code="scjg",
            now=clock.now(),
        )
        rect.schedule(
            conn,
            deps,
            case.id,
            kind="PROMPT",
            scheduled_on=dt.date(2026, 6, 24),
            place="三楼会议室",
            actor="t",
            role="department",
            department_code="scjg",
            now=clock.now(),
        )
    page = _signed_in(platform, ORG).get("/account/rectifications")
    assert page.status_code == 200
    assert "停止超范围经营" in page.text
    assert "2026-07-01" in page.text
    assert "提示约谈：2026-06-24，三楼会议室" in page.text
    other = _signed_in(platform, ORG2).get("/account/rectifications")
    assert "停止超范围经营" not in other.text
    assert "本主体没有限期整改事项" in other.text

    clock.set(dt.datetime(2026, 6, 25, 10, 0, tzinfo=CHINA_TZ))
    add_user(platform, "off_scjg", "department_officer", "scjg")
    add_user(platform, "off_hbj", "department_officer", "hbj")
    mine = TestClient(create_app(platform), base_url="https://testserver")
    assert console_sign_in(mine, "off_scjg").status_code == 303
    inbox = mine.get("/console/rectifications")
    assert f"办件 {case.id}" in inbox.text
    assert "已超期" in inbox.text
    theirs = TestClient(create_app(platform), base_url="https://testserver")
    assert console_sign_in(theirs, "off_hbj").status_code == 303
    assert f"办件 {case.id}" not in theirs.get("/console/rectifications").text
    assert theirs.get(f"/console/rectifications/{case.id}").status_code == 403
