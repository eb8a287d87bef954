"""The console's dashboard and audit trail in a real browser, on SQLite and PostgreSQL, signed
in through the form with the demo accounts: the charts are drawn (canvases with pixels), with
no console error, no CSP violation and no serious accessibility violation (``conftest.Visit``)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveSite, Visit

CHARTS = ("records", "rates", "quality", "lists", "checks", "cases", "commitments", "voluntary")


def _drawn(page: Any, chart: str) -> bool:
    """Whether the chart's canvas exists, has a size and holds at least one painted pixel."""
    return bool(
        page.evaluate(
            """(id) => {
              const canvas = document.querySelector('#chart-' + id + ' canvas');
              if (!canvas || !canvas.width || !canvas.height) return false;
              const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
              return false;
            }""",
            chart,
        )
    )


def test_the_office_dashboard_draws_every_chart(visit: Visit, live_site: LiveSite) -> None:
    visit.console_sign_in("demo_admin")
    page = visit.page
    page.get_by_role("link", name="工作台").first.click()
    page.wait_for_url("**/console/dashboard")
    page.wait_for_selector("#chart-alerts canvas")
    for chart in (*CHARTS, "alerts"):
        assert _drawn(page, chart), chart
    assert page.get_by_role("heading", name="工作台：全省").is_visible()
    # The numbers are also in tables (opened from their summaries).
    page.locator("#h-checks ~ details summary").click()
    assert page.get_by_role("table", name="每月核查与措施").is_visible()
    visit.no_horizontal_scroll()
    visit.check("console-dashboard-office")


def test_an_officer_sees_only_their_department(visit: Visit, live_site: LiveSite) -> None:
    visit.console_sign_in("demo_officer")
    visit.open("/console/dashboard?months=6")
    page = visit.page
    page.wait_for_selector("#chart-checks canvas")
    for chart in CHARTS:
        assert _drawn(page, chart), chart
    assert page.locator("#chart-alerts").count() == 0
    assert page.locator("select#department").count() == 0
    heading = page.get_by_role("heading", level=2).first.inner_text()
    assert "（scjg）" in heading, heading
    page.locator("#h-records ~ details summary").click()
    departments = page.locator("table").first.locator("tr td:nth-child(2)").all_inner_texts()
    assert departments
    assert all(d.endswith("（scjg）") for d in departments), departments
    visit.no_horizontal_scroll()
    visit.check("console-dashboard-officer")
    visit.expect_error_status("/console/dashboard?department=swj", 403)
    visit.open("/console/dashboard?department=swj", status=403)


def test_the_audit_page_lists_the_sign_in(visit: Visit, live_site: LiveSite) -> None:
    visit.console_sign_in("demo_auditor")
    page = visit.page
    page.get_by_role("link", name="审计日志").first.click()
    page.wait_for_url("**/console/audit")
    assert page.get_by_text("审计链完整").is_visible()
    page.get_by_label("操作", exact=True).select_option("console_login")
    page.locator("form.audit-filter").get_by_role("button", name="查询").click()
    page.wait_for_url("**/console/audit?*")
    rows = (
        page.get_by_role("table", name="审计日志").locator("tr td:nth-child(3)").all_inner_texts()
    )
    assert any(r.endswith(":demo_auditor") for r in rows), rows
    visit.check("console-audit")
    # The bounded check on each view; the full one on request.
    page.get_by_role("button", name="全量核验审计链").click()
    page.wait_for_url("**/console/audit/verify")
    shown = page.locator(".audit-verification").inner_text()
    assert "全量核验：自第一条起" in shown, shown
    assert "上次全量核验：尚未进行" not in shown, shown


def test_the_office_issues_a_key_shown_once(visit: Visit, live_site: LiveSite) -> None:
    visit.console_sign_in("demo_admin")
    page = visit.page
    page.get_by_role("link", name="部门管理").first.click()
    page.wait_for_url("**/console/departments")
    assert page.get_by_role("table", name="报送部门").get_by_text("scjg", exact=True).is_visible()
    visit.check("console-departments")
    page.get_by_role("link", name="API 密钥").first.click()
    page.wait_for_url("**/console/keys")
    page.get_by_label("名称（使用方或系统）").fill("浏览器测试系统")
    page.get_by_label("角色").select_option("auditor")
    page.get_by_role("button", name="签发").click()
    secret = page.locator("code.secret").inner_text()
    assert secret.startswith("xy_")
    visit.check("console-keys")
    visit.open("/console/keys")
    assert secret not in page.content()
