"""A labelled evaluation set for duplicate detection (issue 4, point 2).

    python benchmarks/dedupe_sets/dedupe_eval.py [--records 170000] [--seed 1]   -> benchmarks/dedupe_sets/.cache/dedupe-eval-<seed>.csv

Each record carries ``entity``: records with the same entity are one customer.
About 30 % of companies are entered again with one to three of the variants a
person still recognises (city moved into brackets, 北京市, another legal form,
traditional or full-width characters, stray spaces, a dropped or wrong
character, the phone written differently, the e-mail in other case, the
contact as 王经理, a new phone, new phone and e-mail).  Hard negatives are
different entities on purpose: the same brand in another city, a branch
office, the same brand in another trade, switchboards shared by several
firms, and agents who file for several firms with their own phone, e-mail and
name.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import pandas as pd
import zhconv

CACHE = Path(__file__).parent / ".cache"
CITIES = [
    ("北京", "010", ""), ("上海", "021", ""), ("广州", "020", "广东"), ("深圳", "0755", "广东"), ("杭州", "0571", "浙江"),
    ("南京", "025", "江苏"), ("成都", "028", "四川"), ("武汉", "027", "湖北"), ("苏州", "0512", "江苏"),
    ("天津", "022", ""), ("重庆", "023", ""), ("西安", "029", "陕西"), ("长沙", "0731", "湖南"), ("郑州", "0371", "河南"),
    ("青岛", "0532", "山东"), ("宁波", "0574", "浙江"), ("东莞", "0769", "广东"), ("佛山", "0757", "广东"),
    ("合肥", "0551", "安徽"), ("厦门", "0592", "福建"), ("济南", "0531", "山东"), ("福州", "0591", "福建"),
    ("无锡", "0510", "江苏"), ("大连", "0411", "辽宁"), ("沈阳", "024", "辽宁"), ("昆明", "0871", "云南"),
    ("哈尔滨", "0451", "黑龙江"), ("长春", "0431", "吉林"), ("石家庄", "0311", "河北"), ("南昌", "0791", "江西"),
    ("贵阳", "0851", "贵州"), ("南宁", "0771", "广西"), ("太原", "0351", "山西"), ("兰州", "0931", "甘肃"),
    ("温州", "0577", "浙江"), ("泉州", "0595", "福建"), ("烟台", "0535", "山东"), ("常州", "0519", "江苏"),
    ("珠海", "0756", "广东"), ("中山", "0760", "广东"), ("惠州", "0752", "广东"), ("嘉兴", "0573", "浙江"),
    ("绍兴", "0575", "浙江"), ("南通", "0513", "江苏"), ("徐州", "0516", "江苏"), ("潍坊", "0536", "山东"),
    ("洛阳", "0379", "河南"), ("宜昌", "0717", "湖北"), ("襄阳", "0710", "湖北"), ("株洲", "0731", "湖南"),
    ("芜湖", "0553", "安徽"), ("扬州", "0514", "江苏"), ("镇江", "0511", "江苏"), ("台州", "0576", "浙江"),
    ("金华", "0579", "浙江"), ("海口", "0898", "海南"), ("乌鲁木齐", "0991", "新疆"), ("呼和浩特", "0471", "内蒙古"),
]
BRAND_CHARS = list("瑞丰恒达华信金科鼎盛宏图新元天润博远汇通嘉禾永泰中联东方立邦世德安明辉星辰海航启正同佳万顺康诚"
                   "创兴和力源宇峰凯腾龙飞祥云隆昌富贵鸿运锦绣宝利嘉豪威尔特美晶晨光益众协合赛克普源睿智卓越")
TRADES = ["科技", "物流", "贸易", "商贸", "机械", "电子", "建筑工程", "餐饮管理", "文化传媒", "生物科技", "医疗器械",
          "信息技术", "教育科技", "食品", "服饰", "家具", "化工", "新材料", "环保科技", "供应链管理", "网络科技",
          "精密制造", "汽车配件", "包装材料", "装饰工程", "广告", "软件", "电气设备"]
SUFFIXES = ["有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司", "集团有限公司", "公司", ""]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志文博宇浩然涵欣怡梓轩诗雨萱俊晓东海燕春梅红丹鹏飞辉斌宁玲琳颖慧婷倩雪")
TITLES = ["经理", "总", "总监", "女士", "先生", "主任"]
MOBILE = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "158", "159",
          "166", "177", "180", "181", "182", "185", "186", "187", "188", "189", "199"]
DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "foxmail.com"]
PINYIN = ["rui", "feng", "heng", "da", "hua", "xin", "jin", "ke", "ding", "sheng", "hong", "tu", "yuan", "tian", "run", "bo", "hui", "tong", "jia", "he", "yong", "tai", "zhong", "lian"]


class Maker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.phones: set[str] = set()
        self.emails: set[str] = set()

    def person(self) -> str:
        r = self.rng
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))

    def phone(self, city: int) -> str:
        r = self.rng
        while True:
            if r.random() < 0.1:
                area = CITIES[city][1]
                number = area + str(r.randint(2, 8)) + "".join(str(r.randint(0, 9)) for _ in range(7 if len(area) == 3 else r.choice((6, 7))))
            else:
                number = r.choice(MOBILE) + "".join(str(r.randint(0, 9)) for _ in range(8))
            if number not in self.phones:
                self.phones.add(number)
                return number

    def email(self) -> str:
        r = self.rng
        while True:
            local = "".join(r.choice(PINYIN) for _ in range(2)) + str(r.randint(1, 9999))
            address = f"{local}@{r.choice(DOMAINS)}"
            if address not in self.emails:
                self.emails.add(address)
                return address

    def record(self, entity: int, city: int, brand: str, trade: str) -> dict:
        r = self.rng
        return {
            "entity": entity, "city": city, "brand": brand, "trade": trade, "suffix": r.choice(SUFFIXES),
            "contact": self.person(), "phone": self.phone(city), "email": self.email() if r.random() < 0.7 else "",
        }


def written_phone(rng: random.Random, number: str) -> str:
    if number.startswith("0"):
        area = number[:3] if number[1] in "12" else number[:4]
        return rng.choice([f"({area}){number[len(area):]}", f"{area}-{number[len(area):]}", f"{area} {number[len(area):]}",
                           f"+86 {area[1:]} {number[len(area):]}"])
    return rng.choice([f"+86 {number[:3]} {number[3:7]} {number[7:]}", f"86-{number}", f"{number[:3]}-{number[3:7]}-{number[7:]}",
                       f"{number[:3]} {number[3:7]} {number[7:]}", f"0086{number}", f"(+86){number}", f"86 {number}"])


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


def base_name(rec: dict) -> str:
    city, _, _ = CITIES[rec["city"]]
    return f"{city}{rec['brand']}{rec['trade']}{rec['suffix']}"


def variant(rng: random.Random, m: Maker, rec: dict) -> dict:
    """The same customer entered again, one to three ways differently."""
    out = dict(rec)
    city, _, province = CITIES[rec["city"]]
    body = f"{rec['brand']}{rec['trade']}"
    name = base_name(rec)
    kinds = rng.sample(["bracket", "city_shi", "suffix", "traditional", "full_width", "spaces", "typo", "phone_format",
                        "email_case", "title", "new_phone", "new_phone_email", "no_city", "province"],
                       k=rng.choice((1, 1, 2, 2, 3)))
    if "new_phone_email" in kinds and "new_phone" in kinds:
        kinds.remove("new_phone")
    phone = rec["phone"]
    email = rec["email"]
    contact = rec["contact"]
    suffix = rec["suffix"]
    for kind in kinds:
        if kind == "suffix":
            suffix = rng.choice([s for s in ("有限公司", "有限责任公司", "公司", "", "股份有限公司", "集团", "集团有限公司")
                                 if s != rec["suffix"]])
    if "bracket" in kinds:
        name = f"{body}{rng.choice(['(', '（'])}{city}{rng.choice([')', '）'])}{suffix or '有限公司'}"
    elif "no_city" in kinds:
        name = f"{body}{suffix}"
    elif "city_shi" in kinds:
        name = f"{city}市{body}{suffix}"
    elif "province" in kinds and province:
        name = f"{province}省{city}市{body}{suffix}"
    else:
        name = f"{city}{body}{suffix}"
    if "typo" in kinds:
        at = name.find(body)
        i = at + rng.randrange(len(body))
        chars = list(name)
        if i < len(chars):
            if rng.random() < 0.5:
                del chars[i]
            else:
                chars[i] = rng.choice([c for c in BRAND_CHARS if c != chars[i]])
        name = "".join(chars)
    if "traditional" in kinds:
        name = zhconv.convert(name, "zh-hant")
    if "spaces" in kinds:
        i = rng.randrange(1, len(name))
        name = rng.choice([" ", "", "  "]) + name[:i] + " " + name[i:] + rng.choice([" ", ""])
    if "full_width" in kinds:
        name = full_width(name.replace("(", "(").replace(")", ")"))
    if "phone_format" in kinds:
        phone = written_phone(rng, phone)
    if "email_case" in kinds and email:
        email = rng.choice([email.upper(), " " + email.title() + " ", email.capitalize()])
    if "title" in kinds:
        contact = contact[0] + rng.choice(TITLES)
    if "new_phone" in kinds:
        phone = m.phone(rec["city"])
        if not email:
            email = rec["email"] or ""
            contact = rec["contact"]
    if "new_phone_email" in kinds:
        phone, email, contact = m.phone(rec["city"]), m.email(), rec["contact"]
    out.update({"name": name, "phone": phone, "email": email, "contact": contact})
    return out


def make_eval_set(n_records: int = 170_000, seed: int = 1) -> pd.DataFrame:
    rng = random.Random(seed)
    m = Maker(seed)
    records: list[dict] = []
    used: set[tuple[int, str, str]] = set()
    entity = 0

    def new_company(city: int | None = None, brand: str | None = None, trade: str | None = None) -> dict | None:
        nonlocal entity
        for _ in range(50):
            c = city if city is not None else rng.randrange(len(CITIES))
            b = brand or rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS)
            t = trade or rng.choice(TRADES)
            if (c, b, t) not in used and b[0] != b[1]:
                used.add((c, b, t))
                entity += 1
                rec = m.record(entity, c, b, t)
                rec["name"] = base_name(rec)
                return rec
        return None

    negatives = int(n_records * 0.1)
    while len(records) < n_records - negatives:
        rec = new_company()
        if rec is None:
            continue
        records.append(rec)
        if rng.random() < 0.3:
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                records.append(variant(rng, m, rec))
        if rng.random() < 0.04:  # an individual customer
            entity += 1
            person = m.person()
            records.append({"entity": entity, "name": person, "contact": person, "phone": m.phone(0), "email": "",
                            "city": 0, "brand": "", "trade": "", "suffix": ""})
    companies = [r for r in records if r["brand"]]
    kinds = ["other_city", "branch", "other_trade", "switchboard", "agent"]
    start = len(records)
    while len(records) - start < negatives:
        kind = kinds[len(records) % len(kinds)]
        base = rng.choice(companies)
        if kind == "other_city":
            rec = new_company(rng.randrange(len(CITIES)), base["brand"], base["trade"])
            if rec:
                records.append(rec)
        elif kind == "branch":
            entity += 1
            branch_city = rng.choice([c for c, _, _ in CITIES if c != CITIES[base["city"]][0]])
            rec = m.record(entity, base["city"], base["brand"], base["trade"])
            rec["name"] = f"{CITIES[base['city']][0]}{base['brand']}{base['trade']}有限公司{branch_city}分公司"
            if base["email"] and rng.random() < 0.3:
                rec["email"] = "branch" + str(entity) + "@" + base["email"].split("@")[1]
            records.append(rec)
        elif kind == "other_trade":
            rec = new_company(base["city"], base["brand"], rng.choice([t for t in TRADES if t != base["trade"]]))
            if rec:
                records.append(rec)
        else:
            firms = [new_company() for _ in range(rng.randint(3, 10) if kind == "switchboard" else rng.randint(2, 6))]
            firms = [f for f in firms if f]
            shared_phone = m.phone(firms[0]["city"])
            agent, agent_email = m.person(), m.email()
            for f in firms:
                f["phone"] = written_phone(rng, shared_phone) if rng.random() < 0.3 else shared_phone
                if kind == "agent":
                    f["email"], f["contact"] = agent_email, agent
                records.append(f)
    frame = pd.DataFrame(records).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    day = pd.Timestamp("2020-01-01") + pd.to_timedelta(frame.index % 2000, unit="D")
    serial = frame.groupby(day).cumcount() + 1
    frame["客户编号"] = "CRM" + day.strftime("%Y%m%d") + serial.map("{:05d}".format)
    frame["创建时间"] = day
    return frame.rename(columns={"name": "客户名称", "contact": "联系人姓名", "phone": "联系电话", "email": "联系邮箱"})[
        ["客户编号", "客户名称", "联系人姓名", "联系电话", "联系邮箱", "创建时间", "entity"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=170_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    frame = make_eval_set(args.records, args.seed)
    path = CACHE / f"dedupe-eval-{args.seed}.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    sizes = frame.groupby("entity").size()
    print(f"{path}: {len(frame):,} records, {len(sizes):,} entities, {int((sizes * (sizes - 1) // 2).sum()):,} duplicate pairs")


if __name__ == "__main__":
    main()
