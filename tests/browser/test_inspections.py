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


def _plan(site: LiveSite) -> int:
    """Three inspectors of the market regulator and a plan over one district's companies."""
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
                ident=f"B{engine[:2]}{i:02d}",
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
        (task, *_) = insp.list_tasks(conn, platform.inspection_deps(), draw_id=draw["id"])
    assert rules.verify(record, None, draw["draw_commitment"]) == []
    public.open("/inspections")
    text = public.page.inner_text("main")
    assert draw["seed"] in text
    assert "xinyong verify-draw" in text
    assert task["subject_name"] in text
    assert "抽查下限" in text  # 企业公示信息抽查 ≥ 3 %, on the draw's total
    assert "未分类" in public.page.locator("table.draw-strata").inner_text()
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
