"""What the console pages of the case contexts (repair, voluntary registration, rectification,
commitments) share: the pager of an inbox, the times of a history for people, the message of a
step done and the way one write on a case's page is run.

A write refused by the service shows the case's page again with the reason (no personal data)
and nothing written, so the officer sees why without losing the page; a missing case (404) or
sign-in (401) is not a page to redraw and goes on to the app's handlers. A write done redirects
(303) to the page with ``done``, so a reload does not post the form again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from fastapi.responses import RedirectResponse, Response

from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.clock import beijing_time
from xinyong.kernel.errors import XinyongError
from xinyong.web.routes.console import _no_store


class _Labelled(Protocol):
    @property
    def label(self) -> str: ...


def page_status(exc: XinyongError) -> int:
    """The status of a page redrawn with a refusal: a form's bad input is 400, not 422."""
    return 400 if exc.status == 422 else exc.status


def pager(total: int, page: int, size: int) -> dict[str, Any]:
    """What ``_pager.html`` reads: page, pages, whether there is a previous and a next."""
    pages = max(1, math.ceil(total / size))
    return {
        "total": total,
        "page": page,
        "pages": pages,
        "has_previous": page > 1,
        "has_next": page < pages,
    }


def with_times(rows: Iterable[dict[str, Any]], key: str = "at") -> None:
    """Each row's ``at_text``: its ISO time in Beijing time, as people read it."""
    for row in rows:
        row["at_text"] = beijing_time(dt.datetime.fromisoformat(row[key]))


def done_message(steps: Mapping[str, _Labelled], done: str) -> str | None:
    """「已办理：…」for the step named in ``?done=`` (an unknown name shows nothing)."""
    step = steps.get(done)
    return f"已办理：{step.label}" if step is not None else None


def acted(
    act: Callable[[], object],
    *,
    again: Callable[..., Response],
    done_url: str,
    passes: tuple[int, ...] = (401, 404),
) -> Response:
    """Run one write of a case's page: refused, ``again(status=, error=)`` redraws the page;
    done, a 303 to ``done_url``. A refusal with a status in ``passes`` is not redrawn."""
    try:
        act()
    except XinyongError as exc:
        if exc.status in passes:
            raise
        return again(status=page_status(exc), error=redact_identifiers(exc.message_zh))
    return _no_store(RedirectResponse(done_url, status_code=303))
