"""Monthly statistics of checks and measures, and typical cases."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from xinyong.kernel.errors import XinyongError
from xinyong.web.commands.common import PurposeOpt, _fail, _platform, audit_read, operator_actor

app = typer.Typer(help="统计与典型案例", no_args_is_help=True)


def _width(text: str) -> int:
    # Chinese characters take two terminal columns; aligning by len() would skew the table.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    cells = [[str(h) for h in headers], *[["" if v is None else str(v) for v in r] for r in rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True))

    return [line(cells[0]), "  ".join("-" * w for w in widths), *(line(r) for r in cells[1:])]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _print_monthly(stats: dict[str, Any]) -> None:
    from xinyong.reports.rules import EXIT_REASONS
    from xinyong.reports.xlsx import KIND_NAMES

    t = stats["totals"]
    scope = f"，部门 {stats['department']}" if stats["department"] else ""
    partial = "" if stats["complete"] else "（本月尚未结束，数据截至生成时）"
    typer.echo(f"{stats['month']} 月度统计（北京时间{scope}）{partial}")
    typer.echo("")
    typer.echo("按核查部门")
    rows: list[list[Any]] = [
        [d["department"] or "—", d["name"], d["checks"], d["checks_with_measures"], d["subjects"]]
        for d in stats["departments"]
    ]
    rows.append(["合计", "", t["checks"], t["checks_with_measures"], t["subjects"]])
    for text in _table(("部门", "名称", "核查次数", "有措施", "涉及主体"), rows):
        typer.echo("  " + text)
    typer.echo("")
    typer.echo("按措施（反馈截至生成时）")
    rows = [
        [
            m["measure"],
            m["name"],
            m["returned"],
            m["applied"],
            m["not_applied"],
            m["no_feedback"],
            _percent(m["coverage"]),
        ]
        for m in stats["measures"]
    ]
    rows.append(
        [
            "合计",
            "",
            t["measures_returned"],
            t["applied"],
            t["not_applied"],
            t["no_feedback"],
            _percent(t["coverage"]),
        ]
    )
    headers: tuple[str, ...] = (
        "措施",
        "名称",
        "返回次数",
        "已实施",
        "未实施",
        "尚未反馈",
        "覆盖率",
    )
    for text in _table(headers, rows):
        typer.echo("  " + text)
    typer.echo("")
    typer.echo(f"按名单类型（月末在列统计日 {stats['members_on']}）")
    rows = [
        [
            x["list_type"],
            x["name"],
            KIND_NAMES.get(x["kind"] or "", ""),
            x["listed"],
            *(x["exits"].get(r, 0) for r in EXIT_REASONS),
            x["members_at_end"],
        ]
        for x in stats["list_types"]
    ]
    rows.append(
        [
            "合计",
            "",
            "",
            t["listed"],
            *(t["exits"].get(r, 0) for r in EXIT_REASONS),
            t["members_at_end"],
        ]
    )
    headers = ("名单类型", "名称", "类别", "新列入", *EXIT_REASONS.values(), "月末在列")
    for text in _table(headers, rows):
        typer.echo("  " + text)


@app.command("monthly")
def monthly_cmd(
    month: Annotated[str, typer.Option("--month", help="统计月份（北京时间），如 2026-06")],
    department: Annotated[
        str | None, typer.Option("--department", help="只统计该部门（核查部门、认定部门）")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="同时写出 Excel 文件（中文表头）")
    ] = None,
    purpose: PurposeOpt = None,
) -> None:
    """月度统计：按核查部门、按措施（含反馈情况）、按名单类型，及合计。须说明查询用途。"""
    from xinyong.reports import service as reports
    from xinyong.reports.xlsx import monthly_workbook

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            target = f"monthly:{month}" + (f":{department}" if department else "")
            audit_read(conn, platform, "read_monthly_report", target, purpose)
            stats = reports.monthly_statistics(
                conn,
                platform.sanctions,
                month=month,
                today=platform.clock.today(),
                now=platform.clock.now(),
                department=department,
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if xlsx is not None:
        xlsx.parent.mkdir(parents=True, exist_ok=True)
        xlsx.write_bytes(monthly_workbook(stats))
    if as_json:
        typer.echo(json.dumps(stats, ensure_ascii=False))
        return
    _print_monthly(stats)
    if xlsx is not None:
        typer.echo(f"\n已写出 Excel 文件：{xlsx}")


@app.command("dashboard")
def dashboard_cmd(
    months: Annotated[int, typer.Option("--months", help="统计月数（含本月）")] = 12,
    department: Annotated[str | None, typer.Option("--department", help="只统计该部门")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    purpose: PurposeOpt = None,
) -> None:
    """工作台统计：按部门和月份的报送、数据质量、名单规模与黑名单占比、核查与措施、预警。须说明查询用途。"""
    from xinyong.reports import service as reports

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            target = f"dashboard:{months}" + (f":{department}" if department else "")
            audit_read(conn, platform, "read_dashboard", target, purpose)
            stats = reports.dashboard(
                conn,
                platform.sanctions,
                today=platform.clock.today(),
                now=platform.clock.now(),
                months=months,
                department=department,
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(stats, ensure_ascii=False))
        return
    scope = f"，部门 {department}" if department else ""
    typer.echo(f"工作台统计（{stats['months'][0]} 至 {stats['months'][-1]}，北京时间{scope}）")
    typer.echo("\n报送（按月、按部门）")
    rows: list[list[Any]] = [
        [
            r["month"],
            r["department_name"],
            r["rows"],
            r["accepted"],
            r["rejected"],
            _percent(r["on_time_rate"]),
        ]
        for r in stats["records"]
    ]
    for text in _table(("月份", "部门", "报送行", "接收", "拒收", "按时率"), rows):
        typer.echo("  " + text)
    q = stats["quality"]
    typer.echo(f"\n数据质量（重码/错码率目标 ≤ {q['target_permille']}‰）")
    rows = [
        [
            d["department_name"],
            d["rows"],
            _percent(d["rejection_rate"]),
            f"{d['conflict_rate_permille']}‰",
            "达标" if d["meets_target"] else "未达标",
        ]
        for d in q["departments"]
    ]
    for text in _table(("部门", "报送行", "拒收率", "重错码率", "目标"), rows):
        typer.echo("  " + text)
    lists = stats["lists"]
    typer.echo(f"\n名单（{lists['on']} 在列）")
    for t in lists["types"]:
        typer.echo(f"  {t['name']}：{t['members']}")
    if lists["black_list_ratio"] is not None:
        typer.echo(
            f"  黑名单主体 {lists['black_listed_subjects']} / 市场主体 {lists['organisations']}"
            f"（{_percent(lists['black_list_ratio'])}）"
        )
    typer.echo("\n核查与措施（按月）")
    rows = [
        [
            c["month"],
            c["checks"],
            c["checks_with_measures"],
            c["measures_returned"],
            c["measures_applied"],
        ]
        for c in stats["checks"]
    ]
    for text in _table(("月份", "核查", "有措施", "返回措施", "已实施"), rows):
        typer.echo("  " + text)
    if "alerts" in stats:
        typer.echo("\n预警：" + "，".join(f"{a['name']} {a['count']}" for a in stats["alerts"]))


def _print_case(case: dict[str, Any]) -> None:
    state = f"[{case['state_name']}] " if "state_name" in case else ""
    typer.echo(f"#{case['id']} {state}{case['category_name']}｜{case['title']}")
    measures = "、".join(f"{m['measure']} {m['name']}" for m in case["measures"])
    typer.echo(f"    部门：{case['department']['name']}；措施：{measures}")
    if case["subject"]:
        typer.echo(f"    主体：{case['subject']}")
    if case.get("published_at"):
        typer.echo(f"    发布：{case['published_at']} {case.get('published_by') or ''}".rstrip())
    if case.get("withdrawn_at"):
        typer.echo(f"    撤回：{case['withdrawn_at']} {case.get('withdraw_reason') or ''}".rstrip())


def _emit(case: dict[str, Any], as_json: bool, done: str) -> None:
    if as_json:
        typer.echo(json.dumps(case, ensure_ascii=False))
        return
    _print_case(case)
    typer.echo(done)


@app.command("typical-add")
def typical_add_cmd(
    title: Annotated[str, typer.Option("--title", help="标题")],
    summary: Annotated[str, typer.Option("--summary", help="案例摘要（不得含身份证号码）")],
    category: Annotated[str, typer.Option("--category", help="惩戒 或 激励")],
    measure: Annotated[list[str], typer.Option("--measure", help="相关措施代码，可多次填写")],
    department: Annotated[str, typer.Option("--department", help="部门代码")],
    subject: Annotated[str | None, typer.Option("--subject", help="组织的统一社会信用代码")] = None,
    receipt: Annotated[str | None, typer.Option("--receipt", help="关联核查回执号")] = None,
    case_id: Annotated[int | None, typer.Option("--case", help="关联名单认定办件号")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """登记典型案例（草稿）。"""
    from xinyong.reports import service as reports

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            case = reports.add_typical_case(
                conn,
                platform.sanctions,
                title=title,
                summary=summary,
                category=category,
                measures=measure,
                department_code=department,
                actor=operator_actor(),
                now=platform.clock.now(),
                subject=subject,
                receipt=receipt,
                case_id=case_id,
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    _emit(case, as_json, "已登记为草稿，发布：xinyong reports typical-publish " + str(case["id"]))


@app.command("typical-publish")
def typical_publish_cmd(
    case_id: Annotated[int, typer.Argument(help="典型案例编号")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """发布典型案例（仅草稿可发布）。"""
    from xinyong.reports import service as reports

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            case = reports.publish_typical_case(
                conn, platform.sanctions, case_id, actor=operator_actor(), now=platform.clock.now()
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    _emit(case, as_json, "已发布")


@app.command("typical-withdraw")
def typical_withdraw_cmd(
    case_id: Annotated[int, typer.Argument(help="典型案例编号")],
    reason: Annotated[str, typer.Option("--reason", help="撤回理由")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """撤回已发布的典型案例。"""
    from xinyong.reports import service as reports

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            case = reports.withdraw_typical_case(
                conn,
                platform.sanctions,
                case_id,
                actor=operator_actor(),
                now=platform.clock.now(),
                reason=reason,
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    _emit(case, as_json, "已撤回")


@app.command("typical-list")
def typical_list_cmd(
    public: Annotated[
        bool, typer.Option("--public", help="只列已发布案例的公开内容（与网站一致）")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="最多显示条数")] = 100,
    purpose: PurposeOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """列出典型案例（默认全部状态，最新发布在前；内部内容须说明查询用途，--public 不需要）。"""
    from xinyong.reports import service as reports

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            if not public:
                audit_read(conn, platform, "read_typical_cases", "typical-cases", purpose)
            items = reports.list_typical_cases(
                conn, platform.sanctions, internal=not public, limit=limit
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(items, ensure_ascii=False))
        return
    for case in items:
        _print_case(case)
    typer.echo(f"共 {len(items)} 条")
