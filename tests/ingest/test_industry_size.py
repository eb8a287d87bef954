"""Registration records with 行业门类 and 企业规模 (DJZC DJ_HYML, DJ_QYGM), on both engines: a
department file with Chinese headers 行业代码/企业规模 maps; the subject keeps the letter and
the size code (a resend updates them); a longer class code is refused with the field, the
value and the list of 门类 letters (no 大类 table is shipped, so nothing is guessed)."""

from __future__ import annotations

from sqlalchemy import select

from tests.helpers import ORG, ORG2, add_department, csv_bytes
from xinyong.bootstrap import Platform
from xinyong.identity.tables import subjects


def _reg(uscc: str, name: str, industry: str, size: str) -> dict[str, str]:
    return {
        "企业名称": name,
        "统一社会信用代码": uscc,
        "成立日期": "2020-01-02",
        "行业代码": industry,
        "企业规模": size,
    }


def _import(platform: Platform, *rows: dict[str, str]) -> object:
    return platform.importer().import_bytes(
        csv_bytes(list(rows)), filename="dj.csv", department_code="scjg", item_code="DJZC"
    )


def _subject(platform: Platform, key: str) -> tuple[str | None, str | None]:
    with platform.engine.connect() as conn:
        row = conn.execute(
            select(subjects.c.industry, subjects.c.size).where(subjects.c.key == key)
        ).one()
    return row.industry, row.size


def test_industry_and_size_reach_the_subject(platform: Platform) -> None:
    add_department(platform)
    result = _import(
        platform,
        _reg(ORG, "西安市示例食品有限公司", "C", "小型企业"),
        _reg(ORG2, "西安市示例商贸有限公司", "", ""),
    )
    assert result.accepted == 2, result.rejections  # type: ignore[attr-defined]
    assert _subject(platform, ORG) == ("C", "3")
    assert _subject(platform, ORG2) == (None, None)  # unknown: not stated
    # A resend of the registration updates them (labels accepted too).
    _import(platform, _reg(ORG, "西安市示例食品有限公司", "住宿和餐饮业", "微型"))
    assert _subject(platform, ORG) == ("H", "4")
    # The rebuild of the projections (xinyong rebuild) leaves them as the imports left them.
    from xinyong.lists.service import rebuild

    with platform.engine.begin() as conn:
        rebuild(conn, platform.sanctions, platform.catalogue)
    assert _subject(platform, ORG) == ("H", "4")
    assert _subject(platform, ORG2) == (None, None)


def test_a_class_code_is_refused_not_guessed(platform: Platform) -> None:
    add_department(platform)
    result = _import(platform, _reg(ORG, "西安市示例食品有限公司", "C1310", "小型"))
    assert result.accepted == 0  # type: ignore[attr-defined]
    [rej] = result.rejections  # type: ignore[attr-defined]
    text = str(rej)
    assert "DJ_HYML" in text or "行业门类" in text
    assert "国民经济行业分类门类" in text
    assert "T 国际组织" in text
    assert _subject_missing(platform, ORG)


def _subject_missing(platform: Platform, key: str) -> bool:
    with platform.engine.connect() as conn:
        return conn.execute(select(subjects.c.key).where(subjects.c.key == key)).first() is None
