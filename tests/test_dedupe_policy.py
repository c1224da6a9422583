"""Issue 37: the kinds of duplicate docs/dedupe-policy.md names that the matcher missed, and its hard negatives.

Each expected answer is the policy's own example or a record pair written from one of its rows: listed means one
group on 疑似重复; sure means 确认合并 is pre-filled for it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from crm_sheets.rules.dedupe import find_duplicates
from crm_sheets.values import normalize_phone

LISTED, SURE, APART = "listed", "sure", "apart"


def verdict(*records: tuple) -> str:
    frame = pd.DataFrame(list(records), columns=["name", "contact", "phone", "email"])
    frame["phone_text"] = frame["phone"]
    frame["phone"] = normalize_phone(frame["phone"].astype(object))
    found = find_duplicates(frame)
    if len(found.clusters) != 1 or len(found.clusters[0]) != len(records):
        return APART
    return SURE if found.rows["sure"].all() else LISTED


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # A shop typed once as its owner, the same mobile: listed; the owner named on the shop's record: sure.
        (("王记汽车维修商行", "", "13807310002", ""), ("王娜", "王老板", "138-0731-0002", ""), LISTED),
        (("王记汽车维修商行", "王娜", "13807310002", ""), ("王娜", "", "+86 138 0731 0002", ""), SURE),
        (("沛雅服装经营部 · 王经理", "", "13911112222", "wxf@163.com"), ("王秀芳", "王秀芳", "13911112222", "WXF@163.com"),
         LISTED),
        (("林和小满（江滩店）（曾磊）", "", "17722270872", ""), ("曾磊", "曾磊", "177-2227-0872", ""), SURE),
        # A person once in pinyin.
        (("Na Wang", "", "13807310009", ""), ("王娜", "王娜", "13807310009", ""), SURE),
        # The company in English or pinyin, one phone and e-mail behind both.
        (("Liju (HK) International Trading Ltd.", "", "+852 2123 4567", "info@liju.com"),
         ("香港立炬国际贸易有限公司", "陈立", "852-21234567", "info@liju.com"), LISTED),
        (("Changsha Zhili Electronics Co., Ltd Changsha Branch", "", "13807310002", ""),
         ("长沙市致力电子有限公司开福分公司", "李强", "138 0731 0002", ""), LISTED),
        # One e-mail and one contact, once in pinyin, in one city: sure.
        (("Changsha Zhili dianzi youxian gongsi", "Qiang Li", "0731-88881234", "liqiang@zhili.cn"),
         ("长沙市致力电子有限公司", "李强", "13807310002", "LiQiang@ZhiLi.cn"), SURE),
        # Issue 37's "English name, only the contact matches": the same contact person, in Chinese or in pinyin.
        (("Chongqing Xunfei Electronics Company Limited", "廖志杰", "17126973756", ""),
         ("重庆讯菲电子有限公司（廖总）", "廖志杰", "023-87211684", ""), SURE),
        (("Chongqing Xunfei Electronics Company Limited", "Zhijie Liao", "17126973756", ""),
         ("重庆讯菲电子有限公司", "廖志杰", "023-87211684", ""), SURE),
        (("Xining Yifei Advertising Co., Ltd. Xining Branch", "Wei Xu", "0971-6561994", ""),
         ("西宁市益飞广告有限公司城中分公司", "徐伟", "13105489916", ""), LISTED),
        # The identical registered name in one city, nothing else in common: listed; with one phone: sure.
        (("宁波港城物流有限公司", "张伟", "13800000001", ""), ("宁波港城物流有限公司", "李娜", "13900000002", ""), LISTED),
        (("宁波港城物流有限公司", "张伟", "13800000001", ""), ("宁波港城物流有限公司", "李娜", "138-0000-0001", ""), SURE),
        (("云南立艺贸易有限公司", "何静", "13800000001", ""), ("云南立艺贸易有限公司", "谭娜", "13900000002", ""), LISTED),
        # The acceptance of issue 37: the identical name is sure only with a shared phone or e-mail, so one contact
        # person alone leaves it for review.
        (("宁波港城物流有限公司", "张志伟", "13800000001", ""), ("宁波港城物流有限公司", "张志伟", "13900000002", ""),
         LISTED),
        (("宁波港城物流有限公司", "张志伟", "13800000001", "zzw@gcwl.cn"),
         ("宁波港城物流有限公司", "张志伟", "13900000002", "ZZW@gcwl.cn"), SURE),
        # One name, one place, one contact by full name.
        (("长沙市致力电子有限公司", "李志强", "13800000001", ""), ("致力电子（长沙）有限公司", "李志强", "13900000002", ""), SURE),
        (("长沙市致力电子有限公司", "李志强", "13800000001", ""), ("致力电子", "李志强", "13900000002", ""), SURE),
        # One store name twice behind the brand's franchise mailbox: two stores of one name may be in two cities.
        (("云元铺（五一广场店）", "陈敏", "13997088591", "jiameng@yunyuan.cn"),
         ("云元铺（五一广场店）", "李静", "13724843574", "jiameng@yunyuan.cn"), LISTED),
        # A brand one character off (a homophone) is a typing slip when the phone and the contact agree.
        (("杭州青禾茶叶有限公司", "赵敏", "13807310002", ""), ("杭州青和茶叶有限公司", "赵敏", "13807310002", ""), SURE),
        (("杭州青禾茶叶有限公司", "", "13807310002", ""), ("杭州青和茶叶有限公司", "", "13807310002", ""), LISTED),
    ],
)
def test_the_policy_s_duplicates_are_listed(a: tuple, b: tuple, expected: str) -> None:
    assert verdict(a, b) == expected


def test_a_group_joined_through_a_third_record_is_listed_for_review() -> None:
    """A and B one phone, B and C the identical full name: one customer; C shares nothing with A, so a person
    looks at the group."""
    a = ("致力电子", "李强", "13807310002", "")
    b = ("长沙市致力电子有限公司", "李强", "+86 138 0731 0002", "")
    c = ("长沙市致力电子有限公司", "赵敏", "13900001111", "")
    assert verdict(a, b, c) == LISTED
    assert verdict(a, b) == SURE


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Head office and branch, two branches: even on one switchboard.
        (("长沙市致力电子有限公司", "李强", "0731-88881234", ""), ("长沙市致力电子有限公司开福分公司", "王芳", "0731-88881234", "")),
        (("长沙市致力电子有限公司开福分公司", "李强", "0731-88881234", ""),
         ("长沙市致力电子有限公司岳麓分公司", "王芳", "0731-88881234", "")),
        (("Changsha Zhili Electronics Co., Ltd.", "李强", "0731-88881234", ""),
         ("长沙市致力电子有限公司开福分公司", "李强", "0731-88881234", "")),
        # Sister companies of a group: one boss, one mail domain, in Chinese or in English.
        (("香港立炬国际贸易有限公司", "陈立新", "852-21234567", "info@liju.com"),
         ("深圳市立炬贸易有限公司", "陈立新", "13800000003", "sz@liju.com")),
        (("Liju (HK) International Trading Ltd.", "陈立新", "852-21234567", "info@liju.com"),
         ("深圳市立炬贸易有限公司", "陈立新", "13800000003", "sz@liju.com")),
        # Two franchise stores of one brand behind its hotline.
        (("茶小满（五一广场店）", "周敏", "400-123-4567", ""), ("茶小满（万达店）", "吴刚", "400-123-4567", "")),
        # Two firms one agent filed, both showing the agent's phone and e-mail.
        (("广州市恒运五金有限公司", "刘会计", "020-8123 4567", "daili@163.com"),
         ("广州市嘉禾包装有限公司", "刘会计", "020-8123 4567", "daili@163.com")),
        # Contacts with one common name; one shop name in two places; brands one character apart or homophones.
        (("苏州华泰建材有限公司", "张伟", "13951201111", ""), ("苏州恒达机械有限公司", "张伟", "13951202222", "")),
        (("兰州城关区王记汽车维修部", "王强", "13800000001", ""), ("西宁城西区王记汽车维修部", "王磊", "13900000002", "")),
        (("宁波海韵贸易有限公司", "陈静", "13800000001", ""), ("宁波海蕴贸易有限公司", "李伟", "13900000002", "")),
        # Two people of one name, and a person and a shop that share nothing but a surname.
        (("王娜", "王娜", "13800000001", ""), ("王娜", "王娜", "13900000002", "")),
        (("王记汽车维修商行", "王娜", "13800000001", ""), ("王娜", "王娜", "13900000002", "")),
        # Numbered firms with one contact and their own phones: a number left out is not a name shortened.
        (("新客户1号科技有限公司", "王一", "13900000001", ""), ("新客户10号科技有限公司", "王一", "13900000010", "")),
    ],
)
def test_the_policy_s_different_customers_stay_apart(a: tuple, b: tuple) -> None:
    assert verdict(a, b) == APART
