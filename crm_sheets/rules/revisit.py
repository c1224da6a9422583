"""Event tasks from the rules on 回访规则 (README "回访闭环 / The revisit loop").

Each enabled rule turns an event (first order, last order, a resolved ticket,
each 签约 or 退款 order, the contract end, the tier, a tag) into due dates:
event + each offset.  A task is open from its due date until its window
closes (the rule's 窗口天数, else 7 days), then it has expired.
"""

from __future__ import annotations

import zlib

import pandas as pd

from ..model.tables import SheetTable
from ..values import carries_tag

DEFAULT_WINDOW = 7
EVENT_COLUMNS = ["customer_id", "rule", "event", "due", "window_end", "priority", "owner", "script_a", "script_b"]


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
        tagged = profile.index[carries_tag(profile["tags"], rule.get("tag", ""))]
        events = by_id.max().reindex(tagged).dropna()
    else:
        return pd.DataFrame(columns=["customer_id", "event"])
    return pd.DataFrame({"customer_id": events.index, "event": events.to_numpy()})


def event_tasks(tables: dict[str, SheetTable], rules: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """Every task the enabled rules ask for, over the whole history (done, missed or to come).

    ``profile`` is indexed by 客户编号 with stage, tier, tags, owner, last_contact, contract_end.
    Columns: customer_id, rule, event, due, window_end, priority, owner (the rule's, else blank), scripts.
    """
    found = []
    for rule in rules.to_dict("records"):
        if str(rule.get("enabled", "是")).strip() not in ("是", ""):
            continue
        events = _events(str(rule.get("trigger", "")).strip(), tables, profile, rule)
        events = events.loc[profile.index.get_indexer(events["customer_id"]) >= 0]
        for column, key in (("stage", "stage"), ("tier", "tier")):
            wanted = str(rule.get(key) or "").strip()
            if wanted:
                events = events.loc[(events["customer_id"].map(profile[column]) == wanted).astype(bool)]
        tag = str(rule.get("tag") or "").strip()
        if tag:
            has_tag = carries_tag(events["customer_id"].map(profile["tags"]), tag)
            events = events.loc[has_tag]
        window = int(_number(rule.get("window"), DEFAULT_WINDOW)) or DEFAULT_WINDOW
        for offset in _offsets(rule.get("offsets")):
            due = (pd.to_datetime(events["event"]) + pd.Timedelta(days=offset)).dt.normalize()
            found.append(pd.DataFrame({
                "customer_id": events["customer_id"].to_numpy(), "rule": rule["name"],
                "event": pd.to_datetime(events["event"]).to_numpy(), "due": due.to_numpy(),
                "window_end": (due + pd.Timedelta(days=window)).to_numpy(),
                "priority": _number(rule.get("priority"), 9), "owner": str(rule.get("owner") or "").strip(),
                "script_a": rule.get("script_a", ""), "script_b": rule.get("script_b", ""),
            }))
    found = [f for f in found if len(f)]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=EVENT_COLUMNS)


def longest_window(rules: pd.DataFrame) -> int:
    """The most days any rule keeps a task open (窗口天数; blank: DEFAULT_WINDOW)."""
    return max([DEFAULT_WINDOW, *(int(_number(w, DEFAULT_WINDOW)) or DEFAULT_WINDOW for w in rules.get("window", []))])


def variant(customer_id: str, script_b: object) -> str:
    """A or B, the same for a customer every time (so A/B results compare like with like)."""
    if not str(script_b or "").strip():
        return "A"
    return "AB"[zlib.crc32(customer_id.encode("utf-8")) % 2]
