"""The API documentation pages, Swagger UI (/docs) and ReDoc (/redoc), served offline.

Their scripts and styles are vendored from npm under ``static/vendor/`` (see its README)
and served by the application: nothing on these pages comes from another host (the
Content-Security-Policy of ``web/security.py`` allows this host only).
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import base64
import functools
import hashlib
import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from xinyong.web.schemas.common import ERRORS
from xinyong.web.templating import STATIC_DIR, STATIC_URL, CachedStaticFiles

SWAGGER = f"{STATIC_URL}/vendor/swagger-ui-dist-5.35.0"
REDOC = f"{STATIC_URL}/vendor/redoc-2.5.2"
# The two pages, whose vendored scripts write styles inline (web/security.py allows it here).
PAGES = ("/docs", "/redoc")
# ReDoc's sidebar footer loads its logo from the vendor's CDN, with no option to turn it off.
# The vendored file stays as published (its hash is in the README); the page gets it with
# that one address replaced by an empty image, so it makes no request to another host.
REDOC_JS_URL = "/redoc/redoc.standalone.js"
_REDOC_FILE = STATIC_DIR / "vendor" / "redoc-2.5.2" / "redoc.standalone.js"
_REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_EMPTY_IMAGE = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


def install(app: FastAPI) -> None:
    """Serve ``static/`` (with a long cache, see ``web/templating.py``) and the two
    documentation pages (GET and HEAD)."""
    app.mount(STATIC_URL, CachedStaticFiles(directory=STATIC_DIR), name="static")
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for item in schema.get("paths", {}).values():
                for op in item.values():
                    responses = op.get("responses", {})
                    # FastAPI's one English default: the description of every success.
                    for response in responses.values():
                        if response.get("description") == "Successful Response":
                            response["description"] = "成功"
                    # The guard of web/security.py bounds every body (413).
                    if "requestBody" in op:
                        responses.setdefault("413", _declared_error(413))
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]

    @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return swagger_page(app)

    @app.api_route("/redoc", methods=["GET", "HEAD"], include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return redoc_page(app)

    @app.api_route(REDOC_JS_URL, methods=["GET", "HEAD"], include_in_schema=False)
    async def redoc_script() -> Response:
        return Response(_redoc_bundle(), media_type="text/javascript")


@functools.cache
def _redoc_bundle() -> bytes:
    return _REDOC_FILE.read_bytes().replace(_REDOC_LOGO, _EMPTY_IMAGE)


def _declared_error(status: int) -> dict[str, Any]:
    """An error response in the document's own form (as FastAPI writes a ``responses=``)."""
    return {
        "description": ERRORS[status]["description"],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
    }


def _in_chinese(page: HTMLResponse) -> HTMLResponse:
    """The page with its language declared (FastAPI writes a bare ``<html>``)."""
    body = bytes(page.body).replace(b"<html>", b'<html lang="zh-CN">', 1)
    return HTMLResponse(body, status_code=page.status_code)


def swagger_page(app: FastAPI) -> HTMLResponse:
    openapi_url = app.openapi_url or "/openapi.json"
    return _in_chinese(
        get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} · 接口文档",
            swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png",
            # The default validator badge would call validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
        )
    )


def redoc_page(app: FastAPI) -> HTMLResponse:
    return _in_chinese(
        get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} · 接口文档（ReDoc）",
            redoc_js_url=REDOC_JS_URL,
            redoc_favicon_url=f"{SWAGGER}/favicon-32x32.png",
            with_google_fonts=False,
        )
    )


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def inline_script_hashes(app: FastAPI) -> list[str]:
    """CSP hashes ('sha256-…') of the inline start-up scripts of the two pages: the policy
    allows exactly these and no other inline script."""
    out = []
    for page in (swagger_page(app), redoc_page(app)):
        for script in _INLINE_SCRIPT.findall(bytes(page.body).decode()):
            digest = hashlib.sha256(script.encode()).digest()
            out.append("sha256-" + base64.b64encode(digest).decode())
    return out
