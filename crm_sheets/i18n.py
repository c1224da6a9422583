"""Which language to speak, and the CLI's own sentences (Chinese first)."""

from __future__ import annotations

import os

MESSAGES: dict[str, tuple[str, str]] = {
    "new.done": ("已生成模板：{path}", "Template written: {path}"),
    "validate.clean": ("{file}: 没有发现问题。", "{file}: no problems found."),
    "validate.problems": (
        "{file}: 发现 {count} 个问题，详见工作表“校验结果”。",
        "{file}: {count} problems found; see sheet 校验结果.",
    ),
    "validate.problems_csv": ("{file}: 发现 {count} 个问题：", "{file}: {count} problems found:"),
    "validate.assigned": ("已为 {count} 个新客户生成客户编号。", "Assigned 客户编号 to {count} new customers."),
    "validate.backup": ("写入前的备份：{path}", "Backup before writing: {path}"),
    "validate.quality": (
        "数据质量：完整率 {completeness}，有效率 {validity}，及时率 {timeliness}",
        "Data quality: completeness {completeness}, validity {validity}, timeliness {timeliness}",
    ),
    "progress.read": ("读取工作簿…", "Reading the workbook…"),
    "progress.check": ("校验数据…", "Checking the data…"),
    "progress.write": ("写回工作簿…", "Writing back…"),
    "progress.dedupe": ("查找重复客户…", "Looking for duplicate customers…"),
    "progress.merge": ("合并客户…", "Merging customers…"),
    "dedupe.none": ("{file}: 没有发现重复客户。", "{file}: no duplicate customers found."),
    "dedupe.found": (
        "{file}: 发现 {clusters} 组疑似重复（{rows} 条记录，其中 {sure} 组可直接合并），详见工作表“疑似重复”；"
        "核对 确认合并 一列后运行 crm-sheets merge。",
        "{file}: {clusters} groups of likely duplicates ({rows} records, {sure} sure); see sheet 疑似重复, "
        "check the 确认合并 column, then run crm-sheets merge.",
    ),
    "merge.none": ("{file}: 疑似重复 里没有标记 确认合并=是 的组，未做改动。", "{file}: nothing marked 确认合并=是; no change."),
    "merge.done": (
        "{file}: 合并了 {groups} 组，{rows} 条记录并入保留客户；合并编号 {merge_id}（撤销：crm-sheets merge --undo {merge_id}）。",
        "{file}: merged {groups} groups ({rows} records); merge id {merge_id} "
        "(undo: crm-sheets merge --undo {merge_id}).",
    ),
    "merge.undone": ("{file}: 已撤销合并 {merge_id}，数据恢复到合并前。", "{file}: merge {merge_id} undone."),
    "import.done": (
        "{file}: 新增 {added} 个客户；{duplicates} 行与已有客户或本文件其他行重复（更新了 {updated} 个已有客户）；"
        "{rejected} 行没有导入，原因见工作表“导入错误”；已导入的行有 {review} 处待核对，见“校验结果”。",
        "{file}: added {added} customers; {duplicates} rows were duplicates ({updated} existing customers updated); "
        "{rejected} rows not imported, see sheet 导入错误; {review} cells of imported rows to check, see 校验结果.",
    ),
    "import.dry_run": (
        "{file}: 试运行，什么都没有写入。会新增 {added} 个客户，更新 {updated} 个，{duplicates} 行重复，"
        "{rejected} 行不导入，已导入的行有 {review} 处待核对。",
        "{file}: dry run, nothing written. Would add {added} customers, update {updated}, report {duplicates} "
        "duplicate rows, reject {rejected} rows, and list {review} cells of imported rows to check.",
    ),
    "import.mapping": ("列的对应（源文件 → 客户信息）：", "Columns (source → 客户信息):"),
    "import.ignored": ("这些列没有导入（模板没有，或由工具维护）：{columns}",
                       "Columns not imported (not in the template, or kept by the tool): {columns}"),
    "import.unused": ("（忽略）", "(ignored)"),
    "progress.tag": ("计算阶段、层级和标签…", "Computing stages, tiers and tags…"),
    "tag.done": (
        "{file}: 更新了 客户阶段 {stage} 个、价值层级 {tier} 个、客户标签 {tags} 个、最近跟进时间 {last_contact} 个、"
        "下次回访日期 {next_revisit} 个单元格。",
        "{file}: updated 客户阶段 {stage}, 价值层级 {tier}, 客户标签 {tags}, 最近跟进时间 {last_contact}, "
        "下次回访日期 {next_revisit} cells.",
    ),
    "progress.summary": ("汇总本月数据、绘制图表…", "Summarising the month and drawing charts…"),
    "summary.done": ("{file}: 已写入工作表“{sheet}”（{blocks} 个统计表和图表）和“反馈统计”。",
                     "{file}: wrote sheet {sheet} ({blocks} tables with charts) and 反馈统计."),
    "summary.exported": ("汇总另存为：{path}", "Summary also saved as: {path}"),
    "progress.remind": ("生成回访任务…", "Building revisit tasks…"),
    "progress.send": ("发送提醒邮件…", "Sending reminders…"),
    "remind.done": (
        "{file}: 回访任务 {open} 条待处理（逾期 {overdue}，需人工跟进 {escalated}）；今天的提醒 {mails} 封，"
        "本次发出 {sent} 封，待重试 {failed} 封。",
        "{file}: {open} tasks to do ({overdue} overdue, {escalated} escalated); {mails} reminders today, "
        "{sent} sent now, {failed} waiting for retry.",
    ),
    "remind.outbox": ("没有设置 SMTP 服务器，邮件已写到 {path}", "No SMTP server set; mails written to {path}"),
    "remind.not_written": ("注意：{reason} 回访任务表这次没有更新，邮件照常发送。",
                           "Note: {reason} 回访任务 was not updated; reminders were sent anyway."),
    "remind.skipped": ("没有发给：{names}（“团队”表里的邮箱不能用来发信，要一格一个地址；详见“校验结果”）；其他人的提醒照常发出。",
                       "Not sent to: {names} (their 团队 address cannot be mailed: one address per cell; see 校验结果); "
                       "everyone else's reminders went out."),
    "mail.login": (
        "邮件服务器 {server} 拒绝了 {sender} 的登录（密码不对，或没有存密码）：请运行 keyring set crm-sheets {sender} "
        "存入正确的密码，或设环境变量 CRM_SHEETS_SMTP_PASSWORD；这 {failed} 封邮件留在台账里，下次运行再发。",
        "The mail server {server} refused the login of {sender} (wrong or no password): store the right one with "
        "keyring set crm-sheets {sender}, or set CRM_SHEETS_SMTP_PASSWORD; the {failed} mails wait in the ledger for "
        "the next run.",
    ),
    "mail.certificate": (
        "邮件服务器 {server} 的证书不可信（{reason}），邮件没有发出，也不会不加密地发：请核对“设置”的 SMTP服务器 和 "
        "SMTP加密方式；公司自己签发的证书要装进系统的受信任证书（或用环境变量 SSL_CERT_FILE 指向它）；这 {failed} "
        "封邮件留在台账里，下次运行再发。",
        "The mail server {server} presented a certificate this computer does not trust ({reason}); nothing was sent, "
        "in clear or otherwise: check SMTP服务器 and SMTP加密方式 in 设置; a company's own certificate authority goes "
        "into the system's trusted certificates (or SSL_CERT_FILE); the {failed} mails wait in the ledger for the "
        "next run.",
    ),
    "mail.connect": (
        "邮件没有发出：连不上邮件服务器 {server}（{reason}）；请核对“设置”的 SMTP服务器、SMTP端口 和 SMTP加密方式。"
        "这 {failed} 封邮件留在台账里，下次运行再发。",
        "No mail went out: the mail server {server} could not be used ({reason}); check SMTP服务器, SMTP端口 and "
        "SMTP加密方式 in 设置. The {failed} mails wait in the ledger for the next run.",
    ),
    "remind.chat": ("群消息：{sent} 个群已收到，{failed} 个群没有收下，下次运行时补发。",
                    "Group messages: {sent} groups got theirs, {failed} refused it; it goes again on the next run."),
    "chat.took": ("{robot}：已收下（{answer}）。", "{robot}: took the message ({answer})."),
    "chat.refused": ("{robot}：没有收下（{answer}）；请核对地址，加签/签名校验的密钥见 README。",
                     "{robot}: refused the message ({answer}); check the address, and the signing secret (README)."),
    "chat.none": ("{file}: 工作表“设置”的 群机器人地址 是空的；填上群机器人的 Webhook 地址，一行一个。",
                  "{file} sheet 设置: 群机器人地址 (robot addresses) is empty; enter each robot's webhook, one a line."),
    "remind.dry": ("（试运行：没有写文件，也没有发邮件）", "(dry run: nothing written or sent)"),
    "job.started": ("后台任务已启动：{path}，每天 {time} 发送提醒；日志 {log}。按 Ctrl-C 停止。",
                    "Job running for {path}; reminders daily at {time}; log {log}. Ctrl-C stops it."),
    "job.once": ("后台任务运行了一次：{done}", "Job ran once: {done}"),
    "job.nothing": ("现在没有要做的事", "nothing was due"),
    "job.setup.windows": ("已写好 Windows 计划任务：{path}\n在命令提示符里运行下面这一行注册（登录后自动运行）：",
                          "Task Scheduler task written: {path}\nRegister it (starts at logon) by running in cmd:"),
    "job.setup.mac": ("已写好 LaunchAgent：{path}\n在“终端”里运行下面这一行注册（登录后自动运行）：",
                      "LaunchAgent written: {path}\nRegister it (starts at login) by running in Terminal:"),
    "job.setup.linux": ("已写好 systemd 用户服务：{path}\n运行下面这一行注册并启动：",
                        "systemd user unit written: {path}\nRegister and start it with:"),
    "export.which": ("请用 --owner 姓名 指定导出谁的客户，或用 --all-owners 每人导出一个文件。",
                     "Say whose customers: --owner NAME, or --all-owners for one file each."),
    "export.done": ("{owner} 的客户已导出到 {path}（电话已打码）", "{owner}'s customers written to {path} (phones masked)"),
    "progress.export": ("导出…", "Exporting…"),
    "progress.collect": ("汇总各人的工作簿…", "Collecting the copies…"),
    "cut.line": ("{count} 个单元格的文字超过 32,767 个字符，已截断：{cells}；完整的文字仍在原工作簿里，各文件的“校验结果”列出了每一格。",
                 "{count} cells held text longer than 32,767 characters and were cut: {cells}; the whole text is still "
                 "in the original workbook, and each file's 校验结果 lists every cell."),
    "cut.cell": ("工作表“{sheet}”第{row}行“{column}”", "sheet '{sheet}' row {row} '{column}'"),
    "distribute.done": ("{file}: 为 {count} 人各生成了一本工作簿，在 {folder}", "{file}: wrote {count} workbooks to {folder}"),
    "collect.done": (
        "{file}: 汇总了 {sources} 本工作簿：新增客户 {customers} 个，更新 {updated} 个客户的 {cells} 个单元格，"
        "新增跟进 {followups} 条、交易 {orders} 条、工单 {tickets} 条；{same} 个新客户与已有客户相同已并入，"
        "{review} 个可能重复列在“疑似重复”；{conflicts} 处冲突见“同步冲突”；每一行的来源见“汇总记录”。",
        "{file}: collected {sources} workbooks: {customers} new customers, {cells} cells of {updated} customers "
        "updated, {followups} follow-ups, {orders} orders and {tickets} tickets added; {same} new customers were "
        "existing ones, {review} perhaps are (疑似重复); {conflicts} conflicts on 同步冲突; every row's source on "
        "汇总记录."),
    "archive.done": ("{file}: 已把这些行移到历史数据库：{counts}（各命令照样把它们算进去；--restore 可放回）。",
                     "{file}: rows moved to the history database: {counts} (every command still counts them; "
                     "--restore puts them back)."),
    "archive.restored": ("{file}: 已把这些行放回工作簿：{counts}。", "{file}: rows put back into the workbook: {counts}."),
    "archive.need_before": ("请用 --before YYYY-MM-DD 说明移走哪一天以前的行，或用 --restore 放回。",
                            "Say --before YYYY-MM-DD (move rows dated before that day), or --restore."),
    "collect.open_conflicts": ("“同步冲突”上还有 {conflicts} 处待核对：在客户信息里改成对的值；这个人换用重新分发的工作簿后不再提示。",
                               "{conflicts} conflicts still wait on 同步冲突: correct 客户信息; they stop once the "
                               "person works in a newly distributed copy."),
    "collect.nothing": ("{file}: 这些工作簿里没有总表还没有的内容，没有写入。",
                        "{file}: nothing in these workbooks that the master lacks; nothing written."),
    "demo.reminders": ("回访任务 {tasks} 条；今天的提醒邮件 {mails} 封已写到 {path}（没有设置 SMTP）。",
                       "{tasks} revisit tasks; today's {mails} reminder mails are in {path} (no SMTP set)."),
    "restore.list": ("{n}. {name}  （{when}，{size} KB）", "{n}. {name}  ({when}, {size} KB)"),
    "restore.done": ("已用备份 {backup} 恢复 {file}；恢复前的文件另存为 {saved}。",
                     "{file} restored from {backup}; the file as it was is saved as {saved}."),
    "restore.done_missing": ("已用备份 {backup} 恢复 {file}。", "{file} restored from {backup}."),
    "progress.demo": ("生成演示数据…", "Generating demo data…"),
    "demo.written": (
        "演示工作簿：{path}（{customers} 个客户，{followups} 条跟进，{orders} 笔交易，{tickets} 张工单）。"
        "它带按钮：在 Excel（Windows 或 Mac）里打开并启用宏，点“操作”表上的按钮也能做下面这些事。",
        "Demo workbook: {path} ({customers} customers, {followups} follow-ups, {orders} orders, {tickets} tickets). "
        "It has the buttons: open it in Excel (Windows or Mac), enable macros, and press them on sheet 操作.",
    ),
    "demo.look": (
        "打开它看看：工作表“校验结果”列出埋入的问题，“数据质量”是完整率/有效率/及时率，"
        "客户信息底部的新客户已自动生成客户编号，“疑似重复”列出重复录入的客户"
        "（核对后运行 crm-sheets merge 合并，可用 --undo 撤销），“月度汇总-…”是上个月的统计和图表。",
        "Open it: sheet 校验结果 lists the planted problems, 数据质量 holds the quality figures, "
        "the new customers at the bottom of 客户信息 got their 客户编号, and 疑似重复 lists duplicate customers "
        "(review, then crm-sheets merge; --undo reverts), and 月度汇总-… holds last month's figures and charts.",
    ),
    "demo.time": ("用时 {seconds:.1f} 秒。", "Took {seconds:.1f} s."),
    "excel_setup.done": ("Excel 的按钮将用 {python} 运行（已写入 {conf}）。",
                         "Excel's buttons will run {python} (written to {conf})."),
    "excel_setup.same": ("Excel 的按钮已设置为用 {python} 运行（{conf}），没有改动。",
                         "Excel's buttons already run {python} ({conf}); nothing changed."),
    "excel_setup.applescript": ("已放好 xlwings 的 AppleScript：{path}（即 xlwings runpython install）。",
                                "xlwings' AppleScript is in place: {path} (as xlwings runpython install does)."),
    "error.unexpected": (
        "{file}: 出现意外错误（{detail}）。请把这行信息发给维护人员。",
        "{file}: unexpected error ({detail}). Please report this line.",
    ),
    "error.unexpected_unchanged": (  # said only after the file was found byte for byte as before
        "{file}: 出现意外错误（{detail}），文件未被修改。请把这行信息发给维护人员。",
        "{file}: unexpected error ({detail}); the file was not changed. Please report this line.",
    ),
}


def language(explicit: str | None = None) -> str:
    """'zh' unless asked for English by --lang or the LANG/LC_ALL environment."""
    if explicit:
        return "en" if explicit.lower().startswith("en") else "zh"
    env = os.environ.get("CRM_SHEETS_LANG") or os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "en" if env.lower().startswith("en") else "zh"


def t(key: str, lang: str = "zh", **values: object) -> str:
    zh, en = MESSAGES[key]
    return (en if lang == "en" else zh).format(**values)
