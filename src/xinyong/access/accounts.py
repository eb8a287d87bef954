"""Staff console accounts: local sign-in with lock-out, sessions with idle and absolute
expiry, and the office's administration of accounts. Every sign-in, sign-out, failure and
change is in the hash-chained audit log.

A user's ``role`` is a console role (``USER_ROLES``); the ``Principal`` it signs in as carries
the role the authorisation rules of ``web/deps.py`` already know, so a console page checks
``require_role(who, "office")`` exactly as an API route does.

Failures are written and committed like successes: the caller runs ``sign_in`` in its own
transaction and shapes the refusal after the commit, so a refused attempt still counts and
is still audited. A name that does not exist is answered exactly as a wrong password (same
message, same cost: a dummy hash is verified) and audited without the name typed (it may be
anything, an ID number among it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection

from xinyong.access import repository as repo
from xinyong.access.passwords import PasswordHasher, check_password
from xinyong.access.service import Principal, audit, hash_key, require_department
from xinyong.kernel.errors import InputError, NotFound, PermissionDenied
from xinyong.kernel.settings import Settings

# Console role -> the role of the authorisation rules (access.service.ROLES).
USER_ROLES = {
    "office_admin": "office",
    "department_officer": "department",
    "inspector": "inspector",
    "auditor": "auditor",
}
USER_ROLE_LABELS = {
    "office_admin": "信用办管理员",
    "department_officer": "部门经办人员",
    "inspector": "检查人员",
    "auditor": "审计人员",
}
# Roles bound to one department (the others must not name one).
DEPARTMENT_ROLES = frozenset({"department_officer"})
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
DISPLAY_NAME_MAX = 100
TOKEN_BYTES = 32


@dataclass(frozen=True, slots=True)
class AccountPolicy:
    max_failures: int
    lock: dt.timedelta
    idle: dt.timedelta
    absolute: dt.timedelta
    min_length: int

    @classmethod
    def from_settings(cls, settings: Settings) -> AccountPolicy:
        return cls(
            max_failures=settings.login_max_failures,
            lock=dt.timedelta(minutes=settings.login_lock_minutes),
            idle=dt.timedelta(minutes=settings.session_idle_minutes),
            absolute=dt.timedelta(minutes=settings.session_absolute_minutes),
            min_length=settings.password_min_length,
        )


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in attempt: ``ok`` with the session token (for the cookie, never
    stored), ``invalid`` (one answer for an unknown name, a wrong password and a disabled
    account) or ``locked`` (until ``locked_until``)."""

    outcome: Literal["ok", "invalid", "locked"]
    token: str | None = None
    principal: Principal | None = None
    locked_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    session_id: int
    user_id: int
    name: str
    display_name: str
    user_role: str
    department_code: str | None
    expires_at: dt.datetime

    @property
    def principal(self) -> Principal:
        return principal_of(self.user_id, self.name, self.user_role, self.department_code)

    @property
    def role_label(self) -> str:
        return USER_ROLE_LABELS.get(self.user_role, self.user_role)


def principal_of(user_id: int, name: str, user_role: str, department: str | None) -> Principal:
    return Principal(user_id, name, USER_ROLES[user_role], department, kind="user")


def normalise_name(name: str) -> str:
    return name.strip().lower()


def derive_key(master: bytes, purpose: str) -> bytes:
    """A key for one console purpose (CSRF tokens, address hashes) from the master key."""
    return hmac.new(master, f"xinyong console {purpose} v1".encode(), "sha256").digest()


def address_hash(key: bytes, address: str | None) -> str:
    """A keyed hash of the client's address: sessions can be compared, the address not read."""
    return hmac.new(key, (address or "").encode(), "sha256").hexdigest() if address else ""


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.astimezone(dt.UTC)


def _check_role(conn: Connection, role: str, department_code: str | None) -> None:
    if role not in USER_ROLES:
        raise InputError(
            f"unknown console role {role}",
            f"未知角色“{role}”，可选：{'、'.join(USER_ROLES)}",
        )
    if role in DEPARTMENT_ROLES:
        if not department_code:
            raise InputError(
                "a department officer needs a department", "部门经办人员须指定所属部门"
            )
        require_department(conn, department_code)
    elif department_code:
        raise InputError(
            f"role {role} is not bound to a department",
            f"角色“{USER_ROLE_LABELS[role]}”不属于某一部门，不能指定部门",
        )


def create_user(
    conn: Connection,
    hasher: PasswordHasher,
    policy: AccountPolicy,
    *,
    name: str,
    display_name: str,
    role: str,
    department_code: str | None,
    password: str,
    now: dt.datetime,
    actor: str,
) -> int:
    name = normalise_name(name)
    if not NAME_PATTERN.match(name):
        raise InputError(
            "user name: 2-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit",
            "用户名应为2至64位小写字母、数字或“._-”，以字母或数字开头",
        )
    display_name = display_name.strip()
    if not display_name or len(display_name) > DISPLAY_NAME_MAX:
        raise InputError("display name: 1-100 characters", f"姓名应为1至{DISPLAY_NAME_MAX}个字符")
    _check_role(conn, role, department_code or None)
    check_password(password, name, policy.min_length)
    if repo.user_by_name(conn, name) is not None:
        raise InputError(f"user {name} exists", f"用户名“{name}”已存在")
    user_id = repo.insert_user(
        conn,
        {
            "name": name,
            "display_name": display_name,
            "role": role,
            "department_code": department_code or None,
            "password_hash": hasher.hash(password),
            "disabled": False,
            "failed_count": 0,
            "locked_until": None,
            "created_at": now,
            "updated_at": now,
        },
    )
    audit(
        conn,
        actor,
        "user_add",
        f"user:{user_id}",
        now,
        detail={"name": name, "role": role, "department": department_code or None},
    )
    return user_id


def sign_in(
    conn: Connection,
    hasher: PasswordHasher,
    policy: AccountPolicy,
    *,
    name: str,
    password: str,
    now: dt.datetime,
    ip_hash: str = "",
) -> SignIn:
    """Check a name and password; on success open a session. Commit the transaction whatever
    the outcome: failures are counted and audited."""
    key = normalise_name(name)
    user = repo.user_by_name(conn, key, for_update=True) if NAME_PATTERN.match(key) else None
    if user is None:
        hasher.verify(None, password)  # the same cost as a wrong password
        audit(
            conn,
            "anonymous",
            "console_login_failed",
            "user:unknown",
            now,
            detail={"reason": "unknown_user", "ip": ip_hash},
        )
        return SignIn("invalid")
    user_id = int(user["id"])
    target = f"user:{user_id}"
    locked_until = _aware(user["locked_until"])
    if locked_until is not None and now < locked_until:
        audit(
            conn,
            "anonymous",
            "console_login_refused_locked",
            target,
            now,
            detail={"name": user["name"], "ip": ip_hash},
        )
        return SignIn("locked", locked_until=locked_until)
    failed = 0 if locked_until is not None else int(user["failed_count"])  # a lock that ran out
    good = hasher.verify(user["password_hash"], password)
    if good and not user["disabled"]:
        values: dict[str, Any] = {"failed_count": 0, "locked_until": None}
        if hasher.needs_rehash(user["password_hash"]):
            values["password_hash"] = hasher.hash(password)
        repo.update_user(conn, user_id, values)
        # Sessions that ran out are deleted here (they are refused anyway): no job needed.
        repo.delete_expired_sessions(conn, now, now - policy.idle)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        repo.insert_session(
            conn,
            {
                "token_hash": hash_key(token),
                "user_id": user_id,
                "created_at": now,
                "last_seen_at": now,
                "expires_at": now + policy.absolute,
                "ip_hash": ip_hash,
            },
        )
        who = principal_of(user_id, user["name"], user["role"], user["department_code"])
        audit(conn, who.actor, "console_login", target, now, detail={"ip": ip_hash})
        return SignIn("ok", token=token, principal=who)
    if user["disabled"]:
        audit(
            conn,
            "anonymous",
            "console_login_failed",
            target,
            now,
            detail={"name": user["name"], "reason": "disabled", "ip": ip_hash},
        )
        return SignIn("invalid")
    lock, failed = _count_failure(conn, user, policy, now, failed)
    audit(
        conn,
        "anonymous",
        "console_login_failed",
        target,
        now,
        detail={
            "name": user["name"],
            "reason": "wrong_password",
            "failures": failed,
            "locked_until": lock.isoformat() if lock else None,
            "ip": ip_hash,
        },
    )
    return SignIn("locked", locked_until=lock) if lock else SignIn("invalid")


def _count_failure(
    conn: Connection, user: dict[str, Any], policy: AccountPolicy, now: dt.datetime, failed: int
) -> tuple[dt.datetime | None, int]:
    """One more failure; at the limit the account locks (counter back to 0) and its sessions
    end. Returns (locked until or None, failures counted)."""
    failed += 1
    lock = now + policy.lock if failed >= policy.max_failures else None
    repo.update_user(
        conn, int(user["id"]), {"failed_count": 0 if lock else failed, "locked_until": lock}
    )
    if lock is not None:
        repo.delete_user_sessions(conn, int(user["id"]))
    return lock, failed


def open_session(
    conn: Connection, policy: AccountPolicy, token: str | None, now: dt.datetime
) -> ConsoleSession | None:
    """The session of a cookie token, or None (no token, unknown, idle or past its absolute
    end, user disabled). An expired session is deleted; a live one is marked seen now."""
    if not token or len(token) > 128:
        return None
    row = repo.session_by_hash(conn, hash_key(token))
    if row is None:
        return None
    expires: dt.datetime = row["expires_at"].astimezone(dt.UTC)
    seen: dt.datetime = row["last_seen_at"].astimezone(dt.UTC)
    if row["disabled"] or now >= expires or now - seen >= policy.idle:
        repo.delete_session(conn, int(row["session_id"]))
        return None
    repo.touch_session(conn, int(row["session_id"]), now)
    return ConsoleSession(
        session_id=int(row["session_id"]),
        user_id=int(row["user_id"]),
        name=row["name"],
        display_name=row["display_name"],
        user_role=row["role"],
        department_code=row["department_code"],
        expires_at=expires,
    )


def sign_out(conn: Connection, session: ConsoleSession, now: dt.datetime) -> None:
    repo.delete_session(conn, session.session_id)
    audit(conn, session.principal.actor, "console_logout", f"user:{session.user_id}", now)


def _require_user(conn: Connection, user_id: int) -> dict[str, Any]:
    user = repo.user_by_id(conn, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}", f"没有编号为 {user_id} 的用户")
    return user


def change_password(
    conn: Connection,
    hasher: PasswordHasher,
    policy: AccountPolicy,
    session: ConsoleSession,
    *,
    current: str,
    new: str,
    now: dt.datetime,
) -> bool:
    """A user changes their own password; their other sessions end. False (audited, and
    counted like a failed sign-in, so the form cannot be used to guess) when the current
    password is wrong: the caller commits either way. A new password the policy refuses is
    an InputError."""
    user = _require_user(conn, session.user_id)
    if not hasher.verify(user["password_hash"], current):
        lock, failed = _count_failure(conn, user, policy, now, int(user["failed_count"]))
        audit(
            conn,
            session.principal.actor,
            "user_password_change_failed",
            f"user:{session.user_id}",
            now,
            detail={"failures": failed, "locked_until": lock.isoformat() if lock else None},
        )
        return False
    if new == current:
        raise InputError("new password equals the current one", "新口令不得与当前口令相同")
    check_password(new, user["name"], policy.min_length)
    repo.update_user(conn, session.user_id, {"password_hash": hasher.hash(new), "updated_at": now})
    ended = repo.delete_user_sessions(conn, session.user_id, keep=session.session_id)
    audit(
        conn,
        session.principal.actor,
        "user_password_change",
        f"user:{session.user_id}",
        now,
        detail={"other_sessions_ended": ended},
    )
    return True


def users(conn: Connection) -> list[dict[str, Any]]:
    """Every account (never its hash), oldest first, with labels."""
    return [
        {
            **u,
            "role_label": USER_ROLE_LABELS.get(u["role"], u["role"]),
            "locked_until": _aware(u["locked_until"]),
        }
        for u in repo.list_users(conn)
    ]


def find_user(conn: Connection, name: str) -> dict[str, Any]:
    user = repo.user_by_name(conn, normalise_name(name))
    if user is None:
        raise NotFound("no such user", "没有该用户名的用户")
    return user


def disable_user(conn: Connection, user_id: int, *, now: dt.datetime, actor: str) -> None:
    """Disable an account and end its sessions at once. An office administrator cannot
    disable their own account (the last one would lock the office out)."""
    user = _require_user(conn, user_id)
    if actor.startswith(f"user:{user_id}:"):
        raise PermissionDenied("cannot disable own account", "不能停用自己的账户")
    if user["disabled"]:
        raise InputError(f"user {user_id} already disabled", f"用户“{user['name']}”已停用")
    repo.update_user(conn, user_id, {"disabled": True, "updated_at": now})
    ended = repo.delete_user_sessions(conn, user_id)
    audit(
        conn,
        actor,
        "user_disable",
        f"user:{user_id}",
        now,
        detail={"name": user["name"], "sessions_ended": ended},
    )


def unlock_user(conn: Connection, user_id: int, *, now: dt.datetime, actor: str) -> None:
    user = _require_user(conn, user_id)
    repo.update_user(conn, user_id, {"failed_count": 0, "locked_until": None, "updated_at": now})
    audit(
        conn,
        actor,
        "user_unlock",
        f"user:{user_id}",
        now,
        detail={"name": user["name"], "was_locked": user["locked_until"] is not None},
    )


def reset_password(
    conn: Connection,
    hasher: PasswordHasher,
    policy: AccountPolicy,
    user_id: int,
    password: str,
    *,
    now: dt.datetime,
    actor: str,
) -> None:
    """Set a new password for an account (the office's reset): unlocks it and ends its
    sessions."""
    user = _require_user(conn, user_id)
    check_password(password, user["name"], policy.min_length)
    repo.update_user(
        conn,
        user_id,
        {
            "password_hash": hasher.hash(password),
            "failed_count": 0,
            "locked_until": None,
            "updated_at": now,
        },
    )
    ended = repo.delete_user_sessions(conn, user_id)
    audit(
        conn,
        actor,
        "user_reset_password",
        f"user:{user_id}",
        now,
        detail={"name": user["name"], "sessions_ended": ended},
    )


def csrf_token(key: bytes, seed: str) -> str:
    """The form token bound to ``seed`` (the session token, or before sign-in the login
    cookie): an attacker's page can neither read the cookie nor compute the token."""
    return hmac.new(key, seed.encode(), hashlib.sha256).hexdigest()


def csrf_valid(key: bytes, seed: str | None, token: str | None) -> bool:
    if not seed or not token:
        return False
    return hmac.compare_digest(csrf_token(key, seed), token)
