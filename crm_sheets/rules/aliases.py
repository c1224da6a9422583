"""The other names one customer goes by (issue 37): its owner's name for a shop, its English or pinyin name.

A shop is often typed once as the shop and once as its owner (王记汽车维修商行 / 王娜), and a firm once in
Chinese and once in English (Liju (HK) International Trading Ltd. / 香港立炬国际贸易有限公司).  This module reads
what such names say: the notes typed after a name (· 王经理, -老客户, （原…）) come off, a person's name is told
from a firm's, and a Latin name gives its letters, its place in pinyin and whether it names Hong Kong or a branch.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .names import CITIES

# The common Chinese surnames (about nine people in ten carry one): a name of two or three characters starting
# with one reads as a person's; the compound ones first.
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "长孙")
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
            "卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
            "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
            "霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
            "景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
PERSON = re.compile(rf"^(?:{'|'.join(COMPOUND_SURNAMES)}|[{SURNAMES}])[\u4e00-\u9fff]{{1,2}}$")
_TITLE = "(?:经理|总|老板|主任|老师)"
_SOMEONE = rf"(?:{'|'.join(COMPOUND_SURNAMES)}|[{SURNAMES}])[\u4e00-\u9fff]{{1,2}}"
# Notes typed after a name (plain text: brackets half width, no spaces): who answered, that it is an old
# customer, what it was called before.  Each takes the note off; the owner's name, where a note gives one, is kept.
_NOTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\(原[^()]*\)"), ""),
    (re.compile(r"[-—]?老客户$"), ""),
    (re.compile(rf"(?<=.{{4}})[·・\-]?\(?[{SURNAMES}]{_TITLE}\)?$"), ""),
    (re.compile(r"^个人[-—]?|\(个人\)$"), ""),
]
# 林和小满(江滩店)(曾磊), 艺昌建材经营部-郑强, 王娜(王记汽车维修商行): the shop and its owner in one cell.
_OWNER_BRACKETED = re.compile(rf"^(.{{3,}}\))\(({_SOMEONE})\)$")
_OWNER_AFTER = re.compile(rf"^(.{{3,}}?)[-—·・]({_SOMEONE})$")
_OWNER_BEFORE = re.compile(rf"^({_SOMEONE})\((.{{3,}})\)$")
# 华星铺(万达店) is a franchise store, not 华星铺 the person.
_BRAND_ENDS = "记坊堂屋铺鲜家店满行"
_PERSON_SUFFIX = re.compile(rf"^({_SOMEONE})(?:先生|女士)$")
_FIRM_WORDS = re.compile(r"\b(?:co|ltd|limited|inc|corp|company|group|trading|gongsi|youxian|shop|store)\b")
_MARKS = rf"[()\-—·・]|个人|客户$|先生$|女士$|{_TITLE}\)?$"
_HK = re.compile(r"\bhk\b|hong\s*kong")
# The brand of a name in pinyin is at least this long before an English name holding it says anything.
MIN_PINYIN = 4
# Words of a Latin name that say where, not who.
_PLACE_WORDS = frozenset(("hk", "hong", "kong", "china", "the"))
_LATIN_PERSON = re.compile(r"[A-Za-z]{2,8} [A-Za-z]{2,8}")


def without_notes(plain_names: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each plain name without the notes typed after it, and the owner's name a note gives ('' if none)."""
    codes, unique = pd.factorize(plain_names.fillna("").astype(object))
    names, owners = unique.tolist(), [""] * len(unique)
    # Only a name with a bracket, a dash, a dot or a note's word can hold a note: the rest are not looked at.
    marked = np.flatnonzero(pd.Series(unique, dtype=object).str.contains(_MARKS, regex=True).to_numpy())
    for at in marked.tolist():
        name, owner = names[at], ""
        for pattern, by in _NOTES:
            name = pattern.sub(by, name)
        if (found := _OWNER_BEFORE.match(name)) and found.group(2) not in ("个体工商户", "个体户") and (
                found.group(1)[-1] not in _BRAND_ENDS):
            owner, name = found.group(1), found.group(2)
        elif found := _OWNER_BRACKETED.match(name) or _OWNER_AFTER.match(name):
            name, owner = found.group(1), found.group(2)
        elif found := _PERSON_SUFFIX.match(name):
            name = found.group(1)
        names[at], owners[at] = name, owner
    return (pd.Series(np.asarray(names, dtype=object)[codes], index=plain_names.index),
            pd.Series(np.asarray(owners, dtype=object)[codes], index=plain_names.index))


def is_person(cores: pd.Series) -> pd.Series:
    """Whether each name reads as a person's (王娜, 欧阳娜娜), not a firm's."""
    return cores.str.match(PERSON)


def pinyin_forms(text: str, table: dict[int, tuple[str, ...]], limit: int = 8) -> set[str]:
    """Every toneless pinyin spelling of a Chinese text (each reading of a character with several), at most
    ``limit`` of them."""
    readings = [table.get(ord(c), ("",)) for c in text]
    return {"".join(r) for r in itertools.islice(itertools.product(*readings), limit)}


def person_pinyin(names: Iterable[str], table: dict[int, tuple[str, ...]]) -> list[set[str]]:
    """A person's name as written in pinyin, either way round (王娜: wangna, nawang); empty for no person."""
    out: list[set[str]] = []
    for name in names:
        if not PERSON.match(name):
            out.append(set())
            continue
        cut = 2 if name[:2] in COMPOUND_SURNAMES else 1
        sur, given = pinyin_forms(name[:cut], table), pinyin_forms(name[cut:], table)
        out.append({a + b for a in sur for b in given} | {b + a for a in sur for b in given})
    return out


def latin_places(table: dict[int, tuple[str, ...]]) -> dict[str, str]:
    """City in pinyin (changsha, xian) -> city."""
    return {form: city for city in CITIES for form in pinyin_forms(city, table)}


def latin_keys(names: pd.Series, latin: pd.Series, places: Callable[[], dict[str, str]]) -> pd.DataFrame:
    """For Latin names: the letters alone, the city it names ('' if none), and whether it names Hong Kong or a
    branch.  Chinese names get '' and False."""
    letters = pd.Series("", index=names.index, dtype=object)
    city = letters.copy()
    hk = pd.Series(False, index=names.index)
    branch = hk.copy()
    if latin.any():
        text = names[latin].fillna("").astype(str).str.lower()
        letters[latin] = text.str.replace("[^a-z]", "", regex=True)
        hk[latin] = text.str.contains(_HK)
        branch[latin] = text.str.contains("branch", regex=False)
        found = places()
        words = text.str.findall("[a-z]+")
        city[latin] = [next((found[w] for w in ws if w in found), "") for ws in words.tolist()]
    # Na Wang, Lei He: two short words, no firm's, no place's (Taizhou Liyou is a firm of 台州).
    person = pd.Series(False, index=names.index)
    if latin.any():
        person[latin] = (words.str.len().eq(2) & letters[latin].str.len().le(14) & ~text.str.contains(_FIRM_WORDS)
                         & city[latin].eq(""))
    # Its brand: the first word that names no place (Chongqing Xunfei Electronics -> xunfei).
    brand = pd.Series("", index=names.index, dtype=object)
    if latin.any():
        brand[latin] = [next((w for w in ws if w not in found and w not in _PLACE_WORDS), "") for ws in words.tolist()]
    return pd.DataFrame({"letters": letters, "latin_city": city, "latin_hk": hk, "latin_branch": branch,
                         "latin_person": person, "latin_brand": brand})


def spoken(cores: pd.Series, brands: pd.Series, contacts: pd.Series, written: pd.Series,
           latin: pd.Series) -> pd.DataFrame:
    """Per record, the brand and the contact as they sound, for records that may meet their other script: the brand
    is the core's first two characters in pinyin (a Latin name's brand word as it is), the contact (plain, and as
    ``written``) its syllables, a Chinese name surname first (董强: dongqiang), a Latin one either way round
    (Qiang Dong: qiangdong and dongqiang).  Only brands some Latin name or contact carries are kept; elsewhere ''."""
    firsts = _first_readings()
    brand = cores.str[:2].str.translate(firsts).where(~latin, brands).fillna("")
    roman = written.str.fullmatch(_LATIN_PERSON)
    wanted = brand.isin(set(brand[(latin | roman) & (brand != "")])) & (brand != "")
    said = contacts.where(wanted & ~roman, "").str.translate(firsts)
    # Each block key is compared within its own column: a Chinese name stands in both.
    swapped = said.copy()
    turn = wanted & roman
    if turn.any():
        said[turn] = contacts[turn]
        swapped[turn] = ["".join(reversed(w.lower().split())) for w in written[turn].tolist()]
    return pd.DataFrame({"brand_py": brand.where(wanted, ""), "contact_py": said, "contact_py2": swapped},
                        index=cores.index)


@lru_cache(maxsize=1)
def _first_readings() -> dict[int, str]:
    return {code: r[0] for code, r in pinyin_table().items()}


def sounded(cores: np.ndarray) -> np.ndarray:
    """Each character replaced by one character per syllable (its first reading): cores that sound alike become
    equal, and a core keeps its length, so containment and brands compare as on the written cores."""
    table = _syllables()
    return np.asarray([c.translate(table) for c in cores.tolist()], dtype=object)


@lru_cache(maxsize=1)
def _syllables() -> dict[int, str]:
    readings = pinyin_table()
    codes = {syllable: chr(0xF0000 + k) for k, syllable in enumerate(sorted({r[0] for r in readings.values()}))}
    return {code: codes[r[0]] for code, r in readings.items()}


def brand_pinyin(cores: list[str]) -> list[set[str]]:
    """Each pair of neighbouring characters among a core's first four in toneless pinyin, every reading of a
    character with several (长 is zhang or chang): the brand is one of them whether or not a county's name
    (乐清, 都江堰) comes first (恒信五金 -> hengxin).  A pair in the last two characters is the trade, which
    two firms share (同欣科技 is not Huatong Wangluo Keji), so only the first pair may touch them."""
    table = pinyin_table()
    return [{x + y for k in range(min(3, len(core) - 1)) if k == 0 or k + 1 < len(core) - 2
             for x in table.get(ord(core[k]), ("",)) for y in table.get(ord(core[k + 1]), ("",))}
            for core in cores]


@lru_cache(maxsize=1)
def pinyin_table() -> dict[int, tuple[str, ...]]:
    # pypinyin's reading table alone: importing the package would load its phrase dictionaries too (0.4 s).
    spec = importlib.util.find_spec("pypinyin")
    path = Path(spec.origin).with_name("pinyin_dict.py") if spec and spec.origin else None
    table = importlib.util.spec_from_file_location("crm_sheets_pinyin_dict", path) if path else None
    if table is None or table.loader is None:
        raise ModuleNotFoundError("pypinyin")
    module = importlib.util.module_from_spec(table)
    table.loader.exec_module(module)

    def toneless(reading: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", reading) if c.isascii())

    return {code: tuple(dict.fromkeys(toneless(r) for r in readings.split(",")))
            for code, readings in module.pinyin_dict.items() if 0x4E00 <= code <= 0x9FFF}


@lru_cache(maxsize=1)
def known_places() -> dict[str, str]:
    return latin_places(pinyin_table())
