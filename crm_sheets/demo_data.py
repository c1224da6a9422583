"""A realistic CRM workbook's content, with a manifest of the problems planted in it.

Everything is drawn with numpy in whole columns, so 100,000 customers and a
million follow-ups (the benchmark's size) take seconds.  The data is clean
except for what is listed in ``Demo.planted`` (validation problems, one per
cell) and ``Demo.duplicates`` (the same company entered again, differently).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import zhconv

from . import schema, values
from .demo_work import team_contacts, worked_until

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤")
SURNAME_PINYIN = ["wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo", "he", "gao", "lin", "luo", "zheng", "liang", "xie", "song", "tang", "xu", "han", "feng", "deng", "cao", "peng", "zeng", "xiao", "tian", "dong", "yuan", "pan", "yu", "jiang", "cai", "yu", "du", "ye", "cheng", "su", "wei", "lv", "ding", "ren", "shen", "yao", "lu", "jiang", "cui", "zhong", "tan", "lu", "wang", "fan", "jin", "shi", "liao", "jia", "xia", "wei", "fang", "bai", "zou", "meng", "xiong", "qin", "qiu", "jiang", "yin", "xue", "duan", "lei", "hou", "long", "shi", "tao", "li", "he", "gu", "mao", "hao", "gong", "shao", "wan", "qian", "yan", "qin", "wu", "dai", "mo", "kong", "tang"]
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志文博宇浩然涵欣怡梓轩诗雨萱俊晓东海燕春梅红丹鹏飞辉斌宁玲琳颖慧婷倩雪")
CITIES = (
    ("北京", "010", "bj"), ("上海", "021", "sh"), ("广州", "020", "gz"), ("深圳", "0755", "sz"), ("杭州", "0571", "hz"),
    ("南京", "025", "nj"), ("成都", "028", "cd"), ("武汉", "027", "wh"), ("苏州", "0512", "suz"), ("天津", "022", "tj"),
    ("重庆", "023", "cq"), ("西安", "029", "xa"), ("长沙", "0731", "cs"), ("郑州", "0371", "zz"), ("青岛", "0532", "qd"),
    ("宁波", "0574", "nb"), ("东莞", "0769", "dg"), ("佛山", "0757", "fs"), ("合肥", "0551", "hf"), ("厦门", "0592", "xm"),
)
BRAND_FIRST = (("瑞", "rui"), ("恒", "heng"), ("华", "hua"), ("金", "jin"), ("鼎", "ding"), ("宏", "hong"), ("新", "xin"),
               ("天", "tian"), ("博", "bo"), ("汇", "hui"), ("嘉", "jia"), ("永", "yong"), ("中", "zhong"), ("东", "dong"),
               ("立", "li"), ("盛", "sheng"), ("德", "de"), ("安", "an"), ("明", "ming"), ("星", "xing"), ("海", "hai"),
               ("启", "qi"), ("正", "zheng"), ("佳", "jia"), ("万", "wan"), ("顺", "shun"), ("康", "kang"), ("泰", "tai"))
BRAND_SECOND = (("丰", "feng"), ("达", "da"), ("信", "xin"), ("科", "ke"), ("盛", "sheng"), ("图", "tu"), ("元", "yuan"),
                ("润", "run"), ("远", "yuan"), ("通", "tong"), ("禾", "he"), ("泰", "tai"), ("联", "lian"), ("方", "fang"),
                ("邦", "bang"), ("辉", "hui"), ("航", "hang"), ("峰", "feng"), ("源", "yuan"), ("宇", "yu"), ("诚", "cheng"),
                ("创", "chuang"), ("成", "cheng"), ("兴", "xing"), ("和", "he"), ("力", "li"))
TRADES = {
    "制造业": ("机械", "精密制造", "电子", "五金制品"), "批发零售": ("商贸", "贸易"),
    "信息技术": ("科技", "信息技术", "软件", "网络科技"), "教育培训": ("教育科技", "培训"),
    "医疗健康": ("医疗器械", "生物科技", "健康管理"), "金融服务": ("投资咨询", "财务咨询"),
    "房地产": ("置业", "物业管理"), "建筑工程": ("建设工程", "建筑装饰"), "物流运输": ("物流", "供应链管理", "货运"),
    "餐饮酒店": ("餐饮管理", "酒店管理"), "文化传媒": ("文化传媒", "广告"), "农业": ("农业科技", "生态农业"),
    "能源化工": ("新能源", "化工"), "专业服务": ("企业管理咨询", "人力资源"), "其他": ("实业",),
}
SUFFIXES = (("有限公司", 0.72), ("有限责任公司", 0.14), ("股份有限公司", 0.06), ("商贸行", 0.03), ("", 0.05))
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "158", "159", "166", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "199"]
TEAM = (
    ("张伟", "zhangwei@example.com", "经理", ""), ("李娜", "lina@example.com", "销售", "张伟"),
    ("王强", "wangqiang@example.com", "销售", "张伟"), ("陈静", "chenjing@example.com", "销售", "张伟"),
    ("刘洋", "liuyang@example.com", "销售", "张伟"), ("赵敏", "zhaomin@example.com", "销售", "张伟"),
    ("孙丽", "sunli@example.com", "客服", "张伟"), ("周杰", "zhoujie@example.com", "客服", "张伟"),
)
ACTIONS = ("介绍了", "演示了", "报价了", "详细讲解了", "对比了竞品和我们的", "确认了")
PRODUCTS = ("新款数控机床", "ERP 系统", "年度服务套餐", "定制包装方案", "企业培训课程", "物流专线服务",
            "智能仓储方案", "办公耗材集采", "云服务器套餐", "售后维保合同")
CONCERNS = ("客户关心交期", "客户比较在意价格", "对售后响应速度有疑问", "需要和老板商量后答复", "希望先试用一个月",
            "要求提供同行业案例", "想分两期付款", "对方案整体满意")
NO_ANSWER = ("电话无人接听，稍后再拨", "对方占线，约好明天再联系", "消息已发出，客户暂未回复")
NEXT_STEPS = ("周五前发正式报价单", "下周二上门演示", "三天内寄送样品", "月底前提供合同草稿", "下周回访确认试用效果",
              "安排技术人员电话答疑", "明天上午再打一次电话", "整理案例资料后发邮件")
FEEDBACK = ("价格可以接受", "觉得价格偏高", "对样品质量满意", "需要再比较几家", "希望增加售后保障", "暂时没有采购计划",
            "对交期比较满意", "要求再优惠一些")
ORDER_NOTES = ("含税", "分两期付款", "年度框架协议", "首批试单", "加急发货")
TAGS = [t for t in schema.OPTION_LISTS["标签字典"] if not t.startswith("自动-")]
N_UNASSIGNED = 20
HISTORY_DAYS = 1000  # how far back the first customers came in


@dataclass
class Demo:
    frames: dict[str, pd.DataFrame]
    planted: pd.DataFrame
    duplicates: list[list[str]] = field(default_factory=list)
    unassigned_rows: list[int] = field(default_factory=list)


def make_demo(today: dt.date, seed: int = 7, n_customers: int = 2000, n_followups: int = 100_000,
              n_orders: int | None = None, n_tickets: int | None = None) -> Demo:
    """Customers, follow-ups, orders, tickets and the team, as of ``today``.

    Orders and tickets default to what that many customers produce (about 1.4 orders and 0.3
    tickets per customer); the benchmarks ask for exact counts.
    """
    rng = np.random.default_rng(seed)
    now = pd.Timestamp(today)
    customers = _customers(rng, n_customers, now)
    customers, clusters = _with_duplicates(rng, customers, now)
    customers = _with_ids(customers)
    customers["_until"] = worked_until(rng, customers, now, n_followups)
    # A contract to renew belongs to a customer the team still works on.
    customers.loc[customers["_until"] < now, "合同到期日"] = pd.NaT
    ids = customers["客户编号"].to_numpy()
    duplicates = [[str(ids[p]) for p in members] for members in clusters]
    orders = _orders(rng, customers, now, n_orders)
    tickets = _tickets(rng, customers, now, n_tickets)
    followups = _followups(rng, customers, team_contacts(rng, customers, orders, tickets, now, n_followups))
    customers = _with_unassigned(rng, customers, now)
    frames = {
        schema.CUSTOMERS.name: customers,
        schema.FOLLOWUPS.name: followups,
        schema.ORDERS.name: orders,
        schema.TICKETS.name: tickets,
        schema.TEAM.name: pd.DataFrame(list(TEAM), columns=schema.TEAM.headers[:4]),
    }
    taken = set(np.flatnonzero(customers["客户编号"].isin({i for c in duplicates for i in c}).to_numpy()).tolist())
    planted = _plant(rng, frames, now, avoid_rows=taken)
    unassigned = [int(i) + 2 for i in np.flatnonzero(frames[schema.CUSTOMERS.name]["客户编号"].to_numpy() == "")]
    for name, frame in frames.items():
        frames[name] = frame[[h for h in _headers(name) if h in frame.columns]].reset_index(drop=True)
    return Demo(frames=frames, planted=planted, duplicates=duplicates, unassigned_rows=unassigned)


def _headers(sheet_name: str) -> list[str]:
    return schema.SHEETS_BY_NAME[sheet_name].headers


def _pick(rng: np.random.Generator, items, n: int, p=None) -> np.ndarray:
    return np.asarray(items, dtype=object)[rng.choice(len(items), size=n, p=p)]


def _people(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Person names (surname + one or two given characters) and the surname's index."""
    s = rng.integers(0, len(SURNAMES), n)
    g1 = _pick(rng, GIVEN, n)
    g2 = np.where(rng.random(n) < 0.7, _pick(rng, GIVEN, n), "")
    return np.asarray(SURNAMES, dtype=object)[s] + g1 + g2, s


def _mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    prefix = _pick(rng, MOBILE_PREFIXES, n)
    rest = pd.Series(rng.integers(0, 10**8, n)).map("{:08d}".format).to_numpy(dtype=object)
    return prefix + rest


def _written_phones(rng: np.random.Generator, mobiles: np.ndarray, city: np.ndarray) -> np.ndarray:
    """The same kind of number written the many ways staff write it."""
    n = len(mobiles)
    s = pd.Series(mobiles)
    styles = rng.choice(5, size=n, p=[0.55, 0.15, 0.1, 0.1, 0.1])
    dashed = s.str[:3] + "-" + s.str[3:7] + "-" + s.str[7:]
    spaced = "+86 " + s.str[:3] + " " + s.str[3:7] + " " + s.str[7:]
    grouped = s.str[:3] + " " + s.str[3:7] + " " + s.str[7:]
    area = pd.Series([CITIES[c][1] for c in city])
    local_len = np.where(area.str.len() == 3, 8, rng.choice([7, 8], size=n))
    local = pd.Series(rng.integers(2 * 10**7, 9 * 10**7, n)).astype(str).str[: 8]
    local = pd.Series([x[:k] for x, k in zip(local, local_len)])
    landline = area + "-" + local
    out = np.select([styles == 1, styles == 2, styles == 3, styles == 4], [dashed, spaced, grouped, landline], s)
    return out.astype(object)


def _customers(rng: np.random.Generator, n: int, now: pd.Timestamp) -> pd.DataFrame:
    industries = np.asarray(list(TRADES), dtype=object)
    industry = industries[rng.choice(len(industries), n, p=_weights(len(industries), rng))]
    city = rng.integers(0, len(CITIES), n)
    # Distinct (brand, city) per customer, drawn without replacement: a registered name is unique within its
    # city's authority, so two firms of one name there would be one firm.  Past the two-character brands'
    # room a third character is drawn.
    first = np.asarray([c for c, _ in BRAND_FIRST], dtype=object)
    first_py = np.asarray([p for _, p in BRAND_FIRST], dtype=object)
    second = np.asarray([c for c, _ in BRAND_SECOND], dtype=object)
    second_py = np.asarray([p for _, p in BRAND_SECOND], dtype=object)
    thirds = 1 if len(first) * len(second) * len(CITIES) >= n else len(second)
    combo = rng.choice(len(first) * len(second) * thirds * len(CITIES), size=n, replace=False)
    b1, rest = np.divmod(combo, len(second) * thirds * len(CITIES))
    b2, rest = np.divmod(rest, thirds * len(CITIES))
    b3, city = np.divmod(rest, len(CITIES))
    brand = first[b1] + second[b2] + (second[b3] if thirds > 1 else "")
    brand_py = first_py[b1] + second_py[b2] + (second_py[b3] if thirds > 1 else "")
    trade = np.asarray([TRADES[i][k % len(TRADES[i])] for i, k in zip(industry, rng.integers(0, 4, n))], dtype=object)
    suffix = _pick(rng, [s for s, _ in SUFFIXES], n, p=[p for _, p in SUFFIXES])
    city_name = np.asarray([c[0] for c in CITIES], dtype=object)[city]
    bracketed = rng.random(n) < 0.1
    name = np.where(bracketed, brand + trade + "(" + city_name + ")" + suffix, city_name + brand + trade + suffix)
    contact, surname = _people(rng, n)
    person = (suffix == "") & (rng.random(n) < 0.5)
    name = np.where(person, contact, name)
    email_local = _pick(rng, ("sales", "info", "service", "contact", "purchase", "market"), n)
    city_py = np.asarray([c[2] for c in CITIES], dtype=object)[city]
    email = np.where(rng.random(n) < 0.6, email_local + "@" + brand_py + city_py + ".com", "")
    # As many new customers each day of the last HISTORY_DAYS, up to yesterday: every month has its share.
    days = 1 + ((np.arange(n) + rng.random(n)) * (HISTORY_DAYS - 1) / n).astype(int)
    created = now.normalize() - pd.to_timedelta(rng.permutation(days), unit="D") + pd.to_timedelta(
        rng.integers(9 * 60, 18 * 60, n), unit="min")
    order = np.argsort(created.to_numpy(), kind="stable")
    stage = _pick(rng, ("潜在客户", "意向客户", "成交客户"), n, p=[0.4, 0.3, 0.3])
    tags = _tags(rng, n)
    frame = pd.DataFrame({
        "客户名称": name, "所属行业": industry, "联系人姓名": contact,
        "联系电话": _written_phones(rng, _mobiles(rng, n), city),
        "联系邮箱": email, "客户来源": _pick(rng, schema.OPTION_LISTS["客户来源"], n),
        "客户标签": tags, "负责人": _pick(rng, [m[0] for m in TEAM[:6]], n),
        "创建时间": created,
        "合同到期日": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
        "_stage": stage, "_surname": surname,
    }).iloc[order].reset_index(drop=True)
    deal = frame["_stage"] == "成交客户"
    renew = deal & (rng.random(n) < 0.4)
    frame.loc[renew, "合同到期日"] = now.normalize() + pd.to_timedelta(rng.integers(-60, 400, int(renew.sum())), unit="D")
    return frame


def _weights(k: int, rng: np.random.Generator) -> np.ndarray:
    w = rng.random(k) + 0.3
    return w / w.sum()


def _tags(rng: np.random.Generator, n: int) -> np.ndarray:
    categories = pd.Series(TAGS).str.split("-").str[0]
    by_category = [list(g) for _, g in pd.Series(TAGS).groupby(categories, sort=False)]
    count = rng.choice(4, size=n, p=[0.35, 0.3, 0.25, 0.1])
    picked = []
    for k in count:
        cats = rng.choice(len(by_category), size=k, replace=False)
        picked.append(",".join(by_category[c][rng.integers(0, len(by_category[c]))] for c in cats))
    return np.asarray(picked, dtype=object)


def _with_duplicates(rng: np.random.Generator, customers: pd.DataFrame, now: pd.Timestamp
                     ) -> tuple[pd.DataFrame, list[list[int]]]:
    """Enter ~2 % of companies again the ways people do: returns frame and clusters of positions."""
    n_clusters = max(2, len(customers) // 50)
    companies = customers.index[customers["客户名称"].str.len() > 6]
    bases = rng.choice(companies, size=min(n_clusters, len(companies)), replace=False)
    variants = []
    clusters: list[list[int]] = []
    position = len(customers)
    for k, base in enumerate(bases):
        members = [int(base)]
        for j in range(1 + (k % 3 == 0)):
            row = customers.loc[base].copy()
            row["客户名称"] = _name_variant(row["客户名称"], k + j)
            if (k + j) % 2:
                digits = values.normalize_phone(pd.Series([row["联系电话"]])).iloc[0]
                if digits and "-" not in digits:
                    row["联系电话"] = f"+86 {digits[:3]}-{digits[3:7]}-{digits[7:]}"
            if row["联系邮箱"] and (k + j) % 3 == 1:
                row["联系邮箱"] = row["联系邮箱"].upper()
            if (k + j) % 4 == 3:
                row["联系人姓名"] = row["联系人姓名"][0] + "经理"
            row["创建时间"] = row["创建时间"] + pd.Timedelta(days=int(rng.integers(1, 30)))
            row["创建时间"] = min(row["创建时间"], now - pd.Timedelta(days=2))
            variants.append(row)
            members.append(position)
            position += 1
        clusters.append(members)
    merged = pd.concat([customers, pd.DataFrame(variants)], ignore_index=True)
    return merged, clusters


def _name_variant(name: str, k: int) -> str:
    city = next((c for c, _, _ in CITIES if name.startswith(c)), None)
    style = k % 5
    if style == 0 and city:
        body = name[len(city):]
        for suffix in ("有限责任公司", "股份有限公司", "有限公司"):
            if body.endswith(suffix):
                return f"{body[: -len(suffix)]}（{city}）{suffix}"
    if style == 1:
        return zhconv.convert(name, "zh-hant")
    if style == 2 and name.endswith("有限公司") and not name.endswith("有限责任公司"):
        return name[: -len("有限公司")] + "有限责任公司"
    if style == 3:
        return name[:2] + " " + name[2:] + " "
    return name.replace("(", "（").replace(")", "）") if "(" in name else name[:2] + "　" + name[2:]


def _with_ids(customers: pd.DataFrame) -> pd.DataFrame:
    """CRM + creation date + serial within that date, in row order (ids are unique)."""
    day = customers["创建时间"].dt.strftime("%Y%m%d")
    serial = customers.groupby(day).cumcount() + 1
    out = customers.copy()
    out["客户编号"] = "CRM" + day + serial.map("{:05d}".format)
    return out


def _with_unassigned(rng: np.random.Generator, customers: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """New customers typed in today: no id or creation time yet."""
    fresh = _customers(rng, N_UNASSIGNED, now)
    fresh["客户名称"] = fresh["客户名称"].where(~fresh["客户名称"].isin(customers["客户名称"]), fresh["客户名称"] + "分部")
    fresh["客户编号"] = ""
    fresh["创建时间"] = pd.NaT
    fresh["合同到期日"] = pd.NaT
    return pd.concat([customers, fresh], ignore_index=True)


def _followups(rng: np.random.Generator, customers: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """跟进记录 rows for the team's contacts: the stage climbs over the first contacts and holds over recent work."""
    frame = contacts.sort_values(["客户编号", "time"], kind="stable").reset_index(drop=True)
    n = len(frame)
    c = customers.drop_duplicates("客户编号").set_index("客户编号").loc[frame["客户编号"]].reset_index()
    rank = frame.groupby("客户编号").cumcount()
    ladder = c["_stage"].map({"潜在客户": 0, "意向客户": 1, "成交客户": 2}).to_numpy()
    # A step a contact: customers become 意向/成交 soon after they come in, as steadily as they come in.
    step = np.minimum(rank.to_numpy(), ladder)
    step = np.where(frame["recent"].to_numpy(dtype=bool), ladder, step)
    channel = _pick(rng, ("电话", "微信", "邮件", "面谈", "短信", "视频会议"), n, p=[0.45, 0.3, 0.08, 0.1, 0.02, 0.05])
    channel = np.where(frame["kind"] == "unreachable", "电话", channel)
    written = np.isin(channel, ("微信", "邮件", "短信"))
    answered = (frame["kind"] == "answered").to_numpy()
    result = np.where(written, np.where(answered, "已回复", "未回复"), np.where(answered, "已接通", "未接通"))
    content = _pick(rng, ACTIONS, n) + _pick(rng, PRODUCTS, n) + "，" + _pick(rng, CONCERNS, n)
    content = np.where(answered, content, _pick(rng, NO_ANSWER, n))
    own = rng.random(n) < 0.9
    by = np.where(own, c["负责人"].to_numpy(), _pick(rng, [m[0] for m in TEAM[1:]], n))
    optional = rng.random(n)
    return pd.DataFrame({
        "客户编号": frame["客户编号"].to_numpy(), "跟进时间": frame["time"].to_numpy(), "跟进人": by,
        "沟通方式": channel, "联系结果": result, "沟通内容": content,
        "下一步计划": _pick(rng, NEXT_STEPS, n), "客户反馈": _pick(rng, FEEDBACK, n),
        "跟进状态": np.asarray(["潜在客户", "意向客户", "成交客户"], dtype=object)[step],
        "问题类型": np.where(optional < 0.2, _pick(rng, schema.OPTION_LISTS["问题类型"], n), ""),
        "满意度": np.where(optional < 0.3, _pick(rng, schema.OPTION_LISTS["满意度"], n), ""),
        "话术版本": np.where(optional < 0.6, _pick(rng, ("A", "B"), n), ""),
    })


def _orders(rng: np.random.Generator, customers: pd.DataFrame, now: pd.Timestamp, n: int | None
            ) -> pd.DataFrame:
    deal = np.flatnonzero((customers["_stage"] == "成交客户").to_numpy())
    buyers = customers.iloc[deal]
    days = (buyers["_until"].clip(upper=now.normalize() - pd.Timedelta(days=1)) - buyers["创建时间"].dt.normalize()
            ).dt.days.clip(lower=0).to_numpy() + 1
    # Every buyer has a first order; the rest come at one rate per day a buyer is worked on, so each month
    # has as many orders as buyers then.
    share = days / days.sum()
    more = rng.poisson(3.5 * len(deal) * share) if n is None else rng.multinomial(max(n - len(deal), 0), share)
    who = np.repeat(deal, 1 + more)
    n = len(who)
    c = customers.iloc[who].reset_index(drop=True)
    last_day = c["_until"].clip(upper=now.normalize() - pd.Timedelta(days=1))
    span = (last_day - c["创建时间"].dt.normalize()).dt.days.clip(lower=0)
    # A buyer's first order comes within its first weeks (so as many first orders a month as buyers come in),
    # the others at random over the time it is worked on.
    lead = np.arange(n) == np.searchsorted(who, who)
    days = np.where(lead, np.minimum(rng.integers(0, 21, n), span), (rng.random(n) * (span + 1)).astype(int))
    date = c["创建时间"].dt.normalize() + pd.to_timedelta(days, unit="D")
    frame = pd.DataFrame({"_who": who, "日期": date}).sort_values(["_who", "日期"], kind="stable").reset_index(drop=True)
    first = frame.groupby("_who").cumcount() == 0
    later = _pick(rng, ("复购", "签约", "续约", "退款"), n, p=[0.6, 0.15, 0.17, 0.08])
    kind = np.where(first, np.where(rng.random(n) < 0.8, "首购", "签约"), later)
    amount = np.round(rng.lognormal(9.6, 0.9, n), -2).clip(min=300)
    note = np.where(rng.random(n) < 0.25, _pick(rng, ORDER_NOTES, n), "")
    frame = frame.sort_values("日期", kind="stable")
    ids = customers["客户编号"].to_numpy()[frame["_who"].to_numpy()]
    return pd.DataFrame({"客户编号": ids, "日期": frame["日期"].to_numpy(), "金额": amount[frame.index],
                         "类型": kind[frame.index], "备注": note[frame.index]})


def _tickets(rng: np.random.Generator, customers: pd.DataFrame, now: pd.Timestamp, n: int | None
             ) -> pd.DataFrame:
    deal = np.flatnonzero((customers["_stage"] == "成交客户").to_numpy())
    n = n or max(1, len(customers) * 3 // 10)
    who = rng.choice(deal, size=n)
    c = customers.iloc[who].reset_index(drop=True)
    span = (c["_until"].clip(upper=now) - c["创建时间"]).dt.total_seconds().clip(lower=0) / 60
    opened = (c["创建时间"] + pd.to_timedelta((rng.random(n) * span * 0.98).astype(int), unit="min")).dt.floor("min")
    order = np.argsort(opened.to_numpy(), kind="stable")
    c, opened = c.iloc[order].reset_index(drop=True), opened.iloc[order].reset_index(drop=True)
    status = _pick(rng, ("待处理", "处理中", "已解决"), n, p=[0.1, 0.15, 0.75])
    resolved = opened + pd.to_timedelta(rng.integers(60, 5 * 24 * 60, n), unit="min")
    done = (status == "已解决") & (resolved < now).to_numpy()
    status = np.where((status == "已解决") & ~done, "处理中", status)
    years = opened.dt.year.astype(str)
    serial = opened.groupby(years).cumcount() + 1
    return pd.DataFrame({
        "工单编号": "GD" + years + serial.map("{:06d}".format), "客户编号": c["客户编号"].to_numpy(),
        "类型": _pick(rng, schema.OPTION_LISTS["工单类型"], n), "受理时间": opened,
        "负责人": _pick(rng, [m[0] for m in TEAM[6:]], n), "状态": status,
        "解决时间": resolved.where(done), "满意度": np.where(done & (rng.random(n) < 0.7),
                                                       _pick(rng, schema.OPTION_LISTS["满意度"], n), ""),
    })


def id_number(seed: int) -> str:
    """A checksum-valid (fictitious) 身份证号."""
    body = f"110105{1970 + seed % 30}{1 + seed % 12:02d}{1 + seed % 28:02d}{seed % 1000:03d}"
    return next(body + c for c in "0123456789X" if values.is_id_number(body + c))


def _plain_id_number(seed: int) -> str:
    """id_number(seed) or a later one whose digits do not also read as a card number (one problem per cell)."""
    while not values.find_sensitive(pd.Series([number := id_number(seed)]))[1].empty:
        seed += 1
    return number


def bank_card(seed: int) -> str:
    """A Luhn-valid (fictitious) 19-digit card number written in groups of four."""
    body = f"622202{seed:012d}"
    digits = next(body + c for c in "0123456789" if values.is_bank_card(body + c))
    return " ".join(digits[i: i + 4] for i in range(0, len(digits), 4))


def _plant(rng: np.random.Generator, frames: dict[str, pd.DataFrame], now: pd.Timestamp, avoid_rows: set[int]
           ) -> pd.DataFrame:
    """Put one known problem into each of a few cells; return where (sheet, Excel row, column, code)."""
    planted: list[tuple[str, int, str, str]] = []
    customers = frames[schema.CUSTOMERS.name]
    assigned = np.flatnonzero(customers["客户编号"].to_numpy() != "")
    free = [i for i in assigned if i not in avoid_rows and i > 5]
    spots = iter(rng.choice(free, size=12, replace=False))

    def put(sheet: str, frame: pd.DataFrame, i: int, column: str, value: object, code: str) -> None:
        if frame[column].dtype != object:
            frame[column] = frame[column].astype(object)
        frame.at[i, column] = value
        planted.append((sheet, int(i) + 2, column, code))

    c = schema.CUSTOMERS.name
    for column, value, code in (
        ("联系电话", "", "required_missing"), ("所属行业", "", "required_missing"),
        ("联系电话", "1381234567", "bad_phone"), ("联系电话", "电话见微信", "bad_phone"),
        ("联系邮箱", "wang@@qq.com", "bad_email"), ("所属行业", "互联网+", "unknown_option"),
        ("负责人", "赵六", "unknown_member"), ("联系人姓名", "某总", "vague_contact"),
        ("联系人姓名", "王总?", "vague_contact"), ("联系人姓名", "经理", "vague_contact"),
        ("客户标签", "需求-价格敏感,预算低", "bad_tag"),
    ):
        put(c, customers, next(spots), column, value, code)
    # The same 客户编号 typed again on a later, otherwise new row.
    twin = customers.loc[next(spots)].copy()
    twin["客户名称"], twin["联系电话"] = "成都蓉城餐饮管理有限公司", "028-86543210"
    twin["所属行业"], twin["联系邮箱"] = "餐饮酒店", ""
    last = int(np.max(assigned))
    frames[c] = customers = pd.concat([customers.iloc[: last + 1], twin.to_frame().T, customers.iloc[last + 1:]],
                                      ignore_index=True)
    planted.append((c, last + 3, "客户编号", "duplicate_id"))

    f = schema.FOLLOWUPS.name
    followups = frames[f]
    rows = iter(rng.choice(len(followups), size=12, replace=False))
    for column, value, code in (
        ("跟进时间", "2024-13-45", "bad_date"), ("跟进时间", now + pd.Timedelta(days=30), "future_date"),
        ("沟通方式", "飞书", "unknown_option"), ("跟进人", "赵六", "unknown_member"),
        ("客户编号", "CRM2099010100001", "unknown_customer"), ("沟通内容", "已沟通", "vague_content"),
        ("沟通内容", "询问需求", "vague_content"), ("沟通内容", "有合作意向", "vague_content"),
        ("下一步计划", "待定", "vague_content"), ("客户反馈", "", "required_missing"),
        ("客户反馈", f"客户发来法人身份证号 {_plain_id_number(int(rng.integers(1, 999)))} 用于开票", "id_number"),
    ):
        put(f, followups, next(rows), column, value, code)

    o = schema.ORDERS.name
    orders = frames[o]
    rows = iter(rng.choice(len(orders), size=3, replace=False))
    put(o, orders, next(rows), "金额", "五千", "bad_number")
    put(o, orders, next(rows), "金额", -3000.0, "bad_number")
    put(o, orders, next(rows), "备注", f"退款请打到卡号 {bank_card(int(rng.integers(1, 10**9)))}", "bank_card")

    t = schema.TICKETS.name
    tickets = frames[t]
    first, later = sorted(rng.choice(len(tickets), size=2, replace=False))
    put(t, tickets, later, "工单编号", tickets.at[first, "工单编号"], "duplicate_id")
    return pd.DataFrame(planted, columns=["sheet", "row", "column", "code"]).sort_values(
        ["sheet", "row"], kind="stable").reset_index(drop=True)
