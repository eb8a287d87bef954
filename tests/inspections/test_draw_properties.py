"""Properties of the draw over generated pools and many seeds: per-grade proportions within
binomial tolerance, recusal and the yearly cap never violated, two inspectors always (or the
subject reported unassignable), the same seed the same draw, a changed pool or policy a changed
commitment, and verify catching a tampered result, seed, pool or policy."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.inspections.pools import DEPT, subject_key
from xinyong.catalog.inspections import load_inspection_catalogue, policy_json
from xinyong.inspections import rules

CAT = load_inspection_catalogue()
POLICY = CAT.policy("SAMR_GRADED@2025.1")
AS_OF = dt.date(2026, 6, 30)
REGIONS = ("610102", "610103", "610104")


def _policy(same_region: bool = False, months: int = 12) -> dict[str, Any]:
    data = policy_json(POLICY, CAT.items_of(POLICY))
    data["recusal"] = {"same_region": same_region, "recent_pairing_months": months}
    return data


@st.composite
def pools(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(0, 40))
    m = draw(st.integers(0, 7))
    keys = [subject_key(i) for i in range(n)]
    ids = [f"ZF{j:04d}" for j in range(m)]
    subjects = [
        {
            "key": k,
            "region": draw(st.sampled_from(REGIONS)),
            "industry": "F51",
            "type": "1100",
            "size": "small",
            "grade": draw(st.sampled_from(["A", "B", "C", "D", None])),
            "inspections_this_year": draw(st.integers(0, 3)),
            "recusal_requests": draw(st.lists(st.sampled_from(ids), max_size=3)) if ids else [],
        }
        for k in keys
    ]
    inspectors = [
        {
            "id": i,
            "department": draw(st.sampled_from([DEPT, DEPT, DEPT, "SWJ_610100"])),
            "region": draw(st.sampled_from(REGIONS)),
            "qualifications": draw(
                st.sampled_from([["执法证件"], ["执法证件", "食品安全检查"], []])
            ),
            "relationships": (
                draw(st.lists(st.sampled_from(keys), max_size=max(3, n // 2))) if keys else []
            ),
        }
        for i in ids
    ]
    pairings = (
        [
            {
                "inspector": draw(st.sampled_from(ids)),
                "subject": draw(st.sampled_from(keys)),
                "date": (AS_OF - dt.timedelta(days=draw(st.integers(0, 800)))).isoformat(),
            }
            for _ in range(draw(st.integers(0, 10)))
        ]
        if ids and keys
        else []
    )
    return {
        "item": "GSXX_CC",
        "department": DEPT,
        "scope": "610100",
        "as_of": AS_OF.isoformat(),
        "subjects": subjects,
        "inspectors": inspectors,
        "pairings": pairings,
    }


seeds = st.binary(min_size=16, max_size=64)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _record(pool: dict[str, Any], seed: bytes, policy: dict[str, Any]) -> dict[str, Any]:
    return rules.make_record(rules.DrawInputs(seed, rules.parse_pool(pool), policy))


def _conflicted(pool: dict[str, Any], policy: dict[str, Any], subject: str, inspector: str) -> bool:
    """Written from the rules' statement, not from the code."""
    s = next(x for x in pool["subjects"] if x["key"] == subject)
    i = next(x for x in pool["inspectors"] if x["id"] == inspector)
    months = policy["recusal"]["recent_pairing_months"]
    since = dt.date(AS_OF.year - months // 12, AS_OF.month, AS_OF.day)  # months: 0 or 12 here
    recent = months > 0 and any(
        p["inspector"] == inspector
        and p["subject"] == subject
        and since <= dt.date.fromisoformat(p["date"]) <= AS_OF
        for p in pool["pairings"]
    )
    return (
        i["department"] != pool["department"]
        or "执法证件" not in i["qualifications"]
        or (policy["recusal"]["same_region"] and i["region"] == s["region"])
        or subject in i["relationships"]
        or inspector in s["recusal_requests"]
        or recent
    )


@FAST
@given(pools(), seeds, st.booleans(), st.sampled_from([0, 12]))
def test_recusal_cap_and_two_inspectors_never_violated(
    pool: dict[str, Any], seed: bytes, same_region: bool, months: int
) -> None:
    policy = _policy(same_region, months)
    result = _record(pool, seed, policy)["result"]
    counts = {s["key"]: s["inspections_this_year"] for s in pool["subjects"]}
    drawn = [k for s in result["strata"] for k in s["drawn"]]
    assert len(drawn) == len(set(drawn))
    assert all(counts[k] < policy["yearly_cap"] for k in drawn)  # the cap
    assert set(result["excluded_at_cap"]) == {k for k, c in counts.items() if c >= 2}
    assigned = {a["subject"]: a["inspectors"] for a in result["assignments"]}
    unassignable = {u["subject"] for u in result["unassignable"]}
    assert set(assigned) | unassignable == set(drawn)
    assert not set(assigned) & unassignable
    for subject, inspectors in assigned.items():
        assert len(inspectors) == len(set(inspectors)) == 2
        assert not any(_conflicted(pool, policy, subject, i) for i in inspectors)
    for u in result["unassignable"]:
        free = [
            i["id"]
            for i in pool["inspectors"]
            if not _conflicted(pool, policy, u["subject"], i["id"])
        ]
        assert len(free) < 2
        assert u["available"] == len(free)


@FAST
@given(pools(), seeds)
def test_targets_follow_the_policy_and_the_floor(pool: dict[str, Any], seed: bytes) -> None:
    policy = _policy()
    result = _record(pool, seed, policy)["result"]
    eligible_total = 0
    for stratum, rule in zip(result["strata"], policy["strata"], strict=True):
        members = [
            s["key"]
            for s in pool["subjects"]
            if s["grade"] == rule["grade"] and s["inspections_this_year"] < 2
        ]
        eligible_total += len(members)
        assert stratum["eligible"] == len(members)
        assert stratum["target"] == math.ceil(len(members) * float(rule["ratio"]) - 1e-9)
        assert len(stratum["drawn"]) == stratum["target"]
        assert set(stratum["drawn"]) <= set(members)
    total = sum(len(s["drawn"]) + len(s["topped_up"]) for s in result["strata"])
    assert total >= math.ceil(0.03 * eligible_total - 1e-9)  # 企业公示信息抽查 ≥ 3 %


LOW_RATIOS = st.sampled_from(["0", "0.005", "0.01", "0.02", "0.03", "0.10", "1"])


@FAST
@given(pools(), seeds, st.lists(LOW_RATIOS, min_size=5, max_size=5))
def test_total_reaches_the_floor_whatever_the_strata_ratios(
    pool: dict[str, Any], seed: bytes, ratios: list[str]
) -> None:
    """Strata may be configured below the item's floor (盐城 A < 3 %); the draw's total never is:
    total ≥ ceil(3 % × eligible) always (or every eligible subject), exactly, and each
    topped-up subject is eligible, not drawn twice, and verify re-runs it."""
    policy = _policy()
    for stratum, ratio in zip(policy["strata"], ratios, strict=True):
        stratum["ratio"] = ratio
    record = _record(pool, seed, policy)
    result = record["result"]
    eligible = [s["key"] for s in pool["subjects"] if s["inspections_this_year"] < 2]
    required = -(-len(eligible) * 3 // 100)
    every = [k for s in result["strata"] for k in s["drawn"] + s["topped_up"]]
    assert len(every) == len(set(every))
    assert set(every) <= set(eligible)
    assert len(every) >= required
    assert result["floor"]["required"] == required
    if any(s["topped_up"] for s in result["strata"]):
        assert len(every) == required  # a top-up stops exactly at the floor
    assert rules.verify(record) == []


@FAST
@given(pools(), seeds)
def test_same_seed_same_draw_and_verify_passes(pool: dict[str, Any], seed: bytes) -> None:
    a, b = _record(pool, seed, _policy()), _record(copy.deepcopy(pool), seed, _policy())
    assert a == b
    assert rules.verify(a) == []


@FAST
@given(pools(), seeds, st.data())
def test_a_changed_pool_or_policy_changes_the_commitment(
    pool: dict[str, Any], seed: bytes, data: st.DataObject
) -> None:
    base = _record(pool, seed, _policy())
    changed = copy.deepcopy(pool)
    if changed["subjects"]:
        s = data.draw(st.sampled_from(changed["subjects"]))
        s["inspections_this_year"] += 1
    else:
        changed["scope"] = "610200"
    other = _record(changed, seed, _policy())
    assert other["pool_digest"] != base["pool_digest"]
    assert other["draw_commitment"] != base["draw_commitment"]
    policy = _policy()
    stratum = data.draw(st.sampled_from(policy["strata"]))
    stratum["ratio"] = "0.99" if stratum["ratio"] != "0.99" else "0.98"
    moved = _record(pool, seed, policy)
    assert moved["policy_digest"] != base["policy_digest"]
    assert moved["draw_commitment"] != base["draw_commitment"]
    assert moved["seed_commitment"] == base["seed_commitment"]


@FAST
@given(pools(), seeds, seeds, st.data())
def test_verify_detects_tampering(
    pool: dict[str, Any], seed: bytes, other_seed: bytes, data: st.DataObject
) -> None:
    record = _record(pool, seed, _policy())
    # Another seed: its hash is not the published commitment.
    if other_seed != seed:
        t = copy.deepcopy(record)
        t["seed"] = other_seed.hex()
        assert any("种子承诺" in m for m in rules.verify(t))
    # The pool changed after publication.
    if pool["subjects"]:
        t = copy.deepcopy(record)
        t["pool"]["subjects"][0]["inspections_this_year"] += 1
        assert any("名录摘要" in m for m in rules.verify(t))
    # The policy changed after publication.
    t = copy.deepcopy(record)
    t["policy"]["strata"][3]["ratio"] = "0.95"
    assert any("策略摘要" in m for m in rules.verify(t))
    assert any("目录中" in m for m in rules.verify(t, _policy()))
    # The result changed: a subject swapped, an inspector swapped, or the digest rewritten too.
    drawn = [s for s in record["result"]["strata"] if s["drawn"]]
    if drawn:
        t = copy.deepcopy(record)
        stratum = data.draw(st.sampled_from(range(len(drawn))))
        target = next(s for s in t["result"]["strata"] if s["code"] == drawn[stratum]["code"])
        target["drawn"][0] = "91610100MA9999999X"
        t["result_digest"] = rules.digest(t["result"])  # a careful forger
        assert any("多出" in m for m in rules.verify(t))
    if record["result"]["assignments"]:
        t = copy.deepcopy(record)
        t["result"]["assignments"][0]["inspectors"][0] = "ZF9999"
        mismatches = rules.verify(t)
        assert any("检查人员应为" in m for m in mismatches)
        assert any("result_digest" in m for m in mismatches)


def test_per_grade_proportions_within_binomial_tolerance_over_many_seeds() -> None:
    """Over 400 seeds each subject of a stratum is drawn about target/eligible of the time
    (within 4.5 binomial standard deviations), and each stratum's share drawn is the ratio
    rounded up: no subject is favoured, no stratum is short."""
    grades = ["A"] * 70 + ["B"] * 50 + ["C"] * 30 + ["D"] * 20 + [None] * 30
    subjects: list[dict[str, Any]] = [
        {
            "key": subject_key(i),
            "region": REGIONS[i % 3],
            "industry": "F51",
            "type": "1100",
            "size": "small",
            "grade": g,
            "inspections_this_year": 0,
        }
        for i, g in enumerate(grades)
    ]
    pool = {
        "item": "GSXX_CC",
        "department": DEPT,
        "scope": "610100",
        "as_of": AS_OF.isoformat(),
        "subjects": subjects,
        "inspectors": [
            {
                "id": f"ZF{j:04d}",
                "department": DEPT,
                "region": "610102",
                "qualifications": ["执法证件"],
            }
            for j in range(6)
        ],
    }
    parsed, policy = rules.parse_pool(pool), _policy()
    runs = 400
    hits: dict[str, int] = {}
    pair_hits: dict[str, int] = {}
    for n in range(runs):
        seed = hashlib.sha256(n.to_bytes(4, "big")).digest()
        result = rules.run_draw(rules.DrawInputs(seed, parsed, policy))
        for s in result["strata"]:
            for k in s["drawn"]:
                hits[k] = hits.get(k, 0) + 1
        for a in result["assignments"]:
            for i in a["inspectors"]:
                pair_hits[i] = pair_hits.get(i, 0) + 1
    by_grade: dict[str | None, list[str]] = {}
    for s in subjects:
        by_grade.setdefault(s["grade"], []).append(s["key"])
    for rule in policy["strata"]:
        members = by_grade[rule["grade"]]
        k = math.ceil(len(members) * float(rule["ratio"]) - 1e-9)
        p = k / len(members)
        sigma = math.sqrt(runs * p * (1 - p))
        for key in members:
            assert abs(hits.get(key, 0) - runs * p) <= 4.5 * sigma + 1, (rule["code"], key)
        share = sum(hits.get(key, 0) for key in members) / (runs * len(members))
        assert share >= float(rule["ratio"]) - 1e-9
    # Inspectors too: each of the six about a third of the assignments.
    total = sum(pair_hits.values())
    p = 2 / 6
    assignments = total / 2
    sigma = math.sqrt(assignments * p * (1 - p))
    assert all(abs(v - assignments * p) <= 4.5 * sigma for v in pair_hits.values())


# -- joint inspections (进一次门、查多项事) ----------------------------------------------------

OTHERS = ("SWJ_610100", "YJJ_610100")  # the other participating departments
JOINT_QUALS = {"SWJ_610100": ["税务检查"], "YJJ_610100": ["执法证件", "药品检查"]}


@st.composite
def joint_pools(draw: st.DrawFn) -> dict[str, Any]:
    pool = draw(pools())
    others = draw(st.lists(st.sampled_from(OTHERS), min_size=1, max_size=2, unique=True))
    pool["joint"] = [
        {"item": f"ITEM_{d[:3]}", "department": d, "qualifications": JOINT_QUALS[d]} for d in others
    ]
    for ins in pool["inspectors"]:  # some inspectors of every department, some unqualified
        ins["department"] = draw(st.sampled_from([DEPT, *OTHERS, "QT_610100"]))
        if ins["department"] in JOINT_QUALS:
            ins["qualifications"] = draw(st.sampled_from([JOINT_QUALS[ins["department"]], []]))
    return pool


def _joint_conflicted(
    pool: dict[str, Any], policy: dict[str, Any], subject: str, ident: str
) -> bool:
    """From the rules' statement: an inspector is free for a subject when of a participating
    department, holding every qualification of that department's items, and not recused."""
    i = next(x for x in pool["inspectors"] if x["id"] == ident)
    needs = {DEPT: {"执法证件"}} | {
        j["department"]: set(j["qualifications"]) for j in pool["joint"]
    }
    if i["department"] not in needs or not needs[i["department"]] <= set(i["qualifications"]):
        return True
    return _recused(pool, policy, subject, ident)


def _recused(pool: dict[str, Any], policy: dict[str, Any], subject: str, ident: str) -> bool:
    probe = copy.deepcopy(pool)
    i = next(x for x in probe["inspectors"] if x["id"] == ident)
    i["department"], i["qualifications"] = DEPT, ["执法证件"]
    return _conflicted(probe, policy, subject, ident)


@FAST
@given(joint_pools(), seeds, st.booleans(), st.sampled_from([0, 12]))
def test_joint_draw_covers_every_department_recusal_and_cap_never_violated(
    pool: dict[str, Any], seed: bytes, same_region: bool, months: int
) -> None:
    policy = _policy(same_region, months)
    record = _record(pool, seed, policy)
    result = record["result"]
    depts = [DEPT, *sorted({j["department"] for j in pool["joint"]})]
    counts = {s["key"]: s["inspections_this_year"] for s in pool["subjects"]}
    drawn = [k for s in result["strata"] for k in s["drawn"]]
    assert all(counts[k] < policy["yearly_cap"] for k in drawn)  # the cap
    of = {i["id"]: i["department"] for i in pool["inspectors"]}
    assigned = {a["subject"]: a["inspectors"] for a in result["assignments"]}
    assert set(assigned) | {u["subject"] for u in result["unassignable"]} == set(drawn)
    for subject, team in assigned.items():
        assert len(team) == len(set(team)) >= max(2, len(depts))  # 第四十二条: at least two
        assert {of[i] for i in team} == set(depts)  # each department covers its own items
        assert not any(_recused(pool, policy, subject, i) for i in team)  # recusal across all
        assert not any(_joint_conflicted(pool, policy, subject, i) for i in team)
    for u in result["unassignable"]:
        free = {
            d: [
                i["id"]
                for i in pool["inspectors"]
                if i["department"] == d
                and not _joint_conflicted(pool, policy, u["subject"], i["id"])
            ]
            for d in depts
        }
        assert any(
            len(v) < q["required"]
            for d, v in free.items()
            for q in u["departments"]
            if q["department"] == d
        )
    assert rules.verify(record) == []
    assert record == _record(copy.deepcopy(pool), seed, policy)  # deterministic


def test_a_single_department_pool_keeps_its_digest_and_draw() -> None:
    """The joint extension leaves a pool without joint items byte-for-byte as before."""
    from tests.inspections.pools import make_pool

    pool = make_pool()
    parsed = rules.parse_pool(pool)
    assert "joint" not in rules.pool_json(parsed)
    assert rules.team_quotas(rules.parse_policy(_policy()), parsed) == {DEPT: 2}
