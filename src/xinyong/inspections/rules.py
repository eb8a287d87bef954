"""双随机、一公开: the verifiable draw (pure; no I/O, no clock, no Python ``random``).

A draw is a deterministic function of (seed, pool snapshot, policy): anyone holding the
published record can re-run it and get the same subjects and inspectors. Everything here is
byte-exact and documented in docs/architecture.md ("Verifiable draws") so that an outsider can
re-implement it without this code:

- canonical JSON: UTF-8, keys sorted, no whitespace (``","`` and ``":"``), no ASCII escaping,
  no floats (ratios are decimal strings); a digest is SHA-256 of those bytes, in lower hex;
- seed commitment = SHA-256(seed bytes); draw commitment = SHA-256(``xinyong-draw-commitment-v1``
  0x00 ‖ seed commitment ‖ pool digest ‖ policy digest ‖ UTF-8 beacon source), the raw 32-byte
  digests, published before the draw;
- key K = HMAC-SHA256(key = seed, msg = ``xinyong-draw-v1`` 0x00 ‖ pool digest ‖ policy digest
  ‖ UTF-8 beacon value); stream = SHA-256(K ‖ uint64_be(0)) ‖ SHA-256(K ‖ uint64_be(1)) ‖ …;
- uniform(n): n = 1 gives 0 and reads nothing; else read 8 bytes as a big-endian u, accept
  it if u < 2^64 − (2^64 mod n) and return u mod n, else read 8 more (rejection: no bias);
- sample(list, k): partial Fisher–Yates, for i in 0…k−1: j = i + uniform(len − i), swap;
  the first k;
- strata in the policy's order, each over its eligible subject keys sorted (code point
  order), target = ceil(eligible × ratio) computed exactly; then the floor of the pool's item,
  if it has one: required = ceil(floor × all eligible); a shortfall is topped up stratum by
  stratum, highest ratio first (ties: policy order), each a ``sample`` of min(shortfall,
  remaining) over its not-yet-drawn eligible keys sorted; then, for each drawn subject in
  key order, ``min_inspectors`` sampled from the qualified, non-conflicted inspectors sorted
  by id (none read when there are too few: the subject is reported unassignable).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from xinyong.identity.redact import redact_identifiers
from xinyong.identity.ric import resident_ids_in
from xinyong.kernel.errors import InputError

FORMAT = "xinyong.draw/v1"
ALGORITHM = "xinyong-draw-v1"
DRAW_TAG = b"xinyong-draw-v1\x00"
COMMITMENT_TAG = b"xinyong-draw-commitment-v1\x00"
MIN_SEED_BYTES = 16
MAX_SEED_BYTES = 64
MIN_INSPECTORS_BY_LAW = 2  # 行政处罚法 第四十二条
_TOKEN = re.compile(r"^[0-9A-Za-z_.:\-]{1,64}$")
_PERSON_KEY = re.compile(r"^P[0-9a-f]{32}$")
_HEX = re.compile(r"^[0-9a-f]*$")

# -- canonical JSON and digests -----------------------------------------------------------


def _no_floats(obj: object, where: str) -> None:
    if isinstance(obj, float):
        raise InputError(
            f"{where}: floats are not allowed in canonical JSON",
            f'{where}：规范 JSON 中不允许小数浮点数（比例请写成文本，如 "0.03"）',
        )
    if isinstance(obj, dict):
        for k, v in obj.items():
            _no_floats(v, f"{where}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _no_floats(v, f"{where}[{i}]")


def canonical_bytes(obj: object) -> bytes:
    """UTF-8, keys sorted, no whitespace, no ASCII escaping, no floats."""
    _no_floats(obj, "(根)")
    return json.dumps(
        obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def digest(obj: object) -> str:
    return hashlib.sha256(canonical_bytes(obj)).hexdigest()


# -- the pool snapshot --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subject:
    key: str  # a market entity's key (USCC); natural persons are refused
    region: str
    industry: str
    type: str
    size: str
    grade: str | None
    inspections_this_year: int
    recusal_requests: tuple[str, ...] = ()  # inspector ids the subject asked to recuse
    name: str = ""


@dataclass(frozen=True, slots=True)
class Inspector:
    id: str  # a staff number or 执法证号, never a resident ID number
    department: str
    region: str
    qualifications: tuple[str, ...]
    relationships: tuple[str, ...] = ()  # subject keys the inspector declared a tie with


@dataclass(frozen=True, slots=True)
class Pairing:
    """An inspection of ``subject`` by ``inspector`` on ``date`` (the recent-pairing rule)."""

    inspector: str
    subject: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class JointItem:
    """Another item inspected in the same visit (进一次门、查多项事): its department supplies
    at least one of the subject's inspectors holding these qualifications."""

    item: str
    department: str
    qualifications: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pool:
    item: str
    department: str
    scope: str  # the region the pool covers (division code or name)
    as_of: dt.date
    subjects: tuple[Subject, ...]
    inspectors: tuple[Inspector, ...]
    pairings: tuple[Pairing, ...] = ()
    joint: tuple[JointItem, ...] = ()  # a joint plan's other items, by (department, item)


def _bad(where: str, value: object, why_zh: str, why_en: str) -> InputError:
    shown = redact_identifiers(str(value))[:40]
    return InputError(
        f"{where} {shown!r}: {why_en}", f"抽查名录 {where} 的值“{shown}”有误：{why_zh}"
    )


def _str(row: Mapping[str, Any], name: str, where: str, *, token: bool = True) -> str:
    v = row.get(name)
    if not isinstance(v, str) or not v.strip():
        raise InputError(
            f"{where}.{name} is missing", f"抽查名录缺少 {where}.{name}（应为非空文本）"
        )
    if token and not _TOKEN.match(v):
        raise _bad(
            f"{where}.{name}", v, "只能是1至64位字母、数字或 _ . : -", "must be 1-64 letters/digits"
        )
    return v


def _strs(row: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    v = row.get(name, [])
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise InputError(
            f"{where}.{name} must be a list of texts", f"抽查名录 {where}.{name} 应为文本列表"
        )
    return tuple(sorted(set(v)))


def _date(v: object, where: str) -> dt.date:
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            pass
    raise _bad(where, v, "应为日期 YYYY-MM-DD", "must be a date YYYY-MM-DD")


def _not_a_person(key: str, where: str, today: dt.date) -> None:
    if _PERSON_KEY.match(key) or resident_ids_in(key, today):
        raise InputError(
            f"{where} looks like a natural person's identifier",
            f"抽查名录 {where} 疑似自然人的身份证号码或主体标识：抽查对象名录会随抽取记录公开，"
            "只收市场主体（以统一社会信用代码标识），自然人不得列入",
        )


_SUBJECT_KEYS = {
    "key", "name", "region", "industry", "type", "size", "grade",
    "inspections_this_year", "recusal_requests",
}  # fmt: skip
_INSPECTOR_KEYS = {"id", "department", "region", "qualifications", "relationships"}
_POOL_KEYS = {
    "item", "department", "scope", "as_of", "subjects", "inspectors", "pairings", "joint",
}  # fmt: skip


def _only(row: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for k in row:
        if k not in allowed:
            raise InputError(
                f"{where}: unknown key {k!r}",
                f"抽查名录 {where} 有不认识的键“{str(k)[:40]}”（允许：{'、'.join(sorted(allowed))}）",
            )


def parse_pool(data: object) -> Pool:
    """The pool snapshot from its JSON, every field checked (field, value, why in Chinese)."""
    if not isinstance(data, dict):
        raise InputError("the pool must be a JSON object", "抽查名录应为 JSON 对象")
    _only(data, _POOL_KEYS, "(根)")
    as_of = _date(data.get("as_of"), "as_of")
    subjects_raw = data.get("subjects")
    inspectors_raw = data.get("inspectors")
    if not isinstance(subjects_raw, list) or not isinstance(inspectors_raw, list):
        raise InputError(
            "subjects and inspectors must be lists", "抽查名录的 subjects 和 inspectors 应为列表"
        )
    subjects: dict[str, Subject] = {}
    for i, row in enumerate(subjects_raw):
        where = f"subjects[{i}]"
        if not isinstance(row, dict):
            raise InputError(f"{where} must be an object", f"抽查名录 {where} 应为对象")
        _only(row, _SUBJECT_KEYS, where)
        key = _str(row, "key", where)
        _not_a_person(key, f"{where}.key", as_of)
        grade = row.get("grade")
        if grade is not None and not (isinstance(grade, str) and _TOKEN.match(grade)):
            raise _bad(
                f"{where}.grade", grade, "应为等级代码或 null（未分类）", "grade code or null"
            )
        count = row.get("inspections_this_year", 0)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise _bad(
                f"{where}.inspections_this_year", count, "应为非负整数", "non-negative integer"
            )
        name = row.get("name", "")
        if not isinstance(name, str):
            raise _bad(f"{where}.name", name, "应为文本", "must be text")
        _not_a_person(name, f"{where}.name", as_of)
        if key in subjects:
            raise _bad(f"{where}.key", key, "主体重复", "duplicate subject")
        subjects[key] = Subject(
            key=key,
            region=_str(row, "region", where),
            industry=_str(row, "industry", where),
            type=_str(row, "type", where),
            size=_str(row, "size", where),
            grade=grade,
            inspections_this_year=count,
            recusal_requests=_strs(row, "recusal_requests", where),
            name=name,
        )
    inspectors: dict[str, Inspector] = {}
    for i, row in enumerate(inspectors_raw):
        where = f"inspectors[{i}]"
        if not isinstance(row, dict):
            raise InputError(f"{where} must be an object", f"抽查名录 {where} 应为对象")
        _only(row, _INSPECTOR_KEYS, where)
        ident = _str(row, "id", where)
        _not_a_person(ident, f"{where}.id", as_of)
        if ident in inspectors:
            raise _bad(f"{where}.id", ident, "检查人员重复", "duplicate inspector")
        inspectors[ident] = Inspector(
            id=ident,
            department=_str(row, "department", where),
            region=_str(row, "region", where),
            qualifications=_strs(row, "qualifications", where),
            relationships=_strs(row, "relationships", where),
        )
    pairings: list[Pairing] = []
    raw_pairings = data.get("pairings", [])
    if not isinstance(raw_pairings, list):
        raise InputError("pairings must be a list", "抽查名录的 pairings 应为列表")
    for i, row in enumerate(raw_pairings):
        where = f"pairings[{i}]"
        if not isinstance(row, dict):
            raise InputError(f"{where} must be an object", f"抽查名录 {where} 应为对象")
        _only(row, {"inspector", "subject", "date"}, where)
        pairings.append(
            Pairing(
                _str(row, "inspector", where),
                _str(row, "subject", where),
                _date(row.get("date"), f"{where}.date"),
            )
        )
    lead_item = _str(data, "item", "(根)")
    joint: dict[tuple[str, str], JointItem] = {}
    raw_joint = data.get("joint", [])
    if not isinstance(raw_joint, list):
        raise InputError("joint must be a list", "抽查名录的 joint（联合抽查的其他事项）应为列表")
    for i, row in enumerate(raw_joint):
        where = f"joint[{i}]"
        if not isinstance(row, dict):
            raise InputError(f"{where} must be an object", f"抽查名录 {where} 应为对象")
        _only(row, {"item", "department", "qualifications"}, where)
        ji = JointItem(
            _str(row, "item", where),
            _str(row, "department", where),
            _strs(row, "qualifications", where),
        )
        if ji.item == lead_item or any(k[1] == ji.item for k in joint):
            raise _bad(f"{where}.item", ji.item, "联合抽查事项重复", "duplicate joint item")
        joint[(ji.department, ji.item)] = ji
    return Pool(
        item=lead_item,
        department=_str(data, "department", "(根)"),
        scope=_str(data, "scope", "(根)", token=False),
        as_of=as_of,
        subjects=tuple(subjects[k] for k in sorted(subjects)),
        inspectors=tuple(inspectors[k] for k in sorted(inspectors)),
        pairings=tuple(
            sorted(set(pairings), key=lambda p: (p.inspector, p.subject, p.date.isoformat()))
        ),
        joint=tuple(joint[k] for k in sorted(joint)),
    )


def pool_json(pool: Pool) -> dict[str, Any]:
    """The pool as published: normalised (sorted), so its digest does not depend on order."""
    out: dict[str, Any] = {
        "item": pool.item,
        "department": pool.department,
        "scope": pool.scope,
        "as_of": pool.as_of.isoformat(),
        "subjects": [
            {
                "key": s.key,
                "name": s.name,
                "region": s.region,
                "industry": s.industry,
                "type": s.type,
                "size": s.size,
                "grade": s.grade,
                "inspections_this_year": s.inspections_this_year,
                "recusal_requests": list(s.recusal_requests),
            }
            for s in pool.subjects
        ],
        "inspectors": [
            {
                "id": p.id,
                "department": p.department,
                "region": p.region,
                "qualifications": list(p.qualifications),
                "relationships": list(p.relationships),
            }
            for p in pool.inspectors
        ],
        "pairings": [
            {"inspector": p.inspector, "subject": p.subject, "date": p.date.isoformat()}
            for p in pool.pairings
        ],
    }
    if pool.joint:  # absent for a single-department pool, so its digest is as before
        out["joint"] = [
            {"item": j.item, "department": j.department, "qualifications": list(j.qualifications)}
            for j in pool.joint
        ]
    return out


# -- the policy as the draw reads it --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DrawStratum:
    code: str
    grade: str | None
    label: str
    ratio: Fraction
    ratio_text: str


@dataclass(frozen=True, slots=True)
class DrawPolicy:
    ref: str
    items: Mapping[str, tuple[str, ...]]  # item code -> qualifications required
    strata: tuple[DrawStratum, ...]
    yearly_cap: int
    min_inspectors: int
    same_region: bool
    recent_pairing_months: int
    # item code -> (floor of the draw's total, its decimal text), for items a rule gives one
    floors: Mapping[str, tuple[Fraction, str]] = field(default_factory=dict)


def _policy_error(what: str) -> InputError:
    return InputError(
        f"the policy in the record is malformed: {what}", f"记录中的监管策略有误：{what}"
    )


def _ratio(text: object, where: str) -> Fraction:
    if not isinstance(text, str):
        raise _policy_error(f"{where} 应为十进制文本")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise _policy_error(f"{where}“{text[:20]}”不是十进制数") from None
    if not d.is_finite() or d < 0 or d > 1:
        raise _policy_error(f"{where}“{text[:20]}”应在0到1之间")
    return Fraction(d)


def parse_policy(data: object) -> DrawPolicy:
    """The policy JSON of a record (``catalog.inspections.policy_json``) as the draw reads it."""
    if not isinstance(data, dict):
        raise _policy_error("应为 JSON 对象")
    try:
        if data.get("floor_ratio") is not None:
            _ratio(data["floor_ratio"], "floor_ratio")
        strata = []
        for i, s in enumerate(data["strata"]):
            grade = s["grade"]
            if grade is not None and not isinstance(grade, str):
                raise _policy_error(f"strata[{i}].grade 应为文本或 null")
            # A stratum may be below the item's floor: the floor is on the total (top-up).
            ratio = _ratio(s["ratio"], f"strata[{i}].ratio")
            strata.append(DrawStratum(str(s["code"]), grade, str(s["label"]), ratio, s["ratio"]))
        if sum(1 for s in strata if s.grade is None) != 1:
            raise _policy_error("须有且只有一个未分类（grade 为 null）的分层")
        minimum = data["min_inspectors"]
        cap = data["yearly_cap"]
        months = data["recusal"]["recent_pairing_months"]
        same_region = data["recusal"]["same_region"]
        items = {str(it["code"]): tuple(sorted(it["qualifications"])) for it in data["items"]}
        floors = {
            str(it["code"]): (
                _ratio(it["floor_ratio"], f"items[{i}].floor_ratio"),
                it["floor_ratio"],
            )
            for i, it in enumerate(data["items"])
            if it.get("floor_ratio") is not None
        }
        ref = f"{data['code']}@{data['version']}"
    except (KeyError, TypeError) as exc:
        raise _policy_error(f"缺少或格式不正确：{exc}") from None
    if isinstance(minimum, bool) or isinstance(cap, bool):
        raise _policy_error("min_inspectors 与 yearly_cap 应为整数")
    if not isinstance(minimum, int) or minimum < MIN_INSPECTORS_BY_LAW:
        raise _policy_error("每户检查人员不得少于2名（行政处罚法第四十二条）")
    if not isinstance(cap, int) or cap < 1:
        raise _policy_error("yearly_cap 应为正整数")
    if not isinstance(months, int) or months < 0 or not isinstance(same_region, bool):
        raise _policy_error("recusal 格式不正确")
    if data.get("rounding") != "ceil":
        raise _policy_error("rounding 应为 ceil")
    return DrawPolicy(ref, items, tuple(strata), cap, minimum, same_region, months, floors)


# -- the deterministic stream ---------------------------------------------------------------


def seed_bytes(seed_hex: str) -> bytes:
    text = seed_hex.strip().lower()
    if not _HEX.match(text) or len(text) % 2:
        raise InputError("the seed must be hexadecimal", "种子应为十六进制文本（0-9、a-f，偶数位）")
    raw = bytes.fromhex(text)
    if not MIN_SEED_BYTES <= len(raw) <= MAX_SEED_BYTES:
        raise InputError(
            f"the seed must be {MIN_SEED_BYTES}-{MAX_SEED_BYTES} bytes",
            f"种子应为{MIN_SEED_BYTES}至{MAX_SEED_BYTES}字节（{MIN_SEED_BYTES * 2}至"
            f"{MAX_SEED_BYTES * 2}位十六进制），实际为{len(raw)}字节",
        )
    return raw


def seed_commitment(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def draw_commitment(
    seed_commitment_hex: str, pool_digest: str, policy_digest: str, beacon_source: str
) -> str:
    h = hashlib.sha256(COMMITMENT_TAG)
    for part in (seed_commitment_hex, pool_digest, policy_digest):
        h.update(bytes.fromhex(part))
    h.update(beacon_source.encode("utf-8"))
    return h.hexdigest()


class Stream:
    """SHA-256(K ‖ uint64_be(counter)) blocks, read 8 bytes at a time."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._counter = 0
        self._buf = b""

    def _u64(self) -> int:
        if len(self._buf) < 8:
            block = hashlib.sha256(self._key + self._counter.to_bytes(8, "big")).digest()
            self._counter += 1
            self._buf += block
        out, self._buf = self._buf[:8], self._buf[8:]
        return int.from_bytes(out, "big")

    def uniform(self, n: int) -> int:
        if n < 1:
            raise ValueError("uniform over an empty range")
        if n == 1:
            return 0
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            u = self._u64()
            if u < limit:
                return u % n

    def sample(self, items: Sequence[str], k: int) -> list[str]:
        a = list(items)
        for i in range(k):
            j = i + self.uniform(len(a) - i)
            a[i], a[j] = a[j], a[i]
        return a[:k]


def stream_key(seed: bytes, pool_digest: str, policy_digest: str, beacon_value: str) -> bytes:
    msg = DRAW_TAG + bytes.fromhex(pool_digest) + bytes.fromhex(policy_digest)
    return hmac.new(seed, msg + beacon_value.encode("utf-8"), hashlib.sha256).digest()


# -- recusal --------------------------------------------------------------------------------


def months_before(day: dt.date, months: int) -> dt.date:
    """``day`` minus ``months`` calendar months, the day clamped to the month's end."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    for d in range(day.day, 0, -1):
        try:
            return dt.date(y, m, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


REASONS_ZH = {
    "department": "非参加部门人员",
    "qualification": "不具备本事项所需资格",
    "same_region": "与主体同一地区",
    "relationship": "申报了与主体的利害关系",
    "recent_pairing": "近期检查过该主体",
    "subject_request": "主体申请回避",
}


def recent_pairings(policy: DrawPolicy, pool: Pool) -> frozenset[tuple[str, str]]:
    """(inspector, subject) pairs that inspected within the policy's months before as_of."""
    if policy.recent_pairing_months <= 0:
        return frozenset()
    since = months_before(pool.as_of, policy.recent_pairing_months)
    return frozenset(
        (p.inspector, p.subject) for p in pool.pairings if since <= p.date <= pool.as_of
    )


def exclusion(
    policy: DrawPolicy,
    pool: Pool,
    subject: Subject,
    inspector: Inspector,
    recent: frozenset[tuple[str, str]],
) -> str | None:
    """Why ``inspector`` may not inspect ``subject`` for their department's items of the pool
    (first reason), or None. The order is fixed: competence first, then each recusal ground."""
    needs = team_qualifications(policy, pool)
    if inspector.department not in needs:
        return "department"
    if not needs[inspector.department] <= set(inspector.qualifications):
        return "qualification"
    if policy.same_region and inspector.region == subject.region:
        return "same_region"
    if subject.key in inspector.relationships:
        return "relationship"
    if (inspector.id, subject.key) in recent:
        return "recent_pairing"
    if inspector.id in subject.recusal_requests:
        return "subject_request"
    return None


def team_qualifications(policy: DrawPolicy, pool: Pool) -> dict[str, frozenset[str]]:
    """Each participating department (the lead first, then by code) with the qualifications
    its inspectors need: every qualification of every item that department brings."""
    out: dict[str, set[str]] = {pool.department: set(policy.items.get(pool.item, ()))}
    for j in sorted(pool.joint, key=lambda j: (j.department, j.item)):
        out.setdefault(j.department, set()).update(j.qualifications)
    lead = {pool.department: frozenset(out.pop(pool.department))}
    return lead | {d: frozenset(out[d]) for d in sorted(out)}


def team_quotas(policy: DrawPolicy, pool: Pool) -> dict[str, int]:
    """Inspectors drawn per department: one from each other department, the lead department
    the rest of the policy's minimum (at least one). A single-department pool: the minimum."""
    depts = list(team_qualifications(policy, pool))
    others = len(depts) - 1
    return {
        d: (max(1, policy.min_inspectors - others) if i == 0 else 1) for i, d in enumerate(depts)
    }


# -- the draw -------------------------------------------------------------------------------


def _target(eligible: int, ratio: Fraction) -> int:
    """ceil(eligible × ratio), exactly."""
    num = eligible * ratio.numerator
    return -(-num // ratio.denominator)


@dataclass(frozen=True, slots=True)
class Beacon:
    """A public randomness value mixed into the stream (e.g. a published beacon round)."""

    source: str
    value: str


@dataclass(slots=True)
class DrawInputs:
    seed: bytes
    pool: Pool
    policy_json: dict[str, Any]
    beacon: Beacon | None = None
    pool_digest: str = field(init=False)
    policy_digest: str = field(init=False)

    def __post_init__(self) -> None:
        self.pool_digest = digest(pool_json(self.pool))
        self.policy_digest = digest(self.policy_json)


def run_draw(inputs: DrawInputs) -> dict[str, Any]:
    """The result of a draw: strata with their targets and the subjects drawn, the subjects
    left out at their yearly cap, each drawn subject's inspectors or why none could be
    assigned."""
    policy = parse_policy(inputs.policy_json)
    pool = inputs.pool
    if pool.item not in policy.items:
        raise InputError(
            f"item {pool.item} is not governed by policy {policy.ref}",
            f"抽查事项“{pool.item}”不在监管策略 {policy.ref} 的适用事项中（无清单不检查）",
        )
    by_grade = {s.grade: s for s in policy.strata}
    for i, s in enumerate(pool.subjects):
        if s.grade not in by_grade:
            raise _bad(
                f"subjects[{i}].grade",
                s.grade,
                f"不是监管策略 {policy.ref} 的分层等级（可用：{'、'.join(g for g in by_grade if g)}，"
                "未分类写 null）",
                "not a grade of the policy",
            )
    beacon = inputs.beacon.value if inputs.beacon else ""
    stream = Stream(stream_key(inputs.seed, inputs.pool_digest, inputs.policy_digest, beacon))
    at_cap = [s.key for s in pool.subjects if s.inspections_this_year >= policy.yearly_cap]
    capped = set(at_cap)
    strata_out: list[dict[str, Any]] = []
    drawn: list[str] = []
    for st in policy.strata:
        eligible = sorted(
            s.key for s in pool.subjects if s.grade == st.grade and s.key not in capped
        )
        target = _target(len(eligible), st.ratio)
        chosen = sorted(stream.sample(eligible, target))
        drawn += chosen
        strata_out.append(
            {
                "code": st.code,
                "grade": st.grade,
                "label": st.label,
                "ratio": st.ratio_text,
                "eligible": len(eligible),
                "target": target,
                "drawn": chosen,
                "topped_up": [],
            }
        )
    floor = _top_up(policy, pool, stream, strata_out, capped)
    drawn += [k for st_out in strata_out for k in st_out["topped_up"]]
    subjects = {s.key: s for s in pool.subjects}
    recent = recent_pairings(policy, pool)
    assignments: list[dict[str, Any]] = []
    unassignable: list[dict[str, Any]] = []
    quotas = team_quotas(policy, pool)
    joint = len(quotas) > 1
    for key in sorted(drawn):
        subject = subjects[key]
        candidates: dict[str, list[str]] = {d: [] for d in quotas}
        excluded: dict[str, int] = {}
        for inspector in pool.inspectors:
            why = exclusion(policy, pool, subject, inspector, recent)
            if why is None:
                candidates[inspector.department].append(inspector.id)
            else:
                excluded[why] = excluded.get(why, 0) + 1
        short = [d for d, q in quotas.items() if len(candidates[d]) < q]
        if short:
            available = sum(len(c) for c in candidates.values())
            entry: dict[str, Any] = {
                "subject": key,
                "available": available,
                "required": sum(quotas.values()),
                "excluded": [
                    {"ground": g, "label": label, "count": excluded[g]}
                    for g, label in REASONS_ZH.items()
                    if g in excluded
                ],
                "reason": _unassignable_reason(
                    available, sum(quotas.values()), excluded,
                    [(d, len(candidates[d]), quotas[d]) for d in short] if joint else [],
                ),
            }  # fmt: skip
            if joint:
                entry["departments"] = [
                    {"department": d, "available": len(candidates[d]), "required": q}
                    for d, q in quotas.items()
                ]
            unassignable.append(entry)
            continue
        team: list[str] = []
        for d, q in quotas.items():  # the lead first, then by department code
            team += stream.sample(candidates[d], q)
        assignments.append({"subject": key, "inspectors": sorted(team)})
    return {
        "pool_size": len(pool.subjects),
        "excluded_at_cap": at_cap,
        "floor": floor,
        "strata": strata_out,
        "assignments": assignments,
        "unassignable": unassignable,
    }


def _top_up(
    policy: DrawPolicy,
    pool: Pool,
    stream: Stream,
    strata_out: list[dict[str, Any]],
    capped: set[str],
) -> dict[str, Any] | None:
    """The item's floor on the draw's total (企业公示信息抽查 ≥ 3 %): required = ceil(floor ×
    subjects eligible in all strata); when the strata drew fewer, the shortfall is drawn from
    the subjects not yet drawn, stratum by stratum from the highest ratio to the lowest (ties:
    policy order), each by ``sample`` over that stratum's remaining eligible keys sorted, until
    the total reaches the floor. Higher-risk strata first: a top-up adds inspections where the
    policy already wants more, and reaches the low-risk strata (A: 无事不扰) last. None when
    the item has no floor."""
    found = policy.floors.get(pool.item)
    if found is None:
        return None
    ratio, text = found
    eligible = sum(int(st["eligible"]) for st in strata_out)
    required = _target(eligible, ratio)
    short = required - sum(len(st["drawn"]) for st in strata_out)
    order = sorted(range(len(policy.strata)), key=lambda i: (-policy.strata[i].ratio, i))
    for i in order:
        if short <= 0:
            break
        st_out, rule = strata_out[i], policy.strata[i]
        taken = set(st_out["drawn"])
        rest = sorted(
            s.key
            for s in pool.subjects
            if s.grade == rule.grade and s.key not in capped and s.key not in taken
        )
        extra = sorted(stream.sample(rest, min(short, len(rest))))
        st_out["topped_up"] = extra
        short -= len(extra)
    return {"item": pool.item, "ratio": text, "eligible": eligible, "required": required}


def _unassignable_reason(
    available: int,
    required: int,
    excluded: Mapping[str, int],
    short: Sequence[tuple[str, int, int]] = (),
) -> str:
    parts = "，".join(f"{label}{excluded[g]}名" for g, label in REASONS_ZH.items() if g in excluded)
    lack = "；".join(f"部门 {d} 符合资格且无需回避的只有{n}名，应出{q}名" for d, n, q in short)
    head = (
        f"联合抽查每个参加部门须至少出1名具备本部门事项资格的检查人员，每户合计至少{required}名"
        f"（行政处罚法第四十二条）：{lack}，未分派检查人员"
        if short
        else f"符合资格且无需回避的检查人员只有{available}名，少于每户至少{required}名"
        f"（行政处罚法第四十二条），未分派检查人员"
    )
    return head + (f"；排除：{parts}" if parts else "")


def make_record(inputs: DrawInputs) -> dict[str, Any]:
    """The draw record the portal publishes and ``xinyong verify-draw`` checks."""
    result = run_draw(inputs)
    commitment = seed_commitment(inputs.seed)
    source = inputs.beacon.source if inputs.beacon else ""
    return {
        "format": FORMAT,
        "algorithm": ALGORITHM,
        "seed": inputs.seed.hex(),
        "seed_commitment": commitment,
        "beacon": (
            None
            if inputs.beacon is None
            else {"source": inputs.beacon.source, "value": inputs.beacon.value}
        ),
        "pool_digest": inputs.pool_digest,
        "pool": pool_json(inputs.pool),
        "policy_version": parse_policy(inputs.policy_json).ref,
        "policy_digest": inputs.policy_digest,
        "policy": inputs.policy_json,
        "draw_commitment": draw_commitment(
            commitment, inputs.pool_digest, inputs.policy_digest, source
        ),
        "result": result,
        "result_digest": digest(result),
    }


# -- verification ---------------------------------------------------------------------------

_RECORD_KEYS = (
    "format", "algorithm", "seed", "seed_commitment", "beacon", "pool_digest", "pool",
    "policy_version", "policy_digest", "policy", "draw_commitment", "result", "result_digest",
)  # fmt: skip


def _hex_field(record: Mapping[str, Any], name: str, label: str, out: list[str]) -> str | None:
    v = record.get(name)
    if not isinstance(v, str) or not re.fullmatch(r"[0-9a-f]{64}", v):
        out.append(f"{label}（{name}）缺失或不是64位十六进制摘要")
        return None
    return v


def verify(
    record: object,
    catalogue_policy: Mapping[str, Any] | None = None,
    published_commitment: str | None = None,
) -> list[str]:
    """Re-run the draw from the record and list, in Chinese, each thing that does not match
    (empty: reproducible and as published). ``catalogue_policy``: the catalogue's own JSON of
    the policy version the record names, when the verifier has the catalogue.
    ``published_commitment``: the draw commitment published before the draw, when the verifier
    kept it (a record rewritten whole, digests and commitment recomputed, is caught only so)."""
    if not isinstance(record, dict):
        return ["抽取记录应为 JSON 对象"]
    out: list[str] = []
    kept = None if published_commitment is None else published_commitment.strip().lower()
    if kept is not None and record.get("draw_commitment") != kept:
        out.append(
            f"记录中的抽取承诺 {record.get('draw_commitment')} 与抽取前公布的 {kept} 不一致："
            "种子、名录、策略或公共随机数来源在公布承诺后被更换"
        )
    withheld = record.get("grades_withheld")
    if withheld:  # the public copy of a draw stratified by internal classes
        return [
            *out,
            f"本记录是隐去内部分类的公开本，不能复核分层抽取：{withheld}",
        ]
    missing = [k for k in _RECORD_KEYS if k not in record]
    if missing:
        return [*out, f"抽取记录缺少字段：{'、'.join(missing)}"]
    if record["format"] != FORMAT or record["algorithm"] != ALGORITHM:
        return [*out, f"抽取记录的格式或算法不是 {FORMAT} / {ALGORITHM}，无法按本算法复核"]
    try:
        seed = seed_bytes(str(record["seed"]))
    except InputError as exc:
        return [*out, f"种子（seed）有误：{exc.message_zh}"]
    published_commitment = _hex_field(record, "seed_commitment", "种子承诺", out)
    if published_commitment is not None and seed_commitment(seed) != published_commitment:
        out.append(
            "公布的种子与事先公布的种子承诺不一致：SHA-256(种子) 为 "
            f"{seed_commitment(seed)}，公布的承诺为 {published_commitment}"
        )
    beacon = None
    b = record["beacon"]
    if b is not None:
        if not (
            isinstance(b, dict)
            and isinstance(b.get("source"), str)
            and isinstance(b.get("value"), str)
        ):
            return [*out, "公共随机数（beacon）应为含 source 和 value 的对象或 null"]
        beacon = Beacon(b["source"], b["value"])
    try:
        pool = parse_pool(record["pool"])
    except InputError as exc:
        return [*out, f"抽查对象名录（pool）无法读取：{exc.message_zh}"]
    policy = record["policy"]
    try:
        ref = parse_policy(policy).ref
    except InputError as exc:
        return [*out, exc.message_zh]
    if not isinstance(policy, dict):  # parse_policy refused it already
        return out
    inputs = DrawInputs(seed, pool, policy, beacon)
    published_pool = _hex_field(record, "pool_digest", "名录摘要", out)
    if published_pool is not None and published_pool != inputs.pool_digest:
        out.append(
            f"抽查对象名录（pool）与公布的名录摘要不一致：按记录中的名录计算为 {inputs.pool_digest}，"
            f"公布的为 {published_pool}"
        )
    if record["policy_version"] != ref:
        out.append(
            f"记录标明的监管策略版本 {record['policy_version']} 与记录中的策略内容 {ref} 不一致"
        )
    published_policy = _hex_field(record, "policy_digest", "策略摘要", out)
    if published_policy is not None and published_policy != inputs.policy_digest:
        out.append(
            f"监管策略（policy）与公布的策略摘要不一致：按记录中的策略计算为 {inputs.policy_digest}，"
            f"公布的为 {published_policy}"
        )
    if catalogue_policy is not None and digest(dict(catalogue_policy)) != inputs.policy_digest:
        out.append(
            f"记录中的监管策略与目录中的 {ref} 不一致（策略内容被改动，或目录的同一版本被改写）"
        )
    published_draw = _hex_field(record, "draw_commitment", "抽取承诺", out)
    expected_draw = draw_commitment(
        seed_commitment(seed),
        published_pool or inputs.pool_digest,
        published_policy or inputs.policy_digest,
        beacon.source if beacon else "",
    )
    if published_draw is not None and published_draw != expected_draw:
        out.append(
            "抽取承诺（draw_commitment）与公布的种子承诺、名录摘要、策略摘要不一致：应为 "
            f"{expected_draw}，公布的为 {published_draw}"
        )
    try:
        result = run_draw(inputs)
    except InputError as exc:
        return [*out, f"无法重新抽取：{exc.message_zh}"]
    out += _result_differences(result, record["result"])
    published_result = _hex_field(record, "result_digest", "结果摘要", out)
    if published_result is not None and published_result != digest(record["result"]):
        out.append("抽取结果与公布的结果摘要（result_digest）不一致：结果在公布后被改动")
    return out


def _keys(value: object) -> list[str]:
    return [str(x) for x in value] if isinstance(value, list) else []


def _result_differences(expected: Mapping[str, Any], published: object) -> list[str]:
    if not isinstance(published, dict):
        return ["抽取结果（result）应为 JSON 对象"]
    out: list[str] = []
    if _keys(published.get("excluded_at_cap")) != expected["excluded_at_cap"]:
        out.append(
            "达到年度检查频次上限而不参加抽取的主体与重新计算的不一致：应为 "
            f"{'、'.join(expected['excluded_at_cap']) or '无'}"
        )
    got_strata = published.get("strata")
    got_by_code = (
        {str(s.get("code")): s for s in got_strata if isinstance(s, dict)}
        if isinstance(got_strata, list)
        else {}
    )
    for st in expected["strata"]:
        got = got_by_code.get(st["code"])
        if got is None:
            out.append(f"公布结果缺少分层“{st['label']}”")
            continue
        for name, label in (
            ("eligible", "参加抽取的主体数"),
            ("target", "应抽取数"),
            ("ratio", "比例"),
        ):
            if got.get(name) != st[name]:
                out.append(f"分层“{st['label']}”的{label}应为 {st[name]}，公布为 {got.get(name)}")
        want, have = set(st["drawn"]), set(_keys(got.get("drawn")))
        extra, lacking = sorted(have - want), sorted(want - have)
        if extra:
            out.append(
                f"分层“{st['label']}”公布的抽中主体中多出（重新抽取未抽中）：{'、'.join(extra)}"
            )
        if lacking:
            out.append(f"分层“{st['label']}”重新抽取抽中、公布结果中没有：{'、'.join(lacking)}")
        want_t, have_t = st["topped_up"], sorted(_keys(got.get("topped_up")))
        if want_t != have_t:
            out.append(
                f"分层“{st['label']}”为达到抽查下限补抽的主体应为 {'、'.join(want_t) or '无'}，"
                f"公布为 {'、'.join(have_t) or '无'}"
            )
    for code in sorted(set(got_by_code) - {st["code"] for st in expected["strata"]}):
        out.append(f"公布结果有策略中没有的分层“{code}”")
    # Records drawn before the top-up existed carry no "floor" (nothing was topped up then:
    # every stratum had to be at the floor); the topped-up subjects above are checked anyway.
    if "floor" in published and published.get("floor") != expected["floor"]:
        f = expected["floor"]
        out.append(
            "抽查下限的计算与重新计算的不一致：应为"
            + (
                f"参加抽取{f['eligible']}户、下限{f['ratio']}、至少抽取{f['required']}户"
                if f
                else "无下限"
            )
        )
    want_a = {a["subject"]: a["inspectors"] for a in expected["assignments"]}
    got_list = published.get("assignments")
    got_a = {
        str(a.get("subject")): sorted(_keys(a.get("inspectors")))
        for a in (got_list if isinstance(got_list, list) else [])
        if isinstance(a, dict)
    }
    for key in sorted(set(want_a) | set(got_a)):
        w, g = want_a.get(key), got_a.get(key)
        if w == g:
            continue
        if g is None:
            out.append(f"主体 {key} 重新抽取应由 {'、'.join(w or [])} 检查，公布结果未分派检查人员")
        elif w is None:
            out.append(f"主体 {key} 公布分派了检查人员 {'、'.join(g)}，重新抽取不应分派")
        else:
            out.append(f"主体 {key} 的检查人员应为 {'、'.join(w)}，公布为 {'、'.join(g)}")
    want_u = {u["subject"] for u in expected["unassignable"]}
    got_u_list = published.get("unassignable")
    got_u = {
        str(u.get("subject"))
        for u in (got_u_list if isinstance(got_u_list, list) else [])
        if isinstance(u, dict)
    }
    for key in sorted(want_u - got_u):
        out.append(f"主体 {key} 重新抽取无法分派足够的检查人员，公布结果未如实标明")
    for key in sorted(got_u - want_u):
        out.append(f"主体 {key} 公布为无法分派检查人员，重新抽取并非如此")
    if published.get("pool_size") != expected["pool_size"]:
        out.append(f"名录主体数应为 {expected['pool_size']}，公布为 {published.get('pool_size')}")
    return out


def iter_conflicts(record_result: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(subject, inspector) of each assignment in a result (for checks and tests)."""
    for a in record_result.get("assignments", []):
        for i in a["inspectors"]:
            yield a["subject"], i
