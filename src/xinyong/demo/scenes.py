"""The demo's casework: list cases in every state, a 易地开张 alert, typical cases, and
objections (异议) in three states: just filed, accepted and under verification, decided.

Everything goes through the same use cases the console and the API call (lists.service,
reports.service, the outbox that raises alerts), so the demo shows what the platform does,
not rows written behind its back. Idempotent: a database that already has list cases is left
as it is (``xinyong demo`` may be run again).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from xinyong.bootstrap import Platform
from xinyong.cases import repository as cases_repo
from xinyong.creditfile.service import build_credit_file
from xinyong.demo.generator import RE_ESTABLISHER, GeneratedFile
from xinyong.identity import repository as identity_repo
from xinyong.lists import service as lists
from xinyong.lists.service import WORKFLOW
from xinyong.objections import repository as objections_repo
from xinyong.objections import service as objections
from xinyong.reports import service as reports

REGISTRATION = "DJZC"
CODE_COLUMN = "统一社会信用代码"
NAME_COLUMN = "企业名称"


@dataclass(frozen=True, slots=True)
class Scene:
    """One case: the list type, the deciding department and the steps it has been through."""

    list_type: str
    department: str
    steps: tuple[tuple[str, str], ...]  # (transition, role)
    note: str


TO_PUBLISHED = (
    ("notify", "department"),
    ("state_case", "subject"),
    ("list", "department"),
    ("publish", "system"),
)
# Subject i of the registration file (organisations only) gets SCENES[i].
SCENES = (
    Scene("SAMR_SERIOUS", "scjg", TO_PUBLISHED, "因提供虚假材料取得许可被吊销许可证"),
    Scene("SAMR_SERIOUS", "scjg", TO_PUBLISHED, "食品安全严重违法，被处以罚款并吊销许可证"),
    Scene("SAMR_SERIOUS", "scjg", (), "拟列入：销售不符合安全标准的食品，情节严重"),
    Scene("SAMR_SERIOUS", "scjg", TO_PUBLISHED[:1], "已告知，陈述申辩期内"),
    Scene("SAMR_SERIOUS", "scjg", TO_PUBLISHED[:2], "当事人已提交陈述申辩，待决定"),
    Scene("SAMR_SERIOUS", "scjg", TO_PUBLISHED[:3], "已决定列入，待公示"),
    Scene(
        "SAMR_SERIOUS",
        "scjg",
        (*TO_PUBLISHED[:2], ("drop", "department")),
        "陈述申辩理由成立，决定不予列入",
    ),
    Scene(
        "SAMR_SERIOUS",
        "scjg",
        (*TO_PUBLISHED, ("revoke", "department")),
        "据以列入的行政处罚决定被复议撤销，移出名单",
    ),
    Scene("TAX_SERIOUS", "swj", TO_PUBLISHED, "虚开增值税专用发票，税收违法“黑名单”"),
)


def organisations(files: Sequence[GeneratedFile]) -> list[tuple[str, str]]:
    """(USCC, name) of the registered organisations, in file order (not individual
    businesses: the scenes are about companies)."""
    reg = next((f for f in files if f.item == REGISTRATION), None)
    if reg is None:
        return []
    with Path(reg.path).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [(r[CODE_COLUMN], r[NAME_COLUMN]) for r in rows if r[CODE_COLUMN].startswith("91")]


def stage(platform: Platform, files: Sequence[GeneratedFile], echo: Callable[[str], None]) -> None:
    orgs = organisations(files)
    with platform.engine.connect() as conn:
        if cases_repo.find_cases(conn, WORKFLOW, limit=1)[1]:
            echo("名单案件：已存在，保持不变")
            return
        known = [c for c in orgs if identity_repo.get_subject(conn, c[0]) is not None]
    if len(known) <= max(RE_ESTABLISHER, len(SCENES)):
        echo("名单案件：主体太少，未生成（至少需要 12 个企业）")
        return
    # The re-establisher first: its listing raises the alert (demo.generator).
    order = [known[RE_ESTABLISHER], *(c for i, c in enumerate(known) if i != RE_ESTABLISHER)]
    published: list[tuple[int, str, str]] = []
    for n, (scene, (code, name)) in enumerate(zip(SCENES, order, strict=False), start=1):
        case_id = _play(platform, scene, code, n)
        if scene.steps == TO_PUBLISHED and scene.list_type == "SAMR_SERIOUS":
            published.append((case_id, code, name))
    echo(
        f"名单案件：{len(SCENES)} 件，覆盖拟列入、告知、陈述申辩、决定、不予列入、公示、移出各状态"
    )
    _typical_cases(platform, published, echo)


# The deciding department's word for its listing decisions (决定书文号 prefix).
DECISION_PREFIX = {"scjg": "陕市监信列", "swj": "陕税稽列"}


def _play(platform: Platform, scene: Scene, code: str, n: int) -> int:
    # One transaction per case, through Platform.transaction: the outbox hands a published
    # listing to the alerts consumer after commit.
    with platform.transaction() as conn:
        now = platform.clock.now()
        case = lists.propose(
            conn,
            platform.sanctions,
            platform.calendar,
            list_type=scene.list_type,
            subject_key=code,
            department_code=scene.department,
            actor=f"{scene.department}:demo",
            now=now,
            catalogue_version=platform.catalogue.snapshot.version,
            note=scene.note,
        )
        number = f"{DECISION_PREFIX[scene.department]}〔{now.year}〕{n}号"
        for step, role in scene.steps:
            lists.advance(
                conn,
                platform.sanctions,
                platform.catalogue,
                platform.calendar,
                case.id,
                step,
                actor=f"{scene.department}:demo",
                role=role,
                now=now,
                note=scene.note,
                decision_number=number if step == lists.DECISION_STEP else None,
                grounds=scene.note if step == lists.DECISION_STEP else None,
            )
    return case.id


def _typical_cases(
    platform: Platform, published: list[tuple[int, str, str]], echo: Callable[[str], None]
) -> None:
    if not published:
        return
    now = platform.clock.now()
    with platform.engine.begin() as conn:
        for i, (case_id, code, name) in enumerate(published[:2]):
            draft = reports.add_typical_case(
                conn,
                platform.sanctions,
                title=f"{name}被列入严重违法失信名单并实施联合惩戒",
                summary=(
                    f"{name}因严重违法失信行为被省市场监督管理局列入严重违法失信名单。"
                    "在政府采购、招标投标中，采购人、招标人依法对其实施限制。"
                ),
                category="惩戒",
                measures=["M11", "M12"],
                department_code="scjg",
                actor="scjg:demo",
                now=now,
                subject=code,
                case_id=case_id,
            )
            if i == 0:  # one published, one left as a draft
                reports.publish_typical_case(
                    conn, platform.sanctions, draft["id"], actor="office:demo", now=now
                )
    echo("典型案例：1 件已发布，1 件草稿")


# Objections of the demo, each by the subject itself (as on its own pages), to one of its
# penalties: (grounds, statement, steps after filing, decision). Staged on organisations from
# the end of the registration file, away from the list scenes at its start.
OBJECTION_SCENES: tuple[tuple[str, str, tuple[str, ...], dict[str, str] | None], ...] = (
    ("wrong_content", "处罚决定书载明的罚款金额与公示不一致，请核查更正", (), None),
    ("wrong_period", "该处罚已履行完毕，公示期限计算有误", ("push", "accept"), None),
    (
        "wrong_content",
        "公示的处罚内容中违法事实有误，附情况说明",
        ("push", "accept", "decide"),
        # Kept, not corrected: the demo re-sends its files on every run, and a re-sent row
        # that differs from a corrected record would be recorded again over the correction.
        {"outcome": "keep", "reason": "经核查，公示内容与行政处罚决定书一致，予以维持"},
    ),
)


def stage_objections(
    platform: Platform, files: Sequence[GeneratedFile], echo: Callable[[str], None]
) -> None:
    """Objections in several states, through the objections service (idempotent)."""
    with platform.engine.connect() as conn:
        if objections_repo.find(conn, limit=1)[1]:
            echo("异议：已存在，保持不变")
            return
    regimes = platform.objection_regimes()
    staged = 0
    candidates = list(reversed(organisations(files)))
    for code, _ in candidates:
        if staged == len(OBJECTION_SCENES):
            break
        entry = _public_penalty(platform, code)
        if entry is None:
            continue
        grounds, statement, steps, decision = OBJECTION_SCENES[staged]
        with platform.transaction() as conn:
            now = platform.clock.now()
            row = objections.file(
                conn,
                regimes,
                platform.sanctions,
                platform.calendar,
                entry_id=entry,
                grounds=grounds,
                statement=statement,
                actor=f"subject:{code}",
                role="subject",
                now=now,
                catalogue_version=platform.catalogue.snapshot.version,
                subject_uscc=code,
            )
            department = row["department_code"]
            for step in steps:
                role = "office" if step == "push" else "department"
                deciding = step == "decide" and decision is not None
                objections.step(
                    conn,
                    regimes,
                    platform.sanctions,
                    platform.catalogue,
                    platform.calendar,
                    row["id"],
                    step,
                    actor="office:demo" if role == "office" else f"{department}:demo",
                    role=role,
                    now=now,
                    department_code=department if role == "department" else None,
                    outcome=decision["outcome"] if deciding and decision else None,
                    reason=decision["reason"] if deciding and decision else None,
                    corrections={decision["field"]: decision["value"]}
                    if deciding and decision and "field" in decision
                    else None,
                )
        staged += 1
    echo(f"异议：{staged} 件（已提交待推送、已受理核查中、已核查维持）")


def _public_penalty(platform: Platform, code: str) -> int | None:
    """The entry of a public administrative penalty of ``code``, if it has one."""
    with platform.engine.connect() as conn:
        cf = build_credit_file(
            conn,
            platform.catalogue,
            code,
            as_of=platform.clock.today(),
            view="public",
            sanctions=platform.sanctions,
        ).as_dict()
    for group in cf["groups"]:
        for item in group["items"]:
            if item["item"] == "XZCF" and item["records"]:
                return int(item["records"][0]["entry_id"])
    return None
