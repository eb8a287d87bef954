"""The workflow kernel's domain types: explicit per-type state machines with roles and deadlines.

Every case type (list determination now; commitments, repair, objections, rectification next)
is a ``Workflow``: named states, named transitions between them, the roles allowed to take each
transition, and for a state the working-day deadline by which it must be left. Deadlines are
not literals here: a workflow names a *parameter* (e.g. ``statement_window_working_days``)
that the case type fills from its catalogue entry (the list type's legal rules).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from xinyong.kernel.calendar import Deadline
from xinyong.kernel.errors import Conflict, PermissionDenied

ROLES = frozenset({"department", "office", "subject", "system"})
# Whose deadline a state has: the office's (or department's) own duty, planned to the earliest
# date a provisional calendar allows, or a right of the subject (a statement window), before
# whose latest possible end nothing is done against the subject.
DUTY = "duty"
RIGHT = "right"

# The step the platform adds to a case when a calendar change moves its deadline.
RECALC = "deadline_recalc"
RECALC_LABEL = "期限重算"


class InvalidTransition(Conflict):
    """The transition does not exist or is not allowed from the case's current state."""

    code = "invalid_transition"


@dataclass(frozen=True, slots=True)
class State:
    code: str
    label: str  # Chinese, shown to users
    # Name of the case parameter holding the working days allowed in this state, if any.
    deadline_param: str | None = None
    terminal: bool = False
    deadline_kind: str = DUTY  # DUTY or RIGHT
    deadline_label: str = "办理期限"  # Chinese name of the period, e.g. 陈述申辩期
    # An extension: its working days run on from the deadline of the state it was entered
    # from (令36 第十六条 "延长10个工作日"), not from the day the extension is recorded.
    extends: bool = False


@dataclass(frozen=True, slots=True)
class Transition:
    name: str
    label: str  # Chinese
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    # Source states whose deadline (a right of the subject) must have passed, at its latest
    # possible date, before this transition may be taken from them.
    after_window: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Workflow:
    code: str
    name: str
    initial: str
    states: Mapping[str, State]
    transitions: Mapping[str, Transition]

    def __post_init__(self) -> None:
        # A definition error is a programming error: fail at import, naming what is wrong.
        if self.initial not in self.states:
            raise ValueError(f"{self.code}: initial state {self.initial!r} undefined")
        for t in self.transitions.values():
            unknown = (t.sources | {t.target}) - set(self.states)
            if unknown:
                raise ValueError(f"{self.code}.{t.name}: unknown states {sorted(unknown)}")
            if not t.roles or not t.roles <= ROLES:
                raise ValueError(f"{self.code}.{t.name}: bad roles {sorted(t.roles)}")
            if any(self.states[s].terminal for s in t.sources):
                raise ValueError(f"{self.code}.{t.name}: leaves a terminal state")
            if not t.after_window <= t.sources or any(
                self.states[s].deadline_kind != RIGHT for s in t.after_window
            ):
                raise ValueError(f"{self.code}.{t.name}: after_window names no right's window")

    def available(self, state: str, role: str | None = None) -> list[Transition]:
        """Transitions that may be taken from ``state`` (by ``role`` when given)."""
        return [
            t
            for t in self.transitions.values()
            if state in t.sources and (role is None or role in t.roles)
        ]

    def check(self, state: str, name: str, role: str) -> Transition:
        """The transition ``name`` if ``role`` may take it from ``state``; else raise."""
        t = self.transitions.get(name)
        if t is None:
            raise InvalidTransition(
                f"{self.code}: no transition {name!r}", f"“{self.name}”没有“{name}”这一操作"
            )
        if state not in t.sources:
            current = self.states[state].label
            raise InvalidTransition(
                f"{self.code}: {name!r} not allowed from {state!r}",
                f"当前状态为“{current}”，不能执行“{t.label}”",
            )
        if role not in t.roles:
            raise PermissionDenied(
                f"{self.code}: role {role!r} may not {name!r}",
                f"当前角色无权执行“{t.label}”",
            )
        return t


@dataclass(frozen=True, slots=True)
class Event:
    """One step in a case's history."""

    seq: int
    transition: str
    from_state: str | None
    to_state: str
    actor: str
    role: str
    at: dt.datetime
    note: str = ""
    due_on: dt.date | None = None
    entry_id: int | None = None
    due_provisional: bool = False
    due_earliest: dt.date | None = None
    due_latest: dt.date | None = None

    @property
    def deadline(self) -> Deadline | None:
        return _deadline(self.due_on, self.due_provisional, self.due_earliest, self.due_latest)


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    workflow: str
    subject_key: str
    department_code: str
    state: str
    opened_at: dt.datetime
    due_on: dt.date | None
    params: Mapping[str, object] = field(default_factory=dict)
    version: int = 1
    events: tuple[Event, ...] = ()
    due_provisional: bool = False
    due_earliest: dt.date | None = None
    due_latest: dt.date | None = None

    @property
    def deadline(self) -> Deadline | None:
        """The current state's deadline with its calendar status and bounds."""
        return _deadline(self.due_on, self.due_provisional, self.due_earliest, self.due_latest)


def _deadline(
    on: dt.date | None, provisional: bool, earliest: dt.date | None, latest: dt.date | None
) -> Deadline | None:
    if on is None:
        return None
    latest = latest or on
    # Provisional years come after the official ones, so the latest bound lies in one (the
    # interval touches it); an earlier provisional year in the range is not recorded.
    return Deadline(on, provisional, earliest or on, latest, (latest.year,) if provisional else ())
