"""Load the catalogue data files and refuse any file that is not right.

Layout of a catalogue directory (the national one ships in ``catalog/data/national``; a
deployment's 地方补充目录 uses the same layout under ``XINYONG_LOCAL_CATALOG_DIR``)::

    items/*.yaml        kind: item        one information item, one or more versions
    code_tables/*.yaml  kind: code_table  one code table
    policies/*.yaml     kind: policy      one publication policy (regime)
    headers/*.yaml      kind: header_set  one known historical column layout of an item
    sectors.yaml        kind: sectors     department sectors

Every file starts with ``schema: xinyong.catalog/v1`` and its ``kind``. Other files and
folders (``calendar/``, README files) are not read here. A bad file stops the load with a
:class:`ConfigurationError` naming the file, the key path (``versions[0].fields[3].code``)
and the reason, in Chinese and English (``files``). The query object is ``catalogue.Catalogue``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xinyong.catalog.catalogue import CATEGORY_TABLE, Catalogue, normalise_header
from xinyong.catalog.files import (
    CODE_TYPES,
    Key,
    Source,
    check_code,
    check_codes,
    check_condition,
    error,
    key_path,
    parse,
    reject_loader_keys,
    snapshot,
    sources,
    validate,
)
from xinyong.catalog.model import (
    CodeTable,
    FieldDef,
    HeaderSet,
    ItemVersion,
    Nature,
    PublicationPolicy,
    Sector,
    Severity,
    SeverityRule,
)

_KIND_DIRS = {
    "code_tables": "code_table",
    "items": "item",
    "headers": "header_set",
    "policies": "policy",
}
_FILES = {"sectors.yaml": "sectors"}


# -- parsing each kind --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ItemEntry:
    version: ItemVersion
    src: Source
    index: int  # position in the file's versions list

    @property
    def key(self) -> Key:
        return ("versions", self.index)


def _parse_item(src: Source, body: dict[str, Any]) -> list[_ItemEntry]:
    for k in body:
        if k not in ("code", "versions"):
            raise error(
                src,
                str(k),
                "unknown key (allowed: code, versions)",
                "不认识的键（允许：code、versions）",
            )
    code = check_code(src, "code", body.get("code"), "item", "信息项")
    versions = body.get("versions")
    if not isinstance(versions, list) or not versions:
        raise error(src, "versions", "must be a non-empty list of versions", "应为非空的版本列表")
    out: list[_ItemEntry] = []
    for i, raw in enumerate(versions):
        if not isinstance(raw, dict):
            raise error(src, ("versions", i), "a version must be a mapping", "每个版本应为键值映射")
        reject_loader_keys(src, raw, ("versions", i))
        if raw.get("code", code) != code:
            raise error(
                src,
                ("versions", i, "code"),
                f"version code {raw['code']!r} differs from the file's item code {code!r}",
                f"版本的代码 {raw['code']!r} 与文件的信息项代码 {code} 不一致",
            )
        data = {**raw, "code": code, "local": src.local, "source_file": src.label}
        out.append(_ItemEntry(validate(ItemVersion, data, src, ("versions", i)), src, i))
    return out


def _parse_policy(src: Source, body: dict[str, Any]) -> PublicationPolicy:
    reject_loader_keys(src, body, ())
    data = {**body, "local": src.local, "source_file": src.label}
    return validate(PublicationPolicy, data, src, ())


def _parse_sectors(src: Source, body: dict[str, Any]) -> list[Sector]:
    for k in body:
        if k != "sectors":
            raise error(
                src, str(k), "unknown key (allowed: sectors)", "不认识的键（允许：sectors）"
            )
    rows = body.get("sectors")
    if not isinstance(rows, list) or not rows:
        raise error(src, "sectors", "must be a non-empty list", "应为非空列表")
    return [validate(Sector, row, src, ("sectors", i)) for i, row in enumerate(rows)]


# -- checking across files ----------------------------------------------------------------


class _Builder:
    def __init__(self) -> None:
        self.tables: dict[str, tuple[CodeTable, Source]] = {}
        self.sectors: dict[str, tuple[Sector, Source]] = {}
        self.items: dict[str, list[_ItemEntry]] = {}
        self.header_sets: list[tuple[HeaderSet, Source]] = []
        self.policies: list[tuple[PublicationPolicy, Source]] = []

    # parse stage: per file

    def add(self, kind: str, src: Source) -> None:
        body = parse(src, kind)
        if kind == "code_table":
            reject_loader_keys(src, body, ())
            table = validate(CodeTable, body, src, ())
            if table.code in self.tables:
                other = self.tables[table.code][1]
                raise error(
                    src,
                    "code",
                    f"code table {table.code!r} is already defined in {other.path}",
                    f"代码表“{table.code}”已在 {other.path} 中定义，不能重复定义",
                )
            self.tables[table.code] = (table, src)
        elif kind == "sectors":
            for i, sector in enumerate(_parse_sectors(src, body)):
                if sector.code in self.sectors:
                    other = self.sectors[sector.code][1]
                    raise error(
                        src,
                        ("sectors", i, "code"),
                        f"sector {sector.code!r} is already defined in {other.path}",
                        f"行业领域“{sector.code}”已在 {other.path} 中定义",
                    )
                self.sectors[sector.code] = (sector, src)
        elif kind == "item":
            for entry in _parse_item(src, body):
                self.items.setdefault(entry.version.code, []).append(entry)
        elif kind == "header_set":
            self.header_sets.append((validate(HeaderSet, body, src, ()), src))
        else:
            self.policies.append((_parse_policy(src, body), src))

    # check stage: across files

    def check_tables(self) -> None:
        for table, src in self.tables.values():
            if not table.values:
                raise error(
                    src, "values", "a code table needs at least one value", "代码表至少要有一个取值"
                )
            if not table.legal_basis:
                raise error(
                    src,
                    "legal_basis",
                    "a code table needs its source (legal_basis)",
                    "代码表须注明来源（legal_basis）",
                )
            owner: dict[str, int] = {}
            codes: set[str] = set()
            for i, v in enumerate(table.values):
                if not v.code.strip() or not v.label.strip():
                    raise error(
                        src, ("values", i), "code and label may not be empty", "代码和名称不能为空"
                    )
                if v.code in codes:
                    raise error(
                        src,
                        ("values", i, "code"),
                        f"duplicate code {v.code!r}",
                        f"代码“{v.code}”重复",
                    )
                codes.add(v.code)
                if v.valid_from and v.valid_until and v.valid_until < v.valid_from:
                    raise error(
                        src,
                        ("values", i, "valid_until"),
                        "valid_until is before valid_from",
                        "valid_until（停用日期）早于 valid_from（启用日期）",
                    )
                texts: list[tuple[Key, str]] = [
                    (("values", i, "code"), v.code),
                    (("values", i, "label"), v.label),
                ]
                texts += [(("values", i, "aliases", j), a) for j, a in enumerate(v.aliases)]
                for key, text in texts:
                    t = text.strip()
                    if owner.get(t, i) != i:
                        other = table.values[owner[t]]
                        raise error(
                            src,
                            key,
                            f"{t!r} already means value {other.code!r} of this table",
                            f"“{t}”已表示本代码表的取值“{other.code} {other.label}”，"
                            f"不能再表示“{v.code} {v.label}”",
                        )
                    owner[t] = i

    def _table_codes(self, name: str) -> set[str]:
        return {v.code for v in self.tables[name][0].values}

    def _check_codes(self, src: Source, key: Key, f: FieldDef, values: Iterable[str]) -> None:
        if f.type not in CODE_TYPES or f.code_table is None:
            return
        check_codes(src, key, f, values, self._table_codes(f.code_table))

    def check_items(self) -> None:
        categories: set[str] | None = None
        if CATEGORY_TABLE in self.tables:
            categories = {v.label for v in self.tables[CATEGORY_TABLE][0].values}
        for entries in self.items.values():
            for e in entries:
                self._check_version(e, categories)
            ordered = sorted(entries, key=lambda e: e.version.effective_from)
            for prev, cur in itertools.pairwise(ordered):
                until = prev.version.effective_until
                if until is None or until >= cur.version.effective_from:
                    # blame the local file when one of the two is local
                    bad, other = (
                        (prev, cur) if prev.src.local and not cur.src.local else (cur, prev)
                    )
                    hint = "；地方补充目录不能重新定义国家目录已有的版本" if bad.src.local else ""
                    raise error(
                        bad.src,
                        (*bad.key, "effective_from"),
                        f"version {bad.version.version!r} of item {bad.version.code} overlaps "
                        f"version {other.version.version!r} in {other.src.path} "
                        f"({key_path(other.key)})",
                        f"信息项 {bad.version.code} 的版本“{bad.version.version}”与 "
                        f"{other.src.path}（{key_path(other.key)}）中的版本"
                        f"“{other.version.version}”生效期重叠{hint}",
                    )

    def _check_version(self, e: _ItemEntry, categories: set[str] | None) -> None:
        v, src, k = e.version, e.src, e.key
        if not v.legal_basis:
            raise error(
                src,
                (*k, "legal_basis"),
                "an item needs a legal basis",
                "信息项须注明纳入依据（legal_basis）",
            )
        if not v.subject_types:
            raise error(
                src, (*k, "subject_types"), "list the subject types", "须列出适用的主体类型"
            )
        if v.effective_until is not None and v.effective_until < v.effective_from:
            raise error(
                src,
                (*k, "effective_until"),
                "effective_until is before effective_from",
                "effective_until（失效日期）早于 effective_from（生效日期）",
            )
        if categories is not None and v.category not in categories:
            raise error(
                src,
                (*k, "category"),
                f"unknown category {v.category!r}",
                f"目录类别“{v.category}”不在代码表 {CATEGORY_TABLE} 中"
                f"（可用：{'、'.join(sorted(categories))}）",
            )
        if not v.fields:
            raise error(src, (*k, "fields"), "an item needs fields", "信息项至少要有一个字段")
        fields: dict[str, FieldDef] = {}
        for j, f in enumerate(v.fields):
            fk: Key = (*k, "fields", j)
            if f.code in fields:
                raise error(
                    src,
                    (*fk, "code"),
                    f"duplicate field code {f.code!r}",
                    f"字段代码“{f.code}”重复",
                )
            fields[f.code] = f
            self._check_field(src, fk, f)
        for j, f in enumerate(v.fields):
            self._check_field_refs(src, (*k, "fields", j), f, fields)

        def need(key: Key, code: str | None, types: tuple[str, ...] = ()) -> None:
            if code is None:
                return
            if code not in fields:
                raise error(
                    src,
                    key,
                    f"names field {code!r}, which the item does not have",
                    f"引用的字段“{code}”在本信息项中不存在",
                )
            if types and fields[code].type not in types:
                raise error(
                    src,
                    key,
                    f"field {code} must be of type {'/'.join(types)}, not {fields[code].type}",
                    f"字段 {code} 的类型应为 {'/'.join(types)}，实际为 {fields[code].type}",
                )

        if not v.record_key:
            raise error(
                src,
                (*k, "record_key"),
                "record_key may not be empty",
                "record_key（记录标识字段）不能为空",
            )
        for j, code in enumerate(v.record_key):
            need((*k, "record_key", j), code)
        need((*k, "decision_date_field"), v.decision_date_field, ("date",))
        need((*k, "valid_until_field"), v.valid_until_field, ("date",))
        for role in ("number", "reason", "basis", "authority"):
            for j, code in enumerate(getattr(v.display, role)):
                need((*k, "display", role, j), code)
        s = v.subject
        sk: Key = (*k, "subject")
        need((*sk, "name"), s.name)
        need((*sk, "category"), s.category, CODE_TYPES[:1])
        need((*sk, "uscc"), s.uscc, ("uscc",))
        for j, code in enumerate(s.legacy_codes):
            need((*sk, "legacy_codes", j), code)
        need((*sk, "person_id_type"), s.person_id_type, CODE_TYPES[:1])
        need((*sk, "person_id"), s.person_id, ("id_number",))
        need((*sk, "legal_rep_name"), s.legal_rep_name)
        need((*sk, "legal_rep_id_type"), s.legal_rep_id_type, CODE_TYPES[:1])
        need((*sk, "legal_rep_id"), s.legal_rep_id, ("id_number",))
        for j, rel in enumerate(s.relations):
            need((*sk, "relations", j, "name"), rel.name)
            need((*sk, "relations", j, "id_type"), rel.id_type, CODE_TYPES[:1])
            need((*sk, "relations", j, "id"), rel.id, ("id_number",))
        self._check_severity(e, fields)
        if v.publication_deadline_working_days is not None:
            if v.publication_deadline_working_days < 0:
                raise error(
                    src,
                    (*k, "publication_deadline_working_days"),
                    "must not be negative",
                    "不能为负数",
                )
            if not v.publication_deadline_basis:
                raise error(
                    src,
                    (*k, "publication_deadline_basis"),
                    "a publication deadline needs its legal basis",
                    "公示时限须注明依据（publication_deadline_basis）",
                )

    def _check_field(self, src: Source, fk: Key, f: FieldDef) -> None:
        if f.type in CODE_TYPES and f.code_table is None:
            raise error(
                src,
                (*fk, "code_table"),
                f"a {f.type} field needs a code_table",
                f"类型为 {f.type} 的字段须指定代码表 code_table",
            )
        if f.code_table is not None:
            if f.type not in CODE_TYPES:
                raise error(
                    src,
                    (*fk, "code_table"),
                    f"only code/codes fields take a code table, this one is {f.type}",
                    f"只有 code/codes 类型的字段可以指定代码表，本字段类型为 {f.type}",
                )
            if f.code_table not in self.tables:
                raise error(
                    src,
                    (*fk, "code_table"),
                    f"unknown code table {f.code_table!r}",
                    f"代码表“{f.code_table}”不存在",
                )
        if f.max_length is not None and f.max_length < 1:
            raise error(src, (*fk, "max_length"), "must be at least 1", "最大长度至少为1")
        if f.personal and f.public:
            raise error(
                src,
                (*fk, "public"),
                "a personal field may never be public; set public: false",
                "个人信息字段（personal: true）不得公开，须写 public: false",
            )

    def _check_field_refs(
        self, src: Source, fk: Key, f: FieldDef, fields: dict[str, FieldDef]
    ) -> None:
        if f.id_type_field is not None:
            if f.type != "id_number":
                raise error(
                    src,
                    (*fk, "id_type_field"),
                    "only id_number fields take id_type_field",
                    "只有 id_number 类型的字段可以指定证件类型字段",
                )
            other = fields.get(f.id_type_field)
            if other is None or other.type != "code":
                raise error(
                    src,
                    (*fk, "id_type_field"),
                    f"{f.id_type_field!r} is not a code field of this item",
                    f"“{f.id_type_field}”不是本信息项的代码字段",
                )
        for other_code, values in f.required_when.items():
            key: Key = (*fk, "required_when", other_code)
            other = fields.get(other_code)
            if other is None:
                raise error(
                    src,
                    key,
                    f"names field {other_code!r}, which the item does not have",
                    f"引用的字段“{other_code}”在本信息项中不存在",
                )
            self._check_codes(src, key, other, values)

    def _check_severity(self, e: _ItemEntry, fields: dict[str, FieldDef]) -> None:
        self.check_severity_rules(
            e.src, (*e.key, "severity_rules"), e.version.severity_rules, fields
        )

    def check_severity_rules(
        self,
        src: Source,
        key: Key,
        rules: Sequence[SeverityRule],
        fields: Mapping[str, FieldDef],
    ) -> None:
        default_at: int | None = None
        for r, rule in enumerate(rules):
            rk: Key = (*key, r)
            if default_at is not None:
                raise error(
                    src,
                    rk,
                    f"unreachable: rule {default_at} has no condition and matches everything",
                    f"此规则永远不会生效：第{default_at}条规则没有条件，已匹配所有记录",
                )
            for c, cond in enumerate(rule.conditions):
                check_condition(src, (*rk, "conditions", c), fields, cond, self._table_codes)
            for j, sector in enumerate(rule.sectors):
                if sector not in self.sectors:
                    raise error(
                        src,
                        (*rk, "sectors", j),
                        f"unknown sector {sector!r}",
                        f"行业领域“{sector}”不存在",
                    )
            if rule.is_default:
                default_at = r

    def check_header_sets(self) -> None:
        seen: dict[str, Source] = {}
        for hs, src in self.header_sets:
            if hs.code in seen:
                raise error(
                    src,
                    "code",
                    f"header set {hs.code!r} is already defined in {seen[hs.code].path}",
                    f"表头方案“{hs.code}”已在 {seen[hs.code].path} 中定义",
                )
            seen[hs.code] = src
            if hs.item not in self.items:
                raise error(src, "item", f"unknown item {hs.item!r}", f"信息项“{hs.item}”不存在")
            known = {f.code for e in self.items[hs.item] for f in e.version.fields}
            for header, code in hs.columns.items():
                if code not in known:
                    raise error(
                        src,
                        ("columns", header),
                        f"field {code!r} does not exist in item {hs.item}",
                        f"字段“{code}”在信息项 {hs.item} 中不存在",
                    )

    def check_policies(self) -> None:
        seen: dict[str, Source] = {}
        for p, src in self.policies:
            if p.code in seen:
                raise error(
                    src,
                    "code",
                    f"policy {p.code!r} is already defined in {seen[p.code].path}",
                    f"公示政策“{p.code}”已在 {seen[p.code].path} 中定义",
                )
            seen[p.code] = src
            self._check_policy(p, src)
        for i, (p, psrc) in enumerate(self.policies):
            for q, qsrc in self.policies[:i]:
                if _policies_clash(p, q):
                    raise error(
                        psrc,
                        "decisions_from",
                        f"policy {p.code} covers the same items, sectors and decision dates as "
                        f"policy {q.code} in {qsrc.path}; narrow one of them",
                        f"公示政策 {p.code} 与 {qsrc.path} 中的公示政策 {q.code} "
                        "适用的信息项、行业领域和决定日期重叠，无法确定适用哪一个",
                    )

    def _check_policy(self, p: PublicationPolicy, src: Source) -> None:
        if not p.legal_basis:
            raise error(
                src,
                "legal_basis",
                "a policy needs a legal basis",
                "公示政策须注明依据（legal_basis）",
            )
        if p.decisions_from and p.decisions_until and p.decisions_until < p.decisions_from:
            raise error(
                src,
                "decisions_until",
                "decisions_until is before decisions_from",
                "decisions_until 早于 decisions_from",
            )
        for j, sector in enumerate(p.sectors):
            if sector not in self.sectors:
                raise error(
                    src, ("sectors", j), f"unknown sector {sector!r}", f"行业领域“{sector}”不存在"
                )
        for j, code in enumerate(p.items):
            if code not in self.items:
                raise error(src, ("items", j), f"unknown item {code!r}", f"信息项“{code}”不存在")
        for code, rules in p.severity_rules.items():
            entries = self.items.get(code)
            if entries is None:
                raise error(
                    src, ("severity_rules", code), f"unknown item {code!r}", f"信息项“{code}”不存在"
                )
            if p.items and code not in p.items:
                raise error(
                    src,
                    ("severity_rules", code),
                    f"the policy does not govern item {code}",
                    f"本政策不适用于信息项 {code}（不在 items 中）",
                )
            fields = {f.code: f for e in entries for f in e.version.fields}
            self.check_severity_rules(src, ("severity_rules", code), rules, fields)
        for sev in Severity:
            if sev not in p.periods:
                raise error(
                    src,
                    ("periods", sev.value),
                    f"no period for severity {sev.value}",
                    f"缺少“{sev.value}”失信信息的公示期规定"
                    "（每个严重程度都须列出，不公示的写 publish: false）",
                )
        governed = [
            e.version
            for code, entries in self.items.items()
            for e in entries
            if (code in p.items if p.items else e.version.nature is Nature.NEGATIVE)
        ]
        for sev, rule in p.periods.items():
            pk: Key = ("periods", sev.value)
            for name in ("min_months", "max_months"):
                months = getattr(rule, name)
                if months is not None and months < 0:
                    raise error(src, (*pk, name), "must not be negative", "不能为负数")
            if (
                rule.min_months is not None
                and rule.max_months is not None
                and rule.min_months > rule.max_months
            ):
                raise error(
                    src,
                    (*pk, "min_months"),
                    f"min_months {rule.min_months} is greater than max_months {rule.max_months}",
                    f"最短公示期 {rule.min_months} 个月大于最长公示期 {rule.max_months} 个月",
                )
            for field_code, values in rule.unpublished_if_only.items():
                uk: Key = (*pk, "unpublished_if_only", field_code)
                defs = [f for v in governed for f in v.fields if f.code == field_code]
                if not defs:
                    raise error(
                        src,
                        uk,
                        f"no item governed by this policy has field {field_code!r}",
                        f"本政策适用的信息项中没有字段“{field_code}”",
                    )
                for f in defs:
                    self._check_codes(src, uk, f, values)

    def build_header_maps(self) -> dict[str, dict[str, str]]:
        maps: dict[str, dict[str, str]] = {}
        for code, entries in self.items.items():
            hm = _HeaderMap()
            for e in sorted(entries, key=lambda e: e.version.effective_from):
                for j, f in enumerate(e.version.fields):
                    fk: Key = (*e.key, "fields", j)
                    hm.add(f.code, f.code, e.src, (*fk, "code"))
                    hm.add(f.name, f.code, e.src, (*fk, "name"))
                    for a, alias in enumerate(f.aliases):
                        hm.add(alias, f.code, e.src, (*fk, "aliases", a))
            for hs, src in self.header_sets:
                if hs.item == code:
                    for header, field_code in hs.columns.items():
                        hm.add(header, field_code, src, ("columns", header))
            maps[code] = hm.out
        return maps


class _HeaderMap:
    """Header text -> field code of one item, refusing a text that would mean two fields."""

    def __init__(self) -> None:
        self.out: dict[str, str] = {}
        self._origin: dict[str, tuple[str, Source, Key]] = {}

    def add(self, text: str, field_code: str, src: Source, key: Key) -> None:
        stripped = text.strip()
        n = normalise_header(stripped)
        if not n:
            raise error(src, key, "empty header text", "表头文字不能为空")
        prev = self._origin.get(n)
        if prev is not None and prev[0] != field_code:
            where = f"{prev[1].path} {key_path(prev[2])}"
            raise error(
                src,
                key,
                f"header {stripped!r} would mean both {prev[0]} and {field_code} (also at {where})",
                f"表头“{stripped}”同时对应字段 {prev[0]} 和 {field_code}（另见 {where}），"
                "请删除其中一处",
            )
        self._origin.setdefault(n, (field_code, src, key))
        self.out[stripped] = field_code
        self.out[n] = field_code


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return (not a and not b) or bool(set(a) & set(b))


def _policies_clash(p: PublicationPolicy, q: PublicationPolicy) -> bool:
    if bool(p.sectors) != bool(q.sectors) or bool(p.items) != bool(q.items):
        return False  # different specificity: the more specific one wins
    if not _overlap(p.sectors, q.sectors) or not _overlap(p.items, q.items):
        return False
    lo = max(p.decisions_from or dt.date.min, q.decisions_from or dt.date.min)
    hi = min(p.decisions_until or dt.date.max, q.decisions_until or dt.date.max)
    return lo <= hi


def load_catalogue(extra_dirs: Sequence[Path] = ()) -> Catalogue:
    """Load the national catalogue plus each local supplementary directory in ``extra_dirs``."""
    found = sources(extra_dirs, _FILES, _KIND_DIRS)
    builder = _Builder()
    order = {"sectors": 0, "code_table": 1, "item": 2, "header_set": 3, "policy": 4}
    # national files first, so that a clash is reported on the local file
    for kind, src in sorted(found, key=lambda ks: (order[ks[0]], ks[1].local, ks[1].label)):
        builder.add(kind, src)
    builder.check_tables()
    builder.check_items()
    builder.check_header_sets()
    builder.check_policies()
    header_maps = builder.build_header_maps()

    header_sets: dict[str, list[HeaderSet]] = {}
    for hs, _ in builder.header_sets:
        header_sets.setdefault(hs.item, []).append(hs)
    return Catalogue(
        snapshot=snapshot(found),
        versions={c: [e.version for e in es] for c, es in builder.items.items()},
        tables={c: t for c, (t, _) in builder.tables.items()},
        policies=[p for p, _ in builder.policies],
        header_sets=header_sets,
        header_maps=header_maps,
        sectors={c: s for c, (s, _) in builder.sectors.items()},
    )
