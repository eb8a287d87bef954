"""Draws and their verification against the catalogue (the draw record is plain JSON in and
out), and the persisted 双随机、一公开: plans, draws with their published commitment, tasks and
results written to the ledger (the caller owns the transaction)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.inspections import InspectionCatalogue, policy_json
from xinyong.catalog.model import in_force
from xinyong.events import service as events
from xinyong.events.model import INSPECTION_EVENTS
from xinyong.identity.redact import redact_identifiers
from xinyong.identity.ric import resident_ids_in
from xinyong.inspections import registry, rules
from xinyong.inspections import repository as repo
from xinyong.kernel.calendar import WorkCalendar, provisional_label
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import (
    Conflict,
    InputError,
    NotFound,
    PermissionDenied,
    XinyongError,
)
from xinyong.ledger import service as ledger
from xinyong.ledger.hashing import canonical_json, content_hash
from xinyong.ledger.model import BatchDraft, NewEntry
from xinyong.publication.derived import Deriver, RecordFacts


def _inputs(
    catalogue: InspectionCatalogue,
    pool_data: object,
    policy_ref: str,
    seed_hex: str,
    beacon: rules.Beacon | None,
) -> rules.DrawInputs:
    seed = rules.seed_bytes(seed_hex)
    pool = rules.parse_pool(pool_data)
    policy = catalogue.policy(policy_ref, on=pool.as_of)
    item = catalogue.item(pool.item)
    if item.code not in policy.items:
        raise InputError(
            f"item {item.code} is not governed by policy {policy.ref}",
            f"抽查事项“{item.name}”（{item.code}）不适用监管策略 {policy.ref}"
            f"（适用事项：{'、'.join(policy.items)}）",
        )
    for j in pool.joint:
        joint_item = catalogue.item(j.item)
        if tuple(sorted(joint_item.qualifications)) != j.qualifications:
            raise InputError(
                f"joint item {j.item}: qualifications differ from the catalogue",
                f"联合抽查事项“{joint_item.name}”（{j.item}）的检查人员资格与抽查事项清单不一致"
                f"（清单：{'、'.join(sorted(joint_item.qualifications)) or '无'}）",
            )
    if not in_force(policy, pool.as_of):
        raise InputError(
            f"policy {policy.ref} is not in force on {pool.as_of}",
            f"监管策略 {policy.ref} 在名录日期 {pool.as_of.isoformat()} 不在有效期内",
        )
    return rules.DrawInputs(seed, pool, policy_json(policy, catalogue.items_of(policy)), beacon)


def draw(
    catalogue: InspectionCatalogue,
    pool_data: object,
    policy_ref: str,
    seed_hex: str,
    beacon: rules.Beacon | None = None,
) -> dict[str, Any]:
    """The draw record for a pool (its JSON), the policy ``CODE@VERSION`` (or ``CODE``: the
    version in force on the pool's date) and a seed in hex."""
    return rules.make_record(_inputs(catalogue, pool_data, policy_ref, seed_hex, beacon))


def commitment(
    catalogue: InspectionCatalogue,
    pool_data: object,
    policy_ref: str,
    seed_hex: str,
    beacon_source: str = "",
) -> dict[str, Any]:
    """What is published before the draw: the seed's commitment (never the seed), the pool
    and policy digests, the beacon source to be mixed in, and the draw commitment over them."""
    beacon = rules.Beacon(beacon_source, "") if beacon_source else None
    inputs = _inputs(catalogue, pool_data, policy_ref, seed_hex, beacon)
    seed_commitment = rules.seed_commitment(inputs.seed)
    return {
        "format": rules.FORMAT,
        "algorithm": rules.ALGORITHM,
        "seed_commitment": seed_commitment,
        "beacon_source": beacon_source or None,
        "pool_digest": inputs.pool_digest,
        "policy_version": rules.parse_policy(inputs.policy_json).ref,
        "policy_digest": inputs.policy_digest,
        "draw_commitment": rules.draw_commitment(
            seed_commitment, inputs.pool_digest, inputs.policy_digest, beacon_source
        ),
    }


def verify(
    catalogue: InspectionCatalogue | None,
    record: object,
    published_commitment: str | None = None,
) -> list[str]:
    """``rules.verify``, and, when the catalogue holds the policy version the record names,
    whether the record's policy is that version's."""
    known = None
    if catalogue is not None and isinstance(record, dict):
        ref = record.get("policy_version")
        if isinstance(ref, str) and "@" in ref:
            code, _, version = ref.partition("@")
            for p in catalogue.policies:
                if p.code == code and p.version == version:
                    known = policy_json(p, catalogue.items_of(p))
    return rules.verify(record, known, published_commitment)


# -- persisted: plans, draws, tasks, results (issue 12, part 3) -------------------------------
#
# A plan names its items (the 抽查事项清单: no item, no inspection), the lead department, the
# supervision policy and the pool filter. A draw of a plan goes prepared → published → drawn:
# preparing freezes the pool snapshot (built from the platform's organisations; inspections
# this year and recent pairings from the stored tasks), draws a secret seed and computes the
# commitment; publishing makes the commitment public (committed_at); only then can the draw
# run, which reveals the seed, stores the full record and its public copy and opens one task
# per drawn subject. A result entered by an assigned inspector becomes an XZJC ledger record.

# (connection, evaluation model code, subject keys) -> key: the grade letter of its current
# result under that model; a key absent or None is ungraded (the policy's null stratum).
# Bootstrap injects the evaluation context's reader (one indexed query per chunk of keys).
GradeReader = Callable[[Connection, str, Sequence[str]], Mapping[str, str | None]]


def no_grades(conn: Connection, model: str, keys: Sequence[str]) -> Mapping[str, str | None]:
    """No reader wired (tests of the draw alone): every subject is ungraded."""
    return {}


@dataclass(frozen=True, slots=True)
class Deps:
    catalogue: Catalogue
    calendar: WorkCalendar
    inspections: InspectionCatalogue
    grades: GradeReader = no_grades
    # The evaluation models whose grades may be shown publicly (disclosed 社会公开; bootstrap
    # derives it from the models): none by default, SAMR risk classes are internal.
    public_grade_schemes: frozenset[str] = frozenset()


PLAN_KINDS = {"annual": "年度抽查计划", "adhoc": "专项（临时）抽查计划"}
DRAW_STATUS = {
    "prepared": "已生成承诺，待公布",
    "published": "承诺已公布，待抽取",
    "drawn": "已抽取，种子已公开",
}
TASK_STATUS = {"open": "待检查", "done": "已录入结果"}
FILTER_KEYS = ("region", "type", "industry", "size")
RESULT_TABLE = "inspection_result"
RESULT_ITEM = "XZJC"  # 行政监督检查信息 (企业信息公示暂行条例 第十四条; 令101 第十二条)
RESULT_METHOD = "双随机抽查"
TYPE_LABELS = {
    "91": "企业",
    "92": "个体工商户",
    "93": "农民专业合作社",
    "11": "机关",
    "12": "事业单位",
    "51": "社会团体",
    "52": "民办非企业单位",
    "53": "基金会",
}
UNKNOWN = "unknown"
# The pool filters whose values are codes of a catalogue code table (the registration
# record's DJ_HYML and DJ_QYGM). A filter lists codes, comma-separated; UNKNOWN among them
# takes in the subjects whose registration states none. Without it they are left out, and
# the plan shows how many were (a 定向抽查 by industry neither drops nor takes them silently).
FILTER_TABLES = {"industry": "industry_category", "size": "enterprise_size"}
FILTER_LABELS = {"region": "地区", "type": "主体类型", "industry": "行业门类", "size": "企业规模"}
UNKNOWN_LABEL = "未知（登记信息未载明）"


def _coded_filter(catalogue: Catalogue, key: str, raw: str) -> str:
    """The filter's codes in the code table's order (labels accepted), or a clear error."""
    table = catalogue.code_table(FILTER_TABLES[key])
    wanted: set[str] = set()
    for part in (p.strip() for p in raw.replace("，", ",").split(",")):
        if not part:
            continue
        if part in (UNKNOWN, "未知"):
            wanted.add(UNKNOWN)
            continue
        value = catalogue.lookup_code(table.code, part)
        if value is None:
            allowed = "、".join(f"{c.code} {c.label}" for c in table.values)
            raise InputError(
                f"pool_filter.{key}: not a code of table {table.code}",
                f"抽查对象范围 pool_filter.{key}“{part[:20]}”不是“{table.name}”中的代码"
                f"（可用：{allowed}；unknown 表示纳入未载明{FILTER_LABELS[key]}的主体）",
            )
        wanted.add(value.code)
    order = [c.code for c in table.values] + [UNKNOWN]
    return ",".join(c for c in order if c in wanted)


def _matches(filt: Mapping[str, Any], key: str, value: str | None) -> bool:
    codes = filt.get(key)
    if not codes:
        return True
    return (value or UNKNOWN) in str(codes).split(",")


def filter_view(catalogue: Catalogue, filt: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The pool filter with labels: per key, its codes and their labels."""
    out = []
    for k in FILTER_KEYS:
        v = filt.get(k)
        if not v:
            continue
        labels = []
        for c in str(v).split(","):
            if k in FILTER_TABLES:
                value = catalogue.lookup_code(FILTER_TABLES[k], c) if c != UNKNOWN else None
                labels.append(value.label if value else UNKNOWN_LABEL)
            else:
                labels.append(TYPE_LABELS.get(c, c) if k == "type" else c)
        out.append({"key": k, "key_label": FILTER_LABELS[k], "codes": v, "labels": labels})
    return out


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(CHINA_TZ).date()


def _bj(t: dt.datetime | None) -> str | None:
    return None if t is None else t.astimezone(CHINA_TZ).isoformat(timespec="seconds")


def _not_found(what_en: str, what_zh: str) -> NotFound:
    return NotFound(what_en, what_zh)


def _plan(conn: Connection, plan_id: int) -> dict[str, Any]:
    row = repo.plan(conn, plan_id)
    if row is None:
        raise _not_found(f"no plan {plan_id}", f"没有抽查计划 {plan_id}")
    return row


def _draw(conn: Connection, draw_id: int) -> dict[str, Any]:
    row = repo.draw(conn, draw_id)
    if row is None:
        raise _not_found(f"no draw {draw_id}", f"没有抽取 {draw_id}")
    return row


def _own(department_code: str | None, owner: str, what: str) -> None:
    if department_code is not None and department_code != owner:
        raise PermissionDenied(
            f"{what} belongs to department {owner}", f"{what}属于部门 {owner}，本部门不能办理"
        )


def create_plan(
    conn: Connection,
    deps: Deps,
    *,
    name: str,
    kind: str,
    year: int,
    department_code: str,
    items: Sequence[Mapping[str, str]],
    policy_ref: str,
    pool_filter: Mapping[str, str | None],
    actor: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """A plan: the lead department's item first; a joint plan adds other departments' items
    inspected on the same subjects (进一次门、查多项事)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("plan name required", "抽查计划名称（name）不能为空，且不超过200字")
    if kind not in PLAN_KINDS:
        raise InputError(
            f"unknown plan kind {kind!r}",
            f"计划类型（kind）“{kind[:20]}”有误：应为 annual（年度）或 adhoc（专项）",
        )
    if not 2000 <= year <= 2100:
        raise InputError(f"bad year {year}", f"计划年度（year）“{year}”有误")
    if not items:
        raise InputError(
            "a plan names at least one inspection item",
            "抽查计划须列明至少一个抽查事项（items）：无清单不检查",
        )
    lead = access.require_department(conn, department_code)
    seen: set[str] = set()
    out_items: list[dict[str, str]] = []
    for i, it in enumerate(items):
        code = str(it.get("item") or "").strip()
        dept = str(it.get("department") or department_code).strip()
        item = deps.inspections.item(code)  # "抽查事项清单中没有事项…" when absent
        if code in seen:
            raise InputError(f"item {code} twice", f"抽查事项（items[{i}]）“{code}”重复")
        seen.add(code)
        d = access.require_department(conn, dept)
        if d["sector"] != item.sector:
            raise InputError(
                f"item {code} is not of department {dept}'s sector",
                f"抽查事项“{item.name}”（items[{i}]）属于{item.sector}领域，部门“{d['name']}”"
                f"的领域为{d['sector']}，不能列为该部门的事项",
            )
        out_items.append({"item": code, "department": dept})
    if out_items[0]["department"] != department_code:
        raise InputError(
            "the first item is the lead department's",
            f"第一个抽查事项应为牵头部门“{lead['name']}”的事项（抽取按它进行）",
        )
    on = dt.date(year, 1, 1) if year != _today(now).year else _today(now)
    policy = deps.inspections.policy(policy_ref.strip(), on=on)
    if out_items[0]["item"] not in policy.items:
        raise InputError(
            "the lead item is not governed by the policy",
            f"抽查事项“{out_items[0]['item']}”不适用监管策略 {policy.ref}"
            f"（适用：{'、'.join(policy.items)}）",
        )
    filt: dict[str, str | None] = {}
    for k, v in pool_filter.items():
        if k not in FILTER_KEYS:
            raise InputError(
                f"unknown filter {k}",
                f"抽查对象范围（pool_filter）不认识“{k[:20]}”（可用：{'、'.join(FILTER_KEYS)}）",
            )
        val = (v or "").strip() or None
        if val is not None and k in FILTER_TABLES:
            val = _coded_filter(deps.catalogue, k, val)
        elif val is not None and not rules._TOKEN.match(val):
            raise InputError(f"bad filter {k}", f"抽查对象范围 pool_filter.{k}“{val[:20]}”有误")
        filt[k] = val
    row = {
        "name": name,
        "kind": kind,
        "year": year,
        "department_code": department_code,
        "items": json.dumps(out_items, ensure_ascii=False),
        "policy_ref": policy.ref,
        "pool_filter": json.dumps(filt, ensure_ascii=False, sort_keys=True),
        "created_by": actor,
        "created_at": now,
        "published_at": None,
    }
    pid = repo.insert_plan(conn, row)
    return plan_view(conn, deps, {**row, "id": pid}, full=True)


def publish_plan(
    conn: Connection, deps: Deps, plan_id: int, *, department_code: str | None, now: dt.datetime
) -> dict[str, Any]:
    row = _plan(conn, plan_id)
    _own(department_code, row["department_code"], "抽查计划")
    if row["published_at"] is None:
        repo.update_plan(conn, plan_id, {"published_at": now})
    return plan_view(conn, deps, _plan(conn, plan_id), full=True)


def plan_view(
    conn: Connection, deps: Deps, row: Mapping[str, Any], *, full: bool = False
) -> dict[str, Any]:
    names = registry.department_names(conn)
    items = []
    for it in json.loads(row["items"]):
        item = deps.inspections.item(it["item"])
        items.append(
            {
                "item": it["item"],
                "item_label": item.name,
                "department": it["department"],
                "department_label": names.get(it["department"], it["department"]),
            }
        )
    out: dict[str, Any] = {
        "id": int(row["id"]),
        "name": row["name"],
        "kind": row["kind"],
        "kind_label": PLAN_KINDS.get(str(row["kind"]), str(row["kind"])),
        "year": int(row["year"]),
        "department": row["department_code"],
        "department_label": names.get(row["department_code"], row["department_code"]),
        "joint": len({i["department"] for i in items}) > 1,
        "items": items,
        "policy": row["policy_ref"],
        "grade_model": _grade_model(deps, str(row["policy_ref"])),
        "pool_filter": json.loads(row["pool_filter"]),
        "pool_filter_labels": filter_view(deps.catalogue, json.loads(row["pool_filter"])),
        "published": row["published_at"] is not None,
        "published_at": _bj(row["published_at"]),
    }
    if full:
        out["unknowns"] = unknown_counts(conn, json.loads(row["pool_filter"]))
        out["draws"] = [
            draw_view(d, public=False) for d in repo.draws_of_plans(conn, [int(row["id"])])
        ]
    return out


def unknown_counts(conn: Connection, filt: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per industry/size filter of a plan: the organisations in its region and type whose
    registration states no value, and whether the filter takes them in (shown on the plan
    page: a 定向抽查 never drops or takes them silently)."""
    out = []
    for k in FILTER_TABLES:
        if not filt.get(k):
            continue
        n = repo.count_unknown(conn, k, filt.get("region"), filt.get("type"))
        included = UNKNOWN in str(filt[k]).split(",")
        out.append({"key": k, "key_label": FILTER_LABELS[k], "count": n, "included": included})
    return out


def _grade_model(deps: Deps, policy_ref: str) -> dict[str, Any] | None:
    """The evaluation model whose grades stratify the plan's policy (code with its label)."""
    found = deps.inspections.grade_model(deps.inspections.policy(policy_ref))
    if found is None:
        return None
    return {"code": found.code, "label": found.name, "public": found.public}


def list_plans(
    conn: Connection,
    deps: Deps,
    *,
    department_code: str | None = None,
    published_only: bool = False,
    limit: int = 50,
    offset: int = 0,
    full: bool = False,
) -> list[dict[str, Any]]:
    return [
        plan_view(conn, deps, r, full=full)
        for r in repo.plans(
            conn,
            department_code=department_code,
            published_only=published_only,
            limit=limit,
            offset=offset,
        )
    ]


def coverage(conn: Connection, plans: Sequence[Mapping[str, Any]]) -> dict[int, dict[str, Any]]:
    """Sampling coverage of each plan (the console's figures): the pool and the subjects drawn
    of its latest draw, tasks, tasks done and results entered late."""
    counts = repo.coverage(conn, [int(p["id"]) for p in plans])
    out: dict[int, dict[str, Any]] = {}
    for p in plans:
        drawn = [d for d in p.get("draws") or [] if d["status"] == "drawn"]
        pool = int(drawn[-1].get("pool_size", 0)) if drawn else 0
        c = counts[int(p["id"])]
        share = f"{100 * c['tasks'] / pool:.1f}%" if pool else "—"
        out[int(p["id"])] = {**c, "pool": pool, "share": share}
    return out


def get_plan(conn: Connection, deps: Deps, plan_id: int) -> dict[str, Any]:
    return plan_view(conn, deps, _plan(conn, plan_id), full=True)


def inspections_this_year(
    conn: Connection, departments: Sequence[str], as_of: dt.date
) -> dict[str, int]:
    """Inspections of each subject this calendar year up to ``as_of`` that count against the
    yearly cap (2025 涉企行政检查 opinion: a cap per enterprise), per department: the platform's
    tasks the department led or took part in, plus the inspection records (XZJC) the department
    reported itself — each once, revoked ones not, the platform's own results not twice. A
    joint plan takes, per subject, the highest count of its departments: an inspection that
    would put any of them over its cap is not drawn."""
    start = dt.date(as_of.year, 1, 1)
    out: dict[str, int] = {}
    for d in departments:
        mine = dict(repo.inspections_in_year(conn, d, start, as_of))
        for k, n in repo.reported_inspections(conn, d, RESULT_ITEM, start, as_of).items():
            mine[k] = mine.get(k, 0) + n
        for k, n in mine.items():
            out[k] = max(out.get(k, 0), n)
    return out


def build_pool(
    conn: Connection, deps: Deps, plan: Mapping[str, Any], as_of: dt.date
) -> dict[str, Any]:
    """The pool snapshot of a plan from the platform: organisations only (never natural
    persons), inspections this year and recent pairings from the stored tasks, grades from
    the evaluation reader (None: the ungraded stratum), recusals from the registry."""
    items = json.loads(plan["items"])
    lead = items[0]
    policy = deps.inspections.policy(plan["policy_ref"])
    filt = json.loads(plan["pool_filter"])
    region = filt.get("region")
    kind = filt.get("type")
    rows = [
        r
        for r in repo.organisations(conn, region)
        if (kind is None or str(r["key"])[:2] == kind)
        and _matches(filt, "industry", r["industry"])
        and _matches(filt, "size", r["size"])
    ]
    keys = [str(r["key"]) for r in rows]
    grades = deps.grades(conn, policy.grade_model, keys) if policy.grade_model else {}
    departments = [plan["department_code"]]
    departments += sorted({str(it["department"]) for it in items} - {plan["department_code"]})
    counts = inspections_this_year(conn, departments, as_of)
    # Every participating department's active inspectors (a joint team, 进一次门、查多项事).
    inspectors = [i for d in departments for i in repo.inspectors(conn, d, active_only=True)]
    ids = [str(i["id"]) for i in inspectors]
    requests: dict[str, list[str]] = {}
    ties: dict[str, list[str]] = {}
    for rc in repo.recusals(conn, inspector_ids=ids):
        if rc["kind"] == "request":
            requests.setdefault(str(rc["subject_key"]), []).append(str(rc["inspector_id"]))
        else:
            ties.setdefault(str(rc["inspector_id"]), []).append(str(rc["subject_key"]))
    since = rules.months_before(as_of, policy.recusal.recent_pairing_months)
    pairings = [
        {"inspector": p["inspector_id"], "subject": p["subject_key"], "date": p["drawn_on"]}
        for p in repo.pairings_since(conn, since, as_of)
        if p["inspector_id"] in ids
    ]
    known = set(keys)
    joint = [
        {
            "item": it["item"],
            "department": it["department"],
            "qualifications": sorted(deps.inspections.item(it["item"]).qualifications),
        }
        for it in items[1:]
    ]
    return {
        **({"joint": joint} if joint else {}),
        "item": lead["item"],
        "department": plan["department_code"],
        "scope": region or "all",
        "as_of": as_of.isoformat(),
        "subjects": [
            {
                "key": str(r["key"]),
                "name": redact_identifiers(str(r["name"])),
                "region": str(r["region"] or UNKNOWN),
                "industry": str(r["industry"] or UNKNOWN),
                "type": str(r["key"])[:2],
                "size": str(r["size"] or UNKNOWN),
                "grade": grades.get(str(r["key"])),
                "inspections_this_year": counts.get(str(r["key"]), 0),
                "recusal_requests": sorted(set(requests.get(str(r["key"]), []))),
            }
            for r in rows
        ],
        "inspectors": [
            {
                "id": str(i["id"]),
                "department": i["department_code"],
                "region": i["region"],
                "qualifications": json.loads(i["qualifications"]),
                "relationships": sorted(set(ties.get(str(i["id"]), [])) & known),
            }
            for i in inspectors
        ],
        "pairings": [
            {**p, "date": p["date"].isoformat()} for p in pairings if p["subject"] in known
        ],
    }


def prepare_draw(
    conn: Connection,
    deps: Deps,
    plan_id: int,
    *,
    department_code: str | None,
    actor: str,
    now: dt.datetime,
    beacon_source: str = "",
    seed_hex: str | None = None,
) -> dict[str, Any]:
    """Freeze the pool, draw a secret seed and compute the commitment (not yet public)."""
    plan = _plan(conn, plan_id)
    _own(department_code, plan["department_code"], "抽查计划")
    for d in repo.draws_of_plans(conn, [plan_id]):
        if d["status"] != "drawn":
            raise Conflict(
                f"plan {plan_id} has draw {d['id']} pending",
                f"抽查计划 {plan_id} 已有未完成的抽取 {d['id']}（{DRAW_STATUS[d['status']]}）",
            )
    beacon_source = beacon_source.strip()
    if len(beacon_source) > 200:
        raise InputError("beacon source too long", "公共随机数来源（beacon_source）不超过200字")
    pool = build_pool(conn, deps, plan, _today(now))
    seed = seed_hex or secrets.token_hex(32)
    c = commitment(deps.inspections, pool, plan["policy_ref"], seed, beacon_source)
    row = {
        "plan_id": plan_id,
        "status": "prepared",
        "seed": seed,
        "seed_commitment": c["seed_commitment"],
        "beacon_source": beacon_source or None,
        "pool": rules.canonical_bytes(pool).decode("utf-8"),
        "pool_digest": c["pool_digest"],
        "policy_digest": c["policy_digest"],
        "draw_commitment": c["draw_commitment"],
        "prepared_by": actor,
        "prepared_at": now,
    }
    did = repo.insert_draw(conn, row)
    return draw_view({**row, "id": did, "committed_at": None, "drawn_at": None}, public=False)


def publish_commitment(
    conn: Connection,
    deps: Deps,
    draw_id: int,
    *,
    department_code: str | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """Publish the commitment (the plan with it): from now on the draw can run."""
    d = _draw(conn, draw_id)
    plan = _plan(conn, int(d["plan_id"]))
    _own(department_code, plan["department_code"], "抽查计划")
    if d["status"] != "prepared":
        raise Conflict(
            f"draw {draw_id} is {d['status']}",
            f"抽取 {draw_id} 的承诺已公布（{DRAW_STATUS[d['status']]}），不能再次公布",
        )
    if plan["published_at"] is None:
        repo.update_plan(conn, int(plan["id"]), {"published_at": now})
    repo.update_draw(conn, draw_id, "prepared", {"status": "published", "committed_at": now})
    return draw_view(_draw(conn, draw_id), public=False)


def run_planned_draw(
    conn: Connection,
    deps: Deps,
    draw_id: int,
    *,
    department_code: str | None,
    actor: str,
    now: dt.datetime,
    beacon_value: str | None = None,
) -> dict[str, Any]:
    """Run the draw over the frozen pool, reveal the seed, store the record and its public
    copy, open one task per drawn subject with its inspectors."""
    d = _draw(conn, draw_id)
    plan = _plan(conn, int(d["plan_id"]))
    _own(department_code, plan["department_code"], "抽查计划")
    if d["status"] == "prepared" or d["committed_at"] is None:
        raise Conflict(
            f"draw {draw_id}: commitment not published",
            f"抽取 {draw_id} 的承诺尚未公布：须先公布抽取承诺，才能抽取（先承诺、后抽取）",
        )
    if d["status"] == "drawn":
        raise Conflict(f"draw {draw_id} already run", f"抽取 {draw_id} 已经完成，不能重抽")
    if now <= d["committed_at"]:
        raise Conflict(
            "the draw must come after the commitment",
            "抽取时间须晚于承诺公布时间",
        )
    beacon = None
    if d["beacon_source"]:
        value = (beacon_value or "").strip()
        if not value or len(value) > 200:
            raise InputError(
                "beacon value required",
                f"本次抽取事先公布了公共随机数来源“{d['beacon_source']}”，须填写其公布值（beacon_value）",
            )
        beacon = rules.Beacon(str(d["beacon_source"]), value)
    pool = json.loads(d["pool"])
    record = draw(deps.inspections, pool, plan["policy_ref"], str(d["seed"]), beacon)
    if record["draw_commitment"] != d["draw_commitment"]:  # the frozen inputs changed
        raise Conflict(
            "the draw does not match its commitment",
            "抽取输入与公布的承诺不一致，抽取中止",
        )
    public = public_copy(record, deps)
    items = json.loads(plan["items"])
    names = {s["key"]: s["name"] for s in pool["subjects"]}
    today = _today(now)
    for a in record["result"]["assignments"]:
        repo.insert_task(
            conn,
            {
                "draw_id": draw_id,
                "plan_id": plan["id"],
                "department_code": plan["department_code"],
                "subject_key": a["subject"],
                "subject_name": names.get(a["subject"], a["subject"]),
                "inspectors": json.dumps(a["inspectors"]),
                "items": json.dumps(items, ensure_ascii=False),
                "drawn_on": today,
                "status": "open",
            },
            a["inspectors"],
        )
    done = repo.update_draw(
        conn,
        draw_id,
        "published",
        {
            "status": "drawn",
            "drawn_by": actor,
            "drawn_at": now,
            "record": json.dumps(record, ensure_ascii=False, sort_keys=True),
            "public_record": json.dumps(public, ensure_ascii=False, sort_keys=True),
        },
    )
    if done != 1:
        raise Conflict(f"draw {draw_id} ran concurrently", f"抽取 {draw_id} 已被同时执行")
    events.emit(
        conn,
        INSPECTION_EVENTS["drawn"],
        subject_key=None,
        payload={
            "draw": draw_id,
            "plan": int(plan["id"]),
            "department": plan["department_code"],
            "tasks": len(record["result"]["assignments"]),
            "draw_commitment": record["draw_commitment"],
        },
        now=now,
    )
    return draw_view(_draw(conn, draw_id), public=False)


def public_copy(record: Mapping[str, Any], deps: Deps) -> dict[str, Any]:
    """The record the portal publishes. A stratified draw can only be re-run by someone who
    sees each subject's stratum, so the public copy is the whole record (verifiable with
    ``xinyong verify-draw``) when the pool carries no grade or the grade scheme is public.
    When it carries internal grades (SAMR risk classes), the grades are withheld: the copy
    says so, and only the full record (given to supervisors) verifies."""
    policy = record["policy"]
    graded = any(s.get("grade") is not None for s in record["pool"]["subjects"])
    if not graded or policy.get("grade_model") in deps.public_grade_schemes:
        return dict(record)
    pool = dict(record["pool"])
    pool["subjects"] = [{**s, "grade": None} for s in pool["subjects"]]
    result = dict(record["result"])
    # Per-class counts stay (aggregates, as the plan's ratios are public); who is in which
    # class does not.
    result["strata"] = [
        {
            **s,
            "drawn": [],
            "topped_up": [],
            "drawn_count": len(s["drawn"]) + len(s.get("topped_up", [])),
            "topped_up_count": len(s.get("topped_up", [])),
        }
        for s in result["strata"]
    ]
    return {
        **record,
        "pool": pool,
        "result": result,
        "grades_withheld": "本次抽取按内部信用风险分类分层，分类不向社会公开（不评价、不惩戒、"
        "不公开）：公开本已隐去每户的分类，任何人都无法据此重新抽取核对分层；抽中的主体、"
        "种子和承诺照常公开，完整记录向监督机构提供复核",
    }


def draw_view(row: Mapping[str, Any], *, public: bool) -> dict[str, Any]:
    drawn = row["status"] == "drawn"
    out: dict[str, Any] = {
        "id": int(row["id"]),
        "plan": int(row["plan_id"]),
        "status": row["status"],
        "status_label": DRAW_STATUS.get(str(row["status"]), str(row["status"])),
        "seed_commitment": row["seed_commitment"],
        "beacon_source": row["beacon_source"],
        "pool_digest": row["pool_digest"],
        "policy_digest": row["policy_digest"],
        "draw_commitment": row["draw_commitment"],
        "prepared_at": _bj(row["prepared_at"]),
        "committed_at": _bj(row.get("committed_at")),
        "drawn_at": _bj(row.get("drawn_at")),
        "seed": row["seed"] if drawn else None,  # revealed only after the draw
        "record_url": f"/api/v1/inspections/draws/{row['id']}/record.json" if drawn else None,
    }
    if drawn and row.get("public_record"):
        # The public copy carries every count (per stratum too) even when it withholds the
        # classes: one record parsed, for the console as for the portal.
        rec = json.loads(row["public_record"])
        out["drawn_subjects"] = len(rec["result"]["assignments"])
        out["unassignable"] = len(rec["result"]["unassignable"])
        out["pool_size"] = rec["result"]["pool_size"]
        out["grade_model"] = rec["policy"].get("grade_model")
        out["grades_withheld"] = rec.get("grades_withheld")
        floor = rec["result"].get("floor")
        out["floor"] = None if floor is None else {**floor, "ratio_label": _percent(floor["ratio"])}
        out["strata"] = [_stratum_view(s) for s in rec["result"]["strata"]]
    return out


def _percent(ratio: object) -> str:
    """A decimal ratio as a percentage label: "0.03" → "3%", "0.005" → "0.5%"."""
    return f"{(Decimal(str(ratio)) * 100).normalize():f}%"


def _stratum_view(s: Mapping[str, Any]) -> dict[str, Any]:
    """A stratum's figures as pages show them: pool (eligible), ratio, drawn (with top-up)."""
    topped = len(s.get("topped_up") or [])
    count = s["drawn_count"] if "drawn_count" in s else len(s["drawn"]) + topped
    return {
        "code": s["code"],
        "grade": s["grade"],
        "label": s["label"],
        "ratio": s["ratio"],
        "ratio_label": _percent(s["ratio"]),
        "eligible": int(s["eligible"]),
        "target": int(s["target"]),
        "drawn": int(count),
        "topped_up": int(s["topped_up_count"]) if "topped_up_count" in s else topped,
    }


def get_draw(conn: Connection, draw_id: int, *, public: bool) -> dict[str, Any]:
    d = _draw(conn, draw_id)
    if public and d["committed_at"] is None:
        raise _not_found(f"draw {draw_id} not published", f"没有已公布的抽取 {draw_id}")
    return draw_view(d, public=public)


def draw_record(conn: Connection, draw_id: int, *, public: bool) -> dict[str, Any]:
    """The stored record (the public copy for the portal) of a draw that ran."""
    d = _draw(conn, draw_id)
    if d["status"] != "drawn":
        raise _not_found(
            f"draw {draw_id} has not run", f"抽取 {draw_id} 尚未进行，种子与记录在抽取后公布"
        )
    return dict(json.loads(d["public_record"] if public else d["record"]))


# -- tasks and results ------------------------------------------------------------------------


def _result_labels(deps: Deps) -> dict[str, str]:
    return {v.code: v.label for v in deps.catalogue.code_table(RESULT_TABLE).values}


def task_view(
    conn: Connection,
    deps: Deps,
    row: Mapping[str, Any],
    results: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
    *,
    public: bool = False,
) -> dict[str, Any]:
    labels = _result_labels(deps)
    items = [
        {
            "item": it["item"],
            "item_label": deps.inspections.item(it["item"]).name,
            "department": it["department"],
            "department_label": names.get(it["department"], it["department"]),
        }
        for it in json.loads(row["items"])
    ]
    out: dict[str, Any] = {
        "id": int(row["id"]),
        "plan": int(row["plan_id"]),
        "draw": int(row["draw_id"]),
        "subject": row["subject_key"],
        "subject_name": row["subject_name"],
        "department": row["department_code"],
        "department_label": names.get(row["department_code"], row["department_code"]),
        "items": items,
        "drawn_on": row["drawn_on"].isoformat(),
        "status": row["status"],
        "status_label": TASK_STATUS.get(str(row["status"]), str(row["status"])),
        "results": [
            {
                "item": r["item_code"],
                "item_label": deps.inspections.item(str(r["item_code"])).name,
                "result": r["result_code"],
                "result_label": labels.get(str(r["result_code"]), str(r["result_code"])),
                "text": r["result_text"],
                "inspected_on": r["inspected_on"].isoformat(),
                **(
                    {}
                    if public
                    else {
                        "due": r["due_date"].isoformat(),
                        "due_provisional": bool(r["due_provisional"]),
                        "overdue": bool(r["overdue"]),
                        "overdue_label": "逾期录入" if r["overdue"] else "按期录入",
                        "entered_by": r["entered_by"],
                        "entry": int(r["entry_id"]),
                    }
                ),
            }
            for r in results
        ],
    }
    if not public:
        out["inspectors"] = json.loads(row["inspectors"])
    return out


def list_tasks(
    conn: Connection,
    deps: Deps,
    *,
    draw_id: int | None = None,
    plan_ids: Sequence[int] | None = None,
    inspector_id: str | None = None,
    department_code: str | None = None,
    status: str | None = None,
    public: bool = False,
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    rows = repo.tasks(
        conn,
        draw_id=draw_id,
        plan_ids=plan_ids,
        inspector_id=inspector_id,
        department_code=department_code,
        status=status,
        limit=limit,
        offset=offset,
    )
    results = repo.results_of_tasks(conn, [int(r["id"]) for r in rows])
    names = registry.department_names(conn)
    return [task_view(conn, deps, r, results[int(r["id"])], names, public=public) for r in rows]


def enter_result(
    conn: Connection,
    deps: Deps,
    task_id: int,
    *,
    inspector_id: str,
    item_code: str,
    result_code: str,
    result_text: str,
    inspected_on: dt.date,
    now: dt.datetime,
    department_code: str | None = None,
) -> dict[str, Any]:
    """A result by one of the task's inspectors, for one of its items. Each department enters
    its own items (谁检查、谁录入): on a joint team the inspector must be of the item's
    department, and ``department_code`` (the caller's department; None: the office) must be
    it. The deadline is the policy's working days from the day the inspection ended
    (calendar service); a result after it is accepted and flagged overdue. Written to the
    ledger as an XZJC record of the item's department."""
    task = repo.task(conn, task_id)
    if task is None:
        raise _not_found(f"no task {task_id}", f"没有检查任务 {task_id}")
    assigned = json.loads(task["inspectors"])
    if inspector_id not in assigned:
        raise PermissionDenied(
            f"inspector {inspector_id} is not assigned to task {task_id}",
            f"检查人员“{redact_identifiers(inspector_id)[:40]}”不是检查任务 {task_id} 抽中的检查人员，"
            "不能录入结果",
        )
    items = {it["item"]: it["department"] for it in json.loads(task["items"])}
    if item_code not in items:
        raise InputError(
            f"item {item_code} is not in task {task_id}",
            f"抽查事项（item）“{item_code[:32]}”不在检查任务 {task_id} 的事项中"
            f"（{'、'.join(items)}）",
        )
    owner = items[item_code]
    if department_code is not None and department_code != owner:
        raise PermissionDenied(
            f"item {item_code} of task {task_id} belongs to department {owner}",
            f"检查任务 {task_id} 的事项“{deps.inspections.item(item_code).name}”由部门 {owner} "
            "录入结果（各部门录入本部门事项的结果），本部门不能录入",
        )
    team = {str(i["id"]): str(i["department_code"]) for i in repo.inspectors_by_ids(conn, assigned)}
    if owner in team.values() and team.get(inspector_id) != owner:
        raise PermissionDenied(
            f"inspector {inspector_id} is not of department {owner}",
            f"检查人员“{redact_identifiers(inspector_id)[:40]}”不是事项“{item_code[:32]}”所属部门 "
            f"{owner} 的检查人员：联合检查中各部门的检查人员录入本部门事项的结果",
        )
    labels = _result_labels(deps)
    if result_code not in labels:
        raise InputError(
            f"unknown result code {result_code!r}",
            f"检查结果类别（result）“{result_code[:8]}”不在代码表 inspection_result 中"
            f"（可用：{'、'.join(f'{k} {v}' for k, v in labels.items())}）",
        )
    today = _today(now)
    if inspected_on > today:
        raise InputError(
            "inspected_on is in the future",
            f"检查日期（inspected_on）{inspected_on.isoformat()} 晚于今天，不能录入",
        )
    if inspected_on < task["drawn_on"]:
        raise InputError(
            "inspected_on before the draw",
            f"检查日期（inspected_on）{inspected_on.isoformat()} 早于抽取日期 "
            f"{task['drawn_on'].isoformat()}",
        )
    text = result_text.strip() or labels[result_code]
    if len(text) > 2000 or resident_ids_in(text, today):
        raise InputError(
            "result text too long or holds an ID number",
            "检查结果说明（text）不超过2000字，且不得含身份证号码（结果向社会公示）",
        )
    for r in repo.results_of_tasks(conn, [task_id])[task_id]:
        if r["item_code"] == item_code:
            raise Conflict(
                f"task {task_id} has a result for {item_code}",
                f"检查任务 {task_id} 的事项“{item_code}”已录入结果",
            )
    draw_row = _draw(conn, int(task["draw_id"]))
    record = json.loads(draw_row["record"])
    days = int(record["policy"]["result_entry_working_days"])
    due = deps.calendar.deadline(inspected_on, days)
    overdue = today > due.latest
    entry_id = _write_result(
        conn, deps, task, item_code, items[item_code], result_code, labels[result_code], text,
        inspected_on, now,
    )  # fmt: skip
    repo.insert_result(
        conn,
        {
            "task_id": task_id,
            "item_code": item_code,
            "result_code": result_code,
            "result_text": text,
            "inspected_on": inspected_on,
            "due_date": due.date,
            "due_provisional": due.provisional,
            "overdue": overdue,
            "entered_by": inspector_id,
            "entered_at": now,
            "entry_id": entry_id,
        },
    )
    events.emit(
        conn,
        INSPECTION_EVENTS["result"],
        subject_key=str(task["subject_key"]),
        payload={
            "task": task_id,
            "item": item_code,
            "result": result_code,
            "overdue": overdue,
            "entry": entry_id,
            "department": items[item_code],
        },
        now=now,
    )
    results = repo.results_of_tasks(conn, [task_id])[task_id]
    if {r["item_code"] for r in results} >= set(items):
        repo.set_task_status(conn, task_id, "done")
    out = task_view(
        conn,
        deps,
        {**task, "status": repo.task_status(conn, task_id)},
        results,
        registry.department_names(conn),
    )
    out["deadline"] = due.as_dict()
    return out


def _write_result(
    conn: Connection,
    deps: Deps,
    task: Mapping[str, Any],
    item_code: str,
    department_code: str,
    result_code: str,
    result_label: str,
    text: str,
    inspected_on: dt.date,
    now: dt.datetime,
) -> int:
    """The result as a record of the catalogue's 行政监督检查信息 item (XZJC), public as the
    catalogue derives it, so it shows in the subject's file and feeds the evaluation."""
    item = deps.catalogue.item(RESULT_ITEM, inspected_on)
    dept = access.require_department(conn, department_code)
    values = {
        "JC_XDR_MC": str(task["subject_name"]),
        "JC_XDR_SHXYM": str(task["subject_key"]),
        "JC_JCSX": deps.inspections.item(item_code).name,
        "JC_JCFS": RESULT_METHOD,
        "JC_JCRQ": inspected_on.isoformat(),
        "JC_JCJG": text,
        "JC_JGLB": result_code,
        "JC_WSH": f"SJ{task['plan_id']}-{task['id']}-{item_code}",
        "JC_SSJG": str(dept["name"]),
    }
    derived = Deriver(deps.catalogue, deps.calendar).record(
        RecordFacts(
            item=item,
            subject_kind="organisation",
            decision_date=inspected_on,
            values=values,
            sector=dept["sector"],
            received_on=_today(now),
            backfill=False,
        )
    )
    body = canonical_json(dict(values))
    chash = content_hash(body, {})
    entry = NewEntry(
        subject_key=str(task["subject_key"]),
        subject_kind="organisation",
        item_code=item.code,
        item_version=item.version,
        # as the import keys an XZJC row (subject | 检查事项 | 检查日期): a department sending the
        # same inspection later corrects this record instead of adding a second
        record_key=f"{task['subject_key']}|{values['JC_JCSX']}|{inspected_on.isoformat()}",
        action="assert",
        supersedes_id=None,
        decision_date=inspected_on,
        severity=derived.severity,
        disclosure=str(item.disclosure.value),
        content_hash=chash,
        payload=body,
        sealed=None,
        source_row=None,
        public=derived.public,
        public_from=derived.public_from,
        public_until=derived.public_until,
        repair_from=derived.repair_from,
        policy_code=derived.policy_code,
        window_reason=derived.window_reason,
        due_date=derived.due_date,
        late=derived.late,
        due_provisional=derived.due_provisional,
        due_earliest=derived.due_earliest,
        due_latest=derived.due_latest,
    )
    draft = BatchDraft(
        department_code=department_code,
        item_code=item.code,
        channel="inspection",
        source_name=f"双随机抽查任务 {task['id']}（{result_label}）",
        file_sha256=chash,
        format="inspect",
        received_at=now,
        row_count=1,
        accepted=1,
        rejected=0,
        duplicates=0,
        corrections=0,
        late=1 if derived.late else 0,
        catalogue_version=deps.catalogue.snapshot.version,
        backfill=False,
    )
    return ledger.append_batch(conn, draft, [entry]).entry_ids[0]


def published(
    conn: Connection, deps: Deps, *, limit: int = 20, offset: int = 0
) -> list[dict[str, Any]]:
    """What the portal shows: published plans, their draws whose commitment is public (the
    seed once drawn), the drawn subjects and their results (no inspector, no deadline)."""
    out = []
    for p in list_plans(conn, deps, published_only=True, limit=limit, offset=offset):
        p["draws"] = [
            draw_view(d, public=True)
            for d in repo.draws_of_plans(conn, [p["id"]])
            if d["committed_at"] is not None
        ]
        p["tasks"] = list_tasks(conn, deps, plan_ids=[p["id"]], public=True)
        out.append(p)
    return out


def subject_tasks(conn: Connection, deps: Deps, subject_key: str) -> list[dict[str, Any]]:
    """A subject's own inspection tasks (its account page): items, results, and who inspects
    (number and name; no deadline, no other subject)."""
    rows = repo.tasks(conn, subject_key=subject_key, limit=200)
    results = repo.results_of_tasks(conn, [int(r["id"]) for r in rows])
    names = registry.department_names(conn)
    people = {str(i["id"]): str(i["name"]) for i in repo.inspectors(conn)}
    out = []
    for r in rows:
        view = task_view(conn, deps, r, results[int(r["id"])], names, public=True)
        view["inspector_people"] = [
            {"id": i, "name": people.get(i, i)} for i in json.loads(r["inspectors"])
        ]
        out.append(view)
    return out


# -- sampling coverage and the public summary (issue 12, item 6; 一公开) ----------------------
#
# Everything is counted from what the platform stored: a draw's frozen record (its pool
# snapshot, the policy it ran under, each stratum's eligible, target and drawn subjects), the
# tasks it opened and the results entered. A task is "overdue" when one of its results was
# entered after the result-entry deadline (decided at entry, against the latest day a
# provisional calendar allows). An open task has no inspection end date, from which the
# deadline runs: once the deadline counted from the draw day (the earliest possible end) has
# passed, it is shown as 待核实 (possibly late), never as overdue.

TASK_STATES = {
    "done": "已按期录入结果",
    "overdue": "逾期录入结果",
    "open": "待检查（未录入结果）",
}
UNVERIFIED_LABEL = "待核实：自抽取日起已超过结果录入期限仍未录入（检查结束日期未知，不能认定逾期）"
INTERNAL_NOTE = "分层按内部信用风险分类，仅供监管部门内部使用，不向社会公开，也不作为处罚依据"


def _share(part: int, whole: int) -> dict[str, Any]:
    if whole <= 0:
        return {"value": None, "label": "—"}
    v = part / whole
    return {"value": round(v, 4), "label": f"{100 * v:.1f}%"}


def _pct(ratio: str) -> str:
    v = float(ratio) * 100
    return f"{v:.1f}%" if v != int(v) else f"{int(v)}%"


def _strata_of(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per stratum of a draw: the pool's subjects of that grade (the snapshot's distribution),
    those eligible (not at the yearly cap), the policy's ratio, the target and the drawn."""
    pool_by_grade: dict[str | None, int] = {}
    for s in record["pool"]["subjects"]:
        pool_by_grade[s.get("grade")] = pool_by_grade.get(s.get("grade"), 0) + 1
    out = []
    for st in record["result"]["strata"]:
        drawn = len(st["drawn"])
        out.append(
            {
                "code": st["code"],
                "grade": st["grade"],
                "label": st["label"],
                "pool": pool_by_grade.get(st["grade"], 0),
                "eligible": int(st["eligible"]),
                "ratio": st["ratio"],
                "ratio_label": _pct(st["ratio"]),
                "target": int(st["target"]),
                "drawn": drawn,
                "drawn_share": _share(drawn, int(st["eligible"])),
            }
        )
    return out


def draw_strata(record: Mapping[str, Any]) -> dict[str, Any]:
    """A draw's strata chart data (the plan page): pool distribution and drawn vs ratio."""
    return {
        "pool_size": int(record["result"]["pool_size"]),
        "excluded_at_cap": len(record["result"]["excluded_at_cap"]),
        "yearly_cap": int(record["policy"]["yearly_cap"]),
        "grade_scheme": record["policy"].get("grade_scheme"),
        "strata": _strata_of(record),
        "note": INTERNAL_NOTE,
    }


def plan_strata(conn: Connection, plan_id: int) -> list[dict[str, Any]]:
    """The strata of each draw of a plan that ran (newest last)."""
    return [
        {"draw": int(d["id"]), **draw_strata(json.loads(d["record"]))}
        for d in repo.drawn_records(conn, [plan_id])
    ]


def _task_states(
    deps: Deps,
    tasks: Sequence[Mapping[str, Any]],
    results: Sequence[Mapping[str, Any]],
    days_of: Mapping[int, int],
    today: dt.date,
) -> tuple[dict[int, str], set[int], set[int], set[int]]:
    """Each task's state, the open tasks past the draw-day deadline (待核实), the tasks whose
    deadline lies in a provisional calendar year, and every task not done whose draw-day
    deadline has passed or cannot be computed (a joint task's items still open, whatever
    state another item's late result gave the task)."""
    late = {int(r["task_id"]) for r in results if r["overdue"]}
    provisional = {int(r["task_id"]) for r in results if r["due_provisional"]}
    state: dict[int, str] = {}
    past_due: set[int] = set()
    for t in tasks:
        tid = int(t["id"])
        if tid in late:
            state[tid] = "overdue"
        elif t["status"] == "done":
            state[tid] = "done"
        else:
            state[tid] = "open"
        if t["status"] == "done":
            continue
        try:
            due = deps.calendar.deadline(t["drawn_on"], days_of[int(t["plan_id"])])
        except XinyongError:  # no calendar year loaded yet: nothing can be said
            past_due.add(tid)
            continue
        if due.provisional:
            provisional.add(tid)
        if today > due.latest:
            past_due.add(tid)
    unverified = {tid for tid in past_due if state[tid] == "open"}
    return state, unverified, provisional, past_due


def _calendar_note(deps: Deps, provisional: bool) -> dict[str, Any]:
    years = sorted(deps.calendar.provisional_years)
    return {
        "provisional": provisional,
        "label": (
            "部分录入期限落在暂定年份，" + provisional_label(years) + "，期限可能变动"
            if provisional and years
            else "录入期限按国务院公布的节假日安排计算（工作日）"
        ),
    }


_Key = tuple[str, str, int]  # (department, item, plan year): one coverage row


def coverage_report(
    conn: Connection,
    deps: Deps,
    *,
    department_code: str | None,
    year: int | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """Sampling coverage by department, inspection item and year (the console's charts, the
    API and the CLI): per draw the pool and its strata against the policy's ratios; per group
    the share of the pool drawn and inspected, tasks done / open / overdue, results by
    category and the subjects at the yearly cap; tasks per month of the draw."""
    today = _today(now)
    names = registry.department_names(conn)
    labels = _result_labels(deps)
    plans = repo.coverage_plans(conn, department_code=department_code, year=year)
    plan_ids = [int(p["id"]) for p in plans]
    by_plan = {int(p["id"]): p for p in plans}
    policies = {int(p["id"]): deps.inspections.policy(str(p["policy_ref"])) for p in plans}
    days_of = {pid: pol.result_entry.working_days for pid, pol in policies.items()}
    records = repo.drawn_records(conn, plan_ids)
    tasks = repo.coverage_tasks(conn, plan_ids)
    results = repo.coverage_results(conn, plan_ids)
    state, unverified, provisional, past_due = _task_states(deps, tasks, results, days_of, today)

    def plan_items(p: Mapping[str, Any]) -> list[_Key]:
        """A group per item of the plan, under the department whose item it is: a joint plan's
        participating departments have their own rows (the pool is the plan's). A department's
        report keeps only its own items' rows."""
        keys = [
            (str(it.get("department") or p["department_code"]), str(it["item"]), int(p["year"]))
            for it in json.loads(p["items"])
        ]
        return [k for k in keys if department_code is None or k[0] == department_code]

    def item_label(code: str) -> str:
        return deps.inspections.item(code).name

    draws_out = []
    latest_pool: dict[_Key, int] = {}
    at_cap_draw: dict[_Key, int] = {}
    for d in records:
        p = by_plan[int(d["plan_id"])]
        rec = json.loads(d["record"])
        items = json.loads(p["items"])
        for key in plan_items(p):
            latest_pool[key] = int(rec["result"]["pool_size"])
            at_cap_draw[key] = len(rec["result"]["excluded_at_cap"])
        lead = (str(p["department_code"]), str(items[0]["item"]), int(p["year"]))
        draws_out.append(
            {
                "draw": int(d["id"]),
                "plan": int(p["id"]),
                "plan_name": p["name"],
                "department": lead[0],
                "department_label": names.get(lead[0], lead[0]),
                "item": lead[1],
                "item_label": item_label(lead[1]),
                "year": lead[2],
                "joint": len(items) > 1,
                "plan_items": [
                    {
                        "item": str(it["item"]),
                        "item_label": item_label(str(it["item"])),
                        "department": str(it["department"]),
                        "department_label": names.get(str(it["department"]), str(it["department"])),
                    }
                    for it in items
                ],
                "drawn_at": _bj(d["drawn_at"]),
                "policy": rec["policy_version"],
                **draw_strata(rec),
            }
        )
    groups: dict[_Key, dict[str, Any]] = {}
    for p in plans:
        lead_dept = str(p["department_code"])
        for key in plan_items(p):
            g = groups.setdefault(
                key,
                {
                    "department": key[0],
                    "department_label": names.get(key[0], key[0]),
                    "item": key[1],
                    "item_label": item_label(key[1]),
                    "year": key[2],
                    "plans": [],
                    "joint_plans": [],  # the plans where this department takes part, not leads
                    "yearly_cap": policies[int(p["id"])].yearly_cap.max_inspections,
                    "_drawn": set(),
                    "_inspected": set(),
                    "tasks": {"total": 0, "done": 0, "open": 0, "overdue": 0, "unverified": 0},
                    "_results": {},
                },
            )
            g["plans"].append(int(p["id"]))
            if key[0] != lead_dept:
                g["joint_plans"].append(int(p["id"]))
    result_of = {(int(r["task_id"]), str(r["item_code"])): r for r in results}
    for t in tasks:
        tid = int(t["id"])
        for key in plan_items(by_plan[int(t["plan_id"])]):
            # Each item of a task has its own state: a joint task's items are entered by
            # different departments, each against the same deadline.
            g = groups[key]
            r = result_of.get((tid, key[1]))
            st = "open" if r is None else ("overdue" if r["overdue"] else "done")
            g["tasks"]["total"] += 1
            g["tasks"][st] += 1
            g["tasks"]["unverified"] += st == "open" and tid in past_due
            g["_drawn"].add(str(t["subject_key"]))
            if r is not None:
                g["_inspected"].add(str(t["subject_key"]))
                code = str(r["result_code"])
                g["_results"][code] = g["_results"].get(code, 0) + 1
    groups_out = []
    for key in sorted(groups):
        g = groups[key]
        pool = latest_pool.get(key, 0)
        counts = repo.inspections_in_year(
            conn, key[0], dt.date(key[2], 1, 1), dt.date(key[2], 12, 31)
        )
        drawn_n, inspected_n = len(g.pop("_drawn")), len(g.pop("_inspected"))
        res = g.pop("_results")
        groups_out.append(
            {
                **g,
                "pool": pool,
                "drawn_subjects": drawn_n,
                "inspected_subjects": inspected_n,
                "drawn_share": _share(drawn_n, pool),
                "inspected_share": _share(inspected_n, pool),
                "on_time_share": _share(g["tasks"]["done"], g["tasks"]["total"]),
                "results": [
                    {"result": c, "result_label": labels.get(c, c), "count": res[c]}
                    for c in sorted(res)
                ],
                "at_cap_at_last_draw": at_cap_draw.get(key, 0),
                "at_cap": sum(1 for n in counts.values() if n >= g["yearly_cap"]),
            }
        )
    months: dict[str, dict[str, Any]] = {}
    for t in tasks:
        m = t["drawn_on"].strftime("%Y-%m")
        row = months.setdefault(
            m, {"month": m, "total": 0, "done": 0, "open": 0, "overdue": 0, "unverified": 0}
        )
        row["total"] += 1
        row[state[int(t["id"])]] += 1
        row["unverified"] += int(t["id"]) in unverified
    return {
        "department": department_code,
        "department_label": None if department_code is None else names.get(department_code),
        "year": year,
        "generated_at": _bj(now),
        "states": [{"state": k, "label": v} for k, v in TASK_STATES.items()],
        "unverified_label": UNVERIFIED_LABEL,
        "calendar": _calendar_note(deps, bool(provisional)),
        "groups": groups_out,
        "draws": draws_out,
        "months": [months[m] for m in sorted(months)],
    }


def public_summary(
    conn: Connection, deps: Deps, *, year: int | None = None
) -> list[dict[str, Any]]:
    """一公开: per inspection item and year of the published plans, the tasks, the results by
    category and the share of tasks whose results were entered on time. Counts only: no
    subject, no inspector, no stratum (the strata follow internal risk classes)."""
    labels = _result_labels(deps)
    plans = repo.coverage_plans(conn, department_code=None, year=year, published_only=True)
    by_plan = {int(p["id"]): p for p in plans}
    tasks = repo.coverage_tasks(conn, list(by_plan))
    results = repo.coverage_results(conn, list(by_plan))
    plan_of_task = {int(t["id"]): int(t["plan_id"]) for t in tasks}
    rows: dict[tuple[str, int], dict[str, Any]] = {}

    def row(item: str, yr: int) -> dict[str, Any]:
        return rows.setdefault(
            (item, yr),
            {"item": item, "year": yr, "tasks": 0, "done": 0, "on_time": 0, "_results": {}},
        )

    for p in plans:  # every item of a published plan is listed, even before its draw
        for it in json.loads(p["items"]):
            row(it["item"], int(p["year"]))
    for t in tasks:  # a joint task counts once for each of its items
        p = by_plan[int(t["plan_id"])]
        for it in json.loads(p["items"]):
            r = row(it["item"], int(p["year"]))
            r["tasks"] += 1
    for res in results:
        p = by_plan[plan_of_task[int(res["task_id"])]]
        r = row(str(res["item_code"]), int(p["year"]))
        code = str(res["result_code"])
        r["_results"][code] = r["_results"].get(code, 0) + 1
        r["done"] += 1
        if not res["overdue"]:
            r["on_time"] += 1
    out = []
    for key in sorted(rows, key=lambda k: (-k[1], k[0])):
        r = rows[key]
        res = r.pop("_results")
        out.append(
            {
                **r,
                "item_label": deps.inspections.item(key[0]).name,
                "open": r["tasks"] - r["done"],
                "done_share": _share(r["done"], r["tasks"]),
                "on_time_share": _share(r["on_time"], r["tasks"]),
                "results": [
                    {"result": c, "result_label": labels.get(c, c), "count": res[c]}
                    for c in sorted(res)
                ],
            }
        )
    return out
