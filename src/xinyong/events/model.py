"""Domain event kinds and their payloads (pure).

| kind | emitted by | subject | payload |
|---|---|---|---|
| ``list.published`` | ``lists.service`` (a listing decided here is published) | listed subject | ``case``, ``entry`` (= membership id), ``list_type``, ``listed_on``, ``until``, ``published_on`` |
| ``list.exited`` | ``lists.service`` (expiry, early exit, revocation of a listing) | listed subject | ``case``, ``entry`` (the exit entry), ``membership``, ``list_type``, ``reason``, ``exited_on`` |
| ``batch.imported`` | ``ingest.service`` (a batch with accepted rows) | — | ``batch``, ``item``, ``department``, ``first_entry``, ``last_entry``, ``entries``, ``received_on``, ``fed_lists`` |
| ``record.revoked`` | ``ingest.service.revoke_record`` (and an objection's revoke outcome) | the record's subject | ``entry`` (the revoke entry), ``supersedes``, ``item``, ``record_key``, ``fed_list`` |
| ``objection.submitted`` / ``.pushed`` / ``.accepted`` / ``.refused`` / ``.extension_notified`` / ``.decided`` | ``objections.service`` (every step of an objection) | the record's subject | ``objection``, ``case``, ``entry``, ``item``, ``record`` (without the subject key), ``department``, ``state``, ``due`` (the next deadline, with ``provisional``), ``outcome`` and ``reason`` when decided or refused |
| ``case.<workflow>.<transition>`` | ``cases.service.append_step`` (every step of every case: ``open``, each transition, a deadline recomputed by a new calendar) | the case's subject | ``case``, ``workflow``, ``department``, ``seq``, ``transition``, ``from``, ``to``, ``entry`` (the step's ledger entry), ``due`` (the new state's deadline: ``date``, ``provisional``, ``earliest``, ``latest``, ``status``; null without one) |
| ``case.overdue`` | ``cases.service.mark_overdue`` (the ``scan_overdue_cases`` job), once per case and step | the case's subject | ``case``, ``workflow``, ``department``, ``seq``, ``state``, ``due`` |

Case kinds are open-ended (one per workflow and transition, so a new case type needs no
change here): :func:`is_kind` accepts any ``case.<workflow>.<transition>``.
| ``training.attended`` / ``training.certified`` | ``commitments.service`` (诚信教育: a subject's attendance recorded, its certificate issued) | the attending organisation | ``training``, ``department``, ``held_on``, ``certificate`` (certified only) |
| ``repair.*`` | ``repair.service`` (every step of a credit repair case: ``submitted``, ``accepted``, ``incomplete``, ``completed``, ``extended``, ``approved``, ``refused``, ``masked``, ``restored``, ``voided``) | the applicant | ``case``, ``record`` (the record's entry), ``item``, ``state``, ``deadline`` (ISO date or null), ``provisional``, ``entry`` (the ledger entry that stopped or restored publication, if any) |

Memberships of lists fed by department records arrive with ``batch.imported`` (one event per
batch, not per row); a revocation that ends one says so with ``fed_list``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xinyong.kernel.clock import CHINA_TZ

LIST_PUBLISHED = "list.published"
LIST_EXITED = "list.exited"
LIST_REINSTATED = "list.reinstated"
BATCH_IMPORTED = "batch.imported"
RECORD_REVOKED = "record.revoked"
REPAIR_EVENTS = {
    "submit": "repair.submitted",
    "accept": "repair.accepted",
    "incomplete": "repair.incomplete",
    "complete": "repair.completed",
    "extend": "repair.extended",
    "approve": "repair.approved",
    "complete_plan": "repair.approved",
    "refuse": "repair.refused",
    "mask": "repair.masked",
    "restore": "repair.restored",
    "void": "repair.voided",
}
TRAINING_EVENTS = {"attend": "training.attended", "certify": "training.certified"}
OBJECTION_KINDS = frozenset(
    f"objection.{step}"
    for step in ("submitted", "pushed", "accepted", "refused", "extension_notified", "decided")
)
CASE_OVERDUE = "case.overdue"
CASE_PREFIX = "case."
COMMITMENT_EVENTS = {
    "sign": "commitment.signed",
    "deliver": "commitment.delivered",
    "verify": "commitment.verified",
    "breach": "commitment.breached",
    "overdue": "commitment.breached",
    "repair": "commitment.repaired",
}
# 双随机、一公开: a draw run (its tasks opened), a result entered (its XZJC ledger entry).
INSPECTION_EVENTS = {"drawn": "inspection.drawn", "result": "inspection.result_entered"}
KINDS = (
    frozenset(
        {LIST_PUBLISHED, LIST_EXITED, LIST_REINSTATED, BATCH_IMPORTED, RECORD_REVOKED, CASE_OVERDUE}
    )
    | OBJECTION_KINDS
    | frozenset(REPAIR_EVENTS.values())
    | frozenset(COMMITMENT_EVENTS.values())
    | frozenset(TRAINING_EVENTS.values())
    | frozenset(INSPECTION_EVENTS.values())
)


def case_step_kind(workflow: str, transition: str) -> str:
    return f"{CASE_PREFIX}{workflow}.{transition}"


def is_case_step(kind: str) -> bool:
    parts = kind.split(".")
    return len(parts) == 3 and parts[0] == "case" and all(parts)


def is_kind(kind: str) -> bool:
    return kind in KINDS or is_case_step(kind)


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    kind: str
    subject_key: str | None
    payload: Mapping[str, Any]
    occurred_at: dt.datetime

    def occurred_on(self) -> dt.date:
        """The China date of the change (what "today" was for the transaction that made it)."""
        return self.occurred_at.astimezone(CHINA_TZ).date()
