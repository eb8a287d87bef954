"""Subjects, their relations, and the name/code observations used to detect 重码/错码."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

subjects = Table(
    "subjects",
    metadata,
    # USCC for organisations and individual businesses; "P" + keyed hash for natural persons.
    Column("key", String(40), primary_key=True),
    Column("kind", String(24), nullable=False),  # organisation | individual_business | person
    Column("name", String(200), nullable=False),
    Column("name_key", String(200), nullable=False),
    Column("id_sealed", LargeBinary),  # natural persons: the ID number, encrypted
    Column("id_masked", String(32)),
    Column("division_code", String(6)),
    Column("registered_on", Date),
    Column("status", String(32)),
    # From the registration record (DJZC): 行业门类 letter and 企业规模 code, or NULL (unknown).
    Column("industry", String(4)),
    Column("size", String(4)),
    Column("first_seen_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    comment="Market entities and natural persons the credit records are about.",
)
Index("ix_subjects_name_key", subjects.c.name_key)

relations = Table(
    "relations",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("org_key", String(40), nullable=False),
    Column("person_key", String(40)),  # null when only a name is known
    Column("person_name", String(200), nullable=False),
    Column("role", String(32), nullable=False),  # legal_representative | principal | controller
    Column("valid_from", Date),
    Column("source_entry_id", BigId),
    Column("recorded_at", UtcDateTime(), nullable=False),
    UniqueConstraint("org_key", "person_name", "person_key", "role", name="uq_relations_link"),
    comment="Who represents or controls an organisation (legal representative, principal…).",
)
Index("ix_relations_person", relations.c.person_key)

name_observations = Table(
    "name_observations",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("subject_key", String(40), nullable=False),
    Column("name_key", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("department_code", String(64), nullable=False),
    Column("batch_id", BigId, nullable=False),
    Column("row_number", Integer, nullable=False),
    UniqueConstraint("subject_key", "name_key", "department_code", name="uq_nameobs"),
    comment="First sighting of each (code, name) pair per department.",
)
Index("ix_nameobs_name", name_observations.c.name_key)

identity_flags = Table(
    "identity_flags",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(24), nullable=False),  # code_conflict (重码) | name_conflict (错码)
    Column("subject_key", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("detail", Text, nullable=False),  # Chinese explanation naming the other side
    Column("department_code", String(64), nullable=False),
    Column("batch_id", BigId, nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("status", String(16), nullable=False, default="open"),
    Column("created_at", UtcDateTime(), nullable=False),
    comment="Suspected duplicate or wrong codes, flagged to the submitting department.",
)
Index("ix_identity_flags_dept", identity_flags.c.department_code)

subject_key_aliases = Table(
    "subject_key_aliases",
    metadata,
    # A person's keyed hash under a later key version, pointing to the subject key they were
    # filed under first: subject keys are foreign keys in hashed ledger entries and never
    # change, so a rotation adds aliases instead of re-keying (docs/architecture.md).
    Column("alias", String(40), primary_key=True),
    Column("subject_key", String(40), nullable=False),
    Column("key_version", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    comment="Keyed hashes of persons under newer key versions, mapped to their subject key.",
)
