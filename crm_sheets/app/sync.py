"""分发 / 汇总 (`crm-sheets distribute`, `crm-sheets collect`): one workbook per person, and their work brought
back into the master (README "全员一本还是一人一本 / One workbook or one each")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from .. import errors, schema
from ..filenames import file_names
from ..i18n import t
from ..mail import sent_reminders
from ..model.book import Book
from ..model.headers import column_letters, match_headers
from ..model.outputs import Changes, FrameOut
from ..model.tables import SheetTable
from ..rules.merge import invalid_cells
from ..rules.overlong import as_shown
from ..rules.privacy import masked_phones
from ..rules.sync import (HISTORY, SAME_AS, UNSURE, Copy, CollectPlan, baseline, pack_prints, plan_collect,
                          prints, unpack_prints)
from ..rules.team import team_of
from ..rules.validate import validate
from ..stores.history import merged_into
from ..workbook import read_book, read_tool_sheet
from .common import copy_rows, crm_workbook, refuse_existing, unquoted, worded_refusals
from .dedupe import review_sheet
from .export import ExportStore, Written, with_cuts
from .remind import remind_plan
from .store import Store

ORIGIN = {"master": "总表", "distribution": "分发编号", "person": "负责人", "time": "分发时间"}


def distribute(store: ExportStore, *, out: Path | None, today: dt.datetime, lang: str = "zh") -> Written:
    """One workbook per member of 团队 (a manager's holds their whole team): their customers with these
    customers' follow-ups, orders, tickets and open 回访任务, in the template with the master's lists and
    settings; each records its origin and its customers as distributed.  A failure half way says which were
    written."""
    made: list[Path] = []
    with errors.after_writing(lambda: "、".join(map(str, made))):
        return _distribute(store, out, today, made, lang)


def _distribute(store: ExportStore, out: Path | None, today: dt.datetime, made: list[Path], lang: str) -> Written:
    store.progress("progress.read")
    book = crm_workbook(store)
    team = book.team.fillna("")
    people = [n for n in team["name"] if n]
    folder = out if out is not None else copies_folder(book.path)
    suffix = book.path.suffix.lower() if book.path.suffix.lower() in (".xlsx", ".xlsm") else ".xlsx"
    names = file_names((f"{book.path.stem}-{p}" for p in people), suffix)
    targets = {p: folder / names[f"{book.path.stem}-{p}"] for p in people}
    refuse_existing(targets.values())
    store.progress("progress.export")
    tasks, _mails = remind_plan(book, today, store.tool_frame(schema.TASKS),
                                reminded=sent_reminders(store.folder, pd.Timestamp(today).date()))
    full = book.settings.full_phones
    stamp = pd.Timestamp(today)
    distribution = f"{book.path.stem}-{stamp:%Y%m%d%H%M}"
    folder.mkdir(parents=True, exist_ok=True)
    customers = book.tables["customers"]
    written = Written(files=targets)
    for person, target in targets.items():
        members = team_of(team, person)
        owned = customers.text["owner"].isin(members)
        if not team.loc[team["name"] == person, "manager"].iloc[0]:
            owned |= ~customers.text["owner"].isin(people)  # the head of the team also holds nobody's customers
        # A customer without its 客户编号 yet (entered, not yet checked) cannot come back to its row: 校验 first.
        mine = customers.text.index[owned & (customers.text["customer_id"] != "")]
        ids = set(customers.text.loc[mine, "customer_id"]) - {""}
        data = {customers.sheet.name: copy_rows(customers, mine, full_phones=full),
                schema.TEAM.name: team[team["name"].isin(members)].rename(
                    columns={f.key: f.header for f in schema.TEAM.fields}),
                schema.OPTIONS.name: _lists(book.options),
                schema.SETTINGS_SHEET.name: pd.DataFrame(
                    {"设置项": list(book.settings.rows), "值": list(book.settings.rows.values()),
                     "说明": [next((s.note for s in schema.SETTINGS if s.name == k), "") for k in book.settings.rows]}),
                schema.RULES.name: book.rules.rename(columns={f.key: f.header for f in schema.RULES.fields})}
        given = []
        for key in ("followups", "orders", "tickets"):
            if key in book.tables:
                table = book.tables[key]
                rows = table.text.index[table.text["customer_id"].isin(ids)]
                data[table.sheet.name] = copy_rows(table, rows, full_phones=True)
                if key in HISTORY:
                    packed = pack_prints(prints(replace(table, text=as_shown(table.text.loc[rows])), rows))
                    given.append(pd.DataFrame({"sheet": [table.sheet.name] * len(packed), "print": packed}))
        base = baseline(replace(customers, text=as_shown(customers.text.loc[mine])), mine)
        if not full:
            base["phone"] = masked_phones(customers.data.loc[mine, "phone"]).to_numpy()
        origin = pd.DataFrame({"item": list(ORIGIN.values()),
                               "value": [book.path.name, distribution, person, f"{stamp:%Y-%m-%d %H:%M}"]})
        own_tasks = tasks[tasks["owner"].isin(members)]
        if not full:
            own_tasks = own_tasks.assign(phone=lambda t: masked_phones(t["phone"]))
        shown = [FrameOut(schema.TASKS, own_tasks)]
        kept = [FrameOut(schema.DISTRIBUTION, origin), FrameOut(schema.BASELINE, base),
                FrameOut(schema.DISTRIBUTED_ROWS, pd.concat(given, ignore_index=True) if given
                         else pd.DataFrame(columns=["sheet", "print"]))]
        store.new_workbook(target, data, with_cuts(written, target, data, shown, book, lang) + kept,
                           buttons=suffix == ".xlsm")
        made.append(target)
    return written


def copies_folder(master: Path) -> Path:
    """Where distribute puts the copies and collect looks for them when nobody says: beside the master."""
    return master.parent / f"{master.stem}-分发"


def _lists(options: dict[str, list[str]]) -> pd.DataFrame:
    width = max((len(v) for v in options.values()), default=0)
    return pd.DataFrame({k: list(v) + [""] * (width - len(v)) for k, v in options.items()})


@dataclass
class CollectOutcome:
    book: Book
    plan: CollectPlan
    sources: list[Path]
    backup: Path | None
    written: bool = True

    @property
    def conflicts(self) -> pd.DataFrame:
        """同步冲突: the cells changed both in the master and in a copy, for a person to decide."""
        return self.plan.conflicts

    @property
    def log(self) -> pd.DataFrame:
        """The rows this collect added to 汇总记录: each row taken from a copy and what became of it (a row
        collected before is not recorded again)."""
        return self.plan.log

    def report(self, file: str, lang: str) -> list[str]:
        """What collect did, for the command line and the button alike."""
        plan = self.plan
        if not self.written:
            return [t("collect.nothing", lang, file=file)] + (
                [t("collect.open_conflicts", lang, conflicts=len(plan.conflicts))] if len(plan.conflicts) else [])
        actions = plan.log["action"].value_counts() if len(plan.log) else pd.Series(dtype="int64")
        return [t("collect.done", lang, file=file, sources=len(self.sources), updated=len(plan.updates),
                  cells=sum(len(v) for v in plan.updates.values()), conflicts=len(plan.conflicts),
                  same=int(actions.get(SAME_AS, 0)), review=int(actions.get(UNSURE, 0)),
                  **{key: len(plan.added.get(key, ())) for key in ("customers", "followups", "orders", "tickets")})
                ] + ([t("validate.backup", lang, path=self.backup)] if self.backup else [])


def collect(store: Store, sources: list[Path], *, today: dt.datetime) -> CollectOutcome:
    """Bring what people added or changed in their workbooks into the master, once."""
    store.expect_write()
    files = _workbooks(sources, store)
    store.progress("progress.read")
    book = crm_workbook(store, WITHOUT_HISTORY)
    copies = [_copy(path, book, today) for path in files]
    ends = _ends(store, book) if all(c.printed is not None for c in copies) else None
    if ends is None:  # a workbook that was not distributed is compared with the master's rows themselves
        book = crm_workbook(store)
    store.progress("progress.collect")
    log = store.tool_frame(schema.COLLECT_LOG)
    with worded_refusals():
        plan = plan_collect(book.full, copies, today=today, collected=log,
                            merged=merged_into(store.tool_frame(schema.MERGE_LOG)), ends=ends)
    # Collecting the same files again changes nothing: rows already on 汇总记录 are not recorded twice, and the
    # same conflicts are not written again.
    plan.log = plan.log[~_keys(plan.log, LOGGED).isin(_keys(log, LOGGED))].reset_index(drop=True)
    known = store.tool_frame(schema.SYNC_CONFLICTS)
    same_conflicts = set(_keys(plan.conflicts, CONFLICTED)) == set(_keys(known, CONFLICTED))
    if not plan.changed and not len(plan.log) and same_conflicts:
        return CollectOutcome(book=book, plan=plan, sources=files, backup=None, written=False)
    changes: Changes = {}
    customers = book.tables["customers"]
    changes[customers.sheet.name] = dict(plan.updates)
    for key, rows in plan.added.items():
        table = book.tables[key]
        keys = [k for k in table.letters if k in rows.columns]
        sheet = changes.setdefault(table.sheet.name, {})
        for row, record in zip(rows.index, rows[keys].itertuples(index=False, name=None)):
            sheet[int(row)] = dict(zip(keys, record))
    outputs = [FrameOut(schema.SYNC_CONFLICTS, plan.conflicts),
               FrameOut(schema.COLLECT_LOG, pd.concat([log, plan.log], ignore_index=True) if len(log) else plan.log)]
    if len(plan.review):
        outputs.append(FrameOut(schema.DUPLICATES, _with_review(store.tool_frame(schema.DUPLICATES), plan.review)))
    store.progress("progress.write")
    return CollectOutcome(book=book, plan=plan, sources=files, backup=store.write(book, outputs, changes))


# The master's follow-ups and orders are not read when every copy knows the rows it was given: only where
# those sheets end, and their headers.
WITHOUT_HISTORY = tuple(s for s in schema.SHEETS if s.key not in HISTORY)


def _ends(store: Store, book: Book) -> dict[str, int] | None:
    """The next free row of the master's follow-up and order sheets, their headers put on ``book`` as tables
    without rows; None when the file does not tell (then the sheets are read)."""
    ends = {}
    for sheet in (schema.FOLLOWUPS, schema.ORDERS):
        if sheet.name not in book.sheet_names:
            continue
        end = store.sheet_end(sheet)
        found = match_headers(sheet, end[0]) if end is not None else {}
        if end is None or "customer_id" not in found:
            return None
        book.tables[sheet.key] = SheetTable(sheet=sheet, data=pd.DataFrame(), text=pd.DataFrame(),
                                            letters={k: column_letters(c) for k, c in found.items()})
        ends[sheet.key] = end[1] + 1
    return ends


def _with_review(listed: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """疑似重复 as it was (a review under way is kept), with the new groups numbered after its own."""
    new = review_sheet(groups)
    clusters = pd.to_numeric(listed["cluster"], errors="coerce") if len(listed) else pd.Series(dtype=float)
    first = int(clusters.max()) + 1 if clusters.notna().any() else 1
    new["cluster"] = new["cluster"].rank(method="dense").astype(int) + first - 1
    return pd.concat([listed, new], ignore_index=True) if len(listed) else new


LOGGED = ("source", "distribution", "source_sheet", "source_row", "customer_id")
CONFLICTED = ("customer_id", "column", "master", "copy", "source")


def _keys(frame: pd.DataFrame, keys: tuple[str, ...]) -> pd.Series:
    """One text per row from ``keys`` (a row number read back from the sheet is a float: 12.0 is 12)."""
    if not len(frame):
        return pd.Series([], dtype=object)
    parts = [frame[k].map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
             for k in keys]
    return pd.Series(["\x1f".join(p) for p in zip(*parts)], index=frame.index, dtype=object)


def _workbooks(sources: list[Path], store: Store) -> list[Path]:
    """The workbooks named, and those in the folders named: not the master, not Excel's ~$ owner files, not
    hidden ones (our own .~ temporary files, the ._ AppleDouble files macOS leaves on exFAT sticks and SMB shares)."""
    files = []
    for source in sources:
        if source.is_dir():
            files += sorted(p for p in source.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm")
                            and not p.name.startswith(("~$", ".")))
        elif source.exists():
            files.append(source)
        else:
            raise errors.FileMissing(file=source.name)
    master = Path(store.name)
    return [f for f in files if f.name != master.name or f.resolve().parent != Path(store.folder).resolve()]


def _copy(path: Path, master: Book, today: dt.datetime) -> Copy:
    """A person's workbook: its data sheets, the customer cells that fail 校验 by the master's lists, and its
    origin and baseline when distribute made it."""
    book = read_book(path)
    origin = read_tool_sheet(path, schema.DISTRIBUTION)
    said = dict(zip(origin["item"].astype(str), origin["value"].astype(str))) if len(origin) else {}
    base = read_tool_sheet(path, schema.BASELINE) if said else pd.DataFrame()
    baseline_text = base.fillna("").astype(str) if "customer_id" in base.columns else None
    given = read_tool_sheet(path, schema.DISTRIBUTED_ROWS) if said else pd.DataFrame()
    names = {t.sheet.name: key for key, t in book.tables.items()}
    tables = {key: unquoted(table) for key, table in book.tables.items()} if said else book.tables
    invalid: set[tuple[int, str]] = set()
    if "customers" in tables:
        changed = _changed_rows(tables["customers"], baseline_text)
        checked = validate({"customers": _subset(tables["customers"], changed)}, options=master.options,
                           team=master.team_names, today=today)
        invalid = invalid_cells(checked.problems)
    return Copy(source=path.name, tables=tables, who=said.get(ORIGIN["person"], ""),
                distribution=said.get(ORIGIN["distribution"], ""), invalid=invalid, baseline=baseline_text,
                printed=({key: unpack_prints(given.loc[given["sheet"] == name, "print"])
                          for name, key in names.items() if key in HISTORY} if "print" in given.columns else None))


def _changed_rows(customers: SheetTable, base: pd.DataFrame | None) -> pd.Index:
    """The customer rows not as distributed: only their values can be taken, so only they need 校验."""
    if base is None or "customer_id" not in customers.text.columns:
        return customers.text.index
    keys = [k for k in base.columns if k in customers.text.columns and k != "customer_id"]
    mine = customers.text[["customer_id", *keys]].astype(object)
    was = base.drop_duplicates("customer_id").set_index("customer_id")[keys].reindex(mine["customer_id"])
    same = (mine[keys].to_numpy() == was.to_numpy(dtype=object)).all(axis=1)
    return mine.index[~same]


def _subset(table: SheetTable, rows: pd.Index) -> SheetTable:
    return replace(table, data=table.data.loc[rows], text=table.text.loc[rows],
                   raw=table.raw.loc[rows] if table.raw is not None else None)
