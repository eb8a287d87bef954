"""The derived columns of a ledger entry, as pure functions of its hashed facts.

An entry's severity class, publication window, policy and publication deadline are not facts
a department sent: the platform derives them from what it sent (the payload, the decision
date, the subject kind), the catalogue version the entry names, the submitting department's
sector and the working-day calendar. The importer stores what these functions return and
``xinyong audit verify`` recomputes them for every entry and compares: one code path, so the
two cannot drift, and a derived column edited in the database (outside the entry hash) is
named.

The entries the platform writes itself (revocations, list decisions, case steps) have fixed
derived values, given here too, for the same reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.conditions import all_hold
from xinyong.catalog.model import ItemVersion, PublicationPolicy, Severity, SeverityRule
from xinyong.kernel.calendar import Deadline, WorkCalendar
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import NotFound, UnknownCalendarYear
from xinyong.publication.rules import Window, publication_window

SEVERITY_TABLE = "severity"  # the code table of a field in which a department states the class

# Window reasons of the entries the platform writes itself.
REVOKED_REASON = "已撤销，停止公示"
LIST_EXIT_REASON = "已移出名单，停止公示"
LIST_PRIVATE_REASON = "名单信息不向社会公开"
CASE_STEP_REASON = "办理过程记录，不向社会公开"
# Credit repair restates a record with its publication stopped: action ``repair`` (the repair
# decided) or ``mask`` (temporarily, during a bankruptcy reorganisation). The record keeps its
# fields, class and policy; a voided repair restates it again as a ``correct`` entry.
REPAIR_ACTION = "repair"
MASK_ACTION = "mask"
REPAIR_REASONS = {
    REPAIR_ACTION: "经信用修复，停止公示",
    MASK_ACTION: "破产重整期间临时信用修复，暂停公示",
}
PLATFORM_DEFAULT_REASON = "不向社会公开"

# The derived columns, in the order verify reports them. ``severity`` is under the entry hash
# as well; it is recomputed because it is itself derived from the payload by catalogue rules.
DERIVED_COLUMNS = (
    "severity",
    "public",
    "public_from",
    "public_until",
    "repair_from",
    "policy_code",
    "window_reason",
    "due_date",
    "due_provisional",
    "due_earliest",
    "due_latest",
    "late",
)
# The columns `xinyong calendar apply` may legitimately rewrite (migration 0015).
CALENDAR_COLUMNS = ("due_date", "due_provisional", "due_earliest", "due_latest", "late")

_MEMO_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class Derived:
    severity: str | None
    public: bool
    public_from: dt.date | None
    public_until: dt.date | None
    repair_from: dt.date | None
    policy_code: str | None
    window_reason: str
    due_date: dt.date | None = None
    due_provisional: bool = False
    due_earliest: dt.date | None = None
    due_latest: dt.date | None = None
    late: bool = False
    # Received after the latest deadline, whether or not that counts as late (a backfill).
    past_deadline: bool = False
    # Why no deadline could be computed (a calendar year the platform does not have).
    deadline_error: UnknownCalendarYear | None = None

    def column(self, name: str) -> object:
        return getattr(self, name)

    def columns(self) -> tuple[object, ...]:
        """The values of DERIVED_COLUMNS, in that order."""
        return (
            self.severity,
            self.public,
            self.public_from,
            self.public_until,
            self.repair_from,
            self.policy_code,
            self.window_reason,
            self.due_date,
            self.due_provisional,
            self.due_earliest,
            self.due_latest,
            self.late,
        )


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """What an imported record's derived columns depend on, all of it hashed or fixed."""

    item: ItemVersion
    subject_kind: str
    decision_date: dt.date | None
    values: Mapping[str, str]  # the payload: canonical field values, personal ones masked
    sector: str | None  # the submitting department's: it selects the regime
    received_on: dt.date  # the day (Beijing time) the ledger received it
    backfill: bool  # history loaded after the fact: a deadline is kept, never counted late


def received_on(received_at: dt.datetime) -> dt.date:
    """The day (Beijing time) the ledger received an entry; naive means UTC (SQLite)."""
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=dt.UTC)
    return received_at.astimezone(CHINA_TZ).date()


def valid_until_of(item: ItemVersion, values: Mapping[str, str]) -> dt.date | None:
    raw = values.get(item.valid_until_field) if item.valid_until_field else None
    return dt.date.fromisoformat(raw) if raw else None


def severity_of(
    rules: tuple[SeverityRule, ...],
    severity_field: str | None,
    values: Mapping[str, str],
    sector: str | None,
    catalogue: Catalogue,
) -> Severity | None:
    """The record's class: the one the department stated in a severity field, else the first
    rule that holds (令107 / 令36 conditions), else 一般. None for an item that classes
    nothing."""
    if not rules:
        return None
    if severity_field and values.get(severity_field):
        code = values[severity_field]
        label = next(
            (v.label for v in catalogue.code_table(SEVERITY_TABLE).values if v.code == code), code
        )
        return Severity(label)
    for rule in rules:
        if (not rule.sectors or sector in rule.sectors) and all_hold(rule.conditions, values):
            return rule.severity
    return Severity.GENERAL


def deadline_of(
    item: ItemVersion, decision_date: dt.date | None, calendar: WorkCalendar
) -> tuple[Deadline | None, UnknownCalendarYear | None]:
    """The publication deadline (N working days after the decision), or why there is none."""
    days = item.publication_deadline_working_days
    if days is None or decision_date is None:
        return None, None
    try:
        return calendar.deadline(decision_date, days), None
    except UnknownCalendarYear as exc:
        return None, exc


def is_late(due: Deadline | None, received_on: dt.date, backfill: bool) -> tuple[bool, bool]:
    """(late, past the deadline). On a provisional calendar a row is late only when it is late
    whatever the notice decides (after the latest bound); a backfill is never late."""
    past = due is not None and received_on > due.latest
    return (past and not backfill), past


@dataclass(frozen=True, slots=True)
class _Regime:
    """What governs a record of one item version, decided on one day, from one sector."""

    policy: PublicationPolicy | None
    rules: tuple[SeverityRule, ...]  # the policy's for the item (令107), else the item's (令36)
    severity_field: str | None  # a field in which the department states the class
    rule_fields: tuple[str, ...]  # the fields the severity rules test
    window_fields: tuple[str, ...]  # the fields the policy's unpublished-if-only rules test


class Deriver:
    """Derives entries' columns against one catalogue and calendar.

    Holds memos only, in three layers, so that a verification of millions of entries does the
    work once per distinct input, not per row: the regime per (item version, decision date,
    sector); the severity class per (rules, sector, the values they test); the window per
    (decision date, class, the values it tests); the deadline per (decision date, day
    received, backfill)."""

    __slots__ = (
        "_deadlines",
        "_regimes",
        "_severities",
        "_versions",
        "_windows",
        "calendar",
        "catalogue",
    )

    def __init__(self, catalogue: Catalogue, calendar: WorkCalendar) -> None:
        self.catalogue = catalogue
        self.calendar = calendar
        self._versions: dict[tuple[str, str], ItemVersion | None] = {}
        self._regimes: dict[tuple[str, str, dt.date | None, str | None], _Regime] = {}
        self._severities: dict[tuple[object, ...], Severity | None] = {}
        self._windows: dict[tuple[object, ...], Window] = {}
        self._deadlines: dict[
            tuple[object, ...], tuple[Deadline | None, UnknownCalendarYear | None, bool, bool]
        ] = {}

    def item_version(self, code: str, version: str) -> ItemVersion | None:
        """The catalogue version an entry names; None when the catalogue has no such one."""
        key = (code, version)
        if key not in self._versions:
            found = None
            try:
                found = next(
                    (v for v in self.catalogue.item_versions(code) if v.version == version), None
                )
            except NotFound:  # an item the catalogue no longer has
                found = None
            self._versions[key] = found
        return self._versions[key]

    def _regime(
        self, item: ItemVersion, decision_date: dt.date | None, sector: str | None
    ) -> _Regime:
        key = (item.code, item.version, decision_date, sector)
        found = self._regimes.get(key)
        if found is None:
            policy = (
                self.catalogue.policy_for(item, decision_date, sector) if decision_date else None
            )
            rules = item.severity_rules
            if policy is not None and item.code in policy.severity_rules:
                rules = policy.severity_rules[item.code]
            window_fields: set[str] = set()
            if policy is not None:
                for period in policy.periods.values():
                    window_fields.update(period.unpublished_if_only)
            found = _Regime(
                policy,
                rules,
                next((f.code for f in item.fields if f.code_table == SEVERITY_TABLE), None),
                tuple(sorted({c.field for r in rules for c in r.conditions})),
                tuple(sorted(window_fields)),
            )
            _remember(self._regimes, key, found)
        return found

    def severity(
        self,
        item: ItemVersion,
        decision_date: dt.date | None,
        values: Mapping[str, str],
        sector: str | None,
    ) -> Severity | None:
        """The record's severity class under the regime that governs it."""
        regime = self._regime(item, decision_date, sector)
        stated = values.get(regime.severity_field) if regime.severity_field else None
        # Rules are catalogue objects that live as long as the catalogue: their identity
        # stands for their content.
        key = (id(regime.rules), sector, stated, *(values.get(f) for f in regime.rule_fields))
        if key in self._severities:
            return self._severities[key]
        found = severity_of(regime.rules, regime.severity_field, values, sector, self.catalogue)
        _remember(self._severities, key, found)
        return found

    def record(self, facts: RecordFacts) -> Derived:
        """The derived columns of an imported record (an assertion or a correction)."""
        item = facts.item
        regime = self._regime(item, facts.decision_date, facts.sector)
        severity = self.severity(item, facts.decision_date, facts.values, facts.sector)
        valid_until = facts.values.get(item.valid_until_field) if item.valid_until_field else None
        wkey = (
            item.code,
            item.version,
            facts.subject_kind,
            facts.decision_date,
            facts.sector,
            severity,
            valid_until,
            *(facts.values.get(f) for f in regime.window_fields),
        )
        window = self._windows.get(wkey)
        if window is None:
            window = publication_window(
                item,
                regime.policy,
                severity,
                facts.decision_date,
                facts.subject_kind,
                valid_until_of(item, facts.values),
                facts.values,
            )
            _remember(self._windows, wkey, window)
        dkey = (item.code, item.version, facts.decision_date, facts.received_on, facts.backfill)
        dl = self._deadlines.get(dkey)
        if dl is None:
            due, error = deadline_of(item, facts.decision_date, self.calendar)
            dl = (due, error, *is_late(due, facts.received_on, facts.backfill))
            _remember(self._deadlines, dkey, dl)
        due, error, late, past = dl
        return Derived(
            severity.value if severity else None,
            window.public,
            window.public_from,
            window.public_until,
            window.repair_from,
            window.policy_code,
            window.reason,
            due.date if due else None,
            due.provisional if due else False,
            due.earliest if due else None,
            due.latest if due else None,
            late,
            past,
            error,
        )


def _remember(memo: dict[Any, Any], key: object, value: object) -> None:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()  # bounded: a memo, not a copy of the ledger
    memo[key] = value


def revoked(policy_code: str | None, severity: str | None) -> Derived:
    """A revocation of an imported record: out of publication at once; it keeps the policy and
    class of the entry it revokes."""
    return Derived(severity, False, None, None, None, policy_code, REVOKED_REASON)


def repaired(base: Derived, action: str) -> Derived:
    """A record's derived columns once repair stopped its publication (``base``: what the
    record itself derives); the minimum period and deadline stay as they were."""
    return replace(
        base,
        public=False,
        public_from=None,
        public_until=None,
        window_reason=REPAIR_REASONS[action],
    )


def case_step() -> Derived:
    """A case step's entry: a record of the procedure, never public."""
    return Derived(None, False, None, None, None, None, CASE_STEP_REASON)


def list_window(
    *,
    item_public: bool,
    subject_kind: str,
    list_kind: str,
    list_name: str,
    listed_on: dt.date,
    until: dt.date | None,
) -> Derived:
    """A listing decided on the platform: published (from the listing date to the end of its
    period) when its item is public, the subject is not a natural person and the list is a
    black, red or ban list."""
    public = item_public and subject_kind != "person" and list_kind in ("black", "red", "ban")
    return Derived(
        "严重",
        public,
        listed_on if public else None,
        until if public else None,
        None,
        None,
        f"依{list_name}的规定公示" if public else LIST_PRIVATE_REASON,
    )


def list_exit() -> Derived:
    return Derived(None, False, None, None, None, None, LIST_EXIT_REASON)
