"""The mail ledger (.crm-mail.sqlite) over a year of mornings: its size, and its cost on day N against day 1.

    python benchmarks/bench_ledger.py [--scale 0.1] [--days 365] [--repeat 5] [--full-days 7] [--no-job]

At Excel's limit (100,000 customers; issue 33) a morning makes 41 mails (40 owners and the manager's digest) of up
to ~1.5 MB each, and about 65,000 reminder tasks are open; about 1,500 of them close a day (1,048,575 follow-ups
fill the sheet in about three years of ~250 working days: ~1,400 a day) and as many new ones open.  The ledger is
driven directly, as the job drives it each morning: reminders(today) (plan_reminders), keep_counts(the tasks on
回访任务: the open ones and those closed today), add(the day's mails: each owner's carries the 任务编号 of all
their open tasks), deliver (no SMTP server: to outbox/, emptied after each morning, untimed).

How it extrapolates:
1. 365 mornings at ``--scale`` (default 0.1: 6,500 open tasks, bodies of 150 KB, 150 closing a day; 41 mails as
   at the limit).  Printed: the file's size after each morning's delivery at days 1, 7, 30, 90, 180, 365 and per
   table (SQLite's dbstat).  The mail table (41 rows a day, no body once delivered) does not depend on the scale;
   the count table grows with the number of open tasks.
2. ``--full-days`` mornings at full scale (65,000 tasks, 1.5 MB bodies).  Then the delivered mail rows of the
   scaled run's days after that are copied in (the same keys and columns a full-scale year leaves: a delivered
   row has no body) - this is day 365 at Excel's limit - and day 365's morning is run on it.  Its size is the
   extrapolated ledger after a year.
Time: ledger operations (open, reminders, keep_counts, add, deliver) of day 1 and day 365, each the median of
``--repeat`` runs on a copy of the ledger as it was before that morning.  Goal (issue 33): <= 100 MB after a year
at the limit, day 365 <= 1.1x day 1.
3. Unless --no-job: three mornings of the real job (Job.tick, demo workbook) in one folder, and the simulation with
the job's own figures (mails a day, mean mail size, open tasks) beside it: the two ledgers should agree.  The job
counts every reminded task still on 回访任务 (escalated, done since yesterday, written on: 510 for 366 open on the
demo workbook), so the size at the limit is also printed with the count table grown by SHEET_SHARE.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from contextlib import closing
from pathlib import Path

from crm_sheets.mail import LEDGER, Ledger, Mail, deliver

FULL_TASKS = 65_000
CLOSING = 1_500
OWNERS = 40  # and one manager: 41 mails a morning
BODY = 1_500_000
START = dt.datetime(2026, 1, 1, 8, 30)
MB = 1024 * 1024
JOB_DAY1 = 48.0  # `job --once` on day 1 in a fresh folder at Excel's limit, as issue 33 measured it (not run here)
SHEET_SHARE = 1.5  # tasks counted per open task: the real job below kept 510 counts for 366 open tasks (1.4x)
RULES = ("阶段节奏回访", "新购满意度回访", "售后回访", "续约提醒")


class Team:
    """Open tasks per owner; each morning some close and as many new ones open (task ids as the tool spells them)."""

    def __init__(self, tasks: int, closing_per_day: int, owners: int = OWNERS, seed: int = 33) -> None:
        self.rng = random.Random(seed)
        self.serial = 0
        self.closing = closing_per_day
        self.open = {owner: [] for owner in range(owners)}
        for _ in range(tasks):
            self._new(START)
        self.closed_today: list[str] = []

    def _new(self, day: dt.datetime) -> None:
        self.serial += 1
        due = day + dt.timedelta(days=self.rng.randrange(-30, 1))
        task = f"CRM{20200101 + self.serial // 100_000:08d}{self.serial % 100_000:05d}-{self.rng.choice(RULES)}-{due:%Y%m%d}"
        self.open[self.rng.randrange(len(self.open))].append(task)

    def next_day(self, day: dt.datetime) -> None:
        self.closed_today = []
        for _ in range(self.closing):
            tasks = self.open[self.rng.randrange(len(self.open))]
            if tasks:
                self.closed_today.append(tasks.pop(self.rng.randrange(len(tasks))))
            self._new(day)

    def sheet(self) -> list[str]:
        return [t for tasks in self.open.values() for t in tasks] + self.closed_today

    def mails(self, day: dt.date, text: str) -> list[Mail]:
        owners = [Mail(key=f"{day}|p{o}@example.com|owner", recipient=f"p{o}@example.com", subject=f"今日回访清单 {day}",
                       text=text, html=text, tasks=tuple(self.open[o])) for o in self.open]
        return [*owners, Mail(key=f"{day}|boss@example.com|manager", recipient="boss@example.com",
                              subject=f"团队日报 {day}", text=text, html=text)]


def body_text(size: int) -> str:
    """Text whose mail (text and HTML part, base64) is about ``size`` bytes: 8 bytes a Chinese character."""
    return ("客户回访电话逾期\n" * (size // 72 + 1))[: max(size // 8, 1)]


def morning(folder: Path, team: Team, now: dt.datetime, text: str) -> float:
    """The ledger's share of one morning of the job; returns its seconds."""
    t0 = time.perf_counter()
    ledger = Ledger(folder)
    ledger.reminders(now.date())
    ledger.keep_counts(team.sheet())
    ledger.add(team.mails(now.date(), text), "crm@example.com", now)
    deliver(ledger, None, folder, now)
    seconds = time.perf_counter() - t0
    shutil.rmtree(folder / "outbox", ignore_errors=True)
    return seconds


def timed(folder: Path, team: Team, now: dt.datetime, text: str, repeat: int) -> float:
    """Median seconds of the morning, each run on a copy of the ledger as it is now."""
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as scratch:
            if (folder / LEDGER).exists():
                shutil.copy(folder / LEDGER, Path(scratch) / LEDGER)
            runs.append(morning(Path(scratch), team, now, text))
    return statistics.median(runs)


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob(LEDGER + "*"))


def tables(folder: Path) -> dict[str, int]:
    with closing(sqlite3.connect(folder / LEDGER)) as db:
        rows = db.execute("SELECT tbl_name, SUM(pgsize) FROM dbstat JOIN sqlite_master USING (name) GROUP BY tbl_name")
        return dict(rows.fetchall())


def year(folder: Path, scale: float, days: int, repeat: int) -> dict:
    team = Team(round(FULL_TASKS * scale), round(CLOSING * scale))
    text = body_text(round(BODY * scale))
    sizes, first, last = {}, 0.0, 0.0
    for n in range(1, days + 1):
        now = START + dt.timedelta(days=n - 1)
        team.next_day(now)
        if n == 1:
            first = timed(folder, team, now, text, repeat)
        if n == days:
            last = timed(folder, team, now, text, repeat)
        morning(folder, team, now, text)
        if n in (1, 7, 30, 90, 180, days):
            sizes[n] = size(folder)
    return {"sizes": sizes, "first": first, "last": last, "tables": tables(folder)}


def full_year(folder: Path, scaled: Path, full_days: int, days: int, repeat: int) -> dict:
    """``full_days`` mornings at Excel's limit, the scaled year's later delivered rows copied in, then day ``days``."""
    team = Team(FULL_TASKS, CLOSING)
    text = body_text(BODY)
    peak, first = 0, 0.0
    for n in range(1, full_days + 1):
        now = START + dt.timedelta(days=n - 1)
        team.next_day(now)
        if n == 1:
            first = timed(folder, team, now, text, repeat)
        morning(folder, team, now, text)
    with closing(sqlite3.connect(folder / LEDGER)) as db, db:
        db.execute("ATTACH ? AS scaled", (str(scaled / LEDGER),))
        db.execute("INSERT OR IGNORE INTO mail SELECT * FROM scaled.mail WHERE status = 'sent' AND key < ?",
                   (f"{(START + dt.timedelta(days=days - 1)).date()}",))
    for n in range(full_days + 1, days):  # the world moves on (the counts of the tasks closed meanwhile are dropped)
        team.next_day(START + dt.timedelta(days=n - 1))
    now = START + dt.timedelta(days=days - 1)
    team.next_day(now)
    last = timed(folder, team, now, text, repeat)
    # The morning's peak: every body written, none delivered yet.
    ledger = Ledger(folder)
    ledger.add(team.mails(now.date(), text), "crm@example.com", now)
    peak = size(folder)
    deliver(ledger, None, folder, now)
    shutil.rmtree(folder / "outbox", ignore_errors=True)
    return {"size": size(folder), "peak": peak, "first": first, "last": last, "tables": tables(folder)}


def job_check(work: Path) -> None:
    """Three mornings of the real job, then the simulation with the job's own figures."""
    from crm_sheets import schema
    from crm_sheets.demo_data import make_demo
    from crm_sheets.job import Job
    from crm_sheets.stores.file import FileStore
    from crm_sheets.templates import write_workbook

    book = work / "job" / "客户.xlsx"
    book.parent.mkdir()
    today = START.date() + dt.timedelta(days=330)
    write_workbook(book, data=make_demo(today, n_customers=3000, n_followups=30_000).frames)
    clock = [dt.datetime.combine(today, dt.time(8, 30))]
    job = Job(book, clock=lambda: clock[0], log=logging.getLogger("bench-ledger"))
    real, mails, mail_size, open_tasks = [], [], [], []
    for n in range(3):
        clock[0] = dt.datetime.combine(today + dt.timedelta(days=n), dt.time(8, 30))
        job.tick()
        sheet = FileStore(book).tool_frame(schema.TASKS)
        emls = list((book.parent / "outbox").glob("*.eml"))
        mails.append(len(emls))
        mail_size.append(statistics.mean(p.stat().st_size for p in emls) if emls else 0)
        open_tasks.append(int(sheet["status"].isin(["待回访", "逾期"]).sum()))
        real.append(size(book.parent))
        shutil.rmtree(book.parent / "outbox")
    print(f"\nreal job, 3 mornings (demo workbook, 3,000 customers): mails {mails}, mean mail "
          f"{statistics.mean(mail_size) / 1024:.0f} KB, open tasks {open_tasks}")
    text = body_text(round(statistics.mean(mail_size)))
    folder = work / "job-sim"
    folder.mkdir()
    simulated = []
    for n in range(3):  # the same tasks open as the job had that morning
        team = Team(open_tasks[n], 0, owners=mails[n] - 1)  # one mail is the manager's
        team.next_day(START + dt.timedelta(days=n))
        morning(folder, team, START + dt.timedelta(days=n), text)
        simulated.append(size(folder))
    print("  ledger after each morning: real job " + ", ".join(f"{s / 1024:.0f} KB" for s in real)
          + "; simulation with its figures " + ", ".join(f"{s / 1024:.0f} KB" for s in simulated))
    print(f"  counted tasks: real job {rows(book.parent)}, simulation {rows(folder)}")


def rows(folder: Path) -> int:
    with closing(sqlite3.connect(folder / LEDGER)) as db:
        return db.execute("SELECT COUNT(*) FROM reminder").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--full-days", type=int, default=7)
    parser.add_argument("--no-job", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "scaled").mkdir()
        (work / "full").mkdir()
        t0 = time.perf_counter()
        scaled = year(work / "scaled", args.scale, args.days, args.repeat)
        print(f"{args.days} mornings at scale {args.scale} ({round(FULL_TASKS * args.scale):,} open tasks, "
              f"{OWNERS + 1} mails of {BODY * args.scale / MB:.2f} MB), {time.perf_counter() - t0:.0f} s:")
        print("  ledger after day " + ", ".join(f"{d}: {s / MB:.2f} MB" for d, s in scaled["sizes"].items()))
        print(f"  by table on day {args.days}: "
              + ", ".join(f"{k} {v / MB:.2f} MB" for k, v in scaled["tables"].items()))
        print(f"  ledger operations: day 1 {scaled['first']:.3f} s, day {args.days} {scaled['last']:.3f} s, "
              f"ratio {scaled['last'] / scaled['first']:.2f}")
        t0 = time.perf_counter()
        full = full_year(work / "full", work / "scaled", args.full_days, args.days, args.repeat)
        print(f"\nExcel's limit ({FULL_TASKS:,} open tasks, {OWNERS + 1} mails of {BODY / MB:.2f} MB): "
              f"{args.full_days} mornings measured, days {args.full_days + 1}-{args.days - 1} extrapolated "
              f"(their delivered rows copied from the scaled year), day {args.days} measured; "
              f"{time.perf_counter() - t0:.0f} s:")
        print(f"  ledger after day {args.days}: {full['size'] / MB:.2f} MB (goal <= 100 MB); "
              f"during that morning before delivery {full['peak'] / MB:.1f} MB")
        print("  by table: " + ", ".join(f"{k} {v / MB:.2f} MB" for k, v in full["tables"].items()))
        print(f"  with counts for {SHEET_SHARE}x the open tasks (the job keeps the count of every reminded task on "
              f"回访任务, open or not; see the real job below): "
              f"{(full['size'] + (SHEET_SHARE - 1) * full['tables']['reminder']) / MB:.2f} MB")
        print(f"  ledger operations: day 1 {full['first']:.2f} s, day {args.days} {full['last']:.2f} s, "
              f"ratio {full['last'] / full['first']:.2f} (goal <= 1.1)")
        print(f"  the job: day 365 = day 1 {full['last'] - full['first']:+.2f} s; on the job's own day 1 at the limit "
              f"(issue 33 measured {JOB_DAY1:.0f} s, the ledger included) x{(JOB_DAY1 + full['last'] - full['first']) / JOB_DAY1:.2f}")
        if not args.no_job:
            job_check(work)


if __name__ == "__main__":
    main()
