"""Integrity education (诚信教育) from the command line: list, show, add a session, record an
attendee, issue its certificate. Writes are recorded with the operator (``cli:<name>``);
``--department`` acts as that department (its own sessions only). Reading a session's
attendance states a purpose and is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from xinyong.commitments import service as commitments
from xinyong.kernel.errors import XinyongError
from xinyong.web.commands.common import (
    AsJson,
    PurposeOpt,
    _date,
    _fail,
    _platform,
    audit_read,
    echo_json,
    operator_actor,
    run_and_show,
)

if TYPE_CHECKING:
    from xinyong.bootstrap import Platform

app = typer.Typer(
    help="诚信教育：培训、参训登记与证书（免费，不作为市场准入条件）", no_args_is_help=True
)

Acting = Annotated[
    str | None, typer.Option("--department", help="以该部门身份办理（只能办理本部门的培训）")
]


def _echo(view: dict[str, Any], as_json: bool) -> None:
    if as_json:
        echo_json(view)
        return
    typer.echo(
        f"诚信教育培训 {view['id']}  {view['title']}  {view['held_on']}  {view['place']}  "
        f"{view['department_label']}（{view['department']}）  免费"
    )
    typer.echo(f"  参训主体 {view['attendees']}  已发证书 {view['certified']}")
    for a in view.get("attendance") or []:
        typer.echo(
            f"  {a['subject']['code']}  {a['subject']['name']}  法定代表人 {a['representative']}  "
            f"证书 {a['certificate'] or '未发放'}"
        )


def _run(as_json: bool, fn: Any) -> None:
    def work(platform: Platform) -> Any:
        with platform.transaction() as conn:
            return fn(conn, platform)

    def show(out: Any) -> None:
        if "held_on" in out:
            _echo(out, False)
        else:
            typer.echo(f"已发放诚信教育证书 {out['certificate']}：{out['subject']['name']}")

    run_and_show(as_json, work, show)


@app.command("list")
def list_cmd(
    department: Annotated[
        str | None, typer.Option("--department", help="只列该部门组织的培训")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    as_json: AsJson = False,
) -> None:
    """列出诚信教育培训（举办日期新的在前）。"""
    platform = _platform()
    with platform.engine.connect() as conn:
        found = commitments.find_trainings(conn, department_code=department, limit=limit)
    if as_json:
        echo_json(found)
        return
    typer.echo(f"共 {found['total']} 次培训")
    for t in found["items"]:
        typer.echo(
            f"{t['id']}  {t['held_on']}  {t['title']}  {t['place']}  {t['department_label']}  "
            f"参训 {t['attendees']}  证书 {t['certified']}"
        )


@app.command("show")
def show_cmd(
    training_id: Annotated[int, typer.Argument(min=1)],
    department: Acting = None,
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """一次培训及其参训主体（法定代表人脱敏）与证书编号。"""
    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            view = commitments.training_view(conn, training_id)
            if department is not None and view["department"] != department:
                from xinyong.kernel.errors import PermissionDenied

                raise PermissionDenied(
                    "another department's training", "该培训由其他部门组织，本部门不能查看"
                )
            audit_read(conn, platform, "read_training", f"training:{training_id}", purpose)
    except XinyongError as exc:
        _fail(exc, as_json)
    _echo(view, as_json)


@app.command("add")
def add_cmd(
    title: Annotated[str, typer.Option("--title", help="培训名称")],
    held_on: Annotated[str, typer.Option("--date", help="举办日期 YYYY-MM-DD")],
    place: Annotated[str, typer.Option("--place", help="培训地点")],
    organiser: Annotated[str, typer.Option("--organiser", help="组织部门代码")],
    department: Acting = None,
    as_json: AsJson = False,
) -> None:
    """创建诚信教育培训（免费）。"""
    platform = _platform()
    day = _date(held_on, platform.clock.today())
    _run(
        as_json,
        lambda conn, p: commitments.create_training(
            conn,
            title=title,
            held_on=day,
            place=place,
            department_code=organiser,
            acting_department=department,
            actor=operator_actor(),
            now=p.clock.now(),
        ),
    )


@app.command("attend")
def attend_cmd(
    training_id: Annotated[int, typer.Argument(min=1)],
    subject: Annotated[str, typer.Argument(help="参训主体统一社会信用代码")],
    representative: Annotated[
        str, typer.Option("--representative", help="参训的法定代表人姓名（只保存脱敏形式）")
    ],
    representative_id: Annotated[
        str,
        typer.Option("--representative-id", help="法定代表人身份证号码（可选，只保存脱敏形式）"),
    ] = "",
    department: Acting = None,
    as_json: AsJson = False,
) -> None:
    """登记主体参加培训（培训举办当日或之后）。"""
    _run(
        as_json,
        lambda conn, p: commitments.attend(
            conn,
            p.commitment_deps(),
            training_id,
            subject=subject,
            representative=representative,
            representative_id=representative_id,
            acting_department=department,
            actor=operator_actor(),
            now=p.clock.now(),
        ),
    )


@app.command("certify")
def certify_cmd(
    training_id: Annotated[int, typer.Argument(min=1)],
    subject: Annotated[str, typer.Argument(help="参训主体统一社会信用代码")],
    department: Acting = None,
    as_json: AsJson = False,
) -> None:
    """为参训主体发放诚信教育证书（培训举办当日起，每主体一次）。"""
    _run(
        as_json,
        lambda conn, p: commitments.certify(
            conn,
            training_id,
            subject,
            vault=p.vault,
            acting_department=department,
            actor=operator_actor(),
            now=p.clock.now(),
        ),
    )
