"""All SQL of the evaluation context: ledger entries for the snapshot, runs and results."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Subquery, and_, delete, func, insert, select, update

from xinyong.catalog.evaluation import NOT_SCORED_GRADE
from xinyong.evaluation.tables import evaluation_results, evaluation_runs
from xinyong.identity.tables import subjects
from xinyong.ledger.tables import entries
from xinyong.store.db import bulk_insert

SNAPSHOT_COLUMNS = (
    entries.c.id,
    entries.c.subject_key,
    entries.c.subject_kind,
    entries.c.item_code,
    entries.c.record_key,
    entries.c.department_code,
    entries.c.action,
    entries.c.decision_date,
    entries.c.severity,
    entries.c.public,
    entries.c.public_until,
    entries.c.payload,
)


def ledger_head(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(entries.c.id), 0))).scalar_one())


def iter_entries_after(
    conn: Connection, after: int, upto: int, chunk: int
) -> Iterator[list[dict[str, Any]]]:
    """Entries with ``after < id <= upto`` in id order, ``chunk`` at a time (keyset)."""
    last = after
    while True:
        rows = conn.execute(
            select(*SNAPSHOT_COLUMNS)
            .where(entries.c.id > last, entries.c.id <= upto)
            .order_by(entries.c.id)
            .limit(chunk)
        ).mappings()
        batch = [dict(r) for r in rows]
        if not batch:
            return
        yield batch
        last = int(batch[-1]["id"])


def insert_run(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(evaluation_runs).values(**values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def update_run(conn: Connection, run_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(evaluation_runs).where(evaluation_runs.c.id == run_id).values(**values))


def get_run(conn: Connection, run_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(evaluation_runs).where(evaluation_runs.c.id == run_id)).mappings()
    found = row.first()
    return dict(found) if found else None


def last_done_run(conn: Connection) -> dict[str, Any] | None:
    row = (
        conn.execute(
            select(evaluation_runs)
            .where(evaluation_runs.c.state == "done")
            .order_by(evaluation_runs.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def running_since(conn: Connection, since: Any) -> dict[str, Any] | None:
    """A run still marked running that started after ``since`` (an older one crashed)."""
    row = (
        conn.execute(
            select(evaluation_runs)
            .where(evaluation_runs.c.state == "running", evaluation_runs.c.started_at > since)
            .order_by(evaluation_runs.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def list_runs(conn: Connection, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(evaluation_runs).order_by(evaluation_runs.c.id.desc()).limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


def insert_results(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    bulk_insert(conn, evaluation_results, rows)  # COPY on PostgreSQL


def delete_results_of_run(conn: Connection, run_id: int) -> None:
    conn.execute(delete(evaluation_results).where(evaluation_results.c.run_id == run_id))


def current_results(
    conn: Connection, subject_key: str, model_codes: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The subject's latest result per model, from finished runs only (a failed or running
    run's rows are never read); a model whose latest row is the not-scored marker (the
    subject left its scope) has no current result."""
    r = evaluation_results
    done = select(evaluation_runs.c.id).where(evaluation_runs.c.state == "done")
    scope = [r.c.subject_key == subject_key, r.c.run_id.in_(done)]
    if model_codes is not None:
        scope.append(r.c.model_code.in_(list(model_codes)))
    latest = (
        select(r.c.model_code, func.max(r.c.id).label("id"))
        .where(*scope)
        .group_by(r.c.model_code)
        .subquery()
    )
    rows = conn.execute(
        select(r)
        .join(latest, and_(r.c.id == latest.c.id))
        .where(r.c.grade != NOT_SCORED_GRADE)
        .order_by(r.c.model_code)
    ).mappings()
    return [dict(x) for x in rows]


def results_of_run(conn: Connection, run_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(evaluation_results)
        .where(evaluation_results.c.run_id == run_id)
        .order_by(evaluation_results.c.id)
    ).mappings()
    return [dict(x) for x in rows]


def iter_current_results(
    conn: Connection, model_code: str, chunk: int = 5000
) -> Iterator[dict[str, Any]]:
    """Every subject's current result under one model (finished runs only), with the
    subject's name, in subject order; natural persons left out (never exported), and the
    subjects whose latest row is the not-scored marker."""
    r = evaluation_results
    done = select(evaluation_runs.c.id).where(evaluation_runs.c.state == "done")
    latest = (
        select(func.max(r.c.id).label("id"))
        .where(r.c.model_code == model_code, r.c.run_id.in_(done), r.c.subject_kind != "person")
        .group_by(r.c.subject_key)
        .subquery()
    )
    rows = conn.execution_options(yield_per=chunk).execute(
        select(r, subjects.c.name)
        .join(latest, r.c.id == latest.c.id)
        .outerjoin(subjects, subjects.c.key == r.c.subject_key)
        .where(r.c.grade != NOT_SCORED_GRADE)
        .order_by(r.c.subject_key)
    )
    for row in rows.mappings():
        yield dict(row)


def _latest_rows(model_code: str) -> Subquery:
    """The id of each subject's latest row under one model, finished runs only."""
    r = evaluation_results
    done = select(evaluation_runs.c.id).where(evaluation_runs.c.state == "done")
    return (
        select(func.max(r.c.id).label("id"))
        .where(r.c.model_code == model_code, r.c.run_id.in_(done))
        .group_by(r.c.subject_key)
        .subquery()
    )


def grade_counts(conn: Connection, model_code: str) -> list[tuple[str, str, int]]:
    """(model version, grade, subjects) over every subject's current result under one model
    (finished runs only; a not-scored marker counts no grade)."""
    r = evaluation_results
    latest = _latest_rows(model_code)
    rows = conn.execute(
        select(r.c.model_version, r.c.grade, func.count())
        .join(latest, r.c.id == latest.c.id)
        .where(r.c.grade != NOT_SCORED_GRADE)
        .group_by(r.c.model_version, r.c.grade)
    )
    return [(str(v), str(g), int(n)) for v, g, n in rows]


GRADE_CHUNK = 5000  # subject keys per IN list (SQLite allows 32766 parameters, PostgreSQL 65535)


def current_grades(
    conn: Connection, model_code: str, keys: Sequence[str], chunk: int = GRADE_CHUNK
) -> dict[str, tuple[str, str]]:
    """Subject key -> (model version, grade code) of its current result under one model
    (finished runs only), for the given keys; a key with no result, or whose latest row is
    the not-scored marker, is absent. One indexed
    query per ``chunk`` keys (ix_evaluation_results_subject: subject, model, id), the latest
    row per subject picked here rather than by a grouped subquery per chunk."""
    r = evaluation_results
    done = select(evaluation_runs.c.id).where(evaluation_runs.c.state == "done")
    out: dict[str, tuple[int, str, str]] = {}
    unique = sorted(set(keys))
    for start in range(0, len(unique), chunk):
        part = unique[start : start + chunk]
        rows = conn.execute(
            select(r.c.subject_key, r.c.id, r.c.model_version, r.c.grade).where(
                r.c.model_code == model_code, r.c.subject_key.in_(part), r.c.run_id.in_(done)
            )
        )
        for key, rid, version, grade in rows:
            seen = out.get(key)
            if seen is None or rid > seen[0]:
                out[key] = (int(rid), str(version), str(grade))
    return {k: (v, g) for k, (_, v, g) in out.items() if g != NOT_SCORED_GRADE}


def scored_keys(conn: Connection, model_code: str, keys: Sequence[str] | None) -> set[str]:
    """The subjects (of ``keys``; every subject when None: a full run) whose current row
    under one model is a result, not the not-scored marker (finished runs only)."""
    if keys is not None:
        return set(current_grades(conn, model_code, keys))
    r = evaluation_results
    latest = _latest_rows(model_code)
    rows = conn.execute(
        select(r.c.subject_key)
        .join(latest, r.c.id == latest.c.id)
        .where(r.c.grade != NOT_SCORED_GRADE)
    )
    return {str(k) for (k,) in rows}
