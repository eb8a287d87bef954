"""The 双随机抽查 pages on both engines: an officer makes a plan in the console, generates and
publishes the commitment (the portal shows it, no seed), runs the draw (the portal shows the
seed and the record link, the record downloads and verifies), an inspector's inbox and the
result entry form (a non-assigned inspector refused with the reason), the registries' forms
(an ID number as inspector id refused); another department's officer may not see the plan."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient

from tests.helpers import add_department, add_user, console_sign_in, csrf_of, resident_id
from tests.inspections.test_persisted import orgs, seed_platform
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.inspections import registry, rules
from xinyong.inspections import service as insp
from xinyong.kernel.clock import FixedClock
from xinyong.selfservice import accounts
from xinyong.web.app import create_app

SUBJECT_PASSWORD = "Subject-Pass-2026"


def _console(platform: Platform, name: str, department: str) -> TestClient:
    client = TestClient(create_app(platform), base_url="https://testserver")
    add_user(platform, name, "department_officer", department)
    assert console_sign_in(client, name).status_code == 303
    return client


def _subject(platform: Platform, uscc: str) -> TestClient:
    client = TestClient(create_app(platform), base_url="https://testserver")
    with platform.engine.begin() as conn:
        code = accounts.issue_code(
            conn, uscc=uscc, days=14, now=platform.clock.now(), actor="cli:管理"
        ).code
    form = client.get("/account/activate")
    data = {"uscc": uscc, "code": code, "password": SUBJECT_PASSWORD, "confirm": SUBJECT_PASSWORD}
    resp = client.post("/account/activate", data={**data, "csrf": csrf_of(form.text)})
    assert resp.status_code == 200, resp.text
    return client


def test_console_and_portal_pages(platform: Platform, clock: FixedClock) -> None:
    seed_platform(platform)
    add_department(platform, "hbj", "ecology", "生态环境厅")
    client = _console(platform, "officer", "scjg")
    page = client.get("/console/inspections")
    assert page.status_code == 200
    assert "制定抽查计划" in page.text
    assert 'href="/console/inspections"' in page.text  # the nav link
    resp = client.post(
        "/console/inspections/plans",
        data={
            "csrf": csrf_of(page.text),
            "name": "2026年企业公示信息抽查",
            "department": "scjg",
            "item": "GSXX_CC",
            "policy": "SAMR_GRADED@2025.1",
            "year": "2026",
            "joint_items": "NOPE@scjg",
        },
    )
    assert resp.status_code == 400
    assert "抽查事项清单中没有事项" in resp.text
    resp = client.post(
        "/console/inspections/plans",
        data={
            "csrf": csrf_of(page.text),
            "name": "2026年企业公示信息抽查",
            "department": "scjg",
            "item": "GSXX_CC",
            "policy": "SAMR_GRADED@2025.1",
            "year": "2026",
        },
    )
    assert resp.status_code == 200, resp.text
    assert "已制定抽查计划" in resp.text
    plan_url = str(resp.url).removeprefix("https://testserver").split("?")[0]
    plan_id = int(plan_url.rsplit("/", 1)[1])
    resp = client.post(f"{plan_url}/draws", data={"csrf": csrf_of(resp.text)})
    assert "已生成抽取承诺" in resp.text
    portal = TestClient(create_app(platform))
    assert "2026年企业公示信息抽查" not in portal.get("/inspections").text  # not yet published
    draw_id = int(re.findall(r"/console/inspections/draws/(\d+)/publish", resp.text)[0])
    resp = client.post(
        f"/console/inspections/draws/{draw_id}/publish",
        data={"csrf": csrf_of(resp.text), "plan": str(plan_id)},
    )
    assert "已公布抽取承诺" in resp.text
    public = portal.get("/inspections").text
    with platform.engine.connect() as conn:
        d = insp.get_draw(conn, draw_id, public=True)
    assert d["draw_commitment"] in public
    assert "抽取后公布" in public  # the seed is not shown before the draw
    clock.advance(dt.timedelta(minutes=2))
    resp = client.post(
        f"/console/inspections/draws/{draw_id}/run",
        data={"csrf": csrf_of(resp.text), "plan": str(plan_id)},
    )
    assert "已抽取" in resp.text
    public = portal.get("/inspections").text
    with platform.engine.connect() as conn:
        d = insp.get_draw(conn, draw_id, public=True)
        tasks = insp.list_tasks(conn, platform.inspection_deps(), draw_id=draw_id)
    assert d["seed"] in public
    assert "xinyong verify-draw" in public
    record = portal.get(d["record_url"])
    assert record.status_code == 200
    assert rules.verify(record.json(), None, d["draw_commitment"]) == []
    full_url = f"/api/v1/inspections/draws/{draw_id}/full-record.json"
    assert portal.get(full_url).status_code == 401  # the full record needs a key
    with platform.engine.begin() as conn:
        key = access.issue_key(conn, "市场监管系统", "department", "scjg", clock.now())
        other = access.issue_key(conn, "生态环境系统", "department", "hbj", clock.now())
    assert portal.get(full_url, headers={"X-API-Key": other}).status_code == 403
    full = portal.get(full_url, headers={"X-API-Key": key})
    assert rules.verify(full.json(), None, d["draw_commitment"]) == []
    # the inspector's inbox and the result entry form
    task = tasks[0]
    mine = task["inspectors"][0]
    inbox = client.get("/console/inspections/tasks", params={"inspector": mine})
    assert f"任务 {task['id']}" in inbox.text
    assert "录入结果" in inbox.text
    other = next(f"SJ{i:03d}" for i in range(4) if f"SJ{i:03d}" not in task["inspectors"])
    form = {
        "csrf": csrf_of(inbox.text),
        "item": "GSXX_CC",
        "result": "02",
        "inspected_on": clock.today().isoformat(),
        "text": "年报资产总额填报有误，已责令改正",
    }
    resp = client.post(
        f"/console/inspections/tasks/{task['id']}/results", data={**form, "inspector": other}
    )
    assert resp.status_code == 403
    assert "不是检查任务" in resp.text
    resp = client.post(
        f"/console/inspections/tasks/{task['id']}/results", data={**form, "inspector": mine}
    )
    assert "已录入检查结果" in resp.text
    figures = client.get("/console/inspections").text
    assert "名录 40 户，抽中 4 户（10.0%）" in figures
    assert "已录入结果 1 户" in figures
    public = portal.get("/inspections").text
    assert "年报资产总额填报有误" in public
    assert mine not in public  # who inspected is not on the public page
    # the subject's own page: its task, its inspectors, a recusal request with its reason
    subject = _subject(platform, task["subject"])
    mine_page = subject.get("/account/inspections")
    assert mine_page.status_code == 200
    assert f"任务 {task['id']}" in mine_page.text
    assert "发现问题已责令改正" in mine_page.text  # its result
    resp = subject.post(
        "/account/inspections/recusals",
        data={"csrf": csrf_of(mine_page.text), "inspector": other, "reason": "亲属在本企业任职"},
    )
    assert resp.status_code == 400
    assert "只能申请本主体任务的检查人员回避" in resp.text
    resp = subject.post(
        "/account/inspections/recusals",
        data={"csrf": csrf_of(mine_page.text), "inspector": mine, "reason": "亲属在本企业任职"},
    )
    assert resp.status_code == 200
    assert "已提交回避申请" in resp.text
    assert "亲属在本企业任职" in resp.text
    with platform.engine.connect() as conn:
        asked = registry.list_recusals(conn, task["subject"])
    assert [(r["kind"], r["inspector"]) for r in asked] == [("request", mine)]
    # the registries
    reg = client.get("/console/inspections/inspectors")
    assert "61******0001" not in reg.text
    assert "61" + "*" * 9 in reg.text  # certificates masked
    resp = client.post(
        "/console/inspections/inspectors",
        data={
            "csrf": csrf_of(reg.text),
            "ident": resident_id(),
            "name": "某某",
            "department": "scjg",
            "region": "610100",
            "certificate": "61010099999",
        },
    )
    assert resp.status_code == 400
    assert "不得使用身份证号码" in resp.text
    assert resident_id() not in resp.text
    resp = client.post(
        "/console/inspections/recusals",
        data={
            "csrf": csrf_of(reg.text),
            "kind": "request",
            "inspector": "SJ001",
            "subject": orgs()[5],
            "reason": "检查人员与本企业存在经济往来",
        },
    )
    assert "已登记回避" in resp.text
    assert "检查人员与本企业存在经济往来" in resp.text
    recusal = int(re.findall(r"/console/inspections/recusals/(\d+)/withdraw", resp.text)[-1])
    resp = client.post(
        f"/console/inspections/recusals/{recusal}/withdraw", data={"csrf": csrf_of(resp.text)}
    )
    assert "已撤回回避登记" in resp.text
    assert "检查人员与本企业存在经济往来" not in resp.text
    resp = client.post(
        "/console/inspections/inspectors/SJ003/active",
        data={"csrf": csrf_of(resp.text), "active": "off"},
    )
    assert "已更新检查人员状态" in resp.text
    assert "启用 SJ003" in resp.text
    # another department's officer
    stranger = _console(platform, "eco", "hbj")
    assert stranger.get(plan_url).status_code == 403
