"""The demo's 双随机、一公开: inspectors of the market regulator, a plan over the demo's
organisations, its commitment published and the draw run; a joint plan (进一次门、查多项事)
led by the market regulator (GSXX_CC) with the ecology department's PWDW_CC and two of its
inspectors, drawn, so each task has a joint team; and the console account ``demo_inspector``
linked to the inspector drawn for the most tasks (its inbox is not empty).

Through the same use cases the API, the CLI and the console call (``inspections.service`` and
``inspections.registry``). Idempotent: a database that already has inspectors is left as it
is (the account is linked if it is not yet); the joint plan is added once, when the ecology
department has no inspector yet."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable

from xinyong.access import repository as access_repo
from xinyong.bootstrap import Platform
from xinyong.inspections import registry
from xinyong.inspections import repository as repo
from xinyong.inspections import service as insp

DEPARTMENT = "scjg"
ACCOUNT = "demo_inspector"
INSPECTORS = (
    ("SJ-DEMO-01", "王检查"),
    ("SJ-DEMO-02", "李检查"),
    ("SJ-DEMO-03", "赵检查"),
    ("SJ-DEMO-04", "陈检查"),
)
# The ecology department of the demo province (demo/generator.py DEPARTMENTS), whose sector
# is PWDW_CC's; its inspectors hold the item's qualification (执法证件).
JOINT_DEPARTMENT = "sthj"
JOINT_ITEM = "PWDW_CC"
JOINT_INSPECTORS = (("HJ-DEMO-01", "孙执法"), ("HJ-DEMO-02", "周执法"))


def stage(platform: Platform, echo: Callable[[str], None]) -> None:
    deps = platform.inspection_deps()
    now = platform.clock.now()
    with platform.engine.connect() as conn:
        existing = repo.inspectors(conn)
    if not existing:
        with platform.transaction() as conn:
            for i, (ident, name) in enumerate(INSPECTORS):
                registry.register_inspector(
                    conn, ident=ident, name=name, department_code=DEPARTMENT, region="610000",
                    qualifications=["执法证件"], certificate=f"61000020260{i:04d}", now=now,
                )  # fmt: skip
            plan = insp.create_plan(
                conn, deps, name=f"{now.year}年企业公示信息双随机抽查（演示）", kind="annual",
                year=platform.clock.today().year, department_code=DEPARTMENT,
                items=[{"item": "GSXX_CC"}], policy_ref="SAMR_GRADED", pool_filter={},
                actor="demo", now=now,
            )  # fmt: skip
            d = insp.prepare_draw(
                conn, deps, plan["id"], department_code=DEPARTMENT, actor="demo", now=now
            )
            insp.publish_commitment(conn, deps, d["id"], department_code=DEPARTMENT, now=now)
            # the draw comes after the published commitment (先承诺、后抽取)
            ran = insp.run_planned_draw(
                conn, deps, d["id"], department_code=DEPARTMENT, actor="demo",
                now=now + dt.timedelta(seconds=1),
            )  # fmt: skip
        echo(
            f"双随机抽查：登记检查人员{len(INSPECTORS)}名，抽查计划 {plan['id']} 已抽取，"
            f"生成检查任务{ran.get('drawn_subjects', 0)}件"
        )
    else:
        echo("双随机抽查：已存在，保持不变")
    stage_joint(platform, echo)
    link_demo_account(platform, echo)


def stage_joint(platform: Platform, echo: Callable[[str], None]) -> None:
    """A joint plan: the market regulator leads (企业公示信息抽查), the ecology department adds
    排污单位环境监管随机抽查 on the same visit; each drawn subject gets a team with inspectors of
    both departments. Skipped when the ecology department already has inspectors or is not
    in this database."""
    deps = platform.inspection_deps()
    now = platform.clock.now() + dt.timedelta(seconds=2)  # after the first plan's draw
    with platform.engine.connect() as conn:
        if access_repo.get_department(conn, JOINT_DEPARTMENT) is None:
            return
        if repo.inspectors(conn, JOINT_DEPARTMENT):
            return
    with platform.transaction() as conn:
        for i, (ident, name) in enumerate(JOINT_INSPECTORS):
            registry.register_inspector(
                conn, ident=ident, name=name, department_code=JOINT_DEPARTMENT, region="610000",
                qualifications=["执法证件"], certificate=f"61000020261{i:04d}", now=now,
            )  # fmt: skip
        plan = insp.create_plan(
            conn, deps, name=f"{now.year}年企业公示信息与排污单位联合抽查（演示）", kind="annual",
            year=platform.clock.today().year, department_code=DEPARTMENT,
            items=[{"item": "GSXX_CC"}, {"item": JOINT_ITEM, "department": JOINT_DEPARTMENT}],
            policy_ref="SAMR_GRADED", pool_filter={}, actor="demo", now=now,
        )  # fmt: skip
        d = insp.prepare_draw(
            conn, deps, plan["id"], department_code=DEPARTMENT, actor="demo", now=now
        )
        insp.publish_commitment(conn, deps, d["id"], department_code=DEPARTMENT, now=now)
        ran = insp.run_planned_draw(
            conn, deps, d["id"], department_code=DEPARTMENT, actor="demo",
            now=now + dt.timedelta(seconds=1),
        )  # fmt: skip
    echo(
        f"双随机联合抽查：登记生态环境检查人员{len(JOINT_INSPECTORS)}名，联合抽查计划 "
        f"{plan['id']} 已抽取，生成检查任务{ran.get('drawn_subjects', 0)}件"
    )


def link_demo_account(platform: Platform, echo: Callable[[str], None]) -> None:
    """``demo_inspector`` signs in as the demo inspector drawn for the most tasks."""
    with platform.transaction() as conn:
        user = access_repo.user_by_name(conn, ACCOUNT)
        if user is None or repo.inspector_of_user(conn, int(user["id"])) is not None:
            return
        drawn: Counter[str] = Counter()
        for t in repo.tasks(conn, department_code=DEPARTMENT, limit=10_000):
            drawn.update(i for i in json.loads(str(t["inspectors"])) if i.startswith("SJ-DEMO-"))
        if not drawn:
            return
        ident = min(drawn, key=lambda i: (-drawn[i], i))
        registry.link_account(
            conn, ident, ACCOUNT, department_code=None, actor="demo", now=platform.clock.now()
        )
    echo(f"控制台账户 {ACCOUNT} 已关联检查人员 {ident}（{drawn[ident]}件检查任务）")
