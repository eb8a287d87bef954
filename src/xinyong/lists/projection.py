"""List memberships and subject status as projections of the ledger.

Two kinds of ledger entries make memberships:

* list decisions taken here, on the workflow kernel (record keys carrying ``|list:``): the
  listing entry and the exit entry that revokes it;
* records of a catalogue item that feeds a list decided elsewhere (``from_records`` list
  types: the courts' 失信被执行人 via SXBZXR, YZSX entries with their 名单类型, JYYC): each
  record is a membership, a correction replaces it, a revocation ends it.

The same pure function (:func:`apply`) folds entries into memberships for the incremental
path (a case step, an import batch, a revocation) and for :func:`rebuild`, so a rebuild from
the ledger gives the very rows the incremental path wrote.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection

from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.model import ListType
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.kernel.clock import CHINA_TZ
from xinyong.lists import repository as repo
from xinyong.lists.rules import LIST_MARK, Fact, Membership
from xinyong.publication.derived import MASK_ACTION, REPAIR_REASONS
from xinyong.publication.rules import add_months


def _date(value: object) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None  # a record that passed validation has ISO dates; anything else is no date


def record_membership(lt: ListType, fact: Fact, valid_until_field: str | None) -> Membership | None:
    """The membership a record of a ``from_records`` list type stands for (pure)."""
    listed_on = fact.decision_date
    if listed_on is None:
        return None
    valid_until = _date(fact.payload.get(valid_until_field)) if valid_until_field else None
    # The period runs from the date the list's rule names: the listing decision, or the
    # publication the record reports (令54 第十七条 自公布之日起满3年).
    start = listed_on
    if lt.period_start == "publication" and lt.record_start_field:
        start = _date(fact.payload.get(lt.record_start_field)) or listed_on
    until: dt.date | None
    if valid_until is not None:
        until = valid_until + dt.timedelta(days=1)  # 有效期至 is inclusive; until is not
    elif lt.record_period == "list_period" and lt.period_months and not lt.permanent:
        until = add_months(start, lt.period_months)
    else:
        until = None
    removed = _date(fact.payload.get(lt.record_exit_field)) if lt.record_exit_field else None
    return {
        "id": fact.id,
        "list_type": lt.code,
        "kind": lt.kind,
        "subject_key": fact.subject_key,
        "case_id": None,
        "department_code": fact.department_code,
        "listed_on": listed_on,
        "until": until,
        "exited_on": removed,
        "exit_reason": "removed" if removed else None,
        "source": "record",
        "entry_id": fact.id,
        "recorded_at": fact.received_at,
    }


def _case_membership(lt: ListType, fact: Fact) -> Membership:
    body = fact.payload
    return {
        "id": fact.id,
        "list_type": lt.code,
        "kind": lt.kind,
        "subject_key": fact.subject_key,
        "case_id": body["办件"],
        "department_code": fact.department_code,
        "listed_on": dt.date.fromisoformat(body["列入日期"]),
        "until": _date(body.get("期满日期")),
        "exited_on": None,
        "exit_reason": None,
        "source": "case",
        "entry_id": fact.id,
        "recorded_at": fact.received_at,
    }


def apply(
    state: dict[int, Membership],
    facts: Iterable[Fact],
    sanctions: SanctionsCatalogue,
    catalogue: Catalogue,
) -> None:
    """Fold ledger entries (in id order) into ``state`` (membership id -> row), in place.

    ``state`` must hold every membership the entries can supersede; a membership's id is the
    ledger entry that made it."""
    for fact in facts:
        if fact.action == "revoke":
            m = state.get(fact.supersedes_id or -1)
            if m is None or m["exited_on"] is not None:
                continue
            if LIST_MARK in fact.record_key:
                m["exited_on"] = dt.date.fromisoformat(fact.payload["移出日期"])
                m["exit_reason"] = fact.payload["移出原因"]
            else:
                m["exited_on"] = fact.received_at.astimezone(CHINA_TZ).date()
                m["exit_reason"] = "revoked"
            m["entry_id"] = fact.id
            m["recorded_at"] = fact.received_at
            continue
        if fact.action in REPAIR_REASONS:
            # Credit repair stopped the record (or masked it during a bankruptcy plan): the
            # membership it made ends that day (a voided repair or a failed plan restates the
            # record as a correction, which lists it again).
            m = state.get(fact.supersedes_id or -1)
            if m is not None and m["exited_on"] is None:
                m["exited_on"] = fact.received_at.astimezone(CHINA_TZ).date()
                m["exit_reason"] = "masked" if fact.action == MASK_ACTION else "repaired"
                m["entry_id"] = fact.id
                m["recorded_at"] = fact.received_at
            continue
        if LIST_MARK in fact.record_key:
            state[fact.id] = _case_membership(
                sanctions.list_type(str(fact.payload["名单类型"])), fact
            )
            continue
        # A correction replaces the membership its predecessor made (if it made one).
        if fact.supersedes_id is not None:
            state.pop(fact.supersedes_id, None)
        on = fact.decision_date or fact.received_at.astimezone(CHINA_TZ).date()
        lt = sanctions.list_type_of_record(fact.item_code, fact.payload, on)
        if lt is None:
            continue
        item = catalogue.item(fact.item_code, on)
        row = record_membership(lt, fact, item.valid_until_field)
        if row is not None:
            state[fact.id] = row


def status_json(rows: Sequence[Membership]) -> str:
    """What a check reads for one subject: every membership, active or not (the check
    decides on the day); a pure function of the rows, so rebuild reproduces it."""
    return json.dumps(
        [
            {
                "id": r["id"],
                "list_type": r["list_type"],
                "kind": r["kind"],
                "entry": r["id"],
                "department": r["department_code"],
                "listed_on": r["listed_on"].isoformat(),
                "until": r["until"].isoformat() if r["until"] else None,
                "exited_on": r["exited_on"].isoformat() if r["exited_on"] else None,
                "exit_reason": r["exit_reason"],
            }
            for r in sorted(rows, key=lambda r: int(r["id"]))
        ],
        ensure_ascii=False,
        sort_keys=True,
    )


def status_rows(memberships: Iterable[Membership]) -> list[dict[str, Any]]:
    by_subject: dict[str, list[Membership]] = {}
    for m in memberships:
        by_subject.setdefault(m["subject_key"], []).append(m)
    out = []
    for key in sorted(by_subject):
        rows = by_subject[key]
        newest = max(rows, key=lambda r: int(r["entry_id"]))
        out.append(
            {
                "subject_key": key,
                "memberships": status_json(rows),
                "data_version": int(newest["entry_id"]),
                "updated_at": newest["recorded_at"],
            }
        )
    return out


def refresh_statuses(conn: Connection, subject_keys: Iterable[str]) -> None:
    """Recompute the status rows of these subjects from their membership rows."""
    keys = sorted(set(subject_keys))
    if not keys:
        return
    repo.replace_statuses(conn, keys, status_rows(repo.memberships_of_subjects(conn, keys)))


def apply_facts(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    catalogue: Catalogue,
    facts: Sequence[Fact],
) -> set[str]:
    """Incremental path: fold new ledger entries into the stored memberships and refresh the
    status of every subject they touch. Returns those subjects."""
    if not facts:
        return set()
    superseded = sorted({f.supersedes_id for f in facts if f.supersedes_id is not None})
    state = repo.memberships_by_id(conn, superseded)
    before = sorted(state)
    touched = {f.subject_key for f in facts} | {m["subject_key"] for m in state.values()}
    apply(state, facts, sanctions, catalogue)
    repo.replace_memberships(conn, before, [state[i] for i in sorted(state)])
    refresh_statuses(conn, touched)
    return touched


def apply_entries(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    catalogue: Catalogue,
    entry_ids: Sequence[int],
) -> set[str]:
    """:func:`apply_facts` for ledger entries just appended in this transaction."""
    return apply_facts(conn, sanctions, catalogue, repo.facts_of(conn, entry_ids))


def rebuild(conn: Connection, sanctions: SanctionsCatalogue, catalogue: Catalogue) -> int:
    """Rebuild memberships and status rows from the ledger alone; returns subjects rebuilt."""
    repo.clear(conn)
    state: dict[int, Membership] = {}
    apply(state, repo.all_list_facts(conn, sanctions.record_fed_items()), sanctions, catalogue)
    rows = [state[i] for i in sorted(state)]
    statuses = status_rows(rows)
    repo.insert_all(conn, rows, statuses)
    return len(statuses)
