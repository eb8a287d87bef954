"""The console dashboard's figures, through the service and the API, on both engines."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.helpers import ORG2, csv_bytes, penalty
from tests.reports.support import Story, build_story, cst
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import FixedClock
from xinyong.web.app import create_app


@pytest.fixture
def story(platform: Platform, clock: FixedClock) -> Story:
    story = build_story(platform, clock)  # ends on 2026-07-15
    clock.set(cst(2026, 6, 15, 10))
    bad = penalty(CF_WSH="坏号", CF_XDR_SHXYM="91610000XXXXXXXXXX")
    result = platform.importer().import_bytes(
        csv_bytes([penalty(), penalty(CF_WSH="2号", CF_XDR_SHXYM=ORG2), bad]),
        filename="june.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    assert (result.accepted, result.rejected) == (2, 1)
    clock.set(cst(2026, 7, 15, 10))
    with platform.engine.begin() as conn:
        for role in ("office", "auditor"):
            story.keys[role] = access.issue_key(conn, role, role, None, clock.now())
    return story


def _get(client: TestClient, key: str, query: str = "months=3") -> dict:  # type: ignore[type-arg]
    resp = client.get(
        f"/api/v1/reports/dashboard?{query}&purpose=工作台", headers={"X-API-Key": key}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def test_the_office_sees_the_whole_province(platform: Platform, story: Story) -> None:
    client = TestClient(create_app(platform))
    body = _get(client, story.keys["office"])
    assert body["months"] == ["2026-05", "2026-06", "2026-07"]
    june = [r for r in body["records"] if r["month"] == "2026-06"]
    assert [(r["department"], r["rows"], r["accepted"], r["rejected"]) for r in june] == [
        ("scjg", 3, 2, 1)
    ]
    assert june[0]["rejection_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert june[0]["department_name"]
    checks = {c["month"]: c for c in body["checks"]}
    assert (checks["2026-05"]["checks"], checks["2026-06"]["checks"]) == (2, 8)
    assert checks["2026-06"]["measures_returned"] == 12
    assert checks["2026-06"]["measures_applied"] == 5
    assert checks["2026-07"]["checks"] == 1
    sizes = {t["list_type"]: t["members"] for t in body["lists"]["types"]}
    assert sizes == {"SAMR_SERIOUS": 1, "RED_TAX_A": 1}  # ORG2's listing was revoked
    assert body["lists"]["black_listed_subjects"] == 1
    assert body["lists"]["organisations"] == 2
    assert body["lists"]["black_list_ratio"] == 0.5
    # 张三 represents ORG and ORG2, each listed when the June file linked them: two 易地开张.
    assert [(a["status"], a["count"]) for a in body["alerts"]] == [
        ("open", 2),
        ("acknowledged", 0),
        ("dismissed", 0),
    ]
    scjg = next(q for q in body["quality"]["departments"] if q["department"] == "scjg")
    assert scjg["rows"] == 3
    assert body["quality"]["target_permille"] == 1
    assert _get(client, story.keys["auditor"]) == body | {"generated_at": body["generated_at"]}


def test_a_department_sees_its_own_figures_and_no_alerts(platform: Platform, story: Story) -> None:
    client = TestClient(create_app(platform))
    body = _get(client, story.keys["swj"])
    assert body["department"] == "swj"
    assert body["records"] == []  # swj sent no file
    assert {t["list_type"] for t in body["lists"]["types"]} == {"RED_TAX_A"}
    assert body["lists"]["black_list_ratio"] is None
    assert "alerts" not in body
    assert {c["month"]: c["checks"] for c in body["checks"]}["2026-06"] == 2


@pytest.mark.parametrize(
    ("query", "status"),
    [("months=0", 422), ("months=37", 422), ("months=99999999999999999999", 422)],
)
def test_bad_windows_are_refused(platform: Platform, story: Story, query: str, status: int) -> None:
    client = TestClient(create_app(platform))
    resp = client.get(
        f"/api/v1/reports/dashboard?{query}&purpose=工作台",
        headers={"X-API-Key": story.keys["office"]},
    )
    assert resp.status_code == status


def test_the_dashboard_needs_a_purpose_and_a_key(platform: Platform, story: Story) -> None:
    client = TestClient(create_app(platform))
    assert client.get("/api/v1/reports/dashboard").status_code == 401
    resp = client.get("/api/v1/reports/dashboard", headers={"X-API-Key": story.keys["office"]})
    assert resp.status_code == 422
    assert "用途" in resp.text
