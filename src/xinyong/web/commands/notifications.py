"""The outbox feed and the in-app messages from the command line: ``xinyong events list``,
``xinyong messages list``, ``xinyong messages read``."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from xinyong.kernel.errors import XinyongError
from xinyong.notifications.rules import FEED_DEFAULT_LIMIT
from xinyong.web.commands.common import _fail, _platform, operator_actor

events_app = typer.Typer(help="领域事件流（与 GET /api/v1/events 相同）", no_args_is_help=True)
messages_app = typer.Typer(help="站内消息（部门、信用办）", no_args_is_help=True)

DepartmentOpt = Annotated[
    str | None, typer.Option("--department", help="部门代码（不填为信用办的消息）")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON")]


@events_app.command("list")
def events_list(
    after: Annotated[int, typer.Option("--after", help="从此事件号之后开始（不含）")] = 0,
    limit: Annotated[int, typer.Option("--limit", help="条数")] = FEED_DEFAULT_LIMIT,
    department: Annotated[
        str | None, typer.Option("--department", help="只看该部门可见的事件")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """列出事件号 after 之后的领域事件（按事件号升序）。"""
    from xinyong.notifications import service as notifications

    platform = _platform()
    try:
        with platform.engine.connect() as conn:
            page = notifications.feed(
                conn, platform.catalogue, after=after, limit=limit, department=department
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(page, ensure_ascii=False))
        return
    for ev in page["events"]:
        typer.echo(_event_line(ev))
    more = f"，下一页：--after {page['next_after']}" if page["more"] else ""
    typer.echo(f"共 {len(page['events'])} 条{more}")


def _event_line(ev: dict[str, Any]) -> str:
    subject = (ev["subject"] or {}).get("code") or ""
    case = f" 办件 {ev['case']['id']}" if ev["case"] else ""
    return f"#{ev['id']} {ev['at_beijing']} {ev['type_label']}（{ev['type']}）{subject}{case}"


def _recipient(department: str | None) -> tuple[str, str]:
    from xinyong.notifications import service as notifications

    return notifications.recipient_of("department" if department else "office", department or None)


@messages_app.command("list")
def messages_list(
    department: DepartmentOpt = None,
    unread: Annotated[bool, typer.Option("--unread", help="只看未读")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="条数")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """列出信用办（或 --department 部门）的站内消息，最新在前。"""
    from xinyong.notifications import service as notifications

    platform = _platform()
    kind, recipient = _recipient(department)
    with platform.engine.connect() as conn:
        page = notifications.list_messages(
            conn, platform.catalogue, kind, recipient, unread_only=unread, limit=limit
        )
    if as_json:
        typer.echo(json.dumps(page, ensure_ascii=False))
        return
    for msg in page["messages"]:
        flag = "　" if msg["read"] else "●"
        typer.echo(f"{flag} #{msg['id']} {msg['created_at_beijing']} {msg['body']}")
    typer.echo(f"共 {page['total']} 条，未读 {page['unread']} 条")


@messages_app.command("read")
def messages_read(
    message_id: Annotated[int, typer.Argument(help="消息号", min=1)],
    department: DepartmentOpt = None,
) -> None:
    """将一条消息标为已读。"""
    from xinyong.notifications import service as notifications

    platform = _platform()
    kind, recipient = _recipient(department)
    try:
        with platform.engine.begin() as conn:
            notifications.mark_read(
                conn,
                message_id,
                kind,
                recipient,
                reader=operator_actor(),
                now=platform.clock.now(),
            )
    except XinyongError as exc:
        _fail(exc)
    typer.echo(f"消息 {message_id} 已标为已读")
