"""All SQL about departments, API clients and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Select, func, insert, select, text, update

from xinyong.access.tables import api_clients, audit_log, departments


def get_department(conn: Connection, code: str) -> dict[str, Any] | None:
    row = conn.execute(select(departments).where(departments.c.code == code)).first()
    return None if row is None else dict(row._mapping)


def list_departments(conn: Connection) -> list[dict[str, Any]]:
    return [
        dict(r._mapping) for r in conn.execute(select(departments).order_by(departments.c.code))
    ]


def insert_department(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(departments).values(**values))


def insert_client(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(api_clients).values(**values).returning(api_clients.c.id))
    return int(result.scalar_one())


def _clients() -> Select[Any]:
    """API clients with their department's name; the key hash is never read."""
    return select(
        api_clients.c.id,
        api_clients.c.name,
        api_clients.c.role,
        api_clients.c.department_code,
        departments.c.name.label("department_name"),
        api_clients.c.key_prefix,
        api_clients.c.created_at,
        api_clients.c.revoked,
        api_clients.c.revoked_at,
    ).select_from(api_clients.outerjoin(departments))


def list_clients(conn: Connection, department_code: str | None = None) -> list[dict[str, Any]]:
    stmt = _clients().order_by(api_clients.c.id)
    if department_code is not None:
        stmt = stmt.where(api_clients.c.department_code == department_code)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def get_client(conn: Connection, client_id: int) -> dict[str, Any] | None:
    row = conn.execute(_clients().where(api_clients.c.id == client_id)).first()
    return None if row is None else dict(row._mapping)


def revoke_client(conn: Connection, client_id: int, now: dt.datetime) -> bool:
    """Mark the client revoked; False when it already was (a concurrent revocation)."""
    result = conn.execute(
        update(api_clients)
        .where(api_clients.c.id == client_id, api_clients.c.revoked.is_(False))
        .values(revoked=True, revoked_at=now)
    )
    return result.rowcount == 1


def departments_with_key_counts(conn: Connection) -> list[dict[str, Any]]:
    active = func.count(api_clients.c.id).filter(api_clients.c.revoked.is_(False))
    revoked = func.count(api_clients.c.id).filter(api_clients.c.revoked.is_(True))
    stmt = (
        select(
            departments.c.code,
            departments.c.name,
            departments.c.sector,
            departments.c.uscc,
            departments.c.created_at,
            active.label("active_keys"),
            revoked.label("revoked_keys"),
        )
        .select_from(departments.outerjoin(api_clients))
        .group_by(
            departments.c.code,
            departments.c.name,
            departments.c.sector,
            departments.c.uscc,
            departments.c.created_at,
        )
        .order_by(departments.c.code)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)]


def client_by_hash(conn: Connection, key_hash: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(api_clients).where(
            api_clients.c.key_hash == key_hash, api_clients.c.revoked.is_(False)
        )
    ).first()
    return None if row is None else dict(row._mapping)


# Any constant: the advisory lock that serialises audit appends on PostgreSQL.
_AUDIT_LOCK = 0x78696E79  # "xiny"


def lock_audit_chain(conn: Connection) -> None:
    """Serialise audit appends until this transaction ends, so each reads the true last hash
    (two appends reading the same one forked the chain). PostgreSQL: an advisory transaction
    lock. SQLite: a write statement (it matches no row) takes the database's write lock now,
    before the last hash is read; pysqlite would otherwise read it outside any transaction."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK})
    else:
        conn.execute(text("UPDATE audit_log SET id = id WHERE 0"))


def last_audit_hash(conn: Connection) -> str | None:
    row = conn.execute(select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)).first()
    return None if row is None else str(row[0])


def insert_audit(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(audit_log).values(**values))


def iter_audit_rows(conn: Connection) -> Iterator[dict[str, Any]]:
    stmt = select(audit_log).order_by(audit_log.c.id)
    for row in conn.execute(stmt.execution_options(yield_per=5000)):
        yield dict(row._mapping)


def audit_rows(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]
