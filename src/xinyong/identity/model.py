"""Domain types of the identity context."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ROLE_LABELS = {
    "legal_representative": "法定代表人",
    "principal": "主要负责人",
    "actual_controller": "实际控制人",
}

SUBJECT_KIND_LABELS = {
    "organisation": "法人及非法人组织",
    "individual_business": "个体工商户",
    "person": "自然人",
}


@dataclass(frozen=True, slots=True)
class Related:
    """A person named in a record as the subject's legal representative, principal, …"""

    role: str  # legal_representative | principal | actual_controller
    name: str
    key: str | None  # keyed hash of the certificate number, when one was given
    id_number: str | None = None  # clear, in memory only; sealed when stored
    id_masked: str | None = None


@dataclass(slots=True)
class Sighting:
    """A subject as one input row names it."""

    subject_key: str
    kind: str
    name: str
    name_key: str
    row_number: int
    id_number: str | None = None  # natural persons: clear, in memory only; sealed when stored
    id_masked: str | None = None
    division_code: str | None = None
    registered_on: dt.date | None = None
    status: str | None = None
    industry: str | None = None  # 行业门类 letter (GB/T 4754-2017), as the department states
    size: str | None = None  # 企业规模 code (国统字〔2017〕213号), as the department states
    authoritative: bool = False  # a registration record: may update the subject's attributes
    related: list[Related] = field(default_factory=list)
    source_entry_id: int | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    kind: str  # code_conflict | name_conflict
    subject_key: str
    name: str
    row_number: int
    detail: str
