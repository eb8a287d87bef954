"""The main job on both engines, and the generator's realism."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select

from tests.helpers import counts
from xinyong.bootstrap import Platform
from xinyong.commitments import service as commitments
from xinyong.demo.generator import generate_files
from xinyong.demo.run import run_demo
from xinyong.identity.divisions import default_divisions
from xinyong.identity.tables import subjects
from xinyong.identity.uscc import check_uscc
from xinyong.ingest.readers import read_table


def test_demo_builds_a_province_through_the_real_pipeline(platform: Platform) -> None:
    lines: list[str] = []
    run_demo(platform, subjects=40, echo=lines.append)
    n_batches, n_entries = counts(platform)
    assert n_batches >= 5
    assert n_entries > 40
    text = "\n".join(lines)
    assert "拒收4" in text  # the four deliberately broken penalty rows
    assert "完整" in text  # the ledger verifies
    keys = json.loads((platform.settings.data_dir / "demo-keys.json").read_text())
    assert {"scjg", "gy", "office"} <= set(keys)
    # Commitments of all four types, open (with a promised date), fulfilled, breached, false.
    with platform.engine.connect() as conn:
        signed = commitments.find(conn, platform.commitment_deps(), limit=100)["items"]
    assert {c["type"] for c in signed} == {"1", "2", "3", "4"}
    assert {c["status"] for c in signed} == {"signed", "fulfilled", "breached", "false"}
    assert any(c["status"] == "signed" and c["due_date"] for c in signed)
    assert "信用承诺：9 件" in text
    # 双随机抽查: demo_inspector signs in as a demo inspector with tasks in its inbox.
    from xinyong.access import repository as access_repo
    from xinyong.inspections import registry
    from xinyong.inspections import service as insp

    with platform.engine.connect() as conn:
        user = access_repo.user_by_name(conn, "demo_inspector")
        assert user is not None
        me = registry.inspector_of_account(conn, int(user["id"]))
        assert me is not None
        assert insp.list_tasks(conn, platform.inspection_deps(), inspector_id=me["id"])
    assert "已关联检查人员" in text
    # A joint plan (进一次门、查多项事): each task has inspectors of both departments and both
    # items; the participating ecology department sees its tasks and its coverage row.
    assert "双随机联合抽查" in text
    deps = platform.inspection_deps()
    with platform.engine.connect() as conn:
        joint = [
            t for t in insp.list_tasks(conn, deps, department_code="sthj")
            if [i["item"] for i in t["items"]] == ["GSXX_CC", "PWDW_CC"]
        ]  # fmt: skip
        report = insp.coverage_report(
            conn, deps, department_code="sthj", year=None, now=platform.clock.now()
        )
        published = insp.public_summary(conn, deps)
    assert joint
    for t in joint:
        assert any(i.startswith("SJ-DEMO-") for i in t["inspectors"])
        assert any(i.startswith("HJ-DEMO-") for i in t["inspectors"])
    [row] = report["groups"]
    assert (row["item"], row["drawn_subjects"]) == ("PWDW_CC", len(joint))
    assert row["joint_plans"]
    assert any(r["item"] == "PWDW_CC" and r["tasks"] == len(joint) for r in published)
    # The console shows the joint team, the portal the joint plan with both items.
    from fastapi.testclient import TestClient

    from tests.helpers import add_user, console_sign_in
    from xinyong.web.app import create_app

    client = TestClient(create_app(platform), base_url="https://testserver")
    portal = client.get("/inspections").text
    assert "联合抽查（进一次门、查多项事）" in portal
    assert "排污单位环境监管随机抽查（省生态环境厅）" in portal
    add_user(platform, "demo.check", "office_admin")
    assert console_sign_in(client, "demo.check").status_code == 303
    page = client.get(f"/console/inspections/plans/{joint[0]['plan']}").text
    assert "联合抽查：进一次门、查多项事" in page
    assert "HJ-DEMO-" in page
    assert "SJ-DEMO-" in page
    # Running it again re-sends the same rows: nothing new is recorded.
    run_demo(platform, subjects=40, echo=lines.append)
    assert counts(platform) == (n_batches, n_entries)
    with platform.engine.connect() as conn:
        assert commitments.find(conn, platform.commitment_deps())["total"] == len(signed)
        # Most organisations' registrations state 行业门类 and 企业规模; some state neither.
        rows = conn.execute(
            select(subjects.c.industry, subjects.c.size).where(subjects.c.kind == "organisation")
        ).all()
    stated = [r for r in rows if r.industry]
    assert len(stated) > len(rows) / 2
    assert len(stated) < len(rows)
    assert {r.industry for r in stated} <= set("ABCDEFGHIJKLMNOPQRST")
    assert {r.size for r in rows if r.size} <= {"1", "2", "3", "4"}


def test_generated_codes_are_valid_on_real_divisions(tmp_path: Path) -> None:
    files = generate_files(tmp_path, subjects=200, seed=11, today=dt.date(2026, 11, 20))
    reg = next(f for f in files if f.item == "DJZC")
    table = read_table(
        reg.path.read_bytes(), filename=reg.path.name, max_bytes=10**8, max_rows=10**6
    )
    col = table.headers.index("统一社会信用代码")
    divisions = default_divisions()
    codes = [r.cells[col] for r in table.rows]
    assert len(set(codes)) == 200
    for code in codes:
        check = check_uscc(code)
        assert check.valid, (code, check.errors)
        assert divisions.lookup(code[2:8]).status == "in_use"
        assert code[2:4] == "61"
    kinds = {f.item for f in files}
    assert {"DJZC", "XZXK", "XZCF", "SXBZXR"} <= kinds


def test_demo_stages_cases_in_every_state_an_alert_and_typical_cases(platform: Platform) -> None:
    from xinyong.alerts import service as alerts
    from xinyong.cases import repository as cases_repo
    from xinyong.lists.service import WORKFLOW
    from xinyong.reports import service as reports

    lines: list[str] = []
    run_demo(platform, subjects=40, echo=lines.append)
    with platform.engine.connect() as conn:
        found, total = cases_repo.find_cases(conn, WORKFLOW, limit=100)
        states = {c.state for c in found}
        assert states == {
            "proposed",
            "notified",
            "statement",
            "listed",
            "dropped",
            "published",
            "exited",
        }
        raised = alerts.list_alerts(conn)
        typical = reports.list_typical_cases(conn, platform.sanctions, internal=True)
    assert total == 9
    assert raised["total"] >= 1, "the re-establisher's listing raises a 易地开张 alert"
    assert sorted(t["state"] for t in typical) == ["draft", "published"]
    run_demo(platform, subjects=40, echo=lines.append)  # again: nothing new
    with platform.engine.connect() as conn:
        assert cases_repo.find_cases(conn, WORKFLOW, limit=100)[1] == 9
    assert "名单案件：已存在，保持不变" in lines


def test_company_names_read_like_chinese_trade_names() -> None:
    from xinyong.demo.generator import INDUSTRIES, SUFFIXES, TRADE_NAME_CHARS, Province

    prov = Province(5)
    names = [prov.company().name for _ in range(300)]
    orgs = [n for n in names if not n.endswith("经营部")]
    assert len(set(names)) == len(names)
    for n in orgs:
        suffix = next(s for s in sorted(SUFFIXES, key=len, reverse=True) if n.endswith(s))
        industries = sorted((i for i, _, _ in INDUSTRIES), key=len, reverse=True)
        industry = next(i for i in industries if n[: -len(suffix)].endswith(i))
        trade = n[: -len(suffix) - len(industry)][-2:]
        assert all(ch in TRADE_NAME_CHARS for ch in trade), n


def test_demo_stages_objections_in_several_states(platform: Platform) -> None:
    from xinyong.objections import service as objections

    lines: list[str] = []
    run_demo(platform, subjects=40, echo=lines.append)
    with platform.engine.connect() as conn:
        found = objections.find(
            conn,
            platform.catalogue,
            platform.sanctions,
            platform.objection_regimes(),
            today=platform.clock.today(),
        )
    by_state = {o["state"]: o for o in found["objections"]}
    assert set(by_state) == {"submitted", "accepted", "closed"}
    assert by_state["closed"]["outcome"] == "keep"
    assert by_state["closed"]["reason"]
    assert all(o["applicant_kind"] == "subject" for o in found["objections"])
    assert any(line.startswith("异议：3 件") for line in lines)
    run_demo(platform, subjects=40, echo=lines.append)  # again: nothing new
    assert "异议：已存在，保持不变" in lines
