"""The reports API: monthly statistics (JSON and XLSX) by role, and typical cases."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.helpers import ORG, resident_id
from tests.reports.support import Story, build_story
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import FixedClock
from xinyong.web.app import create_app


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform))


@pytest.fixture
def story(platform: Platform, clock: FixedClock) -> Story:
    story = build_story(platform, clock)
    with platform.engine.begin() as conn:
        for role in ("office", "auditor"):
            story.keys[role] = access.issue_key(conn, role, role, None, clock.now())
    return story


def _h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def test_office_and_auditor_see_every_department(client: TestClient, story: Story) -> None:
    for role in ("office", "auditor"):
        resp = client.get(
            "/api/v1/reports/monthly?month=2026-06&purpose=核查", headers=_h(story.keys[role])
        )
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert [d["department"] for d in body["departments"]] == ["scjg", "swj", None]
        assert body["totals"]["checks"] == 8
        assert body["totals"]["measures_returned"] == 12
        m12 = next(m for m in body["measures"] if m["measure"] == "M12")
        assert (m12["returned"], m12["applied"], m12["no_feedback"]) == (4, 2, 2)


def test_a_department_client_sees_only_its_own_rows(client: TestClient, story: Story) -> None:
    body = client.get(
        "/api/v1/reports/monthly?month=2026-06&purpose=核查", headers=_h(story.keys["swj"])
    ).json()
    assert body["department"] == "swj"
    assert [(d["department"], d["checks"]) for d in body["departments"]] == [("swj", 2)]
    assert {m["measure"] for m in body["measures"]} == {"M11", "M26", "I03"}
    assert [x["list_type"] for x in body["list_types"]] == ["RED_TAX_A"]
    book = client.get(
        "/api/v1/reports/monthly.xlsx?month=2026-06&purpose=核查", headers=_h(story.keys["swj"])
    )
    assert book.status_code == 200
    assert "monthly-2026-06-swj.xlsx" in book.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(book.content))["按核查部门"].iter_rows(values_only=True))
    assert [r[0] for r in rows] == ["部门代码", "swj", "合计"]


def test_xlsx_download(client: TestClient, story: Story) -> None:
    resp = client.get(
        "/api/v1/reports/monthly.xlsx?month=2026-06&purpose=核查", headers=_h(story.keys["office"])
    )
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    wb = load_workbook(io.BytesIO(resp.content))
    rows = list(wb["按核查部门"].iter_rows(values_only=True))
    assert rows[0] == ("部门代码", "部门名称", "核查次数", "有措施的核查次数", "涉及主体数")
    assert rows[1:4] == [
        ("scjg", "部门scjg", 5, 4, 4),
        ("swj", "部门swj", 2, 2, 2),
        ("—", "未关联部门（信用办、命令行等）", 1, 1, 1),
    ]
    assert rows[-1] == ("合计", None, 8, 7, 4)
    samr = next(r for r in wb["按名单类型"].iter_rows(values_only=True) if r[0] == "SAMR_SERIOUS")
    assert samr[3:] == (1, 0, 0, 1, 1)


def test_bad_month_and_missing_key(client: TestClient, story: Story) -> None:
    office = _h(story.keys["office"])
    future = client.get("/api/v1/reports/monthly?month=2026-08&purpose=核查", headers=office)
    assert future.status_code == 422
    assert "尚未开始" in future.json()["detail"]["message"]
    bad = client.get("/api/v1/reports/monthly.xlsx?month=06-2026&purpose=核查", headers=office)
    assert bad.status_code == 422
    assert "“06-2026”格式不正确" in bad.json()["detail"]["message"]
    missing = client.get("/api/v1/reports/monthly", params={"purpose": "核查"}, headers=office)
    assert missing.status_code == 422
    assert "month" in missing.json()["detail"]["message"]
    assert client.get("/api/v1/reports/monthly?month=2026-06&purpose=核查").status_code == 401


def _case(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "title": "严重违法失信企业被限制参加政府采购",
        "summary": "某公司被列入严重违法失信名单后参加政府采购，被依法限制。",
        "category": "惩戒",
        "measures": ["M11", "M12"],
        "department": "scjg",
    }
    body.update(overrides)
    return body


def test_typical_case_lifecycle_and_roles(client: TestClient, story: Story) -> None:
    office, auditor, dept = (_h(story.keys[k]) for k in ("office", "auditor", "scjg"))
    assert client.post("/api/v1/typical-cases", json=_case(), headers=dept).status_code == 403
    assert client.post("/api/v1/typical-cases", json=_case(), headers=auditor).status_code == 403
    assert client.post("/api/v1/typical-cases", json=_case()).status_code == 401
    created = client.post(
        "/api/v1/typical-cases",
        json=_case(receipt=story.receipts["jun_gp"]),
        headers=office,
    )
    assert created.status_code == 201, created.text
    case = created.json()
    assert (case["state"], case["subject"]) == ("draft", ORG)

    assert client.get("/api/v1/typical-cases", params={"purpose": "核查"}).json() == {
        "internal": False,
        "items": [],
    }
    every = client.get("/api/v1/typical-cases", params={"purpose": "核查"}, headers=auditor).json()
    assert every["internal"] is True
    assert [c["state"] for c in every["items"]] == ["draft"]

    url = f"/api/v1/typical-cases/{case['id']}"
    assert client.post(f"{url}/publish", headers=dept).status_code == 403
    assert client.post(f"{url}/withdraw", headers=office).status_code == 409
    published = client.post(f"{url}/publish", headers=office)
    assert published.status_code == 200
    assert published.json()["published_by"].endswith(":office")
    public = client.get("/api/v1/typical-cases", params={"purpose": "核查"}).json()["items"]
    assert [c["id"] for c in public] == [case["id"]]
    assert "receipt" not in public[0]
    assert "created_by" not in public[0]
    # A department key reads the public view too.
    assert (
        client.get("/api/v1/typical-cases", params={"purpose": "核查"}, headers=dept).json()[
            "internal"
        ]
        is False
    )
    again = client.post(f"{url}/publish", headers=office)
    assert again.status_code == 409
    assert "只有“草稿”的案例才能发布" in again.json()["detail"]["message"]
    gone = client.post(f"{url}/withdraw", json={"reason": "案情更正"}, headers=office)
    assert gone.json()["state"] == "withdrawn"
    assert client.get("/api/v1/typical-cases", params={"purpose": "核查"}).json()["items"] == []
    assert client.post("/api/v1/typical-cases/999999/publish", headers=office).status_code == 404


def test_typical_case_with_an_id_number_is_refused(client: TestClient, story: Story) -> None:
    resp = client.post(
        "/api/v1/typical-cases",
        json=_case(summary=f"法定代表人张三，身份证号码{resident_id()}，被限制担任法定代表人。"),
        headers=_h(story.keys["office"]),
    )
    assert resp.status_code == 422
    message = resp.json()["detail"]["message"]
    assert "案例摘要（summary）中含有疑似居民身份证号码" in message
    assert resident_id() not in resp.text
    bad_measure = client.post(
        "/api/v1/typical-cases", json=_case(measures=["X1"]), headers=_h(story.keys["office"])
    )
    assert bad_measure.status_code == 422
    assert "“X1”不在措施目录中" in bad_measure.json()["detail"]["message"]
