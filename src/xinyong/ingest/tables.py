"""Import jobs: an upload answered 202 is imported later, off the request, from a spool file."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, String, Table, Text

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

JOB_STATES = ("queued", "running", "done", "failed")

import_jobs = Table(
    "import_jobs",
    metadata,
    Column("id", String(32), primary_key=True),  # random hex: not guessable, names the spool
    Column("department_code", String(64), nullable=False),
    Column("item_code", String(32)),  # as the department gave it (None: from the headers)
    # The file name as sent, identifiers masked (identity.redact) before it is stored.
    Column("source_name", String(255), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("format", String(8), nullable=False),  # csv | xlsx | json, from the name
    Column("channel", String(16), nullable=False),
    Column("actor", String(128), nullable=False),  # who submitted (audit actor)
    # The host whose data_dir spools the file: only its worker runs or recovers the job.
    Column("node", String(128), nullable=False),
    Column("state", String(16), nullable=False),
    Column("phase", String(16)),  # reading | validating | recording, while running
    Column("rows_total", Integer),  # known once the file is read
    Column("rows_done", Integer, nullable=False),  # rows read and validated so far
    Column("attempts", Integer, nullable=False),  # runs started (a crash re-runs it)
    Column("created_at", UtcDateTime(), nullable=False),
    Column("started_at", UtcDateTime()),
    Column("finished_at", UtcDateTime()),
    Column("batch_id", BigId),
    # JSON counts of the result (rows, accepted, rejected, …): never a row's values.
    Column("result", Text),
    # A refusal's stable code and its Chinese/English message (identifiers masked).
    Column("error_code", String(48)),
    Column("error", Text),
    Column("error_en", Text),
    CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
    comment="Uploads imported off the request (202), their progress and result.",
)
Index("ix_import_jobs_department", import_jobs.c.department_code, import_jobs.c.created_at)
Index("ix_import_jobs_state", import_jobs.c.state)
