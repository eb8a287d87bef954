"""Sampling coverage over the API, the console, the command line and the portal, on both
engines: the office sees every department, a department its own (another department refused);
the console page has its charts with the tables beside them and the plan page its strata; the
command prints Chinese labels and Beijing time; the portal's summary (一公开) shows counts per
item and year and no subject, no stratum."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.helpers import add_department, add_user, console_sign_in
from tests.inspections.test_coverage import _two_results
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import FixedClock
from xinyong.web.app import create_app
from xinyong.web.cli import app

URL = "/api/v1/inspections/coverage"


def test_api_console_cli_portal(platform: Platform, clock: FixedClock, cli_env: Path) -> None:
    _two_results(platform)
    add_department(platform, "hbj", "ecology", "生态环境厅")
    client = TestClient(create_app(platform), base_url="https://testserver")
    with platform.engine.begin() as conn:
        office = access.issue_key(conn, "信用办", "office", None, clock.now())
        own = access.issue_key(conn, "市场监管系统", "department", "scjg", clock.now())
        other = access.issue_key(conn, "生态环境系统", "department", "hbj", clock.now())
    assert client.get(URL).status_code == 401
    body = client.get(URL, headers={"X-API-Key": office}).json()
    [g] = body["groups"]
    assert g["item_label"]
    assert g["tasks"]["overdue"] == 1
    assert g["results"][0]["result_label"] == "未发现问题"
    assert body["draws"][0]["strata"][-1]["label"] == "未分类"
    assert body["generated_at"].endswith("+08:00")
    mine = client.get(URL, headers={"X-API-Key": own}).json()
    assert mine["department"] == "scjg"
    assert mine["groups"] == body["groups"]
    assert client.get(URL, headers={"X-API-Key": other}).json()["groups"] == []
    refused = client.get(URL, params={"department": "scjg"}, headers={"X-API-Key": other})
    assert refused.status_code == 403
    assert (
        client.get(URL, params={"year": "1900"}, headers={"X-API-Key": office}).status_code == 422
    )

    add_user(platform, "officer", "department_officer", "scjg")
    assert console_sign_in(client, "officer").status_code == 303
    page = client.get("/console/inspections/coverage")
    assert page.status_code == 200
    for text in (
        "按抽查事项：名录覆盖",
        "按月：检查任务完成情况",
        'id="coverage-items"',
        "js-chart",
    ):
        assert text in page.text
    assert "全部部门" not in page.text.split("<form", 1)[1].split("</form>", 1)[0]
    plan = client.get(f"/console/inspections/plans/{g['plans'][0]}")
    assert 'id="strata-' in plan.text
    assert "策略比例" in plan.text
    assert 'href="/console/inspections/coverage"' in client.get("/console/inspections").text

    office_page = TestClient(create_app(platform), base_url="https://testserver")
    add_user(platform, "admin", "office_admin")
    assert console_sign_in(office_page, "admin").status_code == 303
    chosen = office_page.get("/console/inspections/coverage", params={"department": "hbj"})
    assert '<option value="">全部部门</option>' in chosen.text
    assert "尚无抽查计划" in chosen.text  # the ecology department has none
    assert "按月：检查任务完成情况" in office_page.get("/console/inspections/coverage").text

    out = CliRunner().invoke(app, ["inspections", "coverage", "--year", "2026"])
    assert out.exit_code == 0, out.output
    assert "北京时间" in out.output
    assert "逾期录入 1" in out.output
    assert "未分类" in out.output

    portal = TestClient(create_app(platform), base_url="https://testserver")
    public = portal.get("/inspections").text
    summary = public.split('id="inspection-summary"', 1)[1].split("</table>", 1)[0]
    assert "未发现问题 1 户" in summary
    assert "25.0%" in summary
    assert "未分类" not in summary
    assert "有限公司" not in summary


def test_a_participating_department_sees_its_joint_plans(
    platform: Platform, clock: FixedClock
) -> None:
    """The county regulator taking part in scjg's joint plan: its row on the API and the
    console page, marked 参与联合抽查, and the draw shown as a joint one."""
    from tests.inspections.test_coverage import joint_drawn

    plan_id, _ = joint_drawn(platform)
    client = TestClient(create_app(platform), base_url="https://testserver")
    with platform.engine.begin() as conn:
        county = access.issue_key(conn, "县市场监管", "department", "xscjg", clock.now())
    body = client.get(URL, headers={"X-API-Key": county}).json()
    [g] = body["groups"]
    assert (g["department"], g["item"], g["joint_plans"]) == ("xscjg", "CPZL_CC", [plan_id])
    assert g["results"][0]["result"] == "03"
    assert body["draws"][0]["joint"] is True
    add_user(platform, "county", "department_officer", "xscjg")
    assert console_sign_in(client, "county").status_code == 303
    page = client.get("/console/inspections/coverage")
    assert page.status_code == 200
    table = page.text.split('id="coverage-items"', 1)[1].split("</table>", 1)[0]
    assert "县市场监督管理局" in table
    assert f"参与联合抽查（计划 {plan_id}）" in table
    assert "联合抽查（进一次门、查多项事）" in page.text
