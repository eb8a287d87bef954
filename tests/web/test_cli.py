"""The command line, run in-process against both engines."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from tests.helpers import ORG, add_department, csv_bytes, drop_write_guards, list_subject, penalty
from xinyong.bootstrap import build_platform
from xinyong.catalog.sanctions import load_sanctions
from xinyong.identity.uscc import make_uscc
from xinyong.kernel.settings import get_settings
from xinyong.ledger.tables import entries
from xinyong.web.cli import app

runner = CliRunner()


@pytest.fixture
def env(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XINYONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("XINYONG_SECRET_KEY", "22" * 32)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_import_json_output_and_rejection_file(env: Path) -> None:
    code, out = _run(
        "department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation"
    )
    assert code == 0
    assert "API 密钥" in out
    path = env / "p.csv"
    path.write_bytes(
        csv_bytes([penalty(), penalty(CF_WSH="2号", CF_XDR_SHXYM="91610102MA6T1C7D3B")])
    )
    code, out = _run("import", str(path), "--source", "scjg", "--item", "XZCF", "--json")
    assert code == 0, out
    body = json.loads(out)
    assert {"accepted", "rejected", "duplicates", "late", "rejections"} <= set(body)
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["rejections"][0]["row"] == 3
    assert body["rejections"][0]["value"] == "91610102MA6T1C7D3B"
    assert Path(body["rejection_file"]).exists()
    code, out = _run("import", str(path), "--source", "scjg", "--item", "XZCF", "--json")
    assert json.loads(out)["duplicates"] == 1


def test_import_of_unreadable_file_exits_2_with_reason(env: Path) -> None:
    _run("department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation")
    path = env / "bad.csv"
    path.write_bytes("CF_XDR_MC,CF_XDR_MC\n甲,乙\n".encode())
    code, out = _run("import", str(path), "--source", "scjg", "--json")
    assert code == 2
    assert "重复" in json.loads(out)["error"]


def test_file_and_audit_verify(env: Path, engine: Engine) -> None:
    _run("department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation")
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    _run("import", str(path), "--source", "scjg", "--item", "XZCF")
    code, out = _run("file", ORG, "--json", "--view", "internal", "--purpose", "行政许可审查")
    assert code == 0
    assert json.loads(out)["counts"]["records"] == 1
    code, out = _run("file", ORG, "--as-of", "2020-01-01", "--json", "--purpose", "核查")
    assert json.loads(out)["counts"]["records"] == 0
    code, out = _run("audit", "verify")
    assert code == 0
    assert "完整" in out
    with engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(update(entries).where(entries.c.id == 1).values(severity="轻微"))
    code, out = _run("audit", "verify")
    assert code == 1
    assert "entry 1 was altered" in out


def test_audit_verify_names_an_edited_derived_column(env: Path, engine: Engine) -> None:
    """A publication window moved in the database (outside the entry hash) is recomputed
    from the hashed facts and named: entry, column, stored and recomputed value."""
    _run("department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation")
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    _run("import", str(path), "--source", "scjg", "--item", "XZCF")
    code, out = _run("audit", "verify")
    assert code == 0, out
    assert "派生字段（公示期、严重程度、公示政策、公示时限）与重算结果一致" in out
    with engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(
            update(entries).where(entries.c.id == 1).values(public_until=dt.date(2099, 1, 1))
        )
    code, out = _run("audit", "verify")
    assert code == 1
    assert (
        "派生字段不一致：条目 1 的派生字段 public_until：存储值 2099-01-01，按账本事实重算为" in out
    )
    assert "派生字段 1 处不一致（1 条记录：public_until 1）" in out
    assert "was altered" not in out  # the facts are intact


def test_quality_report(env: Path) -> None:
    _run("department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation")
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty(), penalty(CF_WSH="2号", CF_XDR_MC="别的名字有限公司")]))
    _run("import", str(path), "--source", "scjg", "--item", "XZCF")
    _code, out = _run("quality", "--json")
    dept = json.loads(out)["departments"][0]
    assert dept["code_conflicts"] == 1
    assert dept["conflict_rate_permille"] == 500.0


def test_file_text_speaks_chinese(env: Path) -> None:
    _run("department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation")
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty(CF_CFLB="罚款、吊销许可证件"), penalty(CF_WSH="2号")]))
    _run("import", str(path), "--source", "scjg", "--item", "XZCF")
    code, out = _run("file", ORG, "--view", "internal", "--purpose", "核对报送时间")
    assert code == 0
    assert "处罚类别：罚款、吊销许可证件" in out
    assert "信息来源：省市场监督管理局" in out
    assert "scjg" not in out  # the department by its name
    assert "None" not in out
    assert out.count("张三") == 1  # in the header, not on both records
    assert "【名单与严重失信信息】（1）" in out  # the 吊销 record is 严重
    _code, body = _run("file", ORG, "--json", "--view", "internal", "--purpose", "核对报送时间")
    received = json.loads(body)["groups"][0]["items"][0]["records"][0]["provenance"]["received_at"]
    assert received.endswith("+08:00")
    assert f"接收于 {received[:10]} {received[11:19]}" in out  # Beijing time to the second


def test_check_text_names_the_trigger_the_period_and_what_to_verify(env: Path) -> None:
    _run("department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation")
    path = env / "p.csv"
    path.write_bytes(
        csv_bytes(
            [penalty(CF_CFLB="罚款、吊销营业执照", CF_NR="吊销营业执照", CF_JDRQ="2026-06-10")]
        )
    )
    _run("import", str(path), "--source", "scjg", "--item", "XZCF")
    code, out = _run("check", ORG, "--scenario", "政府采购", "--on", "2026-12-01")
    assert code == 0, out
    assert "政府采购 · 2026-12-01" in out
    assert "措施 M04 政府采购重大违法记录资格限制" in out
    assert "触发：行政处罚信息 陕市监罚〔2026〕1号" in out
    assert "期限：2026-06-10 至 2029-06-10（自决定之日起36个月）" in out
    assert "告知承诺/容缺受理：不适用" in out
    code, out = _run("check", ORG, "--scenario", "government_procurement", "--on", "2029-06-10")
    assert "无确定适用的措施" in out
    code, out = _run("check", ORG, "--scenario", "government_procurement", "--on", "2029-13-01")
    assert code == 2
    assert out.startswith("错误：")
    never = make_uscc("9", "1", "610104", "MA6T9Q1W")
    code, out = _run("check", never, "--scenario", "政府采购")
    assert code == 0
    assert "平台暂无该主体信用记录" in out


def test_cli_lists_scenarios_in_chinese_and_as_json(env: Path) -> None:
    national = load_sanctions().scenarios
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(national)
    assert any(
        line.startswith("government_procurement") and "政府采购（国家目录）：" in line
        for line in lines
    )
    result = runner.invoke(app, ["scenarios", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert [s["code"] for s in body["scenarios"]] == list(national)
    education = next(s for s in body["scenarios"] if s["code"] == "education")
    assert (education["name"], education["local"]) == ("升学复学", False)


def test_cli_check_takes_the_chinese_name_and_marks_unconfirmed_bases(
    env: Path, engine: Engine
) -> None:
    platform = build_platform(get_settings(), engine=engine)
    add_department(platform, "swj", "tax")
    list_subject(platform, ORG, "RED_TAX_A", "swj")
    out = runner.invoke(app, ["check", ORG, "--scenario", "评优评先", "--json"])
    assert out.exit_code == 0, out.output
    answer = json.loads(out.output)
    assert answer["scenario"] == {"code": "honours", "name": "评优评先"}
    (membership,) = answer["memberships"]
    labels = {b["title"]: b["evidence_label"] for b in membership["legal_basis"]}
    assert labels["纳税信用管理办法"] == "待核实"
    i05 = next(m for m in (*answer["measures"], *answer["to_verify"]) if m["measure"] == "I05")
    assert [(b["evidence"], b["evidence_label"]) for b in i05["legal_basis"]] == [("U", "待核实")]
    text = runner.invoke(app, ["check", ORG, "--scenario", "评优评先"])
    assert text.exit_code == 0, text.output
    assert "依据：守信联合激励措施（评优评先优先）（待核实）" in text.output
    assert "[U]" not in text.output
    wrong = runner.invoke(app, ["check", ORG, "--scenario", "政府采买"])
    assert wrong.exit_code == 2
    assert "没有应用场景“政府采买”" in wrong.output


def test_audit_verify_names_a_relation_the_ledger_does_not_account_for(
    env: Path, engine: Engine
) -> None:
    """A legal representative inserted in the database (measures follow relations at every
    check) is named by audit verify without echoing the person's name."""
    from xinyong.identity.tables import relations

    _run("department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation")
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    _run("import", str(path), "--source", "scjg", "--item", "XZCF")
    code, out = _run("audit", "verify")
    assert code == 0, out
    assert "法定代表人等关系与账本重建结果一致" in out
    with engine.begin() as conn:
        conn.execute(
            relations.insert().values(
                org_key=ORG,
                person_name="王五",
                role="actual_controller",
                source_entry_id=1,
                recorded_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
            )
        )
    code, out = _run("audit", "verify")
    assert code == 1
    assert f"关系表不一致：关系 2（{ORG} 的实际控制人）无账本依据" in out
    assert "关系表 1 处不一致" in out
    assert "王五" not in out


def test_audit_verify_compares_the_projections_with_a_rebuild(env: Path, engine: Engine) -> None:
    """A membership or a status row edited in the database (a person taken off a list
    without a ledger entry) is named by audit verify, which changes nothing itself."""
    from xinyong.lists.tables import list_memberships, subject_status

    code, _ = _run("audit", "verify")
    assert code == 0
    with engine.begin() as conn:
        conn.execute(
            list_memberships.insert().values(
                id=900001,
                list_type="COURT_DEFAULTER",
                kind="black",
                subject_key=ORG,
                department_code="gy",
                listed_on=dt.date(2026, 1, 5),
                source="record",
                entry_id=1,
                recorded_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
            )
        )
        conn.execute(
            subject_status.insert().values(
                subject_key=ORG,
                memberships="[]",
                data_version=1,
                updated_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
            )
        )
    code, out = _run("audit", "verify")
    assert code == 1
    assert "投影不一致：名单成员 900001 无账本依据" in out
    assert f"投影不一致：主体状态 {ORG} 无账本依据" in out
    with engine.connect() as conn:  # the check rolled its rebuild back
        assert conn.execute(select(list_memberships.c.id)).scalars().all() == [900001]


@pytest.mark.parametrize(
    ("tamper", "says"),
    [
        ([("update", 3, {"purpose": "改过"})], "审计记录 3 的内容被改动"),
        ([("delete", 3, {})], "审计记录 4 与前一条记录链接不上"),
        (
            [("update", 2, {"id": 900}), ("update", 3, {"id": 2}), ("update", 900, {"id": 3})],
            "审计记录 2 与前一条记录链接不上",
        ),
    ],
    ids=["edited", "deleted", "swapped"],
)
def test_audit_verify_names_the_first_broken_audit_link(
    env: Path, engine: Engine, tamper: list[tuple[str, int, dict[str, object]]], says: str
) -> None:
    from xinyong.access import service as access
    from xinyong.access.tables import audit_log

    now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    with engine.begin() as conn:
        for i in range(5):
            access.audit(conn, "cli:甲", "read_file", f"subject:{i}", now, "核查")
    code, out = _run("audit", "verify")
    assert code == 0, out
    assert "审计日志 5 条，链完整" in out
    with engine.begin() as conn:
        drop_write_guards(conn)
        for op, row, values in tamper:
            where = audit_log.c.id == row
            if op == "delete":
                conn.execute(audit_log.delete().where(where))
            else:
                conn.execute(update(audit_log).where(where).values(**values))
    code, out = _run("audit", "verify")
    assert code == 1
    assert f"审计日志断链：{says}" in out
