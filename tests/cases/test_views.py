"""How a case reads: one shape for every workflow on the kernel (pure, no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from xinyong.cases import views
from xinyong.cases.model import RECALC, Event
from xinyong.cases.rules import CREDIT_REPAIR, OBJECTION, RECTIFICATION
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import InputError

AT = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)


def _events() -> tuple[Event, ...]:
    first = next(iter(CREDIT_REPAIR.transitions.values()))
    return (
        Event(1, "open", None, CREDIT_REPAIR.initial, "subject:X", "subject", AT),
        Event(2, first.name, CREDIT_REPAIR.initial, first.target, "d1", "department", AT),
        Event(3, RECALC, first.target, first.target, "system", "system", AT, note="日历变更"),
    )


def test_history_labels_opening_steps_and_calendar_recalculation() -> None:
    steps = views.history_view(CREDIT_REPAIR, _events(), "提交信用修复申请")
    assert next(s["label"] for s in steps) == "提交信用修复申请"
    assert steps[1]["label"] == next(iter(CREDIT_REPAIR.transitions.values())).label
    # A deadline the calendar moved is named so, in every workflow, not as the opening step.
    assert steps[2]["label"] == "期限重算"
    assert list(steps[0]) == list(views.HISTORY_KEYS)


def test_history_omits_what_is_asked_keeps_the_order_and_gives_local_time() -> None:
    omit = set(views.HISTORY_KEYS) - {"note", "seq", "at"}
    steps = views.history_view(CREDIT_REPAIR, _events(), "x", omit=omit, local_time=True)
    assert list(steps[2]) == ["seq", "at", "note"]
    assert steps[0]["at"] == AT.astimezone(CHINA_TZ).isoformat()
    assert steps[0]["at"].endswith("+08:00")


def test_steps_open_to_a_role_with_or_without_roles() -> None:
    with_roles = views.steps_view(OBJECTION, OBJECTION.initial, None)
    assert with_roles
    assert all(set(s) == {"name", "label", "target", "roles"} for s in with_roles)
    bare = views.steps_view(RECTIFICATION, RECTIFICATION.initial, None, roles=False)
    assert bare
    assert all(set(s) == {"name", "label", "target"} for s in bare)
    first = with_roles[0]["name"]
    kept = views.steps_view(OBJECTION, OBJECTION.initial, None, offered=lambda t: t.name != first)
    assert [s["name"] for s in kept] == [s["name"] for s in with_roles[1:]]


def test_a_bad_state_or_page_names_the_field() -> None:
    views.check_state(CREDIT_REPAIR, None)
    with pytest.raises(InputError) as exc:
        views.check_state(CREDIT_REPAIR, "nowhere")
    assert exc.value.message_zh.startswith("state“nowhere”不是“信用修复”的状态，可选：")
    with pytest.raises(InputError) as exc:
        views.check_page(1, views.MAX_PAGE_SIZE + 1)
    assert "page_size 应在1到200之间" in exc.value.message_zh
    with pytest.raises(InputError):
        views.check_page(0, 10)
    views.check_page(1, views.MAX_PAGE_SIZE)
