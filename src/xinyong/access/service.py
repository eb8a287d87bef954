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

# The roles the authorisation rules know (web/deps.py). API keys are issued for the first
# three; inspector is a person's role (检查人员, console accounts: access.accounts), mapped onto
# the same Principal so console pages reuse the rules.
ROLES = ("department", "office", "auditor", "inspector")
KEY_ROLES = ("department", "office", "auditor")
ROLE_LABELS = {
    "department": "部门业务系统",
    "office": "信用办",
    "auditor": "审计",
    "inspector": "检查人员",
}
PURPOSE_MAX_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Principal:
    """Who calls: an API client (``kind`` "client", ``client_id`` its id) or a console user
    (``kind`` "user", ``client_id`` the user's id), with the role the rules check."""

    client_id: int
    name: str
    role: str
    department_code: str | None
    kind: str = "client"

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.client_id}:{self.name}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def add_department(
    conn: Connection,
    code: str,
    name: str,
    sector: str,
    uscc: str | None,
    now: dt.datetime,
    *,
    actor: str = "system",
) -> None:
    if repo.get_department(conn, code) is not None:
        raise InputError(f"department {code} exists", f"部门代码“{code}”已存在")
    repo.insert_department(
        conn, {"code": code, "name": name, "sector": sector, "uscc": uscc, "created_at": now}
    )
    audit(
        conn,
        actor,
        "department_add",
        f"department:{code}",
        now,
        detail={"name": name, "sector": sector, "uscc": uscc},
    )


def departments(conn: Connection) -> list[dict[str, Any]]:
    """Every department with its number of active and revoked keys."""
    return repo.departments_with_key_counts(conn)


def require_department(conn: Connection, code: str) -> dict[str, Any]:
    dept = repo.get_department(conn, code)
    if dept is None:
        raise NotFound(
            f"unknown department {code}",
            f"未登记的报送部门：“{code}”，请先用 xinyong department add 登记",
        )
    return dept


def issue_key(
    conn: Connection,
    name: str,
    role: str,
    department_code: str | None,
    now: dt.datetime,
    *,
    actor: str = "system",
) -> str:
    """Create an API client and return its key (shown once; only its hash is stored)."""
    if role not in KEY_ROLES:
        raise InputError(f"unknown role {role}", f"未知角色“{role}”，可选：{'、'.join(KEY_ROLES)}")
    if role == "department":
        if department_code is None:
            raise InputError("department clients need a department", "部门客户端须指定所属部门")
        require_department(conn, department_code)
    key = "xy_" + secrets.token_urlsafe(32)
    client_id = repo.insert_client(
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
    audit(
        conn,
        actor,
        "key_issue",
        f"api_client:{client_id}",
        now,
        detail={"name": name, "role": role, "department": department_code, "prefix": key[:10]},
    )
    return key


def keys(conn: Connection, department_code: str | None = None) -> list[dict[str, Any]]:
    """Every API client (never its key: the prefix only), oldest first."""
    return [
        {**c, "role_label": ROLE_LABELS.get(c["role"], c["role"])}
        for c in repo.list_clients(conn, department_code)
    ]


def revoke_key(conn: Connection, client_id: int, *, actor: str, now: dt.datetime) -> dict[str, Any]:
    """Stop a key. Server processes that remember it refuse it within the key cache's delay
    (``XINYONG_API_KEY_CACHE_SECONDS``, see ``access.cache``)."""
    client = repo.get_client(conn, client_id)
    if client is None:
        raise NotFound(f"no API client {client_id}", f"没有编号为 {client_id} 的 API 密钥")
    if client["revoked"] or not repo.revoke_client(conn, client_id, now):
        raise InputError(
            f"API client {client_id} is already revoked",
            f"API 密钥 {client_id}（{client['name']}）已停用",
        )
    audit(
        conn,
        actor,
        "key_revoke",
        f"api_client:{client_id}",
        now,
        detail={
            "name": client["name"],
            "role": client["role"],
            "department": client["department_code"],
            "prefix": client["key_prefix"],
        },
    )
    return {**client, "revoked": True, "revoked_at": now}


def require_purpose(purpose: str | None) -> str:
    """The stated purpose of an internal read, which the audit record keeps; refused when
    missing (every non-public read records why it was made)."""
    text = (purpose or "").strip()
    if not text:
        raise InputError(
            "an internal read needs a stated purpose",
            "内部查询须说明查询用途（purpose），如“行政许可审查”，该用途记入审计日志",
        )
    if len(text) > PURPOSE_MAX_LENGTH:
        raise InputError(
            f"purpose longer than {PURPOSE_MAX_LENGTH} characters",
            f"查询用途不得超过{PURPOSE_MAX_LENGTH}个字符",
        )
    return text


def authenticate(conn: Connection, key: str | None) -> Principal:
    if not key:
        raise Unauthenticated("missing API key", "缺少 API 密钥（请求头 X-API-Key）")
    client = repo.client_by_hash(conn, hash_key(key))
    if client is None:
        raise Unauthenticated("invalid API key", "API 密钥无效或已停用")
    return Principal(int(client["id"]), client["name"], client["role"], client["department_code"])


AUDIT_GENESIS = "0" * 64


def _audit_hash(
    prev: str, at: dt.datetime, actor: str, action: str, target: str, purpose: str, body: str
) -> str:
    stamp = at.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    return hashlib.sha256(
        "\x1f".join([prev, stamp, actor, action, target, purpose, body]).encode()
    ).hexdigest()


@dataclass(frozen=True)
class AuditBreak:
    """The first broken link of the audit log."""

    row_id: int
    message_zh: str
    message_en: str


def _walk_audit(
    conn: Connection, after: int, prev: str, *, limit: int | None = None
) -> tuple[int, int, str, AuditBreak | None]:
    """Recompute the chain over the rows after ``after`` (whose hash is ``prev``), at most
    ``limit``: (rows checked, last good row id, its hash, the first broken link or None)."""
    n, last = 0, after
    for row in repo.iter_audit_rows(conn, after=after, limit=limit):
        n += 1
        rid = int(row["id"])
        if row["prev_hash"] != prev:
            return (
                n,
                last,
                prev,
                AuditBreak(
                    rid,
                    f"审计记录 {rid} 与前一条记录链接不上（前一条被删除、插入或调换了次序）",
                    f"audit row {rid} does not link to the previous row (removed, inserted or reordered)",
                ),
            )
        recomputed = _audit_hash(
            prev,
            row["at"],
            row["actor"],
            row["action"],
            row["target"],
            row["purpose"],
            row["detail"],
        )
        if recomputed != row["hash"]:
            return (
                n,
                last,
                prev,
                AuditBreak(rid, f"审计记录 {rid} 的内容被改动", f"audit row {rid} was altered"),
            )
        prev, last = row["hash"], rid
    return n, last, prev, None


def verify_audit(conn: Connection) -> tuple[int, AuditBreak | None]:
    """Recompute the whole audit log's chain: (rows checked, the first broken link or None).
    An edited row fails its own hash; a removed or reordered one breaks the next row's link."""
    n, _, _, broken = _walk_audit(conn, 0, AUDIT_GENESIS)
    return n, broken


# The console's audit page recomputes at most this many rows per view, from the last
# checkpoint (a view after a long pause continues where the previous one stopped).
AUDIT_VERIFY_MAX_ROWS = 20_000


@dataclass(frozen=True)
class AuditVerification:
    """One verification pass of the audit chain."""

    checked: int  # rows recomputed by this pass
    started_after: int  # the checkpoint's row the pass started after (0: the first row)
    verified_to: int  # the last row the chain is known to recompute to
    remaining: int  # rows after ``verified_to`` this pass did not reach (bounded)
    full: bool  # recomputed from the first row
    broken: AuditBreak | None
    checkpoint_id: int | None  # the checkpoint this pass recorded (none when broken or idle)
    last_full: dict[str, Any] | None  # the latest full pass's checkpoint row


def verify_audit_since_checkpoint(
    conn: Connection, actor: str, now: dt.datetime, *, max_rows: int = AUDIT_VERIFY_MAX_ROWS
) -> AuditVerification:
    """Recompute the chain from the last checkpoint (its row must still hold the hash it had
    then), at most ``max_rows`` rows, and record where it ended as a new checkpoint.

    Bounded by design: rows before the checkpoint are not recomputed again. An edit to them
    that leaves every later hash alone is caught by the full pass
    (:func:`verify_audit_full`, ``xinyong audit verify``, the page's button); a consistent
    rewrite of hashes is caught by the checkpoint's row or by a kept anchor."""
    cp = repo.last_checkpoint(conn)
    after, prev = 0, AUDIT_GENESIS
    if cp is not None:
        after, prev = int(cp["row_id"]), str(cp["row_hash"])
        now_hash = repo.audit_hash_of(conn, after)
        if now_hash != prev:
            broken = AuditBreak(
                after,
                f"审计记录 {after} 与上次校验时（检查点 #{cp['id']}）不同：被删除或改写",
                f"audit row {after} differs from checkpoint #{cp['id']}: removed or rewritten",
            )
            return AuditVerification(
                0,
                after,
                after,
                repo.count_audit_after(conn, after),
                False,
                broken,
                None,
                repo.last_checkpoint(conn, full_only=True),
            )
    return _pass(conn, actor, now, after, prev, limit=max_rows)


def verify_audit_full(conn: Connection, actor: str, now: dt.datetime) -> AuditVerification:
    """Recompute the whole chain from the first row and record it as a full checkpoint."""
    return _pass(conn, actor, now, 0, AUDIT_GENESIS, limit=None)


def _pass(
    conn: Connection, actor: str, now: dt.datetime, after: int, prev: str, *, limit: int | None
) -> AuditVerification:
    n, last, last_hash, broken = _walk_audit(conn, after, prev, limit=limit)
    remaining = max(repo.count_audit_after(conn, last) - (1 if broken else 0), 0)
    # From the first row to the last without a break: a full pass, bounded or not.
    full = after == 0 and broken is None and remaining == 0
    checkpoint_id = None
    if broken is None and (n > 0 or full):
        checkpoint_id = repo.insert_checkpoint(
            conn,
            {
                "verified_at": now.astimezone(dt.UTC),
                "row_id": last,
                "row_hash": last_hash,
                "rows_checked": n,
                "full_pass": full,
                "actor": actor,
            },
        )
    return AuditVerification(
        n,
        after,
        last,
        remaining,
        full,
        broken,
        checkpoint_id,
        repo.last_checkpoint(conn, full_only=True),
    )


def audit_head(conn: Connection) -> tuple[int, str]:
    """The audit log's head to sign with the ledger's (an anchor): (last row id, its hash),
    ``(0, AUDIT_GENESIS)`` while empty. Takes the append lock first, so no append is half
    way while it is read; call it after the ledger head's lock (the order imports take)."""
    repo.lock_audit_chain(conn)
    return repo.audit_head(conn) or (0, AUDIT_GENESIS)


def audit_chain_at(conn: Connection, signed: dict[int, str]) -> dict[int, tuple[str, str, str]]:
    """Check signed audit heads (row id -> hash, from anchors) against the log: the chain is
    recomputed from the first row to the highest one; each head whose row is gone
    (``audit_truncated``), whose chain breaks before it (``audit_chain_broken``) or whose hash
    differs although the chain recomputes (``audit_rewritten``) is returned with
    (kind, Chinese, English). Row 0 is the empty log (genesis)."""
    problems: dict[int, tuple[str, str, str]] = {}
    upto = max(signed, default=0)
    seen: dict[int, str] = {0: AUDIT_GENESIS}
    broken_at: int | None = None  # the first row that does not recompute or link
    prev, last = AUDIT_GENESIS, 0
    wanted = set(signed)
    for row in repo.iter_audit_rows(conn, upto=upto):
        rid = int(row["id"])
        body = (row["at"], row["actor"], row["action"], row["target"], row["purpose"])
        if row["prev_hash"] != prev or _audit_hash(prev, *body, row["detail"]) != row["hash"]:
            broken_at = rid
            break
        prev, last = str(row["hash"]), rid
        if rid in wanted:
            seen[rid] = prev
    for rid, expected in signed.items():
        if rid in seen:
            if seen[rid] != expected:
                problems[rid] = (
                    "audit_rewritten",
                    f"审计日志被改写：第 {rid} 条的哈希与签署时不符，而链本身可以重算",
                    f"audit log rewritten: row {rid}'s hash differs from the signed one "
                    "although the chain recomputes",
                )
        elif broken_at is not None and broken_at <= rid:
            problems[rid] = (
                "audit_chain_broken",
                f"审计日志在第 {broken_at} 条处无法重算，签署的第 {rid} 条无法确认",
                f"the audit chain does not recompute at row {broken_at}; row {rid} unconfirmed",
            )
        else:
            problems[rid] = (
                "audit_truncated",
                f"审计日志被截断：签署的第 {rid} 条已不存在（现只到第 {last} 条）",
                f"audit log truncated: the signed row {rid} is gone (the log ends at {last})",
            )
    return problems


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
    repo.lock_audit_chain(conn)
    prev = repo.last_audit_hash(conn) or AUDIT_GENESIS
    body = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
    stamp = now.astimezone(dt.UTC)
    digest = _audit_hash(prev, stamp, actor, action, target, purpose, body)
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


# The audit trail as the console reads it: filtered, newest first, and the reading audited.

# What a record's audit trail can be asked for: the prefix of its audit targets.
RECORD_KINDS = {
    "subject": "主体（统一社会信用代码）",
    "batch": "报送批次",
    "entry": "信用记录（账本条目）",
    "case": "名单认定办件",
    "alert": "预警",
    "notice": "告知书",
    "typical_case": "典型案例",
    "import_job": "导入任务",
    "department": "部门",
    "api_client": "API 密钥",
    "user": "控制台用户",
}
AUDIT_FILTER_MAX_LENGTH = 200


@dataclass(frozen=True)
class AuditPage:
    rows: list[dict[str, Any]]
    total: int
    # The id to pass as ``before`` for the next (older) page; None on the last page.
    next_before: int | None


def record_target(kind: str, code: str) -> str:
    """The audit target of one record, e.g. ``subject:9161…``; refused for an unknown kind."""
    if kind not in RECORD_KINDS:
        raise InputError(
            f"unknown record kind {kind}",
            f"记录类型（kind）须为：{'、'.join(RECORD_KINDS)}",
        )
    value = code.strip()
    if not value or "*" in value:
        raise InputError("record code missing", "请填写记录编号或代码（code），不含“*”")
    return f"{kind}:{value}"


def read_audit_trail(
    conn: Connection,
    reader: str,
    now: dt.datetime,
    *,
    purpose: str,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    before: int | None = None,
    limit: int = 50,
) -> AuditPage:
    """One page of the audit log matching the filters (``*`` at the end of ``actor`` or
    ``target`` matches by prefix). Reading the log is itself audited, first, so the page
    shows its own read."""
    for field, label, value in (("actor", "操作者", actor), ("target", "对象", target)):
        if value is not None and "*" in value[:-1]:
            raise InputError(
                f"{field}: '*' only at the end",
                f"{label}（{field}）中的“*”只能放在末尾，表示按前缀匹配",
            )
    if since is not None and until is not None and since >= until:
        raise InputError("since must be before until", "起始日期须早于截止日期")
    filters = {"actor": actor, "action": action, "target": target}
    audit(
        conn,
        reader,
        "read_audit",
        # Not the filter: a read of a record's trail would otherwise join that trail.
        "audit_log",
        now,
        purpose,
        detail={
            **{k: v for k, v in filters.items() if v},
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "before": before,
        },
    )
    rows, total = repo.audit_filtered(
        conn,
        actor=actor,
        action=action,
        target=target,
        since=since,
        until=until,
        before=before,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(rows, total, int(rows[-1]["id"]) if more and rows else None)


def audit_actions(conn: Connection) -> list[str]:
    return repo.audit_actions(conn)


DEPARTMENT_CODE_MAX = 32
DEPARTMENT_NAME_MAX = 100


def check_department_fields(code: str, name: str) -> tuple[str, str]:
    """A new department's code (lower-case letters, digits, ``_`` or ``-``, starting with a
    letter) and name (not blank), trimmed; refused with the field named."""
    code, name = code.strip(), name.strip()
    if not (
        0 < len(code) <= DEPARTMENT_CODE_MAX
        and code[0].isascii()
        and code[0].islower()
        and all(c.isascii() and (c.islower() or c.isdigit() or c in "_-") for c in code)
    ):
        raise InputError(
            "bad department code",
            f"部门代码（code）须以小写字母开头，由小写字母、数字、“_”或“-”组成，"
            f"不超过{DEPARTMENT_CODE_MAX}个字符",
        )
    if not name or len(name) > DEPARTMENT_NAME_MAX:
        raise InputError(
            "bad department name", f"部门名称（name）不能为空，不超过{DEPARTMENT_NAME_MAX}个字符"
        )
    return code, name
