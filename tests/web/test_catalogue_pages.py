"""The catalogue viewer: public pages for items, code tables, list types, measures, policies
and the calendar, with real catalogue content; unknown codes give the Chinese 404 page; the
JSON twins (measures, code tables, a calendar year) and their shapes."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from xinyong.bootstrap import Platform
from xinyong.web.app import create_app


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform))


def _text(client: TestClient, url: str, status: int = 200) -> str:
    """The page's main content as text (tags removed), after checking status and type."""
    resp = client.get(url)  # no key: public
    assert resp.status_code == status, (url, resp.text[:500])
    assert resp.headers["content-type"].startswith("text/html")
    main = re.split(r"<main[^>]*>", resp.text, maxsplit=1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def test_index_links_every_section_and_names_the_provisional_year(client: TestClient) -> None:
    resp = client.get("/catalogue")
    assert resp.status_code == 200
    for href in ("items", "code-tables", "list-types", "measures", "policies", "calendar"):
        assert f'href="/catalogue/{href}"' in resp.text
    assert "2027年为暂定" in _text(client, "/catalogue")
    # The portal's navigation links the catalogue from every page.
    assert '<a href="/catalogue">信用目录</a>' in client.get("/lists").text
    # The calendar grid's own style sheet, from this host (the CSP allows no inline style).
    css = re.search(
        r'href="(/static/catalogue\.css\?v=\w+)"', client.get("/catalogue/calendar/2027").text
    )
    assert css is not None
    assert "td.makeup" in client.get(css.group(1)).text
    assert client.head("/catalogue").status_code == 200


def test_item_page_shows_fields_flags_code_tables_versions_bases_and_policies(
    client: TestClient,
) -> None:
    listing = _text(client, "/catalogue/items")
    assert "行政处罚信息 XZCF" in listing
    assert "失信信息" in listing
    page = client.get("/catalogue/items/XZCF").text
    text = _text(client, "/catalogue/items/XZCF")
    assert "版本 2024.1" in text
    assert "1900-01-01 起，现行有效" in text
    assert "中华人民共和国行政处罚法（2021年修订）第四十八条 已读原文" in text
    # The 2024 catalogue's document number is seen in third-party code only: marked.
    assert "发改财金规〔2024〕203号） 待核实（仅见于第三方系统）" in text
    # 证件号码: personal, never public, required for a natural person.
    assert re.search(
        r"CF_XDR_ZJHM 证件号码 又称：[^ ]* 证件号码（≤32字） 行政相对人类别（CF_XDR_LB）为自然人时必填 是 否 —",
        text,
    )
    # 处罚类别: required, several codes of the penalty_kind table, linked.
    assert "CF_CFLB 处罚类别" in text
    assert "代码（多选） 是 否 是 处罚类别" in text
    assert '<a href="/catalogue/code-tables/penalty_kind">处罚类别</a>' in page
    # Publication policies that govern a penalty, with the decision dates they govern.
    assert "信用修复管理办法（国家发展改革委令2025年第36号） NDRC-2025-36 2026-04-01 起" in text
    assert "市场监督管理信用修复管理办法（市场监管总局令第107号）" in text
    assert 'href="/catalogue/measures/M01"' in page  # its records trigger M01


def test_code_table_page_lists_values_with_labels_and_bases(client: TestClient) -> None:
    assert "处罚类别 penalty_kind" in _text(client, "/catalogue/code-tables")
    text = _text(client, "/catalogue/code-tables/penalty_kind")
    assert "中华人民共和国行政处罚法（2021年修订）第九条 已读原文" in text
    assert "01 警告 1" in text  # code, label, the legacy code kept as an alias
    assert "08 吊销许可证件 吊销许可证" in text
    assert "使用字段 行政处罚信息 ·处罚类别（CF_CFLB）" in text


def test_list_type_page_shows_authority_bases_windows_period_and_measures(
    client: TestClient,
) -> None:
    listing = _text(client, "/catalogue/list-types")
    assert "市场监督管理严重违法失信名单 SAMR_SERIOUS 严重失信主体名单 市场监管 36个月" in listing
    text = _text(client, "/catalogue/list-types/SAMR_SERIOUS")
    assert "作出行政处罚的县级以上市场监督管理部门" in text
    assert (
        "市场监督管理严重违法失信名单管理办法（国家市场监督管理总局令第44号）"
        "第二条、第五条至第十四条、第十六条至第二十一条 已读原文"
    ) in text
    assert "公示期限 20 个工作日" in text
    assert "撤销列入 3 个工作日" in text
    assert "列入满 12 个月后可申请" in text
    # Both versions, the older with its last day.
    assert "2021.1 2021-09-01 起，至 2025-12-24 止" in text
    assert 'href="/catalogue/measures/' in client.get("/catalogue/list-types/SAMR_SERIOUS").text


def test_measure_page_shows_kind_department_conditions_bases_and_scenarios(
    client: TestClient,
) -> None:
    assert "限制再次申请行政许可 M01 惩戒措施" in _text(client, "/catalogue/measures")
    text = _text(client, "/catalogue/measures/M01")
    assert "惩戒措施；第一类：减损权益或增加义务" in text
    assert "实施部门 受理或者作出行政许可决定的行政机关" in text
    assert "中华人民共和国行政许可法（2019年修正）第七十八条、第七十九条 已读原文" in text
    # Conditions over record fields, codes with their labels.
    assert "处罚类别（CF_CFLB）为01 警告；处罚依据（CF_YJ）引用《行政许可法》第78条" in text
    assert "该许可事项是否直接关系公共安全、人身健康、生命财产安全 固定期限：1年" in text
    assert "应用场景 行政许可" in text
    assert "列入（2021年版，第1行） 二手来源" in text


def test_policies_page_shows_periods_dates_and_sources(client: TestClient) -> None:
    text = _text(client, "/catalogue/policies")
    assert "信用修复管理办法（国家发展改革委令2025年第36号） NDRC-2025-36" in text
    assert "适用的决定日期 2026-04-01 起" in text
    assert "严重 最短1年，最长3年" in text
    assert "轻微 不公示" in text
    assert "national/policies/ndrc-2025-36.yaml" in text
    # 令107: a penalty of 警告 alone is not published; the code is shown with its label.
    assert "轻微 最长3个月 处罚类别（CF_CFLB）仅含01 警告时不公示" in text
    assert "本政策的严重程度认定： 行政处罚信息" in text
    assert 'id="SAMR-2025-107"' in client.get("/catalogue/policies").text


def test_calendar_lists_every_year_with_its_status(client: TestClient) -> None:
    text = _text(client, "/catalogue/calendar")
    assert "2027年 暂定" in text
    assert "2026年 正式 国务院办公厅关于2026年部分节假日安排的通知" in text
    assert "2004年 正式" in text


def test_provisional_year_says_it_is_provisional_and_why(client: TestClient) -> None:
    page = client.get("/catalogue/calendar/2027").text
    text = _text(client, "/catalogue/calendar/2027")
    assert "2027年法定工作日历 暂定" in text
    assert "本年为暂定日历。 暂定（2027年国务院放假安排尚未公布）" in text
    assert "《全国年节及纪念日放假办法》（2024年修订）" in text
    assert "放假办法第六条" in text
    assert "暂定补假 2027-02-09（春节）" in text
    assert "调休上班 暂不推测（以国务院通知为准）" in text
    assert "春节 2027-01-29 至 2027-02-21" in text  # where the notice may still move days
    # The grid: 2027-02-06 a festival day, 02-09 a provisional compensation day in a window.
    assert 'class="holiday uncertain" title="2027-02-06 星期六，春节放假' in page
    assert 'class="compensation uncertain" title="2027-02-09 星期二，春节暂定补假' in page


def test_official_year_shows_make_up_working_days(client: TestClient) -> None:
    page = client.get("/catalogue/calendar/2026").text
    text = _text(client, "/catalogue/calendar/2026")
    assert "2026年法定工作日历 正式" in text
    assert "本年为暂定日历" not in text
    assert "春节 2026-02-15 至 2026-02-23" in text
    assert "2026-02-14（春节）" in text
    assert 'class="makeup" title="2026-02-14 星期六，春节调休上班"' in page
    assert 'href="/catalogue/calendar/2027"' in page
    assert 'href="/catalogue/calendar/2025"' in page


@pytest.mark.parametrize(
    "url",
    [
        "/catalogue/items/NOPE",
        "/catalogue/code-tables/nope",
        "/catalogue/list-types/NOPE",
        "/catalogue/measures/M999",
        "/catalogue/calendar/1990",
    ],
)
def test_unknown_codes_get_the_chinese_404_page(client: TestClient, url: str) -> None:
    text = _text(client, url, 404)
    assert re.search(r"[\u4e00-\u9fff]", text)
    assert "没有" in text


def test_bad_parameters_get_the_400_page(client: TestClient) -> None:
    assert "year" in _text(client, "/catalogue/calendar/abc", 400)
    _text(client, "/catalogue/calendar/99999", 400)
    _text(client, "/catalogue/items/" + "X" * 49, 400)


def test_measures_api(client: TestClient) -> None:
    resp = client.get("/api/v1/catalogue/measures")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["version"]
    m01 = next(m for m in body["measures"] if m["code"] == "M01")
    assert m01["kind_label"] == "惩戒措施"
    assert m01["scenarios"] == [{"code": "licensing", "name": "行政许可"}]
    assert m01["legal_basis"][0]["evidence_label"] == "已读原文"
    assert m01["triggers"][0]["source"] == {"kind": "item", "code": "XZCF", "name": "行政处罚信息"}
    assert any(m["kind"] == "incentive" for m in body["measures"])


def test_code_tables_api(client: TestClient) -> None:
    resp = client.get("/api/v1/catalogue/code-tables")
    assert resp.status_code == 200, resp.text
    tables = {t["code"]: t for t in resp.json()["code_tables"]}
    kinds = tables["penalty_kind"]
    assert kinds["name"] == "处罚类别"
    assert {
        "code": "01",
        "label": "警告",
        "aliases": ["1"],
        "valid_from": None,
        "valid_until": None,
    } in kinds["value_list"]
    assert {
        "item": "XZCF",
        "item_name": "行政处罚信息",
        "field": "CF_CFLB",
        "field_name": "处罚类别",
    } in kinds["used_by"]


def test_calendar_api(client: TestClient) -> None:
    body = client.get("/api/v1/calendar/2027").json()
    assert (body["status"], body["status_label"], body["provisional"]) == (
        "provisional",
        "暂定",
        True,
    )
    assert "尚未公布" in body["why_provisional"]
    assert body["law"]["version"] == "2024"
    assert body["law"]["statutory_days"] == 13
    assert {"date": "2027-02-09", "for": "春节"} in body["compensation"]
    assert body["makeup_workdays"] == []
    assert len(body["months"]) == 12
    feb = [c for week in body["months"][1]["weeks"] for c in week if c]
    assert len(feb) == 28
    assert {c["date"]: c["kind"] for c in feb}["2027-02-09"] == "compensation"

    official = client.get("/api/v1/calendar/2026").json()
    assert official["provisional"] is False
    assert official["why_provisional"] is None
    assert {"date": "2026-02-14", "for": "春节"} in official["makeup_workdays"]
    assert official["working_days"] > 240

    missing = client.get("/api/v1/calendar/1990")
    assert missing.status_code == 404
    assert missing.json()["detail"]["code"] == "not_found"
    assert client.get("/api/v1/calendar/3000").status_code == 422
