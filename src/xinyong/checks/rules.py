"""Pure rules of the check: which records are current, which triggers they meet, how long a
measure runs, and the answer's fold into measures, measures to verify and commitment bars.
No I/O: the service reads the rows, these functions decide.

Measures and measures to verify
-------------------------------
A measure reaches the subject asked about through a *trigger* (``catalog.sanctions.Trigger``):
a list the subject (or an organisation the person represents) is on, or a current record whose
fields meet the trigger's conditions. A trigger gives a period (below). The answer lists the
measure under ``measures`` when at least one trigger decides it on the day: the trigger names
nothing to verify by hand and its period is certain. Otherwise, when some trigger runs on the day
but needs a condition no field can decide (``to_verify``) or its period's end is fixed by a
decision the data does not carry, the measure is listed under ``to_verify`` with the conditions
to check. A measure is never in both lists. Every trigger that reaches a measure is cited; the
measure's period is the longest of them.

Periods of record triggers
--------------------------
Counted from the record's decision date, by the trigger's ``duration`` (or the measure's):

``fixed_months``
    ``months`` from the decision date, published or not (e.g. M04: 三年内有重大违法记录).
``permanent``
    From the decision date, without end.
``while_published``
    While the record is inside its stored publication window.
``by_decision``
    The implementing decision fixes the term within ``min_months``..``max_months``. When the
    record carries the term (the trigger's ``term_field``, e.g. 处罚有效期), it is used and
    certain. Otherwise the period is certain up to the shortest term the law allows and
    uncertain from there to the longest (to verify against the decision). Without a longest
    term (the catalogue's "up to permanent"), the uncertain part runs while the record is
    published: a permanent prompt on every old record would be wrong far more often than
    right. This is the platform's rule, not the catalogue's.

A record without a decision date cannot start a period and triggers nothing.

Lists give their membership's period (``while_listed``), ``months`` from the listing date
(``fixed_months``), no end (``permanent``); a list measure ``by_decision`` is certain only
while listed and marked as fixed by its own decision.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from xinyong.catalog.model import CommitmentBar, Duration, Evidence, ListType, Measure, Severity
from xinyong.catalog.sanctions import SanctionsCatalogue, TriggerHit
from xinyong.lists.rules import is_active
from xinyong.publication.derived import REPAIR_ACTION
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
    subject_kind: str = ""
    # The fields triggers and commitment bars read (see SanctionsCatalogue.record_fields).
    values: Mapping[str, str] = field(default_factory=dict)

    def with_values(self, values: Mapping[str, str]) -> EntryRow:
        """This entry keeping only ``values`` (faster than ``dataclasses.replace``, and done
        for every record the read model loads)."""
        return EntryRow(
            self.id,
            self.subject_key,
            self.item_code,
            self.record_key,
            self.action,
            self.decision_date,
            self.severity,
            self.department_code,
            self.department_name,
            self.sector,
            self.public,
            self.public_from,
            self.public_until,
            self.received_at,
            self.subject_kind,
            values,
        )


@dataclass(frozen=True, slots=True)
class CurrentRecord:
    """The current (newest, not revoked) version of one record, with the record triggers and
    commitment bars its fields meet (computed once: they depend on the record alone)."""

    entry: EntryRow
    triggers: tuple[int, ...] = ()
    bars: tuple[int, ...] = ()

    @property
    def severity(self) -> Severity | None:
        try:
            return Severity(self.entry.severity) if self.entry.severity else None
        except ValueError:  # a class the catalogue no longer knows matches no trigger
            return None

    def published_on(self, day: dt.date) -> bool:
        """Whether ``day`` falls in the record's publication window. A check answers with what
        the ledger knows now, also about another day: a record received after ``day`` still
        counts on ``day`` if its window covers it (the public file, which shows what was public
        then, does not)."""
        e = self.entry
        return is_public_on(e.public, e.public_from, e.public_until, dt.date.min, day)


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    until: dt.date | None  # exclusive; None = no end
    rule: str  # Chinese: how the period was computed
    needs_publication: bool = False  # only while the record is published
    certain: bool = True  # False: the end is fixed by a decision the data does not carry

    def runs_on(self, day: dt.date, record: CurrentRecord | None = None) -> bool:
        if day < self.start or (self.until is not None and day >= self.until):
            return False
        return not self.needs_publication or (record is not None and record.published_on(day))

    def view(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "rule": self.rule,
        }


def classify(e: EntryRow, sanctions: SanctionsCatalogue) -> CurrentRecord:
    """An entry with the record triggers and commitment bars its fields meet, and only the
    field values a period still needs (the read model keeps every record in memory). The
    match depends on the entry alone, so it is done once, when the entry is read."""
    severity = CurrentRecord(e).severity
    triggers = sanctions.match_record(
        e.item_code,
        e.values,
        severity=severity,
        sector=e.sector,
        subject_kind=e.subject_kind,
        decided=e.decision_date,
    )
    bars = sanctions.match_bars(e.item_code, e.values, severity=severity)
    keep = sanctions.period_fields(e.item_code)
    values = {k: v for k, v in e.values.items() if k in keep}
    return CurrentRecord(e.with_values(values), triggers, bars)


def current(records: Iterable[CurrentRecord]) -> list[CurrentRecord]:
    """The current version of every record among ``records`` (ordered by entry id): the last
    entry of each (subject, item, submitting department, record key) unless that last entry is a revocation.

    Same resolution as ``ledger.service.record_versions``: a correction replaces the record, a
    revocation ends it, a later re-sent row reinstates it."""
    last: dict[tuple[str, str, str, str], CurrentRecord] = {}
    for r in records:
        e = r.entry
        last[(e.subject_key, e.item_code, e.department_code, e.record_key)] = r
    return [r for r in last.values() if r.entry.action != "revoke"]


def current_records(rows: Iterable[EntryRow], sanctions: SanctionsCatalogue) -> list[CurrentRecord]:
    """``current`` over ``rows``, each classified (see :func:`classify`)."""
    return current(classify(e, sanctions) for e in rows)


# -- periods -------------------------------------------------------------------------------


def _term_end(d: Duration, record: CurrentRecord) -> dt.date | None:
    if d.term_field is None:
        return None
    raw = record.entry.values.get(d.term_field)
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def record_periods(hit: TriggerHit, record: CurrentRecord) -> list[Period]:
    """The periods a record gives the measure of ``hit`` (see the module docstring): one
    certain period, or a certain and an uncertain part; none without a decision date."""
    start = record.entry.decision_date
    if start is None:
        return []
    d = hit.trigger.duration or hit.measure.duration
    if d.type == "fixed_months" and d.months is not None:
        return [Period(start, add_months(start, d.months), f"自决定之日起{d.months}个月")]
    if d.type == "permanent":
        return [Period(start, None, "自决定之日起，终身")]
    if d.type == "while_published":
        return [Period(start, record.entry.public_until, "该记录公示期间", True)]
    if d.type != "by_decision":
        return []  # while_listed cannot come from a record trigger: the loader refuses it
    term = _term_end(d, record)
    if term is not None:
        return [Period(start, term + dt.timedelta(days=1), "按决定书所定期限")]
    out: list[Period] = []
    begin = start
    if d.min_months is not None and d.min_months > 0:
        begin = add_months(start, d.min_months)
        out.append(
            Period(start, begin, f"决定书所定期限不少于{d.min_months}个月，此期间内确定适用")
        )
    if d.max_months is not None:
        out.append(
            Period(
                begin,
                add_months(start, d.max_months),
                f"期限由决定书确定（最长{d.max_months}个月，自决定之日起算），请核对决定书所定期限",
                certain=False,
            )
        )
    else:
        out.append(
            Period(
                begin,
                record.entry.public_until,
                "期限由决定书确定（目录未设最长期限），本平台在该记录公示期间提示，请核对决定书",
                True,
                certain=False,
            )
        )
    return out


def _membership_date(membership: Mapping[str, Any], key: str) -> dt.date | None:
    raw = membership.get(key)
    return dt.date.fromisoformat(raw) if raw else None


def list_periods(hit: TriggerHit, membership: Mapping[str, Any]) -> list[Period]:
    listed = _membership_date(membership, "listed_on")
    if listed is None:
        return []
    until = _membership_date(membership, "until")
    d = hit.trigger.duration or hit.measure.duration
    if d.type == "while_listed":
        return [Period(listed, until, "列入名单期间")]
    if d.type == "fixed_months" and d.months is not None:
        return [Period(listed, add_months(listed, d.months), f"自列入之日起{d.months}个月")]
    if d.type == "permanent":
        return [Period(listed, None, "自列入之日起，终身")]
    return [Period(listed, until, d.note or "期限由实施决定确定，请核对", certain=False)]


# -- the answer's fold ---------------------------------------------------------------------


UNCONFIRMED_BASIS = "该措施的法律依据尚待核实（目录中标注为未核实），实施前请核对依据原文"


def _confirmed(m: Measure) -> bool:
    """A measure rests on a basis whose text was read (P) or reported by a secondary source
    (S); one resting only on recollection (U) or third-party code (C) is never applied as
    decided."""
    return any(b.evidence in (Evidence.PRIMARY, Evidence.SECONDARY) for b in m.legal_basis)


@dataclass(frozen=True, slots=True)
class Reach:
    """One way a measure reaches the subject asked about: a trigger, the period it gives, the
    JSON ``via`` describing it and the conditions the scenario or role adds."""

    hit: TriggerHit
    period: Period
    via: Mapping[str, Any]
    extra: tuple[str, ...] = ()

    @property
    def decided(self) -> bool:
        return self.hit.trigger.decidable and self.period.certain and not self.extra

    def conditions(self) -> list[str]:
        out = [*self.hit.trigger.to_verify, *self.extra]
        if not self.period.certain:
            out.append(self.period.rule)
        return out


def reach(
    hit: TriggerHit, period: Period, via: Mapping[str, Any], scenario: str, role: str
) -> Reach:
    """A reach with the conditions the measure adds for this scenario and this role."""
    m = hit.measure
    extra = [*m.scenario_conditions.get(scenario, ()), *m.role_conditions.get(role, ())]
    if not _confirmed(m):
        extra.append(UNCONFIRMED_BASIS)
    return Reach(hit, period, {**via, "ground": hit.trigger.ground}, tuple(extra))


def _longer(a: Period, b: Period) -> bool:
    """Whether ``a`` ends later than ``b`` (no end is the latest)."""
    if a.until is None:
        return b.until is not None
    return b.until is not None and a.until > b.until


def fold_measures(
    reaches: Sequence[Reach], basis: Callable[[Measure], list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(measures, to_verify): one entry per measure code, citing every reach, with the
    longest period; a measure some reach decides is not repeated under ``to_verify``."""
    by_code: dict[str, list[Reach]] = {}
    for r in reaches:
        by_code.setdefault(r.hit.measure.code, []).append(r)
    measures: list[dict[str, Any]] = []
    to_verify: list[dict[str, Any]] = []
    for code, rs in by_code.items():
        decided = [r for r in rs if r.decided]
        chosen = decided or rs
        longest = chosen[0]
        for r in chosen[1:]:
            if _longer(r.period, longest.period):
                longest = r
        m = longest.hit.measure
        view: dict[str, Any] = {
            "measure": code,
            "name": m.name,
            "content": m.content,
            "kind": m.kind,
            "automatic": m.automatic,
            "implementing_department": m.implementing_department,
            "legal_basis": basis(m),
            "period": longest.period.view(),
            "via": dict(longest.via),
            "triggered_by": [
                {**r.via, "period": r.period.view(), **({} if decided else _conds(r))}
                for r in chosen
            ],
        }
        if decided:
            measures.append(view)
        else:
            view["conditions"] = list(dict.fromkeys(c for r in rs for c in r.conditions()))
            to_verify.append(view)
    return measures, to_verify


def _conds(r: Reach) -> dict[str, Any]:
    return {"conditions": r.conditions()}


@dataclass(frozen=True, slots=True)
class Asking:
    """Who is asked about and by whom: the scenario, the day, the role through which measures
    reach the subject asked about ("subject" for its own lists and records), and the checking
    department's sector (None: the credit office)."""

    scenario: str
    day: dt.date
    role: str = "subject"
    checker_sector: str | None = None

    def reaches(self, m: Measure) -> bool:
        if self.role == "subject":
            return "subject" in m.targets
        return self.role in m.relation_roles()


def record_reaches(
    sanctions: SanctionsCatalogue,
    records: Iterable[CurrentRecord],
    asking: Asking,
    via: Callable[[CurrentRecord], dict[str, Any]],
) -> list[Reach]:
    """Every (trigger, period) a current record gives on the day asked about."""
    out: list[Reach] = []
    day = asking.day
    for record in sorted(records, key=lambda r: r.entry.id):
        for hit in sanctions.record_hits(
            record.triggers, asking.scenario, day, asking.checker_sector
        ):
            if not asking.reaches(hit.measure):
                continue
            for period in record_periods(hit, record):
                if period.runs_on(day, record):
                    out.append(reach(hit, period, via(record), asking.scenario, asking.role))
    return out


def list_reaches(
    sanctions: SanctionsCatalogue,
    memberships: Iterable[Mapping[str, Any]],
    asking: Asking,
    subject_kind: str,
    via: Callable[[Mapping[str, Any]], dict[str, Any]],
) -> list[Reach]:
    """Every (trigger, period) the active memberships of a subject of ``subject_kind`` give
    on the day asked about."""
    out: list[Reach] = []
    day = asking.day
    for m in memberships:
        if not is_active(m, day):
            continue
        for hit in sanctions.list_hits(m["list_type"], asking.scenario, day, asking.checker_sector):
            t = hit.trigger
            if not asking.reaches(hit.measure):
                continue
            if t.subject_kinds and subject_kind not in t.subject_kinds:
                continue
            for period in list_periods(hit, m):
                if period.runs_on(day):
                    out.append(reach(hit, period, via(m), asking.scenario, asking.role))
    return out


def withhold(
    answer_lists: Sequence[list[dict[str, Any]]],
    sanctions: SanctionsCatalogue,
    blocked: Sequence[Mapping[str, Any]],
    day: dt.date,
) -> tuple[list[list[dict[str, Any]]], list[dict[str, Any]]]:
    """(the lists without them, withheld): an incentive resting on a commitment (容缺受理)
    is withheld, from ``measures`` and from ``to_verify``, while the subject may not use the
    commitment system."""
    if not blocked:
        return [list(x) for x in answer_lists], []
    out: list[list[dict[str, Any]]] = []
    withheld: list[dict[str, Any]] = []
    for items in answer_lists:
        kept = []
        for x in items:
            if sanctions.measure(x["measure"], day).needs_commitment:
                withheld.append(
                    {
                        "measure": x["measure"],
                        "name": x["name"],
                        "reason": "该主体不适用告知承诺制、容缺受理（见 commitment_blocked_by），不予适用",
                    }
                )
            else:
                kept.append(x)
        out.append(kept)
    return out, withheld


# -- 告知承诺 / 容缺受理 -------------------------------------------------------------------


def bar_period(bar: CommitmentBar, record: CurrentRecord) -> Period | None:
    """How long a record bars the commitment system: while it is published, or ``months``
    from its finding date (``start_field``, else the decision date) when it is not public
    (a natural person's record is not published but bars all the same)."""
    e = record.entry
    start = e.decision_date
    if bar.start_field is not None and e.values.get(bar.start_field):
        with contextlib.suppress(ValueError):
            start = dt.date.fromisoformat(e.values[bar.start_field])
    if start is None:
        return None
    if bar.while_published and e.public:
        return Period(start, e.public_until, "该记录公示期间", True)
    if bar.months is not None:
        return Period(start, add_months(start, bar.months), f"自认定之日起{bar.months}个月")
    return None


def commitment_bars(
    sanctions: SanctionsCatalogue,
    memberships: Iterable[Mapping[str, Any]],
    records: Iterable[CurrentRecord],
    measures: Sequence[Mapping[str, Any]],
    day: dt.date,
    list_type: Callable[[str], ListType],
    basis: Callable[[Any], list[dict[str, Any]]],
    list_via: Callable[[Mapping[str, Any]], dict[str, Any]],
    record_via: Callable[[CurrentRecord], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Every reason the subject may not use 告知承诺制 / 容缺受理 on ``day``: a catalogued bar
    met by an active membership or a current record, or a measure that excludes it."""
    out: list[dict[str, Any]] = []
    active = [m for m in memberships if is_active(m, day)]
    for bar in sanctions.commitment_bars(day):
        if bar.list_kinds:
            for m in active:
                if list_type(m["list_type"]).kind in bar.list_kinds:
                    out.append(_bar_view(bar, basis, list_via(m)))
    for record in records:
        for i in record.bars:
            bar = sanctions.commitment_bar(i)
            if not bar.in_force(day):
                continue
            if bar.ends_on_repair and record.entry.action == REPAIR_ACTION:
                continue
            period = bar_period(bar, record)
            if period is not None and period.runs_on(day, record):
                out.append({**_bar_view(bar, basis, record_via(record)), "period": period.view()})
    for x in measures:
        measure = sanctions.measure(x["measure"], day)
        if measure.blocks_commitment:
            out.append(
                {
                    "code": "MEASURE",
                    "reason": f"适用措施“{measure.name}”（{measure.code}），不适用告知承诺制",
                    "measure": measure.code,
                    "legal_basis": basis(measure),
                    "via": x["via"],
                }
            )
    return out


def _bar_view(
    bar: CommitmentBar, basis: Callable[[Any], list[dict[str, Any]]], via: dict[str, Any]
) -> dict[str, Any]:
    return {"code": bar.code, "reason": bar.reason, "legal_basis": basis(bar), "via": via}
