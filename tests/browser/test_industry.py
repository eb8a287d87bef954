"""行业与规模 in a real browser, on SQLite and PostgreSQL: the portal's /evaluation shows the
market regulator's industry model with its department, base model and 行业门类 (and that
subjects with no stated industry are not scored by it), and an organisation that re-registers
outside its 行业门类 reads on its own evaluation page why the model no longer grades it; a
department officer makes a 定向抽查 plan by 行业门类 from the console form (the catalogue's
labels) and the plan page shows the filter with labels and how many organisations with no
stated industry it leaves out."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from tests.browser.conftest import LiveSite, Visit
from tests.helpers import add_user, csv_bytes
from xinyong.bootstrap import Platform
from xinyong.catalog.evaluation import ResultDisclosure
from xinyong.demo.run import DEMO_PASSWORD
from xinyong.evaluation import service as evaluation
from xinyong.identity.tables import subjects
from xinyong.selfservice import accounts

PASSWORD = "Browser-Industry-2026"


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


def test_the_account_page_says_why_the_food_model_no_longer_grades(
    tab: Callable[[str], Visit], live_site: LiveSite
) -> None:
    """An organisation graded by SCJG_SPXY (registered in 制造业) re-registers as 教育: after
    the incremental run its own evaluation page shows no food-model grade, only the note
    that it does not take part in the model, with the reason."""
    platform = live_site.platform
    with platform.engine.connect() as conn:
        key, name = conn.execute(
            select(subjects.c.key, subjects.c.name)
            .where(
                subjects.c.kind == "organisation",
                subjects.c.industry == "C",
                subjects.c.key != live_site.subject_code,
                subjects.c.name.is_not(None),
            )
            .order_by(subjects.c.key)
            .limit(1)
        ).one()
    _evaluate(platform)
    assert "SCJG_SPXY" in _current(platform, key)
    row = {"企业名称": name, "统一社会信用代码": key, "成立日期": "2020-01-02"}
    result = platform.importer().import_bytes(
        csv_bytes([{**row, "行业门类": "P"}]),
        filename="dj.csv",
        department_code="scjg",
        item_code="DJZC",
    )
    assert result.accepted == 1, result.rejections
    assert _evaluate(platform)["full"] is False
    assert "SCJG_SPXY" not in _current(platform, key)

    with platform.engine.begin() as conn:
        code = accounts.issue_code(
            conn, uscc=key, days=14, now=platform.clock.now(), actor="cli:浏览器测试"
        ).code
    subject = tab("industry-not-scored")
    page = subject.page
    subject.open("/account/activate")
    page.get_by_label("统一社会信用代码", exact=True).fill(key)
    page.get_by_label("激活码").fill(code)
    page.get_by_label("设置口令").fill(PASSWORD)
    page.get_by_label("再次输入口令").fill(PASSWORD)
    page.get_by_role("button", name="激活").click()
    page.wait_for_url("**/account")
    subject.open("/account/evaluation")
    main = page.inner_text("main")
    assert "公共信用综合评价" in main
    assert page.locator("#result-SCJG_SPXY").count() == 0
    note = page.locator("#not-scored-SCJG_SPXY").inner_text()
    assert "食品生产经营企业信用评价" in note
    assert "登记的行业门类为 P 教育" in note
    assert "不参加本模型评价" in note
    subject.no_horizontal_scroll()
    subject.check("account-evaluation-not-scored")


def _evaluate(platform: Platform) -> dict[str, Any]:
    return evaluation.run(
        platform.engine,
        platform.evaluation_models(),
        platform.evaluation_snapshot(),
        now=platform.clock.now(),
        actor="office:浏览器测试",
    )


def _current(platform: Platform, key: str) -> set[str]:
    with platform.engine.connect() as conn:
        found = evaluation.subject_results(
            conn,
            platform.evaluation_models(),
            key,
            levels=set(ResultDisclosure),
            with_entries=False,
        )
    return {r["model"] for r in found}
