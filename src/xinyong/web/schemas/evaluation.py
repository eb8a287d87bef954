"""Credit evaluation (信用评价): the published models and a subject's results."""

from __future__ import annotations

from pydantic import Field, JsonValue

from xinyong.web.schemas.common import Schema


class EvaluationIndicator(Schema):
    code: str = Field(description="指标代码")
    name: str = Field(description="指标名称")
    dimension: str = Field(description="评价维度")
    direction: str = Field(description="negative（扣分）或 positive（加分）")
    direction_label: str = Field(description="扣分 / 加分")
    function: str = Field(description="count（计数）或 decayed_count（按时间衰减计数）")
    weight: float = Field(description="权重：指标达到上限时的分值")
    cap: float = Field(description="指标值上限")
    items: list[str] = Field(description="计入的信息项代码")
    own_department: bool = Field(default=False, description="只计模型所属部门提供的记录")


class EvaluationGrade(Schema):
    code: str = Field(description="等级代码")
    label: str = Field(description="等级（优、良、中、差）")
    letter: str = Field(description="模型声明的等级字母")
    from_: float = Field(alias="from", description="分值下限（含）")
    to: float = Field(description="分值上限（不含；最高等级含）")


class EvaluationModel(Schema):
    code: str = Field(description="模型代码")
    name: str = Field(description="模型名称")
    kind: str = Field(description="comprehensive / industry / risk_class")
    kind_label: str = Field(description="模型类别（中文）")
    version: str = Field(description="模型版本")
    effective_from: str = Field(description="生效日期")
    effective_until: str | None = Field(description="失效日期")
    disclosure: str = Field(description="结果公开方式")
    base_model: str | None = Field(description="行业模型：以其得分为基础分的模型代码")
    department: str | None = Field(description="行业模型所属部门代码")
    department_label: str | None = Field(default=None, description="行业模型所属部门名称")
    industries: list[dict[str, str]] = Field(
        default_factory=list,
        description="行业模型适用的行业门类（GB/T 4754-2017 门类代码 code 与名称 label）；空为不限",
    )
    scope_note: str = Field(
        default="", description="评价范围说明（行业未载明的主体不参加行业模型）"
    )
    legal_basis: list[dict[str, JsonValue]] = Field(description="依据")
    score: dict[str, float] = Field(description="计分：base（基础分）、min、max")
    indicators: list[EvaluationIndicator] = Field(description="指标及权重")
    grades: list[EvaluationGrade] = Field(description="等级及分值区间")


class EvaluationModels(Schema):
    items: list[EvaluationModel] = Field(description="现行评价模型")


class IndicatorResult(Schema):
    code: str = Field(description="指标代码")
    name: str = Field(description="指标名称")
    weight: float | None = Field(description="权重")
    value: float = Field(description="指标值")
    contribution: float = Field(description="对得分的贡献（负数为扣分）")
    entries: list[int] | None = Field(
        default=None, description="计入的账本记录编号（仅持密钥查询时给出）"
    )


class EvaluationResult(Schema):
    model: str = Field(description="模型代码")
    model_name: str = Field(description="模型名称")
    model_version: str = Field(description="模型版本")
    disclosure: str | None = Field(description="结果公开方式")
    score: float = Field(description="得分")
    grade: str = Field(description="等级代码")
    grade_label: str = Field(description="等级（中文）")
    grade_letter: str = Field(description="等级字母")
    computed_at: str | None = Field(description="评价时间（北京时间）")
    run: int = Field(description="评价批次")
    base: float = Field(description="基础分（行业模型：主体在基础模型下的得分）")
    base_model: str | None = Field(description="行业模型的基础模型代码")
    indicators: list[IndicatorResult] = Field(description="各指标的值、贡献及依据记录")


class NotScored(Schema):
    model: str = Field(description="行业评价模型代码")
    model_name: str = Field(description="模型名称")
    reason: str = Field(description="未参加本模型评价的原因（如登记的行业门类不在适用行业内）")


class SubjectEvaluation(Schema):
    results: list[EvaluationResult] = Field(description="按公开方式可见的评价结果")
    not_scored: list[NotScored] | None = Field(
        default=None,
        description="可见而未评价本主体的行业模型及原因（如登记的行业门类不在适用行业内）",
    )
    note: str | None = Field(default=None, description="说明（如自然人评价结果不公开）")
