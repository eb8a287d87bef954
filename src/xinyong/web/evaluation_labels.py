"""The labels the evaluation pages and API put beside a model's codes: the 行业门类 names
(the catalogue's industry code table) and the department names (the access registry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.catalog.evaluation import ResultDisclosure
from xinyong.evaluation import service as evaluation
from xinyong.identity import repository as identity_repo
from xinyong.inspections.service import FILTER_TABLES


def labelled_models(platform: Platform, on: dt.date) -> list[dict[str, Any]]:
    """``evaluation.models_view`` with the industries' and departments' labels."""
    table = platform.catalogue.code_table(FILTER_TABLES["industry"])
    with platform.engine.connect() as conn:
        names = {str(d["code"]): str(d["name"]) for d in access.departments(conn)}
    return evaluation.models_view(
        platform.evaluation_models(), on, {v.code: v.label for v in table.values}, names
    )


def not_scored(
    platform: Platform,
    conn: Connection,
    key: str,
    results: Sequence[dict[str, Any]],
    levels: Collection[ResultDisclosure],
) -> list[dict[str, str]]:
    """The industry-scoped models the reader may see that did not score the subject, each
    with why (its registration states no 行业门类, or another one): a missing grade is never
    left unexplained."""
    have = {r["model"] for r in results}
    subject = identity_repo.get_subject(conn, key)
    industry = subject.get("industry") if subject else None
    table = platform.catalogue.code_table(FILTER_TABLES["industry"])
    labels = {v.code: v.label for v in table.values}
    out = []
    for m in platform.evaluation_models().in_force(platform.clock.today()):
        if not m.industries or m.disclosure not in levels or m.code in have:
            continue
        if industry is None:
            why = "登记信息未载明行业门类，不参加本模型评价"
        elif industry not in m.industries:
            why = (
                f"登记的行业门类为 {industry} {labels.get(industry, '')}，"
                "不在本模型适用行业内，不参加本模型评价"
            )
        else:
            why = "属于本模型适用行业，尚未评价（下一评价批次计入）"
        out.append({"model": m.code, "model_name": m.name, "reason": why})
    return out
