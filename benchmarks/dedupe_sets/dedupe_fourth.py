"""Held-out duplicate-customer benchmark (fourth set), written without sight of the matcher.

Usage: python benchmarks/dedupe_sets/dedupe_fourth.py [--records 170000] [--seed 31]
       -> benchmarks/dedupe_sets/.cache/dedupe-fourth-<seed>-<records>.csv  (utf-8-sig)

Excel CRM of a small Chinese sales team selling mostly to businesses. Entity mix, roughly: 36 %
independent companies; 13 % private customers (张伟, 李娜 ... recur across cities); 9 % chain stores
（xx店）, each with its own phone; 8 % owner-named shops (老王烧烤, 张记面馆) in many cities, half
without a city; 7 % head offices + branches sharing mail domain and often the switchboard; 6 %
bookkeeping agents + clients filed under the agent's phone/mail/contact; 6 % tenants of one
switchboard; 6 % same-city brand pairs one character apart; 4 % groups + subsidiaries; 4 % same
brand + trade in another city. ~28 % of entities are entered 2-3 times by different staff; each
repeat shares a phone (re-formatted), the e-mail (case/spaces) or the contact (full name or 王总)
with the first record while the name drifts (place, district, legal form, trade word, brand only,
homophone, missing character, traditional, spaces, English). ~2 % of repeats share only the exact
registered full name, which is unique per city.
"""
from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import zhconv

CACHE = Path(__file__).parent / ".cache"
COLUMNS = ["客户编号", "客户名称", "联系人姓名", "联系电话", "联系邮箱", "创建时间", "entity"]
DAYS = (date(2026, 10, 31) - date(2020, 1, 1)).days + 1
# A Chinese IME left in full-width mode turns ASCII into U+FF01..FF5E and spaces into U+3000.
FULL_WIDTH = {i: i + 0xFEE0 for i in range(0x21, 0x7F)} | {0x20: 0x3000}

# Characters as "字pinyin" tokens; the pinyin feeds e-mail locals and English names.
SURNAMES, MALE, FEMALE, BRAND = ([(w[0], w[1:]) for w in s.split()] for s in (
    "王wang 李li 张zhang 刘liu 陈chen 杨yang 黄huang 赵zhao 吴wu 周zhou 徐xu 孙sun 马ma 朱zhu 胡hu 郭guo 何he 高gao 林lin 罗luo 郑zheng "
    "梁liang 谢xie 宋song 唐tang 许xu 韩han 冯feng 邓deng 曹cao 彭peng 曾zeng 肖xiao 田tian 董dong 袁yuan 潘pan 于yu 蒋jiang 蔡cai 余yu "
    "杜du 叶ye 程cheng 苏su 魏wei 吕lv 丁ding 任ren 沈shen 汪wang 姚yao 卢lu 钟zhong 崔cui 金jin",
    "伟wei 强qiang 磊lei 军jun 洋yang 勇yong 杰jie 涛tao 明ming 超chao 刚gang 平ping 辉hui 鹏peng 华hua 飞fei 鑫xin 波bo 斌bin 宇yu 浩hao "
    "凯kai 健jian 俊jun 帆fan 旭xu 宁ning 龙long 峰feng 建jian 国guo 文wen 东dong 亮liang 志zhi",
    "芳fang 娜na 敏min 静jing 丽li 艳yan 娟juan 霞xia 秀xiu 玲ling 英ying 红hong 燕yan 萍ping 婷ting 雪xue 琳lin 慧hui 颖ying 倩qian "
    "洁jie 梅mei 莉li 晶jing 佳jia 蓉rong 欣xin",
    "恒heng 达da 华hua 鑫xin 盛sheng 源yuan 祥xiang 泰tai 隆long 宏hong 佳jia 瑞rui 辉hui 利li 丰feng 德de 信xin 通tong 安an 捷jie 凯kai "
    "博bo 远yuan 创chuang 新xin 锦jin 泽ze 荣rong 昌chang 誉yu 嘉jia 和he 润run 晟sheng 兴xing 旺wang 顺shun 腾teng 宇yu 天tian 海hai "
    "金jin 汇hui 众zhong 联lian 合he 美mei 优you 力li 永yong 正zheng 诚cheng 明ming 光guang 立li"))
PY = dict(SURNAMES + MALE + FEMALE + BRAND)
FEMALE_SET = {c for c, _ in FEMALE}
SUR_W = [1 / (i + 4) for i in range(len(SURNAMES))]
# The names every Chinese CRM has dozens of; they make contact and private-customer names collide.
COMMON = "张伟 王伟 王芳 李伟 李娜 张敏 李静 王静 刘伟 王秀英 张丽 李强 王敏 王磊 刘洋 王艳 王勇 李军 张杰 李娟 刘芳 陈静".split()
M_TITLES, F_TITLES = ("总", "经理", "工", "老师", "先生", "主任", "老板"), ("总", "经理", "姐", "老师", "女士")
NOTES = ("采购", "财务", "老板", "行政", "负责人", "技术", "办公室", "个人")
# Written-alike or same-sound characters that staff substitute when typing by pinyin.
HOMO = {c: g.replace(c, "") for g in """达大 华花化 泰太 隆龙 宏鸿洪 瑞锐 通同 荣容 兴星 祥翔 德得 捷杰 凯恺 博搏 辉晖汇 鑫新信心
盛胜晟 源元远 利力立 佳嘉家 丰峰锋 和合禾 誉宇雨 锦金 创闯 泽则 顺舜 永勇 诚成城 明铭 光广 天添""".split() for c in g}
# city -> pinyin, area code, three-character districts/counties (so "吴中区" -> "吴中" works).
CITY = {n: (p, a, d) for n, p, a, *d in (x.split() for x in """\
苏州 suzhou 0512 吴中区 昆山市 相城区|上海 shanghai 021 闵行区 松江区 嘉定区|杭州 hangzhou 0571 余杭区 萧山区 西湖区
深圳 shenzhen 0755 南山区 宝安区 龙岗区|广州 guangzhou 020 天河区 白云区 番禺区|宁波 ningbo 0574 鄞州区 慈溪市 余姚市
无锡 wuxi 0510 江阴市 滨湖区 惠山区|南京 nanjing 025 江宁区 鼓楼区 浦口区|东莞 dongguan 0769 长安镇 虎门镇 塘厦镇
佛山 foshan 0757 顺德区 南海区 禅城区|常州 changzhou 0519 武进区 新北区 金坛区|温州 wenzhou 0577 瑞安市 乐清市 鹿城区
金华 jinhua 0579 义乌市 永康市 东阳市|嘉兴 jiaxing 0573 海宁市 桐乡市 嘉善县|绍兴 shaoxing 0575 柯桥区 诸暨市 上虞区
北京 beijing 010 朝阳区 海淀区 丰台区|台州 taizhou 0576 温岭市 黄岩区 路桥区|合肥 hefei 0551 蜀山区 肥西县 包河区
武汉 wuhan 027 江夏区 洪山区 汉阳区|长沙 changsha 0731 岳麓区 长沙县 雨花区|成都 chengdu 028 武侯区 双流区 郫都区
重庆 chongqing 023 渝北区 江北区 九龙坡|西安 xian 029 雁塔区 未央区 长安区|郑州 zhengzhou 0371 金水区 中牟县 二七区
济南 jinan 0531 历下区 章丘区 槐荫区|青岛 qingdao 0532 黄岛区 城阳区 即墨区|天津 tianjin 022 西青区 武清区 南开区
厦门 xiamen 0592 思明区 湖里区 集美区|福州 fuzhou 0591 鼓楼区 闽侯县 仓山区|泉州 quanzhou 0595 晋江市 石狮市 南安市"""
                                                     .replace("\n", "|").split("|"))}
CITIES = list(CITY)
# The team sits in the Yangtze delta; most customers are nearby, a long tail elsewhere.
CITY_W = [6 if i < 4 else 3 if i < 16 else 1 for i in range(len(CITIES))]
TRADES = [tuple(t.split("|")) for t in """机械设备|机械|Machinery|jx;电子科技|电子|Electronics|dz;信息技术|信息|IT|it
贸易|贸易|Trading|trade;建材|建材|Building Materials|jc;物流|物流|Logistics|wl;包装材料|包装|Packaging|bz;食品|食品|Foods|food
服饰|服饰|Apparel|fs;家具|家具|Furniture|jj;化工|化工|Chemical|chem;环保科技|环保|Environmental Tech|hb;印刷|印刷|Printing|print
医疗器械|医疗|Medical Devices|med;汽车配件|汽配|Auto Parts|auto;五金制品|五金|Hardware|wj;装饰工程|装饰|Decoration|zs
网络科技|网络|Network Technology|net;文化传媒|传媒|Media|media;塑胶制品|塑胶|Plastics|sj;电气|电气|Electric|dq;光电|光电|Photonics|gd
精密模具|模具|Precision Mould|mould;新能源科技|新能源|New Energy|energy;餐饮管理|餐饮|Catering|cy;纺织|纺织|Textile|textile
供应链管理|供应链|Supply Chain|scm;农业发展|农业|Agriculture|agri;教育咨询|教育|Education|edu;实业|实业|Industrial|sy
财务咨询|财务|Financial Consulting|cw;企业管理咨询|企业管理|Management Consulting|qg;代理记账|记账|Accounting|jz"""
          .replace("\n", ";").split(";")]
TRADES, AGENT_TRADES = TRADES[:-3], TRADES[-3:]
GROUP_TRADE = ("集团", "集团", "Group", "group")
FORMS, FORM_W = ["有限公司", "有限责任公司", "股份有限公司", "商行", "厂"], [80, 10, 5, 3, 2]
ALT_FORMS = ["有限公司", "有限责任公司", "股份有限公司", "公司"]
STORE_TRADES = ["茶饮", "烘焙", "便利店", "大药房", "眼镜", "母婴", "洗衣", "健身", "鲜果", "口腔"]
LOCS = "万达广场 吾悦广场 银泰城 龙湖天街 印象城 大悦城 万象城 宝龙广场 火车站 人民路 解放路 中山路 步行街 大学城 开发区".split()
SHOP_PATTERNS = ("老{s}", "{s}记", "{s}姐", "{s}师傅", "小{s}")
SHOP_TRADES = "烧烤 面馆 水果店 汽修 五金店 建材店 理发店 小吃 快餐 超市 家电维修 装修 茶叶店 烟酒店 干洗店 菜馆 灯饰".split()
MOB_PRE = "130 131 132 133 135 136 137 138 139 150 151 152 155 158 159 166 176 177 180 181 186 187 188 189 199".split()
MAILS = ("163.com", "126.com", "sina.com", "139.com", "foxmail.com")
ORG_KINDS = ("company", "branch")
ROLE_BOXES = ("sales", "info", "service", "admin", "hr", "market", "purchase")


@dataclass
class Ent:
    kind: str             # company, branch, store, shop, person
    city: str             # city the customer is registered in; a branch carries its head office's
    reg: str              # registered / canonical full name
    district: str = ""
    brand: str = ""
    trade: tuple = ("", "", "", "")
    form: str = ""
    suffix: str = ""      # "苏州分公司" or "（万达广场店）"
    city_in_name: bool = True
    phones: list = field(default_factory=list)   # (kind m/l/4, area, number, extension)
    email: str = ""
    contact: tuple | None = None                 # (surname, given, title, female, note)


def _phone_str(p: tuple, r: random.Random) -> str:
    (kind, a, n, ext), f = p, r.random()
    if kind == "m":
        s = (n if f < .45 else f"{n[:3]} {n[3:7]} {n[7:]}" if f < .58 else f"{n[:3]}-{n[3:7]}-{n[7:]}" if f < .68
             else r.choice(("+86 ", "+86", "+86-", "0086", "0086-", "(+86)")) + n if f < .85
             else "手机 " + n if f < .9 else n + " ")
    elif kind == "4":
        s = f"{n[:3]}-{n[3:6]}-{n[6:]}" if f < .6 else f"{n[:3]} {n[3:6]} {n[6:]}" if f < .8 else n
    else:
        s = (f"{a}-{n}" if f < .4 else f"{a} {n}" if f < .48 else f"({a}){n}" if f < .56 else f"（{a}）{n}" if f < .62
             else n if f < .76 else f"{a}{n}" if f < .84 else f"+86-{a[1:]}-{n}" if f < .9
             else f"0086 {a[1:]} {n}" if f < .94 else f"{a}-{n[:4]}-{n[4:]}")
        # Extensions are often dropped, which is what makes switchboard tenants collide.
        if ext and r.random() < .75:
            s += r.choice(("-", "转", " 转", " ext ", "#", " 分机")) + ext
    return s.translate(FULL_WIDTH) if r.random() < .04 else s


def _email_str(e: str, r: random.Random) -> str:
    f = r.random()
    return (e if f < .6 else e.upper() if f < .72 else e[0].upper() + e[1:] if f < .8
            else " " + e if f < .85 else e + " " if f < .92 else e.replace("@", " @ " if f < .96 else "@ "))


def _contact_str(c: tuple, r: random.Random) -> str:
    (sur, given, title, _, note), f = c, r.random()
    s = (sur + given if f < .48 else sur + title if f < .74 else f"{sur}{given}（{note}）" if f < .82
         else f"{sur}{given}({note})" if f < .86 else f"{sur}{given} {title}" if f < .9
         else f"{sur} {given}" if f < .95 else f"{sur}{given}/{note}")
    return zhconv.convert(s, "zh-hant") if r.random() < .03 else s


def _py(s: str) -> str:
    return "".join(PY[c] for c in s)


def _org_name(e: Ent, r: random.Random, canon_p: float) -> str:
    if r.random() < canon_p:
        return e.reg
    if e.kind in ORG_KINDS and r.random() < .04:
        b, c = _py(e.brand).capitalize(), CITY[e.city][0].capitalize()
        f, t = r.random(), e.trade[2]
        s = (f"{c} {b} {t} Co., Ltd." if f < .4 else f"{b} {t} Co.,Ltd" if f < .65 else f"{b} {t}".upper()
             if f < .8 else b.upper() if f < .9 else f"{c.lower()} {b.lower()}")
        return s + f" {CITY[e.suffix[:-3]][0].capitalize()} Branch" if e.kind == "branch" else s
    pre, brack, x = (e.city if e.city_in_name else ""), "", r.random()
    if not e.city_in_name:
        pre = e.city if x < .25 else pre
    elif x < .56:
        pre, brack = ("", "") if x < .28 else ("", f"（{e.city}）") if x < .36 else \
            (f"{e.city}市{e.district}", "") if x < .44 else (e.district[:2], "") if x < .5 else (e.city + "市", "")
    brand = e.brand
    homo = [i for i, c in enumerate(brand) if c in HOMO]
    if homo and r.random() < .07:
        i = r.choice(homo)
        brand = brand[:i] + r.choice(HOMO[brand[i]]) + brand[i + 1:]
    if e.kind in ORG_KINDS and r.random() < .05:
        return pre + brand + e.suffix
    z = r.random()
    core = brand + (e.trade[1] if z < .2 else "" if z < .28 and e.kind != "shop" else e.trade[0])
    if r.random() < .05 and len(core) > 3:
        i = r.randrange(1, len(core))
        core = core[:i] + core[i + 1:]
    w, form, suffix = r.random(), e.form, e.suffix
    if e.kind == "shop":
        form = "店" if w < .2 and not core.endswith("店") else "（个体户）" if w < .25 else form
    elif e.kind == "store":
        suffix = suffix if w < .7 else suffix.strip("（）") if w < .88 else " " + suffix.strip("（）")
    else:
        form = r.choice(ALT_FORMS) if w < .15 else "" if w < .3 else form
    s = (" " if r.random() < .07 else "").join(p for p in (pre, core, brack, form, suffix) if p)
    f = r.random()
    return (zhconv.convert(s, "zh-hant") if f < .04 else s.replace("（", "(").replace("）", ")") if f < .1
            else r.choice((" ", "  ", "\u3000")) + s if f < .115 else s + " " if f < .13 else s)


def _person_name(e: Ent, r: random.Random, canon_p: float) -> str:
    n = e.reg
    if r.random() < canon_p:
        return n
    (sur, given, honor), f = e.contact[:3], r.random()
    return (n + "（个人）" if f < .25 else n + "(个人)" if f < .35 else r.choice(("个人-", "个人 ", "散客 ")) + n
            if f < .43 else n + honor if f < .53 else sur + honor if f < .58 else n + "-" + e.city if f < .66
            else e.city + n if f < .72 else f"{n}（{e.city}）" if f < .78 else f"{sur} {given}" if f < .86
            else zhconv.convert(n, "zh-hant") if f < .92 else f"{PY[sur].capitalize()} {_py(given).capitalize()}")


class _Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.used_key: set[tuple] = set()

    def claim(self, key: tuple) -> bool:
        fresh = key not in self.used_key
        self.used_key.add(key)
        return fresh

    def city(self, avoid: tuple = ()) -> str:
        return self.r.choices(*zip(*[(c, w) for c, w in zip(CITIES, CITY_W) if c not in avoid]))[0]

    def number(self, kind: str = "m", city: str = "") -> tuple:
        r, a = self.r, CITY[city][1] if kind == "l" else ""
        while True:
            n = (r.choice(MOB_PRE) + f"{r.randrange(10 ** 8):08d}" if kind == "m" else f"400{r.randrange(10 ** 7):07d}"
                 if kind == "4" else f"{r.randint(2, 8)}{r.randrange(10 ** 7):07d}")
            if self.claim(("tel", a + n)):
                return (kind, a, n, "")

    def person(self, common_p: float = .2, titles: tuple = ()) -> tuple:
        r, pool = self.r, FEMALE if self.r.random() < .45 else MALE
        full = r.choice(COMMON) if r.random() < common_p else r.choices(SURNAMES, SUR_W)[0][0] + r.choice(pool)[0] + (
            r.choice(pool)[0] if r.random() < .55 else "")
        sur, given, female = full[0], full[1:], full[-1] in FEMALE_SET
        return (sur, given, r.choice(titles or (F_TITLES if female else M_TITLES)), female, r.choice(NOTES))

    def mail(self, domain: str = "", c: tuple | None = None, stem: str = "") -> str:
        """A fresh address: on an own domain a role box or the contact's pinyin, else QQ or a free-mail nick."""
        r = self.r
        nick = stem or (r.choice((_py(c[0] + c[1]), f"{_py(c[1])}.{_py(c[0])}", _py(c[0])[0] + "".join(
            PY[x][0] for x in c[1]))) if c else "")
        if domain:
            local = stem or (nick if nick and r.random() < .5 else r.choice(ROLE_BOXES))
        elif r.random() < .5 or not nick:
            local, domain = str(r.randrange(10 ** 5, 10 ** 10)), "qq.com"
        else:
            local, domain = nick + str(r.randrange(1, 2000)), r.choice(MAILS)
        m, i = f"{local}@{domain}", 1
        while not self.claim(("mail", m)):
            i += 1
            m = f"{local}{i}@{domain}"
        return m

    def domain(self, brand: str, trade: tuple, city: str) -> str:
        b = _py(brand)
        for d in (b + trade[3], b, f"{b}-{trade[3]}", CITY[city][0][:2] + b + trade[3], f"{b}{len(self.used_key)}"):
            d += self.r.choice((".com", ".com", ".cn", ".com.cn", ".net"))
            if self.claim(("dom", d)):
                break
        return d

    def company(self, city: str = "", brand: str = "", trade: tuple = (), trades: list = TRADES) -> Ent:
        r = self.r
        for attempt in range(10 ** 6):
            c, b = city or self.city(), brand or "".join(x for x, _ in r.sample(BRAND, 2))
            # A taken (city, brand, trade) falls back to another trade rather than a name clash.
            t = trade if trade and attempt < 3 else r.choice(trades)
            if self.claim(("co", c, b, t[0])):
                break
        form = "有限公司" if t is GROUP_TRADE else r.choices(FORMS, FORM_W)[0]
        e = Ent("company", c, c + b + t[0] + form, r.choice(CITY[c][2]), b, t, form)
        e.contact = self.person() if r.random() < .93 else None
        e.phones = [self.number("l", c) if r.random() < .6 else self.number()]
        if e.phones[0][0] == "l" and r.random() < .4:
            e.phones.append(self.number())
        f = r.random()
        e.email = self.mail(self.domain(b, t, c), e.contact) if f < .3 else self.mail(
            c=e.contact, stem=_py(b) if r.random() < .3 else "") if f < .65 else ""
        return e

    def c_solo(self) -> list[Ent]:
        return [self.company()]

    def c_pair(self) -> list[Ent]:
        a, i = self.company(), self.r.randrange(2)
        near = [c for c, _ in BRAND if c not in a.brand and c not in HOMO.get(a.brand[i], "")]
        while ("co", a.city, b := a.brand[:i] + self.r.choice(near) + a.brand[i + 1:], a.trade[0]) in self.used_key:
            pass
        return [a, self.company(a.city, b, a.trade)]

    def c_samebrand(self) -> list[Ent]:
        a = self.company()
        return [a] + [self.company(self.city((a.city,)), a.brand, a.trade) for _ in range(self.r.randint(1, 2))]

    def c_head(self) -> list[Ent]:
        r, head = self.r, self.company()
        dom = self.domain(head.brand, head.trade, head.city)
        switch = self.number("4") if r.random() < .4 else self.number("l", head.city)
        head.phones, head.email = [switch] + head.phones[:1], self.mail(dom, head.contact)
        out, seen = [head], (head.city,)
        for _ in range(r.randint(2, 4)):
            seen += (bc := self.city(seen),)
            b = Ent("branch", head.city, f"{head.reg}{bc}分公司", head.district, head.brand, head.trade,
                    head.form, bc + "分公司", contact=self.person())
            own = self.number("l", bc) if r.random() < .6 else self.number()
            shared = switch[:3] + (str(r.randint(200, 899)),) if switch[0] == "l" else switch
            b.phones = [shared, own] if r.random() < .5 else [own]
            b.email = self.mail(dom, b.contact, CITY[bc][0] if r.random() < .6 else "")
            out.append(b)
        return out

    def c_group(self) -> list[Ent]:
        r, g = self.r, self.company(trade=GROUP_TRADE)
        dom = self.domain(g.brand, GROUP_TRADE, g.city)
        g.email, out = self.mail(dom, g.contact), [g]
        for _ in range(r.randint(2, 4)):
            s = self.company(g.city if r.random() < .5 else "", g.brand)
            s.email = self.mail(dom, s.contact) if r.random() < .6 else s.email
            s.phones = g.phones[:1] + s.phones[:1] if r.random() < .3 else s.phones
            out.append(s)
        return out

    def c_chain(self) -> list[Ent]:
        r, brand = self.r, "".join(c for c, _ in self.r.sample(BRAND, 2))
        strade, cities, out = r.choice(STORE_TRADES), [self.city() for _ in range(r.randint(1, 4))], []
        for _ in range(r.randint(3, 8)):
            city, loc = r.choice(cities), r.choice(LOCS)
            if not self.claim(("st", city, brand, strade, loc)):
                continue
            c = self.person(.2, ("店长", "经理")) if r.random() < .85 else None
            out.append(Ent("store", city, f"{brand}{strade}（{loc}店）", r.choice(CITY[city][2]), brand,
                           (strade, strade, "", ""), "", f"（{loc}店）", False, contact=c,
                           phones=[self.number("l", city) if r.random() < .5 else self.number()],
                           email=self.mail(c=c) if r.random() < .2 else ""))
        return out

    def c_shop(self) -> list[Ent]:
        r = self.r
        while True:
            sur, trade, city = r.choice(SURNAMES[:25])[0], r.choice(SHOP_TRADES), self.city()
            owner = r.choice(SHOP_PATTERNS).format(s=sur)
            if self.claim(("sh", city, owner + trade)):
                break
        in_name, c = r.random() < .5, self.person(0)
        c = (sur, c[1], r.choice(("老板", "姐", "老板娘") if c[3] else ("老板", "师傅", "哥", "总"))) + c[3:]
        return [Ent("shop", city, (city if in_name else "") + owner + trade, r.choice(CITY[city][2]), owner,
                    (trade, trade, "", ""), "", "", in_name, contact=c,
                    phones=[self.number() if r.random() < .85 else self.number("l", city)],
                    email=self.mail(c=c) if r.random() < .15 else "")]

    def c_person(self) -> list[Ent]:
        while True:
            c, city = self.person(.3), self.city()
            if self.claim(("pp", city, c[0] + c[1])):
                break
        c = c[:2] + ("女士" if c[3] else "先生", c[3], "个人")
        return [Ent("person", city, c[0] + c[1], contact=c, phones=[self.number()],
                    email=self.mail(c=c) if self.r.random() < .4 else "")]

    def c_agent(self) -> list[Ent]:
        r, agent = self.r, self.company(trades=AGENT_TRADES)
        agent.contact = self.person(.3, ("会计", "老师"))[:4] + ("代账",)
        agent.email, out = agent.email or self.mail(c=agent.contact), [agent]
        for _ in range(r.randint(3, 7)):
            c = self.company(agent.city)
            if r.random() < .75:
                c.phones = agent.phones[:1] + ([self.number()] if r.random() < .35 else [])
            c.email = agent.email if r.random() < .5 else c.email
            c.contact = agent.contact if r.random() < .5 else c.contact
            out.append(c)
        return out

    def c_tenants(self) -> list[Ent]:
        r, city = self.r, self.city()
        board, exts, out = self.number("l", city), r.sample(range(801, 899), 8), []
        for i in range(r.randint(4, 8)):
            t = self.company(city)
            ext = str(exts[i]) if r.random() < .7 else ""
            t.phones = [board[:3] + (ext,)] + ([self.number()] if r.random() < .4 else [])
            out.append(t)
        return out

    def render(self, e: Ent, k: int) -> list[tuple[str, str, str, str]]:
        """k records of one entity; every repeat shares a phone, the mail or the contact with the first."""
        r, rows, anchor = self.r, [], []
        for j in range(k):
            if j and e.kind != "person" and e.city_in_name and r.random() < .026:
                # Only the registered name links this one: new staff, new number, nothing else.
                c = self.person() if r.random() < .6 else None
                rows.append((e.reg, _contact_str(c, r) if c else "", _phone_str(self.number(), r),
                             self.mail(c=c) if c and r.random() < .3 else ""))
                continue
            name = (_person_name if e.kind == "person" else _org_name)(e, r, .55 if j == 0 else .12)
            if j == 0:
                phones = [e.phones[0] if r.random() < .75 else r.choice(e.phones)] if r.random() < .9 else []
                phones = e.phones[:2] if phones and r.random() < .1 else phones
                mail, cont = bool(e.email) and r.random() < .55, bool(e.contact) and r.random() < .8
                phones = phones if phones or mail or cont else e.phones[:1]
                anchor = [("p", p) for p in phones] + [("e",)] * mail + [("c",)] * cont
            else:
                need = r.choices(anchor, [.6 if t[0] == "p" else .15 if t[0] == "e" else .25 for t in anchor])[0]
                g = r.random()
                phones = [need[1]] if need[0] == "p" else [r.choice(e.phones)] if g < .35 else \
                    [self.number()] if g < .6 else []
                mail = need[0] == "e" or (bool(e.email) and r.random() < .3)
                cont = need[0] == "c" or (bool(e.contact) and r.random() < .45)
            phone = r.choice(("/", " / ", "，", ";", " ")).join(_phone_str(p, r) for p in phones)
            email = _email_str(e.email, r) if mail else self.mail() if j and r.random() < .06 else ""
            contact = _contact_str(e.contact, r) if cont else \
                _contact_str(self.person(), r) if j and e.kind != "person" and r.random() < .2 else ""
            rows.append((name, contact, phone, email))
        return rows


CLUSTER_W = {"c_solo": .53, "c_shop": .12, "c_person": .19, "c_pair": .04, "c_samebrand": .025, "c_head": .025,
             "c_group": .015, "c_chain": .025, "c_agent": .015, "c_tenants": .015}


def make_fourth_set(n_records: int = 170_000, seed: int = 31) -> pd.DataFrame:
    """Build the held-out set: one row per CRM record, `entity` marks the true customer."""
    g = _Gen(seed)
    r, n_ents, rows = g.r, 0, []
    while len(rows) < n_records:
        for e in getattr(g, r.choices(list(CLUSTER_W), list(CLUSTER_W.values()))[0])():
            k = 1 if r.random() >= .28 else 2 if r.random() < .7 else 3
            # The first record is the earliest; later ones come from other staff, later on.
            days = sorted(r.randrange(DAYS) for _ in range(k))
            rows += [rec + (d, 8 * 3600 + r.randrange(13 * 3600), n_ents) for rec, d in zip(g.render(e, k), days)]
            n_ents += 1
    # An entity's records are contiguous, first record first: the cut drops only trailing repeats.
    df = pd.DataFrame(rows[:n_records], columns=COLUMNS[1:5] + ["day", "secs", "idx"])
    df = df.sort_values(["day", "secs"], kind="stable")
    day0 = pd.Timestamp("2020-01-01") + pd.to_timedelta(df["day"], unit="D")
    df["客户编号"] = "CRM" + day0.dt.strftime("%Y%m%d") + (df.groupby("day").cumcount() + 1).map("{:05d}".format)
    df["创建时间"] = day0 + pd.to_timedelta(df["secs"], unit="s")
    # Entity ids are permuted so that cluster neighbours (hard negatives) get unrelated numbers.
    df["entity"] = np.random.default_rng(seed).permutation(n_ents)[df["idx"].to_numpy()]
    return df.sample(frac=1, random_state=seed).reset_index(drop=True)[COLUMNS]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=170_000)
    ap.add_argument("--seed", type=int, default=31)
    a = ap.parse_args()
    t0 = time.perf_counter()
    df = make_fourth_set(a.records, a.seed)
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / f"dedupe-fourth-{a.seed}-{a.records}.csv"
    df.to_csv(out, index=False, encoding="utf-8-sig")
    sizes = df["entity"].value_counts()
    print(f"wrote {out} in {time.perf_counter() - t0:.1f} s", f"records: {len(df)}", f"entities: {len(sizes)}",
          f"entities with >1 record: {int((sizes > 1).sum())}",
          f"true pairs: {int((sizes * (sizes - 1) // 2).sum())}", sep="\n")


if __name__ == "__main__":
    main()
