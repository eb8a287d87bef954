"""List types (红名单、严重失信主体名单、重点关注对象、市场和行业禁入) and measures (惩戒、激励、
管理措施) as catalogue data, and the index answering "what applies to this subject in scenario S".

The types are in ``model``; reading and checking the files is ``sanctions_build``.

Incentives are measures of kind ``incentive`` triggered by red list types only; there is no
separate type. Nothing is applied without a catalogued legal basis: a measure or list type
without one is refused at load, like any other bad file, with a :class:`ConfigurationError`
naming the file, the key path and the reason in Chinese and English.

Periods and durations are counted in months from the decision (listing) date; deadlines are in
working days unless the field name says otherwise (``objection_window_days`` is calendar days).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from xinyong.catalog.catalogue import Catalogue, version_on
from xinyong.catalog.conditions import all_hold, predicate
from xinyong.catalog.files import snapshot, sources
from xinyong.catalog.loader import load_catalogue
from xinyong.catalog.model import (
    CatalogueSnapshot,
    CommitmentBar,
    ListType,
    Measure,
    Scenario,
    Severity,
    Trigger,
)
from xinyong.catalog.sanctions_build import Builder
from xinyong.catalog.sanctions_parse import FILES, FOLDERS, SCENARIOS_FILE
from xinyong.kernel.errors import ConfigurationError, NotFound


@dataclass(frozen=True, slots=True)
class TriggerHit:
    """A measure version and one of its triggers."""

    measure: Measure
    trigger: Trigger


def _record_fed_lists(
    versions: Mapping[str, tuple[ListType, ...]],
) -> dict[str, tuple[str, ...]]:
    """Item code -> list types fed by its records. Two such lists on one item must be told
    apart by linked_item_match, or a record would be an entry of both: refused."""
    by_item: dict[str, list[ListType]] = {}
    for _, vs in sorted(versions.items()):
        for v in vs:
            if v.from_records and v.linked_item is not None:
                by_item.setdefault(v.linked_item, []).append(v)
    for item, lts in by_item.items():
        for a, b in itertools.combinations(lts, 2):
            if a.code == b.code:
                continue
            shared = set(a.linked_item_match) & set(b.linked_item_match)
            if not any(
                not set(a.linked_item_match[f]) & set(b.linked_item_match[f]) for f in shared
            ):
                raise ConfigurationError(
                    f"list types {a.code} and {b.code} both take records of {item} "
                    "and linked_item_match does not tell them apart",
                    f"名单类型 {a.code} 与 {b.code} 都由信息项 {item} 的记录生成，"
                    "linked_item_match 无法区分",
                )
    return {item: tuple(dict.fromkeys(lt.code for lt in lts)) for item, lts in by_item.items()}


# (values, severity, sector, subject kind, decision date) -> whether a record meets a trigger.
RecordTest = Callable[[Mapping[str, str], Severity | None, str | None, str, dt.date | None], bool]


def _record_test(t: Trigger) -> RecordTest:
    """``t``'s record conditions as one prepared test (see :meth:`match_record`)."""
    fields = predicate(t.conditions)
    severity_ = t.severity
    sectors = frozenset(t.sectors)
    kinds = frozenset(t.subject_kinds)
    low, high = t.decided_from, t.decided_until
    dated = low is not None or high is not None

    def test(
        values: Mapping[str, str],
        severity: Severity | None,
        sector: str | None,
        subject_kind: str,
        decided: dt.date | None,
    ) -> bool:
        if severity_ is not None and severity_ != severity:
            return False
        if sectors and sector not in sectors:
            return False
        if kinds and subject_kind not in kinds:
            return False
        if dated and (
            decided is None
            or (low is not None and decided < low)
            or (high is not None and decided > high)
        ):
            return False
        return fields(values)

    return test


class SanctionsCatalogue:
    """List types, measures and scenarios in force, with the (list type, scenario) index.

    Immutable once built (:func:`load_sanctions`; ``bootstrap`` builds one per process).
    Queries are dictionary look-ups plus a date filter.
    """

    __slots__ = (
        "_bars",
        "_bars_by_item",
        "_by_item",
        "_by_list",
        "_by_list_any",
        "_from_records",
        "_items",
        "_list_hits",
        "_list_versions",
        "_measure_versions",
        "_period_fields",
        "_record_tests",
        "_record_triggers",
        "_scenarios",
        "_snapshot",
    )
    _bars: tuple[CommitmentBar, ...]
    _bars_by_item: dict[str, tuple[int, ...]]
    _by_item: dict[str, tuple[int, ...]]
    _list_hits: dict[tuple[str, str], tuple[TriggerHit, ...]]
    _by_list: dict[tuple[str, str], tuple[Measure, ...]]
    _by_list_any: dict[str, tuple[Measure, ...]]
    _from_records: dict[str, tuple[str, ...]]
    _items: frozenset[str]
    _list_versions: dict[str, tuple[ListType, ...]]
    _measure_versions: dict[str, tuple[Measure, ...]]
    _period_fields: dict[str, frozenset[str]]
    _record_tests: dict[str, tuple[tuple[int, RecordTest], ...]]
    _record_triggers: tuple[TriggerHit, ...]
    _scenarios: Mapping[str, Scenario]
    _snapshot: CatalogueSnapshot

    def __init__(
        self,
        *,
        snapshot: CatalogueSnapshot,
        scenarios: Mapping[str, Scenario],
        list_types: Iterable[ListType],
        measures: Iterable[Measure],
        items: Iterable[str],
        bars: Iterable[CommitmentBar] = (),
    ) -> None:
        setattr_ = object.__setattr__
        bar_list = tuple(bars)
        setattr_(self, "_bars", bar_list)
        bars_by_item: dict[str, list[int]] = {}
        for i, bar in enumerate(bar_list):
            if bar.item is not None:
                bars_by_item.setdefault(bar.item, []).append(i)
        setattr_(self, "_bars_by_item", {k: tuple(v) for k, v in bars_by_item.items()})
        setattr_(self, "_snapshot", snapshot)
        setattr_(self, "_scenarios", MappingProxyType(dict(scenarios)))
        setattr_(self, "_items", frozenset(items))
        lists: dict[str, list[ListType]] = {}
        for lt in list_types:
            lists.setdefault(lt.code, []).append(lt)
        setattr_(
            self,
            "_list_versions",
            {c: tuple(sorted(vs, key=lambda v: v.effective_from)) for c, vs in lists.items()},
        )
        setattr_(self, "_from_records", _record_fed_lists(self._list_versions))
        by_code: dict[str, list[Measure]] = {}
        for m in measures:
            by_code.setdefault(m.code, []).append(m)
        ordered = {
            c: tuple(sorted(vs, key=lambda v: v.effective_from))
            for c, vs in sorted(by_code.items())
        }
        setattr_(self, "_measure_versions", ordered)
        by_list: dict[tuple[str, str], list[Measure]] = {}
        by_list_any: dict[str, list[Measure]] = {}
        list_hits: dict[tuple[str, str], list[TriggerHit]] = {}
        record_triggers: list[TriggerHit] = []
        by_item: dict[str, list[int]] = {}
        for versions in ordered.values():  # by code, then effective_from
            for m in versions:
                for lt_code in dict.fromkeys(m.list_types):
                    by_list_any.setdefault(lt_code, []).append(m)
                    for sc in m.scenarios:
                        by_list.setdefault((lt_code, sc), []).append(m)
                for t in m.triggers:
                    if t.list_type is not None:
                        for sc in m.scenarios:
                            list_hits.setdefault((t.list_type, sc), []).append(TriggerHit(m, t))
                    elif t.item is not None:
                        by_item.setdefault(t.item, []).append(len(record_triggers))
                        record_triggers.append(TriggerHit(m, t))
        setattr_(self, "_by_list", {k: tuple(v) for k, v in by_list.items()})
        setattr_(self, "_by_list_any", {k: tuple(v) for k, v in by_list_any.items()})
        setattr_(self, "_list_hits", {k: tuple(v) for k, v in list_hits.items()})
        setattr_(self, "_record_triggers", tuple(record_triggers))
        setattr_(self, "_by_item", {k: tuple(v) for k, v in by_item.items()})
        # Each record the read model loads is matched against every trigger of its item: each
        # trigger's test is prepared once here.
        setattr_(
            self,
            "_record_tests",
            {
                item: tuple((i, _record_test(record_triggers[i].trigger)) for i in ids)
                for item, ids in self._by_item.items()
            },
        )
        # Asked once per record the read model classifies: computed once here.
        setattr_(
            self,
            "_period_fields",
            {i: self._compute_period_fields(i) for i in {*self._by_item, *self._bars_by_item}},
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("SanctionsCatalogue is immutable")

    def __repr__(self) -> str:
        return (
            f"<SanctionsCatalogue {self._snapshot.version}: {len(self._list_versions)} list "
            f"types, {len(self._measure_versions)} measures>"
        )

    @property
    def snapshot(self) -> CatalogueSnapshot:
        return self._snapshot

    @property
    def scenarios(self) -> Mapping[str, Scenario]:
        return self._scenarios

    # list types

    def list_type_versions(self, code: str) -> list[ListType]:
        try:
            return list(self._list_versions[code])
        except KeyError:
            raise NotFound(f"unknown list type {code!r}", f"没有名单类型“{code}”") from None

    def list_type(self, code: str, on: dt.date | None = None) -> ListType:
        """The version in force on ``on`` (the latest version when ``on`` is None)."""
        return version_on(
            self.list_type_versions(code), on, f"list type {code!r}", f"名单类型“{code}”"
        )

    def list_types(self) -> list[ListType]:
        """The latest version of every list type, by code."""
        return [self._list_versions[c][-1] for c in sorted(self._list_versions)]

    def record_fed_items(self) -> frozenset[str]:
        """Catalogue items whose records are list entries decided elsewhere."""
        return frozenset(self._from_records)

    def list_type_of_record(
        self, item: str, values: Mapping[str, object], on: dt.date
    ) -> ListType | None:
        """The list a record of ``item`` with field ``values`` is an entry of, under the list
        type version in force on ``on`` (the listing date), or the latest version for entries
        older than the catalogued versions (the entry still stands under today's rules);
        None when it is no list entry."""
        for code in self._from_records.get(item, ()):
            versions = self._list_versions[code]
            in_force = [v for v in versions if v.in_force(on)]
            lt = in_force[-1] if in_force else versions[-1]
            if not lt.from_records:
                continue
            if all(
                str(values.get(f, "")) in allowed for f, allowed in lt.linked_item_match.items()
            ):
                return lt
        return None

    # measures

    def measure_versions(self, code: str) -> list[Measure]:
        try:
            return list(self._measure_versions[code])
        except KeyError:
            raise NotFound(f"unknown measure {code!r}", f"没有措施“{code}”") from None

    def measure(self, code: str, on: dt.date | None = None) -> Measure:
        """The version in force on ``on`` (the latest version when ``on`` is None)."""
        return version_on(self.measure_versions(code), on, f"measure {code!r}", f"措施“{code}”")

    def measures(self) -> list[Measure]:
        """The latest version of every measure, by code."""
        return [vs[-1] for vs in self._measure_versions.values()]

    def _check_scenario(self, scenario: str | None) -> None:
        if scenario is not None and scenario not in self._scenarios:
            raise NotFound(f"unknown scenario {scenario!r}", f"没有应用场景“{scenario}”")

    def measures_for(
        self, list_type: str, scenario: str | None = None, *, on: dt.date
    ) -> list[Measure]:
        """Measures a member of ``list_type`` is subject to in ``scenario`` (every scenario
        when None), in force on ``on``, by code."""
        if list_type not in self._list_versions:
            raise NotFound(f"unknown list type {list_type!r}", f"没有名单类型“{list_type}”")
        self._check_scenario(scenario)
        day = on
        if scenario is None:
            found = self._by_list_any.get(list_type, ())
        else:
            found = self._by_list.get((list_type, scenario), ())
        return [m for m in found if m.in_force(day)]

    def match_record(
        self,
        item: str,
        values: Mapping[str, str],
        *,
        severity: Severity | None,
        sector: str | None,
        subject_kind: str,
        decided: dt.date | None,
    ) -> tuple[int, ...]:
        """Ids of the record triggers (of any measure version and scenario) whose item,
        severity, sector, subject kind, decision dates and field conditions a record meets.
        Depends on the record alone, so a read model can compute it once per record."""
        return tuple(
            i
            for i, test in self._record_tests.get(item, ())
            if test(values, severity, sector, subject_kind, decided)
        )

    def record_hits(
        self,
        trigger_ids: Iterable[int],
        scenario: str,
        on: dt.date,
        checker_sector: str | None = None,
    ) -> list[TriggerHit]:
        """The matched triggers whose measure version is in force on ``on`` in ``scenario``
        and binds the checking department's sector."""
        out: list[TriggerHit] = []
        for i in trigger_ids:
            hit = self._record_triggers[i]
            if (
                scenario in hit.measure.scenarios
                and hit.measure.in_force(on)
                and _binds(hit.trigger, checker_sector)
            ):
                out.append(hit)
        return out

    def record_condition_fields(self, item: str) -> frozenset[str]:
        """The fields of ``item`` that some record trigger's conditions read."""
        return frozenset(
            c.field
            for i in self._by_item.get(item, ())
            for c in self._record_triggers[i].trigger.conditions
        )

    def term_fields(self, item: str) -> frozenset[str]:
        """Date fields of ``item`` from which a record trigger reads the decided term."""
        out: set[str] = set()
        for i in self._by_item.get(item, ()):
            hit = self._record_triggers[i]
            for d in (hit.trigger.duration, hit.measure.duration):
                if d is not None and d.term_field is not None:
                    out.add(d.term_field)
        return frozenset(out)

    def period_fields(self, item: str) -> frozenset[str]:
        """Fields of ``item`` a period reads once the triggers are matched: decided terms and
        the bars' finding dates."""
        return self._period_fields.get(item, frozenset())

    def _compute_period_fields(self, item: str) -> frozenset[str]:
        out = set(self.term_fields(item))
        for i in self._bars_by_item.get(item, ()):
            start = self._bars[i].start_field
            if start is not None:
                out.add(start)
        return frozenset(out)

    def record_fields(self, item: str) -> frozenset[str]:
        """Every field of ``item`` a check reads from a record: trigger and bar conditions,
        decided terms and the bars' finding dates."""
        out = set(self.record_condition_fields(item)) | self.term_fields(item)
        for i in self._bars_by_item.get(item, ()):
            bar = self._bars[i]
            out.update(c.field for c in bar.conditions)
            if bar.start_field is not None:
                out.add(bar.start_field)
        return frozenset(out)

    def check_items(self) -> frozenset[str]:
        """Items whose records a check reads: record triggers and commitment bars."""
        return frozenset(self._by_item) | frozenset(self._bars_by_item)

    # 告知承诺 / 容缺受理

    def commitment_bars(self, on: dt.date) -> list[CommitmentBar]:
        return [b for b in self._bars if b.in_force(on)]

    def commitment_bar(self, index: int) -> CommitmentBar:
        return self._bars[index]

    def match_bars(
        self,
        item: str,
        values: Mapping[str, str],
        *,
        severity: Severity | None,
    ) -> tuple[int, ...]:
        """Indexes of the record bars (any version) a record meets by its fields alone."""
        return tuple(
            i
            for i in self._bars_by_item.get(item, ())
            if (self._bars[i].severity is None or self._bars[i].severity == severity)
            and all_hold(self._bars[i].conditions, values)
        )

    def list_hits(
        self, list_type: str, scenario: str, on: dt.date, checker_sector: str | None = None
    ) -> list[TriggerHit]:
        """(measure, trigger) for each measure a member of ``list_type`` meets in
        ``scenario`` on ``on``: the list triggers of the measure versions in force that bind
        the checking department's sector."""
        if list_type not in self._list_versions:
            raise NotFound(f"unknown list type {list_type!r}", f"没有名单类型“{list_type}”")
        self._check_scenario(scenario)
        return [
            h
            for h in self._list_hits.get((list_type, scenario), ())
            if h.measure.in_force(on) and _binds(h.trigger, checker_sector)
        ]


def _binds(trigger: Trigger, checker_sector: str | None) -> bool:
    return (
        not trigger.checker_sectors
        or checker_sector is None
        or (checker_sector in trigger.checker_sectors)
    )


def load_sanctions(
    extra_dirs: Sequence[Path] = (), catalogue: Catalogue | None = None
) -> SanctionsCatalogue:
    """Load the national list types, measures and scenarios plus each local supplementary
    directory in ``extra_dirs``. Items and sectors are checked against ``catalogue`` (by
    default the item catalogue loaded with the same ``extra_dirs``)."""
    cat = catalogue if catalogue is not None else load_catalogue(extra_dirs)
    found = sources(extra_dirs, FILES, FOLDERS)
    builder = Builder(cat)
    order = {"scenarios": 0, "list_type": 1, "measures": 2, "commitment_bars": 3}
    # national files first, so that a clash is reported on the local file
    for kind, src in sorted(found, key=lambda ks: (order[ks[0]], ks[1].local, ks[1].label)):
        builder.add(kind, src)
    if not builder.scenarios:
        raise ConfigurationError(
            f"no {SCENARIOS_FILE} found in the national catalogue",
            f"缺少应用场景文件 {SCENARIOS_FILE}",
        )
    builder.check_lists()
    builder.check_measures()
    builder.check_bars()

    return SanctionsCatalogue(
        snapshot=snapshot(found),
        scenarios={c: sc for c, (sc, _) in builder.scenarios.items()},
        list_types=[e.obj for es in builder.lists.values() for e in es],
        measures=[e.obj for es in builder.measures.values() for e in es],
        items=[i.code for i in cat.items()],
        bars=[b for b, _, _ in builder.bars],
    )
