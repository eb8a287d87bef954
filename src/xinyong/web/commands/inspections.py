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
from xinyong.inspections import rules, service
from xinyong.kernel.errors import InputError, XinyongError
from xinyong.kernel.settings import get_settings
from xinyong.web.commands.common import AsJson, _fail

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
    drawn = sum(len(s["drawn"]) for s in result["strata"])
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
