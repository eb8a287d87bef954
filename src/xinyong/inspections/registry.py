"""The inspector registry and the recusal registry (declared relationships, a subject's
recusal request with its reason). The caller owns the transaction."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from xinyong.access import accounts
from xinyong.access import service as access
from xinyong.identity import repository as identity_repo
from xinyong.identity.redact import redact_identifiers
from xinyong.identity.ric import resident_ids_in
from xinyong.inspections import repository as repo
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import Conflict, InputError, NotFound, PermissionDenied, XinyongError

_ID = re.compile(r"^[0-9A-Za-z_.:\-]{1,64}$")
KINDS = {"relationship": "检查人员申报的利害关系", "request": "检查对象提出的回避申请"}


def _text(name: str, label: str, value: str, limit: int, today: dt.date) -> str:
    v = (value or "").strip()
    if not v:
        raise InputError(f"{name} is required", f"{label}（{name}）不能为空")
    if len(v) > limit:
        raise InputError(f"{name} is too long", f"{label}（{name}）不能超过{limit}个字")
    if resident_ids_in(v, today):
        raise InputError(
            f"{name} holds an ID number", f"{label}（{name}）中不得填写身份证号码（会被公开或共享）"
        )
    return v


def mask_certificate(number: str) -> str:
    """执法证 number kept only masked: the first two and the last four characters."""
    n = number.strip()
    if len(n) <= 6:
        return "*" * len(n)
    return n[:2] + "*" * (len(n) - 6) + n[-4:]


def inspector_view(row: dict[str, Any], departments: dict[str, str]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "department": row["department_code"],
        "department_label": departments.get(row["department_code"], row["department_code"]),
        "region": row["region"],
        "qualifications": json.loads(row["qualifications"]),
        "certificate": row["certificate_masked"],
        "active": bool(row["active"]),
        "active_label": "在岗" if row["active"] else "停用",
        "account": row.get("account"),  # the linked console account's name, when read with it
    }


def department_names(conn: Connection) -> dict[str, str]:
    return {str(d["code"]): str(d["name"]) for d in access.departments(conn)}


def register_inspector(
    conn: Connection,
    *,
    ident: str,
    name: str,
    department_code: str,
    region: str,
    qualifications: Sequence[str],
    certificate: str,
    now: dt.datetime,
) -> dict[str, Any]:
    today = now.astimezone(CHINA_TZ).date()
    ident = ident.strip()
    if not _ID.match(ident):
        raise InputError(
            "inspector id must be 1-64 letters/digits",
            f"检查人员编号（id）“{redact_identifiers(ident)[:40]}”有误：只能是1至64位字母、数字或 _ . : -",
        )
    if resident_ids_in(ident, today):
        raise InputError(
            "inspector id looks like an ID number",
            "检查人员编号（id）不得使用身份证号码：编号随抽取记录公开，请使用工号或执法证号",
        )
    if not _ID.match(region.strip() or "-"):
        raise InputError("bad region", f"检查人员所在地区（region）“{region[:20]}”应为区划代码")
    quals = sorted({q.strip() for q in qualifications if q.strip()})
    if not quals:
        raise InputError(
            "qualifications are required", "检查人员资格（qualifications）至少一项，如 执法证件"
        )
    cert = certificate.strip()
    if len(cert) < 6:
        raise InputError(
            "certificate number too short", "执法证号（certificate）应至少6位（只保存脱敏形式）"
        )
    access.require_department(conn, department_code)
    if repo.inspector(conn, ident) is not None:
        raise Conflict(f"inspector {ident} exists", f"检查人员编号“{ident}”已登记")
    row = {
        "id": ident,
        "name": _text("name", "检查人员姓名", name, 50, today),
        "department_code": department_code,
        "region": region.strip(),
        "qualifications": json.dumps(quals, ensure_ascii=False),
        "certificate_masked": mask_certificate(cert),
        "active": True,
        "created_at": now,
        "updated_at": now,
    }
    repo.insert_inspector(conn, row)
    return inspector_view(row, department_names(conn))


def require_inspector(conn: Connection, ident: str) -> dict[str, Any]:
    row = repo.inspector(conn, ident)
    if row is None:
        raise NotFound(f"no inspector {ident}", f"没有检查人员“{redact_identifiers(ident)[:40]}”")
    return row


def set_active(conn: Connection, ident: str, active: bool, now: dt.datetime) -> dict[str, Any]:
    require_inspector(conn, ident)
    repo.update_inspector(conn, ident, {"active": active, "updated_at": now})
    return inspector_view(require_inspector(conn, ident), department_names(conn))


def list_inspectors(conn: Connection, department_code: str | None) -> list[dict[str, Any]]:
    names = department_names(conn)
    accounts_by_id = {int(u["id"]): str(u["name"]) for u in accounts.users(conn)}
    return [
        inspector_view(
            {**r, "account": accounts_by_id.get(r["user_id"]) if r["user_id"] else None}, names
        )
        for r in repo.inspectors(conn, department_code)
    ]


def link_account(
    conn: Connection,
    ident: str,
    account: str | None,
    *,
    department_code: str | None,
    actor: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """Link a console account of role 检查人员 to the registered inspector (``account`` None:
    unlink). Only the inspector's department (its officer; ``department_code``) or the office
    (None) links; an account signs in as one inspector at most."""
    row = require_inspector(conn, ident)
    if department_code is not None and department_code != row["department_code"]:
        raise PermissionDenied(
            f"inspector {ident} belongs to department {row['department_code']}",
            f"检查人员“{ident}”属于部门 {row['department_code']}，只能由该部门或信用办关联账号",
        )
    user_id: int | None = None
    if account is not None:
        user = accounts.find_user(conn, account)  # "没有该用户名的用户"
        if user["role"] != "inspector":
            raise InputError(
                f"account {user['name']} is not of role inspector",
                f"账号“{user['name']}”的角色是“{accounts.USER_ROLE_LABELS.get(user['role'], user['role'])}”，"
                "只有角色为“检查人员”的账号可以关联检查人员",
            )
        other = repo.inspector_of_user(conn, int(user["id"]))
        if other is not None and other["id"] != ident:
            raise Conflict(
                f"account {user['name']} is linked to inspector {other['id']}",
                f"账号“{user['name']}”已关联检查人员“{other['id']}”，须先解除该关联",
            )
        user_id = int(user["id"])
    repo.update_inspector(conn, ident, {"user_id": user_id, "updated_at": now})
    access.audit(
        conn, actor, "inspector_account", f"inspector:{ident}", now,
        detail={"account": account, "user": user_id},
    )  # fmt: skip
    names = department_names(conn)
    return inspector_view({**require_inspector(conn, ident), "account": account}, names)


def link_new_account(
    conn: Connection,
    ident: str,
    *,
    account: str,
    role: str,
    actor: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """At account creation (console users page, ``xinyong user add``): the new account of role
    检查人员 linked to a registered inspector in the caller's transaction, through
    ``link_account`` (its checks, its audit) by the office. Any refusal names the field and the
    value, so the caller's rollback leaves neither the account nor the link."""
    ident = ident.strip()
    shown = redact_identifiers(ident)[:40]
    if role != "inspector":
        raise InputError(
            f"only an account of role inspector is linked to an inspector (role {role})",
            f"检查人员编号（inspector）“{shown}”：只有角色为“检查人员”的账号可以关联检查人员，"
            f"所选角色是“{accounts.USER_ROLE_LABELS.get(role, role)}”",
        )
    try:
        row = require_inspector(conn, ident)
        if row["user_id"] is not None:
            # A new account does not silently take over another account's inspector: moving
            # a link is the registry page's deliberate act.
            held = {int(u["id"]): str(u["name"]) for u in accounts.users(conn)}
            raise Conflict(
                f"inspector {ident} is linked to account {row['user_id']}",
                f"检查人员“{shown}”已关联账号“{held.get(int(row['user_id']), row['user_id'])}”，"
                "须先在检查人员登记页面解除该关联",
            )
        return link_account(conn, ident, account, department_code=None, actor=actor, now=now)
    except XinyongError as exc:
        raise type(exc)(
            f"inspector link refused: {exc.message_en}",
            f"检查人员编号（inspector）“{shown}”不能关联，账号未创建：{exc.message_zh}",
        ) from exc


def inspector_of_account(conn: Connection, user_id: int) -> dict[str, Any] | None:
    """The registered inspector a console account signs in as (None: not linked)."""
    row = repo.inspector_of_user(conn, user_id)
    if row is None:
        return None
    return inspector_view(row, department_names(conn))


def inspector_for_account_name(conn: Connection, name: str) -> dict[str, Any]:
    """The inspector an account (by its user name) is linked to; refused in Chinese when the
    account is unknown or not linked."""
    user = accounts.find_user(conn, name)
    found = inspector_of_account(conn, int(user["id"]))
    if found is None:
        raise NotFound(
            f"account {user['name']} is not linked to an inspector",
            f"账号“{user['name']}”尚未关联检查人员登记，没有可显示的检查任务",
        )
    return found


NOT_LINKED_ZH = (
    "您的账号尚未关联检查人员登记：请本部门经办人员或信用办管理员在“检查人员与回避登记”页面"
    "将账号关联到您的检查人员编号，关联后这里只显示抽中您的检查任务"
)


def record_recusal(
    conn: Connection,
    *,
    kind: str,
    inspector_id: str,
    subject_key: str,
    reason: str,
    actor: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """A declared relationship (the inspector's) or a recusal request (the subject's, with its
    reason): either keeps the inspector from being drawn for the subject."""
    if kind not in KINDS:
        raise InputError(
            f"unknown recusal kind {kind!r}",
            f"回避类型（kind）“{kind[:20]}”有误：应为 relationship（利害关系申报）或 request（回避申请）",
        )
    today = now.astimezone(CHINA_TZ).date()
    require_inspector(conn, inspector_id)
    subject = identity_repo.get_subject(conn, subject_key)
    if subject is None or subject["kind"] != "organisation":
        raise NotFound(
            f"no organisation {subject_key}",
            f"平台没有统一社会信用代码为“{redact_identifiers(subject_key)[:20]}”的市场主体",
        )
    row = {
        "kind": kind,
        "inspector_id": inspector_id,
        "subject_key": subject_key,
        "reason": _text("reason", "回避理由", reason, 500, today),
        "active": True,
        "recorded_by": actor,
        "recorded_at": now,
    }
    rid = repo.insert_recusal(conn, row)
    return recusal_view({**row, "id": rid})


def recusal_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": int(row["id"]),
        "kind": row["kind"],
        "kind_label": KINDS.get(str(row["kind"]), str(row["kind"])),
        "inspector": row["inspector_id"],
        "subject": row["subject_key"],
        "reason": row["reason"],
        "active": bool(row["active"]),
        "recorded_at": row["recorded_at"].astimezone(CHINA_TZ).isoformat(timespec="minutes"),
    }


def withdraw_recusal(conn: Connection, recusal_id: int) -> dict[str, Any]:
    """A recusal no longer applies (the relationship ended, the request withdrawn): kept, not
    deleted, and no longer read by the pool."""
    row = require_recusal(conn, recusal_id)
    repo.set_recusal_active(conn, recusal_id, False)
    return recusal_view({**row, "active": False})


def require_recusal(conn: Connection, recusal_id: int) -> dict[str, Any]:
    row = repo.recusal(conn, recusal_id)
    if row is None:
        raise NotFound(f"no recusal {recusal_id}", f"没有回避登记 {recusal_id}")
    return row


def list_recusals(conn: Connection, subject_key: str | None = None) -> list[dict[str, Any]]:
    return [recusal_view(r) for r in repo.recusals(conn, subject_key=subject_key)]
