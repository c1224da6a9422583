"""The workbook, declared once.

Every sheet, field, header alias, option list, default row and setting lives
here.  The template builder, the reader's header matching, validation and the
generated field reference (docs/fields.md) are all driven by these objects, so
a field added here shows up everywhere.  This module imports nothing of ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal[
    "text",  # free text
    "id",  # 客户编号-style identifier
    "name",  # a person's name (vague placeholders rejected)
    "content",  # follow-up text (vague phrases rejected)
    "phone",  # mainland mobile or landline, stored normalized
    "email",
    "date",
    "datetime",
    "money",
    "number",
    "option",  # one value from an option list on 选项
    "tags",  # comma separated 类别-值 tags
    "member",  # a name on 团队
    "customer_ref",  # an existing 客户编号
]

SheetKind = Literal["data", "config", "tool"]


@dataclass(frozen=True)
class Field:
    header: str
    key: str
    type: FieldType = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    options: str | None = None  # name of the option list on 选项
    rule: str = ""  # Chinese: what a valid value looks like (docs, input hint)
    rule_en: str = ""
    maintained: bool = False  # written by the tool, not by staff
    width: int = 14
    unique: bool = False
    past: bool = False  # an event that has happened: cannot lie in the future


@dataclass(frozen=True)
class Sheet:
    name: str
    key: str
    kind: SheetKind
    fields: tuple[Field, ...]
    description: str = ""
    description_en: str = ""
    filtered: bool = False  # opens with an autoFilter on the header row
    # (field key, value, fill colour): rows whose field holds the value are coloured (a conditional format).
    highlights: tuple[tuple[str, str, str], ...] = ()
    hidden: bool = False  # a tool's record staff need not see (a distributed copy's origin)

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    @property
    def headers(self) -> list[str]:
        return [f.header for f in self.fields]

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]


def _f(header: str, key: str, type: FieldType = "text", **kw) -> Field:
    return Field(header=header, key=key, type=type, **kw)


# Option lists shown on 选项, in column order.  Staff may extend them there;
# the tool reads the lists back from the workbook.
OPTION_LISTS: dict[str, tuple[str, ...]] = {
    "所属行业": (
        "制造业", "批发零售", "互联网", "电商零售", "企业服务", "信息技术", "教育培训", "医疗健康", "金融服务",
        "房地产", "建筑工程", "物流运输", "餐饮酒店", "文化传媒", "农业", "能源化工", "专业服务", "其他",
    ),
    "客户来源": (
        "展会推荐", "线上搜索", "客户转介绍", "线上广告", "被动咨询", "电话营销", "社交媒体", "老客户复购", "其他",
    ),
    "沟通方式": ("电话", "微信", "邮件", "面谈", "短信", "视频会议"),
    "联系结果": ("已接通", "未接通", "已回复", "未回复"),
    "客户阶段": ("潜在客户", "意向客户", "成交客户", "沉默客户"),
    "价值层级": ("高价值", "中价值", "普通价值", "流失"),
    "问题类型": ("功能", "服务", "价格", "物流", "其他"),
    "满意度": ("非常满意", "满意", "一般", "不满意"),
    "话术版本": ("A", "B"),
    "交易类型": ("首购", "复购", "签约", "续约", "退款"),
    "工单类型": ("咨询", "投诉", "退换货", "维修"),
    "工单状态": ("待处理", "处理中", "已解决"),
    "角色": ("销售", "客服", "经理"),
    "是否": ("是", "否"),
    "执行结果": ("已完成", "未接通", "客户拒绝", "已改期"),
    "标签字典": (
        "预算规模-10万以下", "预算规模-10-50万", "预算规模-50万以上",
        "需求类型-数据管理", "需求类型-客户分析", "需求类型-自动化营销",
        "决策链角色-决策者", "决策链角色-影响者", "决策链角色-使用者",
        "需求-价格敏感", "需求-重视服务", "需求-定制开发", "需求-批量采购",
        "企业规模-50人以下", "企业规模-50-500人", "企业规模-500人以上",
        "偏好-电话沟通", "偏好-微信沟通", "偏好-邮件沟通",
        "风险等级-高", "风险等级-中", "风险等级-低",
        "课程-体验课", "课程-正式课",
        "自动-新购客户", "自动-流失预警", "自动-需人工跟进",
    ),
    # 写法=选项: what people write (a trade-show list's 展会) and the option it means; import and validate
    # apply them silently, to every list holding the option.
    "同义词": (
        "展会=展会推荐", "会展=展会推荐", "展会留资=展会推荐", "转介绍=客户转介绍", "老客户介绍=客户转介绍",
        "朋友介绍=客户转介绍", "搜索引擎=线上搜索", "百度=线上搜索", "官网=线上搜索", "广告=线上广告",
        "在线表单=被动咨询", "网站表单=被动咨询", "表单=被动咨询", "电销=电话营销", "抖音=社交媒体",
        "小红书=社交媒体", "复购=老客户复购", "电商与零售=电商零售", "电商=电商零售", "企业服务与SaaS=企业服务",
        "SaaS=企业服务", "教育与培训=教育培训", "IT=信息技术", "软件=信息技术", "制造=制造业",
    ),
}
SYNONYMS = "同义词"

CUSTOMERS = Sheet(
    name="客户信息",
    key="customers",
    kind="data",
    description="一行一个客户，由员工填写；带 * 的为必填。",
    description_en="One row per customer, entered by staff; * marks required fields.",
    fields=(
        _f("客户编号", "customer_id", "id", maintained=True, unique=True, width=18,
           aliases=("编号", "客户ID", "客户id", "客户代码"),
           rule="由工具自动生成：CRM+建档日期+5位序号，如 CRM2024031000001；生成后不再改变",
           rule_en="Set by the tool: CRM + creation date + 5-digit serial; never changed"),
        _f("客户名称", "name", required=True, width=28,
           aliases=("公司名称", "企业名称", "客户全称", "单位名称", "公司", "客户"),
           rule="营业执照上的公司全称，或个人客户姓名", rule_en="Full legal company name, or the person's name"),
        _f("所属行业", "industry", "option", required=True, options="所属行业",
           aliases=("行业", "行业类别", "所在行业", "行业分类"), rule="从下拉列表选择", rule_en="Pick from the list"),
        _f("联系人姓名", "contact", "name", required=True, width=12,
           aliases=("联系人", "对接人", "姓名"),
           rule="真实姓名，不能是“某总”“王总?”“经理”“未知”这类称呼",
           rule_en="A real name, not a placeholder such as 某总 or 经理"),
        _f("联系电话", "phone", "phone", required=True, width=18,
           aliases=("电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"),
           rule="11位手机号或带区号的座机，可带 +86、空格、横线",
           rule_en="11-digit mobile or landline with area code; +86, spaces, dashes accepted"),
        _f("联系邮箱", "email", "email", width=24, aliases=("邮箱", "电子邮件", "电子邮箱", "Email", "E-mail", "邮件地址"),
           rule="选填；有效的邮箱地址", rule_en="Optional; a valid e-mail address"),
        _f("客户来源", "source", "option", required=True, options="客户来源",
           aliases=("来源", "渠道", "获客渠道", "来源渠道", "客户渠道"), rule="从下拉列表选择", rule_en="Pick from the list"),
        _f("客户标签", "tags", "tags", width=28, aliases=("标签",),
           rule="多个标签用逗号分隔，格式“类别-值”，如 预算规模-50万以上",
           rule_en="Comma separated, 类别-值, e.g. 预算规模-50万以上"),
        _f("负责人", "owner", "member", required=True, width=10,
           aliases=("跟进人", "销售", "客户经理", "归属人"), rule="团队表中的成员姓名",
           rule_en="A member listed on 团队"),
        _f("创建时间", "created_at", "datetime", maintained=True, past=True, width=17,
           aliases=("建档时间", "录入时间", "创建日期"), rule="由工具在生成客户编号时填写",
           rule_en="Set by the tool when the 客户编号 is assigned"),
        _f("客户阶段", "stage", "option", maintained=True, options="客户阶段", width=10,
           aliases=("阶段",), rule="由工具维护", rule_en="Maintained by the tool"),
        _f("价值层级", "tier", "option", maintained=True, options="价值层级", width=10,
           aliases=("层级", "客户价值"), rule="由工具维护", rule_en="Maintained by the tool"),
        _f("合同到期日", "contract_end", "date", width=12, aliases=("到期日", "合同到期", "合同截止日"),
           rule="选填；用于续约提醒", rule_en="Optional; drives renewal reminders"),
        _f("最近跟进时间", "last_contact", "datetime", maintained=True, width=17,
           aliases=("最后跟进时间", "最近联系时间"), rule="由工具维护", rule_en="Maintained by the tool"),
        _f("下次回访日期", "next_revisit", "date", maintained=True, width=12,
           aliases=("下次跟进日期", "回访日期"), rule="由工具维护", rule_en="Maintained by the tool"),
    ),
)

FOLLOWUPS = Sheet(
    name="跟进记录",
    key="followups",
    kind="data",
    description="每次联系客户记一行。",
    description_en="One row per contact with a customer.",
    fields=(
        _f("客户编号", "customer_id", "customer_ref", required=True, width=18, aliases=("编号", "客户ID", "客户id"),
           rule="客户信息表中已有的客户编号", rule_en="An existing 客户编号"),
        _f("跟进时间", "time", "datetime", required=True, past=True, width=17, aliases=("联系时间", "沟通时间", "日期"),
           rule="精确到分钟，如 2024-03-10 14:30", rule_en="Date and time to the minute"),
        _f("跟进人", "by", "member", required=True, width=10, aliases=("负责人", "联系人员", "销售"),
           rule="团队表中的成员姓名", rule_en="A member listed on 团队"),
        _f("沟通方式", "channel", "option", required=True, options="沟通方式", width=10,
           aliases=("方式", "联系方式", "渠道"), rule="从下拉列表选择", rule_en="Pick from the list"),
        _f("联系结果", "result", "option", required=True, options="联系结果", width=10,
           aliases=("结果", "是否接通"), rule="从下拉列表选择", rule_en="Pick from the list"),
        _f("沟通内容", "content", "content", required=True, width=36, aliases=("内容", "沟通记录", "跟进内容"),
           rule="写清具体谈了什么，不能只写“已沟通”“询问需求”“有合作意向”",
           rule_en="What was actually discussed; not just 已沟通 / 询问需求"),
        _f("下一步计划", "next_step", "content", required=True, width=28, aliases=("下一步", "后续计划", "计划"),
           rule="做什么、什么时候做", rule_en="What and by when"),
        _f("客户反馈", "feedback", "text", required=True, width=24, aliases=("反馈", "客户意见"),
           rule="客户的原话或态度", rule_en="The customer's words or attitude"),
        _f("跟进状态", "status", "option", required=True, options="客户阶段", width=10,
           aliases=("状态", "客户状态", "阶段"), rule="这次联系后客户所处阶段", rule_en="Stage after this contact"),
        _f("问题类型", "issue_type", "option", options="问题类型", width=10, aliases=("问题分类",),
           rule="选填；从下拉列表选择", rule_en="Optional; pick from the list"),
        _f("满意度", "satisfaction", "option", options="满意度", width=10, aliases=("满意程度",),
           rule="选填；从下拉列表选择", rule_en="Optional; pick from the list"),
        _f("话术版本", "script", "option", options="话术版本", width=8, aliases=("话术", "脚本版本"),
           rule="选填；A 或 B", rule_en="Optional; A or B"),
    ),
)

ORDERS = Sheet(
    name="交易记录",
    key="orders",
    kind="data",
    description="订单、合同、退款。",
    description_en="Orders, contracts and refunds.",
    fields=(
        _f("客户编号", "customer_id", "customer_ref", required=True, width=18, aliases=("编号", "客户ID")),
        _f("日期", "date", "date", required=True, past=True, width=12, aliases=("交易日期", "下单日期", "签约日期")),
        _f("金额", "amount", "money", required=True, width=12, aliases=("金额(元)", "金额（元）", "交易金额"),
           rule="单位：元；退款填正数", rule_en="Yuan; refunds as positive amounts"),
        _f("类型", "type", "option", required=True, options="交易类型", width=8, aliases=("交易类型",)),
        _f("备注", "note", "text", width=30, aliases=("说明",)),
    ),
)

TICKETS = Sheet(
    name="服务工单",
    key="tickets",
    kind="data",
    description="咨询、投诉、退换货、维修。",
    description_en="Service requests and complaints.",
    fields=(
        _f("工单编号", "ticket_id", "text", required=True, unique=True, width=14, aliases=("工单号", "编号")),
        _f("客户编号", "customer_id", "customer_ref", required=True, width=18, aliases=("客户ID",)),
        _f("类型", "type", "option", required=True, options="工单类型", width=8, aliases=("工单类型",)),
        _f("受理时间", "opened_at", "datetime", required=True, past=True, width=17, aliases=("创建时间", "提交时间")),
        _f("负责人", "owner", "member", required=True, width=10, aliases=("处理人",)),
        _f("状态", "status", "option", required=True, options="工单状态", width=8, aliases=("工单状态",)),
        _f("解决时间", "resolved_at", "datetime", past=True, width=17, aliases=("完成时间", "关闭时间")),
        _f("满意度", "satisfaction", "option", options="满意度", width=10),
    ),
)

RULES = Sheet(
    name="回访规则",
    key="rules",
    kind="config",
    description="回访提醒规则，可增加行。",
    description_en="Revisit rules; staff may add rows.",
    fields=(
        _f("规则名称", "name", required=True, width=16),
        _f("触发条件", "trigger", required=True, width=12,
           rule="首单/末单/工单已解决/签约/合同到期日/层级/标签/退款"),
        _f("偏移天数", "offsets", width=14, rule="逗号分隔，如 7 或 7,30,90 或 -60,-30"),
        _f("窗口天数", "window", "number", width=10, rule="任务从到期起保持多少天，默认 7"),
        _f("适用阶段", "stage", width=10),
        _f("适用层级", "tier", width=10),
        _f("适用标签", "tag", width=14),
        _f("优先级", "priority", "number", width=8, rule="数字越小越优先"),
        _f("执行人", "owner", width=10, rule="留空 = 客户的负责人"),
        _f("话术A", "script_a", width=36),
        _f("话术B", "script_b", width=36),
        _f("启用", "enabled", "option", options="是否", width=6),
    ),
)

TEAM = Sheet(
    name="团队",
    key="team",
    kind="config",
    description="团队成员及其上级。",
    description_en="Team members and their managers.",
    fields=(
        _f("姓名", "name", required=True, width=10),
        _f("邮箱", "email", "email", required=True, width=26),
        _f("角色", "role", "option", required=True, options="角色", width=8),
        _f("上级", "manager", width=10),
        # Optional: the 群消息 @mentions a person by this number (钉钉's atMobiles).
        _f("手机", "mobile", "phone", width=14, rule="选填；11位手机号，群消息里 @ 此人",
           rule_en="Optional; an 11-digit mobile, to @mention the person in the group message"),
    ),
)

OPTIONS = Sheet(
    name="选项",
    key="options",
    kind="config",
    description="所有下拉列表与标签字典，每列一个列表。",
    description_en="Every dropdown list and the tag dictionary, one list per column.",
    fields=tuple(_f(name, f"list_{i}", width=max(10, 2 * len(name) + 4)) for i, name in enumerate(OPTION_LISTS)),
)

SETTINGS_SHEET = Sheet(
    name="设置",
    key="settings",
    kind="config",
    description="公司名称、提醒时间、阈值等；这里不放密码。",
    description_en="Company name, reminder time, thresholds; never a password.",
    fields=(
        _f("设置项", "name", width=20),
        _f("值", "value", width=24),
        _f("说明", "note", width=44),
    ),
)


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | int | float
    note: str
    options: tuple[str, ...] = ()  # the only values it takes (a dropdown in the template); empty: any


# 设置 SMTP加密方式: implicit TLS from the first byte, plain then upgraded with STARTTLS, or none at all.
SMTP_SECURITY = ("SSL", "STARTTLS", "不加密")

SETTINGS: tuple[Setting, ...] = (
    Setting("公司名称", "示例贸易有限公司", "显示在邮件和月报上"),
    Setting("提醒发送时间", "08:30", "每天发送回访清单的时间，格式 HH:MM"),
    Setting("时区", "Asia/Shanghai", "计算“今天”所用的时区"),
    Setting("沉默天数", 90, "多少天没有联系算沉默客户"),
    Setting("流失预警天数", 30, "多少天没有联系打上 流失预警"),
    Setting("流失月数", 3, "多少个月没有互动算流失"),
    Setting("高价值门槛", 50000, "近 6 个月消费（元）达到此数为高价值"),
    Setting("中价值门槛", 10000, "近 6 个月消费（元）达到此数为中价值"),
    Setting("新购天数", 15, "首单后多少天内打上 新购客户"),
    Setting("未接通升级次数", 3, "连续多少次未接通转 需人工跟进"),
    Setting("逾期上报天数", 7, "客户过了下次回访日期多少天仍没联系，同时写进经理的日报"),
    Setting("每人每天回访上限", 30, "每人每天的回访清单最多列出多少位客户（逾期、今天到期在先，本周内的预告只占剩下的名额）；没列出的见“回访任务”，第二天优先列出；0 = 不限，留空按 30"),
    Setting("发件人邮箱", "", "发送提醒的邮箱地址"),
    Setting("SMTP服务器", "", "留空则把邮件写到工作簿旁的 outbox 文件夹"),
    Setting("SMTP端口", 465, "通常 465 (SSL) 或 587 (STARTTLS)"),
    Setting("SMTP加密方式", "", "SSL（连上就加密）、STARTTLS（连上后再加密）或 不加密；留空按端口：465 = SSL，587 = STARTTLS，"
            "其他端口不加密", SMTP_SECURITY),
    Setting("邮件显示完整号码", "否", "是 = 内部邮件显示完整电话"),
    Setting("群机器人地址", "", "企业微信、钉钉、飞书群机器人的 Webhook 地址，一行一个；每天早上每个群收到一条提醒。"
            "加签/签名校验的密钥放系统钥匙串或环境变量 CRM_SHEETS_BOT_SECRET，不写在这里"),
    Setting("群消息显示客户", "否", "是 = 群消息里列出客户名称（电话打码）；否 = 只有人数，客户明细只在各人的邮件里",
            ("是", "否")),
    Setting("备份保留份数", 10, "每次写入前的备份保留多少份"),
    Setting("历史数据库", "", "留空 = 工作簿旁的 SQLite 文件；团队共用服务器时填 postgresql://用户@服务器/数据库（密码放系统钥匙串或环境变量，不写在这里）"),
    Setting("工作簿保留月数", 0, "0 = 不自动归档；填 N 则后台任务每月 1 日把 N 个月以前的跟进、交易和已解决工单移到历史数据库"),
)

# (name, trigger, offsets, window, stage, tier, tag, priority, owner, script A, script B, enabled)
# The script of the stage-cadence task (潜在 every 5 days, 意向 twice a week …), which has no row on 回访规则.
CADENCE_SCRIPT = "按客户所处阶段例行跟进：确认需求进展，约定下一步。"
DEFAULT_RULES: tuple[tuple, ...] = (
    ("新购满意度回访", "首单", "7", 8, "", "", "", 3, "", "您好，您购买的产品使用一周了，体验如何？有什么需要我们改进的吗？",
     "您好，想了解一下这一周的使用感受，有问题我们马上安排处理。", "是"),
    ("沉睡唤醒", "末单", "90", 7, "", "", "", 4, "", "好久没联系了，最近有新品和老客户专享优惠，给您介绍一下？", "", "是"),
    ("售后回访", "工单已解决", "1", 2, "", "", "", 2, "", "您的问题已经处理好了，想确认一下现在是否一切正常？", "", "是"),
    ("新签约回访", "签约", "7,30,90", 7, "", "", "", 3, "", "感谢签约！想了解一下项目推进情况，有需要协调的地方吗？", "", "是"),
    ("续约提醒", "合同到期日", "-60,-30", 14, "", "", "", 2, "", "您的合同即将到期，给您介绍续约方案和老客户优惠。", "", "是"),
    ("高价值季度回访", "层级", "90", 14, "", "高价值", "", 3, "", "季度回访：感谢一直以来的支持，想听听您对我们服务的意见。", "", "是"),
    ("体验课回访", "标签", "1", 2, "", "", "课程-体验课", 2, "", "体验课感觉怎么样？正式课程现在报名有优惠。", "", "是"),
    ("流失挽回", "退款", "0", 7, "", "", "", 1, "", "看到您办理了退款，想了解一下原因，看看我们能怎么弥补。", "", "是"),
)

# Team rows shipped in a new template: placeholders staff overwrite.
DEFAULT_TEAM: tuple[tuple[str, str, str, str, str], ...] = (
    ("张经理", "manager@example.com", "经理", "", ""),
    ("李销售", "sales1@example.com", "销售", "张经理", ""),
    ("王客服", "service1@example.com", "客服", "张经理", ""),
)

# Tool-owned sheets: rewritten wholesale on each run.
CHECK_RESULTS = Sheet(
    name="校验结果",
    key="check_results",
    kind="tool",
    description="校验发现的问题，一行一个；改好后再点 校验。",
    description_en="One row per problem found by validation.",
    fields=(
        _f("工作表", "sheet", width=10),
        _f("行号", "row", "number", width=6),
        _f("列", "column", width=12),
        _f("值", "value", width=24),
        _f("问题", "problem", width=30),
        _f("如何修改", "fix", width=44),
        _f("问题代码", "code", width=16),
    ),
)

DATA_QUALITY = Sheet(
    name="数据质量",
    key="data_quality",
    kind="tool",
    description="完整性、有效性、及时性，按字段和负责人统计。",
    description_en="Completeness, validity and timeliness per field and per owner.",
    fields=(
        _f("范围", "scope", width=10),
        _f("工作表", "sheet", width=10),
        _f("字段/负责人", "item", width=14),
        _f("记录数", "rows", "number", width=8),
        _f("完整率", "completeness", "number", width=8),
        _f("有效率", "validity", "number", width=8),
        _f("及时率", "timeliness", "number", width=8),
    ),
)

DUPLICATES = Sheet(
    name="疑似重复",
    key="duplicates",
    kind="tool",
    description="可能是同一客户的记录，按组排列；核对后在 确认合并 填 是，再点 合并。",
    description_en="Records that look like one customer, grouped; mark 确认合并 = 是 and press 合并.",
    fields=(
        _f("组号", "cluster", "number", width=6),
        _f("客户编号", "customer_id", "id", width=18),
        _f("客户名称", "name", width=28),
        _f("联系人姓名", "contact", width=10),
        _f("联系电话", "phone", width=16),
        _f("联系邮箱", "email", width=24),
        _f("负责人", "owner", width=8),
        _f("创建时间", "created_at", "datetime", width=17),
        _f("相似度", "score", "number", width=7),
        _f("原因", "reason", width=44),
        _f("确认合并", "confirm", "option", options="是否", width=9,
           rule="填 是 表示同意合并；留空或 否 则跳过", rule_en="是 to merge; blank or 否 to skip"),
    ),
)

# 合并记录's 类型 and 状态 values.
KIND_SURVIVOR, KIND_MERGED, KIND_REPOINT = "保留行原值", "被合并的行", "改指向"
STATUS_DONE, STATUS_UNDONE = "已合并", "已撤销"

# One customer row per line (its cells verbatim), so a merge can be undone.
MERGE_LOG = Sheet(
    name="合并记录",
    key="merge_log",
    kind="tool",
    description="每次合并前的原始数据；crm-sheets merge --undo 合并编号 可撤销。",
    description_en="The data as it was before each merge; undo with crm-sheets merge --undo MERGE_ID.",
    fields=(
        _f("合并编号", "merge_id", width=18),
        _f("合并时间", "merged_at", "datetime", width=17),
        _f("保留客户编号", "survivor", "id", width=18),
        _f("类型", "kind", width=10),
        _f("状态", "status", width=8),
        _f("工作表", "sheet", width=10),
        _f("行号", "row", "number", width=6),
        *(Field(header=f.header, key=f"cell_{f.key}", width=f.width) for f in CUSTOMERS.fields),
    ),
)

IMPORT_ERRORS = Sheet(
    name="导入错误",
    key="import_errors",
    kind="tool",
    description="导入时没有加入的行及原因；改好源文件后再导入。",
    description_en="Rows not imported, with the reason.",
    fields=(
        _f("源文件", "source", width=18),
        _f("源行号", "row", "number", width=7),
        _f("列", "column", width=12),
        _f("值", "value", width=24),
        _f("原因", "problem", width=30),
        _f("如何修改", "fix", width=40),
        _f("问题代码", "code", width=16),
    ),
)

TASKS = Sheet(
    name="回访任务",
    key="tasks",
    kind="tool",
    description="今天和本周要回访的客户。在“跟进记录”记下联系，任务自动完成；也可在 执行结果 选 已完成。",
    description_en="Who to call today and this week; a follow-up logged in 跟进记录 completes the task.",
    filtered=True,
    highlights=(("status", "逾期", "#FFC7CE"), ("status", "需人工跟进", "#FFD966"), ("status", "已完成", "#E2EFDA")),
    fields=(
        _f("到期日", "due", "date", width=11),
        _f("执行人", "owner", width=8),
        _f("客户名称", "name", width=26),
        _f("联系电话", "phone", width=14),
        _f("回访原因", "rule", width=14, aliases=("规则",)),
        _f("话术", "script", width=40),
        _f("状态", "status", width=10),
        _f("执行结果", "result", "option", options="执行结果", width=10,
           rule="在“跟进记录”记下联系即自动完成；也可在这里选 已完成", rule_en="A logged follow-up completes the task"),
        _f("完成依据", "evidence", width=30),
        _f("提醒次数", "reminders", "number", width=8),
        _f("任务编号", "task_id", width=30),
        _f("客户编号", "customer_id", "id", width=18),
    ),
)

FEEDBACK = Sheet(
    name="反馈统计",
    key="feedback",
    kind="tool",
    description="每月跟进记录中的问题类型与满意度。",
    description_en="Follow-ups per month by 问题类型 and 满意度.",
    fields=(
        _f("月份", "month", width=9),
        _f("问题类型", "issue_type", width=10),
        _f("满意度", "satisfaction", width=10),
        _f("条数", "count", "number", width=7),
    ),
)

DATA_SHEETS: tuple[Sheet, ...] = (CUSTOMERS, FOLLOWUPS, ORDERS, TICKETS)
CONFIG_SHEETS: tuple[Sheet, ...] = (RULES, TEAM, OPTIONS, SETTINGS_SHEET)
# A person's copy made by distribute says where it came from (hidden; Excel and WPS keep hidden sheets) ...
DISTRIBUTION = Sheet(
    name="分发信息",
    key="distribution",
    kind="tool",
    hidden=True,
    description="这本工作簿从哪本总表分发而来；汇总时使用，请勿修改。",
    description_en="Where this copy was distributed from; collect reads it.",
    fields=(_f("项目", "item", width=14), _f("值", "value", width=40)),
)
# ... and holds its customers as they were then, so collect tells what the person changed from what changed in
# the master since (the base of a three-way comparison).
BASELINE = Sheet(
    name="分发底稿",
    key="baseline",
    kind="tool",
    hidden=True,
    description="分发时的客户信息（汇总时判断谁改了什么）；请勿修改。",
    description_en="The customers as distributed; collect compares against them.",
    fields=tuple(Field(header=f.header, key=f.key, aliases=f.aliases) for f in CUSTOMERS.fields
                 if f.key == "customer_id" or not f.maintained),
)
# ... and the prints of the follow-ups and orders it was given, so collect knows them without reading the
# master's million rows.
DISTRIBUTED_ROWS = Sheet(
    name="分发记录底稿",
    key="distributed_rows",
    kind="tool",
    hidden=True,
    description="分发时给出的跟进和交易记录的指纹（每格 2000 个，汇总时认出原有的行）；请勿修改。",
    description_en="Prints of the follow-ups and orders as distributed; collect knows them by these.",
    fields=(_f("工作表", "sheet", width=10), _f("指纹", "print", width=40)),
)
SYNC_CONFLICTS = Sheet(
    name="同步冲突",
    key="sync_conflicts",
    kind="tool",
    description="分发以后总表和个人工作簿都改过的单元格：两边的值都在这里，总表没有被覆盖；核对后在客户信息里改成对的值。",
    description_en="Cells changed both in the master and in a person's copy since distribution; the master kept its value.",
    fields=(
        _f("客户编号", "customer_id", width=18),
        _f("客户名称", "name", width=24),
        _f("列", "column", width=12),
        _f("总表的值", "master", width=22),
        _f("个人工作簿的值", "copy", width=22),
        _f("分发时的值", "base", width=22),
        _f("修改人", "who", width=10),
        _f("来源文件", "source", width=24),
        _f("汇总时间", "time", "datetime", width=17),
    ),
)
COLLECT_LOG = Sheet(
    name="汇总记录",
    key="collect_log",
    kind="tool",
    description="每次汇总收进来的每一行：来自哪个文件哪一行，放到了哪里。",
    description_en="Every row collect brought in: which file and row it came from, where it went.",
    fields=(
        _f("汇总时间", "time", "datetime", width=17),
        _f("来源文件", "source", width=24),
        _f("分发编号", "distribution", width=20),
        _f("来源工作表", "source_sheet", width=10),
        _f("来源行号", "source_row", "number", width=8),
        _f("来源客户编号", "source_id", width=18),
        _f("结果", "action", width=12),
        _f("工作表", "sheet", width=10),
        _f("行号", "row", "number", width=8),
        _f("客户编号", "customer_id", width=18),
        _f("内容指纹", "print", width=18),
    ),
)
# Which batches of rows are in the history database: written in the same write that moves them, so the workbook
# itself says which side of a move it is on.
ARCHIVE_LOG = Sheet(
    name="归档记录",
    key="archive_log",
    kind="tool",
    description="移到历史数据库的行：每批一行；各命令会把这些行和工作簿里的一起算。请勿修改。",
    description_en="Rows moved to the history database, one line per batch and sheet; commands read them too.",
    fields=(
        _f("批次", "batch", width=20),
        _f("归档时间", "time", "datetime", width=17),
        _f("截止日期", "before", "date", width=12),
        _f("工作表", "sheet", width=10),
        _f("行数", "rows", "number", width=8),
    ),
)
TOOL_SHEETS: tuple[Sheet, ...] = (CHECK_RESULTS, DATA_QUALITY, DUPLICATES, MERGE_LOG, IMPORT_ERRORS, TASKS, FEEDBACK,
                                  SYNC_CONFLICTS, COLLECT_LOG, DISTRIBUTION, BASELINE, DISTRIBUTED_ROWS,
                                  ARCHIVE_LOG)
# Tool-owned sheet names declared by later capabilities, and the monthly prefix.
TOOL_SHEET_NAMES: frozenset[str] = frozenset(
    {s.name for s in TOOL_SHEETS} | {"疑似重复", "合并记录", "导入错误", "回访任务", "反馈统计"}
)
MONTHLY_PREFIX = "月度汇总-"
# The most characters one Excel cell holds; longer text is refused on entry, never cut or written.
EXCEL_CELL_LIMIT = 32767


def is_tool_sheet(name: str) -> bool:
    return name in TOOL_SHEET_NAMES or name.startswith(MONTHLY_PREFIX)


SHEETS: tuple[Sheet, ...] = DATA_SHEETS + CONFIG_SHEETS
SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS + TOOL_SHEETS}
SHEETS_BY_KEY: dict[str, Sheet] = {s.key: s for s in SHEETS + TOOL_SHEETS}

# How often each stage expects contact, in days;
# customers tagged HIGH_RISK_TAG are expected three times a week.
CADENCE_DAYS: dict[str, int] = {"潜在客户": 5, "意向客户": 4, "成交客户": 31}
HIGH_RISK_TAG = "风险等级-高"
HIGH_RISK_DAYS = 3
# When the reminders ask for the next contact, in days after the last one that reached the customer
# (潜在 remind on day 5, 意向 2-3 times a week, 成交 monthly, 风险等级-高 three times a week); 沉默客户 have no rhythm.
REMIND_DAYS: dict[str, int] = {"潜在客户": 5, "意向客户": 3, "成交客户": 30}
HIGH_RISK_REMIND_DAYS = 2
# 联系结果 that did not reach the customer: an attempt, which completes no task.
UNREACHED: tuple[str, ...] = ("未接通", "未回复")

# Words that are not a real contact name, and follow-up texts that say nothing.
VAGUE_CONTACTS: tuple[str, ...] = (
    "某总", "某某", "某经理", "某先生", "某女士", "经理", "老板", "总经理", "负责人", "联系人",
    "未知", "不详", "待定", "无", "先生", "女士", "小姐", "客户", "采购", "老师",
)
# A contact "name" made only of these is a title, not a person.
TITLES: tuple[str, ...] = ("总经理", "董事长", "总监", "经理", "主任", "主管", "老板", "先生", "女士", "小姐", "老师", "师傅", "会计", "总", "哥", "姐", "工")
VAGUE_CONTENTS: tuple[str, ...] = (
    "已沟通", "沟通了", "询问需求", "有合作意向", "有意向", "已联系", "联系了", "跟进中", "正常跟进",
    "待跟进", "了解需求", "已回访", "无", "暂无", "同上", "见上", "电话沟通", "微信沟通",
)
