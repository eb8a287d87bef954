"""The draw on concrete pools: the record, an outsider's re-implementation agreeing with it,
each recusal ground, the unassignable report, the pool refused with field, value and why."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pytest

from tests.inspections.outsider import redraw
from tests.inspections.pools import DEPT, make_pool, subject_key
from xinyong.catalog.inspections import load_inspection_catalogue, policy_json
from xinyong.inspections import rules, service
from xinyong.kernel.errors import InputError

SEED = "5eed" * 16
CAT = load_inspection_catalogue()
POLICY = CAT.policy("SAMR_GRADED@2025.1")


def _policy(**recusal: Any) -> dict[str, Any]:
    data = policy_json(POLICY, CAT.items_of(POLICY))
    data["recusal"].update(recusal)
    return data


def _record(pool: dict[str, Any], seed: str = SEED, **recusal: Any) -> dict[str, Any]:
    inputs = rules.DrawInputs(
        rules.seed_bytes(seed), rules.parse_pool(pool), _policy(**recusal), None
    )
    return rules.make_record(inputs)


def test_record_shape_and_commitments() -> None:
    record = service.draw(CAT, make_pool(capped_every=5), "SAMR_GRADED", SEED)
    assert record["format"] == "xinyong.draw/v1"
    assert record["algorithm"] == "xinyong-draw-v1"
    assert record["policy_version"] == "SAMR_GRADED@2025.1"
    assert record["seed_commitment"] == hashlib.sha256(bytes.fromhex(SEED)).hexdigest()
    canonical = json.dumps(
        record["pool"], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()
    assert record["pool_digest"] == hashlib.sha256(canonical).hexdigest()
    expected = hashlib.sha256(
        b"xinyong-draw-commitment-v1\x00"
        + bytes.fromhex(record["seed_commitment"])
        + bytes.fromhex(record["pool_digest"])
        + bytes.fromhex(record["policy_digest"])
    ).hexdigest()
    assert record["draw_commitment"] == expected
    published = service.commitment(CAT, make_pool(capped_every=5), "SAMR_GRADED", SEED)
    assert published["draw_commitment"] == expected
    assert "seed" not in published
    assert service.verify(CAT, record) == []
    # The record survives a round trip through a file (what the portal publishes).
    assert service.verify(CAT, json.loads(json.dumps(record, ensure_ascii=False))) == []


@pytest.mark.parametrize("seed", ["00" * 16, "ff" * 32, "0123456789abcdef" * 8])
def test_an_outsider_reimplementation_gets_the_same_draw(seed: str) -> None:
    pool = make_pool(97, 9, capped_every=6)
    pool["subjects"][3]["recusal_requests"] = ["ZF0000", "ZF0001"]
    pool["inspectors"][2]["relationships"] = [subject_key(8), subject_key(13)]
    pool["pairings"] = [
        {"inspector": "ZF0003", "subject": subject_key(i), "date": "2026-01-15"} for i in range(40)
    ]
    for same_region in (False, True):
        record = _record(pool, seed, same_region=same_region)
        theirs = redraw(record)
        ours = record["result"]
        assert _drawn(ours) == theirs["drawn"]
        assert {a["subject"]: a["inspectors"] for a in ours["assignments"]} == theirs["assigned"]
        assert [u["subject"] for u in ours["unassignable"]] == theirs["unassignable"]


def _joint_pool() -> dict[str, Any]:
    """A joint plan's pool: the lead's GSXX_CC, another department's 食品 item and a third's."""
    pool = make_pool(97, 9, capped_every=6)
    pool["joint"] = [
        {"item": "SPSC_JC", "department": "SPJ_610100", "qualifications": ["食品安全检查"]},
        {"item": "TZSB_JC", "department": "TZJ_610100", "qualifications": ["特种设备安全监察"]},
    ]
    for j in range(4):
        pool["inspectors"].append(
            {
                "id": f"SP{j:04d}",
                "department": "SPJ_610100",
                "region": "610102",
                "qualifications": ["食品安全检查"] if j != 3 else [],
                "relationships": [subject_key(5)] if j < 3 else [],
            }
        )
        pool["inspectors"].append(
            {
                "id": f"TZ{j:04d}",
                "department": "TZJ_610100",
                "region": "610103",
                "qualifications": ["特种设备安全监察"],
                "relationships": [],
            }
        )
    return pool


@pytest.mark.parametrize("seed", ["00" * 16, "ff" * 32])
def test_a_joint_draw_takes_each_departments_inspectors_and_the_outsider_agrees(
    seed: str,
) -> None:
    pool = _joint_pool()
    record = _record(pool, seed)
    ours, theirs = record["result"], redraw(record)
    assert {a["subject"]: a["inspectors"] for a in ours["assignments"]} == theirs["assigned"]
    assert [u["subject"] for u in ours["unassignable"]] == theirs["unassignable"]
    assert ours["assignments"]
    for a in ours["assignments"]:
        # three departments: one each (the lead's minimum of two is met by the team of three)
        assert sorted(i[:2] for i in a["inspectors"]) == ["SP", "TZ", "ZF"]
        assert "SP0003" not in a["inspectors"]  # lacks the food qualification
    assert service.verify(CAT, record) == []
    assert rules.pool_json(rules.parse_pool(pool))["joint"][0]["department"] == "SPJ_610100"
    # Subject 5: every qualified food inspector declared a tie; the whole subject is unassignable.
    if subject_key(5) in {k for s in ours["strata"] for k in s["drawn"]}:
        (u,) = [u for u in ours["unassignable"] if u["subject"] == subject_key(5)]
        assert "部门 SPJ_610100" in u["reason"]
        assert {"department": "SPJ_610100", "available": 0, "required": 1} in u["departments"]


def test_a_joint_draw_with_one_other_department_gives_two_of_two() -> None:
    pool = _joint_pool()
    pool["joint"] = pool["joint"][:1]
    pool["inspectors"] = [i for i in pool["inspectors"] if not i["id"].startswith("TZ")]
    result = _record(pool)["result"]
    for a in result["assignments"]:
        assert sorted(i[:2] for i in a["inspectors"]) == ["SP", "ZF"]
    pool["inspectors"] = [i for i in pool["inspectors"] if i["department"] != "SPJ_610100"]
    result = _record(pool)["result"]
    assert result["assignments"] == []
    assert all("联合抽查" in u["reason"] for u in result["unassignable"])


def _drawn(result: dict[str, Any]) -> dict[str, list[str]]:
    return {s["code"]: sorted(s["drawn"] + s["topped_up"]) for s in result["strata"]}


def _low_a_policy(a_ratio: str = "0.01") -> dict[str, Any]:
    """盐城's "A < 3 %": a stratum below the item's floor, allowed since the floor is on the total."""
    data = _policy()
    data["strata"][0]["ratio"] = a_ratio
    return data


def test_a_stratum_below_the_floor_is_topped_up_to_the_total_floor() -> None:
    # 200 A subjects at 1 % → 2 drawn; 3 % of 200 eligible → 6: 4 topped up. Only A is
    # non-empty, so the top-up comes from A's remaining subjects.
    pool = make_pool(200, 6, grades=("A",))
    inputs = rules.DrawInputs(rules.seed_bytes(SEED), rules.parse_pool(pool), _low_a_policy())
    record = rules.make_record(inputs)
    result = record["result"]
    a = result["strata"][0]
    assert (a["eligible"], a["target"], len(a["drawn"]), len(a["topped_up"])) == (200, 2, 2, 4)
    assert not set(a["drawn"]) & set(a["topped_up"])
    assert result["floor"] == {"item": "GSXX_CC", "ratio": "0.03", "eligible": 200, "required": 6}
    assert len(result["assignments"]) + len(result["unassignable"]) == 6
    assert rules.verify(record) == []
    assert _drawn(result) == redraw(record)["drawn"]  # the documented algorithm, re-implemented
    # A record claiming a different top-up is caught.
    forged = copy.deepcopy(record)
    forged["result"]["strata"][0]["topped_up"] = a["topped_up"][:3]
    assert any("补抽" in p for p in rules.verify(forged))


def test_top_up_takes_the_highest_ratio_strata_first() -> None:
    # 10 D subjects (80 % → 8, 2 left) and 400 A at 0 %: 3 % of 410 → 13: D's 2 remaining
    # first, then 3 from A.
    pool = make_pool(410, 6, grades=("A",))
    for s in pool["subjects"][:10]:
        s["grade"] = "D"
    for s in pool["subjects"]:
        s["inspections_this_year"] = 0
    result = rules.run_draw(
        rules.DrawInputs(rules.seed_bytes(SEED), rules.parse_pool(pool), _low_a_policy("0"))
    )
    by = {s["code"]: s for s in result["strata"]}
    assert (len(by["D"]["drawn"]), len(by["D"]["topped_up"])) == (8, 2)
    assert (len(by["A"]["drawn"]), len(by["A"]["topped_up"])) == (0, 3)
    assert result["floor"]["required"] == 13


def test_no_floor_no_top_up() -> None:
    # 产品质量国家监督抽查 has no floor: a stratum at 0 draws none and nothing is topped up.
    pool = make_pool(50, 6, grades=("A",), item="CPZL_CC")
    for i in pool["inspectors"]:
        i["qualifications"] = ["执法证件", "产品质量抽样"]
    result = rules.run_draw(
        rules.DrawInputs(rules.seed_bytes(SEED), rules.parse_pool(pool), _low_a_policy("0"))
    )
    assert result["floor"] is None
    assert result["assignments"] == []
    assert result["strata"][0]["topped_up"] == []


def test_beacon_is_mixed_in_and_named_in_the_commitment() -> None:
    pool = rules.parse_pool(make_pool())
    seed = rules.seed_bytes(SEED)
    plain = rules.make_record(rules.DrawInputs(seed, pool, _policy()))
    b1 = rules.make_record(rules.DrawInputs(seed, pool, _policy(), rules.Beacon("drand 1", "aa")))
    b2 = rules.make_record(rules.DrawInputs(seed, pool, _policy(), rules.Beacon("drand 1", "ab")))
    assert plain["result"] != b1["result"] != b2["result"]
    assert b1["draw_commitment"] == b2["draw_commitment"] != plain["draw_commitment"]
    assert b1["beacon"] == {"source": "drand 1", "value": "aa"}
    assert rules.verify(b1) == []
    assert redraw(b1)["drawn"] == {s["code"]: s["drawn"] for s in b1["result"]["strata"]}
    tampered = copy.deepcopy(b1)
    tampered["beacon"]["value"] = "ab"
    assert any("分层" in m or "检查人员" in m for m in rules.verify(tampered))


def test_targets_are_exact_ceilings() -> None:
    # 10 per grade: A 3 % → 1, B 10 % → 1, C 40 % → 4, D 80 % → 8, ungraded 10 % → 1.
    record = _record(make_pool(50, 10))
    assert [(s["eligible"], s["target"]) for s in record["result"]["strata"]] == [
        (10, 1), (10, 1), (10, 4), (10, 8), (10, 1)
    ]  # fmt: skip
    empty = _record(make_pool(0, 3))
    assert all(s["target"] == 0 and s["drawn"] == [] for s in empty["result"]["strata"])


def test_subjects_at_their_yearly_cap_are_left_out() -> None:
    pool = make_pool(30, 6)
    for s in pool["subjects"]:
        s["inspections_this_year"] = 2  # the policy's cap
    pool["subjects"][0]["inspections_this_year"] = 1
    result = _record(pool)["result"]
    assert len(result["excluded_at_cap"]) == 29
    assert [k for s in result["strata"] for k in s["drawn"]] == [subject_key(0)]


def _one_subject_pool(n_inspectors: int) -> dict[str, Any]:
    pool = make_pool(1, n_inspectors, grades=("D",))
    for ins in pool["inspectors"]:
        ins["qualifications"] = ["执法证件"]
    return pool


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda p: p["inspectors"][0].update(relationships=[subject_key(0)]),
            "申报了与主体的利害关系",
        ),
        (lambda p: p["subjects"][0].update(recusal_requests=["ZF0000"]), "主体申请回避"),
        (
            lambda p: p.update(
                pairings=[{"inspector": "ZF0000", "subject": subject_key(0), "date": "2025-07-01"}]
            ),
            "近期检查过该主体",
        ),
        (lambda p: p["inspectors"][0].update(qualifications=[]), "不具备本事项所需资格"),
        (lambda p: p["inspectors"][0].update(department="SWJ_610100"), "非参加部门人员"),
    ],
)
def test_each_recusal_ground_leaves_the_subject_unassignable(change: Any, reason: str) -> None:
    pool = _one_subject_pool(2)
    assert len(_record(pool)["result"]["assignments"]) == 1
    change(pool)
    result = _record(pool)["result"]
    assert result["assignments"] == []
    (u,) = result["unassignable"]
    assert u["subject"] == subject_key(0)
    assert u["available"] == 1
    assert u["required"] == 2
    assert reason in u["reason"]
    assert "行政处罚法第四十二条" in u["reason"]


def test_pairing_older_than_the_window_does_not_recuse() -> None:
    pool = _one_subject_pool(2)
    # as_of 2026-06-30, 12 months: from 2025-06-30 on counts, 2025-06-29 does not.
    pool["pairings"] = [{"inspector": "ZF0000", "subject": subject_key(0), "date": "2025-06-29"}]
    assert len(_record(pool)["result"]["assignments"]) == 1
    pool["pairings"][0]["date"] = "2025-06-30"
    assert _record(pool)["result"]["assignments"] == []
    assert len(_record(pool, recent_pairing_months=0)["result"]["assignments"]) == 1


def test_same_region_applies_only_where_the_policy_says_so() -> None:
    pool = _one_subject_pool(2)  # regions 610102 and 610103; the subject is in 610102
    assert len(_record(pool)["result"]["assignments"]) == 1
    result = _record(pool, same_region=True)["result"]
    assert result["assignments"] == []
    assert "与主体同一地区1名" in result["unassignable"][0]["reason"]
    pool["inspectors"].append(
        {"id": "ZF9999", "department": DEPT, "region": "610113", "qualifications": ["执法证件"]}
    )
    (a,) = _record(pool, same_region=True)["result"]["assignments"]
    assert a["inspectors"] == ["ZF0001", "ZF9999"]


def test_input_order_does_not_change_the_pool_or_the_draw() -> None:
    pool = make_pool(40, 7)
    shuffled = copy.deepcopy(pool)
    shuffled["subjects"].reverse()
    shuffled["inspectors"].reverse()
    a, b = _record(pool), _record(shuffled)
    assert a["pool_digest"] == b["pool_digest"]
    assert a["result"] == b["result"]


@pytest.mark.parametrize(
    ("change", "zh"),
    [
        (lambda p: p["subjects"][0].update(key="610102199001011234"), "自然人"),
        (lambda p: p["subjects"][0].update(key="P" + "0" * 32), "自然人"),
        (lambda p: p["subjects"][0].update(name="张三 610102199001011234"), "自然人"),
        (lambda p: p["inspectors"][0].update(id="61010219900101123X"), "自然人"),
        (lambda p: p["subjects"][1].update(key=p["subjects"][0]["key"]), "主体重复"),
        (lambda p: p["subjects"][0].update(inspections_this_year=-1), "非负整数"),
        (lambda p: p["subjects"][0].update(grade=3), "等级代码"),
        (lambda p: p.update(as_of="2026-13-01"), "日期"),
        (lambda p: p["subjects"][0].pop("region"), "subjects[0].region"),
        (lambda p: p["subjects"][0].update(colour="red"), "不认识的键"),
        (lambda p: p.update(subjects={}), "应为列表"),
    ],
)
def test_bad_pool_refused_naming_field_value_and_why(change: Any, zh: str) -> None:
    pool = make_pool(5, 3)
    change(pool)
    with pytest.raises(InputError) as exc:
        rules.parse_pool(pool)
    assert zh in exc.value.message_zh
    assert "19900101" not in exc.value.message_zh  # an ID number is never echoed
    assert "19900101" not in str(exc.value)


def test_a_grade_the_policy_does_not_know_is_refused() -> None:
    pool = make_pool(5, 3)
    pool["subjects"][2]["grade"] = "E"
    with pytest.raises(InputError) as exc:
        _record(pool)
    assert "subjects[2].grade" in exc.value.message_zh
    assert "“E”" in exc.value.message_zh


def test_item_outside_the_policy_and_bad_seeds_refused() -> None:
    with pytest.raises(InputError) as exc:
        service.draw(CAT, make_pool(item="TZSB_JC"), "SAMR_GRADED", SEED)
    assert "不适用监管策略" in exc.value.message_zh
    for seed in ("abc", "zz" * 16, "00" * 8, "00" * 65):
        with pytest.raises(InputError, match="seed"):
            rules.seed_bytes(seed)
    with pytest.raises(InputError) as exc2:
        service.draw(CAT, make_pool(as_of="2024-01-01"), "SAMR_GRADED@2025.1", SEED)
    assert "不在有效期内" in exc2.value.message_zh


def test_floats_are_refused_in_canonical_json() -> None:
    with pytest.raises(InputError, match="floats"):
        rules.canonical_bytes({"ratio": 0.1})


def test_stream_known_answer() -> None:
    """The first outputs for a fixed key, pinned: a change of the algorithm fails here."""
    key = hashlib.sha256(b"known answer").digest()
    block0 = hashlib.sha256(key + (0).to_bytes(8, "big")).digest()
    s = rules.Stream(key)
    assert s.uniform(2**63) == int.from_bytes(block0[:8], "big") % 2**63
    s2 = rules.Stream(key)
    assert [s2.uniform(1) for _ in range(3)] == [0, 0, 0]  # n = 1 reads nothing
    assert s2.uniform(2**64 - 1) in (
        int.from_bytes(block0[:8], "big"),
        int.from_bytes(block0[8:16], "big"),
    )
    assert rules.Stream(key).sample(["a", "b", "c", "d"], 4) == rules.Stream(key).sample(
        ["a", "b", "c", "d"], 4
    )


def test_a_record_rewritten_whole_is_caught_by_the_published_commitment() -> None:
    """A forger who changes the pool and recomputes every digest, the commitment and the
    result makes a self-consistent record; only the commitment published before the draw
    shows it."""
    pool = make_pool(40, 6)
    honest = _record(pool)
    forged_pool = copy.deepcopy(pool)
    forged_pool["subjects"] = forged_pool["subjects"][1:]  # one subject dropped from the pool
    forged = _record(forged_pool)
    assert rules.verify(forged) == []
    mismatches = rules.verify(forged, published_commitment=honest["draw_commitment"].upper())
    assert len(mismatches) == 1
    assert "抽取前公布的" in mismatches[0]
    assert rules.verify(honest, published_commitment=honest["draw_commitment"]) == []


def test_unassignable_grounds_carry_codes_with_labels() -> None:
    pool = _one_subject_pool(3)
    pool["inspectors"][0]["relationships"] = [subject_key(0)]
    pool["inspectors"][1]["qualifications"] = []
    (u,) = _record(pool)["result"]["unassignable"]
    assert u["excluded"] == [
        {"ground": "qualification", "label": "不具备本事项所需资格", "count": 1},
        {"ground": "relationship", "label": "申报了与主体的利害关系", "count": 1},
    ]
    assert u["reason"].endswith("排除：不具备本事项所需资格1名，申报了与主体的利害关系1名")
