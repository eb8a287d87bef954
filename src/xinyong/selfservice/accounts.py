"""Subject accounts (主体账户): a market entity signs in with an account bound to its USCC.

The credit office issues a one-time activation code for an organisation the platform knows
(``issue_code``; natural persons never get an account); the subject activates with its USCC,
the code and a password of its choosing (``activate``), then signs in with USCC and password
(``sign_in``). A code is random (100 bits), stored as a SHA-256 only, valid for
``XINYONG_SUBJECT_CODE_DAYS`` and used once; a newer code retires the older ones. A code
issued for an active account resets its password when used (the office's answer to a lost
password).

The machinery is the console's (``access.accounts``): argon2id and the password policy, the
lock-out and session policy (``AccountPolicy``), SHA-256 session tokens, the hash-chained
audit log. But a subject is a different principal: its session is a ``SubjectSession`` (not
an ``access.Principal``, so no role check can ever accept it) and it reads one thing, its own
file (``selfservice.service``). Wrong, expired and used codes, unknown USCCs, wrong passwords
and disabled accounts all get one answer; the reason is in the audit row only.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection

from xinyong.access.accounts import TOKEN_BYTES, AccountPolicy
from xinyong.access.passwords import PasswordHasher, check_password
from xinyong.access.service import audit, hash_key
from xinyong.identity import repository as identity_repo
from xinyong.identity.ric import check_resident_id
from xinyong.identity.uscc import check_uscc
from xinyong.kernel.errors import Conflict, InputError, NotFound
from xinyong.selfservice import repository as repo

STATES = ("pending", "active", "disabled")
STATE_LABELS = {"pending": "待激活", "active": "已激活", "disabled": "已停用"}
# Crockford's base32 without I, L, O, U: nothing to misread on a printed letter.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20  # 100 bits
CODE_GROUP = 4
_USCC_SHAPE = re.compile(r"^[0-9A-Z]{18}$")


@dataclass(frozen=True, slots=True)
class IssuedCode:
    uscc: str
    name: str
    code: str  # shown once, grouped for reading (XXXX-XXXX-…)
    expires_at: dt.datetime
    account_id: int


@dataclass(frozen=True, slots=True)
class SubjectSignIn:
    """The outcome of an activation or sign-in: ``ok`` with the session token (for the
    cookie, never stored), ``invalid`` (one answer for every refusal) or ``locked``."""

    outcome: Literal["ok", "invalid", "locked"]
    token: str | None = None
    uscc: str | None = None
    locked_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class SubjectSession:
    """A signed-in subject: reads its own file, nothing else. Not an ``access.Principal``."""

    session_id: int
    account_id: int
    uscc: str
    expires_at: dt.datetime

    @property
    def actor(self) -> str:
        return actor_of(self.uscc)


def actor_of(uscc: str) -> str:
    return f"subject:{uscc}"


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.astimezone(dt.UTC)


def normalise_uscc(text: str) -> str:
    return text.strip().upper()


def normalise_code(text: str) -> str:
    """What was typed, without the group separators and spaces, in upper case."""
    return re.sub(r"[\s\-]", "", text).upper()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def _organisation(conn: Connection, typed: str) -> dict[str, Any]:
    """The subject row of an organisation the platform knows, by its USCC; a natural person,
    an invalid code or an unknown subject is refused (nothing typed is echoed)."""
    text = normalise_uscc(typed)
    check = check_uscc(text)
    if not check.valid:
        if text.startswith("P") or check_resident_id(text).valid:
            raise InputError(
                "natural persons have no subject account",
                "自然人不开通主体账户：主体账户仅限法人及非法人组织、个体工商户（统一社会信用代码）",
            )
        raise InputError(
            "invalid USCC",
            "统一社会信用代码有误："
            + ("；".join(i.message_zh for i in check.errors) or "格式不符"),
        )
    subject = identity_repo.get_subject(conn, check.code)
    if subject is None:
        raise NotFound("no subject with this USCC", "平台尚无该主体的信用记录，不能开通主体账户")
    if subject["kind"] == "person":
        raise InputError("natural persons have no subject account", "自然人不开通主体账户")
    return subject


def issue_code(
    conn: Connection, *, uscc: str, days: int, now: dt.datetime, actor: str
) -> IssuedCode:
    """A new one-time code for the organisation's account (created pending if new); its
    earlier unused codes are retired. A disabled account gets none (``enable`` it first)."""
    subject = _organisation(conn, uscc)
    key = str(subject["key"])
    account = repo.account_by_uscc(conn, key, for_update=True)
    if account is None:
        account_id = repo.insert_account(
            conn,
            {
                "uscc": key,
                "login_name": key,
                "password_hash": None,
                "state": "pending",
                "failed_count": 0,
                "locked_until": None,
                "created_at": now,
                "activated_at": None,
                "updated_at": now,
            },
        )
    else:
        account_id = int(account["id"])
        if account["state"] == "disabled":
            raise Conflict(
                "subject account disabled",
                "该主体账户已停用，不能签发激活码；须先用 xinyong subject-account enable 启用",
            )
    superseded = repo.supersede_codes(conn, account_id, now)
    code = new_code()
    expires = now + dt.timedelta(days=days)
    repo.insert_code(
        conn,
        {
            "account_id": account_id,
            "code_hash": hash_key(normalise_code(code)),
            "issued_by": actor,
            "issued_at": now,
            "expires_at": expires,
            "used_at": None,
            "superseded_at": None,
        },
    )
    audit(
        conn,
        actor,
        "subject_code_issue",
        f"subject_account:{key}",
        now,
        detail={"expires_at": expires.isoformat(), "superseded": superseded, "days": days},
    )
    return IssuedCode(key, str(subject["name"]), code, expires, account_id)


def _open_session(
    conn: Connection, policy: AccountPolicy, account_id: int, now: dt.datetime, ip_hash: str
) -> str:
    repo.delete_expired_sessions(conn, now, now - policy.idle)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    repo.insert_session(
        conn,
        {
            "token_hash": hash_key(token),
            "account_id": account_id,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + policy.absolute,
            "ip_hash": ip_hash,
        },
    )
    return token


def _count_failure(
    conn: Connection, account: dict[str, Any], policy: AccountPolicy, now: dt.datetime
) -> tuple[dt.datetime | None, int]:
    """One more failure (a lock that ran out starts the count again); at the limit the
    account locks and its sessions end."""
    locked = _aware(account["locked_until"])
    failed = (0 if locked is not None else int(account["failed_count"])) + 1
    lock = now + policy.lock if failed >= policy.max_failures else None
    repo.update_account(
        conn,
        int(account["id"]),
        {"failed_count": 0 if lock else failed, "locked_until": lock, "updated_at": now},
    )
    if lock is not None:
        repo.delete_account_sessions(conn, int(account["id"]))
    return lock, failed


def _account(conn: Connection, typed: str) -> dict[str, Any] | None:
    text = normalise_uscc(typed)
    return repo.account_by_uscc(conn, text, for_update=True) if _USCC_SHAPE.match(text) else None


def _refused(
    conn: Connection, action: str, account: dict[str, Any] | None, now: dt.datetime, **detail: Any
) -> None:
    # An unknown USCC is audited without what was typed (it may be an ID number).
    target = f"subject_account:{account['uscc']}" if account else "subject_account:unknown"
    audit(conn, "anonymous", action, target, now, detail=detail)


def activate(
    conn: Connection,
    hasher: PasswordHasher,
    policy: AccountPolicy,
    *,
    uscc: str,
    code: str,
    password: str,
    now: dt.datetime,
    ip_hash: str = "",
) -> SubjectSignIn:
    """Activate (or, for an active account, reset) with a one-time code and a new password;
    on success a session is open. The password policy is checked first (InputError, nothing
    counted); then every refusal is one answer, counted and audited: the caller commits
    whatever the outcome."""
    check_password(password, normalise_uscc(uscc), policy.min_length)
    account = _account(conn, uscc)
    if account is None:
        _refused(conn, "subject_activation_failed", None, now, reason="unknown_account", ip=ip_hash)
        return SubjectSignIn("invalid")
    account_id = int(account["id"])
    locked = _aware(account["locked_until"])
    if locked is not None and now < locked:
        _refused(conn, "subject_activation_refused_locked", account, now, ip=ip_hash)
        return SubjectSignIn("locked", locked_until=locked)
    found = repo.code_by_hash(conn, account_id, hash_key(normalise_code(code)))
    reason = None
    if account["state"] == "disabled":
        reason = "disabled"
    elif found is None:
        reason = "wrong_code"
    elif found["used_at"] is not None:
        reason = "used_code"
    elif found["superseded_at"] is not None:
        reason = "superseded_code"
    elif now >= found["expires_at"].astimezone(dt.UTC):
        reason = "expired_code"
    elif not repo.use_code(conn, int(found["id"]), now):
        reason = "used_code"
    if reason is not None:
        lock, failed = (
            (None, 0) if reason == "disabled" else _count_failure(conn, account, policy, now)
        )
        _refused(
            conn,
            "subject_activation_failed",
            account,
            now,
            reason=reason,
            failures=failed,
            locked_until=lock.isoformat() if lock else None,
            ip=ip_hash,
        )
        return SubjectSignIn("locked", locked_until=lock) if lock else SubjectSignIn("invalid")
    reset = account["state"] == "active"
    repo.update_account(
        conn,
        account_id,
        {
            "password_hash": hasher.hash(password),
            "state": "active",
            "failed_count": 0,
            "locked_until": None,
            "activated_at": now,
            "updated_at": now,
        },
    )
    ended = repo.delete_account_sessions(conn, account_id)
    token = _open_session(conn, policy, account_id, now, ip_hash)
    audit(
        conn,
        actor_of(account["uscc"]),
        "subject_account_activate",
        f"subject_account:{account['uscc']}",
        now,
        detail={"reset": reset, "sessions_ended": ended, "ip": ip_hash},
    )
    return SubjectSignIn("ok", token=token, uscc=account["uscc"])


def sign_in(
    conn: Connection,
    hasher: PasswordHasher,
    policy: AccountPolicy,
    *,
    uscc: str,
    password: str,
    now: dt.datetime,
    ip_hash: str = "",
) -> SubjectSignIn:
    """USCC and password; on success a session. Commit whatever the outcome."""
    account = _account(conn, uscc)
    if account is None or account["password_hash"] is None:
        hasher.verify(None, password)  # the cost of a wrong password
        reason = "unknown_account" if account is None else "not_activated"
        _refused(conn, "subject_login_failed", account, now, reason=reason, ip=ip_hash)
        return SubjectSignIn("invalid")
    locked = _aware(account["locked_until"])
    if locked is not None and now < locked:
        _refused(conn, "subject_login_refused_locked", account, now, ip=ip_hash)
        return SubjectSignIn("locked", locked_until=locked)
    good = hasher.verify(account["password_hash"], password)
    if good and account["state"] == "active":
        values: dict[str, Any] = {"failed_count": 0, "locked_until": None}
        if hasher.needs_rehash(account["password_hash"]):
            values["password_hash"] = hasher.hash(password)
        repo.update_account(conn, int(account["id"]), values)
        token = _open_session(conn, policy, int(account["id"]), now, ip_hash)
        audit(
            conn,
            actor_of(account["uscc"]),
            "subject_login",
            f"subject_account:{account['uscc']}",
            now,
            detail={"ip": ip_hash},
        )
        return SubjectSignIn("ok", token=token, uscc=account["uscc"])
    if account["state"] != "active":
        _refused(conn, "subject_login_failed", account, now, reason=account["state"], ip=ip_hash)
        return SubjectSignIn("invalid")
    lock, failed = _count_failure(conn, account, policy, now)
    _refused(
        conn,
        "subject_login_failed",
        account,
        now,
        reason="wrong_password",
        failures=failed,
        locked_until=lock.isoformat() if lock else None,
        ip=ip_hash,
    )
    return SubjectSignIn("locked", locked_until=lock) if lock else SubjectSignIn("invalid")


def open_session(
    conn: Connection, policy: AccountPolicy, token: str | None, now: dt.datetime
) -> SubjectSession | None:
    """The session of a cookie token, or None (unknown, idle, past its end, account not
    active). An expired one is deleted; a live one is marked seen now."""
    if not token or len(token) > 128:
        return None
    row = repo.session_by_hash(conn, hash_key(token))
    if row is None:
        return None
    expires: dt.datetime = row["expires_at"].astimezone(dt.UTC)
    seen: dt.datetime = row["last_seen_at"].astimezone(dt.UTC)
    if row["state"] != "active" or now >= expires or now - seen >= policy.idle:
        repo.delete_session(conn, int(row["session_id"]))
        return None
    repo.touch_session(conn, int(row["session_id"]), now)
    return SubjectSession(int(row["session_id"]), int(row["account_id"]), row["uscc"], expires)


def sign_out(conn: Connection, session: SubjectSession, now: dt.datetime) -> None:
    repo.delete_session(conn, session.session_id)
    audit(conn, session.actor, "subject_logout", f"subject_account:{session.uscc}", now)


def accounts(conn: Connection, now: dt.datetime) -> list[dict[str, Any]]:
    """Every account (never its hash) with its state's label and open codes."""
    out = []
    for a in repo.list_accounts(conn):
        locked = _aware(a["locked_until"])
        out.append(
            {
                **a,
                "state_label": STATE_LABELS.get(a["state"], a["state"]),
                "locked_until": locked if locked is not None and locked > now else None,
                "open_codes": repo.open_codes(conn, int(a["id"]), now),
            }
        )
    return out


def _existing(conn: Connection, uscc: str) -> dict[str, Any]:
    account = repo.account_by_uscc(conn, normalise_uscc(uscc), for_update=True)
    if account is None:
        raise NotFound("no subject account", "该统一社会信用代码没有主体账户")
    return account


def disable(conn: Connection, uscc: str, *, now: dt.datetime, actor: str) -> None:
    """Stop an account at once: its sessions end, its codes are retired."""
    account = _existing(conn, uscc)
    if account["state"] == "disabled":
        raise Conflict("already disabled", "该主体账户已停用")
    account_id = int(account["id"])
    repo.update_account(conn, account_id, {"state": "disabled", "updated_at": now})
    ended = repo.delete_account_sessions(conn, account_id)
    retired = repo.supersede_codes(conn, account_id, now)
    audit(
        conn,
        actor,
        "subject_account_disable",
        f"subject_account:{account['uscc']}",
        now,
        detail={"sessions_ended": ended, "codes_retired": retired},
    )


def enable(conn: Connection, uscc: str, *, now: dt.datetime, actor: str) -> None:
    """Undo a disable: active again if it had a password, else pending (issue a code)."""
    account = _existing(conn, uscc)
    if account["state"] != "disabled":
        raise Conflict("not disabled", "该主体账户未停用")
    state = "active" if account["password_hash"] else "pending"
    repo.update_account(
        conn,
        int(account["id"]),
        {"state": state, "failed_count": 0, "locked_until": None, "updated_at": now},
    )
    audit(
        conn,
        actor,
        "subject_account_enable",
        f"subject_account:{account['uscc']}",
        now,
        detail={"state": state},
    )
