"""The portal's 双随机、一公开 page (/inspections): published plans, each draw's commitment
(published before the draw), then its seed, the public record to download and how to verify
it with ``xinyong verify-draw``, the drawn subjects and their results, and (first page) the
summary of results per item and year (一公开: counts only). Pages only (not in the
API document); the same data as GET /api/v1/inspections/published."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from xinyong.inspections import service as insp
from xinyong.web.deps import PlatformDep
from xinyong.web.templating import TEMPLATES

PAGE = ["GET", "HEAD"]
PAGE_SIZE = 10
router = APIRouter(include_in_schema=False)


@router.api_route("/inspections", methods=PAGE, response_class=HTMLResponse)
def inspections_page(
    request: Request,
    platform: PlatformDep,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        deps = platform.inspection_deps()
        plans = insp.published(conn, deps, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        summary = insp.public_summary(conn, deps) if page == 1 else []
    return TEMPLATES.TemplateResponse(
        request,
        "inspections.html",
        {
            "plans": plans[:PAGE_SIZE],
            "page": page,
            "has_next": len(plans) > PAGE_SIZE,
            "summary": summary,
        },
    )
