"""Credit evaluation (信用评价) from the command line: the models, a scoring run (with its
progress), a subject's results and the runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from xinyong.kernel.errors import XinyongError
from xinyong.web.commands.common import (
    AsJson,
    PurposeOpt,
    _fail,
    _platform,
    audit_read,
    operator_actor,
)

app = typer.Typer(help="信用评价：评价模型、评价批次与主体评价结果", no_args_is_help=True)


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


@app.command("models")
def models_cmd(as_json: AsJson = False) -> None:
    """现行评价模型：指标、权重、计分方式与等级区间。"""
    from xinyong.web.evaluation_labels import labelled_models

    platform = _platform()
    view = labelled_models(platform, platform.clock.today())
    if as_json:
        _echo_json(view)
        return
    for m in view:
        typer.echo(f"{m['code']}  {m['name']}  版本 {m['version']}  {m['disclosure']}")
        if m["department"]:
            typer.echo(f"  评价部门 {m['department_label']}  基础模型 {m['base_model']}")
        if m["scope_note"]:
            typer.echo(f"  {m['scope_note']}")
        s = m["score"]
        typer.echo(f"  基础分 {s['base']:g}，得分区间 {s['min']:g}–{s['max']:g}")
        for i in m["indicators"]:
            typer.echo(
                f"  {i['code']:<22} {i['name']}  {i['direction_label']} 权重 {i['weight']:g}"
                f"（上限 {i['cap']:g}）"
            )
        for g in m["grades"]:
            typer.echo(f"  等级 {g['label']}（{g['letter']}）：{g['from']:g} ≤ 得分 < {g['to']:g}")


@app.command("run")
def run_cmd(
    full: Annotated[
        bool, typer.Option("--full", help="全量评价（默认只评价信用记录有变化的主体）")
    ] = False,
    engine: Annotated[
        str,
        typer.Option("--engine", help="评价引擎：duckdb（默认，内嵌）或 spark（需安装 pyspark）"),
    ] = "duckdb",
    as_json: AsJson = False,
) -> None:
    """导出账本快照（Parquet，增量）并评价：默认只重新评价上次评价后有新记录的主体。"""
    from xinyong.evaluation import service as evaluation

    platform = _platform()

    def progress(done: int, total: int) -> None:
        if not as_json:
            typer.echo(f"  已评价 {done}/{total}", err=True)

    try:
        view = evaluation.run(
            platform.engine,
            platform.evaluation_models(),
            platform.evaluation_snapshot(),
            now=platform.clock.now(),
            actor=operator_actor(),
            full=full,
            backend=engine,
            progress=progress,
            clock=platform.clock.now,
        )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json(view)
        return
    typer.echo(
        f"评价批次 {view['id']}：{view['state_label']}，{view['mode_label']}，"
        f"评价 {view['total']} 个结果，快照新增 {view['exported']} 条记录（账本至第 {view['ledger_head']} 条）"
    )


@app.command("show")
def show_cmd(
    code: Annotated[str, typer.Argument(help="统一社会信用代码")],
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """主体现行的评价结果：得分、等级、每一指标的值、贡献及依据的账本记录。"""
    from xinyong.evaluation import service as evaluation

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            key, _kind = evaluation.subject_of(conn, platform.vault, code)
            audit_read(conn, platform, "read_evaluation", f"subject:{key}", purpose)
            results = evaluation.subject_results(
                conn,
                platform.evaluation_models(),
                key,
                levels=evaluation.levels_for("office"),
                with_entries=True,
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json({"results": results})
        return
    if not results:
        typer.echo("该主体尚无评价结果（请先运行 xinyong evaluation run）")
    for r in results:
        typer.echo(
            f"{r['model_name']}（{r['model']} {r['model_version']}）：{r['score']:g} 分，"
            f"等级 {r['grade_label']}（{r['grade_letter']}），评价时间 {r['computed_at']}，批次 {r['run']}"
        )
        for i in r["indicators"]:
            if i["value"]:
                ids = "、".join(str(e) for e in i.get("entries", []))
                typer.echo(
                    f"  {i['name']}：值 {i['value']:g}，贡献 {i['contribution']:+g}，记录 {ids}"
                )


@app.command("export")
def export_cmd(
    out: Annotated[Path, typer.Argument(help="输出文件（CSV，UTF-8 带 BOM）")],
    model: Annotated[str, typer.Option("--model", help="评价模型代码")] = "GGXYPJ",
    purpose: PurposeOpt = None,
    as_json: AsJson = False,
) -> None:
    """导出一个模型下各主体现行的评价结果（不含自然人），须说明用途。"""
    from xinyong.evaluation import service as evaluation

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            audit_read(conn, platform, "export_evaluation", f"model:{model}", purpose)
            n = evaluation.export_results(
                conn,
                platform.evaluation_models(),
                model,
                out,
                levels=evaluation.levels_for("office"),
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json({"file": str(out), "rows": n})
        return
    typer.echo(f"已导出 {n} 条评价结果到 {out}")


@app.command("runs")
def runs_cmd(as_json: AsJson = False) -> None:
    """最近的评价批次及进度。"""
    from xinyong.evaluation import service as evaluation

    platform = _platform()
    with platform.engine.begin() as conn:
        runs = evaluation.list_runs(conn)
    if as_json:
        _echo_json(runs)
        return
    for r in runs:
        typer.echo(
            f"{r['id']}  {r['state_label']}  {r['done']}/{r['total']}  {r['mode_label']}  "
            f"{r['started_at']}  {r['started_by']}"
        )
