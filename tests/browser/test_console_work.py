"""The console's work pages in a real browser, on the demo province (phone and desktop, SQLite
and PostgreSQL): a department officer checks a listed company before a 政府采购 transaction
and records what was done; the office acknowledges a 易地开张 alert; the office drafts and
publishes a typical case, which then appears on the public /typical-cases. Signed in through
the form, as a person would; every visit is checked by ``conftest.Visit``."""

from __future__ import annotations

import json
import uuid

from tests.browser.conftest import LiveSite, Visit
from tests.helpers import csv_bytes, penalty
from xinyong.alerts import service as alerts
from xinyong.checks import service as checks
from xinyong.demo.run import DEMO_ACCOUNTS
from xinyong.identity import repository as identity_repo
from xinyong.identity.uscc import make_uscc

SCENARIO = "government_procurement"


def _officer() -> tuple[str, str]:
    name, _, _, department = next(a for a in DEMO_ACCOUNTS if a[2] == "department_officer")
    assert department is not None
    return name, department


def _listed_company(live_site: LiveSite, department: str) -> str:
    """The USCC of a demo company on a list whose 政府采购 check by ``department`` gives
    measures (found through the check itself, not assumed)."""
    platform = live_site.platform
    with platform.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT subject_key, memberships FROM subject_status ORDER BY subject_key"
        ).all()
        for key, memberships in rows:
            if not key.startswith("91") or not json.loads(memberships):
                continue
            answer = checks.check(
                conn,
                platform.sanctions,
                platform.vault,
                subject=key,
                scenario=SCENARIO,
                today=platform.clock.today(),
                now=platform.clock.now(),
                actor="test",
                department_code=department,
                record=lambda _row: None,  # looked at, not receipted
            )
            if answer["measures"] and answer["memberships"]:
                return str(key)
    raise AssertionError("the demo province has no listed company with 政府采购 measures")


def test_an_officer_checks_a_listed_company_and_records_feedback(
    visit: Visit, live_site: LiveSite
) -> None:
    name, department = _officer()
    code = _listed_company(live_site, department)
    visit.console_sign_in(name)
    page = visit.page
    # From the home page's list of what the role can do (the bar above repeats the link).
    page.locator("main table").get_by_role("link", name="逢办必查").click()
    page.wait_for_url("**/console/check")
    visit.check("console-check-form")

    page.get_by_label("核查对象").fill(code)
    page.get_by_label("应用场景").select_option(label="政府采购")
    page.get_by_role("button", name="核查", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="核查结论").is_visible()
    result = page.inner_text("main")
    assert code in result
    assert "政府采购" in result
    receipt = page.locator("table.kv code").first.inner_text()
    assert len(receipt) == 32
    measures = page.locator("section.measure h4")
    assert measures.count() >= 1
    first = measures.first.inner_text().split()[0]
    assert "法律依据" in result
    assert "实施部门" in result
    visit.no_horizontal_scroll()
    visit.check("console-check-result")

    form = page.locator("form.feedback").first
    form.get_by_label("已实施").check()
    form.get_by_label("理由或说明").fill("已在资格审查中认定其不具备投标资格")
    form.get_by_role("button", name="提交反馈").click()
    page.wait_for_url(f"**/console/check/receipts/{receipt}?saved={first}")
    shown = page.inner_text("main")
    assert f"已记录措施 {first} 的实施情况" in shown
    assert "已实施：已在资格审查中认定其不具备投标资格" in shown
    visit.no_horizontal_scroll()
    visit.check("console-check-receipt")


def _fresh_alert(live_site: LiveSite) -> tuple[int, str]:
    """A new open 易地开张 alert through the real pipeline: a department reports a penalty on
    a new company whose legal representative is the demo's re-establisher (the person of the
    demo's alert), and the import raises the alert. (alert id, the new company's name)."""
    platform = live_site.platform
    with platform.engine.connect() as conn:
        demo_alert = alerts.list_alerts(conn, status=None)["alerts"][-1]
        person = identity_repo.get_subject(conn, demo_alert["detail"]["person"]["key"])
    assert person is not None
    assert person["id_sealed"] is not None
    sealed = json.loads(platform.vault.unseal(person["id_sealed"]))  # {"id", "name"}
    tail = uuid.uuid4().hex[:8].upper().replace("I", "J").replace("O", "P")
    code = make_uscc("9", "1", "610113", "MA" + tail[:6])
    name = f"西安市雁塔区新开{tail[:4]}商贸有限公司"
    result = platform.importer().import_bytes(
        csv_bytes(
            [
                penalty(
                    CF_XDR_SHXYM=code,
                    CF_XDR_MC=name,
                    CF_FRDB=sealed["name"],
                    CF_FR_ZJHM=sealed["id"],
                    CF_WSH=f"陕市监罚〔2026〕{tail}号",
                )
            ]
        ),
        filename="walk.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    assert result.accepted == 1, result.rejections
    with platform.engine.connect() as conn:
        found = [
            a for a in alerts.list_alerts(conn, status="open")["alerts"] if a["subject"] == code
        ]
    assert found, "the import raised no alert"  # one per listed subject the person leads
    return max(a["id"] for a in found), name


def test_the_office_acknowledges_an_alert(visit: Visit, live_site: LiveSite) -> None:
    alert_id, company = _fresh_alert(live_site)
    visit.console_sign_in("demo_admin")
    page = visit.page
    page.locator("main").get_by_role("link", name="预警处理").click()
    page.wait_for_url("**/console/alerts")
    assert company in page.inner_text("main")
    visit.no_horizontal_scroll()
    visit.check("console-alerts")

    page.get_by_role("link", name=f"预警 {alert_id}", exact=True).click()
    page.wait_for_url(f"**/console/alerts/{alert_id}")
    assert "疑似易地开张" in page.inner_text("main")
    visit.check("console-alert")
    page.get_by_label("确认说明").fill("已转执法部门核查")
    page.get_by_role("button", name="确认预警").click()
    page.wait_for_url(f"**/console/alerts/{alert_id}")
    shown = page.inner_text("main")
    assert "已确认" in shown
    assert "已转执法部门核查" in shown
    assert page.get_by_role("button", name="确认预警").count() == 0
    visit.check("console-alert-acknowledged")


def test_the_office_publishes_a_typical_case_to_the_portal(
    visit: Visit, live_site: LiveSite
) -> None:
    title = f"某建设公司拖欠农民工工资受到联合惩戒（{uuid.uuid4().hex[:6]}）"
    visit.console_sign_in("demo_admin")
    page = visit.page
    page.locator("main table").get_by_role("link", name="典型案例").click()
    page.wait_for_url("**/console/typical-cases")
    visit.check("console-typical-cases")

    page.get_by_text("登记典型案例（草稿）").click()  # the form is folded under the list's top
    page.get_by_label("标题").fill(title)
    page.get_by_label("案例摘要").fill(
        "该公司拖欠农民工工资被列入失信联合惩戒对象名单，依法受到限制。"
    )
    page.get_by_label("类别").select_option(label="惩戒")
    page.get_by_label("M14 拖欠农民工工资失信联合惩戒").check()
    page.get_by_label("实施或报送部门").select_option(value="zjt")
    page.get_by_role("button", name="登记草稿").click()
    page.wait_for_load_state("networkidle")
    message = page.get_by_role("status").inner_text()
    assert "（草稿）" in message
    case_id = message.split("已登记典型案例 ", 1)[1].split("（", 1)[0]
    visit.check("console-typical-drafted")

    page.get_by_role("button", name=f"发布案例 {case_id}", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert f"典型案例 {case_id} 已发布" in page.get_by_role("status").inner_text()

    visit.open("/typical-cases")
    assert page.get_by_role("link", name=title).is_visible() or title in page.inner_text("main")
    visit.check("portal-typical-cases-published")
