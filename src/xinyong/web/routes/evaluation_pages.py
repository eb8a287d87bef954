"""The credit evaluation's pages on the portal and in the subject's account.

- ``/evaluation``: the published models (what ``GET /api/v1/evaluation/models`` publishes):
  indicators with names and weights, grades with score ranges, legal basis, version,
  effective dates, and that GB/T 45255-2025's indicator list is not public (the model is the
  platform's own).
- ``/subjects/{code}/evaluation``: an organisation's 社会公开 results explained: each
  indicator's value and contribution, and the public records behind it — only those its
  public file shows (never a non-public record; natural persons are never shown).
- ``/account/evaluation``: the signed-in subject's own results, the full explanation over its
  own complete file (its non-public records marked), the read audited with the file's.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from xinyong.bootstrap import Platform
from xinyong.catalog.evaluation import ResultDisclosure
from xinyong.creditfile.service import build_credit_file
from xinyong.evaluation import service as evaluation
from xinyong.portal import rules as portal_rules
from xinyong.selfservice import rules as self_rules
from xinyong.selfservice import service as selfservice
from xinyong.web.deps import PlatformDep
from xinyong.web.evaluation_labels import labelled_models, not_scored
from xinyong.web.routes.subject_account import SubjectUser
from xinyong.web.session_pages import render
from xinyong.web.templating import TEMPLATES

PAGE = ["GET", "HEAD"]
# What the subject reads of its own results: the public and the government-shared ones (an
# internal risk class is the office's only, never shown to the subject).
OWN_LEVELS = frozenset({ResultDisclosure.PUBLIC, ResultDisclosure.GOV_SHARED})

router = APIRouter(include_in_schema=False)


@router.api_route("/evaluation", methods=PAGE, response_class=HTMLResponse)
def models_page(request: Request, platform: PlatformDep) -> HTMLResponse:
    models = labelled_models(platform, platform.clock.today())
    return TEMPLATES.TemplateResponse(
        request, "evaluation.html", {"models": models, "today": platform.clock.today()}
    )


def public_results(platform: Platform, code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the public credit file, the subject's 社会公开 results explained over it)."""
    today = platform.clock.today()
    with platform.engine.connect() as conn:
        # NotFound (an unknown or invalid code, a person) becomes the Chinese 404 page.
        cf = build_credit_file(
            conn, platform.catalogue, code, as_of=today, view="public", sanctions=platform.sanctions
        ).as_dict()
        results = evaluation.subject_results(
            conn,
            platform.evaluation_models(),
            cf["subject"]["code"],
            levels={ResultDisclosure.PUBLIC},
            with_entries=True,  # narrowed below to the records the public file shows
        )
    shown = portal_rules.file_records(platform.catalogue, cf)
    return cf, [portal_rules.explained(r, shown) for r in results]


@router.api_route("/subjects/{code}/evaluation", methods=PAGE, response_class=HTMLResponse)
def subject_evaluation_page(
    request: Request, platform: PlatformDep, code: Annotated[str, PathParam(max_length=40)]
) -> HTMLResponse:
    cf, results = public_results(platform, code)
    return TEMPLATES.TemplateResponse(
        request,
        "evaluation_subject.html",
        {
            "cf": cf,
            "results": results,
            "own": False,
            "base_href": f"/subjects/{cf['subject']['code']}",
        },
    )


@router.api_route("/account/evaluation", methods=PAGE, response_class=HTMLResponse)
def own_evaluation_page(request: Request, platform: PlatformDep, session: SubjectUser) -> Response:
    with platform.engine.begin() as conn:
        cf = self_rules.for_subject(
            selfservice.own_file(
                conn,
                platform.catalogue,
                platform.sanctions,
                session,
                as_of=platform.clock.today(),
                now=platform.clock.now(),
            ).as_dict()
        )
        results = evaluation.subject_results(
            conn, platform.evaluation_models(), session.uscc, levels=OWN_LEVELS, with_entries=True
        )
        missing = not_scored(platform, conn, session.uscc, results, OWN_LEVELS)
    shown = portal_rules.file_records(platform.catalogue, cf)
    return render(
        request,
        "account/evaluation.html",
        {
            "cf": cf,
            "results": [portal_rules.explained(r, shown) for r in results],
            "own": True,
            "not_scored": missing,
            "base_href": "/account",
        },
    )
