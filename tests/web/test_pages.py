"""The portal's frame and error pages: site name, 备案号 and contact from the settings, the
stylesheet served from this host with a long cache under a style-src 'self' policy, and a
Chinese page for each error status (API paths keep their JSON)."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from tests.conftest import TEST_KEY
from tests.helpers import error_detail
from xinyong.bootstrap import Platform
from xinyong.kernel.errors import PermissionDenied, Unauthenticated
from xinyong.kernel.settings import Settings
from xinyong.web.app import create_app
from xinyong.web.templating import STATIC_DIR, TEMPLATE_DIR, static_url

SITE = "陕西省信用信息公示平台"
ICP = "陕ICP备12345678号-2"
CONTACT = "省社会信用体系建设办公室 029-12345678"

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        secret_key=TEST_KEY,
        check_cache_refresh_ms=0,
        site_name=SITE,
        site_icp=ICP,
        site_contact=CONTACT,
    )


def _failing_app(platform: Platform) -> FastAPI:
    """The application with routes that fail as a console or a limited page would."""
    app = create_app(platform)

    @app.get("/test/login")
    def login() -> None:
        raise Unauthenticated("no session", "请先登录")

    @app.get("/test/forbidden")
    def forbidden() -> None:
        raise PermissionDenied("office only", "仅信用办可以查看该页面")

    @app.get("/test/limited")
    @app.get("/api/v1/test/limited")
    def limited() -> None:
        raise HTTPException(429, "slow down", headers={"Retry-After": "30"})

    @app.get("/test/broken")
    @app.get("/api/v1/test/broken")
    def broken() -> None:
        raise RuntimeError("secret table subjects_gone at /srv/xinyong/app.py line 12")

    return app


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(_failing_app(platform), raise_server_exceptions=False)


def _html(resp: object, status: int) -> str:
    assert resp.status_code == status, resp.text  # type: ignore[attr-defined]
    assert resp.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    text: str = resp.text  # type: ignore[attr-defined]
    assert '"detail"' not in text
    return text


def test_the_frame_shows_the_configured_site(client: TestClient) -> None:
    page = _html(client.get("/"), 200)
    assert f"<title>首页 · {SITE}</title>" in page
    assert re.search(rf'<a class="site-name" href="/">{SITE}</a>', page)
    footer = page.split('<footer class="site-footer">', 1)[1]
    assert f"联系方式：{CONTACT}" in footer
    assert f'<a href="https://beian.miit.gov.cn/" rel="noopener noreferrer">{ICP}</a>' in footer
    assert '<a href="/docs">' in footer
    # The home page has its own search box; every other page has the header's.
    assert page.count('type="search"') == 1
    other = _html(client.get("/no/such/page"), 404)
    assert SITE in other
    assert ICP in other


def test_without_settings_the_footer_has_no_filing_number(platform: Platform) -> None:
    # The defaults: the site's generic name, no 备案号 and no contact line.
    platform.settings = Settings(data_dir=platform.settings.data_dir, secret_key=TEST_KEY)
    page = _html(TestClient(create_app(platform)).get("/"), 200)
    assert "<title>首页 · 信用信息公示平台</title>" in page
    assert "beian.miit.gov.cn" not in page
    assert "联系方式" not in page


def test_the_stylesheet_is_a_cached_file_of_this_host(client: TestClient) -> None:
    page = _html(client.get("/"), 200)
    href = static_url("portal.css")
    assert f'<link rel="stylesheet" href="{href}">' in page
    digest = hashlib.sha256((STATIC_DIR / "portal.css").read_bytes()).hexdigest()[:12]
    assert href == f"/static/portal.css?v={digest}"
    css = client.get(href)
    assert css.status_code == 200
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "@media (max-width: 640px)" in css.text
    assert client.get("/static/no-such.css").status_code == 404


def test_portal_pages_allow_styles_from_this_host_only(client: TestClient) -> None:
    for url in ("/", "/no/such/page", "/test/broken"):
        headers = client.get(url).headers
        assert "style-src 'self';" in headers["content-security-policy"], url
        assert headers["x-content-type-options"] == "nosniff", url
        assert headers["x-frame-options"] == "DENY", url
    # An unexpected error is answered outside the middleware and brings the headers itself.
    assert client.get("/test/broken").headers["cache-control"] == "no-store"
    # Swagger UI and ReDoc write their styles inline: there, and only there, it is allowed.
    for url in ("/docs", "/redoc"):
        csp = client.get(url).headers["content-security-policy"]
        assert "style-src 'self' 'unsafe-inline'" in csp, url
    # So no portal template may carry a style of its own.
    for template in TEMPLATE_DIR.glob("*.html"):
        source = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.DOTALL)
        assert "<style" not in source, template.name
        assert not re.search(r"\sstyle=", source), template.name
        assert not re.search(r"<script(?![^>]*\ssrc=)", source), template.name


def test_not_found_page_has_a_search_box_and_links(client: TestClient) -> None:
    page = _html(client.get("/subjects/91610000MA6T0000XX"), 404)
    assert "<h1>未找到</h1>" in page
    main = page.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    assert '<form class="search large" method="get" action="/search" role="search">' in main
    assert '<a href="/">返回首页</a>' in main
    # Its one search box is the page's own (none in the header).
    assert page.count('type="search"') == 1


def test_unauthenticated_and_forbidden_pages(client: TestClient) -> None:
    login = _html(client.get("/test/login"), 401)
    assert "<h1>需要授权</h1>" in login
    assert "请先登录" in login
    assert "平台签发的账号或密钥" in login
    assert CONTACT in login.split("<main", 1)[1]
    forbidden = _html(client.get("/test/forbidden"), 403)
    assert "<h1>无权访问</h1>" in forbidden
    assert "仅信用办可以查看该页面" in forbidden
    assert "请联系本单位的平台管理员" in forbidden


def test_too_many_requests_page_and_api(client: TestClient) -> None:
    resp = client.get("/test/limited")
    page = _html(resp, 429)
    assert "<h1>访问过于频繁</h1>" in page
    assert "请在 30 秒后再试" in page
    assert resp.headers["retry-after"] == "30"
    api = client.get("/api/v1/test/limited")
    assert api.status_code == 429
    assert api.headers["retry-after"] == "30"
    assert error_detail(api)["code"] == "rate_limited"
    assert error_detail(api)["message"] == "访问过于频繁"


def test_server_error_page_names_the_request_and_nothing_else(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="xinyong.web")
    resp = client.get("/test/broken")
    page = _html(resp, 500)
    request_id = resp.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", request_id)
    assert "<h1>系统内部错误</h1>" in page
    assert f'请求编号：<span class="request-id">{request_id}</span>' in page
    assert CONTACT in page.split("<main", 1)[1]
    for leak in ("Traceback", "RuntimeError", "subjects_gone", "/srv/xinyong", "line 12"):
        assert leak not in page, leak
    logged = [r.getMessage() for r in caplog.records if r.name == "xinyong.web"]
    assert any(m.endswith(f"[request {request_id}]") for m in logged), logged
    # Each failure has its own number.
    assert client.get("/test/broken").headers["x-request-id"] != request_id

    api = client.get("/api/v1/test/broken")
    assert api.status_code == 500
    detail = error_detail(api)
    assert detail["code"] == "internal_error"
    assert api.headers["x-request-id"] in detail["message"]
    assert "subjects_gone" not in api.text
