from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.catalog.model import (
    Disclosure,
    FieldDef,
    ItemVersion,
    LegalBasis,
    Nature,
    PeriodRule,
    PublicationPolicy,
    Severity,
    SubjectMapping,
    SubjectType,
)
from xinyong.publication.rules import (
    add_months,
    is_public_on,
    publication_status,
    publication_window,
)

BASIS = (LegalBasis(title="测试依据"),)


def _item(
    nature: Nature = Nature.NEGATIVE, disclosure: Disclosure = Disclosure.PUBLIC
) -> ItemVersion:
    return ItemVersion(
        code="T",
        name="测试",
        category="测试类",
        version="1",
        effective_from=dt.date(2020, 1, 1),
        legal_basis=BASIS,
        subject_types=(SubjectType.ORGANISATION,),
        disclosure=disclosure,
        nature=nature,
        record_key=("A",),
        decision_date_field="D",
        subject=SubjectMapping(name="N"),
        fields=(FieldDef(code="A", name="a"), FieldDef(code="D", name="d", type="date")),
    )


POLICY = PublicationPolicy(
    code="P36",
    name="令36",
    version="1",
    legal_basis=BASIS,
    decisions_from=dt.date(2026, 4, 1),
    periods={
        Severity.MINOR: PeriodRule(publish=False),
        Severity.GENERAL: PeriodRule(min_months=3, max_months=12),
        Severity.SERIOUS: PeriodRule(min_months=12, max_months=36),
    },
)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)


@given(st.dates(dt.date(1990, 1, 1), dt.date(2090, 1, 1)), st.integers(0, 120))
def test_add_months_never_goes_back_and_lands_in_target_month(start: dt.date, months: int) -> None:
    end = add_months(start, months)
    assert end >= start
    assert (end.year - start.year) * 12 + end.month - start.month == months


def test_general_penalty_window_under_order_36() -> None:
    w = publication_window(_item(), POLICY, Severity.GENERAL, dt.date(2026, 5, 10), "organisation")
    assert w.public
    assert (w.public_from, w.public_until, w.repair_from) == (
        dt.date(2026, 5, 10),
        dt.date(2027, 5, 10),
        dt.date(2026, 8, 10),
    )
    assert w.policy_code == "P36"


def test_serious_penalty_with_longer_own_term_stays_public_to_its_end() -> None:
    w = publication_window(
        _item(), POLICY, Severity.SERIOUS, dt.date(2026, 5, 10), "organisation", dt.date(2031, 5, 9)
    )
    assert w.public_until == dt.date(2031, 5, 10)


def test_minor_and_natural_person_records_are_not_published() -> None:
    minor = publication_window(
        _item(), POLICY, Severity.MINOR, dt.date(2026, 5, 10), "organisation"
    )
    person = publication_window(_item(), POLICY, Severity.SERIOUS, dt.date(2026, 5, 10), "person")
    assert not minor.public
    assert "轻微" in minor.reason
    assert not person.public
    assert "自然人" in person.reason


def test_shared_only_items_are_never_public() -> None:
    w = publication_window(
        _item(Nature.NEUTRAL, Disclosure.GOV_SHARED),
        None,
        None,
        dt.date(2026, 1, 1),
        "organisation",
    )
    assert not w.public


def test_licence_public_until_its_validity_ends_and_2099_means_open_ended() -> None:
    item = _item(Nature.NEUTRAL)
    w = publication_window(
        item, None, None, dt.date(2026, 1, 1), "organisation", dt.date(2030, 12, 31)
    )
    assert w.public_until == dt.date(2031, 1, 1)
    forever = publication_window(
        item, None, None, dt.date(2026, 1, 1), "organisation", dt.date(2099, 12, 31)
    )
    assert forever.public
    assert forever.public_until is None


def test_visibility_respects_window_and_receipt() -> None:
    args = (True, dt.date(2026, 5, 10), dt.date(2027, 5, 10), dt.date(2026, 5, 15))
    assert not is_public_on(*args, dt.date(2026, 5, 14))  # decided but not yet received
    assert is_public_on(*args, dt.date(2026, 5, 15))
    assert is_public_on(*args, dt.date(2027, 5, 9))
    assert not is_public_on(*args, dt.date(2027, 5, 10))
    assert publication_status(*args, dt.date(2027, 5, 10)) == "公示期满"
    assert publication_status(*args, dt.date(2026, 6, 1)) == "公示中"


@pytest.mark.parametrize("severity", list(Severity))
def test_no_window_ends_before_it_starts(severity: Severity) -> None:
    w = publication_window(_item(), POLICY, severity, dt.date(2026, 4, 1), "organisation")
    if w.public:
        assert w.public_from is not None
        assert w.public_until is not None
        assert w.public_until > w.public_from
