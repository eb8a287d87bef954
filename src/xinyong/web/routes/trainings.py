"""Integrity education (诚信教育) over the API: sessions (list, create, one with its
attendance), a subject's attendance, its certificate. A department organises and works its
own sessions; the credit office any department's. Free of charge and never a condition of
market entry (35号文 (二)); the certificate is what a repair application cites where the
repair regime requires training (Shaanxi 2018 (十六))."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from xinyong.access import service as access
from xinyong.commitments import service as commitments
from xinyong.kernel.errors import InputError
from xinyong.web.deps import DepartmentOrOffice, PlatformDep, Reader, department_scope, require_own
from xinyong.web.schemas import commitments as schemas
from xinyong.web.schemas.common import MAX_ID, SUBJECT_CODE, Purpose
from xinyong.web.schemas.common import errors as declared

router = APIRouter(tags=["诚信教育"])
TrainingId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="培训编号")]
SubjectCode = Annotated[
    str, PathParam(pattern=SUBJECT_CODE, max_length=40, description="参训主体统一社会信用代码")
]
WHAT = "诚信教育培训"


class NewTraining(BaseModel):
    title: str = Field(min_length=1, max_length=200, description="培训名称")
    held_on: dt.date = Field(description="举办日期")
    place: str = Field(min_length=1, max_length=200, description="培训地点")
    department: str | None = Field(
        default=None, max_length=32, description="组织部门代码（部门密钥为本部门，可省略）"
    )


class NewAttendance(BaseModel):
    subject: str = Field(pattern=SUBJECT_CODE, max_length=40, description="统一社会信用代码")
    representative: str = Field(
        min_length=1, max_length=20, description="参训的法定代表人姓名（只保存脱敏形式）"
    )
    representative_id: str = Field(
        default="", max_length=20, description="法定代表人身份证号码（可选，只保存脱敏形式）"
    )


def _acting(who: Any) -> str | None:
    return who.department_code if who.role == "department" else None


@router.get(
    "/api/v1/trainings",
    summary="诚信教育培训列表",
    response_model=schemas.Trainings,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def list_trainings(
    platform: PlatformDep,
    who: Reader,
    department: Annotated[str | None, Query(max_length=32, description="组织部门代码")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> dict[str, Any]:
    """诚信教育培训，举办日期新的在前，含参训主体数和已发证书数。部门只看本部门组织的。培训免费，不作为市场准入条件。"""
    scope = department_scope(who, department, WHAT)
    with platform.engine.connect() as conn:
        return commitments.find_trainings(conn, department_code=scope, limit=limit, offset=offset)


@router.post(
    "/api/v1/trainings",
    status_code=201,
    summary="创建诚信教育培训",
    response_model=schemas.Training,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def create(body: NewTraining, platform: PlatformDep, who: DepartmentOrOffice) -> dict[str, Any]:
    """部门为本部门、信用办为任一部门创建培训（名称、日期、地点、组织部门）。培训免费，不收取任何费用。"""
    department = body.department or who.department_code
    if department is None:
        raise InputError(
            "department missing", "department（组织部门）：信用办创建培训须指明组织部门"
        )
    with platform.transaction() as conn:
        return commitments.create_training(
            conn,
            title=body.title,
            held_on=body.held_on,
            place=body.place,
            department_code=department,
            acting_department=_acting(who),
            actor=who.actor,
            now=platform.clock.now(),
        )


@router.get(
    "/api/v1/trainings/{training_id}",
    summary="诚信教育培训详情",
    response_model=schemas.Training,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def show(
    training_id: TrainingId, platform: PlatformDep, who: Reader, purpose: Purpose = None
) -> dict[str, Any]:
    """一次培训及参训主体（法定代表人脱敏）和证书编号。部门只看本部门组织的；须说明查询用途。"""
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        view = commitments.training_view(conn, training_id)
        require_own(who, str(view["department"]), WHAT)
        access.audit(
            conn,
            who.actor,
            "read_training",
            f"training:{training_id}",
            platform.clock.now(),
            stated,
        )
    return view


@router.post(
    "/api/v1/trainings/{training_id}/attendance",
    status_code=201,
    summary="登记参训主体",
    response_model=schemas.Training,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def attend(
    training_id: TrainingId, body: NewAttendance, platform: PlatformDep, who: DepartmentOrOffice
) -> dict[str, Any]:
    """登记主体（统一社会信用代码）及其法定代表人参加培训（培训举办当日或之后）。法定代表人姓名、
    身份证号码只保存脱敏形式。未登记的主体、未举办的培训、重复登记、其他部门的培训：拒绝并说明理由，不写入。"""
    with platform.transaction() as conn:
        return commitments.attend(
            conn,
            platform.commitment_deps(),
            training_id,
            subject=body.subject,
            representative=body.representative,
            representative_id=body.representative_id,
            acting_department=_acting(who),
            actor=who.actor,
            now=platform.clock.now(),
        )


@router.post(
    "/api/v1/trainings/{training_id}/attendance/{code}/certificate",
    status_code=201,
    summary="发放诚信教育证书",
    response_model=schemas.TrainingAttendance,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def certify(
    training_id: TrainingId, code: SubjectCode, platform: PlatformDep, who: DepartmentOrOffice
) -> dict[str, Any]:
    """为参训主体发放证书（编号 PX+年份+组织部门代码+序号，唯一）。培训举办前、未参训、已发放的，拒绝并说明理由。
    信用修复规则要求诚信教育的，修复申请须引用本证书。"""
    with platform.transaction() as conn:
        return commitments.certify(
            conn,
            training_id,
            code,
            vault=platform.vault,
            acting_department=_acting(who),
            actor=who.actor,
            now=platform.clock.now(),
        )
