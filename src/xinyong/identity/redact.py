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

from xinyong.identity.ric import mask_resident_id
from xinyong.identity.uscc import check_uscc

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
