"""The demo's credit commitments (信用承诺): all four types in the states the console, the
dashboard and the 信用承诺专栏 show (履约中 with a promised date, 已履约, 未履约, 虚假承诺),
through the use case the portal, the API and the console call (``commitments.service``).
Idempotent: a database that already has commitments keeps them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from xinyong.bootstrap import Platform
from xinyong.commitments import service as commitments
from xinyong.identity import repository as identity_repo

# (template, accepting department, step (name, keyword arguments) or None)
PLAYS: tuple[tuple[str, str, tuple[str, dict[str, Any]] | None], ...] = (
    ("SPJY_GZCN", "scjg", ("verify", {"result": True, "note": "现场核查，与承诺一致"})),
    ("SPJY_GZCN", "scjg", None),  # waits for the market regulator's verification
    ("JZQY_RQSL", "zjt", ("deliver", {"materials": ["技术负责人职称证书"]})),  # one still owed
    ("JZQY_RQSL", "zjt", ("deliver", {"materials": ["技术负责人职称证书", "近三年工程业绩证明"]})),
    ("SPJY_GZCN", "scjg", ("verify", {"result": False, "note": "核查发现经营场所与承诺不符"})),
    ("HYZL_JZ", "zjt", ("breach", {"note": "经查存在拖欠农民工工资，违背行业自律承诺"})),
    ("XF_XYCN", "scjg", None),
    ("ZD_CXJY", "scjg", None),
    ("ZD_CXJY", "swj", ("breach", {"note": "经查存在虚开发票行为，违背主动承诺"})),
)


def stage(
    platform: Platform, organisations: Sequence[tuple[str, str]], echo: Callable[[str], None]
) -> None:
    deps = platform.commitment_deps()
    with platform.engine.connect() as conn:
        if commitments.find(conn, deps, limit=1)["total"]:
            echo("信用承诺：已存在，保持不变")
            return
        known = [c for c, _n in organisations if identity_repo.get_subject(conn, c) is not None]
    # The later companies first: the earlier ones carry the list cases and repairs, and a
    # subject the check bars is refused 告知承诺 (tried, skipped).
    candidates = list(reversed(known))
    signed = 0
    for template, department, step in PLAYS:
        while candidates:
            code = candidates.pop(0)
            try:
                with platform.transaction() as conn:
                    view = commitments.sign(
                        conn,
                        deps,
                        subject=code,
                        template=template,
                        department_code=department,
                        channel="demo",
                        actor=f"{department}:demo",
                        now=platform.clock.now(),
                    )
                    if step is not None:
                        commitments.step(
                            conn,
                            deps,
                            int(view["id"]),
                            step[0],
                            actor=f"{department}:demo",
                            now=platform.clock.now(),
                            department_code=department,
                            **step[1],
                        )
            except commitments.SignRefused as exc:
                if {r.code for r in exc.refusals} == {"SUBJECT_BARRED"}:
                    continue  # this company is barred: the next one
                candidates.insert(0, code)
                break  # the template itself is refused: not this play
            signed += 1
            break
    echo(f"信用承诺：{signed} 件（四类；履约中、已履约、未履约、虚假承诺）")
