"""Held-out duplicate customers labelled by docs/dedupe-policy.md (issue 37), written without looking at the matcher.

    python benchmarks/dedupe_sets/dedupe_policy.py --n 60000 --seed 37 --out DIR   -> DIR/dedupe-policy-<seed>-<n>.csv

Each record carries ``entity``: records with the same entity are one customer under the policy, that is one
registered legal entity, or one person / 个体工商户 (a shop and its owner are one).  Customers are Chinese SMEs:
companies named 省/市 + 字号 + 行业 + 有限公司 (some with an English or pinyin name, some with 分公司), Hong Kong
companies with a mainland sister, 个体工商户 shops and their owners, private persons, franchise stores, and firms
filed by an agent.  About one record in seven is a customer typed again: abbreviated, city moved or dropped,
another legal form, a homophone or dropped character, full width, spaces, traditional characters, the phone in
any format or a landline for a mobile, e-mail in other case, the contact as 王经理; the shop once as the owner's
name, the company once in English or pinyin, a repeat joined only through a third record, the identical
registered name with nothing else in common.  The hard negatives are the policy's "different customers": branch
and head office and two branches, sister companies, franchise stores of one brand (some behind the brand's 400
line), an agent's phone or e-mail on the firms it filed, contacts with common names, one shop name in two
cities, and brands one character apart or homophones.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import zhconv

# City, province (empty for the municipalities), area code, pinyin, districts.
CITIES = [
    ("长沙", "湖南", "0731", "Changsha", "开福 岳麓 芙蓉 天心 雨花 望城"),
    ("北京", "", "010", "Beijing", "朝阳 海淀 丰台 东城 西城 通州 大兴"),
    ("上海", "", "021", "Shanghai", "浦东新 徐汇 闵行 静安 杨浦 松江 嘉定"),
    ("广州", "广东", "020", "Guangzhou", "天河 越秀 海珠 白云 番禺 黄埔"),
    ("深圳", "广东", "0755", "Shenzhen", "南山 福田 宝安 龙岗 龙华 罗湖"),
    ("杭州", "浙江", "0571", "Hangzhou", "西湖 拱墅 滨江 萧山 余杭 上城"),
    ("宁波", "浙江", "0574", "Ningbo", "海曙 鄞州 江北 北仑 镇海"),
    ("温州", "浙江", "0577", "Wenzhou", "鹿城 龙湾 瓯海 洞头"),
    ("南京", "江苏", "025", "Nanjing", "鼓楼 玄武 秦淮 建邺 江宁 栖霞"),
    ("苏州", "江苏", "0512", "Suzhou", "姑苏 吴中 相城 虎丘 吴江"),
    ("无锡", "江苏", "0510", "Wuxi", "梁溪 滨湖 锡山 惠山 新吴"),
    ("成都", "四川", "028", "Chengdu", "武侯 锦江 青羊 金牛 成华 双流"),
    ("重庆", "", "023", "Chongqing", "渝中 江北 南岸 九龙坡 沙坪坝 渝北"),
    ("武汉", "湖北", "027", "Wuhan", "江汉 江岸 硚口 武昌 洪山 汉阳"),
    ("西安", "陕西", "029", "Xian", "雁塔 碑林 莲湖 新城 未央 长安"),
    ("郑州", "河南", "0371", "Zhengzhou", "金水 中原 二七 管城 惠济"),
    ("济南", "山东", "0531", "Jinan", "历下 市中 槐荫 天桥 历城"),
    ("青岛", "山东", "0532", "Qingdao", "市南 市北 黄岛 崂山 城阳 李沧"),
    ("合肥", "安徽", "0551", "Hefei", "蜀山 包河 庐阳 瑶海"),
    ("福州", "福建", "0591", "Fuzhou", "鼓楼 台江 仓山 晋安 马尾"),
    ("厦门", "福建", "0592", "Xiamen", "思明 湖里 集美 海沧 同安"),
    ("南昌", "江西", "0791", "Nanchang", "东湖 西湖 青山湖 红谷滩"),
    ("昆明", "云南", "0871", "Kunming", "五华 盘龙 官渡 西山 呈贡"),
    ("贵阳", "贵州", "0851", "Guiyang", "南明 云岩 花溪 观山湖"),
    ("兰州", "甘肃", "0931", "Lanzhou", "城关 七里河 西固 安宁"),
    ("西宁", "青海", "0971", "Xining", "城东 城中 城西 城北"),
    ("佛山", "广东", "0757", "Foshan", "禅城 南海 顺德 三水 高明"),
    ("东莞", "广东", "0769", "Dongguan", "莞城 南城 东城 长安 虎门 厚街"),
    ("天津", "", "022", "Tianjin", "和平 河西 南开 河北 滨海新"),
    ("沈阳", "辽宁", "024", "Shenyang", "和平 沈河 皇姑 铁西 浑南"),
]
# 字号 characters with their pinyin; characters sharing a pinyin are the homophones a wrong IME pick gives.
BRAND = ("致zhi 智zhi 志zhi 力li 立li 利li 丽li 炬ju 巨ju 聚ju 华hua 化hua 骅hua 讯xun 迅xun 新xin 鑫xin 欣xin "
         "信xin 达da 大da 源yuan 元yuan 远yuan 博bo 泊bo 盛sheng 胜sheng 晟sheng 恒heng 衡heng 通tong 同tong "
         "佳jia 嘉jia 家jia 宏hong 鸿hong 弘hong 泰tai 太tai 安an 昌chang 长chang 海hai 凯kai 锦jin 金jin 瑞rui "
         "锐rui 润run 天tian 宇yu 誉yu 禹yu 浩hao 豪hao 腾teng 飞fei 菲fei 星xing 兴xing 明ming 铭ming 德de "
         "诚cheng 成cheng 美mei 好hao 和he 合he 禾he 创chuang 富fu 福fu 康kang 亿yi 益yi 艺yi 翔xiang 祥xiang "
         "沛pei 雅ya 亚ya 韵yun 蕴yun 云yun 青qing 清qing 晴qing 林lin 霖lin 峰feng 丰feng 锋feng 航hang 辰chen "
         "晨chen 乐le 正zheng 政zheng 中zhong 众zhong 宝bao 保bao 骏jun 俊jun 君jun 普pu 朴pu 卓zhuo 越yue 悦yue "
         "万wan 东dong 冬dong 南nan 楠nan 北bei 贝bei 千qian 谦qian 永yong 勇yong 荣rong 融rong 启qi 奇qi 琪qi "
         "翰han 汉han 蓝lan 岚lan 鹏peng 朋peng 旭xu 绪xu 顺shun 舜shun 晶jing 精jing 景jing 易yi 奕yi 壹yi")
PINYIN = {item[0]: item[1:] for item in BRAND.split()}
SOUNDS: dict[str, list[str]] = {}
for _char, _sound in PINYIN.items():
    SOUNDS.setdefault(_sound, []).append(_char)
# Trade words: Chinese, English, pinyin.
TRADES = [("电子", "Electronics", "dianzi"), ("科技", "Technology", "keji"), ("贸易", "Trading", "maoyi"),
          ("物流", "Logistics", "wuliu"), ("机械", "Machinery", "jixie"), ("建材", "Building Materials", "jiancai"),
          ("食品", "Food", "shipin"), ("服装", "Garments", "fuzhuang"), ("家具", "Furniture", "jiaju"),
          ("化工", "Chemical", "huagong"), ("医疗器械", "Medical Equipment", "yiliao qixie"),
          ("包装", "Packaging", "baozhuang"), ("五金", "Hardware", "wujin"), ("印务", "Printing", "yinwu"),
          ("餐饮管理", "Catering Management", "canyin guanli"), ("广告", "Advertising", "guanggao"),
          ("信息技术", "Information Technology", "xinxi jishu"), ("环保科技", "Environmental Technology", "huanbao keji"),
          ("汽车配件", "Auto Parts", "qiche peijian"), ("农业发展", "Agricultural Development", "nongye fazhan"),
          ("文化传媒", "Culture Media", "wenhua chuanmei"), ("建筑工程", "Construction Engineering", "jianzhu gongcheng"),
          ("装饰工程", "Decoration Engineering", "zhuangshi gongcheng"), ("茶业", "Tea", "chaye"),
          ("纺织", "Textile", "fangzhi"), ("实业", "Industrial", "shiye"), ("电气", "Electric", "dianqi"),
          ("供应链管理", "Supply Chain Management", "gongyinglian guanli"), ("塑料制品", "Plastic Products", "suliao zhipin"),
          ("生物科技", "Biotechnology", "shengwu keji"), ("网络科技", "Network Technology", "wangluo keji")]
FORMS = ["有限公司"] * 14 + ["有限责任公司"] * 3 + ["股份有限公司"]
SHOP_TRADES = ["汽车维修商行", "服装经营部", "五金店", "餐馆", "水果店", "便利店", "理发店", "建材经营部", "烟酒商行",
               "家电维修部", "农资店", "快递服务部", "小吃店", "茶叶店", "手机维修店", "装饰材料店", "干洗店", "面馆"]
SURNAMES = ("王wang 李li 张zhang 刘liu 陈chen 杨yang 黄huang 赵zhao 吴wu 周zhou 徐xu 孙sun 马ma 朱zhu 胡hu 郭guo "
            "何he 高gao 林lin 罗luo 郑zheng 梁liang 谢xie 宋song 唐tang 许xu 韩han 冯feng 邓deng 曹cao 彭peng 曾zeng "
            "肖xiao 田tian 董dong 袁yuan 潘pan 蒋jiang 蔡cai 余yu 杜du 叶ye 程cheng 苏su 魏wei 吕lv 丁ding 任ren "
            "沈shen 姚yao 卢lu 钟zhong 谭tan 陆lu 汪wang 范fan 金jin 石shi 廖liao 贾jia 夏xia 方fang 邹zou 熊xiong")
# Given names, the common ones many times over, so that unrelated contacts share a name (张伟, 王芳, 李娜).
GIVEN = ("伟wei 芳fang 娜na 敏min 静jing 丽li 强qiang 磊lei 军jun 洋yang 勇yong 艳yan 杰jie 娟juan 涛tao 明ming "
         "超chao 霞xia 平ping 刚gang 秀英xiuying 桂英guiying 秀芳xiufang 建华jianhua 建国jianguo 志强zhiqiang "
         "海燕haiyan 晓燕xiaoyan 丽华lihua 红梅hongmei 文博wenbo 子涵zihan 梓萱zixuan 浩然haoran 宇航yuhang "
         "俊杰junjie 雪梅xuemei 国庆guoqing 春生chunsheng 小红xiaohong 佳怡jiayi 思远siyuan 婷婷tingting 志刚zhigang "
         "玉兰yulan 德明deming 振华zhenhua 金凤jinfeng 晓东xiaodong 鹏飞pengfei 宏伟hongwei 立新lixin 永红yonghong")
COMMON_WEIGHT = 12  # the first eight given names are drawn this many times as often as the rest
TITLES = ["经理", "总", "先生", "女士", "主任", "老板"]
LANDMARKS = ["万达", "五一广场", "步行街", "火车站", "大学城", "新天地", "银泰", "高新", "江滩", "人民路", "解放路", "吾悦"]
MAILS = ["163.com", "126.com", "qq.com", "sina.com", "139.com", "foxmail.com", "aliyun.com"]
FULL = str.maketrans("()0123456789-+ABCDEFGHIJKLMNOPQRSTUVWXYZ ,.", "（）０１２３４５６７８９－＋ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ　，．")
HALF = str.maketrans("（）", "()")


def _pairs(text: str) -> list[tuple[str, str]]:
    """"王wang 李li" -> [("王", "wang"), ("李", "li")]: the characters, then their pinyin."""
    out = []
    for item in text.split():
        cut = next(i for i, ch in enumerate(item) if ch.isascii())
        out.append((item[:cut], item[cut:]))
    return out


SURNAME_LIST = _pairs(SURNAMES)
GIVEN_LIST = _pairs(GIVEN)
GIVEN_WEIGHTS = [COMMON_WEIGHT if i < 8 else 1 for i in range(len(GIVEN_LIST))]


@dataclass
class Person:
    surname: str
    given: str
    sur_py: str
    given_py: str

    @property
    def name(self) -> str:
        return self.surname + self.given

    @property
    def pinyin(self) -> str:
        return f"{self.given_py.capitalize()} {self.sur_py.capitalize()}"


@dataclass
class Customer:
    """One entity: what its records are typed from."""
    entity: int
    kind: str  # company, branch, hk, shop, person, franchise
    name: str  # the registered name (a person's own name for a person)
    short: str  # what people call it
    contact: Person
    mobile: str
    landline: str = ""
    email: str = ""
    english: str = ""
    city: tuple = ()
    brand: str = ""
    trade: tuple = ()
    records: list[dict] = field(default_factory=list)
    # Every 字号 + trade registered in the set (the Maker's): a typo must not write another firm's name.
    taken: set[str] = field(default_factory=set, repr=False, compare=False)


class Maker:
    """Draws unique phones, e-mails and registered names for one seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.phones: set[str] = set()
        self.mails: set[str] = set()
        self.names: set[str] = set()
        self.domains: set[str] = set()
        self.entities = 0

    def entity(self) -> int:
        self.entities += 1
        return self.entities

    def person(self, surname: tuple[str, str] | None = None) -> Person:
        sur = surname or self.rng.choice(SURNAME_LIST)
        given = self.rng.choices(GIVEN_LIST, weights=GIVEN_WEIGHTS)[0]
        return Person(sur[0], given[0], sur[1], given[1])

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(["13", "15", "18", "17", "19"]) + "".join(self.rng.choices("0123456789", k=9))
            if number not in self.phones:
                self.phones.add(number)
                return number

    def landline(self, city: tuple) -> str:
        digits = 8 if len(city[2]) <= 3 or self.rng.random() < 0.8 else 7
        while True:
            number = city[2] + "-" + self.rng.choice("2345678") + "".join(self.rng.choices("0123456789", k=digits - 1))
            if number not in self.phones:
                self.phones.add(number)
                return number

    def unique_mail(self, local: str, domain: str) -> str:
        address = f"{local}@{domain}"
        while address in self.mails:
            address = f"{local}{self.rng.randint(1, 999)}@{domain}"
        self.mails.add(address)
        return address

    def personal_mail(self, person: Person) -> str:
        if self.rng.random() < 0.4:
            return self.unique_mail(str(self.rng.randint(10_000_000, 3_999_999_999)), "qq.com")
        local = self.rng.choice([person.sur_py + person.given_py, person.given_py + person.sur_py,
                                 person.sur_py + "_" + person.given_py])
        return self.unique_mail(local + str(self.rng.randint(0, 99) if self.rng.random() < 0.5 else ""),
                                self.rng.choice(MAILS))

    def domain(self, brand: str, city: tuple) -> str:
        base = "".join(PINYIN[ch] for ch in brand)
        candidate = base + self.rng.choice([".com", ".cn", ".com.cn", ".net"])
        while candidate in self.domains:
            candidate = base + self.rng.choice([city[3].lower()[:2], "gp", "group", str(self.rng.randint(1, 99))]) \
                + self.rng.choice([".com", ".cn"])
        self.domains.add(candidate)
        return candidate

    def brand(self, k: int = 2) -> str:
        return "".join(self.rng.sample(list(PINYIN), k))

    def registered(self, city: tuple, brand: str, trade: str, form: str) -> str | None:
        """A company name in one of the ways a registration authority writes it; None if already taken."""
        city_name, province = city[0], city[1]
        shape = self.rng.random()
        if shape < 0.6:
            name = f"{city_name}市{brand}{trade}{form}"
        elif shape < 0.75 and province:
            name = f"{province}{brand}{trade}{form}"
        elif shape < 0.9:
            name = f"{brand}{trade}（{city_name}）{form}"
        else:
            name = f"{city_name}{brand}{trade}{form}"
        # One 字号 + trade is one firm across the country, so a repeat stripped of its city is still only its own.
        key = brand + trade
        if key in self.names:
            return None
        self.names.add(key)
        return name

    # --- the customers -------------------------------------------------------------------------------------

    def company(self, city: tuple | None = None, brand: str = "", trade: tuple | None = None) -> Customer | None:
        rng = self.rng
        city = city or rng.choice(CITIES)
        trade = trade or rng.choice(TRADES)
        brand = brand or self.brand(rng.choice([2, 2, 2, 2, 3]))
        form = rng.choice(FORMS)
        name = self.registered(city, brand, trade[0], form)
        if name is None:
            return None
        contact = self.person()
        c = Customer(self.entity(), "company", name, brand + trade[0], contact, self.mobile(), city=city, brand=brand,
                     trade=trade)
        if rng.random() < 0.6:
            c.landline = self.landline(city)
        roll = rng.random()
        if roll < 0.55:
            c.email = self.unique_mail(rng.choice([contact.sur_py + contact.given_py, contact.given_py, "info", "sales",
                                                   contact.sur_py + "." + contact.given_py]), self.domain(brand, city))
        elif roll < 0.8:
            c.email = self.personal_mail(contact)
        if rng.random() < 0.3:
            c.english = english(c, rng)
        return c

    def branches(self, parent: Customer) -> list[Customer]:
        rng, out = self.rng, []
        domain = parent.email.split("@")[1] if parent.email and parent.email.split("@")[1] not in MAILS else ""
        places = rng.sample(parent.city[4].split(), k=min(rng.randint(1, 3), len(parent.city[4].split())))
        elsewhere: set[str] = set()
        for place in places:
            other = rng.random() < 0.35
            city = rng.choice(CITIES) if other else parent.city
            # Two branches in one other city would carry one registered name (…西宁分公司 twice): one entity by the
            # policy.  The second stays in a district of the parent's city instead.
            if other and city[0] in elsewhere:
                other, city = False, parent.city
            elsewhere.add(city[0] if other else "")
            tail = f"{city[0]}分公司" if other else f"{place}分公司"
            contact = self.person()
            b = Customer(self.entity(), "branch", parent.name + tail, parent.short + tail, contact, self.mobile(),
                         city=city, brand=parent.brand, trade=parent.trade)
            if rng.random() < 0.5:
                b.landline = self.landline(city)
            if domain and rng.random() < 0.7:
                b.email = self.unique_mail(rng.choice([contact.sur_py + contact.given_py, city[3].lower(),
                                                       city[3].lower() + "." + place_py(place)]), domain)
            elif rng.random() < 0.4:
                b.email = self.personal_mail(contact)
            if parent.english:
                # An English branch name names the city, even for a branch in a district of it.
                b.english = f"{parent.english} {city[3]} Branch"
            out.append(b)
        return out

    def near_twin(self, c: Customer) -> Customer | None:
        """Another firm whose 字号 is a homophone of c's or one character apart: a different customer."""
        rng = self.rng
        at = rng.randrange(len(c.brand))
        sound = SOUNDS[PINYIN[c.brand[at]]]
        pool = [ch for ch in sound if ch != c.brand[at]] if rng.random() < 0.6 else []
        pool = pool or [ch for ch in PINYIN if ch not in c.brand]
        brand = c.brand[:at] + rng.choice(pool) + c.brand[at + 1:]
        return self.company(c.city, brand, c.trade)

    def hong_kong(self) -> list[Customer]:
        """A Hong Kong company and its mainland sister: one group, two customers, one mail domain."""
        rng = self.rng
        brand = self.brand(2)
        if brand + "贸易" in self.names or brand + "国际贸易" in self.names:
            return []
        self.names |= {brand + "贸易", brand + "国际贸易"}
        boss = self.person()
        py = brand_py(brand)
        domain = self.domain(brand, ("香港", "", "", "hk", ""))
        if rng.random() < 0.5:
            name, english_name = f"香港{brand}国际贸易有限公司", f"{py} (HK) International Trading Ltd."
        else:
            name, english_name = f"{brand}国际贸易（香港）有限公司", f"{py} International Trading (Hong Kong) Limited"
        phone = "852-" + str(rng.randint(2, 3)) + "".join(rng.choices("0123456789", k=7))
        self.phones.add(phone)
        hk = Customer(self.entity(), "hk", name, f"香港{brand}", boss, self.mobile(), landline=phone,
                      email=self.unique_mail(rng.choice(["info", "trade", boss.given_py + "." + boss.sur_py]), domain),
                      english=english_name, brand=brand, city=("香港", "", "852", "Hong Kong", "中环 湾仔 尖沙咀"),
                      trade=("国际贸易", "International Trading", "guoji maoyi"))
        city = rng.choice([c for c in CITIES if c[1] == "广东"] if rng.random() < 0.6 else CITIES)
        contact = boss if rng.random() < 0.3 else self.person()
        mainland = Customer(self.entity(), "company", f"{city[0]}市{brand}贸易有限公司", brand + "贸易", contact,
                            self.mobile(), landline=self.landline(city), brand=brand, city=city,
                            trade=("贸易", "Trading", "maoyi"),
                            email=self.unique_mail(rng.choice([contact.sur_py + contact.given_py, "sz", "china"]), domain))
        return [hk, mainland]

    def shop(self, city: tuple | None = None, owner: Person | None = None, brand: str = "",
             trade: str = "") -> Customer:
        rng = self.rng
        city = city or rng.choice(CITIES)
        owner = owner or self.person()
        trade = trade or rng.choice(SHOP_TRADES)
        if not brand:
            roll = rng.random()
            brand = owner.surname + "记" if roll < 0.15 else "老" + owner.surname if roll < 0.23 else self.brand(2)
            # Shop names repeat across places only where the group says so (same_shop); a stray repeat would be
            # a namesake the data did not mean to plant.
            while brand + trade in self.names:
                brand = self.brand(2)
            self.names.add(brand + trade)
        district = rng.choice(city[4].split())
        name = f"{city[0]}市{district}区{brand}{trade}"
        c = Customer(self.entity(), "shop", name, brand + trade, owner, self.mobile(), city=city, brand=brand,
                     trade=(trade, "", ""))
        if rng.random() < 0.45:
            c.email = self.personal_mail(owner)
        if rng.random() < 0.15:
            c.landline = self.landline(city)
        return c

    def private(self) -> Customer:
        person = self.person()
        c = Customer(self.entity(), "person", person.name, person.name, person, self.mobile())
        if self.rng.random() < 0.5:
            c.email = self.personal_mail(person)
        return c

    def franchise(self) -> list[Customer]:
        """Stores of one brand: each its own customer, some behind the brand's 400 line or franchise mailbox."""
        rng = self.rng
        brand = self.brand(2) + rng.choice(["小满", "记", "坊", "家", "屋", "铺", "堂", "鲜"])
        trade = rng.choice(["奶茶", "烘焙", "火锅", "便利", "洗衣", "药房", "水饺", "咖啡"])
        hotline = "400-" + "".join(rng.choices("0123456789", k=3)) + "-" + "".join(rng.choices("0123456789", k=4))
        mailbox = self.unique_mail("jiameng", self.domain(brand[:2], ("", "", "", "jm", "")))
        stores, used = [], set()
        for _ in range(rng.randint(2, 6)):
            city = rng.choice(CITIES)
            spot = rng.choice(LANDMARKS)
            if (city[0], spot) in used:
                continue
            used.add((city[0], spot))
            owner = self.person()
            s = self.shop(city, owner, brand, f"{trade}{spot}店")
            s.kind, s.short = "franchise", f"{brand}（{spot}店）"
            if rng.random() < 0.15:
                s.landline = hotline
            if rng.random() < 0.1:
                s.email = mailbox
            stores.append(s)
        return stores

    def agent(self) -> list[Customer]:
        """Firms one agent filed, showing the agent's phone or e-mail: different customers."""
        rng = self.rng
        city = rng.choice(CITIES)
        agent, phone = self.person(), self.landline(city)
        mail = self.personal_mail(agent)
        firms = []
        for _ in range(rng.randint(3, 7)):
            c = self.company(city)
            if c is None:
                continue
            shows = rng.choice(["phone", "mail", "both"])
            if shows != "mail":
                c.landline = phone
                if rng.random() < 0.5:
                    c.mobile = ""
            if shows != "phone":
                c.email = mail
            if rng.random() < 0.25:
                c.contact = agent
            firms.append(c)
        return firms


def brand_py(brand: str) -> str:
    return "".join(PINYIN.get(ch, "") for ch in brand).capitalize()


def place_py(place: str) -> str:
    return "".join(PINYIN.get(ch, "") for ch in place) or "fz"


def english(c: Customer, rng: random.Random) -> str:
    """The English name a firm puts on its letterhead."""
    py, trade = brand_py(c.brand), c.trade[1]
    return rng.choice([f"{c.city[3]} {py} {trade} Co., Ltd.", f"{py} {trade} ({c.city[3]}) Co., Ltd.",
                       f"{c.city[3]} {py} {trade} Company Limited"])


# --- how people type them ----------------------------------------------------------------------------------

def written_phone(rng: random.Random, number: str, plain: float = 0.0) -> str:
    """One number as someone types it: +86, dashes, spaces, brackets, an extension, full width."""
    if not number or rng.random() < plain:
        return number
    if number.startswith("852-"):
        local = number[4:]
        return rng.choice([f"+852 {local[:4]} {local[4:]}", f"(852){local}", local, f"+852-{local}", number])
    if number.startswith("400-"):
        return rng.choice([number.replace("-", ""), number.replace("-", " "), number])
    if "-" in number:
        area, local = number.split("-")
        out = rng.choice([f"{area}{local}", f"({area}){local}", f"{area} {local[:4]} {local[4:]}",
                          f"+86-{area[1:]}-{local}", f"{area}-{local}-{rng.randint(801, 8999)}",
                          f"{area}-{local}转{rng.randint(801, 8999)}", local, f"{area}—{local}"])
    else:
        out = rng.choice([f"{number[:3]}-{number[3:7]}-{number[7:]}", f"{number[:3]} {number[3:7]} {number[7:]}",
                          f"+86 {number}", f"+86-{number[:3]}-{number[3:7]}-{number[7:]}", f"86{number}",
                          f"0086-{number}", f"(+86){number}", f"{number[:3]}-{number[3:]}"])
    return out.translate(FULL) if rng.random() < 0.08 else out


def written_mail(rng: random.Random, mail: str) -> str:
    if not mail:
        return mail
    roll = rng.random()
    if roll < 0.25:
        return mail.upper() if rng.random() < 0.3 else mail[0].upper() + mail[1:]
    if roll < 0.35:
        local, domain = mail.split("@")
        return f"{local}@{domain[0].upper()}{domain[1:]}"
    if roll < 0.4:
        return f" {mail} "
    return mail


def written_contact(rng: random.Random, person: Person) -> str:
    roll = rng.random()
    if roll < 0.6:
        return person.name
    if roll < 0.8:
        return person.surname + rng.choice(TITLES)
    if roll < 0.87:
        return f"{person.surname} {person.given}"
    if roll < 0.95:
        return ""
    return person.pinyin


def spaced(rng: random.Random, parts: list[str]) -> str:
    return "".join(p + (rng.choice([" ", "  ", "　"]) if rng.random() < 0.6 else "") for p in parts).strip()


def typo(rng: random.Random, c: Customer, text: str) -> str:
    """A wrong IME pick (a homophone of a 字号 character), a dropped character, or two swapped; never another
    firm's 字号 + trade (a near twin's name typed is that firm by the policy), which leaves the text as it was."""
    typed = _typo(rng, c, text)
    trade = c.trade[0] if c.trade else ""
    at = typed.find(trade) if trade and typed != text else -1
    if any(typed[at - k:at] + trade in c.taken and typed[at - k:at] + trade not in text for k in (2, 3) if at >= k):
        return text
    return typed


def _typo(rng: random.Random, c: Customer, text: str) -> str:
    at = [i for i, ch in enumerate(text) if ch in c.brand]
    roll = rng.random()
    if at and roll < 0.6:
        i = rng.choice(at)
        others = [ch for ch in SOUNDS.get(PINYIN.get(text[i], ""), []) if ch != text[i]]
        if others:
            return text[:i] + rng.choice(others) + text[i + 1:]
    if roll < 0.85 and len(text) > 5:
        i = rng.randrange(1, len(text) - 1)
        return text[:i] + text[i + 1:]
    if len(c.brand) >= 2 and c.brand in text:
        return text.replace(c.brand, c.brand[1] + c.brand[0] + c.brand[2:], 1)
    return text


def company_name(rng: random.Random, c: Customer) -> str:
    """The company (or branch) typed again by someone who knows it, not its papers."""
    tail = c.name[len(c.name.split("公司")[0]) + 2:] if c.kind == "branch" else ""
    base = c.name[: len(c.name) - len(tail)]
    city, brand, trade = c.city[0], c.brand, c.trade[0]
    form = next((f for f in ("股份有限公司", "有限责任公司", "有限公司") if base.endswith(f)), "有限公司")
    roll = rng.random()
    if roll < 0.14:
        name = base
    elif roll < 0.26:
        name = brand + trade
    elif roll < 0.30:
        name = city + brand
    elif roll < 0.35:
        name = f"{brand}{trade}公司"
    elif roll < 0.44:
        name = f"{brand}{trade}{form}"
    elif roll < 0.50:
        name = f"{brand}{trade}" + rng.choice(["（", "("]) + city + rng.choice(["）", ")"]) + form
    elif roll < 0.54 and c.city[1]:
        name = f"{c.city[1]}省{city}市{brand}{trade}{form}"
    elif roll < 0.62:
        other = rng.choice([f for f in ("有限责任公司", "有限公司", "公司", "股份有限公司", "有限") if f != form])
        name = base[: len(base) - len(form)] + other
    elif roll < 0.74:
        name = typo(rng, c, base)
    elif roll < 0.80:
        name = spaced(rng, [city + "市", brand, trade, form])
    elif roll < 0.86:
        name = base.translate(HALF) if "（" in base else base.replace("有限", "有限 ").translate(FULL)
    elif roll < 0.91:
        name = zhconv.convert(base, "zh-hant")
    elif roll < 0.96:
        name = rng.choice([f"{base}（{c.contact.surname}总）", f"{base}-老客户", f"{brand}{trade} {c.contact.surname}经理",
                           f"{base}（原{brand}{trade}）"])
    else:
        name = brand
    if tail:
        tail = rng.choice([tail, tail, tail.replace("分公司", "区分公司") if "区" not in tail else tail,
                           tail.replace("分公司", "分部"), tail.replace("分公司", "办事处")])
    return name + tail


def foreign_name(rng: random.Random, c: Customer) -> str:
    """The firm under its English or pinyin name."""
    if rng.random() < 0.75 or c.kind == "hk":
        text = c.english
        roll = rng.random()
        if roll < 0.25:
            return text.upper().replace(", ", ",")
        if roll < 0.45:
            return text.replace("Co., Ltd.", "Co. Ltd").replace(".", "")
        if roll < 0.55:
            return text.replace("Limited", "Ltd.").replace("Company Limited", "Co., Ltd.")
        return text
    words = [c.city[3], brand_py(c.brand), c.trade[2], "youxian gongsi"]
    return rng.choice([" ".join(words), "".join(words).replace(" ", "").lower(), " ".join(words).title()])


def shop_name(rng: random.Random, c: Customer) -> str:
    owner = c.contact
    roll = rng.random()
    if roll < 0.3:
        return owner.name
    if roll < 0.42:
        return rng.choice([f"{c.short} · {owner.surname}经理", f"{c.short}（{owner.name}）", f"{c.short}-{owner.name}",
                           f"{owner.name}（{c.short}）"])
    if roll < 0.55:
        return c.name
    if roll < 0.65:
        return c.name.replace("市", "").replace("区", "")
    if roll < 0.75:
        return typo(rng, c, c.short)
    if roll < 0.85:
        return spaced(rng, [c.brand, c.short[len(c.brand):]])
    if roll < 0.93:
        return c.short.replace("商行", "店").replace("经营部", "店").replace("服务部", "店")
    return zhconv.convert(c.short, "zh-hant")


def person_name(rng: random.Random, c: Customer) -> str:
    p = c.contact
    return rng.choice([p.name, p.name, f"{p.surname} {p.given}", f"{p.name}（个人）", f"{p.name}" + rng.choice(["女士", "先生"]),
                       p.pinyin, zhconv.convert(p.name, "zh-hant"), f"个人-{p.name}"])


def name_again(rng: random.Random, c: Customer) -> str:
    if c.kind == "person":
        return person_name(rng, c)
    if c.kind in ("shop", "franchise"):
        return shop_name(rng, c) if c.kind == "shop" or rng.random() < 0.3 else rng.choice(
            [c.short, c.short.replace("（", "").replace("）", ""), c.name, f"{c.city[0]}{c.short}", typo(rng, c, c.short)])
    if c.english and rng.random() < (0.5 if c.kind == "hk" else 0.25):
        return foreign_name(rng, c)
    if c.kind == "hk":
        return rng.choice([c.name, c.short, c.name.replace("有限公司", "公司"), zhconv.convert(c.name, "zh-hant")])
    return company_name(rng, c)


def first_record(rng: random.Random, c: Customer) -> dict:
    """The record as first entered: mostly the registered name, the contact's name and the main number."""
    if c.kind in ("company", "branch") and rng.random() < 0.25:
        name = company_name(rng, c)
    elif c.kind == "franchise":
        name = rng.choice([c.short, c.name])
    elif c.kind == "shop" and rng.random() < 0.6:
        name = c.short
    else:
        name = c.name
    contact = c.contact.name if rng.random() < 0.85 else written_contact(rng, c.contact)
    number = c.landline if c.landline and (not c.mobile or rng.random() < 0.5) else c.mobile
    return {"name": name, "contact": contact, "phone": written_phone(rng, number, plain=0.75), "email": c.email}


def again(rng: random.Random, m: Maker, c: Customer, first: dict) -> dict:
    """The same customer typed again.  What ties it to the first record varies as it does in a real sheet: mostly
    the phone or the e-mail, sometimes only the identical registered name or the contact, rarely nothing but a
    recognisable name."""
    numbers = [n for n in (c.mobile, c.landline) if n]
    if c.kind == "shop" and rng.random() < 0.35:
        # The shop's owner, typed as the customer: the miss the issue names (王记汽车维修商行 / 王娜, same mobile).
        return {"name": rng.choice([c.contact.name, f"{c.short} · {c.contact.surname}经理"]),
                "contact": rng.choice([c.contact.name, "", c.contact.surname + "老板"]),
                "phone": written_phone(rng, c.mobile, plain=0.5),
                "email": written_mail(rng, c.email) if rng.random() < 0.6 else ""}
    if c.english and rng.random() < (0.5 if c.kind == "hk" else 0.25):
        # Chinese on one record, English or pinyin on the other, one phone and e-mail behind both.
        return {"name": foreign_name(rng, c), "contact": c.contact.pinyin if rng.random() < 0.4 else c.contact.name,
                "phone": written_phone(rng, rng.choice(numbers)), "email": written_mail(rng, c.email)}
    name = name_again(rng, c)
    roll = rng.random()
    registered = c.kind != "person" and not c.landline.startswith("400")
    if roll < 0.42:
        how = "phone"
    elif roll < 0.57:
        how = "email" if c.email else "phone"
    elif roll < 0.72:
        how = "both"
    elif roll < 0.80:
        how = "name" if registered else "phone"
    elif roll < 0.96:
        how = "contact"
    else:
        how = "weak"
    person_only = c.kind == "person" or name == c.contact.name
    if how in ("contact", "weak", "name") and (person_only or len(name) <= 3):
        # A person's name, or a bare 字号, with a new phone says nothing the policy could tell from a namesake.
        how = "phone"
    contact = written_contact(rng, c.contact)
    phone, email = "", ""
    if how in ("phone", "both"):
        phone = written_phone(rng, rng.choice(numbers))
    if how in ("email", "both"):
        email = written_mail(rng, c.email)
    if how == "phone" and rng.random() < 0.3:
        email = written_mail(rng, c.email)
    if how == "email":
        # The other number the customer has, or a new one.
        other = [n for n in numbers if n not in first["phone"]]
        phone = written_phone(rng, rng.choice(other)) if other and rng.random() < 0.6 else (
            m.mobile() if rng.random() < 0.7 else "")
    if how == "name":
        # The identical registered name, someone else answering, nothing else in common.
        name = c.name
        contact = m.person().name if rng.random() < 0.8 else ""
        phone = m.mobile()
        email = m.personal_mail(m.person()) if rng.random() < 0.3 else ""
    if how == "contact":
        contact = c.contact.name
        other = [n for n in numbers if n not in first["phone"]]
        phone = written_phone(rng, other[0]) if other else m.mobile()
        if rng.random() < 0.3:
            email = m.personal_mail(c.contact)
    if how == "weak":
        contact = c.contact.surname + rng.choice(TITLES)
        phone = m.mobile()
    if not phone and not email:
        phone = written_phone(rng, rng.choice(numbers))
    return {"name": name, "contact": contact, "phone": phone, "email": email}


def chain(rng: random.Random, m: Maker, c: Customer, first: dict) -> list[dict]:
    """Three records, the first and last tied only through the middle one: A shares a phone with B, B shares its
    full registered name with C."""
    first["name"] = foreign_name(rng, c) if c.english else (c.contact.name if c.kind == "shop" else c.short)
    middle = {"name": c.name, "contact": written_contact(rng, c.contact),
              "phone": written_phone(rng, c.mobile or c.landline), "email": ""}
    if c.mobile and c.mobile not in first["phone"] and c.landline:
        first["phone"] = written_phone(rng, c.mobile, plain=0.7)
    last = {"name": c.name, "contact": m.person().name, "phone": m.mobile(), "email": ""}
    return [middle, last]


GROUPS = [("company", 58), ("shop", 17), ("person", 8), ("hk", 3), ("franchise", 5), ("agent", 4), ("same_shop", 3),
          ("twin", 2)]
REPEAT = 0.145  # the share of customers entered more than once: about one record in seven is a repeat


def customers(m: Maker) -> list[Customer]:
    """One group of customers as they come: a firm and perhaps its branches, a sister pair, a brand's stores..."""
    rng = m.rng
    kind = rng.choices([g for g, _ in GROUPS], weights=[w for _, w in GROUPS])[0]
    if kind == "company":
        c = m.company()
        if c is None:
            return []
        return [c, *m.branches(c)] if rng.random() < 0.1 else [c]
    if kind == "twin":
        c = m.company()
        twin = m.near_twin(c) if c else None
        return [x for x in (c, twin) if x]
    if kind == "shop":
        return [m.shop()]
    if kind == "same_shop":
        # One shop name in two places: two customers.
        a = m.shop()
        owner = None
        if a.brand.endswith("记") or a.brand.startswith("老"):
            owner = m.person((a.contact.surname, a.contact.sur_py))
            while owner.name == a.contact.name:
                owner = m.person((a.contact.surname, a.contact.sur_py))
        b = m.shop(rng.choice([c for c in CITIES if c != a.city]), owner, a.brand, a.trade[0])
        return [a, b]
    if kind == "person":
        return [m.private()]
    if kind == "hk":
        return m.hong_kong()
    if kind == "franchise":
        return m.franchise()
    return m.agent()


def make_policy_set(n_records: int = 60_000, seed: int = 37) -> pd.DataFrame:
    m = Maker(seed)
    rng = m.rng
    records: list[dict] = []
    while len(records) < n_records:
        for c in customers(m):
            c.taken = m.names
            first = first_record(rng, c)
            group = [first]
            if rng.random() < REPEAT:
                roll = rng.random()
                if roll < 0.06 and c.kind != "person":
                    group += chain(rng, m, c, first)
                elif roll < 0.16:
                    group += [again(rng, m, c, first), again(rng, m, c, first)]
                else:
                    group.append(again(rng, m, c, first))
            records += [r | {"entity": c.entity} for r in group]
    frame = pd.DataFrame(records[:n_records]).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    day = pd.Timestamp("2019-01-01") + pd.to_timedelta(frame.index % 2500, unit="D")
    serial = frame.groupby(day).cumcount() + 1
    frame["客户编号"] = "CRM" + day.strftime("%Y%m%d") + serial.map("{:05d}".format)
    frame["创建时间"] = day
    return frame.rename(columns={"name": "客户名称", "contact": "联系人姓名", "phone": "联系电话", "email": "联系邮箱"})[
        ["客户编号", "客户名称", "联系人姓名", "联系电话", "联系邮箱", "创建时间", "entity"]]


def write_policy_set(n_records: int, seed: int, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"dedupe-policy-{seed}-{n_records}.csv"
    make_policy_set(n_records, seed).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=60_000, help="records")
    parser.add_argument("--seed", type=int, default=37)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / ".cache")
    args = parser.parse_args()
    path = write_policy_set(args.n, args.seed, args.out)
    frame = pd.read_csv(path, encoding="utf-8-sig", usecols=["entity"])
    sizes = frame.groupby("entity").size()
    print(f"{path}: {len(frame):,} records, {len(sizes):,} customers, {len(frame) - len(sizes):,} repeats "
          f"({(len(frame) - len(sizes)) / len(frame):.1%}), {int((sizes * (sizes - 1) // 2).sum()):,} duplicate pairs")


if __name__ == "__main__":
    main()
