"""Subject accounts (主体账户): a market entity activates its account with the one-time code
the credit office issued, signs in with its USCC and password, and reads its own complete
file. Pages only (not in the OpenAPI document).

- **Its own cookie** ``__Host-xinyong_subject`` (before sign-in ``__Host-xinyong_subject_login``),
  with the console's attributes (``Secure``, ``HttpOnly``, ``SameSite=Lax``, ``Path=/``; no
  ``__Host-`` and no ``Secure`` with ``XINYONG_CONSOLE_COOKIE_SECURE=false``). The console reads
  only its own cookie and the API only keys, so a subject session reaches neither.
- **CSRF** on every form, as the console's, with a key of its own (derived from the master key).
- **Who**: ``SubjectUser`` opens the session and gives a ``SubjectSession``, which holds the
  USCC; no route takes a subject from the address, so there is no other file to ask for.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import functools
import secrets
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access import accounts as staff_accounts
from xinyong.access.passwords import PASSWORD_MAX_LENGTH
from xinyong.bootstrap import Platform
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.clock import beijing_time
from xinyong.kernel.errors import (
    Conflict,
    InputError,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from xinyong.notifications import service as notifications
from xinyong.notifications.rules import SUBJECT
from xinyong.objections import service as objections
from xinyong.objections.rules import GROUNDS
from xinyong.portal.rules import Page
from xinyong.selfservice import accounts, rules
from xinyong.selfservice import service as selfservice
from xinyong.selfservice.accounts import SubjectSession, SubjectSignIn
from xinyong.web import objection_calls
from xinyong.web.deps import PlatformDep
from xinyong.web.schemas.common import MAX_ID, Id
from xinyong.web.session_pages import (
    clear_session_cookie,
    no_store,
    render,
    set_session_cookie,
    sign_in_required,
)

PAGE = ["GET", "HEAD"]
LOGIN_PATH = "/account/login"
HOME_PATH = "/account"
INVALID_CODE = "统一社会信用代码或激活码有误，或激活码已过期、已使用"
INVALID_LOGIN = "统一社会信用代码或口令错误"
OBJECTIONS_PATH = "/account/objections"
# The online services that exist, linked; the later ones named (not linked) until they exist.
SERVICES = (
    (
        "信用信息异议申请",
        "对本主体信用信息有异议的，在下方记录处点击“提出异议”，在此查看办理进度",
        OBJECTIONS_PATH,
    ),
    (
        "信用评价",
        "本主体的信用评价等级、得分及每项指标依据的信用信息（含未公开信息）",
        "/account/evaluation",
    ),
)
LATER_SERVICES = (("信用承诺", "在线作出、查看信用承诺"),)

router = APIRouter(include_in_schema=False)

FormUscc = Annotated[str, Form(max_length=40)]
FormCode = Annotated[str, Form(max_length=64)]
FormPassword = Annotated[str, Form(max_length=PASSWORD_MAX_LENGTH)]
FormEntry = Annotated[int, Form(ge=1, le=MAX_ID)]
FormGrounds = Annotated[str, Form(max_length=32)]
FormStatement = Annotated[str, Form(max_length=objections.MAX_STATEMENT)]
CsrfToken = Annotated[str, Form(alias="csrf", max_length=128)]


class SubjectSignInRequired(Unauthenticated):
    """No live subject session: a page request goes to the subject sign-in page."""

    code = "subject_sign_in_required"


def cookie_names(secure: bool) -> tuple[str, str]:
    """(session cookie, login cookie): the subject's own, never the console's."""
    prefix = "__Host-" if secure else ""
    return f"{prefix}xinyong_subject", f"{prefix}xinyong_subject_login"


@functools.lru_cache(maxsize=4)
def _keys(master: bytes) -> tuple[bytes, bytes]:
    return (
        staff_accounts.derive_key(master, "subject csrf"),
        staff_accounts.derive_key(master, "address"),
    )


def csrf_key(platform: Platform) -> bytes:
    return _keys(platform.settings.resolved_secret_key())[0]


def _address_hash(platform: Platform, request: Request) -> str:
    host = request.client.host if request.client else None
    return staff_accounts.address_hash(_keys(platform.settings.resolved_secret_key())[1], host)


def _secure(platform: Platform) -> bool:
    return platform.settings.console_cookie_secure


def _set_cookie(
    platform: Platform, response: Response, name: str, value: str, max_age: int
) -> None:
    set_session_cookie(response, name, value, max_age, secure=_secure(platform))


def _clear_cookie(platform: Platform, response: Response, name: str) -> None:
    clear_session_cookie(response, name, secure=_secure(platform))


_no_store = no_store


def _render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    return render(request, f"account/{template}", context, status)


def _session_token(platform: Platform, request: Request) -> str | None:
    return request.cookies.get(cookie_names(_secure(platform))[0])


async def get_subject_session(request: Request, platform: PlatformDep) -> SubjectSession:
    token = _session_token(platform, request)

    def open_() -> SubjectSession | None:
        with platform.engine.begin() as conn:
            return accounts.open_session(
                conn, platform.account_policy(), token, platform.clock.now()
            )

    session = await anyio.to_thread.run_sync(open_) if token else None
    if session is None:
        raise SubjectSignInRequired("no subject session", "请先登录主体账户")
    return session


SubjectUser = Annotated[SubjectSession, Depends(get_subject_session)]


def _form_page(
    platform: Platform,
    request: Request,
    template: str,
    error: str | None = None,
    status: int = 200,
) -> Response:
    """A sign-in or activation form with a token bound to the (new) login cookie."""
    login_cookie = cookie_names(_secure(platform))[1]
    seed = request.cookies.get(login_cookie)
    fresh = not seed or len(seed) > 128
    if fresh:
        seed = secrets.token_urlsafe(32)
    assert seed is not None  # noqa: S101 - set just above
    context = {
        "csrf": staff_accounts.csrf_token(csrf_key(platform), seed),
        "error": error,
        "min_length": platform.settings.password_min_length,
    }
    response = _render(request, template, context, status)
    if fresh:
        _set_cookie(platform, response, login_cookie, seed, max_age=3600)
    return response


def _check_form(platform: Platform, request: Request, csrf: str) -> None:
    seed = request.cookies.get(cookie_names(_secure(platform))[1])
    if not staff_accounts.csrf_valid(csrf_key(platform), seed, csrf):
        raise PermissionDenied(
            "subject form without a valid CSRF token",
            "表单已失效或来源不明（缺少有效的防伪令牌），请刷新页面后重试",
        )


def _check_session_form(platform: Platform, request: Request, csrf: str) -> None:
    """A signed-in subject's form carries the token bound to its session cookie."""
    token = _session_token(platform, request) or ""
    if not staff_accounts.csrf_valid(csrf_key(platform), token, csrf):
        raise PermissionDenied(
            "subject form without a valid CSRF token",
            "表单已失效或来源不明（缺少有效的防伪令牌），请刷新页面后重试",
        )


def _signed_in(
    platform: Platform, request: Request, result: SubjectSignIn, template: str, invalid: str
) -> Response:
    """The answer to an activation or sign-in, after its transaction committed."""
    session_cookie, login_cookie = cookie_names(_secure(platform))
    if result.outcome == "locked":
        assert result.locked_until is not None  # noqa: S101 - set with the outcome
        response = _form_page(
            platform,
            request,
            template,
            "尝试失败次数过多，账户已暂时锁定，请于 "
            f"{beijing_time(result.locked_until)} 后再试，或联系信用办",
            status=429,
        )
        wait = max(1, int((result.locked_until - platform.clock.now()).total_seconds()))
        response.headers["Retry-After"] = str(wait)
        return response
    if result.outcome != "ok":
        return _form_page(platform, request, template, invalid, status=401)
    assert result.token is not None  # noqa: S101 - set with the outcome
    response = _no_store(RedirectResponse(HOME_PATH, status_code=303))
    max_age = int(platform.account_policy().absolute.total_seconds())
    _set_cookie(platform, response, session_cookie, result.token, max_age=max_age)
    _clear_cookie(platform, response, login_cookie)
    return response


@router.api_route("/account/activate", methods=PAGE, response_class=HTMLResponse)
def activate_form(request: Request, platform: PlatformDep) -> Response:
    return _form_page(platform, request, "activate.html")


@router.post("/account/activate", response_class=HTMLResponse)
def activate(
    request: Request,
    platform: PlatformDep,
    csrf: CsrfToken,
    uscc: FormUscc,
    code: FormCode,
    password: FormPassword,
    confirm: FormPassword,
) -> Response:
    """Activate with the office's one-time code. One message for a wrong, expired or used
    code and an unknown USCC; failures count towards the lock-out."""
    _check_form(platform, request, csrf)
    if password != confirm:
        return _form_page(platform, request, "activate.html", "两次输入的口令不一致", 400)
    try:
        # Committed whatever the outcome: a refusal counts and is audited.
        with platform.engine.begin() as conn:
            result = accounts.activate(
                conn,
                platform.password_hasher(),
                platform.account_policy(),
                uscc=uscc,
                code=code,
                password=password,
                now=platform.clock.now(),
                ip_hash=_address_hash(platform, request),
            )
    except InputError as exc:  # the password policy: nothing counted
        message = redact_identifiers(exc.message_zh)
        return _form_page(platform, request, "activate.html", message, 400)
    return _signed_in(platform, request, result, "activate.html", INVALID_CODE)


@router.api_route(LOGIN_PATH, methods=PAGE, response_class=HTMLResponse)
def login_form(request: Request, platform: PlatformDep) -> Response:
    """The sign-in form; a live session goes straight to the subject's page."""
    with platform.engine.begin() as conn:
        live = accounts.open_session(
            conn, platform.account_policy(), _session_token(platform, request), platform.clock.now()
        )
    if live is not None:
        return _no_store(RedirectResponse(HOME_PATH, status_code=303))
    return _form_page(platform, request, "login.html")


@router.post(LOGIN_PATH, response_class=HTMLResponse)
def login(
    request: Request,
    platform: PlatformDep,
    csrf: CsrfToken,
    uscc: FormUscc,
    password: FormPassword,
) -> Response:
    _check_form(platform, request, csrf)
    with platform.engine.begin() as conn:
        result = accounts.sign_in(
            conn,
            platform.password_hasher(),
            platform.account_policy(),
            uscc=uscc,
            password=password,
            now=platform.clock.now(),
            ip_hash=_address_hash(platform, request),
        )
    return _signed_in(platform, request, result, "login.html", INVALID_LOGIN)


def _session_csrf(platform: Platform, request: Request) -> str:
    """The token of the forms of a signed-in subject (bound to its session)."""
    return staff_accounts.csrf_token(csrf_key(platform), _session_token(platform, request) or "")


@router.post("/account/logout", response_class=HTMLResponse)
def logout(
    request: Request, platform: PlatformDep, session: SubjectUser, csrf: CsrfToken
) -> Response:
    _check_session_form(platform, request, csrf)
    with platform.engine.begin() as conn:
        accounts.sign_out(conn, session, platform.clock.now())
    response = _no_store(RedirectResponse(LOGIN_PATH, status_code=303))
    _clear_cookie(platform, response, cookie_names(_secure(platform))[0])
    return response


@router.api_route(HOME_PATH, methods=PAGE, response_class=HTMLResponse)
def home(request: Request, platform: PlatformDep, session: SubjectUser) -> Response:
    """The subject's own complete file, internal records included; each read is audited."""
    with platform.engine.begin() as conn:
        cf = selfservice.own_file(
            conn,
            platform.catalogue,
            platform.sanctions,
            session,
            as_of=platform.clock.today(),
            now=platform.clock.now(),
        )
        unread = notifications.unread(conn, SUBJECT, session.uscc)
    return _render(
        request,
        "home.html",
        {
            "cf": rules.for_subject(cf.as_dict()),
            "csrf": _session_csrf(platform, request),
            "expires": beijing_time(session.expires_at),
            "services": SERVICES,
            "later_services": LATER_SERVICES,
            "unread": unread,
        },
    )


MESSAGES_PAGE_MAX = 10_000


@router.api_route("/account/messages", methods=PAGE, response_class=HTMLResponse)
def messages_page(
    request: Request,
    platform: PlatformDep,
    session: SubjectUser,
    page: Annotated[int, Query(ge=1, le=MESSAGES_PAGE_MAX, description="页码")] = 1,
    done: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """What the platform told this subject about its own cases (each step and its deadline),
    newest first; unread ones carry a 标为已读 form."""
    size = platform.settings.portal_page_size
    with platform.engine.connect() as conn:
        found = notifications.list_messages(
            conn, platform.catalogue, SUBJECT, session.uscc, limit=size, offset=(page - 1) * size
        )
    token = _session_token(platform, request) or ""
    return _render(
        request,
        "messages.html",
        {
            "uscc": session.uscc,
            "messages": found["messages"],
            "unread": found["unread"],
            "pg": Page(page, size, found["total"]).as_dict(),
            "query": "",
            "csrf": staff_accounts.csrf_token(csrf_key(platform), token),
            "expires": beijing_time(session.expires_at),
            "message": f"消息 {done} 已标为已读" if done else None,
        },
    )


@router.post("/account/messages/{message_id}/read", response_class=HTMLResponse)
def mark_message_read(
    request: Request,
    platform: PlatformDep,
    session: SubjectUser,
    csrf: CsrfToken,
    message_id: Annotated[int, PathParam(ge=1, le=MAX_ID, description="消息号")],
) -> Response:
    _check_session_form(platform, request, csrf)
    with platform.engine.begin() as conn:
        notifications.mark_read(
            conn,
            message_id,
            SUBJECT,
            session.uscc,
            reader=session.actor,
            now=platform.clock.now(),
        )
    return _no_store(RedirectResponse(f"/account/messages?done={message_id}", status_code=303))


# -- objections (异议) --------------------------------------------------------------------


def _own_record(platform: Platform, session: SubjectSession, entry: int) -> dict[str, Any] | None:
    """The record of ``entry`` as the subject's own file shows it, or None (not its own)."""
    with platform.engine.begin() as conn:
        cf = selfservice.own_file(
            conn,
            platform.catalogue,
            platform.sanctions,
            session,
            as_of=platform.clock.today(),
            now=platform.clock.now(),
        )
    for group in rules.for_subject(cf.as_dict())["groups"]:
        for item in group["items"]:
            for rec in item["records"]:
                if rec["entry_id"] == entry:
                    return {**rec, "item_name": item["item_name"]}
    return None


def _objection_form(
    platform: Platform,
    request: Request,
    session: SubjectSession,
    entry: int,
    *,
    error: str | None = None,
    grounds: str = "",
    statement: str = "",
    status: int = 200,
) -> Response:
    record = _own_record(platform, session, entry)
    if record is None:
        raise NotFound(f"entry {entry} is not in the subject's file", "本主体信用信息中没有该记录")
    return _render(
        request,
        "objection_new.html",
        {
            "record": record,
            "grounds": GROUNDS,
            "chosen": grounds,
            "statement": statement,
            "error": error,
            "max_statement": objections.MAX_STATEMENT,
            "csrf": _session_csrf(platform, request),
        },
        status,
    )


@router.api_route(f"{OBJECTIONS_PATH}/new", methods=PAGE, response_class=HTMLResponse)
def objection_new(
    request: Request,
    platform: PlatformDep,
    session: SubjectUser,
    entry: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> Response:
    """The form to object to one of the subject's own records."""
    return _objection_form(platform, request, session, entry)


@router.post(OBJECTIONS_PATH, response_class=HTMLResponse)
def objection_file(
    request: Request,
    platform: PlatformDep,
    session: SubjectUser,
    csrf: CsrfToken,
    entry: FormEntry,
    grounds: FormGrounds,
    statement: FormStatement,
) -> Response:
    """File the objection; a refusal (window passed, already open, bad input) shows the form
    again with the reason, nothing filed."""
    _check_session_form(platform, request, csrf)
    try:
        with platform.transaction() as conn:
            row = objection_calls.file(
                conn,
                platform,
                entry_id=entry,
                grounds=grounds,
                statement=statement,
                actor=session.actor,
                role="subject",
                subject_uscc=session.uscc,
            )
    except (InputError, Conflict) as exc:
        status = 409 if isinstance(exc, Conflict) else 422
        return _objection_form(
            platform,
            request,
            session,
            entry,
            error=exc.message_zh,
            grounds=grounds,
            statement=statement,
            status=status,
        )
    return _no_store(RedirectResponse(f"{OBJECTIONS_PATH}/{row['id']}", status_code=303))


@router.api_route(OBJECTIONS_PATH, methods=PAGE, response_class=HTMLResponse)
def objection_list(request: Request, platform: PlatformDep, session: SubjectUser) -> Response:
    """The subject's objections: state, deadline (provisional marked), outcome and reasons."""
    with platform.engine.begin() as conn:
        out = objection_calls.find(conn, platform, subject_key=session.uscc, page_size=200)
    return _render(request, "objections.html", {"d": out, "csrf": _session_csrf(platform, request)})


@router.api_route(f"{OBJECTIONS_PATH}/{{objection_id}}", methods=PAGE, response_class=HTMLResponse)
def objection_page(
    request: Request, platform: PlatformDep, session: SubjectUser, objection_id: Id
) -> Response:
    """One of the subject's objections with its history (without the staff's names)."""
    with platform.engine.begin() as conn:
        v = objection_calls.view(conn, platform, objection_id, for_subject=session.uscc)
    v["steps"] = []  # the steps are the staff's
    return _render(request, "objection.html", {"o": v, "csrf": _session_csrf(platform, request)})


def install(app: FastAPI) -> None:
    """The subject pages, and their answer to a request without a subject session."""

    app.add_exception_handler(SubjectSignInRequired, sign_in_required(LOGIN_PATH))
    app.include_router(router)
