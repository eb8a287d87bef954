"""Voluntary registration (自愿注册) from the command line: list, show, enter a registration
received at a service window, verify or reject it, and the share of voluntary records. A step
is taken as the department named with ``--department`` (it must be the verifying one), or as
the credit office without it; every step is recorded with ``--actor`` and audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from xinyong.kernel.errors import InputError, XinyongError
from xinyong.web.commands.common import (
    AsJson,
    PurposeOpt,
    _fail,
    _platform,
    audit_read,
    operator_actor,
)
from xinyong.web.commands.repair import _due, _uploads

app = typer.Typer(help="自愿注册：注册、核验与自愿注册记录占比", no_args_is_help=True)

Department = Annotated[
    str | None, typer.Option("--department", help="核验部门代码（缺省：以信用办身份办理）")
]
Note = Annotated[str, typer.Option("--note", help="说明；核验不通过时必填理由")]
Actor = Annotated[
    str | None, typer.Option("--actor", help="经办人（记入办理记录；默认 xinyong --operator）")
]


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


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
        f"  状态：{view['state_label']}（{view['state']}）  核验期限：{_due(view['due'])}{overdue}"
    )
    if view.get("verified"):
        v = view["verified"]
        typer.echo(f"  已纳入信用记录 {v['entry']}（{v['self_reported']}，{v['by']} 核验）")
    if view.get("rejection_reason"):
        typer.echo(f"  不通过的理由：{view['rejection_reason']}")
    for e in view.get("history", []):
        note = f"  {e['note']}" if e["note"] else ""
        typer.echo(f"    {e['seq']}. {e['at']}  {e['label']} → {e['to_label']}  {e['actor']}{note}")
    for t in view.get("transitions", []):
        typer.echo(f"    可办理：{t['name']}  {t['label']}  [{'、'.join(t['roles'])}]")


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

    platform = _platform()
    try:
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
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json(out)
        return
    for r in out["registrations"]:
        flag = "（已超期）" if r["overdue"] else ""
        typer.echo(
            f"{r['id']:>6}  {r['state_label']:<10} {r['kind_label']:<8} "
            f"核验 {r['verifier_name']}  期限 {_due(r['due'])}{flag}  "
            f"{r['subject']['name'] or r['subject']['code']}"
        )
    typer.echo(f"共 {out['total']} 件")


@app.command("show")
def show_cmd(
    case_id: Annotated[int, typer.Argument(help="自愿注册编号")],
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """详情：字段、状态、核验期限、办理记录，纳入的信用记录或不通过的理由。"""
    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            audit_read(conn, platform, "read_voluntary", f"case:{case_id}", purpose)
        view = _view(platform, case_id)
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json(view)
        return
    _echo_case(view)


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

    platform = _platform()
    operator = operator_actor()
    try:
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
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json(view)
        return
    typer.echo(f"已注册：自愿注册 {view['id']}")
    _echo_case(view)


def _step(
    case_id: int, name: str, department: str | None, note: str, actor: str | None, as_json: bool
) -> None:
    from xinyong.access import service as access
    from xinyong.voluntary import service as voluntary

    platform = _platform()
    operator = operator_actor()
    try:
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
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json(view)
        return
    _echo_case(view)


@app.command("verify")
def verify_cmd(
    case_id: Annotated[int, typer.Argument(help="自愿注册编号")],
    department: Department = None,
    note: Note = "",
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """核验通过：纳入主体信用记录（自主申报，记明核验单位与日期）。"""
    _step(case_id, "verify", department, note, actor, as_json)


@app.command("reject")
def reject_cmd(
    case_id: Annotated[int, typer.Argument(help="自愿注册编号")],
    department: Department = None,
    note: Note = "",
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """核验不通过（--note 写明理由，理由告知主体）。"""
    _step(case_id, "reject", department, note, actor, as_json)


@app.command("share")
def share_cmd(
    department: Annotated[str | None, typer.Option("--department", help="只看该部门")] = None,
    as_json: AsJson = False,
) -> None:
    """自愿注册记录占归集信用记录的比例，按部门和地区，与目标（约30%）比较。"""
    from xinyong.identity.divisions import default_divisions
    from xinyong.voluntary import service as voluntary

    platform = _platform()
    try:
        with platform.engine.connect() as conn:
            report = voluntary.share_report(
                conn,
                platform.voluntary_deps(),
                department=department,
                divisions=default_divisions(),
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json(report)
        return
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
        typer.echo(f"  地区 {r['region_name']}：{r['voluntary']} / {r['total']}，{r['share_text']}")
