"""Duplicate customers: the same company entered twice, judged as a person would.

Records are only compared within blocks that share something exact (company
core, phone, e-mail, or contact person + part of the core), never all pairs;
a key shared by too many records says nothing and pairs nobody, so the work
stays linear in the records however dense the names (issue 17).  Candidate
pairs are judged on whole columns, a chunk at a time:

- sure: same company (core and city agree) and the same phone or e-mail;
- likely: same company and the same contact person (phone and e-mail changed
  since, or the contact written as 王经理); the identical registered name in
  the same city (a name is unique within its registration authority, so two
  departments with their own phones are still one legal entity); one name the
  brand of the other (恒信五金制品 / 恒信: trade word dropped, 恒信公司) with
  the same phone or e-mail; or a company name one character apart with the
  same phone or e-mail, or with the same full contact name when that name is
  rare in the workbook and long enough to say something (王伟 at a hundred
  firms proves nothing, and a two-character name is common everywhere).

Different names that share a phone, an e-mail or even a contact person (a
switchboard, an agent) are never enough; neither is the same brand in another
city, another trade, or a branch office.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cpdist

from .. import schema, values
from ..model.tables import SheetTable
from .aliases import (MIN_PINYIN, brand_pinyin, is_person, known_places, latin_keys, person_pinyin, pinyin_table,
                      sounded, spoken, without_notes)
from .names import BRANCH_WORDS, SHOP_WORDS, company_keys, plain

# A block bigger than this says nothing about identity (a placeholder phone,
# a generic core): its members are not paired through it.  A contact name with
# part of the company name is weaker: its blocks are capped far lower.
MAX_BLOCK = 300
MAX_WEAK_BLOCK = 30
# Pairs judged at a time: memory stays flat however many candidates there are.
CHUNK = 150_000
# A contact name carried by more records than this (and than this share of the workbook) is common there: it
# is no evidence that two names one character apart are one company (a term-frequency weight, as splink's).
# Nor is a two-character name (王伟, 李娜): common in the country even when the workbook holds it once.
COMMON_CONTACT = 5
COMMON_SHARE = 0.001
TITLE_FORM = rf"^.(?:{'|'.join(schema.TITLES)})$"
_HAN = r"[\u4e00-\u9fff]"
# The kind of a branch after its place: 梁溪区分公司, 梁溪分部 and 梁溪办事处 are one office typed three ways.
_BRANCH_KIND = r"#(.+?)(?:区|市|县)?(?:分公司|分部|办事处)$"
_OUTLET = rf".{{2}}[区县](?:{'|'.join(SHOP_WORDS)})$"

SURE, LIKELY = "sure", "likely"
# What 疑似重复 shows of each record.
REVIEW_FIELDS = ("customer_id", "name", "contact", "phone", "email", "owner", "created_at")


@dataclass
class Duplicates:
    """Clusters of rows (table index) that are one customer, with a score and a reason per row."""

    clusters: list[list[int]]  # the table's row numbers
    rows: pd.DataFrame  # index = row; cluster, score, reason, sure

    def id_clusters(self, ids: pd.Series) -> list[list[str]]:
        text = dict(zip(ids.index.tolist(), ids.astype(object).astype(str).tolist()))
        return [[text[r] for r in rows] for rows in self.clusters]


def features(customers: pd.DataFrame) -> pd.DataFrame:
    """The comparable form of each record: company core and city, plain phone, e-mail and contact."""
    # What a name says is read once per distinct name (a workbook repeats many), then mapped back.
    codes, unique = pd.factorize(customers["name"].fillna("").astype(str))
    by_name = _name_features(pd.Series(unique, dtype=object))
    # dtype=object: no string type inferred (and converted back) for columns judge() reads as arrays.
    named = pd.DataFrame({k: pd.Series(v.to_numpy()[codes], index=customers.index,
                                       dtype=None if v.dtype.kind in "biuf" else object) for k, v in by_name.items()})
    email = customers.get("email", pd.Series("", index=customers.index)).fillna("").astype(str).str.strip().str.lower()
    email = email.where(values.valid_emails(email), "")
    phone = customers.get("phone", pd.Series("", index=customers.index)).fillna("").astype(str)
    # As written when the caller has it (a number without its area code is no valid phone, but it is a number).
    local = values.local_numbers(customers["phone_text"] if "phone_text" in customers.columns else phone, phone)
    # 王勇(个人), 李静（老板）, 王伟 先生: the person is the name before the note.
    contact = plain(customers.get("contact", pd.Series("", index=customers.index))).str.replace(
        r"\(.*?\)|先生$|女士$", "", regex=True)
    titled = contact.str.match(TITLE_FORM)
    carriers = contact.map(contact[contact != ""].value_counts()).fillna(0).astype("int64")
    # The contact as written too: Qiang Dong keeps its space.
    written = customers.get("contact", pd.Series("", index=customers.index)).fillna("").astype(str).str.strip()
    sound = spoken(named["core"], named["latin_brand"], contact.where(~titled, ""), written, named["latin"])
    return pd.concat([named, sound], axis=1).assign(
        phone=phone, local=local, email=email, contact=contact, surname=contact.str[:1], titled=titled,
        person=_named_after(named["core"], contact),
        rare_contact=(carriers <= max(COMMON_CONTACT, COMMON_SHARE * len(contact))) & (contact.str.len() >= 3),
    )


def _name_features(names: pd.Series) -> dict[str, pd.Series]:
    """What each distinct name says: its core, city and plain form, whether it is a branch, a Latin name (with
    its letters), a person's, a shop's, Hong Kong's or a registered firm's, and the owner a note names."""
    plain_names, owner = without_notes(plain(names))
    keys = company_keys(plain_names, plained=True)
    # A branch (分公司, 营业部, a group's subsidiary) is its own customer whether or not its name says where the
    # head office's name ends: compare cores without the mark, and keep whether each record is a branch.  Its
    # kind is typed loosely (梁溪区分公司, 梁溪分部, 梁溪办事处 are one office); its place is kept.
    core = keys["core"].str.replace(_BRANCH_KIND, r"#\1", regex=True).str.replace("#", "", regex=False)
    latin = ~core.str.contains(_HAN, regex=True)
    foreign = latin_keys(names, latin & (core != ""), known_places)
    city = keys["city"].where(~latin, foreign["latin_city"].where(~foreign["latin_hk"], "香港"))
    human = is_person(core)
    registered = keys["full"].str.contains("公司", regex=False)
    return {
        "core": core, "city": city, "full": keys["full"], "core_len": core.str.len(),
        "sound": pd.Series(sounded(core.to_numpy(dtype=object)), index=core.index, dtype=object),
        # 门市部 after a district (龙凯家具江汉区门市部) is a firm's outlet there, not a sole trader's shop.
        "branch": keys["core"].str.contains("#", regex=False) | (core.str.endswith(BRANCH_WORDS) & (
            ~core.str.endswith(SHOP_WORDS) | core.str.contains(_OUTLET, regex=True)))
        | core.str.contains("集团.", regex=True) | foreign["latin_branch"],
        "latin": latin, "latin_brand": foreign["latin_brand"],
        # Issue 37: who a shop's owner is, whether a name is a person's or a shop's, and what a Latin name says.
        "owner": owner, "human": human | foreign["latin_person"], "letters": foreign["letters"],
        "shop": ~registered & ~human & ~latin & (core.str.len() >= 3),
        # A store of a chain (云元铺（五一广场店）): the brand's franchise mailbox is on every one of them.
        "store": ~registered & core.str.endswith("店"),
        "hk": (city == "香港") | keys["full"].str.contains("香港", regex=False) | foreign["latin_hk"],
        "registered": registered & (core.str.len() >= 4) & ~core.str.endswith(BRANCH_WORDS),
    }


def _named_after(core: pd.Series, contact: pd.Series) -> pd.Series:
    """A person as customer, or a shop named after its owner (王艳手机店 whose contact is 王艳): name and
    contact together say no more than the person's name, and 王艳 keeps a phone shop in many cities."""
    named = pd.Series([len(c) >= 2 and c in n for n, c in zip(core.tolist(), contact.tolist())], index=core.index)
    return named | (core == contact)


def candidate_pairs(f: pd.DataFrame) -> pd.DataFrame:
    """Positions (i < j) of records sharing at least one exact blocking key."""
    contact_ok = ~f["titled"] & (f["contact"].str.len() >= 2)
    blocks = [
        (f["core"], MAX_BLOCK),
        (f["phone"], MAX_BLOCK),
        (f["local"], MAX_BLOCK),
        (f["email"], MAX_BLOCK),
        ((f["contact"] + "|" + f["core"].str[:2]).where(contact_ok, ""), MAX_WEAK_BLOCK),
        ((f["contact"] + "|" + f["core"].str[-2:]).where(contact_ok, ""), MAX_WEAK_BLOCK),
    ]
    found = [_pairs_within(key.to_numpy(), cap) for key, cap in blocks]
    # The contact and the brand as they sound: 讯菲电子 and Chongqing Xunfei Electronics, both 廖杰.  Only a pair
    # across scripts (a Latin name or contact on one side) comes from these; two Chinese names have their own keys.
    n = max(len(f), 1)
    foreign = (f["latin"] | (f["contact_py"] != f["contact_py2"])).to_numpy()
    for column in ("contact_py", "contact_py2"):
        said = _pairs_within((f[column] + "|" + f["brand_py"]).where(f[column] != "", "").to_numpy(), MAX_WEAK_BLOCK)
        found.append(said[foreign[said // n] != foreign[said % n]])
    both = np.unique(np.concatenate(found))
    return pd.DataFrame({"i": both // n, "j": both % n})


def _pairs_within(keys: np.ndarray, cap: int) -> np.ndarray:
    """All pairs i < j with equal non-empty keys shared by at most ``cap`` records, encoded as i * n + j (no
    merge, no Python loop per pair): at most n * cap / 2 pairs."""
    n = len(keys)
    if n < 2:
        return np.array([], dtype="int64")
    codes, _ = pd.factorize(keys)
    codes[keys == ""] = -1
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, n])
    keep = (ordered[starts] >= 0) & (sizes >= 2) & (sizes <= cap)
    out = []
    for size in np.unique(sizes[keep]):
        first = starts[keep & (sizes == size)]
        a, b = np.triu_indices(size, k=1)
        i = order[first[:, None] + a]
        j = order[first[:, None] + b]
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        out.append((lo.astype("int64") * n + hi).ravel())
    return np.concatenate(out) if out else np.array([], dtype="int64")


def columns(f: pd.DataFrame) -> dict[str, np.ndarray]:
    """features() as plain arrays, which judge() indexes (converted once, not once per chunk)."""
    return {k: f[k].to_numpy(dtype=object if f[k].dtype.kind not in "biuf" else None) for k in f.columns}


def judge(f: dict[str, np.ndarray], pairs: pd.DataFrame) -> pd.DataFrame:
    """Decide each candidate pair (``f``: columns() of the records): adds ``verdict`` (sure/likely/''),
    ``score`` and ``reason``."""
    i, j = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    a = {k: v[i] for k, v in f.items()}
    b = {k: v[j] for k, v in f.items()}
    same_core = a["core"] == b["core"]
    city_ok = (a["city"] == "") | (b["city"] == "") | (a["city"] == b["city"])
    city_same = (a["city"] == b["city"]) & (a["city"] != "")
    # One landline written with and without its area code (or with an extension) is one phone; two area codes
    # before one local number are two phones.
    phone = ((a["phone"] == b["phone"]) & (a["phone"] != "")) | (
        (a["local"] == b["local"]) & (a["local"] != "") & ((a["phone"] == "") | (b["phone"] == "")))
    email = (a["email"] == b["email"]) & (a["email"] != "")
    contact = (a["contact"] == b["contact"]) & (a["contact"] != "") & ~a["titled"] & (a["surname"] != a["contact"])
    titled = (a["surname"] == b["surname"]) & (a["surname"] != "") & (a["titled"] | b["titled"])
    rare = contact & a["rare_contact"]
    # One contact written once in pinyin (董强 / Qiang Dong), or one on a Latin and a Chinese name.
    said = contact | ((a["contact_py"] != "") & ((a["contact_py"] == b["contact_py"]) | (a["contact_py"] == b["contact_py2"]))) | (
        (a["contact_py2"] != "") & (a["contact_py2"] == b["contact_py"]))
    # The identical registered name in one city, or twice with no city but the province it was registered in.
    full_same = (a["full"] == b["full"]) & (city_same | ((a["city"] == "") & (b["city"] == "") & a["registered"])) & (
        ~a["person"] & ~b["person"])
    # A Hong Kong company and its mainland sister share the brand, the boss and the mail domain: never related.
    hk_ok = a["hk"] == b["hk"]
    crossed = a["latin"] ^ b["latin"]
    # Names are compared character by character only where the rest could make the pair a match.
    open_ = ~same_core & city_ok & (phone | email | rare | said)
    written = _where(open_, _related_names, a, b) & hk_ok
    related = written | (_where(open_, _related_sounds, a, b) & hk_ok)
    typo = _where(open_ & (a["branch"] == b["branch"]) & (np.maximum(a["core_len"], b["core_len"]) >= 4),
                  _one_char_apart, a, b)
    # A person as customer (name = contact): two people of the same name are not one customer.
    person = a["person"] | b["person"]
    company = same_core & city_ok
    tie = phone | email
    # A shop typed once as its owner (王记汽车维修商行 / 王娜), or a person once in pinyin (Na Wang / 王娜): the
    # same phone or e-mail lists them; the owner's name on the shop's record as well makes them sure.
    kin = (a["human"] & b["shop"]) | (b["human"] & a["shop"]) | (a["human"] & b["human"] & crossed)
    named = _where(kin & tie, _owner_named, a, b)
    # A franchise's mailbox is on every store: an owner shares the shop's mobile, or is named on it.
    kin = kin & (phone | named)
    # Two of phone, e-mail and contact behind two ways of writing one name: no agent, franchise or sister firm
    # shows that much of another's.
    # A bare brand (宁波恒信公司) with the phone of 宁波恒信五金制品 may be another firm of that brand: a person
    # confirms it.  Brand and trade written both times, the phone is enough.
    # Names that only sound alike (海韵 / 海蕴) on an agent's phone are two firms: the phone alone backs a written one.
    strong = (phone & written & ~crossed & (np.minimum(a["core_len"], b["core_len"]) >= 4)) | (
        tie & (said | titled)) | (phone & email)
    # One name in one place and the same contact person by full name: one customer (王经理 or 王伟 at two
    # firms of one name in two cities is not).  The identical registered name is sure only with a phone or an
    # e-mail (issue 37): a contact alone leaves it for review.
    placed = city_same | ((a["city"] == "") & (b["city"] == ""))
    one_firm = company & contact & hk_ok & (placed | a["registered"] | b["registered"]) & ~person & ~a["human"] & (
        ~b["human"] & ~full_same)
    # A firm's English name holding its brand's pinyin, in its city, with its contact person by a full name that
    # is rare here: one customer (谢强 at 东宝物流 and at 东宝文化传媒 is not; nor a branch: "Xining Branch" does
    # not say which of the firm's offices in 西宁 it is).
    sure = (company & (phone | (email & ~a["store"]))) | (full_same & tie) | (related & strong) | named | one_firm | (
        related & crossed & said & city_same & ~a["branch"] & (a["rare_contact"] | b["rare_contact"]))
    # An English name holds many brands' pinyin (Yixing Liqi, 宜兴 a place): across scripts a contact backs it
    # in its own city, or when the name is rare here.
    placed_by = city_same | a["rare_contact"] | b["rare_contact"]
    likely = ~sure & (
        (company & ~person & ~a["human"] & ~b["human"] & (contact | (titled & city_same))) | full_same
        | (related & (tie | (rare & ~person) | (said & crossed & placed_by)))
        # A common contact name backs a name written as part of the other, not one that merely sounds alike.
        | (written & contact & ~person & (~crossed | placed_by))
        | (typo & tie) | (typo & city_same & rare) | kin | (company & email)
    )
    score = np.round(
        np.where(company | full_same | named, 0.6, 0.45) + 0.2 * phone + 0.15 * email + 0.1 * contact
        + 0.05 * (titled & ~contact), 2
    ).clip(max=1.0)
    keep = sure | likely
    out = pairs[keep].reset_index(drop=True)
    out["verdict"] = np.where(sure[keep], SURE, LIKELY)
    out["score"] = score[keep]
    out["reason"] = _reasons(*(m[keep] for m in (company, full_same, related, typo, kin, phone, email, contact, titled)))
    return out


def _where(mask: np.ndarray, test, a: dict, b: dict) -> np.ndarray:
    """``test`` run on the pairs under ``mask`` only, given the columns it reads (_READS); False elsewhere."""
    out = np.zeros(len(mask), dtype=bool)
    if mask.any():
        keys = _READS[test.__name__]
        out[mask] = test({k: a[k][mask] for k in keys}, {k: b[k][mask] for k in keys})
    return out


_NAME_COLUMNS = ("core", "core_len", "latin", "branch")
_READS = {"_related_names": _NAME_COLUMNS, "_related_sounds": (*_NAME_COLUMNS, "sound"),
          "_one_char_apart": ("core", "full", "sound"),
          "_owner_named": ("core", "shop", "latin", "contact", "owner", "human", "letters")}


def _one_char_apart(a: dict, b: dict) -> np.ndarray:
    """Company cores (or whole names) one insertion, deletion or substitution apart, or cores that sound the
    same (力大 / 利大, 宏兴 / 鸿兴: a pinyin keyboard's slips, however many characters they touch)."""
    core = cpdist(a["core"].tolist(), b["core"].tolist(), scorer=Levenshtein.distance, workers=1)
    full = cpdist(a["full"].tolist(), b["full"].tolist(), scorer=Levenshtein.distance, workers=1)
    return (core <= 1) | (full <= 1) | (a["sound"] == b["sound"])


def _related_names(a: dict, b: dict) -> np.ndarray:
    """Two names of one firm written differently: one core inside the other (恒信 / 恒信五金, 张伟 / 张伟五金店),
    the same brand with the trade shortened (凡大五金上海分公司 / 凡大五金制品上海分公司), or an
    English name holding the brand's pinyin (Ningbo Hengxin / 恒信).  A branch only matches a branch, so two
    branches of one firm (上海分公司 / 杭州分公司) are never related: neither core leaves out the other's place."""
    short = np.where(a["core_len"] <= b["core_len"], a["core"], b["core"]).tolist()
    long_ = np.where(a["core_len"] <= b["core_len"], b["core"], a["core"]).tolist()
    inside = np.fromiter((len(s) >= 2 and s in t for s, t in zip(short, long_)), dtype=bool, count=len(short))
    # The same brand with the trade shortened (大禾传媒 / 大禾文化传媒): the shorter core is the longer one with
    # characters left out.  Two characters alone are not a brand here: 博罗 and 平度 are places.
    brand = (a["core"].astype("U2") == b["core"].astype("U2")) & (np.minimum(a["core_len"], b["core_len"]) >= 3) & ~inside
    # A number left out makes another firm (新客户1号 / 新客户10号): numbered firms are not one name shortened.
    brand[brand] = [_within(s, t) and re.sub(r"\D", "", s) == re.sub(r"\D", "", t)
                    for s, t in zip(np.asarray(short, dtype=object)[brand], np.asarray(long_, dtype=object)[brand])]
    either = a["latin"] ^ b["latin"]
    pinyin = np.zeros(len(short), dtype=bool)
    if either.any():
        han = np.where(a["latin"], b["core"], a["core"])[either].tolist()
        latin = np.where(a["latin"], a["core"], b["core"])[either].tolist()
        pinyin[either] = [any(len(p) >= MIN_PINYIN and p in letters for p in readings)
                          for readings, letters in zip(brand_pinyin(han), (re.sub("[^a-z]", "", t) for t in latin))]
    return (a["branch"] == b["branch"]) & (inside | brand | pinyin)


def _owner_named(a: dict, b: dict) -> np.ndarray:
    """The person on one record is named on the other: as its contact or its owner (王娜 / 王记汽车维修商行 whose
    contact is 王娜), by the same contact, or in pinyin (Na Wang / 王娜)."""
    table = pinyin_table()
    out = np.zeros(len(a["core"]), dtype=bool)
    for k in range(len(out)):
        p, s = (b, a) if a["shop"][k] or (b["latin"][k] and not a["latin"][k]) else (a, b)
        names = {n for n in (s["contact"][k], s["owner"][k]) if len(n) >= 2}
        names |= {s["core"][k]} if s["human"][k] and not s["latin"][k] else set()
        if not p["latin"][k]:
            out[k] = p["core"][k] in names
        elif p["letters"][k]:
            out[k] = any(p["letters"][k] in forms for forms in person_pinyin(sorted(names), table))
    return out


def _related_sounds(a: dict, b: dict) -> np.ndarray:
    """_related_names on how the cores sound (圆兴电子科技 / 元兴电子: a homophone and the trade shortened)."""
    latin = np.ones(len(a["core"]), dtype=bool)  # the English-name test was made on the written cores
    return _related_names(a | {"core": a["sound"], "latin": latin}, b | {"core": b["sound"], "latin": latin})


def _within(short: str, long_: str) -> bool:
    """``short`` is ``long_`` with characters left out (in order)."""
    chars = iter(long_)
    return all(c in chars for c in short)


def _reasons(company, full_same, related, typo, kin, phone, email, contact, titled) -> np.ndarray:
    """Why a pair matched, as codes joined by "+" (labels.py words them for 疑似重复)."""
    name = np.select([full_same, company, related, typo, kin],
                     ["same_full_name", "same_name", "name_brand", "name_one_char", "name_owner"], "")
    text = name.astype(object)
    for mask, code in ((phone, "same_phone"), (email, "same_email"), (contact, "same_contact"),
                       (titled & ~contact, "same_surname")):
        text = text + np.where(mask, "+" + code, "")
    return np.asarray([t.lstrip("+") for t in text.tolist()], dtype=object)


def with_phone_text(table: SheetTable) -> pd.DataFrame:
    """A sheet's typed customers plus the phone as written (``phone_text``), which find_duplicates reads for
    landlines written without their area code."""
    if "phone" not in table.text.columns:
        return table.data
    return table.data.assign(phone_text=table.text["phone"].reindex(table.data.index).fillna(""))


def _joined(pairs: pd.DataFrame, cities: list[str]) -> tuple[pd.DataFrame, Callable[[int], int]]:
    """The pairs that join records into groups, and each record's group (its smallest position): the sure pairs,
    then the likely ones best first, except a pair that would put records of two different known cities into one
    group through a record without a city (it must not chain 王艳手机店 of 济南 to 王艳手机店 of 青岛)."""
    order = pairs.assign(_sure=pairs["verdict"] == SURE).sort_values(["_sure", "score"], ascending=False,
                                                                      kind="stable")
    parent: dict[int, int] = {}
    known: dict[int, set[str]] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    keep = []
    for i, j, sure in zip(order["i"].tolist(), order["j"].tolist(), order["_sure"].tolist()):
        ri, rj = root(i), root(j)
        if ri == rj:
            keep.append(True)
            continue
        ci = known.get(ri, {cities[i]} - {""})
        cj = known.get(rj, {cities[j]} - {""})
        # A sure pair is evidence enough across two cities only where it names both itself (a firm that moved).
        if (not sure or not (cities[i] and cities[j])) and ci and cj and not ci & cj:
            keep.append(False)
            continue
        low, high = min(ri, rj), max(ri, rj)
        parent[high] = low
        known[low] = ci | cj
        keep.append(True)
    return order[np.asarray(keep, dtype=bool)].drop(columns="_sure").sort_index(), root


def _sure_groups(pairs: pd.DataFrame, linked: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    """Per linked record: whether sure pairs alone join its whole group.  A chain is as sure as its weakest link
    (A and B one phone, B and C only the same name: the group is for review)."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    sure = pairs[pairs["verdict"] == SURE]
    for i, j in zip(sure["i"].tolist(), sure["j"].tolist()):
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    roots = pd.Series([root(int(x)) for x in linked], dtype="int64")
    return roots.groupby(cluster).transform("nunique").eq(1).to_numpy()


def find_duplicates(customers: pd.DataFrame) -> Duplicates:
    """Clusters of duplicate records in a customer table (columns: schema keys, and ``phone_text`` if known;
    index: row)."""
    f = features(customers)
    candidates = candidate_pairs(f)
    arrays = columns(f)
    judged = [judge(arrays, candidates.iloc[start:start + CHUNK]) for start in range(0, len(candidates), CHUNK)]
    pairs = pd.concat(judged, ignore_index=True) if judged else judge(arrays, candidates)
    pairs, root = _joined(pairs, f["city"].tolist())
    linked = np.unique(pairs[["i", "j"]].to_numpy().ravel()) if len(pairs) else np.array([], dtype="int64")
    roots = np.asarray([root(int(x)) for x in linked], dtype="int64")
    _, cluster = np.unique(roots, return_inverse=True)
    # Per record: its best link (the pair with the highest score it is part of).
    links = pd.concat([
        pairs[["i", "score", "reason", "verdict"]].rename(columns={"i": "p"}),
        pairs[["j", "score", "reason", "verdict"]].rename(columns={"j": "p"}),
    ]).sort_values(["score", "p"], ascending=[False, True], kind="stable").drop_duplicates("p").set_index("p")
    best = links.reindex(linked)
    index = f.index
    table = pd.DataFrame({
        "row": index[linked], "cluster": cluster + 1, "score": best["score"].to_numpy(),
        "reason": best["reason"].to_numpy(), "sure": _sure_groups(pairs, linked, cluster),
    }).sort_values(["cluster", "row"], kind="stable").set_index("row")
    bounds = np.flatnonzero(np.diff(table["cluster"].to_numpy())) + 1
    clusters = [part.tolist() for part in np.split(table.index.to_numpy(), bounds)] if len(table) else []
    return Duplicates(clusters=clusters, rows=table)
