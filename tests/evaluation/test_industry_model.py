"""The shipped 行业信用评价 model SCJG_SPXY (食品生产经营, market regulation) on both ledgers
with DuckDB: it scores only subjects whose registration states one of its 行业门类 (a subject
with no stated industry is not scored by it), on top of the subject's GGXYPJ score, counting
only its own department's penalties; GGXYPJ is unchanged by it."""

from __future__ import annotations

from typing import Any

from tests.evaluation.test_evaluation import ALL, _import, _run
from tests.helpers import ORG, ORG2, add_department, csv_bytes, penalty
from xinyong.bootstrap import Platform
from xinyong.catalog.evaluation import load_evaluation_catalogue, model_json
from xinyong.demo.generator import department_uscc
from xinyong.evaluation import service as evaluation


def _register(platform: Platform, uscc: str, name: str, industry: str) -> None:
    row = {"企业名称": name, "统一社会信用代码": uscc, "成立日期": "2020-01-02"}
    if industry:
        row["行业门类"] = industry
    result = platform.importer().import_bytes(
        csv_bytes([row]), filename="dj.csv", department_code="scjg", item_code="DJZC"
    )
    assert result.accepted == 1, result.rejections


def _results(platform: Platform, key: str) -> dict[str, dict[str, Any]]:
    with platform.engine.connect() as conn:
        found = evaluation.subject_results(
            conn, platform.evaluation_models(), key, levels=ALL, with_entries=True
        )
    return {r["model"]: r for r in found}


def test_the_food_model_scores_its_industries_only(platform: Platform) -> None:
    add_department(platform)
    add_department(platform, "sthj", "ecology")
    _register(platform, ORG, "西安市碑林区示例食品有限公司", "C")
    _register(platform, ORG2, "西安市雁塔区示例商贸有限公司", "")  # industry not stated
    _import(
        platform,
        penalty(CF_WSH="陕市监罚〔2026〕1号"),
        penalty(
            CF_XDR_SHXYM=ORG2,
            CF_XDR_MC="西安市雁塔区示例商贸有限公司",
            CF_WSH="陕市监罚〔2026〕3号",
        ),
    )
    # Another department's penalty on ORG counts in GGXYPJ, not in the market regulator's model.
    platform.importer().import_bytes(
        csv_bytes(
            [
                penalty(
                    CF_WSH="陕环罚〔2026〕9号",
                    CF_CFJG="省生态环境厅",
                    CF_CFJGDM=department_uscc("sthj"),
                    CF_SJLY="省生态环境厅",
                    CF_SJLYDM=department_uscc("sthj"),
                )
            ]
        ),
        filename="hb.csv",
        department_code="sthj",
        item_code="XZCF",
    )
    _run(platform, full=True)
    org = _results(platform, ORG)
    assert set(org) == {"GGXYPJ", "QYXYFXFL", "SCJG_SPXY"}
    food = org["SCJG_SPXY"]
    assert food["base"] == org["GGXYPJ"]["score"]
    own = next(i for i in food["indicators"] if i["code"] == "FOOD_PENALTY")
    assert own["value"] == 1.0  # the market regulator's one penalty, not the other's
    assert food["score"] == org["GGXYPJ"]["score"] - 75.0
    # No industry stated: scored by the public model only, and the pages say why.
    assert set(_results(platform, ORG2)) == {"GGXYPJ", "QYXYFXFL"}
    from xinyong.web.evaluation_labels import not_scored

    with platform.engine.connect() as conn:
        found = list(_results(platform, ORG2).values())
        [note] = not_scored(platform, conn, ORG2, found, ALL)
        assert not_scored(platform, conn, ORG, list(org.values()), ALL) == []
    assert note["model"] == "SCJG_SPXY"
    assert note["reason"] == "登记信息未载明行业门类，不参加本模型评价"


def test_the_model_is_published_with_its_scope() -> None:
    catalogue = load_evaluation_catalogue()
    m = catalogue.model("SCJG_SPXY")
    body = model_json(m)
    assert (body["kind"], body["base_model"], body["department"]) == (
        "industry",
        "GGXYPJ",
        "scjg",
    )
    assert [i["code"] for i in body["industries"]] == ["C", "F", "H"]
    assert "未载明行业" in body["scope_note"]
    assert all(b["evidence"] in ("S", "U") for b in body["legal_basis"])
    assert catalogue.facets["DJZC"] == "DJ_HYML"


def test_a_subject_leaving_the_industries_keeps_no_grade(platform: Platform) -> None:
    """Registration C → P, then an incremental run: the food model's earlier result is no
    longer current (a not-scored marker ends it), the grade reader gives None, the pages say
    why; a later full run writes nothing more, and back in C the subject is scored again."""
    from xinyong.evaluation import repository as repo
    from xinyong.web.evaluation_labels import not_scored

    add_department(platform)
    _register(platform, ORG, "西安市碑林区示例食品有限公司", "C")
    _import(platform, penalty(CF_WSH="陕市监罚〔2026〕1号"))
    _run(platform, full=True)
    models = platform.evaluation_models()
    with platform.engine.connect() as conn:
        assert evaluation.grade_letters(conn, models, "SCJG_SPXY", [ORG])[ORG] is not None
    assert set(_results(platform, ORG)) == {"GGXYPJ", "QYXYFXFL", "SCJG_SPXY"}

    _register(platform, ORG, "西安市碑林区示例食品有限公司", "P")  # now 教育
    run = _run(platform)
    assert run["full"] is False
    assert set(_results(platform, ORG)) == {"GGXYPJ", "QYXYFXFL"}
    with platform.engine.connect() as conn:
        assert evaluation.grade_letters(conn, models, "SCJG_SPXY", [ORG]).get(ORG) is None
        [note] = not_scored(platform, conn, ORG, list(_results(platform, ORG).values()), ALL)
        food = evaluation.distribution(conn, models, platform.clock.today(), ALL)
        markers = [
            r for r in repo.results_of_run(conn, run["id"]) if r["model_code"] == "SCJG_SPXY"
        ]
    assert note["model"] == "SCJG_SPXY"
    assert note["reason"].startswith("登记的行业门类为 P 教育")
    assert note["reason"].endswith("不参加本模型评价")
    assert next(d for d in food if d["model"] == "SCJG_SPXY")["total"] == 0
    [marker] = markers
    assert marker["grade"] == "not_scored"
    assert '"not_scored": "industry"' in marker["explanation"]
    export = platform.settings.data_dir / "food.csv"
    with platform.engine.connect() as conn:
        assert evaluation.export_results(conn, models, "SCJG_SPXY", export, levels=ALL) == 0

    # Already ended: a full run writes no second marker.
    full = _run(platform, full=True)
    with platform.engine.connect() as conn:
        again = [r for r in repo.results_of_run(conn, full["id"]) if r["model_code"] == "SCJG_SPXY"]
    assert again == []

    _register(platform, ORG, "西安市碑林区示例食品有限公司", "C")
    _run(platform)
    assert set(_results(platform, ORG)) == {"GGXYPJ", "QYXYFXFL", "SCJG_SPXY"}
