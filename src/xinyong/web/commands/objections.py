"""Objections (异议) from the command line: the inbox, one objection, filing on the subject's
behalf and every step. The operator's tool: it takes each step in the workflow role the step
belongs to (the office pushes; the providing department accepts, refuses, extends, decides)
and records ``--actor``; reads state a purpose and are audited.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xinyong.kernel.errors import XinyongError
from xinyong.web.commands.common import (
    ActorOpt as Actor,
)
from xinyong.web.commands.common import (
    AsJson,
    DepartmentFilter,
    OverdueOpt,
    PageOpt,
    PageSizeOpt,
    PurposeOpt,
    StateOpt,
    _date,
    _fail,
    _platform,
    audit_read,
    due_text,
    echo_history,
    echo_json,
    echo_transitions,
    operator_actor,
    read_and_show,
    run_and_show,
)

if TYPE_CHECKING:
    from xinyong.bootstrap import Platform

app = typer.Typer(
    help="信用信息异议：提出、推送、受理、不予受理、延期、核查决定", no_args_is_help=True
)

Id = Annotated[int, typer.Argument(help="异议编号")]
Department = Annotated[
    str | None,
    typer.Option("--department", help="办理部门代码（默认：提供该记录的部门；不符则拒绝）"),
]
Reason = Annotated[str, typer.Option("--reason", help="理由（送达申请人）")]


def _row_line(o: dict[str, Any]) -> str:
    flag = "超期" if o["overdue"] else "    "
    due = due_text(o["due"])
    t = o["target"]
    outcome = f"  结论：{o['outcome_label']}" if o["outcome_label"] else ""
    return (
        f"  {flag} 异议 {o['id']:<6} {o['state_label']}  期限 {due}  {t['item_name']}"
        f"（条目 {t['entry']}）  {o['subject'] or '自然人'}  部门 {o['department']}{outcome}"
    )


def _echo_view(v: dict[str, Any]) -> None:
    t = v["target"]
    overdue = "（已超期）" if v["overdue"] else ""
    typer.echo(f"异议 {v['id']}  办件 {v['case']}  版本 {v['version']}  {v['regime']['name']}")
    typer.echo(
        f"  对象：{t['kind_label']} {t['item_name']}（条目 {t['entry']}）  "
        f"主体 {v['subject'] or '自然人'}  部门 {v['department']}"
    )
    typer.echo(f"  事由：{v['grounds_label']}  申请人：{v['applicant_kind_label']}")
    typer.echo(f"  说明：{v['statement']}")
    typer.echo(f"  状态：{v['state_label']}（{v['state']}）  期限：{due_text(v['due'])}{overdue}")
    if v["outcome_label"] or v["reason"]:
        typer.echo(f"  结论：{v['outcome_label'] or '不予受理'}  理由：{v['reason']}")
    typer.echo("  办理记录：")
    echo_history(v["history"], role=True)
    if v["steps"]:
        typer.echo("  可执行的操作：")
        echo_transitions(v["steps"], "    ")


@app.command("list")
def list_cmd(
    department: DepartmentFilter = None,
    state: StateOpt = None,
    open_only: Annotated[bool, typer.Option("--open", help="只看未办结的")] = False,
    overdue: OverdueOpt = False,
    page: PageOpt = 1,
    page_size: PageSizeOpt = 50,
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """异议列表：未办结的在前，按期限先后排序。须说明查询用途。"""
    from xinyong.web import objection_calls as calls

    def work(platform: Platform) -> Any:
        with platform.engine.begin() as conn:
            audit_read(
                conn, platform, "list_objections", f"department:{department or '*'}", purpose
            )
            out = calls.find(
                conn,
                platform,
                department_code=department,
                state=state,
                open_only=open_only,
                overdue_only=overdue,
                page=page,
                page_size=page_size,
            )
        return out

    def show(out: Any) -> None:
        typer.echo(f"截至 {out['as_of']}：共 {out['total']} 件（第 {out['page']} 页）")
        for o in out["objections"]:
            typer.echo(_row_line(o))

    run_and_show(as_json, work, show)


@app.command("show")
def show_cmd(objection_id: Id, purpose: PurposeOpt = None, as_json: AsJson = False) -> None:
    """一件异议：说明、规则与期限、办理记录、可执行的操作。须说明查询用途。"""
    from xinyong.web import objection_calls as calls

    read_and_show(
        as_json,
        ("read_objection", f"objection:{objection_id}", purpose),
        lambda conn, platform: calls.view(conn, platform, objection_id),
        _echo_view,
    )


@app.command("file")
def file_cmd(
    entry: Annotated[int, typer.Argument(help="异议所针对记录的账本条目号")],
    grounds: Annotated[
        str,
        typer.Option(
            "--grounds",
            help="异议事由：wrong_content、wrong_period、wrongly_listed、"
            "repair_not_accepted、repair_refused、other",
        ),
    ],
    statement: Annotated[str, typer.Option("--statement", help="异议说明：事实和理由")],
    measure: Annotated[
        str | None, typer.Option("--measure", help="对该记录带来的惩戒措施提出的：措施代码")
    ] = None,
    department: Annotated[
        str | None,
        typer.Option("--department", help="代为提出的部门（默认：信用办代为提出）"),
    ] = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """代当事人提出异议（信用办，或 --department 指定的提供该记录的部门）。"""
    from xinyong.access import service as access
    from xinyong.web import objection_calls as calls

    platform = _platform()
    operator = operator_actor()
    role = "department" if department else "office"
    try:
        with platform.transaction() as conn:
            row = calls.file(
                conn,
                platform,
                entry_id=entry,
                grounds=grounds,
                statement=statement,
                measure=measure,
                actor=actor or operator,
                role=role,
                department_code=department,
            )
            access.audit(
                conn,
                operator,
                "objection_file",
                f"objection:{row['id']}",
                platform.clock.now(),
                detail={"entry": entry, "role": role, "handler": actor},
            )
            v = calls.view(conn, platform, row["id"], role=role)
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        echo_json(v)
        return
    typer.echo(f"已提出异议：异议 {v['id']}（记录已标注“{v['mark']}”）")
    _echo_view(v)


def _step(
    objection_id: int,
    name: str,
    *,
    role: str,
    department: str | None,
    actor: str | None,
    as_json: bool,
    **kw: Any,
) -> None:
    from xinyong.access import service as access
    from xinyong.objections import service as objections
    from xinyong.web import objection_calls as calls

    operator = operator_actor()

    def work(platform: Platform) -> Any:
        with platform.transaction() as conn:
            acting = department
            if role == "department" and acting is None:
                acting = objections.get_row(conn, objection_id)["department_code"]
            calls.step(
                conn,
                platform,
                objection_id,
                name,
                actor=actor or operator,
                role=role,
                department_code=acting,
                **kw,
            )
            access.audit(
                conn,
                operator,
                "objection_step",
                f"objection:{objection_id}",
                platform.clock.now(),
                detail={"step": name, "role": role, "handler": actor},
            )
            v = calls.view(conn, platform, objection_id, role=role)
        return v

    def show(v: Any) -> None:
        typer.echo(f"已办理：{v['history'][-1]['label']}")
        _echo_view(v)

    run_and_show(as_json, work, show)


@app.command("push")
def push_cmd(objection_id: Id, actor: Actor = None, as_json: AsJson = False) -> None:
    """信用办将异议推送提供该记录的部门。"""
    _step(objection_id, "push", role="office", department=None, actor=actor, as_json=as_json)


@app.command("accept")
def accept_cmd(
    objection_id: Id, department: Department = None, actor: Actor = None, as_json: AsJson = False
) -> None:
    """部门受理异议（核查期限自此起算）。"""
    _step(
        objection_id,
        "accept",
        role="department",
        department=department,
        actor=actor,
        as_json=as_json,
    )


@app.command("refuse")
def refuse_cmd(
    objection_id: Id,
    reason: Reason,
    department: Department = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """部门不予受理（须说明理由）。"""
    _step(
        objection_id,
        "refuse",
        role="department",
        department=department,
        actor=actor,
        as_json=as_json,
        reason=reason,
    )


@app.command("extend")
def extend_cmd(
    objection_id: Id,
    until: Annotated[str, typer.Option("--until", help="告知申请人的延长后期限（YYYY-MM-DD）")],
    reason: Reason,
    department: Department = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """告知申请人延长核查期限（仅规则允许延期的，须写明延长后的期限和理由）。"""
    extended = _date(until, dt.date.min)  # --until is required: the default is never used
    _step(
        objection_id,
        "notify_extension",
        role="department",
        department=department,
        actor=actor,
        as_json=as_json,
        reason=reason,
        extended_until=extended,
    )


def _corrections(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        code, sep, value = pair.partition("=")
        if not sep or not code.strip():
            _fail(
                XinyongError(
                    f"--set {pair!r} is not FIELD=VALUE",
                    "--set（更正内容）应写作 字段代码=正确的值，如 --set CF_NR=罚款人民币1000元",
                )
            )
        out[code.strip()] = value
    return out


@app.command("decide")
def decide_cmd(
    objection_id: Id,
    outcome: Annotated[
        str,
        typer.Option("--outcome", help="核查结论：correct（更正）、revoke（撤销）、keep（维持）"),
    ],
    reason: Reason,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="结论为更正时：字段代码=正确的值（可重复）"),
    ] = None,
    department: Department = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """作出核查决定：更正（--set 写明更正内容）、撤销或维持，附理由；更正、撤销发布更正公告。"""
    corrections = _corrections(set_ or [])
    _step(
        objection_id,
        "decide",
        role="department",
        department=department,
        actor=actor,
        as_json=as_json,
        outcome=outcome,
        reason=reason,
        corrections=corrections or None,
    )
