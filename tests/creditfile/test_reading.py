"""The credit file speaks Chinese: labels for codes, department names, the lists and serious
records at the top with reason, basis, authority, number and period, the last public day
inclusive, Beijing time, and never a ``None``. Built through the real importer and the real
listing workflow; the page is rendered by the app."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.creditfile.support import credit_file
from tests.helpers import ORG, add_department, csv_bytes, list_subject, penalty, resident_id
from xinyong.bootstrap import Platform
from xinyong.creditfile.service import View
from xinyong.creditfile.text import render_text
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import NotFound
from xinyong.web.app import create_app

SAMR = "陕西省市场监督管理局"
COURT_DEPT = "陕西省高级人民法院"
COURT = "西安市中级人民法院"
CASE_NO = "（2026）陕01执123号"
SERIOUS_NO = "陕市监罚〔2026〕9号"
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _defaulter() -> dict[str, str]:
    return {
        "被执行人名称": "西安市碑林区示例科技有限公司",
        "统一社会信用代码": ORG,
        "法定代表人": "张三",
        "执行法院": COURT,
        "案号": CASE_NO,
        "立案日期": "2026-03-02",
        "失信被执行人行为具体情形": "有履行能力而拒不履行生效法律文书确定义务",
        "发布日期": "2026-06-01",
    }


@pytest.fixture
def listed(platform: Platform, clock: FixedClock) -> Platform:
    """A company with a court's 失信被执行人 entry, a SAMR listing and a food-licence ban
    decided here, a serious penalty, an ordinary one and a warning."""
    add_department(platform, "scjg", "market_regulation", SAMR)
    add_department(platform, "gy", "court", COURT_DEPT)
    clock.set(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    importer = platform.importer()
    importer.import_bytes(
        csv_bytes(
            [
                penalty(CF_WSH="陕市监罚〔2026〕1号", CF_CFLB="罚款", CF_JDRQ="2026-06-10"),
                penalty(
                    CF_WSH=SERIOUS_NO,
                    CF_CFLB="罚款、吊销许可证件",
                    CF_WFXW="生产经营不符合食品安全标准的食品",
                    CF_YJ="《中华人民共和国食品安全法》第一百二十四条",
                    CF_NR="罚款人民币5万元，吊销食品经营许可证",
                    CF_NR_FK="5",
                    CF_JDRQ="2026-06-12",
                ),
                penalty(
                    CF_WSH="陕市监罚〔2026〕3号", CF_CFLB="警告", CF_NR_FK="", CF_JDRQ="2026-06-11"
                ),
            ]
        ),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    importer.import_bytes(
        csv_bytes([_defaulter()]), filename="sx.csv", department_code="gy", item_code="SXBZXR"
    )
    list_subject(platform, ORG, "SAMR_SERIOUS")
    list_subject(platform, ORG, "BAN_FOOD")
    return platform


def _file(platform: Platform, view: View = "public", on: dt.date | None = None) -> dict[str, Any]:
    return credit_file(platform, ORG, on=on or dt.date(2026, 6, 20), view=view).as_dict()


def _records(cf: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["heading"]: r for g in cf["groups"] for item in g["items"] for r in item["records"]}


def test_lists_bans_and_serious_records_stand_first_with_reason_basis_and_period(
    listed: Platform,
) -> None:
    cf = _file(listed)
    hl = cf["highlights"]
    assert [(h["type"], h["list"]["code"] if h["list"] else h["item"]) for h in hl] == [
        ("list", "SAMR_SERIOUS"),  # 严重失信 lists, newest first
        ("list", "COURT_DEFAULTER"),
        ("list", "BAN_FOOD"),  # then bans
        ("record", "XZCF"),  # then serious records
    ]
    samr, court, ban, serious = hl
    assert samr["list"] == {
        "code": "SAMR_SERIOUS",
        "name": "市场监督管理严重违法失信名单",
        "kind": "black",
        "kind_label": "严重失信主体名单",
    }
    assert samr["authority"] == SAMR
    assert samr["department"] == {"code": "scjg", "name": SAMR}
    assert samr["decision_number"].startswith("办件编号 ")
    # Listed on 2026-06-15 for 36 months: [2026-06-15, 2029-06-15), last day 2029-06-14.
    assert samr["period"] == {
        "from": "2026-06-15",
        "to": "2029-06-14",
        "text": "2026-06-15 至 2029-06-14",
    }
    assert any("国家市场监督管理总局令第44号" in b["text"] for b in samr["legal_basis"])
    assert samr["entry_criteria"]  # a listing decided here states the list's conditions
    assert court["reason"] == [
        {"name": "失信被执行人行为具体情形", "text": "有履行能力而拒不履行生效法律文书确定义务"}
    ]
    assert court["authority"] == COURT
    assert court["decision_number"] == CASE_NO
    assert court["period"]["text"] == "2026-06-01 起，至移出名单时止"
    assert ban["type_label"] == "市场和行业禁入"
    assert ban["period"]["to"] == "2031-06-14"
    assert serious["type_label"] == "严重失信信息"
    assert serious["decision_number"] == SERIOUS_NO
    assert serious["penalty_kinds"] == [
        {"code": "03", "label": "罚款"},
        {"code": "08", "label": "吊销许可证件"},
    ]
    assert [r["name"] for r in serious["reason"]] == ["违法行为类型", "处罚内容"]
    assert serious["legal_basis"][0]["text"] == "《中华人民共和国食品安全法》第一百二十四条"
    assert serious["authority"] == "省市场监督管理局"  # as the decision names its authority
    assert serious["period"] == {
        "from": "2026-06-12",
        "to": "2029-06-11",
        "text": "2026-06-12 至 2029-06-11",
    }
    assert cf["counts"]["highlights"] == 4


def test_public_bases_are_confirmed_chinese_texts_and_staff_see_what_is_unconfirmed(
    listed: Platform,
) -> None:
    # 纳税信用A级: the catalogue holds only unconfirmed bases for it (evidence U and C).
    add_department(listed, "swj", "tax", "国家税务总局陕西省税务局")
    list_subject(listed, ORG, "RED_TAX_A", "swj")
    public = _file(listed)
    internal = _file(listed, "internal")

    def bases(cf: dict[str, Any], code: str) -> list[str]:
        h = next(h for h in cf["highlights"] if h["list"] and h["list"]["code"] == code)
        return [b["text"] for b in h["legal_basis"]]

    # Both of the court list's bases are confirmed (its commencement date by the SPC's 公告).
    assert bases(public, "COURT_DEFAULTER") == [
        "最高人民法院关于公布失信被执行人名单信息的若干规定（2017年修正）第一条至第五条、第九条、第十条",
        "最高人民法院关于公布失信被执行人名单信息的若干规定（2017年修正）施行日期（法释〔2017〕7号）",
    ]
    assert bases(public, "RED_TAX_A") == []
    staff = bases(internal, "RED_TAX_A")
    assert len(staff) == 2
    assert all(b.endswith("（待核实）") for b in staff)
    text = json.dumps(public["highlights"], ensure_ascii=False)
    assert "纳税信用管理办法" not in text
    assert '"U"' not in text
    assert "待核实" not in text


def test_codes_become_labels_and_departments_names(listed: Platform) -> None:
    cf = _file(listed)
    records = _records(cf)
    serious = records[SERIOUS_NO]
    kinds = next(f for f in serious["fields"] if f["code"] == "CF_CFLB")
    assert kinds["value"] == "03,08"
    assert kinds["codes"] == [
        {"code": "03", "label": "罚款"},
        {"code": "08", "label": "吊销许可证件"},
    ]
    assert kinds["text"] == "罚款、吊销许可证件"
    assert serious["provenance"]["department"] == {"code": "scjg", "name": SAMR}
    court = records[CASE_NO]
    assert court["provenance"]["department"] == {"code": "gy", "name": COURT_DEPT}
    # Published while the court keeps the entry, not "长期".
    assert court["publication"]["period_text"] == "2026-06-01 起，至移出名单时止"
    listing = records["市场监督管理严重违法失信名单"]
    by_name = {f["name"]: f["text"] for f in listing["fields"]}
    assert by_name["认定部门"] == SAMR
    assert by_name["列入期限至"] == "2029-06-14"
    assert "名单类型" not in by_name
    # Fields in the catalogue's order with its names; the subject's own fields once in the
    # header, not on every record.
    item = listed.catalogue.item("XZCF")
    order = [f.code for f in item.fields]
    codes = [f["code"] for f in serious["fields"]]
    assert codes == sorted(codes, key=order.index)
    assert {"CF_XDR_MC", "CF_XDR_SHXYM", "CF_XDR_LB", "CF_FRDB", "CF_FR_ZJHM"}.isdisjoint(codes)
    assert (
        next(f for f in serious["fields"] if f["code"] == "CF_WSH")["name"] == "行政处罚决定书文号"
    )
    assert [r["name"] for r in cf["subject"]["legal_representatives"]] == ["张三"]


def test_last_public_day_is_inclusive(listed: Platform) -> None:
    # The ordinary fine of 2026-06-10 is public for 12 months under 令107: [2026-06-10,
    # 2027-06-10). Its last public day is 2027-06-09, shown as such, and it is gone the next day.
    last = _records(_file(listed, on=dt.date(2027, 6, 9)))["陕市监罚〔2026〕1号"]
    assert last["publication"]["public_until"] == "2027-06-10"  # stored, exclusive
    assert last["publication"]["last_day"] == "2027-06-09"
    assert last["publication"]["period_text"] == "2026-06-10 至 2027-06-09"
    assert "陕市监罚〔2026〕1号" not in _records(_file(listed, on=dt.date(2027, 6, 10)))


def test_internal_view_in_beijing_time(listed: Platform) -> None:
    cf = _file(listed, "internal")
    rec = _records(cf)[SERIOUS_NO]
    # Imported at 10:00 Beijing time (02:00 UTC).
    assert rec["provenance"]["received_at"] == "2026-06-15T10:00:00+08:00"
    assert rec["provenance"]["received_at_text"] == "2026-06-15 10:00:00"
    assert rec["history"][0]["received_at_text"] == "2026-06-15 10:00:00"
    assert rec["history"][0]["department"] == {"code": "scjg", "name": SAMR}
    warning = _records(cf)["陕市监罚〔2026〕3号"]
    assert warning["publication"]["status"] == "不公开"
    assert warning["publication"]["period_text"] == "不公开"
    steps = [
        r
        for g in cf["groups"]
        if g["category"] == "办件记录"
        for i in g["items"]
        for r in i["records"]
    ]
    assert steps
    assert all("办件编号" in r["heading"] for r in steps)
    text = render_text(cf)
    assert "接收于 2026-06-15 10:00:00" in text
    assert "已列入并公示" in text  # case states by their labels
    assert not ISO_INSTANT.search(text)
    assert "None" not in text


def test_page_and_text_show_labels_never_codes_or_none(listed: Platform) -> None:
    client = TestClient(create_app(listed))
    listed.clock.set(dt.datetime(2026, 6, 20, 9, 0, tzinfo=CHINA_TZ))  # type: ignore[attr-defined]
    # The page shows one tab at a time: a reader going through every tab sees all of it.
    first = client.get(f"/subjects/{ORG}").text
    tabs = re.findall(r'href="\?(?:[^"]*&amp;)?tab=([a-z_]+)', first)
    assert tabs, "the subject page has tabs"
    html = first + "".join(
        client.get(f"/subjects/{ORG}", params={"tab": t}).text for t in dict.fromkeys(tabs)
    )
    assert "<td></td>" not in html
    shown = re.sub(r"<[^>]+>", " ", html)  # what a reader sees, without markup
    text = render_text(_file(listed))
    for out in (shown, text):
        assert "None" not in out
        for code in ("SAMR_SERIOUS", "COURT_DEFAULTER", "BAN_FOOD", "scjg", "black"):
            assert code not in out
        assert not ISO_INSTANT.search(out)
        assert "罚款、吊销许可证件" in out
        assert SAMR in out
        assert COURT_DEPT in out
        assert COURT in out
        assert "2029-06-14" in out
        assert "2029-06-11" in out
        # The top section comes first, in its order, before the records by category.
        top = out.index("名单与严重失信信息")
        positions = [
            out.index("市场监督管理严重违法失信名单", top),
            out.index("失信被执行人名单", top),
            out.index("食品生产经营行业禁入", top),
            out.index("生产经营不符合食品安全标准的食品", top),
        ]
        assert positions == sorted(positions)
        assert positions[-1] < out.index("行政管理信息")
    # The legal representative is named once, in the header, not on each of the four records.
    assert first.count("张三") == 1
    assert text.count("张三") == 1


def test_api_keeps_codes_with_labels_beside(listed: Platform) -> None:
    client = TestClient(create_app(listed))
    body = client.get(f"/api/v1/subjects/{ORG}/file", params={"as_of": "2026-06-20"}).json()
    assert body["highlights"][0]["list"]["code"] == "SAMR_SERIOUS"
    assert body["highlights"][0]["list"]["name"] == "市场监督管理严重违法失信名单"
    serious = body["highlights"][3]
    assert serious["severity"] == "严重"
    assert serious["penalty_kinds"][1] == {"code": "08", "label": "吊销许可证件"}
    rec = next(
        r
        for g in body["groups"]
        for i in g["items"]
        for r in i["records"]
        if r["heading"] == SERIOUS_NO
    )
    assert rec["provenance"]["department"] == {"code": "scjg", "name": SAMR}
    assert rec["penalty_kinds"] == serious["penalty_kinds"]


def test_natural_persons_never_in_clear(platform: Platform, clock: FixedClock) -> None:
    add_department(platform, "scjg", "market_regulation", SAMR)
    clock.set(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    number = resident_id("610103", "19900202", "456")
    platform.importer().import_bytes(
        csv_bytes(
            [
                penalty(
                    CF_XDR_MC="王小明",
                    CF_XDR_LB="自然人",
                    CF_XDR_SHXYM="",
                    CF_XDR_ZJLX="身份证",
                    CF_XDR_ZJHM=number,
                    CF_FRDB="",
                    CF_FR_ZJLX="",
                    CF_FR_ZJHM="",
                    CF_CFLB="罚款、吊销许可证件",
                )
            ]
        ),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    key = platform.vault.subject_key(number)
    with pytest.raises(NotFound) as refused:
        credit_file(platform, key, on=dt.date(2026, 6, 20), view="public")
    assert "不向社会公开" in refused.value.message_zh
    page = TestClient(create_app(platform)).get(f"/subjects/{key}")
    assert page.status_code == 404
    assert "王小明" not in page.text
    assert number not in page.text
    internal = credit_file(platform, key, on=dt.date(2026, 6, 20), view="internal").as_dict()
    out = json.dumps(internal, ensure_ascii=False) + render_text(internal)
    assert number not in out
    assert "王小明" not in out
    assert internal["subject"]["code"] == number[:6] + "********" + number[-4:]
    assert internal["subject"]["name"] == "王**"
    assert f"证件号码：{number[:6]}********{number[-4:]}" in render_text(internal)
    # A person's serious record is never public, but staff see it at the top.
    assert [h["type"] for h in internal["highlights"]] == ["record"]
    assert internal["highlights"][0]["publication_status"] == "不公开"
