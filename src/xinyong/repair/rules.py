"""Pure rules of credit repair: whether a record may be repaired, from when, and why not.

Each condition of the regime (令36 第十四条, 令107 第八条、第十一条, a list type's early exit)
gets a status: ``met``, ``unmet``, ``to_verify`` (待核实: the data cannot decide it, e.g. that
every obligation was performed; the deciding authority verifies it from the materials, it is
never assumed true) or ``on_application`` (the commitment, signed with the application).
A record is ``eligible`` when nothing is unmet; ``not_yet`` when only a date stands in the way
(the minimum period, a restriction term, a fraud bar: ``eligible_from`` says from when);
``not_eligible`` otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from xinyong.catalog.model import Evidence, LegalBasis
from xinyong.catalog.repair import RepairRegime
from xinyong.publication.rules import add_months

MET = "met"
UNMET = "unmet"
TO_VERIFY = "to_verify"
ON_APPLICATION = "on_application"
STATUS_LABELS = {
    MET: "已满足",
    UNMET: "不满足",
    TO_VERIFY: "待核实",
    ON_APPLICATION: "随申请签署",
}

ELIGIBLE = "eligible"
NOT_YET = "not_yet"
NOT_ELIGIBLE = "not_eligible"
RESULT_LABELS = {ELIGIBLE: "可申请信用修复", NOT_YET: "暂不可申请", NOT_ELIGIBLE: "不可申请"}

ORDINARY = "ordinary"
BANKRUPTCY = "bankruptcy"
KIND_LABELS = {ORDINARY: "信用修复", BANKRUPTCY: "破产重整临时信用修复"}

_PLATFORM = LegalBasis(
    title="本平台信用修复办件规则",
    evidence=Evidence.UNCONFIRMED,
    note="同一记录同一时间只办理一件修复申请",
)


@dataclass(frozen=True, slots=True)
class Target:
    """One record (or list membership) of the subject, as repair reads it."""

    entry_id: int  # the current version's ledger entry
    item_code: str
    item_name: str
    record_key: str
    department_code: str
    decision_date: dt.date | None
    severity: str | None
    policy_code: str | None
    repair_from: dt.date | None  # the end of the minimum publication period
    penalty_kinds: tuple[str, ...] = ()  # 处罚类别 codes
    restriction_until: dt.date | None = None  # the restriction's term (处罚有效期), inclusive
    violation: str = ""  # 违法行为类型
    list_type: str | None = None
    list_name: str = ""
    list_case: int | None = None  # a listing decided here: exit through its case
    listed_on: dt.date | None = None
    list_min_months: int | None = None
    list_conditions: tuple[str, ...] = ()
    list_excluded_when: tuple[str, ...] = ()
    list_basis: tuple[LegalBasis, ...] = ()
    list_acceptance_days: int | None = None
    list_decision_days: int | None = None
    list_extension_days: int | None = None
    list_stop_days: int | None = None
    repaired: bool = False  # publication already stopped by a repair
    masked: bool = False  # temporarily repaired (bankruptcy)


@dataclass(frozen=True, slots=True)
class LaterPenalty:
    decision_date: dt.date
    department_code: str
    violation: str


@dataclass(frozen=True, slots=True)
class Condition:
    code: str
    label: str  # Chinese
    status: str
    detail: str  # Chinese
    basis: tuple[LegalBasis, ...] = ()
    from_date: dt.date | None = None  # an unmet condition that a date will meet

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "status": self.status,
            "status_label": STATUS_LABELS[self.status],
            "detail": self.detail,
            "from": self.from_date.isoformat() if self.from_date else None,
            "legal_basis": [b.as_json() for b in self.basis],
        }


@dataclass(frozen=True, slots=True)
class Eligibility:
    target: Target
    regime: RepairRegime
    kind: str
    result: str
    eligible_from: dt.date | None
    conditions: tuple[Condition, ...] = field(default_factory=tuple)

    @property
    def eligible(self) -> bool:
        return self.result == ELIGIBLE

    def reasons(self) -> list[str]:
        """Why not, in Chinese: every unmet condition."""
        return [f"{c.label}：{c.detail}" for c in self.conditions if c.status == UNMET]


def deadlines(regime: RepairRegime, target: Target) -> dict[str, int | None]:
    """The case's working-day parameters: the list type's own early-exit deadlines first, the
    regime's for what it does not say."""

    def pick(own: int | None, default: int) -> int:
        return own if own is not None else default

    return {
        "acceptance_working_days": pick(
            target.list_acceptance_days, regime.acceptance_working_days
        ),
        "decision_working_days": pick(
            target.list_decision_days, regime.decision_days(target.item_code)
        ),
        "extension_working_days": pick(target.list_extension_days, regime.extension_working_days),
        "data_processing_working_days": pick(
            target.list_stop_days, regime.data_processing_working_days
        ),
        "bankruptcy_working_days": regime.bankruptcy_working_days,
    }


def minimum_period_end(regime: RepairRegime, target: Target) -> dt.date | None:
    """The first day an application is possible by the minimum period: the record's own
    ``repair_from`` (publication policy), a list's minimum months on the list, or the
    regime's floor from the decision date."""
    ends: list[dt.date] = []
    if target.repair_from is not None:
        ends.append(target.repair_from)
    if target.list_min_months is not None and target.listed_on is not None:
        ends.append(add_months(target.listed_on, target.list_min_months))
    if regime.min_months is not None:
        start = target.listed_on or target.decision_date
        if start is not None:
            ends.append(add_months(start, regime.min_months))
    return max(ends) if ends else None


def evaluate(
    regime: RepairRegime,
    target: Target,
    *,
    today: dt.date,
    kind: str = ORDINARY,
    later_penalties: tuple[LaterPenalty, ...] = (),
    fraud_bar_until: dt.date | None = None,
    open_case: int | None = None,
    training_certificates: tuple[tuple[str, dt.date], ...] = (),
) -> Eligibility:
    """Every condition of the regime for ``target`` on ``today`` (see the module docstring).
    ``fraud_bar_until`` is the last day of a bar after a voided repair; ``open_case`` an
    application for the record still being handled; ``training_certificates`` the subject's
    诚信教育 certificates with their session day (read where the regime requires training)."""
    basis = regime.legal_basis
    conds: list[Condition] = []
    if not regime.repairable:
        conds.append(
            Condition("REPAIRABLE", "可通过本平台修复", UNMET, regime.not_repairable_reason, basis)
        )
    revocation = sorted(set(target.penalty_kinds) & set(regime.not_repairable_penalty_kinds))
    if revocation and kind == ORDINARY:
        conds.append(
            Condition(
                "NOT_REVOCATION_TYPE",
                "不属于不可提前修复的处罚",
                UNMET,
                "降低资质等级、吊销许可证件或营业执照、责令关闭等处罚信息不予提前修复，"
                "公示期满后自动停止公示",
                basis,
            )
        )
    if target.repaired:
        conds.append(
            Condition("NOT_REPAIRED", "尚未修复", UNMET, "该记录已信用修复，已停止公示", basis)
        )
    elif target.masked and kind == BANKRUPTCY:
        conds.append(
            Condition("NOT_MASKED", "尚未临时修复", UNMET, "该记录已临时屏蔽，不能重复申请", basis)
        )
    if open_case is not None:
        conds.append(
            Condition(
                "NO_OPEN_APPLICATION",
                "没有正在办理的修复申请",
                UNMET,
                f"该记录已有正在办理的信用修复申请（办件 {open_case}），不能重复申请",
                (_PLATFORM,),
            )
        )
    bar = regime.fraud_basis or basis[0]
    if fraud_bar_until is not None and today <= fraud_bar_until:
        conds.append(
            Condition(
                "NO_FRAUD_BAR",
                "不在弄虚作假禁止申请期内",
                UNMET,
                f"曾因弄虚作假被撤销信用修复，{fraud_bar_until.isoformat()}（含）前不得申请",
                (bar,),
                fraud_bar_until + dt.timedelta(days=1),
            )
        )
    else:
        conds.append(
            Condition(
                "NO_FRAUD_BAR", "不在弄虚作假禁止申请期内", MET, "三年内无被撤销的信用修复", (bar,)
            )
        )
    if kind == ORDINARY:
        conds += _ordinary(regime, target, today, later_penalties)
    else:
        conds.append(
            Condition(
                "COURT_RULING",
                "人民法院裁定批准重整计划或认可和解协议",
                TO_VERIFY,
                "须提交人民法院的裁定书，由认定单位核实",
                basis,
            )
        )
    if regime.requires_training and kind == ORDINARY:
        conds.append(training_condition(regime, target, training_certificates))
    if regime.commitment_required:
        conds.append(
            Condition(
                "COMMITMENT",
                "作出信用承诺",
                ON_APPLICATION,
                "申请时签署信用承诺书",
                (regime.commitment_basis or basis[0],),
            )
        )
    unmet = [c for c in conds if c.status == UNMET]
    dated = [c.from_date for c in unmet if c.from_date is not None]
    if not unmet:
        result, start = ELIGIBLE, None
    elif len(dated) == len(unmet):
        result, start = NOT_YET, max(dated)
    else:
        result, start = NOT_ELIGIBLE, None
    return Eligibility(target, regime, kind, result, start, tuple(conds))


def _ordinary(
    regime: RepairRegime,
    target: Target,
    today: dt.date,
    later: tuple[LaterPenalty, ...],
) -> list[Condition]:
    basis = regime.legal_basis
    conds: list[Condition] = []
    minimum = minimum_period_end(regime, target)
    if minimum is None:
        conds.append(
            Condition("MIN_PERIOD", "已满最短公示期", MET, "该记录没有最短公示期要求", basis)
        )
    elif today >= minimum:
        conds.append(
            Condition(
                "MIN_PERIOD",
                "已满最短公示期",
                MET,
                f"最短公示期已于 {minimum.isoformat()} 届满",
                basis,
            )
        )
    else:
        conds.append(
            Condition(
                "MIN_PERIOD",
                "已满最短公示期",
                UNMET,
                f"最短公示期至 {(minimum - dt.timedelta(days=1)).isoformat()}，"
                f"{minimum.isoformat()} 起可申请",
                basis,
                minimum,
            )
        )
    restricted = sorted(set(target.penalty_kinds) & set(regime.restriction_penalty_kinds))
    if restricted:
        conds.append(_restriction(regime, target, today))
    conds.append(
        Condition(
            "OBLIGATIONS",
            "已纠正失信行为、履行法定义务",
            TO_VERIFY,
            "须提交纠正失信行为、履行义务的证明材料，由认定单位核实",
            basis,
        )
    )
    conds.append(_no_new_penalty(regime, target, later))
    for text in target.list_conditions:
        conds.append(
            Condition("LIST_CONDITION", text, TO_VERIFY, "由认定单位核实", target.list_basis)
        )
    for text in target.list_excluded_when:
        conds.append(
            Condition(
                "LIST_EXCLUDED", f"不存在：{text}", TO_VERIFY, "由认定单位核实", target.list_basis
            )
        )
    return conds


def _restriction(regime: RepairRegime, target: Target, today: dt.date) -> Condition:
    label = "限制类处罚已满一年且限制期限届满"
    start = target.decision_date
    months = regime.restriction_min_months or 0
    year_end = add_months(start, months) if start is not None else None
    if target.restriction_until is None:
        if year_end is not None and today < year_end:
            return Condition(
                "RESTRICTION_ENDED",
                label,
                UNMET,
                f"限制类处罚须满{months}个月（{year_end.isoformat()} 起）且限制期限届满后方可申请",
                regime.legal_basis,
                year_end,
            )
        return Condition(
            "RESTRICTION_ENDED",
            label,
            TO_VERIFY,
            "记录未载明限制期限（处罚有效期），须由认定单位核实限制是否已届满",
            regime.legal_basis,
        )
    ended = target.restriction_until + dt.timedelta(days=1)
    first = max(ended, year_end) if year_end is not None else ended
    if today >= first:
        return Condition(
            "RESTRICTION_ENDED",
            label,
            MET,
            f"限制期限至 {target.restriction_until.isoformat()}，已届满",
            regime.legal_basis,
        )
    return Condition(
        "RESTRICTION_ENDED",
        label,
        UNMET,
        f"限制期限至 {target.restriction_until.isoformat()}，{first.isoformat()} 起可申请",
        regime.legal_basis,
        first,
    )


def _no_new_penalty(
    regime: RepairRegime, target: Target, later: tuple[LaterPenalty, ...]
) -> Condition:
    label = "此后未再受到同类行政处罚"
    if target.decision_date is None:
        return Condition("NO_NEW_PENALTY", label, TO_VERIFY, "记录没有决定日期", regime.legal_basis)
    after = [p for p in later if p.decision_date > target.decision_date]
    same = [
        p for p in after if target.violation and p.violation.strip() == target.violation.strip()
    ]
    if same:
        newest = max(p.decision_date for p in same)
        return Condition(
            "NO_NEW_PENALTY",
            label,
            UNMET,
            f"{newest.isoformat()} 又因同类违法行为受到行政处罚",
            regime.legal_basis,
        )
    if after:
        return Condition(
            "NO_NEW_PENALTY",
            label,
            TO_VERIFY,
            f"此后另有 {len(after)} 条行政处罚记录，是否属同类违法行为由认定单位核实",
            regime.legal_basis,
        )
    return Condition(
        "NO_NEW_PENALTY", label, MET, "平台未归集到此后的行政处罚记录", regime.legal_basis
    )


def fraud_bar_end(regime: RepairRegime, voided_on: dt.date) -> dt.date:
    """The last day of the bar on new applications after a repair voided for fraud."""
    return add_months(voided_on, regime.fraud_bar_months) - dt.timedelta(days=1)


TRAINING_LABEL = "已参加诚信教育并取得证书"


def valid_certificates(target: Target, certificates: tuple[tuple[str, dt.date], ...]) -> list[str]:
    """The certificates that count for ``target``: from a session held on or after the
    finding (the record's decision or the listing), since education follows the failure."""
    start = target.listed_on or target.decision_date
    return [n for n, held in certificates if start is None or held >= start]


def training_condition(
    regime: RepairRegime, target: Target, certificates: tuple[tuple[str, dt.date], ...]
) -> Condition:
    basis = (regime.training_basis or regime.legal_basis[0],)
    found = valid_certificates(target, certificates)
    if found:
        return Condition(
            "TRAINING", TRAINING_LABEL, MET, f"已取得诚信教育证书 {'、'.join(found)}", basis
        )
    return Condition(
        "TRAINING",
        TRAINING_LABEL,
        UNMET,
        "须在失信行为认定后参加诚信教育培训（免费）并取得证书，申请时填写证书编号",
        basis,
    )
