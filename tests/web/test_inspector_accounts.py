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


def test_a_participating_department_enters_its_own_items_in_the_console(
    platform: Platform, clock: FixedClock
) -> None:
    """A joint plan: the county regulator's officer sees the joint task its inspector is on and
    the form for its own item only; the lead's item is left to the lead (待…录入)."""
    import datetime as dt

    from tests.inspections.test_persisted import plan
    from xinyong.inspections import registry

    seed_platform(platform)
    add_department(platform, "xscjg", "market_regulation", "县市场监督管理局")
    with platform.transaction() as conn:
        registry.register_inspector(
            conn, ident="XS001", name="县检查员", department_code="xscjg", region="610100",
            qualifications=["执法证件", "产品质量抽样"], certificate="610100201000", now=clock.now(),
        )  # fmt: skip
    p = plan(platform, items=[{"item": "GSXX_CC"}, {"item": "CPZL_CC", "department": "xscjg"}])
    deps = platform.inspection_deps()
    with platform.transaction() as conn:
        d = insp.prepare_draw(
            conn, deps, p["id"], department_code="scjg", actor="o", now=clock.now()
        )
        insp.publish_commitment(conn, deps, d["id"], department_code=None, now=clock.now())
    clock.advance(dt.timedelta(minutes=1))
    with platform.transaction() as conn:
        insp.run_planned_draw(conn, deps, d["id"], department_code=None, actor="o", now=clock.now())
        tasks = insp.list_tasks(conn, deps, draw_id=d["id"])
    county = _client(platform, "county", "department_officer", "xscjg")
    page = county.get("/console/inspections/tasks?inspector=XS001")
    assert page.status_code == 200
    assert {int(x) for x in re.findall(r"<h3>任务 (\d+)：", page.text)} == {t["id"] for t in tasks}
    task = tasks[0]["id"]
    assert f"/console/inspections/tasks/{task}/results" in page.text
    assert 'name="item" value="CPZL_CC"' in page.text
    assert 'name="item" value="GSXX_CC"' not in page.text
    assert "：待部门scjg录入" in page.text  # the lead's item, left to the lead
    form = {
        "csrf": csrf_of(page.text), "inspector": "XS001", "result": "01",
        "inspected_on": clock.today().isoformat(),
    }  # fmt: skip
    lead_item = county.post(
        f"/console/inspections/tasks/{task}/results", data={**form, "item": "GSXX_CC"}
    )
    assert lead_item.status_code == 403
    assert "本部门不能录入" in lead_item.text
    own = county.post(
        f"/console/inspections/tasks/{task}/results",
        data={**form, "item": "CPZL_CC"},
        follow_redirects=True,
    )
    assert own.status_code == 200, own.text
    assert "已录入检查结果" in own.text


def test_account_created_linked_on_the_users_page(platform: Platform) -> None:
    """/console/users: an account of role 检查人员 created with its registered inspector id is
    linked in the same transaction; a link refused (unknown inspector, another role, an
    inspector already linked) names the field and the value, and no account is created."""
    from xinyong.access import accounts
    from xinyong.inspections import repository as insp_repo

    seed_platform(platform)
    admin = _client(platform, "admin", "office_admin")
    page = admin.get("/console/users")
    assert 'name="inspector"' in page.text
    form = {"csrf": csrf_of(page.text), "display_name": "检查员甲", "department": ""}
    ok = admin.post(
        "/console/users", data={**form, "name": "insp.a", "role": "inspector", "inspector": "SJ001"}
    )
    assert ok.status_code == 200, ok.text
    assert "的初始口令（只显示这一次）" in ok.text
    for name, role, ident, status, why in [
        ("insp.b", "inspector", "NOPE9", 404, "没有检查人员“NOPE9”"),
        ("insp.c", "auditor", "SJ002", 400, "只有角色为“检查人员”的账号可以关联检查人员"),
        ("insp.d", "inspector", "SJ001", 409, "已关联账号"),
    ]:
        bad = admin.post(
            "/console/users", data={**form, "name": name, "role": role, "inspector": ident}
        )
        assert bad.status_code == status, bad.text
        assert f"检查人员编号（inspector）“{ident}”" in bad.text
        assert why in bad.text
        assert "的初始口令（只显示这一次）" not in bad.text
    with platform.engine.connect() as conn:
        names = {str(u["name"]) for u in accounts.users(conn)}
        a = insp_repo.inspector(conn, "SJ001")
        user = accounts.find_user(conn, "insp.a")
    assert names == {"admin", "insp.a"}
    assert a is not None
    assert a["user_id"] == user["id"]
