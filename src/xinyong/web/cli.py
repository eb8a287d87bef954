"""The ``xinyong`` command line: a thin shell over the services."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from xinyong.kernel.errors import XinyongError
from xinyong.web.commands import checks as checks_commands
from xinyong.web.commands import lists as lists_commands
from xinyong.web.commands import reports as reports_commands
from xinyong.web.commands import warnings as warnings_commands
from xinyong.web.commands.common import ChineseErrors, _date, _fail, _platform, configure_logging

app = typer.Typer(
    help="xinyong 公共信用信息平台",
    no_args_is_help=True,
    add_completion=False,
    cls=ChineseErrors,  # every error is one Chinese line, details in the log
)
db_app = typer.Typer(help="数据库结构（迁移）", no_args_is_help=True)
audit_app = typer.Typer(help="账本完整性审计", no_args_is_help=True)
calendar_app = typer.Typer(help="法定工作日历", no_args_is_help=True)
department_app = typer.Typer(help="报送部门", no_args_is_help=True)
key_app = typer.Typer(help="API 密钥", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(calendar_app, name="calendar")
app.add_typer(department_app, name="department")
app.add_typer(key_app, name="key")
app.add_typer(lists_commands.app, name="lists")
app.add_typer(reports_commands.app, name="reports")
app.add_typer(warnings_commands.app, name="warnings")
app.command("check")(checks_commands.check_cmd)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """建立或升级数据库结构（XINYONG_DATABASE_URL 选择数据库）。"""
    from xinyong.store.db import make_engine
    from xinyong.store.migrate import current, upgrade

    engine = make_engine()
    upgrade(engine)
    typer.echo(
        f"数据库已升级到 {current(engine)}（{engine.url.render_as_string(hide_password=True)}）"
    )


@app.command("import")
def import_file(
    path: Annotated[Path, typer.Argument(help="CSV、XLSX 或 JSON 文件")],
    source: Annotated[str, typer.Option("--source", help="报送部门代码")],
    item: Annotated[str | None, typer.Option("--item", help="目录信息项代码，如 XZCF")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    rejections_out: Annotated[
        Path | None, typer.Option("--rejections-out", help="退回文件的保存路径")
    ] = None,
) -> None:
    """导入一个双公示等信用信息文件：有效行入账，无效行逐行说明原因并导出退回文件。"""
    platform = _platform()
    try:
        data = path.read_bytes()
    except OSError as exc:
        _fail(
            XinyongError(f"cannot read {path}: {exc}", f"无法读取文件 {path}：{exc.strerror}"),
            as_json,
        )
    try:
        result = platform.importer().import_bytes(
            data, filename=path.name, department_code=source, item_code=item, channel="cli"
        )
    except XinyongError as exc:
        _fail(exc, as_json)
    out = result.as_dict()
    if result.rejection_file is not None:
        target = rejections_out or (
            platform.settings.data_dir / "rejections" / f"{path.stem}{result.rejection_suffix}"
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(result.rejection_file)
        out["rejection_file"] = str(target)
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, default=str))
        return
    typer.echo(
        f"{result.item_name}（{result.item}）导入完成：共 {result.rows} 行，"
        f"接收 {result.accepted}，拒收 {result.rejected}，重复 {result.duplicates}，"
        f"更正 {result.corrections}，超期报送 {result.late}。批次号 {result.batch_id}"
    )
    for r in result.rejections[:50]:
        typer.echo(f"  第{r['row']}行 {r['field']}：“{r['value']}” —— {r['reason']}")
    if len(result.rejections) > 50:
        typer.echo(f"  ……另有 {len(result.rejections) - 50} 条问题")
    for w in result.warnings[:20]:
        typer.echo(f"  提示 第{w['row']}行 {w['field']}：{w['reason']}")
    for f in result.flags[:20]:
        typer.echo(f"  待核实 第{f['row']}行：{f['detail']}")
    if result.ignored_columns:
        typer.echo(f"  未识别的列（已忽略）：{'、'.join(result.ignored_columns)}")
    if "rejection_file" in out:
        typer.echo(f"退回文件（修改后可重新报送）：{out['rejection_file']}")


@app.command("revoke")
def revoke(
    item: Annotated[str, typer.Argument(help="目录信息项代码，如 XZCF")],
    subject: Annotated[str, typer.Argument(help="主体统一社会信用代码")],
    record: Annotated[str, typer.Argument(help="记录标识，如行政处罚决定书文号")],
    source: Annotated[str, typer.Option("--source", help="报送部门代码")],
    reason: Annotated[str, typer.Option("--reason", help="撤销理由，如：处罚决定已被复议撤销")],
) -> None:
    """撤销一条已报送的记录（原决定被撤销或报送有误）：追加撤销条目，立即停止公示，历史可查。"""
    from xinyong.ingest.service import revoke_record

    platform = _platform()
    try:
        entry_id = revoke_record(
            platform.engine,
            platform.catalogue,
            platform.clock,
            department_code=source,
            item_code=item,
            subject_code=subject,
            record=record,
            reason=reason,
            sanctions=platform.sanctions,
        )
    except XinyongError as exc:
        _fail(exc)
    typer.echo(f"已撤销（撤销条目 {entry_id}），该记录即日起不再公示")


@app.command("rebuild")
def rebuild_cmd() -> None:
    """由账本重建名单成员与主体状态（投影），结果与增量维护一致。"""
    from xinyong.lists.service import rebuild

    platform = _platform()
    with platform.engine.begin() as conn:
        n = rebuild(conn, platform.sanctions, platform.catalogue)
    typer.echo(f"已重建 {n} 个主体的名单状态")


@app.command("file")
def credit_file(
    code: Annotated[str, typer.Argument(help="统一社会信用代码")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="查看某日的档案")] = None,
    view: Annotated[str, typer.Option("--view", help="public 或 internal")] = "internal",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """查看主体的信用档案（按目录类别分组，含来源与公示状态）。"""
    from xinyong.access.service import audit
    from xinyong.creditfile.service import build_credit_file

    if view not in ("public", "internal"):
        _fail(XinyongError(f"bad view {view}", "--view 只能是 public 或 internal"), as_json)
    platform = _platform()
    day = _date(as_of, platform.clock.today())
    try:
        with platform.engine.begin() as conn:
            cf = build_credit_file(conn, platform.catalogue, code, as_of=day, view=view)  # type: ignore[arg-type]
            if view == "internal":
                audit(
                    conn,
                    "cli",
                    "read_file",
                    f"subject:{code}",
                    platform.clock.now(),
                    detail={"as_of": day.isoformat()},
                )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(cf.as_dict(), ensure_ascii=False, default=str))
        return
    s = cf.subject
    typer.echo(
        f"{s['name']}  {s['code']}  {s['kind']}  （截至 {cf.as_of}，{'公开' if view == 'public' else '内部'}视图）"
    )
    for group in cf.groups:
        typer.echo(f"【{group['category']}】")
        for item in group["items"]:
            typer.echo(f"  {item['item_name']}（{len(item['records'])} 条）")
            for rec in item["records"]:
                pub = rec["publication"]
                typer.echo(
                    f"    {rec['decision_date'] or ''} {rec['record_key']} {rec['severity'] or ''} "
                    f"[{pub['status']}] 来源：{rec['provenance']['department']}"
                )
    if not cf.groups:
        typer.echo("  （无记录）")


@audit_app.command("verify")
def audit_verify() -> None:
    """重算全部条目哈希、批次默克尔根与链，发现篡改或删除即以非零状态退出并指明条目。"""
    from xinyong.ledger.service import verify

    platform = _platform()
    with platform.engine.connect() as conn:
        n_batches, n_entries, problems = verify(conn)
    if problems:
        for p in problems:
            typer.echo(f"篡改/缺失：{p.message}", err=True)
        typer.echo(
            f"校验失败：{len(problems)} 处问题（{n_batches} 个批次，{n_entries} 条记录）", err=True
        )
        raise typer.Exit(1)
    typer.echo(f"账本完整：{n_batches} 个批次，{n_entries} 条记录，哈希链一致")


@app.command("quality")
def quality(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """各部门数据质量：重码/错码率（目标 ≤ 1‰）与超期报送率。"""
    from xinyong.ingest.quality import quality_report

    platform = _platform()
    with platform.engine.connect() as conn:
        report = quality_report(conn)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    typer.echo(
        "部门            报送行数   重码   错码   重错码率(‰)  达标   应限时公示  超期  超期率(%)"
    )
    for r in report["departments"]:
        typer.echo(
            f"{r['department']:<14} {r['rows']:>9} {r['code_conflicts']:>6} {r['name_conflicts']:>6} "
            f"{r['conflict_rate_permille']:>12.3f}  {'是' if r['meets_target'] else '否':<4} "
            f"{r['with_deadline']:>10} {r['late']:>5} {r['late_rate_percent']:>9.2f}"
        )


@calendar_app.command("add")
def calendar_add(
    date: Annotated[str, typer.Argument(help="起算日期")],
    n: Annotated[int, typer.Argument(help="工作日数")],
) -> None:
    """打印 DATE 之后第 N 个工作日（按国务院公布的节假日和调休安排）。"""
    from xinyong.kernel.calendar import WorkCalendar

    day = _date(date, dt.date.today())
    from xinyong.kernel.settings import get_settings

    local = get_settings().local_catalog_dir
    try:
        cal = WorkCalendar.load([local / "calendar"] if local else [])
        typer.echo(cal.add_workdays(day, n).isoformat())
    except XinyongError as exc:
        _fail(exc)


@department_app.command("add")
def department_add(
    code: str,
    name: str,
    sector: Annotated[str, typer.Option("--sector", help="行业领域代码，如 market_regulation")],
    uscc: Annotated[str | None, typer.Option("--uscc")] = None,
    issue_key: Annotated[bool, typer.Option("--key/--no-key", help="同时签发 API 密钥")] = True,
) -> None:
    """登记报送部门（并签发其业务系统的 API 密钥）。"""
    from xinyong.access import service as access

    platform = _platform()
    if sector not in platform.catalogue.sectors:
        _fail(
            XinyongError(
                f"unknown sector {sector}",
                f"未知行业领域“{sector}”，可选：{'、'.join(platform.catalogue.sectors)}",
            )
        )
    try:
        with platform.engine.begin() as conn:
            access.add_department(conn, code, name, sector, uscc, platform.clock.now())
            key = (
                access.issue_key(conn, f"{name}业务系统", "department", code, platform.clock.now())
                if issue_key
                else None
            )
    except XinyongError as exc:
        _fail(exc)
    typer.echo(f"已登记部门 {code}（{name}）")
    if key:
        typer.echo(f"API 密钥（只显示一次）：{key}")


@key_app.command("issue")
def key_issue(
    name: str,
    role: Annotated[str, typer.Option("--role", help="department / office / auditor")],
    department: Annotated[str | None, typer.Option("--department")] = None,
) -> None:
    """签发 API 密钥。"""
    from xinyong.access import service as access

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            key = access.issue_key(conn, name, role, department, platform.clock.now())
    except XinyongError as exc:
        _fail(exc)
    typer.echo(key)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """启动 REST API 与网页。"""
    import uvicorn

    from xinyong.web.app import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="info")


@app.command("generate")
def generate(
    out: Annotated[Path, typer.Option("--out", help="输出目录")],
    subjects: Annotated[int, typer.Option("--subjects", help="主体数量")] = 1000,
    seed: Annotated[int, typer.Option("--seed")] = 2019,
    province: Annotated[str, typer.Option("--province", help="省级行政区划代码前两位")] = "61",
) -> None:
    """生成一个模拟省份的报送文件（登记、许可、处罚、失信被执行人）。"""
    from xinyong.demo.generator import generate_files

    platform = _platform()
    files = generate_files(
        out, subjects=subjects, seed=seed, province=province, today=platform.clock.today()
    )
    for f in files:
        typer.echo(f"{f.department}\t{f.item}\t{f.rows}\t{f.path}")


@app.command("demo")
def demo(
    subjects: Annotated[int, typer.Option("--subjects", help="模拟主体数量")] = 300,
    port: Annotated[int, typer.Option("--port")] = 8000,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="导入后启动网页和 API")
    ] = True,
) -> None:
    """主任务：在内置 SQLite 中建立模拟省份、导入数据并在 http://127.0.0.1:8000 提供服务。"""
    from xinyong.demo.run import run_demo

    platform = _platform()
    run_demo(platform, subjects=subjects, echo=typer.echo)
    if serve_after:
        typer.echo(f"网页与 API：http://127.0.0.1:{port}/ （Ctrl+C 停止）")
        serve(port=port)


def main() -> None:
    configure_logging()
    app()


if __name__ == "__main__":
    main()
