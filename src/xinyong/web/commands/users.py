"""Console accounts: ``xinyong user add|list|disable|unlock|reset-password``.

Every change is in the audit log under the operator (``xinyong --operator``). A password is
typed twice at a prompt that does not echo it, or read from standard input with
``--password-stdin`` (one line; for scripts), never given as an argument (it would stay in
the shell's history and in the process list).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from xinyong.kernel.clock import beijing_time
from xinyong.kernel.errors import XinyongError
from xinyong.web.commands.common import AsJson, _fail, _platform, operator_actor

app = typer.Typer(help="控制台用户", no_args_is_help=True)

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="从标准输入读取口令（一行），不提示")
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("口令", hide_input=True, confirmation_prompt="再次输入口令"))


def _user_id(conn: Any, name: str) -> int:
    from xinyong.access import accounts

    return int(accounts.find_user(conn, name)["id"])


@app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="用户名（小写字母、数字或“._-”）")],
    role: Annotated[
        str,
        typer.Option("--role", help="office_admin / department_officer / inspector / auditor"),
    ],
    department: Annotated[
        str | None, typer.Option("--department", help="所属部门代码（部门经办人员必填）")
    ] = None,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="姓名，默认同用户名")
    ] = None,
    inspector: Annotated[
        str | None,
        typer.Option(
            "--inspector", help="关联的检查人员编号（仅检查人员角色；关联不成则不创建账号）"
        ),
    ] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """添加控制台用户。"""
    from xinyong.access import accounts
    from xinyong.inspections import registry

    platform = _platform()
    password = _password(password_stdin)
    try:
        with platform.engine.begin() as conn:
            user_id = accounts.create_user(
                conn,
                platform.password_hasher(),
                platform.account_policy(),
                name=name,
                display_name=display_name or name,
                role=role,
                department_code=department,
                password=password,
                now=platform.clock.now(),
                actor=operator_actor(),
            )
            if inspector and inspector.strip():
                registry.link_new_account(
                    conn,
                    inspector,
                    account=accounts.normalise_name(name),
                    role=role,
                    actor=operator_actor(),
                    now=platform.clock.now(),
                )
    except XinyongError as exc:
        _fail(exc)
    label = accounts.USER_ROLE_LABELS[role]
    linked = f"，已关联检查人员 {inspector.strip()}" if inspector and inspector.strip() else ""
    typer.echo(f"已添加用户 {user_id}：{accounts.normalise_name(name)}（角色：{label}）{linked}")


@app.command("list")
def user_list(as_json: AsJson = False) -> None:
    """列出控制台用户：编号、用户名、姓名、角色、部门、状态。"""
    from xinyong.access import accounts

    platform = _platform()
    now = platform.clock.now()
    with platform.engine.connect() as conn:
        rows = accounts.users(conn)
    out = [
        {
            "id": r["id"],
            "name": r["name"],
            "display_name": r["display_name"],
            "role": r["role"],
            "role_label": r["role_label"],
            "department": r["department_code"],
            "disabled": bool(r["disabled"]),
            "locked_until": r["locked_until"].isoformat()
            if r["locked_until"] is not None and r["locked_until"] > now
            else None,
            "failed_count": int(r["failed_count"]),
        }
        for r in rows
    ]
    if as_json:
        typer.echo(json.dumps({"users": out}, ensure_ascii=False))
        return
    for r, u in zip(rows, out, strict=True):
        state = "已停用" if u["disabled"] else "正常"
        if not u["disabled"] and u["locked_until"]:
            state = f"锁定至 {beijing_time(r['locked_until'])}"
        dept = f"  部门：{u['department']}" if u["department"] else ""
        typer.echo(
            f"{u['id']:>4}  {u['name']}  {u['display_name']}  {u['role_label']}{dept}  {state}"
        )
    typer.echo(f"共 {len(out)} 个用户")


@app.command("disable")
def user_disable(name: str) -> None:
    """停用控制台用户（其会话立即失效）。"""
    from xinyong.access import accounts

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            accounts.disable_user(
                conn, _user_id(conn, name), now=platform.clock.now(), actor=operator_actor()
            )
    except XinyongError as exc:
        _fail(exc)
    typer.echo(f"已停用用户 {name}")


@app.command("unlock")
def user_unlock(name: str) -> None:
    """解除因登录失败次数过多造成的锁定。"""
    from xinyong.access import accounts

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            accounts.unlock_user(
                conn, _user_id(conn, name), now=platform.clock.now(), actor=operator_actor()
            )
    except XinyongError as exc:
        _fail(exc)
    typer.echo(f"已解锁用户 {name}")


@app.command("reset-password")
def user_reset_password(name: str, password_stdin: PasswordStdin = False) -> None:
    """重置控制台用户的口令（同时解锁，其会话立即失效）。"""
    from xinyong.access import accounts

    platform = _platform()
    password = _password(password_stdin)
    try:
        with platform.engine.begin() as conn:
            accounts.reset_password(
                conn,
                platform.password_hasher(),
                platform.account_policy(),
                _user_id(conn, name),
                password,
                now=platform.clock.now(),
                actor=operator_actor(),
            )
    except XinyongError as exc:
        _fail(exc)
    typer.echo(f"已重置用户 {name} 的口令")
