"""Every non-public read states its purpose and leaves an audit row with the reader."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.helpers import add_department, csv_bytes, penalty
from xinyong.access import service as access
from xinyong.access.repository import audit_rows
from xinyong.bootstrap import Platform
from xinyong.web.app import create_app


@pytest.fixture
def setup(platform: Platform) -> tuple[TestClient, dict[str, str], int]:
    keys = {"scjg": add_department(platform)}
    with platform.engine.begin() as conn:
        now = platform.clock.now()
        keys["office"] = access.issue_key(conn, "信用办", "office", None, now)
        keys["auditor"] = access.issue_key(conn, "审计", "auditor", None, now)
    client = TestClient(create_app(platform))
    rows = [penalty(), penalty(CF_WSH="2号", CF_JDRQ="2026-13-01")]
    resp = client.post(
        "/api/v1/imports",
        params={"item": "XZCF"},
        files={"file": ("p.csv", csv_bytes(rows), "text/csv")},
        headers={"X-API-Key": keys["scjg"]},
    )
    assert resp.status_code == 201, resp.text
    return client, keys, int(resp.json()["batch_id"])


READS = [
    ("scjg", "/api/v1/batches/{batch}", "read_batch"),
    ("scjg", "/api/v1/batches/{batch}/rejections", "download_rejections"),
    ("office", "/api/v1/alerts", "read_alerts"),
    ("auditor", "/api/v1/reports/monthly?month=2026-06", "read_report"),
    ("scjg", "/api/v1/reports/monthly.xlsx?month=2026-06", "read_report"),
    ("auditor", "/api/v1/typical-cases", "read_typical_cases"),
]


@pytest.mark.parametrize(("who", "url", "action"), READS)
def test_a_non_public_read_needs_a_purpose_and_is_audited(
    platform: Platform,
    setup: tuple[TestClient, dict[str, str], int],
    who: str,
    url: str,
    action: str,
) -> None:
    client, keys, batch = setup
    path, _, query = url.format(batch=batch).partition("?")
    params = dict(p.split("=") for p in query.split("&")) if query else {}
    headers = {"X-API-Key": keys[who]}

    def audited() -> list[dict[str, object]]:
        with platform.engine.connect() as conn:
            return [r for r in audit_rows(conn) if r["action"] == action]

    refused = client.get(path, params=params, headers=headers)
    assert refused.status_code == 422, refused.text
    assert "查询用途" in refused.json()["detail"]["message"]
    assert audited() == []
    ok = client.get(path, params={**params, "purpose": "月度核查"}, headers=headers)
    assert ok.status_code == 200, ok.text
    (row,) = audited()
    assert row["purpose"] == "月度核查"
    assert str(row["actor"]).startswith("client:")


def test_the_public_typical_cases_need_no_purpose(
    setup: tuple[TestClient, dict[str, str], int],
) -> None:
    client, keys, _ = setup
    assert client.get("/api/v1/typical-cases").status_code == 200
    # A department's key sees the public content only: no internal read, no purpose.
    dept = client.get("/api/v1/typical-cases", headers={"X-API-Key": keys["scjg"]})
    assert dept.status_code == 200
    assert dept.json()["internal"] is False
