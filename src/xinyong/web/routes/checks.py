"""逢办必查: the check before every transaction, and the feedback on what was applied."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from xinyong.checks import service as checks
from xinyong.identity.resolve import is_organisation_code
from xinyong.kernel.errors import InputError
from xinyong.web.deps import PUBLIC, DepartmentOrOffice, PlatformDep, PrincipalDep
from xinyong.web.schemas import checks as schemas
from xinyong.web.schemas.common import errors as declared

router = APIRouter(tags=["逢办必查"])


class CheckRequest(BaseModel):
    subject: str | None = Field(
        default=None,
        description="统一社会信用代码，或自然人身份证号码（与 name 二选一）",
        min_length=15,
        max_length=18,
    )
    name: str | None = Field(
        default=None,
        description="组织名称（不知道代码时使用，与 subject 二选一）：按名称查找，结果不是权威核查结论",
        min_length=2,
        max_length=200,
    )
    scenario: str = Field(
        description="应用场景代码或中文名称，如 government_procurement 或 政府采购", max_length=48
    )
    on: dt.date | None = Field(
        default=None,
        description="核查哪一天适用的措施（按账本现有信息推算，用于安排移出、期满等），默认今天",
    )
    limit: int = Field(
        default=5, ge=1, le=checks.MAX_CANDIDATES, description="按名称查找时最多返回的候选主体数"
    )


@router.get(
    "/api/v1/scenarios",
    summary="应用场景",
    dependencies=[PUBLIC],
    response_model=schemas.Scenarios,
    response_model_exclude_unset=True,
)
def scenarios(platform: PlatformDep) -> schemas.Scenarios:
    """核查可用的应用场景（代码、中文名称、说明、国家或地方）。核查时 scenario 填代码或中文名称均可。公开信息，无需密钥。"""
    return schemas.Scenarios(
        version=platform.sanctions.snapshot.version,
        scenarios=[schemas.ScenarioInfo.of(sc) for sc in platform.sanctions.scenarios.values()],
    )


def _json(answer: checks.Answer) -> Response:
    # The text the receipt's hash was taken of: serialised once, not validated again against
    # a response model (the check is on every business transaction's path).
    return Response(answer.json, media_type="application/json")


@router.post(
    "/api/v1/checks",
    summary="办理业务前核查",
    response_class=Response,
    responses={
        200: {"model": schemas.CheckResponse, "description": "核查结论（含回执号）"},
        **declared(401, 403, 404, 422),
    },
)
def run_check(body: CheckRequest, platform: PlatformDep, who: PrincipalDep) -> Response:
    """办理业务前核查：返回名单身份、适用的惩戒/激励措施（名单或信用记录触发，含法律依据、期限、实施部门及触发依据）、禁入、是否可适用告知承诺，以及回执号。每次核查留痕。

    只知道组织名称时可改填 name：名称规范化后完全一致且只对应一个主体的，返回该主体的核查结果并注明按名称识别；否则返回按相似度排序的候选主体（含得分和匹配说明），不列出措施，须以统一社会信用代码重新核查。按名称查找的结果 authoritative 均为 false；不按名称查找自然人。"""
    name, subject = body.name, body.subject
    writer = platform.receipt_writer()
    record = writer.submit if writer is not None else None
    model = platform.check_read_model()

    def by_code(conn: Connection | None, code: str) -> Response:
        return _json(
            checks.check(
                conn,
                platform.sanctions,
                platform.vault,
                subject=code,
                scenario=body.scenario,
                today=platform.clock.today(),
                now=platform.clock.now(),
                actor=who.actor,
                department_code=who.department_code,
                on=body.on,
                record=record,
                source=model,
            )
        )

    # The common case needs no database connection at all: the read model answers and the
    # writer records the receipt.
    fast = writer is not None and model is not None
    if fast and name is None and subject is not None and is_organisation_code(subject):
        return by_code(None, subject)
    # With the batched writer the check only reads: no transaction round trips.
    unit = platform.engine.begin() if writer is None else platform.read_engine().connect()
    with unit as conn:
        if name is not None and subject is None:
            return _json(
                checks.check_by_name(
                    conn,
                    platform.sanctions,
                    name=name,
                    scenario=body.scenario,
                    today=platform.clock.today(),
                    now=platform.clock.now(),
                    actor=who.actor,
                    department_code=who.department_code,
                    limit=body.limit,
                    on=body.on,
                    record=record,
                )
            )
        if subject is not None and name is None:
            return by_code(conn, subject)
    raise InputError(
        "give either subject or name",
        "请填写 subject（统一社会信用代码或身份证号码）或 name（组织名称）之一，不能同时填写或都不填",
    )


class Feedback(BaseModel):
    measure: str = Field(max_length=16)
    applied: bool
    reason: str = Field(default="", max_length=1000)


@router.post(
    "/api/v1/checks/{receipt}/feedback",
    status_code=201,
    summary="反馈措施实施情况",
    response_model=schemas.FeedbackRecorded,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def check_feedback(
    receipt: Annotated[str, PathParam(max_length=64, description="核查回执号")],
    body: Feedback,
    platform: PlatformDep,
    who: DepartmentOrOffice,
) -> dict[str, str]:
    """反馈核查结果中某项措施的实施情况（已实施 / 未实施及理由）。仅限作出该次核查的调用方。"""
    writer = platform.receipt_writer()
    if writer is not None:
        writer.flush()  # a receipt this process answered moments ago may still be queued
    with platform.engine.begin() as conn:
        checks.feedback(
            conn,
            receipt=receipt,
            measure=body.measure,
            applied=body.applied,
            reason=body.reason,
            actor=who.actor,
            department_code=who.department_code,
            role=who.role,
            now=platform.clock.now(),
        )
    return {"status": "recorded"}
