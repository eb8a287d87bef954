"""GET /api/v1/catalogue/items: public catalogue facts, codes with their labels beside them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from xinyong.bootstrap import Platform
from xinyong.web.app import create_app


def test_items_show_evidence_codes_with_labels(platform: Platform) -> None:
    resp = TestClient(create_app(platform)).get("/api/v1/catalogue/items")  # no key
    assert resp.status_code == 200, resp.text
    items = {i["code"]: i for i in resp.json()["items"]}
    bases = {(b["title"], b["doc_no"]): b for b in items["XZXK"]["legal_basis"]}
    licensing_law = bases[("中华人民共和国行政许可法", "")]
    assert (licensing_law["evidence"], licensing_law["evidence_label"]) == ("U", "待核实")
    doc_no = bases[("全国公共信用信息基础目录（2024年版）文号", "发改财金规〔2024〕203号")]
    assert (doc_no["evidence"], doc_no["evidence_label"]) == ("C", "待核实（仅见于第三方系统）")
    category = bases[("全国公共信用信息基础目录（2024年版）", "")]
    assert (category["evidence"], category["evidence_label"]) == ("S", "二手来源")
    for item in items.values():
        for b in item["legal_basis"]:
            assert b["evidence_label"], (item["code"], b["title"])
