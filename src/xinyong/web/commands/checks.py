"""``xinyong check``: the check at every transaction from the command line."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from xinyong.kernel.errors import XinyongError
from xinyong.web.commands.common import _fail, _platform


def check_cmd(
    subject: Annotated[str, typer.Argument(help="统一社会信用代码或身份证号码")],
    scenario: Annotated[
        str, typer.Option("--scenario", help="应用场景，如 government_procurement")
    ],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """逢办必查：该主体在该场景下适用的名单与措施（含法律依据、期限、实施部门）。"""
    from xinyong.checks import service as checks

    platform = _platform()
    try:
        with platform.engine.begin() as conn:
            answer = checks.check(
                conn,
                platform.sanctions,
                platform.vault,
                subject=subject,
                scenario=scenario,
                today=platform.clock.today(),
                now=platform.clock.now(),
                actor="cli",
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps(answer, ensure_ascii=False, default=str))
        return
    typer.echo(
        f"{answer['subject']['code']} · {answer['scenario']['name']} · {answer['as_of']} · 回执 {answer['receipt']}"
    )
    for m in answer["memberships"]:
        typer.echo(f"  名单：{m['name']}（{m['listed_on']} 起，至 {m['until'] or '无固定期限'}）")
    for m in answer["measures"]:
        basis = "；".join(b["title"] + (b["articles"] or "") for b in m["legal_basis"])
        typer.echo(
            f"  措施 {m['measure']} {m['name']}：{m['implementing_department']}；依据：{basis}"
        )
    if not answer["measures"]:
        typer.echo("  无适用的措施")
    typer.echo(f"  告知承诺/容缺受理：{'可以适用' if answer['commitment_allowed'] else '不适用'}")
