"""Company names reduced to what identifies the company, the way a person reads them.

北京瑞丰科技有限公司, 瑞丰科技(北京)有限公司, 北京市瑞豐科技有限責任公司 and
"瑞丰科技 " all become the core 瑞丰科技 in city 北京; 北京瑞丰科技有限公司上海分公司
keeps its branch (瑞丰科技#上海分公司), so it never equals its head office.
Column-wise over unique names: pandas string methods and one str.translate
table for traditional characters (no per-character Python).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd

PROVINCES = ["北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门"]
# Prefecture-level cities (and the municipalities); a name starting with one of
# these, or holding it in brackets, is that company in that city.
CITIES = ["北京", "上海", "天津", "重庆", "石家庄", "唐山", "秦皇岛", "邯郸", "邢台", "保定", "张家口", "承德", "沧州", "廊坊", "衡水", "太原", "大同", "阳泉", "长治", "晋城", "朔州", "晋中", "运城", "忻州", "临汾", "吕梁", "呼和浩特", "包头", "乌海", "赤峰", "通辽", "鄂尔多斯", "呼伦贝尔", "巴彦淖尔", "乌兰察布", "沈阳", "大连", "鞍山", "抚顺", "本溪", "丹东", "锦州", "营口", "阜新", "辽阳", "盘锦", "铁岭", "朝阳", "葫芦岛", "长春", "吉林", "四平", "辽源", "通化", "白山", "松原", "白城", "延边", "哈尔滨", "齐齐哈尔", "鸡西", "鹤岗", "双鸭山", "大庆", "伊春", "佳木斯", "七台河", "牡丹江", "黑河", "绥化", "南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州", "镇江", "泰州", "宿迁", "杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水", "义乌", "昆山", "江阴", "张家港", "常熟", "慈溪", "余姚", "合肥", "芜湖", "蚌埠", "淮南", "马鞍山", "淮北", "铜陵", "安庆", "黄山", "滁州", "阜阳", "宿州", "六安", "亳州", "池州", "宣城", "福州", "厦门", "莆田", "三明", "泉州", "漳州", "南平", "龙岩", "宁德", "晋江", "南昌", "景德镇", "萍乡", "九江", "新余", "鹰潭", "赣州", "吉安", "宜春", "抚州", "上饶", "济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁", "泰安", "威海", "日照", "临沂", "德州", "聊城", "滨州", "菏泽", "郑州", "开封", "洛阳", "平顶山", "安阳", "鹤壁", "新乡", "焦作", "濮阳", "许昌", "漯河", "三门峡", "南阳", "商丘", "信阳", "周口", "驻马店", "武汉", "黄石", "十堰", "宜昌", "襄阳", "鄂州", "荆门", "孝感", "荆州", "黄冈", "咸宁", "随州", "恩施", "长沙", "株洲", "湘潭", "衡阳", "邵阳", "岳阳", "常德", "张家界", "益阳", "郴州", "永州", "怀化", "娄底", "湘西", "广州", "韶关", "深圳", "珠海", "汕头", "佛山", "江门", "湛江", "茂名", "肇庆", "惠州", "梅州", "汕尾", "河源", "阳江", "清远", "东莞", "中山", "潮州", "揭阳", "云浮", "南宁", "柳州", "桂林", "梧州", "北海", "防城港", "钦州", "贵港", "玉林", "百色", "贺州", "河池", "来宾", "崇左", "海口", "三亚", "儋州", "成都", "自贡", "攀枝花", "泸州", "德阳", "绵阳", "广元", "遂宁", "内江", "乐山", "南充", "眉山", "宜宾", "广安", "达州", "雅安", "巴中", "资阳", "贵阳", "六盘水", "遵义", "安顺", "毕节", "铜仁", "昆明", "曲靖", "玉溪", "保山", "昭通", "丽江", "普洱", "临沧", "大理", "西双版纳", "拉萨", "西安", "铜川", "宝鸡", "咸阳", "渭南", "延安", "汉中", "榆林", "安康", "商洛", "兰州", "嘉峪关", "金昌", "白银", "天水", "武威", "张掖", "平凉", "酒泉", "庆阳", "定西", "陇南", "西宁", "银川", "石嘴山", "吴忠", "固原", "中卫", "乌鲁木齐", "克拉玛依", "吐鲁番", "哈密", "喀什", "伊犁", "香港", "澳门", "台北"]
# Longest first, so a legal form inside another (有限公司 in 有限责任公司) never wins.
LEGAL_FORMS = ("集团股份有限公司", "集团有限责任公司", "集团有限公司", "股份有限公司", "有限责任公司", "有限公司",
               "集团公司", "股份公司", "集团", "公司", "商贸行", "商行", "工作室")
BRANCH_WORDS = ("分公司", "分店", "分部", "办事处", "营业部", "门市部", "经营部", "分厂", "分行", "支行", "门店")
# After a company's legal form these name a branch; on their own (张华文具门市部) they are a sole trader's shop.
SHOP_WORDS = ("门市部", "经营部")
# A shop's kind before its owner's name in brackets: 门窗工作室(王鑫磊) is 王鑫磊门窗工作室.
_SHOP_ENDS = ("店", "部", "室", "行", "社", "厂", "铺", "馆")
# Said of the head office itself (瑞丰科技有限公司（总部）): no part of who it is.
HEAD_OFFICE = "总部"

_CITY_SET = frozenset(CITIES)
_PROVINCES = frozenset(PROVINCES)
# 市 is no province's tail: 北京市 is the city of 北京.
_PROVINCE_TAILS = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省")
# A district, county or town after the city (宁波市鄞州区, 长兴县, 长安镇): where the firm sits, not who it is.
_DISTRICT = re.compile(r"^[\u4e00-\u9fff]{2,4}?(?:区|县|镇|旗)")
# A county-level city (永康市, 高碑店市) where no city came first; 超市 and 门市 are shops, not places.
_COUNTY_CITY = re.compile(r"^([\u4e00-\u9fff]{2,3}?)(?<![超门])市")
# 个体工商户 written before an owner's name.
_SOLE_TRADER = ("个体工商户", "个体户")
_HAN_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")
_BRACKET = re.compile(r"\(([^()]*)\)")
# The longest legal form a name ends with, found by its length (no form ends another of its length).
_LEGAL_SET = frozenset(LEGAL_FORMS)
_LEGAL_LENGTHS = sorted({len(form) for form in LEGAL_FORMS}, reverse=True)
_BRANCH = re.compile(rf"^(.*?(?:{'|'.join(LEGAL_FORMS)}))(.*(?:{'|'.join(BRANCH_WORDS)}))$")


@lru_cache(maxsize=1)
def _to_simplified() -> dict[int, str]:
    """One-character traditional -> simplified table from zhconv's own dictionary."""
    import zhconv  # imported here: it loads pkg_resources (0.1 s), and most commands never compare names

    table = zhconv.zhconv.getdict("zh-cn")
    return {ord(k): v for k, v in table.items() if len(k) == 1 and len(v) == 1}


def plain(texts: pd.Series) -> pd.Series:
    """Full-width to half-width, traditional to simplified, no spaces, lower case.  Each step runs once over
    the whole column joined by a separator no step changes or merges with its neighbours (a loop per cell costs
    0.7 s on 300,000 cells)."""
    cells = texts.fillna("").astype(str).str.replace("\x00", "", regex=False).tolist()
    if not cells:  # "".split() would give one cell
        return pd.Series([], index=texts.index, dtype=object)
    joined = unicodedata.normalize("NFKC", "\x00".join(cells)).translate(_to_simplified()).lower()
    return pd.Series(re.sub(r"[^\S\x00]+", "", joined).split("\x00"), index=texts.index, dtype=object)


def company_keys(names: pd.Series, *, plained: bool = False) -> pd.DataFrame:
    """Per name: ``core`` (brand + trade + branch), ``city`` ('' if none) and ``full`` (plain name); ``plained``
    when the names are plain() already.

    Work happens once per distinct name, then is mapped back.
    """
    codes, unique = pd.factorize(names.fillna("").astype(object))
    distinct = pd.Series(unique, dtype=object)
    parts = [split_name(name) for name in (distinct if plained else plain(distinct)).tolist()]
    columns = {key: np.asarray([p[i] for p in parts], dtype=object)[codes] for i, key in enumerate(("core", "city",
                                                                                                     "full"))}
    return pd.DataFrame(columns, index=names.index)


def split_name(name: str) -> tuple[str, str, str]:
    """A plain name -> (core, city, name without bracketed city/legal form)."""
    city = ""
    match = _BRACKET.search(name) if "(" in name else None
    if match:
        inside = match.group(1)
        place = inside.removesuffix("市")
        # 江金五金(太仓)有限公司: a short name in brackets right before the legal form is where the firm is
        # registered, a county-level city or not.
        registered = (len(place) in (2, 3) and _HAN_ONLY.match(place) is not None and _strip_legal(place) == place
                      and name[match.end():].startswith(LEGAL_FORMS) and not place.endswith(BRANCH_WORDS))
        if place in _CITY_SET or registered:
            city = place
            name = name[: match.start()] + name[match.end():]
        elif not _strip_legal(inside) or inside in _SOLE_TRADER:
            name = name[: match.start()] + name[match.end():]
        elif (len(inside) in (2, 3) and match.end() == len(name) and name[: match.start()].endswith(_SHOP_ENDS)
              and _HAN_ONLY.match(inside) and not inside.endswith(_SHOP_ENDS)):
            name = inside + name[: match.start()]
    body = name.replace("(", "").replace(")", "").removesuffix(HEAD_OFFICE)
    rest, prefix_city = _strip_place(body.removeprefix(_SOLE_TRADER[0]).removeprefix(_SOLE_TRADER[1]))
    city = city or prefix_city
    branch = ""
    if rest.endswith(BRANCH_WORDS):
        parts = _BRANCH.match(rest)
        if parts:
            rest, branch = parts.group(1), parts.group(2)
    # 伟浩印刷西安分公司 (no legal form to split at) keeps its 公司: it is a branch's name.
    core = rest if rest.endswith(BRANCH_WORDS) else _strip_legal(rest)
    if len(core) < 2:
        core = rest
    return (f"{core}#{branch}" if branch else core), city, body


def _strip_legal(text: str) -> str:
    """Remove trailing legal forms (集团 + 有限公司 come off in two rounds)."""
    for _ in range(2):
        if not text.endswith(LEGAL_FORMS):
            break
        text = text[: -next(n for n in _LEGAL_LENGTHS if text[-n:] in _LEGAL_SET)]
    return text


def _city_at(text: str, start: int, size: int) -> bool:
    """A city name at ``start`` that is not the first half of a district (北京朝阳区 is no city of 朝阳)."""
    return text[start:start + size] in _CITY_SET and text[start + size:start + size + 1] not in ("区", "县", "镇")


def _strip_place(body: str) -> tuple[str, str]:
    """Leading province and city (广东省深圳市, 吉林省长春市, 北京市, 北京): the rest, and the city."""
    rest = body
    for k in (3, 2):
        province = rest[:k]
        if province not in _PROVINCES:
            continue
        tail = next((t for t in _PROVINCE_TAILS if rest.startswith(t, k)), None)
        if tail is not None:
            rest = rest[k + len(tail):]
        elif any(_city_at(rest, k, n) for n in (2, 3, 4)):
            # 广东深圳… / 吉林长春… (a province without 省, then its city); 北京瑞丰… keeps 北京 as the city.
            rest = rest[k:]
        elif province not in _CITY_SET and len(rest) >= k + 3:
            # 浙江长欣服饰: a province alone says where, not who.
            rest = rest[k:]
        break
    city = ""
    for k in (4, 3, 2):
        if _city_at(rest, 0, k) and len(rest) >= k + 2:
            city, rest = rest[:k], rest[k:]
            if rest.startswith("市") and len(rest) >= 3:
                rest = rest[1:]
            break
    county_city = _COUNTY_CITY.match(rest) if not city else None
    if county_city and len(rest) - county_city.end() >= 2:
        city, rest = county_city.group(1), rest[county_city.end():]
    district = _DISTRICT.match(rest)
    if district and len(rest) - district.end() >= 2:
        place = rest[: district.end()]
        rest = rest[district.end():]
        # A county (博罗县) with no city before it is the place itself; a district (余杭区) belongs to a city.
        if not city and place.endswith("县"):
            city = place[:-1]
    return rest, city
