"""All SQL of the early warnings: finding re-establishment links, storing and handling alerts.

A link is (list entry, person, other subject): the person is banned, or is a legal
representative of the listed organisation, and is the legal representative of the other
subject. A batch must have recorded one part of it: the relation to the other subject
(NEW_RELATION), the list entry (NEW_LISTING, for lists fed by department records) or the
relation to the listed organisation (NEW_TAINT). The batch is given as the span of its entry
ids, so "recorded by this batch" is a range filter on ``relations.source_entry_id`` or
``list_memberships.id``, confirmed on ``entries.batch_id`` by primary key.

Cost. Whether a person is tainted depends on all their relations, and a nominee may represent
hundreds of companies: a join that starts from a batch's persons fans out before any list is
consulted, and a planner misled by the batch's rows (inserted in this transaction, not yet in
the statistics) happily does that (measured: 1.9 million probes for a 100,000-row batch). So
the batch's searches run in two plain steps that no plan can multiply:

1. tainted pairs (list entry, person): active ban entries of persons, and active black/ban
   entries of organisations joined to their legal representatives; restricted to the part the
   batch recorded for NEW_LISTING / NEW_TAINT (small), complete for NEW_RELATION (the size of
   the lists);
2. the legal-representative relations of those persons, by ``ix_relations_person`` (for
   NEW_RELATION only those in the batch's span).

For a small batch under large lists, NEW_RELATION instead starts from the batch in one flat
join (``ix_entries_batch`` → relations by org → the person's other relations → memberships),
which costs the batch's rows times the fan-out: see ``FANOUT_GUESS``. The scan (no batch) is
one flat join per kind of link over everything.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    and_,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from xinyong.alerts.rules import (
    LEGAL_REP,
    ORGANISATION_LIST_KINDS,
    PERSON_LIST_KINDS,
    PERSON_PREFIX,
    VIA_LEGAL_REP,
    VIA_PERSON_BAN,
    Candidate,
)
from xinyong.alerts.tables import alerts
from xinyong.identity.tables import relations, subjects
from xinyong.ledger.tables import batches, entries
from xinyong.lists.repository import active_on
from xinyong.lists.tables import list_memberships
from xinyong.store.db import is_postgres, matching

m = list_memberships

NEW_RELATION, NEW_LISTING, NEW_TAINT = "relation", "listing", "taint"
# Legal-representative relations per person assumed when choosing where NEW_RELATION starts:
# from the batch when its rows times this are fewer than the active list entries.
FANOUT_GUESS = 8
SMALL_BATCH = 256  # rows: starting from the batch costs at most this times the fan-out

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Span:
    """A batch and the range of its entry ids (batches are appended one at a time)."""

    batch_id: int
    first: int
    last: int
    size: int


def _active(today: dt.date) -> ColumnElement[bool]:
    return active_on(today)  # the lists' one rule: listed_on <= D < until, not exited by D


def _tainting(via: str) -> ColumnElement[bool]:
    person = m.c.subject_key.startswith(PERSON_PREFIX)
    if via == VIA_PERSON_BAN:
        return and_(m.c.kind.in_(PERSON_LIST_KINDS), person)
    return and_(m.c.kind.in_(ORGANISATION_LIST_KINDS), not_(person))


def tainting_entries(conn: Connection, today: dt.date) -> int:
    """Active list entries that can make a link (person bans, listed organisations)."""
    stmt = (
        select(func.count())
        .select_from(m)
        .where(_active(today), or_(_tainting(VIA_PERSON_BAN), _tainting(VIA_LEGAL_REP)))
    )
    return int(conn.execute(stmt).scalar_one())


class _Aliases:
    """One set of table aliases per statement."""

    def __init__(self) -> None:
        self.rel = relations.alias("new_rep")
        self.src = entries.alias("src")
        self.listing = entries.alias("listing")
        self.subject = subjects.alias("subject")
        self.listed = subjects.alias("listed")
        self.person = subjects.alias("person")
        self.rep = relations.alias("listed_rep")
        self.rep_src = entries.alias("rep_src")

    def made_by(self) -> ColumnElement[bool]:
        # The redundant org = subject equality lets a batch reach relations by index.
        return and_(
            self.src.c.id == self.rel.c.source_entry_id,
            self.src.c.subject_key == self.rel.c.org_key,
        )

    def rep_of_listed(self) -> ColumnElement[bool]:
        return and_(
            self.rep.c.org_key == m.c.subject_key,
            self.rep.c.role == LEGAL_REP,
            self.rep.c.person_key.is_not(None),
        )

    def listing_columns(self) -> list[Any]:
        return [
            m.c.id.label("entry_id"),
            m.c.list_type,
            m.c.kind.label("list_kind"),
            m.c.listed_on,
            m.c.until,
            m.c.department_code.label("listing_department"),
            m.c.subject_key.label("listed_key"),
            self.listing.c.payload.label("listing_payload"),
            self.listing.c.received_at.label("listing_recorded_at"),
            self.listed.c.name.label("listed_name"),
        ]

    def listing_details(self, base: FromClause) -> FromClause:
        return base.outerjoin(self.listing, self.listing.c.id == m.c.id).outerjoin(
            self.listed, self.listed.c.key == m.c.subject_key
        )

    def relation_columns(self) -> list[Any]:
        rel, src = self.rel, self.src
        return [
            rel.c.id.label("relation_id"),
            rel.c.person_key,
            rel.c.org_key.label("subject_key"),
            rel.c.person_name.label("relation_person_name"),
            rel.c.recorded_at.label("relation_recorded_at"),
            rel.c.valid_from.label("relation_valid_from"),
            rel.c.source_entry_id,
            src.c.batch_id,
            src.c.department_code,
            src.c.item_code,
            src.c.source_row,
            batches.c.source_name,
            self.subject.c.name.label("subject_name"),
            self.person.c.name.label("person_name"),
            self.person.c.id_masked.label("person_id_masked"),
        ]

    def relation_details(self, base: FromClause) -> FromClause:
        return (
            base.outerjoin(batches, batches.c.id == self.src.c.batch_id)
            .outerjoin(self.subject, self.subject.c.key == self.rel.c.org_key)
            .outerjoin(self.person, self.person.c.key == self.rel.c.person_key)
        )


def _linked_rows(
    conn: Connection,
    *,
    via: str,
    today: dt.date,
    batch_id: int | None = None,
    listed_key: str | None = None,
) -> list[Row]:
    """One flat join: legal-representative relations ⋈ (the person's ban | the person's
    listed organisations). Every link, or those whose relation ``batch_id`` recorded."""
    a = _Aliases()
    rel, src = a.rel, a.src
    if batch_id is not None:
        base = rel.join(src, and_(a.made_by(), src.c.batch_id == batch_id))
    else:
        base = rel.outerjoin(src, a.made_by())
    tainted = and_(_tainting(via), _active(today))
    if via == VIA_PERSON_BAN:
        base = base.join(m, and_(m.c.subject_key == rel.c.person_key, tainted))
    else:
        base = base.join(
            a.rep,
            and_(
                a.rep.c.person_key == rel.c.person_key,
                a.rep.c.role == LEGAL_REP,
                a.rep.c.org_key != rel.c.org_key,  # not the listed organisation itself
            ),
        ).join(m, and_(m.c.subject_key == a.rep.c.org_key, tainted))
    stmt = (
        select(*a.listing_columns(), *a.relation_columns())
        .select_from(a.relation_details(a.listing_details(base)))
        .where(rel.c.role == LEGAL_REP, rel.c.person_key.is_not(None))
    )
    if listed_key is not None:
        stmt = stmt.where(m.c.subject_key == listed_key)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _pairs(
    conn: Connection, *, via: str, today: dt.date, span: Span, new: str
) -> dict[str, set[tuple[int, str]]]:
    """Step 1: {person: {(list entry, listed subject)}} of the active tainting entries; for
    NEW_LISTING only entries the batch made, for NEW_TAINT only relations it recorded."""
    a = _Aliases()
    if via == VIA_PERSON_BAN:
        stmt: Select[Any] = select(
            m.c.id, m.c.subject_key.label("listed_key"), m.c.subject_key.label("person_key")
        )
    else:
        stmt = select(m.c.id, m.c.subject_key, a.rep.c.person_key).join(a.rep, a.rep_of_listed())
    if new == NEW_LISTING:
        stmt = stmt.join(
            a.listing, and_(a.listing.c.id == m.c.id, a.listing.c.batch_id == span.batch_id)
        ).where(m.c.id.between(span.first, span.last))
    elif new == NEW_TAINT:
        stmt = stmt.join(
            a.rep_src,
            and_(
                a.rep_src.c.id == a.rep.c.source_entry_id,
                a.rep_src.c.subject_key == a.rep.c.org_key,  # lets the batch reach rep by index
                a.rep_src.c.batch_id == span.batch_id,
            ),
        ).where(a.rep.c.source_entry_id.between(span.first, span.last))
    out: dict[str, set[tuple[int, str]]] = {}
    for entry_id, listed_key, person_key in conn.execute(
        stmt.where(_tainting(via), _active(today))
    ):
        out.setdefault(person_key, set()).add((int(entry_id), listed_key))
    return out


def _relations_of(conn: Connection, persons: Sequence[str], span: Span | None) -> list[Row]:
    """Step 2: legal-representative relations of these persons (those the span recorded)."""
    a = _Aliases()
    rel = a.rel
    stmt = (
        select(*a.relation_columns())
        .select_from(a.relation_details(rel.outerjoin(a.src, a.made_by())))
        .where(rel.c.role == LEGAL_REP)
    )
    if span is not None:
        # The batch is checked on the fetched rows, not in SQL: given "batch_id = ?", SQLite
        # starts every chunk from the whole batch instead of from the persons.
        stmt = stmt.where(rel.c.source_entry_id.between(span.first, span.last))
    out: list[Row] = []
    for where in matching(conn, rel.c.person_key, persons):
        out.extend(
            dict(r)
            for r in conn.execute(stmt.where(where)).mappings()
            if span is None or r["batch_id"] == span.batch_id
        )
    return out


def _listings(conn: Connection, entry_ids: Sequence[int]) -> dict[int, Row]:
    a = _Aliases()
    stmt = select(*a.listing_columns()).select_from(a.listing_details(m))
    out: dict[int, Row] = {}
    for where in matching(conn, m.c.id, entry_ids):
        out.update(
            (int(r["entry_id"]), dict(r)) for r in conn.execute(stmt.where(where)).mappings()
        )
    return out


def _in_steps(conn: Connection, *, via: str, today: dt.date, span: Span, new: str) -> list[Row]:
    pairs = _pairs(conn, via=via, today=today, span=span, new=new)
    if not pairs:
        return []
    rels = _relations_of(conn, sorted(pairs), span if new == NEW_RELATION else None)
    matched = [
        (entry_id, r)
        for r in rels
        for entry_id, listed_key in sorted(pairs[r["person_key"]])
        if listed_key != r["subject_key"]  # not the listed organisation itself
    ]
    listings = _listings(conn, sorted({e for e, _ in matched}))
    return [{**listings[e], **r} for e, r in matched]


def re_establishment_candidates(
    conn: Connection,
    *,
    today: dt.date,
    span: Span | None = None,
    listed_key: str | None = None,
) -> list[Candidate]:
    """Legal-representative links of tainted persons to other subjects.

    With a ``span``: only the links that batch completed. Without: every link (the scan),
    optionally for one listed subject.
    """
    found: list[tuple[str, Row]] = []
    vias = (VIA_PERSON_BAN, VIA_LEGAL_REP)
    if span is None:
        for via in vias:
            found += [
                (via, r) for r in _linked_rows(conn, via=via, today=today, listed_key=listed_key)
            ]
        return _candidates(found)
    # A small batch starts from itself without asking how long the lists are; a large one
    # pays one count to choose, and stops there when nothing is listed.
    from_batch = span.size <= SMALL_BATCH
    if not from_batch:
        lists_size = tainting_entries(conn, today)
        if lists_size == 0:
            return []
        from_batch = span.size * FANOUT_GUESS < lists_size
    for via in vias:
        if from_batch:
            rows = _linked_rows(conn, via=via, today=today, batch_id=span.batch_id)
        else:
            rows = _in_steps(conn, via=via, today=today, span=span, new=NEW_RELATION)
        found += [(via, r) for r in rows]
        found += [
            (via, r) for r in _in_steps(conn, via=via, today=today, span=span, new=NEW_LISTING)
        ]
    found += [
        (VIA_LEGAL_REP, r)
        for r in _in_steps(conn, via=VIA_LEGAL_REP, today=today, span=span, new=NEW_TAINT)
    ]
    return _candidates(found)


def _candidates(found: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Candidate]:
    # A link reached by two ways (e.g. the relation and the listing both new) counts once.
    unique: dict[tuple[int, int, str], tuple[str, Mapping[str, Any]]] = {}
    for via, r in found:
        unique.setdefault((int(r["entry_id"]), int(r["relation_id"]), via), (via, r))
    return [
        Candidate(
            via=via,
            entry_id=int(r["entry_id"]),
            list_type=r["list_type"],
            list_name=_list_name(r["listing_payload"]),
            list_kind=r["list_kind"],
            listed_on=r["listed_on"],
            listing_recorded_at=r["listing_recorded_at"],
            until=r["until"],
            listing_department=r["listing_department"],
            listed_key=r["listed_key"],
            listed_name=None if via == VIA_PERSON_BAN else r["listed_name"],
            person_key=r["person_key"],
            # A person's subject row holds the masked name; the relation's is clear and
            # only a fallback, masked by the rules before anything is stored.
            person_name=r["person_name"] or r["relation_person_name"],
            person_id_masked=r["person_id_masked"],
            subject_key=r["subject_key"],
            subject_name=r["subject_name"],
            relation_recorded_at=r["relation_recorded_at"],
            relation_valid_from=r["relation_valid_from"],
            source_entry_id=r["source_entry_id"],
            batch_id=r["batch_id"],
            department_code=r["department_code"],
            item_code=r["item_code"],
            source_name=r["source_name"],
            source_row=r["source_row"],
        )
        for key, (via, r) in sorted(unique.items(), key=lambda kv: kv[0])
    ]


def _list_name(payload: str | None) -> str | None:
    if not payload:
        return None
    try:
        name = json.loads(payload).get("名单名称")
    except (ValueError, AttributeError):
        return None
    return name if isinstance(name, str) else None


def existing_keys(conn: Connection, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for where in matching(conn, alerts.c.dedupe_key, keys):
        found.update(r[0] for r in conn.execute(select(alerts.c.dedupe_key).where(where)))
    return found


def insert_alerts(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert the rows whose situation is not on record yet; returns the new ids.

    ON CONFLICT DO NOTHING settles two transactions racing on the same situation: the second
    waits on the unique index and then inserts nothing.
    """
    if not rows:
        return []
    dialect_insert = postgresql.insert if is_postgres(conn) else sqlite.insert
    stmt = (
        dialect_insert(alerts)
        .on_conflict_do_nothing(index_elements=[alerts.c.dedupe_key])
        .returning(alerts.c.id)
    )
    return sorted(int(r[0]) for r in conn.execute(stmt, list(rows)))


def list_alerts(
    conn: Connection,
    *,
    status: str | None,
    kind: str | None,
    limit: int,
    offset: int = 0,
) -> list[dict[str, Any]]:
    stmt = select(alerts).order_by(alerts.c.id.desc()).limit(limit).offset(offset)
    if status is not None:
        stmt = stmt.where(alerts.c.status == status)
    if kind is not None:
        stmt = stmt.where(alerts.c.kind == kind)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def count_alerts(conn: Connection, *, status: str | None, kind: str | None) -> int:
    stmt = select(func.count()).select_from(alerts)
    if status is not None:
        stmt = stmt.where(alerts.c.status == status)
    if kind is not None:
        stmt = stmt.where(alerts.c.kind == kind)
    return int(conn.execute(stmt).scalar_one())


def get_alert(conn: Connection, alert_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
    return None if row is None else dict(row._mapping)


def set_status(conn: Connection, alert_id: int, *, expected: str, values: dict[str, Any]) -> bool:
    """Change the status only if nobody changed it meanwhile (optimistic)."""
    result = conn.execute(
        update(alerts).where(alerts.c.id == alert_id, alerts.c.status == expected).values(**values)
    )
    return result.rowcount == 1
