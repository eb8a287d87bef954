"""Voluntary registration (自愿注册): the kinds, registrations entered on a subject's behalf,
verification steps, and the share of voluntary records against the target.

Roles: the verifying department (a department of the kind's sector, chosen at registration)
works its own department's registrations; the credit office verifies the kinds it is named
for and may verify any; both may enter a registration received at a service window on the
subject's behalf (with the subject's commitment and authorisation); an auditor reads. The
subject itself registers through its account pages (/account/voluntary).
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi import Path as PathParam

from xinyong.access import service as access
from xinyong.access.service import Principal
from xinyong.bootstrap import Platform
from xinyong.identity.divisions import default_divisions
from xinyong.kernel.errors import InputError
from xinyong.voluntary import service as voluntary
from xinyong.web.deps import (
    Caller,
    DepartmentOrOffice,
    PlatformDep,
    Reader,
    department_scope,
    require_own,
)
from xinyong.web.routes.repair import MAX_FILES, read_uploads
from xinyong.web.schemas import voluntary as schemas
from xinyong.web.schemas.common import MAX_ID, MAX_INT, SUBJECT_CODE, Purpose
from xinyong.web.schemas.common import errors as declared

router = APIRouter(tags=["自愿注册"])
BASE = "/api/v1/voluntary-registrations"
UPLOAD_PATHS = re.compile(r"^/api/v1/voluntary-registrations$")
RegistrationId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="自愿注册编号")]
WHAT = "自愿注册信息"


def parse_values(text: str) -> dict[str, str]:
    """The ``values`` form field: a JSON object of field code → text."""
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        raise InputError("values is not JSON", "values（填报内容）应为 JSON 对象") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | float) for k, v in data.items()
    ):
        raise InputError(
            "values must map codes to text", "values（填报内容）应为“字段代码: 文本”的 JSON 对象"
        )
    return {k: str(v) for k, v in data.items()}


def _view(platform: Platform, conn: Any, case_id: int, who: Principal) -> dict[str, Any]:
    role = who.role if who.role in ("department", "office") else None
    return voluntary.case_view(
        conn, platform.voluntary_deps(), case_id, today=platform.clock.today(), role=role
    )


@router.get(
    BASE,
    summary="自愿注册信息",
    response_model=schemas.RegistrationList,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def registrations(
    platform: PlatformDep,
    who: Caller,
    state: Annotated[
        str | None, Query(max_length=32, description="submitted、verified、rejected")
    ] = None,
    subject: Annotated[
        str | None, Query(pattern=SUBJECT_CODE, max_length=40, description="统一社会信用代码")
    ] = None,
    department: Annotated[
        str | None, Query(max_length=64, description="核验单位代码（信用办、审计可用）")
    ] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=voluntary.MAX_PAGE_SIZE)] = 50,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """自愿注册信息，按核验期限先后排序，标明状态、核验单位、期限与是否超期。部门只看由本部门
    核验的，信用办和审计看全部。须说明查询用途。"""
    department = department_scope(who, department, WHAT)
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        key = voluntary.subject_key_of(platform.vault, subject) if subject else None
        out = voluntary.find(
            conn,
            today=platform.clock.today(),
            department_code=department,
            subject_key=key,
            state=state,
            page=page,
            page_size=page_size,
        )
        access.audit(
            conn,
            who.actor,
            "read_voluntary",
            "voluntary-registrations",
            platform.clock.now(),
            stated,
        )
    return out


@router.get(
    f"{BASE}/share",
    summary="自愿注册记录占比",
    response_model=schemas.ShareReport,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def share(
    platform: PlatformDep,
    who: Reader,
    department: Annotated[
        str | None, Query(max_length=64, description="部门代码（信用办、审计可用）")
    ] = None,
) -> dict[str, Any]:
    """经核验纳入信用记录的自愿注册信息占归集信用记录的比例，按部门和地区（市级）统计，并与配置的
    目标（陕西：2021年底前约30%，见目录 voluntary/registration.yaml）比较。部门只看本部门。"""
    department = department_scope(who, department, "统计")
    with platform.engine.connect() as conn:
        return voluntary.share_report(
            conn, platform.voluntary_deps(), department=department, divisions=default_divisions()
        )


@router.get(
    f"{BASE}/{{registration_id}}",
    summary="自愿注册信息详情",
    response_model=schemas.RegistrationView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def show(
    registration_id: RegistrationId, platform: PlatformDep, who: Caller, purpose: Purpose = None
) -> dict[str, Any]:
    """详情：填报的字段、真实性承诺与授权、核验期限、办理记录与材料；核验通过的附纳入的信用记录
    （自主申报、核验单位与日期），不通过的附理由。须说明查询用途。"""
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        case = voluntary.get_registration(conn, registration_id)
        require_own(who, case.department_code, WHAT)
        view = _view(platform, conn, registration_id, who)
        access.audit(
            conn,
            who.actor,
            "read_voluntary",
            f"case:{registration_id}",
            platform.clock.now(),
            stated,
        )
    return view


@router.post(
    BASE,
    status_code=201,
    summary="代为自愿注册",
    response_model=schemas.RegistrationView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 413, 422),
)
def submit(
    platform: PlatformDep,
    who: DepartmentOrOffice,
    subject: Annotated[str, Form(min_length=1, max_length=40, description="统一社会信用代码")],
    kind: Annotated[str, Form(max_length=16, description="信息类别代码，如 QUALIFICATION")],
    values: Annotated[
        str, Form(max_length=20_000, description="填报内容：字段代码到文本的 JSON 对象")
    ],
    commitment: Annotated[bool, Form(description="主体已作出真实性承诺")] = False,
    authorisation: Annotated[bool, Form(description="主体已授权使用所填报的信息")] = False,
    department: Annotated[
        str | None, Form(max_length=64, description="核验部门代码（部门核验的类别）")
    ] = None,
    note: Annotated[str, Form(max_length=2000, description="说明")] = "",
    materials: Annotated[
        list[UploadFile] | None,
        File(description="材料（PDF、JPEG、PNG、OFD，可选）", max_length=MAX_FILES),
    ] = None,
) -> dict[str, Any]:
    """部门或信用办在服务窗口代主体录入自愿注册信息（主体本人通过“我的信用”页面注册）：须有主体的
    真实性承诺和授权使用，未授权的不予注册；字段逐项校验（字段、值、原因）；部门代为注册的由本部门
    核验，信用办代为注册的须指明核验部门（由信用办核验的类别除外）。拒绝时不作任何改动。"""
    parsed = parse_values(values)
    dept = who.department_code if who.role == "department" else department
    uploads = read_uploads(materials, platform.settings.attachment_max_bytes)
    with platform.transaction() as conn:
        key = voluntary.subject_key_of(platform.vault, subject)
        case = voluntary.submit(
            conn,
            platform.voluntary_deps(),
            subject_key=key,
            kind=kind,
            values=parsed,
            department_code=dept,
            commitment=commitment,
            authorisation=authorisation,
            materials=uploads,
            actor=who.actor,
            role=who.role,
            now=platform.clock.now(),
            note=note,
        )
    with platform.engine.connect() as conn:
        return _view(platform, conn, case.id, who)


@router.post(
    f"{BASE}/{{registration_id}}/steps",
    summary="核验自愿注册信息",
    response_model=schemas.RegistrationView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def take_step(
    registration_id: RegistrationId,
    platform: PlatformDep,
    who: DepartmentOrOffice,
    name: Annotated[str, Form(max_length=32, description="verify（核验通过）或 reject（不通过）")],
    note: Annotated[str, Form(max_length=2000, description="说明；不通过时必填理由")] = "",
    version: Annotated[
        int | None, Form(ge=1, le=MAX_INT, description="调用方看到的办件版本")
    ] = None,
) -> dict[str, Any]:
    """核验单位（或信用办）核验：通过的纳入主体信用记录（标明自主申报、核验单位与日期），按公开方式
    公示；不通过的须写明理由，理由告知主体。非核验单位、状态不允许或版本已变时拒绝，不作任何改动。"""
    with platform.transaction() as conn:
        case = voluntary.get_registration(conn, registration_id)
        require_own(who, case.department_code, WHAT, action="核验")
        voluntary.step(
            conn,
            platform.voluntary_deps(),
            registration_id,
            name,
            actor=who.actor,
            role=who.role,
            now=platform.clock.now(),
            department_code=who.department_code,
            note=note,
            expected_version=version,
        )
    with platform.engine.connect() as conn:
        return _view(platform, conn, registration_id, who)
