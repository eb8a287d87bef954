"""The search page and API: results, paging, highlights, the jump to an exact code, the
"没有找到" state, bounded parameters and the per-client rate limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TEST_KEY
from tests.helpers import add_department, csv_bytes, penalty, person_penalty, resident_id
from xinyong.bootstrap import Platform
from xinyong.identity.uscc import make_uscc
from xinyong.kernel.settings import Settings
from xinyong.web.app import create_app

CODES = [make_uscc("9", "1", "610100", f"MA6TW{i:03d}") for i in range(25)]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        secret_key=TEST_KEY,
        check_cache_refresh_ms=0,
        # One token a minute: a slow machine cannot refill the bucket during the test.
        search_rate_per_minute=1,
        search_rate_burst=30,
    )


@pytest.fixture
def client(platform: Platform) -> TestClient:
    add_department(platform)
    rows = [
        penalty(
            CF_XDR_MC=f"西安建工第{i:02d}工程有限公司",
            CF_XDR_SHXYM=code,
            CF_WSH=f"陕市监罚〔2026〕{i}号",
            CF_FR_ZJHM=resident_id(seq=f"{i:03d}"),
        )
        for i, code in enumerate(CODES)
    ]
    rows.append(person_penalty(resident_id(seq="900"), name="西安建工"))
    result = platform.importer().import_bytes(
        csv_bytes(rows), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    assert result.accepted == 26
    return TestClient(create_app(platform))


def test_page_counts_pages_highlights_and_keeps_the_query(client: TestClient) -> None:
    page = client.get("/search", params={"q": "建工"})
    assert page.status_code == 200
    assert "共找到 25 个主体" in page.text
    assert 'value="建工"' in page.text
    assert "<mark>建工</mark>" in page.text
    assert "第 1 / 2 页" in page.text
    assert "page=2" in page.text
    second = client.get("/search", params={"q": "建工", "page": 2})
    assert second.text.count('class="name"') == 5
    assert "上一页" in second.text
    assert client.get("/search", params={"q": "建工", "page": 3}).status_code == 400
    none = client.get("/search", params={"q": "不存在的名称"})
    assert none.status_code == 200
    assert "没有找到" in none.text
    assert '<meta name="viewport"' in page.text  # usable on a phone


def test_an_exact_code_jumps_to_the_subject(client: TestClient) -> None:
    resp = client.get("/search", params={"q": CODES[3].lower()}, follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/subjects/{CODES[3]}"
    home = client.get("/", params={"q": "建工"}, follow_redirects=False)
    assert home.status_code == 303
    assert home.headers["location"].startswith("/search?q=")


def test_api_answers_codes_and_labels_and_never_a_person(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"q": "xajg", "size": 10}).json()
    assert (body["total"], body["pages"], len(body["results"])) == (25, 3, 10)
    hit = body["results"][0]
    assert hit["kind"] == {"code": "organisation", "label": "法人及非法人组织"}
    assert hit["match"]["code"] == "initials_prefix"
    exact = client.get("/api/v1/search", params={"q": CODES[0]}).json()
    assert exact["exact"] == CODES[0]
    person = client.get("/api/v1/search", params={"q": resident_id(seq="900")}).json()
    assert person["total"] == 0
    named = client.get("/api/v1/search", params={"q": "西安建工", "size": 50}).json()
    assert all(r["code"] in CODES for r in named["results"])


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "x" * 201},
        {"q": "建工", "size": 0},
        {"q": "建工", "size": 501},
        {"q": "建工", "size": 51},
        {"q": "建工", "page": 0},
        {"q": "建工", "page": 10**30},
        {"q": "   "},
    ],
)
def test_bad_parameters_are_a_422_in_chinese(client: TestClient, params: dict[str, object]) -> None:
    resp = client.get("/api/v1/search", params=params)
    assert resp.status_code == 422
    assert resp.json()["detail"]["message"]


def test_searches_are_rate_limited_per_client(client: TestClient) -> None:
    answers = [client.get("/api/v1/search", params={"q": "建工"}).status_code for _ in range(31)]
    assert answers[:30] == [200] * 30
    assert answers[30] == 429
    refused = client.get("/api/v1/search", params={"q": "建工"})
    assert refused.json()["detail"]["code"] == "rate_limited"
    assert "查询过于频繁" in refused.json()["detail"]["message"]
    assert int(refused.headers["Retry-After"]) >= 1
    page = client.get("/search", params={"q": "建工"})
    assert page.status_code == 429
    assert "查询过于频繁" in page.text
    # Another client is not affected.
    other = TestClient(client.app, client=("203.0.113.9", 50000))
    assert other.get("/api/v1/search", params={"q": "建工"}).status_code == 200
