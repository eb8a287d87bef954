"""双随机、一公开 from the command line: the policies, the commitment published before a draw,
the draw record, and ``xinyong verify-draw`` for anyone holding a published record.

``verify-draw`` exits 0 when the draw is reproducible and as published, 1 when something does
not match (each mismatch one Chinese line), 2 when the file cannot be read at all."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer

from xinyong.catalog.inspections import (
    InspectionCatalogue,
    load_inspection_catalogue,
    policy_json,
)
from xinyong.inspections import registry, rules, service
from xinyong.kernel.errors import InputError, XinyongError
from xinyong.kernel.settings import get_settings
from xinyong.web.commands.common import AsJson, _fail, _platform, operator_actor

app = typer.Typer(help="双随机、一公开：监管策略、抽取承诺、可复现的抽取记录", no_args_is_help=True)

PoolFile = Annotated[Path, typer.Option("--pool", help="抽查对象与检查人员名录（JSON）")]
PolicyRef = Annotated[
    str, typer.Option("--policy", help="监管策略 代码@版本（如 SAMR_GRADED@2025.1），或只写代码")
]
Seed = Annotated[str, typer.Option("--seed", help="种子（十六进制，16至64字节）")]
BeaconSource = Annotated[
    str, typer.Option("--beacon-source", help="事先公布的公共随机数来源（如某信标的轮次）")
]


def _catalogue() -> InspectionCatalogue:
    local = get_settings().local_catalog_dir
    return load_inspection_catalogue([local] if local else [])


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc}", f"无法读取{what}文件 {path}：{exc.strerror}"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{path} is not UTF-8 JSON: {exc}", f"{what}文件 {path} 不是 UTF-8 编码的 JSON"
        ) from None


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@app.command("policies")
def policies_cmd(as_json: AsJson = False) -> None:
    """列出监管策略：各分层的抽查比例、年度检查上限、每户检查人员人数、结果录入期限。"""
    try:
        cat = _catalogue()
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json([policy_json(p, cat.items_of(p)) for p in cat.policies])
        return
    for p in cat.policies:
        typer.echo(f"{p.ref}  {p.name}（{p.effective_from.isoformat()} 起）")
        typer.echo(f"  适用事项：{'、'.join(f'{i.name}（{i.code}）' for i in cat.items_of(p))}")
        for s in p.strata:
            mark = "（地方配置，待核实）" if s.local else ""
            typer.echo(f"  {s.label}：{(s.ratio * 100).normalize():f}%{mark}  {s.note}")
        typer.echo(
            f"  年度检查上限 {p.yearly_cap.max_inspections} 次；每户检查人员不少于 "
            f"{p.min_inspectors.count} 名；结果录入 {p.result_entry.working_days} 个工作日内"
        )


@app.command("seed")
def seed_cmd() -> None:
    """生成一个32字节的随机种子（保密保存，抽取后公布）。"""
    typer.echo(secrets.token_hex(32))


@app.command("commit")
def commit_cmd(
    pool: PoolFile,
    policy: PolicyRef,
    seed: Seed,
    beacon_source: BeaconSource = "",
    as_json: AsJson = False,
) -> None:
    """抽取前公布的承诺：种子承诺（不含种子）、名录摘要、策略摘要与抽取承诺。"""
    try:
        out = service.commitment(
            _catalogue(), _read_json(pool, "名录"), policy, seed, beacon_source
        )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json(out)
        return
    typer.echo(f"监管策略：{out['policy_version']}")
    typer.echo(f"种子承诺 SHA-256(种子)：{out['seed_commitment']}")
    typer.echo(f"名录摘要：{out['pool_digest']}")
    typer.echo(f"策略摘要：{out['policy_digest']}")
    typer.echo(f"公共随机数来源：{out['beacon_source'] or '不使用'}")
    typer.echo(f"抽取承诺：{out['draw_commitment']}")


@app.command("draw")
def draw_cmd(
    pool: PoolFile,
    policy: PolicyRef,
    seed: Seed,
    out: Annotated[
        Path | None, typer.Option("--out", help="抽取记录的保存路径（默认输出到屏幕）")
    ] = None,
    beacon_source: BeaconSource = "",
    beacon_value: Annotated[
        str, typer.Option("--beacon-value", help="公共随机数的值（来源公布后取得）")
    ] = "",
) -> None:
    """按种子、名录和监管策略抽取，写出可公开复核的抽取记录（JSON）。"""
    if bool(beacon_source) != bool(beacon_value):
        _fail(
            InputError(
                "--beacon-source and --beacon-value go together",
                "--beacon-source（公共随机数来源）与 --beacon-value（其值）须同时给出",
            )
        )
    beacon = rules.Beacon(beacon_source, beacon_value) if beacon_source else None
    try:
        record = service.draw(_catalogue(), _read_json(pool, "名录"), policy, seed, beacon)
    except XinyongError as exc:
        _fail(exc)
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(XinyongError(f"cannot write {out}: {exc}", f"无法写入 {out}：{exc.strerror}"))
    result = record["result"]
    drawn = sum(len(s["drawn"]) + len(s.get("topped_up", [])) for s in result["strata"])
    typer.echo(
        f"已写出抽取记录 {out}：名录 {result['pool_size']} 户，抽中 {drawn} 户，"
        f"分派检查人员 {len(result['assignments'])} 户，无法分派 {len(result['unassignable'])} 户，"
        f"达到年度上限未参加抽取 {len(result['excluded_at_cap'])} 户"
    )


def verify_draw_cmd(
    file: Annotated[Path, typer.Argument(help="公布的抽取记录（JSON）")],
    commitment: Annotated[
        str | None,
        typer.Option("--commitment", help="抽取前公布的抽取承诺（draw_commitment），一并核对"),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """复核一次抽取：按记录中的种子、名录和监管策略重新抽取，与公布结果逐项比对。"""
    try:
        record = _read_json(file, "抽取记录")
        try:
            cat: InspectionCatalogue | None = _catalogue()
        except XinyongError:
            cat = None  # an outsider's copy may lack the catalogue: the record carries its policy
        mismatches = service.verify(cat, record, commitment)
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        _echo_json({"ok": not mismatches, "mismatches": mismatches})
    elif not mismatches:
        typer.echo("抽取结果可复现，与公布一致")
    else:
        typer.echo(f"抽取记录有 {len(mismatches)} 处不一致：")
        for m in mismatches:
            typer.echo(f"  - {m}")
    if mismatches:
        raise typer.Exit(1)


# -- persisted: inspectors, plans, draws, tasks, results ---------------------------------------

Dept = Annotated[str, typer.Option("--department", help="部门代码（以该部门身份办理）")]


def _work(as_json: bool, fn: Any, show: Any) -> None:
    platform = _platform()
    try:
        with platform.transaction() as conn:
            out = fn(conn, platform)
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, default=str))
    else:
        show(out)


def _show_inspectors(rows: list[dict[str, Any]]) -> None:
    typer.echo(f"共 {len(rows)} 名检查人员")
    for r in rows:
        typer.echo(
            f"  {r['id']}  {r['name']}  {r['department_label']}  地区 {r['region']}  "
            f"资格 {'、'.join(r['qualifications'])}  执法证 {r['certificate']}  {r['active_label']}"
            f"  账号 {r.get('account') or '未关联'}"
        )


@app.command("inspectors")
def inspectors_cmd(
    department: Annotated[str | None, typer.Option("--department", help="只列该部门的")] = None,
    as_json: AsJson = False,
) -> None:
    """列出检查人员名录。"""
    _work(as_json, lambda c, p: registry.list_inspectors(c, department), _show_inspectors)


@app.command("inspector-add")
def inspector_add_cmd(
    ident: Annotated[str, typer.Argument(help="检查人员编号（工号，不得使用身份证号码）")],
    name: Annotated[str, typer.Option("--name", help="姓名")],
    department: Dept,
    region: Annotated[str, typer.Option("--region", help="所在地区（区划代码）")],
    certificate: Annotated[str, typer.Option("--certificate", help="执法证号（只保存脱敏）")],
    qualification: Annotated[
        list[str], typer.Option("--qualification", help="资格（可重复），如 执法证件")
    ],
    as_json: AsJson = False,
) -> None:
    """登记检查人员。"""
    _work(
        as_json,
        lambda c, p: registry.register_inspector(
            c,
            ident=ident,
            name=name,
            department_code=department,
            region=region,
            qualifications=qualification,
            certificate=certificate,
            now=p.clock.now(),
        ),
        lambda r: typer.echo(f"已登记检查人员 {r['id']} {r['name']}（执法证 {r['certificate']}）"),
    )


@app.command("recusal-add")
def recusal_add_cmd(
    kind: Annotated[str, typer.Argument(help="relationship（利害关系申报）或 request（回避申请）")],
    inspector: Annotated[str, typer.Option("--inspector", help="检查人员编号")],
    subject: Annotated[str, typer.Option("--subject", help="统一社会信用代码")],
    reason: Annotated[str, typer.Option("--reason", help="理由")],
    as_json: AsJson = False,
) -> None:
    """登记回避：检查人员申报的利害关系，或主体的回避申请。"""
    _work(
        as_json,
        lambda c, p: registry.record_recusal(
            c,
            kind=kind,
            inspector_id=inspector,
            subject_key=subject.upper(),
            reason=reason,
            actor=operator_actor(),
            now=p.clock.now(),
        ),
        lambda r: typer.echo(
            f"已登记回避 {r['id']}：{r['kind_label']} {r['inspector']} / {r['subject']}"
        ),
    )


@app.command("inspector-active")
def inspector_active_cmd(
    ident: Annotated[str, typer.Argument(help="检查人员编号")],
    off: Annotated[bool, typer.Option("--off/--on", help="停用（--off）或启用（--on）")] = True,
    as_json: AsJson = False,
) -> None:
    """停用或启用检查人员（停用的不再进入抽取名录）。"""
    _work(
        as_json,
        lambda c, p: registry.set_active(c, ident, not off, p.clock.now()),
        lambda r: typer.echo(f"检查人员 {r['id']} {r['name']}：{r['active_label']}"),
    )


@app.command("inspector-link")
def inspector_link_cmd(
    ident: Annotated[str, typer.Argument(help="检查人员编号")],
    account: Annotated[
        str | None, typer.Option("--account", help="角色为检查人员的控制台账号（用户名）")
    ] = None,
    off: Annotated[bool, typer.Option("--off", help="解除账号关联")] = False,
    as_json: AsJson = False,
) -> None:
    """把控制台账号（角色：检查人员）关联到检查人员：其待办只显示抽中本人的任务。"""

    def link(c: Any, p: Any) -> Any:
        # Checked once the platform (and its catalogue) is up, as every command's errors are.
        if (account is None) == (not off):
            raise InputError(
                "give --account NAME or --off",
                "请指定 --account 用户名（关联）或 --off（解除关联）",
            )
        return registry.link_account(
            c,
            ident,
            None if off else account,
            department_code=None,
            actor=operator_actor(),
            now=p.clock.now(),
        )

    _work(
        as_json,
        link,
        lambda r: typer.echo(f"检查人员 {r['id']} {r['name']}：账号 {r['account'] or '未关联'}"),
    )


@app.command("recusal-withdraw")
def recusal_withdraw_cmd(
    recusal: Annotated[int, typer.Argument(help="回避登记编号")],
    as_json: AsJson = False,
) -> None:
    """撤回回避登记（登记保留，此后抽取不再据此回避）。"""
    _work(
        as_json,
        lambda c, p: registry.withdraw_recusal(c, recusal),
        lambda r: typer.echo(f"已撤回回避登记 {r['id']}：{r['inspector']} / {r['subject']}"),
    )


def _show_plan(p: dict[str, Any]) -> None:
    joint = "（联合抽查）" if p["joint"] else ""
    typer.echo(
        f"抽查计划 {p['id']}  {p['name']}  {p['kind_label']}  {p['year']}年  "
        f"{p['department_label']}{joint}  策略 {p['policy']}  "
        f"{'已公布' if p['published'] else '未公布'}"
    )
    model = p.get("grade_model")
    if model:
        shown = "社会公开" if model["public"] else "内部，不公开"
        typer.echo(f"  分层依据 {model['label']}（{model['code']}，{shown}）")
    for it in p["items"]:
        typer.echo(f"  事项 {it['item_label']}（{it['item']}）  {it['department_label']}")
    for f in p.get("pool_filter_labels") or []:
        typer.echo(f"  范围 {f['key_label']}：{'、'.join(f['labels'])}")
    for u in p.get("unknowns") or []:
        verdict = "已纳入" if u["included"] else "未纳入"
        typer.echo(f"  {u['key_label']}未载明的主体 {u['count']} 个：{verdict}抽查对象范围")
    for d in p.get("draws") or []:
        typer.echo(f"  抽取 {d['id']}  {d['status_label']}  抽取承诺 {d['draw_commitment']}")
        if d["seed"]:
            typer.echo(f"    种子 {d['seed']}  记录 {d['record_url']}")
        _show_strata(d, "    ")


def _show_strata(d: dict[str, Any], indent: str) -> None:
    """Each stratum's pool, ratio and drawn count, and the floor's top-up."""
    for s in d.get("strata") or []:
        grade = f"（{s['grade']}）" if s["grade"] else ""
        extra = f"，含补抽 {s['topped_up']} 户" if s["topped_up"] else ""
        typer.echo(
            f"{indent}分层 {s['label']}{grade}：参加 {s['eligible']} 户，比例 {s['ratio_label']}，"
            f"应抽 {s['target']} 户，抽中 {s['drawn']} 户{extra}"
        )
    floor = d.get("floor")
    if floor:
        typer.echo(
            f"{indent}抽查下限 {floor['ratio']}：{floor['eligible']} 户中至少 {floor['required']} 户"
        )


@app.command("plans")
def plans_cmd(
    department: Annotated[str | None, typer.Option("--department", help="只列该部门的")] = None,
    as_json: AsJson = False,
) -> None:
    """列出抽查计划（新的在前）。"""

    def show(rows: list[dict[str, Any]]) -> None:
        typer.echo(f"共 {len(rows)} 个抽查计划")
        for r in rows:
            _show_plan(r)

    _work(
        as_json,
        lambda c, p: service.list_plans(
            c, p.inspection_deps(), department_code=department, full=True
        ),
        show,
    )


@app.command("plan-add")
def plan_add_cmd(
    name: Annotated[str, typer.Option("--name", help="计划名称")],
    department: Dept,
    item: Annotated[
        list[str], typer.Option("--item", help="抽查事项代码，联合抽查写 事项@部门（可重复）")
    ],
    policy: PolicyRef,
    year: Annotated[int, typer.Option("--year", help="计划年度")],
    kind: Annotated[str, typer.Option("--kind", help="annual（年度）或 adhoc（专项）")] = "annual",
    region: Annotated[str | None, typer.Option("--region", help="区划代码前缀")] = None,
    subject_type: Annotated[str | None, typer.Option("--type", help="主体类型（如 91）")] = None,
    industry: Annotated[
        str | None,
        typer.Option(
            "--industry", help="行业门类字母，逗号分隔（如 C,F）；含 unknown 则纳入行业未知的主体"
        ),
    ] = None,
    size: Annotated[
        str | None,
        typer.Option(
            "--size", help="企业规模（1 大型 2 中型 3 小型 4 微型，或中文）；含 unknown 同上"
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """制定抽查计划（无清单不检查：至少一个抽查事项）。"""
    items = [
        {"item": i.partition("@")[0], "department": i.partition("@")[2] or department} for i in item
    ]
    _work(
        as_json,
        lambda c, p: service.create_plan(
            c,
            p.inspection_deps(),
            name=name,
            kind=kind,
            year=year,
            department_code=department,
            items=items,
            policy_ref=policy,
            pool_filter={
                "region": region,
                "type": subject_type,
                "industry": industry,
                "size": size,
            },
            actor=operator_actor(),
            now=p.clock.now(),
        ),
        _show_plan,
    )


def _show_draw(d: dict[str, Any]) -> None:
    typer.echo(f"抽取 {d['id']}（计划 {d['plan']}）：{d['status_label']}")
    typer.echo(f"  种子承诺 SHA-256(种子)：{d['seed_commitment']}")
    typer.echo(f"  名录摘要：{d['pool_digest']}")
    typer.echo(f"  抽取承诺：{d['draw_commitment']}")
    if d["committed_at"]:
        typer.echo(f"  承诺公布：{d['committed_at']}")
    if d["seed"]:
        typer.echo(f"  抽取时间：{d['drawn_at']}  种子：{d['seed']}")
        typer.echo(
            f"  抽中并分派 {d.get('drawn_subjects', 0)} 户，无法分派 {d.get('unassignable', 0)} 户；"
            f"复核：下载 {d['record_url']} 后运行 xinyong verify-draw 文件 --commitment {d['draw_commitment']}"
        )
        if d.get("grade_model"):
            typer.echo(f"  分层依据评价模型 {d['grade_model']}")
        _show_strata(d, "  ")
        if d.get("grades_withheld"):
            typer.echo(f"  {d['grades_withheld']}")


@app.command("draw-plan")
def draw_plan_cmd(
    plan: Annotated[int, typer.Argument(help="抽查计划编号")],
    department: Dept,
    run: Annotated[
        bool, typer.Option("--run", help="抽取（本计划的承诺须已公布）；不写则生成并公布承诺")
    ] = False,
    beacon_source: BeaconSource = "",
    beacon_value: Annotated[
        str | None, typer.Option("--beacon-value", help="公共随机数的公布值（抽取时）")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="抽取后把公开的抽取记录写到此文件")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """先生成并公布抽取承诺；承诺公布之后再以 --run 抽取（公开种子、生成检查任务）。"""

    def fn(conn: Any, p: Any) -> dict[str, Any]:
        deps = p.inspection_deps()
        now = p.clock.now()
        if not run:
            d = service.prepare_draw(
                conn, deps, plan, department_code=department, actor=operator_actor(), now=now,
                beacon_source=beacon_source,
            )  # fmt: skip
            return service.publish_commitment(
                conn, deps, d["id"], department_code=department, now=now
            )
        pending = [d for d in service.get_plan(conn, deps, plan)["draws"] if d["status"] != "drawn"]
        if not pending:
            raise InputError(
                f"plan {plan} has no draw awaiting",
                f"抽查计划 {plan} 没有待抽取的抽取承诺，请先公布承诺",
            )
        d = service.run_planned_draw(
            conn, deps, pending[-1]["id"], department_code=department, actor=operator_actor(),
            now=now, beacon_value=beacon_value,
        )  # fmt: skip
        if out is not None:
            record = service.draw_record(conn, d["id"], public=True)
            out.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", "utf-8")
        return d

    _work(as_json, fn, _show_draw)


def _show_tasks(rows: list[dict[str, Any]]) -> None:
    typer.echo(f"共 {len(rows)} 个检查任务")
    for t in rows:
        typer.echo(
            f"  任务 {t['id']}  {t['subject_name']}（{t['subject']}）  {t['status_label']}  "
            f"检查人员 {'、'.join(t.get('inspectors') or [])}  "
            f"事项 {'、'.join(i['item_label'] for i in t['items'])}"
        )
        for r in t["results"]:
            late = "  逾期录入" if r.get("overdue") else ""
            typer.echo(f"    {r['item_label']}：{r['result_label']}（{r['inspected_on']}）{late}")


@app.command("tasks")
def tasks_cmd(
    inspector: Annotated[str | None, typer.Option("--inspector", help="检查人员（待办）")] = None,
    draw: Annotated[int | None, typer.Option("--draw", help="抽取编号")] = None,
    department: Annotated[str | None, typer.Option("--department", help="部门代码")] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="控制台账号：只列其关联的检查人员的任务")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """列出检查任务（检查人员的待办）。"""

    def fn(c: Any, p: Any) -> list[dict[str, Any]]:
        who = registry.inspector_for_account_name(c, account)["id"] if account else inspector
        return service.list_tasks(
            c, p.inspection_deps(), inspector_id=who, draw_id=draw, department_code=department
        )

    _work(as_json, fn, _show_tasks)


@app.command("result")
def result_cmd(
    task: Annotated[int, typer.Argument(help="检查任务编号")],
    inspector: Annotated[
        str, typer.Option("--inspector", help="录入的检查人员编号（本任务抽中的）")
    ],
    item: Annotated[str, typer.Option("--item", help="抽查事项代码")],
    result: Annotated[str, typer.Option("--result", help="检查结果类别代码（inspection_result）")],
    inspected_on: Annotated[str, typer.Option("--date", help="检查结束日期 YYYY-MM-DD")],
    text: Annotated[str, typer.Option("--text", help="检查结果说明（向社会公示）")] = "",
    as_json: AsJson = False,
) -> None:
    """录入检查结果：写入信用记录（行政监督检查信息），超过录入期限的标为逾期。"""
    import datetime as dt

    try:
        day = dt.date.fromisoformat(inspected_on)
    except ValueError:
        _fail(
            InputError("bad --date", f"检查日期（--date）“{inspected_on[:20]}”应为 YYYY-MM-DD"),
            as_json,
        )
    _work(
        as_json,
        lambda c, p: service.enter_result(
            c,
            p.inspection_deps(),
            task,
            inspector_id=inspector,
            item_code=item,
            result_code=result,
            result_text=text,
            inspected_on=day,
            now=p.clock.now(),
        ),
        lambda t: _show_tasks([t]),
    )


def _show_coverage(c: dict[str, Any]) -> None:
    scope = c["department_label"] or "全部部门"
    typer.echo(
        f"抽查覆盖情况（{scope}，{c['year'] or '全部'}年度；统计时间 "
        f"{c['generated_at'][:19].replace('T', ' ')} 北京时间）"
    )
    typer.echo(f"  {c['calendar']['label']}")
    if not c["groups"]:
        typer.echo("  尚无抽查计划")
    for g in c["groups"]:
        t = g["tasks"]
        typer.echo(
            f"{g['year']}年  {g['department_label']}  {g['item_label']}（{g['item']}）  "
            f"计划 {'、'.join(str(p) for p in g['plans'])}"
            + (
                f"（参与联合抽查：计划 {'、'.join(str(p) for p in g['joint_plans'])}）"
                if g["joint_plans"]
                else ""
            )
        )
        typer.echo(
            f"  名录 {g['pool']} 户，抽中 {g['drawn_subjects']} 户（{g['drawn_share']['label']}），"
            f"已检查 {g['inspected_subjects']} 户（{g['inspected_share']['label']}）"
        )
        typer.echo(
            f"  任务 {t['total']}：按期录入 {t['done']}，逾期录入 {t['overdue']}，"
            f"待检查 {t['open']}（其中待核实 {t['unverified']}）"
        )
        if g["results"]:
            typer.echo(
                "  检查结果："
                + "；".join(f"{r['result_label']} {r['count']}" for r in g["results"])
            )
        typer.echo(
            f"  年度检查上限 {g['yearly_cap']} 次：已达上限 {g['at_cap']} 户"
            f"（最近一次抽取时 {g['at_cap_at_last_draw']} 户未进入抽取）"
        )
    for d in c["draws"]:
        typer.echo(
            f"抽取 {d['draw']}（计划 {d['plan']}，{(d['drawn_at'] or '')[:16].replace('T', ' ')}）"
            f"  名录 {d['pool_size']} 户，达上限未进入 {d['excluded_at_cap']} 户"
        )
        for s in d["strata"]:
            typer.echo(
                f"  {s['label']}：名录 {s['pool']}，可抽 {s['eligible']}，策略比例 "
                f"{s['ratio_label']}，应抽 {s['target']}，抽中 {s['drawn']}"
                f"（{s['drawn_share']['label']}）"
            )
    if c["months"]:
        typer.echo("按抽取月份：")
    for m in c["months"]:
        typer.echo(
            f"  {m['month']}  任务 {m['total']}：按期录入 {m['done']}，逾期录入 {m['overdue']}，"
            f"待检查 {m['open']}（待核实 {m['unverified']}）"
        )


@app.command("coverage")
def coverage_cmd(
    department: Annotated[
        str | None, typer.Option("--department", help="只统计该部门牵头或参与的计划中本部门的事项")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="计划年度")] = None,
    as_json: AsJson = False,
) -> None:
    """抽查覆盖情况：名录与分层、抽中与已检查比例、任务完成与逾期、检查结果、年度上限。"""
    _work(
        as_json,
        lambda c, p: service.coverage_report(
            c, p.inspection_deps(), department_code=department, year=year, now=p.clock.now()
        ),
        _show_coverage,
    )
