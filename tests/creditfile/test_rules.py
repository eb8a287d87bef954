"""The file's pure reading rules: labels, money, open ends, bases and the inclusive last day."""

from __future__ import annotations

import datetime as dt

import pytest

from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.model import Evidence, LegalBasis
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.creditfile import rules
from xinyong.kernel.calendar import WorkCalendar


@pytest.fixture
def catalogue(national: tuple[Catalogue, SanctionsCatalogue, WorkCalendar]) -> Catalogue:
    return national[0]


def test_codes_read_as_labels_and_an_unknown_code_stays_visible(catalogue: Catalogue) -> None:
    item = catalogue.item("XZCF")
    kinds = rules.field_view(catalogue, item.field("CF_CFLB"), "CF_CFLB", "01,L5,77")
    assert kinds is not None
    assert kinds["codes"][0] == {"code": "01", "label": "警告"}
    assert kinds["codes"][1]["label"] != "L5"  # a legacy code has its label too
    assert kinds["codes"][2] == {"code": "77", "label": "77"}  # never dropped
    assert rules.field_view(catalogue, item.field("CF_WSH"), "CF_WSH", "") is None
    assert rules.field_view(catalogue, item.field("CF_WSH"), "CF_WSH", None) is None


def test_money_and_no_expiry_read_as_people_write_them(catalogue: Catalogue) -> None:
    djzc, xzxk = catalogue.item("DJZC"), catalogue.item("XZXK")

    def text(item_field: object, value: str) -> str:
        shown = rules.field_view(catalogue, item_field, "x", value)  # type: ignore[arg-type]
        assert shown is not None
        return str(shown["text"])

    capital = djzc.field("DJ_ZCZB")
    assert text(capital, "5000万CNY") == "5000万元人民币"
    assert text(capital, "100万USD") == "100万美元"
    assert text(capital, "41.2万") == "41.2万"
    assert text(capital, "注册资本未知") == "注册资本未知"
    assert text(xzxk.field("XK_YXQZI"), "2099-12-31") == "长期"
    assert text(xzxk.field("XK_YXQZI"), "2031-11-01") == "2031-11-01"


def test_period_shows_the_last_day_inside() -> None:
    p = rules.period(dt.date(2026, 6, 10), dt.date(2027, 6, 10), "长期")
    assert p == {"from": "2026-06-10", "to": "2027-06-09", "text": "2026-06-10 至 2027-06-09"}
    assert rules.period(dt.date(2026, 6, 1), None, "至移出名单时止")["text"] == (
        "2026-06-01 起，至移出名单时止"
    )


def test_public_sees_confirmed_bases_only_and_never_notes() -> None:
    bases = [
        LegalBasis(
            title="某办法", doc_no="某令第1号", articles="第二条", evidence=Evidence.PRIMARY
        ),
        LegalBasis(title="某办法（某令第1号）", doc_no="某令第1号", evidence=Evidence.SECONDARY),
        LegalBasis(title="施行日期", evidence=Evidence.UNCONFIRMED, note="from memory"),
        LegalBasis(title="第三方系统字段", evidence=Evidence.CODE),
    ]
    public = rules.legal_basis_view(bases, "public")
    assert [b["text"] for b in public] == ["某办法（某令第1号）第二条", "某办法（某令第1号）"]
    internal = rules.legal_basis_view(bases, "internal")
    assert [b["text"] for b in internal[2:]] == ["施行日期（待核实）", "第三方系统字段（待核实）"]
    assert "from memory" not in str(internal)


def test_what_a_department_sees_of_another_departments_record_follows_the_catalogue() -> None:
    from xinyong.catalog.loader import load_catalogue
    from xinyong.catalog.model import Sharing
    from xinyong.creditfile.rules import shared_with_departments

    catalogue = load_catalogue()
    ytjl, htlx, xzcf = (catalogue.item(c) for c in ("YTJL", "HTLX", "XZCF"))
    assert shared_with_departments(ytjl, person=False) is Sharing.CONDITIONAL
    # 政务共享 without a stated sharing type: not shared until its file says so.
    assert htlx.sharing is None
    assert shared_with_departments(htlx, person=False) is None
    # A public item's record outside its window is not shared on (its window ended).
    assert xzcf.sharing is None
    assert shared_with_departments(xzcf, person=False) is None
    # A natural person's records: a department sees its own only; a repaired record is
    # shared no more (令36).
    assert shared_with_departments(ytjl, person=True) is None
    assert shared_with_departments(ytjl, person=False, action="repair") is None
    assert shared_with_departments(ytjl, person=False, action="correct") is Sharing.CONDITIONAL
    assert shared_with_departments(None, person=False) is None
