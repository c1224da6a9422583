"""The morning's message in the team's group chat: 企业微信, 钉钉 and 飞书 custom robots (webhooks).

The platform is known from the address's path, on any host.  Each message is recorded in the mail ledger
(mail.Ledger) under day | chat | robot before it is posted, so a rerun on the same day posts nothing; a robot that
refuses (an HTTP error, a timeout, an answer whose code is not 0 such as WeCom's 45009 "api freq out of limit")
keeps it pending for the next try, with the mail's back-off.  Just before the request the ledger marks it sending;
a process that stops before it has read the answer leaves "sending", which counts as sent: a message may be lost
then, never posted twice.  At most 20 posts a minute go to one robot (钉钉's documented limit; going over blocks
the robot for 10 minutes).

The signing secret (钉钉 加签, 飞书 签名校验) never comes from the workbook: $CRM_SHEETS_BOT_SECRET, else the
system keyring's password for the robot's address (service crm-sheets).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import parse_qs, urlencode, urlsplit

from . import errors
from .i18n import t
from .mail import LEDGER, Ledger, delivering
from .passwords import stored_password
from .rules.chat import GroupNews
from .settings import Settings

WECOM, DINGTALK, FEISHU = "企业微信", "钉钉", "飞书"
SECRET_ENV = "CRM_SHEETS_BOT_SECRET"  # noqa: S105 - the variable's name, not a secret
PER_MINUTE = 20
TIMEOUT = 10.0  # seconds to wait for a robot's answer
# The platforms' documented sizes: WeCom's markdown.content, DingTalk's markdown text, Feishu's whole request body.
LIMITS = {WECOM: 4096, DINGTALK: 20000, FEISHU: 20 * 1024}


class Refused(Exception):
    """The robot did not take the message (why, in one line)."""


class ChatDelivery(TypedDict):
    sent: int
    failed: int


def platform(address: str) -> str | None:
    """企业微信, 钉钉 or 飞书 by the address's path (…/cgi-bin/webhook/send?key=…, …/robot/send?access_token=…,
    …/open-apis/bot/v2/hook/…); None for any other address."""
    parts = urlsplit(address.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    query = parse_qs(parts.query)
    if parts.path.endswith("/cgi-bin/webhook/send") and query.get("key"):
        return WECOM
    if parts.path.endswith("/robot/send") and query.get("access_token"):
        return DINGTALK
    if re.search(r"/open-apis/bot/v2/hook/[^/]+$", parts.path):
        return FEISHU
    return None


def robots(settings: Settings) -> tuple[str, ...]:
    """设置 群机器人地址, each checked: an address that is no robot of the three is refused before anything is
    written or sent."""
    found = settings.chat_robots
    for line, address in enumerate(found, start=1):
        if platform(address) is None:
            raise errors.BadRobot(file=settings.file, line=line, value=address[:80])
    return found


def label(address: str) -> str:
    """The robot as a report names it: its platform and the last characters of its key (the key is a password)."""
    return f"{platform(address) or '?'}机器人 …{re.sub(r'[^0-9A-Za-z]', '', address)[-6:]}"


# -- the message in each platform's format --------------------------------------------------------------------

def _plain(text: str) -> str:
    """Text from the workbook as plain characters: no markup (WeCom's <font>, a **) and no line break of its own."""
    return re.sub(r"\s+", " ", text).replace("<", "＜").replace(">", "＞").replace("*", "＊").replace("#", "＃")


def _markdown(news: GroupNews, *, at: bool) -> list[str]:
    """The lines of a markdown message; ``at``: a person with a mobile is @mentioned by it (钉钉)."""
    lines = [f"### {_plain(news.title)}", _plain(news.masthead), f"> 团队：{_plain(news.team)}"]
    for p in news.people:
        mention = f" @{p.mobile}" if at and p.mobile else ""
        lines.append(f"**{_plain(p.name)}**{mention}　{p.figures}")
        lines += [f"> {_plain(name)} {phone}" for name, phone in p.customers]
        if p.customers and p.more:
            lines.append(f"> ……另有 {p.more:,} 位")
    if news.left_out:
        lines.append(f"另有 {news.left_out} 人，见各自的提醒邮件。")
    return [*lines, news.closing]


def _wecom(news: GroupNews) -> dict[str, Any]:
    # WeCom's markdown can @ only by <@userid>, which 团队 does not hold; mentioned_mobile_list is documented for
    # msgtype text alone.  So the markdown names each person, and nobody is @mentioned in 企业微信.
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(_markdown(news, at=False))}}


def _dingtalk(news: GroupNews) -> dict[str, Any]:
    # 钉钉 @mentions the numbers in at.atMobiles that the text also names as @number; a blank line between
    # paragraphs, as its markdown wants for a line break.
    return {"msgtype": "markdown", "markdown": {"title": news.title, "text": "\n\n".join(_markdown(news, at=True))},
            "at": {"atMobiles": [p.mobile for p in news.people if p.mobile], "isAtAll": False}}


def _feishu(news: GroupNews) -> dict[str, Any]:
    # A custom robot of 飞书 can @ only by open_id or user_id (<at user_id="ou_…">), never by a mobile number:
    # people are named, not mentioned.
    rows = [[news.masthead], [f"团队：{news.team}"]]
    for p in news.people:
        rows.append([f"{p.name}：{p.figures}"])
        rows += [[f"　{name} {phone}"] for name, phone in p.customers]
        if p.customers and p.more:
            rows.append([f"　……另有 {p.more:,} 位"])
    if news.left_out:
        rows.append([f"另有 {news.left_out} 人，见各自的提醒邮件。"])
    rows.append([news.closing])
    content = [[{"tag": "text", "text": text} for text in row] for row in rows]
    return {"msg_type": "post", "content": {"post": {"zh_cn": {"title": news.title, "content": content}}}}


_FORMATS: dict[str, Callable[[GroupNews], dict[str, Any]]] = {WECOM: _wecom, DINGTALK: _dingtalk, FEISHU: _feishu}


def _size(kind: str, body: dict[str, Any]) -> int:
    if kind == WECOM:
        return len(body["markdown"]["content"].encode("utf-8"))
    if kind == DINGTALK:
        return len(body["markdown"]["text"].encode("utf-8"))
    return len(_json(body)) + 200  # room for the signature Feishu adds to the body


def payload(kind: str, news: GroupNews) -> dict[str, Any]:
    """``news`` in ``kind``'s JSON, made shorter (customers, then people last in the list) until it fits."""
    shorter: GroupNews | None = news
    while shorter is not None:
        body = _FORMATS[kind](shorter)
        if _size(kind, body) <= LIMITS[kind]:
            return body
        shorter = shorter.shorter()
    return body


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


# -- signing and posting ----------------------------------------------------------------------------------------

def signed(address: str, body: dict[str, Any], secret: str | None, now: float) -> tuple[str, bytes]:
    """The address and body to post at ``now`` (seconds since the epoch), with the signature its platform wants.

    钉钉: timestamp (ms) and sign in the query, sign = base64(HMAC-SHA256 over "timestamp\\nsecret", keyed by the
    secret), URL-encoded.  飞书: timestamp (s) and sign in the body, sign = base64(HMAC-SHA256 over nothing, keyed
    by "timestamp\\nsecret").  企业微信 signs nothing.
    """
    kind = platform(address)
    if secret and kind == DINGTALK:
        stamp = str(int(now * 1000))
        digest = hmac.new(secret.encode("utf-8"), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
        address += "&" + urlencode({"timestamp": stamp, "sign": base64.b64encode(digest).decode("ascii")})
    elif secret and kind == FEISHU:
        stamp = str(int(now))
        digest = hmac.new(f"{stamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
        body = {**body, "timestamp": stamp, "sign": base64.b64encode(digest).decode("ascii")}
    return address, _json(body)


class Pacer:
    """At most PER_MINUTE posts to one robot in any minute: the next one waits (``clock`` and ``sleep`` are the
    monotonic clock and time.sleep, a test's fake ones)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.clock, self.sleep = clock, sleep
        self.posted: dict[str, deque[float]] = {}

    def wait(self, address: str) -> None:
        times = self.posted.setdefault(address, deque())
        now = self.clock()
        while times and now - times[0] >= 60:
            times.popleft()
        if len(times) >= PER_MINUTE:
            self.sleep(60 - (now - times[0]))
            now = self.clock()
            times.popleft()
        times.append(now)


PACER = Pacer()  # one per process: the job posts from one process all day


def secret_for(address: str) -> str | None:
    return stored_password(SECRET_ENV, address)


def post(address: str, body: dict[str, Any], *, secret: str | None = None, pacer: Pacer = PACER) -> str:
    """Post ``body`` to the robot; its answer in one line when it took the message, else Refused (no answer
    within TIMEOUT seconds too)."""
    pacer.wait(address)
    url, data = signed(address, body, secret, time.time())
    # The scheme is http(s): platform() accepted the address.
    request = urllib.request.Request(url, data=data, method="POST",  # noqa: S310
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            text = response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise Refused(f"HTTP {exc.code} {exc.reason}") from None
    except (OSError, ValueError) as exc:  # no connection, a timeout, a broken answer
        raise Refused(f"{type(exc).__name__}: {exc}"[:200]) from None
    try:
        answer = json.loads(text)
        # 企业微信 and 钉钉 answer errcode/errmsg; 飞书 code/msg (older robots StatusCode/StatusMessage).
        code = answer.get("errcode", answer.get("code", answer.get("StatusCode")))
        said = answer.get("errmsg", answer.get("msg", answer.get("StatusMessage", "")))
    except (ValueError, AttributeError):
        raise Refused(f"不是机器人的回答：{text[:80]}") from None
    if code != 0:
        raise Refused(f"{code} {said}")
    return f"0 {said}".strip()


# -- the ledger ----------------------------------------------------------------------------------------------------

def queue(folder: Path, addresses: tuple[str, ...], news: GroupNews, now: dt.datetime) -> int:
    """Record ``now``'s message for each robot (a robot that has the day's already is left alone); how many were
    new.  The key names the robot by a hash of its address: the same address is the same group."""
    day = now.date().isoformat()
    posts = [(f"{day}|chat|{hashlib.sha256(a.encode()).hexdigest()[:16]}", a, news.title,
              _json(payload(platform(a) or WECOM, news))) for a in addresses]
    return Ledger(folder).add_posts(posts, now) if posts else 0


def deliver(folder: Path, now: dt.datetime, *, pacer: Pacer = PACER) -> ChatDelivery:
    """Post every group message that is due for a try (``now``: the ledger's time); while another process
    delivers, nothing (it is posting these very messages)."""
    done = ChatDelivery(sent=0, failed=0)
    if not (folder / LEDGER).exists():
        return done
    ledger = Ledger(folder)
    with delivering(ledger, folder, now) as mine:
        for key, address, body in ledger.pending(now, chat=True) if mine else ():
            ledger.sending(key)
            try:
                post(address, json.loads(body), secret=secret_for(address), pacer=pacer)
            except Refused as exc:
                ledger.failed(key, now, str(exc))
                done["failed"] += 1
                continue
            ledger.sent(key, now)
            done["sent"] += 1
    return done


def test_lines(addresses: tuple[str, ...], news: GroupNews, lang: str, *,
               pacer: Pacer = PACER) -> list[tuple[bool, str]]:
    """测试群消息: one test message to each robot; for each, whether it took it and its answer in one line."""
    lines = []
    for address in addresses:
        kind = platform(address) or WECOM
        try:
            answer = post(address, payload(kind, news), secret=secret_for(address), pacer=pacer)
        except Refused as exc:
            lines.append((False, t("chat.refused", lang, robot=label(address), answer=exc)))
        else:
            lines.append((True, t("chat.took", lang, robot=label(address), answer=answer)))
    return lines
