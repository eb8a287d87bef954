"""The pure rules: one alert per situation, masked people, and the handling life cycle."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tests.helpers import ORG, ORG2, resident_id
from xinyong.alerts.rules import (
    RE_ESTABLISHMENT,
    Candidate,
    check_filters,
    next_status,
    re_establishment_alerts,
)
from xinyong.identity.ric import mask_resident_id
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import Conflict, InputError, XinyongError

REP = resident_id()
AT = dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ)


def _candidate(**changes: object) -> Candidate:
    base = Candidate(
        via="legal_representative",
        entry_id=7,
        list_type="SAMR_SERIOUS",
        list_name=None,
        list_kind="black",
        listed_on=dt.date(2026, 6, 1),
        listing_recorded_at=dt.datetime(2026, 6, 1, 9, 0, tzinfo=CHINA_TZ),
        until=dt.date(2029, 6, 1),
        listing_department="scjg",
        listed_key=ORG,
        listed_name="甲公司",
        person_key="P" + "a" * 32,
        person_name="张三",  # e.g. a relation's clear name when no person row exists
        person_id_masked=mask_resident_id(REP),
        subject_key=ORG2,
        subject_name="乙公司",
        relation_recorded_at=AT,
        relation_valid_from=None,
        source_entry_id=40,
        batch_id=3,
        department_code="scjg",
        item_code="XZCF",
        source_name="p.csv",
        source_row=2,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_several_list_entries_of_one_listed_company_make_one_alert() -> None:
    drafts = re_establishment_alerts(
        [
            _candidate(),
            _candidate(entry_id=9, list_type="TAX_SERIOUS", list_kind="black"),
            _candidate(entry_id=7, source_entry_id=41),  # same entry via a name variant
        ],
        {"SAMR_SERIOUS": "市场监督管理严重违法失信名单", "TAX_SERIOUS": "重大税收违法失信主体"},
    )
    assert len(drafts) == 1
    d = drafts[0]
    assert d.kind == RE_ESTABLISHMENT
    assert d.dedupe_key == f"re_establishment|{ORG2}|{'P' + 'a' * 32}|{ORG}"
    assert [e["entry"] for e in d.detail["entries"]] == [7, 9]
    assert "“市场监督管理严重违法失信名单”、“重大税收违法失信主体”" in d.summary
    assert d.detail["source"]["entry"] == 40  # the first record of the link
    assert d.detail["person"]["name"] == "张*"  # a clear name never reaches the alert
    assert "张三" not in str(d)
    assert d.detail["relation"]["after_listing"] is True


def test_other_listed_company_or_other_person_is_another_alert() -> None:
    drafts = re_establishment_alerts(
        [_candidate(), _candidate(listed_key=ORG2, subject_key=ORG), _candidate(person_key="Pb")]
    )
    assert len({d.dedupe_key for d in drafts}) == 3


def test_the_listed_subject_itself_is_never_alerted() -> None:
    assert re_establishment_alerts([_candidate(subject_key=ORG)]) == []


def test_link_recorded_before_the_listing_is_said_so() -> None:
    (d,) = re_establishment_alerts([_candidate(relation_recorded_at=AT - dt.timedelta(days=60))])
    assert d.detail["relation"]["after_listing"] is False
    assert "列入前已记录" in d.summary
    # Without the listing's recording time, its listing date decides (in China time).
    (by_date,) = re_establishment_alerts(
        [_candidate(relation_recorded_at=AT - dt.timedelta(days=60), listing_recorded_at=None)]
    )
    assert by_date.detail["relation"]["after_listing"] is False


def test_person_ban_names_the_period_and_no_listed_company() -> None:
    (d,) = re_establishment_alerts(
        [
            _candidate(
                via="person_ban",
                list_type="BAN_FOOD_LIFE",
                list_kind="ban",
                until=None,
                listed_key="P" + "a" * 32,
                listed_name=None,
            )
        ]
    )
    assert d.detail["listed_subject"] is None
    assert "“BAN_FOOD_LIFE”期内（无固定期限）" in d.summary  # code when no name is known
    assert d.related_key == d.person_key


@pytest.mark.parametrize(
    ("current", "action", "note", "expected"),
    [
        ("open", "acknowledge", "", "acknowledged"),
        ("open", "dismiss", "同名不同人", "dismissed"),
        ("acknowledged", "dismiss", "已移送核查，不属易地开张", "dismissed"),
    ],
)
def test_allowed_steps(current: str, action: str, note: str, expected: str) -> None:
    assert next_status(current, action, note) == expected


@pytest.mark.parametrize(
    ("current", "action", "note", "error", "message"),
    [
        ("open", "dismiss", " ", InputError, "须说明理由"),
        # An alert already handled conflicts with its state (409), it is not bad input.
        ("dismissed", "acknowledge", "", Conflict, "不能再确认"),
        ("dismissed", "dismiss", "x", Conflict, "不能再排除"),
        ("acknowledged", "acknowledge", "", Conflict, "不能再确认"),
        ("open", "reopen", "", InputError, "未知操作"),
    ],
)
def test_refused_steps(
    current: str, action: str, note: str, error: type[XinyongError], message: str
) -> None:
    with pytest.raises(error) as exc:
        next_status(current, action, note)
    assert message in exc.value.message_zh


def test_unknown_filters_are_refused() -> None:
    check_filters("open", "re_establishment")
    check_filters(None, None)
    with pytest.raises(InputError):
        check_filters("closed", None)
    with pytest.raises(InputError):
        check_filters(None, "fraud")
