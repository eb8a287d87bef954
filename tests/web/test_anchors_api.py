"""The published anchors: page, API (paged, bounded) and the downloadable file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.helpers import add_department, csv_bytes, error_detail, penalty
from xinyong.bootstrap import Platform
from xinyong.jobs.registry import run_job
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.settings import Settings
from xinyong.ledger import anchorkey
from xinyong.ledger.anchors import parse_jsonl, signature_valid
from xinyong.web.app import create_app


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        secret_key="11" * 32,
        check_cache_refresh_ms=0,
        anchor_key_file=tmp_path / "keys" / "anchor.pem",
    )


def _days_of_anchors(platform: Platform, clock: FixedClock, days: int) -> None:
    anchorkey.generate(platform.settings.anchor_key_file)
    add_department(platform)
    for day in range(days):
        platform.importer().import_bytes(
            csv_bytes([penalty(CF_WSH=f"{day}号")]),
            filename=f"{day}.csv",
            department_code="scjg",
            item_code="XZCF",
        )
        assert run_job(platform, "anchor_ledger")["new"] is True
        clock.advance(dt.timedelta(days=1))
    assert run_job(platform, "anchor_ledger")["new"] is False  # the head did not move


def test_api_pages_anchors_newest_first_with_the_key(platform: Platform, clock: FixedClock) -> None:
    _days_of_anchors(platform, clock, 3)
    client = TestClient(create_app(platform))
    body = client.get("/api/v1/ledger/anchors", params={"limit": 2}).json()
    assert body["total"] == 3
    assert [a["batch_id"] for a in body["anchors"]] == [3, 2]
    public = anchorkey.load_public(platform.settings.anchor_key_file)
    assert body["key"]["key_fingerprint"] == body["anchors"][0]["key_fingerprint"]
    assert body["key"]["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    assert body["anchors"][0]["anchored_at_text"] == "2026-06-17 10:00:00"
    rest = client.get("/api/v1/ledger/anchors", params={"limit": 2, "offset": 2}).json()
    assert [a["batch_id"] for a in rest["anchors"]] == [1]
    # the file: every anchor, oldest first, each signature valid with the published key
    download = client.get("/api/v1/ledger/anchors.jsonl")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/jsonl")
    assert "attachment" in download.headers["content-disposition"]
    kept = parse_jsonl(download.content)
    assert [a.batch_id for a in kept] == [1, 2, 3]
    assert all(signature_valid(a, public) for a in kept)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 2**63}, "offset"),
        ({"limit": "x"}, "limit"),
    ],
)
def test_paging_parameters_are_bounded(
    platform: Platform, params: dict[str, object], field: str
) -> None:
    client = TestClient(create_app(platform), raise_server_exceptions=False)
    response = client.get("/api/v1/ledger/anchors", params=params)
    assert response.status_code == 422
    detail = error_detail(response)
    assert detail["code"] == "validation_error"
    assert [f["field"] for f in detail["fields"]] == [field]


def test_page_shows_the_anchors_key_and_how_to_verify(
    platform: Platform, clock: FixedClock
) -> None:
    _days_of_anchors(platform, clock, 2)
    client = TestClient(create_app(platform), raise_server_exceptions=False)
    page = client.get("/ledger/anchors")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    public = client.get("/api/v1/ledger/anchors").json()
    assert public["key"]["key_fingerprint"] in text
    assert public["anchors"][0]["head_hash"] in text
    assert "如何核验" in text
    assert "xinyong audit verify --anchors" in text
    assert "xinyong-ledger-anchor-v2" in text
    assert "审计日志头" in text
    assert client.head("/ledger/anchors").status_code == 200
    assert client.get("/ledger/anchors", params={"page": 0}).status_code == 400


def test_page_without_a_key_says_so(platform: Platform) -> None:
    client = TestClient(create_app(platform))
    text = client.get("/ledger/anchors").text
    assert "尚未配置签名密钥" in text
    assert "尚无锚点" in text
    body = client.get("/api/v1/ledger/anchors").json()
    assert body["key"] is None
    assert body["anchors"] == []
    assert body["total"] == 0
