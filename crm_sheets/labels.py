"""The monthly report's words: the title of each block and the header of each column, by the keys rules/summary.py
names them with (values such as stages, tiers and options are the workbook's own and stay as they are)."""

from __future__ import annotations

from dataclasses import replace

from .model.layout import Block
from .rules.summary import TOTAL

TITLES = {
    "new_by_source": "新客户来源及占比",
    "funnel": "客户阶段漏斗（截至月底，累计到达）",
    "conversion_by_source": "各来源成交转化率（截至月底）",
    "conversion_by_channel": "各沟通方式的成交转化率（本月跟进）",
    "deal_tags": "成交客户更常见的标签",
    "followups_per_owner": "各跟进人本月跟进次数",
    "revisit_execution": "回访执行率（已完成 / 应回访）",
    "feedback": "客户反馈：问题类型 × 满意度",
    "script_ab": "话术 A/B 回应率",
    "tier_movements": "价值层级变化（与上月底相比）",
    "tier_trend": "各价值层级客户数（近六个月月底）",
}
COLUMNS = {
    "source": "客户来源", "new_customers": "新客户数", "share": "占比", "stage": "阶段", "customers": "客户数",
    "share_of_all": "占全部", "deals": "成交数", "conversion": "转化率", "channel": "沟通方式", "contacts": "跟进次数",
    "deals_made": "促成成交", "tag": "标签", "share_deals": "成交客户中占比", "share_rest": "其他客户中占比",
    "ratio": "倍数", "by": "跟进人", "answered": "接通或回复", "owner": "执行人", "due": "应回访", "done": "已完成",
    "rate": "执行率", "issue_type": "问题类型", "script": "话术版本", "used": "使用次数", "responded": "有回应",
    "response_rate": "回应率", "from_tier": "上月层级", "to_tier": "本月层级", "month": "月份",
}
TOTAL_ROW = "合计"
NO_DATA = "本月没有数据"  # in place of a chart where a block has nothing to draw
MATCHES = {"same_full_name": "注册名称完全相同(同城)", "same_name": "名称相同(忽略城市/后缀/繁简/空格)",
           "name_brand": "一个名称是另一个的字号(省略行业词/简称)", "name_one_char": "名称仅差一个字",
           "name_owner": "店铺与店主/拼音或英文名", "same_phone": "电话相同",
           "same_email": "邮箱相同", "same_contact": "联系人相同", "same_surname": "联系人同姓(称呼)"}


def match_reason(codes: str) -> str:
    """Why two records look like one customer, as 疑似重复 says it (rules/dedupe.py joins its codes with "+")."""
    return " + ".join(MATCHES[c] for c in codes.split("+") if c)


def worded(block: Block) -> Block:
    """The block as the report shows it: its title and column headers in words, the total row named."""
    def word(column: str) -> str:
        return COLUMNS.get(column, column)

    table = block.table.rename(columns=lambda c: word(c) if isinstance(c, str) else c)
    if len(table.columns):
        first = table.columns[0]
        table[first] = table[first].where(table[first] != TOTAL, TOTAL_ROW)
    return replace(block, title=TITLES[block.title], table=table, values=[word(v) for v in block.values],
                   percent={word(c) for c in block.percent})
