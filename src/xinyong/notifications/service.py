"""Use cases of notifications: the outbox feed, the messages consumer, reading messages.

The consumer turns the workflow kernel's case events into messages (see rules.py for who is
told what); it knows case types only through their workflow definitions, so a new case type's
steps are told without code here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from xinyong.cases.model import Workflow
from xinyong.cases.rules import WORKFLOWS
from xinyong.catalog.catalogue import Catalogue
from xinyong.events import service as events
from xinyong.events.model import CASE_OVERDUE, CASE_PREFIX, Event, is_case_step
from xinyong.identity import repository as identity_repo
from xinyong.identity.model import SUBJECT_KIND_LABELS
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.clock import CHINA_TZ, beijing_time
from xinyong.kernel.errors import NotFound, PermissionDenied
from xinyong.notifications import repository as repo
from xinyong.notifications import rules
from xinyong.notifications.rules import (
    DEPARTMENT,
    OFFICE,
    OFFICE_RECIPIENT,
    RECIPIENT_KINDS,
    SUBJECT,
    Note,
)

CONSUMER = "messages"
EVENT_TYPES = "event_type"  # the catalogue's code table of event kinds
PERSON_SHOWN = "自然人（已脱敏）"
# Payload fields the feed never passes on: a department's own record key may hold anything,
# including a person's ID number.
HIDDEN_FIELDS = frozenset({"record_key"})


# -- labels --------------------------------------------------------------------------------


def type_label(catalogue: Catalogue, kind: str) -> str:
    """The Chinese label of an event kind: from the catalogue's code table, or for a case step
    the workflow's name and the transition's label (the code table's ``case.<transition>``
    for the steps every workflow has)."""
    labels = {v.code: v.label for v in catalogue.code_table(EVENT_TYPES).values}
    if kind in labels:
        return labels[kind]
    if is_case_step(kind):
        _, workflow, transition = kind.split(".")
        wf = WORKFLOWS.get(workflow)
        return f"{wf.name if wf else workflow}·{_step_label(catalogue, wf, transition)}"
    return kind


def _step_label(catalogue: Catalogue, wf: Workflow | None, transition: str) -> str:
    if wf is not None and transition in wf.transitions:
        return wf.transitions[transition].label
    labels = {v.code: v.label for v in catalogue.code_table(EVENT_TYPES).values}
    return labels.get(CASE_PREFIX + transition, transition)


# -- the feed ------------------------------------------------------------------------------


def feed(
    conn: Connection,
    catalogue: Catalogue,
    *,
    after: int,
    limit: int,
    department: str | None,
) -> dict[str, Any]:
    """A page of the outbox after event ``after`` (keyset: pass ``next_after`` back for the
    next page), narrowed to ``department``'s events when given (rules.py)."""
    rules.feed_bounds(after, limit)
    found, more = repo.feed(conn, after=after, limit=limit, department=department)
    keys = sorted({ev.subject_key for ev in found if ev.subject_key})
    subjects = identity_repo.subject_labels(conn, keys) if keys else {}
    case_ids = [_case_id(ev) for ev in found]
    workflows = repo.case_workflows(conn, sorted({c for c in case_ids if c is not None}))
    return {
        "after": after,
        "limit": limit,
        "next_after": found[-1].id if found else after,
        "more": more,
        "events": [event_view(catalogue, ev, subjects, workflows) for ev in found],
    }


def _case_id(ev: Event) -> int | None:
    value = ev.payload.get("case")
    return value if isinstance(value, int) else None


def subject_view(key: str | None, known: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A subject as the feed shows it: an organisation by its USCC and name; a natural person
    only by kind and masked ID number (never the number, never the keyed hash)."""
    if key is None:
        return None
    known = known or {}
    kind = known.get("kind") or ("organisation" if rules.is_organisation_key(key) else "person")
    person = not rules.is_organisation_key(key)
    return {
        "key": None if person else key,
        "kind": kind,
        "kind_label": SUBJECT_KIND_LABELS.get(kind, kind),
        "code": known.get("id_masked") if person else key,
        "name": None if person else known.get("name"),
    }


def event_view(
    catalogue: Catalogue,
    ev: Event,
    subjects: Mapping[str, Mapping[str, Any]],
    workflows: Mapping[int, str],
) -> dict[str, Any]:
    case_id = _case_id(ev)
    entry = ev.payload.get("entry")
    workflow = ev.payload.get("workflow") or (workflows.get(case_id) if case_id else None)
    wf = WORKFLOWS.get(str(workflow)) if workflow else None
    return {
        "id": ev.id,
        "type": ev.kind,
        "type_label": type_label(catalogue, ev.kind),
        "at": ev.occurred_at.astimezone(CHINA_TZ).isoformat(),
        "at_beijing": beijing_time(ev.occurred_at),
        "subject": subject_view(ev.subject_key, subjects.get(ev.subject_key or "")),
        "case": (
            None
            if case_id is None
            else {
                "id": case_id,
                "workflow": workflow,
                "workflow_label": wf.name if wf else workflow,
            }
        ),
        "record": {"entry": entry} if isinstance(entry, int) else None,
        "department": ev.payload.get("department"),
        "detail": _detail(ev.payload),
    }


def _detail(payload: Mapping[str, Any]) -> dict[str, Any]:
    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return redact_identifiers(value)
        if isinstance(value, Mapping):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return {k: clean(v) for k, v in payload.items() if k not in HIDDEN_FIELDS}


# -- the consumer --------------------------------------------------------------------------


def consumer(catalogue: Catalogue) -> events.Consumer:
    """Messages from every case step (``case.`` kinds) and overdue case."""

    def handle_event(conn: Connection, event: Event) -> None:
        handle(conn, catalogue, event)

    return events.Consumer(
        name=CONSUMER,
        kinds=frozenset({CASE_OVERDUE}),
        handle=handle_event,
        prefixes=(CASE_PREFIX,),
    )


def handle(conn: Connection, catalogue: Catalogue, event: Event) -> None:
    for note in notes_for(conn, catalogue, event):
        p = event.payload
        repo.insert_message(
            conn,
            {
                "recipient_kind": note.recipient_kind,
                "recipient": note.recipient,
                "event_id": event.id,
                "kind": event.kind,
                "case_id": p.get("case"),
                "subject_key": event.subject_key,
                "body": note.body,
                "created_at": event.occurred_at,
            },
        )


def _subject_shown(conn: Connection, key: str) -> str:
    if rules.is_organisation_key(key):
        return key
    known = identity_repo.subject_labels(conn, [key]).get(key) or {}
    masked = known.get("id_masked")
    return f"自然人 {masked}" if masked else PERSON_SHOWN


def notes_for(conn: Connection, catalogue: Catalogue, event: Event) -> list[Note]:
    """The messages one case event gives (rules.py)."""
    p = event.payload
    workflow = str(p.get("workflow", ""))
    wf = WORKFLOWS.get(workflow)
    case_id = int(p["case"])
    department = str(p.get("department") or "")
    key = event.subject_key or ""
    state_code = str(p.get("to") if is_case_step(event.kind) else p.get("state"))
    state = wf.states.get(state_code) if wf else None
    facts = rules.CaseFacts(
        case_id=case_id,
        workflow_name=wf.name if wf else workflow,
        state_label=state.label if state else state_code,
        due=p.get("due"),
        period=state.deadline_label if state else "办理期限",
    )
    out: list[Note] = []
    if event.kind == CASE_OVERDUE:
        body = rules.overdue_text(facts, _subject_shown(conn, key))
        if department:
            out.append(Note(DEPARTMENT, department, body))
        out.append(Note(OFFICE, OFFICE_RECIPIENT, body))
        return out
    transition = str(p.get("transition", ""))
    if key and rules.is_organisation_key(key):
        step = "已立案" if transition == "open" else _step_label(catalogue, wf, transition)
        out.append(Note(SUBJECT, key, rules.subject_step(facts, step)))
    if transition == "open" and department:
        body = rules.department_new_case(facts, _subject_shown(conn, key))
        out.append(Note(DEPARTMENT, department, body))
    return out


# -- reading messages ----------------------------------------------------------------------


def recipient_of(role: str, department_code: str | None) -> tuple[str, str]:
    """Whose messages a staff caller reads: a department's, or the office's."""
    if role == "department" and department_code:
        return DEPARTMENT, department_code
    if role == "office":
        return OFFICE, OFFICE_RECIPIENT
    raise PermissionDenied(
        f"role {role} has no messages", "消息只发给部门和信用办：当前角色没有消息"
    )


def message_view(catalogue: Catalogue, row: Mapping[str, Any]) -> dict[str, Any]:
    read_at = row["read_at"]
    return {
        "id": int(row["id"]),
        "recipient_kind": row["recipient_kind"],
        "recipient_kind_label": RECIPIENT_KINDS.get(row["recipient_kind"], row["recipient_kind"]),
        "type": row["kind"],
        "type_label": type_label(catalogue, row["kind"]),
        "case": row["case_id"],
        "event": int(row["event_id"]),
        "body": row["body"],
        "created_at": row["created_at"].astimezone(CHINA_TZ).isoformat(),
        "created_at_beijing": beijing_time(row["created_at"]),
        "read": read_at is not None,
        "read_at": read_at.astimezone(CHINA_TZ).isoformat() if read_at else None,
    }


def list_messages(
    conn: Connection,
    catalogue: Catalogue,
    recipient_kind: str,
    recipient: str,
    *,
    unread_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    rows, total = repo.list_messages(
        conn, recipient_kind, recipient, unread_only=unread_only, limit=limit, offset=offset
    )
    return {
        "total": total,
        "unread": repo.unread_count(conn, recipient_kind, recipient),
        "messages": [message_view(catalogue, r) for r in rows],
    }


def unread(conn: Connection, recipient_kind: str, recipient: str) -> int:
    return repo.unread_count(conn, recipient_kind, recipient)


def mark_read(
    conn: Connection,
    message_id: int,
    recipient_kind: str,
    recipient: str,
    *,
    reader: str,
    now: dt.datetime,
) -> bool:
    """Mark one of the recipient's messages read (someone else's is not found: its existence
    is not revealed). False when it was read already."""
    row = repo.get_message(conn, message_id)
    if row is None or (row["recipient_kind"], row["recipient"]) != (recipient_kind, recipient):
        raise NotFound(f"no message {message_id} for this recipient", f"消息 {message_id} 不存在")
    return repo.mark_read(conn, message_id, reader, now)
