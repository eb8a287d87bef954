"""All SQL about subject accounts, their activation codes and their sessions (the session
operations shared with the console's, in access.repository)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from xinyong.access import repository as access_repo
from xinyong.selfservice.tables import subject_accounts, subject_activation_codes, subject_sessions


def insert_account(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(
        insert(subject_accounts).values(**values).returning(subject_accounts.c.id)
    )
    return int(result.scalar_one())


def account_by_uscc(
    conn: Connection, uscc: str, *, for_update: bool = False
) -> dict[str, Any] | None:
    stmt = select(subject_accounts).where(subject_accounts.c.uscc == uscc)
    if for_update:  # counting failures: two wrong attempts at once both count
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    return None if row is None else dict(row._mapping)


def list_accounts(conn: Connection) -> list[dict[str, Any]]:
    """Every account without its hash, oldest first."""
    cols = [c for c in subject_accounts.c if c.name != "password_hash"]
    stmt = select(*cols).order_by(subject_accounts.c.id)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def update_account(conn: Connection, account_id: int, values: dict[str, Any]) -> None:
    conn.execute(
        update(subject_accounts).where(subject_accounts.c.id == account_id).values(**values)
    )


def insert_code(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(
        insert(subject_activation_codes).values(**values).returning(subject_activation_codes.c.id)
    )
    return int(result.scalar_one())


def supersede_codes(conn: Connection, account_id: int, now: dt.datetime) -> int:
    """Retire the account's unused codes (a newer one was issued)."""
    c = subject_activation_codes.c
    stmt = (
        update(subject_activation_codes)
        .where(c.account_id == account_id, c.used_at.is_(None), c.superseded_at.is_(None))
        .values(superseded_at=now)
    )
    return conn.execute(stmt).rowcount


def code_by_hash(conn: Connection, account_id: int, code_hash: str) -> dict[str, Any] | None:
    c = subject_activation_codes.c
    row = conn.execute(
        select(subject_activation_codes).where(c.account_id == account_id, c.code_hash == code_hash)
    ).first()
    return None if row is None else dict(row._mapping)


def use_code(conn: Connection, code_id: int, now: dt.datetime) -> bool:
    """Mark a code used; False when it already was (a concurrent activation)."""
    c = subject_activation_codes.c
    stmt = (
        update(subject_activation_codes)
        .where(c.id == code_id, c.used_at.is_(None), c.superseded_at.is_(None))
        .values(used_at=now)
    )
    return conn.execute(stmt).rowcount == 1


def open_codes(conn: Connection, account_id: int, now: dt.datetime) -> int:
    """Unused, unexpired codes of an account."""
    c = subject_activation_codes.c
    stmt = select(c.id).where(
        c.account_id == account_id,
        c.used_at.is_(None),
        c.superseded_at.is_(None),
        c.expires_at > now,
    )
    return len(conn.execute(stmt).all())


def insert_session(conn: Connection, values: dict[str, Any]) -> None:
    access_repo.insert_session(conn, values, table=subject_sessions)


def session_by_hash(conn: Connection, token_hash: str) -> dict[str, Any] | None:
    """The session with its account's USCC and state (a disabled account's is refused)."""
    stmt = (
        select(
            subject_sessions.c.id.label("session_id"),
            subject_sessions.c.account_id,
            subject_sessions.c.last_seen_at,
            subject_sessions.c.expires_at,
            subject_accounts.c.uscc,
            subject_accounts.c.state,
        )
        .select_from(subject_sessions.join(subject_accounts))
        .where(subject_sessions.c.token_hash == token_hash)
    )
    row = conn.execute(stmt).first()
    return None if row is None else dict(row._mapping)


def touch_session(conn: Connection, session_id: int, now: dt.datetime) -> None:
    access_repo.touch_session(conn, session_id, now, table=subject_sessions)


def delete_session(conn: Connection, session_id: int) -> None:
    access_repo.delete_session(conn, session_id, table=subject_sessions)


def delete_account_sessions(conn: Connection, account_id: int) -> int:
    stmt = delete(subject_sessions).where(subject_sessions.c.account_id == account_id)
    return conn.execute(stmt).rowcount


def delete_expired_sessions(
    conn: Connection, absolute_before: dt.datetime, idle_before: dt.datetime
) -> int:
    return access_repo.delete_expired_sessions(
        conn, absolute_before, idle_before, table=subject_sessions
    )
