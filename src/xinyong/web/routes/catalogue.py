"""The catalogue viewer (目录): items, code tables, list types, measures, publication policies
and the working-day calendar, as public pages and public JSON. Law as data: no key, nothing
personal. Shaping is ``catalog.views`` / ``catalog.calendar_view``; list types reuse
``lists.casework.list_type_info`` (the JSON of ``/api/v1/list-types``)."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse

from xinyong.bootstrap import Platform
from xinyong.catalog import calendar_view, views
from xinyong.catalog.model import ListType
from xinyong.lists import casework
from xinyong.web.deps import PUBLIC, PlatformDep
from xinyong.web.schemas import catalogue as schemas
from xinyong.web.schemas.common import errors as declared
from xinyong.web.templating import TEMPLATES

router = APIRouter(tags=["目录"])
PAGE = ["GET", "HEAD"]

Code = Annotated[str, PathParam(max_length=48, pattern=r"^[A-Za-z0-9_-]+$", description="代码")]
# The calendar's years are four digits; a year outside those loaded is a 404.
Year = Annotated[int, PathParam(ge=1900, le=2999, description="年份，如 2027")]


def _page(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, f"catalogue/{name}.html", context)


def _sector_name(platform: Platform, code: str) -> str:
    sectors = platform.catalogue.sectors
    return sectors[code].name if code in sectors else code


def _list_type(platform: Platform, lt: ListType) -> dict[str, Any]:
    info = casework.list_type_info(lt, _sector_name(platform, lt.sector))
    # The catalogue shows every basis with its evidence label and a text line.
    info["legal_basis"] = views.bases(lt.legal_basis)
    if lt.early_exit is not None:
        info["early_exit"]["legal_basis"] = views.bases(lt.early_exit.legal_basis)
    if lt.extension is not None:
        info["extension"] = {
            "conditions": lt.extension.conditions,
            "min_months": lt.extension.min_months,
            "max_months": lt.extension.max_months,
            "legal_basis": views.bases(lt.extension.legal_basis),
        }
    return info


# -- JSON -----------------------------------------------------------------------------------


@router.get(
    "/api/v1/catalogue/code-tables",
    summary="代码表",
    dependencies=[PUBLIC],
    response_model=schemas.CodeTables,
    response_model_exclude_unset=True,
)
def code_tables_api(platform: PlatformDep) -> dict[str, Any]:
    """目录使用的全部代码表：代码、名称、版本、依据及每个代码值（含别名和有效期）。公开信息，无需密钥。"""
    cat = platform.catalogue
    return {
        "version": cat.snapshot.version,
        "code_tables": [views.code_table_detail(cat, t.code) for t in cat.code_tables()],
    }


@router.get(
    "/api/v1/catalogue/measures",
    summary="惩戒、激励和管理措施",
    dependencies=[PUBLIC],
    response_model=schemas.Measures,
    response_model_exclude_unset=True,
)
def measures_api(platform: PlatformDep) -> dict[str, Any]:
    """全部措施的最新版本：类别、实施部门、内容、触发条件（名单或信用记录）、应用场景、期限、法律依据（含核实程度）。公开信息，无需密钥。"""
    return {
        "version": platform.sanctions.snapshot.version,
        "measures": [
            views.measure_version(platform.catalogue, platform.sanctions, m)
            for m in platform.sanctions.measures()
        ],
    }


@router.get(
    "/api/v1/calendar/{year}",
    summary="法定工作日历（一年）",
    dependencies=[PUBLIC],
    response_model=schemas.CalendarYear,
    response_model_exclude_unset=True,
    responses=declared(404, 422),
)
def calendar_api(platform: PlatformDep, year: Year) -> dict[str, Any]:
    """一年的放假、调休上班日，正式（国务院已公布）或暂定（依放假办法推算，注明原因和可能调整的日期范围），按月排列。公开信息，无需密钥。"""
    return calendar_view.year_detail(platform.calendar, year)


# -- pages ----------------------------------------------------------------------------------


@router.api_route("/catalogue", methods=PAGE, response_class=HTMLResponse, include_in_schema=False)
def index(request: Request, platform: PlatformDep) -> HTMLResponse:
    cal = platform.calendar
    return _page(
        request,
        "index",
        {
            "version": platform.catalogue.snapshot.version,
            "counts": {
                "items": len(platform.catalogue.items()),
                "code_tables": len(platform.catalogue.code_tables()),
                "list_types": len(platform.sanctions.list_types()),
                "measures": len(platform.sanctions.measures()),
                "policies": len(platform.catalogue.policies()),
                "years": len(cal.years),
            },
            "provisional": sorted(cal.provisional_years),
        },
    )


@router.api_route(
    "/catalogue/items", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
)
def items_page(request: Request, platform: PlatformDep) -> HTMLResponse:
    return _page(request, "items", {"items": views.items(platform.catalogue)})


@router.api_route(
    "/catalogue/items/{code}", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
)
def item_page(request: Request, platform: PlatformDep, code: Code) -> HTMLResponse:
    d = views.item_detail(platform.catalogue, platform.sanctions, code)
    return _page(request, "item", {"d": d})


@router.api_route(
    "/catalogue/code-tables", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
)
def code_tables_page(request: Request, platform: PlatformDep) -> HTMLResponse:
    return _page(request, "code_tables", {"tables": views.code_tables(platform.catalogue)})


@router.api_route(
    "/catalogue/code-tables/{code}",
    methods=PAGE,
    response_class=HTMLResponse,
    include_in_schema=False,
)
def code_table_page(request: Request, platform: PlatformDep, code: Code) -> HTMLResponse:
    return _page(request, "code_table", {"t": views.code_table_detail(platform.catalogue, code)})


@router.api_route(
    "/catalogue/list-types", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
)
def list_types_page(request: Request, platform: PlatformDep) -> HTMLResponse:
    today = platform.clock.today()
    rows = [
        {**_list_type(platform, lt), "in_force": lt.in_force(today)}
        for lt in platform.sanctions.list_types()
    ]
    return _page(request, "list_types", {"rows": rows, "today": today.isoformat()})


@router.api_route(
    "/catalogue/list-types/{code}",
    methods=PAGE,
    response_class=HTMLResponse,
    include_in_schema=False,
)
def list_type_page(request: Request, platform: PlatformDep, code: Code) -> HTMLResponse:
    sanctions = platform.sanctions
    lt = sanctions.list_type(code)  # NotFound for an unknown code: the 404 page
    return _page(
        request,
        "list_type",
        {
            "lt": _list_type(platform, lt),
            "versions": views.list_type_versions(sanctions, code),
            "measures": views.list_type_measures(sanctions, code),
        },
    )


@router.api_route(
    "/catalogue/measures", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
)
def measures_page(request: Request, platform: PlatformDep) -> HTMLResponse:
    return _page(request, "measures", {"measures": views.measures(platform.sanctions)})


@router.api_route(
    "/catalogue/measures/{code}", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
)
def measure_page(request: Request, platform: PlatformDep, code: Code) -> HTMLResponse:
    d = views.measure_detail(platform.catalogue, platform.sanctions, code)
    return _page(request, "measure", {"d": d})


@router.api_route(
    "/catalogue/policies", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
)
def policies_page(request: Request, platform: PlatformDep) -> HTMLResponse:
    return _page(request, "policies", {"policies": views.policies(platform.catalogue)})


@router.api_route(
    "/catalogue/calendar", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
)
def calendar_page(request: Request, platform: PlatformDep) -> HTMLResponse:
    return _page(request, "calendar", {"years": calendar_view.years(platform.calendar)})


@router.api_route(
    "/catalogue/calendar/{year}",
    methods=PAGE,
    response_class=HTMLResponse,
    include_in_schema=False,
)
def calendar_year_page(request: Request, platform: PlatformDep, year: Year) -> HTMLResponse:
    return _page(
        request, "calendar_year", {"y": calendar_view.year_detail(platform.calendar, year)}
    )
