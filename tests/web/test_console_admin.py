"""The console's dashboard, audit trail, departments and keys pages, on both engines, through
the real application signed in as each role (cookies over https, as deployed)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.helpers import ORG2, add_user, console_sign_in, csrf_of, csv_bytes, drop_write_guards
from tests.helpers import penalty as penalty_row
from tests.reports.support import Story, build_story, cst
from xinyong.access import repository as access_repo
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.cases.rules import WORKFLOWS
from xinyong.kernel.clock import FixedClock
from xinyong.web.app import create_app

FIGURES = re.compile(r"data-figures='([^']*)'")


@pytest.fixture
def story(platform: Platform, clock: FixedClock) -> Story:
    """scjg and swj with two months of lists and checks (tests/reports/support.py), a June
    file of scjg with one rejected row, and one console user of each role."""
    story = build_story(platform, clock)
    clock.set(cst(2026, 6, 15, 10))
    bad = penalty_row(CF_WSH="坏号", CF_XDR_SHXYM="91610000XXXXXXXXXX")
    result = platform.importer().import_bytes(
        csv_bytes([penalty_row(), penalty_row(CF_WSH="2号", CF_XDR_SHXYM=ORG2), bad]),
        filename="june.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    assert (result.accepted, result.rejected) == (2, 1)
    clock.set(cst(2026, 7, 15, 10))
    with platform.engine.begin() as conn:
        story.keys["office"] = access.issue_key(conn, "office", "office", None, clock.now())
    add_user(platform, "admin", "office_admin")
    add_user(platform, "officer", "department_officer", "swj")
    add_user(platform, "inspector", "inspector")
    add_user(platform, "auditor", "auditor")
    return story


def _client(platform: Platform, name: str | None = None) -> TestClient:
    client = TestClient(create_app(platform), base_url="https://testserver")
    if name is not None:
        assert console_sign_in(client, name).status_code == 303
    return client


def _figures(page: str) -> dict[str, Any]:
    found = FIGURES.search(page)
    assert found is not None
    return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]


def _audit(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return [r for r in access_repo.audit_rows(conn) if r["action"] == action]


# -- dashboard --


def test_the_dashboard_draws_the_api_figures_for_the_province(
    platform: Platform, story: Story
) -> None:
    client = _client(platform, "admin")
    page = client.get("/console/dashboard?months=3")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    # Scripts from files only: the charts' library and ours.
    assert re.findall(r"<script[^>]*>", page.text) == [
        s for s in re.findall(r"<script[^>]*>", page.text) if " src=" in s
    ]
    assert "echarts.common.min.js" in page.text
    assert "console-dashboard.js" in page.text
    figures = _figures(page.text)
    api = client.get(
        "/api/v1/reports/dashboard?months=3&purpose=x", headers={"X-API-Key": story.keys["office"]}
    ).json()
    assert figures["dashboard"] | {"generated_at": ""} == api | {"generated_at": ""}
    assert figures["totals"] == [
        {
            "department": "scjg",
            "department_name": figures["totals"][0]["department_name"],
            "rows": 3,
            "accepted": 2,
            "rejected": 1,
            "late": 0,
            "on_time_rate": 1.0,
            "rejection_rate": pytest.approx(0.3333),
        }
    ]
    # Every chart has a canvas to be, and its numbers in a table.
    for chart in (
        "records",
        "rates",
        "quality",
        "lists",
        "checks",
        "cases",
        "commitments",
        "voluntary",
        "alerts",
    ):
        assert f'id="chart-{chart}"' in page.text
    # Commitments: per type, item and department; the voluntary share per department.
    assert page.text.count("<table>") == 11
    # One row per case type of the kernel, those without cases included.
    assert [w["workflow"] for w in figures["dashboard"]["cases"]] == list(WORKFLOWS)
    assert "33.3%" in page.text  # scjg's June rejection rate, in the table
    assert "占登记组织 2 个的 <strong>50.0%</strong>" in page.text
    read = _audit(platform, "read_report")[-2]  # the API's read is the last
    assert read["actor"].startswith("user:")
    assert read["actor"].endswith(":admin")
    assert (read["target"], read["purpose"]) == ("dashboard:3", "控制台工作台")


def test_the_office_chooses_a_department_and_an_unknown_one_is_404(
    platform: Platform, story: Story
) -> None:
    client = _client(platform, "auditor")
    page = client.get("/console/dashboard?months=3&department=scjg")
    assert page.status_code == 200
    figures = _figures(page.text)["dashboard"]
    assert figures["department"] == "scjg"
    assert "alerts" not in figures
    assert _audit(platform, "read_report")[-1]["detail"] == '{"department": "scjg"}'
    missing = client.get("/console/dashboard?department=nosuch")
    assert missing.status_code == 404
    assert client.get("/console/dashboard?months=0").status_code == 400
    assert client.get("/console/dashboard?months=37").status_code == 400


def test_an_officer_sees_only_their_department(platform: Platform, story: Story) -> None:
    client = _client(platform, "officer")
    page = client.get("/console/dashboard?months=3")
    assert page.status_code == 200
    figures = _figures(page.text)["dashboard"]
    assert figures["department"] == "swj"
    assert figures["records"] == []
    assert {t["list_type"] for t in figures["lists"]["types"]} == {"RED_TAX_A"}
    assert 'id="chart-alerts"' not in page.text
    assert 'name="department"' not in page.text  # no department selector
    reads = len(_audit(platform, "read_report"))
    refused = client.get("/console/dashboard?department=scjg")
    assert refused.status_code == 403
    assert len(_audit(platform, "read_report")) == reads
    assert client.get("/console/dashboard?department=swj").status_code == 200
    assert _client(platform, "inspector").get("/console/dashboard").status_code == 403


# -- audit trail --


def test_the_audit_page_lists_the_sign_in_and_audits_its_own_read(
    platform: Platform, story: Story
) -> None:
    with platform.engine.begin() as conn:
        for n in range(60):
            access.audit(conn, "test", "filler", f"filler:{n}", platform.clock.now())
    client = _client(platform, "auditor")
    page = client.get("/console/audit")
    assert page.status_code == 200
    assert "审计链完整" in page.text
    assert "console_login" in page.text
    ids = [int(i) for i in re.findall(r"<tr><td>(\d+)</td>", page.text)]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 50
    read = _audit(platform, "read_audit")[-1]
    assert (read["target"], read["purpose"]) == ("audit_log", "控制台审计查询")
    assert ids[0] == read["id"]  # the page shows its own read first
    # The next page continues below the last id, whatever was appended meanwhile.
    more = re.search(r'href="(/console/audit\?before=\d+)"', page.text)
    assert more is not None
    older = client.get(html.unescape(more.group(1)))
    older_ids = [int(i) for i in re.findall(r"<tr><td>(\d+)</td>", older.text)]
    assert older_ids
    assert max(older_ids) < min(ids)


def test_audit_filters_by_actor_action_target_and_days(platform: Platform, story: Story) -> None:
    client = _client(platform, "admin")
    page = client.get("/console/audit", params={"action": "console_login", "actor": "user:*"})
    rows = re.findall(r"<tr><td>\d+</td><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>", page.text)
    assert [a for _, a in rows] == ["console_login"]
    assert rows[0][0].endswith(":admin")
    batch = client.get("/console/audit", params={"target": "batch:*"})
    targets = re.findall(r"<td>(batch:\d+)</td>", batch.text)
    assert targets
    assert all(t.startswith("batch:") for t in targets)
    assert (
        "共 0 条"
        in client.get("/console/audit", params={"since": "2026-01-01", "until": "2026-01-31"}).text
    )
    june = client.get("/console/audit", params={"since": "2026-06-15", "until": "2026-06-15"})
    assert "june.csv" in june.text or "batch:" in june.text
    assert "2026-07-15" not in re.sub(r"生成于[^。]*", "", june.text.split("<caption>")[1])
    # A literal "_" or "%" is not a wildcard.
    assert "共 0 条" in client.get("/console/audit", params={"target": "%"}).text
    bad = client.get("/console/audit", params={"since": "2026-07-02", "until": "2026-07-01"})
    assert bad.status_code == 400
    assert "起始日期须早于截止日期" in bad.text
    assert client.get("/console/audit", params={"actor": "a*b"}).status_code == 400
    assert client.get("/console/audit", params={"since": "7月"}).status_code == 400
    # The form sends the dates it was not given as empty values.
    empty = client.get("/console/audit", params={"since": "", "until": "", "actor": ""})
    assert empty.status_code == 200
    assert client.get("/console/audit", params={"target": "x" * 201}).status_code == 400


def test_the_audit_trail_of_one_record(platform: Platform, story: Story) -> None:
    client = _client(platform, "auditor")
    assert client.get("/console/audit/record").status_code == 200
    with platform.engine.connect() as conn:
        batch = next(r["target"] for r in access_repo.audit_rows(conn) if r["action"] == "import")
    page = client.get("/console/audit/record", params={"kind": "batch", "code": batch[6:]})
    assert page.status_code == 200
    assert f"<td>{batch}</td>" in page.text
    assert set(re.findall(r"<td>(batch:\d+)</td>", page.text)) == {batch}
    read = _audit(platform, "read_audit")[-1]
    assert read["target"] == "audit_log"
    assert json.loads(read["detail"])["target"] == batch
    wrong = client.get("/console/audit/record", params={"kind": "nosuch", "code": "1"})
    assert wrong.status_code == 400
    assert "记录类型" in wrong.text
    assert _client(platform, "officer").get("/console/audit/record").status_code == 403


def test_a_broken_chain_is_shown(platform: Platform, story: Story) -> None:
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(text("UPDATE audit_log SET purpose = 'x' WHERE id = 3"))
    try:
        page = _client(platform, "admin").get("/console/audit")
        assert "审计链核验未通过" in page.text
        assert "审计记录 3 的内容被改动" in page.text
    finally:
        if platform.engine.dialect.name == "postgresql":
            with platform.engine.begin() as conn:
                conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


def test_the_page_verifies_from_its_checkpoint_and_the_button_verifies_all(
    platform: Platform, story: Story
) -> None:
    client = _client(platform, "auditor")
    first = client.get("/console/audit").text
    assert "审计链完整" in first
    # The first view went from the first row to the last (within the bound): a full pass.
    assert "上次全量核验：尚未进行" not in first
    with platform.engine.connect() as conn:
        cp = access_repo.last_checkpoint(conn)
    assert cp is not None
    second = client.get("/console/audit").text
    # Only the rows since: the previous view's checkpoint, its own read row.
    assert f"第 {cp['row_id']} 条及之前已于上次核验通过" in second
    assert re.search(r"本次重算其后的 [12] 条", second)
    # An edit before the checkpoint that leaves the hashes alone: the bounded pass cannot
    # tell, the full verification (the button) names it.
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(text("UPDATE audit_log SET purpose = 'x' WHERE id = 2"))
    try:
        assert "审计链完整" in client.get("/console/audit").text
        form = {"csrf": csrf_of(second)}
        full = client.post("/console/audit/verify", data=form)
        assert full.status_code == 200
        assert "审计记录 2 的内容被改动" in full.text
        assert client.post("/console/audit/verify", data={}).status_code in (400, 403, 422)
    finally:
        if platform.engine.dialect.name == "postgresql":
            with platform.engine.begin() as conn:
                conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


def test_a_full_verification_is_recorded_and_shown(platform: Platform, story: Story) -> None:
    client = _client(platform, "admin")
    page = client.get("/console/audit").text
    full = client.post("/console/audit/verify", data={"csrf": csrf_of(page)})
    assert full.status_code == 200
    assert "全量核验：自第一条起逐条重算" in full.text
    with platform.engine.connect() as conn:
        cp = access_repo.last_checkpoint(conn, full_only=True)
    assert cp is not None
    assert cp["actor"].endswith(":admin")
    assert f"至第 {cp['row_id']} 条" in client.get("/console/audit").text
    officer = _client(platform, "officer")
    token = csrf_of(officer.get("/console").text)
    assert officer.post("/console/audit/verify", data={"csrf": token}).status_code == 403


# -- departments and keys --


def test_the_office_adds_a_department_with_a_key_shown_once(
    platform: Platform, story: Story
) -> None:
    client = _client(platform, "admin")
    page = client.get("/console/departments")
    assert page.status_code == 200
    assert "scjg" in page.text
    assert "市场监管" in page.text
    assert _audit(platform, "read_departments")
    form = {"csrf": csrf_of(page.text), "code": "jtt", "name": "交通运输厅"}
    added = client.post(
        "/console/departments", data=form | {"sector": "transport", "issue_key": "1"}
    )
    if "transport" not in platform.catalogue.sectors:
        sector = next(iter(platform.catalogue.sectors))
        added = client.post(
            "/console/departments", data=form | {"sector": sector, "issue_key": "1"}
        )
    assert added.status_code == 200, added.text
    key = re.search(r"<code class=\"secret\">(xy_[^<]+)</code>", added.text)
    assert key is not None
    with platform.engine.connect() as conn:
        who = access.authenticate(conn, key.group(1))
    assert (who.role, who.department_code) == ("department", "jtt")
    assert key.group(1) not in client.get("/console/departments").text
    row = _audit(platform, "department_add")[-1]
    assert row["target"] == "department:jtt"
    assert row["actor"].endswith(":admin")
    again = client.post("/console/departments", data=form | {"sector": who.role})
    assert again.status_code == 400


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "JTT"}, "部门代码（code）"),
        ({"code": "交通"}, "部门代码（code）"),
        ({"name": "  "}, "部门名称（name）"),
        ({"sector": "nosuch"}, "行业领域（sector）"),
        ({"uscc": "12345"}, "部门统一社会信用代码（uscc）无效"),
        ({"code": "scjg"}, "部门代码“scjg”已存在"),
    ],
)
def test_a_bad_department_is_refused_with_the_field_named(
    platform: Platform, story: Story, fields: dict[str, str], message: str
) -> None:
    client = _client(platform, "admin")
    csrf = csrf_of(client.get("/console/departments").text)
    sector = next(iter(platform.catalogue.sectors))
    data = {"csrf": csrf, "code": "jtt", "name": "交通运输厅", "sector": sector} | fields
    with platform.engine.connect() as conn:
        before = access_repo.list_departments(conn)
    resp = client.post("/console/departments", data=data)
    assert resp.status_code == 400
    assert message in resp.text
    with platform.engine.connect() as conn:
        assert access_repo.list_departments(conn) == before


def test_a_form_without_the_csrf_token_changes_nothing(platform: Platform, story: Story) -> None:
    client = _client(platform, "admin")
    sector = next(iter(platform.catalogue.sectors))
    resp = client.post(
        "/console/departments",
        data={"csrf": "0" * 64, "code": "jtt", "name": "交通", "sector": sector},
    )
    assert resp.status_code == 403
    assert client.post("/console/keys", data={"csrf": "0" * 64, "name": "x", "role": "office"})
    with platform.engine.connect() as conn:
        assert access_repo.get_department(conn, "jtt") is None
        assert [c["name"] for c in access_repo.list_clients(conn) if c["name"] == "x"] == []


def test_the_office_issues_and_revokes_a_key(platform: Platform, story: Story) -> None:
    client = _client(platform, "admin")
    page = client.get("/console/keys")
    assert page.status_code == 200
    assert "xy_" in page.text  # prefixes
    for k in story.keys.values():
        assert k not in page.text
    csrf = csrf_of(page.text)
    issued = client.post(
        "/console/keys", data={"csrf": csrf, "name": "审计系统", "role": "auditor"}
    )
    assert issued.status_code == 200
    found = re.search(r"<code class=\"secret\">(xy_[^<]+)</code>", issued.text)
    assert found is not None
    key = found.group(1)
    api = "/api/v1/reports/dashboard?months=1&purpose=x"
    assert client.get(api, headers={"X-API-Key": key}).status_code == 200
    with platform.engine.connect() as conn:
        client_id = access.authenticate(conn, key).client_id
    revoked = client.post(
        f"/console/keys/{client_id}/revoke", data={"csrf": csrf}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert client.get(api, headers={"X-API-Key": key}).status_code == 401
    assert _audit(platform, "key_revoke")[-1]["target"] == f"api_client:{client_id}"
    again = client.post(f"/console/keys/{client_id}/revoke", data={"csrf": csrf})
    assert again.status_code == 409
    assert "已停用" in again.text
    assert client.post("/console/keys/999999/revoke", data={"csrf": csrf}).status_code == 404
    # A department key needs a department that exists.
    bad = client.post("/console/keys", data={"csrf": csrf, "name": "x", "role": "department"})
    assert bad.status_code == 400
    assert "所属部门（department）" in bad.text
    unknown = client.post(
        "/console/keys",
        data={"csrf": csrf, "name": "x", "role": "department", "department": "nosuch"},
    )
    assert unknown.status_code == 404
    assert (
        client.post("/console/keys", data={"csrf": csrf, "name": "x", "role": "root"}).status_code
        == 400
    )
    officer = _client(platform, "officer")
    assert officer.get("/console/keys").status_code == 403
    assert officer.get("/console/departments").status_code == 403


def test_time_range_is_china_time(platform: Platform, story: Story, clock: FixedClock) -> None:
    # A sign-in at 00:30 Beijing time on 16 July is 16:30 UTC on the 15th: it is the 16th's.
    clock.set(dt.datetime(2026, 7, 16, 0, 30, tzinfo=cst(2026, 7, 16).tzinfo))
    client = _client(platform, "admin")
    page = client.get(
        "/console/audit",
        params={"since": "2026-07-16", "until": "2026-07-16", "action": "console_login"},
    )
    assert "共 1 条" in page.text
    page = client.get(
        "/console/audit",
        params={"since": "2026-07-15", "until": "2026-07-15", "action": "console_login"},
    )
    assert "共 0 条" in page.text


@pytest.mark.parametrize(
    "url",
    [
        "/console/dashboard?months=18446744073709551616",
        "/console/dashboard?department=" + "x" * 65,
        "/console/audit?before=9223372036854775808",
        "/console/audit?before=0",
        "/console/audit?action=" + "a" * 65,
        "/console/audit?until=2026-02-30",
        "/console/audit/record?kind=" + "k" * 33,
        "/console/audit/record?kind=batch&code=" + "1" * 201,
        "/console/audit/record?kind=batch&code=1*",
    ],
)
def test_out_of_bounds_parameters_are_a_400_page(
    platform: Platform, story: Story, url: str
) -> None:
    resp = _client(platform, "admin").get(url)
    assert resp.status_code == 400, (url, resp.status_code)
    assert "text/html" in resp.headers["content-type"]
    assert "x" * 65 not in resp.text
    assert "1" * 201 not in resp.text


def test_a_revocation_of_a_huge_id_is_a_400(platform: Platform, story: Story) -> None:
    client = _client(platform, "admin")
    csrf = csrf_of(client.get("/console/keys").text)
    resp = client.post("/console/keys/9223372036854775808/revoke", data={"csrf": csrf})
    assert resp.status_code == 400
