"""Voluntary registration (自愿注册) from the command line: list, show, enter a registration
received at a service window, verify or reject it, and the share of voluntary records. A step
is taken as the department named with ``--department`` (it must be the verifying one), or as
the credit office without it; every step is recorded with ``--actor`` and audited."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xinyong.kernel.errors import InputError
from xinyong.web.commands.common import (
    ActorOpt as Actor,
)
from xinyong.web.commands.common import (
    AsJson,
    DepartmentFilter,
    PurposeOpt,
    audit_read,
    due_text,
    echo_history,
    echo_transitions,
    operator_actor,
    run_and_show,
)
from xinyong.web.commands.repair import _uploads

if TYPE_CHECKING:
    from xinyong.bootstrap import Platform

app = typer.Typer(help="自愿注册：注册、核验与自愿注册记录占比", no_args_is_help=True)

Department = Annotated[
    str | None, typer.Option("--department", help="核验部门代码（缺省：以信用办身份办理）")
]
Note = Annotated[str, typer.Option("--note", help="说明；核验不通过时必填理由")]


def _echo_case(view: dict[str, Any]) -> None:
    s = view["subject"]
    overdue = "（已超期）" if view["overdue"] else ""
    typer.echo(
        f"自愿注册 {view['id']}  {view['kind_label']}  核验单位 {view['verifier_name']}  "
        f"核验后{view['disclosure']}  版本 {view['version']}"
    )
    typer.echo(f"  主体：{s['name'] or '（未登记名称）'}  {s['code']}")
    for f in view.get("fields", []):
        typer.echo(f"  {f['name']}：{f['value']}")
    typer.echo(
        f"  状态：{view['state_label']}（{view['state']}）  核验期限：{due_text(view['due'])}{overdue}"
    )
    if view.get("verified"):
        v = view["verified"]
        typer.echo(f"  已纳入信用记录 {v['entry']}（{v['self_reported']}，{v['by']} 核验）")
    if view.get("rejection_reason"):
        typer.echo(f"  不通过的理由：{view['rejection_reason']}")
    echo_history(view.get("history", []))
    echo_transitions(view.get("transitions", []))


def _values(pairs: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        code, sep, value = pair.partition("=")
        if not sep or not code.strip():
            raise InputError(
                f"bad --field {pair!r}", f"--field 应为“字段代码=值”，收到“{pair[:40]}”"
            )
        out[code.strip()] = value
    return out


def _view(platform: Any, case_id: int) -> dict[str, Any]:
    from xinyong.voluntary import service as voluntary

    with platform.engine.connect() as conn:
        return voluntary.case_view(
            conn, platform.voluntary_deps(), case_id, today=platform.clock.today(), role=None
        )


@app.command("list")
def list_cmd(
    department: Department = None,
    state: Annotated[
        str | None, typer.Option("--state", help="submitted、verified、rejected")
    ] = None,
    subject: Annotated[str | None, typer.Option("--subject", help="统一社会信用代码")] = None,
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """自愿注册信息，按核验期限先后，标明状态与是否超期。"""
    from xinyong.voluntary import service as voluntary

    def work(platform: Platform) -> Any:
        with platform.engine.begin() as conn:
            audit_read(conn, platform, "read_voluntary", "voluntary-registrations", purpose)
            key = voluntary.subject_key_of(platform.vault, subject) if subject else None
            out = voluntary.find(
                conn,
                today=platform.clock.today(),
                department_code=department,
                subject_key=key,
                state=state,
            )
        return out

    def show(out: Any) -> None:
        for r in out["registrations"]:
            flag = "（已超期）" if r["overdue"] else ""
            typer.echo(
                f"{r['id']:>6}  {r['state_label']:<10} {r['kind_label']:<8} "
                f"核验 {r['verifier_name']}  期限 {due_text(r['due'])}{flag}  "
                f"{r['subject']['name'] or r['subject']['code']}"
            )
        typer.echo(f"共 {out['total']} 件")

    run_and_show(as_json, work, show)


@app.command("show")
def show_cmd(
    case_id: Annotated[int, typer.Argument(help="自愿注册编号")],
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """详情：字段、状态、核验期限、办理记录，纳入的信用记录或不通过的理由。"""

    def work(platform: Platform) -> Any:
        with platform.engine.begin() as conn:
            audit_read(conn, platform, "read_voluntary", f"case:{case_id}", purpose)
        view = _view(platform, case_id)
        return view

    run_and_show(as_json, work, _echo_case)


@app.command("submit")
def submit_cmd(
    code: Annotated[str, typer.Argument(help="统一社会信用代码")],
    kind: Annotated[str, typer.Argument(help="信息类别代码，如 QUALIFICATION")],
    fields: Annotated[list[str] | None, typer.Option("--field", help="字段代码=值，可重复")] = None,
    department: Annotated[
        str | None, typer.Option("--department", help="核验部门代码（部门核验的类别）")
    ] = None,
    commitment: Annotated[bool, typer.Option("--commitment", help="主体已作出真实性承诺")] = False,
    authorisation: Annotated[
        bool, typer.Option("--authorisation", help="主体已授权使用所填报的信息")
    ] = False,
    materials: Annotated[
        list[Path] | None, typer.Option("--material", help="材料文件，可重复")
    ] = None,
    note: Note = "",
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """代主体录入自愿注册信息（窗口受理）；未授权使用的不予注册。"""
    from xinyong.access import service as access
    from xinyong.voluntary import service as voluntary

    operator = operator_actor()

    def work(platform: Platform) -> Any:
        uploads = _uploads(materials)
        with platform.transaction() as conn:
            case = voluntary.submit(
                conn,
                platform.voluntary_deps(),
                subject_key=voluntary.subject_key_of(platform.vault, code),
                kind=kind,
                values=_values(fields),
                department_code=department,
                commitment=commitment,
                authorisation=authorisation,
                materials=uploads,
                actor=actor or operator,
                role="office",
                now=platform.clock.now(),
                note=note,
            )
            access.audit(
                conn, operator, "voluntary_submit", f"case:{case.id}", platform.clock.now()
            )
        view = _view(platform, case.id)
        return view

    def show(view: Any) -> None:
        typer.echo(f"已注册：自愿注册 {view['id']}")
        _echo_case(view)

    run_and_show(as_json, work, show)


def _step(
    case_id: int, name: str, department: str | None, note: str, actor: str | None, as_json: bool
) -> None:
    from xinyong.access import service as access
    from xinyong.voluntary import service as voluntary

    operator = operator_actor()

    def work(platform: Platform) -> Any:
        with platform.transaction() as conn:
            voluntary.step(
                conn,
                platform.voluntary_deps(),
                case_id,
                name,
                actor=actor or operator,
                role="department" if department else "office",
                now=platform.clock.now(),
                department_code=department,
                note=note,
            )
            access.audit(
                conn, operator, f"voluntary_{name}", f"case:{case_id}", platform.clock.now()
            )
        view = _view(platform, case_id)
        return view

    run_and_show(as_json, work, _echo_case)


def _verifying(name: str, doc: str) -> None:
    # Verifying and rejecting take the same options; one command each, named for the step.
    def command(
        case_id: Annotated[int, typer.Argument(help="自愿注册编号")],
        department: Department = None,
        note: Note = "",
        actor: Actor = None,
        as_json: AsJson = False,
    ) -> None:
        _step(case_id, name, department, note, actor, as_json)

    command.__doc__ = doc
    app.command(name)(command)


for _name, _doc in (
    ("verify", "核验通过：纳入主体信用记录（自主申报，记明核验单位与日期）。"),
    ("reject", "核验不通过（--note 写明理由，理由告知主体）。"),
):
    _verifying(_name, _doc)


@app.command("share")
def share_cmd(
    department: DepartmentFilter = None,
    as_json: AsJson = False,
) -> None:
    """自愿注册记录占归集信用记录的比例，按部门和地区，与目标（约30%）比较。"""
    from xinyong.identity.divisions import default_divisions
    from xinyong.voluntary import service as voluntary

    def work(platform: Platform) -> Any:
        with platform.engine.connect() as conn:
            report = voluntary.share_report(
                conn,
                platform.voluntary_deps(),
                department=department,
                divisions=default_divisions(),
            )
        return report

    def show(report: Any) -> None:
        o, t = report["overall"], report["target"]
        typer.echo(
            f"合计：{o['voluntary']} / {o['total']}，占 {o['share_text']}（目标 {o['target_text']}，"
            f"{t['region']}）{'，已达到' if o['reached'] else '，未达到'}"
        )
        for r in report["departments"]:
            typer.echo(
                f"  部门 {r['department_name']}：{r['voluntary']} / {r['total']}，{r['share_text']}"
            )
        for r in report["regions"]:
            typer.echo(
                f"  地区 {r['region_name']}：{r['voluntary']} / {r['total']}，{r['share_text']}"
            )

    run_and_show(as_json, work, show)
