"""The lists' pure rules: what a ledger entry contributes to a membership, and when a
membership applies.

One rule decides whether a membership is active, for the check, the credit file, the alerts
and the reports alike: on day D it applies when ``listed_on <= D < until`` and it has not
exited by D (``exited_on`` > D). So a check is right on the day a period ends, before the
expiry job records the exit. :func:`is_active` is the rule over a row; the SQL form with the
same semantics is ``lists.repository.active_on``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LIST_MARK = "|list:"  # in the record key of a listing decided here: "<subject>|list:<case>"

Membership = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Fact:
    """The parts of a ledger entry that memberships are made of."""

    id: int
    subject_key: str
    item_code: str
    record_key: str
    action: str  # assert | correct | revoke
    supersedes_id: int | None
    decision_date: dt.date | None
    payload: Mapping[str, Any]
    department_code: str
    received_at: dt.datetime


def _day(value: object) -> dt.date | None:
    # Membership rows carry dates; the status row's JSON (what the check reads) ISO strings.
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def is_active(membership: Mapping[str, Any], day: dt.date) -> bool:
    """Whether the membership applies on ``day``: ``listed_on <= day < until``, not exited by
    ``day``."""
    listed = _day(membership.get("listed_on"))
    until = _day(membership.get("until"))
    exited = _day(membership.get("exited_on"))
    return (
        listed is not None
        and listed <= day
        and (until is None or day < until)
        and (exited is None or day < exited)
    )
