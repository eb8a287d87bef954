"""Pure rules of the check: which records are current, and how long a record-triggered measure
runs. No I/O: the service reads the rows, these functions decide.

A record trigger (catalogue item + severity + optional sectors) brings a measure into play for
the subject of a *current* record: the newest version of its record key, not revoked. How long
it keeps doing so follows the measure's ``duration`` (see ``catalog.sanctions.Duration``), counted
from the record's decision date:

``fixed_months``
    ``months`` from the decision date (e.g. M04: 三年内有重大违法记录), published or not.
``by_decision`` with ``max_months``
    The implementing decision fixes the term within ``min_months``..``max_months``; the
    platform cannot know that decision, so it reports the measure until the longest term the
    catalogue allows has run.
``by_decision`` without ``max_months``
    The catalogue reads this as "up to permanent". A permanent prompt on every old record would
    be wrong far more often than right, so the platform reports such a measure only while the
    triggering record is published (公示期), the period during which the record is shown as the
    subject's 失信 information; an unpublished record (a natural person's, a non-public item)
    does not bring it. This is the platform's rule, not the catalogue's.
``while_published``
    While the record is inside its stored publication window.
``permanent``
    From the decision date, without end.

A record without a decision date cannot start a period and triggers nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from xinyong.catalog.model import Severity
from xinyong.catalog.sanctions import Measure
from xinyong.kernel.clock import CHINA_TZ
from xinyong.publication.rules import add_months, is_public_on


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One ledger entry of a trigger item, as read for a check (oldest first by ``id``)."""

    id: int
    subject_key: str
    item_code: str
    record_key: str
    action: str  # assert | correct | revoke
    decision_date: dt.date | None
    severity: str | None
    department_code: str
    department_name: str | None
    sector: str | None
    public: bool
    public_from: dt.date | None
    public_until: dt.date | None
    received_at: dt.datetime


@dataclass(frozen=True, slots=True)
class CurrentRecord:
    """The current (newest, not revoked) version of one record."""

    entry: EntryRow

    @property
    def severity(self) -> Severity | None:
        try:
            return Severity(self.entry.severity) if self.entry.severity else None
        except ValueError:  # a class the catalogue no longer knows matches no trigger
            return None

    @property
    def received_on(self) -> dt.date:
        return self.entry.received_at.astimezone(CHINA_TZ).date()  # an aware UTC instant

    def published_on(self, day: dt.date) -> bool:
        e = self.entry
        return is_public_on(e.public, e.public_from, e.public_until, self.received_on, day)


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    until: dt.date | None  # exclusive; None = no end
    rule: str  # Chinese: how the period was computed
    needs_publication: bool  # only while the record is published

    def runs_on(self, day: dt.date, record: CurrentRecord) -> bool:
        if day < self.start or (self.until is not None and day >= self.until):
            return False
        return not self.needs_publication or record.published_on(day)


def current_records(rows: Iterable[EntryRow]) -> list[CurrentRecord]:
    """The current version of every record among ``rows`` (ordered by id): the last entry of
    each (subject, item, record key) unless that last entry is a revocation.

    Same resolution as ``ledger.service.record_versions``: a correction replaces the record, a
    revocation ends it, a later re-sent row reinstates it."""
    last: dict[tuple[str, str, str], EntryRow] = {}
    for row in rows:
        last[(row.subject_key, row.item_code, row.record_key)] = row
    return [CurrentRecord(e) for e in last.values() if e.action != "revoke"]


def record_period(measure: Measure, record: CurrentRecord) -> Period | None:
    """The period a record gives ``measure`` (see the module docstring), or None when it
    cannot give one (no decision date, or a duration type record triggers never carry)."""
    start = record.entry.decision_date
    if start is None:
        return None
    d = measure.duration
    if d.type == "fixed_months" and d.months is not None:
        return Period(start, add_months(start, d.months), f"自决定之日起{d.months}个月", False)
    if d.type == "permanent":
        return Period(start, None, "自决定之日起，终身", False)
    if d.type == "while_published":
        return Period(start, record.entry.public_until, "该记录公示期间", True)
    if d.type == "by_decision":
        shortest = f"最短{d.min_months}个月、" if d.min_months is not None else ""
        if d.max_months is not None:
            return Period(
                start,
                add_months(start, d.max_months),
                f"由实施部门决定（{shortest}最长{d.max_months}个月，自决定之日起算），"
                "本平台按最长期限提示",
                False,
            )
        return Period(
            start,
            record.entry.public_until,
            f"由实施部门决定（{shortest}目录未设最长期限），本平台在该记录公示期间提示",
            True,
        )
    # while_listed cannot come from a record trigger: the loader refuses that combination.
    return None
