"""Credit repair (信用修复): eligibility per record, applications, steps, the re-check draw.

Roles: the deciding department (谁认定、谁修复) works its own department's cases; the credit
office sees every case, enters an application or completed materials received at a service
window on the subject's behalf, may void a repair for fraud and draws the monthly re-check
sample; an auditor reads. The subject itself applies through its account pages (/account).
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from xinyong.access import service as access
from xinyong.access.service import Principal
from xinyong.bootstrap import Platform
from xinyong.cases import attachments
from xinyong.cases.rules import CREDIT_REPAIR
from xinyong.kernel.errors import PermissionDenied
from xinyong.repair import service as repair
from xinyong.web.deps import (
    Caller,
    DepartmentOrOffice,
    Office,
    PlatformDep,
    Reader,
    department_scope,
    require_own,
)
from xinyong.web.schemas import repair as schemas
from xinyong.web.schemas.common import MAX_ID, MAX_INT, SUBJECT_CODE, Purpose
from xinyong.web.schemas.common import errors as declared

router = APIRouter(tags=["信用修复"])
UPLOAD_PATHS = re.compile(r"^/api/v1/repairs(/\d{1,19}/steps)?$")
# Files per request: the attachment policy (XINYONG_ATTACHMENT_MAX_FILES) decides; this bounds the form.
MAX_FILES = 50
RepairId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="信用修复办件编号")]


def subject_key_of(conn: Any, platform: Platform, code: str) -> str:
    return repair.subject_key_of(conn, platform.vault, code)


def read_uploads(files: list[UploadFile] | None, limit: int) -> list[attachments.Upload]:
    # One byte past the limit is enough to refuse the file.
    return [
        attachments.Upload(file_name=f.filename or "", content=f.file.read(limit + 1))
        for f in files or []
    ]


@router.get(
    "/api/v1/subjects/{code}/repair-eligibility",
    summary="信用修复条件",
    response_model=schemas.RepairEligibility,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def eligibility(
    code: Annotated[
        str, PathParam(pattern=SUBJECT_CODE, max_length=40, description="统一社会信用代码")
    ],
    platform: PlatformDep,
    who: Reader,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """主体每条公示中的失信信息（及在列名单）能否申请信用修复：适用的修复规则、每一条件的状态
    （已满足、不满足、待核实、随申请签署）及法律依据，可申请的日期或不能申请的理由。数据不能判断的
    条件标为“待核实”，不视为已满足。部门只看本部门认定的记录。须说明查询用途。"""
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        key = subject_key_of(conn, platform, code)
        view = repair.eligibility_view(conn, platform.repair_deps(), key, platform.clock.today())
        if who.role == "department":
            view["records"] = [
                r for r in view["records"] if r["record"]["department"] == who.department_code
            ]
        access.audit(
            conn,
            who.actor,
            "read_repair_eligibility",
            f"subject:{key}",
            platform.clock.now(),
            stated,
        )
    return view


@router.post(
    "/api/v1/repairs",
    status_code=201,
    summary="代录信用修复申请",
    response_model=schemas.RepairView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 413, 422),
)
def apply(
    platform: PlatformDep,
    who: Office,
    subject: Annotated[str, Form(min_length=1, max_length=40, description="统一社会信用代码")],
    record: Annotated[int, Form(ge=1, le=MAX_ID, description="记录编号（见信用修复条件）")],
    signatory: Annotated[str, Form(max_length=50, description="签署信用承诺书的人")],
    commitment_signed: Annotated[bool, Form(description="已签署信用承诺书")] = False,
    kind: Annotated[
        str,
        Form(max_length=16, description="ordinary（信用修复）或 bankruptcy（破产重整临时修复）"),
    ] = "ordinary",
    note: Annotated[str, Form(max_length=2000, description="申请说明")] = "",
    materials: Annotated[
        list[UploadFile] | None,
        File(description="证明材料（PDF、JPEG、PNG、OFD）", max_length=MAX_FILES),
    ] = None,
    training_certificate: Annotated[
        str, Form(max_length=40, description="诚信教育证书编号（修复规则要求诚信教育的必填）")
    ] = "",
) -> dict[str, Any]:
    """信用办在政务服务窗口代当事人录入信用修复申请（当事人本人通过“我的信用”页面申请）：须签署
    信用承诺书并上传证明材料；记录不符合条件、已有未办结的申请、材料缺失或超限时拒绝并说明理由，
    不作任何改动。申请按“谁认定、谁修复”交由作出认定的部门办理。"""
    uploads = read_uploads(materials, platform.settings.attachment_max_bytes)
    with platform.transaction() as conn:
        key = subject_key_of(conn, platform, subject)
        case = repair.apply(
            conn,
            platform.repair_deps(),
            subject_key=key,
            record=record,
            kind=kind,
            commitment_signed=commitment_signed,
            signatory=signatory,
            materials=uploads,
            actor=who.actor,
            now=platform.clock.now(),
            note=note,
            training_certificate=training_certificate or None,
        )
    with platform.engine.connect() as conn:
        return _view(platform, conn, case.id, who)


def _role(who: Principal, name: str) -> str:
    # The office enters the subject's completed materials on its behalf.
    if who.role == "office" and name == "complete":
        return "subject"
    return who.role


def _view(platform: Platform, conn: Any, case_id: int, who: Principal) -> dict[str, Any]:
    role = who.role if who.role in ("department", "office") else None
    return repair.case_view(
        conn, platform.repair_deps(), case_id, today=platform.clock.today(), role=role
    )


@router.get(
    "/api/v1/repairs",
    summary="信用修复办件",
    response_model=schemas.RepairInbox,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def inbox(
    platform: PlatformDep,
    who: Caller,
    state: Annotated[str | None, Query(max_length=32, description="只看该状态")] = None,
    overdue: Annotated[bool, Query(description="只看已超过办理期限的")] = False,
    department: Annotated[
        str | None, Query(max_length=64, description="部门代码（信用办、审计可用）")
    ] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=repair.MAX_PAGE_SIZE)] = 50,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """待办的信用修复办件，按办理期限先后排序，标明期限（暂定日历的最早、最晚日期）与是否超期。
    部门只看本部门，信用办和审计看全部。须说明查询用途。"""
    department = department_scope(who, department, "信用修复办件")
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        out = repair.find(
            conn,
            platform.repair_deps(),
            today=platform.clock.today(),
            department_code=department,
            state=state,
            overdue_only=overdue,
            page=page,
            page_size=page_size,
        )
        access.audit(conn, who.actor, "read_repairs", "repairs", platform.clock.now(), stated)
    return out


@router.get(
    "/api/v1/repairs/{repair_id}",
    summary="信用修复办件详情",
    response_model=schemas.RepairView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def get_repair(
    repair_id: RepairId, platform: PlatformDep, who: Caller, purpose: Purpose = None
) -> dict[str, Any]:
    """办件详情：状态、办理期限、是否超期、信用承诺、办理记录与材料、可办理的操作；不予修复的
    附救济途径。须说明查询用途。"""
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        case = repair.get_repair(conn, repair_id)
        require_own(who, case.department_code, "信用修复办件")
        view = _view(platform, conn, repair_id, who)
        access.audit(
            conn, who.actor, "read_repair", f"case:{repair_id}", platform.clock.now(), stated
        )
    return view


@router.post(
    "/api/v1/repairs/{repair_id}/steps",
    summary="办理信用修复一步",
    response_model=schemas.RepairView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 413, 422),
)
def take_step(
    repair_id: RepairId,
    platform: PlatformDep,
    who: DepartmentOrOffice,
    name: Annotated[str, Form(max_length=32, description="操作，如 accept、incomplete、approve")],
    note: Annotated[str, Form(max_length=2000, description="说明（需补正的材料、理由等）")] = "",
    version: Annotated[
        int | None, Form(ge=1, le=MAX_INT, description="调用方看到的办件版本")
    ] = None,
    materials: Annotated[
        list[UploadFile] | None, File(description="材料", max_length=MAX_FILES)
    ] = None,
) -> dict[str, Any]:
    """认定部门办理本部门的信用修复办件：受理、一次性告知补正（列明全部材料）、延长（记录理由）、
    决定予以修复（当日停止公示、移出名单、解除措施）或不予修复（写明理由），破产重整的临时修复与
    恢复；信用办可代录当事人补正的材料，并可因弄虚作假撤销修复（恢复公示，三年内不得再申请）。
    状态不允许、角色不符或版本已变时拒绝，不作任何改动。"""
    t = CREDIT_REPAIR.transitions.get(name)
    if t is not None and _role(who, name) not in t.roles:
        raise PermissionDenied(f"role {who.role} may not {name}", f"当前角色无权执行“{t.label}”")
    uploads = read_uploads(materials, platform.settings.attachment_max_bytes)
    with platform.transaction() as conn:
        case = repair.get_repair(conn, repair_id)
        require_own(who, case.department_code, "信用修复办件")
        repair.step(
            conn,
            platform.repair_deps(),
            repair_id,
            name,
            actor=who.actor,
            role=_role(who, name),
            now=platform.clock.now(),
            department_code=who.department_code,
            subject_key=case.subject_key,
            note=note,
            materials=uploads,
            expected_version=version,
        )
    with platform.engine.connect() as conn:
        return _view(platform, conn, repair_id, who)


class SampleRequest(BaseModel):
    month: str = Field(description="月份 YYYY-MM", pattern=r"^\d{4}-\d{2}$", max_length=7)
    seed: str | None = Field(
        default=None, description="随机种子（缺省由平台生成并记录）", max_length=64
    )


@router.post(
    "/api/v1/repairs/recheck-samples",
    status_code=201,
    summary="抽取信用修复复查样本",
    response_model=schemas.RecheckSample,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 409, 422),
)
def recheck_sample(body: SampleRequest, platform: PlatformDep, who: Office) -> dict[str, Any]:
    """信用办按配置的比例（默认10%，待核实，见目录 rights/repair.yaml）随机抽取某月予以修复的办件
    进行复查，记录随机种子、总体与抽中结果（可复现）；每月只抽一次。发现错修的，按弄虚作假撤销
    修复（void）更正。"""
    with platform.engine.begin() as conn:
        drawn = repair.draw_sample(
            conn,
            platform.repair_deps(),
            body.month,
            actor=who.actor,
            now=platform.clock.now(),
            seed=body.seed,
        )
        access.audit(
            conn, who.actor, "draw_repair_sample", f"month:{body.month}", platform.clock.now()
        )
    return drawn
