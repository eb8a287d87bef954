"""Masking what looks like a resident ID number in a message before anyone sees it.

An error message may quote what a user typed (a code with a typo is easier to find when
quoted), and a user sometimes types an ID number where a code belongs. Every message the web
layer and the command line show or log passes through ``redact_identifiers``: a run of 15 to
20 letters and digits (or digit groups split by single spaces or hyphens; full-width forms too)
holding at least 14 digits is masked unless it is a valid USCC, which is public.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from xinyong.identity.ric import mask_resident_id, resident_ids_in
from xinyong.identity.uscc import check_uscc
from xinyong.kernel.errors import InputError

_DIGIT = "0-9０-９"
_ALNUM = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ"
# Digit groups typed with single spaces or hyphens (610102 19900307 441X), or one word.
_RUN = re.compile(rf"[{_DIGIT}]+(?:[ \-][{_DIGIT}]+)+[XxＸｘ]?|[{_ALNUM}]+")


def _masked(match: re.Match[str]) -> str:
    token = match.group()
    chars = re.sub(r"[ \-]", "", token)
    if not 15 <= len(chars) <= 20 or sum(c.isdigit() for c in chars) < 14:
        return token
    folded = unicodedata.normalize("NFKC", chars).upper()
    if len(folded) == 18 and check_uscc(folded).valid:
        return token
    return mask_resident_id(folded)


def redact_identifiers(text: str) -> str:
    """``text`` with every ID-number-like run masked (``610102********4410``)."""
    return _RUN.sub(_masked, text)


_PERSON_KEY = re.compile(r"(?<![0-9A-Za-z])P[0-9a-f]{32}(?![0-9A-Za-z])")


def refuse_personal_text(
    field: str, label: str, text: str, today: date, *, what_zh: str, what_en: str
) -> None:
    """Refuse text to be published (``what_zh``: 典型案例, 公告 …) that would disclose a
    natural person's ID number or subject key; the message shows the number masked."""
    ids = resident_ids_in(text, today)
    if ids:
        raise InputError(
            f"{field} contains what looks like a resident ID number ({ids[0]}); "
            f"{what_en} may not disclose it",
            f"{label}（{field}）中含有疑似居民身份证号码“{ids[0]}”：{what_zh}不得公开自然人的"
            "身份证号码，请删除后再提交",
        )
    key = _PERSON_KEY.search(text)
    if key is not None:
        shown = key.group()[:9] + "…"
        raise InputError(
            f"{field} contains a natural person's subject key ({shown})",
            f"{label}（{field}）中含有自然人主体标识“{shown}”：{what_zh}不得公开自然人信息",
        )
