"""What a user typed to name a subject: a USCC, a resident ID number or a person's subject key.

Pure: the vault only computes the keyed hash. Errors never repeat a resident ID number, nor
the birth date inside it (the only parts of a mistyped number a message may show are the
characters that are not allowed and the check character).
"""

from __future__ import annotations

import re

from xinyong.identity.pii import PiiVault
from xinyong.identity.ric import check_resident_id, mask_resident_id
from xinyong.identity.uscc import Issue, check_uscc
from xinyong.kernel.errors import InputError
from xinyong.kernel.parse import normalise_text

SUBJECT_KEY = re.compile(r"P[0-9a-f]{32}")
_ANY_CASE_KEY = re.compile(r"[Pp][0-9a-fA-F]{32}")
# 证件类型 values (codes and the spellings departments use) that mean the resident ID card,
# whose number is checked (GB 11643) and keyed on its own; other certificates are keyed with
# their type.
RESIDENT_ID_TYPES = frozenset({"01", "身份证", "居民身份证", "111"})

# A birth date is personal data: these findings are told without the date they found.
_BIRTH_DATE_ISSUES = {
    "birth_date": ("身份证号码中的出生日期不是有效日期", "resident ID birth date is not valid"),
    "birth_date_future": (
        "身份证号码中的出生日期晚于今天",
        "resident ID birth date is in the future",
    ),
}


def _told(issue: Issue) -> tuple[str, str]:
    return _BIRTH_DATE_ISSUES.get(issue.code, (issue.message_zh, issue.message_en))


def resolve_subject(
    raw: str, vault: PiiVault, *, allow_subject_key: bool = False
) -> tuple[str, str, str]:
    """(subject key, kind, shown identifier) for a USCC or a resident ID number, and with
    ``allow_subject_key`` for a person's key ("P" + 32 hex) as the platform shows it.

    A USCC whose first 17 characters are digits looks like an ID number, so the USCC check
    (its check character, mod 31) decides first; a string passing both is vanishingly rare."""
    stripped = raw.strip()
    if allow_subject_key and _ANY_CASE_KEY.fullmatch(stripped):
        key = subject_code(stripped)
        return key, "person", key
    text = stripped.upper()
    uscc = check_uscc(text) if len(text) == 18 else None
    if uscc is not None and uscc.valid:
        return uscc.code, uscc.subject_kind, uscc.code
    if uscc is not None and not text[:17].isdigit():
        raise InputError(
            "; ".join(i.message_en for i in uscc.errors),
            "；".join(i.message_zh for i in uscc.errors),
        )
    ident = check_resident_id(text)
    if not ident.valid:
        told = [_told(i) for i in ident.errors]
        raise InputError(
            "; ".join(en for _, en in told) or "neither a USCC nor a resident ID number",
            "；".join(zh for zh, _ in told) or "既不是统一社会信用代码也不是身份证号码",
        )
    return vault.subject_key(ident.number), "person", mask_resident_id(ident.number)


def subject_code(raw: str) -> str:
    """A subject code as the platform stores it, whatever case it was typed or copied in: a
    USCC in capitals, a person's key as "P" + lower-case hex (told apart by length, since a
    USCC may itself begin with P)."""
    text = raw.strip()
    if _ANY_CASE_KEY.fullmatch(text):
        return "P" + text[1:].lower()
    return text.upper()


def other_certificate_key(vault: PiiVault, id_type: str, number: str) -> tuple[str, str]:
    """(subject key, normalised number) of a person identified by a certificate other than
    the resident ID card (``id_type`` is its 证件类型 code, e.g. 02 护照)."""
    normalised = normalise_text(number).upper()
    return vault.subject_key(f"{id_type}:{normalised}"), normalised


def shown_code(raw: str) -> str:
    """What may be echoed of a code a user typed: a USCC-shaped code whole, anything else
    (possibly a resident ID number) masked."""
    text = raw.strip().upper()
    if len(text) == 18 and not text[:17].isdigit():
        return text
    return mask_resident_id(text)


def is_organisation_code(raw: str) -> bool:
    """Whether ``raw`` is a valid USCC (a check the read model can answer alone)."""
    text = raw.strip().upper()
    return len(text) == 18 and check_uscc(text).valid
