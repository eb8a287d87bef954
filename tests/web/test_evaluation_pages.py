"""The evaluation's pages: the portal's models page, a subject's grade and public explanation
(never a non-public record), the subject's own full explanation, and the console's page
(models, runs, a background run with its progress, the grade distribution, a subject's
explanation) with the API's role rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import (
    ORG,
    ORG2,
    add_department,
    add_user,
    console_sign_in,
    csrf_of,
    csv_bytes,
    penalty,
)
from xinyong.access import repository as access_repo
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.catalog.evaluation import load_evaluation_catalogue
from xinyong.evaluation import service as evaluation
from xinyong.selfservice import accounts
from xinyong.web.app import create_app

FINE_NO = "陕市监罚〔2026〕1号"  # a fine: public
WARNING_NO = "陕市监警〔2026〕7号"  # a warning: not published (not on the public file)
PASSWORD = "Ab1!ab1!Ab1!"

INDUSTRY = """
schema: xinyong.catalog/v1
kind: evaluation_models
models:
  - code: SCJG_ADS
    name: 广告经营者信用评价（市场监管行业模型）
    kind: industry
    version: "2026.1"
    effective_from: 2026-01-01
    disclosure: 政务共享
    base_model: GGXYPJ
    department: scjg
    legal_basis:
      - title: 行业信用评价（示例）
        evidence: U
    score: {base: 700, min: 0, max: 1000}
    indicators:
      - code: ADS_PENALTY
        name: 广告违法处罚
        direction: negative
        function: count
        weight: 100
        cap: 1
        items: [XZCF]
    grades:
      - {code: EXCELLENT, label: 优, from: 850, to: 1000}
      - {code: GOOD, label: 良, from: 700, to: 850}
      - {code: FAIR, label: 中, from: 500, to: 700}
      - {code: POOR, label: 差, from: 0, to: 500}
"""


def _client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform), base_url="https://testserver")


def _run(platform: Platform, full: bool = True) -> dict[str, Any]:
    return evaluation.run(
        platform.engine,
        platform.evaluation_models(),
        platform.evaluation_snapshot(),
        now=platform.clock.now(),
        actor="office:测试",
        full=full,
    )


@pytest.fixture
def scored(platform: Platform) -> None:
    add_department(platform)
    rows = [
        penalty(CF_WSH=FINE_NO),
        penalty(CF_WSH=WARNING_NO, CF_CFLB="警告", CF_NR="警告", CF_NR_FK="", CF_JDRQ="2026-06-11"),
        penalty(
            CF_XDR_MC="西安市雁塔区另一家有限公司", CF_XDR_SHXYM=ORG2, CF_WSH="陕市监罚〔2026〕9号"
        ),
    ]
    result = platform.importer().import_bytes(
        csv_bytes(rows), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    assert result.accepted == 3, result.as_dict()
    _run(platform)


def _public_file_has(platform: Platform, client: TestClient, number: str) -> bool:
    return number in client.get(f"/subjects/{ORG}?tab=" + _penalty_tab(platform)).text


def _penalty_tab(platform: Platform) -> str:
    from xinyong.portal.rules import item_tab

    return item_tab(platform.catalogue, "XZCF")


def test_the_models_page_publishes_the_model(platform: Platform) -> None:
    page = _client(platform).get("/evaluation")
    assert page.status_code == 200
    text = page.text
    assert "公共信用综合评价（本平台模型）" in text
    assert "GB/T 45255-2025" in text
    assert "指标体系" in text
    assert "未公开" in text
    assert "本平台自定" in text
    assert "严重失信行政处罚（按时间衰减）" in text  # an indicator by name, with its weight
    assert re.search(
        r"严重失信行政处罚（按时间衰减）.*?</td><td>行政管理</td><td>扣分</td><td>300</td>", text
    )
    assert "850 ≤ 得分 ≤ 1000" in text
    assert "0 ≤ 得分 &lt; 500" in text
    assert "2026.1" in text
    assert "2026-01-01" in text
    assert "国办发〔2019〕35号" in text
    assert 'href="/evaluation"' in text  # in the portal's navigation


def test_a_subjects_grade_and_its_public_explanation(platform: Platform, scored: None) -> None:
    client = _client(platform)
    assert _public_file_has(platform, client, FINE_NO)
    assert not _public_file_has(platform, client, WARNING_NO)  # the premise: not public
    page = client.get(f"/subjects/{ORG}").text
    assert "公共信用综合评价（本平台模型）：" in page
    assert "中（C）" in page
    assert "得分 600" in page
    assert f'href="/subjects/{ORG}/evaluation#result-GGXYPJ"' in page
    assert "评价于 2026-" in page

    explained = client.get(f"/subjects/{ORG}/evaluation")
    assert explained.status_code == 200
    text = explained.text
    assert "一般及轻微行政处罚（按时间衰减）" in text
    assert "-100" in text  # two penalties: the contribution
    assert FINE_NO in text  # the public record behind it, linked to the file
    assert WARNING_NO not in text  # the non-public one is never named
    assert "另有 1 条依据信息不向社会公开" in text
    # A natural person's results are never shown: the page does not exist for them.
    assert client.get("/subjects/610102198001011234/evaluation").status_code in (404, 422)


def test_the_subject_reads_its_own_full_explanation(platform: Platform, scored: None) -> None:
    with platform.engine.begin() as conn:
        code = accounts.issue_code(conn, uscc=ORG, days=14, now=platform.clock.now(), actor="t")
    client = _client(platform)
    form = client.get("/account/activate")
    data = {"uscc": ORG, "code": code.code, "password": PASSWORD, "confirm": PASSWORD}
    resp = client.post("/account/activate", data={**data, "csrf": csrf_of(form.text)})
    assert resp.status_code == 200, resp.text
    assert 'href="/account/evaluation"' in client.get("/account").text
    page = client.get("/account/evaluation")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert FINE_NO in page.text
    assert WARNING_NO in page.text
    assert "未公开" in page.text
    assert "另有" not in page.text
    assert client.get("/account/logout").status_code in (200, 303, 405)
    fresh = _client(platform).get("/account/evaluation", follow_redirects=False)
    assert fresh.status_code == 303  # signed out: to the sign-in page


def _signed_in(platform: Platform, name: str) -> TestClient:
    client = _client(platform)
    assert console_sign_in(client, name).status_code == 303
    return client


def test_console_roles_runs_and_explanations(
    platform: Platform, scored: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = tmp_path / "local"
    (local / "evaluation").mkdir(parents=True)
    (local / "evaluation" / "models.yaml").write_text(INDUSTRY, "utf-8")
    catalogue = load_evaluation_catalogue([local])
    monkeypatch.setattr(platform, "evaluation_models", lambda: catalogue)
    _run(platform)  # the department's model scored too
    add_user(platform, "admin", "office_admin")
    add_user(platform, "officer", "department_officer", "scjg")
    add_user(platform, "auditor", "auditor")
    add_user(platform, "inspector", "inspector")

    admin = _signed_in(platform, "admin")
    page = admin.get("/console/evaluation")
    assert page.status_code == 200
    text = page.text
    assert 'href="/console/evaluation"' in text  # the nav link
    assert "广告经营者信用评价" in text
    assert "公共信用综合评价（本平台模型）" in text
    assert "开始评价" in text
    assert "chart-dist-GGXYPJ" in text
    assert "console-evaluation.js" in text
    figures = re.search(r"data-figures='([^']*)'", text)
    assert figures is not None
    assert "<td>中（C）</td><td>2</td><td>100.0%</td>" in text  # both subjects 中

    # The office starts a full run in the background; the page shows it and its progress.
    form = admin.post(
        "/console/evaluation/runs",
        data={"mode": "full", "csrf": csrf_of(text)},
        follow_redirects=False,
    )
    assert form.status_code == 303
    platform.wait_evaluation(60)
    with platform.engine.connect() as conn:
        last = evaluation.list_runs(conn, 1)[0]
    assert last["state"] == "done"
    assert last["full"]
    assert last["total"] == 6  # 2 subjects × 3 models (with the internal QYXYFXFL)
    assert last["started_by"].endswith(":admin")
    runs = admin.get("/console/evaluation").text
    assert re.search(rf"<td>{last['id']}</td><td>已完成</td><td>全量</td><td>6/6</td>", runs)
    bad = admin.post("/console/evaluation/runs", data={"mode": "all", "csrf": csrf_of(text)})
    assert bad.status_code == 400
    assert "评价方式" in bad.text

    # A subject's explanation, audited with the purpose; the staff see every record behind it.
    explained = admin.get("/console/evaluation", params={"code": ORG, "purpose": "监管核查"})
    assert explained.status_code == 200
    assert FINE_NO in explained.text
    assert WARNING_NO in explained.text
    with platform.engine.connect() as conn:
        audited = [r for r in access_repo.audit_rows(conn) if r["action"] == "read_evaluation"]
    assert audited
    assert audited[-1]["purpose"] == "监管核查"
    no_purpose = admin.get("/console/evaluation", params={"code": ORG})
    assert no_purpose.status_code == 400
    assert "用途" in no_purpose.text

    # Auditors read, without the button; they cannot start a run.
    auditor = _signed_in(platform, "auditor")
    read = auditor.get("/console/evaluation").text
    assert "开始评价" not in read
    assert "广告经营者信用评价" in read
    refused = auditor.post("/console/evaluation/runs", data={"mode": "full", "csrf": csrf_of(read)})
    assert refused.status_code == 403

    # A department officer sees the 社会公开 and 政务共享 models; inspectors are refused.
    officer = _signed_in(platform, "officer").get("/console/evaluation")
    assert officer.status_code == 200
    assert "广告经营者信用评价" in officer.text
    assert "开始评价" not in officer.text
    assert _signed_in(platform, "inspector").get("/console/evaluation").status_code == 403


def test_the_console_page_refreshes_while_a_run_is_going(platform: Platform, scored: None) -> None:
    from xinyong.evaluation import repository as repo

    add_user(platform, "admin", "office_admin")
    with platform.engine.begin() as conn:
        repo.insert_run(
            conn,
            {
                "state": "running",
                "full": True,
                "models": "[]",
                "engine": "duckdb",
                "from_entry": 0,
                "ledger_head": 3,
                "evaluated_on": platform.clock.today().isoformat(),
                "done": 5000,
                "total": 20000,
                "started_by": "system:evaluate",
                "started_at": platform.clock.now(),
            },
        )
    admin = _signed_in(platform, "admin")
    text = admin.get("/console/evaluation").text
    assert '<meta http-equiv="refresh" content="3">' in text
    assert "已评价 <strong>5000</strong>/20000（25%）" in text
    refused = admin.post(
        "/console/evaluation/runs", data={"mode": "incremental", "csrf": csrf_of(text)}
    )
    assert refused.status_code == 409
    assert "正在运行" in refused.text
    assert platform._evaluation_run is None


def test_a_re_registered_subject_shows_no_stale_food_grade(platform: Platform) -> None:
    """Registration C → P and an incremental run: the API (with a key), the console's
    explanation and the subject's own page show no SCJG_SPXY grade, only why it is not
    scored (不参加本模型评价, the industry stated)."""
    add_department(platform)
    name = "西安市碑林区示例科技有限公司"

    def register(industry: str) -> None:
        row = {"企业名称": name, "统一社会信用代码": ORG, "成立日期": "2020-01-02"}
        result = platform.importer().import_bytes(
            csv_bytes([{**row, "行业门类": industry}]),
            filename="dj.csv",
            department_code="scjg",
            item_code="DJZC",
        )
        assert result.accepted == 1, result.as_dict()

    register("C")
    platform.importer().import_bytes(
        csv_bytes([penalty(CF_WSH=FINE_NO)]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    _run(platform)
    with platform.engine.begin() as conn:
        key = access.issue_key(conn, "信用办", "office", None, platform.clock.now())
    client = _client(platform)
    api = f"/api/v1/subjects/{ORG}/evaluation"
    headers, params = {"X-API-Key": key}, {"purpose": "分级分类监管"}
    before = client.get(api, headers=headers, params=params).json()
    assert "SCJG_SPXY" in {r["model"] for r in before["results"]}
    assert before["not_scored"] == []

    register("P")
    assert _run(platform, full=False)["full"] is False
    after = client.get(api, headers=headers, params=params).json()
    assert {r["model"] for r in after["results"]} == {"GGXYPJ", "QYXYFXFL"}
    [note] = after["not_scored"]
    assert note["model"] == "SCJG_SPXY"
    assert note["reason"].startswith("登记的行业门类为 P 教育")
    assert "不参加本模型评价" in note["reason"]
    assert client.get(api).json()["not_scored"] == []  # 政务共享: not a public model

    add_user(platform, "admin", "office_admin")
    console = _signed_in(platform, "admin").get(
        "/console/evaluation", params={"code": ORG, "purpose": "监管核查"}
    )
    assert console.status_code == 200
    assert 'id="result-SCJG_SPXY"' not in console.text
    assert 'id="not-scored-SCJG_SPXY"' in console.text
    assert "登记的行业门类为 P 教育" in console.text

    with platform.engine.begin() as conn:
        code = accounts.issue_code(conn, uscc=ORG, days=14, now=platform.clock.now(), actor="t")
    own = _client(platform)
    form = own.get("/account/activate")
    data = {"uscc": ORG, "code": code.code, "password": PASSWORD, "confirm": PASSWORD}
    assert (
        own.post("/account/activate", data={**data, "csrf": csrf_of(form.text)}).status_code == 200
    )
    page = own.get("/account/evaluation").text
    assert 'id="result-SCJG_SPXY"' not in page
    assert 'id="not-scored-SCJG_SPXY"' in page
    assert "不参加本模型评价" in page
