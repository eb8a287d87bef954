"""The working-day calendar from the command line: a deadline, the years loaded, a provisional
draft of a year, and applying a new year file to the stored deadlines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from xinyong.kernel.errors import XinyongError
from xinyong.web.commands.common import AsJson, _date, _fail, _platform

app = typer.Typer(help="法定工作日历", no_args_is_help=True)


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


def _calendar() -> Any:
    from xinyong.kernel.calendar import WorkCalendar, local_calendar_dirs
    from xinyong.kernel.settings import get_settings

    return WorkCalendar.load(local_calendar_dirs(get_settings().local_catalog_dir))


@app.command("add")
def add_cmd(
    date: Annotated[str, typer.Argument(help="起算日期（不计入）")],
    n: Annotated[int, typer.Argument(help="工作日数（负数为向前）")],
    as_json: AsJson = False,
) -> None:
    """DATE 之后第 N 个工作日；按暂定日历计算时说明可能的最早、最晚日期。"""
    from xinyong.kernel.calendar import explain_add_workdays
    from xinyong.kernel.clock import SystemClock

    day = _date(date, SystemClock().today())  # today in Beijing, whatever the host's zone
    try:
        cal = _calendar()
        due = cal.deadline(day, n)
        text = explain_add_workdays(day, n, cal)
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json(
            {
                "start": day.isoformat(),
                "n": n,
                **due.as_dict(),
                "start_description": cal.describe(day),
                "description": cal.describe(due.date),
            }
        )
        return
    typer.echo(text)


@app.command("years")
def years_cmd(as_json: AsJson = False) -> None:
    """已载入的年份：正式（国务院已公布）或暂定，来源文件与依据。"""
    from xinyong.kernel.calendar import STATUS_LABELS

    try:
        cal = _calendar()
    except XinyongError as exc:
        _fail(exc, as_json)
    rows = [
        {
            "year": s.year,
            "status": s.status,
            "status_label": STATUS_LABELS[s.status],
            "source": s.source,
            "source_url": s.source_url,
            "file": s.origin,
            "digest": s.digest(),
            "windows": [
                {
                    "name": w.name,
                    "from": w.start.isoformat(),
                    "to": w.end.isoformat(),
                    "extra_days_off": w.extra_days_off,
                }
                for w in s.windows
            ],
        }
        for s in cal.schedules()
    ]
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['year']}  {r['status_label']}  {r['source']}")
        for w in r["windows"]:
            typer.echo(f"        可能调整：{w['name']} {w['from']} 至 {w['to']}")


@app.command("draft")
def draft_cmd(
    year: Annotated[int, typer.Argument(help="年份，如 2028")],
    out: Annotated[Path | None, typer.Option("--out", help="写入该文件夹（默认只打印）")] = None,
) -> None:
    """按《全国年节及纪念日放假办法》和农历生成某年的暂定安排（国务院公布前使用）。"""
    from xinyong.kernel.holiday_law import provisional_year_text

    try:
        text = provisional_year_text(year)
    except XinyongError as exc:
        _fail(exc)
    if out is None:
        typer.echo(text, nl=False)
        return
    target = out / f"{year}.yaml"
    if target.exists():
        _fail(XinyongError(f"{target} exists", f"{target} 已存在，未覆盖"))
    out.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    typer.echo(f"已写入暂定安排 {target}；国务院公布后请以 status: official 的文件取代")


@app.command("apply")
def apply_cmd(as_json: AsJson = False) -> None:
    """按磁盘上的日历文件重算已存的期限：放入正式年份文件后执行（每天 7:00 也自动执行）。"""
    from xinyong.jobs.registry import run_job

    platform = _platform()
    try:
        result = run_job(platform, "apply_calendar")
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json(result)
        return
    if "skipped" in result:
        typer.echo("另一进程正在重算期限，本次跳过")
        return
    if not result["years"]:
        typer.echo("日历没有变化，已存的期限无需重算")
    for y in result["years"]:
        typer.echo(f"{y['year']}年：{y['new_status_label']}（{y['reason']}）")
    for w in result["warnings"]:
        typer.echo(f"  提示：{w['message']}")
    for c in result["cases"]:
        old, new = c["old"], c["new"]
        typer.echo(
            f"  办件 {c['case']}（{c['department']}，{c['state_label']}）{c['deadline_label']}："
            f"{old['date']} → {new['date']}"
            + (f"（暂定，{new['earliest']} 至 {new['latest']}）" if new["provisional"] else "")
        )
    for e in result["early_actions"]:
        typer.echo(
            f"  注意：办件 {e['case']} 于 {e['taken_on']} 已作处理，早于{e['window']}"
            f"届满日 {e['window_ends']}，已通知部门 {e['department']}"
        )
    if result["years"]:
        typer.echo(
            f"办件期限变更 {len(result['cases'])} 件；公示时限重算 {result['entries_moved']} 条"
            f"（超期标记变化 {result['late_changed']} 条）"
        )
    if result["restart_needed_for"]:
        years = "、".join(str(y) for y in result["restart_needed_for"])
        typer.echo(f"请重启网站和定时任务进程，使新的期限按 {years} 年的新日历计算")
