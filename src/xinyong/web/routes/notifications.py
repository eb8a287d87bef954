"""The outbox feed other systems read, and the staff callers' in-app messages."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, Query

from xinyong.notifications import service as notifications
from xinyong.notifications.rules import FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT
from xinyong.web.deps import DepartmentOrOffice, PlatformDep, Reader
from xinyong.web.schemas import notifications as schemas
from xinyong.web.schemas.common import MAX_ID
from xinyong.web.schemas.common import errors as declared

router = APIRouter(tags=["事件与消息"])

MESSAGES_MAX = 200


@router.get(
    "/api/v1/events",
    summary="领域事件流",
    response_model=schemas.Feed,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def list_events(
    platform: PlatformDep,
    who: Reader,
    after: Annotated[
        int, Query(description="从此事件号之后开始（不含），首次取 0", ge=0, le=MAX_ID)
    ] = 0,
    limit: Annotated[
        int, Query(description=f"每页条数（1 至 {FEED_MAX_LIMIT}）", ge=1, le=FEED_MAX_LIMIT)
    ] = FEED_DEFAULT_LIMIT,
) -> dict[str, Any]:
    """办件每一步、期限与超期、名单公示与移出、批次入库、记录撤销等事件，按事件号升序。信用办与审计看到全部；部门业务系统只看到本部门的办件、本部门报送的记录、以及本部门办件所涉主体的事件。自然人只显示脱敏证件号码。"""
    department = who.department_code if who.role == "department" else None
    with platform.engine.connect() as conn:
        return notifications.feed(
            conn, platform.catalogue, after=after, limit=limit, department=department
        )


@router.get(
    "/api/v1/messages",
    summary="站内消息",
    response_model=schemas.MessageList,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def list_messages(
    platform: PlatformDep,
    who: DepartmentOrOffice,
    unread: Annotated[bool, Query(description="只看未读")] = False,
    limit: Annotated[int, Query(description="每页条数", ge=1, le=MESSAGES_MAX)] = 50,
    offset: Annotated[int, Query(description="跳过条数", ge=0, le=MAX_ID)] = 0,
) -> dict[str, Any]:
    """本部门（部门业务系统）或信用办收到的站内消息，最新在前：新分派的办件、超期办件。"""
    kind, recipient = notifications.recipient_of(who.role, who.department_code)
    with platform.engine.connect() as conn:
        return notifications.list_messages(
            conn,
            platform.catalogue,
            kind,
            recipient,
            unread_only=unread,
            limit=limit,
            offset=offset,
        )
