"""The evaluation models file: the shipped model loads; weights, grade ranges (overlaps,
gaps, coverage), duplicate codes and a public risk classification are refused with the file
and key named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from xinyong.catalog.evaluation import (
    MODELS_FILE,
    ResultDisclosure,
    load_evaluation_catalogue,
)
from xinyong.catalog.files import NATIONAL_DIR
from xinyong.kernel.errors import ConfigurationError


def _national() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((NATIONAL_DIR / MODELS_FILE).read_text("utf-8"))
    return data


def _local(tmp_path: Path, body: dict[str, Any]) -> Path:
    folder = tmp_path / "local"
    (folder / "evaluation").mkdir(parents=True)
    (folder / MODELS_FILE).write_text(yaml.safe_dump(body, allow_unicode=True), "utf-8")
    return folder


def test_the_shipped_model() -> None:
    cat = load_evaluation_catalogue()
    model = cat.model("GGXYPJ")
    assert model.disclosure is ResultDisclosure.PUBLIC
    assert [g.label for g in model.grades] == ["优", "良", "中", "差"]
    assert model.grade_of(1000).label == "优"
    assert model.grade_of(849.99).label == "良"
    assert model.grade_of(0).label == "差"
    assert {"XZCF", "YZSX", "SXBZXR", "XYCN", "CXRY", "ZYZC", "XZJC"} <= {
        i for ind in model.indicators for i in ind.items
    }
    assert cat.facets["XYCN"] == "CN_LYZT"


def test_a_local_model_replaces_the_national_one(tmp_path: Path) -> None:
    body = _national()
    body["models"][0]["version"] = "2027.1"
    cat = load_evaluation_catalogue([_local(tmp_path, body)])
    assert cat.model("GGXYPJ").version == "2027.1"
    assert cat.model("GGXYPJ").local


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda m: m["indicators"][0].update(weight=0), "weight"),
        (lambda m: m["indicators"][1].update(code=m["indicators"][0]["code"]), "指标代码重复"),
        (lambda m: m["grades"][1].update({"from": 690}), "重叠"),
        (lambda m: m["grades"][1].update({"from": 710}), "空档"),
        (lambda m: m["grades"][0].update(to=990), "覆盖"),
        (lambda m: m["grades"][1].update(letter="A"), "字母重复"),
        (lambda m: m["score"].update(base=1200), "base"),
        (lambda m: m.update(kind="risk_class"), "内部"),
        (lambda m: m["indicators"][0].update(recency=[]), "recency"),
        (lambda m: m["grades"][0].update(code="not_scored"), "保留值"),
    ],
)
def test_bad_models_are_refused(tmp_path: Path, change: Any, says: str) -> None:
    body = _national()
    change(body["models"][0])
    with pytest.raises(ConfigurationError) as err:
        load_evaluation_catalogue([_local(tmp_path, body)])
    assert says in err.value.message_zh
    assert "local/evaluation/models.yaml" in err.value.message_zh


def test_an_industry_model_needs_a_known_base(tmp_path: Path) -> None:
    body = _national()
    model = dict(body["models"][0], code="SCJG_X", kind="industry", base_model="NOPE")
    body["models"] = [model]
    with pytest.raises(ConfigurationError) as err:
        load_evaluation_catalogue([_local(tmp_path, body)])
    assert "base_model" in err.value.message_zh
