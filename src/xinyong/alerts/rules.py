"""Pure rules of the early warnings: what a re-establishment alert says, and its life cycle.

No I/O here: the repository finds the candidate links in SQL, these functions turn them into
alerts (one per situation, with its de-duplication key) and decide status changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from xinyong.identity.model import ROLE_LABELS
from xinyong.identity.ric import mask_person_name, mask_resident_id
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import Conflict, InputError

RE_ESTABLISHMENT = "re_establishment"
KINDS = {RE_ESTABLISHMENT: "易地开张"}

OPEN, ACKNOWLEDGED, DISMISSED = "open", "acknowledged", "dismissed"
STATUSES = {OPEN: "待处理", ACKNOWLEDGED: "已确认", DISMISSED: "已排除"}
# action -> (statuses it may start from, resulting status)
ACTIONS = {
    "acknowledge": ((OPEN,), ACKNOWLEDGED),
    "dismiss": ((OPEN, ACKNOWLEDGED), DISMISSED),
}

LEGAL_REP = "legal_representative"
PERSON_PREFIX = "P"  # persons are keyed "P" + keyed hash; organisations by their USCC
# A person on one of these is barred personally; an organisation on one of these taints its
# legal representatives (易地开张 is about those who escape a sanction by a new entity).
PERSON_LIST_KINDS = ("ban",)
ORGANISATION_LIST_KINDS = ("black", "ban")

VIA_PERSON_BAN = "person_ban"
VIA_LEGAL_REP = "legal_representative"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One (list entry, person, other subject) link found by the repository."""

    via: str  # person_ban | legal_representative
    entry_id: int  # the list entry (= list_memberships.id)
    list_type: str
    list_name: str | None
    list_kind: str
    listed_on: dt.date
    listing_recorded_at: dt.datetime | None  # when the platform learnt of the listing
    until: dt.date | None
    listing_department: str
    listed_key: str  # the listed subject: the organisation, or the banned person
    listed_name: str | None
    person_key: str
    person_name: str | None  # masked on the subject row; a relation's clear name otherwise
    person_id_masked: str | None
    subject_key: str  # the subject the person (newly) represents
    subject_name: str | None
    relation_recorded_at: dt.datetime
    relation_valid_from: dt.date | None
    source_entry_id: int | None
    batch_id: int | None
    department_code: str | None
    item_code: str | None
    source_name: str | None
    source_row: int | None


@dataclass(slots=True)
class AlertDraft:
    kind: str
    dedupe_key: str
    subject_key: str
    related_key: str
    person_key: str
    department_code: str | None
    batch_id: int | None
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)


def dedupe_key(kind: str, subject_key: str, person_key: str, related_key: str) -> str:
    """The situation, not the run: the same person linking the same two subjects is one alert,
    however many list entries, batches or scans show it again."""
    return f"{kind}|{subject_key}|{person_key}|{related_key}"


def _person_label(c: Candidate) -> tuple[str, str | None]:
    # Masking again is idempotent and keeps a clear name out even if a row came from elsewhere.
    name = mask_person_name(c.person_name) if c.person_name else "（姓名未知）"
    ident = mask_resident_id(c.person_id_masked) if c.person_id_masked else None
    return name, ident


def _subject_label(name: str | None, code: str) -> str:
    return f"{name}（{code}）" if name else code


def _after_listing(c: Candidate, listings: Iterable[Candidate]) -> bool:
    """Was the link to the other subject recorded once the platform knew of the listing?"""
    known = [x.listing_recorded_at for x in listings if x.listing_recorded_at]
    if known:
        return c.relation_recorded_at >= min(known)
    earliest = min(x.listed_on for x in listings)
    return c.relation_recorded_at.astimezone(CHINA_TZ).date() >= earliest


def re_establishment_alerts(
    candidates: Iterable[Candidate], list_names: Mapping[str, str] | None = None
) -> list[AlertDraft]:
    """Group the links into one alert per (subject, person, listed subject).

    ``list_names`` (list type code -> name) names entries whose ledger payload does not
    (lists fed by department records); the code is shown otherwise."""
    names = list_names or {}
    groups: dict[str, list[Candidate]] = {}
    for c in candidates:
        if c.subject_key == c.listed_key:
            continue  # the listed organisation itself is not a re-establishment
        key = dedupe_key(RE_ESTABLISHMENT, c.subject_key, c.person_key, c.listed_key)
        groups.setdefault(key, []).append(c)
    return [_draft(key, group, names) for key, group in groups.items()]


def _draft(key: str, group: list[Candidate], names: Mapping[str, str]) -> AlertDraft:
    first = min(group, key=lambda c: (c.source_entry_id or 0, c.entry_id))
    entries: dict[int, Candidate] = {}
    for c in sorted(group, key=lambda c: c.entry_id):
        entries.setdefault(c.entry_id, c)
    name, ident = _person_label(first)
    person = f"{name}（身份证号 {ident}）" if ident else name
    new = _subject_label(first.subject_name, first.subject_key)
    after_listing = _after_listing(first, entries.values())

    def list_name(c: Candidate) -> str:
        return c.list_name or names.get(c.list_type) or c.list_type

    lists = "、".join(f"“{list_name(c)}”" for c in entries.values())
    if first.via == VIA_PERSON_BAN:
        terms = "、".join(
            f"至 {c.until.isoformat()}" if c.until else "无固定期限" for c in entries.values()
        )
        cause = f"{person}处于{lists}期内（{terms}）"
    else:
        listed = _subject_label(first.listed_name, first.listed_key)
        cause = f"{person}是列入{lists}的{listed}的法定代表人"
    link = "，又成为" if after_listing else "，同时是"
    notes = [] if after_listing else ["该任职在列入前已记录"]
    if first.batch_id is not None:
        notes.append(f"{first.department_code} 报送，批次 {first.batch_id}")
    source = f"（{'；'.join(notes)}）" if notes else ""
    summary = f"{cause}{link}{new}的法定代表人{source}，疑似易地开张，请核查。"
    detail: dict[str, Any] = {
        "via": first.via,
        "subject": {"code": first.subject_key, "name": first.subject_name},
        "listed_subject": (
            None
            if first.via == VIA_PERSON_BAN
            else {"code": first.listed_key, "name": first.listed_name}
        ),
        "person": {
            "key": first.person_key,
            "name": name,
            "id": ident,
            "role": LEGAL_REP,
            "role_label": ROLE_LABELS[LEGAL_REP],
        },
        "entries": [
            {
                "entry": c.entry_id,
                "list_type": c.list_type,
                "list_name": list_name(c),
                "kind": c.list_kind,
                "listed_on": c.listed_on.isoformat(),
                "until": c.until.isoformat() if c.until else None,
                "department": c.listing_department,
            }
            for c in entries.values()
        ],
        "relation": {
            "recorded_at": first.relation_recorded_at.isoformat(),
            "valid_from": (
                first.relation_valid_from.isoformat() if first.relation_valid_from else None
            ),
            "after_listing": after_listing,
        },
        "source": (
            None
            if first.batch_id is None
            else {
                "batch": first.batch_id,
                "department": first.department_code,
                "item": first.item_code,
                "file": first.source_name,
                "row": first.source_row,
                "entry": first.source_entry_id,
            }
        ),
    }
    return AlertDraft(
        kind=RE_ESTABLISHMENT,
        dedupe_key=key,
        subject_key=first.subject_key,
        related_key=first.listed_key,
        person_key=first.person_key,
        department_code=first.department_code,
        batch_id=first.batch_id,
        summary=summary,
        detail=detail,
    )


def next_status(current: str, action: str, note: str) -> str:
    """The status after the office's ``action``; a dismissal must say why."""
    if action not in ACTIONS:
        raise InputError(f"unknown action {action}", f"未知操作“{action}”")
    allowed, target = ACTIONS[action]
    if current not in allowed:
        raise Conflict(
            f"cannot {action} an alert that is {current}",
            f"该预警当前为“{STATUSES.get(current, current)}”，不能再{'确认' if action == 'acknowledge' else '排除'}",
        )
    if action == "dismiss" and not note.strip():
        raise InputError("a dismissal needs a note", "排除预警须说明理由")
    return target


def check_filters(status: str | None, kind: str | None) -> None:
    """Refuse unknown filter values instead of answering an empty list."""
    if status is not None and status not in STATUSES:
        raise InputError(
            f"unknown status {status}", f"未知状态“{status}”，可选：{'、'.join(STATUSES)}"
        )
    if kind is not None and kind not in KINDS:
        raise InputError(f"unknown kind {kind}", f"未知预警类型“{kind}”，可选：{'、'.join(KINDS)}")
