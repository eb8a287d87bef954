"""Who vouches for a staff member's identity: the shape a sign-in provider has.

Today there is one provider, the local accounts of ``access.accounts`` (name and argon2id
password). The province's unified identity platform (统一身份认证平台) is expected to speak
OpenID Connect; plugging it in means writing an ``OidcProvider`` to this interface, not
changing the console. This module holds the interface and what such a provider must do; **no
OIDC provider is implemented** (there is nothing here to configure or call).

An external provider's contract, when it is written:

- ``start`` returns where to send the browser (the authorisation endpoint with ``state``,
  ``nonce`` and a PKCE ``code_challenge``, S256) and the values to keep in a short-lived,
  HttpOnly cookie until the callback.
- ``finish`` exchanges the code at the token endpoint, validates the ID token (issuer,
  audience, signature against the provider's JWKS, ``nonce``, expiry, clock skew bounded) and
  returns the ``ExternalIdentity``: the provider's stable subject identifier, never an ID
  number as the key.
- The identity is linked to a local ``users`` row (role and department stay decided here,
  by the credit office, and audited), then a session is opened exactly as for a local
  sign-in (``access.accounts``): same cookie, same expiry, same audit rows. Lock-out and the
  password policy are then the provider's; the local password of a linked account is unused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection

from xinyong.access.accounts import AccountPolicy, SignIn, sign_in
from xinyong.access.passwords import PasswordHasher


@dataclass(frozen=True, slots=True)
class ExternalIdentity:
    """What an external provider asserts: its issuer, its stable subject id, a display name."""

    issuer: str
    subject: str
    display_name: str


@dataclass(frozen=True, slots=True)
class Redirect:
    """Where to send the browser to sign in, and what to keep until it comes back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


class RedirectProvider(Protocol):
    """A provider that signs in elsewhere (OIDC). Not implemented: see the module docstring."""

    name: str

    def start(self, return_to: str) -> Redirect: ...

    def finish(self, redirect: Redirect, query: dict[str, str]) -> ExternalIdentity: ...


class PasswordProvider(Protocol):
    """A provider that checks a name and password here."""

    name: str

    def sign_in(
        self, conn: Connection, *, name: str, password: str, now: dt.datetime, ip_hash: str
    ) -> SignIn: ...


class LocalPasswordProvider:
    """The local accounts (``users``), with the lock-out and session rules of
    ``access.accounts``."""

    name = "local"

    def __init__(self, hasher: PasswordHasher, policy: AccountPolicy) -> None:
        self.hasher = hasher
        self.policy = policy

    def sign_in(
        self, conn: Connection, *, name: str, password: str, now: dt.datetime, ip_hash: str
    ) -> SignIn:
        return sign_in(
            conn, self.hasher, self.policy, name=name, password=password, now=now, ip_hash=ip_hash
        )
