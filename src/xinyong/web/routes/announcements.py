"""Announcements (通知公告): public reading (API and pages), publication and withdrawal by the
credit office."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from xinyong.bootstrap import Platform
from xinyong.portal import announcements as notices
from xinyong.web.deps import PUBLIC, Office, PlatformDep
from xinyong.web.schemas import portal as schemas
from xinyong.web.schemas.common import Id
from xinyong.web.schemas.common import errors as declared
from xinyong.web.templating import TEMPLATES

router = APIRouter(tags=["通知公告"])
PAGE = ["GET", "HEAD"]
PAGE_MAX = 10_000

PageNo = Annotated[int, Query(ge=1, le=PAGE_MAX, description="页码（从1开始）")]
Category = Annotated[
    str | None,
    Query(description="栏目：notice 通知公告、policy 政策文件、news 工作动态", max_length=16),
]


class AnnouncementIn(BaseModel):
    category: str = Field(
        description="栏目代码或名称（通知公告、政策文件、工作动态）", max_length=16
    )
    title: str = Field(description="标题", max_length=200)
    body: str = Field(description="正文（不得含自然人身份证号码）", max_length=20_000)


class WithdrawIn(BaseModel):
    reason: str = Field(description="撤回理由", max_length=1000)


def _page(platform: Platform, category: str | None, page: int) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return notices.published_page(
            conn,
            platform.catalogue,
            category=category,
            page=page,
            page_size=platform.settings.portal_page_size,
        )


@router.get(
    "/api/v1/announcements",
    summary="通知公告",
    response_model=schemas.Announcements,
    response_model_exclude_unset=True,
    dependencies=[PUBLIC],
    responses=declared(422),
)
def list_announcements(
    platform: PlatformDep, category: Category = None, page: PageNo = 1
) -> dict[str, Any]:
    """已发布的公告，新者在前，可按栏目筛选。公开信息，无需密钥。"""
    return _page(platform, category, page)


@router.get(
    "/api/v1/announcements/{announcement_id}",
    summary="公告详情",
    response_model=schemas.Announcement,
    response_model_exclude_unset=True,
    dependencies=[PUBLIC],
    responses=declared(404, 422),
)
def get_announcement(platform: PlatformDep, announcement_id: Id) -> dict[str, Any]:
    """一则已发布的公告；已撤回或不存在的为 404。"""
    with platform.engine.connect() as conn:
        return notices.get_published(conn, platform.catalogue, announcement_id)


@router.post(
    "/api/v1/announcements",
    status_code=201,
    summary="发布公告",
    response_model=schemas.AnnouncementInternal,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def publish_announcement(
    body: AnnouncementIn, platform: PlatformDep, who: Office
) -> dict[str, Any]:
    """信用办发布公告（立即公开）。含疑似身份证号码的文字不予发布。"""
    with platform.engine.begin() as conn:
        return notices.publish(
            conn,
            platform.catalogue,
            category=body.category,
            title=body.title,
            body=body.body,
            actor=who.actor,
            now=platform.clock.now(),
        )


@router.post(
    "/api/v1/announcements/{announcement_id}/withdraw",
    summary="撤回公告",
    response_model=schemas.AnnouncementInternal,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def withdraw_announcement(
    announcement_id: Id, body: WithdrawIn, platform: PlatformDep, who: Office
) -> dict[str, Any]:
    """信用办撤回已发布的公告（须说明理由），撤回后不再公开。"""
    with platform.engine.begin() as conn:
        return notices.withdraw(
            conn,
            platform.catalogue,
            announcement_id,
            reason=body.reason,
            actor=who.actor,
            now=platform.clock.now(),
        )


@router.api_route(
    "/announcements", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
)
def announcements_page(
    request: Request, platform: PlatformDep, category: Category = None, page: PageNo = 1
) -> HTMLResponse:
    data = _page(platform, category, page)
    return TEMPLATES.TemplateResponse(request, "announcements.html", {"d": data})


@router.api_route(
    "/announcements/{announcement_id}",
    methods=PAGE,
    response_class=HTMLResponse,
    include_in_schema=False,
)
def announcement_page(request: Request, platform: PlatformDep, announcement_id: Id) -> HTMLResponse:
    with platform.engine.connect() as conn:
        item = notices.get_published(conn, platform.catalogue, announcement_id)
    return TEMPLATES.TemplateResponse(request, "announcement.html", {"a": item})
