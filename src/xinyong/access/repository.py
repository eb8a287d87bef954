"""All SQL about departments, API clients and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Select, Table, delete, func, insert, select, text, update

from xinyong.access.tables import (
    api_clients,
    audit_checkpoints,
    audit_log,
    departments,
    user_sessions,
    users,
)


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


def iter_audit_rows(
    conn: Connection, after: int = 0, upto: int | None = None, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """Audit rows with ``after < id <= upto``, oldest first, at most ``limit`` (streamed)."""
    stmt = select(audit_log).where(audit_log.c.id > after).order_by(audit_log.c.id)
    if upto is not None:
        stmt = stmt.where(audit_log.c.id <= upto)
    if limit is not None:
        stmt = stmt.limit(limit)
    for row in conn.execute(stmt.execution_options(yield_per=5000)):
        yield dict(row._mapping)


def audit_head(conn: Connection) -> tuple[int, str] | None:
    """The last audit row's (id, hash); None while the log is empty."""
    row = conn.execute(
        select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def audit_hash_of(conn: Connection, row_id: int) -> str | None:
    row = conn.execute(select(audit_log.c.hash).where(audit_log.c.id == row_id)).first()
    return None if row is None else str(row[0])


def count_audit_after(conn: Connection, after: int) -> int:
    stmt = select(func.count()).select_from(audit_log).where(audit_log.c.id > after)
    return int(conn.execute(stmt).scalar_one())


def last_checkpoint(conn: Connection, *, full_only: bool = False) -> dict[str, Any] | None:
    stmt = select(audit_checkpoints)
    if full_only:
        stmt = stmt.where(audit_checkpoints.c.full_pass.is_(True))
    row = conn.execute(stmt.order_by(audit_checkpoints.c.id.desc()).limit(1)).first()
    return None if row is None else dict(row._mapping)


def insert_checkpoint(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(audit_checkpoints).values(**values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def audit_rows(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]


# Console accounts and sessions.


def insert_user(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(users).values(**values).returning(users.c.id))
    return int(result.scalar_one())


def user_by_name(conn: Connection, name: str, *, for_update: bool = False) -> dict[str, Any] | None:
    stmt = select(users).where(users.c.name == name)
    if for_update:  # counting failures: two wrong passwords at once both count
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    return None if row is None else dict(row._mapping)


def user_by_id(conn: Connection, user_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return None if row is None else dict(row._mapping)


def list_users(conn: Connection) -> list[dict[str, Any]]:
    """Every account with its department's name; the password hash is never read."""
    stmt = (
        select(
            users.c.id,
            users.c.name,
            users.c.display_name,
            users.c.role,
            users.c.department_code,
            departments.c.name.label("department_name"),
            users.c.disabled,
            users.c.failed_count,
            users.c.locked_until,
            users.c.created_at,
            users.c.updated_at,
        )
        .select_from(users.outerjoin(departments))
        .order_by(users.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)]


def update_user(conn: Connection, user_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


# A session table (the console's user_sessions, the subject accounts' subject_sessions) has
# id, token_hash, last_seen_at and expires_at: the operations below serve both.


def insert_session(
    conn: Connection, values: dict[str, Any], *, table: Table = user_sessions
) -> None:
    conn.execute(insert(table).values(**values))


def session_by_hash(conn: Connection, token_hash: str) -> dict[str, Any] | None:
    """The session and its user's account columns (a disabled user's session is refused)."""
    stmt = (
        select(
            user_sessions.c.id.label("session_id"),
            user_sessions.c.user_id,
            user_sessions.c.created_at,
            user_sessions.c.last_seen_at,
            user_sessions.c.expires_at,
            users.c.name,
            users.c.display_name,
            users.c.role,
            users.c.department_code,
            users.c.disabled,
        )
        .select_from(user_sessions.join(users))
        .where(user_sessions.c.token_hash == token_hash)
    )
    row = conn.execute(stmt).first()
    return None if row is None else dict(row._mapping)


def touch_session(
    conn: Connection, session_id: int, now: dt.datetime, *, table: Table = user_sessions
) -> None:
    conn.execute(update(table).where(table.c.id == session_id).values(last_seen_at=now))


def delete_session(conn: Connection, session_id: int, *, table: Table = user_sessions) -> None:
    conn.execute(delete(table).where(table.c.id == session_id))


def delete_user_sessions(conn: Connection, user_id: int, keep: int | None = None) -> int:
    stmt = delete(user_sessions).where(user_sessions.c.user_id == user_id)
    if keep is not None:
        stmt = stmt.where(user_sessions.c.id != keep)
    return conn.execute(stmt).rowcount


def delete_expired_sessions(
    conn: Connection,
    absolute_before: dt.datetime,
    idle_before: dt.datetime,
    *,
    table: Table = user_sessions,
) -> int:
    stmt = delete(table).where(
        (table.c.expires_at <= absolute_before) | (table.c.last_seen_at <= idle_before)
    )
    return conn.execute(stmt).rowcount


# The audit trail as the console reads it.


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern matching ``prefix`` literally at the start (``\\`` escapes)."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _match(column: Any, value: str) -> Any:
    """Equal to ``value``; or, for a value ending in ``*``, starting with what precedes it."""
    if value.endswith("*"):
        return column.like(_like_prefix(value[:-1]), escape="\\")
    return column == value


def audit_filtered(
    conn: Connection,
    *,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    before: int | None = None,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """Audit rows matching every filter given, newest first, at most ``limit`` with an id
    below ``before`` (keyset paging: a read appends a row, offsets would shift); and how
    many rows match in all. ``since`` is inclusive, ``until`` exclusive."""
    where: list[Any] = []
    if actor:
        where.append(_match(audit_log.c.actor, actor))
    if action:
        where.append(audit_log.c.action == action)
    if target:
        where.append(_match(audit_log.c.target, target))
    if since is not None:
        where.append(audit_log.c.at >= since)
    if until is not None:
        where.append(audit_log.c.at < until)
    total = int(
        conn.execute(select(func.count()).select_from(audit_log).where(*where)).scalar_one()
    )
    stmt = select(audit_log).where(*where)
    if before is not None:
        stmt = stmt.where(audit_log.c.id < before)
    rows = conn.execute(stmt.order_by(audit_log.c.id.desc()).limit(limit))
    return [dict(r._mapping) for r in rows], total


def audit_actions(conn: Connection) -> list[str]:
    """Every action the audit log holds, for the console's filter."""
    stmt = select(audit_log.c.action).distinct().order_by(audit_log.c.action)
    return [str(a) for a in conn.execute(stmt).scalars()]
