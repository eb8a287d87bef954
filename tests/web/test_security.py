"""The transport guards of web/security.py: key before body, bounded bodies, headers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import ORG, add_department, csv_bytes, penalty
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.web.app import create_app
from xinyong.web.docs import REDOC_JS_URL, SWAGGER


def _call(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], chunks: int):
    """Drive the ASGI app by hand: ``chunks`` body chunks of 1 MiB are on offer; returns the
    status, the response headers and how many chunks the server pulled."""
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= chunks:
            return {"type": "http.disconnect"}
        pulled += 1
        return {"type": "http.request", "body": b"x" * 1024 * 1024, "more_body": pulled < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"item=XZCF",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), pulled, body


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_big_upload_without_a_key_is_refused_before_its_body_is_read(
    platform: Platform,
) -> None:
    app = create_app(platform)
    headers = [
        (b"content-type", b"multipart/form-data; boundary=x"),
        (b"content-length", str(200 * 1024 * 1024).encode()),
    ]
    status, _, pulled, body = _call(app, "POST", "/api/v1/imports", headers, chunks=200)
    assert status == 401
    assert pulled == 0
    assert json.loads(body)["detail"]["code"] == "unauthenticated"


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
@pytest.mark.parametrize("path", ["/api/v1/imports", "/api/v1/checks"])
@pytest.mark.parametrize("kind", ["invalid", "revoked"])
def test_a_big_body_with_a_bad_key_is_refused_before_its_body_is_read(
    platform: Platform, path: str, kind: str
) -> None:
    # FastAPI parses a body before it resolves the key dependency: without the guard the
    # whole body would be pulled in before the 401.
    key = add_department(platform) if kind == "revoked" else "not-a-key"
    if kind == "revoked":
        with platform.engine.begin() as conn:
            client_id = access.authenticate(conn, key).client_id
            access.revoke_key(conn, client_id, actor="test", now=platform.clock.now())
    app = create_app(platform)
    declared = [(b"content-length", str(200 * 1024 * 1024).encode())]
    for length in (declared, [(b"transfer-encoding", b"chunked")]):
        headers = [(b"content-type", b"multipart/form-data; boundary=x"), *length]
        headers.append((b"x-api-key", key.encode()))
        status, answer_headers, pulled, body = _call(app, "POST", path, headers, chunks=200)
        assert status == 401
        assert pulled == 0
        detail = json.loads(body)["detail"]
        assert detail["code"] == "unauthenticated"
        assert "请求体未读取" in detail["message"]
        assert answer_headers[b"www-authenticate"] == b"ApiKey"
        assert answer_headers[b"cache-control"] == b"no-store"


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
@pytest.mark.parametrize("role", ["office", "auditor"])
def test_an_upload_by_a_role_that_may_not_import_is_refused_before_its_body_is_read(
    platform: Platform, role: str
) -> None:
    with platform.engine.begin() as conn:
        key = access.issue_key(conn, role, role, None, platform.clock.now())
    app = create_app(platform)
    headers = [
        (b"content-type", b"multipart/form-data; boundary=x"),
        (b"content-length", str(200 * 1024 * 1024).encode()),
        (b"x-api-key", key.encode()),
    ]
    status, _, pulled, body = _call(app, "POST", "/api/v1/imports", headers, chunks=200)
    assert status == 403
    assert pulled == 0
    detail = json.loads(body)["detail"]
    assert detail["code"] == "permission_denied"
    assert "请求体未读取" in detail["message"]
    # The same key may still send the small bodies its role allows (a check).
    checked = TestClient(app).post(
        "/api/v1/checks",
        json={"subject": ORG, "scenario": "bidding"},
        headers={"X-API-Key": key},
    )
    assert checked.status_code == 200, checked.text


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_valid_key_passes_the_guard_to_the_route(platform: Platform) -> None:
    key = add_department(platform)
    app = create_app(platform)
    headers = [
        (b"x-api-key", key.encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(1024 * 1024).encode()),
    ]
    status, _, pulled, body = _call(app, "POST", "/api/v1/checks", headers, chunks=1)
    # The route read the body (not JSON) and refused it: a 422 from the route, not a 401.
    assert status == 422
    assert pulled == 1
    assert json.loads(body)["detail"]["code"] == "validation_error"


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_declared_body_over_the_limit_is_refused_at_once(platform: Platform) -> None:
    key = add_department(platform)
    app = create_app(platform)
    big = platform.settings.max_json_body_bytes + 1
    headers = [
        (b"x-api-key", key.encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(big).encode()),
    ]
    status, _, pulled, body = _call(app, "POST", "/api/v1/checks", headers, chunks=2)
    assert status == 413
    assert pulled == 0
    detail = json.loads(body)["detail"]
    assert detail["code"] == "body_too_large"
    assert "请求体超过上限" in detail["message"]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_chunked_body_is_cut_off_when_it_passes_the_limit(platform: Platform) -> None:
    key = add_department(platform)
    app = create_app(platform)
    limit_mib = platform.settings.max_json_body_bytes // (1024 * 1024)
    headers = [(b"x-api-key", key.encode()), (b"content-type", b"application/json")]
    status, _, pulled, _ = _call(app, "POST", "/api/v1/checks", headers, chunks=50)
    assert status == 413
    assert pulled <= limit_mib + 1  # stopped reading at the limit, not at the end


def test_every_response_carries_the_security_headers(platform: Platform) -> None:
    key = add_department(platform)
    client = TestClient(create_app(platform))
    keyed = {"X-API-Key": key}
    answers = {
        "page": client.get("/"),
        "page HEAD": client.head("/"),
        "subject page": client.get(f"/subjects/{ORG}"),
        "bad page request": client.get("/", params={"q": "x" * 201}),
        "missing page": client.get("/no-such-page"),
        "docs": client.get("/docs"),
        "redoc": client.get("/redoc"),
        "redoc script": client.get(REDOC_JS_URL),
        "static asset": client.get(f"{SWAGGER}/swagger-ui.css"),
        "openapi": client.get("/openapi.json"),
        "health": client.get("/healthz"),
        "public api": client.get("/api/v1/catalogue/items"),
        "public api, keyed": client.get(f"/api/v1/subjects/{ORG}/file", headers=keyed),
        "keyed api": client.get("/api/v1/scenarios", headers=keyed),
        "keyed write": client.post("/api/v1/checks", json={"subject": ORG}, headers=keyed),
        "keyed 404": client.get("/api/v1/batches/99", params={"purpose": "核查"}, headers=keyed),
        "keyed 422": client.get("/api/v1/batches/0", headers=keyed),
        "missing api": client.get("/api/v1/no-such-thing"),
        "too large": client.post(
            "/api/v1/checks",
            content=b"x" * (platform.settings.max_json_body_bytes + 1),
            headers=keyed,
        ),
        "refused": client.post(
            "/api/v1/imports",
            params={"item": "XZCF"},
            files={"file": ("p.csv", csv_bytes([penalty()]), "text/csv")},
        ),
        "bad key": client.get("/api/v1/alerts", headers={"X-API-Key": "nope"}),
    }
    for name, resp in answers.items():
        h = resp.headers
        assert h["x-frame-options"] == "DENY", name
        assert h["x-content-type-options"] == "nosniff", name
        assert h["referrer-policy"] == "no-referrer", name
        csp = h["content-security-policy"]
        assert "default-src 'self'" in csp, name
        assert "frame-ancestors 'none'" in csp, name
        assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0], name
    # Whatever answers a key (data, errors) is not kept by a proxy or a browser.
    for name, resp in answers.items():
        if name.startswith(("keyed", "public api, keyed", "too large", "bad key")):
            assert resp.headers["cache-control"] == "no-store", name
    assert "no-store" not in answers["public api"].headers.get("cache-control", "")
    statuses = {name: resp.status_code for name, resp in answers.items()}
    assert statuses["refused"] == statuses["bad key"] == 401
    assert statuses["too large"] == 413
    assert statuses["keyed 404"] == statuses["missing api"] == statuses["missing page"] == 404
    assert statuses["keyed 422"] == 422
    assert statuses["bad page request"] == 400


def test_an_import_within_the_limit_still_goes_through(platform: Platform) -> None:
    key = add_department(platform)
    client = TestClient(create_app(platform))
    resp = client.post(
        "/api/v1/imports",
        params={"item": "XZCF"},
        files={"file": ("p.csv", csv_bytes([penalty()]), "text/csv")},
        headers={"X-API-Key": key},
    )
    assert resp.status_code == 201, resp.text
