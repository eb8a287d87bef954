"""Console pages for objections: the providing department's inbox (due dates, overdue flags),
an objection with its history and steps, the office's push, accept and a correcting decision
with reasons, department scoping, the optimistic lock and refusals shown on the page; on both
engines through the real application."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import add_department, add_user, console_sign_in, csrf_of
from tests.objections.helpers import file, penalty_entry, public_file, records
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.web.app import create_app

OVERDUE = '<span class="tag serious">已超期</span>'


@pytest.fixture
def staff(platform: Platform) -> None:
    add_department(platform)
    add_department(platform, "qxscjg")
    add_user(platform, "admin", "office_admin")
    add_user(platform, "officer", "department_officer", "scjg")
    add_user(platform, "other", "department_officer", "qxscjg")
    add_user(platform, "inspector", "inspector")
    add_user(platform, "auditor", "auditor")


def _as(platform: Platform, name: str) -> TestClient:
    client = TestClient(create_app(platform), base_url="https://testserver")
    assert console_sign_in(client, name).status_code == 303
    return client


def _step(client: TestClient, oid: int, name: str, **data: Any) -> Any:
    page = client.get(f"/console/objections/{oid}")
    assert page.status_code == 200, page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version is not None, page.text
    return client.post(
        f"/console/objections/{oid}/steps",
        data={"csrf": csrf_of(page.text), "name": name, "version": version.group(1), **data},
        follow_redirects=False,
    )


def test_inbox_push_accept_and_correct(platform: Platform, staff: None, clock: FixedClock) -> None:
    entry = penalty_entry(platform)
    oid = file(platform, entry)["id"]
    officer = _as(platform, "officer")
    box = officer.get("/console/objections")
    assert box.status_code == 200
    assert f'href="/console/objections/{oid}"' in box.text
    assert "2026-06-16" in box.text
    assert OVERDUE not in box.text
    assert "异议办理" in officer.get("/console").text  # the nav link
    assert f"异议 {oid}" not in _as(platform, "other").get("/console/objections").text

    admin = _as(platform, "admin")
    page = admin.get(f"/console/objections/{oid}")
    assert "推送认定部门" in page.text
    assert "受理</button>" not in page.text  # the office pushes, the department accepts
    clock.set(dt.datetime(2026, 6, 17, 9, 0, tzinfo=CHINA_TZ))  # the push was due 6-16
    officer, admin = _as(platform, "officer"), _as(platform, "admin")  # sessions idled out
    box = officer.get("/console/objections", params={"overdue": "true"})
    assert OVERDUE in box.text
    resp = _step(admin, oid, "push")
    assert resp.status_code == 303
    resp = _step(officer, oid, "accept")
    assert resp.status_code == 303
    page = officer.get(f"/console/objections/{oid}?done=accept")
    assert "已办理：受理" in page.text
    assert "作出核查决定" in page.text
    # A refusal is shown on the page with its reason, nothing changed.
    resp = _step(officer, oid, "decide", outcome="correct", reason="金额有误")
    assert resp.status_code == 400
    assert "corrections" in resp.text
    resp = _step(
        officer,
        oid,
        "decide",
        outcome="correct",
        reason="经核查，罚款金额录入错误",
        correct_field=["CF_NR", ""],
        correct_value=["罚款人民币1000元", ""],
    )
    assert resp.status_code == 303, resp.text
    page = officer.get(f"/console/objections/{oid}")
    assert "已办结" in page.text
    assert "经核查，罚款金额录入错误" in page.text
    assert "该异议已办结" in page.text
    (rec,) = records(public_file(platform))
    assert any(f["code"] == "CF_NR" and f["text"] == "罚款人民币1000元" for f in rec["fields"])
    closed = officer.get("/console/objections", params={"all": "true"})
    assert "结论：更正" in closed.text


def test_scope_roles_and_the_lock(platform: Platform, staff: None) -> None:
    entry = penalty_entry(platform)
    oid = file(platform, entry)["id"]
    other = _as(platform, "other")
    resp = other.get(f"/console/objections/{oid}")
    assert resp.status_code == 403
    assert "不属于本部门" in resp.text
    auditor = _as(platform, "auditor")
    page = auditor.get(f"/console/objections/{oid}")
    assert page.status_code == 200
    assert '<form class="console" method="post" action="/console/objections' not in page.text
    assert _as(platform, "inspector").get("/console/objections").status_code == 403
    officer = _as(platform, "officer")
    stale = officer.get(f"/console/objections/{oid}")
    assert _step(officer, oid, "accept").status_code == 303
    resp = officer.post(
        f"/console/objections/{oid}/steps",
        data={"csrf": csrf_of(stale.text), "name": "refuse", "version": "1", "reason": "无材料"},
        follow_redirects=False,
    )
    assert resp.status_code == 409
    assert "已受理，核查中" in resp.text
    resp = officer.post(
        f"/console/objections/{oid}/steps",
        data={"csrf": "0" * 64, "name": "decide", "version": "3"},
        follow_redirects=False,
    )
    assert resp.status_code == 403
