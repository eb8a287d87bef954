"""All SQL about departments, API clients and the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

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


def client_by_hash(conn: Connection, key_hash: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(api_clients).where(
            api_clients.c.key_hash == key_hash, api_clients.c.revoked.is_(False)
        )
    ).first()
    return None if row is None else dict(row._mapping)


def last_audit_hash(conn: Connection) -> str | None:
    row = conn.execute(select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)).first()
    return None if row is None else str(row[0])


def insert_audit(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(audit_log).values(**values))


def audit_rows(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]
