"""Map a raw table's columns to catalogue fields and validate every row, field by field.

Pure: no I/O. Every problem names row, field, value and reason (Chinese for the department,
English for logs); a row with any error is rejected whole, other rows are unaffected.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.model import FieldDef, ItemVersion, SubjectType
from xinyong.identity.model import Related
from xinyong.identity.pii import PiiVault
from xinyong.identity.resolve import RESIDENT_ID_TYPES, other_certificate_key
from xinyong.identity.ric import check_resident_id, mask_person_name, mask_resident_id
from xinyong.identity.uscc import check_uscc
from xinyong.ingest.readers import RawRow, RawTable
from xinyong.kernel.errors import FieldProblem, InputError, clip_echo
from xinyong.kernel.parse import (
    ParseError,
    normalise_text,
    parse_amount_wan,
    parse_date,
    parse_registered_capital,
)

_SPLIT = re.compile(r"[,，;；、|]")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_LEGACY_CODE = re.compile(r"^[0-9A-Za-z\-]{1,32}$")
_EARLIEST = dt.date(1949, 10, 1)


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    item: ItemVersion
    columns: tuple[tuple[int, FieldDef], ...]  # (column index in the file, field)
    ignored: tuple[str, ...]  # headers that map to no field (reported, not fatal)


@dataclass(slots=True)
class ValidRow:
    number: int
    subject_key: str
    subject_kind: str  # organisation | individual_business | person
    subject_name: str  # clear name (for persons kept only in the sealed part)
    record_key: str
    decision_date: dt.date | None
    values: dict[str, str]  # canonical values; personal ones masked
    personal: dict[str, str]  # other clear personal values of the record (sealed with it)
    digests: dict[str, str]  # keyed digests of personal values (for hashing and matching)
    valid_until: dt.date | None
    division_code: str | None
    related: list[Related]  # legal representative, principal, actual controller
    subject_id_number: str | None = None  # clear, in memory only: sealed on the subject
    warnings: list[FieldProblem] = field(default_factory=list)


def _hdr_key(text: str) -> str:
    return normalise_text(text).replace("（", "(").replace("）", ")").replace(" ", "").upper()


def plan_columns(table: RawTable, catalogue: Catalogue, item_code: str | None) -> ColumnPlan:
    """Choose the item (given, or the best match of the headers) and map its columns."""
    if item_code is not None:
        item = catalogue.item(item_code)
        return _plan_for(table, catalogue, item, strict=True)
    scored: list[tuple[int, ColumnPlan]] = []
    for candidate in catalogue.items():
        try:
            plan = _plan_for(table, catalogue, candidate, strict=True)
        except InputError:
            continue
        if plan.columns:
            scored.append((len(plan.columns), plan))
    scored.sort(key=lambda sp: -sp[0])
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        names = "、".join(f"{p.item.code} {p.item.name}" for s, p in scored if s == scored[0][0])
        raise InputError(
            "the columns fit several catalogue items equally well",
            f"表头同样符合多个目录信息项（{names}），请用 --item 指定",
        )
    best = scored[0] if scored else None
    if best is None:
        raise InputError(
            "could not recognise the file's columns as any catalogue item",
            "无法根据表头识别信息类别，请用 --item 指定目录信息项（如 XZCF 行政处罚、XZXK 行政许可）",
        )
    return best[1]


def _plan_for(
    table: RawTable, catalogue: Catalogue, item: ItemVersion, *, strict: bool
) -> ColumnPlan:
    header_map = {_hdr_key(k): v for k, v in catalogue.header_map(item.code).items()}
    fields = {f.code: f for f in item.fields}
    used: dict[str, int] = {}
    columns: list[tuple[int, FieldDef]] = []
    ignored: list[str] = []
    for idx, header in enumerate(table.headers):
        code = header_map.get(_hdr_key(header))
        if code is None or code not in fields:
            ignored.append(header)
            continue
        if code in used:
            first = table.headers[used[code]]
            raise InputError(
                f"columns {used[code] + 1} and {idx + 1} both map to {code}",
                f"第{used[code] + 1}列“{clip_echo(first, 60)}”与第{idx + 1}列"
                f"“{clip_echo(header, 60)}”都对应字段"
                f"“{fields[code].name}（{code}）”，请删除其中一列",
            )
        used[code] = idx
        columns.append((idx, fields[code]))
    missing = [f for f in item.fields if f.required and f.code not in used]
    if strict and missing:
        names = "、".join(f"{f.name}（{f.code}）" for f in missing)
        raise InputError(
            f"missing required columns for {item.code}: {', '.join(f.code for f in missing)}",
            f"文件缺少“{item.name}”的必填列：{names}",
        )
    return ColumnPlan(item=item, columns=tuple(columns), ignored=tuple(ignored))


def _is_formula_like(value: str) -> bool:
    if not value:
        return False
    first = value[0]
    if first in "=@\t\r":
        return True
    return first in "+-" and not _NUMBER.match(value)


def _clipped(problem: FieldProblem, limit: int) -> FieldProblem:
    if len(problem.value) <= limit:
        return problem
    return dataclasses.replace(problem, value=clip_echo(problem.value, limit))


class RowValidator:
    """Validates rows of one plan. Holds per-import caches; not shared across threads."""

    def __init__(
        self,
        plan: ColumnPlan,
        catalogue: Catalogue,
        vault: PiiVault,
        received_on: dt.date,
        sector: str | None = None,
        *,
        max_echo_chars: int = 200,
    ) -> None:
        self.plan = plan
        self.max_echo_chars = max_echo_chars
        # The submitting department's; the severity class it selects is derived with the
        # entry (publication.derived), not here.
        self.sector = sector
        self.item = plan.item
        self.catalogue = catalogue
        self.vault = vault
        self.received_on = received_on
        self.subject = plan.item.subject
        self._code_cache: dict[tuple[str, str], str | None] = {}
        # Outcome per (field, raw value): dates, codes, amounts and codes repeat across rows,
        # so each distinct value is checked once per import. Values: (canonical, warnings)
        # or the ParseError to raise again.
        self._memo: dict[tuple[str, str], tuple[str, tuple[tuple[str, str], ...]] | ParseError] = {}
        self._required = tuple(f for f in plan.item.fields if f.required)
        self._required_when = tuple(
            f for f in plan.item.fields if f.required_when and not f.required
        )
        self._personal_fields = tuple(f for f in plan.item.fields if f.personal)
        self._labels = {f.code: f"{f.name}（{f.code}）" for f in plan.item.fields}
        self._id_memo: dict[tuple[str, str], tuple[str, str, str] | FieldProblem] = {}
        self._checkers: dict[str, Callable[[FieldDef, str], str]] = {
            "text": self._text,
            "uscc": self._uscc,
            "legacy_code": self._legacy,
            "id_number": self._text,  # checked in _person_id with its type
            "date": self._date,
            "amount_wan": self._amount,
            "money_text": self._money,
            "code": self._code,
            "codes": self._codes,
            "integer": self._integer,
        }

    # -- field checkers: return the canonical text or raise ParseError ---------------------

    def _text(self, f: FieldDef, v: str) -> str:
        if f.max_length is not None and len(v) > f.max_length:
            raise ParseError(
                f"longer than {f.max_length} characters",
                f"长度{len(v)}超过上限{f.max_length}个字符",
            )
        return v

    def _uscc(self, f: FieldDef, v: str) -> str:
        check = check_uscc(v)
        if not check.valid:
            raise ParseError(
                "; ".join(i.message_en for i in check.errors),
                "；".join(i.message_zh for i in check.errors),
            )
        self._value_warnings.extend((i.message_zh, i.message_en) for i in check.warnings)
        return check.code

    def _check(self, f: FieldDef, raw: str) -> str:
        """Canonical value of one cell (memoised per distinct value); raises ParseError."""
        key = (f.code, raw)
        hit = self._memo.get(key)
        if hit is None:
            self._value_warnings: list[tuple[str, str]] = []
            try:
                hit = (self._checkers[f.type](f, raw), tuple(self._value_warnings))
            except ParseError as exc:
                hit = exc
            self._memo[key] = hit
        if isinstance(hit, ParseError):
            raise hit
        for zh, en in hit[1]:
            self._pending_warnings.append((f, raw, zh, en))
        return hit[0]

    def _legacy(self, f: FieldDef, v: str) -> str:
        v = normalise_text(v).upper()
        if not _LEGACY_CODE.match(v):
            raise ParseError(
                "not a registration/organisation code",
                "代码只能由数字、字母和连字符组成，且不超过32位",
            )
        return v

    def _date(self, f: FieldDef, v: str) -> str:
        d = parse_date(v)
        if d < _EARLIEST:
            raise ParseError("date before 1949-10-01", "日期早于1949年10月1日，不合理")
        return d.isoformat()

    def _amount(self, f: FieldDef, v: str) -> str:
        amount = parse_amount_wan(v)
        return format(amount.normalize(), "f") if amount != 0 else "0"

    def _money(self, f: FieldDef, v: str) -> str:
        amount, currency = parse_registered_capital(v)
        if amount is None:
            return v  # registered capital is free text in real data; keep what was sent
        return f"{format(amount.normalize(), 'f')}万{currency or ''}".rstrip()

    def _lookup(self, table: str, raw: str) -> str | None:
        key = (table, raw)
        if key not in self._code_cache:
            value = self.catalogue.lookup_code(table, raw)
            self._code_cache[key] = value.code if value else None
        return self._code_cache[key]

    def _code(self, f: FieldDef, v: str) -> str:
        if f.code_table is None:  # the catalogue loader refuses such fields; be explicit
            raise ParseError(f"field {f.code} has no code table", f"字段{f.code}未配置代码表")
        code = self._lookup(f.code_table, v)
        if code is None:
            table = self.catalogue.code_table(f.code_table)
            allowed = "、".join(f"{c.code} {c.label}" for c in table.values[:20])
            raise ParseError(
                f"not a value of code table {f.code_table}",
                f"不是“{table.name}”代码表中的值（可用：{allowed}）",
            )
        return code

    def _codes(self, f: FieldDef, v: str) -> str:
        parts = [p.strip() for p in _SPLIT.split(v) if p.strip()]
        return ",".join(dict.fromkeys(self._code(f, p) for p in parts))

    def _integer(self, f: FieldDef, v: str) -> str:
        if not re.fullmatch(r"\d+", v):
            raise ParseError("not a non-negative integer", "应为非负整数")
        return str(int(v))

    # -- row ------------------------------------------------------------------------------

    def validate(self, row: RawRow) -> ValidRow | list[FieldProblem]:
        """The valid row, or its problems; a value in a problem is repeated at most
        ``max_echo_chars`` long (it reaches messages, the API answer and the rejection file)."""
        outcome = self._validate(row)
        limit = self.max_echo_chars
        if isinstance(outcome, list):
            return [_clipped(p, limit) for p in outcome]
        if any(len(w.value) > limit for w in outcome.warnings):
            outcome = dataclasses.replace(
                outcome, warnings=[_clipped(w, limit) for w in outcome.warnings]
            )
        return outcome

    def _validate(self, row: RawRow) -> ValidRow | list[FieldProblem]:
        problems: list[FieldProblem] = []
        self._pending_warnings: list[tuple[FieldDef, str, str, str]] = []
        n = row.number
        if row.extra_cells:
            problems.append(
                FieldProblem(
                    n,
                    "(整行)",
                    "，".join(row.extra_cells)[:100],
                    f"该行比表头多出{len(row.extra_cells)}列，可能是分隔符或引号错误",
                    f"row has {len(row.extra_cells)} more cells than the header",
                )
            )
        flagged = set(row.formula_columns) | set(row.nested_columns)
        values: dict[str, str] = {}
        for idx, f in self.plan.columns:
            raw = row.cells[idx]
            if idx in flagged:
                why = (
                    "单元格含有公式或嵌套结构，请填写数值本身"
                    if idx in row.formula_columns
                    else "值为嵌套的对象或数组，应为文本"
                )
                problems.append(
                    FieldProblem(n, self._label(f), raw, why, "formula or nested value")
                )
                continue
            if raw == "":
                continue
            if _is_formula_like(raw):
                problems.append(
                    FieldProblem(
                        n,
                        self._label(f),
                        raw,
                        "以 = + - @ 开头的文本可能被电子表格当作公式执行，已拒收（公式注入防护）",
                        "value looks like a spreadsheet formula (formula injection)",
                    )
                )
                continue
            try:
                values[f.code] = self._check(f, raw)
            except ParseError as exc:
                problems.append(
                    FieldProblem(n, self._label(f), raw, exc.message_zh, exc.message_en)
                )
        self._check_required(n, values, problems)
        if problems:
            return problems
        return self._build(row, values, problems)

    def _label(self, f: FieldDef) -> str:
        return self._labels.get(f.code) or f"{f.name}（{f.code}）"

    def _check_required(self, n: int, values: dict[str, str], problems: list[FieldProblem]) -> None:
        missing = [f for f in self._required if f.code not in values]
        for f in self._required_when:
            if f.code not in values and any(
                values.get(other) in allowed for other, allowed in f.required_when.items()
            ):
                missing.append(f)
        if not missing:
            return
        failed = {p.field for p in problems}
        for f in missing:
            label = self._labels[f.code]
            if label not in failed:
                problems.append(FieldProblem(n, label, "", "必填项为空", "required field is empty"))

    def _subject_kind(self, values: dict[str, str]) -> str | None:
        m = self.subject
        category = values.get(m.category) if m.category else None
        if category is not None and m.category is not None:
            label = self.catalogue.code_table(self._field(m.category).code_table or "").values
            text = next((c.label for c in label if c.code == category), category)
            if text == SubjectType.NATURAL_PERSON.value:
                return "person"
            if text == SubjectType.INDIVIDUAL_BUSINESS.value:
                return "individual_business"
            return "organisation"
        if m.uscc and values.get(m.uscc):
            return "individual_business" if values[m.uscc].startswith("92") else "organisation"
        if m.person_id and values.get(m.person_id):
            return "person"
        return None

    def _field(self, code: str) -> FieldDef:
        return self.item.field(code)

    def _person_key(
        self,
        n: int,
        id_field: str,
        type_field: str | None,
        values: dict[str, str],
        problems: list[FieldProblem],
    ) -> tuple[str, str, str] | None:
        """(subject key, normalised number, masked number) of a person's certificate."""
        number = values.get(id_field)
        if not number:
            return None
        id_type = values.get(type_field, "01") if type_field else "01"
        memo_key = (id_type, number)
        known = self._id_memo.get(memo_key)
        if known is not None:
            if isinstance(known, FieldProblem):
                problems.append(
                    dataclasses.replace(known, row=n, field=self._label(self._field(id_field)))
                )
                return None
            return known
        result = self._person_key_uncached(n, id_field, id_type, number, problems)
        self._id_memo[memo_key] = result if result is not None else problems[-1]
        return result

    def _person_key_uncached(
        self, n: int, id_field: str, id_type: str, number: str, problems: list[FieldProblem]
    ) -> tuple[str, str, str] | None:
        f = self._field(id_field)
        if id_type in RESIDENT_ID_TYPES:
            check = check_resident_id(number)
            if not check.valid:
                problems.append(
                    FieldProblem(
                        n,
                        self._label(f),
                        mask_resident_id(number),
                        "；".join(i.message_zh for i in check.errors),
                        "; ".join(i.message_en for i in check.errors),
                    )
                )
                return None
            normalised = check.number
            return self.vault.subject_key(normalised), normalised, mask_resident_id(normalised)
        key, normalised = other_certificate_key(self.vault, id_type, number)
        return key, normalised, mask_resident_id(normalised)

    def _build(
        self, row: RawRow, values: dict[str, str], problems: list[FieldProblem]
    ) -> ValidRow | list[FieldProblem]:
        n = row.number
        m = self.subject
        kind = self._subject_kind(values)
        personal: dict[str, str] = {}
        done: set[str] = set()
        subject_id_number: str | None = None
        related: list[Related] = []
        digests: dict[str, str] = {}
        name = values.get(m.name, "")
        division: str | None = None
        if kind is None:
            problems.append(
                FieldProblem(
                    n,
                    "行政相对人",
                    name,
                    "无法确定行政相对人：缺少统一社会信用代码或证件号码",
                    "cannot identify the subject: no USCC or certificate number",
                )
            )
            return problems
        if kind == "person":
            if not m.person_id:
                problems.append(
                    FieldProblem(
                        n,
                        "行政相对人类别",
                        "自然人",
                        "该信息项不接受自然人",
                        "item does not accept natural persons",
                    )
                )
                return problems
            person = self._person_key(n, m.person_id, m.person_id_type, values, problems)
            if person is None:
                if not problems:
                    f = self._field(m.person_id)
                    problems.append(
                        FieldProblem(
                            n,
                            self._label(f),
                            "",
                            "自然人须填写证件号码",
                            "natural person needs a certificate number",
                        )
                    )
                return problems
            subject_key, subject_id_number, masked = person
            values[m.person_id] = masked
            digests[m.person_id] = subject_key
            values[m.name] = mask_person_name(name)
            done.update((m.person_id, m.name))
        else:
            code = values.get(m.uscc) if m.uscc else None
            if not code:
                label = self._label(self._field(m.uscc)) if m.uscc else "统一社会信用代码"
                problems.append(
                    FieldProblem(
                        n,
                        label,
                        "",
                        "法人、非法人组织和个体工商户须填写统一社会信用代码",
                        "USCC required for organisations",
                    )
                )
                return problems
            subject_key = code
            division = code[2:8]
            if code.startswith("92"):
                kind = "individual_business"
        # Related persons: legal representative, principal, actual controller.
        for rel in m.all_relations():
            rel_name = values.get(rel.name, "")
            ident: tuple[str, str, str] | None = None
            if rel.id and values.get(rel.id):
                ident = self._person_key(n, rel.id, rel.id_type, values, problems)
                if ident is None:
                    return problems
                values[rel.id] = ident[2]
                digests[rel.id] = ident[0]
                done.add(rel.id)
            if rel_name:
                related.append(Related(rel.role, rel_name, *(ident or (None, None, None))))
        # Identity numbers live sealed once on the subject; other personal values of the
        # record (rare) are sealed with the entry.
        for f in self._personal_fields:
            if f.code in values and f.code not in done:
                personal[f.code] = values[f.code]
                values[f.code] = (
                    mask_resident_id(values[f.code])
                    if f.type == "id_number"
                    else mask_person_name(values[f.code])
                )
                digests[f.code] = self.vault.subject_key(f"{f.code}:{personal[f.code]}")
        decision_date = None
        if self.item.decision_date_field and self.item.decision_date_field in values:
            decision_date = dt.date.fromisoformat(values[self.item.decision_date_field])
            if decision_date > self.received_on:
                f = self._field(self.item.decision_date_field)
                problems.append(
                    FieldProblem(
                        n,
                        self._label(f),
                        values[self.item.decision_date_field],
                        f"决定日期晚于报送日期（{self.received_on.isoformat()}）",
                        "decision date is after the date of submission",
                    )
                )
                return problems
        valid_until = None
        if self.item.valid_until_field and self.item.valid_until_field in values:
            valid_until = dt.date.fromisoformat(values[self.item.valid_until_field])
        key_parts = [values.get(k, "") for k in self.item.record_key]
        record_key = "|".join([subject_key, *key_parts])
        if len(record_key) > 200:
            record_key = record_key[:200]
        warnings = [
            FieldProblem(n, self._label(f), v, zh, en, severity="warning")
            for f, v, zh, en in self._pending_warnings
        ]
        return ValidRow(
            number=n,
            subject_key=subject_key,
            subject_kind=kind,
            subject_name=name,
            record_key=record_key,
            decision_date=decision_date,
            values=values,
            personal=personal,
            digests=digests,
            valid_until=valid_until,
            division_code=division,
            related=related,
            subject_id_number=subject_id_number,
            warnings=warnings,
        )
