"""Credit commitments (信用承诺) from the command line: list, show, sign for a department,
every step, the overdue sweep and the monthly 复核 draw. Writes are recorded with the
operator (``cli:<name>``); reads of the full record state a purpose and are audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from xinyong.commitments import service as commitments
from xinyong.web.commands.common import (
    AsJson,
    PurposeOpt,
    _platform,
    echo_json,
    operator_actor,
    read_and_show,
    run_and_show,
)

if TYPE_CHECKING:
    from xinyong.bootstrap import Platform

app = typer.Typer(
    help="信用承诺：签署、履约（容缺、核查）、未履约、修复与复核抽样", no_args_is_help=True
)

Department = Annotated[str | None, typer.Option("--department", help="受理部门代码（本部门办理）")]
Note = Annotated[str, typer.Option("--note", help="说明（认定未履约、信用修复必填）")]


def _echo(view: dict[str, Any], as_json: bool) -> None:
    if as_json:
        echo_json(view)
        return
    due = view.get("due_date") or "无"
    if view.get("due_provisional"):
        due += f"（暂定，最晚 {view['due_latest']}）"
    typer.echo(
        f"信用承诺 {view['id']}  {view['type_label']}  {view['template_label']}  "
        f"{view['subject']['name']} {view['subject']['code']}"
    )
    typer.echo(f"  受理单位：{view['department_label']}  状态：{view['status_label']}  期限：{due}")
    for s in view.get("steps", []):
        typer.echo(f"  {s['at'][:16]}  {s['step_label']} → {s['to_status_label']}  {s['note']}")


def _run(as_json: bool, fn: Any) -> None:
    def work(platform: Platform) -> Any:
        with platform.transaction() as conn:
            return fn(conn, platform)

    def show(out: Any) -> None:
        if isinstance(out, dict) and "status" in out:
            _echo(out, False)
        else:
            echo_json(out)

    run_and_show(as_json, work, show)


@app.command("list")
def list_cmd(
    type_: Annotated[str | None, typer.Option("--type", help="承诺类型代码 1–4")] = None,
    status: Annotated[str | None, typer.Option("--status")] = None,
    department: Department = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """列出信用承诺（新的在前）。"""

    def show(found: Any) -> None:
        typer.echo(f"共 {found['total']} 项")
        for v in found["items"]:
            typer.echo(
                f"{v['id']}  {v['signed_on']}  {v['type_label']}  {v['status_label']}  "
                f"{v['subject']['name']}  {v['template_label']}  {v['department_label']}"
            )

    read_and_show(
        as_json,
        ("read_commitments", "commitments", purpose),
        lambda conn, platform: commitments.find(
            conn,
            platform.commitment_deps(),
            type_=type_,
            status=status,
            department_code=department,
            limit=limit,
        ),
        show,
    )


@app.command("show")
def show_cmd(commitment_id: int, purpose: PurposeOpt = None, as_json: AsJson = False) -> None:
    """一项承诺及其办理记录。"""
    read_and_show(
        as_json,
        ("read_commitment", f"commitment:{commitment_id}", purpose),
        lambda conn, platform: commitments.view(conn, platform.commitment_deps(), commitment_id),
        lambda view: _echo(view, False),
    )


@app.command("templates")
def templates_cmd(as_json: AsJson = False) -> None:
    """现行承诺书模板（类型、分类、事项、履约方式、公开范围、依据条数）。"""
    platform = _platform()
    view = commitments.templates_view(platform.commitment_deps(), platform.clock.today())
    if as_json:
        echo_json(view)
        return
    for t in view["templates"]:
        typer.echo(
            f"{t['code']}  {t['type_label']}/{t['classification_label']}  {t['name']}  "
            f"{t['fulfilment_label']}  {t['disclosure']}  依据{len(t['legal_basis'])}项"
        )


@app.command("sign")
def sign_cmd(
    subject: Annotated[str, typer.Argument(help="统一社会信用代码")],
    template: Annotated[str, typer.Argument(help="承诺书模板代码")],
    department: Annotated[str, typer.Option("--department", help="受理部门代码")],
    certificate: Annotated[
        str | None, typer.Option("--certificate", help="诚信教育证书编号")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """代录主体签署的信用承诺（由 --department 受理）。不适用告知承诺等情形拒绝并说明理由。"""
    _run(
        as_json,
        lambda conn, p: commitments.sign(
            conn,
            p.commitment_deps(),
            subject=subject,
            template=template,
            department_code=department,
            channel="cli",
            actor=operator_actor(),
            now=p.clock.now(),
            training_certificate=certificate,
        ),
    )


def _step(cid: int, name: str, department: str | None, as_json: bool, **kw: Any) -> None:
    _run(
        as_json,
        lambda conn, p: commitments.step(
            conn,
            p.commitment_deps(),
            cid,
            name,
            actor=operator_actor(),
            now=p.clock.now(),
            department_code=department,
            **kw,
        ),
    )


@app.command("deliver")
def deliver_cmd(
    commitment_id: int,
    material: Annotated[list[str], typer.Option("--material", help="提交的材料名称，可重复")],
    department: Department = None,
    as_json: AsJson = False,
) -> None:
    """登记容缺材料的提交；材料齐全即已履约。"""
    _step(commitment_id, "deliver", department, as_json, materials=material)


@app.command("verify")
def verify_cmd(
    commitment_id: int,
    true_: Annotated[bool, typer.Option("--true/--false", help="核查结果：属实/不实")],
    department: Department = None,
    note: Note = "",
    as_json: AsJson = False,
) -> None:
    """登记告知承诺的核查结果：属实即已履约，不实即虚假承诺（记入信用记录）。"""
    _step(commitment_id, "verify", department, as_json, result=true_, note=note)


@app.command("breach")
def breach_cmd(
    commitment_id: int, note: Note, department: Department = None, as_json: AsJson = False
) -> None:
    """认定未履约（记入信用记录，修复前不适用告知承诺）。"""
    _step(commitment_id, "breach", department, as_json, note=note)


@app.command("repair")
def repair_cmd(
    commitment_id: int, note: Note, department: Department = None, as_json: AsJson = False
) -> None:
    """未履约的信用修复（虚假承诺不得提前修复）。"""
    _step(commitment_id, "repair", department, as_json, note=note)


@app.command("sweep")
def sweep_cmd(as_json: AsJson = False) -> None:
    """将容缺期限（暂定期限取最晚日）届满仍未补齐材料的承诺认定为未履约。"""
    _run(
        as_json,
        lambda conn, p: {
            "breached": commitments.sweep_overdue(
                conn, p.commitment_deps(), now=p.clock.now(), actor=operator_actor()
            )
        },
    )


@app.command("sample")
def sample_cmd(
    month: Annotated[str, typer.Argument(help="月份 YYYY-MM")],
    seed: Annotated[str | None, typer.Option("--seed")] = None,
    as_json: AsJson = False,
) -> None:
    """抽取某月已履约承诺的复核样本（记录种子与总体，可复现；每月一次）。"""
    _run(
        as_json,
        lambda conn, p: commitments.draw_sample(
            conn, p.commitment_deps(), month, actor=operator_actor(), now=p.clock.now(), seed=seed
        ),
    )
