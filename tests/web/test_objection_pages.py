"""The subject's objection pages and the marks on the public pages: a signed-in subject objects
to one of its records (CSRF, bad input shown on the form, another's record refused), follows
it; the record is marked 异议处理中 on its own file and the public page; once corrected, the
更正公告 stands where the wrong entry was, on the subject's page and on the list's page."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.helpers import ORG, ORG2, add_department, csrf_of, csv_bytes, penalty
from tests.objections.helpers import check, file, step
from xinyong.bootstrap import Platform
from xinyong.ledger.tables import entries
from xinyong.objections.tables import objections
from xinyong.selfservice import accounts
from xinyong.web.app import create_app

PASSWORD = "Subject-Pass-2026"
FINE_NO = "陕市监罚〔2026〕1号"


def _client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform), base_url="https://testserver")


def _signed_in(platform: Platform, uscc: str = ORG) -> TestClient:
    with platform.engine.begin() as conn:
        code = accounts.issue_code(
            conn, uscc=uscc, days=14, now=platform.clock.now(), actor="cli:张管理"
        ).code
    client = _client(platform)
    form = client.get("/account/activate")
    resp = client.post(
        "/account/activate",
        data={
            "uscc": uscc,
            "code": code,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    return client


def _entries(platform: Platform) -> dict[str, int]:
    """Entry ids by subject, of the penalties imported."""
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(entries.c.subject_key, entries.c.id).where(entries.c.item_code == "XZCF")
        )
        return {k: int(i) for k, i in rows}


def _count(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(objections)).scalar_one())


def _setup(platform: Platform) -> dict[str, int]:
    add_department(platform)
    rows = [penalty(CF_WSH=FINE_NO), penalty(CF_WSH="陕市监罚〔2026〕2号", CF_XDR_SHXYM=ORG2)]
    result = platform.importer().import_bytes(
        csv_bytes(rows), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    assert result.accepted == 2
    return _entries(platform)


def _post(client: TestClient, page: str, **data: Any) -> Any:
    return client.post(
        "/account/objections", data={"csrf": csrf_of(page), **data}, follow_redirects=False
    )


def test_subject_objects_and_sees_the_mark_then_the_correction(platform: Platform) -> None:
    ids = _setup(platform)
    client = _signed_in(platform)
    home = client.get("/account")
    assert f'href="/account/objections/new?entry={ids[ORG]}"' in home.text
    assert "异议处理中" not in home.text
    form = client.get("/account/objections/new", params={"entry": ids[ORG]})
    assert form.status_code == 200
    assert FINE_NO in form.text
    assert 'name="csrf"' in form.text

    # Bad input: the form again with the reason, nothing filed.
    resp = _post(client, form.text, entry=ids[ORG], grounds="wrong_content", statement="  ")
    assert resp.status_code == 422
    assert "异议说明" in resp.text
    resp = _post(client, form.text, entry=ids[ORG], grounds="nonsense", statement="金额有误")
    assert resp.status_code == 422
    assert "异议事由" in resp.text
    resp = client.post(
        "/account/objections",
        data={"csrf": "0" * 64, "entry": ids[ORG], "grounds": "other", "statement": "x"},
    )
    assert resp.status_code == 403
    assert _count(platform) == 0

    resp = _post(
        client, form.text, entry=ids[ORG], grounds="wrong_content", statement="罚款金额应为1000元"
    )
    assert resp.status_code == 303, resp.text
    location = resp.headers["location"]
    oid = int(location.rsplit("/", 1)[1])
    page = client.get(location)
    assert "已提交，待推送/受理" in page.text
    assert "罚款金额应为1000元" in page.text
    assert "2026-06-16" in page.text  # pushed within 1 working day (令36)
    assert "staff" not in page.text
    home = client.get("/account")
    assert "异议处理中" in home.text
    assert f'href="/account/objections/{oid}"' in home.text
    public = client.get(f"/subjects/{ORG}")
    assert "异议处理中" in public.text
    assert "异议处理中" not in client.get(f"/subjects/{ORG2}").text
    # A second objection to the same record: refused on the form.
    resp = _post(client, form.text, entry=ids[ORG], grounds="other", statement="再次提出")
    assert resp.status_code == 409
    assert "不能重复提出" in resp.text

    step(platform, oid, "accept")
    step(
        platform,
        oid,
        "decide",
        outcome="correct",
        reason="经核查，罚款金额录入错误",
        corrections={"CF_NR": "罚款人民币1000元"},
    )
    listing = client.get("/account/objections")
    assert "更正" in listing.text
    assert "经核查，罚款金额录入错误" in listing.text
    public = client.get(f"/subjects/{ORG}")
    assert "异议处理中" not in public.text
    assert "更正公告" in public.text
    assert "罚款人民币1000元" in public.text
    assert "更正公告" in client.get("/account").text


def test_another_subjects_record_is_not_offered_nor_accepted(platform: Platform) -> None:
    ids = _setup(platform)
    client = _signed_in(platform)
    assert client.get("/account/objections/new", params={"entry": ids[ORG2]}).status_code == 404
    form = client.get("/account/objections/new", params={"entry": ids[ORG]})
    # ORG2's penalty is public: a subject may object to it only where the regime allows
    # the public to (令36 does not).
    resp = _post(client, form.text, entry=ids[ORG2], grounds="other", statement="有误")
    assert resp.status_code == 403
    assert _count(platform) == 0
    other = file(platform, ids[ORG2], uscc=ORG2)
    assert client.get(f"/account/objections/{other['id']}").status_code == 404
    assert re.search(r"本主体尚未提出异议", client.get("/account/objections").text)


def test_revoked_listing_leaves_a_notice_on_the_list_page(platform: Platform) -> None:
    add_department(platform, "gy", "court")
    row = {
        "被执行人名称": "西安市碑林区示例科技有限公司",
        "统一社会信用代码": ORG,
        "法定代表人": "张三",
        "执行法院": "西安市中级人民法院",
        "案号": "（2026）陕01执123号",
        "立案日期": "2026-03-02",
        "失信被执行人行为具体情形": "有履行能力而拒不履行生效法律文书确定义务",
        "发布日期": "2026-06-01",
    }
    platform.importer().import_bytes(
        csv_bytes([row]), filename="s.csv", department_code="gy", item_code="SXBZXR"
    )
    member = check(platform)["memberships"][0]
    client = _client(platform)
    list_type = member["list_type"]
    assert "异议处理中" not in client.get(f"/lists/{list_type}").text
    assert client.get(f"/api/v1/lists/{list_type}").json()["rows"][0].get("objection") is None
    o = file(platform, member["entry"], grounds="wrongly_listed", statement="已履行完毕")
    assert o["list_type"] == list_type
    # The row is marked on the public list page and in the API while the objection is open.
    listing = client.get(f"/lists/{list_type}")
    assert "异议处理中" in listing.text
    assert "正在核查" in listing.text
    [row] = client.get(f"/api/v1/lists/{list_type}").json()["rows"]
    assert row["objection"]["label"] == "异议处理中"
    assert row["objection"]["state_label"]
    assert "更正公告" not in listing.text
    step(platform, o["id"], "accept", department_code="gy")
    step(platform, o["id"], "decide", outcome="revoke", reason="已履行", department_code="gy")
    page = client.get(f"/lists/{list_type}")
    assert page.status_code == 200
    assert "更正公告" in page.text
    assert "予以撤销" in page.text
