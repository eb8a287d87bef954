"""All SQL of the public portal: what the 双公示 listings and the list pages show today.

Both reads are public: they select only what the public credit file would show (a record's
current version inside its publication window, a membership active on the day whose listing
entry is public) and never a natural person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, func, or_, select, true, update

from xinyong.access.tables import departments
from xinyong.identity.tables import subjects
from xinyong.ledger.tables import entries
from xinyong.lists.repository import active_on
from xinyong.lists.tables import list_memberships
from xinyong.portal.tables import announcements

PERSON = "person"


@dataclass(frozen=True, slots=True)
class PublicityQuery:
    item_code: str
    day: dt.date
    department: str | None = None
    division_prefix: str | None = None  # GB/T 2260 code without its trailing zero pairs
    decided_from: dt.date | None = None
    decided_to: dt.date | None = None  # inclusive


def _public_on(e: Any, day: dt.date, day_ends: dt.datetime) -> ColumnElement[bool]:
    """``publication.rules.is_public_on`` over stored window columns: public, inside
    [public_from, public_until) and received by the end of the day."""
    return and_(
        e.c.public.is_(true()),
        or_(e.c.public_from.is_(None), e.c.public_from <= day),
        or_(e.c.public_until.is_(None), e.c.public_until > day),
        e.c.received_at < day_ends,
    )


def _day_ends(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    # Times are stored in UTC on both engines (SQLite drops the offset, keeping UTC).
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return end.astimezone(dt.UTC)


def publicity(
    conn: Connection, q: PublicityQuery, tz: dt.tzinfo, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the item's records public on ``q.day``, newest decision first, and how
    many there are. A record is (item, submitting department, record key); only its latest
    entry counts, and not when that entry is a revocation."""
    e = entries.alias("e")
    later = entries.alias("later")
    newer = exists().where(
        later.c.item_code == e.c.item_code,
        later.c.record_key == e.c.record_key,
        later.c.department_code == e.c.department_code,
        later.c.id > e.c.id,
    )
    where: list[ColumnElement[bool]] = [
        e.c.item_code == q.item_code,
        # The listing is ordered by decision date; a record without one has no place in it
        # (it stays on the subject's page).
        e.c.decision_date.is_not(None),
        e.c.action != "revoke",
        e.c.subject_kind != PERSON,
        _public_on(e, q.day, _day_ends(q.day, tz)),
        ~newer,
    ]
    if q.department is not None:
        where.append(e.c.department_code == q.department)
    if q.decided_from is not None:
        where.append(e.c.decision_date >= q.decided_from)
    if q.decided_to is not None:
        where.append(e.c.decision_date <= q.decided_to)
    s = subjects.alias("s")
    joined = e.outerjoin(s, s.c.key == e.c.subject_key)
    if q.division_prefix is not None:
        where.append(s.c.division_code.like(q.division_prefix + "%"))
    total = conn.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
    d = departments.alias("d")
    stmt = (
        select(
            e.c.id,
            e.c.subject_key,
            e.c.subject_kind,
            e.c.item_code,
            e.c.item_version,
            e.c.record_key,
            e.c.decision_date,
            e.c.severity,
            e.c.payload,
            e.c.department_code,
            e.c.public_from,
            e.c.public_until,
            s.c.name.label("subject_name"),
            s.c.division_code,
            d.c.name.label("department_name"),
        )
        .select_from(joined.outerjoin(d, d.c.code == e.c.department_code))
        .where(*where)
        .order_by(e.c.decision_date.desc(), e.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)], int(total)


def active_public_memberships(
    conn: Connection, list_type: str, day: dt.date, tz: dt.tzinfo, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Memberships of ``list_type`` active on ``day`` (``lists.repository.active_on``) whose
    listing entry (the membership's id) is public on the day and not about a person; newest
    listing first, with the listing entry's payload and the names to show."""
    m = list_memberships.c
    e = entries.alias("e")
    where = [
        m.list_type == list_type,
        active_on(day),
        e.c.subject_kind != PERSON,
        _public_on(e, day, _day_ends(day, tz)),
    ]
    joined = list_memberships.join(e, e.c.id == m.id)
    total = conn.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
    s = subjects.alias("s")
    d = departments.alias("d")
    stmt = (
        select(
            m.id,
            m.list_type,
            m.kind,
            m.subject_key,
            m.department_code,
            m.listed_on,
            m.until,
            m.exited_on,
            m.source,
            e.c.item_code,
            e.c.item_version,
            e.c.record_key,
            e.c.payload,
            e.c.decision_date,
            s.c.name.label("subject_name"),
            d.c.name.label("department_name"),
        )
        .select_from(
            joined.outerjoin(s, s.c.key == m.subject_key).outerjoin(
                d, d.c.code == m.department_code
            )
        )
        .where(*where)
        .order_by(m.listed_on.desc(), m.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)], int(total)


def department_options(conn: Connection) -> list[dict[str, str]]:
    """Every department (code, name) for the deciding-authority filter."""
    rows = conn.execute(select(departments.c.code, departments.c.name).order_by(departments.c.code))
    return [{"code": r.code, "name": r.name} for r in rows]


# -- announcements (通知公告) -------------------------------------------------------------------


def insert_announcement(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(announcements.insert().values(**values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def get_announcement(conn: Connection, announcement_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(announcements).where(announcements.c.id == announcement_id)).first()
    return None if row is None else dict(row._mapping)


def list_announcements(
    conn: Connection, *, states: tuple[str, ...], category: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page, newest first, and the number matching."""
    where: ColumnElement[bool] = announcements.c.state.in_(list(states))
    if category is not None:
        where = and_(where, announcements.c.category == category)
    total = conn.execute(select(func.count()).select_from(announcements).where(where)).scalar_one()
    rows = conn.execute(
        select(announcements)
        .where(where)
        .order_by(announcements.c.published_at.desc(), announcements.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [dict(r._mapping) for r in rows], int(total)


def set_announcement_state(
    conn: Connection, announcement_id: int, expected: str, values: dict[str, Any]
) -> bool:
    """Change the state if it is still ``expected`` (False: someone moved it first)."""
    result = conn.execute(
        update(announcements)
        .where(announcements.c.id == announcement_id, announcements.c.state == expected)
        .values(**values)
    )
    return bool(result.rowcount)
