"""双随机、一公开 in a real browser, on SQLite and PostgreSQL: the market regulator's officer
generates a draw's commitment and publishes it; the portal's /inspections shows the commitment
and no seed; the officer runs the draw; the portal shows the seed and the record to download
(which verifies); an inspector's inbox takes a result, which the portal then shows. Every page
goes through ``conftest.Visit`` (console errors, CSP, foreign requests, axe)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE, LiveSite, Visit
from tests.helpers import add_user
from xinyong.demo.run import DEMO_PASSWORD
from xinyong.identity import repository as identity_repo
from xinyong.inspections import registry, rules
from xinyong.inspections import service as insp
from xinyong.kernel.clock import FixedClock


@pytest.fixture
def tab(browser: Any, live_site: LiveSite) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_tab(label: str) -> Visit:
        context = browser.new_context(
            viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="block"
        )
        context.set_default_timeout(30_000)
        contexts.append(context)
        return Visit(context, live_site.url, f"{label}-{live_site.platform.engine.dialect.name}")

    try:
        yield open_tab
    finally:
        for c in contexts:
            c.close()


def _plan(site: LiveSite, prefix: str = "B") -> int:
    """Three inspectors of the market regulator and a plan over one district's companies
    (``prefix``: the inspectors' numbers, distinct per test on the shared site)."""
    platform = site.platform
    engine = platform.engine.dialect.name
    with platform.engine.connect() as conn:
        district = next(
            s["key"][2:8]
            for s in identity_repo.search_subjects(conn, "", limit=10_000)
            if s["key"].startswith("91")
        )
    with platform.transaction() as conn:
        for i in range(3):
            registry.register_inspector(
                conn,
                ident=f"{prefix}{engine[:2]}{i:02d}",
                name=f"检查员{i}",
                department_code="scjg",
                region="000000",
                qualifications=["执法证件"],
                certificate=f"6100{i:08d}",
                now=platform.clock.now(),
            )
        plan = insp.create_plan(
            conn,
            platform.inspection_deps(),
            name=f"浏览器抽查计划{engine}",
            kind="adhoc",
            year=2026,
            department_code="scjg",
            items=[{"item": "GSXX_CC"}],
            policy_ref="SAMR_GRADED",
            pool_filter={"region": district},
            actor="department:browser",
            now=platform.clock.now(),
        )
    return int(plan["id"])


def test_an_office_commits_draws_and_an_inspector_enters_a_result(
    tab: Any, live_site: LiveSite
) -> None:
    platform = live_site.platform
    clock = platform.clock
    assert isinstance(clock, FixedClock)
    plan_id = _plan(live_site)
    officer = f"insp_scjg_{platform.engine.dialect.name}"[:32]
    add_user(platform, officer, "department_officer", "scjg", password=DEMO_PASSWORD)
    staff = tab("inspections-officer")
    public = tab("inspections-public")
    page = staff.page
    staff.open("/console/login")
    page.get_by_label("用户名").fill(officer)
    page.get_by_label("口令").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/console")
    page.locator(".console-nav").get_by_role("link", name="双随机抽查").click()
    page.wait_for_url("**/console/inspections")
    staff.check("console-inspections")
    page.get_by_role("link", name=f"计划 {plan_id}：", exact=False).click()
    page.wait_for_url(f"**/console/inspections/plans/{plan_id}")
    page.get_by_role("button", name="生成抽取承诺").click()
    page.wait_for_url("**done=prepared")
    page.get_by_role("button", name="公布抽取承诺").click()
    page.wait_for_url("**done=published")
    staff.check("console-inspection-committed")
    with platform.engine.connect() as conn:
        (draw,) = insp.get_plan(conn, platform.inspection_deps(), plan_id)["draws"]
    public.open("/inspections")
    text = public.page.inner_text("main")
    assert draw["draw_commitment"] in text
    assert "抽取后公布" in text
    public.check("inspections-committed")
    clock.advance(dt.timedelta(seconds=30))
    page.get_by_role("button", name="抽取", exact=True).click()
    page.wait_for_url("**done=drawn")
    assert "已抽取，种子已公开" in page.inner_text("main")
    # each stratum's pool, ratio and drawn count, with the model's labels
    strata = page.locator("table.draw-strata").inner_text()
    assert "按企业信用风险分类（本平台模型，内部）" in strata
    assert "D类（信用风险高）" in strata
    assert "80%" in strata
    assert "未分类" in strata
    staff.check("console-inspection-drawn")
    with platform.engine.connect() as conn:
        draw = insp.get_draw(conn, draw["id"], public=True)
        record = insp.draw_record(conn, draw["id"], public=True)
        full = insp.draw_record(conn, draw["id"], public=False)
        (task, *_) = insp.list_tasks(conn, platform.inspection_deps(), draw_id=draw["id"])
    assert rules.verify(full, None, draw["draw_commitment"]) == []
    # The public copy re-runs while every subject is ungraded; once an evaluation run (an
    # earlier test on the shared site) has given the internal risk classes, it withholds them
    # and says, in one statement, that the strata cannot be re-run from it.
    problems = rules.verify(record, None, draw["draw_commitment"])
    if record.get("grades_withheld"):
        assert len(problems) == 1, problems
        assert "不能复核分层抽取" in problems[0]
    else:
        assert problems == []
    public.open("/inspections")
    text = public.page.inner_text("main")
    assert draw["seed"] in text
    assert "xinyong verify-draw" in text
    assert task["subject_name"] in text
    assert "抽查下限" in text  # 企业公示信息抽查 ≥ 3 %, on the draw's total
    # the demo's plans (its joint plan among them) are on the portal too
    assert "未分类" in "".join(public.page.locator("table.draw-strata").all_inner_texts())
    public.check("inspections-drawn")
    # the inspector's inbox: enter the result
    inspector = task["inspectors"][0]
    staff.open(f"/console/inspections/tasks?inspector={inspector}")
    staff.check("console-inspection-inbox")
    form = page.locator(f"form[action='/console/inspections/tasks/{task['id']}/results']")
    form.get_by_label("检查结果类别").select_option("02")
    form.get_by_label("检查结果说明（向社会公示）").fill("年度报告从业人数填报有误，已责令改正")
    form.get_by_role("button", name="录入结果").click()
    page.wait_for_url("**done=result")
    assert "已录入检查结果" in page.inner_text("main")
    public.open("/inspections")
    assert "年度报告从业人数填报有误" in public.page.inner_text("main")
    public.check("inspections-result")
    phone = tab("inspections-phone")
    phone.page.set_viewport_size(PHONE)
    phone.open("/inspections")
    phone.no_horizontal_scroll()  # 64-digit hashes wrap on a phone
    phone.check("inspections-phone")


def test_coverage_charts_with_their_tables_and_the_public_summary(
    tab: Any, live_site: LiveSite
) -> None:
    """A drawn plan with one result on time and one late: the officer's coverage page draws
    its charts (painted canvases) beside their tables, the plan page its strata chart; the
    portal's summary gives counts per item, no subject."""
    from tests.browser.test_console_dashboard import _drawn

    platform = live_site.platform
    clock = platform.clock
    assert isinstance(clock, FixedClock)
    plan_id = _plan(live_site, prefix="C")
    deps = platform.inspection_deps()
    with platform.transaction() as conn:
        d = insp.prepare_draw(
            conn, deps, plan_id, department_code="scjg", actor="o", now=clock.now()
        )
        insp.publish_commitment(conn, deps, d["id"], department_code="scjg", now=clock.now())
    clock.advance(dt.timedelta(seconds=30))
    with platform.transaction() as conn:
        insp.run_planned_draw(
            conn, deps, d["id"], department_code="scjg", actor="o", now=clock.now()
        )
        tasks = insp.list_tasks(conn, deps, draw_id=d["id"])
        insp.enter_result(
            conn, deps, tasks[0]["id"], inspector_id=tasks[0]["inspectors"][0],
            item_code="GSXX_CC", result_code="01", result_text="", inspected_on=clock.today(),
            now=clock.now(),
        )  # fmt: skip
    officer = f"cov_scjg_{platform.engine.dialect.name}"[:32]
    add_user(platform, officer, "department_officer", "scjg", password=DEMO_PASSWORD)
    staff = tab("inspections-coverage")
    staff.console_sign_in(officer)
    page = staff.page
    staff.open("/console/inspections")
    page.get_by_role("link", name="抽查覆盖情况").click()
    page.wait_for_url("**/console/inspections/coverage")
    for chart in ("items", "months", f"strata-{d['id']}"):
        page.wait_for_selector(f"#chart-{chart} canvas")
        assert _drawn(page, chart), chart
    items = page.locator("#coverage-items").inner_text()
    assert "企业公示信息抽查（2026年）" in items
    with platform.engine.connect() as conn:  # other tests' plans on the shared site count too
        report = insp.coverage_report(
            conn, deps, department_code="scjg", year=2026, now=clock.now()
        )
    (g,) = report["groups"]
    assert "未发现问题" in items
    t = g["tasks"]
    assert f"{t['done']}／{t['overdue'] or 0}／{t['open']}（{t['unverified']}）" in items
    assert "未分类" in page.locator(f"#strata-{d['id']}").inner_text()
    staff.check("console-inspection-coverage")
    staff.open(f"/console/inspections/plans/{plan_id}")
    page.wait_for_selector(f"#chart-strata-{d['id']} canvas")
    assert _drawn(page, f"strata-{d['id']}")
    staff.check("console-inspection-plan-strata")
    public = tab("inspections-summary")
    public.open("/inspections")
    summary = public.page.locator("#inspection-summary").inner_text()
    assert "未发现问题 1 户" in summary
    assert tasks[0]["subject_name"] not in summary
    public.check("inspections-summary")
    phone = tab("inspections-coverage-phone")
    phone.page.set_viewport_size(PHONE)
    phone.console_sign_in(officer)
    phone.open("/console/inspections/coverage")
    phone.no_horizontal_scroll()
    phone.check("console-inspection-coverage-phone")


def test_demo_inspector_sees_only_its_own_tasks_and_enters_a_result(
    tab: Any, live_site: LiveSite
) -> None:
    """demo_inspector is linked to a demo inspector with tasks: the inbox shows only the tasks
    that inspector was drawn for and takes a result in person; an account of role 检查人员 not
    linked reads a clear statement instead."""
    platform = live_site.platform
    with platform.engine.connect() as conn:
        me = registry.inspector_for_account_name(conn, "demo_inspector")
        mine = insp.list_tasks(conn, platform.inspection_deps(), inspector_id=me["id"])
    assert mine
    visit = tab("inspections-inspector")
    page = visit.page
    visit.open("/console/login")
    page.get_by_label("用户名").fill("demo_inspector")
    page.get_by_label("口令").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/console")
    page.locator(".console-nav").get_by_role("link", name="检查任务待办").click()
    page.wait_for_url("**/console/inspections/tasks")
    text = page.inner_text("main")
    assert "这里只显示抽中您的检查任务" in text
    assert me["id"] in text
    shown = page.locator("h3").all_inner_texts()
    assert sorted(shown) == sorted(
        f"任务 {t['id']}：{t['subject_name']} {t['subject']}" for t in mine
    )
    visit.check("console-inspector-inbox")
    open_task = next(t for t in mine if t["status"] == "open")
    form = page.locator(f"form[action='/console/inspections/tasks/{open_task['id']}/results']")
    form.get_by_label("检查结果类别").select_option("01")
    form.get_by_role("button", name="录入结果").click()
    page.wait_for_url("**done=result")
    assert "已录入检查结果" in page.inner_text("main")
    visit.check("console-inspector-result")
    # An inspector's account nobody linked yet.
    name = f"jcy_{platform.engine.dialect.name}"[:32]
    add_user(platform, name, "inspector", password=DEMO_PASSWORD)
    other = tab("inspections-unlinked")
    other.open("/console/login")
    other.page.get_by_label("用户名").fill(name)
    other.page.get_by_label("口令").fill(DEMO_PASSWORD)
    other.page.get_by_role("button", name="登录").click()
    other.page.wait_for_url("**/console")
    other.open("/console/inspections/tasks")
    assert "尚未关联检查人员登记" in other.page.inner_text("main")
    other.check("console-inspector-unlinked")
    # The department's officer sees each inspector's account on the registry page.
    officer = tab("inspections-registry")
    officer.open("/console/login")
    officer.page.get_by_label("用户名").fill("demo_officer")
    officer.page.get_by_label("口令").fill(DEMO_PASSWORD)
    officer.page.get_by_role("button", name="登录").click()
    officer.page.wait_for_url("**/console")
    officer.open("/console/inspections/inspectors")
    row = officer.page.locator("tr", has_text=me["id"])
    assert "demo_inspector" in row.inner_text()
    assert row.get_by_role("button", name=f"解除 {me['id']} 的账号关联").count() == 1
    officer.check("console-inspectors-accounts")


def test_account_created_linked_and_a_joint_plans_coverage(tab: Any, live_site: LiveSite) -> None:
    """The office creates an account of role 检查人员 with its registered inspector's id on
    /console/users (linked at once); the demo's joint plan gives the ecology department its
    own coverage row, marked 参与联合抽查."""
    platform = live_site.platform
    engine = platform.engine.dialect.name
    ident = f"U{engine[:2]}01"
    with platform.transaction() as conn:
        registry.register_inspector(
            conn, ident=ident, name="新检查员", department_code="scjg", region="000000",
            qualifications=["执法证件"], certificate="610000999901", now=platform.clock.now(),
        )  # fmt: skip
    admin = f"adm_link_{engine}"[:32]
    add_user(platform, admin, "office_admin", password=DEMO_PASSWORD)
    staff = tab("users-inspector-link")
    staff.console_sign_in(admin)
    page = staff.page
    staff.open("/console/users")
    name = f"jc_link_{engine}"[:32]
    page.get_by_label("用户名（小写字母、数字或“._-”）").fill(name)
    page.get_by_label("姓名").fill("新检查员")
    page.get_by_label("角色").select_option("inspector")
    page.get_by_label("关联的检查人员编号（仅检查人员，可不填）").fill(ident)
    page.get_by_role("button", name="添加").click()
    page.wait_for_selector("text=的初始口令（只显示这一次）")
    staff.check("console-users-inspector-linked")
    with platform.engine.connect() as conn:
        assert registry.inspector_for_account_name(conn, name)["id"] == ident
    staff.open("/console/inspections/coverage?department=sthj")
    items = page.locator("#coverage-items").inner_text()
    assert "排污单位环境监管随机抽查" in items
    assert "参与联合抽查" in items
    assert "联合抽查（进一次门、查多项事）" in page.inner_text("main")
    staff.check("console-inspection-coverage-joint")
