"""The staff console: sign-in, sign-out, the home page by role, one's own account and the
office's administration of accounts. Pages only (not in the OpenAPI document), answered in
HTML; authenticated by a session cookie, not an API key.

- **Session cookie** ``__Host-xinyong_session`` (``Secure``, ``HttpOnly``, ``SameSite=Lax``,
  ``Path=/``): an opaque random token; the database keeps its SHA-256 only. With
  ``XINYONG_CONSOLE_COOKIE_SECURE=false`` (plain http on loopback, the demo) the cookie is
  ``xinyong_session`` without ``Secure``: the ``__Host-`` prefix requires it.
- **CSRF**: every form carries a token, an HMAC (key derived from the master key) of the
  session token, or before sign-in of the login cookie (a random value set with the form).
  A cross-site page can read neither cookie, so it cannot compute the token; a POST without
  the right one is a 403 and changes nothing.
- **Who**: ``ConsoleUser`` opens the session (idle and absolute expiry, ``access.accounts``)
  and gives its ``Principal``, with the same roles as an API key, so pages check
  ``require_role(who, "office")`` as routes do. No session: a GET is sent to the sign-in page
  (303), any other method is a 401.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import functools
import secrets
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access import accounts
from xinyong.access import repository as access_repo
from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.access.passwords import PASSWORD_MAX_LENGTH, generate_password
from xinyong.bootstrap import Platform
from xinyong.identity.redact import redact_identifiers
from xinyong.inspections import registry as inspector_registry
from xinyong.kernel.clock import beijing_time
from xinyong.kernel.errors import Conflict, InputError, NotFound, PermissionDenied, Unauthenticated
from xinyong.notifications import service as notifications
from xinyong.web.deps import PlatformDep, require_role
from xinyong.web.schemas.common import MAX_ID
from xinyong.web.session_pages import (
    clear_session_cookie,
    no_store,
    render,
    set_session_cookie,
    sign_in_required,
)

PAGE = ["GET", "HEAD"]
LOGIN_PATH = "/console/login"
CSRF_FIELD = "csrf"
MESSAGE_ROLES = ("department", "office")  # who has in-app messages (notifications)

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form(max_length=200)]
FormPassword = Annotated[str, Form(max_length=PASSWORD_MAX_LENGTH)]
CsrfToken = Annotated[str, Form(alias=CSRF_FIELD, max_length=128)]
UserId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="用户编号")]


class SignInRequired(Unauthenticated):
    """No live console session: a page request goes to the sign-in page."""

    code = "sign_in_required"


# What each role can do, for the home page: (title, what, link or None). Links go to pages
# that exist; the rest of a role's work is done through the API (its documentation).
CAPABILITIES: dict[str, list[tuple[str, str, str | None]]] = {
    "office_admin": [
        ("工作台", "全省报送、数据质量、名单、核查与预警的统计图表", "/console/dashboard"),
        ("报送记录", "各部门的报送批次、拒收情况与后台导入任务（须说明用途）", "/console/imports"),
        ("名单认定", "名单认定办件：待办、办理记录与公示", "/console/cases"),
        ("逢办必查", "办理业务前核查主体名单身份与适用措施，反馈实施情况", "/console/check"),
        ("预警处理", "易地开张等预警的查看、确认与排除", "/console/alerts"),
        ("信用承诺", "各部门受理的信用承诺、复核抽样与承诺书模板", "/console/commitments"),
        ("典型案例", "典型案例的登记、发布与撤回", "/console/typical-cases"),
        ("通知公告", "在门户发布和撤回通知公告、政策文件、工作动态", "/console/announcements"),
        ("审计日志", "按操作者、操作、对象和时间查询审计日志，核验审计链", "/console/audit"),
        ("用户管理", "添加、停用、解锁控制台用户，重置口令", "/console/users"),
        ("部门管理", "报送部门及其所属行业领域", "/console/departments"),
        ("API 密钥", "部门业务系统、信用办与审计的接口密钥：签发与吊销", "/console/keys"),
        (
            "主体账户",
            "为市场主体签发主体账户激活码，停用或启用主体账户",
            "/console/subject-accounts",
        ),
        ("信用目录", "信息项、代码表、名单类型、措施、公示政策与工作日历", "/catalogue"),
    ],
    "department_officer": [
        ("工作台", "本部门报送、数据质量、名单与核查的统计图表", "/console/dashboard"),
        (
            "报送与退回",
            "上传报送文件，查看本部门批次结果，下载退回文件并重新报送",
            "/console/imports",
        ),
        ("名单认定", "本部门提出与办理名单认定：待办、告知、决定、移出", "/console/cases"),
        ("逢办必查", "办理业务前核查主体名单身份与适用措施，反馈实施情况", "/console/check"),
        ("信用承诺", "本部门受理的信用承诺：补交材料、核查、认定未履约", "/console/commitments"),
        ("典型案例", "已发布的典型案例", "/console/typical-cases"),
        ("撤销记录", "撤销本部门报送的记录（API）", "/docs#/报送"),
        ("信用信息公示查询", "按名称或统一社会信用代码查询公开信用档案", "/search"),
    ],
    "inspector": [
        ("逢办必查", "检查前核查主体的名单身份与适用措施", "/console/check"),
        ("典型案例", "已发布的典型案例", "/console/typical-cases"),
        ("信用信息公示查询", "按名称或统一社会信用代码查询公开信用档案", "/search"),
    ],
    "auditor": [
        ("工作台", "全省报送、数据质量、名单、核查与预警的统计图表", "/console/dashboard"),
        ("审计日志", "按操作者、操作、对象和时间查询审计日志，核验审计链", "/console/audit"),
        ("报送记录", "各部门的报送批次与拒收情况（须说明用途）", "/console/imports"),
        ("名单认定办件", "查看名单认定办件及其办理记录、附件", "/console/cases"),
        ("预警", "查看易地开张等预警及其处理情况", "/console/alerts"),
        ("信用承诺", "信用承诺、办理记录与复核抽样", "/console/commitments"),
        ("典型案例", "全部状态的典型案例及办理记录", "/console/typical-cases"),
        ("逢办必查", "核查主体的名单身份与适用措施", "/console/check"),
    ],
}


def cookie_names(secure: bool) -> tuple[str, str]:
    """(session cookie, login cookie): ``__Host-`` names need Secure, so only when secure."""
    prefix = "__Host-" if secure else ""
    return f"{prefix}xinyong_session", f"{prefix}xinyong_login"


@functools.lru_cache(maxsize=4)
def _keys(master: bytes) -> tuple[bytes, bytes]:
    return accounts.derive_key(master, "csrf"), accounts.derive_key(master, "address")


def csrf_key(platform: Platform) -> bytes:
    return _keys(platform.settings.resolved_secret_key())[0]


def _address_hash(platform: Platform, request: Request) -> str:
    host = request.client.host if request.client else None
    return accounts.address_hash(_keys(platform.settings.resolved_secret_key())[1], host)


def _set_cookie(
    platform: Platform, response: Response, name: str, value: str, max_age: int
) -> None:
    set_session_cookie(
        response, name, value, max_age, secure=platform.settings.console_cookie_secure
    )


def _clear_cookie(platform: Platform, response: Response, name: str) -> None:
    clear_session_cookie(response, name, secure=platform.settings.console_cookie_secure)


_no_store = no_store


def _render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    return render(request, f"console/{template}", context, status)


def _session_token(platform: Platform, request: Request) -> str | None:
    return request.cookies.get(cookie_names(platform.settings.console_cookie_secure)[0])


async def session_of_token(platform: Platform, token: str | None) -> ConsoleSession:
    """The live session of this cookie value; ``SignInRequired`` without one."""

    def open_() -> ConsoleSession | None:
        with platform.engine.begin() as conn:
            return accounts.open_session(
                conn, platform.account_policy(), token, platform.clock.now()
            )

    session = await anyio.to_thread.run_sync(open_) if token else None
    if session is None:
        raise SignInRequired("no console session", "请先登录控制台")
    return session


async def get_console_session(request: Request, platform: PlatformDep) -> ConsoleSession:
    return await session_of_token(platform, _session_token(platform, request))


ConsoleUser = Annotated[ConsoleSession, Depends(get_console_session)]


async def _office(session: ConsoleUser) -> ConsoleSession:
    require_role(session.principal, "office")
    return session


OfficeAdmin = Annotated[ConsoleSession, Depends(_office)]


def require_csrf(platform: Platform, request: Request, token: str) -> None:
    if not accounts.csrf_valid(csrf_key(platform), _session_token(platform, request), token):
        raise PermissionDenied(
            "console form without a valid CSRF token",
            "表单已失效或来源不明（缺少有效的防伪令牌），请刷新页面后重试",
        )


def _context(platform: Platform, session: ConsoleSession, **extra: Any) -> dict[str, Any]:
    token = _session_token(platform, extra.pop("request")) or ""
    department = None
    unread = None
    who = session.principal
    with platform.engine.connect() as conn:
        if session.department_code:
            department = access_repo.get_department(conn, session.department_code)
        if who.role in MESSAGE_ROLES:
            # The nav shows the unread count of the department's (or office's) messages.
            kind, recipient = notifications.recipient_of(who.role, who.department_code)
            unread = notifications.unread(conn, kind, recipient)
    return {
        "unread_messages": unread,
        "session": session,
        "department": department,
        "csrf": accounts.csrf_token(csrf_key(platform), token),
        "expires": beijing_time(session.expires_at),
        "min_length": platform.settings.password_min_length,
        **extra,
    }


@router.api_route(LOGIN_PATH, methods=PAGE, response_class=HTMLResponse)
def login_form(request: Request, platform: PlatformDep) -> Response:
    """The sign-in form; a live session goes straight to the console."""
    with platform.engine.begin() as conn:
        live = accounts.open_session(
            conn, platform.account_policy(), _session_token(platform, request), platform.clock.now()
        )
    if live is not None:
        return _no_store(RedirectResponse("/console", status_code=303))
    return _login_page(platform, request)


def _login_page(
    platform: Platform, request: Request, error: str | None = None, status: int = 200
) -> Response:
    login_cookie = cookie_names(platform.settings.console_cookie_secure)[1]
    seed = request.cookies.get(login_cookie)
    fresh = not seed or len(seed) > 128
    if fresh:
        seed = secrets.token_urlsafe(32)
    assert seed is not None  # noqa: S101 - set just above
    response = _render(
        request,
        "login.html",
        {"csrf": accounts.csrf_token(csrf_key(platform), seed), "error": error},
        status,
    )
    if fresh:
        _set_cookie(platform, response, login_cookie, seed, max_age=3600)
    return response


@router.post(LOGIN_PATH, response_class=HTMLResponse)
def login(
    request: Request,
    platform: PlatformDep,
    csrf: CsrfToken,
    name: FormText,
    password: FormPassword,
) -> Response:
    """Sign in. One answer for an unknown name, a wrong password and a disabled account;
    429 while the account is locked."""
    session_cookie, login_cookie = cookie_names(platform.settings.console_cookie_secure)
    if not accounts.csrf_valid(csrf_key(platform), request.cookies.get(login_cookie), csrf):
        raise PermissionDenied(
            "sign-in form without a valid CSRF token",
            "登录表单已失效或来源不明，请刷新登录页面后重试",
        )
    now = platform.clock.now()
    provider_policy = platform.account_policy()
    with platform.engine.begin() as conn:
        result = accounts.sign_in(
            conn,
            platform.password_hasher(),
            provider_policy,
            name=name,
            password=password,
            now=now,
            ip_hash=_address_hash(platform, request),
        )
    if result.outcome == "locked":
        assert result.locked_until is not None  # noqa: S101 - set with the outcome
        response = _login_page(
            platform,
            request,
            "登录失败次数过多，账户已暂时锁定，请于 "
            f"{beijing_time(result.locked_until)} 后再试，或联系信用办管理员解锁",
            status=429,
        )
        wait = max(1, int((result.locked_until - now).total_seconds()))
        response.headers["Retry-After"] = str(wait)
        return response
    if result.outcome != "ok":
        return _login_page(platform, request, "用户名或口令错误", status=401)
    assert result.token is not None  # noqa: S101 - set with the outcome
    response = _no_store(RedirectResponse("/console", status_code=303))
    max_age = int(provider_policy.absolute.total_seconds())
    _set_cookie(platform, response, session_cookie, result.token, max_age=max_age)
    _clear_cookie(platform, response, login_cookie)
    return response


@router.post("/console/logout", response_class=HTMLResponse)
def logout(
    request: Request, platform: PlatformDep, session: ConsoleUser, csrf: CsrfToken
) -> Response:
    require_csrf(platform, request, csrf)
    with platform.engine.begin() as conn:
        accounts.sign_out(conn, session, platform.clock.now())
    response = _no_store(RedirectResponse(LOGIN_PATH, status_code=303))
    _clear_cookie(platform, response, cookie_names(platform.settings.console_cookie_secure)[0])
    return response


@router.api_route("/console", methods=PAGE, response_class=HTMLResponse)
def home(request: Request, platform: PlatformDep, session: ConsoleUser) -> Response:
    """What the signed-in role can do; a department officer sees their department."""
    return _render(
        request,
        "home.html",
        _context(
            platform,
            session,
            request=request,
            capabilities=CAPABILITIES.get(session.user_role, []),
        ),
    )


@router.api_route("/console/account", methods=PAGE, response_class=HTMLResponse)
def account(request: Request, platform: PlatformDep, session: ConsoleUser) -> Response:
    return _render(request, "account.html", _context(platform, session, request=request))


@router.post("/console/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    platform: PlatformDep,
    session: ConsoleUser,
    csrf: CsrfToken,
    current: FormPassword,
    new: FormPassword,
    confirm: FormPassword,
) -> Response:
    require_csrf(platform, request, csrf)
    error = None
    if new != confirm:
        error = "两次输入的新口令不一致"
    else:
        try:
            # Committed whatever the outcome: a wrong current password counts as a failure.
            with platform.engine.begin() as conn:
                changed = accounts.change_password(
                    conn,
                    platform.password_hasher(),
                    platform.account_policy(),
                    session,
                    current=current,
                    new=new,
                    now=platform.clock.now(),
                )
            if not changed:
                error = "当前口令不正确"
        except InputError as exc:
            error = redact_identifiers(exc.message_zh)
    if error is not None:
        context = _context(platform, session, request=request, error=error)
        return _render(request, "account.html", context, 400)
    context = _context(platform, session, request=request, message="口令已修改，其他会话已退出")
    return _render(request, "account.html", context)


def _users_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    with platform.engine.begin() as conn:
        rows = accounts.users(conn)
        departments = access.departments(conn)
        access.audit(
            conn,
            session.principal.actor,
            "read_users",
            "users",
            platform.clock.now(),
            purpose="控制台用户管理",
        )
    now = platform.clock.now()
    for row in rows:
        locked = row["locked_until"]
        row["locked_text"] = beijing_time(locked) if locked is not None and locked > now else ""
        row["created_text"] = beijing_time(row["created_at"])
    context = _context(
        platform,
        session,
        request=request,
        users=rows,
        departments=departments,
        roles=accounts.USER_ROLE_LABELS,
        **extra,
    )
    return _render(request, "users.html", context, status)


@router.api_route("/console/users", methods=PAGE, response_class=HTMLResponse)
def users(request: Request, platform: PlatformDep, session: OfficeAdmin) -> Response:
    """The office's list of accounts (audited as a read of the account list)."""
    return _users_page(request, platform, session)


@router.post("/console/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    platform: PlatformDep,
    session: OfficeAdmin,
    csrf: CsrfToken,
    name: FormText,
    display_name: FormText,
    role: Annotated[str, Form(max_length=32)],
    department: Annotated[str, Form(max_length=64)] = "",
    inspector: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Add an account with a random first password, shown once; an account of role 检查人员
    may be linked to its registered inspector in the same transaction (a refused link: no
    account either)."""
    require_csrf(platform, request, csrf)
    password = generate_password()
    try:
        with platform.engine.begin() as conn:
            user_id = accounts.create_user(
                conn,
                platform.password_hasher(),
                platform.account_policy(),
                name=name,
                display_name=display_name,
                role=role,
                department_code=department.strip() or None,
                password=password,
                now=platform.clock.now(),
                actor=session.principal.actor,
            )
            if inspector.strip():
                inspector_registry.link_new_account(
                    conn,
                    inspector,
                    account=accounts.normalise_name(name),
                    role=role,
                    actor=session.principal.actor,
                    now=platform.clock.now(),
                )
    except (InputError, NotFound, Conflict, PermissionDenied) as exc:
        return _users_page(
            request,
            platform,
            session,
            status=400 if isinstance(exc, InputError) else exc.status,
            error=redact_identifiers(exc.message_zh),
        )
    return _users_page(
        request,
        platform,
        session,
        shown={"user_id": user_id, "name": accounts.normalise_name(name), "password": password},
    )


def _admin_action(platform: Platform, request: Request, csrf: str) -> None:
    require_csrf(platform, request, csrf)


@router.post("/console/users/{user_id}/disable", response_class=HTMLResponse)
def disable_user(
    request: Request, platform: PlatformDep, session: OfficeAdmin, user_id: UserId, csrf: CsrfToken
) -> Response:
    _admin_action(platform, request, csrf)
    try:
        with platform.engine.begin() as conn:
            accounts.disable_user(
                conn, user_id, now=platform.clock.now(), actor=session.principal.actor
            )
    except InputError as exc:
        return _users_page(
            request, platform, session, status=400, error=redact_identifiers(exc.message_zh)
        )
    return _no_store(RedirectResponse("/console/users", status_code=303))


@router.post("/console/users/{user_id}/unlock", response_class=HTMLResponse)
def unlock_user(
    request: Request, platform: PlatformDep, session: OfficeAdmin, user_id: UserId, csrf: CsrfToken
) -> Response:
    _admin_action(platform, request, csrf)
    with platform.engine.begin() as conn:
        accounts.unlock_user(conn, user_id, now=platform.clock.now(), actor=session.principal.actor)
    return _no_store(RedirectResponse("/console/users", status_code=303))


@router.post("/console/users/{user_id}/reset-password", response_class=HTMLResponse)
def reset_password(
    request: Request, platform: PlatformDep, session: OfficeAdmin, user_id: UserId, csrf: CsrfToken
) -> Response:
    """A new random password, shown once; the account is unlocked and its sessions end."""
    _admin_action(platform, request, csrf)
    password = generate_password()
    with platform.engine.begin() as conn:
        accounts.reset_password(
            conn,
            platform.password_hasher(),
            platform.account_policy(),
            user_id,
            password,
            now=platform.clock.now(),
            actor=session.principal.actor,
        )
        user = access_repo.user_by_id(conn, user_id)
    assert user is not None  # noqa: S101 - reset_password found it
    return _users_page(
        request,
        platform,
        session,
        shown={"user_id": user_id, "name": user["name"], "password": password},
    )


def install(app: FastAPI) -> None:
    """The console's pages, and its answer to a request without a session."""

    app.add_exception_handler(SignInRequired, sign_in_required(LOGIN_PATH))
    app.include_router(router)
