"""``xinyong check``: the check at every transaction from the command line."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from xinyong.kernel.errors import InputError, XinyongError
from xinyong.web.commands.common import _date, _fail, _platform, basis_line, operator_actor


def check_cmd(
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario",
            help="应用场景代码或中文名称，如 government_procurement 或 政府采购（xinyong scenarios 列出全部）",
        ),
    ],
    subject: Annotated[
        str | None, typer.Argument(help="统一社会信用代码或身份证号码（与 --name 二选一）")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="组织名称（不知道代码时使用）：结果不是权威核查结论"),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="按名称查找时最多列出的候选主体数")] = 5,
    on: Annotated[
        str | None,
        typer.Option("--on", help="核查哪一天适用的措施（按账本现有信息推算），默认今天"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """逢办必查：该主体在该场景下适用的名单与措施（含法律依据、期限、实施部门、触发依据）。"""
    from xinyong.checks import service as checks

    if (subject is None) == (name is None):
        _fail(
            InputError(
                "give either a code or --name",
                "请给出统一社会信用代码或身份证号码，或用 --name 给出组织名称，二者选一",
            ),
            as_json,
        )
    platform = _platform()
    day = _date(on, platform.clock.today())
    try:
        with platform.engine.begin() as conn:
            if name is not None:
                answer = checks.check_by_name(
                    conn,
                    platform.sanctions,
                    name=name,
                    scenario=scenario,
                    today=platform.clock.today(),
                    now=platform.clock.now(),
                    actor=operator_actor(),
                    limit=limit,
                    on=day,
                )
            else:
                answer = checks.check(
                    conn,
                    platform.sanctions,
                    platform.vault,
                    subject=subject or "",
                    scenario=scenario,
                    today=platform.clock.today(),
                    now=platform.clock.now(),
                    actor=operator_actor(),
                    on=day,
                )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(answer, ensure_ascii=False, default=str))
        return
    if answer["identified_by"] == "name":
        _echo_name_lookup(answer)
        if "measures" not in answer:
            return
    items = {i.code: i.name for i in platform.catalogue.items()}
    shown: dict[str, Any] = answer["subject"]
    typer.echo(
        f"{shown['code']}（{shown.get('kind_label', '')}）· {answer['scenario']['name']} · "
        f"{answer['as_of']} · 回执 {answer['receipt']}"
    )
    if not shown.get("on_record", True):
        typer.echo(f"  {answer['message']}")
    for m in answer["memberships"]:
        typer.echo(f"  名单：{m['name']}（{m['listed_on']} 起，至 {m['until'] or '无固定期限'}）")
    for m in answer["measures"]:
        typer.echo(f"  措施 {m['measure']} {m['name']}：{m['implementing_department']}")
        _echo_detail(m, items)
    if not answer["measures"]:
        typer.echo("  无确定适用的措施")
    for m in answer.get("to_verify", []):
        typer.echo(f"  待核实 {m['measure']} {m['name']}：{m['implementing_department']}")
        for c in m["conditions"]:
            typer.echo(f"      须核实：{c}")
        _echo_detail(m, items)
    if answer["commitment_allowed"]:
        typer.echo("  告知承诺/容缺受理：可以适用")
    else:
        typer.echo("  告知承诺/容缺受理：不适用")
        for b in answer["commitment_blocked_by"]:
            typer.echo(f"      原因：{b['reason']}；{_trigger(b['via'], items)}")


def scenarios_cmd(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """应用场景：代码、中文名称、说明、国家或地方。核查时 --scenario 填代码或中文名称均可。"""
    from xinyong.web.schemas.checks import ScenarioInfo

    sanctions = _platform().sanctions
    rows = [ScenarioInfo.of(sc) for sc in sanctions.scenarios.values()]
    if as_json:
        out = {"version": sanctions.snapshot.version, "scenarios": [r.model_dump() for r in rows]}
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    for r in rows:
        typer.echo(f"{r.code:<24} {r.name}（{r.scope_label}）：{r.description}")


def _echo_detail(m: dict[str, Any], items: dict[str, str]) -> None:
    basis = basis_line(m["legal_basis"])
    p = m["period"]
    typer.echo(f"      期限：{p['from']} 至 {p['until'] or '不定'}（{p['rule']}）")
    for via in m["triggered_by"]:
        typer.echo(f"      {_trigger(via, items)}")
    typer.echo(f"      依据：{basis}")


def _trigger(via: dict[str, Any], items: dict[str, str]) -> str:
    who = f"（{via['role_label']}，{via['organisation']}）" if "organisation" in via else ""
    ground = f"，{via['ground']}" if via.get("ground") else ""
    if via.get("trigger") == "record":
        return (
            f"触发：{items.get(via['item'], via['item'])} {via['record_key']}"
            f"（{via['decision_date']}，{via['severity'] or '未分级'}，"
            f"{via['department_name'] or via['department']}{ground}）{who}"
        )
    return f"触发：{via.get('list_name') or via['list_type']}{ground}{who}"


def _echo_name_lookup(answer: dict[str, Any]) -> None:
    typer.echo(f"按名称查找“{answer['query']['name']}”（非权威结果）· 回执 {answer['receipt']}")
    typer.echo(f"  {answer['message']}")
    for c in answer["candidates"]:
        typer.echo(
            f"  {c['rank']}. {c['code']} {c['name']}  得分 {c['score']}  {c['match']['explanation']}"
        )
