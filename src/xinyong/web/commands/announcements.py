"""``xinyong announcements``: publish, list and withdraw the portal's announcements."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from xinyong.kernel.errors import XinyongError
from xinyong.web.commands.common import _fail, _platform, operator_actor

app = typer.Typer(help="通知公告：发布、列出、撤回（门户“通知公告”栏目）。", no_args_is_help=True)

BODY_FILE_MAX = 200_000  # bytes; the body itself is at most 20,000 characters


def _print(a: dict[str, Any]) -> None:
    state = f"[{a['state_name']}] " if "state_name" in a else ""
    typer.echo(f"#{a['id']} {state}{a['category']['name']}｜{a['title']}（{a['published_on']}）")


@app.command("add")
def add_cmd(
    category: Annotated[str, typer.Option("--category", help="栏目：通知公告、政策文件、工作动态")],
    title: Annotated[str, typer.Option("--title", help="标题")],
    body_file: Annotated[
        Path, typer.Option("--body-file", help="正文文件（UTF-8 文本，段落以空行或换行分隔）")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """发布公告（立即在门户公开）。正文不得含自然人身份证号码。"""
    from xinyong.portal import announcements as notices

    platform = _platform()  # a broken catalogue or setting is named before anything else
    try:
        raw = body_file.read_bytes()[: BODY_FILE_MAX + 1]
    except OSError:
        typer.echo(f"无法读取正文文件：{body_file}", err=True)
        raise typer.Exit(2) from None
    if len(raw) > BODY_FILE_MAX:
        typer.echo(f"正文文件过大（最多 {BODY_FILE_MAX} 字节）", err=True)
        raise typer.Exit(2)
    try:
        body = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        typer.echo("正文文件须为 UTF-8 编码", err=True)
        raise typer.Exit(2) from None
    try:
        with platform.engine.begin() as conn:
            item = notices.publish(
                conn,
                platform.catalogue,
                category=category,
                title=title,
                body=body,
                actor=operator_actor(),
                now=platform.clock.now(),
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(item, ensure_ascii=False))
        return
    _print(item)
    typer.echo("已发布。")


@app.command("list")
def list_cmd(
    include_withdrawn: Annotated[
        bool, typer.Option("--all", help="含已撤回的（显示状态与经办人）")
    ] = False,
    page: Annotated[int, typer.Option("--page", min=1, max=10_000)] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """列出公告，新者在前。"""
    from xinyong.portal import announcements as notices

    platform = _platform()
    size = platform.settings.portal_page_size
    with platform.engine.connect() as conn:
        data = (
            notices.all_page(conn, platform.catalogue, page=page, page_size=size)
            if include_withdrawn
            else notices.published_page(
                conn, platform.catalogue, category=None, page=page, page_size=size
            )
        )
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    for a in data["announcements"]:
        _print(a)
    typer.echo(f"共 {data['total']} 条，第 {data['page']}/{data['pages']} 页")


@app.command("withdraw")
def withdraw_cmd(
    announcement_id: Annotated[int, typer.Argument(help="公告编号", min=1, max=2**63 - 1)],
    reason: Annotated[str, typer.Option("--reason", help="撤回理由")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """撤回已发布的公告（须说明理由）。"""
    from xinyong.portal import announcements as notices

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            item = notices.withdraw(
                conn,
                platform.catalogue,
                announcement_id,
                reason=reason,
                actor=operator_actor(),
                now=platform.clock.now(),
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(item, ensure_ascii=False))
        return
    _print(item)
    typer.echo("已撤回。")
