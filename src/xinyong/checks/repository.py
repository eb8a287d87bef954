"""All SQL of the check: status rows, the subject's trigger records, receipts and feedback, and
the bounded name probes of the name lookup. Every query is a key lookup or an index range
with a LIMIT; none reads the ledger beyond the subjects asked about."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    case,
    func,
    insert,
    or_,
    select,
    union_all,
)

from xinyong.access.tables import departments
from xinyong.checks.fuzzy import SKIP_MATCHES, SKIP_SCAN, SkipProbe
from xinyong.checks.rules import EntryRow
from xinyong.checks.tables import check_feedback, check_receipts
from xinyong.identity.tables import name_observations, subjects
from xinyong.ledger.tables import entries
from xinyong.lists.tables import subject_status
from xinyong.store.db import bulk_insert, matching


def status_rows(conn: Connection, keys: Sequence[str]) -> dict[str, tuple[list[Any], int]]:
    """{subject key: (memberships, data version)} for the keys that have a status row."""
    out: dict[str, tuple[list[Any], int]] = {}
    cols = (
        subject_status.c.subject_key,
        subject_status.c.memberships,
        subject_status.c.data_version,
    )
    for where in matching(conn, subject_status.c.subject_key, list(dict.fromkeys(keys))):
        for key, memberships, version in conn.execute(select(*cols).where(where)):
            out[key] = (json.loads(memberships), int(version))
    return out


def _trigger_stmt(items: Sequence[str]) -> Select[Any]:
    e = entries.c
    return (
        select(
            e.id,
            e.subject_key,
            e.item_code,
            e.record_key,
            e.action,
            e.decision_date,
            e.severity,
            e.department_code,
            departments.c.name,
            departments.c.sector,
            e.public,
            e.public_from,
            e.public_until,
            e.received_at,
            e.subject_kind,
            e.payload,
        )
        .select_from(entries.outerjoin(departments, departments.c.code == e.department_code))
        .where(e.item_code.in_(sorted(set(items))))
        .order_by(e.id)
    )


FieldsOf = Mapping[str, frozenset[str]]  # item code -> the payload fields to keep


def _entry_row(r: Any, fields: FieldsOf) -> EntryRow:
    wanted = fields.get(r[2])
    values: dict[str, str] = {}
    if wanted:
        payload = json.loads(r[15])
        values = {f: str(payload[f]) for f in wanted if payload.get(f) not in (None, "")}
    return EntryRow(
        id=int(r[0]),
        subject_key=r[1],
        item_code=r[2],
        record_key=r[3],
        action=r[4],
        decision_date=r[5],
        severity=r[6],
        department_code=r[7],
        department_name=r[8],
        sector=r[9],
        public=bool(r[10]),
        public_from=r[11],
        public_until=r[12],
        received_at=r[13],
        subject_kind=r[14],
        values=values,
    )


def trigger_entries(
    conn: Connection, subject_keys: Sequence[str], fields: FieldsOf
) -> list[EntryRow]:
    """Every entry of the items in ``fields`` about the given subjects, oldest first, with the
    submitting department's sector and the payload fields ``fields`` names. Served by
    ``ix_entries_subject`` (subject_key, id)."""
    if not subject_keys or not fields:
        return []
    stmt = _trigger_stmt(list(fields))
    out: list[EntryRow] = []
    for where in matching(conn, entries.c.subject_key, list(dict.fromkeys(subject_keys))):
        out.extend(_entry_row(r, fields) for r in conn.execute(stmt.where(where)))
    out.sort(key=lambda row: row.id)
    return out


def all_trigger_entries(conn: Connection, fields: FieldsOf) -> Iterator[EntryRow]:
    """Every entry of the items in ``fields``, oldest first, streamed (the read model's full
    load)."""
    if not fields:
        return
    result = conn.execute(_trigger_stmt(list(fields)).execution_options(yield_per=20_000))
    for r in result:
        yield _entry_row(r, fields)


def department_sector(conn: Connection, code: str) -> str | None:
    return conn.execute(
        select(departments.c.sector).where(departments.c.code == code)
    ).scalar_one_or_none()


def department_sectors(conn: Connection) -> dict[str, str]:
    rows = conn.execute(select(departments.c.code, departments.c.sector)).all()
    return {str(code): str(sector) for code, sector in rows}


def known_subject(conn: Connection, key: str) -> bool:
    """Whether the platform holds the subject: a subject row or any ledger entry about it."""
    if conn.execute(select(subjects.c.key).where(subjects.c.key == key)).first() is not None:
        return True
    return (
        conn.execute(select(entries.c.id).where(entries.c.subject_key == key).limit(1)).first()
        is not None
    )


def all_subject_keys(conn: Connection) -> Iterator[str]:
    """Every organisation's and business's key (the read model's set of known subjects)."""
    stmt = select(subjects.c.key).where(_NOT_PERSON)
    yield from conn.execute(stmt.execution_options(yield_per=50_000)).scalars()


def all_status_rows(conn: Connection) -> Iterator[tuple[str, list[Any], int]]:
    cols = (
        subject_status.c.subject_key,
        subject_status.c.memberships,
        subject_status.c.data_version,
    )
    for key, memberships, version in conn.execute(
        select(*cols).execution_options(yield_per=20_000)
    ):
        yield key, json.loads(memberships), int(version)


def entry_head(conn: Connection) -> int:
    """The newest ledger entry id (0 for an empty ledger)."""
    return int(conn.execute(select(func.coalesce(func.max(entries.c.id), 0))).scalar_one())


def subjects_after(conn: Connection, entry_id: int, limit: int) -> set[str] | None:
    """Subjects of the entries after ``entry_id``; None when more than ``limit`` (reload all)."""
    rows = conn.execute(
        select(entries.c.subject_key).where(entries.c.id > entry_id).distinct().limit(limit + 1)
    ).scalars()
    found = set(rows)
    return None if len(found) > limit else found


def insert_receipt(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(check_receipts).values(**values))


def insert_receipts(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Many receipts at once (the batched writer): COPY on PostgreSQL."""
    bulk_insert(conn, check_receipts, rows)


def receipt(conn: Connection, receipt: str) -> dict[str, Any] | None:
    """The receipt's department and the measure codes its answer listed (applied and to
    verify), or None."""
    c = check_receipts.c
    row = conn.execute(
        select(c.department_code, c.measures, c.to_verify).where(c.receipt == receipt)
    ).first()
    if row is None:
        return None
    return {
        "department_code": row[0],
        "measures": list(json.loads(row[1])),
        "to_verify": list(json.loads(row[2])),
    }


def insert_feedback(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(check_feedback).values(**values))


def receipt_row(conn: Connection, receipt: str) -> dict[str, Any] | None:
    """The whole receipt row (measure lists decoded), or None."""
    row = conn.execute(select(check_receipts).where(check_receipts.c.receipt == receipt)).first()
    if row is None:
        return None
    out = dict(row._mapping)
    out["measures"] = list(json.loads(out["measures"]))
    out["to_verify"] = list(json.loads(out["to_verify"]))
    return out


def feedback_rows(conn: Connection, receipt: str) -> list[dict[str, Any]]:
    """The feedback recorded on a receipt, oldest first (served by ix_feedback_receipt)."""
    f = check_feedback.c
    stmt = (
        select(f.measure, f.applied, f.reason, f.actor, f.at)
        .where(f.receipt == receipt)
        .order_by(f.id)
        .limit(1000)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)]


# -- name lookup ------------------------------------------------------------------------------

_NOT_PERSON = subjects.c.kind != "person"


def _sources() -> tuple[tuple[ColumnElement[str], ColumnElement[str], list[Any]], ...]:
    """(subject key, name key, extra conditions) of the two name indexes: current names
    (persons excluded: they are never looked up by name) and reported names."""
    return (
        (subjects.c.key, subjects.c.name_key, [_NOT_PERSON]),
        (name_observations.c.subject_key, name_observations.c.name_key, []),
    )


def exact_name(conn: Connection, key: str) -> list[tuple[str, str]]:
    """(subject key, name key) of current or reported names equal to ``key``."""
    subqueries = [
        select(k.label("k"), n.label("n")).where(n == key, *extra).limit(50).subquery()
        for k, n, extra in _sources()
    ]
    stmt = union_all(*(select(s.c.k, s.c.n) for s in subqueries))
    return [(r[0], r[1]) for r in conn.execute(stmt)]


def neighbour_names(
    conn: Connection, probes: Sequence[str], per_side: int
) -> list[tuple[str, str]]:
    """(subject key, name key) of the ``per_side`` names on each side of every probe key in
    name order, from both name indexes: at most 4 x len(probes) x per_side rows."""
    parts: list[Select[str, str]] = []
    for probe in probes:
        for k, n, _ in _sources():
            parts.append(
                select(k.label("k"), n.label("n")).where(n >= probe).order_by(n).limit(per_side)
            )
            # Persons' name keys are empty: ``n > ''`` keeps them (and the scan) out.
            parts.append(
                select(k.label("k"), n.label("n"))
                .where(n < probe, n > "")
                .order_by(n.desc())
                .limit(per_side)
            )
    subqueries = [p.subquery() for p in parts]
    stmt = union_all(*(select(s.c.k, s.c.n) for s in subqueries))
    return [(r[0], r[1]) for r in conn.execute(stmt)]


def skip_probe_names(conn: Connection, probes: Sequence[SkipProbe]) -> list[tuple[str, str]]:
    """(subject key, name key) of current names starting with a probe's prefix that match one
    of its patterns, best pattern first. Each probe reads at most ``SKIP_SCAN`` entries of the
    name_key index (index-only on PostgreSQL once vacuumed); the few matching names are then
    looked up. One statement for all probes. Reported (former) names are left out: they are
    mostly copies of current names, and scanning them would double the cost."""
    if not probes:
        return []
    n = subjects.c.name_key
    parts = []
    for probe in probes:
        window = (
            select(n.label("n"))
            .where(n >= probe.prefix, n < probe.upper)
            .order_by(n)
            .limit(SKIP_SCAN)
            .subquery()
        )
        conds = [window.c.n.like(p, escape="\\") for p in probe.patterns]
        rank = case(*((c, i) for i, c in enumerate(conds)), else_=len(conds))
        hits = select(window.c.n).where(or_(*conds)).order_by(rank, window.c.n).limit(SKIP_MATCHES)
        parts.append(
            select(subjects.c.key.label("k"), n.label("n"))
            .where(n.in_(hits.scalar_subquery()), _NOT_PERSON)
            .subquery()
        )
    stmt = union_all(*(select(p.c.k, p.c.n) for p in parts))
    return [(r[0], r[1]) for r in conn.execute(stmt)]


def organisations(conn: Connection, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Subject rows (not persons) by key."""
    cols = (
        subjects.c.key,
        subjects.c.kind,
        subjects.c.name,
        subjects.c.name_key,
        subjects.c.status,
        subjects.c.division_code,
    )
    out: dict[str, dict[str, Any]] = {}
    for where in matching(conn, subjects.c.key, list(dict.fromkeys(keys))):
        for r in conn.execute(select(*cols).where(where, _NOT_PERSON)):
            out[r[0]] = dict(r._mapping)
    return out


def reported_names(conn: Connection, keys: Sequence[str]) -> list[tuple[str, str, str]]:
    """(subject key, name key, name as reported) of every name departments reported for these
    subjects (served by the (subject_key, name_key, department) unique index)."""
    cols = (name_observations.c.subject_key, name_observations.c.name_key, name_observations.c.name)
    out: list[tuple[str, str, str]] = []
    for where in matching(conn, name_observations.c.subject_key, list(dict.fromkeys(keys))):
        out.extend((a, b, c) for a, b, c in conn.execute(select(*cols).where(where)))
    return out
