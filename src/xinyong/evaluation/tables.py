"""Evaluation runs (progress) and their results (score, grade, explanation per subject)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, String, Table, Text

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

evaluation_runs = Table(
    "evaluation_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("state", String(12), nullable=False),  # running | done | failed
    Column("full", Boolean, nullable=False),  # every subject, not only the changed ones
    Column("models", Text, nullable=False),  # JSON list of [code, version]
    Column("engine", String(16), nullable=False),  # duckdb
    Column("from_entry", BigId, nullable=False),  # entries after this id changed a subject
    Column("ledger_head", BigId, nullable=False),  # the last entry id the run saw
    Column("evaluated_on", String(10), nullable=False),  # the evaluation day (Beijing)
    Column("done", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("started_by", String(200), nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
    Column("error", Text),
    comment="One scoring run over the ledger snapshot; done/total is its progress.",
)

evaluation_results = Table(
    "evaluation_results",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("run_id", BigId, nullable=False),
    Column("subject_key", String(40), nullable=False),
    Column("subject_kind", String(24), nullable=False),
    Column("model_code", String(32), nullable=False),
    Column("model_version", String(32), nullable=False),
    Column("score", Float, nullable=False),
    Column("grade", String(32), nullable=False),
    Column("computed_at", UtcDateTime(), nullable=False),
    # JSON list: per indicator its value, contribution and the ledger entry ids behind it.
    Column("explanation", Text, nullable=False),
    comment="A subject's score and grade under one model version; the latest row is current.",
)
Index(
    "ix_evaluation_results_subject",
    evaluation_results.c.subject_key,
    evaluation_results.c.model_code,
    evaluation_results.c.id,
)
Index("ix_evaluation_results_run", evaluation_results.c.run_id)
