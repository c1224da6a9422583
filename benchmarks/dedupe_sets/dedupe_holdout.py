"""Held-out duplicate-customer set: CRM records labelled with the real customer behind each.

    python benchmarks/dedupe_sets/dedupe_holdout.py [--records 170000] [--seed 7]

writes benchmarks/dedupe_sets/.cache/dedupe-holdout-<seed>-<records>.csv (utf-8-sig): 客户编号, 客户名称, 联系人姓名, 联系电话,
联系邮箱, 创建时间 and ``entity``; rows sharing an entity are one customer (one legal entity or one branch).  Its
places, trades, brands and names are its own, written apart from the matcher and its in-sample generator.

About 27 % of customers are entered two or three times.  Each later entry keeps a link a salesperson would use
(the same mobile however written, the same e-mail in any case, or the same contact) while the name drifts: 宁波 /
宁波市 / 浙江省宁波市 / 宁波市鄞州区 / 恒信五金（宁波）or no place, county-level registrations (慈溪, 义乌, 昆山),
the legal form swapped or dropped, the trade shortened or dropped, brand + 公司, English or pinyin, traditional or
full-width characters, stray spaces, （总部）; the contact becomes 王经理 / 王总 / 王女士 or a colleague, or the phone
or e-mail changes, never all three.  Two departments of one firm sometimes share only the registered name.

Hard negatives: a brand registered in several cities (恒信电子（深圳）/（香港）有限公司), head offices and their 分公司 /
办事处 / 营业部 sharing an e-mail domain and sometimes the switchboard, franchise stores of a chain in one city, firms
a bookkeeping agent registered under its own contact, phone and e-mail, firms of one city and trade whose brands
differ by one character (often with one common contact name), and common contact names everywhere.  个体工商户 are
registered under the owner's name (张伟, 张伟五金店).  No two customers share a registered name.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import zhconv

CACHE = Path(__file__).parent / ".cache"
COLUMNS = ["客户编号", "客户名称", "联系人姓名", "联系电话", "联系邮箱", "创建时间", "entity"]
FIRST_DAY, LAST_DAY = dt.date(2023, 1, 1), dt.date(2026, 10, 31)
HK = "香港"

# province (short=full unless full is short + 省) | prefecture | pinyin | area code | weight | districts |
# county-level cities and counties, which register firms under their own names
CITY_TABLE = """\
|北京|Beijing|010|5|朝阳区 海淀区 丰台区 通州区 大兴区 顺义区 昌平区|
|上海|Shanghai|021|6|浦东新区 闵行区 松江区 嘉定区 青浦区 宝山区 奉贤区|
|天津|Tianjin|022|3|滨海新区 西青区 武清区 东丽区|
|重庆|Chongqing|023|3|渝北区 江北区 九龙坡区 沙坪坝区|
广东|广州|Guangzhou|020|5|天河区 番禺区 白云区 黄埔区 花都区 从化区|
广东|深圳|Shenzhen|0755|6|南山区 宝安区 龙岗区 福田区 龙华区 光明区|
广东|东莞|Dongguan|0769|4|长安镇 虎门镇 塘厦镇 松山湖|
广东|佛山|Foshan|0757|3|顺德区 南海区 禅城区|
广东|江门|Jiangmen|0750|1|蓬江区 新会区|台山市:Taishan 开平市:Kaiping 鹤山市:Heshan
广东|惠州|Huizhou|0752|2|惠城区 惠阳区|博罗县:Boluo
浙江|杭州|Hangzhou|0571|5|余杭区 萧山区 西湖区 滨江区 临平区|建德市:Jiande 桐庐县:Tonglu
浙江|宁波|Ningbo|0574|4|鄞州区 海曙区 北仑区 镇海区|慈溪市:Cixi 余姚市:Yuyao 宁海县:Ninghai 象山县:Xiangshan
浙江|温州|Wenzhou|0577|3|鹿城区 瓯海区 龙湾区|瑞安市:Ruian 乐清市:Yueqing 永嘉县:Yongjia
浙江|金华|Jinhua|0579|3|婺城区 金东区|义乌市:Yiwu 永康市:Yongkang 东阳市:Dongyang
浙江|台州|Taizhou|0576|2|椒江区 黄岩区 路桥区|温岭市:Wenling 临海市:Linhai 玉环市:Yuhuan
浙江|嘉兴|Jiaxing|0573|2|南湖区 秀洲区|海宁市:Haining 桐乡市:Tongxiang 嘉善县:Jiashan
浙江|湖州|Huzhou|0572|1|吴兴区 南浔区|长兴县:Changxing 德清县:Deqing 安吉县:Anji
江苏|南京|Nanjing|025|4|江宁区 鼓楼区 浦口区 雨花台区|
江苏|苏州|Suzhou|0512|5|吴中区 相城区 吴江区 姑苏区|昆山市:Kunshan 常熟市:Changshu 张家港市:Zhangjiagang 太仓市:Taicang
江苏|无锡|Wuxi|0510|3|滨湖区 新吴区 惠山区|江阴市:Jiangyin 宜兴市:Yixing
江苏|南通|Nantong|0513|2|崇川区 通州区 海门区|启东市:Qidong 如皋市:Rugao
山东|青岛|Qingdao|0532|3|黄岛区 崂山区 城阳区 即墨区|胶州市:Jiaozhou 平度市:Pingdu
山东|潍坊|Weifang|0536|1|奎文区 潍城区|寿光市:Shouguang 诸城市:Zhucheng
福建|厦门|Xiamen|0592|2|思明区 湖里区 集美区|
福建|泉州|Quanzhou|0595|2|丰泽区 鲤城区|晋江市:Jinjiang 石狮市:Shishi 安溪县:Anxi
湖北|武汉|Wuhan|027|3|洪山区 江汉区 东西湖区|
湖南|长沙|Changsha|0731|3|岳麓区 雨花区 开福区|浏阳市:Liuyang 宁乡市:Ningxiang
四川|成都|Chengdu|028|4|武侯区 锦江区 双流区 郫都区|都江堰市:Dujiangyan 彭州市:Pengzhou
河南|郑州|Zhengzhou|0371|3|金水区 二七区 管城回族区|新郑市:Xinzheng 巩义市:Gongyi
安徽|合肥|Hefei|0551|2|蜀山区 包河区|巢湖市:Chaohu 肥东县:Feidong
陕西|西安|Xi'an|029|3|雁塔区 未央区 碑林区|
辽宁|大连|Dalian|0411|2|甘井子区 沙河口区 金州区|瓦房店市:Wafangdian 庄河市:Zhuanghe
广西=广西壮族自治区|南宁|Nanning|0771|1|青秀区 西乡塘区|横州市:Hengzhou
内蒙古=内蒙古自治区|呼和浩特|Hohhot|0471|1|赛罕区 新城区|
新疆=新疆维吾尔自治区|乌鲁木齐|Urumqi|0991|1|天山区 沙依巴克区|
|香港|Hong Kong|852|1||"""


def _pinyin(spec: str) -> dict[str, str]:
    return dict(re.findall(r"([\u4e00-\u9fff]+)([a-z]+)", spec))


BRAND_PY = _pinyin(
    "恒heng 信xin 华hua 泰tai 金jin 鼎ding 盛sheng 宏hong 达da 瑞rui 丰feng 源yuan 永yong 嘉jia 禾he 康kang 佳jia 德de 利li "
    "兴xing 隆long 汇hui 通tong 博bo 远yuan 新xin 天tian 宇yu 富fu 万wan 昌chang 晟sheng 鑫xin 锦jin 浩hao 海hai 宁ning "
    "安an 顺shun 泽ze 润run 中zhong 诚cheng 明ming 辉hui 光guang 启qi 正zheng 元yuan 合he 众zhong 凯kai 腾teng 飞fei 越yue "
    "豪hao 卓zhuo 凡fan 雅ya 致zhi 盈ying 科ke 创chuang 力li 骏jun 驰chi 翔xiang 峰feng 森sen 林lin 恩en 美mei 欣xin 祥xiang "
    "福fu 裕yu 亿yi 乾qian 坤kun 益yi 捷jie 迅xun 图tu 景jing 晨chen 云yun 龙long 麒qi 百bai 协xie 星xing 亚ya 东dong "
    "南nan 方fang 大da 成cheng 友you 邦bang 联lian 振zhen 铭ming 帆fan 航hang 伟wei 业ye 赛sai 奥ao 凌ling 威wei 宝bao "
    "意yi 尚shang 品pin 蓝lan 银yin 川chuan 山shan 江jiang 立li 久jiu 鸿hong 耀yao 贝bei 朗lang")
SURNAME_PY = _pinyin(
    "王wang 李li 张zhang 刘liu 陈chen 杨yang 黄huang 赵zhao 吴wu 周zhou 徐xu 孙sun 马ma 朱zhu 胡hu 郭guo 何he 高gao 林lin "
    "罗luo 郑zheng 梁liang 谢xie 宋song 唐tang 许xu 韩han 冯feng 邓deng 曹cao 彭peng 曾zeng 肖xiao 田tian 董dong 袁yuan "
    "潘pan 于yu 蒋jiang 蔡cai 余yu 杜du 叶ye 程cheng 苏su 魏wei 吕lv 丁ding 任ren 沈shen 姚yao 卢lu 姜jiang 崔cui 钟zhong "
    "谭tan 陆lu 汪wang 范fan 金jin 石shi 廖liao 贾jia 夏xia 韦wei 付fu 方fang 白bai 邹zou 孟meng 熊xiong 秦qin 邱qiu 薛xue "
    "闫yan 段duan 雷lei 侯hou 龙long 史shi 黎li 贺he 顾gu 毛mao 郝hao 龚gong 邵shao 覃qin 欧阳ouyang 司马sima 上官shangguan")
MALE_PY = _pinyin(
    "伟wei 强qiang 磊lei 军jun 勇yong 杰jie 涛tao 明ming 超chao 刚gang 平ping 辉hui 鹏peng 华hua 飞fei 鑫xin 波bo 斌bin 宇yu "
    "浩hao 凯kai 健jian 俊jun 帆fan 建jian 国guo 志zhi 海hai 文wen 东dong 峰feng 晨chen 阳yang 毅yi 亮liang 成cheng 洋yang")
FEMALE_PY = _pinyin(
    "芳fang 娜na 敏min 静jing 丽li 艳yan 娟juan 霞xia 燕yan 玲ling 婷ting 雪xue 慧hui 莉li 红hong 琳lin 颖ying 倩qian 洁jie "
    "萍ping 梅mei 佳jia 欣xin 悦yue 琴qin 露lu 丹dan 雅ya 晶jing 月yue 秀xiu 英ying 兰lan 薇wei 蓉rong 怡yi 萱xuan 琪qi")
BRAND_CHARS, SURNAMES, MALE, FEMALE = list(BRAND_PY), list(SURNAME_PY), list(MALE_PY), list(FEMALE_PY)
SURNAME_CUM = list(accumulate(1 / (rank + 6) for rank in range(len(SURNAMES))))
GIVEN_PY = MALE_PY | FEMALE_PY
TITLES_M = ["经理", "总", "先生", "工", "老板", "主任", "师傅"]
TITLES_F = ["经理", "总", "女士", "姐", "老板", "主任", "小姐"]
TRADES = [tuple(t.split(",")) for t in re.findall(r"[^;]+", (
    "五金制品,五金,Hardware Products;建材,建材,Building Materials;电子科技,电子,Electronic Technology;贸易,贸易,Trading;"
    "机械设备,机械,Machinery;服饰,服饰,Apparel;食品,食品,Food;物流,物流,Logistics;塑料制品,塑料,Plastics;纺织,纺织,Textile;"
    "包装材料,包装,Packaging;汽车配件,汽配,Auto Parts;化工,化工,Chemical;家具,家具,Furniture;信息技术,信息,Information "
    "Technology;网络科技,网络,Network Technology;医疗器械,医疗,Medical Devices;环保科技,环保,Environmental Technology;"
    "餐饮管理,餐饮,Catering Management;装饰工程,装饰,Decoration Engineering;文化传媒,传媒,Culture Media;进出口,进出口,"
    "Import and Export;印刷,印刷,Printing;农业发展,农业,Agricultural Development;供应链管理,供应链,Supply Chain Management;"
    "新材料,材料,New Materials;光电,光电,Optoelectronics;精密模具,模具,Precision Mould;生物科技,生物,Biotechnology;"
    "实业,实业,Industrial;水暖器材,水暖,Plumbing Supplies"))]
AGENCY_TRADES = [("代理记账", "记账", "Accounting Services"), ("财务咨询", "财务", "Financial Consulting"),
                 ("企业管理咨询", "咨询", "Management Consulting")]
FORMS, FORM_CUM = ["有限公司", "有限责任公司", "股份有限公司"], [.72, .9, 1]
ALL_FORMS = [*FORMS, "公司", ""]
SHOP_TRADES = ["五金", "建材", "水果", "便利", "副食", "服装", "汽修", "烟酒", "日用品", "家电", "小吃", "美发", "文具", "茶叶",
               "水产", "粮油", "眼镜", "灯饰", "手机", "干洗", "花卉", "门窗"]
SHOP_SUFFIXES = ["店", "店", "商行", "经营部", "门市部", "批发部", "工作室"]
CHAINS = _pinyin("茶语时光chayu 果然鲜guoranxian 老街面馆laojie 悦家便利yuejia 快洁洗衣kuaijie 福满楼fumanlou 麦香坊maixiang "
                 "川味小馆chuanwei 橙心果饮chengxin 益康大药房yikang 贝乐童装beile 米粒烘焙mili 星辰眼镜xingchen 小满咖啡xiaoman")
LOCATIONS = ["人民路", "解放路", "中山路", "建设路", "万达广场", "银泰城", "吾悦广场", "火车站", "大学城", "新天地", "印象城",
             "龙湖天街", "步行街", "体育中心", "世纪大道", "高新区", "开发区", "东门", "南站", "北站", "滨江", "湖滨", "老街",
             "府前街", "文化路", "青年路", "和平路", "胜利路", "工业园", "科技园", "万象城", "江南路"]
MOBILE_PREFIXES = [str(p) for p in (*range(130, 140), *range(150, 160), 166, *range(173, 179), *range(180, 190), 199)]
PROVIDERS = ["163.com", "126.com", "qq.com", "sina.com", "foxmail.com", "139.com", "aliyun.com", "yeah.net", "sohu.com",
             "hotmail.com"]
ROLES = ["sales", "info", "service", "purchase", "admin", "caiwu", "xiaoshou", "office"]

# a repeat entry's (contact, new phone, new e-mail) and how often it happens
SCENARIOS = [("keep", False, False), ("title", False, False), ("keep", True, False), ("keep", False, True),
             ("new", False, False), ("new", True, False), ("new", False, True), ("exact", True, True),
             ("dept", True, True)]
SCENARIO_CUM = list(accumulate([.46, .10, .12, .10, .09, .04, .04, .03, .02]))
KINDS = ["place", "form", "trade", "short", "english", "surface", "hq"]
KIND_CUM = list(accumulate([27, 20, 15, 10, 8, 12, 8]))
FAMILIES = ["single", "shop", "neighbours", "cross_city", "branches", "franchise", "agent"]
FAMILY_CUM = list(accumulate([.5, .16, .08, .06, .06, .025, .025]))
FULL_WIDTH, HALF_PARENS = {i: i + 0xFEE0 for i in range(0x21, 0x7F)} | {0x20: 0x3000}, {0xFF08: "(", 0xFF09: ")"}


class City(NamedTuple):
    province: str
    province_short: str
    name: str
    pinyin: str
    area: str
    districts: tuple[str, ...]
    counties: tuple[tuple[str, ...], ...]


class Person(NamedTuple):
    sur: str
    given: str
    female: bool

    @property
    def name(self) -> str:
        return self.sur + self.given


def _city(line: str) -> City:
    prov, name, py, area, _, districts, counties = line.split("|")
    short, _, full = prov.partition("=")
    return City(full or (short + "省" if short else ""), short, name, py, area, tuple(districts.split()),
                tuple(tuple(c.split(":")) for c in counties.split()))


CITIES = [_city(line) for line in CITY_TABLE.splitlines()]
CITY_CUM = list(accumulate(float(line.split("|")[4]) for line in CITY_TABLE.splitlines()))
COMMON = [Person(sur, given, sex == "f") for sur, given, sex in re.findall(r"(\S)(\S+?)([mf])", (
    "王伟m 李娜f 张敏f 刘洋m 王芳f 李静f 张伟m 王静f 李强m 刘伟m 张丽f 王磊m 李军m 陈静f 王勇m 张杰m 刘芳f 李伟m 王秀英f "
    "张秀英f 陈杰m 杨洋m 李秀英f 王丽f 王敏f 李敏f 张静f 刘杰m 王军m 陈伟m"))]


@dataclass
class Entity:
    kind: str  # company, hq, branch, store or shop
    city: City
    person: Person
    phone: str
    email: str
    canon: str  # the registered name
    domain: str = ""
    brand: str = ""
    trade: tuple[str, ...] = ("", "", "")
    form: str = ""
    seat: tuple[str, str] = ("", "")  # the registering city or county, and its pinyin
    places: list[tuple[str, bool]] = field(default_factory=list)  # ways to write the seat; True: （宁波） after the trade
    place: tuple[str, bool] = ("", False)
    parent: Entity | None = None
    forms: list[str] = field(default_factory=list)  # other names of a store or shop; suffixes of a branch
    k: int = 1


def _render(brand: str, place: str, bracket: bool, trade: str, form: str) -> str:
    return ("" if bracket else place) + brand + trade + (f"（{place}）" if bracket else "") + form


def _surface(s: str, r: random.Random) -> str:
    x = r.random()
    if x < .3:
        hant = zhconv.convert(s, "zh-hant")
        return hant if hant != s else zhconv.convert(s, "zh-hans")
    if x < .65:
        i = r.randrange(1, max(2, len(s)))
        return s[:i] + r.choice([" ", "  ", "\u3000"]) + s[i:] if r.random() < .7 else r.choice(["", " "]) + s + " "
    swapped = s.translate(HALF_PARENS) if "（" in s else s.translate(FULL_WIDTH)
    return swapped if swapped != s else s + "\u3000"


def _write_phone(p: str, r: random.Random) -> str:
    if r.random() < .7:
        return p
    if "-" not in p:
        return r.choice([f"{p[:3]} {p[3:7]} {p[7:]}", f"{p[:3]}-{p[3:7]}-{p[7:]}", f"+86 {p}", f"+86{p}", f"86-{p}"])
    area, local = p.split("-")
    intl = f"+86-{area[1:]}-{local}" if area[0] == "0" else f"+{area} {local}"
    return r.choice([area + local, f"({area}){local}", f"{area} {local[:4]} {local[4:]}", intl])


def _write_mail(m: str, r: random.Random) -> str:
    if not m or r.random() < .85:
        return m
    local, domain = m.split("@")
    return r.choice([m.upper(), f"{local.capitalize()}@{domain}", f"{local}@{domain.upper()}", m + " ", " " + m])


class _Generator:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.names: set[str] = set()  # registered names: no two customers may share one
        self.brands: set[tuple[str, str]] = set()  # (prefecture, pinyin): homophones would share an English name
        self.used: set[str] = {f"{py}.com" for py in CHAINS.values()}  # phones, e-mails and domains handed out

    def fresh(self, make: Callable[[], str]) -> str:
        while (x := make()) in self.used:
            pass
        self.used.add(x)
        return x

    def city(self) -> City:
        return self.r.choices(CITIES, cum_weights=CITY_CUM)[0]

    def person(self) -> Person:
        r, female = self.r, self.r.random() < .5
        if r.random() < .18:
            return r.choice(COMMON)
        pool = FEMALE if female else MALE
        given = r.choice(pool) + (r.choice(pool) if r.random() < .55 else "")
        return Person(r.choices(SURNAMES, cum_weights=SURNAME_CUM)[0], given, female)

    def phone(self, city: City | None = None) -> str:
        """A mobile, or with `city` a landline there."""
        r = self.r
        if city:
            return self.fresh(lambda: f"{city.area}-{r.randrange(2, 9)}{r.randrange(10**7):07d}")
        return self.fresh(lambda: r.choice(MOBILE_PREFIXES) + f"{r.randrange(10**8):08d}")

    def domain(self, brand: str, seat_py: str) -> str:
        r, py, seat = self.r, "".join(BRAND_PY[c] for c in brand), re.sub("[^a-z]", "", seat_py.lower())
        return self.fresh(lambda: py + r.choice(["", seat, "-" + seat, "group", str(r.randrange(10, 999))])
                          + r.choice([".com", ".cn", ".com.cn", ".net"]))

    def email(self, p: Person, domain: str) -> str:
        r, s, g = self.r, SURNAME_PY[p.sur], "".join(GIVEN_PY[c] for c in p.given)

        def make() -> str:
            if domain and r.random() < .75:
                return r.choice([s + g, f"{g}.{s}", s[0] + g, r.choice(ROLES)]) + "@" + domain
            if r.random() < .3:
                return f"{r.randrange(10**5, 10**10)}@qq.com"
            return r.choice([s + g, f"{s}.{g}", f"{s}{g}{r.randrange(1, 100)}", f"{s}_{g}",
                             f"{g}{s}{r.randrange(1960, 2006)}"]) + "@" + r.choice(PROVIDERS)
        return self.fresh(make)

    def claim(self, city: City, brand: str) -> bool:
        key = (city.name, "".join(BRAND_PY[c] for c in brand))
        if key in self.brands or len(set(brand)) < len(brand):
            return False
        self.brands.add(key)
        return True

    def brand(self, city: City, base: str = "") -> str:
        """A brand free in the prefecture; with `base`, one a character away from it, or "" if none is free."""
        r = self.r
        for attempt in range(40):
            i = r.randrange(len(base) or 1)
            brand = (base[:i] + r.choice(BRAND_CHARS) + base[i + 1:] if base
                     else "".join(r.sample(BRAND_CHARS, 3 if attempt >= 6 or r.random() < .1 else 2)))
            if self.claim(city, brand):
                return brand
        return ""

    def company(self, city: City, brand: str = "", trade: tuple[str, ...] = (), person: Person | None = None,
                bracket: bool | None = None, domain: str | None = None) -> Entity:
        r = self.r
        brand, trade, person = brand or self.brand(city), trade or r.choice(TRADES), person or self.person()
        county = r.choice(city.counties) if city.counties and r.random() < .2 else None
        district = "" if county or not city.districts else r.choice(city.districts)
        seat, seat_py = (county[0][:-1], county[1]) if county else (city.name, city.pinyin)
        full = county[0] if county else seat if seat == HK else seat + "市"
        wider = [city.province + full, city.province_short + seat] if city.province else []
        if county or district:
            wider += [city.name + seat, city.name + "市" + full] if county else [full + district, seat + district]
        places = list(dict.fromkeys([(seat, False), (full, False), *((w, False) for w in wider), (seat, True),
                                     ("", False)]))
        x = r.random()
        place = ((seat, True) if bracket or bracket is None and x < .1 else (full, False) if x < .25
                 else (full + district, False) if x < .32 and district else (seat, False))
        form = "有限公司" if seat == HK else r.choices(FORMS, cum_weights=FORM_CUM)[0]
        canon = _render(brand, *place, trade[0], form)
        canon = zhconv.convert(canon, "zh-hant") if seat == HK else canon  # Hong Kong registers in traditional
        self.names.add(canon)
        domain = (self.domain(brand, seat_py) if r.random() < .35 else "") if domain is None else domain
        return Entity("company", city, person, self.phone(city if r.random() < .15 else None),
                      "" if r.random() < .12 else self.email(person, domain), canon, domain, brand, trade, form,
                      (seat, seat_py), places, place)

    def family(self) -> list[Entity]:
        """One customer, or several a matcher could mistake for one another."""
        kind, city = self.r.choices(FAMILIES, cum_weights=FAMILY_CUM)[0], self.city()
        return [self.company(city)] if kind == "single" else getattr(self, "_" + kind)(city)

    def _neighbours(self, city: City) -> list[Entity]:
        person = self.r.choice(COMMON) if self.r.random() < .4 else None
        family = [self.company(city, person=person)]
        for _ in range(self.r.randint(1, 2)):
            if brand := self.brand(city, base=family[0].brand):
                family.append(self.company(city, brand, family[0].trade, person=person))
        return family

    def _cross_city(self, city: City) -> list[Entity]:
        r = self.r
        brand, trade, bracket = self.brand(city), r.choice(TRADES), r.random() < .35
        domain = self.domain(brand, "") if r.random() < .3 else None  # a group's firms often share its domain
        family = [self.company(city, brand, trade, bracket=bracket, domain=domain)]
        for _ in range(r.randint(1, 3)):
            other = CITIES[-1] if r.random() < .1 else self.city()
            if self.claim(other, brand):
                family.append(self.company(other, brand, trade, bracket=bracket, domain=domain))
        return family

    def _branches(self, city: City) -> list[Entity]:
        r, brand = self.r, self.brand(city)
        domain = self.domain(brand, city.pinyin) if r.random() < .6 else ""
        hq, board = self.company(city, brand, domain=domain), self.phone(city)
        hq.kind, hq.phone = "hq", board if r.random() < .5 else hq.phone
        family = [hq]
        for _ in range(r.randint(1, 3)):
            other = self.city()
            if other != city and r.random() < .6:
                suffix, where = other.name + r.choice(["分公司", "分公司", "办事处"]), other
            else:
                suffix, where = r.choice(city.districts or ("第二",)) + r.choice(["分公司", "营业部", "门市部"]), city
            if hq.canon + suffix not in self.names:
                self.names.add(hq.canon + suffix)
                person = self.person()
                email = "" if r.random() < .12 else self.email(person, domain if r.random() < .6 else "")
                family.append(Entity("branch", where, person, board if r.random() < .25 else self.phone(), email,
                                     hq.canon + suffix, domain, parent=hq, forms=[suffix, f"（{suffix}）", " " + suffix]))
        return family

    def _franchise(self, city: City) -> list[Entity]:
        r, chain, family = self.r, self.r.choice(list(CHAINS)), []
        for loc in r.sample(LOCATIONS, r.randint(3, 8)):
            plain, with_city = f"{chain}（{loc}店）", f"{chain}（{city.name}{loc}店）"
            if plain not in self.names:
                canon, forms = plain, [f"{chain}{loc}店", f"{chain}({loc}店)", with_city, f"{city.name}{chain}{loc}店",
                                       f"{chain}·{loc}店"]
            elif with_city not in self.names:  # another city's store has the plain name: this one always has its city
                canon, forms = with_city, [f"{city.name}{chain}{loc}店", f"{chain}({city.name}{loc}店)"]
            else:
                continue
            self.names.update((plain, with_city))
            person, x = self.person(), r.random()
            email = "" if x < .45 else self.email(person, f"{CHAINS[chain]}.com" if x < .7 else "")
            family.append(Entity("store", city, person, self.phone(city if r.random() < .3 else None), email, canon,
                                 forms=forms))
        return family

    def _agent(self, city: City) -> list[Entity]:
        r, agent = self.r, self.person()
        phone, email = self.phone(), self.email(agent, "")
        family = [self.company(city, trade=r.choice(AGENCY_TRADES), person=agent)] if r.random() < .5 else []
        family += [self.company(city if r.random() < .85 else self.city(), person=agent if r.random() < .85 else None)
                   for _ in range(r.randint(3, 7))]
        for firm in family:  # the agent's own number and mailbox stand in for the client's
            firm.phone = phone if r.random() < .85 else firm.phone
            firm.email = email if r.random() < .85 else firm.email
        return family

    def _shop(self, city: City) -> list[Entity]:
        r = self.r
        for _ in range(30):
            owner, trade, suffix = self.person(), r.choice(SHOP_TRADES), r.choice(SHOP_SUFFIXES)
            if owner.name not in self.names and owner.name + trade + suffix not in self.names:
                break
        else:
            return []
        full, district = owner.name + trade + suffix, r.choice(city.districts or ("",))
        prefixed = (HK if city.name == HK else city.name + "市") + district + full
        self.names.update((owner.name, full, prefixed))
        forms = list(dict.fromkeys([owner.name, full, prefixed, district + full, owner.name + trade + "店",
                                    f"{owner.name}（个体工商户）", f"{trade}{suffix}（{owner.name}）", f"个体户{owner.name}"]))
        person = owner if r.random() < .85 else self.person()
        return [Entity("shop", city, person, self.phone(), "" if r.random() < .5 else self.email(person, ""),
                       r.choices([owner.name, full, prefixed], cum_weights=[.35, .75, 1])[0], forms=forms)]

    def english(self, e: Entity) -> str:
        r, (seat, seat_py), t = self.r, e.seat, e.trade[2]
        b = "".join(BRAND_PY[c].capitalize() if r.random() < .2 else BRAND_PY[c] for c in e.brand).capitalize()
        ltd = "Limited" if seat == HK else r.choice(["Co., Ltd.", "Co.,Ltd.", "Company Limited", "Co. Ltd"])
        s = r.choice([f"{b} {t} {ltd}", f"{seat_py} {b} {t} {ltd}", f"{b} ({seat_py}) {t} {ltd}", f"{seat_py} {b}",
                      f"{b} {t}"])
        return s.upper() if r.random() < .25 else s

    def company_variant(self, e: Entity, whole: bool = True) -> str:
        """The firm's name as someone typed it; a branch's head office is never shortened, translated or （总部）."""
        r = self.r
        skip = () if whole and e.kind == "hq" else ("hq",) if whole else ("hq", "english", "short")
        kinds = [k for k in r.choices(KINDS, cum_weights=KIND_CUM, k=1 if r.random() < .7 else 2) if k not in skip]
        kinds = kinds or ["form"]
        if "english" in kinds:
            return self.english(e)
        if "short" in kinds:
            seat, short = e.seat[0], e.trade[1]
            return r.choice([e.brand + "公司", seat + e.brand, e.brand + short, seat + e.brand + short,
                             e.brand + short + "公司"])
        (place, bracket), trade, form = e.place, e.trade[0], e.form
        if "place" in kinds:
            place, bracket = r.choice([p for p in e.places if p != e.place])
        if "form" in kinds:
            form = r.choice([f for f in ALL_FORMS if f != e.form])
        if "trade" in kinds:
            trade = r.choice([t for t in (e.trade[1], "") if t != trade])
        s = _render(e.brand, place, bracket, trade, form) + (r.choice(["（总部）", "总部", "(总公司)"]) if "hq" in kinds else "")
        s = zhconv.convert(s, "zh-hant") if e.seat[0] == HK and r.random() < .6 else s
        return _surface(s, r) if "surface" in kinds else s

    def variant(self, e: Entity) -> str:
        r = self.r
        if e.kind in ("store", "shop"):
            s = r.choice([f for f in e.forms if f != e.canon])
        elif e.kind == "branch":
            hq, x = e.parent, r.random()
            head = hq.canon if x < .3 else self.company_variant(hq, whole=False) if x < .8 else hq.brand + hq.trade[1]
            s = head + r.choice(e.forms)
        else:
            s = self.company_variant(e)
        return _surface(s, r) if r.random() < .1 else s

    def contact(self, p: Person, mode: str) -> str:
        r, x = self.r, self.r.random()
        if mode == "title":
            return p.sur + r.choice(TITLES_F if p.female else TITLES_M)
        if x < .05:
            return p.sur + " " + p.given if x < .03 else zhconv.convert(p.name, "zh-hant")
        return p.name + r.choice(["（采购）", "(财务)", "经理", " 总"]) if x < .07 else p.name

    def rows(self, e: Entity) -> list[list[str]]:
        """The entity's records: the first as registered, each later one linked to it by phone, e-mail or contact."""
        r = self.r
        out = [[e.canon if r.random() < .8 else self.variant(e), e.person, e.phone, e.email, "keep"]]
        for _ in range(e.k - 1):
            mode, new_phone, new_mail = r.choices(SCENARIOS, cum_weights=SCENARIO_CUM)[0]
            name, person, phone, mail = e.canon if r.random() < .15 else self.variant(e), e.person, e.phone, e.email
            if mode == "dept":
                name = out[0][0] = e.canon  # two departments of one firm: only the registered name links them
            if mode in ("new", "dept"):
                while (person := self.person()).name == e.person.name:
                    pass
            elif mode == "keep" and r.random() < .2:
                mode = "title"
            if new_phone:
                phone = self.phone(e.city if r.random() < .2 else None)
            if new_mail:
                mail = "" if r.random() < .3 else self.email(person, e.domain)
            if mode != "dept" and not (phone == e.phone or mail and mail == e.email
                                        or person == e.person and mode != "title"):
                phone = e.phone  # nobody would link records that share only a look-alike name
            out.append([name, person, phone, mail, mode])
        return [[name, self.contact(p, mode), _write_phone(ph, r), _write_mail(m, r)] for name, p, ph, m, mode in out]


def make_holdout_set(n_records: int = 170_000, seed: int = 7) -> pd.DataFrame:
    """`n_records` labelled records in random order; a seed and size always give the same frame."""
    g = _Generator(seed)
    r, entities, total = g.r, [], 0
    while total < n_records:
        for e in g.family():
            e.k = min(r.choices((1, 2, 3), cum_weights=(.725, .925, 1))[0], n_records - total)
            if e.k:
                entities.append(e)
                total += e.k
    labels = list(range(len(entities)))
    r.shuffle(labels)  # a family's members are made together and should not get neighbouring labels
    span, rows = (LAST_DAY - FIRST_DAY).days + 1, []
    for e, label in zip(entities, labels):
        days = sorted(r.randrange(span) for _ in range(e.k))  # the entry under the registered name tends to be first
        rows += [row + [day, label] for row, day in zip(g.rows(e), days)]
    frame = pd.DataFrame(rows, columns=["客户名称", "联系人姓名", "联系电话", "联系邮箱", "day", "entity"])
    frame = frame.sample(frac=1, random_state=seed, ignore_index=True)
    created = pd.Timestamp(FIRST_DAY) + pd.to_timedelta(frame["day"], unit="D")
    ymd = created.dt.strftime("%Y%m%d")
    frame["客户编号"] = "CRM" + ymd + (frame.groupby(ymd).cumcount() + 1).map("{:05d}".format)
    frame["创建时间"] = created.dt.date
    return frame[COLUMNS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=170_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    start = time.perf_counter()
    frame = make_holdout_set(args.records, args.seed)
    out = CACHE / f"dedupe-holdout-{args.seed}-{args.records}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False, encoding="utf-8-sig")
    sizes = frame["entity"].value_counts()
    print(f"{out}: {len(frame):,} records, {len(sizes):,} entities, {(sizes > 1).sum():,} entered more than once, "
          f"{int((sizes * (sizes - 1) // 2).sum()):,} true pairs ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
