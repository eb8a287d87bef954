"""Subject accounts: ``xinyong subject-account issue|list|disable|enable``.

``issue`` prints the one-time activation code once (only its hash is kept); the credit office
hands it to the organisation (letter, counter). Every change is in the audit log under the
operator (``xinyong --operator``).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from xinyong.kernel.clock import beijing_time
from xinyong.kernel.errors import XinyongError
from xinyong.web.commands.common import AsJson, _fail, _platform, operator_actor

app = typer.Typer(help="主体账户（市场主体查阅本主体信用信息）", no_args_is_help=True)

Uscc = Annotated[str, typer.Argument(help="统一社会信用代码")]


@app.command("issue")
def issue(
    uscc: Uscc,
    expires_days: Annotated[
        int | None,
        typer.Option(
            "--expires-days",
            min=1,
            max=365,
            help="激活码有效天数，默认 XINYONG_SUBJECT_CODE_DAYS（14）",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """为平台已有记录的组织签发一次性激活码（只显示这一次；此前未用的激活码作废）。"""
    from xinyong.selfservice import accounts

    platform = _platform()
    days = expires_days or platform.settings.subject_code_days
    try:
        with platform.engine.begin() as conn:
            issued = accounts.issue_code(
                conn, uscc=uscc, days=days, now=platform.clock.now(), actor=operator_actor()
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        out = {
            "uscc": issued.uscc,
            "name": issued.name,
            "code": issued.code,
            "expires_at": issued.expires_at.isoformat(),
        }
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    typer.echo(f"主体：{issued.uscc} {issued.name}")
    typer.echo(f"激活码（只显示这一次）：{issued.code}")
    typer.echo(f"有效期至：{beijing_time(issued.expires_at)}（{days} 天），只能使用一次")
    typer.echo("激活地址：/account/activate")


@app.command("list")
def list_accounts(as_json: AsJson = False) -> None:
    """列出主体账户：统一社会信用代码、状态、锁定、未用激活码数。"""
    from xinyong.selfservice import accounts

    platform = _platform()
    now = platform.clock.now()
    with platform.engine.connect() as conn:
        rows = accounts.accounts(conn, now)
    out = [
        {
            "uscc": r["uscc"],
            "state": r["state"],
            "state_label": r["state_label"],
            "created_at": r["created_at"].isoformat(),
            "activated_at": r["activated_at"].isoformat() if r["activated_at"] else None,
            "locked_until": r["locked_until"].isoformat() if r["locked_until"] else None,
            "open_codes": r["open_codes"],
        }
        for r in rows
    ]
    if as_json:
        typer.echo(json.dumps({"accounts": out}, ensure_ascii=False))
        return
    for r, a in zip(rows, out, strict=True):
        lock = f"  锁定至 {beijing_time(r['locked_until'])}" if r["locked_until"] else ""
        typer.echo(f"{a['uscc']}  {a['state_label']}{lock}  未用激活码 {a['open_codes']}")
    typer.echo(f"共 {len(out)} 个主体账户")


@app.command("disable")
def disable(uscc: Uscc) -> None:
    """停用主体账户：其会话立即失效，未用的激活码作废。"""
    from xinyong.selfservice import accounts

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            accounts.disable(conn, uscc, now=platform.clock.now(), actor=operator_actor())
    except XinyongError as exc:
        _fail(exc)
    typer.echo(f"已停用主体账户 {accounts.normalise_uscc(uscc)}")


@app.command("enable")
def enable(uscc: Uscc) -> None:
    """重新启用已停用的主体账户（未设口令的回到待激活，须再签发激活码）。"""
    from xinyong.selfservice import accounts

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            accounts.enable(conn, uscc, now=platform.clock.now(), actor=operator_actor())
    except XinyongError as exc:
        _fail(exc)
    typer.echo(f"已启用主体账户 {accounts.normalise_uscc(uscc)}")
