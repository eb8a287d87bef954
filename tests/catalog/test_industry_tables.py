"""行业门类 and 企业规模 as catalogue data: the 20 门类 letters A–T and the four sizes, with
their legal basis and honest evidence tags; the shipped industry models name only 门类 of
the table; the loader refuses `industries` on a model that is not an industry model."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinyong.catalog.evaluation import load_evaluation_catalogue
from xinyong.catalog.loader import load_catalogue
from xinyong.kernel.errors import ConfigurationError


def test_the_code_tables() -> None:
    catalogue = load_catalogue()
    industries = catalogue.code_table("industry_category")
    assert [v.code for v in industries.values] == list("ABCDEFGHIJKLMNOPQRST")
    assert industries.legal_basis[0].doc_no == "GB/T 4754-2017"
    assert industries.legal_basis[0].evidence.value == "U"
    sizes = catalogue.code_table("enterprise_size")
    assert [v.label for v in sizes.values] == ["大型", "中型", "小型", "微型"]
    assert sizes.legal_basis[0].doc_no == "国统字〔2017〕213号"
    item = catalogue.item("DJZC")
    assert item.field("DJ_HYML").code_table == "industry_category"
    assert item.field("DJ_QYGM").code_table == "enterprise_size"
    assert not item.field("DJ_HYML").required
    assert not item.field("DJ_QYGM").required
    # A class code is not a 门类: refused, never mapped to its section.
    assert catalogue.lookup_code("industry_category", "C1310") is None


def test_industry_models_name_only_known_sections() -> None:
    letters = {v.code for v in load_catalogue().code_table("industry_category").values}
    models = [m for m in load_evaluation_catalogue().models if m.industries]
    assert models
    for m in models:
        assert set(m.industries) <= letters, m.code


BAD = """
schema: xinyong.catalog/v1
kind: evaluation_models
models:
  - code: GGXYPJ_X
    name: 测试
    kind: comprehensive
    version: "1"
    effective_from: 2026-01-01
    disclosure: 社会公开
    industries: [C]
    legal_basis: [{title: 测试, evidence: U}]
    score: {base: 700, min: 0, max: 1000}
    indicators:
      - {code: X, name: 测试, direction: negative, function: count, weight: 1, cap: 1, items: [XZCF]}
    grades:
      - {code: ALL, label: 中, from: 0, to: 1000}
"""


def test_industries_only_on_an_industry_model(tmp_path: Path) -> None:
    (tmp_path / "evaluation").mkdir()
    (tmp_path / "evaluation" / "models.yaml").write_text(BAD, "utf-8")
    with pytest.raises(ConfigurationError) as exc:
        load_evaluation_catalogue([tmp_path])
    assert "只有行业信用评价模型" in exc.value.message_zh
