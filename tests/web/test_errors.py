"""One error handler: statuses from the error classes, one shape, no echo of personal values,
Chinese error pages for pages, 500s that say nothing and log the English detail."""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.helpers import (
    ORG,
    add_department,
    csv_bytes,
    error_detail,
    listing_details,
    penalty,
    resident_id,
)
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.web.app import create_app

GOOD_ID = resident_id("610102", "19900307", "441")
# Malformed resident ID numbers: a wrong check character, one digit short or long, a letter
# inside, full-width digits, spaces. None of them may come back in any answer.
BAD_IDS = [
    GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1"),
    GOOD_ID[:-1],
    GOOD_ID + "7",
    GOOD_ID[:10] + "A" + GOOD_ID[11:],
    "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in GOOD_ID[:-1]) + "0",
    f"{GOOD_ID[:6]} {GOOD_ID[6:14]} {GOOD_ID[14:-1]}0",
]


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform), raise_server_exceptions=False)


@pytest.fixture
def keys(platform: Platform) -> dict[str, str]:
    out = {"scjg": add_department(platform), "qxscjg": add_department(platform, "qxscjg")}
    with platform.engine.begin() as conn:
        out["office"] = access.issue_key(conn, "信用办", "office", None, platform.clock.now())
    result = platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    assert result.accepted == 1
    return out


def _h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def _requests(bad: str, keys: dict[str, str]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every route that takes a subject or another identifier, with ``bad`` in it."""
    scjg, office = _h(keys["scjg"]), _h(keys["office"])
    scenario = "government_procurement"
    return [
        (
            "POST",
            "/api/v1/checks",
            {"json": {"subject": bad, "scenario": scenario}, "headers": scjg},
        ),
        ("POST", "/api/v1/checks", {"json": {"name": bad, "scenario": scenario}, "headers": scjg}),
        ("POST", "/api/v1/checks", {"json": {"subject": bad, "scenario": bad}, "headers": scjg}),
        (
            "POST",
            "/api/v1/list-cases",
            {"json": {"list_type": "BAN_FOOD_LIFE", "subject": bad}, "headers": scjg},
        ),
        (
            "POST",
            "/api/v1/list-cases",
            {"json": {"list_type": bad, "subject": bad}, "headers": scjg},
        ),
        (
            "POST",
            "/api/v1/revocations",
            {
                "json": {"item": "XZCF", "subject": bad, "record": bad, "reason": "报送有误"},
                "headers": scjg,
            },
        ),
        (
            "POST",
            "/api/v1/revocations",
            {
                "json": {"item": "XZCF", "subject": ORG, "record": bad, "reason": "报送有误"},
                "headers": scjg,
            },
        ),
        ("GET", f"/api/v1/subjects/{bad}/file", {}),
        (
            "GET",
            f"/api/v1/subjects/{bad}/file",
            {"params": {"view": "internal"}, "headers": office},
        ),
        (
            "POST",
            "/api/v1/typical-cases",
            {
                "json": {
                    "title": "某案",
                    "summary": f"当事人身份证号码{bad}",
                    "category": "惩戒",
                    "measures": ["M11"],
                    "department": "scjg",
                    "subject": bad,
                },
                "headers": office,
            },
        ),
        (
            "POST",
            f"/api/v1/checks/{bad}/feedback",
            {"json": {"measure": "M11", "applied": True}, "headers": scjg},
        ),
        ("GET", "/api/v1/list-cases", {"params": {"department": bad}, "headers": scjg}),
        ("GET", "/api/v1/list-cases", {"params": {"list_type": bad}, "headers": office}),
        ("GET", f"/subjects/{bad}", {}),
        ("GET", f"/api/v1/{bad}", {}),
    ]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_malformed_id_number_is_never_echoed(
    client: TestClient, keys: dict[str, str], bad: str
) -> None:
    # As typed, without its spaces, and folded to ASCII digits (as a service would read it).
    forms = {bad, bad.replace(" ", ""), unicodedata.normalize("NFKC", bad).replace(" ", "")}
    for method, url, kwargs in _requests(bad, keys):
        resp = client.request(method, url, **kwargs)
        where = f"{method} {url}"
        assert 400 <= resp.status_code < 500, (where, resp.status_code, resp.text)
        assert not [f for f in forms if f in resp.text], (where, resp.text)
        if url.startswith("/api/"):
            error_detail(resp)
        else:
            assert resp.headers["content-type"].startswith("text/html"), where
            assert "<html" in resp.text


def test_a_number_for_a_text_field_is_refused_without_its_value(
    client: TestClient, keys: dict[str, str]
) -> None:
    resp = client.post(
        "/api/v1/checks",
        json={"subject": int(GOOD_ID[:-1] + "0"), "scenario": "government_procurement"},
        headers=_h(keys["scjg"]),
    )
    assert resp.status_code == 422
    detail = error_detail(resp)
    assert GOOD_ID[:-1] not in resp.text
    assert detail["code"] == "validation_error"
    assert detail["message"] == "请求体字段 subject：应为文本"
    assert detail["message_en"] == "body.subject: must be a string"
    assert detail["fields"] == [
        {
            "location": "body",
            "field": "subject",
            "reason": "应为文本",
            "reason_en": "must be a string",
            "type": "string_type",
        }
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "/api/v1/batches/99999999999999999999999",
            "路径参数 batch_id：应不大于 9223372036854775807",
        ),
        ("/api/v1/batches/0", "路径参数 batch_id：应不小于 1"),
        (
            "/api/v1/list-cases/9223372036854775808",
            "路径参数 case_id：应不大于 9223372036854775807",
        ),
        (
            "/api/v1/alerts?offset=9223372036854775808",
            "查询参数 offset：应不大于 9223372036854775807",
        ),
        ("/api/v1/list-cases?page=99999999999", "查询参数 page：应不大于 1000000"),
        ("/api/v1/typical-cases?offset=-1", "查询参数 offset：应不小于 0"),
        ("/api/v1/subjects/X/file?as_of=2026-02-30", "查询参数 as_of：应为日期（YYYY-MM-DD）"),
    ],
)
def test_numbers_out_of_range_are_422_not_500(
    client: TestClient, keys: dict[str, str], url: str, message: str
) -> None:
    resp = client.get(url, headers=_h(keys["office"]))
    assert resp.status_code == 422, resp.text
    assert message in error_detail(resp)["message"]


def test_a_conflict_is_409_everywhere(
    client: TestClient, keys: dict[str, str], platform: Platform
) -> None:
    scjg, office = _h(keys["scjg"]), _h(keys["office"])
    case = client.post(
        "/api/v1/list-cases", json={"list_type": "SAMR_SERIOUS", "subject": ORG}, headers=scjg
    ).json()
    codes = []
    # A duplicate case.
    again = client.post(
        "/api/v1/list-cases", json={"list_type": "SAMR_SERIOUS", "subject": ORG}, headers=scjg
    )
    codes.append((again.status_code, error_detail(again)["code"]))
    # A step the current state does not allow.
    step = f"/api/v1/list-cases/{case['id']}/transitions"
    early = client.post(step, json={"name": "publish"}, headers=office)
    codes.append((early.status_code, error_detail(early)["code"]))
    # A case that moved on since the caller read it.
    assert client.post(step, json={"name": "notify"}, headers=scjg).status_code == 200
    stale = client.post(
        step,
        json={"name": "list", "version": case["version"], **listing_details("list")},
        headers=scjg,
    )
    codes.append((stale.status_code, error_detail(stale)["code"]))
    # A typical case published twice.
    typical = client.post(
        "/api/v1/typical-cases",
        json={
            "title": "典型案例",
            "summary": "某公司因销售不合格食品被列入严重违法失信名单。",
            "category": "惩戒",
            "measures": ["M11"],
            "department": "scjg",
        },
        headers=office,
    )
    assert typical.status_code == 201, typical.text
    publish = f"/api/v1/typical-cases/{typical.json()['id']}/publish"
    assert client.post(publish, headers=office).status_code == 200
    twice = client.post(publish, headers=office)
    codes.append((twice.status_code, error_detail(twice)["code"]))
    assert codes == [
        (409, "duplicate_case"),
        (409, "invalid_transition"),
        (409, "version_conflict"),
        (409, "case_state"),
    ]


def test_keys_and_roles(client: TestClient, keys: dict[str, str]) -> None:
    missing = client.get("/api/v1/alerts", params={"purpose": "核查"})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "ApiKey"
    assert error_detail(missing)["code"] == "unauthenticated"
    assert "X-API-Key" in error_detail(missing)["message"]
    wrong = client.get("/api/v1/alerts", params={"purpose": "核查"}, headers=_h("xy_not_a_key"))
    assert (wrong.status_code, error_detail(wrong)["code"]) == (401, "unauthenticated")
    department = client.get("/api/v1/alerts", params={"purpose": "核查"}, headers=_h(keys["scjg"]))
    assert department.status_code == 403
    assert error_detail(department)["message"] == "当前角色无权执行此操作，仅限：信用办、审计"
    other = client.get(
        "/api/v1/list-cases", params={"department": "qxscjg"}, headers=_h(keys["scjg"])
    )
    assert other.status_code == 403
    assert "只能查看本部门的办件" in error_detail(other)["message"]


def test_unknown_api_paths_and_methods_keep_the_shape(client: TestClient) -> None:
    resp = client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404
    assert error_detail(resp) == {
        "code": "not_found",
        "message": "请求的页面或接口不存在",
        "message_en": "Not Found",
    }
    resp = client.delete("/api/v1/list-types")
    assert resp.status_code == 405
    assert error_detail(resp)["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/api/v1/checks", "application/json", b'{"subject": "\xff\xfe"}'),
        (
            "/api/v1/imports?item=XZCF",
            "multipart/form-data; boundary=x",
            b"--x\r\nbad header line\r\n\r\n",
        ),
    ],
)
def test_a_body_that_cannot_be_parsed_is_a_422_like_invalid_json(
    client: TestClient, keys: dict[str, str], path: str, content_type: str, body: bytes
) -> None:
    headers = {**_h(keys["scjg"]), "Content-Type": content_type}
    resp = client.post(path, content=body, headers=headers)
    assert resp.status_code == 422, resp.text
    detail = error_detail(resp)
    assert detail["code"] == "validation_error"
    assert [f["type"] for f in detail["fields"]] == ["body_unparsable"]
    assert detail["message"].startswith("请求体：无法解析")


def _page(resp: Any, status: int, *texts: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("text/html")
    assert "信用信息公示" in resp.text  # the site's own frame (base.html)
    for t in texts:
        assert t in resp.text, t
    assert '"detail"' not in resp.text


def test_pages_get_chinese_error_pages(client: TestClient, keys: dict[str, str]) -> None:
    _page(client.get("/subjects/91610000MA6T0000XX"), 404, "未找到", "返回首页")
    _page(client.get("/no/such/page"), 404, "未找到", "请求的页面或接口不存在")
    _page(
        client.get(f"/subjects/{ORG}", params={"as_of": "2026-13-01"}),
        400,
        "请求有误",
        "请求参数有误：查询参数 as_of：应为日期（YYYY-MM-DD）",
    )
    _page(client.get("/", params={"q": "x" * 201}), 400, "过长（最多 200 个字符）")
    _page(client.post("/"), 405, "不支持该请求方式")
    assert client.get(f"/subjects/{ORG}").status_code == 200


def test_pages_answer_head(client: TestClient, keys: dict[str, str]) -> None:
    for url in ("/", f"/subjects/{ORG}", "/docs", "/redoc"):
        get, head = client.get(url), client.head(url)
        assert (get.status_code, head.status_code) == (200, 200), url
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.content == b""
    assert client.head("/subjects/91610000MA6T0000XX").status_code == 404


def test_an_unexpected_error_is_a_chinese_500_and_logged_in_english(
    client: TestClient,
    keys: dict[str, str],
    platform: Platform,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A real failure: the tables the home page and the inbox read are gone (renamed, and
    # renamed back: the PostgreSQL database serves the worker's later tests).
    def rename(pairs: list[tuple[str, str]]) -> None:
        with platform.engine.begin() as conn:
            for old, new in pairs:
                conn.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))

    gone = [("subjects", "subjects_gone"), ("cases", "cases_gone")]
    rename(gone)
    try:
        caplog.set_level(logging.ERROR, logger="xinyong.web")
        page = client.get("/")
        api = client.get(
            "/api/v1/list-cases", params={"purpose": "办理"}, headers=_h(keys["office"])
        )
    finally:
        rename([(new, old) for old, new in gone])
    _page(page, 500, "系统内部错误")
    assert "subjects" not in page.text  # no SQL or table names for the reader
    assert api.status_code == 500
    assert error_detail(api)["code"] == "internal_error"
    assert "cases" not in api.text
    logged = [r.getMessage() for r in caplog.records if r.name == "xinyong.web"]
    assert any(m.startswith("unhandled OperationalError on GET /:") for m in logged) or any(
        m.startswith("unhandled ProgrammingError on GET /:") for m in logged
    ), logged
    assert any("GET /api/v1/list-cases" in m for m in logged), logged
