"""The demo's credit repairs: applications in the states a department works them in.

Through the same use case the portal, the API and the console call (``repair.service``), on
records that are eligible today under their regime. Idempotent: a database that already has
repair cases is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xinyong.bootstrap import Platform
from xinyong.cases import repository as cases_repo
from xinyong.cases.attachments import Upload
from xinyong.repair import service as repair

# A minimal PDF: what the demo's applicants "upload" as proof of payment.
PROOF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# (steps after the application (name, note), what the case shows)
PLAYS: tuple[tuple[tuple[tuple[str, str], ...], str], ...] = (
    ((), "已提交，待受理"),
    ((("accept", "材料齐全，予以受理"),), "已受理，待决定"),
    ((("incomplete", "请补充：罚款缴纳凭证；整改情况报告"),), "材料不全，待补正"),
    ((("accept", "予以受理"), ("extend", "需现场核查整改情况")), "已延长决定期限"),
    ((("accept", "予以受理"), ("approve", "已履行义务、完成整改，予以修复")), "已修复"),
    ((("accept", "予以受理"), ("refuse", "罚款尚未缴清，不予修复")), "不予修复"),
)
SCAN_LIMIT = 400  # organisations looked at for an eligible record


def stage(
    platform: Platform, organisations: Sequence[tuple[str, str]], echo: Callable[[str], None]
) -> None:
    deps = platform.repair_deps()
    today = platform.clock.today()
    with platform.engine.connect() as conn:
        if cases_repo.find_cases(conn, repair.WORKFLOW, limit=1)[1]:
            echo("信用修复：已存在，保持不变")
            return
        picks: list[tuple[str, int]] = []
        for code, _name in organisations[:SCAN_LIMIT]:
            found = next(
                (e for e in repair.eligibility(conn, deps, code, today) if e.eligible), None
            )
            if found is not None:
                picks.append((code, found.target.entry_id))
            if len(picks) == len(PLAYS):
                break
    for (steps, _label), (code, record) in zip(PLAYS, picks, strict=False):
        with platform.transaction() as conn:
            case = repair.apply(
                conn,
                deps,
                subject_key=code,
                record=record,
                kind="ordinary",
                commitment_signed=True,
                signatory="法定代表人",
                materials=[Upload("罚款缴纳凭证.pdf", PROOF)],
                actor=f"subject:{code}",
                now=platform.clock.now(),
            )
            for name, note in steps:
                repair.step(
                    conn,
                    deps,
                    case.id,
                    name,
                    actor=f"{case.department_code}:demo",
                    role="department",
                    department_code=case.department_code,
                    now=platform.clock.now(),
                    note=note,
                )
    shown = "、".join(label for _steps, label in PLAYS[: len(picks)])
    echo(f"信用修复：{len(picks)} 件（{shown or '没有符合条件的记录'}）")
