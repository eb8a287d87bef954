"""Announcements (通知公告, 政策文件, 工作动态): the credit office publishes and withdraws them,
the portal shows the published ones. The columns are the catalogue's code table
``announcement_category``; text that would disclose a natural person is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.catalog.catalogue import Catalogue
from xinyong.identity.redact import refuse_personal_text
from xinyong.kernel.clock import CHINA_TZ, beijing_time
from xinyong.kernel.errors import Conflict, InputError, NotFound
from xinyong.kernel.parse import clean_text
from xinyong.portal import repository as repo
from xinyong.portal.rules import Page

CATEGORY_TABLE = "announcement_category"
PUBLISHED, WITHDRAWN = "published", "withdrawn"
STATES = {PUBLISHED: "已发布", WITHDRAWN: "已撤回"}
TITLE_MAX = 200
BODY_MAX = 20_000
REASON_MAX = 1000


def categories(catalogue: Catalogue) -> list[dict[str, str]]:
    return [{"code": v.code, "name": v.label} for v in catalogue.code_table(CATEGORY_TABLE).values]


def _category(catalogue: Catalogue, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    found = catalogue.lookup_code(CATEGORY_TABLE, value.strip())
    if found is None:
        names = "、".join(c["name"] for c in categories(catalogue))
        raise InputError(
            f"category {value.strip()[:40]!r} is not an announcement column",
            f"公告栏目（category）无效：应为{names}之一",
        )
    return found.code


def _view(catalogue: Catalogue, row: dict[str, Any], *, internal: bool) -> dict[str, Any]:
    value = catalogue.lookup_code(CATEGORY_TABLE, row["category"])
    out: dict[str, Any] = {
        "id": int(row["id"]),
        "category": {"code": row["category"], "name": value.label if value else row["category"]},
        "title": row["title"],
        "body": row["body"],
        "published_at": row["published_at"].astimezone(CHINA_TZ).isoformat(timespec="seconds"),
        "published_on": beijing_time(row["published_at"])[:10],
    }
    if internal:
        out |= {
            "state": row["state"],
            "state_name": STATES.get(row["state"], row["state"]),
            "published_by": row["published_by"],
            "withdrawn_by": row["withdrawn_by"],
            "withdrawn_at": row["withdrawn_at"].astimezone(CHINA_TZ).isoformat(timespec="seconds")
            if row["withdrawn_at"]
            else None,
            "withdraw_reason": row["withdraw_reason"],
        }
    return out


def publish(
    conn: Connection,
    catalogue: Catalogue,
    *,
    category: str,
    title: str,
    body: str,
    actor: str,
    now: dt.datetime,
) -> dict[str, Any]:
    code = _category(catalogue, category)
    if code is None:
        raise InputError("category is required", "须选择公告栏目（category）")
    today = now.astimezone(CHINA_TZ).date()
    clean_title = clean_text("title", "标题", title, TITLE_MAX)
    clean_body = clean_text("body", "正文", body, BODY_MAX)
    for field, label, text in (("title", "标题", clean_title), ("body", "正文", clean_body)):
        refuse_personal_text(field, label, text, today, what_zh="公告", what_en="an announcement")
    values = {
        "category": code,
        "title": clean_title,
        "body": clean_body,
        "state": PUBLISHED,
        "published_by": actor,
        "published_at": now,
    }
    new_id = repo.insert_announcement(conn, values)
    access.audit(conn, actor, "announcement.publish", f"announcement:{new_id}", now)
    return _view(
        catalogue,
        {
            "id": new_id,
            "withdrawn_by": None,
            "withdrawn_at": None,
            "withdraw_reason": None,
            **values,
        },
        internal=True,
    )


def withdraw(
    conn: Connection,
    catalogue: Catalogue,
    announcement_id: int,
    *,
    reason: str,
    actor: str,
    now: dt.datetime,
) -> dict[str, Any]:
    row = repo.get_announcement(conn, announcement_id)
    if row is None:
        raise NotFound(f"no announcement {announcement_id}", f"没有编号为 {announcement_id} 的公告")
    why = clean_text("reason", "撤回理由", reason, REASON_MAX)
    values = {
        "state": WITHDRAWN,
        "withdrawn_by": actor,
        "withdrawn_at": now,
        "withdraw_reason": why,
    }
    if not repo.set_announcement_state(conn, announcement_id, PUBLISHED, values):
        raise Conflict(
            f"announcement {announcement_id} is not published",
            f"公告 {announcement_id} 当前不是“已发布”状态，不能撤回",
        )
    access.audit(conn, actor, "announcement.withdraw", f"announcement:{announcement_id}", now)
    return _view(catalogue, {**row, **values}, internal=True)


def published_page(
    conn: Connection, catalogue: Catalogue, *, category: str | None, page: int, page_size: int
) -> dict[str, Any]:
    """Published announcements, newest first (the public view)."""
    code = _category(catalogue, category)
    rows, total = repo.list_announcements(
        conn, states=(PUBLISHED,), category=code, limit=page_size, offset=(page - 1) * page_size
    )
    return {
        "category": code,
        "categories": categories(catalogue),
        **Page(page, page_size, total).as_dict(),
        "announcements": [_view(catalogue, r, internal=False) for r in rows],
    }


def all_page(
    conn: Connection, catalogue: Catalogue, *, page: int, page_size: int
) -> dict[str, Any]:
    """Every announcement with its state and who published or withdrew it (the office)."""
    rows, total = repo.list_announcements(
        conn,
        states=(PUBLISHED, WITHDRAWN),
        category=None,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    return {
        **Page(page, page_size, total).as_dict(),
        "announcements": [_view(catalogue, r, internal=True) for r in rows],
    }


def get_published(conn: Connection, catalogue: Catalogue, announcement_id: int) -> dict[str, Any]:
    row = repo.get_announcement(conn, announcement_id)
    if row is None or row["state"] != PUBLISHED:
        raise NotFound(f"no announcement {announcement_id}", f"没有编号为 {announcement_id} 的公告")
    return _view(catalogue, row, internal=False)
