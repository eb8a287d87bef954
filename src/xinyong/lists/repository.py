"""All SQL of the lists: memberships, status rows, the ledger entries they are folded from,
and the one "active on a day" clause other contexts' queries use."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, or_, select

from xinyong.ledger.tables import entries
from xinyong.lists.rules import LIST_MARK, Fact, Membership
from xinyong.lists.tables import list_memberships, subject_status
from xinyong.store.db import bulk_insert, matching

m = list_memberships.c


def active_on(day: dt.date) -> ColumnElement[bool]:
    """``lists.rules.is_active`` as SQL over ``list_memberships``: listed_on <= day < until,
    not exited by day."""
    return and_(
        m.listed_on <= day,
        or_(m.until.is_(None), m.until > day),
        or_(m.exited_on.is_(None), m.exited_on > day),
    )


# -- memberships and status rows ------------------------------------------------------------


def memberships_of_subjects(conn: Connection, keys: Sequence[str]) -> list[Membership]:
    rows: list[Membership] = []
    for where in matching(conn, m.subject_key, list(keys)):
        rows.extend(dict(r._mapping) for r in conn.execute(select(list_memberships).where(where)))
    return rows


def memberships_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, Membership]:
    state: dict[int, Membership] = {}
    for where in matching(conn, m.id, list(ids)):
        for r in conn.execute(select(list_memberships).where(where)):
            state[int(r.id)] = dict(r._mapping)
    return state


def replace_memberships(
    conn: Connection, old_ids: Sequence[int], rows: Sequence[Membership]
) -> None:
    """Delete the memberships ``old_ids`` and insert ``rows`` (the fold's new state of them)."""
    for where in matching(conn, m.id, list(old_ids)):
        conn.execute(delete(list_memberships).where(where))
    bulk_insert(conn, list_memberships, list(rows))


def replace_statuses(conn: Connection, keys: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    for where in matching(conn, subject_status.c.subject_key, list(keys)):
        conn.execute(delete(subject_status).where(where))
    bulk_insert(conn, subject_status, list(rows))


def clear(conn: Connection) -> None:
    """Empty both projections (before a rebuild)."""
    conn.execute(delete(subject_status))
    conn.execute(delete(list_memberships))


def insert_all(
    conn: Connection, memberships: Sequence[Membership], statuses: Sequence[dict[str, Any]]
) -> None:
    bulk_insert(conn, list_memberships, list(memberships))
    bulk_insert(conn, subject_status, list(statuses))


def open_membership_of_case(conn: Connection, case_id: int) -> Membership | None:
    row = conn.execute(
        select(list_memberships).where(m.case_id == case_id, m.exited_on.is_(None))
    ).first()
    return None if row is None else dict(row._mapping)


def latest_membership_of_case(conn: Connection, case_id: int) -> Membership | None:
    row = conn.execute(
        select(list_memberships).where(m.case_id == case_id).order_by(m.id.desc())
    ).first()
    return None if row is None else dict(row._mapping)


def due_for_expiry(conn: Connection, today: dt.date) -> list[tuple[int | None, str]]:
    """(case id, list type) of every membership not exited whose period ended by ``today``."""
    rows = conn.execute(
        select(m.case_id, m.list_type).where(
            m.exited_on.is_(None), m.until.is_not(None), m.until <= today
        )
    )
    return [(r.case_id, r.list_type) for r in rows]


# -- the ledger entries memberships are folded from ----------------------------------------

_FACT_QUERY = select(
    entries.c.id,
    entries.c.subject_key,
    entries.c.item_code,
    entries.c.record_key,
    entries.c.action,
    entries.c.supersedes_id,
    entries.c.decision_date,
    entries.c.payload,
    entries.c.department_code,
    entries.c.received_at,
)


def _fact(r: Any) -> Fact:
    return Fact(
        id=int(r.id),
        subject_key=r.subject_key,
        item_code=r.item_code,
        record_key=r.record_key,
        action=r.action,
        supersedes_id=r.supersedes_id,
        decision_date=r.decision_date,
        payload=json.loads(r.payload),
        department_code=r.department_code,
        received_at=r.received_at,
    )


def facts_of(conn: Connection, ids: Sequence[int]) -> list[Fact]:
    """The ledger entries ``ids`` as facts, in id order."""
    out: list[Fact] = []
    for where in matching(conn, entries.c.id, list(ids)):
        out.extend(_fact(r) for r in conn.execute(_FACT_QUERY.where(where)))
    return sorted(out, key=lambda f: f.id)


def all_list_facts(conn: Connection, fed_items: Iterable[str]) -> Iterator[Fact]:
    """Every ledger entry that can make or end a membership (listings decided here, records
    of the items that feed lists), in id order, streamed."""
    stmt = _FACT_QUERY.where(
        or_(entries.c.record_key.like(f"%{LIST_MARK}%"), entries.c.item_code.in_(sorted(fed_items)))
    ).order_by(entries.c.id)
    for r in conn.execute(stmt.execution_options(yield_per=10_000)):
        yield _fact(r)


# Columns that say when a row was written, not what it says: a rebuild writes them anew.
_WRITTEN_AT = frozenset({"recorded_at", "updated_at"})


def projection_rows(
    conn: Connection,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Every membership (by id) and status row (by subject), without their write times."""
    members = {
        str(r.id): {k: v for k, v in r._mapping.items() if k not in _WRITTEN_AT}
        for r in conn.execute(select(list_memberships))
    }
    statuses = {
        str(r.subject_key): {k: v for k, v in r._mapping.items() if k not in _WRITTEN_AT}
        for r in conn.execute(select(subject_status))
    }
    return members, statuses
