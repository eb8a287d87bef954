"""双随机、一公开 over the API: inspectors and recusals, plans, draws (commitment published
before the draw, then the seed and the record), tasks and results. A department works its
own plans; the credit office any. The published plans, draws, the public draw record and the
results are public (the portal shows the same)."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from xinyong.inspections import registry
from xinyong.inspections import service as insp
from xinyong.web.deps import (
    PUBLIC,
    DepartmentOrOffice,
    PlatformDep,
    Reader,
    department_scope,
    require_own,
)
from xinyong.web.schemas import inspections as schemas
from xinyong.web.schemas.common import MAX_ID, SUBJECT_CODE
from xinyong.web.schemas.common import errors as declared

router = APIRouter(tags=["双随机抽查"])
PlanId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="抽查计划编号")]
DrawId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="抽取编号")]
TaskId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="检查任务编号")]
CODE_PATTERN = r"^[0-9A-Za-z_.:\-]{1,64}$"
JSON_MEDIA = "application/json"


def _acting(who: Any) -> str | None:
    return who.department_code if who.role == "department" else None


class NewInspector(BaseModel):
    id: str = Field(pattern=CODE_PATTERN, description="检查人员编号（工号；不得使用身份证号码）")
    name: str = Field(min_length=1, max_length=50, description="姓名")
    department: str | None = Field(
        default=None, max_length=64, description="所属部门代码（部门密钥可省略）"
    )
    region: str = Field(pattern=CODE_PATTERN, description="所在地区（区划代码）")
    qualifications: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        min_length=1, max_length=20, description="资格，如 执法证件"
    )
    certificate: str = Field(min_length=6, max_length=40, description="执法证号（只保存脱敏）")


class NewRecusal(BaseModel):
    kind: str = Field(
        max_length=16, description="relationship（利害关系申报）或 request（主体的回避申请）"
    )
    inspector: str = Field(pattern=CODE_PATTERN, description="检查人员编号")
    subject: str = Field(pattern=SUBJECT_CODE, description="统一社会信用代码")
    reason: str = Field(min_length=1, max_length=500, description="理由")


class PlanItemIn(BaseModel):
    item: str = Field(pattern=CODE_PATTERN, description="抽查事项代码（抽查事项清单）")
    department: str | None = Field(default=None, max_length=64, description="实施部门代码")


class NewPlan(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="计划名称")
    kind: str = Field(max_length=16, description="annual（年度）或 adhoc（专项）")
    year: int = Field(ge=2000, le=2100, description="计划年度")
    department: str | None = Field(
        default=None, max_length=64, description="牵头部门代码（部门密钥可省略）"
    )
    items: list[PlanItemIn] = Field(
        max_length=20, description="抽查事项，牵头部门的在前；联合抽查列多个部门的事项"
    )
    policy: str = Field(max_length=64, description="监管策略 代码@版本，或只写代码")
    pool_filter: dict[
        Annotated[str, Field(max_length=16)], Annotated[str, Field(max_length=64)] | None
    ] = Field(
        default_factory=dict,
        max_length=4,
        description=(
            "抽查对象范围：region（区划代码前缀）、type（主体类型，如 91）、"
            "industry（行业门类字母，逗号分隔，如 C,F）、size（企业规模代码 1 大型 2 中型 3 小型 4 微型）；"
            "industry/size 写 unknown 则纳入登记未载明的主体，不写则不纳入（计划页显示其数量）"
        ),
    )


class NewDraw(BaseModel):
    beacon_source: str = Field(
        default="", max_length=200, description="事先公布的公共随机数来源（可选）"
    )


class RunDraw(BaseModel):
    beacon_value: str | None = Field(
        default=None, max_length=200, description="公共随机数的公布值（事先公布了来源时必填）"
    )


class NewResult(BaseModel):
    inspector: str = Field(
        pattern=CODE_PATTERN, description="录入的检查人员编号（须为本任务抽中的）"
    )
    item: str = Field(pattern=CODE_PATTERN, description="抽查事项代码")
    result: str = Field(max_length=8, description="检查结果类别代码（代码表 inspection_result）")
    text: str = Field(default="", max_length=2000, description="检查结果说明（向社会公示）")
    inspected_on: dt.date = Field(description="检查结束日期")


@router.get(
    "/api/v1/inspections/inspectors",
    summary="检查人员名录",
    response_model=schemas.Inspectors,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def list_inspectors(
    platform: PlatformDep,
    who: Reader,
    department: Annotated[str | None, Query(max_length=64, description="部门代码")] = None,
) -> dict[str, Any]:
    """执法检查人员：部门、地区、资格、执法证号（脱敏）、是否在岗。部门只看本部门的。"""
    scope = department_scope(who, department, "检查人员")
    with platform.engine.connect() as conn:
        return {"items": registry.list_inspectors(conn, scope)}


@router.post(
    "/api/v1/inspections/inspectors",
    status_code=201,
    summary="登记检查人员",
    response_model=schemas.Inspector,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def add_inspector(platform: PlatformDep, who: DepartmentOrOffice, body: NewInspector) -> Any:
    """登记执法检查人员进入随机抽取的检查人员名录；执法证号只保存脱敏形式。"""
    dept = body.department or who.department_code or ""
    require_own(who, dept, "检查人员", action="登记")
    with platform.transaction() as conn:
        return registry.register_inspector(
            conn,
            ident=body.id,
            name=body.name,
            department_code=dept,
            region=body.region,
            qualifications=body.qualifications,
            certificate=body.certificate,
            now=platform.clock.now(),
        )


class InspectorActive(BaseModel):
    active: bool = Field(description="true 在岗（参加抽取）/ false 停用（不再被抽中）")


@router.post(
    "/api/v1/inspections/inspectors/{inspector_id}/active",
    summary="启用或停用检查人员",
    response_model=schemas.Inspector,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def set_inspector_active(
    platform: PlatformDep,
    who: DepartmentOrOffice,
    inspector_id: Annotated[str, PathParam(pattern=CODE_PATTERN, description="检查人员编号")],
    body: InspectorActive,
) -> Any:
    """停用的检查人员不再进入抽取名录（已分派的任务不变）；启用后重新参加抽取。"""
    with platform.transaction() as conn:
        person = registry.require_inspector(conn, inspector_id)
        require_own(who, str(person["department_code"]), "检查人员", action="办理")
        return registry.set_active(conn, inspector_id, body.active, platform.clock.now())


@router.get(
    "/api/v1/inspections/recusals",
    summary="回避登记",
    response_model=schemas.Recusals,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def list_recusals(
    platform: PlatformDep,
    who: Reader,
    subject: Annotated[str | None, Query(pattern=SUBJECT_CODE, description="主体")] = None,
) -> dict[str, Any]:
    """利害关系申报与主体的回避申请（有效的）：抽取时该检查人员不会被抽中检查该主体。部门只看本部门检查人员的。"""
    scope = department_scope(who, None, "回避登记")
    with platform.engine.connect() as conn:
        found = registry.list_recusals(conn, subject.upper() if subject else None)
        if scope is not None:
            own = {i["id"] for i in registry.list_inspectors(conn, scope)}
            found = [r for r in found if r["inspector"] in own]
    return {"items": found}


@router.post(
    "/api/v1/inspections/recusals",
    status_code=201,
    summary="登记回避",
    response_model=schemas.Recusal,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def add_recusal(platform: PlatformDep, who: DepartmentOrOffice, body: NewRecusal) -> Any:
    """登记检查人员申报的利害关系，或主体提出的回避申请（须写明理由）。"""
    with platform.transaction() as conn:
        person = registry.require_inspector(conn, body.inspector)
        require_own(who, str(person["department_code"]), "检查人员", action="登记回避")
        return registry.record_recusal(
            conn,
            kind=body.kind,
            inspector_id=body.inspector,
            subject_key=body.subject.upper(),
            reason=body.reason,
            actor=who.actor,
            now=platform.clock.now(),
        )


@router.post(
    "/api/v1/inspections/recusals/{recusal_id}/withdraw",
    summary="撤回回避登记",
    response_model=schemas.Recusal,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def withdraw_recusal(
    platform: PlatformDep,
    who: DepartmentOrOffice,
    recusal_id: Annotated[int, PathParam(ge=1, le=MAX_ID, description="回避登记编号")],
) -> Any:
    """利害关系已解除或回避申请撤回：登记保留，此后抽取不再据此回避。"""
    with platform.transaction() as conn:
        row = registry.require_recusal(conn, recusal_id)
        person = registry.require_inspector(conn, str(row["inspector_id"]))
        require_own(who, str(person["department_code"]), "检查人员", action="办理")
        return registry.withdraw_recusal(conn, recusal_id)


@router.get(
    "/api/v1/inspections/plans",
    summary="抽查计划（工作）",
    response_model=schemas.Plans,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def list_plans(
    platform: PlatformDep,
    who: Reader,
    department: Annotated[str | None, Query(max_length=64, description="牵头部门代码")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> dict[str, Any]:
    """抽查计划，新的在前，含未公布的。按部门、事项、年度各一行：联合抽查中参与部门的事项有各自的行（任务与结果为该事项的，名录为计划的）。部门看本部门牵头的计划和本部门参与的联合抽查计划，只含本部门事项的行。"""
    scope = department_scope(who, department, "抽查计划")
    with platform.engine.connect() as conn:
        items = insp.list_plans(
            conn, platform.inspection_deps(), department_code=scope, limit=limit, offset=offset
        )
    return {"items": items}


@router.post(
    "/api/v1/inspections/plans",
    status_code=201,
    summary="制定抽查计划",
    response_model=schemas.Plan,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def create_plan(platform: PlatformDep, who: DepartmentOrOffice, body: NewPlan) -> Any:
    """抽查计划：抽查事项（无清单不检查）、监管策略、抽查对象范围；联合抽查列多个部门的事项。"""
    dept = body.department or who.department_code or ""
    require_own(who, dept, "抽查计划", action="制定")
    with platform.transaction() as conn:
        return insp.create_plan(
            conn,
            platform.inspection_deps(),
            name=body.name,
            kind=body.kind,
            year=body.year,
            department_code=dept,
            items=[{"item": i.item, "department": i.department or dept} for i in body.items],
            policy_ref=body.policy,
            pool_filter=body.pool_filter,
            actor=who.actor,
            now=platform.clock.now(),
        )


@router.post(
    "/api/v1/inspections/plans/{plan_id}/draws",
    status_code=201,
    summary="生成抽取承诺",
    response_model=schemas.Draw,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def prepare_draw(
    platform: PlatformDep, who: DepartmentOrOffice, plan_id: PlanId, body: NewDraw
) -> Any:
    """固定抽查对象名录，生成秘密种子并计算承诺（尚未公布）；种子在抽取后才公开。"""
    with platform.transaction() as conn:
        return insp.prepare_draw(
            conn,
            platform.inspection_deps(),
            plan_id,
            department_code=_acting(who),
            actor=who.actor,
            now=platform.clock.now(),
            beacon_source=body.beacon_source,
        )


@router.post(
    "/api/v1/inspections/draws/{draw_id}/publish",
    summary="公布抽取承诺",
    response_model=schemas.Draw,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def publish_commitment(platform: PlatformDep, who: DepartmentOrOffice, draw_id: DrawId) -> Any:
    """公布抽取承诺（及抽查计划）；公布之后才能抽取。"""
    with platform.transaction() as conn:
        return insp.publish_commitment(
            conn,
            platform.inspection_deps(),
            draw_id,
            department_code=_acting(who),
            now=platform.clock.now(),
        )


@router.post(
    "/api/v1/inspections/draws/{draw_id}/run",
    summary="抽取",
    response_model=schemas.Draw,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def run_draw(platform: PlatformDep, who: DepartmentOrOffice, draw_id: DrawId, body: RunDraw) -> Any:
    """按公布的承诺抽取：公开种子和抽取记录，每个抽中的主体生成一个检查任务。承诺未公布的拒绝。"""
    with platform.transaction() as conn:
        return insp.run_planned_draw(
            conn,
            platform.inspection_deps(),
            draw_id,
            department_code=_acting(who),
            actor=who.actor,
            now=platform.clock.now(),
            beacon_value=body.beacon_value,
        )


@router.get(
    "/api/v1/inspections/draws/{draw_id}",
    summary="一次抽取（公开）",
    dependencies=[PUBLIC],
    response_model=schemas.Draw,
    response_model_exclude_unset=True,
    responses=declared(404, 422),
)
def get_draw(platform: PlatformDep, draw_id: DrawId) -> Any:
    """已公布承诺的抽取：承诺、摘要、公布时间；抽取后含种子和记录下载地址。公开信息，无需密钥。"""
    with platform.engine.connect() as conn:
        return insp.get_draw(conn, draw_id, public=True)


@router.get(
    "/api/v1/inspections/draws/{draw_id}/record.json",
    summary="下载抽取记录（JSON）",
    dependencies=[PUBLIC],
    response_class=Response,
    responses={
        200: {
            "description": "公开的抽取记录，可用 xinyong verify-draw 文件 复核",
            "content": {JSON_MEDIA: {"schema": {"type": "string", "format": "binary"}}},
        },
        **declared(404, 422),
    },
)
def download_record(platform: PlatformDep, draw_id: DrawId) -> Response:
    """公开的抽取记录：种子、种子承诺、名录及其摘要、监管策略、抽取结果。任何人可用 xinyong verify-draw 复核。公开信息，无需密钥。"""
    with platform.engine.connect() as conn:
        record = insp.draw_record(conn, draw_id, public=True)
    return Response(
        json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1),
        media_type=JSON_MEDIA,
        headers={"Content-Disposition": f'attachment; filename="draw-{draw_id}.json"'},
    )


@router.get(
    "/api/v1/inspections/draws/{draw_id}/full-record.json",
    summary="下载完整抽取记录（JSON，内部）",
    response_class=Response,
    responses={
        200: {
            "description": "完整的抽取记录（含内部信用风险分类），供监督机构复核",
            "content": {JSON_MEDIA: {"schema": {"type": "string", "format": "binary"}}},
        },
        **declared(401, 403, 404, 422),
    },
)
def download_full_record(platform: PlatformDep, who: Reader, draw_id: DrawId) -> Response:
    """完整的抽取记录：公开本隐去内部分类时，以此复核分层抽取。部门只能下载本部门计划的。"""
    with platform.engine.connect() as conn:
        plan = insp.get_plan(
            conn, platform.inspection_deps(), insp.get_draw(conn, draw_id, public=False)["plan"]
        )
        require_own(who, plan["department"], "抽取记录", action="下载")
        record = insp.draw_record(conn, draw_id, public=False)
    return Response(
        json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1),
        media_type=JSON_MEDIA,
        headers={"Content-Disposition": f'attachment; filename="draw-{draw_id}-full.json"'},
    )


@router.get(
    "/api/v1/inspections/coverage",
    summary="抽查覆盖情况（按部门、事项、年度）",
    response_model=schemas.Coverage,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def coverage(
    platform: PlatformDep,
    who: Reader,
    department: Annotated[
        str | None, Query(max_length=64, description="部门代码（牵头或参与）")
    ] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="计划年度")] = None,
) -> dict[str, Any]:
    """每次抽取的名录规模与分层（策略比例与实际抽中比例）、名录中已检查的比例、任务按期完成／待检查／逾期录入（录入期限按工作日历计算，暂定年份注明）、检查结果类别、达到年度检查上限的主体数、按月的任务情况。部门只看本部门牵头的。"""
    scope = department_scope(who, department, "抽查覆盖情况")
    with platform.engine.connect() as conn:
        return insp.coverage_report(
            conn,
            platform.inspection_deps(),
            department_code=scope,
            year=year,
            now=platform.clock.now(),
        )


@router.get(
    "/api/v1/inspections/published",
    summary="公开的抽查计划、抽取与结果",
    dependencies=[PUBLIC],
    response_model=schemas.Published,
    response_model_exclude_unset=True,
    responses=declared(422),
)
def published(
    platform: PlatformDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> dict[str, Any]:
    """已公布的抽查计划、抽取（承诺、种子、记录）、抽中的主体及检查结果。公开信息，无需密钥。"""
    with platform.engine.connect() as conn:
        return {
            "items": insp.published(conn, platform.inspection_deps(), limit=limit, offset=offset)
        }


class InspectorAccount(BaseModel):
    account: str | None = Field(
        max_length=64, description="角色为检查人员的控制台账号的用户名；null 解除关联"
    )


@router.post(
    "/api/v1/inspections/inspectors/{inspector_id}/account",
    summary="关联检查人员的控制台账号",
    response_model=schemas.Inspector,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def link_inspector_account(
    platform: PlatformDep,
    who: DepartmentOrOffice,
    inspector_id: Annotated[str, PathParam(pattern=CODE_PATTERN, description="检查人员编号")],
    body: InspectorAccount,
) -> Any:
    """把角色为“检查人员”的控制台账号关联到已登记的检查人员（本部门或信用办）：该账号的待办只显示
    抽中该检查人员的任务，由其本人录入结果。一个账号只能关联一名检查人员。"""
    with platform.transaction() as conn:
        return registry.link_account(
            conn,
            inspector_id,
            body.account,
            department_code=_acting(who),
            actor=who.actor,
            now=platform.clock.now(),
        )


@router.get(
    "/api/v1/inspections/tasks",
    summary="检查任务",
    response_model=schemas.Tasks,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def list_tasks(
    platform: PlatformDep,
    who: Reader,
    inspector: Annotated[
        str | None, Query(pattern=CODE_PATTERN, description="检查人员（待办）")
    ] = None,
    draw: Annotated[int | None, Query(ge=1, le=MAX_ID, description="抽取编号")] = None,
    status: Annotated[str | None, Query(pattern="^(open|done)$", description="状态")] = None,
    account: Annotated[
        str | None,
        Query(max_length=64, description="控制台账号（检查人员）：只列其关联的检查人员的任务"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> dict[str, Any]:
    """检查任务：抽中的主体、检查人员、事项、结果（含录入期限与是否逾期）。部门只看本部门参加的
    （牵头或有本部门检查人员的联合检查）。"""
    scope = department_scope(who, None, "检查任务")
    with platform.engine.connect() as conn:
        if account is not None:
            inspector = registry.inspector_for_account_name(conn, account).get("id")
        items = insp.list_tasks(
            conn,
            platform.inspection_deps(),
            draw_id=draw,
            inspector_id=inspector,
            department_code=scope,
            status=status,
            limit=limit,
            offset=offset,
        )
    return {"items": items}


@router.post(
    "/api/v1/inspections/tasks/{task_id}/results",
    status_code=201,
    summary="录入检查结果",
    response_model=schemas.Task,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def enter_result(
    platform: PlatformDep, who: DepartmentOrOffice, task_id: TaskId, body: NewResult
) -> Any:
    """本任务抽中的检查人员录入一个事项的结果；写入信用记录（行政监督检查信息），超过录入期限的标为逾期。"""
    with platform.transaction() as conn:
        person = registry.require_inspector(conn, body.inspector)
        require_own(who, str(person["department_code"]), "检查任务", action="录入")
        return insp.enter_result(
            conn,
            platform.inspection_deps(),
            task_id,
            inspector_id=body.inspector,
            item_code=body.item,
            result_code=body.result,
            result_text=body.text,
            inspected_on=body.inspected_on,
            now=platform.clock.now(),
            department_code=_acting(who),
        )
