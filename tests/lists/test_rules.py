"""The one "active membership" rule, as a function over rows and as the SQL clause."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import Engine, insert, select

from xinyong.lists.repository import active_on
from xinyong.lists.rules import is_active
from xinyong.lists.tables import list_memberships

D = dt.date


def test_listed_on_inclusive_until_and_exit_exclusive() -> None:
    m = {"listed_on": D(2026, 6, 15), "until": D(2029, 6, 15), "exited_on": None}
    assert is_active(m, D(2026, 6, 15))
    assert is_active(m, D(2029, 6, 14))
    assert not is_active(m, D(2029, 6, 15))  # the period's end: no longer, before any exit job
    assert not is_active(m, D(2026, 6, 14))
    assert not is_active({**m, "exited_on": D(2027, 1, 1)}, D(2027, 1, 1))
    assert is_active({**m, "exited_on": D(2027, 1, 1)}, D(2026, 12, 31))
    assert is_active({**m, "until": None}, D(2099, 1, 1))


def test_the_status_rows_iso_strings_read_the_same() -> None:
    # What the check reads: the status row's JSON carries ISO dates and "" is no date.
    m = {"listed_on": "2026-06-15", "until": "2029-06-15", "exited_on": None}
    assert is_active(m, D(2029, 6, 14))
    assert not is_active(m, D(2029, 6, 15))
    assert not is_active({**m, "listed_on": ""}, D(2027, 1, 1))
    assert not is_active({**m, "exited_on": "2027-01-01"}, D(2027, 1, 1))


def _rows() -> list[dict[str, Any]]:
    listed = (D(2026, 1, 1), D(2026, 6, 1))
    until = (None, D(2026, 6, 1), D(2027, 1, 1))
    exited = (None, D(2026, 3, 1), D(2026, 6, 1), D(2026, 12, 31))
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return [
        {
            "id": i,
            "list_type": "T",
            "kind": "black",
            "subject_key": f"S{i}",
            "case_id": None,
            "department_code": "d",
            "listed_on": lo,
            "until": u,
            "exited_on": ex,
            "exit_reason": None,
            "source": "record",
            "entry_id": i,
            "recorded_at": now,
        }
        for i, (lo, u, ex) in enumerate(itertools.product(listed, until, exited), start=1)
    ]


def test_the_sql_clause_selects_what_the_function_does(engine: Engine) -> None:
    rows = _rows()
    days = [D(2025, 12, 31), D(2026, 1, 1), D(2026, 2, 28), D(2026, 3, 1), D(2026, 5, 31)]
    days += [D(2026, 6, 1), D(2026, 12, 30), D(2026, 12, 31), D(2027, 1, 1)]
    with engine.begin() as conn:
        conn.execute(insert(list_memberships), rows)
        for day in days:
            found = {
                r[0] for r in conn.execute(select(list_memberships.c.id).where(active_on(day)))
            }
            assert found == {r["id"] for r in rows if is_active(r, day)}, day
    # The grid reaches both answers on most days, so the comparison could fail.
    assert any(is_active(r, D(2026, 5, 31)) for r in rows)
    assert not all(is_active(r, D(2026, 5, 31)) for r in rows)
