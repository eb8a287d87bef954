"""Re-establishment warnings (易地开张)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from xinyong.kernel.errors import XinyongError
from xinyong.web.commands.common import PurposeOpt, _fail, _platform, audit_read, operator_actor

app = typer.Typer(help="易地开张预警", no_args_is_help=True)


def _line(a: dict[str, Any]) -> str:
    return (
        f"#{a['id']} [{a['status_label']}] {a['kind_label']} {a['created_at'][:10]}：{a['summary']}"
    )


@app.command("list")
def list_cmd(
    status: Annotated[
        str, typer.Option("--status", help="open（默认）、acknowledged、dismissed 或 all")
    ] = "open",
    kind: Annotated[
        str | None, typer.Option("--kind", help="预警类型，如 re_establishment")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多显示条数")] = 100,
    purpose: PurposeOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """列出预警（默认待处理），最新在前。须说明查询用途。"""
    from xinyong.alerts import service as alerts

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            audit_read(conn, platform, "read_alerts", "alerts", purpose)
            page = alerts.list_alerts(
                conn, status=None if status == "all" else status, kind=kind, limit=limit
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(page, ensure_ascii=False, default=str))
        return
    for a in page["alerts"]:
        typer.echo(_line(a))
        if a["note"]:
            typer.echo(f"    处理说明（{a['handled_by']}）：{a['note']}")
    typer.echo(f"共 {page['total']} 条" + ("" if status == "all" else f"（{status}）"))


@app.command("scan")
def scan_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """全量排查：名单在主体导入之后才公布的情形也能发现；已预警过的不重复预警。"""
    from xinyong.alerts import service as alerts

    platform = _platform()
    with platform.engine.begin() as conn:
        created = alerts.scan(
            conn,
            today=platform.clock.today(),
            now=platform.clock.now(),
            sanctions=platform.sanctions,
        )
    if as_json:
        typer.echo(json.dumps({"created": created}, ensure_ascii=False, default=str))
        return
    for a in created:
        typer.echo(_line(a))
    typer.echo(f"新增预警 {len(created)} 条")


def _handle(alert_id: int, action: str, note: str, by: str) -> None:
    from xinyong.alerts import service as alerts

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            a = alerts.handle(
                conn,
                alert_id,
                action,
                actor=f"cli:{by}" if by else operator_actor(),
                note=note,
                now=platform.clock.now(),
            )
    except XinyongError as exc:
        _fail(exc)
    typer.echo(_line(a))


@app.command("ack")
def ack_cmd(
    alert_id: Annotated[int, typer.Argument(help="预警编号")],
    note: Annotated[str, typer.Option("--note", help="处理说明")] = "",
    by: Annotated[
        str, typer.Option("--by", help="经办人（记入审计；默认 xinyong --operator）")
    ] = "",
) -> None:
    """确认预警（已核实、跟进处理）。"""
    _handle(alert_id, "acknowledge", note, by)


@app.command("dismiss")
def dismiss_cmd(
    alert_id: Annotated[int, typer.Argument(help="预警编号")],
    note: Annotated[str, typer.Option("--note", help="排除理由（必填）")] = "",
    by: Annotated[
        str, typer.Option("--by", help="经办人（记入审计；默认 xinyong --operator）")
    ] = "",
) -> None:
    """排除预警（经核实不属于易地开张），须说明理由。"""
    _handle(alert_id, "dismiss", note, by)
