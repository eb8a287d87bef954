"""逢办必查: the check before every transaction, and the feedback on what was applied."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from xinyong.checks import service as checks
from xinyong.web.deps import PlatformDep, PrincipalDep

router = APIRouter(tags=["逢办必查"])


class CheckRequest(BaseModel):
    subject: str = Field(
        description="统一社会信用代码，或自然人身份证号码", min_length=15, max_length=18
    )
    scenario: str = Field(description="应用场景代码，如 government_procurement", max_length=48)


@router.post("/api/v1/checks")
def run_check(body: CheckRequest, platform: PlatformDep, who: PrincipalDep) -> dict[str, Any]:
    """办理业务前核查：返回名单身份、适用的惩戒/激励措施（含法律依据、期限、实施部门）、禁入、是否可适用告知承诺，以及回执号。每次核查留痕。"""
    with platform.engine.begin() as conn:
        return checks.check(
            conn,
            platform.sanctions,
            platform.vault,
            subject=body.subject,
            scenario=body.scenario,
            today=platform.clock.today(),
            now=platform.clock.now(),
            actor=who.actor,
            department_code=who.department_code,
        )


class Feedback(BaseModel):
    measure: str = Field(max_length=16)
    applied: bool
    reason: str = Field(default="", max_length=1000)


@router.post("/api/v1/checks/{receipt}/feedback", status_code=201)
def check_feedback(
    receipt: str, body: Feedback, platform: PlatformDep, who: PrincipalDep
) -> dict[str, str]:
    """反馈核查结果中某项措施的实施情况（已实施 / 未实施及理由）。"""
    with platform.engine.begin() as conn:
        checks.feedback(
            conn,
            receipt=receipt,
            measure=body.measure,
            applied=body.applied,
            reason=body.reason,
            actor=who.actor,
            department_code=who.department_code,
            now=platform.clock.now(),
        )
    return {"status": "recorded"}
