"""The shipped catalogue: it loads, has the national field sets, and answers lookups."""

from __future__ import annotations

import csv
import datetime as dt
import re
import textwrap
from pathlib import Path

import pytest

from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.loader import load_catalogue
from xinyong.catalog.model import Disclosure, Evidence, Nature, Severity, SubjectType
from xinyong.kernel.errors import NotFound

from .conftest import write_local_dir

# domain-reference §3.1 (CF_FR_SFZH is the older name of CF_FR_ZJHM: an alias, not a field)
XZCF_FIELDS = [
    "CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_XDR_GSZC", "CF_XDR_ZZJG", "CF_XDR_SWDJ",
    "CF_XDR_SYDW", "CF_XDR_SHZZ", "CF_FRDB", "CF_FR_ZJLX", "CF_FR_ZJHM", "CF_XDR_ZJLX",
    "CF_XDR_ZJHM", "CF_WSH", "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR", "CF_NR_FK",
    "CF_NR_WFFF", "CF_NR_ZKDX", "CF_JDRQ", "CF_YXQ", "CF_GSJZQ", "CF_CFJG", "CF_CFJGDM",
    "CF_SJLY", "CF_SJLYDM", "BZ",
]  # fmt: skip
# domain-reference §3.2 (XK_FR_SFZH likewise)
XZXK_FIELDS = [
    "XK_XDR_MC", "XK_XDR_LB", "XK_XDR_SHXYM", "XK_XDR_GSZC", "XK_XDR_ZZJG", "XK_XDR_SWDJ",
    "XK_XDR_SYDW", "XK_XDR_SHZZ", "XK_FRDB", "XK_FR_ZJLX", "XK_FR_ZJHM", "XK_XDR_ZJLX",
    "XK_XDR_ZJHM", "XK_XKWS", "XK_WSH", "XK_XKLB", "XK_XKZS", "XK_XKBH", "XK_NR", "XK_JDRQ",
    "XK_YXQZ", "XK_YXQZI", "XK_XKJG", "XK_XKJGDM", "XK_ZT", "XK_LYDW", "XK_LYDWDM", "BZ",
]  # fmt: skip
REGISTRATION_1995_HEADERS = (
    "企业名称,统一社会信用代码,注册日期,企业类型,法人代表,注册资金,经营范围,所在省份,地区,注册地址"
)
REQUIRED_ITEMS = {
    "DJZC", "XZCF", "XZXK", "XZQZ", "XZQR", "XZZS", "XZGF", "XZCJ", "XZBC", "XZJL", "XZJC",
    "SXBZXR", "JYYC", "YZSX", "XYCN", "XYPJ", "CXRY", "HTLX", "ZYZC",
}  # fmt: skip


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_shipped_catalogue_loads(cat: Catalogue) -> None:
    assert {i.code for i in cat.items()} >= REQUIRED_ITEMS
    assert len(cat.snapshot.version) == 12
    assert all(f.startswith("national/") for f in cat.snapshot.files)
    assert "national/items/xzcf.yaml" in cat.snapshot.files
    assert load_catalogue().snapshot == cat.snapshot  # deterministic
    assert all(not i.local for i in cat.items())
    assert cat.item("XZCF").source_file == "national/items/xzcf.yaml"


def test_items_carry_basis_and_sensible_flags(cat: Catalogue) -> None:
    for item in cat.items():
        assert item.legal_basis, item.code
        assert item.record_key, item.code
        for f in item.fields:
            assert not (f.personal and f.public), (item.code, f.code)
            if f.type == "id_number":
                assert f.personal, (item.code, f.code)
                assert not f.public, (item.code, f.code)
        if item.publication_deadline_working_days is not None:
            assert item.publication_deadline_basis, item.code
    negative = {i.code for i in cat.items() if i.nature is Nature.NEGATIVE}
    assert negative == {"XZCF", "SXBZXR", "JYYC", "YZSX"}
    positive = {i.code for i in cat.items() if i.nature is Nature.POSITIVE}
    assert positive == {"CXRY", "XZJL"}
    assert cat.item("ZYZC").disclosure is Disclosure.AUTHORISED
    assert cat.item("XYPJ").disclosure is Disclosure.GOV_SHARED


def test_items_ordered_by_category(cat: Catalogue) -> None:
    order = [v.label for v in cat.code_table("catalogue_category").values]
    ranks = [order.index(i.category) for i in cat.items()]
    assert ranks == sorted(ranks)
    assert cat.items()[0].code == "DJZC"


def test_xzcf_has_every_national_field(cat: Catalogue) -> None:
    item = cat.item("XZCF")
    codes = [f.code for f in item.fields]
    assert set(XZCF_FIELDS) <= set(codes)
    assert item.record_key == ("CF_WSH",)
    assert item.decision_date_field == "CF_JDRQ"
    assert item.publication_deadline_working_days == 7
    assert item.field("CF_XDR_SHXYM").required_when == {
        "CF_XDR_LB": (SubjectType.ORGANISATION.value, SubjectType.INDIVIDUAL_BUSINESS.value)
    }
    assert item.field("CF_XDR_ZJHM").required_when == {"CF_XDR_LB": ("自然人",)}
    assert item.field("CF_XDR_ZJHM").personal
    assert item.field("CF_CFLB").code_table == "penalty_kind"
    assert item.field("CF_NR_FK").type == "amount_wan"
    assert set(SubjectType) == set(item.subject_types)


def test_xzxk_has_every_national_field(cat: Catalogue) -> None:
    item = cat.item("XZXK")
    assert set(XZXK_FIELDS) <= {f.code for f in item.fields}
    assert item.record_key == ("XK_WSH",)
    assert item.valid_until_field == "XK_YXQZI"
    assert item.nature is Nature.NEUTRAL


def test_older_headers_resolve(cat: Catalogue) -> None:
    cases = {
        "XZCF": {
            "相对人名称": "CF_XDR_MC",
            "企业名称": "CF_XDR_MC",
            "法定代表人": "CF_FRDB",
            "处罚决定书文号": "CF_WSH",
            "决定文书号": "CF_WSH",
            "罚款金额（万元）": "CF_NR_FK",
            "罚款金额(万元)": "CF_NR_FK",
            "罚款金额": "CF_NR_FK",
            "没收违法所得、没收非法财物的金额（万元）": "CF_NR_WFFF",
            "作出处罚决定日期": "CF_JDRQ",
            "公示截止期": "CF_GSJZQ",
            "数据来源单位统一社会信用代码": "CF_SJLYDM",
            "CF_FR_SFZH": "CF_FR_ZJHM",
            "cf_wsh": "CF_WSH",
            " 行政相对人代码_1 (统一社会信用代码) ": "CF_XDR_SHXYM",
            "处罚类别1": "CF_CFLB",  # 2016 layout
        },
        "XZXK": {"XK_FR_SFZH": "XK_FR_ZJHM", "许可截止期": "XK_YXQZI", "审批类别": "XK_XKLB"},
    }
    for item, headers in cases.items():
        for header, code in headers.items():
            assert cat.resolve_header(item, header) == code, (item, header)
    assert cat.resolve_header("XZCF", "不存在的列") is None


def test_header_map_resolves_1995_registration_headers(cat: Catalogue) -> None:
    hm = cat.header_map("DJZC")
    mapped = [hm[h] for h in REGISTRATION_1995_HEADERS.split(",")]
    assert mapped == [
        "DJ_QYMC", "DJ_TYSHXYDM", "DJ_ZCRQ", "DJ_QYLX", "DJ_FDDBR",
        "DJ_ZCZB", "DJ_JYFW", "DJ_SZSF", "DJ_DQ", "DJ_ZCDZ",
    ]  # fmt: skip
    item = cat.item("DJZC")
    assert item.record_key == ("DJ_TYSHXYDM",)
    assert item.decision_date_field == "DJ_ZCRQ"
    assert item.field("DJ_ZCZB").type == "money_text"


@pytest.mark.shared
def test_real_1995_files_map_fully(cat: Catalogue, shared_data: Path) -> None:
    for path in sorted((shared_data / "registrations-1995").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh))
        assert all(cat.resolve_header("DJZC", h) for h in header), path.name


def test_header_sets(cat: Catalogue) -> None:
    assert [h.code for h in cat.header_sets("XZCF")] == ["XZCF-2016"]
    assert cat.header_sets("XZXK")[0].evidence is Evidence.UNCONFIRMED
    assert cat.header_sets("HTLX") == []


@pytest.mark.parametrize(
    ("decided", "sector", "policy"),
    [
        ("2022-06-01", None, "NDRC-2019-527"),
        ("2023-04-30", None, "NDRC-2019-527"),
        ("2023-05-01", None, "NDRC-2023-58"),
        ("2024-01-01", None, "NDRC-2023-58"),
        ("2026-03-31", "tax", "NDRC-2023-58"),
        ("2026-04-01", None, "NDRC-2025-36"),
        ("2026-05-01", None, "NDRC-2025-36"),
        ("2026-01-10", "market_regulation", "SAMR-2025-107"),
        ("2025-12-25", "market_regulation", "SAMR-2025-107"),
        ("2025-12-24", "market_regulation", "SAMR-2021-45"),
        ("2024-01-01", "market_regulation", "SAMR-2021-45"),
        ("2020-01-01", "market_regulation", "NDRC-2019-527"),
        ("2024-01-01", "safety", "NDRC-2023-58-SAFETY"),
    ],
)
def test_policy_for_penalties(
    cat: Catalogue, decided: str, sector: str | None, policy: str
) -> None:
    found = cat.policy_for(cat.item("XZCF"), d(decided), sector)
    assert found is not None
    assert found.code == policy


def test_policy_for_other_items(cat: Catalogue) -> None:
    assert cat.policy_for(cat.item("XZXK"), d("2026-05-01"), None) is None
    assert cat.policy_for(cat.item("CXRY"), d("2026-05-01"), "tax") is None
    sx = cat.policy_for(cat.item("SXBZXR"), d("2026-05-01"), "court")
    assert sx is not None
    assert sx.code == "SPC-SXBZXR"
    yc = cat.policy_for(cat.item("JYYC"), d("2026-05-01"), "market_regulation")
    assert yc is not None
    assert yc.code == "SAMR-JYYC"
    yz = cat.policy_for(cat.item("YZSX"), d("2024-06-01"), "market_regulation")
    assert yz is not None
    assert yz.code == "SAMR-2021-44"


def test_policy_periods(cat: Catalogue) -> None:
    p36 = cat.policy("NDRC-2025-36")
    assert not p36.periods[Severity.MINOR].publish
    assert (p36.periods[Severity.GENERAL].min_months, p36.periods[Severity.GENERAL].max_months) == (
        3,
        12,
    )
    assert (p36.periods[Severity.SERIOUS].min_months, p36.periods[Severity.SERIOUS].max_months) == (
        12,
        36,
    )
    assert not p36.publish_natural_persons
    assert p36.natural_persons_basis
    assert p36.decisions_from == d("2026-04-01")
    p107 = cat.policy("SAMR-2025-107")
    assert p107.sectors == ("market_regulation", "drug")  # 令107 第三十条
    assert p107.periods[Severity.MINOR].max_months == 3
    warning = cat.lookup_code("penalty_kind", "警告")
    assert warning is not None
    assert p107.periods[Severity.MINOR].unpublished_if_only == {"CF_CFLB": (warning.code,)}
    assert cat.policy("NDRC-2019-527").decisions_from == d("2019-07-01")  # W12
    assert cat.policy("NDRC-2019-527").periods[Severity.SERIOUS].min_months == 6
    assert cat.policy("SAMR-2021-45").decisions_until == d("2025-12-24")
    for p in cat.policies():
        assert p.legal_basis, p.code
        assert set(p.periods) == set(Severity), p.code
        for rule in p.periods.values():
            assert rule.legal_basis, p.code


def test_lookup_code(cat: Catalogue) -> None:
    fine = cat.lookup_code("penalty_kind", "罚款")
    assert fine is not None
    assert cat.lookup_code("penalty_kind", "2") == fine  # legacy pre-2021 code
    assert cat.lookup_code("penalty_kind", " 03 ") == fine
    assert cat.lookup_code("penalty_kind", "罚 款") is None
    assert cat.lookup_code("subject_category", "02") is not None
    assert cat.lookup_code("id_type", "身份证") is not None
    assert cat.lookup_code("severity", "严重") is not None
    with pytest.raises(NotFound):
        cat.lookup_code("no_such_table", "1")


def test_severity_rules_follow_order36(cat: Catalogue) -> None:
    rules = cat.item("XZCF").severity_rules
    serious = next(r for r in rules if r.severity is Severity.SERIOUS)
    assert serious.conditions[0].field == "CF_CFLB"
    for label in ["暂扣许可证件", "降低资质等级", "吊销许可证件", "吊销营业执照", "限制开展生产经营活动",
                  "责令停产停业", "责令关闭", "限制从业", "行政拘留"]:  # fmt: skip
        value = cat.lookup_code("penalty_kind", label)
        assert value is not None, label
        assert value.code in serious.conditions[0].any_of, label
    minor = next(r for r in rules if r.conditions and r.conditions[0].only)
    assert minor.severity is Severity.MINOR
    only = {cat.lookup_code("penalty_kind", c).label for c in minor.conditions[0].only}  # type: ignore[union-attr]
    assert only == {"警告", "通报批评"}
    assert rules[-1].severity is Severity.GENERAL
    assert rules[-1].is_default


def test_order107_classes_market_regulation_and_drug_penalties(cat: Catalogue) -> None:
    """令107 第七条至第九条, for records of the two sectors it governs (第三十条: drug)."""
    p107 = cat.policy("SAMR-2025-107")
    rules = p107.severity_rules["XZCF"]
    serious_kinds = set(rules[0].conditions[0].any_of)
    assert "06" not in serious_kinds  # 暂扣许可证件 is not 严重 under 令107
    assert {"07", "08", "081", "09", "10", "11", "12"} == serious_kinds
    assert any(r.sectors == ("drug",) and r.severity is Severity.SERIOUS for r in rules)
    domain = next(r for r in rules if r.conditions and r.conditions[0].cites)
    assert {c.law for c in domain.conditions[0].cites} >= {
        "食品安全法",
        "特种设备安全法",
        "化妆品监督管理条例",
    }
    assert rules[-1].severity is Severity.GENERAL
    assert rules[-1].is_default


def test_item_versions_by_date(cat: Catalogue) -> None:
    assert cat.item("XZCF", on=d("1995-03-01")).code == "XZCF"
    assert cat.item_versions("XZCF") == [cat.item("XZCF")]
    with pytest.raises(NotFound) as exc:
        cat.item("NOPE")
    assert "NOPE" in exc.value.message_zh
    with pytest.raises(NotFound):
        cat.item("XZCF", on=d("1899-12-31"))


def test_catalogue_is_immutable(cat: Catalogue) -> None:
    with pytest.raises(AttributeError):
        cat.foo = 1
    with pytest.raises(TypeError):
        cat.sectors["x"] = cat.sectors["tax"]  # type: ignore[index]
    assert cat.sectors["market_regulation"].name == "市场监管"


def test_local_catalogue_adds_item(local_dir: Path) -> None:
    national = load_catalogue()
    cat = load_catalogue([local_dir])
    item = cat.item("DFBC01")
    assert item.local
    assert item.source_file == "local/items/dfbc01.yaml"
    assert cat.item("DFBC01", on=d("2025-06-01")) == item
    with pytest.raises(NotFound):
        cat.item("DFBC01", on=d("2024-12-31"))
    assert "local/items/dfbc01.yaml" in cat.snapshot.files
    assert cat.snapshot.version != national.snapshot.version
    assert cat.lookup_code("dfbc_status", "欠缴") is not None
    assert cat.resolve_header("DFBC01", "单位名称") == "DF_MC"
    assert "DFBC01" in {i.code for i in cat.items()}
    assert not cat.item("XZCF").local


def test_examples_in_the_guide_load(tmp_path: Path) -> None:
    """docs/catalogue.md's item and policy examples are valid files."""
    guide = Path(__file__).resolve().parents[2] / "docs" / "catalogue.md"
    if not guide.is_file():
        pytest.skip("docs/catalogue.md not present")
    blocks = re.findall(r"```yaml\n(.*?)```", guide.read_text(encoding="utf-8"), re.S)
    item = next(textwrap.dedent(b) for b in blocks if "versions:" in b)
    policy = next(textwrap.dedent(b) for b in blocks if "kind: policy" in b)
    write_local_dir(tmp_path)  # provides the dfbc_status code table
    (tmp_path / "items" / "dfbc01.yaml").write_text(item, encoding="utf-8")
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "local-tax-2027.yaml").write_text(policy, encoding="utf-8")
    cat = load_catalogue([tmp_path])
    assert cat.item("DFBC01").local
    found = cat.policy_for(cat.item("XZCF"), d("2027-02-01"), "tax")
    assert found is not None
    assert found.code == "LOCAL-TAX-2027"
