"""Pools by industry (行业门类) and size (企业规模), on both engines: the subjects' values come
from the registration record; a filter takes the listed codes (labels accepted) and, only
when it says ``unknown``, the subjects whose registration states none; the plan shows how
many unknowns it left out or took in; a longer industry class code is refused, not guessed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from tests.inspections.test_persisted import orgs, plan, refused, seed_platform
from xinyong.bootstrap import Platform
from xinyong.identity.tables import subjects
from xinyong.inspections import service as insp
from xinyong.kernel.errors import InputError

# orgs()[i]: i % 4 == 0 manufacturing (C), 1 retail (F), 2 and 3 unknown; sizes: i % 3.
SIZES = {0: "3", 1: "4", 2: None}


def classify(platform: Platform) -> None:
    with platform.transaction() as conn:
        for i, k in enumerate(orgs()):
            industry = {0: "C", 1: "F"}.get(i % 4)
            conn.execute(
                update(subjects)
                .where(subjects.c.key == k)
                .values(industry=industry, size=SIZES[i % 3])
            )


def pool_of(platform: Platform, p: dict[str, Any]) -> list[dict[str, Any]]:
    deps = platform.inspection_deps()
    with platform.engine.connect() as conn:
        row = insp.repo.plan(conn, p["id"])
        assert row is not None
        subjects_: list[dict[str, Any]] = insp.build_pool(conn, deps, row, platform.clock.today())[
            "subjects"
        ]
        return subjects_


def test_filters_by_industry_and_size(platform: Platform) -> None:
    seed_platform(platform)
    classify(platform)
    everyone = pool_of(platform, plan(platform))
    assert len(everyone) == 40
    assert {s["industry"] for s in everyone} == {"C", "F", "unknown"}
    assert {s["size"] for s in everyone} == {"3", "4", "unknown"}

    # 制造业 only: the 20 unknowns are left out, and the plan says so.
    p = plan(platform, pool_filter={"industry": "C"})
    assert {s["industry"] for s in pool_of(platform, p)} == {"C"}
    assert len(pool_of(platform, p)) == 10
    with platform.engine.connect() as conn:
        full = insp.get_plan(conn, platform.inspection_deps(), p["id"])
    assert full["unknowns"] == [
        {"key": "industry", "key_label": "行业门类", "count": 20, "included": False}
    ]
    assert full["pool_filter_labels"][0]["labels"] == ["制造业"]

    # Labels are accepted and stored as codes; unknown takes the unstated ones in.
    p = plan(platform, pool_filter={"industry": "批发和零售业，unknown", "size": "小型"})
    assert p["pool_filter"]["industry"] == "F,unknown"
    pool = pool_of(platform, p)
    assert pool
    assert all(s["industry"] in ("F", "unknown") and s["size"] == "3" for s in pool)
    assert len(pool) == sum(1 for i in range(40) if i % 4 != 0 and SIZES[i % 3] == "3")
    with platform.engine.connect() as conn:
        full = insp.get_plan(conn, platform.inspection_deps(), p["id"])
    assert [(u["key"], u["included"]) for u in full["unknowns"]] == [
        ("industry", True),
        ("size", False),
    ]


def test_bad_filter_values(platform: Platform) -> None:
    seed_platform(platform)
    with refused(InputError, "pool_filter.industry“1310”不是“国民经济行业分类门类”中的代码"):
        plan(platform, pool_filter={"industry": "1310"})
    with refused(InputError, "pool_filter.size“巨型”不是“企业规模”中的代码"):
        plan(platform, pool_filter={"size": "巨型"})
