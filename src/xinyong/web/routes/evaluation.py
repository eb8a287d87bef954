"""Credit evaluation (信用评价): the published models and a subject's results by disclosure.

Anyone reads the models and the public results of an organisation (without the ledger entry
ids behind them: an explanation may rest on records that are not public); a key reads more
levels and the entry ids, with a stated purpose, audited. Natural persons' results are
never public.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Path as PathParam

from xinyong.access import service as access
from xinyong.evaluation import service as evaluation
from xinyong.web.deps import PUBLIC, OptionalCaller, PlatformDep
from xinyong.web.evaluation_labels import labelled_models, not_scored
from xinyong.web.schemas import evaluation as schemas
from xinyong.web.schemas.common import OPTIONAL_KEY, SUBJECT_CODE, Purpose
from xinyong.web.schemas.common import errors as declared

router = APIRouter(tags=["信用评价"])


@router.get(
    "/api/v1/evaluation/models",
    summary="信用评价模型",
    dependencies=[PUBLIC],
    response_model=schemas.EvaluationModels,
    response_model_exclude_unset=True,
    responses=declared(422),
)
def models(platform: PlatformDep) -> dict[str, Any]:
    """现行的信用评价模型：代码、版本、依据、指标（代码、名称、权重、上限）、计分方式及各等级的分值
    区间。GB/T 45255-2025 的指标体系未公开，模型为本平台自定、可配置。内部模型（信用风险分类）不公布。"""
    return {"items": labelled_models(platform, platform.clock.today())}


@router.get(
    "/api/v1/subjects/{code}/evaluation",
    summary="主体信用评价结果",
    dependencies=[PUBLIC],
    openapi_extra=OPTIONAL_KEY,
    response_model=schemas.SubjectEvaluation,
    response_model_exclude_unset=True,
    responses=declared(401, 422),
)
def subject_evaluation(
    code: Annotated[
        str, PathParam(pattern=SUBJECT_CODE, max_length=40, description="统一社会信用代码")
    ],
    platform: PlatformDep,
    who: OptionalCaller,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """主体现行的信用评价结果：得分、等级及每一指标的值与贡献。无需密钥：社会公开的结果（自然人
    不公开，不列依据记录编号）；部门密钥另见政务共享的结果，信用办、审计密钥见全部（含内部），
    并列出每一指标依据的账本记录编号，须说明查询用途。not_scored：可见的行业模型未评价本主体的原因
    （登记信息未载明行业门类，或不在模型适用行业内）。"""
    catalogue = platform.evaluation_models()
    with platform.engine.begin() as conn:
        key, kind = evaluation.subject_of(conn, platform.vault, code)
        if who is None:
            if kind == "person":
                return {"results": [], "note": "自然人的信用评价结果不向社会公开"}
            levels = evaluation.levels_for(None)
            results = evaluation.subject_results(
                conn, catalogue, key, levels=levels, with_entries=False
            )
            return {
                "results": results,
                "not_scored": not_scored(platform, conn, key, results, levels),
            }
        stated = access.require_purpose(purpose)
        access.audit(
            conn, who.actor, "read_evaluation", f"subject:{key}", platform.clock.now(), stated
        )
        levels = evaluation.levels_for(who.role)
        results = evaluation.subject_results(conn, catalogue, key, levels=levels, with_entries=True)
        # A grade the reader may see but the subject has none of is explained, never blank.
        missing = not_scored(platform, conn, key, results, levels)
    return {"results": results, "not_scored": missing}
