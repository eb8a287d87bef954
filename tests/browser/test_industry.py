"""行业与规模 in a real browser, on SQLite and PostgreSQL: the portal's /evaluation shows the
market regulator's industry model with its department, base model and 行业门类 (and that
subjects with no stated industry are not scored by it); a department officer makes a 定向抽查
plan by 行业门类 from the console form (the catalogue's labels) and the plan page shows the
filter with labels and how many organisations with no stated industry it leaves out."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.browser.conftest import LiveSite, Visit
from tests.helpers import add_user
from xinyong.demo.run import DEMO_PASSWORD
from xinyong.identity.tables import subjects


def test_the_portal_shows_the_industry_model(visit: Visit) -> None:
    visit.open("/evaluation")
    page = visit.page
    section = page.locator("#model-SCJG_SPXY")
    text = section.inner_text()
    assert "食品生产经营企业信用评价" in text
    assert "省市场监督管理局" in text  # the department's name, not its code
    assert "GGXYPJ" in text
    assert "C 制造业" in text
    assert "H 住宿和餐饮业" in text
    assert "未载明行业" in text
    visit.no_horizontal_scroll()
    visit.check("evaluation-industry-model")


def test_a_plan_by_industry_from_the_console(
    visit: Visit, live_site: LiveSite, viewport: str
) -> None:
    platform = live_site.platform
    officer = f"ind_{viewport}_{platform.engine.dialect.name}"[:32]
    add_user(platform, officer, "department_officer", "scjg", password=DEMO_PASSWORD)
    with platform.engine.connect() as conn:
        unknown = conn.execute(
            select(func.count()).where(
                subjects.c.kind == "organisation", subjects.c.industry.is_(None)
            )
        ).scalar_one()
    page = visit.page
    visit.console_sign_in(officer)
    visit.open("/console/inspections")
    page.get_by_label("计划名称").fill("制造业定向抽查")
    page.get_by_label("定向抽查：行业门类", exact=False).select_option(["C"])
    page.get_by_label("定向抽查：企业规模", exact=False).select_option(["3", "4", "unknown"])
    visit.check("console-inspections-industry-form")
    page.get_by_role("button", name="制定计划").click()
    page.wait_for_url(re.compile(r".*/console/inspections/plans/\d+\?done=plan"))
    facts = page.locator("table.case-facts").inner_text()
    assert "行业门类：制造业" in facts
    assert "企业规模：小型、微型、未知（登记信息未载明）" in facts
    assert f"登记信息未载明行业门类的主体 {unknown} 个：未纳入抽查对象范围" in facts
    assert "已纳入抽查对象范围（筛选含“未知”）" in facts  # the size filter takes them in
    visit.no_horizontal_scroll()
    visit.check("console-inspection-plan-industry")
