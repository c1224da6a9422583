"""Issue 19: one team, many workbooks — distribute a copy to each person, collect what they changed.

The edits are made the way people make them: one person in LibreOffice (typing rows below the last one and
saving in place), two with openpyxl (a script or another tool saving the file).  Each person presses 校验 on
their own copy to give their new customer an id before logging a follow-up on it.  What the master should hold
afterwards is written down from the edits themselves: the rows read before the collect, plus exactly these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import compat
import openpyxl
import pandas as pd
import python_calamine
import xlwings as xw
from file_engine import FileBook
from support import UNO_TOOL, members, needs_libreoffice, sheet_part
from typer.testing import CliRunner

from crm_sheets import excel
from crm_sheets.cli import app
from crm_sheets.demo_data import make_demo
from crm_sheets.templates import write_workbook

TODAY = dt.datetime(2026, 11, 30, 9, 0)
DAY = "2026-11-30"
DATA = ("客户信息", "跟进记录", "交易记录", "服务工单")


def cli(*args: str) -> object:
    return CliRunner().invoke(app, [*args, "--today", DAY, "--lang", "zh"])


def sheets(path: Path, names: tuple[str, ...] = DATA) -> dict[str, list[list]]:
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return {n: [list(r) for r in wb.get_sheet_by_name(n).to_python(skip_empty_area=False)]
            for n in names if n in wb.sheet_names}


def frame(path: Path, name: str) -> pd.DataFrame:
    rows = sheets(path, (name,))[name]
    return pd.DataFrame(rows[1:], columns=rows[0])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def master(tmp_path: Path, suffix: str = ".xlsx") -> Path:
    path = tmp_path / f"总表{suffix}"
    write_workbook(path, data=make_demo(TODAY.date(), seed=13, n_customers=150, n_followups=900).frames,
                   vba=None if suffix == ".xlsx" else __import__("crm_sheets.vba").vba.vba_project())
    return path


def distributed(tmp_path: Path, suffix: str = ".xlsx") -> tuple[Path, dict[str, Path]]:
    path = master(tmp_path, suffix)
    done = cli("distribute", str(path))
    assert done.exit_code == 0, done.output
    folder = tmp_path / "总表-分发"
    return path, {p.stem.split("-", 1)[1]: p for p in sorted(folder.iterdir())}


def lo_append(path: Path, rows: dict[str, list[dict]]) -> None:
    needs_libreoffice()
    done = subprocess.run(["/usr/bin/python3", str(UNO_TOOL), "append", str(path), json.dumps(rows)],
                          capture_output=True, encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stderr


def openpyxl_edit(path: Path, rows: dict[str, list[dict]], cells: dict[tuple[str, str, str], object] | None = None
                  ) -> None:
    """Append rows under the headers and set cells (sheet, 客户编号, header) -> value, and save."""
    wb = openpyxl.load_workbook(path)
    for name, new in rows.items():
        ws = wb[name]
        headers = [c.value for c in ws[1]]
        last = max(r for r in range(1, ws.max_row + 1) if any(c.value not in (None, "") for c in ws[r]))
        for k, row in enumerate(new):
            for header, value in row.items():
                ws.cell(last + 1 + k, headers.index(header) + 1, value)
    for (name, cid, header), value in (cells or {}).items():
        ws = wb[name]
        headers = [c.value for c in ws[1]]
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == cid)
        ws.cell(row, headers.index(header) + 1, value)
    wb.save(path)


def new_customer(name: str, phone: str, owner: str, contact: str) -> dict:
    return {"客户名称": name, "所属行业": "制造业", "联系人姓名": contact, "联系电话": phone, "客户来源": "展会推荐",
            "负责人": owner}


def followup(cid: str, when: str, by: str, content: str) -> dict:
    return {"客户编号": cid, "跟进时间": when, "跟进人": by, "沟通方式": "电话", "联系结果": "已接通",
            "沟通内容": content, "下一步计划": "下周二上门演示", "客户反馈": "愿意见面", "跟进状态": "意向客户"}


def own_customer(path: Path, k: int = 0) -> tuple[str, str]:
    rows = frame(path, "客户信息")
    ids = rows[(rows["客户编号"] != "") & rows["联系电话"].astype(str).str.contains("*", regex=False)]
    return ids["客户编号"].iloc[k], ids["客户名称"].iloc[k]


def id_of(path: Path, name: str) -> str:
    rows = frame(path, "客户信息")
    return rows.loc[rows["客户名称"] == name, "客户编号"].iloc[0]


def test_distribute_writes_each_person_their_own_customers_history_and_template(tmp_path: Path) -> None:
    path, copies = distributed(tmp_path, ".xlsm")
    team = frame(path, "团队")
    assert set(copies) == set(team["姓名"])
    everything = frame(path, "客户信息")
    for person, copy in copies.items():
        assert copy.suffix == ".xlsm" and "xl/vbaProject.bin" in members(copy)
        mine = frame(copy, "客户信息")
        if team.loc[team["姓名"] == person, "上级"].iloc[0] == "":  # the head holds the whole team, and nobody's
            expected = everything[everything["客户编号"] != ""]
        else:
            expected = everything[(everything["负责人"] == person) & (everything["客户编号"] != "")]
        assert sorted(mine["客户编号"]) == sorted(expected["客户编号"])
        assert not mine["联系电话"].astype(str).str.fullmatch(r"1\d{10}").any()  # 设置: internal copies masked
        history = frame(copy, "跟进记录")
        assert set(history["客户编号"]) <= set(mine["客户编号"])
        wb = python_calamine.CalamineWorkbook.from_path(str(copy))
        assert {"操作", "选项", "设置", "分发信息", "分发底稿"} <= set(wb.sheet_names)
        origin = dict(wb.get_sheet_by_name("分发信息").to_python()[1:])
        assert origin["总表"] == "总表.xlsm" and origin["负责人"] == person
    master_history = frame(path, "跟进记录")
    li = frame(copies["李娜"], "跟进记录")
    assert len(li) == master_history["客户编号"].isin(frame(copies["李娜"], "客户信息")["客户编号"]).sum() > 0


def test_collecting_untouched_copies_writes_nothing(tmp_path: Path) -> None:
    path, _copies = distributed(tmp_path)
    before = digest(path)
    done = cli("collect", str(path), str(tmp_path / "总表-分发"))
    assert done.exit_code == 0, done.output
    assert "没有写入" in done.output and digest(path) == before


def test_round_trip_three_people_edit_and_every_edit_arrives_once(tmp_path: Path) -> None:
    path, copies = distributed(tmp_path)
    a, b, c = copies["李娜"], copies["王强"], copies["陈静"]
    # 李娜 in LibreOffice: a new customer, 校验 for its id, then a follow-up on it and one on her own customer.
    lo_append(a, {"客户信息": [new_customer("杭州新辰科技有限公司", "13900001111", "李娜", "周明")]})
    assert cli("validate", str(a)).exit_code in (0, 1)
    a_new = id_of(a, "杭州新辰科技有限公司")
    a_old, _ = own_customer(a)
    lo_append(a, {"跟进记录": [followup(a_new, "=date:2026-11-28 10:30", "李娜", "初次电话介绍了智能仓储方案，客户有兴趣"),
                               followup(a_old, "=date:2026-11-29 15:00", "李娜", "报价了年度服务套餐，客户在比价")]})
    # 王强 with openpyxl: the same new customer typed his way, its follow-up, and a changed phone.
    openpyxl_edit(b, {"客户信息": [new_customer("新辰科技(杭州)有限公司", "139-0000-1111", "王强", "周明")]})
    assert cli("validate", str(b)).exit_code in (0, 1)
    b_new = id_of(b, "新辰科技(杭州)有限公司")
    b_old, _b_name = own_customer(b)
    openpyxl_edit(b, {"跟进记录": [followup(b_new, dt.datetime(2026, 11, 29, 9, 15), "王强",
                                            "上门演示了数控机床，客户要求提供同行业案例")]},
                  {("客户信息", b_old, "联系电话"): "13712345678"})
    # 陈静 with openpyxl: a changed phone and a follow-up on an existing customer.
    c_old, _ = own_customer(c)
    openpyxl_edit(c, {"跟进记录": [followup(c_old, dt.datetime(2026, 11, 27, 16, 0), "陈静",
                                            "确认了ERP系统的实施周期，客户希望分两期付款")]},
                  {("客户信息", c_old, "联系电话"): "0571-88001234"})
    sources = {p: digest(p) for p in copies.values()}
    before = sheets(path)
    parts = {n: sheet_part(path, n) for n in ("交易记录", "服务工单", "团队", "选项", "设置")}
    kept = members(path)

    done = cli("collect", str(path), str(tmp_path / "总表-分发"))
    assert done.exit_code == 0, done.output
    after = sheets(path)
    assert {p: digest(p) for p in copies.values()} == sources  # sources are never modified
    # docs/design.md "Data safety": a backup, and every part collect does not own byte-identical.
    assert len(list((tmp_path / ".crm-backups").iterdir())) == 1
    now = members(path)
    assert all(now[part] == kept[part] for part in parts.values())
    # LibreOffice kept the copy's origin (a hidden sheet) when it saved the file.
    saved = python_calamine.CalamineWorkbook.from_path(str(a))
    assert dict(saved.get_sheet_by_name("分发信息").to_python()[1:])["负责人"] == "李娜"
    assert {s.name: str(s.visible) for s in saved.sheets_metadata}["分发信息"] == "SheetVisibleEnum.Hidden"

    head = before["客户信息"][0]
    col = {h: i for i, h in enumerate(head)}
    # Customers: the old rows unchanged except the two phones, then one new customer.
    old = after["客户信息"][:len(before["客户信息"])]
    changed = {(r[0], head[i]) for r, s in zip(old, before["客户信息"]) for i in range(len(head)) if r[i] != s[i]}
    assert changed == {(b_old, "联系电话"), (c_old, "联系电话")}
    phones = {r[0]: r[col["联系电话"]] for r in old}
    assert phones[b_old] == "13712345678" and phones[c_old] == "0571-88001234"
    added = after["客户信息"][len(before["客户信息"]):]
    added = [r for r in added if any(v not in ("", None) for v in r)]
    assert len(added) == 1, added
    new_id = added[0][0]
    assert new_id not in {r[0] for r in before["客户信息"]} and added[0][col["客户名称"]] == "杭州新辰科技有限公司"
    # Follow-ups: the old rows byte for byte, then the four new ones, each once, on the surviving ids.
    fu_before, fu_after = before["跟进记录"], after["跟进记录"]
    assert fu_after[:len(fu_before)] == fu_before
    new_rows = [r for r in fu_after[len(fu_before):] if any(v not in ("", None) for v in r)]
    assert sorted((r[0], r[2]) for r in new_rows) == sorted(
        [(new_id, "李娜"), (a_old, "李娜"), (new_id, "王强"), (c_old, "陈静")])
    for name in ("交易记录", "服务工单"):
        assert after[name] == before[name]
    log = frame(path, "汇总记录")
    assert {"新增", "与已有客户相同", "更新"} <= set(log["结果"])
    assert set(log["来源文件"]) == {a.name, b.name, c.name}
    assert (log["来源行号"].astype(float) >= 2).all()

    # Again: nothing is new, nothing is written.
    stamp = digest(path)
    again = cli("collect", str(path), str(tmp_path / "总表-分发"))
    assert again.exit_code == 0 and "没有写入" in again.output and digest(path) == stamp
    # A later copy: only what changed since comes.
    openpyxl_edit(b, {"跟进记录": [followup(b_new, dt.datetime(2026, 11, 30, 8, 45), "王强", "寄送了样品，客户确认收到")]})
    later = cli("collect", str(path), str(b))
    assert later.exit_code == 0, later.output
    last = sheets(path)
    assert last["客户信息"] == after["客户信息"]
    extra = [r for r in last["跟进记录"][len(fu_after):] if any(v not in ("", None) for v in r)]
    assert [(r[0], r[2]) for r in extra] == [(new_id, "王强")] and last["跟进记录"][:len(fu_after)] == fu_after


def test_a_field_changed_on_both_sides_is_a_conflict_and_the_master_keeps_its_value(tmp_path: Path) -> None:
    path, copies = distributed(tmp_path)
    copy = copies["刘洋"]
    both, _ = own_customer(copy, 0)
    master_only, _ = own_customer(copy, 1)
    typo, _ = own_customer(copy, 2)
    typo_phone = frame(path, "客户信息").set_index("客户编号").at[typo, "联系电话"]
    openpyxl_edit(copy, {}, {("客户信息", both, "联系邮箱"): "copy@xinchen.cn", ("客户信息", typo, "联系电话"): "1381234"})
    openpyxl_edit(path, {}, {("客户信息", both, "联系邮箱"): "boss@xinchen.cn",
                             ("客户信息", master_only, "联系邮箱"): "new@xinchen.cn"})
    done = cli("collect", str(path), str(copy))
    assert done.exit_code == 1, done.output  # something to look at
    customers = frame(path, "客户信息").set_index("客户编号")
    assert customers.at[both, "联系邮箱"] == "boss@xinchen.cn"
    assert customers.at[master_only, "联系邮箱"] == "new@xinchen.cn"  # the copy's stale value is no change
    assert customers.at[typo, "联系电话"] == typo_phone  # as merge does: a value failing 校验 never wins
    log = frame(path, "汇总记录")
    assert log.loc[log["客户编号"] == typo, "结果"].tolist() == ["未收（值未通过校验）：联系电话"]
    conflicts = frame(path, "同步冲突")
    assert conflicts[["客户编号", "列", "总表的值", "个人工作簿的值", "修改人"]].values.tolist() == [
        [both, "联系邮箱", "boss@xinchen.cn", "copy@xinchen.cn", "刘洋"]]
    stamp = digest(path)
    assert cli("collect", str(path), str(copy)).exit_code == 1 and digest(path) == stamp  # listed once


def test_a_new_customer_that_only_looks_like_a_known_one_is_added_and_listed_for_review(tmp_path: Path) -> None:
    path, copies = distributed(tmp_path)
    copy = copies["赵敏"]
    known = frame(path, "客户信息").iloc[3]
    # Same company name, nothing else in common: perhaps the same firm, perhaps not — a person decides.
    openpyxl_edit(copy, {"客户信息": [new_customer(known["客户名称"], "13600002222", "赵敏", "钱多多")]})
    done = cli("collect", str(path), str(copy))
    assert done.exit_code == 0, done.output
    review = frame(path, "疑似重复")
    customers = frame(path, "客户信息")
    new_id = customers["客户编号"].iloc[-1]
    assert customers["客户名称"].iloc[-1] == known["客户名称"]
    group = review.loc[review["客户编号"] == new_id, "组号"]
    assert len(group) == 1
    assert known["客户编号"] in set(review.loc[review["组号"] == group.iloc[0], "客户编号"])
    assert (review.loc[review["组号"] == group.iloc[0], "确认合并"] == "").all()


def test_parity_the_buttons_distribute_and_collect_as_the_commands_do(tmp_path: Path, monkeypatch) -> None:
    """分发 and 汇总 on 操作 (the folder in B17) give the command line's files and master, cell for cell: a parity
    check against the two faces diverging; the other tests here check the answer itself."""
    monkeypatch.setattr(excel, "_now", lambda: dt.datetime.fromisoformat(DAY))  # what --today gives the CLI
    path = master(tmp_path, ".xlsm")
    by_cli = tmp_path / "cli"
    by_cli.mkdir()
    shutil.copy(path, by_cli / path.name)
    engine = FileBook(path)
    book = xw.Book(impl=engine)
    book.sheets["操作"].range("B17").value = str(tmp_path / "按钮分发")
    book.set_mock_caller()
    excel.distribute()
    assert "8" in engine.app.alerts[-1] and "意外错误" not in engine.app.alerts[-1], engine.app.alerts
    assert cli("distribute", str(by_cli / path.name), "--out", str(by_cli / "分发")).exit_code == 0
    ours, theirs = sorted((tmp_path / "按钮分发").iterdir()), sorted((by_cli / "分发").iterdir())
    assert [p.name for p in ours] == [p.name for p in theirs]
    for a, b in zip(ours, theirs):
        assert sheets(a, (*DATA, "回访任务", "分发底稿")) == sheets(b, (*DATA, "回访任务", "分发底稿")), a.name
    for folder in (ours, theirs):  # the same edit in both: a follow-up and a new customer
        person = next(p for p in folder if p.stem.endswith("李娜"))
        cid, _ = own_customer(person)
        openpyxl_edit(person, {"客户信息": [new_customer("宁波新客电子有限公司", "13999998888", "李娜", "钱多多")],
                               "跟进记录": [followup(cid, dt.datetime(2026, 11, 29, 10, 0), "李娜", "演示了ERP系统，客户要报价")]})
    excel.collect()
    assert "新增客户 1 个" in engine.app.alerts[-1] and "新增跟进 1 条" in engine.app.alerts[-1], engine.app.alerts
    assert cli("collect", str(by_cli / path.name), str(by_cli / "分发")).exit_code == 0
    cli_book = FileBook(by_cli / path.name)
    for name in (*DATA, "汇总记录", "同步冲突"):
        assert compat._normal_rows(engine.values(name), in_place=True) == compat._normal_rows(
            cli_book.values(name), in_place=True), name


def test_collect_refuses_while_excel_has_the_master_open(tmp_path: Path) -> None:
    path, copies = distributed(tmp_path)
    openpyxl_edit(copies["李娜"], {"跟进记录": [followup(own_customer(copies["李娜"])[0], dt.datetime(2026, 11, 29, 9, 0),
                                                          "李娜", "报价了年度服务套餐，客户在比价")]})
    (tmp_path / "~$总表.xlsx").write_bytes(b"\x00" * 165)  # Excel's owner file beside the open workbook
    before = digest(path)
    done = cli("collect", str(path))  # the folder beside the master by default
    assert done.exit_code == 2 and "Excel" in done.output and digest(path) == before


def test_a_workbook_that_was_not_distributed_brings_only_what_the_master_lacks(tmp_path: Path) -> None:
    """Any workbook in the template's layout: here 李娜's export (phones masked), with a call she logged in it."""
    path = master(tmp_path)
    cli("validate", str(path))  # every customer numbered, as after any 校验
    export = tmp_path / "李娜.xlsx"
    assert cli("export", str(path), "--owner", "李娜", "--out", str(export)).exit_code == 0
    cid, _ = own_customer(export)
    openpyxl_edit(export, {"跟进记录": [followup(cid, dt.datetime(2026, 11, 29, 11, 0), "李娜", "演示了ERP系统，客户要报价")]},
                  {("客户信息", cid, "联系邮箱"): "li@xinchen.cn"})
    before = sheets(path)
    done = cli("collect", str(path), str(export))
    assert done.exit_code == 0, done.output
    after = sheets(path)
    assert after["跟进记录"][:len(before["跟进记录"])] == before["跟进记录"]
    new = [r for r in after["跟进记录"][len(before["跟进记录"]):] if any(v not in ("", None) for v in r)]
    assert [(r[0], r[2]) for r in new] == [(cid, "李娜")]
    changed = {(r[0], h) for r, s in zip(after["客户信息"], before["客户信息"]) for h, x, y in zip(r and before["客户信息"][0], r, s)
               if x != y}
    assert changed == {(cid, "联系邮箱")} and len(after["客户信息"]) == len(before["客户信息"])  # masked phones are no change
    stamp = digest(path)
    assert cli("collect", str(path), str(export)).exit_code == 0 and digest(path) == stamp


def test_a_customer_merged_in_the_master_after_distribution_is_not_brought_back(tmp_path: Path) -> None:
    path, copies = distributed(tmp_path)
    assert cli("dedupe", str(path)).exit_code in (0, 1) and cli("merge", str(path)).exit_code in (0, 1)
    merged = frame(path, "合并记录")
    away = merged[merged["类型"] == "被合并的行"]
    owners = dict(zip(away["客户编号"], away["负责人"]))
    cid, survivor = next((c, s) for c, s in zip(away["客户编号"], away["保留客户编号"])
                         if owners[c] in copies and c in set(frame(copies[owners[c]], "客户信息")["客户编号"]))
    copy = copies[owners[cid]]
    openpyxl_edit(copy, {"跟进记录": [followup(cid, dt.datetime(2026, 11, 29, 14, 0), owners[cid], "寄送了样品，客户确认收到")]})
    before = frame(path, "客户信息")
    assert cli("collect", str(path), str(copy)).exit_code == 0
    after = frame(path, "客户信息")
    assert len(after) == len(before) and cid not in set(after["客户编号"])
    last = frame(path, "跟进记录").iloc[-1]
    assert last["客户编号"] == survivor and last["沟通内容"] == "寄送了样品，客户确认收到"


def test_collecting_after_the_master_archived_brings_nothing_back_twice(tmp_path: Path) -> None:
    """Copies made before an archive hold rows the master has moved to its history: they are not new."""
    path, _copies = distributed(tmp_path)
    assert cli("archive", str(path), "--before", "2026-06-01").exit_code == 0
    before = digest(path)
    done = cli("collect", str(path))
    assert done.exit_code == 0 and "没有写入" in done.output and digest(path) == before, done.output


def test_collect_refuses_in_words_when_today_has_no_free_id(tmp_path: Path) -> None:
    """rules/ refuse by a code (too_many_new_ids); collect words it as the other commands do: today's last serial
    is taken in the master and a copy brings a new customer -> one line, exit 2, the master untouched."""
    path, copies = distributed(tmp_path)
    openpyxl_edit(copies["赵敏"], {"客户信息": [new_customer("宁波新客电子有限公司", "13600003333", "赵敏", "钱多多")]})
    customers = frame(path, "客户信息")
    other = customers.loc[(customers["负责人"] != "赵敏") & (customers["客户编号"] != ""), "客户编号"].iloc[0]
    openpyxl_edit(path, {}, {("客户信息", other, "客户编号"): "CRM2026113099999"})
    before = digest(path)
    done = cli("collect", str(path), str(copies["赵敏"]))
    assert done.exit_code == 2, done.output
    assert "今天还剩 0 个，这次最多需要 1 个" in done.output and digest(path) == before
