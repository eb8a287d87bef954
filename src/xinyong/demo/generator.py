"""A realistic demo province: subjects with valid codes on real division codes, their legal
representatives, and the files departments would send (registrations, licences, penalties of
every severity, judgment debtors), including the mistakes real files contain.

Deterministic for a seed and a date, so re-running the demo re-sends the same rows (which the
ledger recognises as duplicates).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from faker import Faker

from xinyong.identity.divisions import default_divisions
from xinyong.identity.ric import ric_check_char
from xinyong.identity.uscc import make_uscc

ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# Departments of a demo province: (code, name, sector, organisation-code body of its USCC).
DEPARTMENTS = (
    ("scjg", "省市场监督管理局", "market_regulation", "MB1A0001"),
    ("swj", "省税务局", "tax", "MB1A0002"),
    ("sthj", "省生态环境厅", "ecology", "MB1A0003"),
    ("yjgl", "省应急管理厅", "safety", "MB1A0004"),
    ("zjt", "省住房和城乡建设厅", "housing", "MB1A0005"),
    ("gy", "省高级人民法院", "court", "MB1A0006"),
    ("czt", "省财政厅", "finance", "MB1A0007"),
)


def department_uscc(code: str, province: str = "61") -> str:
    """A valid code for a demo department (registration dept 1 = 机构编制, category 1 = 机关)."""
    body = next(d[3] for d in DEPARTMENTS if d[0] == code)
    return make_uscc("1", "1", province + "0000", body)


# (trade word, 经营范围, 行业门类 of GB/T 4754-2017 the registration states).
INDUSTRIES = (
    ("科技", "软件开发；信息技术咨询服务", "I"),
    ("建筑工程", "房屋建筑工程施工；市政公用工程施工", "E"),
    ("食品", "食品生产；食品销售", "C"),
    ("餐饮管理", "餐饮服务；食品经营", "H"),
    ("化工", "化工产品生产（不含许可类化工产品）", "C"),
    ("物流", "道路货物运输；仓储服务", "G"),
    ("医药", "药品零售；医疗器械经营", "F"),
    ("商贸", "日用百货销售；五金产品批发", "F"),
    ("环保科技", "污水处理及其再生利用；固体废物治理", "N"),
    ("机械制造", "通用设备制造；机械零部件加工", "C"),
)
# 企业规模 as a department would state it, mostly small and micro (demo only; the platform
# never derives a size).
SIZES = ("小型", "小型", "微型", "微型", "微型", "中型", "大型")
SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司")
# Characters Chinese trade names (字号) are commonly made of; a 字号 is two of them, so names
# read like 西安鑫瑞建筑工程有限公司 rather than dictionary words.
TRADE_NAME_CHARS = tuple(
    dict.fromkeys(
        "华信恒通鑫源宏达瑞丰德润博远嘉禾鼎盛昌永兴金桥天成中联汇航新海凯宇创众合锦程泰业"
        "安长青秦川汉唐丝路渭终南岳岭延宝塔世诚正荣万同和启明弘毅晨光广基隆佳美优品绿康宁"
        "坤乾腾飞跃翔龙凤云峰泽浩瀚卓越臻晟煜铭骏捷迅达"
    )
)


# The demo province's re-establishment: companies[RE_ESTABLISHER]'s legal representative
# also leads the last company (when there are at least RE_ESTABLISHED_FROM companies).
RE_ESTABLISHER = 1
RE_ESTABLISHED_FROM = 12


@dataclass(frozen=True, slots=True)
class PenaltyProfile:
    """One kind of penalty a demo department gives: its kinds (which drive the severity class),
    fine range in 万元, share of all penalties, the violation, the provision cited (处罚依据)
    and what the decision says (处罚内容, the licence revoked) — the facts the measures'
    triggers read."""

    kinds: str
    fines: tuple[float, float]
    share: float
    violation: str
    basis: str
    content: str
    department: str
    licence: str = ""


PENALTY_PROFILES = (
    PenaltyProfile(
        "警告", (0, 0), 0.18, "未按规定公示年度报告", "《企业信息公示暂行条例》第十七条",
        "给予警告", "scjg",
    ),
    PenaltyProfile(
        "罚款", (0.05, 5), 0.30, "销售不符合食品安全标准的食品",
        "《中华人民共和国食品安全法》第一百二十四条第一款", "处罚款", "scjg",
    ),
    PenaltyProfile(
        "罚款,没收违法所得、没收非法财物", (1, 50), 0.14, "发布虚假广告",
        "《中华人民共和国广告法》第五十五条第一款", "没收广告费用，并处罚款", "scjg",
    ),
    PenaltyProfile(
        "罚款,责令停产停业", (5, 100), 0.10, "违法排放污染物",
        "《中华人民共和国环境保护法》第六十条", "处罚款，责令停产整治", "sthj",
    ),
    PenaltyProfile(
        "吊销许可证件", (0, 0), 0.04, "以欺骗手段取得建筑业企业资质",
        "《中华人民共和国行政许可法》第七十九条、第六十九条第二款",
        "撤销以欺骗手段取得的建筑业企业资质，吊销资质证书", "zjt", "建筑业企业资质证书",
    ),
    PenaltyProfile(
        "罚款,吊销许可证件", (1, 10), 0.04, "生产经营不符合食品安全标准的食品，情节严重",
        "《中华人民共和国食品安全法》第一百二十四条第一款",
        "处罚款，吊销食品经营许可证", "scjg", "食品经营许可证",
    ),
    PenaltyProfile(
        "吊销营业执照", (0, 0), 0.04, "成立后无正当理由超过六个月未开业",
        "《中华人民共和国公司法》第二百六十条第一款", "吊销营业执照", "scjg", "营业执照",
    ),
    PenaltyProfile(
        "罚款,限制从业", (2, 30), 0.06, "发生生产安全事故",
        "《中华人民共和国安全生产法》第一百一十四条", "处罚款，对主要负责人限制从业", "yjgl",
    ),
    PenaltyProfile(
        "罚款,其他", (0.5, 20), 0.04, "提供虚假材料谋取中标",
        "《中华人民共和国政府采购法》第七十七条第一款第（一）项",
        "处采购金额千分之五的罚款，列入不良行为记录名单，一年内禁止参加政府采购活动", "czt",
    ),
    PenaltyProfile(
        "罚款", (1, 30), 0.06, "串通投标",
        "《中华人民共和国招标投标法》第五十三条",
        "处中标项目金额千分之五的罚款，取消其一年内参加依法必须进行招标的项目的投标资格", "zjt",
    ),
)  # fmt: skip


def _penalty_cells(profile: PenaltyProfile, rng: random.Random) -> tuple[str, str, str, str]:
    """(处罚依据, 处罚内容, 罚款金额, 暂扣或吊销证照名称及编号) of one decision."""
    lo, hi = profile.fines
    fine = f"{rng.uniform(lo, hi):.2f}" if hi else ""
    content = profile.content + (f"{fine}万元" if fine and "罚款" in profile.content else "")
    licence = f"{profile.licence} {rng.randrange(10**8, 10**9)}" if profile.licence else ""
    return profile.basis, content, fine, licence


XZCF_HEADERS = (
    "CF_XDR_MC",
    "CF_XDR_LB",
    "CF_XDR_SHXYM",
    "CF_FRDB",
    "CF_FR_ZJLX",
    "CF_FR_ZJHM",
    "CF_XDR_ZJLX",
    "CF_XDR_ZJHM",
    "CF_WSH",
    "CF_WFXW",
    "CF_SY",
    "CF_YJ",
    "CF_CFLB",
    "CF_NR",
    "CF_NR_FK",
    "CF_NR_WFFF",
    "CF_NR_ZKDX",
    "CF_JDRQ",
    "CF_YXQ",
    "CF_GSJZQ",
    "CF_CFJG",
    "CF_CFJGDM",
    "CF_SJLY",
    "CF_SJLYDM",
    "BZ",
)
XZXK_HEADERS = (
    "XK_XDR_MC",
    "XK_XDR_LB",
    "XK_XDR_SHXYM",
    "XK_FRDB",
    "XK_FR_ZJLX",
    "XK_FR_ZJHM",
    "XK_XKWS",
    "XK_WSH",
    "XK_XKLB",
    "XK_XKZS",
    "XK_XKBH",
    "XK_NR",
    "XK_JDRQ",
    "XK_YXQZ",
    "XK_YXQZI",
    "XK_XKJG",
    "XK_XKJGDM",
    "XK_ZT",
    "XK_LYDW",
    "XK_LYDWDM",
    "BZ",
)
# The real 1995 registration files' header set, plus the legal representative's ID.
DJZC_HEADERS = (
    "企业名称",
    "统一社会信用代码",
    "注册日期",
    "企业类型",
    "法人代表",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "注册资金",
    "经营范围",
    "所在省份",
    "地区",
    "注册地址",
    "行业门类",
    "企业规模",
)
SXBZXR_HEADERS = (
    "被执行人名称",
    "统一社会信用代码",
    "法定代表人",
    "执行法院",
    "案号",
    "立案日期",
    "执行依据文号",
    "生效法律文书确定的义务",
    "履行情况",
    "失信被执行人行为具体情形",
    "发布日期",
)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    id_number: str


@dataclass(frozen=True, slots=True)
class Company:
    code: str
    name: str
    kind: str  # 企业类型
    founded: dt.date
    division: str
    division_name: str
    legal_rep: Person
    capital: str
    scope: str
    address: str
    industry: str = ""  # 行业门类 letter, "" when the registration states none
    size: str = ""  # 企业规模 label, "" when not stated (and for 个体工商户)


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    department: str
    item: str
    rows: int
    path: Path


class Province:
    """Deterministic generator of subjects for one province."""

    def __init__(self, seed: int, province: str = "61", today: dt.date | None = None) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.today = today or dt.date.today()
        self.province = province
        table = default_divisions()
        counties = [d for d in table.codes_in_use(province) if not d.code.endswith("00")]
        if not counties:
            raise ValueError(f"no divisions in use under {province}")
        self.counties = counties
        self.province_name = table.lookup(province + "0000").name or ""
        self._org_bodies: set[str] = set()
        self._names: set[str] = set()

    def _org_body(self) -> str:
        while True:
            body = "".join(self.rng.choice(ORG_ALPHABET) for _ in range(8))
            if body not in self._org_bodies:
                self._org_bodies.add(body)
                return body

    def _trade_name(self) -> str:
        first, second = self.rng.sample(TRADE_NAME_CHARS, 2)
        return first + second

    def person(self, division: str) -> Person:
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=self.rng.randrange(0, 365 * 50))
        body = f"{division}{birth:%Y%m%d}{self.rng.randrange(0, 1000):03d}"
        return Person(self.fake.name(), body + ric_check_char(body))

    def company(self) -> Company:
        county = self.rng.choice(self.counties)
        individual = self.rng.random() < 0.2
        industry, scope, category = self.rng.choice(INDUSTRIES)
        county_name = county.full_name or county.name or ""
        city = county_name.replace(self.province_name, "")[:2] or self.fake.city_name()[:2]
        if individual:
            name = f"{city}{self.fake.last_name()}{self.fake.first_name()[:1]}{industry}经营部"
            code = make_uscc("9", "2", county.code, self._org_body())
            kind = "个体工商户"
        else:
            suffix = self.rng.choice(SUFFIXES)
            name = ""
            while not name or name in self._names:  # one name, one code (else 错码)
                name = f"{city}{self._trade_name()}{industry}{suffix}"
            self._names.add(name)
            code = make_uscc("9", "1", county.code, self._org_body())
            kind = self.rng.choice(
                ("有限责任公司(自然人投资或控股)", "股份有限公司", "有限责任公司(国有独资)")
            )
        founded = dt.date(1995, 1, 1) + dt.timedelta(
            days=self.rng.randrange(0, (self.today - dt.date(1995, 1, 1)).days)
        )
        capital = f"{self.rng.choice((10, 50, 100, 200, 500, 1000, 5000))}万元人民币"
        return Company(
            code=code,
            name=name,
            kind=kind,
            founded=founded,
            division=county.code,
            division_name=county_name,
            legal_rep=self.person(county.code),
            capital=capital,
            scope=scope,
            address=f"{county_name}{self.fake.street_name()}{self.rng.randrange(1, 300)}号",
            # From the code, not the generator's random stream (the rest of the demo stays as
            # it was): about one registration in eight states neither.
            industry="" if _bucket(code, 8) == 0 else category,
            size="" if individual or _bucket(code, 8) == 0 else SIZES[_bucket(code, 7, 1)],
        )


def _bucket(code: str, n: int, salt: int = 0) -> int:
    return int(hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()[:8], 16) % n


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(0, max(1, (end - start).days)))


def _recent_or_older(rng: random.Random, founded: dt.date, today: dt.date) -> dt.date:
    """A decision date: most are recent and sent on time, some weeks late, some from the
    backlog of earlier years (whose publication periods may have ended)."""
    if rng.random() < 0.7:
        lag = rng.choice((1, 2, 3, 3, 4, 5, 5, 6, 8, 30))
        return max(founded, today - dt.timedelta(days=lag))
    return _date_between(rng, max(founded, dt.date(2020, 1, 1)), today - dt.timedelta(days=2))


def generate_files(
    out: Path,
    *,
    subjects: int,
    seed: int = 2019,
    province: str = "61",
    today: dt.date | None = None,
    with_errors: bool = True,
) -> list[GeneratedFile]:
    """Write one file per (department, item) into ``out`` and return what was written."""
    out.mkdir(parents=True, exist_ok=True)
    prov = Province(seed, province, today)
    rng = prov.rng
    today = prov.today
    companies = [prov.company() for _ in range(subjects)]
    if subjects >= RE_ESTABLISHED_FROM:
        # The last company was set up a few weeks ago by the legal representative of the
        # second: listing the second (demo.scenes) then raises a 易地开张 alert.
        companies[-1] = dataclasses.replace(
            companies[-1],
            legal_rep=companies[RE_ESTABLISHER].legal_rep,
            founded=today - dt.timedelta(days=20),
        )
    files: list[GeneratedFile] = []

    reg_rows = [
        [
            c.name,
            c.code,
            c.founded.strftime("%Y/%m/%d"),
            c.kind,
            c.legal_rep.name,
            "身份证",
            c.legal_rep.id_number,
            c.capital,
            c.scope,
            prov.province_name,
            c.division_name,
            c.address,
            c.industry,
            c.size,
        ]
        for c in companies
    ]
    files.append(_write(out / "scjg-登记注册.csv", DJZC_HEADERS, reg_rows, "scjg", "DJZC"))

    lic_rows = []
    for c in companies:
        if rng.random() < 0.6:
            decided = _recent_or_older(rng, c.founded, today)
            lic_rows.append(
                [
                    c.name,
                    "法人及非法人组织" if not c.code.startswith("92") else "个体工商户",
                    c.code,
                    c.legal_rep.name,
                    "身份证",
                    c.legal_rep.id_number,
                    "行政许可决定书",
                    f"陕许字〔{decided.year}〕{rng.randrange(1, 99999):05d}号",
                    rng.choice(("普通", "登记", "核准")),
                    "食品经营许可证",
                    f"JY{c.division}{rng.randrange(10**7, 10**8)}",
                    "准予食品经营许可",
                    decided.isoformat(),
                    decided.isoformat(),
                    (decided + dt.timedelta(days=365 * 5)).isoformat()
                    if rng.random() < 0.8
                    else "2099-12-31",
                    "省市场监督管理局",
                    department_uscc("scjg", province),
                    "1",
                    "省市场监督管理局",
                    department_uscc("scjg", province),
                    "",
                ]
            )
    files.append(_write(out / "scjg-行政许可.csv", XZXK_HEADERS, lic_rows, "scjg", "XZXK"))

    by_dept: dict[str, list[list[str]]] = {}
    cumulative = []
    acc = 0.0
    for profile in PENALTY_PROFILES:
        acc += profile.share
        cumulative.append((acc, profile))
    for c in companies:
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            pick = rng.random() * acc
            profile = next(p for a, p in cumulative if pick <= a)
            kinds, violation = profile.kinds, profile.violation
            decided = _recent_or_older(rng, c.founded, today)
            basis, content, fine, licence = _penalty_cells(profile, rng)
            dept = profile.department
            dept_name = next(d[1] for d in DEPARTMENTS if d[0] == dept)
            by_dept.setdefault(dept, []).append(
                [
                    c.name,
                    "法人及非法人组织" if not c.code.startswith("92") else "个体工商户",
                    c.code,
                    c.legal_rep.name,
                    "身份证",
                    c.legal_rep.id_number,
                    "",
                    "",
                    f"陕{dept_name[1:3]}罚〔{decided.year}〕{rng.randrange(1, 99999):05d}号",
                    violation,
                    f"当事人{violation}，经查属实。",
                    basis,
                    kinds,
                    content,
                    fine,
                    "",
                    licence,
                    decided.isoformat(),
                    "",
                    "",
                    dept_name,
                    department_uscc(dept, province),
                    dept_name,
                    department_uscc(dept, province),
                    "",
                ]
            )
    # Penalties on natural persons: kept internal (not public by default).
    for _ in range(max(1, subjects // 20)):
        county = rng.choice(prov.counties)
        p = prov.person(county.code)
        decided = _date_between(rng, dt.date(2021, 1, 1), today - dt.timedelta(days=2))
        by_dept.setdefault("yjgl", []).append(
            [
                p.name,
                "自然人",
                "",
                "",
                "",
                "",
                "身份证",
                p.id_number,
                f"陕应急罚〔{decided.year}〕{rng.randrange(1, 99999):05d}号",
                "违章作业",
                "当事人违章作业。",
                "《中华人民共和国安全生产法》",
                "罚款",
                "罚款",
                "0.1",
                "",
                "",
                decided.isoformat(),
                "",
                "",
                "省应急管理厅",
                "",
                "省应急管理厅",
                "",
                "",
            ]
        )
    if with_errors and companies:
        c = companies[0]
        bad = (
            list(by_dept.setdefault("scjg", [[]])[0])
            if by_dept["scjg"] and by_dept["scjg"][0]
            else None
        )
        if bad:
            wrong_check = bad.copy()
            wrong_check[2] = c.code[:-1] + ("0" if c.code[-1] != "0" else "1")
            wrong_check[8] += "-A"
            impossible = bad.copy()
            impossible[17] = f"{today.year - 1}-02-30"
            impossible[8] += "-B"
            negative = bad.copy()
            negative[14] = "-3"
            negative[8] += "-C"
            formula = bad.copy()
            formula[10] = '=HYPERLINK("http://example.invalid","点击")'
            formula[8] += "-D"
            by_dept["scjg"].extend([wrong_check, impossible, negative, formula])
    for dept, rows in sorted(by_dept.items()):
        files.append(_write(out / f"{dept}-行政处罚.csv", XZCF_HEADERS, rows, dept, "XZCF"))

    debtors = []
    for c in companies:
        if rng.random() < 0.03:
            filed = _date_between(rng, dt.date(2020, 1, 1), today - dt.timedelta(days=60))
            debtors.append(
                [
                    c.name,
                    c.code,
                    c.legal_rep.name,
                    "省高级人民法院",
                    f"（{filed.year}）陕执{rng.randrange(1, 9999)}号",
                    filed.isoformat(),
                    f"（{filed.year - 1}）陕民初{rng.randrange(1, 9999)}号",
                    "支付货款及利息",
                    "全部未履行",
                    "有履行能力而拒不履行生效法律文书确定义务",
                    (filed + dt.timedelta(days=rng.randrange(30, 120))).isoformat(),
                ]
            )
    files.append(_write(out / "gy-失信被执行人.csv", SXBZXR_HEADERS, debtors, "gy", "SXBZXR"))
    return files


def _write(
    path: Path, headers: tuple[str, ...], rows: list[list[str]], dept: str, item: str
) -> GeneratedFile:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    return GeneratedFile(dept, item, len(rows), path)


def penalty_rows(
    n: int, seed: int = 7, province: str = "61", today: dt.date | None = None
) -> Iterator[list[str]]:
    """``n`` valid, distinct penalty rows (XZCF_HEADERS order) for benchmarks."""
    prov = Province(seed, province, today)
    rng = prov.rng
    today = prov.today
    pool = [prov.company() for _ in range(min(n, 5000))]
    for i in range(n):
        c = pool[i % len(pool)]
        fresh = i >= len(pool)
        code = make_uscc("9", "1", c.division, prov._org_body()) if fresh else c.code
        # Distinct subjects get distinct names, or every row would be a 错码 flag.
        name = f"{c.name[:2]}{i}{c.name[2:]}" if fresh else c.name
        # A fresh company has its own legal representative: a pool's 5,000 people leading a
        # million companies would make every list entry an alert about 200 other companies.
        rep = prov.person(c.division) if fresh else c.legal_rep
        profile = PENALTY_PROFILES[i % len(PENALTY_PROFILES)]
        kinds, violation = profile.kinds, profile.violation
        basis, content, fine, licence = _penalty_cells(profile, rng)
        decided = today - dt.timedelta(days=2 + rng.randrange(0, 900))
        yield [
            name,
            "法人及非法人组织",
            code,
            rep.name,
            "身份证",
            rep.id_number,
            "",
            "",
            f"陕市监罚〔{decided.year}〕{i:08d}号",
            violation,
            f"当事人{violation}，经查属实。",
            basis,
            kinds,
            content,
            fine,
            "",
            licence,
            decided.isoformat(),
            "",
            "",
            "省市场监督管理局",
            "",
            "省市场监督管理局",
            "",
            "",
        ]
