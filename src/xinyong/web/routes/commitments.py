"""Credit commitments (信用承诺) over the API: the catalogue, a business system's submission,
the accepting department's steps, the commitments list and one commitment, coverage
statistics and the credit office's monthly 复核 draw."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field, StringConstraints

from xinyong.access import service as access
from xinyong.commitments import service as commitments
from xinyong.web.deps import (
    DepartmentClient,
    DepartmentOrOffice,
    Office,
    PlatformDep,
    Reader,
    department_scope,
    require_own,
)
from xinyong.web.schemas import commitments as schemas
from xinyong.web.schemas.common import MAX_ID, SUBJECT_CODE, Purpose
from xinyong.web.schemas.common import errors as declared

router = APIRouter(tags=["信用承诺"])
CommitmentId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="承诺编号")]


class Submission(BaseModel):
    subject: str = Field(pattern=SUBJECT_CODE, max_length=40, description="统一社会信用代码")
    template: str = Field(max_length=16, description="承诺书模板代码")
    training_certificate: str | None = Field(
        default=None, max_length=40, description="诚信教育证书编号（信用修复型可引用）"
    )


class Step(BaseModel):
    step: Literal["deliver", "verify", "breach", "repair"] = Field(
        description="deliver 提交容缺材料、verify 核查、breach 认定未履约、repair 信用修复"
    )
    materials: list[Annotated[str, StringConstraints(max_length=200)]] = Field(
        default_factory=list, max_length=50, description="提交的材料名称（deliver）"
    )
    result: bool | None = Field(
        default=None, description="核查结果：true 属实、false 不实（verify）"
    )
    note: str = Field(default="", max_length=2000, description="说明（breach、repair 必填）")


class SampleRequest(BaseModel):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="月份 YYYY-MM")
    seed: str | None = Field(default=None, max_length=64)


class ProposalRequest(BaseModel):
    list_type: str = Field(max_length=40, description="名单类型代码")


@router.get(
    "/api/v1/commitments/catalogue",
    summary="信用承诺目录",
    response_model=schemas.CommitmentCatalogue,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def catalogue(platform: PlatformDep, who: Reader) -> dict[str, Any]:
    """四类承诺、GB/T 46277-2025 分类、实行告知承诺的许可事项（含国办发〔2020〕42号排除情形）及现行承诺书模板，各附法律依据。"""
    return commitments.templates_view(platform.commitment_deps(), platform.clock.today())


@router.get(
    "/api/v1/commitments",
    summary="信用承诺列表",
    response_model=schemas.Commitments,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def list_commitments(
    platform: PlatformDep,
    who: Reader,
    type: Annotated[str | None, Query(pattern=r"^[1-4]$", description="承诺类型代码")] = None,
    status: Annotated[
        str | None, Query(pattern=r"^(signed|fulfilled|breached|false|repaired)$")
    ] = None,
    department: Annotated[str | None, Query(max_length=32, description="受理单位代码")] = None,
    subject: Annotated[str | None, Query(pattern=SUBJECT_CODE, max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """信用承诺，新的在前。部门只看本部门受理的承诺；须说明查询用途。"""
    stated = access.require_purpose(purpose)
    scope = department_scope(who, department, "信用承诺")
    deps = platform.commitment_deps()
    with platform.engine.begin() as conn:
        key = commitments.organisation_key(platform.vault, subject) if subject else None
        access.audit(
            conn, who.actor, "read_commitments", "commitments", platform.clock.now(), stated
        )
        return commitments.find(
            conn,
            deps,
            subject_key=key,
            type_=type,
            department_code=scope,
            status=status,
            limit=limit,
            offset=offset,
        )


@router.get(
    "/api/v1/commitments/statistics",
    summary="信用承诺覆盖统计",
    response_model=schemas.CommitmentStatistics,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def statistics(platform: PlatformDep, who: Reader) -> dict[str, Any]:
    """按承诺类型、实行告知承诺的事项和受理单位统计承诺数及各履约状态数（四类全列，零也列出）。"""
    with platform.engine.connect() as conn:
        return commitments.statistics(conn, platform.commitment_deps())


@router.post(
    "/api/v1/commitments",
    status_code=201,
    summary="报送信用承诺",
    response_model=schemas.Commitment,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def submit(body: Submission, platform: PlatformDep, who: DepartmentClient) -> dict[str, Any]:
    """部门业务系统报送主体签署的信用承诺，由本部门受理。事项不实行告知承诺、模板无法律依据、
    主体不适用告知承诺制（见逢办必查 commitment_blocked_by）时返回 409 并说明全部理由，不写入任何数据。"""
    assert who.department_code is not None  # noqa: S101 - DepartmentClient guarantees it
    with platform.transaction() as conn:
        return commitments.sign(
            conn,
            platform.commitment_deps(),
            subject=body.subject,
            template=body.template,
            department_code=who.department_code,
            channel="api",
            actor=who.actor,
            now=platform.clock.now(),
            training_certificate=body.training_certificate,
        )


@router.get(
    "/api/v1/commitments/{commitment_id}",
    summary="信用承诺详情",
    response_model=schemas.Commitment,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def show(
    commitment_id: CommitmentId, platform: PlatformDep, who: Reader, purpose: Purpose = None
) -> dict[str, Any]:
    """一项承诺及其办理记录（每步写入的信用记录编号）。部门只看本部门受理的；须说明查询用途。"""
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        view = commitments.view(conn, platform.commitment_deps(), commitment_id)
        require_own(who, str(view["department"]), "信用承诺")
        access.audit(
            conn,
            who.actor,
            "read_commitment",
            f"commitment:{commitment_id}",
            platform.clock.now(),
            stated,
        )
    return view


@router.post(
    "/api/v1/commitments/{commitment_id}/steps",
    summary="办理一步",
    response_model=schemas.Commitment,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def step(
    commitment_id: CommitmentId, body: Step, platform: PlatformDep, who: DepartmentOrOffice
) -> dict[str, Any]:
    """受理部门办理：提交容缺材料（齐全即已履约）、核查（不实即虚假承诺）、认定未履约、信用修复
    （虚假承诺不得提前修复）。未履约和虚假承诺记入信用记录，主体在修复前不适用告知承诺制。"""
    with platform.transaction() as conn:
        return commitments.step(
            conn,
            platform.commitment_deps(),
            commitment_id,
            body.step,
            actor=who.actor,
            now=platform.clock.now(),
            department_code=who.department_code if who.role == "department" else None,
            materials=body.materials,
            result=body.result,
            note=body.note,
        )


@router.post(
    "/api/v1/commitments/{commitment_id}/list-proposal",
    status_code=201,
    summary="据未履约提出拟列入",
    response_model=schemas.ListProposal,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def list_proposal(
    commitment_id: CommitmentId, body: ProposalRequest, platform: PlatformDep, who: DepartmentClient
) -> dict[str, Any]:
    """受理部门据未履约或虚假承诺提出拟列入名单（由部门决定，平台不自动列入），按名单认定程序办理。"""
    assert who.department_code is not None  # noqa: S101
    with platform.transaction() as conn:
        return commitments.propose_listing(
            conn,
            platform.commitment_deps(),
            commitment_id,
            list_type=body.list_type,
            department_code=who.department_code,
            actor=who.actor,
            now=platform.clock.now(),
        )


@router.post(
    "/api/v1/commitments/recheck-samples",
    status_code=201,
    summary="抽取信用承诺复核样本",
    response_model=schemas.CommitmentSample,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 409, 422),
)
def recheck_sample(body: SampleRequest, platform: PlatformDep, who: Office) -> dict[str, Any]:
    """信用办按配置比例（默认5%，至少1件，待核实）随机抽取某月已履约的承诺进行复核问效，记录种子、总体与结果；每月一次。"""
    with platform.engine.begin() as conn:
        drawn = commitments.draw_sample(
            conn,
            platform.commitment_deps(),
            body.month,
            actor=who.actor,
            now=platform.clock.now(),
            seed=body.seed,
        )
        access.audit(
            conn, who.actor, "draw_commitment_sample", f"month:{body.month}", platform.clock.now()
        )
    return drawn
