"""Revisit tasks from the rules on 回访规则 (SPEC §3 Revisit rules).

Each enabled rule turns an event (first order, last order, a resolved ticket,
each 签约 or 退款 order, the contract end, the tier, a tag) into due dates:
event + each offset.  A task is open from its due date until its window
closes (the rule's 窗口天数, else 7 days), then it has expired.
"""

from __future__ import annotations

import datetime as dt
import zlib

import pandas as pd

from .. import values
from ..schema import CADENCE_SCRIPT
from ..tables import SheetTable
from ..values import split_tags

DEFAULT_WINDOW = 7
OPEN, UPCOMING, EXPIRED = "待办", "未到期", "已过期"
# Statuses shown on 回访任务.
TO_DO, DONE, OVERDUE, ESCALATED = "待执行", "已完成", "逾期", "需人工跟进"
CADENCE_RULE = "阶段节奏回访"
CADENCE_PRIORITY = 5
SHEET_HORIZON_DAYS = 7  # 回访任务 also shows what falls due in the coming week
TASK_COLUMNS = ["task_id", "customer_id", "rule", "trigger", "event", "due", "window_end", "priority", "owner",
                "script_a", "script_b", "status"]


def _offsets(cell: object) -> list[int]:
    text = str(cell or "").replace("，", ",")
    out = []
    for part in text.split(","):
        part = part.strip()
        if part.lstrip("-").isdigit():
            out.append(int(part))
    return out or [0]


def _number(value: object, default: float) -> float:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return default if pd.isna(number) else float(number)


def _events(trigger: str, tables: dict[str, SheetTable], profile: pd.DataFrame, rule: dict) -> pd.DataFrame:
    """(customer_id, event date) pairs for one rule's trigger."""
    orders = tables["orders"].data if "orders" in tables else pd.DataFrame(columns=["customer_id", "date", "type"])
    orders = orders[(orders["customer_id"] != "") & orders["date"].notna()]
    by_id = orders.groupby("customer_id")["date"]
    if trigger == "首单":
        events = by_id.min()
    elif trigger == "末单":
        events = by_id.max()
    elif trigger in ("签约", "退款"):
        chosen = orders[orders.get("type", pd.Series("", index=orders.index)) == trigger]
        return pd.DataFrame({"customer_id": chosen["customer_id"], "event": chosen["date"]})
    elif trigger == "工单已解决" and "tickets" in tables:
        t = tables["tickets"].data
        done = t[(t.get("status", "") == "已解决") & t.get("resolved_at", pd.Series(pd.NaT, index=t.index)).notna()]
        return pd.DataFrame({"customer_id": done["customer_id"], "event": done["resolved_at"]})
    elif trigger == "合同到期日":
        events = profile["contract_end"].dropna()
    elif trigger == "层级":
        events = profile.loc[profile["tier"] == rule.get("tier"), "last_contact"].dropna()
    elif trigger == "标签":
        tagged = profile.index[profile["tags"].map(lambda t: rule.get("tag") in split_tags(t))]
        events = by_id.max().reindex(tagged).dropna()
    else:
        return pd.DataFrame(columns=["customer_id", "event"])
    return pd.DataFrame({"customer_id": events.index, "event": events.to_numpy()})


def revisit_tasks(tables: dict[str, SheetTable], rules: pd.DataFrame, profile: pd.DataFrame,
                  today: dt.datetime) -> pd.DataFrame:
    """Every task the enabled rules ask for, with its status as of ``today``.

    ``profile`` is indexed by 客户编号 with stage, tier, tags, owner, last_contact, contract_end.
    """
    now = pd.Timestamp(today).normalize()
    found = []
    for rule in rules.to_dict("records"):
        if str(rule.get("enabled", "是")).strip() not in ("是", ""):
            continue
        events = _events(str(rule.get("trigger", "")).strip(), tables, profile, rule)
        events = events.loc[values.member(events["customer_id"], profile.index).astype(bool)]
        for column, key in (("stage", "stage"), ("tier", "tier")):
            wanted = str(rule.get(key) or "").strip()
            if wanted:
                events = events.loc[(events["customer_id"].map(profile[column]) == wanted).astype(bool)]
        tag = str(rule.get("tag") or "").strip()
        if tag:
            has_tag = events["customer_id"].map(profile["tags"]).map(lambda t, wanted=tag: wanted in split_tags(t))
            events = events.loc[has_tag.astype(bool)]
        window = int(_number(rule.get("window"), DEFAULT_WINDOW)) or DEFAULT_WINDOW
        for offset in _offsets(rule.get("offsets")):
            due = (pd.to_datetime(events["event"]) + pd.Timedelta(days=offset)).dt.normalize()
            owner = str(rule.get("owner") or "").strip()
            found.append(pd.DataFrame({
                "customer_id": events["customer_id"].to_numpy(), "rule": rule["name"], "trigger": rule["trigger"],
                "event": pd.to_datetime(events["event"]).to_numpy(), "due": due.to_numpy(),
                "window_end": (due + pd.Timedelta(days=window)).to_numpy(),
                "priority": _number(rule.get("priority"), 9),
                "owner": owner or None, "script_a": rule.get("script_a", ""), "script_b": rule.get("script_b", ""),
            }))
    if not found:
        return pd.DataFrame(columns=TASK_COLUMNS)
    tasks = pd.concat([f for f in found if len(f)], ignore_index=True) if any(len(f) for f in found) else found[0]
    tasks["owner"] = tasks["owner"].fillna(tasks["customer_id"].map(profile["owner"]))
    tasks["status"] = [EXPIRED if end < now else (UPCOMING if due > now else OPEN)
                       for due, end in zip(tasks["due"], tasks["window_end"])]
    tasks["task_id"] = tasks["customer_id"] + "-" + tasks["rule"].astype(str) + "-" + tasks["due"].dt.strftime("%Y%m%d")
    tasks = tasks.drop_duplicates("task_id").sort_values(["due", "priority", "customer_id"], kind="stable")
    return tasks[TASK_COLUMNS].reset_index(drop=True)


def next_rule_dates(tasks: pd.DataFrame) -> pd.Series:
    """Per 客户编号: the due date of its earliest task that is open or still to come."""
    live = tasks[tasks["status"] != EXPIRED]
    return live.groupby("customer_id")["due"].min() if len(live) else pd.Series(dtype="datetime64[ns]")


def cadence_tasks(profile: pd.DataFrame, today: dt.datetime) -> pd.DataFrame:
    """One task per customer whose stage cadence says it is time to call."""
    due = pd.to_datetime(profile["cadence_due"]).dt.normalize()
    chosen = profile[due.notna() & (profile["stage"] != "沉默客户")]
    due = due[chosen.index]
    now = pd.Timestamp(today).normalize()
    frame = pd.DataFrame({
        "customer_id": chosen.index, "rule": CADENCE_RULE, "trigger": "阶段", "event": chosen["last_contact"].to_numpy(),
        "due": due.to_numpy(), "window_end": (due + pd.Timedelta(days=DEFAULT_WINDOW)).to_numpy(),
        "priority": float(CADENCE_PRIORITY), "owner": chosen["owner"].to_numpy(),
        "script_a": CADENCE_SCRIPT, "script_b": "",
    })
    frame["status"] = [EXPIRED if end < now else (UPCOMING if d > now else OPEN)
                       for d, end in zip(frame["due"], frame["window_end"])]
    frame["task_id"] = frame["customer_id"] + "-" + CADENCE_RULE + "-" + frame["due"].dt.strftime("%Y%m%d")
    return frame[TASK_COLUMNS]


def variant(customer_id: str, script_b: object) -> str:
    """A or B, the same for a customer every time (so A/B results compare like with like)."""
    if not str(script_b or "").strip():
        return "A"
    return "AB"[zlib.crc32(customer_id.encode("utf-8")) % 2]


def task_sheet(tasks: pd.DataFrame, previous: pd.DataFrame, profile: pd.DataFrame, escalated: set[str],
               today: dt.datetime) -> pd.DataFrame:
    """回访任务 as of ``today``: what is due now or this week, keeping what staff typed in 执行结果.

    Status: 已完成 (staff said so), 需人工跟进 (customer escalated), 逾期 (more than 24 h past due),
    待执行 (due), 未到期 (this week), 已过期 (window closed; kept only when staff wrote a result).
    """
    now = pd.Timestamp(today).normalize()
    results = dict(zip(previous["task_id"].astype(str), previous["result"].astype(str))) if len(previous) else {}
    horizon = now + pd.Timedelta(days=SHEET_HORIZON_DAYS)
    # Tasks whose window has closed are gone (a first run over years of history lists only what is actionable),
    # unless staff wrote a result on them.
    keep = (tasks["due"] <= horizon) & (tasks["window_end"] >= now)
    keep |= tasks["task_id"].isin([k for k, v in results.items() if v not in ("", "nan")])
    sheet = tasks[keep].copy()
    sheet["result"] = [results.get(k, "").replace("nan", "") for k in sheet["task_id"]]
    sheet["variant"] = [variant(c, b) for c, b in zip(sheet["customer_id"], sheet["script_b"])]
    sheet["script"] = [f"[{v}] {b if v == 'B' else a}" for v, a, b in
                       zip(sheet["variant"], sheet["script_a"], sheet["script_b"])]
    status = []
    for due, end, result, customer in zip(sheet["due"], sheet["window_end"], sheet["result"], sheet["customer_id"]):
        if result == DONE:
            status.append(DONE)
        elif end < now:
            status.append(EXPIRED)
        elif customer in escalated:
            status.append(ESCALATED)
        elif due > now:
            status.append(UPCOMING)
        else:
            status.append(OVERDUE if due < now else TO_DO)
    sheet["status"] = status
    sheet["reminders"] = [(now - due).days + 1 if s in (TO_DO, OVERDUE) else 0
                          for due, s in zip(sheet["due"], sheet["status"])]
    sheet["name"] = sheet["customer_id"].map(profile["name"]).fillna("")
    sheet["phone"] = sheet["customer_id"].map(profile["phone"]).fillna("")
    return sheet.sort_values(["due", "priority", "customer_id"], kind="stable").reset_index(drop=True)


def actionable(sheet: pd.DataFrame) -> pd.DataFrame:
    """Tasks an owner must act on today: due or overdue, not done (escalated ones go to the manager)."""
    return sheet[sheet["status"].isin([TO_DO, OVERDUE])]
