"""List types, measures, scenarios and commitment bars checked across files and against the
item catalogue (items, fields, code tables, sectors), after ``sanctions_parse`` has read each
file. Refuses, naming file, key path and reason, whatever would let a measure apply without
its legal basis.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence

from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.files import (
    Key,
    Source,
    check_codes,
    check_condition,
    error,
    key_path,
    parse,
)
from xinyong.catalog.model import (
    CommitmentBar,
    Condition,
    Duration,
    FieldDef,
    ListKind,
    ListType,
    Measure,
    Scenario,
    Trigger,
)
from xinyong.catalog.sanctions_parse import (
    Entry,
    V,
    parse_bars,
    parse_list_type,
    parse_measures,
    parse_scenarios,
)
from xinyong.kernel.errors import NotFound


def _non_negative(src: Source, key: Key, value: int | None) -> None:
    if value is not None and value < 0:
        raise error(src, key, "must not be negative", "不能为负数")


def _dates(src: Source, key: Key, start: dt.date, until: dt.date | None) -> None:
    if until is not None and until < start:
        raise error(
            src,
            (*key, "effective_until"),
            "effective_until is before effective_from",
            "effective_until（失效日期）早于 effective_from（生效日期）",
        )


def _texts(src: Source, key: Key, texts: Sequence[str], en: str, zh: str) -> None:
    if not texts:
        raise error(src, key, en, zh)
    for j, text in enumerate(texts):
        if not text.strip():
            raise error(src, (*key, j), "may not be empty", "不能为空")


class Builder:
    def __init__(self, catalogue: Catalogue) -> None:
        self.cat = catalogue
        self.scenarios: dict[str, tuple[Scenario, Source]] = {}
        self.lists: dict[str, list[Entry[ListType]]] = {}
        self.measures: dict[str, list[Entry[Measure]]] = {}
        self.bars: list[tuple[CommitmentBar, Source, Key]] = []

    def _condition(
        self, src: Source, key: Key, fields: Mapping[str, FieldDef], cond: Condition
    ) -> None:
        check_condition(
            src,
            key,
            fields,
            cond,
            lambda table: {v.code for v in self.cat.code_table(table).values},
        )

    def add(self, kind: str, src: Source) -> None:
        body = parse(src, kind)
        if kind == "commitment_bars":
            for bar, key in parse_bars(src, body):
                self.bars.append((bar, src, key))
        elif kind == "scenarios":
            for sc, key in parse_scenarios(src, body):
                if sc.code in self.scenarios:
                    other = self.scenarios[sc.code][1]
                    raise error(
                        src,
                        (*key, "code"),
                        f"scenario {sc.code!r} is already defined in {other.path}",
                        f"应用场景“{sc.code}”已在 {other.path} 中定义，不能重复定义",
                    )
                self.scenarios[sc.code] = (sc, src)
        elif kind == "list_type":
            for le in parse_list_type(src, body):
                self.lists.setdefault(le.obj.code, []).append(le)
        else:
            for me in parse_measures(src, body):
                self.measures.setdefault(me.obj.code, []).append(me)

    # 告知承诺 bars

    def check_bars(self) -> None:
        seen: dict[tuple[str, str], Source] = {}
        for bar, src, k in self.bars:
            if (bar.code, bar.version) in seen:
                raise error(
                    src,
                    (*k, "code"),
                    f"bar {bar.code} version {bar.version} is already defined in "
                    f"{seen[(bar.code, bar.version)].path}",
                    f"不适用情形 {bar.code} 的版本“{bar.version}”已在 "
                    f"{seen[(bar.code, bar.version)].path} 中定义",
                )
            seen[(bar.code, bar.version)] = src
            if not bar.legal_basis:
                raise error(
                    src,
                    (*k, "legal_basis"),
                    "a bar needs a legal basis",
                    "不适用告知承诺的情形须注明依据（legal_basis）",
                )
            if not bar.reason.strip():
                raise error(src, (*k, "reason"), "may not be empty", "不能为空")
            _dates(src, k, bar.effective_from, bar.effective_until)
            if bool(bar.list_kinds) == (bar.item is not None):
                raise error(
                    src,
                    k,
                    "a bar names either list_kinds or an item",
                    "每项须且只能填写 list_kinds（名单性质）或 item（信息项）之一",
                )
            if bar.item is None:
                continue
            try:
                versions = self.cat.item_versions(bar.item)
            except NotFound:
                raise error(
                    src, (*k, "item"), f"unknown item {bar.item!r}", f"信息项“{bar.item}”不存在"
                ) from None
            fields = {f.code: f for iv in versions for f in iv.fields}
            for c, cond in enumerate(bar.conditions):
                self._condition(src, (*k, "conditions", c), fields, cond)
            if bar.start_field is not None and (
                bar.start_field not in fields or fields[bar.start_field].type != "date"
            ):
                raise error(
                    src,
                    (*k, "start_field"),
                    f"item {bar.item} has no date field {bar.start_field!r}",
                    f"信息项 {bar.item} 中没有日期字段“{bar.start_field}”",
                )
            if bar.months is None and not bar.while_published:
                raise error(
                    src,
                    (*k, "months"),
                    "a record bar runs while_published or for months",
                    "信息项情形须写明 while_published（公示期间）或 months（月数）",
                )
            _non_negative(src, (*k, "months"), bar.months)

    # list types

    def check_lists(self) -> None:
        for entries in self.lists.values():
            for e in entries:
                self._check_list(e.obj, e.src, e.key)
            first = entries[0]
            for e in entries[1:]:
                if e.obj.kind != first.obj.kind:
                    raise error(
                        e.src,
                        (*e.key, "kind"),
                        f"kind differs from version {first.obj.version!r} in {first.src.path}",
                        f"名单性质与 {first.src.path} 中版本“{first.obj.version}”不同；"
                        "性质改变时请另设名单类型代码",
                    )
            _check_overlap(entries, "list type", "名单类型")

    def _check_list(self, v: ListType, src: Source, k: Key) -> None:
        if not v.legal_basis:
            raise error(
                src,
                (*k, "legal_basis"),
                "a list type needs a legal basis; without one it is refused",
                "名单类型须注明设立依据（legal_basis），无依据的名单不予加载",
            )
        _texts(
            src,
            (*k, "entry_criteria"),
            v.entry_criteria,
            "list the entry criteria",
            "须列出列入条件（entry_criteria）",
        )
        if not v.deciding_authority.strip():
            raise error(src, (*k, "deciding_authority"), "may not be empty", "认定机关不能为空")
        if not v.subject_types:
            raise error(
                src, (*k, "subject_types"), "list the subject types", "须列出适用的主体类型"
            )
        if v.sector not in self.cat.sectors:
            raise error(
                src, (*k, "sector"), f"unknown sector {v.sector!r}", f"行业领域“{v.sector}”不存在"
            )
        _dates(src, k, v.effective_from, v.effective_until)
        for name in (
            "statement_window_working_days",
            "decision_deadline_working_days",
            "publication_deadline_working_days",
            "objection_window_days",
            "exit_processing_working_days",
            "revocation_deadline_working_days",
        ):
            _non_negative(src, (*k, name), getattr(v, name))
        if v.period_months is not None and v.period_months < 1:
            raise error(
                src,
                (*k, "period_months"),
                "the period must be at least 1 month (null = no fixed period)",
                "期限至少为1个月（无固定期限请写 null）",
            )
        if v.statement_window_working_days is not None and not v.notice_required:
            raise error(
                src,
                (*k, "statement_window_working_days"),
                "a statement window needs notice_required: true",
                "设有陈述申辩期限时，notice_required 须为 true",
            )
        if v.permanent:
            for name, bad in (
                ("period_months", v.period_months is not None),
                ("automatic_exit", v.automatic_exit),
                ("period_by_decision", v.period_by_decision),
            ):
                if bad:
                    raise error(
                        src,
                        (*k, name),
                        f"a permanent list cannot have {name}",
                        f"永久名单（permanent: true）不能设置 {name}",
                    )
        if v.automatic_exit and v.period_months is None and not v.period_by_decision:
            raise error(
                src,
                (*k, "automatic_exit"),
                "automatic exit needs a period (period_months or period_by_decision)",
                "到期自动移出须有期限（period_months 或 period_by_decision）",
            )
        if v.extension is not None:
            x, xk = v.extension, (*k, "extension")
            if v.period_months is None:
                raise error(src, xk, "only a fixed period can be extended", "只有固定期限才能延长")
            _non_negative(src, (*xk, "min_months"), x.min_months)
            if x.max_months < 1:
                raise error(src, (*xk, "max_months"), "must be at least 1", "至少为1个月")
            if x.min_months is not None and x.min_months > x.max_months:
                raise error(
                    src,
                    (*xk, "min_months"),
                    "min_months is greater than max_months",
                    "最短延长期大于最长延长期",
                )
        self._check_early_exit(v, src, (*k, "early_exit"))
        if v.linked_item is not None:
            self._check_linked_item(v, v.linked_item, src, k)
            for name in ("record_exit_field", "record_start_field"):
                value = getattr(v, name)
                if value is not None and not any(
                    f.code == value and f.type == "date"
                    for iv in self.cat.item_versions(v.linked_item)
                    for f in iv.fields
                ):
                    raise error(
                        src,
                        (*k, name),
                        f"item {v.linked_item} has no date field {value!r}",
                        f"信息项 {v.linked_item} 中没有日期字段“{value}”",
                    )
        elif v.from_records or v.record_exit_field is not None or v.record_start_field:
            raise error(
                src,
                (*k, "from_records"),
                "from_records needs linked_item",
                "名单由信息项记录生成（from_records）时须填写 linked_item",
            )
        elif v.linked_item_match:
            raise error(
                src,
                (*k, "linked_item_match"),
                "linked_item_match needs linked_item",
                "填写 linked_item_match 时须同时填写 linked_item",
            )

    def _check_early_exit(self, v: ListType, src: Source, xk: Key) -> None:
        x = v.early_exit
        if x is None:
            return
        _texts(
            src,
            (*xk, "conditions"),
            x.conditions,
            "list the early-exit conditions",
            "须列出提前移出条件（conditions）",
        )
        for name in (
            "min_months",
            "acceptance_deadline_working_days",
            "decision_deadline_working_days",
            "decision_extension_working_days",
            "stop_publication_working_days",
        ):
            _non_negative(src, (*xk, name), getattr(x, name))
        if (
            x.min_months is not None
            and v.period_months is not None
            and x.min_months > v.period_months
        ):
            raise error(
                src,
                (*xk, "min_months"),
                f"early exit after {x.min_months} months is later than the period "
                f"({v.period_months} months)",
                f"提前移出的最短期限 {x.min_months} 个月长于名单期限 {v.period_months} 个月",
            )

    def _check_linked_item(self, v: ListType, item: str, src: Source, k: Key) -> None:
        try:
            versions = self.cat.item_versions(item)
        except NotFound:
            raise error(
                src, (*k, "linked_item"), f"unknown item {item!r}", f"信息项“{item}”不存在"
            ) from None
        for field_code, values in v.linked_item_match.items():
            mk: Key = (*k, "linked_item_match", field_code)
            defs = [f for iv in versions for f in iv.fields if f.code == field_code]
            if not defs:
                raise error(
                    src,
                    mk,
                    f"item {v.linked_item} has no field {field_code!r}",
                    f"信息项 {v.linked_item} 中没有字段“{field_code}”",
                )
            for f in defs:
                if f.code_table is None:
                    continue
                allowed = {cv.code for cv in self.cat.code_table(f.code_table).values}
                check_codes(src, mk, f, values, allowed)

    # measures

    def check_measures(self) -> None:
        for entries in self.measures.values():
            for e in entries:
                self._check_measure(e.obj, e.src, e.key)
            _check_overlap(entries, "measure", "措施")

    def _list_kind(self, code: str) -> ListKind | None:
        entries = self.lists.get(code)
        return entries[0].obj.kind if entries else None

    def _check_measure(self, m: Measure, src: Source, k: Key) -> None:
        if not m.legal_basis:
            raise error(
                src,
                (*k, "legal_basis"),
                f"measure {m.code} has no legal basis; a measure without one is refused",
                f"措施 {m.code} 没有法律依据（legal_basis），无依据的措施不予加载",
            )
        for name in ("name", "content", "implementing_department", "version"):
            if not str(getattr(m, name)).strip():
                raise error(src, (*k, name), "may not be empty", "不能为空")
        _dates(src, k, m.effective_from, m.effective_until)
        if not m.targets:
            raise error(src, (*k, "targets"), "list the targets", "须列出措施对象（targets）")
        if len(set(m.targets)) != len(m.targets):
            raise error(src, (*k, "targets"), "a target is listed twice", "措施对象重复")
        if m.kind == "incentive":
            if m.blocks_commitment:
                raise error(
                    src,
                    (*k, "blocks_commitment"),
                    "an incentive cannot block the commitment system",
                    "激励措施不能设置 blocks_commitment",
                )
        elif m.measure_class is None:
            raise error(
                src,
                (*k, "measure_class"),
                "state the class (1, 2 or 3) of a punishment or management measure",
                "惩戒或管理措施须注明类别 measure_class（1 减损权益或增加义务、2 管理措施、3 其他组织实施）",
            )
        self._check_triggers(m, src, k)
        if not m.scenarios:
            raise error(src, (*k, "scenarios"), "list the scenarios", "须列出应用场景（scenarios）")
        for j, sc in enumerate(m.scenarios):
            if sc not in self.scenarios:
                raise error(
                    src,
                    (*k, "scenarios", j),
                    f"unknown scenario {sc!r}",
                    f"应用场景“{sc}”不存在（见 scenarios.yaml）",
                )
        if len(set(m.scenarios)) != len(m.scenarios):
            raise error(src, (*k, "scenarios"), "a scenario is listed twice", "应用场景重复")
        self._check_duration(m, src, (*k, "duration"))
        self._check_conditions_by(m, src, k)

    def _check_conditions_by(self, m: Measure, src: Source, k: Key) -> None:
        for role, texts in m.role_conditions.items():
            rk: Key = (*k, "role_conditions", role)
            if role not in m.targets or role == "subject":
                raise error(
                    src,
                    rk,
                    f"{role!r} is not a target role of {m.code}",
                    f"“{role}”不是本措施的对象角色（targets 中的关联人员角色）",
                )
            _texts(src, rk, texts, "list the conditions", "须列出须核实的条件")
        for scenario, texts in m.scenario_conditions.items():
            sk: Key = (*k, "scenario_conditions", scenario)
            if scenario not in m.scenarios:
                raise error(
                    src,
                    sk,
                    f"{scenario!r} is not a scenario of {m.code}",
                    f"“{scenario}”不是本措施的应用场景",
                )
            _texts(src, sk, texts, "list the conditions", "须列出须核实的条件")
        if m.needs_commitment and m.kind != "incentive":
            raise error(
                src,
                (*k, "needs_commitment"),
                "needs_commitment applies to incentives",
                "needs_commitment 只适用于激励措施",
            )

    def _check_triggers(self, m: Measure, src: Source, k: Key) -> None:
        if not m.triggers:
            raise error(
                src,
                (*k, "triggers"),
                "list what triggers the measure (list types or record classes)",
                "须列出触发条件（triggers：名单类型或信息类别）",
            )
        seen: set[str] = set()
        for j, t in enumerate(m.triggers):
            tk: Key = (*k, "triggers", j)
            ident = t.model_dump_json(exclude={"note", "ground"})
            if ident in seen:
                raise error(src, tk, "the same trigger is listed twice", "触发条件重复")
            seen.add(ident)
            if (t.list_type is None) == (t.item is None):
                raise error(
                    src,
                    tk,
                    "a trigger names either a list_type or an item, not both or neither",
                    "每个触发条件须且只能填写 list_type（名单类型）或 item（信息项）之一",
                )
            for v, text in enumerate(t.to_verify):
                if not text.strip():
                    raise error(src, (*tk, "to_verify", v), "may not be empty", "不能为空")
            if t.duration is not None:
                self._check_duration_value(m, t.duration, src, (*tk, "duration"))
            for s_, sector in enumerate(t.checker_sectors):
                if sector not in self.cat.sectors:
                    raise error(
                        src,
                        (*tk, "checker_sectors", s_),
                        f"unknown sector {sector!r}",
                        f"行业领域“{sector}”不存在",
                    )
            if t.list_type is not None and (t.decided_from or t.decided_until):
                raise error(
                    src,
                    tk,
                    "decided_from/decided_until apply to record triggers only",
                    "decided_from、decided_until 只适用于信息项触发条件",
                )
            if t.decided_from and t.decided_until and t.decided_until < t.decided_from:
                raise error(
                    src,
                    (*tk, "decided_until"),
                    "decided_until is before decided_from",
                    "decided_until 早于 decided_from",
                )
            if t.list_type is not None:
                if t.severity is not None or t.sectors or t.conditions:
                    raise error(
                        src,
                        tk,
                        "severity, sectors and conditions apply to record triggers (item) only",
                        "severity、sectors、conditions 只适用于信息项触发条件（item）",
                    )
                kind = self._list_kind(t.list_type)
                if kind is None:
                    raise error(
                        src,
                        (*tk, "list_type"),
                        f"unknown list type {t.list_type!r}",
                        f"名单类型“{t.list_type}”不存在",
                    )
                if (m.kind == "incentive") != (kind == "red"):
                    raise error(
                        src,
                        (*tk, "list_type"),
                        f"a {m.kind} measure cannot be triggered by a {kind} list",
                        "激励措施只能由守信激励（red）名单触发，惩戒和管理措施不能由守信激励名单触发",
                    )
            elif t.item is not None:
                self._check_record_trigger(m, t, t.item, src, tk)

    def _check_record_trigger(
        self, m: Measure, t: Trigger, item: str, src: Source, tk: Key
    ) -> None:
        if m.kind == "incentive":
            raise error(
                src,
                tk,
                "an incentive is triggered by red list types only",
                "激励措施只能由守信激励（red）名单触发",
            )
        try:
            versions = self.cat.item_versions(item)
        except NotFound:
            raise error(
                src, (*tk, "item"), f"unknown item {item!r}", f"信息项“{item}”不存在"
            ) from None
        # A record trigger names what its basis requires of the record; an item alone
        # (every penalty) would apply a measure to records its basis does not cover.
        if not t.conditions:
            raise error(
                src,
                (*tk, "conditions"),
                "a record trigger needs conditions over the record's fields (penalty kinds, "
                "provision cited, amount …) that its basis names; a measure whose conditions "
                "no field can decide is triggered through a list",
                "信息项触发条件须列出措施依据所要求的记录字段条件（conditions：处罚类别、"
                "处罚依据条款、罚款金额等）；无法由数据判断的措施只能由名单触发",
            )
        fields = {f.code: f for iv in versions for f in iv.fields}
        for c, cond in enumerate(t.conditions):
            self._condition(src, (*tk, "conditions", c), fields, cond)
        for s_, sector in enumerate(t.sectors):
            if sector not in self.cat.sectors:
                raise error(
                    src,
                    (*tk, "sectors", s_),
                    f"unknown sector {sector!r}",
                    f"行业领域“{sector}”不存在",
                )

    def _check_duration(self, m: Measure, src: Source, dk: Key) -> None:
        self._check_duration_value(m, m.duration, src, dk)
        for j, t in enumerate(m.triggers):
            d = t.duration or m.duration
            key: Key = (*dk[:-1], "triggers", j, "duration") if t.duration else (*dk, "type")
            if d.type == "while_listed" and t.list_type is None:
                raise error(
                    src,
                    key,
                    "while_listed applies to list triggers only",
                    "while_listed（名单期间）只适用于名单类型触发条件",
                )
            if d.type == "while_published" and t.item is None:
                raise error(
                    src,
                    key,
                    "while_published applies to record triggers (item) only",
                    "while_published（公示期间）只适用于信息项触发条件",
                )
            if d.term_field is not None:
                self._check_term_field(d, t, src, key)

    def _check_term_field(self, d: Duration, t: Trigger, src: Source, key: Key) -> None:
        tk: Key = (*key[:-1], "term_field") if key[-1] == "type" else (*key, "term_field")
        if d.type != "by_decision" or t.item is None:
            raise error(
                src,
                tk,
                "term_field applies to by_decision record triggers only",
                "term_field 只适用于由决定确定期限（by_decision）的信息项触发条件",
            )
        fields = {f.code: f for iv in self.cat.item_versions(t.item) for f in iv.fields}
        f = fields.get(d.term_field or "")
        if f is None or f.type != "date":
            raise error(
                src,
                tk,
                f"item {t.item} has no date field {d.term_field!r}",
                f"信息项 {t.item} 中没有日期字段“{d.term_field}”",
            )

    def _check_duration_value(self, m: Measure, d: Duration, src: Source, dk: Key) -> None:
        for name in ("months", "min_months", "max_months"):
            _non_negative(src, (*dk, name), getattr(d, name))
        if d.type == "fixed_months":
            if d.months is None or d.months < 1:
                raise error(
                    src,
                    (*dk, "months"),
                    "fixed_months needs months (at least 1)",
                    "fixed_months 须填写月数 months（至少1个月）",
                )
            if d.min_months is not None or d.max_months is not None:
                raise error(
                    src,
                    dk,
                    "fixed_months takes months only",
                    "fixed_months 只填写 months，不填写 min_months/max_months",
                )
            return
        if d.months is not None:
            raise error(
                src, (*dk, "months"), f"{d.type} takes no months", f"{d.type} 不填写 months"
            )
        if d.type == "by_decision":
            if (
                d.min_months is not None
                and d.max_months is not None
                and d.min_months > d.max_months
            ):
                raise error(
                    src,
                    (*dk, "min_months"),
                    "min_months is greater than max_months",
                    "最短期限大于最长期限",
                )
            return
        if d.min_months is not None or d.max_months is not None:
            raise error(
                src, dk, f"{d.type} takes no month range", f"{d.type} 不填写 min_months/max_months"
            )


def _check_overlap(entries: Sequence[Entry[V]], what_en: str, what_zh: str) -> None:
    ordered = sorted(entries, key=lambda e: e.obj.effective_from)
    for prev, cur in itertools.pairwise(ordered):
        until = prev.obj.effective_until
        if until is None or until >= cur.obj.effective_from:
            bad: Entry[V]
            other: Entry[V]
            bad, other = (prev, cur) if prev.src.local and not cur.src.local else (cur, prev)
            hint = "；地方补充目录不能重新定义国家目录已有的版本" if bad.src.local else ""
            raise error(
                bad.src,
                (*bad.key, "effective_from"),
                f"version {bad.obj.version!r} of {what_en} {bad.obj.code} overlaps version "
                f"{other.obj.version!r} in {other.src.path} ({key_path(other.key)}); "
                "a code may be defined only once for any date",
                f"{what_zh} {bad.obj.code} 的版本“{bad.obj.version}”与 {other.src.path}"
                f"（{key_path(other.key)}）中的版本“{other.obj.version}”生效期重叠"
                f"（代码重复）{hint}",
            )
