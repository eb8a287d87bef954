"""Departments, API keys and the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from xinyong.access import repository as repo
from xinyong.kernel.errors import InputError, NotFound, Unauthenticated

ROLES = ("department", "office", "auditor")


@dataclass(frozen=True, slots=True)
class Principal:
    client_id: int
    name: str
    role: str
    department_code: str | None

    @property
    def actor(self) -> str:
        return f"client:{self.client_id}:{self.name}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def add_department(
    conn: Connection, code: str, name: str, sector: str, uscc: str | None, now: dt.datetime
) -> None:
    if repo.get_department(conn, code) is not None:
        raise InputError(f"department {code} exists", f"部门代码“{code}”已存在")
    repo.insert_department(
        conn, {"code": code, "name": name, "sector": sector, "uscc": uscc, "created_at": now}
    )


def require_department(conn: Connection, code: str) -> dict[str, Any]:
    dept = repo.get_department(conn, code)
    if dept is None:
        raise NotFound(
            f"unknown department {code}",
            f"未登记的报送部门：“{code}”，请先用 xinyong department add 登记",
        )
    return dept


def issue_key(
    conn: Connection, name: str, role: str, department_code: str | None, now: dt.datetime
) -> str:
    """Create an API client and return its key (shown once; only its hash is stored)."""
    if role not in ROLES:
        raise InputError(f"unknown role {role}", f"未知角色“{role}”，可选：{'、'.join(ROLES)}")
    if role == "department":
        if department_code is None:
            raise InputError("department clients need a department", "部门客户端须指定所属部门")
        require_department(conn, department_code)
    key = "xy_" + secrets.token_urlsafe(32)
    repo.insert_client(
        conn,
        {
            "name": name,
            "department_code": department_code,
            "role": role,
            "key_prefix": key[:10],
            "key_hash": hash_key(key),
            "created_at": now,
            "revoked": False,
        },
    )
    return key


def authenticate(conn: Connection, key: str | None) -> Principal:
    if not key:
        raise Unauthenticated("missing API key", "缺少 API 密钥（请求头 X-API-Key）")
    client = repo.client_by_hash(conn, hash_key(key))
    if client is None:
        raise Unauthenticated("invalid API key", "API 密钥无效或已停用")
    return Principal(int(client["id"]), client["name"], client["role"], client["department_code"])


def audit(
    conn: Connection,
    actor: str,
    action: str,
    target: str,
    now: dt.datetime,
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Append a hash-chained audit record (writes and every non-public read)."""
    prev = repo.last_audit_hash(conn) or "0" * 64
    body = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
    stamp = now.astimezone(dt.UTC)
    digest = hashlib.sha256(
        "\x1f".join(
            [prev, stamp.replace(tzinfo=None).isoformat(), actor, action, target, purpose, body]
        ).encode()
    ).hexdigest()
    repo.insert_audit(
        conn,
        {
            "at": stamp,
            "actor": actor,
            "action": action,
            "target": target,
            "purpose": purpose,
            "detail": body,
            "prev_hash": prev,
            "hash": digest,
        },
    )
