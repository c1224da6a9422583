"""The compatibility corpus's data, written by hand, with what each command must answer, worked out by hand.

Every producer's file holds these rows; tests/test_compat.py checks each command's answer on each against the
expectations here (from the tables below, the README's rules and 回访规则's defaults), and separately that it
equals the answer on our own template (a parity check).  Today is 2026-11-24, a Tuesday.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from crm_sheets import schema

T = dt.datetime
TEAM = [("张伟", "zhangwei@example.com", "经理", ""), ("李娜", "lina@example.com", "销售", "张伟"),
        ("王强", "wangqiang@example.com", "销售", "张伟")]
# Excel row 2 onwards.  Row 8 is typed in today: no 客户编号 or 创建时间 yet.
CUSTOMERS = [
    ("CRM2025060100001", "北京瑞丰科技有限公司", "制造业", "王建国", "13812345678", "wang@ruifeng.com", "展会推荐",
     "需求-价格敏感", "李娜", T(2025, 6, 1, 9)),
    ("CRM2025060100002", "上海恒达物流有限公司", "物流运输", "陈静", "021-66967482", "", "线上搜索", "", "王强",
     T(2025, 6, 1, 10)),
    ("CRM2025060100003", "杭州华信电子有限公司", "制造业", "某总", "13800000003", "", "客户转介绍", "", "王强",
     T(2025, 6, 1, 11)),
    ("CRM2026090100001", "宁波恒信五金制品有限公司", "制造业", "陈立新", "13705741234", "chenlx@hengxin.cn", "展会推荐",
     "", "李娜", T(2026, 9, 1, 9)),
    ("CRM2026090100002", "瑞丰科技（北京）有限公司", "制造业", "王建国", "+86 138-1234-5678", "", "展会推荐", "", "李娜",
     T(2026, 9, 1, 10)),
    ("CRM2026090100003", "成都鼎盛商贸有限公司", "批发零售", "刘洋", "1381234567", "wang@@qq.com", "线上搜索", "", "赵六",
     T(2026, 9, 1, 11)),
    ("", "武汉宏图建设有限公司", "建筑工程", "黄海", "13800000006", "", "展会推荐", "", "李娜", None),
]
_SAID = ("介绍新款数控机床报价，客户关心交期", "周五前发正式报价单", "价格可以接受")
FOLLOWUPS = [
    ("CRM2025060100001", T(2026, 11, 20, 10), "李娜", "电话", "已接通", *_SAID, "意向客户"),
    ("CRM2025060100002", T(2026, 11, 14, 10), "王强", "电话", "已接通", "演示了ERP 系统，对方需要和老板商量",
     "下周二上门演示", "需要再比较几家", "潜在客户"),
    ("CRM2025060100003", T(2026, 10, 26, 15), "王强", "微信", "已回复", "已沟通", "三天内寄送样品", "对样品质量满意",
     "成交客户"),
    ("CRM2026090100001", T(2026, 11, 23, 9, 30), "李娜", "电话", "未接通", "电话无人接听，稍后再拨", "明天上午再打一次电话",
     "未接通，暂无反馈", "意向客户"),
    ("CRM2026090100003", T(2026, 11, 18, 14), "王强", "电话", "已接通", "客户发来法人身份证号 11010519491231002X 用于开票",
     "月底前提供合同草稿", "价格可以接受", "意向客户"),
    ("CRM2099010100001", T(2026, 11, 2, 10), "李娜", "电话", "已接通", *_SAID, "潜在客户"),
]
# Long ago: 回访规则's windows (首单 +7, 末单 +90, 工单已解决 +1) all closed before this month.
ORDERS = [("CRM2025060100001", T(2025, 7, 1), 800.0, "首购", ""),
          ("CRM2025060100002", T(2025, 7, 15), "五千", "首购", "含税")]
TICKETS = [("GD2025000001", "CRM2025060100003", "咨询", T(2025, 8, 1, 10), "张伟", "已解决", T(2025, 8, 2, 10), "满意")]


def frames() -> dict[str, pd.DataFrame]:
    headers = {s.name: s.headers for s in schema.DATA_SHEETS}
    c = schema.CUSTOMERS.name
    return {
        c: pd.DataFrame(CUSTOMERS, columns=headers[c][:10]),
        schema.FOLLOWUPS.name: pd.DataFrame(FOLLOWUPS, columns=headers[schema.FOLLOWUPS.name][:9]),
        schema.ORDERS.name: pd.DataFrame(ORDERS, columns=headers[schema.ORDERS.name]),
        schema.TICKETS.name: pd.DataFrame(TICKETS, columns=headers[schema.TICKETS.name]),
        schema.TEAM.name: pd.DataFrame(TEAM, columns=schema.TEAM.headers[:4]),
    }


# -- the answers, worked out by hand ---------------------------------------------------------------
# validate: one line per problem planted above (sheet, Excel row, column, reason code).  Row 8 gets the first
# 客户编号 of the day; 11010519491231002X is GB 11643's own example number.
PROBLEMS = {
    ("客户信息", 4, "联系人姓名", "vague_contact"),  # 某总
    ("客户信息", 7, "联系电话", "bad_phone"),  # ten digits
    ("客户信息", 7, "联系邮箱", "bad_email"),  # wang@@qq.com
    ("客户信息", 7, "负责人", "unknown_member"),  # 赵六 is not on 团队
    ("跟进记录", 4, "沟通内容", "vague_content"),  # 已沟通
    ("跟进记录", 6, "沟通内容", "id_number"),
    ("跟进记录", 7, "客户编号", "unknown_customer"),  # CRM2099010100001
    ("交易记录", 3, "金额", "bad_number"),  # 五千
}
TYPED_TODAY = "CRM2026112400001"
# dedupe: row 6 is row 2 with the registration place in brackets and the mobile as +86 138-1234-5678: the same
# name core, city and phone, so sure (确认合并 = 是).  Nothing else shares a phone, e-mail or name core.
DUPLICATES = {("CRM2025060100001", "是"), ("CRM2026090100002", "是")}
# merge: the earlier record stays; the later one's row is emptied and logged.
MERGED_AWAY = "CRM2026090100002"
MERGE_LOG = {("保留行原值", "CRM2025060100001"), ("被合并的行", "CRM2026090100002")}
# import (tests/compat.import_source): three new rows take the day's next ids; source row 5 holds 40,000
# characters, source row 6 is 宁波恒信五金制品有限公司 again.
IMPORTED = ["CRM2026112400002", "CRM2026112400003", "CRM2026112400004"]
IMPORT_ERRORS = {(5, "text_too_long"), (6, "duplicate_existing")}
# tag: 客户阶段 is the last 跟进状态 (潜在客户 without one); 下次回访日期 = the last contact that reached the customer
# (else 创建时间) + 潜在 5 / 意向 3 / 成交 30 days; every 回访规则 window closed in 2025.
TAGGED = {
    "CRM2025060100001": ("意向客户", "2026-11-20 10:00", "2026-11-23"),  # 11-20 + 3
    "CRM2025060100002": ("潜在客户", "2026-11-14 10:00", "2026-11-19"),  # 11-14 + 5
    "CRM2025060100003": ("成交客户", "2026-10-26 15:00", "2026-11-25"),  # 10-26 + 30 (微信 已回复 reached)
    "CRM2026090100001": ("意向客户", "2026-11-23 09:30", "2026-09-04"),  # 未接通 only: 创建 09-01 + 3
    "CRM2026090100003": ("意向客户", "2026-11-18 14:00", "2026-11-21"),  # 11-18 + 3
    **dict.fromkeys([TYPED_TODAY, *IMPORTED], ("潜在客户", "", "2026-11-29")),  # created 11-24, + 5
}
# remind: a cadence task for each 下次回访日期 before today, all overdue; 成交 CRM2025060100003 falls due tomorrow.
# The merged customer keeps the newest valid values (its name from row 6).  Three mails: 李娜, 王强 and the
# manager's digest (赵六 has no address on 团队).
TASKS = {
    ("2026-09-04", "李娜", "CRM2026090100001", "逾期"),
    ("2026-11-19", "王强", "CRM2025060100002", "逾期"),
    ("2026-11-21", "赵六", "CRM2026090100003", "逾期"),
    ("2026-11-23", "李娜", "CRM2025060100001", "逾期"),
}
MAILS = 3  # "今天的提醒 3 封"
# summary: run on the 24th, it writes the month before.
SUMMARY_SHEET = "月度汇总-2026-10"
# 1 where something is left for a person: problems (tag checks again and they are still there), duplicates,
# import rows not taken.
EXIT_CODES = {"validate": 1, "dedupe": 1, "merge": 0, "import": 1, "tag": 1, "summary": 0, "remind": 0}
