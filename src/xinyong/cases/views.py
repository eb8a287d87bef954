"""How a case of any workflow reads in the API and on the pages: its deadline, history and
open steps, and the checks and frame of a page of cases. Pure: the contexts on the workflow
kernel (lists, objections, repair, rectifications, voluntary) shape their cases with these,
adding what their own cases carry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from xinyong.cases.model import RECALC, RECALC_LABEL, RIGHT, Event, State, Transition, Workflow
from xinyong.cases.rules import act_on
from xinyong.kernel.calendar import Deadline
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import InputError

MAX_PAGE_SIZE = 200

# The keys of a history step, in the order the API gives them.
HISTORY_KEYS = (
    "seq",
    "transition",
    "label",
    "from_state",
    "to_state",
    "to_label",
    "actor",
    "role",
    "at",
    "note",
    "due_on",
    "due",
    "entry",
)


def check_page(page: int, page_size: int) -> None:
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InputError(
            f"bad page {page} / page_size {page_size}",
            f"page 应不小于1，page_size 应在1到{MAX_PAGE_SIZE}之间（收到 {page}、{page_size}）",
        )


def check_state(wf: Workflow, state: str | None) -> None:
    """Refuse a ``state`` the workflow does not have, naming the choices."""
    if state is not None and state not in wf.states:
        options = "、".join(f"{c}（{st.label}）" for c, st in wf.states.items())
        raise InputError(
            f"state {state!r} is not a state of {wf.code}",
            f"state“{state}”不是“{wf.name}”的状态，可选：{options}",
        )


def page_view(
    key: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    today: dt.date,
    page: int,
    page_size: int,
    total: int,
) -> dict[str, Any]:
    """A page of cases under ``key``, with the day it was read on and the paging."""
    return {
        "as_of": today.isoformat(),
        "page": page,
        "page_size": page_size,
        "total": total,
        key: list(rows),
    }


def due_view(state: State, due: Deadline | None) -> dict[str, Any] | None:
    """A deadline as the API shows it: the date, its calendar status with a Chinese label, the
    bounds, and which bound counts for this state and why."""
    if due is None:
        return None
    view = due.as_dict()
    counts = act_on(state, due)
    view["kind"] = state.deadline_kind
    view["label"] = state.deadline_label
    view["act_on"] = counts.isoformat()
    if not due.provisional:
        view["guidance"] = None
    elif state.deadline_kind == RIGHT:
        view["guidance"] = (
            f"按可能的最晚日期 {due.latest.isoformat()} 掌握：届满前不作对当事人不利的处理"
        )
    else:
        view["guidance"] = f"请按可能的最早日期 {due.earliest.isoformat()} 办结"
    return view


def step_label(wf: Workflow, transition: str, opening: str) -> str:
    """A step's label: the transition's, the calendar's recalculation, or ``opening`` (the
    first step, which opened the case)."""
    if transition in wf.transitions:
        return wf.transitions[transition].label
    return RECALC_LABEL if transition == RECALC else opening


def history_view(
    wf: Workflow,
    events: Iterable[Event],
    opening: str,
    *,
    omit: Collection[str] = (),
    local_time: bool = False,
) -> list[dict[str, Any]]:
    """The case's steps, each with HISTORY_KEYS but those in ``omit`` (what this workflow's
    steps do not carry or this reader is not shown); ``local_time`` gives the time of a step
    in Beijing time."""
    out = []
    for e in events:
        at = e.at.astimezone(CHINA_TZ) if local_time else e.at
        full = {
            "seq": e.seq,
            "transition": e.transition,
            "label": step_label(wf, e.transition, opening),
            "from_state": e.from_state,
            "to_state": e.to_state,
            "to_label": wf.states[e.to_state].label,
            "actor": e.actor,
            "role": e.role,
            "at": at.isoformat(),
            "note": e.note,
            "due_on": e.due_on.isoformat() if e.due_on else None,
            "due": due_view(wf.states[e.to_state], e.deadline),
            "entry": e.entry_id,
        }
        out.append({k: full[k] for k in HISTORY_KEYS if k not in omit})
    return out


def steps_view(
    wf: Workflow,
    state: str,
    role: str | None,
    *,
    roles: bool = True,
    offered: Callable[[Transition], bool] | None = None,
) -> list[dict[str, Any]]:
    """The steps open to ``role`` (every step when None) from ``state``, with the roles
    allowed when ``roles``; ``offered`` drops those this case does not offer."""
    return [
        {"name": t.name, "label": t.label, "target": t.target}
        | ({"roles": sorted(t.roles)} if roles else {})
        for t in wf.available(state, role)
        if offered is None or offered(t)
    ]


def attachments_view(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A case's attachments as listed (the file itself is read through its id)."""
    return [
        {
            "id": int(a["id"]),
            "step": int(a["event_seq"]),
            "file_name": a["file_name"],
            "media_type": a["media_type"],
            "size": int(a["size"]),
        }
        for a in rows
    ]
