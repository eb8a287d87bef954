"""Pools for the draw tests: realistic enough (USCC-like keys, counties, qualifications), built
from a few numbers so hypothesis can shrink them."""

from __future__ import annotations

from typing import Any

DEPT = "SCJG_610100"
GRADES = ("A", "B", "C", "D", None)
REGIONS = ("610102", "610103", "610104")
QUALS = ["执法证件"]


def subject_key(n: int) -> str:
    return f"91610100MA{n:07d}X"[:18]


def make_pool(
    n_subjects: int = 60,
    n_inspectors: int = 8,
    *,
    grades: tuple[str | None, ...] = GRADES,
    capped_every: int = 0,
    as_of: str = "2026-06-30",
    item: str = "GSXX_CC",
) -> dict[str, Any]:
    subjects: list[dict[str, Any]] = [
        {
            "key": subject_key(i),
            "name": f"西安市示例商贸有限公司{i}",
            "region": REGIONS[i % len(REGIONS)],
            "industry": "F51",
            "type": "1100",
            "size": "small" if i % 2 else "micro",
            "grade": grades[i % len(grades)],
            "inspections_this_year": 2 if capped_every and i % capped_every == 0 else i % 2,
            "recusal_requests": [],
        }
        for i in range(n_subjects)
    ]
    inspectors = [
        {
            "id": f"ZF{j:04d}",
            "department": DEPT,
            "region": REGIONS[j % len(REGIONS)],
            "qualifications": list(QUALS) if j % 5 != 4 else [],
            "relationships": [],
        }
        for j in range(n_inspectors)
    ]
    return {
        "item": item,
        "department": DEPT,
        "scope": "610100",
        "as_of": as_of,
        "subjects": subjects,
        "inspectors": inspectors,
        "pairings": [],
    }
