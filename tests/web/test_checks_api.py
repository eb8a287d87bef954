"""POST /api/v1/checks: by code with record-triggered measures, by name (never authoritative),
and the request's either-or rule."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.helpers import ORG, add_department, csv_bytes, penalty, resident_id
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.web.app import create_app


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform))


@pytest.fixture
def key(platform: Platform) -> str:
    key = add_department(platform)
    result = platform.importer().import_bytes(
        csv_bytes([penalty(CF_CFLB="罚款,责令停产停业", CF_JDRQ="2026-06-10")]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    assert result.accepted == 1
    return key


def test_check_by_code_cites_the_triggering_record(client: TestClient, key: str) -> None:
    resp = client.post(
        "/api/v1/checks",
        json={"subject": ORG, "scenario": "government_procurement"},
        headers={"X-API-Key": key},
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["authoritative"] is True
    assert body["identified_by"] == "code"
    m04 = next(m for m in body["measures"] if m["measure"] == "M04")
    assert m04["via"]["trigger"] == "record"
    assert m04["via"]["record_key"] == "陕市监罚〔2026〕1号"
    assert m04["period"]["until"] == "2029-06-10"
    assert m04["legal_basis"]
    ok = client.post(
        f"/api/v1/checks/{body['receipt']}/feedback",
        json={"measure": "M04", "applied": False, "reason": "采购项目已于处罚前完成资格审查"},
        headers={"X-API-Key": key},
    )
    assert ok.status_code == 201


def test_check_by_name(client: TestClient, key: str) -> None:
    fuzzy = client.post(
        "/api/v1/checks",
        json={"name": "西安市碑林区示列科技有限公司", "scenario": "bidding", "limit": 3},
        headers={"X-API-Key": key},
    )
    assert fuzzy.status_code == 200, fuzzy.text
    body = fuzzy.json()
    assert body["authoritative"] is False
    assert body["match"] == "fuzzy"
    assert "measures" not in body
    assert body["candidates"][0]["code"] == ORG
    assert body["candidates"][0]["match"]["explanation"]
    exact = client.post(
        "/api/v1/checks",
        json={"name": "西安市碑林区示例科技有限公司", "scenario": "government_procurement"},
        headers={"X-API-Key": key},
    ).json()
    assert exact["match"] == "exact"
    assert exact["authoritative"] is False
    assert [m["measure"] for m in exact["measures"]] == ["M04"]
    unknown = client.post(
        "/api/v1/checks",
        json={"name": "不存在的名称有限公司", "scenario": "bidding"},
        headers={"X-API-Key": key},
    ).json()
    assert unknown["candidates"] == []
    assert "未找到" in unknown["message"]


@pytest.mark.parametrize(
    "payload",
    [
        {"scenario": "bidding"},
        {"subject": ORG, "name": "西安市碑林区示例科技有限公司", "scenario": "bidding"},
    ],
)
def test_either_subject_or_name(client: TestClient, key: str, payload: dict[str, str]) -> None:
    resp = client.post("/api/v1/checks", json=payload, headers={"X-API-Key": key})
    assert resp.status_code == 422
    assert "之一" in resp.json()["detail"]["message"]


def test_name_lookup_needs_a_key_and_refuses_id_numbers(client: TestClient, key: str) -> None:
    assert (
        client.post("/api/v1/checks", json={"name": "示例", "scenario": "bidding"}).status_code
        == 401
    )
    resp = client.post(
        "/api/v1/checks",
        json={"name": resident_id(), "scenario": "bidding"},
        headers={"X-API-Key": key},
    )
    assert resp.status_code == 422
    assert "自然人" in resp.json()["detail"]["message"]


def test_a_check_on_another_day_by_chinese_scenario_and_feedback_by_its_department_only(
    client: TestClient, key: str, platform: Platform
) -> None:
    other = add_department(platform, "zjt", "housing")
    later = client.post(
        "/api/v1/checks",
        json={"subject": ORG, "scenario": "政府采购", "on": "2029-06-10"},
        headers={"X-API-Key": key},
    )
    assert later.status_code == 200, later.text
    body = later.json()
    assert body["scenario"]["code"] == "government_procurement"
    assert body["as_of"] == "2029-06-10"
    assert body["measures"] == []  # M04's three years from 2026-06-10 are over
    now = client.post(
        "/api/v1/checks",
        json={"subject": ORG, "scenario": "政府采购"},
        headers={"X-API-Key": key},
    ).json()
    assert [m["measure"] for m in now["measures"]] == ["M04"]
    refused = client.post(
        f"/api/v1/checks/{now['receipt']}/feedback",
        json={"measure": "M04", "applied": True},
        headers={"X-API-Key": other},
    )
    assert refused.status_code == 403
    assert refused.json()["detail"]["message"] == "只有作出该次核查的部门可以反馈实施情况"
    with platform.engine.begin() as conn:
        at = platform.clock.now()
        office = access.issue_key(conn, "信用办", "office", None, at)
        auditor = access.issue_key(conn, "审计", "auditor", None, at)
    for caller in (office, auditor):  # the office does not speak for the department either
        answer = client.post(
            f"/api/v1/checks/{now['receipt']}/feedback",
            json={"measure": "M04", "applied": True},
            headers={"X-API-Key": caller},
        )
        assert answer.status_code == 403, answer.text
    own = client.post(
        f"/api/v1/checks/{now['receipt']}/feedback",
        json={"measure": "M04", "applied": True},
        headers={"X-API-Key": key},
    )
    assert own.status_code == 201, own.text
    unknown_scenario = client.post(
        "/api/v1/checks",
        json={"subject": ORG, "scenario": "政府采买"},
        headers={"X-API-Key": key},
    )
    assert unknown_scenario.status_code == 404
    assert "政府采购（government_procurement）" in unknown_scenario.json()["detail"]["message"]


def test_a_code_the_platform_never_saw_is_unknown_not_clean(client: TestClient, key: str) -> None:
    from xinyong.identity.uscc import make_uscc

    never = make_uscc("9", "1", "610104", "MA6T9Q1W")
    body = client.post(
        "/api/v1/checks",
        json={"subject": never, "scenario": "government_procurement"},
        headers={"X-API-Key": key},
    ).json()
    assert body["subject"]["on_record"] is False
    assert body["message"].startswith("平台暂无该主体信用记录")
    assert body["authoritative"] is True
