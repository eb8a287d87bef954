"""A console account of role 检查人员 linked to a registered inspector, on both engines: an
account not linked sees a clear Chinese statement; the department's officer links it on the
registry page (or the API, or ``xinyong inspections inspector-link``); its inbox then shows
only the tasks its inspector was drawn for, and it enters their results in person — never in
another inspector's name; an account of another role, or one already linked, is refused."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from tests.helpers import add_department, add_user, console_sign_in, csrf_of
from tests.inspections.test_persisted import drawn, seed_platform
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.inspections import service as insp
from xinyong.kernel.clock import FixedClock
from xinyong.web.app import create_app


def _client(platform: Platform, name: str, role: str, department: str | None = None) -> TestClient:
    client = TestClient(create_app(platform), base_url="https://testserver")
    add_user(platform, name, role, department)
    assert console_sign_in(client, name).status_code == 303
    return client


def test_inspector_account_inbox_and_results(platform: Platform, clock: FixedClock) -> None:
    seed_platform(platform)
    d = drawn(platform)
    deps = platform.inspection_deps()
    with platform.engine.connect() as conn:
        tasks = insp.list_tasks(conn, deps, draw_id=d["id"])
    mine = tasks[0]["inspectors"][0]
    theirs = {t["id"] for t in tasks if mine in t["inspectors"]}
    other = next(i for t in tasks for i in t["inspectors"] if i != mine)

    me = _client(platform, "inspector.a", "inspector")
    page = me.get("/console/inspections/tasks")
    assert page.status_code == 200
    assert "尚未关联检查人员登记" in page.text
    assert 'href="/console/inspections/tasks"' in page.text  # its nav link

    officer = _client(platform, "officer", "department_officer", "scjg")
    reg = officer.get("/console/inspections/inspectors")
    assert "未关联" in reg.text
    assert '<option value="inspector.a">' in reg.text
    resp = officer.post(
        f"/console/inspections/inspectors/{mine}/account",
        data={"csrf": csrf_of(reg.text), "account": "inspector.a"},
        follow_redirects=True,
    )
    assert resp.status_code == 200
    assert "已更新检查人员的账号关联" in resp.text
    # An auditor's account is not an inspector's.
    add_user(platform, "auditor", "auditor")
    bad = officer.post(
        f"/console/inspections/inspectors/{other}/account",
        data={"csrf": csrf_of(reg.text), "account": "auditor"},
    )
    assert bad.status_code == 400
    assert "只有角色为“检查人员”的账号可以关联检查人员" in bad.text

    page = me.get(f"/console/inspections/tasks?inspector={other}")  # asking for another: ignored
    assert page.status_code == 200
    shown = {int(x) for x in re.findall(r"<h3>任务 (\d+)：", page.text)}
    assert shown == theirs
    assert "这里只显示抽中您的检查任务" in page.text
    task = min(theirs)
    form = {
        "csrf": csrf_of(page.text), "item": "GSXX_CC", "result": "01",
        "inspected_on": clock.today().isoformat(), "text": "",
    }  # fmt: skip
    refused = me.post(
        f"/console/inspections/tasks/{task}/results", data={**form, "inspector": other}
    )
    assert refused.status_code == 403
    assert "只能以本人身份录入结果" in refused.text
    ok = me.post(
        f"/console/inspections/tasks/{task}/results",
        data={**form, "inspector": mine},
        follow_redirects=True,
    )
    assert ok.status_code == 200, ok.text
    assert "已录入检查结果" in ok.text

    # The API: link, the inbox by account, a second link of the same account refused.
    api = TestClient(create_app(platform), base_url="https://testserver")
    with platform.engine.begin() as conn:
        key = access.issue_key(conn, "市场监管系统", "department", "scjg", clock.now())
    headers = {"X-API-Key": key}
    got = api.get("/api/v1/inspections/tasks?account=inspector.a", headers=headers).json()
    assert {t["id"] for t in got["items"]} == theirs
    listed = api.get("/api/v1/inspections/inspectors", headers=headers).json()["items"]
    assert next(i for i in listed if i["id"] == mine)["account"] == "inspector.a"
    twice = api.post(
        f"/api/v1/inspections/inspectors/{other}/account",
        json={"account": "inspector.a"},
        headers=headers,
    )
    assert twice.status_code == 409
    assert "已关联检查人员" in json.dumps(twice.json(), ensure_ascii=False)
    add_department(platform, "swj", "taxation", "税务局")
    with platform.engine.begin() as conn:
        tax = access.issue_key(conn, "税务系统", "department", "swj", clock.now())
    foreign = api.post(
        f"/api/v1/inspections/inspectors/{mine}/account",
        json={"account": None},
        headers={"X-API-Key": tax},
    )
    assert foreign.status_code == 403
    unlinked = api.post(
        f"/api/v1/inspections/inspectors/{mine}/account", json={"account": None}, headers=headers
    )
    assert unlinked.status_code == 200
    assert unlinked.json()["account"] is None
    none = api.get("/api/v1/inspections/tasks?account=inspector.a", headers=headers)
    assert none.status_code == 404
    assert "尚未关联检查人员登记" in json.dumps(none.json(), ensure_ascii=False)
