"""What each reason code means to the people reading 校验结果 and 导入错误, in Chinese and in English.

rules/ finds problems and names them by code, field and hint (the closest tag, the row it repeats); here they
become the sentences staff read: what is wrong and how to fix it.  ``{rule}`` is the field's rule from the schema,
``{options}`` a few valid choices, ``{tags}`` the closest dictionary tags, ``{other}`` the customer or row repeated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from . import schema
from .i18n import t
from .rules.validate import ValidationResult

@dataclass(frozen=True)
class Reason:
    problem: str
    fix: str
    problem_en: str
    fix_en: str

    def text(self, lang: str, **kw: str) -> tuple[str, str]:
        problem, fix = (self.problem_en, self.fix_en) if lang == "en" else (self.problem, self.fix)
        return problem.format(**kw), fix.format(**kw)


REASONS: dict[str, Reason] = {
    "required_missing": Reason("必填项为空", "请填写：{rule}", "Required field is empty", "Fill it in: {rule_en}"),
    "bad_phone": Reason(
        "电话号码无效",
        "填 11 位手机号（如 13812345678）或带区号的座机（如 010-62345678）",
        "Not a valid phone number",
        "Enter an 11-digit mobile (13812345678) or a landline with area code (010-62345678)",
    ),
    "phone_digits_lost": Reason(
        "号码被显示成科学计数法（如 1.38123E+10），后几位已丢失",
        "从原始表格把号码以文本方式重新粘贴（先把该列设为“文本”格式，或选择性粘贴为文本）",
        "The number was shown in scientific notation (1.38123E+10) and lost its last digits",
        "Paste the number again from the source as text (format the column as Text first, or paste as text)",
    ),
    "bad_email": Reason("邮箱地址无效", "填完整邮箱，如 wang@example.com；没有就留空", "Not a valid e-mail address",
                        "Enter a full address such as wang@example.com, or leave it empty"),
    "bad_date": Reason("无法识别的日期", "按 2024-03-10 或 2024-03-10 14:30 的格式填写", "Not a date",
                       "Use 2024-03-10 or 2024-03-10 14:30"),
    "future_date": Reason("日期在今天之后", "已发生的事情不能写未来日期，请核对", "Date is in the future",
                          "Something that happened cannot be dated in the future; check it"),
    "bad_number": Reason("不是有效金额/数字", "只填数字，如 12800；退款也填正数", "Not a valid amount",
                         "Digits only, e.g. 12800; refunds as positive amounts"),
    "unknown_option": Reason("不在下拉列表中", "从下拉列表中选择，如：{options}", "Not one of the list's values",
                             "Pick from the list, e.g. {options}"),
    # unknown_option when an option is close to the value (展会活动): the fix names it.
    "unknown_option_near": Reason("不在下拉列表中", "改成“{suggest}”，或从下拉列表中另选；常这样写就在“选项”的同义词里加一行 {value}={suggest}",
                                  "Not one of the list's values",
                                  "Change it to {suggest} or pick from the list; add {value}={suggest} to 选项's 同义词 if people write it often"),
    "unassigned": Reason("没有负责人", "在负责人列填团队成员的姓名；导入时可用 --owner（或“操作”表 B15）一次指定",
                         "No owner", "Enter a team member as owner; an import can set one with --owner (or 操作!B15)"),
    "no_contact": Reason("电话和邮箱都没有（或都无效）", "至少填一个有效的手机号/座机或邮箱",
                         "Neither a phone nor an e-mail (or neither is valid)",
                         "Enter at least a valid phone or e-mail address"),
    "bad_team_email": Reason("邮箱不能用来发提醒（要一格一个地址）",
                             "只填一个地址，如 wang@example.com 或 王伟 <wang@example.com>；去掉换行、逗号、分号和其他地址，"
                             "改好前此人收不到提醒邮件",
                             "This address cannot be mailed (one address per cell)",
                             "Enter one address such as wang@example.com or Wang Wei <wang@example.com>; remove line "
                             "breaks, commas, semicolons and other addresses. Until then this person gets no reminders"),
    "unknown_member": Reason("不是团队成员", "填“团队”表中的姓名，或先把此人加到“团队”表", "Not a team member",
                             "Use a name from 团队, or add the person there first"),
    "unknown_customer": Reason("客户编号不存在", "填“客户信息”表中已有的客户编号", "No such 客户编号",
                               "Use a 客户编号 that exists on 客户信息"),
    "duplicate_id": Reason("编号与前面的行重复", "编号必须唯一：核对是否重复录入，或清空后让工具重新生成",
                           "Duplicate id", "Ids must be unique: remove the duplicate row or clear the id"),
    "vague_contact": Reason("联系人姓名不具体", "填真实姓名，如 王建国 或 王经理，不要写“某总”“经理”",
                            "Contact name is a placeholder", "Enter a real name such as 王建国 or 王经理"),
    "vague_content": Reason("内容太笼统", "写清具体谈了什么、下一步做什么、什么时候做", "Too vague",
                            "Say what was discussed and what happens next, by when"),
    "id_number": Reason("含有身份证号（敏感信息）", "删除身份证号，工作簿里不要保存", "Contains a national ID number",
                        "Remove it; the workbook must not hold ID numbers"),
    "bank_card": Reason("含有银行卡号（敏感信息）", "删除银行卡号，工作簿里不要保存", "Contains a bank card number",
                        "Remove it; the workbook must not hold card numbers"),
    "text_too_long": Reason("文字超过 Excel 单元格上限（32,767 个字符）", "缩短到 32,767 个字符以内；长内容可分成几条记录",
                            "Text longer than an Excel cell holds (32,767 characters)",
                            "Shorten it to 32,767 characters or fewer; split long content over several records"),
    "bad_tag": Reason("标签格式不对", "写成标签字典里的“类别-值”：{tags}", "Tag not in 类别-值 form",
                      "Use a 类别-值 tag from the dictionary: {tags}"),
    "unknown_tag": Reason("标签不在标签字典里", "改成字典里的标签：{tags}；确实需要新标签就先加到“选项”的标签字典",
                          "Tag not in the tag dictionary", "Use a dictionary tag: {tags}; or add it to 选项 first"),

    "duplicate_existing": Reason("与已有客户重复：{other}", "已有这个客户，无需导入；要更新它的信息请加 --merge 再导入",
                                 "Same customer as {other}", "Already there; import with --merge to update it"),
    "text_cut": Reason("文字超过 Excel 单元格上限（32,767 个字符），这里已截断（以“…”结尾）",
                       "完整的文字只在 {other} 里；在那里缩短到 32,767 个字符以内（可分成几条记录）",
                       "Text longer than an Excel cell holds (32,767 characters): cut here (ends in …)",
                       "The whole text is only in {other}; shorten it there (or split it over several records)"),
    "duplicate_in_file": Reason("与本文件第 {other} 行是同一客户", "只保留一行后再导入",
                                "Same customer as row {other} of this file", "Keep one of the rows"),
}

_SHEETS = {s.name: s for s in (*schema.SHEETS_BY_NAME.values(), *schema.CONFIG_SHEETS)}  # 团队 has problems too
TAG_CODES = {"bad_tag", "unknown_tag"}
DUPLICATE_CODES = {"duplicate_existing", "duplicate_in_file"}
CUT_CODES = {"text_cut"}  # the hint names the workbook the whole text is in
SCOPES = {"field": ("字段", "field"), "owner": ("负责人", "owner"), "total": ("合计", "total")}


def explain(problems: pd.DataFrame, lang: str, options: dict[str, list[str]]) -> pd.DataFrame:
    """``problems`` (with code, field and hint from rules/) with the problem and fix sentences filled in."""
    out = problems.copy()
    problem, fix = [""] * len(out), [""] * len(out)
    for (sheet, key, code), rows in out.groupby(["sheet", "field", "code"], sort=False).indices.items():
        reason = REASONS[code]
        if code in TAG_CODES or code in DUPLICATE_CODES or code in CUT_CODES:
            texts = [reason.text(lang, tags=h, other=h) for h in out["hint"].iloc[rows]]
        else:
            f = _SHEETS[sheet].field(key)
            choices = "、".join(options.get(f.options or "", [])[:4])
            plain = reason.text(lang, rule=f.rule, rule_en=f.rule_en or f.rule, options=choices)
            near = REASONS["unknown_option_near"]
            texts = [near.text(lang, suggest=h, value=v) if code == "unknown_option" and h else plain
                     for h, v in zip(out["hint"].iloc[rows], out["value"].iloc[rows])]
        for i, (p, x) in zip(rows, texts):
            problem[i], fix[i] = p, x
    return out.assign(problem=problem, fix=fix)


def explained(result: ValidationResult, lang: str, options: dict[str, list[str]]) -> ValidationResult:
    """The result as 校验结果 and 数据质量 show it: problem sentences, and scopes in words."""
    quality = result.quality.assign(scope=result.quality["scope"].map(lambda s: SCOPES[s][lang == "en"]))
    return replace(result, problems=explain(result.problems, lang, options)[schema.CHECK_RESULTS.keys],
                   quality=quality)


def quality_lines(result: ValidationResult, lang: str = "zh") -> str:
    """Two short lines: the quality figures, then the most common problems."""
    figures = {k: _percent(result.summary.get(k)) for k in ("completeness", "validity", "timeliness")}
    lines = [t("validate.quality", lang, **figures)]
    if len(result.problems):
        counts = result.problems["code"].value_counts().head(5)
        label = "Most common" if lang == "en" else "最多的问题"
        parts = [f"{REASONS[code].text(lang, rule='', rule_en='', options='', tags='', other='')[0]} {n}"
                 for code, n in counts.items()]
        lines.append(f"{label}: " + ", ".join(parts) if lang == "en" else f"{label}：" + "，".join(parts))
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    """Rounded down, so one problem in 300,000 cells never reads as 100.0 %."""
    if value is None or math.isnan(value):
        return "—"
    return f"{math.floor(value * 1000) / 10:.1f}%"
