"""Resident identity card numbers (居民身份证号码, GB 11643-1999) and masking helpers.

python-stdnum supplies the check char. We do not use ``stdnum.cn.ric.validate``: it
rejects a number whose area code was not valid in the birth year, but the area code records
where the number was first issued (for the 15-digit numbers, from 1984 on), so people born
before their county existed would be rejected. An area code in no list at all is a warning
here; a retired one is normal (the number is for life).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric as stdnum_ric

from xinyong.identity.divisions import DivisionTable, default_divisions
from xinyong.identity.uscc import Issue
from xinyong.kernel.clock import SystemClock

RIC_LENGTH = 18
LEGACY_RIC_LENGTH = 15
# The earliest cards were issued in 1984; nobody alive then was born before about 1860, so an
# earlier "birth date" is a typo, not an old person.
EARLIEST_BIRTH = date(1860, 1, 1)
_MASK = "*"


@dataclass(frozen=True, slots=True)
class IdCheck:
    """``number`` is the normalised number, upgraded to 18 digits when a valid-looking
    15-digit number was given. Birth date, sex ("男"/"女") and division are filled when the
    number is long enough to carry them and the date is real."""

    raw: str
    number: str
    errors: tuple[Issue, ...]
    warnings: tuple[Issue, ...]
    birth_date: date | None
    sex: str | None
    division: str | None
    upgraded_from_15: bool

    @property
    def valid(self) -> bool:
        return not self.errors


def _fold(raw: str) -> str:
    if raw.isascii() and raw.isalnum():
        return raw.upper()
    return "".join(unicodedata.normalize("NFKC", raw).split()).upper()


def ric_check_char(body17: str) -> str:
    """GB 11643 check char of the first 17 digits."""
    # stdnum wants the check slot present and ignores it; given 17 digits it would silently
    # drop the last one and answer wrongly.
    return str(stdnum_ric.calc_check_digit(body17 + "0"))


def upgrade_15_to_18(number15: str) -> str:
    """The 18-digit form of a 1989-style 15-digit number (born 19xx)."""
    if not (len(number15) == LEGACY_RIC_LENGTH and number15.isascii() and number15.isdigit()):
        raise ValueError(f"expected 15 digits, got {number15!r}")
    body17 = number15[:6] + "19" + number15[6:]
    return body17 + ric_check_char(body17)


def normalise_resident_id(raw: str) -> str:
    """Fold to upper-case ASCII without whitespace and upgrade 15-digit numbers."""
    number = _fold(raw)
    if len(number) == LEGACY_RIC_LENGTH and number.isascii() and number.isdigit():
        return upgrade_15_to_18(number)
    return number


def _zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _format_issues(number: str) -> list[Issue]:
    if len(number) not in (RIC_LENGTH, LEGACY_RIC_LENGTH):
        return [
            Issue(
                "length",
                f"身份证号码应为18位（或旧版15位），实际为{len(number)}位",
                f"resident ID must have 18 (or legacy 15) characters, got {len(number)}",
            )
        ]
    bad = [
        (i, ch)
        for i, ch in enumerate(number)
        if not ("0" <= ch <= "9" or (ch == "X" and i == RIC_LENGTH - 1))
    ]
    if not bad:
        return []
    shown = "、".join(f"第{i + 1}位“{ch}”" for i, ch in bad[:3])
    shown_en = ", ".join(f"{ch!r} at {i + 1}" for i, ch in bad[:3])
    return [
        Issue(
            "alphabet",
            f"身份证号码含不允许的字符：{shown}（前17位只能是数字，第18位可为数字或 X）",
            f"resident ID has invalid characters: {shown_en}",
        )
    ]


def check_resident_id(
    raw: str, *, today: date | None = None, divisions: DivisionTable | None = None
) -> IdCheck:
    """Check one resident ID number; ``today`` defaults to the current Beijing date."""
    folded = _fold(raw)
    errors = _format_issues(folded)
    if errors:
        return IdCheck(raw, folded, tuple(errors), (), None, None, None, upgraded_from_15=False)

    upgraded = len(folded) == LEGACY_RIC_LENGTH
    number = upgrade_15_to_18(folded) if upgraded else folded
    warnings: list[Issue] = []
    expected = ric_check_char(number[:17])
    if expected != number[17]:
        errors.append(
            Issue(
                "check_digit",
                f"身份证号码校验位错误：应为 {expected}，实际为 {number[17]}",
                f"resident ID check character should be {expected}, got {number[17]}",
            )
        )

    digits = number[6:14]
    birth: date | None
    try:
        # Parsed here rather than with stdnum's get_birth_date, which re-cleans the number
        # char by char and costs several times the rest of this function.
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        birth = None
    if birth is None:
        errors.append(
            Issue(
                "birth_date",
                f"身份证号码中的出生日期“{digits}”不是有效日期",
                f"resident ID birth date {digits} is not a real date",
            )
        )
    else:
        current = today or SystemClock().today()
        if birth > current:
            errors.append(
                Issue(
                    "birth_date_future",
                    f"身份证号码中的出生日期 {_zh_date(birth)} 晚于今天（{_zh_date(current)}）",
                    f"resident ID birth date {birth.isoformat()} is in the future",
                )
            )
            birth = None
        elif birth < EARLIEST_BIRTH:
            errors.append(
                Issue(
                    "birth_date",
                    f"身份证号码中的出生日期 {_zh_date(birth)} 早于"
                    f"{EARLIEST_BIRTH.year}年，不可能是在世居民的出生日期",
                    f"resident ID birth date {birth.isoformat()} is before {EARLIEST_BIRTH.year}",
                )
            )
            birth = None

    division = number[:6]
    if (divisions or default_divisions()).lookup(division).status == "unknown":
        warnings.append(
            Issue(
                "division_unknown",
                f"身份证号码前6位地址码 {division} 不在国家行政区划代码表（GB/T 2260）中，请核实",
                f"resident ID area code {division} is in no GB/T 2260 list",
            )
        )

    return IdCheck(
        raw=raw,
        number=number,
        errors=tuple(errors),
        warnings=tuple(warnings),
        birth_date=birth,
        sex="男" if int(number[16]) % 2 else "女",
        division=division,
        upgraded_from_15=upgraded,
    )


def mask_resident_id(number: str) -> str:
    """Keep the area code and the last four, e.g. ``110105********002X``.

    Shorter strings (typos, other document numbers) keep at most a quarter at each end, so
    at least half is always hidden; the length is kept so a reader can see it was short.
    """
    folded = _fold(number)
    size = len(folded)
    if size >= LEGACY_RIC_LENGTH:
        head, tail = 6, 4
    else:
        head = tail = size // 4
    return folded[:head] + _MASK * (size - head - tail) + folded[size - tail :]


def mask_person_name(name: str) -> str:
    """Keep the first character only: 张三 → 张*, 欧阳修文 → 欧***; one character → *."""
    stripped = name.strip()
    if len(stripped) <= 1:
        return _MASK * len(stripped)
    return stripped[0] + _MASK * (len(stripped) - 1)


# Digit runs of 15 to 18 characters, tolerating single spaces or hyphens between digits
# (numbers are often typed in groups); the look-arounds keep parts of longer numbers out.
_ID_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])(?<![0-9A-Za-z][ \-])"
    r"[0-9](?:[ \-]?[0-9]){13,16}(?:[ \-]?[0-9Xx])"
    r"(?![ \-]?[0-9A-Za-z])"
)


def resident_ids_in(text: str, today: date) -> list[str]:
    """Numbers in ``text`` that look like resident ID numbers (masked, for messages).

    "Looks like" is format plus a real birth date: a wrong check character still counts, since
    a mistyped ID number is as personal as a correct one.
    """
    folded = unicodedata.normalize("NFKC", text)
    found: list[str] = []
    for match in _ID_CANDIDATE.finditer(folded):
        number = re.sub(r"[ \-]", "", match.group()).upper()
        if len(number) not in (15, 18) or (len(number) == 15 and not number.isdigit()):
            continue
        check = check_resident_id(number, today=today)
        if {issue.code for issue in check.errors} <= {"check_digit"}:
            found.append(mask_resident_id(check.number))
    return found
