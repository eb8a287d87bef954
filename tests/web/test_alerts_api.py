"""The alerts API: office inbox, auditor read-only, departments kept out, nothing in clear."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.alerts.support import REP, import_rows, org2_penalty, publish
from tests.helpers import ORG, ORG2, add_department, penalty
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.identity.ric import mask_resident_id
from xinyong.web.app import create_app


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform))


def _keys(platform: Platform) -> dict[str, str]:
    keys = {"department": add_department(platform)}
    with platform.engine.begin() as conn:
        now = platform.clock.now()
        keys["office"] = access.issue_key(conn, "信用办", "office", None, now)
        keys["auditor"] = access.issue_key(conn, "审计", "auditor", None, now)
    return keys


def _one_alert(platform: Platform) -> None:
    import_rows(platform, penalty())
    publish(platform, ORG)
    import_rows(platform, org2_penalty())


def _h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def test_office_reads_and_handles_alerts(client: TestClient, platform: Platform) -> None:
    keys = _keys(platform)
    _one_alert(platform)
    resp = client.get(
        "/api/v1/alerts", params={"purpose": "核查", "status": "open"}, headers=_h(keys["office"])
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == 1
    (a,) = body["alerts"]
    assert (a["kind"], a["kind_label"], a["status"], a["subject"], a["related"]) == (
        "re_establishment",
        "易地开张",
        "open",
        ORG2,
        ORG,
    )
    assert a["detail"]["person"]["id"] == mask_resident_id(REP)
    assert "dedupe_key" not in a
    assert REP not in resp.text
    assert "张三" not in resp.text
    by_kind = client.get(
        "/api/v1/alerts",
        params={"purpose": "核查", "kind": "re_establishment"},
        headers=_h(keys["auditor"]),
    )
    assert by_kind.status_code == 200
    assert by_kind.json()["total"] == 1
    assert (
        client.get(
            f"/api/v1/alerts/{a['id']}", params={"purpose": "核查"}, headers=_h(keys["auditor"])
        ).json()
        == a
    )
    acked = client.post(
        f"/api/v1/alerts/{a['id']}/acknowledge",
        json={"note": "已转市场监管部门核查"},
        headers=_h(keys["office"]),
    )
    assert acked.status_code == 200, acked.text
    assert (acked.json()["status"], acked.json()["note"]) == (
        "acknowledged",
        "已转市场监管部门核查",
    )
    assert acked.json()["handled_by"].endswith("信用办")
    no_reason = client.post(
        f"/api/v1/alerts/{a['id']}/dismiss", json={"note": ""}, headers=_h(keys["office"])
    )
    assert no_reason.status_code == 422
    assert "理由" in no_reason.json()["detail"]["message"]
    dismissed = client.post(
        f"/api/v1/alerts/{a['id']}/dismiss",
        json={"note": "经核实为同名同证件号录入错误"},
        headers=_h(keys["office"]),
    )
    assert dismissed.json()["status"] == "dismissed"
    again = client.post(
        f"/api/v1/alerts/{a['id']}/acknowledge", json={}, headers=_h(keys["office"])
    )
    assert again.status_code == 409  # already handled: a conflict with its state
    assert (
        client.get("/api/v1/alerts", params={"purpose": "核查"}, headers=_h(keys["office"])).json()[
            "total"
        ]
        == 0
    )
    everything = client.get(
        "/api/v1/alerts", params={"purpose": "核查", "status": "all"}, headers=_h(keys["office"])
    )
    assert [x["status"] for x in everything.json()["alerts"]] == ["dismissed"]


def test_roles_and_errors(client: TestClient, platform: Platform) -> None:
    keys = _keys(platform)
    _one_alert(platform)
    assert client.get("/api/v1/alerts", params={"purpose": "核查"}).status_code == 401
    denied = client.get(
        "/api/v1/alerts", params={"purpose": "核查"}, headers=_h(keys["department"])
    )
    assert denied.status_code == 403
    assert "信用办" in denied.json()["detail"]["message"]
    (a,) = client.get(
        "/api/v1/alerts", params={"purpose": "核查"}, headers=_h(keys["office"])
    ).json()["alerts"]
    assert (
        client.get(
            f"/api/v1/alerts/{a['id']}", params={"purpose": "核查"}, headers=_h(keys["department"])
        ).status_code
        == 403
    )
    for role in ("auditor", "department"):
        for action in ("acknowledge", "dismiss"):
            resp = client.post(
                f"/api/v1/alerts/{a['id']}/{action}", json={"note": "x"}, headers=_h(keys[role])
            )
            assert resp.status_code == 403, (role, action)
    missing = client.post(
        "/api/v1/alerts/999999/acknowledge", json={"note": ""}, headers=_h(keys["office"])
    )
    assert missing.status_code == 404
    assert "不存在" in missing.json()["detail"]["message"]
    assert (
        client.get(
            "/api/v1/alerts/999999", params={"purpose": "核查"}, headers=_h(keys["office"])
        ).status_code
        == 404
    )
    bad = client.get(
        "/api/v1/alerts", params={"purpose": "核查", "status": "closed"}, headers=_h(keys["office"])
    )
    assert bad.status_code == 422
    assert "未知状态" in bad.json()["detail"]["message"]
    bad_kind = client.get(
        "/api/v1/alerts", params={"purpose": "核查", "kind": "x"}, headers=_h(keys["office"])
    )
    assert bad_kind.status_code == 422
    assert (
        client.get(
            "/api/v1/alerts",
            params={"purpose": "核查", "status": "open"},
            headers=_h(keys["office"]),
        ).json()["alerts"][0]["status"]
        == "open"
    )
