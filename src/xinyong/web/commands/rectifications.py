"""Rectification by deadline (限期整改) and interviews from the command line. The operator names
the department (``--department``) that made the finding: only it may order, schedule, hold an
interview and close the case (谁认定、谁约谈); every step is recorded with ``--actor`` and
audited."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xinyong.kernel.errors import InputError
from xinyong.web.commands.common import (
    ActorOpt as Actor,
)
from xinyong.web.commands.common import (
    AsJson,
    OverdueOpt,
    PurposeOpt,
    StateOpt,
    echo_history,
    operator_actor,
    read_and_show,
    run_and_show,
)

if TYPE_CHECKING:
    from xinyong.bootstrap import Platform

app = typer.Typer(help="限期整改与约谈：责令整改、安排与记录约谈、办结", no_args_is_help=True)

Department = Annotated[
    str, typer.Option("--department", help="作出认定的部门代码（谁认定、谁约谈）")
]
Note = Annotated[str, typer.Option("--note", help="说明")]
CaseId = Annotated[int, typer.Argument(help="限期整改办件编号")]


def _date(field: str, label: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{field} {text!r} is not a date", f"{field}（{label}）“{text}”应为日期 YYYY-MM-DD"
        ) from None


def _echo_case(view: dict[str, Any]) -> None:
    s = view["subject"]
    overdue = "（已超期）" if view["overdue"] else ""
    due = view["due"]["date"] if view["due"] else "无"
    typer.echo(
        f"限期整改办件 {view['id']}  {view['ground_label']}  部门 {view['department']}  "
        f"版本 {view['version']}"
    )
    typer.echo(f"  主体：{s['name'] or '（未登记名称）'}  {s['code']}")
    typer.echo(f"  整改义务：{view['obligation']}  整改期限：{view['deadline']}")
    typer.echo(f"  状态：{view['state_label']}（{view['state']}）  期限：{due}{overdue}")
    for iv in view["interviews"]:
        held = f"已举行 {iv['held_on']}" if iv["held"] else "待举行"
        typer.echo(
            f"  约谈 {iv['id']}：{iv['kind_label']} {iv['scheduled_on']} {iv['place']}（{held}）"
        )
        for a in iv.get("attendees") or []:
            typer.echo(f"    参加：{a['side_label']} {a['role']} {a['name']}")
        for a in iv.get("actions") or []:
            typer.echo(f"    措施：{a['action']}（{a['due']}前）")
    echo_history(view.get("history", []), indent="  ")
    if view.get("list_proposal"):
        typer.echo(f"  {view['list_proposal']['label']}")
    if view.get("transitions"):
        typer.echo(
            "  可办理：" + "、".join(f"{t['name']}（{t['label']}）" for t in view["transitions"])
        )


def _run(action: str, as_json: bool, work: Any) -> None:
    from xinyong.access import service as access
    from xinyong.rectifications import service as rect

    operator = operator_actor()

    def run(platform: Platform) -> Any:
        with platform.transaction() as conn:
            case = work(conn, platform, operator)
            access.audit(
                conn, operator, f"rectification_{action}", f"case:{case.id}", platform.clock.now()
            )
        with platform.engine.connect() as conn:
            view = rect.case_view(
                conn,
                platform.rectification_deps(),
                case.id,
                today=platform.clock.today(),
                role="department",
            )
        return view

    run_and_show(as_json, run, _echo_case)


@app.command("order")
def order_cmd(
    record: Annotated[int, typer.Option("--record", help="据以责令整改的记录编号（本部门认定）")],
    obligation: Annotated[str, typer.Option("--obligation", help="整改义务")],
    department: Department,
    deadline: Annotated[
        str | None, typer.Option("--deadline", help="整改期限 YYYY-MM-DD（缺省按目录默认期限）")
    ] = None,
    note: Note = "",
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """作出认定的部门责令主体限期整改。"""
    from xinyong.rectifications import service as rect

    def work(conn: Any, platform: Any, operator: str) -> Any:
        return rect.order(
            conn,
            platform.rectification_deps(),
            record=record,
            obligation=obligation,
            deadline=_date("deadline", "整改期限", deadline) if deadline else None,
            actor=actor or operator,
            role="department",
            department_code=department,
            now=platform.clock.now(),
            note=note,
        )

    _run("order", as_json, work)


@app.command("schedule")
def schedule_cmd(
    case_id: CaseId,
    kind: Annotated[str, typer.Option("--kind", help="PROMPT（提示约谈）或 WARNING（警示约谈）")],
    date: Annotated[str, typer.Option("--date", help="约谈日期 YYYY-MM-DD")],
    place: Annotated[str, typer.Option("--place", help="约谈地点")],
    department: Department,
    note: Note = "",
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """安排提示约谈或警示约谈（不早于目录规定的通知期限）。"""
    from xinyong.rectifications import service as rect

    def work(conn: Any, platform: Any, operator: str) -> Any:
        return rect.schedule(
            conn,
            platform.rectification_deps(),
            case_id,
            kind=kind,
            scheduled_on=_date("date", "约谈日期", date),
            place=place,
            actor=actor or operator,
            role="department",
            department_code=department,
            now=platform.clock.now(),
            note=note,
        )

    _run("schedule", as_json, work)


def _attendee(text: str) -> dict[str, str]:
    side, _, rest = text.partition(":")
    role, _, name = rest.partition(":")
    if not name:
        raise InputError(
            "attendee must be side:role:name",
            "--attendee（参加人员）格式应为 所属方:职务:姓名，如 subject:法定代表人:王某",
        )
    return {"side": side, "role": role, "name": name}


def _action(text: str) -> dict[str, str]:
    action, _, due = text.rpartition("@")
    if not action:
        raise InputError(
            "action must be text@date",
            "--action（整改措施）格式应为 措施@完成日期，如 补缴罚款@2026-07-31",
        )
    return {"action": action, "due": due}


@app.command("hold")
def hold_cmd(
    case_id: CaseId,
    held_on: Annotated[str, typer.Option("--held-on", help="举行日期 YYYY-MM-DD")],
    minutes: Annotated[str, typer.Option("--minutes", help="约谈纪要")],
    department: Department,
    attendee: Annotated[
        list[str], typer.Option("--attendee", help="参加人员 所属方:职务:姓名（可重复）")
    ],
    action: Annotated[list[str], typer.Option("--action", help="整改措施@完成日期（可重复）")],
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """记录已举行的约谈：参加人员、纪要、议定整改措施；约谈记录记入信用记录。"""
    from xinyong.rectifications import service as rect

    def work(conn: Any, platform: Any, operator: str) -> Any:
        return rect.hold(
            conn,
            platform.rectification_deps(),
            case_id,
            held_on=_date("held_on", "约谈日期", held_on),
            attendees=[_attendee(a) for a in attendee],
            minutes=minutes,
            actions=[_action(a) for a in action],
            actor=actor or operator,
            role="department",
            department_code=department,
            now=platform.clock.now(),
        )

    _run("hold", as_json, work)


def _close(
    case_id: int, outcome: str, department: str, note: str, actor: str | None, as_json: bool
) -> None:
    from xinyong.rectifications import service as rect

    def work(conn: Any, platform: Any, operator: str) -> Any:
        return rect.close(
            conn,
            platform.rectification_deps(),
            case_id,
            outcome,
            actor=actor or operator,
            role="department",
            department_code=department,
            now=platform.clock.now(),
            note=note,
        )

    _run(outcome, as_json, work)


def _closing(outcome: str, doc: str) -> None:
    # The two closing steps take the same options; one command each, named for the outcome.
    def command(
        case_id: CaseId,
        department: Department,
        note: Note = "",
        actor: Actor = None,
        as_json: AsJson = False,
    ) -> None:
        _close(case_id, outcome, department, note, actor, as_json)

    command.__doc__ = doc
    app.command(outcome)(command)


for _outcome, _doc in (
    ("rectified", "确认整改到位，办件办结。"),
    ("failed", "认定整改不到位（须写明事实），办件办结；可另行提出列入名单建议。"),
):
    _closing(_outcome, _doc)


@app.command("show")
def show_cmd(case_id: CaseId, purpose: PurposeOpt = None, as_json: AsJson = False) -> None:
    """办件详情：整改义务与期限、约谈、办理记录与可办理的操作。"""
    from xinyong.rectifications import service as rect

    read_and_show(
        as_json,
        ("read_rectification", f"case:{case_id}", purpose),
        lambda conn, platform: rect.case_view(
            conn,
            platform.rectification_deps(),
            case_id,
            today=platform.clock.today(),
            role="department",
        ),
        _echo_case,
    )


@app.command("list")
def list_cmd(
    department: Annotated[str | None, typer.Option("--department", help="部门代码")] = None,
    state: StateOpt = None,
    overdue: OverdueOpt = False,
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """未办结的限期整改办件，按期限先后，标明是否超期。"""
    from xinyong.rectifications import service as rect

    def show(out: Any) -> None:
        for r in out["rectifications"]:
            flag = "（已超期）" if r["overdue"] else ""
            due = r["due"]["date"] if r["due"] else "无"
            typer.echo(
                f"{r['id']:>6}  {r['state_label']:<10} 期限 {due}{flag}  "
                f"{r['subject']['name'] or r['subject']['code']}  {r['ground_label']}"
            )
        typer.echo(f"共 {out['total']} 件")

    read_and_show(
        as_json,
        ("read_rectifications", "rectifications", purpose),
        lambda conn, platform: rect.find(
            conn,
            platform.rectification_deps(),
            today=platform.clock.today(),
            department_code=department,
            state=state,
            overdue_only=overdue,
        ),
        show,
    )
