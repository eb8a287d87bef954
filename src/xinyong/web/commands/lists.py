"""List determination cases from the command line, the expiry job and the job worker.

The command line is the operator's tool (like ``xinyong import --source``): it names the
department and the workflow role explicitly, and every step is recorded with ``--actor``.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xinyong.kernel.errors import XinyongError
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
    basis_line,
    due_text,
    echo_history,
    echo_json,
    operator_actor,
    read_and_show,
    run_and_show,
)

if TYPE_CHECKING:
    from xinyong.bootstrap import Platform

app = typer.Typer(help="名单认定办件与期满移出", no_args_is_help=True)


def _echo_notices(notices: dict[str, Any]) -> None:
    if not notices["notices"]:
        return
    typer.echo(f"提醒（未读 {notices['unread']} 条）：")
    for n in notices["notices"]:
        typer.echo(f"  [{n['id']}] {n['created_at'][:10]} {n['kind_label']}：{n['summary']}")


def _echo_case(view: dict[str, Any]) -> None:
    s = view["subject"]
    lt = view["list_type"]
    due = due_text(view["due"])
    overdue = "（已超期）" if view["overdue"] else ""
    typer.echo(
        f"办件 {view['id']}  {lt['name']}（{lt['code']}）  部门 {view['department']}  "
        f"版本 {view['version']}"
    )
    typer.echo(
        f"  主体：{s['name'] or '（未登记名称）'}  {s['code'] or s['key']}  {s['kind_label']}"
    )
    typer.echo(f"  状态：{view['state_label']}（{view['state']}）  办理期限：{due}{overdue}")
    m = view.get("membership")
    if m:
        exited = f"，{m['exited_on']} 移出（{m['exit_reason']}）" if m["exited_on"] else ""
        typer.echo(f"  列入：{m['listed_on']} 起，至 {m['until'] or '无固定期限'}{exited}")
    typer.echo("  办理记录：")
    echo_history(view["history"], role=True)
    if view["transitions"]:
        typer.echo("  可执行的操作：")
        for t in view["transitions"]:
            roles = f"  [{'、'.join(t['roles'])}]" if "roles" in t else ""
            wait = f"（{t['not_before']} 起）" if "not_before" in t else ""
            typer.echo(f"    {t['name']}  {t['label']} → {t['target_label']}{wait}{roles}")
    for n in view.get("notices", []):
        read = "" if n["read_at"] is None else "（已读）"
        typer.echo(f"  提醒 [{n['id']}]{read}：{n['summary']}")


@app.command("types")
def types_cmd(as_json: AsJson = False) -> None:
    """现行名单类型：认定部门、法律依据、时限（工作日）、期限与提前移出条件。"""
    from xinyong.lists import casework

    platform = _platform()
    sectors = platform.catalogue.sectors
    infos = [
        casework.list_type_info(lt, sectors[lt.sector].name if lt.sector in sectors else lt.sector)
        for lt in casework.list_types_in_force(platform.sanctions, platform.clock.today())
    ]
    if as_json:
        echo_json({"as_of": platform.clock.today().isoformat(), "list_types": infos})
        return
    for i in infos:
        p = i["period"]
        period = (
            "终身" if p["permanent"] else f"{p['months']}个月" if p["months"] else "无固定期限"
        ) + ("（以决定为准）" if p["by_decision"] else "")
        basis = basis_line(i["legal_basis"])
        typer.echo(f"{i['code']:<16} {i['name']}（{i['kind_label']}，{i['sector_name']}）")
        typer.echo(f"  认定：{i['deciding_authority']}")
        typer.echo(f"  依据：{basis}")
        w = i["windows"]
        windows = "，".join(
            f"{label}{w[k]}个工作日"
            for k, label in (
                ("statement_window_working_days", "陈述申辩"),
                ("decision_deadline_working_days", "决定"),
                ("publication_deadline_working_days", "公示"),
            )
            if w[k] is not None
        )
        typer.echo(f"  期限：{period}{'；时限：' + windows if windows else ''}")
        if i["early_exit"]:
            ex = i["early_exit"]
            after = f"列入满{ex['min_months']}个月后，" if ex["min_months"] else ""
            typer.echo(f"  提前移出：{after}{'；'.join(ex['conditions'])}")


@app.command("propose")
def propose_cmd(
    list_type: Annotated[str, typer.Argument(help="名单类型代码，如 SAMR_SERIOUS")],
    subject: Annotated[str, typer.Argument(help="统一社会信用代码或身份证号码")],
    department: Annotated[str, typer.Option("--department", help="提出部门代码")],
    note: Annotated[str, typer.Option("--note", help="拟列入的事由和依据")] = "",
    actor: Annotated[
        str | None, typer.Option("--actor", help="经办人（记入办理记录；默认 xinyong --operator）")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """提出拟列入（立案）。主体须已在平台登记（已报送其相关信用记录）。"""
    from xinyong.access import service as access
    from xinyong.lists import casework

    operator = operator_actor()

    def work(platform: Platform) -> Any:
        with platform.engine.begin() as conn:
            case = casework.propose_subject(
                conn,
                platform.sanctions,
                platform.calendar,
                platform.vault,
                list_type=list_type,
                subject=subject,
                department_code=department,
                actor=actor or operator,
                now=platform.clock.now(),
                catalogue_version=platform.catalogue.snapshot.version,
                note=note,
            )
            access.audit(
                conn,
                operator,
                "list_case_propose",
                f"case:{case.id}",
                platform.clock.now(),
                detail={"list_type": list_type, "department": department, "handler": actor},
            )
            view = casework.case_view(
                conn, platform.sanctions, case.id, today=platform.clock.today()
            )
        return view

    def show(view: Any) -> None:
        typer.echo(f"已立案：办件 {view['id']}")
        _echo_case(view)

    run_and_show(as_json, work, show)


@app.command("step")
def step_cmd(
    case_id: Annotated[int, typer.Argument(help="办件编号")],
    name: Annotated[str, typer.Argument(help="操作，如 notify、state_case、list、publish")],
    role: Annotated[
        str, typer.Option("--role", help="department / office / subject / system")
    ] = "department",
    note: Annotated[str, typer.Option("--note", help="说明")] = "",
    term_months: Annotated[
        int | None, typer.Option("--term-months", help="公示时：决定书确定的期限（月）")
    ] = None,
    version: Annotated[
        int | None, typer.Option("--version", help="看到的办件版本；已被更新则拒绝")
    ] = None,
    decision_date: Annotated[
        str | None,
        typer.Option(
            "--decision-date", help="该步决定书载明的日期（列入决定的期限自此起算），默认今天"
        ),
    ] = None,
    decision_number: Annotated[
        str | None, typer.Option("--decision-number", help="决定列入时必填：列入决定书文号")
    ] = None,
    grounds: Annotated[
        str | None, typer.Option("--grounds", help="决定列入时必填：列入事由（认定的失信事实）")
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="经办人（记入办理记录；默认 xinyong --operator）")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """执行一步办理（状态与角色按名单认定流程检查）。"""
    from xinyong.cases.model import ROLES
    from xinyong.lists import casework
    from xinyong.lists import service as lists

    if role not in ROLES:
        _fail(
            XinyongError(
                f"--role {role} unknown", f"--role“{role}”无效，可选：{'、'.join(sorted(ROLES))}"
            ),
            as_json,
        )
    from xinyong.access import service as access

    operator = operator_actor()

    def work(platform: Platform) -> Any:
        with platform.transaction() as conn:
            casework.get_list_case(conn, case_id)
            lists.advance(
                conn,
                platform.sanctions,
                platform.catalogue,
                platform.calendar,
                case_id,
                name,
                actor=actor or operator,
                role=role,
                now=platform.clock.now(),
                note=note,
                term_months=term_months,
                expected_version=version,
                decided_on=_date(decision_date, platform.clock.today()) if decision_date else None,
                decision_number=decision_number,
                grounds=grounds,
            )
            access.audit(
                conn,
                operator,
                "list_case_step",
                f"case:{case_id}",
                platform.clock.now(),
                detail={"step": name, "role": role, "handler": actor},
            )
            view = casework.case_view(
                conn, platform.sanctions, case_id, today=platform.clock.today()
            )
        return view

    run_and_show(as_json, work, _echo_case)


@app.command("show")
def show_cmd(
    case_id: Annotated[int, typer.Argument(help="办件编号")],
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """查看办件：状态、办理期限、是否超期、办理记录与可执行的操作。须说明查询用途。"""
    from xinyong.lists import casework

    read_and_show(
        as_json,
        ("read_case", f"case:{case_id}", purpose),
        lambda conn, platform: casework.case_view(
            conn, platform.sanctions, case_id, today=platform.clock.today()
        ),
        _echo_case,
    )


@app.command("inbox")
def inbox_cmd(
    department: DepartmentFilter = None,
    state: StateOpt = None,
    list_type: Annotated[str | None, typer.Option("--list-type", help="名单类型代码")] = None,
    overdue: OverdueOpt = False,
    page: PageOpt = 1,
    page_size: PageSizeOpt = 50,
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """待办办件，按办理期限先后排序（默认：全部未办结的办件）。须说明查询用途。"""
    from xinyong.lists import casework

    def show(out: Any) -> None:
        _echo_notices(out["notices"])
        typer.echo(f"截至 {out['as_of']}：共 {out['total']} 件（第 {out['page']} 页）")
        for c in out["cases"]:
            flag = "超期" if c["overdue"] else "    "
            due = c["due"]
            tentative = (
                f"  暂定：{due['earliest']} 至 {due['latest']}，按 {due['act_on']} 掌握"
                if due and due["provisional"]
                else ""
            )
            typer.echo(
                f"  {flag} {c['due_on'] or '无期限':<10}  办件 {c['id']:<6} {c['state_label']}  "
                f"{c['list_type']['name']}  {c['subject']['name'] or ''} {c['subject']['code'] or ''}  "
                f"{c['department']}{tentative}"
            )
        if any(c["due"] and c["due"]["provisional"] for c in out["cases"]):
            typer.echo(
                "  注：暂定期限按尚未公布放假安排的年份推算；本机关的办理时限按最早日期掌握，"
                "对当事人不利的处理待最晚日期届满后进行"
            )

    read_and_show(
        as_json,
        ("read_cases", "list-cases", purpose),
        lambda conn, platform: casework.inbox(
            conn,
            platform.sanctions,
            today=platform.clock.today(),
            department_code=department,
            state=state,
            list_type=list_type,
            overdue_only=overdue,
            page=page,
            page_size=page_size,
        ),
        show,
    )


@app.command("notices")
def notices_cmd(
    department: DepartmentFilter = None,
    all_: Annotated[bool, typer.Option("--all", help="包括已读的提醒")] = False,
    read: Annotated[int | None, typer.Option("--read", help="将该编号的提醒标为已读")] = None,
    actor: Annotated[str, typer.Option("--actor", help="经办人")] = "cli",
    as_json: AsJson = False,
) -> None:
    """办件提醒（如国务院放假安排公布后办理期限变更），--read 编号 标为已读。"""
    from xinyong.cases import recalc

    def work(platform: Platform) -> Any:
        with platform.engine.begin() as conn:
            if read is not None:
                recalc.mark_read(
                    conn, read, by=actor, department_code=department, now=platform.clock.now()
                )
            out = recalc.notices(conn, department_code=department, unread_only=not all_)
        return out

    def show(out: Any) -> None:
        if not out["notices"]:
            typer.echo("没有提醒")
            return
        _echo_notices(out)

    run_and_show(as_json, work, show)


@app.command("expire")
def expire_cmd(as_json: AsJson = False) -> None:
    """立即执行期满自动移出（平时由 worker 每日执行），输出移出的名单成员数。"""
    from xinyong.jobs.registry import run_job

    def work(platform: Platform) -> Any:
        result = run_job(platform, "expire_lists")
        return result

    def show(result: Any) -> None:
        if "skipped" in result:
            typer.echo("另一进程正在执行期满移出，本次跳过")
            return
        typer.echo(f"截至 {result['as_of']}：期满移出 {result['expired']} 个名单成员")

    run_and_show(as_json, work, show)


@app.command("jobs")
def jobs_cmd(as_json: AsJson = False) -> None:
    """列出定时任务、执行时间（北京时间）和下次执行时间。"""
    from xinyong.jobs.registry import JOBS
    from xinyong.jobs.scheduler import next_runs

    platform = _platform()
    upcoming = next_runs(platform.clock.now())
    rows = [
        {
            "name": j.name,
            "title": j.title,
            "cron": j.schedule.cron_fields(),
            "timezone": j.schedule.timezone,
            "next_run": upcoming[j.name],
        }
        for j in JOBS.values()
    ]
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['name']:<20} {r['title']}  下次：{r['next_run']}")


@app.command("worker")
def worker_cmd(
    once: Annotated[
        str | None,
        typer.Option("--once", help="立即执行一个任务后退出（供 cron/systemd 定时器使用）"),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """运行定时任务（期满自动移出、超期办件扫描）；--once 任务名 只执行一次。"""
    from xinyong.jobs.registry import run_job
    from xinyong.jobs.scheduler import run_worker

    logger = logging.getLogger("xinyong")
    logger.setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.INFO)
    platform = _platform()
    if once is None:
        run_worker(platform)
        return
    try:
        result = run_job(platform, once)
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        echo_json(result)
        return
    typer.echo(f"任务 {once} 完成：{json.dumps(result, ensure_ascii=False)}")
