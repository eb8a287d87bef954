"""The demo's voluntary registrations (自愿注册): a few companies' information in the states a
verifier works them in, through the use case the portal, the API and the console call
(``voluntary.service``). Idempotent: a database that already has registrations keeps them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xinyong.bootstrap import Platform
from xinyong.cases import repository as cases_repo
from xinyong.cases.attachments import Upload
from xinyong.identity import repository as identity_repo
from xinyong.voluntary import service as voluntary

SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# (kind, verifying department or None for the office, fields, step (name, note) or None)
PLAYS: tuple[tuple[str, str | None, dict[str, str], tuple[str, str] | None], ...] = (
    (
        "QUALIFICATION",
        "zjt",
        {
            "certificate_name": "建筑业企业资质证书（施工总承包二级）",
            "certificate_no": "D261034567",
            "issuer": "陕西省住房和城乡建设厅",
            "issued_on": "2025-08-12",
            "valid_until": "2030-08-11",
        },
        None,
    ),
    (
        "QUALIFICATION",
        "scjg",
        {
            "certificate_name": "食品经营许可证",
            "certificate_no": "JY16101020012345",
            "issuer": "西安市市场监督管理局",
            "issued_on": "2024-05-20",
        },
        ("verify", "与许可数据核对一致"),
    ),
    (
        "OPERATIONS",
        "swj",
        {"period": "2025年度", "main_business": "软件开发", "employees": "86", "tax_paid": "132.5"},
        ("verify", "与纳税申报数据一致"),
    ),
    (
        "CONTRACT",
        "scjg",
        {
            "contract_name": "办公设备采购合同",
            "counterparty": "西安某区教育局",
            "signed_on": "2025-03-01",
            "fulfilment": "已按期交付并验收",
        },
        ("reject", "未提供验收证明，无法核实履约情况"),
    ),
    (
        "WELFARE",
        None,
        {
            "activity": "秦岭生态保护志愿服务",
            "organiser": "西安市志愿者协会",
            "held_on": "2026-04-18",
            "hours": "320",
        },
        None,
    ),
    (
        "HONOUR",
        None,
        {
            "honour_name": "陕西省守合同重信用企业",
            "grantor": "陕西省市场监督管理局",
            "granted_on": "2025-12-26",
        },
        ("verify", "与公布名单核对一致"),
    ),
)


def stage(
    platform: Platform, organisations: Sequence[tuple[str, str]], echo: Callable[[str], None]
) -> None:
    deps = platform.voluntary_deps()
    with platform.engine.connect() as conn:
        if cases_repo.find_cases(conn, voluntary.WORKFLOW, limit=1)[1]:
            echo("自愿注册：已存在，保持不变")
            return
        picks = [
            code
            for code, _name in organisations
            if identity_repo.get_subject(conn, code) is not None
            and not cases_repo.cases_of_subject(conn, code)
        ][: len(PLAYS)]
    for (kind, department, values, step), code in zip(PLAYS, picks, strict=False):
        with platform.transaction() as conn:
            case = voluntary.submit(
                conn,
                deps,
                subject_key=code,
                kind=kind,
                values=values,
                department_code=department,
                commitment=True,
                authorisation=True,
                materials=[Upload("证明材料.pdf", SCAN)],
                actor=f"subject:{code}",
                role="subject",
                now=platform.clock.now(),
            )
            if step is not None:
                voluntary.step(
                    conn,
                    deps,
                    case.id,
                    step[0],
                    actor=f"{case.department_code}:demo",
                    role="department" if department else "office",
                    department_code=department,
                    now=platform.clock.now(),
                    note=step[1],
                )
    echo(f"自愿注册：{min(len(picks), len(PLAYS))} 件（待核验、已核验、核验未通过）")
