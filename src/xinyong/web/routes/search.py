"""Public search (/search page, GET /api/v1/search): by name, pinyin initials, full or
partial USCC and old registration number. Never finds a natural person; rate-limited per
client."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.bootstrap import Platform
from xinyong.kernel.errors import InputError
from xinyong.search import service as search
from xinyong.web.deps import PUBLIC, PlatformDep
from xinyong.web.ratelimit import RateLimiter
from xinyong.web.schemas import search as schemas
from xinyong.web.schemas.common import errors as declared
from xinyong.web.templating import TEMPLATES

router = APIRouter(tags=["信用档案"])
MAX_PAGE = 10_000


def _limiter(request: Request, platform: Platform) -> RateLimiter:
    limiter: RateLimiter | None = getattr(request.app.state, "search_limiter", None)
    if limiter is None:
        s = platform.settings
        limiter = RateLimiter(s.search_rate_per_minute, s.search_rate_burst)
        request.app.state.search_limiter = limiter
    return limiter


async def _rate_limit(request: Request, platform: PlatformDep) -> None:
    client = request.client.host if request.client is not None else "-"
    _limiter(request, platform).hit(client)


RATE_LIMITED = Depends(_rate_limit)

Q = Annotated[
    str,
    Query(min_length=1, max_length=200, description="名称、拼音首字母、统一社会信用代码或注册号"),
]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="页码，从 1 开始")]
Size = Annotated[
    int, Query(ge=1, le=500, description="每页条数（不超过 XINYONG_SEARCH_MAX_PAGE_SIZE）")
]


@router.get(
    "/api/v1/search",
    summary="主体查询",
    dependencies=[PUBLIC, RATE_LIMITED],
    response_model=schemas.SearchResults,
    response_model_exclude_unset=True,
    responses=declared(422, 429),
)
def search_api(platform: PlatformDep, q: Q, page: Page = 1, size: Size = 20) -> dict[str, Any]:
    """按名称（包含、相近）、拼音首字母（如 xajg）、统一社会信用代码（完整或部分，不区分大小写）
    或工商注册号查询法人及非法人组织、个体工商户；不含自然人。结果按代码完全一致、代码开头一致、
    名称完全一致、名称开头一致、包含、相近排序；代码完全一致的唯一主体在 exact 中给出。"""
    limits = search.Limits.from_settings(platform.settings)
    with platform.engine.connect() as conn:
        return search.search(conn, q, page=page, size=size, limits=limits).as_dict()


@router.api_route(
    "/search",
    methods=["GET", "HEAD"],
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[RATE_LIMITED],
)
def search_page(
    request: Request,
    platform: PlatformDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    limits = search.Limits.from_settings(platform.settings)
    context: dict[str, Any] = {"q": q, "result": None, "error": None}
    status = 200
    if q.strip():
        try:
            with platform.engine.connect() as conn:
                result = search.search(conn, q, page=page, size=20, limits=limits)
        except InputError as exc:
            context["error"], status = exc.message_zh, 400
        else:
            if result.exact is not None and page == 1:
                return RedirectResponse(f"/subjects/{result.exact}", status_code=303)
            context["result"] = result
    return TEMPLATES.TemplateResponse(request, "search.html", context, status_code=status)
