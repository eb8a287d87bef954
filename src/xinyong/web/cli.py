"""The ``xinyong`` command line: a thin shell over the services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from xinyong.kernel.errors import XinyongError
from xinyong.web.commands import access as access_commands
from xinyong.web.commands import anchors as anchors_commands
from xinyong.web.commands import announcements as announcements_commands
from xinyong.web.commands import backup as backup_commands
from xinyong.web.commands import calendar as calendar_commands
from xinyong.web.commands import checks as checks_commands
from xinyong.web.commands import commitments as commitments_commands
from xinyong.web.commands import evaluation as evaluation_commands
from xinyong.web.commands import imports as imports_commands
from xinyong.web.commands import inspections as inspections_commands
from xinyong.web.commands import lists as lists_commands
from xinyong.web.commands import notifications as notifications_commands
from xinyong.web.commands import objections as objections_commands
from xinyong.web.commands import rectifications as rectification_commands
from xinyong.web.commands import repair as repair_commands
from xinyong.web.commands import reports as reports_commands
from xinyong.web.commands import search as search_commands
from xinyong.web.commands import subject_accounts as subject_account_commands
from xinyong.web.commands import trainings as trainings_commands
from xinyong.web.commands import users as users_commands
from xinyong.web.commands import voluntary as voluntary_commands
from xinyong.web.commands import warnings as warnings_commands
from xinyong.web.commands.common import (
    ChineseErrors,
    _date,
    _fail,
    _platform,
    configure_logging,
    operator_actor,
    set_operator,
)

app = typer.Typer(
    help="xinyong 公共信用信息平台",
    no_args_is_help=True,
    add_completion=False,
    cls=ChineseErrors,  # every error is one Chinese line, details in the log
)
db_app = typer.Typer(help="数据库结构（迁移）", no_args_is_help=True)
audit_app = typer.Typer(help="账本完整性审计", no_args_is_help=True)
app.add_typer(announcements_commands.app, name="announcements")
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(calendar_commands.app, name="calendar")
app.add_typer(access_commands.department_app, name="department")
app.add_typer(access_commands.key_app, name="key")
app.add_typer(imports_commands.app, name="imports")
app.add_typer(evaluation_commands.app, name="evaluation")
app.add_typer(lists_commands.app, name="lists")
app.add_typer(notifications_commands.events_app, name="events")
app.add_typer(notifications_commands.messages_app, name="messages")
app.add_typer(repair_commands.app, name="repairs")
app.add_typer(objections_commands.app, name="objections")
app.add_typer(rectification_commands.app, name="rectifications")
app.add_typer(voluntary_commands.app, name="voluntary")
app.add_typer(commitments_commands.app, name="commitments")
app.add_typer(trainings_commands.app, name="trainings")
app.add_typer(reports_commands.app, name="reports")
app.add_typer(warnings_commands.app, name="warnings")
app.add_typer(inspections_commands.app, name="inspections")
audit_app.command("keygen")(anchors_commands.keygen_cmd)
audit_app.command("anchor-key")(anchors_commands.anchor_key_cmd)
audit_app.command("anchor")(anchors_commands.anchor_cmd)
audit_app.command("anchors-export")(anchors_commands.anchors_export_cmd)
app.add_typer(users_commands.app, name="user")
app.add_typer(subject_account_commands.app, name="subject-account")
app.command("search")(search_commands.search_cmd)
app.command("check")(checks_commands.check_cmd)
app.command("backup")(backup_commands.backup_cmd)
app.command("restore")(backup_commands.restore_cmd)
app.command("scenarios")(checks_commands.scenarios_cmd)
app.command("verify-draw")(inspections_commands.verify_draw_cmd)


@app.callback()
def _operator(
    operator: Annotated[
        str | None,
        typer.Option("--operator", help="操作人（记入审计日志），默认当前系统用户"),
    ] = None,
) -> None:
    """xinyong 公共信用信息平台"""
    set_operator(operator)


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
    backfill: Annotated[
        bool,
        typer.Option("--backfill", help="补录历史数据：保留公示时限，但不计入超期报送"),
    ] = False,
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
            data,
            filename=path.name,
            department_code=source,
            item_code=item,
            channel="cli",
            backfill=backfill,
            actor=operator_actor(),
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
    if result.backfill:
        typer.echo(
            f"  历史数据补录：不计超期报送（其中 {result.past_deadline} 行报送时已过公示时限）"
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
    item: Annotated[str, typer.Argument(help="目录信息项代码，如 XZCF、SXBZXR")],
    subject: Annotated[
        str, typer.Argument(help="主体统一社会信用代码；自然人为身份证号码（按密钥哈希查找）")
    ],
    record: Annotated[str, typer.Argument(help="记录标识，如行政处罚决定书文号、执行案号")],
    source: Annotated[str, typer.Option("--source", help="报送部门代码")],
    reason: Annotated[str, typer.Option("--reason", help="撤销理由，如：处罚决定已被复议撤销")],
    id_type: Annotated[
        str | None,
        typer.Option("--id-type", help="自然人的证件类型（默认身份证），如 02 或 护照"),
    ] = None,
) -> None:
    """撤销一条已报送的记录（原决定被撤销、已履行或报送有误）。

    追加撤销条目，立即停止公示；由该记录产生的名单（如失信被执行人）随之移出，历史可查。
    """
    from xinyong.ingest.service import revoke_record

    platform = _platform()
    try:
        with platform.transaction() as conn:
            entry_id = revoke_record(
                conn,
                platform.catalogue,
                platform.vault,
                now=platform.clock.now(),
                department_code=source,
                item_code=item,
                subject=subject,
                record=record,
                reason=reason,
                actor=operator_actor(),
                sanctions=platform.sanctions,
                id_type=id_type,
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
    view: Annotated[
        str,
        typer.Option(
            "--view", help="public（默认，社会公开的内容）或 internal（内部视图，须填写 --purpose）"
        ),
    ] = "public",
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="查询用途（内部视图必填，记入审计日志）")
    ] = None,
    department: Annotated[
        str | None,
        typer.Option(
            "--department",
            help="以该部门的视角查看内部视图：公开信息、本部门的记录和目录规定共享的其他部门记录",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """查看主体的信用档案（按目录类别分组，含来源与公示状态）。"""
    from xinyong.access.service import require_purpose
    from xinyong.creditfile.service import read_credit_file
    from xinyong.creditfile.text import render_text

    if view not in ("public", "internal"):
        _fail(XinyongError(f"bad view {view}", "--view 只能是 public 或 internal"), as_json)
    try:
        stated = require_purpose(purpose) if view == "internal" else ""
    except XinyongError as exc:
        hint = "；用 --purpose 说明，或用 --view public 查看公开视图"
        _fail(XinyongError(exc.message_en, exc.message_zh + hint), as_json)
    platform = _platform()
    day = _date(as_of, platform.clock.today())
    if department is not None and view != "internal":
        _fail(
            XinyongError(
                "--department needs --view internal",
                "--department 仅用于内部视图（--view internal）",
            ),
            as_json,
        )
    try:
        with platform.engine.begin() as conn:
            if department is not None:
                from xinyong.access.service import require_department

                require_department(conn, department)
            cf = read_credit_file(
                conn,
                platform.catalogue,
                platform.sanctions,
                code,
                as_of=day,
                view=view,  # type: ignore[arg-type]
                now=platform.clock.now(),
                actor=operator_actor(),
                purpose=stated,
                department=department,
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(cf.as_dict(), ensure_ascii=False, default=str))
        return
    typer.echo(render_text(cf.as_dict()))


@audit_app.command("verify")
def audit_verify(
    anchors: Annotated[
        Path | None,
        typer.Option(
            "--anchors",
            help="此前下载并在外部保存的锚点文件（JSON Lines）：逐个核验签名，"
            "并核对账本仍有所签批次及其哈希、锚点未被删除",
        ),
    ] = None,
    public_key: Annotated[
        list[Path] | None,
        typer.Option(
            "--public-key",
            help="核验签名所用的公钥文件（PEM 或 base64，可重复），默认为本机配置的签名密钥的公钥",
        ),
    ] = None,
) -> None:
    """重算全部条目哈希、批次默克尔根与链，发现篡改或删除即以非零状态退出并指明条目。"""
    from xinyong.access.service import verify_audit
    from xinyong.ledger.service import verify
    from xinyong.lists.service import projection_differences

    platform = _platform()
    # The file and keys first: a mistyped path is refused before minutes of recomputation.
    report = (
        anchors_commands.check_anchors(platform, anchors, public_key)
        if anchors is not None
        else None
    )
    with platform.engine.connect() as conn:
        n_batches, n_entries, problems = verify(conn)
        n_audit, broken = verify_audit(conn)
    with platform.engine.connect() as conn:
        check = conn.begin()
        drift = projection_differences(conn, platform.sanctions, platform.catalogue)
        check.rollback()  # a check, not a repair (xinyong rebuild repairs)
    derived = _verify_derived(platform)
    relations = _verify_relations(platform)
    anchored = report.problems if report is not None else ()
    if problems or drift or broken or derived.mismatches or relations or anchored:
        for p in problems:
            typer.echo(f"篡改/缺失：{p.message}", err=True)
        for zh, _ in drift:
            typer.echo(f"投影不一致：{zh}", err=True)
        for r in relations:
            typer.echo(f"关系表不一致：{r.message_zh}", err=True)
        if broken is not None:
            typer.echo(f"审计日志断链：{broken.message_zh}（第一处）", err=True)
        for a in anchored:
            typer.echo(f"锚点不符：{a.message_zh}（{a.message_en}）", err=True)
        anchor_note = (
            f"，锚点 {len(anchored)} 处不符（第一处：{anchored[0].message_zh}）" if anchored else ""
        )
        typer.echo(
            f"校验失败：账本 {len(problems)} 处问题，"
            f"派生字段 {derived.mismatches} 处不一致（{derived.mismatched_entries} 条记录"
            f"{_by_column(derived.by_column)}），投影 {len(drift)} 处不一致，"
            f"关系表 {len(relations)} 处不一致，"
            f"审计日志{'断链' if broken else '完整'}{anchor_note}"
            f"（{n_batches} 个批次，{n_entries} 条记录）" + _pending_note(derived.pending),
            err=True,
        )
        raise typer.Exit(1)
    anchors_ok = (
        f"；锚点文件 {report.kept} 个锚点签名有效、均在锚点表中（共 {report.stored} 个），"
        f"账本至批次 {report.checked_up_to} 与所签哈希一致"
        if report is not None
        else ""
    )
    typer.echo(
        f"账本完整：{n_batches} 个批次，{n_entries} 条记录，哈希链一致；"
        f"派生字段（公示期、严重程度、公示政策、公示时限）与重算结果一致；"
        f"名单成员、主体状态与法定代表人等关系与账本重建结果一致；审计日志 {n_audit} 条，链完整"
        + anchors_ok
        + _pending_note(derived.pending)
    )


def _verify_derived(platform: Any) -> Any:
    """Recompute every entry's derived columns and print each difference as it is found
    (streamed: the ledger may be millions of rows). Returns the summary with its counts."""
    import logging

    from xinyong.ingest.rederive import DerivedSummary, derived_differences

    log = logging.getLogger("xinyong.audit")
    summary = DerivedSummary()
    with platform.engine.connect() as conn:
        for m in derived_differences(
            conn, platform.catalogue, platform.sanctions, platform.calendar, summary
        ):
            label = "派生字段待复核" if m.pending else "派生字段不一致"
            typer.echo(f"{label}：{m.message_zh}", err=True)
            log.info("%s: %s", "pending" if m.pending else "derived mismatch", m.message_en)
    if summary.mismatches or summary.pending:
        log.warning(
            "audit verify: %d derived column(s) of %d entr(y/ies) differ from their "
            "recomputation %s; %d pending a calendar apply",
            summary.mismatches,
            summary.mismatched_entries,
            summary.by_column,
            summary.pending,
        )
    return summary


def _verify_relations(platform: Any) -> list[Any]:
    """The relations (法定代表人 …) the ledger does not account for, logged in English."""
    import logging

    from xinyong.ingest.relations_check import relation_differences

    log = logging.getLogger("xinyong.audit")
    with platform.engine.connect() as conn:
        found = list(relation_differences(conn, platform.catalogue))
    for r in found:
        log.warning("relations: %s", r.message_en)
    return found


def _by_column(counts: dict[str, int] | None) -> str:
    if not counts:
        return ""
    return "：" + "，".join(f"{c} {n}" for c, n in sorted(counts.items()))


def _pending_note(pending: int) -> str:
    if not pending:
        return ""
    return f"；{pending} 处公示时限待日历应用后复核（请运行 xinyong calendar apply）"


@app.command("quality")
def quality(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """各部门数据质量：拒收率、重码/错码率（目标 ≤ 1‰）与超期报送率（历史补录不计超期）。"""
    from xinyong.ingest.quality import quality_report

    platform = _platform()
    with platform.engine.connect() as conn:
        report = quality_report(conn)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    target = report["target_permille"]
    for r in report["departments"]:
        typer.echo(f"{r['department_name']}（{r['department']}）")
        backfill = (
            f"；其中历史补录 {r['backfill_rows']} 行（{r['backfill_batches']} 批，不计超期）"
            if r["backfill_batches"]
            else ""
        )
        typer.echo(
            f"  报送 {r['rows']} 行，拒收 {r['rejected_rows']} 行，"
            f"拒收率 {r['rejection_rate_percent']:.2f}%{backfill}"
        )
        typer.echo(
            f"  重码 {r['code_conflicts']}、错码 {r['name_conflicts']}，"
            f"重错码率 {r['conflict_rate_permille']:.3f}‰（目标 ≤ {target:g}‰，"
            f"{'达标' if r['meets_target'] else '未达标'}）"
        )
        typer.echo(
            f"  应限时公示 {r['with_deadline']} 行，超期 {r['late']} 行，"
            f"超期率 {r['late_rate_percent']:.2f}%"
        )
    if not report["departments"]:
        typer.echo("尚无报送数据")


_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """启动 REST API 与网页。"""
    import uvicorn

    from xinyong.kernel.settings import get_settings
    from xinyong.web.app import create_app

    if not get_settings().console_cookie_secure and host not in _LOOPBACK:
        # Without Secure the session cookie would cross the network in clear.
        _fail(
            XinyongError(
                "XINYONG_CONSOLE_COOKIE_SECURE=false outside loopback",
                "XINYONG_CONSOLE_COOKIE_SECURE=false 只允许在本机回环地址（127.0.0.1、::1、"
                "localhost）上使用；对外服务须经 HTTPS 并保持 Secure Cookie",
            )
        )

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


def _demo_secret_key() -> None:
    """The demo alone may run without a configured key: it uses (and on the first run
    generates) data_dir/secret.key, and says so."""
    import os

    from xinyong.kernel.settings import demo_secret_key_file, get_settings

    settings = get_settings()
    if settings.secret_key or settings.secret_key_file is not None:
        return
    path, created = demo_secret_key_file(settings.data_dir)
    os.environ["XINYONG_SECRET_KEY_FILE"] = str(path.resolve())
    get_settings.cache_clear()
    typer.echo(
        f"演示密钥：{'已生成并保存在' if created else '使用'} {path}（仅供演示；生产环境须设置 "
        "XINYONG_SECRET_KEY 或 XINYONG_SECRET_KEY_FILE）"
    )


def _demo_cookies() -> None:
    """The demo serves plain http on 127.0.0.1: console cookies without Secure (and so
    without the __Host- prefix), unless the environment says otherwise."""
    import os

    from xinyong.kernel.settings import get_settings

    if "XINYONG_CONSOLE_COOKIE_SECURE" not in os.environ:
        os.environ["XINYONG_CONSOLE_COOKIE_SECURE"] = "false"
        get_settings.cache_clear()


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

    _demo_secret_key()
    _demo_cookies()
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
