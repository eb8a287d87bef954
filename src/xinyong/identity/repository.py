"""All SQL about subjects, relations and 重码/错码 observations."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from xinyong.identity.tables import (
    identity_flags,
    name_observations,
    relations,
    subject_key_aliases,
    subjects,
)
from xinyong.store.db import bulk_insert, byte_order, matching


def existing_subject_keys(conn: Connection, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for where in matching(conn, subjects.c.key, keys):
        found.update(r[0] for r in conn.execute(select(subjects.c.key).where(where)))
    return found


def insert_subjects(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    bulk_insert(conn, subjects, rows)


def update_subject(conn: Connection, key: str, values: dict[str, Any]) -> None:
    conn.execute(update(subjects).where(subjects.c.key == key).values(**values))


def get_subject(conn: Connection, key: str) -> dict[str, Any] | None:
    row = conn.execute(select(subjects).where(subjects.c.key == key)).first()
    return None if row is None else dict(row._mapping)


def subject_labels(conn: Connection, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Key, kind, name and masked ID number of each known subject of ``keys`` (what a view
    shows; a person's name is the masked one the subject row holds)."""
    cols = (subjects.c.key, subjects.c.kind, subjects.c.name, subjects.c.id_masked)
    out: dict[str, dict[str, Any]] = {}
    for where in matching(conn, subjects.c.key, list(keys)):
        out.update((r.key, dict(r._mapping)) for r in conn.execute(select(*cols).where(where)))
    return out


def search_subjects(conn: Connection, text: str, limit: int = 20) -> list[dict[str, Any]]:
    pattern = f"%{text}%"
    rows = conn.execute(
        select(subjects.c.key, subjects.c.name, subjects.c.kind)
        .where(subjects.c.kind != "person")
        .where((subjects.c.name.like(pattern)) | (subjects.c.key == text))
        .order_by(subjects.c.name)
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]


def observations_of_subjects(
    conn: Connection, keys: Sequence[str]
) -> list[tuple[str, str, str, str]]:
    """Every (subject_key, name_key, name, department) seen for these subjects."""
    cols = (
        name_observations.c.subject_key,
        name_observations.c.name_key,
        name_observations.c.name,
        name_observations.c.department_code,
    )
    out: list[tuple[str, str, str, str]] = []
    for where in matching(conn, name_observations.c.subject_key, keys):
        out.extend((a, b, c, d) for a, b, c, d in conn.execute(select(*cols).where(where)))
    return out


def subjects_of_names(conn: Connection, name_keys: Sequence[str]) -> dict[str, set[str]]:
    """Subject keys per normalised name: {name_key: {subject_key, …}}."""
    out: dict[str, set[str]] = {}
    cols = (name_observations.c.name_key, name_observations.c.subject_key)
    for where in matching(conn, name_observations.c.name_key, name_keys):
        for nkey, key in conn.execute(select(*cols).where(where)):
            out.setdefault(nkey, set()).add(key)
    return out


def insert_observations(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    bulk_insert(conn, name_observations, rows)


def insert_flags(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    bulk_insert(conn, identity_flags, rows)


def flag_counts_by_department(conn: Connection) -> dict[str, dict[str, int]]:
    stmt = select(identity_flags.c.department_code, identity_flags.c.kind, func.count()).group_by(
        identity_flags.c.department_code, identity_flags.c.kind
    )
    out: dict[str, dict[str, int]] = {}
    for dept, kind, n in conn.execute(stmt):
        out.setdefault(dept, {})[kind] = int(n)
    return out


def flagged_rows_by_department(conn: Connection) -> dict[str, int]:
    """Distinct (batch, row) pairs flagged per department: the numerator of the error rate."""
    sub = (
        select(
            identity_flags.c.department_code, identity_flags.c.batch_id, identity_flags.c.row_number
        )
        .distinct()
        .subquery()
    )
    stmt = select(sub.c.department_code, func.count()).group_by(sub.c.department_code)
    return {r[0]: int(r[1]) for r in conn.execute(stmt)}


def existing_relations(
    conn: Connection, org_keys: Sequence[str]
) -> set[tuple[str, str, str | None, str]]:
    found: set[tuple[str, str, str | None, str]] = set()
    cols = (relations.c.org_key, relations.c.person_name, relations.c.person_key, relations.c.role)
    for where in matching(conn, relations.c.org_key, org_keys):
        found.update((a, b, c, d) for a, b, c, d in conn.execute(select(*cols).where(where)))
    return found


def insert_relations(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    bulk_insert(conn, relations, rows)


def relations_of(conn: Connection, org_key: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(relations).where(relations.c.org_key == org_key).order_by(relations.c.id)
    )
    return [dict(r._mapping) for r in rows]


def organisations_of_person(conn: Connection, person_key: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(relations).where(and_(relations.c.person_key == person_key)).order_by(relations.c.id)
    )
    return [dict(r._mapping) for r in rows]


def count_subjects(conn: Connection) -> dict[str, int]:
    stmt = select(subjects.c.kind, func.count()).group_by(subjects.c.kind)
    return {k: int(n) for k, n in conn.execute(stmt)}


def aliases_of(conn: Connection, keys: Sequence[str]) -> dict[str, str]:
    """Alias → subject key, for those of ``keys`` that are aliases (see subject_key_aliases)."""
    found: dict[str, str] = {}
    for where in matching(conn, subject_key_aliases.c.alias, list(keys)):
        found.update(
            (r.alias, r.subject_key)
            for r in conn.execute(
                select(subject_key_aliases.c.alias, subject_key_aliases.c.subject_key).where(where)
            )
        )
    return found


def insert_aliases(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    bulk_insert(conn, subject_key_aliases, rows)


def sealed_persons(conn: Connection, after: str, limit: int) -> list[tuple[str, bytes]]:
    """(key, id_sealed) of subjects with a sealed identifier, keys after ``after``, in order."""
    rows = conn.execute(
        select(subjects.c.key, subjects.c.id_sealed)
        .where(subjects.c.id_sealed.is_not(None), subjects.c.key > after)
        .order_by(subjects.c.key)
        .limit(limit)
    )
    return [(r.key, bytes(r.id_sealed)) for r in rows]


def count_aliases(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(subject_key_aliases)).scalar_one()


def iter_relations_by_org(conn: Connection, batch_size: int = 5000) -> Iterator[dict[str, Any]]:
    """Every relation with the masked certificate of its person (when keyed), ordered by
    organisation then id, in byte order on both engines (``audit verify`` merges it with the
    ledger read in the same order). Streamed."""
    person = subjects.alias("person")
    stmt = (
        select(
            relations.c.id,
            relations.c.org_key,
            relations.c.person_key,
            relations.c.person_name,
            relations.c.role,
            relations.c.valid_from,
            relations.c.source_entry_id,
            person.c.id_masked,
        )
        .select_from(relations.outerjoin(person, person.c.key == relations.c.person_key))
        .order_by(byte_order(conn, relations.c.org_key), relations.c.id)
    )
    for row in conn.execute(stmt.execution_options(yield_per=batch_size)):
        yield dict(row._mapping)
