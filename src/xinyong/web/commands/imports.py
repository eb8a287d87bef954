"""Import jobs (报送任务): uploads the API answered 202 and imports in the background."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from xinyong.kernel.errors import XinyongError
from xinyong.web.commands.common import AsJson, PurposeOpt, _fail, _platform, audit_read

app = typer.Typer(help="报送任务（接口受理后在后台导入的文件）", no_args_is_help=True)

STATE_LABELS = {"queued": "排队", "running": "导入中", "done": "完成", "failed": "失败"}
LIST_LIMIT = 1_000


def _line(j: dict[str, Any]) -> str:
    progress = j["progress"]
    total = "?" if progress["rows_total"] is None else str(progress["rows_total"])
    text = (
        f"{j['job_id']} [{STATE_LABELS.get(j['state'], j['state'])}] {j['department']} "
        f"{j['source_name']} {j['size_bytes']:,} 字节 受理于 {j['created_at'][:19]} "
        f"进度 {progress['rows_done']:,}/{total} 行"
    )
    if j["batch_id"] is not None:
        text += f" 批次 {j['batch_id']}"
    if j["result"]:
        r = j["result"]
        text += f"（接收 {r['accepted']}，拒收 {r['rejected']}，重复 {r['duplicates']}）"
    if j["error"]:
        text += f" 原因：{j['error']['message']}"
    return text


@app.command("list")
def list_cmd(
    department: Annotated[
        str | None, typer.Option("--department", help="只列出该部门的任务（部门代码）")
    ] = None,
    state: Annotated[
        str | None, typer.Option("--state", help="queued、running、done 或 failed")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=LIST_LIMIT, help="最多显示条数")
    ] = 100,
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """列出报送任务，最新在前。须说明查询用途（记入审计日志）。"""
    from xinyong.ingest import jobs

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            page = jobs.list_jobs(
                conn, department_code=department, state=state, limit=limit, offset=0
            )
            audit_read(conn, platform, "read_import_jobs", "import_jobs", purpose)
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(page, ensure_ascii=False))
        return
    for j in page["jobs"]:
        typer.echo(_line(j))
    typer.echo(f"共 {page['total']} 个任务")


@app.command("show")
def show_cmd(
    job: Annotated[str, typer.Argument(help="报送任务编号（32位十六进制）")],
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """一个报送任务的状态、进度与结果。须说明查询用途（记入审计日志）。"""
    from xinyong.ingest import jobs

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            found = jobs.view(jobs.get_job(conn, job.strip().lower()))
            audit_read(conn, platform, "read_import_job", f"import_job:{found['job_id']}", purpose)
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False))
        return
    typer.echo(_line(found))
