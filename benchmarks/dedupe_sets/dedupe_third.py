"""Held-out evaluation set #3 for the duplicate-customer matcher.

Synthesises an Excel-style CRM export of a Chinese SME sales team; every row carries the id of the real
customer (`entity`) it came from.  Written without looking at the matcher or the other generators.

Usage: python benchmarks/dedupe_sets/dedupe_third.py [--records 170000] [--seed 23]
       -> benchmarks/dedupe_sets/.cache/dedupe-third-<seed>-<records>.csv (utf-8-sig)

Entities (rough shares): ordinary firms 37 %; 个体工商户 shops named after a mostly very common owner
name (王艳手机店, so one shop name recurs across cities; 8 % of owners run a 2nd shop on one mobile) 15 %;
individuals (B2C) 9 %; head offices + 分公司/办事处/门市部/营业部 9 % and groups + subsidiaries
(XX集团有限公司 / XX集团杭州贸易有限公司) 5 %, sharing a domain and sometimes a switchboard; one city's
firms on one line -- a bookkeeping agent's clients (its phone / e-mail / accountant on their records)
or a building's tenants (switchboard, maybe + extension) 10 %; chain / franchise stores, each its own
entity, + franchisor 5 %; one brand + trade in 2-4 cities 7 %; same-city same-trade brands one (often
same-sound) character apart 3 %.
Records per entity: 1 (72 %), 2 (21 %), 3 (7 %) -> ~28 % of entities repeated.  A repeat links to an
earlier record of its entity by phone (~65 % of true pairs), contact (~45 %) or e-mail (~20 %), each
written differently; ~2 % of repeats share only the registered full name incl. city; ~5 % of true pairs
link only via a third record.  Name noise (~85 % of repeats): place dropped / with 市 / district /
province / in brackets (~65 %), legal form swapped or dropped (~40 %), trade word cut (~28 %); 2-7 %
each: brand only, English / pinyin, same-sound or lost character, traditional, full-width, spaces.
Phones: +86 / 0086, spaces, dashes, (area code), no area code, extensions, full-width (~5 %), two per
cell (~3 %).  E-mail: case, spaces.  Contact: full name, 王总/李经理/张姐/刘工, role suffix （采购）.
"""
from __future__ import annotations

import argparse
import random
import re
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import zhconv

CACHE = Path(__file__).parent / ".cache"
COLUMNS = ["客户编号", "客户名称", "联系人姓名", "联系电话", "联系邮箱", "创建时间", "entity"]
START, NDAYS = datetime(2021, 6, 1), (datetime(2026, 10, 31) - datetime(2021, 6, 1)).days + 1

# province city pinyin area-code weight districts/counties/towns
_CITIES = """北京 北京 beijing 010 8 朝阳区 海淀区 丰台区 顺义区;上海 上海 shanghai 021 9 浦东新区 闵行区 嘉定区 松江区;天津 天津 tianjin 022 4 滨海新区 南开区 西青区;重庆 重庆 chongqing 023 4 渝北区 江北区 九龙坡区
广东 广州 guangzhou 020 8 天河区 白云区 番禺区 花都区;广东 深圳 shenzhen 0755 9 南山区 宝安区 龙岗区 福田区;广东 东莞 dongguan 0769 6 长安镇 虎门镇 厚街镇 塘厦镇;广东 佛山 foshan 0757 5 顺德区 南海区 禅城区
浙江 杭州 hangzhou 0571 8 西湖区 余杭区 萧山区 桐庐县;浙江 宁波 ningbo 0574 5 鄞州区 北仑区 慈溪市 余姚市;浙江 温州 wenzhou 0577 4 鹿城区 瑞安市 乐清市;浙江 金华 jinhua 0579 4 义乌市 永康市 婺城区
浙江 台州 taizhou 0576 3 椒江区 温岭市 黄岩区;江苏 苏州 suzhou 0512 7 吴中区 昆山市 常熟市 工业园区;江苏 南京 nanjing 025 5 江宁区 鼓楼区 浦口区;江苏 无锡 wuxi 0510 4 江阴市 宜兴市 滨湖区
江苏 常州 changzhou 0519 3 武进区 新北区 金坛区;江苏 南通 nantong 0513 3 崇川区 海门区 如皋市;山东 济南 jinan 0531 3 历下区 槐荫区 章丘区;山东 青岛 qingdao 0532 4 黄岛区 城阳区 即墨区
山东 临沂 linyi 0539 3 兰山区 罗庄区 沂南县;福建 厦门 xiamen 0592 4 思明区 湖里区 集美区;福建 泉州 quanzhou 0595 4 晋江市 石狮市 南安市;福建 福州 fuzhou 0591 3 鼓楼区 仓山区 闽侯县
湖北 武汉 wuhan 027 5 江汉区 洪山区 东西湖区;湖南 长沙 changsha 0731 4 岳麓区 雨花区 长沙县;河南 郑州 zhengzhou 0371 4 金水区 二七区 中牟县;四川 成都 chengdu 028 6 武侯区 成华区 双流区 郫都区
陕西 西安 xian 029 4 雁塔区 未央区 长安区;安徽 合肥 hefei 0551 4 蜀山区 包河区 肥西县;河北 石家庄 shijiazhuang 0311 3 长安区 裕华区 正定县;辽宁 沈阳 shenyang 024 3 和平区 铁西区 浑南区
云南 昆明 kunming 0871 3 五华区 官渡区 呈贡区;广西 南宁 nanning 0771 2 青秀区 西乡塘区 江南区;江西 南昌 nanchang 0791 3 东湖区 青山湖区 南昌县;贵州 贵阳 guiyang 0851 2 观山湖区 南明区 花溪区
黑龙江 哈尔滨 harbin 0451 2 南岗区 道里区 香坊区"""
CITIES = [{"prov": p, "name": n, "py": py, "area": a, "w": int(w), "dists": d}
          for p, n, py, a, w, *d in (x.split() for x in _CITIES.replace("\n", ";").split(";"))]
CITY_W = [c["w"] for c in CITIES]
# brand characters grouped by pinyin: a same-sound swap is the commonest typo in names
_BRAND = ("da达大 hua华化 sheng盛胜晟 xin鑫新信欣 yuan源元远 tai泰太 rui瑞锐 long龙隆 feng丰峰锋 hong宏鸿弘 li利力立 de德得 tong通同 "
          "jin金锦 jia嘉佳 xing兴星 xiang祥翔 fu福富 heng恒衡 bo博柏 kai凯恺 hui辉晖 bang邦帮 cheng诚成承 tian天添 zhong众中 yong永勇 "
          "yi怡宜益 jie捷杰 rong荣融 an安 mei美 he和合禾 hai海 run润 teng腾 chuang创 shun顺 ke科 ming明铭 wei威伟维 hao浩豪 jun骏俊 "
          "ya雅亚 guang光广 chang昌畅 ji吉 qi奇启琦 lian联 sen森 yu宇裕 bao宝 ding鼎 zhi智致 tuo拓 pin品 ao奥 wan万 quan全泉")
BRAND_PY, HOMO = {}, {}  # char -> pinyin, char -> same-sound chars
for _py, _chars in re.findall(r"([a-z]+)(\S+)", _BRAND):
    for _c in _chars:
        BRAND_PY[_c], HOMO[_c] = _py, [x for x in _chars if x != _c]
BRAND_CHARS, LATIN = list(BRAND_PY), "ABCDEFGHJKLMNPRSTWXYZ"
# trade word, short form, English, domain code, manufacturing flag
_INDS = """机械设备 机械 Machinery jx 1|电子科技 电子 Electronic_Technology dz 1|五金制品 五金 Hardware wj 1|塑胶制品 塑胶 Plastic_Products sj 1
包装材料 包装 Packaging bz 1|纺织品 纺织 Textile fz 1|服饰 服饰 Garment fs 1|家具 家具 Furniture jj 1|化工 化工 Chemical hg 1|电气 电气 Electric dq 1
汽车配件 汽配 Auto_Parts qp 1|印刷 印刷 Printing ys 1|食品 食品 Food sp 1|光电 光电 Optoelectronics gd 1|医疗器械 医疗 Medical_Devices yl 0
贸易 贸易 Trading my 0|商贸 商贸 Trading sm 0|进出口 进出口 Import_&_Export jck 0|建材 建材 Building_Materials jc 0|物流 物流 Logistics wl 0
信息技术 信息 Information_Technology it 0|网络科技 网络 Network_Technology net 0|软件 软件 Software rj 0|生物科技 生物 Biotech sw 0
环保科技 环保 Environmental_Technology hb 0|装饰工程 装饰 Decoration zs 0|建筑工程 建筑 Construction jz 0|文化传媒 传媒 Media cm 0
餐饮管理 餐饮 Catering cy 0|供应链管理 供应链 Supply_Chain gyl 0|农业发展 农业 Agriculture ny 0|教育咨询 教育 Education jy 0|实业 实业 Industrial sy 0
新能源 新能源 New_Energy xny 0|人力资源 人力 Human_Resources hr 0|财务咨询 财务 Financial_Consulting cw 0|企业管理咨询 企业管理 Management_Consulting qg 0
品牌管理 品牌 Brand_Management pp 0|商业管理 商业 Commercial_Management sy 0|集团 集团 Group group 0"""
_IND_ALL = [(a, b, c.replace("_", " "), d, int(m)) for a, b, c, d, m in (t.split() for t in _INDS.replace("\n", "|").split("|"))]
INDS, AGENT_INDS, FRANCHISOR_INDS, GROUP_IND = _IND_ALL[:-5], _IND_ALL[-5:-3], _IND_ALL[-3:-1], _IND_ALL[-1]
FORMS, FORM_W, SMALL_FORMS = ["有限公司", "有限责任公司", "股份有限公司"], [75, 13, 12], {1: ["厂", "加工厂"], 0: ["商行", "经营部"]}
ALT_FORM = {"有限公司": ["有限责任公司", "股份有限公司"], "有限责任公司": ["有限公司"], "股份有限公司": ["有限公司", "股份公司"],
            "厂": ["有限公司", "加工厂"], "加工厂": ["厂"], "商行": ["经营部", "有限公司"], "经营部": ["商行", "店"]}
STYLES, STYLE_W = ["city", "bracket", "prov", "local"], [62, 9, 9, 20]
_pairs = re.compile(r"([^\sa-z]+)([a-z]+)").findall  # "王wang 欧阳ouyang" -> [("王", "wang"), ("欧阳", "ouyang")]
SUR_PY = dict(_pairs("王wang 李li 张zhang 刘liu 陈chen 杨yang 黄huang 赵zhao 吴wu 周zhou 徐xu 孙sun 马ma 朱zhu 胡hu 郭guo 何he 林lin 高gao "
                     "罗luo 郑zheng 梁liang 谢xie 宋song 唐tang 许xu 韩han 冯feng 邓deng 曹cao 彭peng 曾zeng 肖xiao 田tian 董dong 潘pan 袁yuan "
                     "蔡cai 蒋jiang 余yu 于yu 杜du 叶ye 程cheng 魏wei 苏su 吕lv 丁ding 任ren 沈shen 姚yao 卢lu 钟zhong 姜jiang 崔cui 谭tan 陆lu "
                     "范fan 汪wang 廖liao 石shi 金jin 韦wei 贾jia 夏xia 付fu 方fang 邹zou 熊xiong 白bai 孟meng 秦qin 邱qiu 侯hou 江jiang "
                     "尹yin 薛xue 闫yan 段duan 雷lei 覃qin 武wu 钱qian 严yan 欧阳ouyang 司马sima 上官shangguan 诸葛zhuge"))
SUR_NAMES = list(SUR_PY)
SUR_CW = list(np.cumsum([1 / (i + 4) for i in range(len(SUR_NAMES))]))  # 王/李/张 ≈ 7 % each
_M = _pairs("伟wei 强qiang 磊lei 军jun 勇yong 杰jie 涛tao 斌bin 超chao 明ming 刚gang 平ping 辉hui 鹏peng 华hua 飞fei 鑫xin 波bo 洋yang "
            "浩hao 宇yu 俊jun 峰feng 建jian 国guo 志zhi 海hai 林lin 文wen 凯kai 亮liang 晨chen 阳yang 龙long 东dong 永yong 成cheng 锋feng")
_F = _pairs("芳fang 娜na 敏min 艳yan 静jing 丽li 娟juan 霞xia 婷ting 雪xue 燕yan 玲ling 慧hui 丹dan 倩qian 萍ping 红hong 梅mei 琳lin "
            "颖ying 洁jie 欣xin 莉li 佳jia 悦yue 璐lu 琴qin 云yun 兰lan 秀xiu 英ying 晶jing 雯wen 露lu 薇wei 芬fen")
GIVEN_M, GIVEN_F, GIVEN_PY = [c for c, _ in _M], [c for c, _ in _F], dict(_M + _F)
COMMON = "王伟 王芳 李娜 张敏 王艳 刘洋 张伟 李伟 王静 李静 张丽 王秀英 李秀英 王磊 刘伟 张静 李强 王军 张勇 李军 王勇 张杰 王丽 李丽 张磊 王娟 刘芳 陈静 李敏 张燕".split()
ROLES, TITLES = "老板 老板 采购 采购 采购 财务 行政 销售 技术 法人 仓库".split(), {  # titles a salesperson uses for each role
    "老板": "总 老板", "法人": "总", "采购": "经理 主管", "财务": "会计 经理", "会计": "会计", "技术": "工", "行政": "主任", "销售": "经理",
    "仓库": "主管", "店长": "店长", "个人": ""}
MOBILE = "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 173 175 176 177 180 181 182 183 185 186 187 188 189 191 198 199".split()
FREE_MAIL, FREE_W, TLDS, TLD_W = "163.com 126.com sina.com foxmail.com aliyun.com 139.com hotmail.com".split(), [45, 15, 7, 9, 5, 7, 5], \
    [".com", ".cn", ".com.cn", ".net", ".cc"], [50, 25, 15, 6, 4]
ROLE_LOCALS = "sales info purchase cg caiwu office admin service kefu hr boss market".split()
SHOP_TYPES = "手机店 五金店 水果店 服装店 便利店 烟酒店 美甲店 理发店 超市 建材店 家电维修部 小吃店 面馆 文具店 母婴店 电动车行 眼镜店 花店 茶叶店 副食店 通讯店".split()
CHAIN_TYPES, CHAIN_WORDS = "奶茶 烘焙 火锅 便利店 大药房 眼镜 洗衣 健身 母婴 水果 烤鱼 咖啡 花艺 宠物 面馆".split(), "小铺 工坊 优选 生活 时光 良品".split()
STORES = "万达广场 银泰城 吾悦广场 龙湖天街 火车站 人民路 解放路 中山路 大学城 步行街 高铁站 万象城 新天地 宝龙广场 印象城 市民中心 东站 体育中心 建设路".split()
KINDS, KIND_W = ["co", "brand", "parent", "chain", "shared", "shop", "person"], [40, 4.5, 3.7, .8, 2, 18, 14]
FIELDS, EMPTY = ("phone", "email", "person"), {"phone": [], "email": None, "person": None}
MAIL_P, FRESH_P = {"co": .55, "branch": .5, "chain": .4, "shop": .2, "person": .3}, {"phone": .6, "email": .3, "person": .65}
SHARE_P = {"co": {"phone": .6, "email": .4, "person": .5}, "shop": {"phone": .8, "email": .4, "person": .3},
           "person": {"phone": .9, "email": .4, "person": 0}}
FW = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789+-()@.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"} | {" ": "\u3000"})


def _phone(r: random.Random, p: tuple) -> str:
    kind, area, n, ext = p
    if kind == "m":
        a, b, c = n[:3], n[3:7], n[7:]
        s = r.choices([n, f"{a} {b} {c}", f"{a}-{b}-{c}", f"+86 {n}", f"+86-{a}-{b}-{c}", f"0086{n}", f"0086-{n}",
                       f"+86{n}", f"{a}{b} {c}"], [55, 10, 8, 8, 3, 3, 2, 6, 5])[0]
    else:
        h, t, z = n[:4], n[4:], area[1:]
        s = r.choices([f"{area}-{n}", area + n, f"({area}){n}", f"（{area}）{n}", f"{area} {h} {t}", f"+86-{z}-{n}",
                       f"+86 {z} {h} {t}", n, f"{area}-{h}-{t}"], [40, 12, 10, 8, 7, 5, 3, 10, 5])[0]
        s += (r.choice(["转", "转", "-", " 分机", " ext.", "#"]) + ext) if ext else ""
    return s.translate(FW) if r.random() < .05 else s


def _email(r: random.Random, e: str) -> str:
    x, y = r.random(), r.random()
    e = e.upper() if x < .06 else e[:1].upper() + e[1:] if x < .12 else e
    return " " + e if y < .03 else e + " " if y < .06 else e.replace("@", " @ ") if y < .08 else e


def _contact(r: random.Random, p: dict) -> str:
    full, x = p["sur"] + p["given"], r.random()
    title = r.choice(TITLES.get(p["role"], "经理").split() + (["姐", "女士"] if p["given"][0] in GIVEN_F else ["哥", "先生"]))
    s = (full if x < .62 else p["sur"] + title if x < .82 else f"{full}（{p['role']}）" if x < .9
         else f"{full}({p['role']})" if x < .94 else f"{p['role']}-{full}" if x < .97 else f"{full} {title}")
    return zhconv.convert(s, "zh-hant") if r.random() < .015 else s


class _Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.full: dict[str, dict] = {}  # registered full name -> entity
        self.cores: set[str] = set()     # city|brand|trade, city|owner|shop, city|person: no second one
        self.emitted: set[str] = set()   # names already written may not become a later entity's registered name
        self.phones, self.emails, self.domains = set(), set(), set()

    def city(self) -> dict:
        return self.r.choices(CITIES, CITY_W)[0]

    def brand(self) -> str:
        r = self.r
        return "".join(r.choice(LATIN) for _ in range(r.randint(2, 4))) if r.random() < .04 else "".join(r.sample(BRAND_CHARS, 2))

    def homophone(self, b: str) -> str:
        k = self.r.choice([k for k, ch in enumerate(b) if HOMO.get(ch)] or [-1])
        return b if k < 0 else b[:k] + self.r.choice(HOMO[b[k]]) + b[k + 1:]

    def person(self, role: str | None = None, common: float = .25) -> dict:
        r = self.r
        if r.random() < common:
            sur, given = (n := r.choice(COMMON))[:1], n[1:]
        else:
            pool = GIVEN_M if r.random() < .5 else GIVEN_F
            sur, given = r.choices(SUR_NAMES, cum_weights=SUR_CW)[0], "".join(r.choice(pool) for _ in range(1 + (r.random() < .6)))
        return {"sur": sur, "given": given, "role": role or r.choice(ROLES)}

    def phone(self, c: dict | None = None) -> tuple:
        r = self.r  # a fresh mobile, or with c a fresh landline there
        while (n := f"{r.randint(2, 8)}{r.randrange(10 ** 7):07d}" if c else r.choice(MOBILE) + f"{r.randrange(10 ** 8):08d}") in self.phones:
            pass
        self.phones.add(n)
        return ("l", c["area"], n, "") if c else ("m", "", n, "")

    def domain(self, brand: str, code: str) -> str:
        r, py = self.r, self.bpy(brand[:2]).lower()
        ini = "".join(BRAND_PY.get(c, c.lower())[0] for c in brand[:2])
        stem, tld = r.choice([py, py + code, f"{py}-{code}", ini + code, f"{ini}-{code}"]), r.choices(TLDS, TLD_W)[0]
        while stem + tld in self.domains:
            stem += str(r.randint(0, 9))
        self.domains.add(stem + tld)
        return stem + tld

    def email(self, p: dict, domain: str | None = None) -> str:
        r, s, g = self.r, SUR_PY[p["sur"]], "".join(GIVEN_PY[c] for c in p["given"])
        while True:
            name = r.choice([s + g, s + g, f"{s}.{g}", f"{s}_{g}", g + s, s + "".join(GIVEN_PY[c][0] for c in p["given"])])
            name += r.choice(["", "", str(r.randint(1970, 2005)), str(r.randint(1, 999)), "888", "666"])
            e = (f"{r.choice(ROLE_LOCALS) if r.random() < .5 else name}{r.randint(1, 99) if r.random() < .3 else ''}@{domain}"
                 if domain else f"{r.randint(10 ** 5, 3 * 10 ** 9)}@qq.com" if r.random() < .42
                 else f"{name}@{r.choices(FREE_MAIL, FREE_W)[0]}")
            if e not in self.emails:
                self.emails.add(e)
                return e

    def contacts(self, e: dict, dom: str | None = None, dom_p: float = .35, role: str | None = None) -> dict:
        r, mob = self.r, self.r.random() < .68
        e["person"], e["phone"] = self.person(role), self.phone() if mob else self.phone(e["city"])
        e["phone2"] = self.phone(e["city"]) if mob and r.random() < .3 else None
        e["domain"] = dom or (self.domain(e["brand"], e["ind"][3]) if r.random() < dom_p else None)
        e["email"] = self.email(e["person"], e["domain"])
        return e

    def add(self, e: dict, core: str) -> dict | None:
        if e["full"] in self.full or e["full"] in self.emitted or core in self.cores:
            return None
        self.full[e["full"]] = e
        self.cores.add(core)
        return e

    # ---------- how a salesperson types the name
    def place(self, e: dict) -> tuple[str, str]:
        """(place, mode): mode "" = prefix, "()" = in brackets after the trade, "in" = after the brand."""
        r, x, c, n, d = self.r, self.r.random(), e["city"], e["city"]["name"], e["dist"]
        if x < .42:
            return e["canon"] if x < .35 else (n, "()")
        return r.choices([n, n + "市", "", d, n + "市" + d, n + d, c["prov"] + n if c["prov"] != n else n], [28, 12, 26, 7, 6, 4, 4])[0], ""

    def build(self, place: str, mode: str, brand: str, trade: str, form: str, spaces: bool = False) -> str:
        parts = {"": [place, brand, trade, form], "()": [brand, trade, f"（{place}）", form], "in": [brand, place, trade, form]}
        parts = [p for p in parts[mode if place else ""] if p]
        k = self.r.randrange(1, len(parts)) if spaces and len(parts) > 1 else 0
        return "".join(parts[:k]) + (" " if k else "") + "".join(parts[k:])

    def surface(self, s: str) -> str:
        x, y = self.r.random(), self.r.random()
        s = (zhconv.convert(s, "zh-hant") if x < .03 else s.translate(FW) if x < .05
             else s.replace("（", "(").replace("）", ")") if x < .09 else s)
        return " " + s if y < .025 else s + " " if y < .05 else s

    @staticmethod
    def bpy(brand: str) -> str:
        s = "".join(BRAND_PY.get(c, c if c.isascii() else "") for c in brand)
        return s[:1].upper() + s[1:]

    def english(self, e: dict, extra: str = "") -> str:
        r, c, i = self.r, e["city"]["py"].title(), e["ind"][2]
        b = self.bpy(e["brand"]) + (" Group" if "集团" in e["brand"] else "")
        s = r.choice([f"{c} {b} {i} Co., Ltd.", f"{b} {i} Co., Ltd.", f"{b} {i} Co.,Ltd.", f"{b} ({c}) {i} Co., Ltd.",
                      f"{b} {i}", b.upper()]) + extra
        return s.upper() if r.random() < .25 else s

    def v_co(self, e: dict, whole: bool = True) -> str:
        r, i, x = self.r, e["ind"], self.r.random()
        if whole and x < .07:  # brand only -- but a subsidiary's brand alone would read as its group
            return self.english(e) if x < .035 else self.surface(e["brand"] + (i[1] if "集团" in e["brand"] or x < .05 else ""))
        place, mode = self.place(e)
        brand = self.homophone(e["brand"]) if r.random() < .07 else e["brand"]
        y, f = r.random(), r.random()
        trade = i[0] if y < .72 else i[1] if y < .9 or "集团" in e["brand"] + i[0] else ""  # 集团 stays: it tells group from sub
        form = e["form"] if f < .6 else r.choice(ALT_FORM[e["form"]]) if f < .8 else "公司" if f < .84 else ""
        s = self.build(place, mode, brand, trade, form, r.random() < .06)
        if r.random() < .04 and len(s) - len(place) > 4:  # a character lost while typing
            k = r.randrange(len(place) + 1, len(s))
            s = s[:k] + s[k + 1:]
        return self.surface(s) if whole else s

    def v_branch(self, e: dict) -> str:
        r, hq, u = self.r, e["hq"], e["unit"]
        head = hq["brand"] + r.choice(["", hq["ind"][1]]) if r.random() < .2 else self.v_co(hq, whole=False)
        return self.surface(head + r.choices([u, f"（{u}）", f" {u}", f"-{u}"], [70, 14, 10, 6])[0])

    def v_chain(self, e: dict) -> str:
        r, t, c, st = self.r, e["ctype"], e["city"]["name"], e["store"]
        b = self.homophone(e["brand"]) if r.random() < .05 else e["brand"]
        return self.surface(r.choice([f"{b}{t}（{st}店）", f"{b}（{c}{st}店）", f"{b}{st}店", f"{b}{t}{c}{st}店", f"{b}-{st}店",
                                      f"{b}{t}({st})", f"{c}{b}{t}（{st}店）", f"{b}{t}（{c}{st}店）", f"{b} {st}店"]))

    def v_shop(self, e: dict) -> str:
        r, t, c, d, o = self.r, e["stype"], e["city"]["name"], e["dist"], e["person"]["sur"] + e["person"]["given"]
        return self.surface(r.choices([f"{o}{t}", f"{c}{o}{t}", f"{c}市{o}{t}", f"{d}{o}{t}", f"{o}{t}（{d}）", f"{o}{t}({c})",
                                       f"{c}{d}{o}{t}", f"{c}市{d}{o}{t}", f"{t}（{o}）", f"{o} {t}"], [28, 14, 7, 11, 6, 5, 6, 16, 3, 4])[0])

    def v_person(self, e: dict) -> str:
        r, p, c, n = self.r, e["person"], e["city"]["name"], e["full"]
        sir = "女士" if p["given"][0] in GIVEN_F else "先生"
        return r.choices([n, f"{n}（个人）", f"个人-{n}", p["sur"] + sir, n + sir, c + n, f"{n}（{c}）", f"{n}(散客)"],
                         [55, 12, 5, 8, 5, 5, 5, 5])[0]

    def vname(self, e: dict) -> str:
        s = getattr(self, "v_" + e["kind"])(e)
        return s if self.full.get(s.strip(), e) is e else e["full"]  # never another entity's exact registered name

    # ---------- entity clusters
    def new_co(self, city: dict | None = None, brand: str | None = None, ind: tuple | None = None,
               style: str | None = None, form: str | None = None) -> dict | None:
        r = self.r
        for _ in range(30):
            c, b, i, st = city or self.city(), brand or self.brand(), ind or r.choice(INDS), style or r.choices(STYLES, STYLE_W)[0]
            fm = form or (r.choice(SMALL_FORMS[i[4]]) if st == "local" and r.random() < .55 else r.choices(FORMS, FORM_W)[0])
            e = {"kind": "co", "city": c, "dist": (d := r.choice(c["dists"])), "brand": b, "ind": i, "form": fm, "style": st}
            e["canon"] = {"city": (c["name"], ""), "bracket": (c["name"], "()"), "prov": (c["prov"], ""), "none": ("", ""),
                          "local": (c["name"] + "市" + d, ""), "in": (c["name"], "in")}[st]
            e["full"] = self.build(*e["canon"], b, i[0], fm)
            if self.add(e, f"{c['name']}|{b}|{i[1]}"):
                return e
        return None

    def c_co(self) -> list[dict]:
        return [self.contacts(e) for e in [self.new_co()] if e]

    def c_brand(self) -> list[dict]:
        r, b, i = self.r, self.brand(), self.r.choice(INDS)
        if r.random() < .55:
            return [self.contacts(e) for c in r.sample(CITIES, r.randint(2, 4)) if (e := self.new_co(c, b, i))]
        twin = self.homophone(b) if r.random() < .5 else b[:-1] + r.choice(LATIN if b.isascii() else BRAND_CHARS)
        a = self.new_co(brand=b, ind=i)  # and a same-city same-trade firm one (often same-sound) character apart
        return [self.contacts(e) for e in (a, a and twin != b and self.new_co(a["city"], twin, i, a["style"], a["form"])) if e]

    def c_parent(self) -> list[dict]:
        """A head office and its 分公司/办事处/门市部/营业部, or a group and its subsidiaries."""
        r, b, group = self.r, self.brand(), self.r.random() < .35
        styles = ["city", "city", "prov", "none" if group else "bracket"]
        if not (top := self.new_co(brand=b, ind=GROUP_IND if group else None, style=r.choice(styles))):
            return []
        self.contacts(top, dom_p=.7)
        top["phone"], out = self.phone(top["city"]) if r.random() < .55 else top["phone"], [top]
        for unit in r.choices(["分公司", "办事处", "门市部", "营业部"], [55, 20, 12, 13], k=r.randint(1 + group, 5)):
            c = self.city() if group or unit in ("分公司", "办事处") else top["city"]
            if group:
                s = self.new_co(c, b + "集团", r.choice(INDS), "in", "有限公司")
            else:
                label = {"营业部": (d := r.choice(c["dists"])), "门市部": r.choice(["", d])}.get(unit, c["name"]) + unit
                s = self.add({"kind": "branch", "hq": top, "unit": label, "city": c, "dist": d, "brand": b, "ind": top["ind"],
                              "full": top["full"] + label}, top["full"] + label)
            if s:
                self.contacts(s, top["domain"], .3 if group else 0)
                if top["phone"][0] == "l" and r.random() < (.15 if group else .35):  # the head-office switchboard
                    s["phone"] = top["phone"][:3] + (str(r.randint(800, 899)) if r.random() < .5 else "",)
                s["person"] = top["person"] if r.random() < .1 else s["person"]
                out.append(s)
        return out

    def c_chain(self) -> list[dict]:
        r, home, ct = self.r, self.city(), self.r.choice(CHAIN_TYPES)
        brand = "".join(r.sample(BRAND_CHARS, 2)) + (r.choice(CHAIN_WORDS) if r.random() < .5 else "")
        if not (fr := self.new_co(home, brand, r.choice(FRANCHISOR_INDS), "city")):
            return []
        out, cities = [self.contacts(fr, dom_p=.6)], [home] + r.sample(CITIES, r.randint(0, 3))
        for _ in range(r.randint(3, 10)):
            c, st = r.choice(cities), r.choice(STORES)
            s = {"kind": "chain", "city": c, "dist": r.choice(c["dists"]), "brand": brand, "ind": fr["ind"], "ctype": ct,
                 "store": st, "full": f"{brand}{ct}（{c['name']}{st}店）"}
            if self.add(s, s["full"]):
                out.append(self.contacts(s, fr["domain"] if r.random() < .5 else None, 0, role="店长"))
        return out

    def c_shared(self) -> list[dict]:
        """Firms of one city reached through one line: a bookkeeping agent's clients, or one building's tenants."""
        r, c = self.r, self.city()
        if host := (self.new_co(c, ind=r.choice(AGENT_INDS), style="city") if r.random() < .45 else None):
            self.contacts(host, role="会计")
        line = host["phone"] if host else self.phone(c)
        accountants, out = ([host["person"], self.person("会计")], [host]) if host else ([], [])
        for t in filter(None, (self.new_co(c) for _ in range(r.randint(3, 7)))):
            self.contacts(t, dom_p=.15 if host else .35)
            if r.random() < .55:
                t["phone"] = line if host or r.random() < .4 else line[:3] + (str(r.randint(801, 999)),)
            if host:
                t["person"] = r.choice(accountants) if r.random() < .5 else t["person"]
                t["email"] = host["email"] if r.random() < .4 else t["email"]
            out.append(t)
        return out

    def c_shop(self) -> list[dict]:
        r, c, out = self.r, self.city(), []
        p, t = self.person("老板", .55), r.choice(SHOP_TYPES)
        for stype in dict.fromkeys([t] + [r.choice(SHOP_TYPES)] * (r.random() < .08)):  # same owner, second shop
            e = {"kind": "shop", "city": c, "dist": (d := r.choice(c["dists"])), "stype": stype, "person": p, "domain": None,
                 "phone2": None, "full": f"{c['name']}市{d}{p['sur']}{p['given']}{stype}"}
            if self.add(e, f"{c['name']}|{p['sur']}{p['given']}|{stype}"):
                e["phone"], e["email"] = (out[0]["phone"], out[0]["email"]) if out else (self.phone(), self.email(p))
                out.append(e)
        return out

    def c_person(self) -> list[dict]:
        c, p = self.city(), self.person("个人", .4)
        key = f"{c['name']}|{p['sur']}{p['given']}"  # one individual 王伟 per city
        return [{"kind": "person", "city": c, "dist": self.r.choice(c["dists"]), "person": p, "domain": None, "phone2": None,
                 "full": p["sur"] + p["given"], "phone": self.phone(), "email": self.email(p)}] if self.add({"full": key}, key) else []

    # ---------- records
    def records(self, e: dict, k: int, eid: int, rows: list) -> None:
        r, kind = self.r, e["kind"]
        share, keep = SHARE_P.get(kind, SHARE_P["co"]), {"phone": .96, "email": MAIL_P[kind], "person": .96}
        own = {"phone": [e["phone"], e["phone2"]][:2 if e["phone2"] and r.random() < .1 else 1], "email": e["email"], "person": e["person"]}
        recs = [{"name": e["full"] if r.random() < .45 else self.vname(e)}
                | {f: own[f] if r.random() < keep[f] else EMPTY[f] for f in FIELDS}]
        name_ok = kind != "person" and e["city"]["name"] in e["full"]
        fresh = {"phone": lambda: [self.phone()],  # what a later salesperson noted instead, e.g. another staff member
                 "email": lambda: self.email(e["person"] if kind in ("shop", "person") else self.person(), e["domain"]),
                 "person": lambda: e["person"] if kind == "person" else self.person()}  # an individual is their own contact
        for _ in range(k - 1):
            ref = recs[0] if r.random() < .7 else r.choice(recs)
            avail = [f for f in FIELDS if ref[f] and share[f]]
            if name_ok and (not avail or r.random() < .02):  # e.g. two departments of one firm
                shared, rec = [], {"name": e["full"]}
            else:
                ref, avail = (ref, avail) if avail else ({"phone": [e["phone"]]}, ["phone"])
                shared = [f for f in avail if r.random() < share[f]] or [r.choice(avail)]
                rec = {"name": self.vname(e) if r.random() < .85 else e["full"]}
            for f in FIELDS:
                rec[f] = (([r.choice(ref[f])] if f == "phone" else ref[f]) if f in shared
                          else fresh[f]() if r.random() < FRESH_P[f] else EMPTY[f])
            recs.append(rec)
        for rec in recs:
            ph = r.choice([" / ", "/", "，", "; "]).join(_phone(r, p) for p in rec["phone"])
            dt = START + timedelta(days=r.randrange(NDAYS), seconds=r.randrange(7 * 3600, 22 * 3600))
            rows.append((rec["name"], _contact(r, rec["person"]) if rec["person"] else "", ph,
                         _email(r, rec["email"]) if rec["email"] else "", dt, eid))
            self.emitted.add(rec["name"])


def make_third_set(n_records: int = 170_000, seed: int = 23) -> pd.DataFrame:
    """Labelled records (columns COLUMNS), rows shuffled, deterministic for a seed."""
    g = _Gen(seed)
    r, rows, eid = g.r, [], 0
    while len(rows) < n_records:
        for e in getattr(g, "c_" + r.choices(KINDS, KIND_W)[0])():
            if len(rows) >= n_records:
                break
            g.records(e, min(n_records - len(rows), r.choices((1, 2, 3), (72, 21, 7))[0]), eid, rows)
            eid += 1
    ids = r.sample(range(eid), eid)  # generation order would otherwise leak cluster membership through adjacent ids
    df = pd.DataFrame(rows, columns=COLUMNS[1:])
    df["entity"] = np.asarray(ids)[df["entity"].to_numpy()]
    df = df.sort_values("创建时间", kind="mergesort").reset_index(drop=True)
    day = df["创建时间"].dt.strftime("%Y%m%d")
    df["客户编号"] = "CRM" + day + (df.groupby(day).cumcount() + 1).map("{:05d}".format)
    return df.iloc[np.random.default_rng(seed).permutation(len(df))][COLUMNS].reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser(description="Build held-out dedupe evaluation set #3.")
    ap.add_argument("--records", type=int, default=170_000)
    ap.add_argument("--seed", type=int, default=23)
    a = ap.parse_args()
    df = make_third_set(a.records, a.seed)
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / f"dedupe-third-{a.seed}-{a.records}.csv"
    df.to_csv(out, index=False, encoding="utf-8-sig")
    sizes = df["entity"].value_counts()
    print(f"wrote {out}\nrecords: {len(df)}\nentities: {len(sizes)}\nentities with >1 record: {int((sizes > 1).sum())}\n"
          f"true pairs: {int((sizes * (sizes - 1) // 2).sum())}")


if __name__ == "__main__":
    main()
