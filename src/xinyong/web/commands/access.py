"""Departments and API keys: ``xinyong department add|list``, ``xinyong key issue|list|revoke``.

Every write is in the audit log under the operator (``xinyong --operator``, default the OS
user). A key is printed once, when issued; listings show its prefix only.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import typer

from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import XinyongError
from xinyong.web.commands.common import AsJson, _fail, _platform, operator_actor

department_app = typer.Typer(help="报送部门", no_args_is_help=True)
key_app = typer.Typer(help="API 密钥", no_args_is_help=True)


def _beijing(moment: dt.datetime | None) -> str:
    """Beijing time to the second, for people."""
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(CHINA_TZ).isoformat(timespec="seconds") if moment else None


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False))


@department_app.command("add")
def department_add(
    code: str,
    name: str,
    sector: Annotated[str, typer.Option("--sector", help="行业领域代码，如 market_regulation")],
    uscc: Annotated[str | None, typer.Option("--uscc")] = None,
    issue_key: Annotated[bool, typer.Option("--key/--no-key", help="同时签发 API 密钥")] = True,
) -> None:
    """登记报送部门（并签发其业务系统的 API 密钥）。"""
    from xinyong.access import service as access

    platform = _platform()
    if sector not in platform.catalogue.sectors:
        _fail(
            XinyongError(
                f"unknown sector {sector}",
                f"未知行业领域“{sector}”，可选：{'、'.join(platform.catalogue.sectors)}",
            )
        )
    actor = operator_actor()
    try:
        with platform.engine.begin() as conn:
            now = platform.clock.now()
            access.add_department(conn, code, name, sector, uscc, now, actor=actor)
            key = (
                access.issue_key(conn, f"{name}业务系统", "department", code, now, actor=actor)
                if issue_key
                else None
            )
    except XinyongError as exc:
        _fail(exc)
    typer.echo(f"已登记部门 {code}（{name}）")
    if key:
        typer.echo(f"API 密钥（只显示一次）：{key}")


@department_app.command("list")
def department_list(as_json: AsJson = False) -> None:
    """列出报送部门：代码、名称、行业领域、有效与已停用的密钥数。"""
    from xinyong.access import service as access

    platform = _platform()
    with platform.engine.connect() as conn:
        rows = access.departments(conn)
    sectors = platform.catalogue.sectors
    out = [
        {
            "code": r["code"],
            "name": r["name"],
            "sector": r["sector"],
            "sector_label": sectors[r["sector"]].name if r["sector"] in sectors else r["sector"],
            "uscc": r["uscc"],
            "created_at": _iso(r["created_at"]),
            "active_keys": int(r["active_keys"]),
            "revoked_keys": int(r["revoked_keys"]),
        }
        for r in rows
    ]
    if as_json:
        _echo_json({"departments": out})
        return
    for d in out:
        typer.echo(
            f"{d['code']:<12} {d['name']}  行业领域：{d['sector_label']}  "
            f"有效密钥 {d['active_keys']} 个，已停用 {d['revoked_keys']} 个"
        )
    typer.echo(f"共 {len(out)} 个部门")


@key_app.command("issue")
def key_issue(
    name: str,
    role: Annotated[str, typer.Option("--role", help="department / office / auditor")],
    department: Annotated[str | None, typer.Option("--department")] = None,
    as_json: AsJson = False,
) -> None:
    """签发 API 密钥（密钥只显示这一次，平台只保存其哈希）。"""
    from xinyong.access import service as access

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            key = access.issue_key(
                conn, name, role, department, platform.clock.now(), actor=operator_actor()
            )
            client = access.authenticate(conn, key)
    except XinyongError as exc:
        _fail(exc, as_json)
    label = access.ROLE_LABELS[role]
    if as_json:
        _echo_json(
            {
                "id": client.client_id,
                "name": name,
                "role": role,
                "role_label": label,
                "department": department,
                "key": key,
            }
        )
        return
    typer.echo(f"已签发密钥 {client.client_id}：{name}（角色：{label}）")
    typer.echo(f"API 密钥（只显示一次）：{key}")


@key_app.command("list")
def key_list(
    department: Annotated[str | None, typer.Option("--department", help="只列此部门的密钥")] = None,
    as_json: AsJson = False,
) -> None:
    """列出 API 密钥：编号、名称、角色、所属部门、密钥前缀、签发与停用时间（北京时间）。"""
    from xinyong.access import service as access

    platform = _platform()
    with platform.engine.connect() as conn:
        rows = access.keys(conn, department)
    out = [
        {
            "id": r["id"],
            "name": r["name"],
            "role": r["role"],
            "role_label": r["role_label"],
            "department": r["department_code"],
            "department_name": r["department_name"],
            "key_prefix": r["key_prefix"],
            "created_at": _iso(r["created_at"]),
            "revoked": bool(r["revoked"]),
            "revoked_at": _iso(r["revoked_at"]),
        }
        for r in rows
    ]
    if as_json:
        _echo_json({"keys": out})
        return
    for r, k in zip(rows, out, strict=True):
        dept = f"{k['department_name']}（{k['department']}）" if k["department"] else "—"
        state = "有效"
        if k["revoked"]:  # keys revoked before revocation times were kept have none
            state = f"已停用（{_beijing(r['revoked_at'])}）" if r["revoked_at"] else "已停用"
        typer.echo(
            f"{k['id']:>4}  {k['name']}  {k['role_label']}  部门：{dept}  "
            f"前缀 {k['key_prefix']}…  签发 {_beijing(r['created_at'])}  {state}"
        )
    typer.echo(f"共 {len(out)} 个密钥")


@key_app.command("revoke")
def key_revoke(
    client_id: Annotated[int, typer.Argument(help="密钥编号（见 xinyong key list）")],
    as_json: AsJson = False,
) -> None:
    """停用 API 密钥。各服务进程最迟在 XINYONG_API_KEY_CACHE_SECONDS 秒内拒绝该密钥。"""
    from xinyong.access import service as access

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            client = access.revoke_key(
                conn, client_id, actor=operator_actor(), now=platform.clock.now()
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    platform.principal_cache.forget_client(client_id)  # this process refuses it at once
    delay = platform.settings.api_key_cache_seconds
    if as_json:
        _echo_json(
            {
                "id": client_id,
                "name": client["name"],
                "revoked": True,
                "revoked_at": _iso(client["revoked_at"]),
                "effective_within_seconds": max(delay, 0),
            }
        )
        return
    typer.echo(f"已停用 API 密钥 {client_id}（{client['name']}）")
    if delay > 0:
        typer.echo(
            f"运行中的服务进程最迟 {delay:g} 秒内拒绝该密钥（XINYONG_API_KEY_CACHE_SECONDS）"
        )


@key_app.command("rotate-secret")
def key_rotate_secret(as_json: AsJson = False) -> None:
    """个人信息主密钥轮换：用当前密钥（XINYONG_SECRET_KEY，版本 XINYONG_SECRET_KEY_VERSION）
    重新加密主体的证件信息和退回记录，并登记自然人在新密钥下的标识（同一人仍为同一主体）。
    旧密钥须暂列于 XINYONG_PREVIOUS_SECRET_KEYS，完成后可移除。可重复执行。"""
    from xinyong.access import service as access
    from xinyong.identity.service import rekey_persons
    from xinyong.ingest.rejections import reseal_rejections

    platform = _platform()
    vault, now = platform.vault, platform.clock.now()
    try:
        # One transaction: a failure (an old seal whose key is not configured) changes nothing.
        with platform.engine.begin() as conn:
            renewed, aliases = rekey_persons(conn, vault, now)
            rejections = reseal_rejections(conn, vault)
            access.audit(
                conn,
                operator_actor(),
                "rotate_secret",
                f"key_version:{vault.version}",
                now,
                purpose="个人信息主密钥轮换",
                detail={"subjects": renewed, "aliases": aliases, "rejected_rows": rejections},
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json(
            {
                "key_version": vault.version,
                "subjects_resealed": renewed,
                "aliases_added": aliases,
                "rejected_rows_resealed": rejections,
            }
        )
        return
    typer.echo(
        f"已完成密钥轮换（当前版本 {vault.version}）：重新加密主体 {renewed} 个，"
        f"登记新标识 {aliases} 个，重新加密退回记录 {rejections} 行。"
    )
    if len(vault.versions) > 1:
        typer.echo("现可从 XINYONG_PREVIOUS_SECRET_KEYS 中移除旧密钥（请离线存档，见运维文档）。")
