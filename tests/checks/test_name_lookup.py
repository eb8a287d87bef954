"""Looking an organisation up by name: exact normalised match, explained fuzzy candidates,
never authoritative, never a person, always receipted; on both engines and from the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from typer.testing import CliRunner

from tests.helpers import ORG, ORG2, add_department, csv_bytes, penalty, resident_id
from xinyong.bootstrap import Platform
from xinyong.checks import fuzzy
from xinyong.checks import service as checks
from xinyong.checks.tables import check_receipts
from xinyong.identity.uscc import make_uscc
from xinyong.kernel.errors import InputError
from xinyong.kernel.settings import get_settings
from xinyong.web.cli import app

NAME = "西安市碑林区示例科技有限公司"  # ORG's name in tests.helpers.penalty()
# First characters sorting between 是 and 示: names that crowd the query's neighbourhood when
# the typo is the first character of the 字号.
CROWD = "晨朝本来杰林果格森欧正永江汇沃泰海润源灵瑞盛益睿石"


def _org(n: int) -> str:
    return make_uscc("9", "1", "610102", f"MA7K{n:04d}")


def _rows() -> list[dict[str, str]]:
    rows = [
        penalty(CF_CFLB="罚款,责令停产停业"),
        penalty(CF_XDR_SHXYM=ORG2, CF_XDR_MC="西安市雁塔区示范建筑工程有限公司", CF_WSH="2号"),
    ]
    for i, ch in enumerate(CROWD):
        rows.append(
            penalty(
                CF_XDR_SHXYM=_org(i),
                CF_XDR_MC=f"西安市碑林区{ch}达科技有限公司",
                CF_WSH=f"陕市监罚〔2026〕{100 + i}号",
                CF_FRDB="李四",
                CF_FR_ZJHM="",
            )
        )
    return rows


@pytest.fixture
def loaded(platform: Platform) -> Platform:
    add_department(platform)
    result = platform.importer().import_bytes(
        csv_bytes(_rows()), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    assert result.rejected == 0, result.rejections
    return platform


def _lookup(
    platform: Platform, name: str, scenario: str = "government_procurement", **kw: Any
) -> dict[str, Any]:
    with platform.engine.begin() as conn:
        return checks.check_by_name(
            conn,
            platform.sanctions,
            name=name,
            scenario=scenario,
            today=platform.clock.today(),
            now=platform.clock.now(),
            actor="procurement-system",
            department_code="scjg",
            **kw,
        )


def _receipt(platform: Platform, receipt: str) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        row = conn.execute(select(check_receipts).where(check_receipts.c.receipt == receipt)).one()
    return dict(row._mapping)


def test_misspelt_name_gives_the_right_company_first_with_explanation(loaded: Platform) -> None:
    answer = _lookup(loaded, "西安市碑林区示列科技有限公司")
    assert answer["authoritative"] is False
    assert answer["identified_by"] == "name"
    assert answer["match"] == "fuzzy"
    assert "measures" not in answer  # the caller must check again with the code
    assert "不列出适用措施" in answer["message"]
    first = answer["candidates"][0]
    assert (first["rank"], first["code"], first["name"]) == (1, ORG, NAME)
    assert first["score"] == pytest.approx((92.9 + 75.0) / 2, abs=0.1)
    m = first["match"]
    assert m["scorer"] == "rapidfuzz.fuzz.ratio"
    assert m["field"] == "current_name"
    assert m["normalised_query"] == "西安市碑林区示列科技有限公司"
    assert m["normalised_name"] == NAME
    assert (m["query_core"], m["name_core"]) == ("示列科技", "示例科技")
    assert m["edit_distance"] == 1
    assert m["differences"] == [{"op": "replace", "position": 8, "query": "列", "name": "例"}]
    assert "“列”与“例”不同" in m["explanation"]
    assert all(c["score"] >= fuzzy.MIN_SCORE for c in answer["candidates"])
    receipt = _receipt(loaded, answer["receipt"])
    assert receipt["subject_key"].startswith("N")
    assert json.loads(receipt["measures"]) == []
    assert receipt["department_code"] == "scjg"
    with loaded.engine.begin() as conn, pytest.raises(InputError):
        checks.feedback(
            conn,
            receipt=answer["receipt"],
            measure="M04",
            applied=True,
            reason="",
            actor="x",
            department_code="scjg",
            now=loaded.clock.now(),
        )


def test_typo_right_after_a_crowded_prefix_is_found(loaded: Platform) -> None:
    # Twenty-five names sort between 是 and 示: the neighbourhood alone misses ORG, the
    # one-edit probe at the divergence finds it.
    query = "西安市碑林区是例科技有限公司"
    neighbours = [f"西安市碑林区{ch}达科技有限公司" for ch in CROWD]
    assert fuzzy.divergence(query, neighbours) == 6
    answer = _lookup(loaded, query)
    assert answer["candidates"][0]["code"] == ORG
    assert [c["code"] for c in answer["candidates"]] == [ORG]  # the crowd scores below 75


def test_exact_normalised_name_identifies_the_unique_subject(loaded: Platform) -> None:
    answer = _lookup(loaded, " 西安市碑林区 示例科技有限公司　")
    assert answer["match"] == "exact"
    assert answer["authoritative"] is False
    assert answer["identified_by"] == "name"
    assert answer["subject"] == {
        "code": ORG,
        "kind": "organisation",
        "kind_label": "法人及非法人组织",
        "on_record": True,
        "name": NAME,
    }
    assert answer["candidates"][0]["score"] == 100.0
    assert answer["candidates"][0]["match"]["field"] == "current_name"
    assert "M04" in {m["measure"] for m in answer["measures"]}  # the normal answer
    assert ORG in answer["message"]
    assert _receipt(loaded, answer["receipt"])["subject_key"] == ORG


def test_former_name_and_ambiguous_names(loaded: Platform) -> None:
    old = "西安市碑林区旧称科技有限公司"
    same = make_uscc("9", "1", "610103", "MA7K9999")
    loaded.importer().import_bytes(
        csv_bytes(
            [
                penalty(CF_XDR_MC=old, CF_WSH="旧1"),
                penalty(
                    CF_XDR_SHXYM=same, CF_XDR_MC="西安市雁塔区示范建筑工程有限公司", CF_WSH="重"
                ),
            ]
        ),
        filename="q.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    by_old = _lookup(loaded, old)
    assert by_old["match"] == "exact"
    assert by_old["subject"]["code"] == ORG
    assert by_old["candidates"][0]["match"]["field"] == "former_name"
    assert by_old["candidates"][0]["match"]["matched_name"] == old
    # One name, two codes: no subject is chosen and no measures are given.
    twice = _lookup(loaded, "西安市雁塔区示范建筑工程有限公司")
    assert twice["match"] == "ambiguous"
    assert "measures" not in twice
    assert {c["code"] for c in twice["candidates"]} == {ORG2, same}
    assert {c["score"] for c in twice["candidates"]} == {100.0}


def test_unknown_name_and_persons(loaded: Platform) -> None:
    none = _lookup(loaded, "北京市朝阳区完全不同贸易有限公司")
    assert none["candidates"] == []
    assert none["match"] == "none"
    assert none["authoritative"] is False
    assert none["message"].startswith("未找到名称与")
    assert "measures" not in none
    # A person's name finds nothing (persons are never looked up by name) ...
    assert _lookup(loaded, "张三")["candidates"] == []
    # ... and an ID number or a code in the name field is refused.
    with pytest.raises(InputError) as exc:
        _lookup(loaded, resident_id())
    assert "自然人" in exc.value.message_zh
    with pytest.raises(InputError):
        _lookup(loaded, ORG)
    with pytest.raises(InputError):
        _lookup(loaded, "西")


def test_limit_and_query_count(loaded: Platform) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(loaded.engine, "before_cursor_execute", count)
    try:
        answer = _lookup(loaded, "西安市碑林区晨达科技公司", limit=1)
    finally:
        event.remove(loaded.engine, "before_cursor_execute", count)
    assert len(answer["candidates"]) == 1
    assert answer["candidates"][0]["name"] == "西安市碑林区晨达科技有限公司"
    assert answer["candidates"][0]["match"]["differences"][0]["op"] == "insert"
    # exact, neighbours, divergence probe, subjects, reported names, head, receipt
    assert len(statements) <= 7, statements


def test_core_name_strips_divisions_and_forms() -> None:
    assert fuzzy.core_name("陕西省西安市碑林区示例科技有限公司") == "示例科技"
    assert fuzzy.core_name("示例科技(西安)有限公司") == "示例科技"
    assert fuzzy.core_name("西安示例科技股份有限公司") == "示例科技"
    assert fuzzy.core_name("有限公司") == "有限公司"
    assert fuzzy.probe_keys("西安市碑林区示例科技有限公司") == [
        "西安市碑林区示例科技有限公司",
        "示例科技有限公司",
    ]


# -- CLI --------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(
    loaded: Platform, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("XINYONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("XINYONG_SECRET_KEY", "22" * 32)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_check_by_name(cli_env: None) -> None:
    runner = CliRunner()
    args = [
        "check",
        "--name",
        "西安市碑林区示列科技有限公司",
        "--scenario",
        "government_procurement",
    ]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["authoritative"] is False
    assert body["candidates"][0]["code"] == ORG
    text = runner.invoke(app, args)
    assert text.exit_code == 0, text.output
    assert "非权威" in text.output
    assert ORG in text.output
    assert "无适用的措施" not in text.output  # no measures are claimed for a fuzzy match
    both = runner.invoke(app, ["check", ORG, "--name", NAME, "--scenario", "bidding"])
    assert both.exit_code == 2
    by_code = runner.invoke(app, ["check", ORG, "--scenario", "government_procurement"])
    assert by_code.exit_code == 0, by_code.output
    assert "M04" in by_code.output
    assert "触发：行政处罚信息 " in by_code.output
