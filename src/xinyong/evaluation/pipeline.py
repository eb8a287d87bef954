"""The one scoring pipeline, as Ibis expressions over the ledger snapshot.

Nothing here names an engine: ``open_snapshot`` reads the Parquet parts into whatever Ibis
backend it is given (DuckDB embedded by default; the same expressions compile for the pyspark
backend), and the expressions use only portable operations (filters, a row_number window,
group-by aggregates with ``collect``, joins, ``cases``, integer day arithmetic). From the
snapshot's entries:

1. ``in_scope``: every subject's entries, or (an incremental run) those of the subjects with
   entries after the previous run's ledger head; ``current_records``: the latest entry of each
   record (item, department, record key), a revoked record dropped;
2. ``contributions``: per subject and indicator, its value (a count, or a sum of recency
   factors), the contribution ±weight × min(value, cap) / cap and the entry ids counted;
3. ``scores``: base + Σ contributions (``totals``: one conditional sum per indicator in a
   single GROUP BY, the entry ids left to ``contributions``) clamped to the model's range,
   rounded to 2 places, and the grade whose range holds it; a subject with no counted record
   has the base score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from xinyong.catalog.evaluation import INDUSTRY_ITEM, EvaluationModel, Function, Indicator


def open_snapshot(con: Any, paths: Sequence[str], name: str = "ledger_snapshot") -> ir.Table:
    """The snapshot's parts (those its manifest names) as one table of backend ``con``."""
    if con.name == "duckdb":
        table: ir.Table = con.read_parquet(list(paths), table_name=name)
        return table
    # pyspark's reader takes one path: the parts, each read and unioned.
    parts = [con.read_parquet(p) for p in paths]
    return ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]


def in_scope(
    snapshot: ir.Table, changed_after: int | None = None, also: Sequence[str] = ()
) -> ir.Table:
    """The entries of the subjects to score: every subject, or those with an entry after
    ``changed_after`` (an incremental run) and the subjects ``also`` named (a repair, a
    correction, an exit reported by a domain event)."""
    if changed_after is None:
        return snapshot
    changed = snapshot.filter(
        (snapshot.id > changed_after) | snapshot.subject_key.isin(list(also))
        if also
        else snapshot.id > changed_after
    )
    return snapshot.semi_join(changed.select("subject_key").distinct(), "subject_key")


def current_records(scoped: ir.Table) -> ir.Table:
    t = scoped
    w = ibis.window(
        group_by=[t.item_code, t.department_code, t.record_key], order_by=ibis.desc(t.id)
    )
    t = t.mutate(_rank=ibis.row_number().over(w))
    return t.filter((t._rank == 0) & (t.action != "revoke")).drop("_rank")


def _factor(r: ir.Table, ind: Indicator, on_day: int) -> ir.NumericValue:
    if ind.function is Function.COUNT:
        return ibis.literal(1.0)
    age = ibis.literal(on_day) - r.decision_day
    branches = [(age < band.within_days, ibis.literal(band.factor)) for band in ind.recency]
    # A record without a decision date, or decided after the evaluation day, is not counted.
    return ibis.cases(
        (r.decision_day.isnull() | (age < 0), ibis.literal(0.0)),
        *branches,
        else_=ibis.literal(0.0),
    )


def _counted(
    r: ir.Table, ind: Indicator, on_day: int, department: str | None = None
) -> ir.BooleanValue:
    """Whether a current record is one the indicator counts (before its recency factor)."""
    cond = r.item_code.isin(list(ind.items))
    if ind.own_department:
        cond &= r.department_code == (department or "")
    if ind.severities:
        cond &= r.severity.isin(list(ind.severities))
    if ind.facet_values:
        cond &= r.facet.isin(list(ind.facet_values))
    if ind.actions:
        cond &= r.action.isin(list(ind.actions))
    if ind.exclude_actions:
        cond &= ~r.action.isin(list(ind.exclude_actions))
    if ind.active:
        cond &= r.public & (r.public_until_day.isnull() | (r.public_until_day > on_day))
    return cond


def indicator_values(
    current: ir.Table, model: EvaluationModel, on_day: int, *, with_entries: bool = False
) -> ir.Table:
    """Per subject with a counted record, every indicator's value (``v<i>``, 0 when none is
    counted) and, ``with_entries``, the entry ids counted (``e<i>``), in one pass over the
    current records: one grouped aggregate with a conditional sum per indicator (a table per
    indicator, unioned, made the engine scan and shuffle the records once per indicator)."""
    r = current.filter(current.subject_kind.isin(list(model.subject_kinds)))
    factors = [
        ibis.cases(
            (_counted(r, ind, on_day, model.department), _factor(r, ind, on_day)),
            else_=ibis.literal(0.0),
        )
        for ind in model.indicators
    ]
    r = r.mutate(**{f"_f{i}": f for i, f in enumerate(factors)})
    # Records no indicator counts are dropped before the shuffle.
    r = r.filter(ibis.greatest(*[r[f"_f{i}"] for i in range(len(factors))]) > 0)
    aggs: dict[str, Any] = {}
    for i in range(len(factors)):
        aggs[f"v{i}"] = r[f"_f{i}"].sum()
        if with_entries:
            aggs[f"e{i}"] = r.id.collect(where=r[f"_f{i}"] > 0)
    return r.group_by("subject_key").aggregate(**aggs)


def _contribution(value: ir.NumericValue, ind: Indicator) -> ir.NumericValue:
    result: ir.NumericValue = ind.sign * ind.weight * ibis.least(value, ind.cap) / ind.cap
    return result


def contributions(
    current: ir.Table, model: EvaluationModel, on_day: int, values: ir.Table | None = None
) -> ir.Table:
    """Per subject and indicator counting something: value, contribution, entry ids.
    ``values``: ``indicator_values(..., with_entries=True)`` already computed (cached)."""
    wide = (
        values
        if values is not None
        else indicator_values(current, model, on_day, with_entries=True)
    )
    parts = [
        wide.filter(wide[f"v{i}"] > 0).select(
            "subject_key",
            indicator=ibis.literal(ind.code),
            value=wide[f"v{i}"].cast("float64"),
            contribution=_contribution(wide[f"v{i}"], ind).cast("float64"),
            entries=wide[f"e{i}"],
        )
        for i, ind in enumerate(model.indicators)
    ]
    return ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]


def subjects(scoped: ir.Table) -> ir.Table:
    """Every subject with an entry in scope and its kind: those a model's ``population``
    leaves out are checked for an earlier result under it (it must not stay current)."""
    return scoped.group_by("subject_key").aggregate(subject_kind=scoped.subject_kind.max())


def population(
    scoped: ir.Table, model: EvaluationModel, current: ir.Table | None = None
) -> ir.Table:
    """Every subject with an entry in scope (a subject whose records were all revoked is
    scored too: its earlier result must not stay current). A model scoped by ``industries``
    takes only the subjects whose current registration record states one of them (its
    facet): a subject with no stated industry is not scored by it."""
    t = scoped.filter(scoped.subject_kind.isin(list(model.subject_kinds)))
    if model.industries:
        c = current if current is not None else current_records(scoped)
        inside = c.filter(
            (c.item_code == INDUSTRY_ITEM) & c.facet.isin(list(model.industries))
        ).select("subject_key")
        t = t.semi_join(inside.distinct(), "subject_key")
    return t.group_by("subject_key").aggregate(subject_kind=t.subject_kind.max())


def scores(
    scoped: ir.Table,
    current: ir.Table,
    model: EvaluationModel,
    on_day: int,
    base_model: EvaluationModel | None = None,
    values: ir.Table | None = None,
) -> ir.Table:
    """Per subject: score and grade. With ``base_model`` (an industry model) the base is the
    subject's score under that model, the model's own indicators added on top. ``values``:
    the model's ``indicator_values`` already computed (a run caches them for the
    explanation too)."""
    wide = values if values is not None else indicator_values(current, model, on_day)
    # Added in the model's order, so every engine sums alike.
    terms = [_contribution(wide[f"v{i}"], ind) for i, ind in enumerate(model.indicators)]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    sums = wide.select("subject_key", total=total)
    people = population(scoped, model, current)
    j = people.left_join(sums, people.subject_key == sums.subject_key).select(
        people.subject_key, people.subject_kind, sums.total
    )
    f = model.score
    base = ibis.literal(f.base)
    if base_model is not None:
        under = scores(scoped, current, base_model, on_day).select(
            "subject_key", base_score="score"
        )
        j = j.left_join(under, j.subject_key == under.subject_key).select(
            j.subject_key, j.subject_kind, j.total, under.base_score
        )
        base = j.base_score.coalesce(f.base)
    raw = base + j.total.coalesce(0.0)
    score = raw.clip(lower=f.min, upper=f.max).round(2)
    out = j.select(
        "subject_key", "subject_kind", score=score.cast("float64"), base=base.cast("float64")
    )
    top = max(g.to for g in model.grades)
    branches = [
        (
            (out.score >= g.from_) & ((out.score <= g.to) if g.to == top else (out.score < g.to)),
            ibis.literal(g.code),
        )
        for g in model.grades
    ]
    return out.mutate(grade=ibis.cases(*branches))
