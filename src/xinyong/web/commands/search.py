"""The public search from the command line: ``xinyong search QUERY``, ``xinyong search
reindex``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from xinyong.kernel.errors import XinyongError
from xinyong.web.commands.common import _fail, _platform

REINDEX = "reindex"


def search_cmd(
    query: Annotated[
        str,
        typer.Argument(
            help="名称、拼音首字母、统一社会信用代码或注册号；reindex 重建查询索引",
            show_default=False,
        ),
    ],
    page: Annotated[int, typer.Option("--page", min=1, help="页码")] = 1,
    size: Annotated[int, typer.Option("--size", min=1, help="每页条数")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """公开查询（与网站 /search 相同，不含自然人）；xinyong search reindex 由主体和账本重建索引。"""
    from xinyong.search import service as search

    platform = _platform()
    if query == REINDEX:
        with platform.engine.begin() as conn:
            n = search.reindex(conn, platform.catalogue, now=platform.clock.now())
        typer.echo(json.dumps({"indexed": n}) if as_json else f"查询索引已重建：{n} 个主体")
        return
    try:
        with platform.engine.connect() as conn:
            result = search.search(
                conn,
                query,
                page=page,
                size=size,
                limits=search.Limits.from_settings(platform.settings),
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    if not result.total:
        typer.echo("没有找到匹配的主体（自然人信息不向社会公开）")
        return
    more = "+" if result.capped else ""
    typer.echo(f"共 {result.total}{more} 个主体，第 {result.page}/{result.pages} 页")
    for h in result.hits:
        typer.echo(f"{h['code']}  {h['name']}  [{h['kind']['label']}，{h['match']['label']}]")
