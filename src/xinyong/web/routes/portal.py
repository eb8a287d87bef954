"""The public portal (信用中国 style): 双公示 columns, public lists and typical cases, as pages
and as public JSON. No key: everything here is what the public credit file shows today, never
a natural person."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse

from xinyong.bootstrap import Platform
from xinyong.identity.divisions import default_divisions
from xinyong.objections import service as objections
from xinyong.portal import repository as portal_repo
from xinyong.portal import service as portal
from xinyong.portal.rules import PUBLICITY_ITEMS, PUBLICITY_TITLES
from xinyong.reports import service as reports
from xinyong.web.deps import PUBLIC, PlatformDep
from xinyong.web.schemas import portal as schemas
from xinyong.web.schemas.common import Id
from xinyong.web.schemas.common import errors as declared
from xinyong.web.templating import TEMPLATES

router = APIRouter(tags=["信用公示"])
PAGE = ["GET", "HEAD"]
# The deepest page a listing serves: further is refused (422), not scanned.
PAGE_MAX = 10_000

PageNo = Annotated[int, Query(ge=1, le=PAGE_MAX, description="页码（从1开始）")]
Department = Annotated[
    str | None,
    Query(description="决定机关（报送部门代码）", max_length=64, pattern=r"^[A-Za-z0-9_.-]*$"),
]
Region = Annotated[
    str | None,
    Query(
        description="地区：6位行政区划代码（GB/T 2260），如 610100 西安市", pattern=r"^(\d{6})?$"
    ),
]
DecidedFrom = Annotated[dt.date | None, Query(description="决定日期起（含），YYYY-MM-DD")]
DecidedTo = Annotated[dt.date | None, Query(description="决定日期止（含），YYYY-MM-DD")]
ListCode = Annotated[
    str, PathParam(max_length=48, pattern=r"^[A-Za-z0-9_]+$", description="名单类型代码")
]


def _publicity(
    platform: Platform,
    column: str,
    department: str | None,
    region: str | None,
    decided_from: dt.date | None,
    decided_to: dt.date | None,
    page: int,
) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return portal.publicity_page(
            conn,
            platform.catalogue,
            default_divisions(),
            column,
            day=platform.clock.today(),
            department=department,
            region=region,
            decided_from=decided_from,
            decided_to=decided_to,
            page=page,
            page_size=platform.settings.portal_page_size,
        )


def _publicity_api(column: str) -> Any:
    def answer(
        platform: PlatformDep,
        department: Department = None,
        region: Region = None,
        decided_from: DecidedFrom = None,
        decided_to: DecidedTo = None,
        page: PageNo = 1,
    ) -> dict[str, Any]:
        return _publicity(platform, column, department, region, decided_from, decided_to, page)

    answer.__doc__ = (
        f"{PUBLICITY_TITLES[column]}：今日在公示期内的记录（每条记录取最新版本，已撤销的不显示），"
        "不含自然人；可按决定机关、地区、决定日期筛选，决定日期新者在前。公开信息，无需密钥。"
    )
    return answer


def _publicity_page(column: str) -> Any:
    def page_view(
        request: Request,
        platform: PlatformDep,
        department: Department = None,
        region: Region = None,
        decided_from: DecidedFrom = None,
        decided_to: DecidedTo = None,
        page: PageNo = 1,
    ) -> HTMLResponse:
        data = _publicity(platform, column, department, region, decided_from, decided_to, page)
        with platform.engine.connect() as conn:
            options = portal_repo.department_options(conn)
        return TEMPLATES.TemplateResponse(
            request,
            "publicity.html",
            {"p": data, "departments": options, "query": _query(request)},
        )

    return page_view


def _query(request: Request) -> str:
    """The request's filters without its page, for the paging links."""
    from urllib.parse import urlencode

    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "page" and v]
    return urlencode(kept)


for _column in PUBLICITY_ITEMS:
    router.add_api_route(
        f"/api/v1/publicity/{_column}",
        _publicity_api(_column),
        methods=["GET"],
        summary=PUBLICITY_TITLES[_column],
        dependencies=[PUBLIC],
        response_model=schemas.Publicity,
        response_model_exclude_unset=True,
        responses=declared(422),
    )
    router.add_api_route(
        f"/publicity/{_column}",
        _publicity_page(_column),
        methods=PAGE,
        response_class=HTMLResponse,
        include_in_schema=False,
    )


# -- lists ----------------------------------------------------------------------------------


def _list_types(platform: Platform) -> dict[str, Any]:
    day = platform.clock.today()
    return {
        "as_of": day.isoformat(),
        "list_types": [
            portal.list_type_view(lt)
            for lt in portal.public_list_types(platform.catalogue, platform.sanctions, day)
        ],
    }


def _members(platform: Platform, code: str, page: int) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return portal.list_page(
            conn,
            platform.catalogue,
            platform.sanctions,
            code,
            day=platform.clock.today(),
            page=page,
            page_size=platform.settings.portal_page_size,
        )


@router.get(
    "/api/v1/lists",
    summary="公开的名单",
    dependencies=[PUBLIC],
    response_model=schemas.PublicListTypes,
    response_model_exclude_unset=True,
)
def public_lists(platform: PlatformDep) -> dict[str, Any]:
    """向社会公开的名单类型（红名单、严重失信主体名单、经营异常名录等），含认定机关和法律依据。
    名单类型的全部规则见 /api/v1/list-types。公开信息，无需密钥。"""
    return _list_types(platform)


@router.get(
    "/api/v1/lists/{code}",
    summary="名单在列主体",
    dependencies=[PUBLIC],
    response_model=schemas.ListMembers,
    response_model_exclude_unset=True,
    responses=declared(404, 422),
)
def list_members(platform: PlatformDep, code: ListCode, page: PageNo = 1) -> dict[str, Any]:
    """今日在列且向社会公开的主体：列入事由、法律依据、认定机关、列入期限；不含自然人。公开信息，无需密钥。"""
    return _members(platform, code, page)


@router.api_route("/lists", methods=PAGE, response_class=HTMLResponse, include_in_schema=False)
def lists_index(request: Request, platform: PlatformDep) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "lists.html", {"d": _list_types(platform)})


@router.api_route(
    "/lists/{code}", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
)
def list_page(
    request: Request, platform: PlatformDep, code: ListCode, page: PageNo = 1
) -> HTMLResponse:
    data = _members(platform, code, page)
    with platform.engine.connect() as conn:
        data["correction_notices"] = objections.list_correction_notices(
            conn, data["list_type"]["code"]
        )
    return TEMPLATES.TemplateResponse(request, "list.html", {"d": data})


# -- typical cases --------------------------------------------------------------------------


@router.api_route(
    "/typical-cases", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
)
def typical_cases_page(request: Request, platform: PlatformDep, page: PageNo = 1) -> HTMLResponse:
    size = platform.settings.portal_page_size
    with platform.engine.connect() as conn:
        # One more than a page: whether there is a next page, without a count.
        items = reports.list_typical_cases(
            conn, platform.sanctions, internal=False, limit=size + 1, offset=(page - 1) * size
        )
    return TEMPLATES.TemplateResponse(
        request,
        "typical_cases.html",
        {"items": items[:size], "page": page, "has_next": len(items) > size},
    )


@router.api_route(
    "/typical-cases/{case_id}", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
)
def typical_case_page(request: Request, platform: PlatformDep, case_id: Id) -> HTMLResponse:
    with platform.engine.connect() as conn:
        case = reports.get_published_typical_case(conn, platform.sanctions, case_id)
    return TEMPLATES.TemplateResponse(request, "typical_case.html", {"c": case})
