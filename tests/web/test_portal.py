"""The public portal: 双公示 columns, public lists and typical cases (pages and JSON), and the
tabs of the public subject page. What is shown and what is not: revoked records, expired
windows, natural persons, lists that are not public, drafts."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import (
    ORG,
    ORG2,
    add_department,
    csv_bytes,
    list_subject,
    listing_details,
    penalty,
    person_penalty,
    resident_id,
    revoke,
)
from xinyong.bootstrap import Platform
from xinyong.reports import service as reports
from xinyong.web.app import create_app


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform))


def _import(platform: Platform, rows: list[dict[str, str]], department: str = "scjg") -> None:
    result = platform.importer().import_bytes(
        csv_bytes(rows), filename="p.csv", department_code=department, item_code="XZCF"
    )
    assert result.accepted == len(rows), result.as_dict()


@pytest.fixture
def penalties(platform: Platform) -> None:
    add_department(platform, name="陕西省市场监督管理局")
    add_department(platform, "sthj", "ecology", name="陕西省生态环境厅")
    _import(
        platform,
        [
            penalty(CF_WSH="陕市监罚〔2026〕1号", CF_JDRQ="2026-06-10"),
            penalty(CF_WSH="陕市监罚〔2026〕2号", CF_JDRQ="2026-05-01", CF_NR="罚款人民币5000元"),
            # Revoked below: never listed.
            penalty(CF_WSH="陕市监罚〔2026〕3号", CF_JDRQ="2026-04-01"),
            # Its window (令107: 一般 penalties, at most 3 years) ended before today.
            penalty(CF_WSH="陕市监罚〔2019〕9号", CF_JDRQ="2019-01-10"),
            person_penalty(resident_id(seq="456"), CF_WSH="陕市监罚〔2026〕4号"),
            penalty(
                CF_WSH="西碑市监罚〔2026〕5号",
                CF_XDR_MC="西安市雁塔区另一家有限公司",
                CF_XDR_SHXYM=ORG2,
                CF_JDRQ="2026-03-03",
            ),
        ],
    )
    _import(platform, [penalty(CF_WSH="陕环罚〔2026〕7号", CF_JDRQ="2026-02-02")], "sthj")
    # A correction: the same record sent again with other content is one row, the new one.
    _import(
        platform,
        [penalty(CF_WSH="陕市监罚〔2026〕2号", CF_JDRQ="2026-05-01", CF_NR="罚款人民币6000元")],
    )
    revoke(platform, "scjg", "XZCF", ORG, "陕市监罚〔2026〕3号", "原决定被撤销")


def _numbers(body: dict[str, Any]) -> list[str]:
    return [r["number"][0]["text"] for r in body["rows"]]


def test_penalties_show_what_is_public_today_newest_first(
    client: TestClient, penalties: None
) -> None:
    resp = client.get("/api/v1/publicity/penalties")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert _numbers(body) == [
        "陕市监罚〔2026〕1号",
        "陕市监罚〔2026〕2号",
        "西碑市监罚〔2026〕5号",
        "陕环罚〔2026〕7号",
    ]
    assert body["total"] == 4
    row = body["rows"][1]
    assert row["subject"]["code"] == ORG
    assert row["subject"]["url"] == f"/subjects/{ORG}"
    assert row["subject"]["name"] == "西安市碑林区示例科技有限公司"
    assert row["subject"]["division"]["code"] == "610102"
    texts = {f["name"]: f["text"] for f in row["fields"]}
    assert texts["处罚内容"] == "罚款人民币6000元"  # the correction, not the first version
    assert texts["处罚类别"] == "罚款"  # the catalogue's label
    assert row["department"] == {"code": "scjg", "name": "陕西省市场监督管理局"}
    assert row["authority"] == "省市场监督管理局"
    assert row["decision_date"] == "2026-05-01"
    assert row["publication"]["from"] == "2026-05-01"
    text = resp.text
    assert resident_id(seq="456") not in text
    assert "李四" not in text
    assert "张三" not in text
    assert resident_id() not in text


def test_penalties_filter_by_authority_region_and_dates(
    client: TestClient, penalties: None
) -> None:
    by_dept = client.get("/api/v1/publicity/penalties", params={"department": "sthj"}).json()
    assert _numbers(by_dept) == ["陕环罚〔2026〕7号"]
    assert by_dept["rows"][0]["department"]["name"] == "陕西省生态环境厅"
    by_region = client.get("/api/v1/publicity/penalties", params={"region": "610103"}).json()
    assert _numbers(by_region) == ["西碑市监罚〔2026〕5号"]
    assert by_region["filters"]["region"]["code"] == "610103"
    city = client.get("/api/v1/publicity/penalties", params={"region": "610100"}).json()
    assert city["total"] == 4
    assert (
        client.get("/api/v1/publicity/penalties", params={"region": "620100"}).json()["total"] == 0
    )
    dated = client.get(
        "/api/v1/publicity/penalties",
        params={"decided_from": "2026-03-01", "decided_to": "2026-05-01"},
    ).json()
    assert _numbers(dated) == ["陕市监罚〔2026〕2号", "西碑市监罚〔2026〕5号"]


def test_penalties_page_and_refuse_bad_parameters(
    client: TestClient, platform: Platform, penalties: None
) -> None:
    platform.settings.portal_page_size = 3
    first = client.get("/api/v1/publicity/penalties").json()
    second = client.get("/api/v1/publicity/penalties", params={"page": 2}).json()
    assert (first["pages"], first["has_next"], second["has_previous"]) == (2, True, True)
    assert len(first["rows"]) == 3
    assert _numbers(second) == ["陕环罚〔2026〕7号"]
    for params in (
        {"page": 0},
        {"page": 10**6},
        {"region": "61"},
        {"region": "999999"},
        {"department": "x" * 65},
        {"decided_from": "2026-13-01"},
        {"decided_from": "2026-06-01", "decided_to": "2026-01-01"},
    ):
        resp = client.get("/api/v1/publicity/penalties", params=params)
        assert resp.status_code == 422, (params, resp.text)
        page = client.get("/publicity/penalties", params=params)
        assert page.status_code == 400, (params, page.status_code)
        assert "text/html" in page.headers["content-type"]


def test_penalty_page_links_subjects_and_shows_labels(client: TestClient, penalties: None) -> None:
    page = client.get("/publicity/penalties")
    assert page.status_code == 200
    html = page.text
    assert f'href="/subjects/{ORG}"' in html
    assert "陕市监罚〔2026〕1号" in html
    assert "处罚类别" in html
    assert "罚款" in html
    assert "陕市监罚〔2026〕3号" not in html  # revoked
    assert "陕市监罚〔2019〕9号" not in html  # window over
    assert "陕市监罚〔2026〕4号" not in html  # a natural person
    assert "共 4 条" in html
    assert "<script" not in html
    licences = client.get("/publicity/licences")
    assert licences.status_code == 200
    assert "行政许可公示" in licences.text
    assert client.get("/api/v1/publicity/licences").json()["total"] == 0


def test_public_lists_show_active_public_members_only(
    client: TestClient, platform: Platform
) -> None:
    add_department(platform)
    list_subject(platform, ORG, "SAMR_SERIOUS")
    person = "P" + "0" * 32
    index = client.get("/api/v1/lists").json()
    codes = {lt["code"] for lt in index["list_types"]}
    assert "SAMR_SERIOUS" in codes
    assert "WATCH" not in codes  # kept by the departments, not published
    members = client.get("/api/v1/lists/SAMR_SERIOUS")
    assert members.status_code == 200, members.text
    body = members.json()
    assert [r["subject"]["code"] for r in body["rows"]] == [ORG]
    row = body["rows"][0]
    # The listing decision's own grounds and number (tests.helpers.listing_details).
    assert row["reason"] == [{"name": "列入事由", "text": listing_details("list")["grounds"]}]
    assert row["decision_number"] == listing_details("list")["decision_number"]
    assert row["entry_criteria"] == []
    assert row["legal_basis"]
    assert row["listed_on"] == "2026-06-15"
    assert row["period"]["text"] == "2026-06-15 至 2029-06-14"
    assert person not in members.text
    assert client.get("/api/v1/lists/WATCH").status_code == 404
    assert client.get("/api/v1/lists/NO_SUCH").status_code == 404
    html = client.get("/lists/SAMR_SERIOUS").text
    assert "市场监督管理严重违法失信名单" in html
    assert f'href="/subjects/{ORG}"' in html
    assert client.get("/lists/WATCH").status_code == 404
    assert "/lists/SAMR_SERIOUS" in client.get("/lists").text


def test_typical_cases_pages_show_published_cases_only(
    client: TestClient, platform: Platform
) -> None:
    add_department(platform)
    with platform.engine.begin() as conn:
        args: dict[str, Any] = {
            "summary": "某科技有限公司被列入严重违法失信名单，在政府采购中被限制参与。",
            "category": "惩戒",
            "measures": ["M11"],
            "department_code": "scjg",
            "actor": "office:李处长",
            "now": platform.clock.now(),
        }
        shown = reports.add_typical_case(conn, platform.sanctions, title="已发布的案例", **args)
        draft = reports.add_typical_case(conn, platform.sanctions, title="草稿案例", **args)
        reports.publish_typical_case(
            conn, platform.sanctions, shown["id"], actor="office:李处长", now=platform.clock.now()
        )
    index = client.get("/typical-cases")
    assert index.status_code == 200
    assert "已发布的案例" in index.text
    assert "草稿案例" not in index.text
    one = client.get(f"/typical-cases/{shown['id']}")
    assert one.status_code == 200
    assert "政府采购" in one.text
    assert client.get(f"/typical-cases/{draft['id']}").status_code == 404
    assert client.get("/typical-cases/0").status_code == 400
    assert client.get("/typical-cases", params={"page": 0}).status_code == 400


def test_subject_page_has_a_status_banner_and_tabs_without_javascript(
    client: TestClient, platform: Platform, penalties: None
) -> None:
    list_subject(platform, ORG, "SAMR_SERIOUS")
    page = client.get(f"/subjects/{ORG}")
    assert page.status_code == 200
    html = page.text
    assert "<script" not in html
    for label in ("基础信息", "行政管理", "诚实守信", "严重失信", "经营异常", "信用承诺", "其他"):
        assert f"{label}（" in html
    # The banner names the active list; with 基础信息 empty the page opens on the first tab
    # that has records (行政管理, the penalties); 基础信息 asked for holds no penalty.
    assert "严重失信主体名单：市场监督管理严重违法失信名单" in html
    assert 'aria-current="page">行政管理（' in html
    assert "陕市监罚〔2026〕1号" in html.split('id="tabs"', 1)[1]
    basic = client.get(f"/subjects/{ORG}", params={"tab": "basic"}).text
    assert "陕市监罚〔2026〕1号" not in basic.split('id="tabs"', 1)[1]
    admin = client.get(f"/subjects/{ORG}", params={"tab": "administrative"}).text
    assert "行政处罚信息" in admin
    assert "陕市监罚〔2026〕1号" in admin
    assert 'aria-current="page">行政管理（3）' in admin
    assert "陕市监罚〔2026〕3号" not in admin  # revoked
    serious = client.get(f"/subjects/{ORG}", params={"tab": "serious"}).text
    assert "市场监督管理严重违法失信名单" in serious.split('id="tabs"', 1)[1]
    assert 'href="?tab=serious#e' in html  # the banner's record link opens its tab
    assert client.get(f"/subjects/{ORG}", params={"tab": "x" * 33}).status_code == 400
    assert client.get(f"/subjects/{ORG}", params={"tab": "nosuch"}).status_code == 200
