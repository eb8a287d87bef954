"""Credit repair (信用修复) from the command line: eligibility, applications, every step, the
re-check draw. The operator names the department (``--department``) whose case it is, as for
list cases; every step is recorded with ``--actor`` and audited."""

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
    OverdueOpt,
    PurposeOpt,
    StateOpt,
    audit_read,
    due_text,
    echo_history,
    echo_transitions,
    operator_actor,
    read_and_show,
    run_and_show,
)

if TYPE_CHECKING:
    from xinyong.bootstrap import Platform

app = typer.Typer(help="信用修复：修复条件、申请、办理与复查抽样", no_args_is_help=True)

Department = Annotated[str | None, typer.Option("--department", help="办理部门代码（认定单位）")]
Note = Annotated[str, typer.Option("--note", help="说明（需补正的材料、理由等）")]
Files = Annotated[
    list[Path] | None, typer.Option("--material", help="材料文件（PDF、JPEG、PNG、OFD），可重复")
]


def _echo_case(view: dict[str, Any]) -> None:
    s = view["subject"]
    overdue = "（已超期）" if view["overdue"] else ""
    typer.echo(
        f"信用修复办件 {view['id']}  {view['kind_label']}  {view['regime']['name']}  "
        f"部门 {view['department']}  版本 {view['version']}"
    )
    typer.echo(f"  主体：{s['name'] or '（未登记名称）'}  {s['code'] or s['key']}")
    typer.echo(f"  记录：{view['record']['item']} {view['record']['number']}")
    typer.echo(
        f"  状态：{view['state_label']}（{view['state']}）  办理期限：{due_text(view['due'])}{overdue}"
    )
    echo_history(view.get("history", []))
    if view.get("remedies"):
        typer.echo(f"  救济途径：{view['remedies']}")
    if view.get("fraud_bar_until"):
        typer.echo(f"  {view['fraud_bar_until']}（含）前不得再申请信用修复")
    echo_transitions(view.get("transitions", []))


def _uploads(paths: list[Path] | None) -> list[Any]:
    from xinyong.cases.attachments import Upload

    out = []
    for p in paths or []:
        try:
            out.append(Upload(p.name, p.read_bytes()))
        except OSError:
            raise InputError(f"cannot read {p}", f"--material：无法读取文件 {p.name}") from None
    return out


def _subject_key(conn: Any, platform: Any, code: str) -> str:
    from xinyong.repair.service import subject_key_of

    return subject_key_of(conn, platform.vault, code)


@app.command("eligibility")
def eligibility_cmd(
    code: Annotated[str, typer.Argument(help="统一社会信用代码")],
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """每条公示中的失信信息能否申请信用修复：条件、状态与依据，可申请日期或理由。"""
    from xinyong.repair import service as repair

    def work(platform: Platform) -> Any:
        with platform.engine.begin() as conn:
            key = _subject_key(conn, platform, code)
            audit_read(conn, platform, "read_repair_eligibility", f"subject:{key}", purpose)
            view = repair.eligibility_view(
                conn, platform.repair_deps(), key, platform.clock.today()
            )
        return view

    def show(view: Any) -> None:
        for r in view["records"]:
            rec = r["record"]
            when = f"，{r['eligible_from']} 起可申请" if r["eligible_from"] else ""
            typer.echo(
                f"记录 {rec['entry']}  {rec['item_name']} {rec['number']}  "
                f"{r['regime']['name']}：{r['result_label']}{when}"
            )
            for c in r["conditions"]:
                typer.echo(f"    [{c['status_label']}] {c['label']}：{c['detail']}")
        if not view["records"]:
            typer.echo("该主体没有公示中的失信信息或在列名单")

    run_and_show(as_json, work, show)


@app.command("apply")
def apply_cmd(
    code: Annotated[str, typer.Argument(help="统一社会信用代码")],
    record: Annotated[int, typer.Argument(help="记录编号（见 eligibility）")],
    signatory: Annotated[str, typer.Option("--signatory", help="签署信用承诺书的人")],
    committed: Annotated[
        bool, typer.Option("--commitment-signed", help="当事人已签署信用承诺书")
    ] = False,
    kind: Annotated[str, typer.Option("--kind", help="ordinary 或 bankruptcy")] = "ordinary",
    materials: Files = None,
    note: Note = "",
    actor: Actor = None,
    certificate: Annotated[
        str | None,
        typer.Option("--certificate", help="诚信教育证书编号（修复规则要求诚信教育的必填）"),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """代当事人录入信用修复申请（窗口受理的纸质申请）。"""
    from xinyong.access import service as access
    from xinyong.repair import service as repair

    operator = operator_actor()

    def work(platform: Platform) -> Any:
        uploads = _uploads(materials)
        with platform.transaction() as conn:
            key = _subject_key(conn, platform, code)
            case = repair.apply(
                conn,
                platform.repair_deps(),
                subject_key=key,
                record=record,
                kind=kind,
                commitment_signed=committed,
                signatory=signatory,
                materials=uploads,
                actor=actor or operator,
                now=platform.clock.now(),
                note=note,
                training_certificate=certificate,
            )
            access.audit(conn, operator, "repair_apply", f"case:{case.id}", platform.clock.now())
        with platform.engine.connect() as conn:
            view = repair.case_view(
                conn, platform.repair_deps(), case.id, today=platform.clock.today(), role=None
            )
        return view

    def show(view: Any) -> None:
        typer.echo(f"已提交：信用修复办件 {view['id']}")
        _echo_case(view)

    run_and_show(as_json, work, show)


def _step(
    case_id: int,
    name: str,
    *,
    department: str | None,
    role: str,
    note: str,
    materials: list[Path] | None,
    actor: str | None,
    as_json: bool,
) -> None:
    from xinyong.access import service as access
    from xinyong.repair import service as repair

    operator = operator_actor()

    def work(platform: Platform) -> Any:
        uploads = _uploads(materials)
        with platform.transaction() as conn:
            case = repair.get_repair(conn, case_id)
            repair.step(
                conn,
                platform.repair_deps(),
                case_id,
                name,
                actor=actor or operator,
                role=role,
                now=platform.clock.now(),
                department_code=department,
                subject_key=case.subject_key,
                note=note,
                materials=uploads,
            )
            access.audit(conn, operator, f"repair_{name}", f"case:{case_id}", platform.clock.now())
        with platform.engine.connect() as conn:
            view = repair.case_view(
                conn, platform.repair_deps(), case_id, today=platform.clock.today(), role=None
            )
        return view

    run_and_show(as_json, work, _echo_case)


def _department_step(name: str, doc: str) -> None:
    def command(
        case_id: Annotated[int, typer.Argument(help="信用修复办件编号")],
        department: Department = None,
        note: Note = "",
        materials: Files = None,
        actor: Actor = None,
        as_json: AsJson = False,
    ) -> None:
        _step(
            case_id,
            name,
            department=department,
            role="department",
            note=note,
            materials=materials,
            actor=actor,
            as_json=as_json,
        )

    command.__doc__ = doc
    app.command(name)(command)


for _name, _doc in (
    ("accept", "受理（令36：3个工作日内；令107：2个工作日内）。"),
    ("incomplete", "一次性告知需补正的全部材料（--note 列明）。"),
    ("extend", "延长决定期限（--note 记录理由；决定期限届满前）。"),
    ("approve", "决定予以修复：当日停止公示、移出名单、解除措施。"),
    ("refuse", "决定不予修复（--note 写明理由）。"),
    ("mask", "破产重整：临时修复（暂停公示）。"),
    ("restore", "破产重整计划未执行：恢复公示（--note）。"),
):
    _department_step(_name, _doc)


@app.command("complete-plan")
def complete_plan_cmd(
    case_id: Annotated[int, typer.Argument(help="信用修复办件编号")],
    department: Department = None,
    note: Note = "",
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """重整计划或和解协议执行完毕：予以修复。"""
    _step(
        case_id,
        "complete_plan",
        department=department,
        role="department",
        note=note,
        materials=None,
        actor=actor,
        as_json=as_json,
    )


@app.command("complete")
def complete_cmd(
    case_id: Annotated[int, typer.Argument(help="信用修复办件编号")],
    materials: Files = None,
    note: Note = "",
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """代当事人录入补正的材料（补正后即受理）。"""
    _step(
        case_id,
        "complete",
        department=None,
        role="subject",
        note=note,
        materials=materials,
        actor=actor,
        as_json=as_json,
    )


@app.command("void")
def void_cmd(
    case_id: Annotated[int, typer.Argument(help="信用修复办件编号")],
    note: Note = "",
    department: Department = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """弄虚作假：撤销修复、恢复公示，三年内不得再申请（信用办；带 --department 为认定部门）。"""
    _step(
        case_id,
        "void",
        department=department,
        role="department" if department else "office",
        note=note,
        materials=None,
        actor=actor,
        as_json=as_json,
    )


@app.command("show")
def show_cmd(
    case_id: Annotated[int, typer.Argument(help="信用修复办件编号")],
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """办件详情：状态、期限、承诺、办理记录、材料与可办理的操作。"""
    from xinyong.repair import service as repair

    read_and_show(
        as_json,
        ("read_repair", f"case:{case_id}", purpose),
        lambda conn, platform: repair.case_view(
            conn, platform.repair_deps(), case_id, today=platform.clock.today(), role=None
        ),
        _echo_case,
    )


@app.command("list")
def list_cmd(
    department: Department = None,
    state: StateOpt = None,
    overdue: OverdueOpt = False,
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """待办的信用修复办件，按期限先后，标明是否超期。"""
    from xinyong.repair import service as repair

    def show(out: Any) -> None:
        for r in out["repairs"]:
            flag = "（已超期）" if r["overdue"] else ""
            typer.echo(
                f"{r['id']:>6}  {r['state_label']:<14} 期限 {due_text(r['due'])}{flag}  "
                f"{r['subject']['name'] or r['subject']['code']}  {r['record']['number']}"
            )
        typer.echo(f"共 {out['total']} 件")

    read_and_show(
        as_json,
        ("read_repairs", "repairs", purpose),
        lambda conn, platform: repair.find(
            conn,
            platform.repair_deps(),
            today=platform.clock.today(),
            department_code=department,
            state=state,
            overdue_only=overdue,
        ),
        show,
    )


@app.command("sample")
def sample_cmd(
    month: Annotated[str, typer.Argument(help="月份 YYYY-MM（该月予以修复的办件）")],
    seed: Annotated[str | None, typer.Option("--seed", help="随机种子（缺省由平台生成）")] = None,
    as_json: AsJson = False,
) -> None:
    """按配置比例随机抽取某月予以修复的办件复查，记录种子、总体与结果。"""
    from xinyong.access import service as access
    from xinyong.repair import service as repair

    operator = operator_actor()

    def work(platform: Platform) -> Any:
        with platform.engine.begin() as conn:
            drawn = repair.draw_sample(
                conn,
                platform.repair_deps(),
                month,
                actor=operator,
                now=platform.clock.now(),
                seed=seed,
            )
            access.audit(
                conn, operator, "draw_repair_sample", f"month:{month}", platform.clock.now()
            )
        return drawn

    def show(drawn: Any) -> None:
        typer.echo(
            f"{month}：予以修复 {len(drawn['population'])} 件，按 {drawn['ratio']:.0%} 抽取 "
            f"{len(drawn['drawn'])} 件：{'、'.join(map(str, drawn['drawn'])) or '无'}（种子 {drawn['seed']}）"
        )

    run_and_show(as_json, work, show)
