"""Parsers for the cell values departments actually send (dates, 万元 amounts, free text).

Each parser takes one raw cell and returns a value or raises ``ParseError`` whose
``message_zh`` says what is wrong with the value itself; the caller adds the row and field.
They run once per cell of every import (millions of calls), so the common spelling of each
value takes a fast path and regular expressions are compiled once.

Text normalisation comes in two strengths:

* ``normalise_text`` is for values that are stored and shown. It turns full-width ASCII
  (digits, Latin letters, most symbols) into half-width but keeps the full-width punctuation
  that is correct in Chinese text — ``！（），：；？～`` — so 「北京某某（集团）有限公司」 is
  stored as written. It also removes zero-width characters and control characters, turns
  every kind of horizontal space into an ordinary space, collapses runs of spaces, and strips
  the ends of the value and of each line.
* ``name_key`` is only for comparing organisation names: it also folds （）【】〔〕［］ to
  ``()``, removes every space and upper-cases Latin letters, so 「某某（北京）有限公司」 and
  「某某(北京) 有限公司」 compare equal. It is never shown to users.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Final

from xinyong.kernel.errors import InputError, XinyongError

__all__ = [
    "ParseError",
    "name_key",
    "normalise_text",
    "parse_amount_wan",
    "parse_date",
    "parse_registered_capital",
]


class ParseError(XinyongError):
    """One cell value cannot be read; ``message_zh`` describes the value, not its location."""

    status = 422
    code = "invalid_value"


def _show(raw: str) -> str:
    # Echo the value so the submitter can find it, but keep messages readable.
    text = raw.strip()
    return text if len(text) <= 30 else text[:30] + "…"


# Full-width digits and the separators that appear in dates and numbers.
_NUMERIC_TABLE: Final = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "．": ".",
        "，": ",",
        "－": "-",
        "＋": "+",
        "／": "/",
        "：": ":",
        "（": "(",
        "）": ")",
        "\u3000": " ",
        "\u00a0": " ",
    }
)

# --------------------------------------------------------------------------- dates

_DATE_MIN_YEAR: Final = 1900
_DATE_MAX_YEAR: Final = 2100
_from_iso: Final = dt.date.fromisoformat
_DAYS_IN_MONTH: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

_DATE_RE: Final = re.compile(
    r"(\d{4})\s*([-/.年])\s*(\d{1,2})\s*([-/.月])\s*(\d{1,2})\s*(日?)"
    r"(?:(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    re.ASCII,
)
_COMPACT_RE: Final = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_SERIAL_RE: Final = re.compile(r"(\d{5})(?:\.0+)?", re.ASCII)
_SHORT_YEAR_RE: Final = re.compile(r"\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,4}", re.ASCII)
# Excel counts days from 1899-12-31 as day 1 but also counts a 1900-02-29 that never existed,
# so from serial 61 on (every 5-digit serial) the right epoch is 1899-12-30.
_EXCEL_EPOCH: Final = dt.date(1899, 12, 30).toordinal()
_EXCEL_MAX: Final = dt.date(_DATE_MAX_YEAR, 12, 31).toordinal() - _EXCEL_EPOCH


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _checked_date(year: int, month: int, day: int, raw: str) -> dt.date:
    if not _DATE_MIN_YEAR <= year <= _DATE_MAX_YEAR:
        raise ParseError(
            f"year {year} is outside {_DATE_MIN_YEAR}-{_DATE_MAX_YEAR}: {raw!r}",
            f"年份 {year} 不在合理范围（{_DATE_MIN_YEAR}–{_DATE_MAX_YEAR}年）内：「{_show(raw)}」",
        )
    if not 1 <= month <= 12:
        raise ParseError(
            f"no such date: month {month} in {raw!r}",
            f"日期不存在：月份应为 1–12，不能是 {month}（「{_show(raw)}」）",
        )
    last = 29 if month == 2 and _is_leap(year) else _DAYS_IN_MONTH[month - 1]
    if not 1 <= day <= last:
        raise ParseError(
            f"no such date: {year}-{month:02d} has no day {day}",
            f"日期不存在：{year}年{month}月没有{day}日",
        )
    return dt.date(year, month, day)


def parse_date(raw: str) -> dt.date:
    """Read a calendar date in any spelling seen in department files.

    Accepted: ``2024-01-05``, ``2024/1/5``, ``2024.01.05``, ``20240105``, ``2024年1月5日``,
    any of these followed by a time (``2024-01-05 00:00:00``, ``2024-01-05T08:30``; the time
    is checked and dropped), full-width digits, surrounding spaces, and Excel serial day
    numbers of five digits (``45296`` → 2024-01-05). Two-digit years and day-first orders are
    refused because they cannot be read without guessing.
    """
    # Fast path: most cells are ISO dates, often with a midnight time from a database export.
    # (The length and '-' checks also keep ISO week dates such as 2024-W01-1 away from it.)
    n = len(raw)
    if (n == 10 or (n == 19 and raw.endswith(" 00:00:00"))) and raw[4] == "-" and raw[7] == "-":
        try:
            result = _from_iso(raw[:10])
        except ValueError:
            pass  # let the full parser say what is wrong
        else:
            if _DATE_MIN_YEAR <= result.year <= _DATE_MAX_YEAR:
                return result
    text = raw.translate(_NUMERIC_TABLE).strip()
    if not text:
        raise ParseError("empty date", "日期为空")

    if m := _DATE_RE.fullmatch(text):
        year_s, sep1, month_s, sep2, day_s, day_mark, hh, mm, ss = m.groups()
        consistent = sep2 == "月" if sep1 == "年" else (sep1 == sep2 and not day_mark)
        if not consistent:
            raise ParseError(
                f"mixed date separators in {raw!r}",
                f"日期分隔符不一致：「{_show(raw)}」；请写成 2024-01-05 或 2024年1月5日",
            )
        result = _checked_date(int(year_s), int(month_s), int(day_s), raw)
        if hh is not None and (int(hh) > 23 or int(mm) > 59 or (ss is not None and int(ss) > 59)):
            raise ParseError(
                f"invalid time of day in {raw!r}",
                f"日期后面的时间无效：「{_show(raw)}」",
            )
        return result

    if m := _COMPACT_RE.fullmatch(text):
        return _checked_date(int(m[1]), int(m[2]), int(m[3]), raw)

    if m := _SERIAL_RE.fullmatch(text):
        serial = int(m[1])
        if serial > _EXCEL_MAX:
            raise ParseError(
                f"Excel day number {serial} is after {_DATE_MAX_YEAR}",
                f"Excel 日期序号 {serial} 超出合理范围（对应 {_DATE_MAX_YEAR}年以后）",
            )
        return dt.date.fromordinal(_EXCEL_EPOCH + serial)

    if _SHORT_YEAR_RE.fullmatch(text):
        raise ParseError(
            f"ambiguous date {raw!r}: the year must have four digits and come first",
            f"无法确定年月日：「{_show(raw)}」；年份须写全四位并放在最前，例如 2024-01-05",
        )
    raise ParseError(
        f"not a date: {raw!r}",
        f"无法识别的日期：「{_show(raw)}」；请写成 2024-01-05 这样的格式",
    )


# --------------------------------------------------------------------------- amounts

_NUMBER_RE: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
_GROUPED_RE: Final = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?", re.ASCII)
_NOT_FINITE: Final = frozenset(
    {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
)
_TEN_THOUSAND: Final = Decimal(10000)
_MAX_DECIMALS: Final = 6
# Plausibility bound, not a legal limit: 10^12 万元 is far above any penalty or capital.
_MAX_WAN: Final = Decimal(10) ** 12


def _exponent(d: Decimal) -> int:
    exponent = d.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0  # NaN/inf never get this far


def _plain(d: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (2.0000 → 2, 1E+2 → 100)."""
    d = d.normalize()
    return d.quantize(Decimal(1)) if _exponent(d) > 0 else d


def parse_amount_wan(raw: str) -> Decimal:
    """An amount in 万元 as the 双公示 standard requires.

    ``"12.5"``, ``"1,234.5"``, full-width digits and a trailing ``万``/``万元`` are read as
    万元; a trailing ``元`` (``"20000元"``) is converted to 万元. Negative, non-finite or
    non-numeric values and more than six decimals (in 万元, i.e. below 0.01 元) are errors.
    """
    text = raw.strip()
    if not text.isascii():
        text = text.translate(_NUMERIC_TABLE).strip()
    if not text:
        raise ParseError("empty amount", "金额为空")

    in_yuan = False
    if text.endswith("万元"):
        text = text[:-2].rstrip()
    elif text.endswith("万"):
        text = text[:-1].rstrip()
    elif text.endswith("元"):
        text, in_yuan = text[:-1].rstrip(), True

    if "," in text:
        if not _GROUPED_RE.fullmatch(text):
            # 「12,5」 may be a decimal comma; reading it as 125 would be off by ten times.
            raise ParseError(
                f"misplaced thousands separator in {raw!r}",
                f"千分位逗号位置不对：「{_show(raw)}」；小数请用小数点",
            )
        text = text.replace(",", "")

    if not _NUMBER_RE.fullmatch(text):
        if text.lower() in _NOT_FINITE:
            raise ParseError(f"amount is not finite: {raw!r}", "金额必须是有限的数字")
        raise ParseError(
            f"amount is not a number: {raw!r}",
            f"金额不是数字：「{_show(raw)}」",
        )
    value = Decimal(text)
    if value < 0:
        raise ParseError(f"negative amount: {raw!r}", "金额不能为负数")
    if in_yuan:
        value = _plain(value / _TEN_THOUSAND)
    exponent = _exponent(value)
    if exponent < -_MAX_DECIMALS:
        exact = value.normalize()
        if _exponent(exact) < -_MAX_DECIMALS:
            raise ParseError(
                f"amount has more than {_MAX_DECIMALS} decimals in 万元: {raw!r}",
                f"金额以万元计最多保留{_MAX_DECIMALS}位小数：「{_show(raw)}」",
            )
        value = exact  # only trailing zeros were beyond the limit
    if value > _MAX_WAN:
        raise ParseError(f"amount implausibly large: {raw!r}", f"金额过大：「{_show(raw)}」")
    if exponent > 0:
        value = value.quantize(Decimal(1))  # 1.2E+3 → 1200 for storage and display
    if value.is_zero() and value.is_signed():
        value = value.copy_abs()
    return value


# Currency names as written in registrations → ISO 4217 codes.
_CURRENCIES: Final = {
    "元": "CNY",
    "人民币": "CNY",
    "人民币元": "CNY",
    "元人民币": "CNY",
    "RMB": "CNY",
    "美元": "USD",
    "港元": "HKD",
    "港币": "HKD",
    "澳门元": "MOP",
    "澳门币": "MOP",
    "新台币": "TWD",
    "台币": "TWD",
    "欧元": "EUR",
    "英镑": "GBP",
    "日元": "JPY",
    "韩元": "KRW",
    "澳元": "AUD",
    "澳大利亚元": "AUD",
    "加元": "CAD",
    "加拿大元": "CAD",
    "新加坡元": "SGD",
    "瑞士法郎": "CHF",
}
_CURRENCY_CODES: Final = frozenset(_CURRENCIES.values())
_CAPITAL_RE: Final = re.compile(
    r"(?P<pre>[^\d.,]*)(?P<num>\d[\d,]*(?:\.\d+)?)(?P<mult>[万亿]?)(?P<post>.*)", re.ASCII
)
_CAPITAL_GROUPED_RE: Final = re.compile(r"\d{1,4}(?:,\d{3,4})*(?:\.\d+)?", re.ASCII)
_CAPITAL_DROP: Final = str.maketrans(dict.fromkeys(" \t()[]【】（）", None))


# How a page names each code: the first name above, except 人民币 for CNY.
_CURRENCY_NAMES: Final = {"CNY": "人民币"} | {
    code: name for name, code in reversed(_CURRENCIES.items()) if code != "CNY"
}


def currency_name(code: str) -> str:
    """Chinese name of an ISO 4217 code this module produces (the code itself otherwise)."""
    return _CURRENCY_NAMES.get(code, code)


def _currency(word: str) -> str | None:
    code = _CURRENCIES.get(word)
    if code is not None:
        return code
    upper = word.upper()
    return upper if upper in _CURRENCY_CODES else _CURRENCIES.get(upper)


def parse_registered_capital(raw: str) -> tuple[Decimal | None, str | None]:
    """Registered capital as (amount in 万元, ISO currency code); (None, None) if unreadable.

    Registration systems record capital in 万 of some currency, so a bare number
    (``"6000"``) or ``"41.2000(万)"`` is 万 with no currency stated (currency None). A number
    with a currency but no 万/亿 (``"5000元"``, ``"100美元"``) is in units and is converted.
    Never raises: the caller keeps the original text either way.
    """
    text = raw.translate(_NUMERIC_TABLE).translate(_CAPITAL_DROP)
    m = _CAPITAL_RE.fullmatch(text)
    if m is None:
        return None, None
    num = m["num"]
    if "," in num:
        # Both 3- and 4-digit grouping occur (6,000 / 6,0000); anything else is unclear.
        if not _CAPITAL_GROUPED_RE.fullmatch(num):
            return None, None
        num = num.replace(",", "")
    post = m["post"]
    words = [w for w in (m["pre"], post) if w]
    codes = {_currency(w) for w in words}
    if None in codes or len(codes) > 1:
        return None, None
    currency = codes.pop() if codes else None
    try:
        amount = Decimal(num)
    except InvalidOperation:
        return None, None
    if m["mult"] == "亿":
        amount = _plain(amount * _TEN_THOUSAND)
    elif not m["mult"] and currency is not None:
        amount = _plain(amount / _TEN_THOUSAND)
    return amount, currency


# --------------------------------------------------------------------------- text

_KEEP_FULL_WIDTH: Final = "！（），：；？～"
_SPACE_LIKE: Final = "\t\u00a0\u1680\u202f\u205f\u3000" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)
_INVISIBLE: Final = "\u200b\u200c\u200d\u2060\ufeff"
_CONTROLS: Final = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\x7f"

_TEXT_TABLE: Final = str.maketrans(
    {
        **{
            chr(cp): chr(cp - 0xFEE0)
            for cp in range(0xFF01, 0xFF5F)
            if chr(cp) not in _KEEP_FULL_WIDTH
        },
        **dict.fromkeys(_SPACE_LIKE, " "),
        **dict.fromkeys(_INVISIBLE + _CONTROLS, None),
    }
)
_SPACE_RUN: Final = re.compile(r" {2,}")
_LINE_EDGE: Final = re.compile(r" *\n *")


def normalise_text(raw: str) -> str:
    """Clean a free-text value for storage; see the module docstring for what changes."""
    text = raw.translate(_TEXT_TABLE)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if "\n" in text:
        text = _LINE_EDGE.sub("\n", text)
        text = text.strip("\n ")
    return text.strip(" ")


_NAME_INVISIBLE: Final = str.maketrans(dict.fromkeys(_INVISIBLE + _CONTROLS, None))
_NAME_TABLE: Final = str.maketrans(
    {
        **dict.fromkeys("【〔［[〈〖", "("),
        **dict.fromkeys("】〕］]〉〗", ")"),
        **dict.fromkeys("・•‧∙", "·"),
    }
)


def name_key(name: str) -> str:
    """A key under which spellings of the same organisation name compare equal."""
    # Invisible characters go before NFKC so they cannot block its composition.
    text = unicodedata.normalize("NFKC", name.translate(_NAME_INVISIBLE)).translate(_NAME_TABLE)
    return "".join(text.split()).upper()


def clean_text(field: str, label: str, value: str, max_chars: int) -> str:
    """``value`` stripped, required and at most ``max_chars`` characters."""
    text = value.strip()
    if not text:
        raise InputError(f"{field} may not be empty", f"{label}（{field}）不能为空")
    if len(text) > max_chars:
        raise InputError(
            f"{field} has {len(text)} characters, at most {max_chars} allowed",
            f"{label}（{field}）共{len(text)}个字符，最多{max_chars}个",
        )
    return text
