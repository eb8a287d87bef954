"""The API documentation pages, Swagger UI (/docs) and ReDoc (/redoc), served offline.

Their scripts and styles are vendored from npm under ``static/vendor/`` (see its README)
and served by the application: nothing on these pages comes from another host.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/static"
SWAGGER = f"{STATIC_URL}/vendor/swagger-ui-dist-5.35.0"
REDOC = f"{STATIC_URL}/vendor/redoc-2.5.2"


def install(app: FastAPI) -> None:
    """Serve ``static/`` and the two documentation pages (GET and HEAD)."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="static")
    openapi_url = app.openapi_url or "/openapi.json"
    build = app.openapi

    def openapi() -> dict[str, Any]:
        # FastAPI's one English default: the description of every success response.
        if app.openapi_schema is None:
            schema = build()
            for item in schema.get("paths", {}).values():
                for op in item.values():
                    for response in op.get("responses", {}).values():
                        if response.get("description") == "Successful Response":
                            response["description"] = "成功"
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]

    @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} · 接口文档",
            swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png",
            # The default validator badge would call validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
        )

    @app.api_route("/redoc", methods=["GET", "HEAD"], include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} · 接口文档（ReDoc）",
            redoc_js_url=f"{REDOC}/redoc.standalone.js",
            redoc_favicon_url=f"{SWAGGER}/favicon-32x32.png",
            with_google_fonts=False,
        )
